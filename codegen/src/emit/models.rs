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
use super::{doc, ident, prose};
use crate::names::{required_struct_name, snake, type_stem};
use crate::spec::{
    FieldDef, HuaweiOperation, HuaweiParam, HuaweiSpec, ParamLocation, Primitive, TencentSpec,
    TypeDef, TypeRef,
};

/// How a provider's models are printed.
#[derive(Debug, Clone, Copy)]
struct Style {
    /// Wire names are the PascalCase of the Rust field names (`rename_all`); otherwise
    /// each field whose Rust name differs from its wire name is renamed.
    pascal_case: bool,
    /// The responses of actions get a `deprecated_warning` field (API 3.0's
    /// `DeprecatedWarning`, which the runtime logs once per action and client).
    deprecated_warning: bool,
}

const TENCENT: Style = Style {
    pascal_case: true,
    deprecated_warning: true,
};

const HUAWEI: Style = Style {
    pascal_case: false,
    deprecated_warning: false,
};

/// The wire name of API 3.0's deprecation notice in a `Response` object.
const DEPRECATED_WARNING: &str = "DeprecatedWarning";

/// Which way a type travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sides {
    request: bool,
    response: bool,
}

/// The `models` module for `types`, whose roots are the actions' request and response
/// types: its inner docs, then one chunk of tokens per type.
pub(crate) fn models_module<'a>(
    lib: &str,
    types: &'a BTreeMap<String, TypeDef>,
    request_roots: impl IntoIterator<Item = &'a str> + Clone,
    response_roots: impl IntoIterator<Item = &'a str>,
) -> Vec<TokenStream> {
    let requests: Vec<(&str, &[FieldDef])> = request_roots
        .clone()
        .into_iter()
        .filter_map(|name| types.get_key_value(name))
        .map(|(name, def)| (name.as_str(), def.fields.as_slice()))
        .collect();
    let text = format!(
        "Request and response models, with the vendor's wire names.\n\n{}\n\n\
         Response types derive `Default` so tests and mocks can fill them field by field.",
        building_requests_doc(
            lib,
            &requests,
            "Models nested in requests are built the same way."
        )
    );
    std::iter::once(inner_doc(&text))
        .chain(type_items(types, request_roots, response_roots, TENCENT))
        .collect()
}

/// `#![doc = ...]` attributes, one per line of `text`.
fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #(#![doc = #lines])* }
}

/// The models module's paragraph on building requests (`nested` says how the other
/// models are built), then a doc test building one of `requests` (name, fields) with every
/// field named, where one has required fields that are all primitives or lists of them;
/// it sets an optional primitive too where it has one. The test compiling is also the
/// proof that the generated names fit together.
fn building_requests_doc(lib: &str, requests: &[(&str, &[FieldDef])], nested: &str) -> String {
    let mut text = format!(
        "A request is built with every field named. One with required fields is built by\n\
         `new` from its `…Required` struct (`XRequest::new(XRequired {{ .. }})`), a plain\n\
         struct of exactly those fields: a missing one does not compile, and two of one type\n\
         cannot be swapped unnoticed. Optional fields start unset and are set with `with_*`\n\
         (taking `impl Into<String>` for strings). A request without required fields has\n\
         `new()` and `Default`. Requests are `#[non_exhaustive]`, so the vendor adding an\n\
         optional field breaks no caller. {nested}"
    );
    let Some(example) = request_example(requests) else {
        return text;
    };
    let mut lines = vec![example.imports(lib), String::new()];
    lines.extend(example.build.iter().cloned());
    lines.extend(example.check.iter().cloned());
    text.push_str("\n\n```rust\n");
    text.push_str(&lines.join("\n"));
    text.push_str("\n```");
    text
}

/// A request that doc examples build, with every field named.
pub(crate) struct RequestExample {
    /// The request type (`AllocateCustomerCreditRequest`).
    pub name: String,
    /// Its `…Required` struct.
    pub required_name: String,
    /// Lines binding `request`.
    pub build: Vec<String>,
    /// A line asserting the first required field's value, where it is a primitive.
    pub check: Option<String>,
}

