//! A whole generated crate: `Cargo.toml`, `README.md` (the crate docs, with the permission
//! table), `src/lib.rs`, the table module, the models, and a test module that every
//! vendor example decodes.

use std::path::PathBuf;

use quote::quote;

use super::client::{huawei_client, tencent_client};
use super::mock::{huawei_mock, mock_server_main, tencent_mock};
use super::models::{
    huawei_models_module, huawei_requests, models_module, request_example, tencent_requests,
    RequestExample,
};
use super::paging::{huawei_paged, paging_module, tencent_paged, PagedAction};
use super::tables::{huawei_operations, tencent_actions, tencent_service_errors};
use super::{doc, header, md_cell, prose, rust_file, rust_file_of_chunks, Files};
use crate::names::{method_name, snake, type_stem};
use crate::spec::{FieldDef, HuaweiOperation, HuaweiSpec, Spec, TencentSpec, TypeDef};

/// The project's license text, which every generated crate carries.
const LICENSE: &str = include_str!("../../../LICENSE");

/// The package name of the crate generated from `spec`, e.g. `tencentcloud-intlpartnersmgt`.
pub fn crate_name(spec: &Spec) -> String {
    let service = spec.service();
    format!("{}-{}", service.provider.as_str(), service.name)
}

pub(crate) fn emit_crate(spec_label: &str, spec: &Spec, version: &str) -> Files {
    let name = crate_name(spec);
    let lib = name.replace('-', "_");
    let dir = PathBuf::from(&name);
    let mut files = Files::new();
    let mut add = |path: &str, text: String| {
        files.insert(dir.join(path), text);
    };
    let has_models = !types(spec).is_empty();
    add(
        "Cargo.toml",
        cargo_toml(spec_label, spec, &name, version, has_models),
    );
    // The license travels with the packaged crate (the repository's, word for word).
    add("LICENSE", LICENSE.to_owned());
    match spec {
        Spec::Tencent(tencent) => {
            add(
                "README.md",
                tencent_readme(spec_label, tencent, &name, has_models),
            );
            add(
                "src/actions.rs",
                rust_file(spec_label, tencent_actions(tencent)),
            );
            if !tencent.error_codes.is_empty() {
                add(
                    "src/service_errors.rs",
                    rust_file(spec_label, tencent_service_errors(tencent)),
                );
            }
            if has_models {
                let requests = tencent.actions.iter().filter_map(|a| a.request.as_deref());
                let responses = tencent.actions.iter().filter_map(|a| a.response.as_deref());
                add(
                    "src/models.rs",
                    rust_file_of_chunks(
                        spec_label,
                        models_module(&lib, &tencent.types, requests, responses),
                    ),
                );
                add(
                    "src/paging.rs",
                    rust_file(spec_label, paging_module("Action", &tencent_paged(tencent))),
                );
                add("src/examples.rs", examples_test(spec_label, tencent));
                add(
                    "src/client.rs",
                    rust_file(spec_label, tencent_client(tencent)),
                );
                add(
                    "src/mock.rs",
                    rust_file(spec_label, tencent_mock(&lib, tencent)),
                );
                add(
                    "src/bin/mock-server.rs",
                    rust_file(spec_label, mock_server_main(&name, false)),
                );
                add(
                    "src/bin/policy.rs",
                    rust_file(spec_label, policy_main(&name)),
                );
            }
        }
        Spec::Huawei(huawei) => {
            add("README.md", huawei_readme(spec_label, huawei, &name));
            add(
                "src/operations.rs",
                rust_file(spec_label, huawei_operations(huawei)),
            );
            if has_models {
                add(
                    "src/models.rs",
                    rust_file_of_chunks(spec_label, huawei_models_module(&lib, huawei)),
                );
                add(
                    "src/paging.rs",
                    rust_file(
                        spec_label,
                        paging_module("Operation", &huawei_paged(huawei)),
                    ),
                );
                add(
                    "src/client.rs",
                    rust_file(spec_label, huawei_client(huawei)),
                );
                add("src/mock.rs", rust_file(spec_label, huawei_mock(huawei)));
                add(
                    "src/bin/mock-server.rs",
                    rust_file(spec_label, mock_server_main(&name, true)),
                );
            }
        }
    }
    let example = front_page_example(&lib, spec);
    add(
        "src/lib.rs",
        lib_rs(spec_label, spec, has_models, example.is_some()),
    );
    if let Some(example) = example {
        add(
            "src/example.md",
            format!("{}{example}\n", header("<!--", spec_label)),
        );
    }
    files
}

