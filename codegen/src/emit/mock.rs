//! The in-process mock of a Tencent crate (feature `mock`): a typed rule constructor per
//! action, and each action's default response (the vendor's valid example, else one built
//! here from the response schema).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{json, Value};

use super::tables::variant;
use super::{doc, ident};
use crate::names::{method_name, type_stem};
use crate::spec::{
    HuaweiParam, HuaweiSpec, ParamLocation, Primitive, TencentSpec, TypeDef, TypeRef,
};

/// A JSON value of a declared type with every field filled in (lists of one element,
/// self-references cut off after a few levels), for default responses and tests.
///
/// Bounded for any input: below [`SAMPLE_MAX_DEPTH`] levels, or once [`SAMPLE_MAX_NODES`]
/// values are built, a structure is `{}` and a list `[]` (validation keeps real specs far
/// inside both: required fields nest types at most 32 deep).
pub fn sample_value(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, depth: usize) -> Value {
    let mut budget = SAMPLE_MAX_NODES;
    sample(ty, types, depth, &mut budget)
}

/// Sets the paging fields of a sample request (`holder`: the object that holds them, a
/// Tencent request or a Huawei body or parameter map) to the first page and the default
/// page size: [`sample_value`]'s integers are -7, which a paged action's mock refuses as its
/// vendor would.
pub fn sample_first_page(holder: &mut Value, pagination: &crate::spec::Pagination) {
    if let Value::Object(fields) = holder {
        fields.insert(
            pagination.position.clone(),
            Value::from(pagination.first_page.unwrap_or(0)),
        );
        fields.insert(pagination.size.clone(), Value::from(pagination.page_size));
    }
}

/// How deep [`sample_value`] goes.
pub const SAMPLE_MAX_DEPTH: usize = 64;

/// How many values [`sample_value`] builds at most.
pub const SAMPLE_MAX_NODES: usize = 100_000;

fn sample(
    ty: &TypeRef,
    types: &BTreeMap<String, TypeDef>,
    depth: usize,
    budget: &mut usize,
) -> Value {
    *budget = budget.saturating_sub(1);
    let exhausted = *budget == 0 || depth >= SAMPLE_MAX_DEPTH;
    match ty {
        TypeRef::Primitive(Primitive::String) => json!("text"),
        TypeRef::Primitive(Primitive::Int64) => json!(-7),
        TypeRef::Primitive(Primitive::Uint64) => json!(20000000000u64),
        TypeRef::Primitive(Primitive::Float) => json!(12.5),
        TypeRef::Primitive(Primitive::Bool) => json!(true),
        TypeRef::List(_) if exhausted => json!([]),
        TypeRef::List(inner) if depth < 3 => json!([sample(inner, types, depth + 1, budget)]),
        TypeRef::List(_) => json!([]),
        TypeRef::Named(_) if exhausted => json!({}),
        TypeRef::Named(name) => {
            let Some(def) = types.get(name) else {
                return json!({});
            };
            let fields = def.fields.iter().filter(|f| depth < 3 || f.required);
            Value::Object(
                fields
                    .map(|f| (f.name.clone(), sample(&f.ty, types, depth + 1, budget)))
                    .collect(),
            )
        }
    }
}