impl RequestExample {
    /// The `use` line of the two types, from the crate `lib`.
    pub fn imports(&self, lib: &str) -> String {
        format!(
            "use {lib}::models::{{{}, {}}};",
            self.name, self.required_name
        )
    }
}

/// The request of `requests` (name, fields) a doc example builds, short and telling: at
/// least two required fields (so naming them matters), all primitives or lists of them,
/// an optional primitive to set, then as few fields as that allows; `None` when no request
/// has required fields of that kind.
pub(crate) fn request_example(requests: &[(&str, &[FieldDef])]) -> Option<RequestExample> {
    let required_count = |fields: &[FieldDef]| fields.iter().filter(|f| !is_optional(f)).count();
    let optional_primitive = |fields: &[FieldDef]| {
        fields
            .iter()
            .any(|f| is_optional(f) && matches!(f.ty, TypeRef::Primitive(_)))
    };
    let (name, fields) = requests
        .iter()
        .filter(|(_, fields)| {
            required_count(fields) > 0
                && fields
                    .iter()
                    .filter(|f| !is_optional(f))
                    .all(|f| is_primitive_or_list_of(&f.ty))
        })
        .min_by_key(|(name, fields)| {
            (
                required_count(fields) < 2,
                !optional_primitive(fields),
                required_count(fields),
                *name,
            )
        })?;
    let required_name = required_struct_name(name);
    let mut build = vec![format!("let request = {name}::new({required_name} {{")];
    let required: Vec<&FieldDef> = fields.iter().filter(|f| !is_optional(f)).collect();
    for field in &required {
        let value = example_value(&field.ty, field.example.as_deref(), true);
        build.push(format!("    {}: {value},", raw(&field_name(field))));
    }
    let optional = fields
        .iter()
        .find(|f| is_optional(f) && matches!(f.ty, TypeRef::Primitive(_)));
    match optional {
        Some(field) => {
            let value = example_value(&field.ty, field.example.as_deref(), false);
            build.push("})".into());
            build.push(format!(".with_{}({value});", field_name(field)));
        }
        None => build.push("});".into()),
    }
    let first = required[0];
    let check = matches!(first.ty, TypeRef::Primitive(_)).then(|| {
        let value = example_value(&first.ty, first.example.as_deref(), false);
        format!("assert_eq!(request.{}, {value});", raw(&field_name(first)))
    });
    Some(RequestExample {
        name: name.to_string(),
        required_name,
        build,
        check,
    })
}

/// The request types of a Tencent spec's actions with their fields, for doc examples.
pub(crate) fn tencent_requests(spec: &TencentSpec) -> Vec<(&str, &[FieldDef])> {
    spec.actions
        .iter()
        .filter_map(|a| a.request.as_deref())
        .filter_map(|name| spec.types.get_key_value(name))
        .map(|(name, def)| (name.as_str(), def.fields.as_slice()))
        .collect()
}

/// The request structs of a Huawei spec's typed operations with their fields (the
/// parameters a caller gives), for the models and doc examples.
pub(crate) fn huawei_requests(spec: &HuaweiSpec) -> Vec<(String, Vec<FieldDef>)> {
    spec.typed_operations()
        .iter()
        .map(|op| {
            let stem = type_stem(&op.name, op.rust_name.as_deref());
            (
                format!("{stem}Request"),
                op.params
                    .iter()
                    .filter(|p| !p.from_credentials)
                    .map(param_field)
                    .collect(),
            )
        })
        .collect()
}

/// Whether `ty` is a primitive or a list of them: what a doc example can fill in one line.
fn is_primitive_or_list_of(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Primitive(_) => true,
        TypeRef::List(inner) => matches!(**inner, TypeRef::Primitive(_)),
        TypeRef::Named(_) => false,
    }
}

