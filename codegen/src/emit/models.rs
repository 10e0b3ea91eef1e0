//! Typed request and response models.
//!
//! serde derives are cfg-gated by direction, so a crate only pays for what a feature
//! needs: with `serde` (which `client` enables), request-side types serialize and
//! response-side types deserialize; `mock` adds the reverse directions (in crates that
//! have that feature). Without them, models are plain structs and serde is not compiled
//! at all.
//!
//! Tencent's wire names are PascalCase and its requests are plain models. Huawei's wire
//! names are kept verbatim (snake_case mostly, camelCase in places), and each operation
//! gets a request struct holding its path, query, header and body parameters, with what a
//! thin client needs to send it (the runtime's `RestRequest`, one line per parameter).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tables::variant;
use super::{doc, ident};
use crate::names::{snake, type_stem};
use crate::spec::{
    FieldDef, HuaweiOperation, HuaweiParam, HuaweiSpec, ParamLocation, Primitive, TypeDef, TypeRef,
};

/// How a provider's models are printed.
#[derive(Debug, Clone, Copy)]
struct Style {
    /// Wire names are the PascalCase of the Rust field names (`rename_all`); otherwise
    /// each field whose Rust name differs from its wire name is renamed.
    pascal_case: bool,
}

const TENCENT: Style = Style { pascal_case: true };

const HUAWEI: Style = Style { pascal_case: false };

/// Which way a type travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sides {
    request: bool,
    response: bool,
}

/// The `models` module for `types`, whose roots are the actions' request and response
/// types: its inner docs, then one chunk of tokens per type.
pub(crate) fn models_module<'a>(
    types: &'a BTreeMap<String, TypeDef>,
    request_roots: impl IntoIterator<Item = &'a str>,
    response_roots: impl IntoIterator<Item = &'a str>,
) -> Vec<TokenStream> {
    let head = quote! {
        //! Request and response models, with the vendor's wire names.
        //!
        //! Request types are built with `new` (taking every required field) and
        //! `with_*` (for optional ones); response types derive `Default` so tests and
        //! mocks can fill them field by field.
    };
    std::iter::once(head)
        .chain(type_items(types, request_roots, response_roots, TENCENT))
        .collect()
}

/// One chunk of tokens per type of `types`.
fn type_items<'a>(
    types: &'a BTreeMap<String, TypeDef>,
    request_roots: impl IntoIterator<Item = &'a str>,
    response_roots: impl IntoIterator<Item = &'a str>,
    style: Style,
) -> Vec<TokenStream> {
    let requests = reachable(types, request_roots);
    let responses = reachable(types, response_roots);
    let defaultable = defaultable(types, &requests);
    types
        .iter()
        .map(|(name, def)| {
            let sides = Sides {
                request: requests.contains(name.as_str()),
                response: responses.contains(name.as_str()),
            };
            model(name, def, sides, &defaultable, style)
        })
        .collect()
}

/// The types reachable from `roots` through fields.
fn reachable<'a>(
    types: &'a BTreeMap<String, TypeDef>,
    roots: impl IntoIterator<Item = &'a str>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        let Some((key, def)) = types.get_key_value(name) else {
            continue;
        };
        if seen.insert(key.as_str()) {
            stack.extend(def.fields.iter().filter_map(|f| f.ty.named()));
        }
    }
    seen
}

/// Types that derive `Default`: those no caller builds as a request (or whose request
/// has no required field, so nothing can be forgotten), provided every field that is
/// neither optional nor a list is itself defaultable.
fn defaultable<'a>(
    types: &'a BTreeMap<String, TypeDef>,
    requests: &BTreeSet<&str>,
) -> BTreeSet<&'a str> {
    let wanted = |name: &str, def: &TypeDef| {
        !requests.contains(name) || def.fields.iter().all(|f| !f.required)
    };
    let mut out: BTreeSet<&str> = types
        .iter()
        .filter(|(n, d)| wanted(n, d))
        .map(|(n, _)| n.as_str())
        .collect();
    // Drop types that hold a bare non-defaultable type, until nothing changes.
    loop {
        let blocked: Vec<&str> = out
            .iter()
            .copied()
            .filter(|name| {
                types[*name].fields.iter().any(|f| {
                    !is_optional(f)
                        && matches!(&f.ty, TypeRef::Named(inner) if !out.contains(inner.as_str()))
                })
            })
            .collect();
        if blocked.is_empty() {
            return out;
        }
        for name in blocked {
            out.remove(name);
        }
    }
}

