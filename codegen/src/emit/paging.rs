//! `src/paging.rs` of a generated crate: the runtime's `Paged` for the request of every
//! action the spec marks as paged. Each impl is data (the spec's pagination facts) and two
//! accessors that only name fields; the loop, its stop rules and resume positions are the
//! runtime's (`partnergen_runtime::client::Pages`), and the mocks page from the same facts.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::models::{field_name, rust_type};
use super::tables::variant;
use super::{doc, ident};
use crate::names::{method_name, type_stem};
use crate::spec::{
    FieldDef, HuaweiOperation, HuaweiSpec, Pagination, PagingStyle, ParamLocation, TencentSpec,
    TypeDef, TypeRef,
};

/// One paged action as the emitters see it: names resolved to Rust paths.
pub(crate) struct PagedAction<'s> {
    /// The wire name.
    pub name: &'s str,
    /// The table's enum variant.
    pub variant: proc_macro2::Ident,
    /// The client's method of one call.
    pub method: String,
    /// The request struct.
    pub request: proc_macro2::Ident,
    /// The response struct.
    pub response: proc_macro2::Ident,
    /// The facts.
    pub pagination: &'s Pagination,
    /// `self.<path>` of the position and size fields.
    position: TokenStream,
    size: TokenStream,
    /// `response.<field>` of the items and total.
    items: TokenStream,
    total: Option<TokenStream>,
    /// The item type (under `models::` when named).
    item: TokenStream,
}

fn field<'t>(def: &'t TypeDef, wire: &str) -> &'t FieldDef {
    def.fields
        .iter()
        .find(|f| f.name == wire)
        .expect("validated: pagination fields exist")
}

fn item_type(owner: &str, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::List(inner) => match &**inner {
            TypeRef::Named(name) => {
                let name = ident(name);
                quote!(models::#name)
            }
            other => rust_type(owner, other),
        },
        _ => unreachable!("validated: pagination items are a list"),
    }
}