/// A field name as Rust source: raw (`r#type`) where it is a keyword.
fn raw(name: &str) -> String {
    if crate::names::is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// Rust source for a value of `ty` (a primitive or a list of them), from the field's
/// example where that parses; a string is `"..".into()` when `owned` (a `String` field).
fn example_value(ty: &TypeRef, example: Option<&str>, owned: bool) -> String {
    let example = example.filter(|e| is_short_example(e));
    match ty {
        TypeRef::Primitive(Primitive::String) => {
            let literal = format!("{:?}", example.unwrap_or("text"));
            if owned {
                format!("{literal}.into()")
            } else {
                literal
            }
        }
        TypeRef::Primitive(Primitive::Int64) => example
            .and_then(|e| e.parse::<i64>().ok())
            .unwrap_or(1)
            .to_string(),
        TypeRef::Primitive(Primitive::Uint64) => example
            .and_then(|e| e.parse::<u64>().ok())
            .unwrap_or(1)
            .to_string(),
        TypeRef::Primitive(Primitive::Float) => example
            .and_then(|e| e.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .map_or_else(|| "1.5".to_owned(), |v| format!("{v:?}")),
        TypeRef::Primitive(Primitive::Bool) => example
            .and_then(|e| e.parse::<bool>().ok())
            .unwrap_or(true)
            .to_string(),
        TypeRef::List(inner) => format!("vec![{}]", example_value(inner, None, owned)),
        // Not offered: the example is only built for primitives and lists of them.
        TypeRef::Named(_) => "Default::default()".to_owned(),
    }
}

/// One chunk of tokens per type of `types`.
fn type_items<'a>(
    types: &'a BTreeMap<String, TypeDef>,
    request_roots: impl IntoIterator<Item = &'a str>,
    response_roots: impl IntoIterator<Item = &'a str>,
    style: Style,
) -> Vec<TokenStream> {
    let response_roots: BTreeSet<&str> = response_roots.into_iter().collect();
    let requests = reachable(types, request_roots);
    let responses = reachable(types, response_roots.iter().copied());
    let defaultable = defaultable(types, &requests);
    types
        .iter()
        .map(|(name, def)| {
            let sides = Sides {
                request: requests.contains(name.as_str()),
                response: responses.contains(name.as_str()),
            };
            // Only an action's own response (never a request type, nor one that already
            // has the field).
            let warned = style.deprecated_warning
                && response_roots.contains(name.as_str())
                && !sides.request
                && def.fields.iter().all(|f| f.name != DEPRECATED_WARNING);
            model(name, def, sides, &defaultable, style, warned)
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
    warned: bool,
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
    let warning = warned.then(deprecated_warning_field);
    quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq, #defaults)]
        #[cfg_attr(feature = #serialize_when, derive(serde::Serialize))]
        #[cfg_attr(feature = #deserialize_when, derive(serde::Deserialize))]
        #rename_all
        #[non_exhaustive]
        pub struct #type_ident {
            #(#fields)*
            #warning
        }
        #builders
    }
}

/// The `deprecated_warning` field of an action's response (PascalCase on the wire:
/// `DeprecatedWarning`).
fn deprecated_warning_field() -> TokenStream {
    let field_doc = doc(
        "The service's notice that this action is deprecated (API 3.0's \
         `DeprecatedWarning`), when it sent one; the client also logs it, once per action \
         and client.",
    );
    quote! {
        #field_doc
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        pub deprecated_warning: Option<String>,
    }
}

fn type_doc(name: &str, def: &TypeDef) -> String {
    def.doc
        .as_deref()
        .map(prose)
        .unwrap_or_else(|| format!("The `{name}` structure."))
}

fn field_doc(field: &FieldDef) -> String {
    let mut text = field
        .doc
        .as_deref()
        .map(prose)
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
pub(crate) fn field_name(field: &FieldDef) -> String {
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

pub(crate) fn rust_type(owner: &str, ty: &TypeRef) -> TokenStream {
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

/// `new` and a `with_*` setter per optional field (keeping `impl Into<String>` for
/// strings). A type with required fields gets a `<Name>Required` struct of exactly those,
/// which `new` takes: every field is named where the value is built, so two fields of one
/// type cannot be swapped unnoticed, and a missing one does not compile. Optional fields
/// stay setters, so the vendor adding one (to a `#[non_exhaustive]` model) breaks nobody.
fn builders(name: &str, def: &TypeDef) -> TokenStream {
    let type_ident = ident(name);
    let (required, optional): (Vec<&FieldDef>, Vec<&FieldDef>) =
        def.fields.iter().partition(|f| !is_optional(f));
    let setters = optional.iter().map(|f| {
        let rust = field_name(f);
        let setter = format_ident!("with_{}", rust);
        let field_ident = ident(&rust);
        let (param, value) = if f.ty == TypeRef::Primitive(Primitive::String) {
            (
                quote!(#field_ident: impl Into<String>),
                quote!(#field_ident.into()),
            )
        } else {
            let ty = rust_type(name, &f.ty);
            (quote!(#field_ident: #ty), quote!(#field_ident))
        };
        let setter_doc = doc(&format!("Sets `{}`.", f.name));
        quote! {
            #setter_doc
            pub fn #setter(mut self, #param) -> Self {
                self.#field_ident = Some(#value);
                self
            }
        }
    });
    if required.is_empty() {
        let unset = def.fields.iter().map(|f| {
            let field_ident = ident(&field_name(f));
            quote!(#field_ident: None)
        });
        let new_doc = doc("Every field starts unset (set them with the `with_*` methods).");
        return quote! {
            impl #type_ident {
                #new_doc
                pub fn new() -> Self {
                    Self { #(#unset),* }
                }
                #(#setters)*
            }
        };
    }
    let required_ident = ident(&required_struct_name(name));
    let required_fields = required.iter().map(|f| {
        let field_ident = ident(&field_name(f));
        let ty = rust_type(name, &f.ty);
        let field_doc = doc(&field_doc(f));
        quote! {
            #field_doc
            pub #field_ident: #ty,
        }
    });
    let required_idents = required.iter().map(|f| ident(&field_name(f)));
    let inits = def.fields.iter().map(|f| {
        let field_ident = ident(&field_name(f));
        if is_optional(f) {
            quote!(#field_ident: None)
        } else {
            quote!(#field_ident)
        }
    });
    let required_doc = doc(&format!(
        "The required fields of [`{name}`], each named, for [`{name}::new`]."
    ));
    let new_doc = doc(
        "Builds the value from its required fields; optional ones start unset (set them \
         with the `with_*` methods).",
    );
    quote! {
        #required_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #required_ident {
            #(#required_fields)*
        }
        impl #type_ident {
            #new_doc
            pub fn new(required: #required_ident) -> Self {
                let #required_ident { #(#required_idents),* } = required;
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
pub(crate) fn huawei_models_module(lib: &str, spec: &HuaweiSpec) -> Vec<TokenStream> {
    let typed = spec.typed_operations();
    let bodies = typed.iter().filter_map(|o| o.body_type());
    let responses = typed.iter().filter_map(|o| o.response.as_deref());
    let request_structs = huawei_requests(spec);
    let requests: Vec<(&str, &[FieldDef])> = request_structs
        .iter()
        .map(|(name, fields)| (name.as_str(), fields.as_slice()))
        .collect();
    let text = format!(
        "Request and response models of the operations, with the vendor's wire names.\n\n\
         Each typed operation has a request struct, `<Operation>Request`, holding its path,\n\
         query and header parameters and its JSON `body`. Through [`RestRequest`] it gives\n\
         a client its parameters (the runtime fills the path, encodes the query), the body\n\
         to serialize, and the response model to decode.\n\n{}\n\n\
         Response models derive `Default`.",
        building_requests_doc(lib, &requests, "Body models are built the same way.",)
    );
    let doc = inner_doc(&text);
    let head = quote! {
        #doc
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
    match param.location {
        ParamLocation::Path => format!(
            "Path parameter: fills `{{{}}}` in the path.",
            param.wire_name
        ),
        ParamLocation::Query => format!("Query parameter `{}`.", param.wire_name),
        ParamLocation::Header => format!("Header `{}`.", param.wire_name),
        ParamLocation::Body => format!("The JSON body: a [`{}`].", param.ty),
    }
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
        doc: Some(param_doc(param)),
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
        prose(&op.description),
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
    use crate::emit::emit;
    use crate::specfile::parse_spec;

    /// The `models.rs` emitted for a fixture spec, parsed.
    fn emitted_models(file: &str, text: &str) -> syn::File {
        let spec = parse_spec(file, text)
            .unwrap_or_else(|d| panic!("{d}"))
            .spec;
        let (_, models) = emit(file, &spec)
            .into_iter()
            .find(|(path, _)| path.ends_with("src/models.rs"))
            .expect("a models file");
        syn::parse_file(&models).unwrap()
    }

    /// The fixture specs, which between them have every kind of field (more than seven
    /// required ones, two of one type, keywords, nested and self-referencing types).
    fn fixtures() -> [syn::File; 2] {
        [
            emitted_models(
                "tencentcloud/demo.yaml",
                include_str!("../../../tests/fixtures/specs/tencentcloud/demo.yaml"),
            ),
            emitted_models(
                "huaweicloud/demo.yaml",
                include_str!("../../../tests/fixtures/specs/huaweicloud/demo.yaml"),
            ),
        ]
    }

    /// Positional required fields let two of one type swap unnoticed (`new("2024-01-01",
    /// "0a1b", ..)` compiled): no `new` may take more than one argument, the struct of
    /// the required fields, whose literal names each.
    #[test]
    fn no_new_takes_fields_positionally() {
        let mut news = 0;
        for file in fixtures() {
            for item in &file.items {
                let syn::Item::Impl(block) = item else {
                    continue;
                };
                let syn::Type::Path(owner) = &*block.self_ty else {
                    continue;
                };
                let owner = owner.path.segments.last().unwrap().ident.to_string();
                for inner in &block.items {
                    let syn::ImplItem::Fn(f) = inner else {
                        continue;
                    };
                    if f.sig.ident != "new" {
                        continue;
                    }
                    news += 1;
                    let inputs: Vec<String> = f
                        .sig
                        .inputs
                        .iter()
                        .map(|arg| quote::quote!(#arg).to_string())
                        .collect();
                    match inputs.as_slice() {
                        [] => {}
                        [one] => {
                            let stem = owner.strip_suffix("Request").unwrap_or(&owner);
                            assert_eq!(one, &format!("required : {stem}Required"), "{owner}");
                        }
                        more => panic!("{owner}::new takes {} arguments: {more:?}", more.len()),
                    }
                }
            }
        }
        assert!(news >= 8, "only {news} `new` functions found");
    }

    /// The struct of required fields holds exactly the required fields, each `pub` and
    /// named, and is not `#[non_exhaustive]` (so a struct literal can build it).
    #[test]
    fn required_structs_are_plain_and_hold_the_required_fields() {
        let [tencent, huawei] = fixtures();
        fn find<'f>(file: &'f syn::File, name: &str) -> &'f syn::ItemStruct {
            file.items
                .iter()
                .find_map(|item| match item {
                    syn::Item::Struct(s) if s.ident == name => Some(s),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no struct {name}"))
        }
        let fields = |s: &syn::ItemStruct| -> Vec<String> {
            s.fields
                .iter()
                .map(|f| {
                    assert!(matches!(f.vis, syn::Visibility::Public(_)), "{}", s.ident);
                    f.ident.as_ref().unwrap().to_string()
                })
                .collect()
        };
        for (file, name, expected) in [
            (
                &tencent,
                "AllocateCreditRequired",
                &["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"][..],
            ),
            (&tencent, "FilterRequired", &["name"][..]),
            (&huawei, "ListOrdersRequired", &["status"][..]),
            (&huawei, "CreateOrderReqRequired", &["items"][..]),
            (&huawei, "CreateOrderRequired", &["body"][..]),
        ] {
            let s = find(file, name);
            assert_eq!(fields(s), expected, "{name}");
            let attrs: Vec<String> = s
                .attrs
                .iter()
                .map(|a| quote::quote!(#a).to_string())
                .collect();
            assert!(
                !attrs.iter().any(|a| a.contains("non_exhaustive")),
                "{name}: {attrs:?}"
            );
        }
        // A request without required fields keeps `new()` and gets no such struct.
        assert!(!tencent.items.iter().any(
            |item| matches!(item, syn::Item::Struct(s) if s.ident == "DescribeUsageRequired")
        ));
    }

    #[test]
    fn pascal_case_as_serde_spells_it() {
        assert_eq!(serde_pascal("client_uin"), "ClientUin");
        assert_eq!(serde_pascal("type"), "Type");
        assert_eq!(serde_pascal("force_qn"), "ForceQn");
        assert_eq!(serde_pascal("t1_uin"), "T1Uin");
    }
}