/// The crate page's list of paged actions: each one's paginator method and facts (feature
/// `client`); empty for a crate without one.
fn paged_section(paged: &[PagedAction<'_>], noun: &str) -> String {
    if paged.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "## Paged {noun}\n\n\
         {} {noun} page; with the `client` feature each has a paginator, \
         `client.<method>_pages(request)`: a stream of pages (`.items()`: of items) that \
         sets the position and size of every page's request, ends after the last page \
         (the total, else an empty or short page) and can resume from a saved \
         `Position`.\n\n\
         | {title} | Paginator | Position, size | Items | Total | Page size (max) |\n\
         |---|---|---|---|---|---|\n",
        paged.len(),
        title = if noun == "operations" {
            "Operation"
        } else {
            "Action"
        },
    );
    for p in paged {
        let f = p.pagination;
        let position = match (f.style, f.first_page) {
            (crate::spec::PagingStyle::PageNumber, Some(first)) => {
                format!("page `{}` from {first}", f.position)
            }
            _ => format!("offset `{}`", f.position),
        };
        let place = f.location.map(|l| format!(" ({l})")).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | `{}_pages` | {position}, `{}`{place} | `{}` | {} | {} ({}) |\n",
            p.name,
            p.method,
            f.size,
            f.items,
            f.total
                .as_deref()
                .map_or_else(|| "-".to_owned(), |t| format!("`{t}`")),
            f.page_size,
            f.max_page_size
                .map_or_else(|| "not documented".to_owned(), |m| m.to_string()),
        ));
    }
    out.push('\n');
    out
}

/// The name of the mock server binary of the crate generated from `spec`, e.g.
/// `intlpartnersmgt-mock-server`; `None` for a crate without models (and so without
/// mocks).
pub fn mock_server_bin(spec: &Spec) -> Option<String> {
    (!types(spec).is_empty()).then(|| format!("{}-mock-server", spec.service().name))
}

/// The name of the CAM policy program of the crate generated from `spec`, e.g.
/// `intlpartnersmgt-policy` (what `cargo xtask policy` runs); `None` for a crate without
/// the `policy` feature (Huawei, or Tencent without models).
pub fn policy_bin(spec: &Spec) -> Option<String> {
    (matches!(spec, Spec::Tencent(_)) && !types(spec).is_empty())
        .then(|| format!("{}-policy", spec.service().name))
}

/// `src/bin/policy.rs`: the policy library's program over this crate's action table.
fn policy_main(crate_name: &str) -> proc_macro2::TokenStream {
    let krate = quote::format_ident!("{}", crate_name.replace('-', "_"));
    // Short lines: `cargo fmt` reaches this file, so rustfmt and prettyplease must print
    // it alike.
    quote! {
        //! The CAM policy library as a program: `--help` for its commands.

        use partnergen_runtime::policy::cli;
        use #krate::{Action, CATEGORIES, SERVICE};

        fn main() -> std::process::ExitCode {
            let service = cli::Service {
                name: SERVICE,
                categories: CATEGORIES,
            };
            cli::main::<Action>(service)
        }
    }
}

fn types(spec: &Spec) -> &std::collections::BTreeMap<String, TypeDef> {
    match spec {
        Spec::Tencent(s) => &s.types,
        Spec::Huawei(s) => &s.types,
    }
}

