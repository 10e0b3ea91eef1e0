//! The typed async client of a Tencent crate (feature `client`): one method per action of
//! the API definition, each a single call into the runtime's engine.

use proc_macro2::TokenStream;
use quote::quote;

use super::tables::variant;
use super::{doc, ident};
use crate::names::method_name;
use crate::spec::TencentSpec;

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
        let method_doc = doc(&format!("`{}`: {}.\n\n{retry}", a.name, a.title.trim_end_matches('.')));
        quote! {
            #method_doc
            pub async fn #method(&self, request: &models::#request) -> Result<models::#response, Error> {
                self.engine.call(Action::#variant, request, &self.options).await
            }
        }
    });
    quote! {
        //! The async client: one method per action of the API definition. Signing, QPS
        //! limits, retries and error decoding are the runtime's (`partnergen_runtime::client`).

        use partnergen_runtime::client::{Builder, CallOptions, Engine, FromEngine};
        use partnergen_runtime::error::Error;
        use partnergen_runtime::JsonValue;

        use crate::actions::Action;
        use crate::models;

        /// Builds a [`Client`]: credentials, region, endpoint, timeouts, language, retry
        /// policy and per-action QPS limits.
        pub type ClientBuilder = Builder<Action, Client>;

        /// A client of the service. Cheap to clone: clones share connections, credentials
        /// and the per-action QPS budgets.
        #[derive(Debug, Clone)]
        pub struct Client {
            engine: Engine<Action>,
            options: CallOptions,
        }

        impl FromEngine<Action> for Client {
            fn from_engine(engine: Engine<Action>) -> Self {
                Client { engine, options: CallOptions::default() }
            }
        }

        impl Client {
            /// A builder for the service's default endpoint.
            pub fn builder() -> ClientBuilder {
                Builder::new(crate::SERVICE, crate::API_VERSION, crate::ENDPOINT)
            }

            /// The same client with other per-call options, e.g. to allow retrying a write.
            pub fn with_options(&self, options: CallOptions) -> Self {
                Client { engine: self.engine.clone(), options }
            }

            /// The engine underneath, shared by every clone.
            pub fn engine(&self) -> &Engine<Action> {
                &self.engine
            }

            /// Calls any action by its wire name with a JSON request; returns the JSON
            /// `Response` object.
            pub async fn call_json(&self, action: &str, request: &JsonValue) -> Result<JsonValue, Error> {
                self.engine.call_json(action, request, &self.options).await
            }

            #(#methods)*
        }
    }
}
