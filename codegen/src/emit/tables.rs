//! Permission tables: an enum of every action (or operation) indexing a static slice of
//! facts sorted by name. The lookups are the runtime's (`ActionTable`, `OperationTable`);
//! the inherent methods here are one-line forwards so users need no trait import.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{doc, ident, prose};
use crate::names::{error_code_variant, type_stem, upper_camel};
use crate::spec::{HuaweiOperation, HuaweiSpec, TencentAction, TencentSpec};

/// The enum variant of an action or operation (`ForceQN`): see [`type_stem`].
pub(crate) fn variant(name: &str, rust_name: Option<&str>) -> proc_macro2::Ident {
    ident(&type_stem(name, rust_name))
}

fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

fn opt_tokens<T>(value: Option<T>, f: impl Fn(T) -> TokenStream) -> TokenStream {
    match value {
        Some(v) => {
            let inner = f(v);
            quote!(Some(#inner))
        }
        None => quote!(None),
    }
}

/// The hidden variant of every generated table enum. Its field makes the enum no longer
/// fieldless, so another crate cannot cast a member to a number (`Action::X as usize`):
/// members are numbered by their place in name order, which a new member moves, and a
/// cast would make that order part of the API (cargo-semver-checks reads a renumbered
/// fieldless enum as a major change). `Infallible` makes it impossible to build, so
/// matches need no arm for it, and the enum stays one byte or two, `Copy`, `Ord`.
fn uncastable_variant() -> TokenStream {
    quote! {
        #[doc(hidden)]
        __Uncastable(std::convert::Infallible),
    }
}

/// The table index of each member (its place in `ALL`), as a match: `self as usize` no
/// longer compiles (see [`uncastable_variant`]).
fn index_fn<'a>(variants: impl Iterator<Item = &'a proc_macro2::Ident>) -> TokenStream {
    let arms = variants.enumerate().map(|(i, v)| {
        let i = Literal::usize_unsuffixed(i);
        quote!(Self::#v => #i,)
    });
    quote! {
        fn index(self) -> usize {
            match self {
                #(#arms)*
            }
        }
    }
}

/// The enum, its table impl and the forwards shared by both providers.
fn table_enum(
    enum_doc: &str,
    enum_name: &str,
    trait_name: &str,
    variants: &[(proc_macro2::Ident, String)],
    table_items: TokenStream,
) -> TokenStream {
    let enum_ident = ident(enum_name);
    let trait_ident = ident(trait_name);
    let enum_doc = doc(enum_doc);
    let declared = variants.iter().map(|(v, d)| {
        let d = doc(d);
        quote!(#d #v,)
    });
    let all = variants.iter().map(|(v, _)| v);
    let uncastable = uncastable_variant();
    let index = index_fn(variants.iter().map(|(v, _)| v));
    quote! {
        #enum_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #enum_ident {
            #(#declared)*
            #uncastable
        }

        impl #trait_ident for #enum_ident {
            const ALL: &'static [Self] = &[#(Self::#all),*];
            #table_items
            #index
        }

        impl #enum_ident {
            /// Every member, sorted by wire name.
            pub const fn all() -> &'static [Self] {
                <Self as #trait_ident>::ALL
            }

            /// The wire name.
            pub fn name(self) -> &'static str {
                #trait_ident::info(self).name
            }

            /// The member with this wire name (exact, case-sensitive); never allocates.
            pub fn from_name(name: &str) -> Option<Self> {
                <Self as #trait_ident>::from_name(name)
            }
        }

        impl std::fmt::Display for #enum_ident {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for #enum_ident {
            type Err = UnknownName;
            fn from_str(name: &str) -> Result<Self, UnknownName> {
                Self::from_name(name).ok_or(UnknownName)
            }
        }
    }
}