fn cargo_toml(
    spec_label: &str,
    spec: &Spec,
    name: &str,
    version: &str,
    has_models: bool,
) -> String {
    let service = spec.service();
    let description = format!(
        "Permission tables{} of {} (`{}` {}), generated from the vendor's docs.",
        if has_models { " and typed models" } else { "" },
        service.title,
        service.name,
        service.api_version
    );
    let features = if has_models && matches!(spec, Spec::Huawei(_)) {
        r#"
[features]
default = []
# serde for the models in the directions a client needs: requests serialize, responses
# deserialize (integers that arrive as numeric strings decode).
serde = ["dep:serde", "partnergen-runtime/serde"]
# The async client: SDK-HMAC-SHA256 signing, retries, typed errors (reqwest, tokio).
client = ["serde", "partnergen-runtime/client"]
# The mocks: the in-process fake transport (typed rules under the real client) and the
# protocol-level mock server with its binary; and the reverse serde directions.
mock = ["client", "partnergen-runtime/mock"]
"#
    } else if has_models {
        r#"
[features]
default = []
# serde for the models in the directions a client needs: requests serialize, responses
# deserialize (integers that arrive as numeric strings decode).
serde = ["dep:serde", "partnergen-runtime/serde"]
# The async client: TC3 signing, QPS limits, retries (reqwest, tokio, governor).
client = ["serde", "partnergen-runtime/client"]
# QPS limits shared by a fleet through Redis (`RedisBudget`, given to the builder's
# `shared_rate_limits`); adds the redis client.
redis = ["client", "partnergen-runtime/redis"]
# The mocks: the in-process fake transport (typed rules under the real client) and the
# protocol-level mock server with its binary (it evaluates CAM policies); and the reverse
# serde directions.
mock = ["client", "policy", "partnergen-runtime/mock"]
# CAM policies from the permission table: builder, linter, evaluator.
policy = ["partnergen-runtime/policy"]
# The policy library as a program (`cargo xtask policy` runs it; clap).
policy-cli = ["policy", "partnergen-runtime/policy-cli"]
"#
    } else {
        ""
    };
    let serde = if has_models {
        "serde = { version = \"1\", features = [\"derive\"], optional = true }\n"
    } else {
        ""
    };
    // The front page's example runs a client over the mock: a runtime for the doc test;
    // the Tencent crate's example tests also read JSON.
    let dev = match spec {
        Spec::Tencent(_) if has_models => {
            "\n[dev-dependencies]\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n"
        }
        Spec::Huawei(_) if has_models => {
            "\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n"
        }
        _ => "",
    };
    let mut bin = mock_server_bin(spec)
        .map(|bin| {
            format!("\n[[bin]]\nname = \"{bin}\"\npath = \"src/bin/mock-server.rs\"\nrequired-features = [\"mock\"]\n")
        })
        .unwrap_or_default();
    if let Some(policy) = policy_bin(spec) {
        bin.push_str(&format!("\n[[bin]]\nname = \"{policy}\"\npath = \"src/bin/policy.rs\"\nrequired-features = [\"policy-cli\"]\n"));
    }
    format!(
        r#"{header}[package]
name = "{name}"
version = "{version}"
edition = "2021"
rust-version = "1.85"
license = "Apache-2.0"
description = "{description}"
repository = "{repository}"
documentation = "https://docs.rs/{name}"
readme = "README.md"
keywords = [{keywords}]
categories = ["api-bindings", "web-programming::http-client", "development-tools::testing"]
# The code, its crate page, changelog and license: nothing else. Not src/examples.rs, the
# vendor's example documents word for word (a test module; the library builds without it).
include = ["/src/**", "!/src/examples.rs", "/README.md", "/CHANGELOG.md", "/LICENSE"]
{features}{bin}
[package.metadata.docs.rs]
all-features = true
rustdoc-args = ["--cfg", "docsrs"]

[dependencies]
# Only this vendor's part of the runtime.
partnergen-runtime = {{ path = "../../runtime", version = "{runtime}", features = ["{vendor}"] }}
{serde}{dev}"#,
        header = header("#", spec_label),
        runtime = partnergen_runtime::VERSION,
        repository = env!("CARGO_PKG_REPOSITORY"),
        keywords = keywords(spec)
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", "),
        vendor = match spec {
            Spec::Tencent(_) => "tencent",
            Spec::Huawei(_) => "huawei",
        },
        description = toml_basic_string_body(&description),
    )
}

/// The crate's keywords on crates.io (at most five): the cloud, the service's name where it
/// makes a valid keyword (ASCII letters, digits, `-`, `_`, a letter first, at most 20
/// characters; a spec's name might not), and what the crate is.
fn keywords(spec: &Spec) -> Vec<String> {
    let service = spec.service();
    let cloud = match spec {
        Spec::Tencent(_) => "tencent-cloud",
        Spec::Huawei(_) => "huawei-cloud",
    };
    let mut keywords = vec![cloud.to_owned()];
    let name = service.name.to_ascii_lowercase();
    let valid = name.len() <= 20
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid && !keywords.contains(&name) {
        keywords.push(name);
    }
    keywords.extend(["partner", "sdk", "api"].map(str::to_owned));
    keywords
}

