//! The in-process mock of a Tencent crate (feature `mock`): a typed rule constructor per
//! action, and each action's default response (the vendor's valid example, else one built
//! here from the response schema).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{json, Value};

use super::tables::variant;
use super::{doc, ident};
use crate::names::method_name;
use crate::spec::{Primitive, TencentSpec, TypeDef, TypeRef};

/// A JSON value of a declared type with every field filled in (lists of one element,
/// self-references cut off after a few levels), for default responses and tests.
pub fn sample_value(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, depth: usize) -> Value {
    match ty {
        TypeRef::Primitive(Primitive::String) => json!("text"),
        TypeRef::Primitive(Primitive::Int64) => json!(-7),
        TypeRef::Primitive(Primitive::Uint64) => json!(20000000000u64),
        TypeRef::Primitive(Primitive::Float) => json!(12.5),
        TypeRef::Primitive(Primitive::Bool) => json!(true),
        TypeRef::List(inner) if depth < 3 => json!([sample_value(inner, types, depth + 1)]),
        TypeRef::List(_) => json!([]),
        TypeRef::Named(name) => {
            let Some(def) = types.get(name) else {
                return json!({});
            };
            let fields = def.fields.iter().filter(|f| depth < 3 || f.required);
            Value::Object(
                fields
                    .map(|f| (f.name.clone(), sample_value(&f.ty, types, depth + 1)))
                    .collect(),
            )
        }
    }
}

/// `src/mock.rs`.
pub(crate) fn tencent_mock(spec: &TencentSpec) -> TokenStream {
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
    let rules = actions.iter().map(|a| {
        let function = ident(&method_name(&a.name, a.rust_name.as_deref()));
        let variant = variant(&a.name, a.rust_name.as_deref());
        let request = ident(a.request.as_deref().expect("validated"));
        let response = ident(a.response.as_deref().expect("validated"));
        let rule_doc = doc(&format!(
            "A rule for `{}`, typed by its request and response.",
            a.name
        ));
        quote! {
            #rule_doc
            pub fn #function() -> RuleBuilder<Action, models::#request, models::#response> {
                RuleBuilder::new(Action::#variant)
            }
        }
    });
    quote! {
        //! The in-process mock: a fake transport under the real [`Client`](crate::Client),
        //! so serialization, error envelopes, retries and rate limits run as in production.
        //!
        //! ```ignore
        //! let mock = mock::mock().with_rule(mock::query_partner_credit().respond(response).build());
        //! let client = mock::client(&mock);
        //! ```

        use std::sync::Arc;

        use partnergen_runtime::mock::{MockTransport, RuleBuilder};
        pub use partnergen_runtime::mock::{Call, Reply, Rule};

        use crate::actions::Action;
        use crate::models;
        use crate::{Client, Credentials};

        /// The fake transport of this service.
        pub type Mock = MockTransport<Action>;

        /// A mock whose actions without a rule answer their default response.
        pub fn mock() -> Mock {
            MockTransport::new(default_response)
        }

        /// A client over `mock` (test credentials; the client's QPS limits and retries as
        /// configured by default).
        pub fn client(mock: &Mock) -> Client {
            builder(mock).build().expect("a mock client builds")
        }

        /// A client builder over `mock`, to configure retries or rate limits first.
        pub fn builder(mock: &Mock) -> crate::ClientBuilder {
            Client::builder()
                .credentials(Credentials::new("AKIDmock", "mock-secret-key"))
                .transport(Arc::new(mock.clone()))
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