/// The helpers both providers' mock modules have: the mock, and clients (with the test
/// credentials `id` and `key`) over it and over a mock server.
/// `known_codes`: what the mock's JSON rules may answer with (a `KnownCodes` expression),
/// for a vendor whose mocks check them.
fn mock_helpers(
    id: &str,
    key: &str,
    account: Option<&str>,
    known_codes: Option<TokenStream>,
) -> TokenStream {
    let (id, key) = (ident(id), ident(key));
    // The account ID of a vendor whose client has one (Huawei's `domain_id`).
    let account = account.map(|account| {
        let account = ident(account);
        quote!(.domain_id(#account))
    });
    let known_codes = known_codes.map(|known| quote!(.with_known_codes(#known)));
    quote! {
        /// A mock whose operations without a rule answer their default response.
        pub fn mock() -> Mock {
            MockTransport::new(default_response)
                .with_paging(crate::paging::paging_of)
                #known_codes
        }

        /// A client over `mock` (the test credentials; retries as configured by default;
        /// no client-side QPS limits: see [`builder`]).
        pub fn client(mock: &Mock) -> Client {
            builder(mock).build().expect("a mock client builds")
        }

        /// A client builder over `mock`, to configure retries or limits first. It starts
        /// without the client-side QPS limits (a test would wait on them for nothing);
        /// `.with_rate_limits()` puts the documented ones back.
        pub fn builder(mock: &Mock) -> crate::ClientBuilder {
            Client::builder()
                .credentials(Credentials::new(#id, #key))
                .transport(Arc::new(mock.clone()))
                .without_rate_limits()
                #account
        }

        /// A client of `server` signing with the test credentials.
        pub fn server_client(server: &Server) -> Client {
            Client::builder()
                .credentials(Credentials::new(#id, #key))
                .endpoint(server.url())
                #account
                .build()
                .expect("a mock server client builds")
        }
    }
}

/// The mock module's example, a doc test (it runs wherever the module exists): a typed
/// rule under the in-process mock, and the mock server on 127.0.0.1, each with its client.
fn mock_example(lib: &str, function: &str, response: &str) -> String {
    format!(
        "\n```rust\n\
         # #[tokio::main(flavor = \"current_thread\")]\n\
         # async fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
         use {lib}::{{mock, models}};\n\n\
         // In process: a typed rule (here answering the model's defaults) under the real client.\n\
         let mock = mock::mock()\n    \
         .with_rule(mock::{function}().respond(models::{response}::default()).build());\n\
         let client = mock::client(&mock);\n\n\
         // Over HTTP on 127.0.0.1, for any client (the official SDKs too).\n\
         let server = mock::server().start().await?;\n\
         let server_client = mock::server_client(&server);\n\
         # drop((client, server_client));\n\
         # Ok(())\n\
         # }}\n\
         ```"
    )
}

/// `src/mock.rs`.
pub(crate) fn tencent_mock(lib: &str, spec: &TencentSpec) -> TokenStream {
    let actions = spec.api_actions();
    let defaults = actions.iter().map(|a| {
        let variant = variant(&a.name, a.rust_name.as_deref());
        let response = a
            .response
            .clone()
            .expect("validated: API actions have types");
        let document = match a.examples.first() {
            Some(example) => example.response.clone(),
            None => json!({"Response": sample_value(&TypeRef::Named(response), &spec.types, 0)})
                .to_string(),
        };
        quote!(Action::#variant => Some(#document),)
    });
    let checks = actions.iter().map(|a| {
        let variant = variant(&a.name, a.rust_name.as_deref());
        let request = ident(a.request.as_deref().expect("validated"));
        quote!(Action::#variant => decode::<models::#request>(body),)
    });
    let rules = actions.iter().map(|a| {
        let function = ident(&method_name(&a.name, a.rust_name.as_deref()));
        let variant = variant(&a.name, a.rust_name.as_deref());
        let request = ident(a.request.as_deref().expect("validated"));
        let response = ident(a.response.as_deref().expect("validated"));
        let paged_doc = if a.pagination.is_some() {
            " `.items(list)` serves a list page by page."
        } else {
            ""
        };
        let rule_doc = doc(&format!(
            "A rule for `{}`, typed by its request and response.{paged_doc}",
            a.name
        ));
        quote! {
            #rule_doc
            pub fn #function() -> RuleBuilder<Action, models::#request, models::#response> {
                RuleBuilder::new(Action::#variant)
            }
        }
    });
    let error_codes = if spec.error_codes.is_empty() {
        quote!(&[])
    } else {
        quote!(<crate::ServiceError as partnergen_runtime::tables::ServiceCode>::CODES)
    };
    let helpers = mock_helpers(
        "SECRET_ID",
        "SECRET_KEY",
        None,
        Some(quote!(partnergen_runtime::tencent::server::known_codes(#error_codes))),
    );
    let example = actions.first().map(|a| {
        let text = mock_example(
            lib,
            &method_name(&a.name, a.rust_name.as_deref()),
            a.response.as_deref().expect("validated"),
        );
        let lines = text.lines().map(|line| format!(" {line}"));
        quote! { #(#![doc = #lines])* }
    });
    quote! {
        //! The mocks of the service, both answering from the same typed rules and default
        //! responses:
        //!
        //! - the in-process mock: a fake transport under the real [`Client`],
        //!   so serialization, error envelopes and retries run as in production (client-side
        //!   QPS limits only when a test asks: `mock::builder(&mock).with_rate_limits()`);
        //! - the mock server: HTTP on 127.0.0.1 speaking the wire protocol (signatures, QPS,
        //!   CAM policies, parameter checks) to any client, the official SDKs included.
        #example

        use std::sync::Arc;

        use partnergen_runtime::mock::{MockTransport, RuleBuilder};
        pub use partnergen_runtime::mock::{Call, Reply, Rule};
        use partnergen_runtime::server::{decode_request as decode, ParamError};
        pub use partnergen_runtime::server::{Checks, LogEntry};
        use partnergen_runtime::tencent::server::ServiceDef;
        pub use partnergen_runtime::tencent::server::MockServerBuilder;
        use partnergen_runtime::tencent::Tencent;

        use crate::actions::Action;
        use crate::models;
        use crate::{Client, Credentials};

        /// The fake transport of this service.
        pub type Mock = MockTransport<Action, Tencent>;

        /// A running mock server of this service.
        pub type Server = partnergen_runtime::tencent::server::MockServer<Action>;

        /// The SecretId of the mocks' test credentials.
        pub const SECRET_ID: &str = "AKIDmock";
        /// The SecretKey of the mocks' test credentials.
        pub const SECRET_KEY: &str = "mock-secret-key";

        #helpers

        /// The service as the mock server serves it: name, version, parameter checks and
        /// default responses.
        pub fn service() -> ServiceDef<Action> {
            ServiceDef {
                service: crate::SERVICE,
                version: crate::API_VERSION,
                check_request,
                defaults: default_response,
                // Placeholder until the spec's pagination facts are emitted.
                paging: crate::paging::paging_of,
                error_codes: #error_codes,
            }
        }

        /// A mock server builder on 127.0.0.1 (a free port) that accepts the test
        /// credentials ([`SECRET_ID`], [`SECRET_KEY`]), every check on.
        pub fn server() -> MockServerBuilder<Action> {
            MockServerBuilder::new(service()).credentials(Credentials::new(SECRET_ID, SECRET_KEY))
        }


        /// Checks a request body against the action's typed request; `None` for actions
        /// without a model.
        fn check_request(action: Action, body: &[u8]) -> Option<Result<(), ParamError>> {
            Some(match action {
                #(#checks)*
                _ => return None,
            })
        }

        /// The default response document (`{"Response": {...}}`) of an action: the
        /// vendor's example, or one built from the response schema where the vendor's
        /// example is broken or missing. `None` for actions outside the API definition.
        pub fn default_response(action: Action) -> Option<&'static str> {
            match action {
                #(#defaults)*
                _ => None,
            }
        }

        #(#rules)*
    }
}

/// `src/bin/mock-server.rs`: the mock server as a program (`rest`: Huawei's).
pub(crate) fn mock_server_main(crate_name: &str, rest: bool) -> TokenStream {
    let krate = ident(&crate_name.replace('-', "_"));
    let vendor = ident(if rest { "huawei" } else { "tencent" });
    // Short lines: `cargo fmt` reaches this crate root (no `rustfmt::skip` there), so
    // rustfmt and prettyplease must print it alike.
    quote! {
        //! The mock server as a program: `--help` for its arguments.

        use partnergen_runtime::#vendor::server;

        fn main() -> std::process::ExitCode {
            server::main(#krate::mock::service())
        }
    }
}

/// A path, query or header parameter as the server checks it (`Param`); `None` for
/// the body (its model checks it) and for types a parameter cannot have.
fn rest_param(param: &HuaweiParam) -> Option<TokenStream> {
    let location = match param.location {
        ParamLocation::Path => quote!(path),
        ParamLocation::Query => quote!(query),
        ParamLocation::Header => quote!(header),
        ParamLocation::Body => return None,
    };
    let (primitive, list) = match &param.ty {
        TypeRef::Primitive(p) => (p, false),
        TypeRef::List(inner) => match &**inner {
            TypeRef::Primitive(p) => (p, true),
            _ => return None,
        },
        TypeRef::Named(_) => return None,
    };
    let kind = match primitive {
        Primitive::String => quote!(ParamKind::String),
        Primitive::Int64 => quote!(ParamKind::Int64),
        Primitive::Uint64 => quote!(ParamKind::Uint64),
        Primitive::Float => quote!(ParamKind::Float),
        Primitive::Bool => quote!(ParamKind::Bool),
    };
    let name = &param.wire_name;
    let list = list.then(|| quote!(.list()));
    let required = param.required.then(|| quote!(.required()));
    Some(quote! {
        Param::#location(#name, #kind) #list #required,
    })
}

/// `src/mock.rs` of a Huawei crate: the in-process mock and the mock server over REST,
/// a typed rule constructor per typed operation (matching on the typed body), and each
/// operation's default response, built from the response schema (the SDK has no
/// examples).
pub(crate) fn huawei_mock(spec: &HuaweiSpec) -> TokenStream {
    let typed = spec.typed_operations();
    let defaults = typed.iter().map(|o| {
        let variant = variant(&o.name, o.rust_name.as_deref());
        let response = o.response.clone().expect("typed");
        let mut document = sample_value(&TypeRef::Named(response), &spec.types, 0);
        // BSS answers some successes with a result code: CBC.0000 means success.
        if let Some(code) = document.get_mut("error_code") {
            *code = json!("CBC.0000");
        }
        if let Some(message) = document.get_mut("error_msg") {
            *message = json!("success");
        }
        let document = document.to_string();
        quote!(Operation::#variant => Some(#document),)
    });
    // Every operation typed: no fallback arm (it would be unreachable).
    let untyped = (typed.len() < spec.operations.len()).then(|| quote!(_ => None,));
    let checks = typed.iter().filter_map(|o| {
        let variant = variant(&o.name, o.rust_name.as_deref());
        let body = ident(o.body_type()?);
        Some(quote!(Operation::#variant => decode::<models::#body>(body),))
    });
    let rules = typed.iter().map(|o| {
        let function = ident(&method_name(&o.name, o.rust_name.as_deref()));
        let variant = variant(&o.name, o.rust_name.as_deref());
        let body = match o.body_type() {
            Some(body) => {
                let body = ident(body);
                quote!(models::#body)
            }
            None => quote!(()),
        };
        let response = ident(o.response.as_deref().expect("typed"));
        // A paged operation's rules can serve a list page by page (`.items(..)`): the
        // builder names its request, which knows how it pages.
        let (paged, paged_doc) = match o.pagination {
            Some(_) => {
                let request = ident(&format!("{}Request", type_stem(&o.name, o.rust_name.as_deref())));
                (quote!(, models::#request), " `.items(list)` serves a list page by page.")
            }
            None => (quote!(), ""),
        };
        let rule_doc = doc(&format!(
            "A rule for `{}` (`{} {}`), matching on its typed body; typed by its response.{paged_doc}",
            o.name, o.method, o.path
        ));
        quote! {
            #rule_doc
            pub fn #function() -> RuleBuilder<Operation, #body, models::#response #paged> {
                RuleBuilder::new(Operation::#variant)
            }
        }
    });
    let params: Vec<TokenStream> = typed
        .iter()
        .filter_map(|o| {
            let list: Vec<TokenStream> = o.params.iter().filter_map(rest_param).collect();
            if list.is_empty() {
                return None;
            }
            let variant = variant(&o.name, o.rust_name.as_deref());
            // `const`: a slice of const-fn calls is 'static only when built at compile time.
            Some(quote!(Operation::#variant => const { &[#(#list)*] },))
        })
        .collect();
    // Every operation listed: no fallback arm (it would be unreachable).
    let without_params = (params.len() < spec.operations.len()).then(|| quote!(_ => &[],));
    let helpers = mock_helpers("ACCESS_KEY", "SECRET_KEY", Some("DOMAIN_ID"), None);
    quote! {
        //! The mocks of the service, both answering from the same typed rules and default
        //! responses:
        //!
        //! - the in-process mock: a fake transport under the real [`Client`];
        //! - the mock server: HTTP on 127.0.0.1 speaking Huawei's REST (AK/SK signatures,
        //!   the operator account's permission actions, typed bodies) to any client, the
        //!   official SDK included.
        //!
        //! Rules see each call as `{"path": {..}, "query": {..}, "body": ..}`; typed
        //! rules match on the typed body.

        use std::sync::Arc;

        use partnergen_runtime::huawei::server::{Param, ParamKind, ServiceDef};
        pub use partnergen_runtime::huawei::server::MockServerBuilder;
        use partnergen_runtime::huawei::Huawei;
        use partnergen_runtime::mock::{MockTransport, RuleBuilder};
        pub use partnergen_runtime::mock::{Call, Reply, Rule};
        use partnergen_runtime::server::{decode_request as decode, ParamError};
        pub use partnergen_runtime::server::{Checks, LogEntry};

        use crate::operations::Operation;
        use crate::models;
        use crate::{Client, Credentials};

        /// The fake transport of this service.
        pub type Mock = MockTransport<Operation, Huawei>;

        /// A running mock server of this service.
        pub type Server = partnergen_runtime::huawei::server::MockServer<Operation>;

        /// The access key (AK) of the mocks' test credentials.
        pub const ACCESS_KEY: &str = "MOCKACCESSKEY0000000";
        /// The secret key (SK) of the mocks' test credentials.
        pub const SECRET_KEY: &str = "mock-secret-key";
        /// The account (domain) ID of the mocks' clients (it fills `{domain_id}` paths).
        pub const DOMAIN_ID: &str = "mockdomainid0000";

        #helpers

        /// The service as the mock server serves it: body and parameter checks, and
        /// default responses.
        pub fn service() -> ServiceDef<Operation> {
            ServiceDef {
                service: crate::SERVICE,
                check_request,
                defaults: default_response,
                // Placeholder until the spec's pagination facts are emitted.
                paging: crate::paging::paging_of,
                params,
            }
        }

        /// A mock server builder on 127.0.0.1 (a free port) that accepts the test
        /// credentials ([`ACCESS_KEY`], [`SECRET_KEY`]), every check on, every operation
        /// allowed until `permissions` names the operator account's.
        pub fn server() -> MockServerBuilder<Operation> {
            MockServerBuilder::new(service()).credentials(Credentials::new(ACCESS_KEY, SECRET_KEY))
        }


        /// The default response body of an operation, built from its response schema.
        pub fn default_response(operation: Operation) -> Option<&'static str> {
            match operation {
                #(#defaults)*
                #untyped
            }
        }

        /// Checks a request body against the operation's typed body; `None` for operations
        /// without one.
        fn check_request(operation: Operation, body: &[u8]) -> Option<Result<(), ParamError>> {
            Some(match operation {
                #(#checks)*
                _ => return None,
            })
        }

        /// The operation's path, query and header parameters, as the server checks them.
        fn params(operation: Operation) -> &'static [Param] {
            match operation {
                #(#params)*
                #without_params
            }
        }

        #(#rules)*
    }
}