/// `text` escaped for a TOML basic string (`"..."`): a backslash, a quote or a control
/// character from a spec must not end the string or make the manifest invalid, which
/// would stop cargo from reading the whole workspace.
fn toml_basic_string_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn lib_rs(spec_label: &str, spec: &Spec, has_models: bool, has_example: bool) -> String {
    let service = spec.service();
    let (service_name, version, endpoint) =
        (&service.name, &service.api_version, &service.endpoint);
    // Generated modules are printed by prettyplease, not rustfmt: `cargo fmt` must leave
    // them alone or the drift check would flag its reformatting.
    let models = has_models.then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod models;
            #[rustfmt::skip]
            mod paging;
            /// Paged actions: each one's request implements [`Paged`]; a scan's resume
            /// point is a [`Position`].
            pub use partnergen_runtime::paging::{Paged, Position};
        }
    });
    // Both providers' crates: the client and the mocks behind their features.
    let vendor = quote::format_ident!(
        "{}",
        match spec {
            Spec::Tencent(_) => "tencent",
            Spec::Huawei(_) => "huawei",
        }
    );
    let client_and_mocks = quote! {
        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client;
        #[cfg(feature = "client")]
        pub use client::{Client, ClientBuilder};
        #[cfg(feature = "client")]
        pub use partnergen_runtime::client::{BuildError, CallOptions, Items, Pages, RetryPolicy};
        #[cfg(feature = "client")]
        pub use partnergen_runtime::credentials::Credentials;
        #[cfg(feature = "client")]
        pub use partnergen_runtime::error::{ApiError, AuthFailure, Error, ErrorKind};
        /// Credentials providers (the vendor SDK's sources, its default chain) and the
        /// cache a client keeps them in.
        #[cfg(feature = "client")]
        pub use partnergen_runtime::#vendor::credentials;

        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;
    };
    let examples = (has_models && matches!(spec, Spec::Tencent(_))).then(|| {
        quote! {
            #[cfg(all(test, feature = "serde"))]
            #[rustfmt::skip]
            mod examples;

            #client_and_mocks
            /// QPS limits shared beyond one client: the builder's `shared_rate_limits`.
            #[cfg(feature = "client")]
            pub use partnergen_runtime::client::{BudgetError, BudgetKey, SharedBudget};
            /// QPS limits shared by a fleet through Redis.
            #[cfg(feature = "redis")]
            pub use partnergen_runtime::client::{BudgetStatus, OnUnavailable, RedisBudget};

            /// CAM policies for this service (feature `policy`): use the builder, linter and
            /// evaluator with [`Action`] and [`SERVICE`].
            #[cfg(feature = "policy")]
            pub use partnergen_runtime::policy;
        }
    });
    let huawei_client = (has_models && matches!(spec, Spec::Huawei(_))).then_some(client_and_mocks);
    let service_errors = match spec {
        Spec::Tencent(tencent) if !tencent.error_codes.is_empty() => Some(quote! {
            #[rustfmt::skip]
            pub mod service_errors;
            pub use service_errors::ServiceError;
        }),
        _ => None,
    };
    let table = match spec {
        Spec::Tencent(_) => quote! {
            #[rustfmt::skip]
            pub mod actions;
            pub use actions::{Action, CATEGORIES};
            pub use partnergen_runtime::tables::{ActionInfo, ActionTable, Qps, UnknownName};
            pub use partnergen_runtime::{CamClass, Granularity};
            #service_errors
        },
        Spec::Huawei(_) => quote! {
            #[rustfmt::skip]
            pub mod operations;
            pub use operations::Operation;
            pub use partnergen_runtime::tables::{Access, OperationInfo, OperationTable, UnknownName};
            pub use partnergen_runtime::HttpMethod;
        },
    };
    // The crate page's example (`src/example.md`) is part of the docs only where it can
    // run: with both features (as on docs.rs), so no feature set reports a doc test that
    // ran nothing.
    let front_page = has_example.then(|| {
        quote! { #![cfg_attr(all(feature = "client", feature = "mock"), doc = include_str!("example.md"))] }
    });
    let service_doc = doc(&format!("The service's short name, `{service_name}`."));
    let version_doc = doc(&format!("The API version, `{version}`."));
    let endpoint_doc = doc(&format!("The default endpoint host, `{endpoint}`."));
    // `doc_cfg` under `docsrs`: docs.rs (and `RUSTDOCFLAGS="--cfg docsrs" cargo +nightly
    // doc`) marks every item with the features it needs; stable builds ignore it.
    rust_file(
        spec_label,
        quote! {
            #![doc = include_str!("../README.md")]
            #front_page
            #![forbid(unsafe_code)]
            #![warn(missing_docs)]
            #![cfg_attr(docsrs, feature(doc_cfg))]

            #table
            #models
            #examples
            #huawei_client

            #service_doc
            pub const SERVICE: &str = #service_name;
            #version_doc
            pub const API_VERSION: &str = #version;
            #endpoint_doc
            pub const ENDPOINT: &str = #endpoint;
        },
    )
}