fn response_parts(
    pagination: &Pagination,
    response: &str,
    def: &TypeDef,
) -> (TokenStream, Option<TokenStream>, TokenStream) {
    let items_field = field(def, &pagination.items);
    let items = ident(&field_name(items_field));
    let total = pagination.total.as_deref().map(|wire| {
        let total = ident(&field_name(field(def, wire)));
        quote!(#total)
    });
    (quote!(#items), total, item_type(response, &items_field.ty))
}

/// The paged actions of a Tencent spec, by name.
pub(crate) fn tencent_paged(spec: &TencentSpec) -> Vec<PagedAction<'_>> {
    spec.api_actions()
        .into_iter()
        .filter_map(|a| {
            let pagination = a.pagination.as_ref()?;
            let request = a
                .request
                .as_deref()
                .expect("validated: API actions have types");
            let response = a
                .response
                .as_deref()
                .expect("validated: API actions have types");
            let request_def = &spec.types[request];
            let position = ident(&field_name(field(request_def, &pagination.position)));
            let size = ident(&field_name(field(request_def, &pagination.size)));
            let (items, total, item) = response_parts(pagination, response, &spec.types[response]);
            Some(PagedAction {
                name: &a.name,
                variant: variant(&a.name, a.rust_name.as_deref()),
                method: method_name(&a.name, a.rust_name.as_deref()),
                request: ident(request),
                response: ident(response),
                pagination,
                position: quote!(#position),
                size: quote!(#size),
                items,
                total,
                item,
            })
        })
        .collect()
}

/// `self.<param>` of a Huawei request: a query parameter, or a field of the body.
fn huawei_param(
    spec: &HuaweiSpec,
    op: &HuaweiOperation,
    pagination: &Pagination,
    wire: &str,
) -> TokenStream {
    match pagination.location {
        Some(ParamLocation::Body) => {
            let body = op.body().expect("validated: body pagination has a body");
            let body_field = ident(&body.name);
            let def = &spec.types[body.ty.named().expect("validated: bodies are models")];
            let inner = ident(&field_name(field(def, wire)));
            quote!(#body_field.#inner)
        }
        _ => {
            let param = op
                .params
                .iter()
                .find(|p| p.location == ParamLocation::Query && p.wire_name == wire)
                .expect("validated: query pagination parameters exist");
            let name = ident(&param.name);
            quote!(#name)
        }
    }
}

/// The paged operations of a Huawei spec, by name.
pub(crate) fn huawei_paged(spec: &HuaweiSpec) -> Vec<PagedAction<'_>> {
    spec.typed_operations()
        .into_iter()
        .filter_map(|o| {
            let pagination = o.pagination.as_ref()?;
            let response = o.response.as_deref().expect("filtered: typed operations");
            let (items, total, item) = response_parts(pagination, response, &spec.types[response]);
            Some(PagedAction {
                name: &o.name,
                variant: variant(&o.name, o.rust_name.as_deref()),
                method: method_name(&o.name, o.rust_name.as_deref()),
                request: ident(&format!(
                    "{}Request",
                    type_stem(&o.name, o.rust_name.as_deref())
                )),
                response: ident(response),
                pagination,
                position: huawei_param(spec, o, pagination, &pagination.position),
                size: huawei_param(spec, o, pagination, &pagination.size),
                items,
                total,
                item,
            })
        })
        .collect()
}

/// `src/paging.rs`: a `Paged` impl per paged action, and the lookup the mocks page by.
pub(crate) fn paging_module(table: &str, paged: &[PagedAction<'_>]) -> TokenStream {
    let table = ident(table);
    let impls = paged.iter().map(|p| {
        let PagedAction { request, response, item, position, size, items, .. } = p;
        let f = p.pagination;
        let action = p.name;
        let style = match f.style {
            PagingStyle::PageNumber => {
                let first = Literal::u64_unsuffixed(u64::try_from(f.first_page.unwrap_or(1)).unwrap_or(1));
                quote!(PagingStyle::PageNumber { first: #first })
            }
            PagingStyle::Offset => quote!(PagingStyle::Offset),
        };
        let place = match f.location {
            Some(ParamLocation::Query) => quote!(PagingPlace::Query),
            _ => quote!(PagingPlace::Body),
        };
        let (position_wire, size_wire, items_wire) = (&f.position, &f.size, &f.items);
        let total_wire = match &f.total {
            Some(total) => quote!(Some(#total)),
            None => quote!(None),
        };
        let page_size = Literal::u64_unsuffixed(u64::try_from(f.page_size).unwrap_or(1));
        let max_page_size = match f.max_page_size.and_then(|m| u64::try_from(m).ok()) {
            Some(max) => {
                let max = Literal::u64_unsuffixed(max);
                quote!(Some(#max))
            }
            None => quote!(None),
        };
        let total = match &p.total {
            Some(total) => quote!(Some(&mut response.#total)),
            None => quote!(None),
        };
        let impl_doc = doc(&format!("`{action}` pages: the runtime's paginator sets `{position_wire}` and `{size_wire}`, reads `{items_wire}`{}.", f.total.as_deref().map(|t| format!(" and `{t}`")).unwrap_or_default()));
        quote! {
            #impl_doc
            impl Paged for models::#request {
                type Response = models::#response;
                type Item = #item;
                const PAGING: Paging = Paging {
                    action: #action,
                    style: #style,
                    place: #place,
                    position: #position_wire,
                    size: #size_wire,
                    items: #items_wire,
                    total: #total_wire,
                    page_size: #page_size,
                    max_page_size: #max_page_size,
                };
                fn request_fields(&mut self) -> RequestFields<'_> {
                    RequestFields { position: &mut self.#position, size: &mut self.#size }
                }
                fn response_fields(response: &mut Self::Response) -> ResponseFields<'_, Self::Item> {
                    ResponseFields { items: &mut response.#items, total: #total }
                }
            }
        }
    });
    let arms = paged.iter().map(|p| {
        let PagedAction {
            variant, request, ..
        } = p;
        quote!(crate::#table::#variant => Some(&<models::#request as Paged>::PAGING),)
    });
    let lookup_body = if paged.is_empty() {
        quote! { let _ = action; None }
    } else {
        quote! { match action { #(#arms)* _ => None } }
    };
    let imports = if paged.is_empty() {
        quote!()
    } else {
        quote! {
            use partnergen_runtime::paging::{
                Paged, Paging, PagingPlace, PagingStyle, RequestFields, ResponseFields,
            };

            use crate::models;
        }
    };
    quote! {
        //! Which actions page, and how: the runtime's `Paged` for each paged action's
        //! request (the spec's pagination facts, and the fields they name).

        #imports

        #(#impls)*

        /// The pagination facts of `action`; `None` for an action that does not page.
        /// The mocks answer a paged action's requests page by page from them.
        #[cfg(feature = "mock")]
        pub(crate) fn paging_of(action: crate::#table) -> Option<&'static partnergen_runtime::paging::Paging> {
            #lookup_body
        }
    }
}

/// The client's `<action>_pages` method of each paged action: one line into the engine's
/// paginator (`tencent`: the engine takes the action; Huawei's request names its
/// operation).
pub(crate) fn pages_methods(paged: &[PagedAction<'_>], tencent: bool) -> Vec<TokenStream> {
    paged
        .iter()
        .map(|p| {
            let PagedAction { request, variant, .. } = p;
            let f = p.pagination;
            let method = ident(&format!("{}_pages", p.method));
            let per_page = match f.max_page_size {
                Some(max) => format!("{} a page by default, at most {max}: `.page_size(n)`", f.page_size),
                None => format!("{} a page by default: `.page_size(n)`", f.page_size),
            };
            let end = match &f.total {
                Some(total) => format!("once `{total}` items have come, or on an empty page"),
                None => "on a short or empty page (the response has no total)".to_owned(),
            };
            let method_doc = doc(&format!(
                "`{}`, page by page: a stream of its responses.\n\nThe paginator sets `{}` and `{}` ({per_page}) and ends {end}. `.items()` streams the `{}` items instead; `.position()` is where to resume a scan (`.resume_from(position)`).",
                p.name, f.position, f.size, f.items
            ));
            let call = if tencent {
                quote!(self.engine.pages(Action::#variant, request, &self.options))
            } else {
                quote!(self.engine.pages(request, &self.options))
            };
            quote! {
                #method_doc
                pub fn #method(&self, request: models::#request) -> Pages<models::#request> {
                    #call
                }
            }
        })
        .collect()
}