fn is_optional(field: &FieldDef) -> bool {
    !field.required || field.nullable
}

fn model(
    name: &str,
    def: &TypeDef,
    sides: Sides,
    defaultable: &BTreeSet<&str>,
    style: Style,
) -> TokenStream {
    let default = defaultable.contains(name);
    let type_ident = ident(name);
    // The direction a client needs comes with `serde`; `mock` adds the other.
    let serialize_when = if sides.request { "serde" } else { "mock" };
    let deserialize_when = if sides.response { "serde" } else { "mock" };
    let rename_all = style
        .pascal_case
        .then(|| quote!(#[cfg_attr(feature = "serde", serde(rename_all = "PascalCase"))]));
    let defaults = default.then(|| quote!(Default,));
    // The vendor's responses omit fields its definition marks as always present (its own
    // examples do), so a response-only type decodes a missing required field as its
    // default rather than failing the whole call. Request types stay strict: a mock must
    // be able to tell a caller that a required parameter is missing.
    let lenient = sides.response && !sides.request;
    let fields = def
        .fields
        .iter()
        .map(|f| field(name, f, lenient && field_has_default(f, defaultable), style));
    let type_doc = doc(&type_doc(name, def));
    let builders = sides.request.then(|| builders(name, def));
    quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq, #defaults)]
        #[cfg_attr(feature = #serialize_when, derive(serde::Serialize))]
        #[cfg_attr(feature = #deserialize_when, derive(serde::Deserialize))]
        #rename_all
        #[non_exhaustive]
        pub struct #type_ident {
            #(#fields)*
        }
        #builders
    }
}

fn type_doc(name: &str, def: &TypeDef) -> String {
    def.doc
        .clone()
        .unwrap_or_else(|| format!("The `{name}` structure."))
}

fn field_doc(field: &FieldDef) -> String {
    let mut text = field
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` field.", field.name));
    if field.disabled {
        text.push_str("\n\nHidden by the vendor's docs (deprecated or internal).");
    }
    if let Some(example) = field.example.as_deref().filter(|e| is_short_example(e)) {
        text.push_str(&format!("\n\nExample: `{example}`"));
    }
    text
}

fn is_short_example(example: &str) -> bool {
    !example.is_empty() && example.chars().count() <= 60 && !example.contains(['`', '\n'])
}

/// The Rust name of a field (without `r#`).
fn field_name(field: &FieldDef) -> String {
    field
        .rust_name
        .clone()
        .unwrap_or_else(|| snake(&field.name))
}