/// The crate page's example, a doc test of the `client` and `mock` features: build
/// a client, call an action with a request built by name, tell a typed error apart, and
/// the same code under the in-process mock. `None` for a crate without models.
fn front_page_example(lib: &str, spec: &Spec) -> Option<String> {
    let (example, method) = example_call(spec, false)?;
    let (setup, code) = match spec {
        Spec::Tencent(_) => (
            "// Without `.credentials(..)`, the official SDK's chain: the environment, the\n\
             // profile file, the CVM role, TKE OIDC (temporary keys refreshed ahead of\n\
             // expiry); the default endpoint; retries and QPS limits from the table.\n\
             let client = Client::builder()\n    \
             .credentials(Credentials::new(\"AKID...\", \"secret key\"))\n    \
             .build()?;",
            "InvalidParameterValue",
        ),
        Spec::Huawei(_) => (
            "// Without `.credentials(..)`, the official SDK's chain: the environment, the\n\
             // profile file, the ECS agency's temporary keys; the account (domain) ID,\n\
             // which fills `{domain_id}` in paths (looked up when not given).\n\
             let client = Client::builder()\n    \
             .credentials(Credentials::new(\"AK...\", \"SK...\"))\n    \
             .domain_id(\"your-account-id\")\n    \
             .build()?;",
            "CBC.0101",
        ),
    };
    let build = example.build.join("\n");
    let imports = example.imports(lib);
    let paging = paging_example(lib, spec).unwrap_or_default();
    Some(format!(
        "# Example\n\n\
         A client, a call with a request built by name, a typed error, and the same code\n\
         over the in-process mock (features `client` and `mock`):\n\n\
         ```rust\n\
         # #[tokio::main(flavor = \"current_thread\")]\n\
         # async fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
         {imports}\n\
         use {lib}::{{mock, Client, Credentials, ErrorKind}};\n\n\
         {setup}\n\
         # drop(client);\n\n\
         // In tests: the same client over the in-process mock, with a typed rule per call.\n\
         let mock = mock::mock().with_rule(\n    \
         mock::{method}().error(\"{code}\", \"rejected by the rule\").build(),\n\
         );\n\
         let client = mock::client(&mock);\n\n\
         {build}\n\
         let outcome = match client.{method}(&request).await {{\n    \
         Ok(_response) => \"done\",\n    \
         // Typed errors: the kind of the vendor's code; `err.api()` has the code itself,\n    \
         // the message, the request ID and the HTTP status.\n    \
         Err(err) if err.kind() == Some(ErrorKind::InvalidParameterValue) => \"rejected\",\n    \
         Err(err) => return Err(err.into()),\n\
         }};\n\
         assert_eq!(outcome, \"rejected\");\n\
         # Ok(())\n\
         # }}\n\
         ```{paging}"
    ))
}

/// The request a doc example builds and the client method it calls: the most telling
/// request (see [`request_example`]) of the actions with typed models, or with
/// `paged_only` of the paged ones; `None` when none has a request an example can build.
fn example_call(spec: &Spec, paged_only: bool) -> Option<(RequestExample, String)> {
    match spec {
        Spec::Tencent(tencent) => {
            let requests: Vec<(&str, &[FieldDef])> = tencent_requests(tencent)
                .into_iter()
                .filter(|(name, _)| {
                    !paged_only
                        || tencent
                            .actions
                            .iter()
                            .any(|a| a.pagination.is_some() && a.request.as_deref() == Some(*name))
                })
                .collect();
            let example = request_example(&requests)?;
            let action = tencent
                .actions
                .iter()
                .find(|a| a.request.as_deref() == Some(example.name.as_str()))?;
            let method = method_name(&action.name, action.rust_name.as_deref());
            Some((example, method))
        }
        Spec::Huawei(huawei) => {
            let operations: Vec<(String, &HuaweiOperation)> = huawei
                .typed_operations()
                .into_iter()
                .filter(|o| !paged_only || o.pagination.is_some())
                .map(|o| {
                    (
                        format!("{}Request", type_stem(&o.name, o.rust_name.as_deref())),
                        o,
                    )
                })
                .collect();
            let requests = huawei_requests(huawei);
            let borrowed: Vec<(&str, &[FieldDef])> = requests
                .iter()
                .filter(|(name, _)| operations.iter().any(|(request, _)| request == name))
                .map(|(name, fields)| (name.as_str(), fields.as_slice()))
                .collect();
            let example = request_example(&borrowed)?;
            let (_, op) = operations
                .iter()
                .find(|(request, _)| *request == example.name)?;
            let method = method_name(&op.name, op.rust_name.as_deref());
            Some((example, method))
        }
    }
}

/// The front page's paging example: a paged action's items streamed over the in-process
/// mock (which pages the action's default list), and a scan resumed from a saved position.
/// `None` for a crate without a paged action whose request a doc example can build.
fn paging_example(lib: &str, spec: &Spec) -> Option<String> {
    let (example, method) = example_call(spec, true)?;
    let build = example.build.join("\n");
    let imports = example.imports(lib);
    Some(format!(
        "\n\n# Paging\n\n\
         A list action's items, page by page, and a scan resumed from a saved position\n\
         (the in-process mock pages the action's default list):\n\n\
         ```rust\n\
         # #[tokio::main(flavor = \"current_thread\")]\n\
         # async fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
         {imports}\n\
         use {lib}::{{mock, Position}};\n\n\
         let mock = mock::mock();\n\
         let client = mock::client(&mock);\n\
         {build}\n\n\
         // The paginator sets the position and page size of every page's request.\n\
         let mut items = client.{method}_pages(request.clone()).items();\n\
         let mut seen = 0;\n\
         while let Some(item) = items.next().await {{\n    \
         let _item = item?;\n    \
         seen += 1;\n\
         }}\n\
         // The scan has ended: nothing is left to resume.\n\
         assert!(items.position().is_none());\n\n\
         // Where a scan stands is a `Position`: saved as text, it resumes the scan in this\n\
         // process or another.\n\
         let saved = client.{method}_pages(request.clone()).position().unwrap().to_string();\n\
         let position: Position = saved.parse()?;\n\
         let again = client.{method}_pages(request).resume_from(position).items().try_collect().await?;\n\
         assert_eq!(again.len(), seen);\n\
         # Ok(())\n\
         # }}\n\
         ```"
    ))
}

fn features_section(has_models: bool) -> &'static str {
    if has_models {
        "## Features\n\n\
         - default: the permission tables and plain models; no serde, no HTTP, no async runtime.\n\
         - `serde`: serde for the models in a client's directions (requests serialize, \
         responses deserialize); integers that arrive as numeric strings decode.\n\
         - `client`: the async client (`Client`): TC3 signing, client-side QPS limits from the \
         permission table, retries for read-only actions; adds reqwest, tokio, governor.\n\
         - `redis`: the client's QPS limits shared by every process of a fleet through \
         Redis (`RedisBudget`, given to the builder's `shared_rate_limits`); adds the redis \
         client.\n\
         - `mock`: the in-process mock (`mock::mock()`, typed rules per action, default \
         responses) under the real client; the mock server (`mock::server()`, and a binary) \
         that speaks the wire protocol to any client; and the reverse serde directions.\n\
         - `policy`: CAM policies from the table: a least-privilege builder, a linter, an \
         evaluator (`policy::PolicyBuilder::<Action>::new(SERVICE)`, `policy::lint`, \
         `policy::evaluate`).\n\
         - `policy-cli`: the same as a program (the `*-policy` binary that `cargo xtask \
         policy` runs: `build`, `lint`, `eval`); adds clap.\n\n"
    } else {
        "## Features\n\nNone: the crate is the permission table, with no dependency but the runtime's vocabulary.\n\n"
    }
}

fn huawei_features_section(has_models: bool) -> &'static str {
    if has_models {
        "## Features\n\n\
         - default: the permission table and plain models: a request struct per typed \
         operation (path, query and header parameters and the JSON body, with what a client \
         needs to send it: `models::RestRequest`), the body and response models; no \
         serde, no HTTP, no async runtime.\n\
         - `serde`: serde for the models in a client's directions (body models serialize, \
         responses deserialize); integers that arrive as numeric strings decode.\n\
         - `client`: the async client (`Client`, a method per typed operation): \
         SDK-HMAC-SHA256 signing, `X-Domain-Id`, typed errors (`error_code` and the \
         `X-Request-Id`), retries for GET operations; adds reqwest, tokio.\n\
         - `mock`: the in-process mock (`mock::mock()`, typed rules per operation matching \
         on the typed body, schema-built default responses) under the real client; the \
         mock server (`mock::server()`, and a binary) that speaks the REST protocol to any \
         client, AK/SK signatures and the operator's permission actions included; and the \
         reverse serde directions.\n\n"
    } else {
        features_section(false)
    }
}

fn tencent_readme(spec_label: &str, spec: &TencentSpec, name: &str, has_models: bool) -> String {
    let lib = snake(name);
    let service = &spec.service;
    let mut out = header("<!--", spec_label);
    out.push_str(&format!(
        "# {name}\n\nThe permission table{} of {} (Tencent Cloud `{}`, API version {}), generated \
         from the vendor's docs by partnergen.\n\n",
        if has_models { " and typed models" } else { "" },
        prose(&service.title),
        service.name,
        service.api_version
    ));
    out.push_str(features_section(has_models));
    // The example uses the first action with a documented limit and a CAM class, so it
    // holds for any spec (and runs as a doc test).
    let mut sorted: Vec<_> = spec.actions.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some((action, qps, class)) = sorted.iter().find_map(|a| Some((a, a.qps?, a.cam_class?)))
    {
        let variant = crate::names::upper_camel(class.as_str());
        let same_class = spec
            .actions
            .iter()
            .filter(|a| a.cam_class == Some(class))
            .count();
        out.push_str(&format!(
            "## Example\n\n```rust\nuse {lib}::{{Action, CamClass}};\n\n\
             let action: Action = \"{}\".parse().unwrap();\n\
             assert_eq!(action.info().cam_class, Some(CamClass::{variant}));\n\
             assert_eq!(action.info().qps.get(), {qps});\n\
             assert_eq!(Action::with_cam_class(CamClass::{variant}).count(), {same_class});\n```\n\n",
            action.name
        ));
    }
    out.push_str(&paged_section(&tencent_paged(spec), "actions"));
    out.push_str("## Sources\n\n");
    for source in &service.sources {
        let stamp = source
            .last_updated
            .as_deref()
            .map(|d| format!(", last updated {d}"))
            .unwrap_or_default();
        let version = source
            .version
            .as_deref()
            .map(|v| format!(", version {v}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "- `{}` ({:?}{stamp}{version})\n",
            source.file, source.kind
        ));
    }
    let default = service.default_qps.as_ref().map_or(0, |d| d.value);
    out.push_str(&format!(
        "\n## Permission table\n\nQPS marked *assumed* is the service default ({default}), not a documented limit.\n\n\
         | Action | Title | Category | CAM class | Granularity | Resource | IP restriction | QPS |\n\
         |---|---|---|---|---|---|---|---|\n"
    ));
    let mut actions: Vec<_> = spec.actions.iter().collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    for a in actions {
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        let qps = a
            .qps
            .map_or_else(|| format!("{default} *assumed*"), |q| q.to_string());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            a.name,
            md_cell(&prose(&a.title)),
            md_cell(&or_dash(a.category.clone())),
            or_dash(a.cam_class.map(|c| c.to_string())),
            or_dash(a.granularity.map(|g| g.to_string())),
            or_dash(a.resource.as_ref().map(|r| format!("`{r}`"))),
            or_dash(
                a.ip_restriction
                    .map(|ip| if ip { "yes" } else { "no" }.to_string())
            ),
            qps
        ));
    }
    out
}