/// `src/actions.rs` of a Tencent crate.
pub(crate) fn tencent_actions(spec: &TencentSpec) -> TokenStream {
    let mut actions: Vec<&TencentAction> = spec.actions.iter().collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    let default_qps =
        Literal::u32_unsuffixed(spec.service.default_qps.as_ref().map_or(0, |d| d.value) as u32);
    let variants: Vec<_> = actions
        .iter()
        .map(|a| {
            (
                variant(&a.name, a.rust_name.as_deref()),
                format!("{}.", prose(a.title.trim_end_matches('.'))),
            )
        })
        .collect();
    let infos = actions.iter().map(|a| {
        let name = &a.name;
        let title = &a.title;
        let category = opt_str(a.category.as_deref());
        let cam_class = opt_tokens(a.cam_class, |c| {
            let v = ident(&upper_camel(c.as_str()));
            quote!(CamClass::#v)
        });
        let granularity = opt_tokens(a.granularity, |g| {
            let v = ident(&upper_camel(g.as_str()));
            quote!(Granularity::#v)
        });
        let resource = opt_str(a.resource.as_deref());
        let ip = opt_tokens(a.ip_restriction, |ip| quote!(#ip));
        let qps = match a.qps {
            Some(q) => {
                let q = Literal::u32_unsuffixed(q as u32);
                quote!(Qps::Documented(#q))
            }
            None => quote!(Qps::Assumed(#default_qps)),
        };
        let in_definition = a.in_api_definition;
        quote! {
            ActionInfo {
                name: #name,
                title: #title,
                category: #category,
                cam_class: #cam_class,
                granularity: #granularity,
                resource: #resource,
                ip_restriction: #ip,
                qps: #qps,
                in_api_definition: #in_definition,
            }
        }
    });
    let table_items = quote! {
        const INFO: &'static [ActionInfo] = &[#(#infos),*];
    };
    let enum_doc = format!(
        "Every action of {} (`{}`): the CAM page's and the API definition's, {} in all.",
        prose(&spec.service.title),
        spec.service.name,
        actions.len()
    );
    let table = table_enum(&enum_doc, "Action", "ActionTable", &variants, table_items);
    let categories = spec
        .category_tables
        .iter()
        .filter_map(|t| t.heading.as_deref());
    quote! {
        //! The permission table: every action with what the docs say about it.

        use partnergen_runtime::tables::{ActionInfo, ActionTable, Qps, UnknownName};
        use partnergen_runtime::{CamClass, Granularity};

        #table

        impl Action {
            /// What the docs say about the action.
            pub fn info(self) -> &'static ActionInfo {
                ActionTable::info(self)
            }

            /// The actions of one CAM class, in name order; never allocates.
            pub fn with_cam_class(class: CamClass) -> impl Iterator<Item = Self> {
                <Self as ActionTable>::with_cam_class(class)
            }

            /// The actions of one API category, in name order; never allocates.
            pub fn in_category(category: &str) -> impl Iterator<Item = Self> + '_ {
                <Self as ActionTable>::in_category(category)
            }
        }

        /// The API category page's groups, in page order.
        pub const CATEGORIES: &[&str] = &[#(#categories),*];
    }
}

/// `src/operations.rs` of a Huawei crate.
pub(crate) fn huawei_operations(spec: &HuaweiSpec) -> TokenStream {
    let mut operations: Vec<&HuaweiOperation> = spec.operations.iter().collect();
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let variants: Vec<_> = operations
        .iter()
        .map(|o| {
            (
                variant(&o.name, o.rust_name.as_deref()),
                format!("{} (`{} {}`).", prose(&o.description), o.method, o.path),
            )
        })
        .collect();
    let infos = operations.iter().map(|o| {
        let name = &o.name;
        let method = ident(&upper_camel(&o.method.as_str().to_lowercase()));
        let path = &o.path;
        let params = &o.path_params;
        let scenario = &o.scenario;
        let sub_scenario = opt_str(o.sub_scenario.as_deref());
        let description = &o.description;
        let permissions = &o.permissions;
        let console_path = opt_str(o.console_path.as_deref());
        quote! {
            OperationInfo {
                name: #name,
                method: HttpMethod::#method,
                path: #path,
                path_params: &[#(#params),*],
                scenario: #scenario,
                sub_scenario: #sub_scenario,
                description: #description,
                permissions: &[#(#permissions),*],
                console_path: #console_path,
            }
        }
    });
    let mut by_permission: BTreeMap<&str, Vec<&proc_macro2::Ident>> = BTreeMap::new();
    for (operation, (variant, _)) in operations.iter().zip(&variants) {
        for permission in &operation.permissions {
            by_permission.entry(permission).or_default().push(variant);
        }
    }
    let reverse = by_permission
        .iter()
        .map(|(permission, ops)| quote!((#permission, &[#(Self::#ops),*])));
    let unlisted = spec.permissions.unlisted_need_permission;
    let table_items = quote! {
        const INFO: &'static [OperationInfo] = &[#(#infos),*];
        const BY_PERMISSION: &'static [(&'static str, &'static [Self])] = &[#(#reverse),*];
        const UNLISTED_NEED_PERMISSION: bool = #unlisted;
    };
    let enum_doc = format!(
        "Every operation on {}'s API permission page, {} in all.",
        prose(&spec.service.title),
        operations.len()
    );
    let table = table_enum(
        &enum_doc,
        "Operation",
        "OperationTable",
        &variants,
        table_items,
    );
    quote! {
        //! The permission table: every operation with its route and the permission
        //! actions that unlock it (holding any one is enough).

        use partnergen_runtime::tables::{Access, OperationInfo, OperationTable, UnknownName};
        use partnergen_runtime::HttpMethod;

        #table

        impl Operation {
            /// What the docs say about the operation.
            pub fn info(self) -> &'static OperationInfo {
                OperationTable::info(self)
            }

            /// The operations that holding `permission` unlocks; never allocates.
            pub fn unlocked_by(permission: &str) -> &'static [Self] {
                <Self as OperationTable>::unlocked_by(permission)
            }

            /// Whether an account holding the permission actions `held` may call the
            /// operation (any one of its permissions is enough), and if not, which
            /// single permission would unlock it.
            pub fn access(self, held: &[&str]) -> Access {
                OperationTable::access(self, held)
            }

            /// The operations an account holding `held` may call, in name order.
            pub fn callable_with<'h>(held: &'h [&'h str]) -> impl Iterator<Item = Self> + 'h {
                <Self as OperationTable>::callable_with(held)
            }
        }
    }
}

/// `src/service_errors.rs` of a Tencent crate whose spec lists error codes: `ServiceError`,
/// one variant per code, over the runtime's [`ServiceCode`] lookups (the inherent methods
/// forward, so users need no trait import).
///
/// [`ServiceCode`]: partnergen_runtime::tables::ServiceCode
pub(crate) fn tencent_service_errors(spec: &TencentSpec) -> TokenStream {
    // Validation keeps them sorted by code, unique, and their variants distinct.
    let codes = &spec.error_codes;
    let variants: Vec<proc_macro2::Ident> = codes
        .iter()
        .map(|c| ident(&error_code_variant(&c.code)))
        .collect();
    let declared = codes.iter().zip(&variants).map(|(c, v)| {
        let text = if c.description.is_empty() {
            format!("`{}` (the SDK gives no description).", c.code)
        } else {
            format!("`{}`: {}", c.code, prose(&c.description))
        };
        let d = doc(&text);
        quote!(#d #v,)
    });
    let infos = codes.iter().map(|c| {
        let (code, description) = (&c.code, &c.description);
        quote!(ServiceCodeInfo { code: #code, description: #description })
    });
    let first = variants
        .iter()
        .zip(codes)
        .find(|(_, c)| c.code.contains('.'))
        .or(variants.iter().zip(codes).next())
        .map(|(v, _)| v.to_string())
        .unwrap_or_default();
    let enum_doc = doc(&format!(
        "The error codes of {} (`{}`), as its official SDK lists them, {} in all.\n\n\
         A failed call's code, matchable: `err.service_code() == Some(ServiceError::{first})` \
         (`Error::service_code`, feature `client`); a code outside the list gives `None`, and \
         `err.api()` still has its text. The mocks answer with one: \
         `mock::some_action().fail_with_code(ServiceError::{first})`.",
        prose(&spec.service.title),
        spec.service.name,
        codes.len()
    ));
    let uncastable = uncastable_variant();
    let index = index_fn(variants.iter());
    quote! {
        //! The service's own error codes.

        use partnergen_runtime::tables::{ServiceCode, ServiceCodeInfo, UnknownName};

        #enum_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ServiceError {
            #(#declared)*
            #uncastable
        }

        impl ServiceCode for ServiceError {
            const ALL: &'static [Self] = &[#(Self::#variants),*];
            const CODES: &'static [ServiceCodeInfo] = &[#(#infos),*];
            #index
        }

        impl ServiceError {
            /// Every code, sorted by code.
            pub const fn all() -> &'static [Self] {
                <Self as ServiceCode>::ALL
            }

            /// The code as sent (`Response.Error.Code`).
            pub fn code(self) -> &'static str {
                ServiceCode::code(self)
            }

            /// What the code means, one line (the SDK's).
            pub fn description(self) -> &'static str {
                ServiceCode::description(self)
            }

            /// The member of this code (exact, case-sensitive); never allocates.
            pub fn from_code(code: &str) -> Option<Self> {
                <Self as ServiceCode>::from_code(code)
            }
        }

        impl std::fmt::Display for ServiceError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for ServiceError {
            type Err = UnknownName;
            fn from_str(code: &str) -> Result<Self, UnknownName> {
                Self::from_code(code).ok_or(UnknownName)
            }
        }
    }
}