/// How serde's `rename_all = "PascalCase"` spells a snake_case field name.
pub(crate) fn serde_pascal(snake_name: &str) -> String {
    let mut out = String::with_capacity(snake_name.len());
    let mut capitalize = true;
    for c in snake_name.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn rust_type(owner: &str, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Primitive(Primitive::String) => quote!(String),
        TypeRef::Primitive(Primitive::Int64) => quote!(i64),
        TypeRef::Primitive(Primitive::Uint64) => quote!(u64),
        TypeRef::Primitive(Primitive::Float) => quote!(f64),
        TypeRef::Primitive(Primitive::Bool) => quote!(bool),
        // A structure that holds itself directly needs a box to have a size.
        TypeRef::Named(name) if name == owner => {
            let inner = ident(name);
            quote!(Box<#inner>)
        }
        TypeRef::Named(name) => {
            let inner = ident(name);
            quote!(#inner)
        }
        TypeRef::List(inner) => {
            let inner = rust_type(owner, inner);
            quote!(Vec<#inner>)
        }
    }
}

fn has_integer(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Primitive(p) => matches!(p, Primitive::Int64 | Primitive::Uint64),
        TypeRef::Named(_) => false,
        TypeRef::List(inner) => has_integer(inner),
    }
}

/// Whether the field's Rust type implements `Default`.
fn field_has_default(field: &FieldDef, defaultable: &BTreeSet<&str>) -> bool {
    match &field.ty {
        TypeRef::Named(name) => is_optional(field) || defaultable.contains(name.as_str()),
        _ => true,
    }
}

fn field(owner: &str, field: &FieldDef, default_when_missing: bool, style: Style) -> TokenStream {
    let name = field_name(field);
    let field_ident = ident(&name);
    let inner = rust_type(owner, &field.ty);
    let optional = is_optional(field);
    let ty = if optional {
        quote!(Option<#inner>)
    } else {
        inner
    };
    let mut serde_args = Vec::new();
    let implied = if style.pascal_case {
        serde_pascal(&name)
    } else {
        name.clone()
    };
    if implied != field.name {
        let wire = &field.name;
        serde_args.push(quote!(rename = #wire));
    }
    if optional {
        serde_args.push(quote!(default, skip_serializing_if = "Option::is_none"));
    } else if default_when_missing {
        serde_args.push(quote!(default));
    }
    if has_integer(&field.ty) {
        serde_args.push(quote!(
            deserialize_with = "partnergen_runtime::lenient::deserialize"
        ));
    }
    let serde_attr = (!serde_args.is_empty())
        .then(|| quote!(#[cfg_attr(feature = "serde", serde(#(#serde_args),*))]));
    let field_doc = doc(&field_doc(field));
    quote! {
        #field_doc
        #serde_attr
        pub #field_ident: #ty,
    }
}

/// `new` with every required field, and a `with_*` setter per optional field.
fn builders(name: &str, def: &TypeDef) -> TokenStream {
    let type_ident = ident(name);
    let (required, optional): (Vec<&FieldDef>, Vec<&FieldDef>) =
        def.fields.iter().partition(|f| !is_optional(f));
    let param = |f: &FieldDef| -> (TokenStream, TokenStream) {
        let field_ident = ident(&field_name(f));
        if f.ty == TypeRef::Primitive(Primitive::String) {
            (
                quote!(#field_ident: impl Into<String>),
                quote!(#field_ident.into()),
            )
        } else {
            let ty = rust_type(name, &f.ty);
            (quote!(#field_ident: #ty), quote!(#field_ident))
        }
    };
    let params = required.iter().map(|f| param(f).0);
    let inits = def.fields.iter().map(|f| {
        let field_ident = ident(&field_name(f));
        if is_optional(f) {
            quote!(#field_ident: None)
        } else if f.ty == TypeRef::Primitive(Primitive::String) {
            quote!(#field_ident: #field_ident.into())
        } else {
            quote!(#field_ident)
        }
    });
    let setters = optional.iter().map(|f| {
        let rust = field_name(f);
        let setter = format_ident!("with_{}", rust);
        let field_ident = ident(&rust);
        let (param, value) = param(f);
        let setter_doc = doc(&format!("Sets `{}`.", f.name));
        quote! {
            #setter_doc
            pub fn #setter(mut self, #param) -> Self {
                self.#field_ident = Some(#value);
                self
            }
        }
    });
    let new_doc = if required.is_empty() {
        doc("Every field starts unset.")
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.name)).collect();
        doc(&format!(
            "Takes the required fields ({}); optional ones start unset.",
            names.join(", ")
        ))
    };
    let many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #type_ident {
            #new_doc
            #many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

// ---------------------------------------------------------------------------------------
// Huawei

/// The `models` module of a Huawei spec: the models under `types`, then a request struct
/// per typed operation, each implementing the runtime's `RestRequest`.
pub(crate) fn huawei_models_module(spec: &HuaweiSpec) -> Vec<TokenStream> {
    let typed = spec.typed_operations();
    let bodies = typed.iter().filter_map(|o| o.body_type());
    let responses = typed.iter().filter_map(|o| o.response.as_deref());
    let head = quote! {
        //! Request and response models of the operations, with the vendor's wire names.
        //!
        //! Each typed operation has a request struct, `<Operation>Request`, holding its
        //! path, query and header parameters and its JSON `body`: build it with `new`
        //! (taking every required parameter) and `with_*` (for optional ones). Through
        //! [`RestRequest`] it gives a client its parameters (the runtime fills the path,
        //! encodes the query), the body to serialize, and the response model to decode.
        //! Body models are built the same way; response models derive `Default`.

        pub use partnergen_runtime::huawei::RestRequest;
        use partnergen_runtime::huawei::RequestParts;
    };
    let mut chunks = vec![head];
    chunks.extend(type_items(&spec.types, bodies, responses, HUAWEI));
    chunks.extend(typed.iter().map(|op| request_struct(op)));
    chunks
}

/// The request struct's docs of a parameter: where it goes.
fn param_doc(param: &HuaweiParam) -> String {
    let mut text = match param.location {
        ParamLocation::Path => format!(
            "Path parameter: fills `{{{}}}` in the path.",
            param.wire_name
        ),
        ParamLocation::Query => format!("Query parameter `{}`.", param.wire_name),
        ParamLocation::Header => format!("Header `{}`.", param.wire_name),
        ParamLocation::Body => format!("The JSON body: a [`{}`].", param.ty),
    };
    if param.from_credentials {
        text.push_str(
            "\n\nThe official SDK fills it from its credentials (the account ID); here the caller gives it.",
        );
    }
    text
}

/// A parameter as a field, so the request struct's builders are the models' own.
fn param_field(param: &HuaweiParam) -> FieldDef {
    FieldDef {
        name: param.name.clone(),
        rust_name: Some(param.name.clone()),
        ty: param.ty.clone(),
        required: param.required,
        nullable: false,
        disabled: false,
        example: None,
        doc: None,
    }
}

/// `parts()`: one `RequestParts` call per path, query and header parameter, each named
/// after its location.
fn parts_body(params: &[HuaweiParam]) -> TokenStream {
    let calls = params
        .iter()
        .filter(|p| p.location != ParamLocation::Body)
        .map(|p| {
            let method = ident(p.location.as_str());
            let wire = &p.wire_name;
            let field = ident(&p.name);
            quote!(.#method(#wire, &self.#field))
        });
    quote!(RequestParts::new() #(#calls)*)
}

fn request_struct(op: &HuaweiOperation) -> TokenStream {
    let stem = type_stem(&op.name, op.rust_name.as_deref());
    let name = format!("{stem}Request");
    let type_ident = ident(&name);
    // A parameter the SDK fills from its credentials (the account ID) is the client's.
    let params: &Vec<HuaweiParam> = &op
        .params
        .iter()
        .filter(|p| !p.from_credentials)
        .cloned()
        .collect();
    let fields = params.iter().map(|p| {
        let field_ident = ident(&p.name);
        let inner = rust_type(&name, &p.ty);
        let ty = if p.required {
            inner
        } else {
            quote!(Option<#inner>)
        };
        let field_doc = doc(&param_doc(p));
        quote! {
            #field_doc
            pub #field_ident: #ty,
        }
    });
    let locations = |location: ParamLocation| {
        let names: Vec<String> = op
            .params
            .iter()
            .filter(|p| p.location == location)
            .map(|p| {
                format!(
                    "`{}`{}",
                    p.name,
                    if p.from_credentials {
                        " (the client's account ID)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    };
    let response = op
        .response
        .as_deref()
        .expect("typed operations have a response");
    let type_doc = doc(&format!(
        "The request of `{}` ({}): `{} {}`.\n\nPath parameters: {}. Query parameters: {}. \
         Headers: {}. Body: {}. The response is a [`{response}`].",
        op.name,
        op.description,
        op.method,
        op.path,
        locations(ParamLocation::Path),
        locations(ParamLocation::Query),
        locations(ParamLocation::Header),
        op.body().map_or_else(
            || "none".to_owned(),
            |b| format!("`{}` ([`{}`])", b.name, b.ty)
        ),
    ));
    let defaults = params.iter().all(|p| !p.required).then(|| quote!(Default,));
    let synthetic = TypeDef {
        doc: None,
        fields: params.iter().map(param_field).collect(),
    };
    let builders = builders(&name, &synthetic);
    let variant = variant(&op.name, op.rust_name.as_deref());
    let (body_type, body) = match op.body() {
        Some(body) => {
            let field = ident(&body.name);
            let ty = rust_type(&name, &body.ty);
            let value = if body.required {
                quote!(Some(&self.#field))
            } else {
                quote!(self.#field.as_ref())
            };
            (ty, value)
        }
        None => (quote!(()), quote!(None)),
    };
    let response = ident(response);
    let parts = parts_body(params);
    quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq, #defaults)]
        #[non_exhaustive]
        pub struct #type_ident {
            #(#fields)*
        }
        #builders
        impl RestRequest for #type_ident {
            type Operation = crate::Operation;
            const OPERATION: crate::Operation = crate::Operation::#variant;
            type Body = #body_type;
            type Response = #response;
            fn parts(&self) -> RequestParts {
                #parts
            }
            fn body(&self) -> Option<&Self::Body> {
                #body
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::serde_pascal;

    #[test]
    fn pascal_case_as_serde_spells_it() {
        assert_eq!(serde_pascal("client_uin"), "ClientUin");
        assert_eq!(serde_pascal("type"), "Type");
        assert_eq!(serde_pascal("force_qn"), "ForceQn");
        assert_eq!(serde_pascal("t1_uin"), "T1Uin");
    }
}