fn huawei_readme(spec_label: &str, spec: &HuaweiSpec, name: &str) -> String {
    let lib = snake(name);
    let service = &spec.service;
    let mut out = header("<!--", spec_label);
    out.push_str(&format!(
        "# {name}\n\nThe permission table of {} (API {}, `{}`), generated from the vendor's docs by \
         partnergen.\n\nHolding any one of an operation's permission actions grants access; operations \
         the page does not list need no fine-grained permission.\n\n",
        prose(&service.title), service.api_version, service.endpoint
    ));
    out.push_str(huawei_features_section(!spec.types.is_empty()));
    let example = spec
        .operations
        .iter()
        .find(|o| o.permissions.len() > 1)
        .unwrap_or(&spec.operations[0]);
    out.push_str(&format!(
        "## Example\n\n```rust\nuse {lib}::{{Access, Operation}};\n\n\
         let operation = Operation::from_name(\"{}\").unwrap();\n\
         assert_eq!(operation.info().path, \"{}\");\n\
         assert!(Operation::unlocked_by(\"{}\").contains(&operation));\n\
         // An operator account holding these permission actions (any one of an\n\
         // operation's is enough): what it may call, and what would unlock the rest.\n\
         let held = [\"{}\"];\n\
         assert_eq!(operation.access(&held), Access::Granted(\"{}\"));\n\
         let callable: Vec<Operation> = Operation::callable_with(&held).collect();\n\
         assert!(callable.contains(&operation));\n```\n\n",
        example.name,
        example.path,
        example.permissions[0],
        example.permissions[0],
        example.permissions[0]
    ));
    if let Some(example) = huawei_request_example(&lib, spec) {
        out.push_str(&example);
    }
    out.push_str(&paged_section(&huawei_paged(spec), "operations"));
    out.push_str(
        "## Permission table\n\n| Operation | Method | Path | Permissions (any of) | Scenario | Sub-scenario | Console path |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let mut operations: Vec<_> = spec.operations.iter().collect();
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    for o in operations {
        let permissions: Vec<String> = o.permissions.iter().map(|p| format!("`{p}`")).collect();
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} |\n",
            o.name,
            o.method,
            o.path,
            permissions.join(", "),
            md_cell(&o.scenario),
            md_cell(o.sub_scenario.as_deref().unwrap_or("-")),
            md_cell(o.console_path.as_deref().unwrap_or("-"))
        ));
    }
    out
}

