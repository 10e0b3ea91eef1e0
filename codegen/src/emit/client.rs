//! The typed async client of a generated crate (feature `client`): for Tencent one method
//! per action of the API definition, for Huawei one per typed operation; each a single
//! call into the runtime's engine.

use proc_macro2::TokenStream;
use quote::quote;

use super::paging::{huawei_paged, pages_methods, tencent_paged};
use super::tables::variant;
use super::{doc, ident, prose};
use crate::names::{method_name, type_stem};
use crate::spec::{HttpMethod, HuaweiSpec, TencentSpec};

/// `src/client.rs`.
pub(crate) fn tencent_client(spec: &TencentSpec) -> TokenStream {
    let actions = spec.api_actions();
    let methods = actions.iter().map(|a| {
        let method = ident(&method_name(&a.name, a.rust_name.as_deref()));
        let variant = variant(&a.name, a.rust_name.as_deref());
        let request = ident(a.request.as_deref().expect("validated: API actions have types"));
        let response = ident(a.response.as_deref().expect("validated: API actions have types"));
        let retry = match a.cam_class {
            Some(class) if class.is_read_only() => "Transient failures are retried (a read-only action).",
            _ => "Not retried unless the client's options allow it (not a read-only action).",
        };
        let method_doc = doc(&format!("`{}`: {}.\n\n{retry}", a.name, prose(a.title.trim_end_matches('.'))));
        quote! {
            #method_doc
            pub async fn #method(&self, request: &models::#request) -> Result<models::#response, Error> {
                self.engine.call(Action::#variant, request, &self.options).await
            }
        }
    });
    let pages = pages_methods(&tencent_paged(spec), true);
    let (client_struct, client_options) = client_common(
        "Action",
        "Tencent",
        "A client of the service. Cheap to clone: clones share connections, credentials\nand the per-action QPS budgets.",
        "a write",
    );
    quote! {
        //! The async client: one method per action of the API definition. Signing, QPS
        //! limits, retries and error decoding are the runtime's (its client engine,
        //! `partnergen_runtime::client`, running Tencent's protocol).

        use partnergen_runtime::client::{Builder, CallOptions, Engine, FromEngine, Pages};
        use partnergen_runtime::error::Error;
        use partnergen_runtime::tencent::Tencent;
        use partnergen_runtime::JsonValue;

        use crate::actions::Action;
        use crate::models;

        /// Builds a [`Client`]: credentials, region, endpoint, timeouts, language, retry
        /// policy and per-action QPS limits.
        pub type ClientBuilder = Builder<Action, Tencent, Client>;

        #client_struct

        impl Client {
            /// A builder for the service's default endpoint.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new(crate::SERVICE, crate::API_VERSION, crate::ENDPOINT)
            }

            #client_options

            /// Calls any action by its wire name with a JSON request; returns the JSON
            /// `Response` object.
            pub async fn call_json(&self, action: &str, request: &JsonValue) -> Result<JsonValue, Error> {
                self.engine.call_json(action, request, &self.options).await
            }

            #(#methods)*

            #(#pages)*
        }
    }
}

/// What both providers' clients have: the `Client` struct over the runtime's engine of
/// `table` with its `FromEngine` impl, and its `with_options` and `engine` methods.
fn client_common(
    table: &str,
    protocol: &str,
    struct_doc: &str,
    retry_example: &str,
) -> (TokenStream, TokenStream) {
    let table = ident(table);
    let protocol = ident(protocol);
    let struct_doc = doc(struct_doc);
    let options_doc = doc(&format!(
        "The same client with other per-call options, e.g. to allow retrying {retry_example}."
    ));
    let client_struct = quote! {
        #struct_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            engine: Engine<#table, #protocol>,
            options: CallOptions,
        }

        #[doc(hidden)]
        impl FromEngine<#table, #protocol> for Client {
            fn from_engine(engine: Engine<#table, #protocol>) -> Self {
                Client { engine, options: CallOptions::default() }
            }
        }
    };
    let client_options = quote! {
        #options_doc
        pub fn with_options(&self, options: CallOptions) -> Self {
            Client { engine: self.engine.clone(), options }
        }

        /// The engine underneath, shared by every clone.
        #[doc(hidden)]
        pub fn engine(&self) -> &Engine<#table, #protocol> {
            &self.engine
        }
    };
    (client_struct, client_options)
}

/// `src/client.rs` of a Huawei crate.
pub(crate) fn huawei_client(spec: &HuaweiSpec) -> TokenStream {
    let methods = spec.typed_operations().into_iter().map(|o| {
        let method = ident(&method_name(&o.name, o.rust_name.as_deref()));
        let request = ident(&format!(
            "{}Request",
            type_stem(&o.name, o.rust_name.as_deref())
        ));
        let response = ident(o.response.as_deref().expect("filtered: typed operations"));
        let retry = if o.method == HttpMethod::Get {
            "Transient failures are retried (a GET)."
        } else {
            "Not retried unless the client's options allow it (not a GET)."
        };
        let method_doc = doc(&format!(
            "`{}`: {} (`{} {}`).\n\n{retry}",
            o.name,
            prose(o.description.trim_end_matches('.')),
            o.method,
            o.path
        ));
        quote! {
            #method_doc
            pub async fn #method(&self, request: &models::#request) -> Result<models::#response, Error> {
                self.engine.call(request, &self.options).await
            }
        }
    });
    let pages = pages_methods(&huawei_paged(spec), false);
    let (client_struct, client_options) = client_common(
        "Operation",
        "Huawei",
        "A client of the service. Cheap to clone: clones share connections and\ncredentials.",
        "a POST",
    );
    quote! {
        //! The async client: one method per typed operation. Signing, retries and error
        //! decoding are the runtime's (its client engine, `partnergen_runtime::client`,
        //! running Huawei's protocol).

        use partnergen_runtime::client::{Builder, CallOptions, Engine, FromEngine, Pages};
        use partnergen_runtime::error::Error;
        pub use partnergen_runtime::huawei::RequestParts;
        use partnergen_runtime::huawei::Huawei;
        use partnergen_runtime::JsonValue;

        use crate::models;
        use crate::operations::Operation;

        /// Builds a [`Client`]: credentials, account (domain) ID, endpoint, timeouts, retry
        /// policy.
        pub type ClientBuilder = Builder<Operation, Huawei, Client>;

        #client_struct

        impl Client {
            /// A builder for the service's default endpoint.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new(crate::SERVICE, crate::ENDPOINT)
            }

            #client_options

            /// Calls any operation by name: `parts` fills the path's placeholders and gives
            /// the query and header parameters, `body` is the JSON body; returns the JSON
            /// body of the answer.
            pub async fn call_json(
                &self,
                operation: &str,
                parts: &RequestParts,
                body: Option<&JsonValue>,
            ) -> Result<JsonValue, Error> {
                self.engine.call_json(operation, parts, body, &self.options).await
            }

            #(#methods)*

            #(#pages)*
        }
    }
}