/// A doc test that builds the request of the first typed operation (by name) with a path
/// parameter and primitive required parameters, and checks its path; `None` if no
/// operation fits.
fn huawei_request_example(lib: &str, spec: &HuaweiSpec) -> Option<String> {
    use crate::spec::{ParamLocation, Primitive, TypeRef};
    let op = spec.typed_operations().into_iter().find(|o| {
        o.params.iter().any(|p| p.location == ParamLocation::Path)
            && o.params
                .iter()
                .all(|p| !p.required || matches!(p.ty, TypeRef::Primitive(_)))
    })?;
    let stem = crate::names::type_stem(&op.name, op.rust_name.as_deref());
    let mut fields = Vec::new();
    let mut path = op.path.clone();
    // A parameter the client fills (the account ID) is not the request's: its placeholder
    // stays in the request's path.
    for (index, param) in op
        .params
        .iter()
        .filter(|p| p.required && !p.from_credentials)
        .enumerate()
    {
        let (value, text) = match (&param.ty, param.location) {
            (TypeRef::Primitive(Primitive::String), ParamLocation::Path) => {
                (format!("\"id/{index}\".into()"), format!("id%2F{index}"))
            }
            (TypeRef::Primitive(Primitive::String), _) => ("\"text\".into()".into(), "text".into()),
            (TypeRef::Primitive(Primitive::Float), _) => ("1.5".into(), "1.5".into()),
            (TypeRef::Primitive(Primitive::Bool), _) => ("true".into(), "true".into()),
            _ => ("1".into(), "1".into()),
        };
        if param.location == ParamLocation::Path {
            path = path.replace(&format!("{{{}}}", param.wire_name), &text);
        }
        let field = if crate::names::is_keyword(&param.name) {
            format!("r#{}", param.name)
        } else {
            param.name.clone()
        };
        fields.push(format!("    {field}: {value},\n"));
    }
    Some(format!(
        "Building a request, every field named (the path parameters are percent-encoded{client}):\n\n\
         ```rust\n\
         use {lib}::models::{{{imports}}};\n\
         use {lib}::Operation;\n\n\
         let request = {new};\n\
         assert_eq!({stem}Request::OPERATION, Operation::{stem});\n\
         assert_eq!(request.path(), \"{path}\");\n```\n\n",
        imports = if fields.is_empty() {
            format!("RestRequest, {stem}Request")
        } else {
            format!("RestRequest, {stem}Request, {stem}Required")
        },
        new = if fields.is_empty() {
            format!("{stem}Request::new()")
        } else {
            format!("{stem}Request::new({stem}Required {{\n{}}})", fields.concat())
        },
        client = if op.params.iter().any(|p| p.from_credentials) {
            "; the client fills `{domain_id}` from its account ID"
        } else {
            ""
        },
    ))
}

/// `src/examples.rs`: each valid vendor example response decodes into its model.
fn examples_test(spec_label: &str, spec: &TencentSpec) -> String {
    let tests = spec
        .actions
        .iter()
        .filter_map(|a| a.response.as_deref().map(|r| (a, r)))
        .flat_map(|(a, response)| {
            let response = super::ident(response);
            a.examples.iter().enumerate().map(move |(i, example)| {
                let test_name = super::ident(&format!("{}_example_{}", snake(&a.name), i + 1));
                let title = doc(&prose(&example.title));
                let json = &example.response;
                quote! {
                    #title
                    #[test]
                    fn #test_name() {
                        decode::<models::#response>(#json);
                    }
                }
            })
        });
    rust_file(
        spec_label,
        quote! {
            //! Every valid example response of the vendor's examples decodes into its model.
            use crate::models;

            /// Decodes the `Response` object of an API 3.0 response document.
            fn decode<T: serde::de::DeserializeOwned>(document: &str) {
                let value: serde_json::Value = serde_json::from_str(document).expect("the spec keeps valid JSON only");
                if let Err(err) = serde_json::from_value::<T>(value["Response"].clone()) {
                    panic!("the example does not decode into {}: {err}", std::any::type_name::<T>());
                }
            }

            #(#tests)*
        },
    )
}
