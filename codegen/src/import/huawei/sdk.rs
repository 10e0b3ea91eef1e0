//! The SDK operations file: what `xtask/scripts/huawei_sdk_operations.py` reads from the
//! official Python SDK (each operation's name, parameters and response by route, and the
//! models they use), checked for shape, types and references.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::page::check_path;
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::json_pos::{check_depth, JsonPositions, Step};
use crate::import::read_input;
use crate::spec::{FieldDef, HttpMethod, HuaweiParam, ParamLocation, Primitive, TypeDef, TypeRef};
use crate::validate::{path_placeholders, unfilled_placeholders};

/// The Python package whose operation names `--sdk-operations` carries.
pub(super) const SDK_PACKAGE: &str = "huaweicloudsdkbssintl";

/// What `xtask/scripts/huawei_sdk_operations.py` prints, in short (for messages).
const SDK_SHAPE: &str = "{\"sdk\": \"huaweicloudsdkbssintl\", \"version\": \"...\", \"operations\": {\"METHOD /path\": {\"name\", \"request\", \"params\", \"response\"}}, \"models\": {\"Name\": {\"fields\": [...]}}}, as xtask/scripts/huawei_sdk_operations.py prints";

/// The operations and models of the official SDK.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SdkOperations {
    /// The file, as the user named it.
    pub(super) file: String,
    pub(super) version: Option<String>,
    /// The SDK's operations, by route.
    pub(super) operations: HashMap<(HttpMethod, String), SdkOperation>,
    /// The SDK's models, by name, as spec types.
    pub(super) models: BTreeMap<String, TypeDef>,
    /// The SDK's description of model fields, by model and field (wire) name: read for
    /// what decides paging, never copied into the spec.
    pub(super) field_docs: FieldDocs,
}

/// Descriptions by model name, then field wire name (or parameter name).
pub(super) type FieldDocs = BTreeMap<String, BTreeMap<String, String>>;

/// One operation of the SDK file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SdkOperation {
    pub(super) name: String,
    /// The parameters as the SDK has them (the import decides about the body's
    /// `required`, see [`sdk_params`]).
    pub(super) params: Vec<HuaweiParam>,
    pub(super) response: String,
    /// The SDK's description of parameters, by parameter name (see
    /// [`SdkOperations::field_docs`]).
    pub(super) param_docs: BTreeMap<String, String>,
}

/// The path `at` one key further in.
fn child<'s>(at: &[Step<'s>], key: &'s str) -> Vec<Step<'s>> {
    let mut inner = at.to_vec();
    inner.push(Step::Key(key));
    inner
}

/// Whether `text` is a model name (or an operation name): UpperCamelCase letters and
/// digits.
fn is_model_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The SDK file being read: its positions, and the errors found so far.
struct SdkFile<'t> {
    file: String,
    positions: JsonPositions<'t>,
    errors: Vec<Diagnostic>,
}

impl SdkFile<'_> {
    fn error(
        &mut self,
        rule: &'static str,
        at: &[Step<'_>],
        subject: Option<&str>,
        message: String,
    ) {
        let line = self.positions.line(at).unwrap_or(1);
        let mut diagnostic = Diagnostic::error(&self.file, rule, message).at(line);
        if let Some(subject) = subject {
            diagnostic = diagnostic.about(subject);
        }
        self.errors.push(diagnostic);
    }

    fn shape(&mut self, at: &[Step<'_>], message: String) {
        self.error("sdk-operations-shape", at, None, message);
    }

    /// `value` as an object with exactly these keys (`true`: the key is required).
    fn object<'v>(
        &mut self,
        value: &'v Value,
        at: &[Step<'_>],
        what: &str,
        keys: &[(&str, bool)],
    ) -> Option<&'v serde_json::Map<String, Value>> {
        let expected: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
        let Value::Object(map) = value else {
            self.shape(
                at,
                format!(
                    "{what} must be an object with keys {}, not {value}",
                    expected.join(", ")
                ),
            );
            return None;
        };
        for key in map.keys().filter(|k| !expected.contains(&k.as_str())) {
            self.shape(
                &child(at, key),
                format!(
                    "{what}: unknown key `{key}` (expected {})",
                    expected.join(", ")
                ),
            );
        }
        for (key, _) in keys
            .iter()
            .filter(|(k, required)| *required && !map.contains_key(*k))
        {
            self.shape(at, format!("{what} has no `{key}`"));
        }
        Some(map)
    }

    fn string(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        at: &[Step<'_>],
        what: &str,
    ) -> Option<String> {
        match map.get(key)? {
            Value::String(text) => Some(text.clone()),
            other => {
                self.shape(
                    &child(at, key),
                    format!("{what}: `{key}` must be a string, not {other}"),
                );
                None
            }
        }
    }

    fn boolean(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        at: &[Step<'_>],
        what: &str,
    ) -> Option<bool> {
        match map.get(key)? {
            Value::Bool(value) => Some(*value),
            other => {
                self.shape(
                    &child(at, key),
                    format!("{what}: `{key}` must be true or false, not {other}"),
                );
                None
            }
        }
    }

    /// A `type` of the file as a spec type.
    fn ty(
        &mut self,
        map: &serde_json::Map<String, Value>,
        at: &[Step<'_>],
        what: &str,
        subject: &str,
    ) -> Option<TypeRef> {
        let text = self.string(map, "type", at, what)?;
        match sdk_type(&text) {
            Ok(ty) => Some(ty),
            Err(problem) => {
                self.error(
                    "sdk-unsupported-type",
                    &child(at, "type"),
                    Some(subject),
                    format!("{what}: {problem}"),
                );
                None
            }
        }
    }
}

/// The spec type of a type of the SDK file. The script's `int64`, `float` and `decimal`
/// become `int64` and `float` (JSON numbers; the SDK's Python types give no integer width,
/// and its `decimal.Decimal` amounts are read as `f64` here); `map<T>` and `object` have
/// no spec type yet (no Partner Center model uses them).
fn sdk_type(text: &str) -> Result<TypeRef, String> {
    let mut text = text.trim();
    let mut lists = 0;
    while let Some(inner) = text.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
        lists += 1;
        if lists > MAX_LIST_NESTING {
            return Err(format!(
                "lists nest deeper than {MAX_LIST_NESTING} levels (`list<list<...>>`)"
            ));
        }
        text = inner.trim();
    }
    let mut ty = sdk_element_type(text)?;
    for _ in 0..lists {
        ty = TypeRef::List(Box::new(ty));
    }
    Ok(ty)
}

/// How deep `list<...>` may nest in the SDK file: the SDK nests one level; the bound keeps
/// a hostile file from building a type whose every later walk recurses without limit.
const MAX_LIST_NESTING: usize = 8;

fn sdk_element_type(text: &str) -> Result<TypeRef, String> {
    Ok(TypeRef::Primitive(match text {
        "string" => Primitive::String,
        "int64" => Primitive::Int64,
        "float" | "decimal" => Primitive::Float,
        "bool" => Primitive::Bool,
        _ if text.starts_with("map<") || text == "object" => {
            return Err(format!("type `{text}` has no spec type yet (the spec knows string, int64, float, decimal, bool, list<T> and models)"))
        }
        _ if is_model_name(text) => return Ok(TypeRef::Named(text.to_owned())),
        _ => {
            return Err(format!("unknown type `{text}` (expected string, int64, float, decimal, bool, list<T> or a model name)"))
        }
    }))
}

/// Reads the JSON `xtask/scripts/huawei_sdk_operations.py` prints (see the script for
/// its shape). Structural problems are `sdk-operations-shape` errors, types the spec
/// cannot hold `sdk-unsupported-type`, path parameters that do not match their route
/// `sdk-path-params`, and a model named but not defined `sdk-undefined-model`, naming
/// the operation that needs it; each with the file's line.
pub(super) fn read_sdk_operations(
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<SdkOperations> {
    let file = path.display().to_string();
    let text = match read_input(path) {
        Ok(text) => text,
        Err(unreadable) => {
            diagnostics.0.extend(unreadable.0);
            return None;
        }
    };
    sdk_operations_from_text(&file, &text, diagnostics)
}

pub(super) fn sdk_operations_from_text(
    file: &str,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<SdkOperations> {
    if let Err(too_deep) = check_depth(file, text, "sdk-operations-shape") {
        diagnostics.push(too_deep);
        return None;
    }
    let document: Value = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(err) => {
            diagnostics.push(
                Diagnostic::error(file, "sdk-operations-shape", format!("not JSON: {err}"))
                    .at(err.line()),
            );
            return None;
        }
    };
    let mut reader = SdkFile {
        file: file.to_owned(),
        positions: JsonPositions::new(text),
        errors: Vec::new(),
    };
    let parsed = read_sdk_document(&mut reader, &document);
    let ok = reader.errors.is_empty();
    diagnostics.0.extend(reader.errors);
    let (version, operations, (models, field_docs)) = parsed?;
    ok.then_some(SdkOperations {
        file: file.to_owned(),
        version,
        operations,
        models,
        field_docs,
    })
}

type SdkDocument = (
    Option<String>,
    HashMap<(HttpMethod, String), SdkOperation>,
    (BTreeMap<String, TypeDef>, FieldDocs),
);

fn read_sdk_document(reader: &mut SdkFile<'_>, document: &Value) -> Option<SdkDocument> {
    let Value::Object(top) = document else {
        reader.shape(&[], format!("expected {SDK_SHAPE}"));
        return None;
    };
    for key in top
        .keys()
        .filter(|k| !["sdk", "version", "operations", "models"].contains(&k.as_str()))
    {
        reader.shape(
            &[Step::Key(key)],
            format!("unknown key `{key}`: expected {SDK_SHAPE}"),
        );
    }
    match top.get("sdk") {
        Some(Value::String(sdk)) if sdk == SDK_PACKAGE => {}
        Some(other) => reader.shape(
            &[Step::Key("sdk")],
            format!("the file is of `{other}`, not of the Partner Center SDK `{SDK_PACKAGE}`"),
        ),
        None => reader.shape(&[], format!("no `sdk` key: expected {SDK_SHAPE}")),
    }
    let version = match top.get("version") {
        None => None,
        Some(Value::String(version)) => Some(version.clone()),
        Some(other) => {
            reader.shape(
                &[Step::Key("version")],
                format!("`version` must be a string, not {other}"),
            );
            None
        }
    };
    let models = match top.get("models") {
        Some(Value::Object(models)) => read_sdk_models(reader, models),
        Some(other) => {
            reader.shape(
                &[Step::Key("models")],
                format!("`models` must be an object of model name to model, not {other}"),
            );
            Default::default()
        }
        None => {
            reader.shape(&[], format!("no `models` key (a file of operation names only is from an older version of the script: run it again): expected {SDK_SHAPE}"));
            Default::default()
        }
    };
    // The operations read, with their routes as the file spells them, in its order.
    let mut read = Vec::new();
    match top.get("operations") {
        Some(Value::Object(entries)) if !entries.is_empty() => {
            for (route, entry) in entries {
                if let Some((key, operation)) = read_sdk_operation(reader, route, entry) {
                    read.push((route.as_str(), key, operation));
                }
            }
        }
        Some(Value::Object(_)) => {
            reader.shape(&[Step::Key("operations")], "`operations` is empty".into())
        }
        Some(other) => reader.shape(
            &[Step::Key("operations")],
            format!("`operations` must be an object of route to operation, not {other}"),
        ),
        None => reader.shape(&[], format!("no `operations` key: expected {SDK_SHAPE}")),
    }
    if reader.errors.is_empty() {
        let in_order = read.iter().map(|(route, _, operation)| (*route, operation));
        check_model_references(reader, in_order, &models.0);
    }
    let operations = read
        .into_iter()
        .map(|(_, key, operation)| (key, operation))
        .collect();
    Some((version, operations, models))
}

fn read_sdk_models(
    reader: &mut SdkFile<'_>,
    models: &serde_json::Map<String, Value>,
) -> (BTreeMap<String, TypeDef>, FieldDocs) {
    let mut out = BTreeMap::new();
    let mut docs = FieldDocs::new();
    for (name, model) in models {
        let at = [Step::Key("models"), Step::Key(name)];
        let what = format!("model `{name}`");
        if !is_model_name(name) {
            reader.shape(
                &at,
                format!("{what}: a model name is UpperCamelCase letters and digits"),
            );
        }
        let Some(map) = reader.object(model, &at, &what, &[("fields", true)]) else {
            continue;
        };
        let fields = match map.get("fields") {
            Some(Value::Array(fields)) => fields,
            Some(other) => {
                reader.shape(
                    &[at[0], at[1], Step::Key("fields")],
                    format!("{what}: `fields` must be an array, not {other}"),
                );
                continue;
            }
            None => continue,
        };
        let mut def = TypeDef {
            doc: None,
            fields: Vec::new(),
        };
        for (index, field) in fields.iter().enumerate() {
            let at = [at[0], at[1], Step::Key("fields"), Step::Index(index)];
            let what = format!("model `{name}` field {}", index + 1);
            let keys = [
                ("name", true),
                ("wire_name", true),
                ("type", true),
                ("required", true),
                ("doc", false),
            ];
            let Some(map) = reader.object(field, &at, &what, &keys) else {
                continue;
            };
            // `name` is the SDK's Python attribute; the spec names a field by its wire name.
            let attribute = reader.string(map, "name", &at, &what);
            let wire_name = reader.string(map, "wire_name", &at, &what);
            let ty = reader.ty(map, &at, &what, name);
            let required = reader.boolean(map, "required", &at, &what);
            if let (Some(doc), Some(wire_name)) =
                (reader.string(map, "doc", &at, &what), &wire_name)
            {
                docs.entry(name.clone())
                    .or_default()
                    .insert(wire_name.clone(), doc);
            }
            if let (Some(_), Some(wire_name), Some(ty), Some(required)) =
                (attribute, wire_name, ty, required)
            {
                def.fields.push(FieldDef {
                    name: wire_name,
                    rust_name: None,
                    ty,
                    required,
                    nullable: false,
                    disabled: false,
                    example: None,
                    doc: None,
                });
            }
        }
        out.insert(name.clone(), def);
    }
    (out, docs)
}

fn read_sdk_operation(
    reader: &mut SdkFile<'_>,
    route: &str,
    entry: &Value,
) -> Option<((HttpMethod, String), SdkOperation)> {
    let at = [Step::Key("operations"), Step::Key(route)];
    let parsed_route = route
        .split_once(' ')
        .and_then(|(method, path)| Some((method.parse::<HttpMethod>().ok()?, path)))
        .filter(|(_, path)| path.starts_with('/'));
    let Some((method, path)) = parsed_route else {
        reader.shape(&at, format!("`{route}` is not a route `METHOD /path`"));
        return None;
    };
    if let Err(problem) = check_path(path) {
        reader.error(
            "invalid-path",
            &at,
            Some(route),
            format!("`{path}`: {problem}"),
        );
        return None;
    }
    let what = format!("the operation of `{route}`");
    if entry.is_string() {
        reader.shape(&at, format!("{what} is a bare name: the file is from an older version of the script, run it again (expected {SDK_SHAPE})"));
        return None;
    }
    let keys = [
        ("name", true),
        ("request", true),
        ("params", true),
        ("response", true),
    ];
    let map = reader.object(entry, &at, &what, &keys)?;
    let name = reader.string(map, "name", &at, &what);
    if let Some(name) = name.as_deref().filter(|name| !is_model_name(name)) {
        reader.shape(
            &child(&at, "name"),
            format!("the name of `{route}` must be UpperCamelCase, not `{name}`"),
        );
    }
    // The SDK's request class is checked for shape only: the generated request struct is
    // named after the operation (`<Operation>Request`), which may be renamed by a pin.
    let _request_class = reader.string(map, "request", &at, &what);
    let response = reader.string(map, "response", &at, &what);
    if let Some(response) = response.as_deref().filter(|r| !is_model_name(r)) {
        reader.shape(
            &child(&at, "response"),
            format!("{what}: `response` must name a model, not `{response}`"),
        );
    }
    let subject = name.clone().unwrap_or_else(|| route.to_owned());
    let mut params = Vec::new();
    let mut param_docs = BTreeMap::new();
    match map.get("params") {
        Some(Value::Array(entries)) => {
            for (index, param) in entries.iter().enumerate() {
                let at = [at[0], at[1], Step::Key("params"), Step::Index(index)];
                if let Some((param, doc)) = read_sdk_param(reader, param, &at, &subject, index) {
                    if let Some(doc) = doc {
                        param_docs.insert(param.name.clone(), doc);
                    }
                    params.push(param);
                }
            }
        }
        Some(other) => reader.shape(
            &[at[0], at[1], Step::Key("params")],
            format!("{what}: `params` must be an array, not {other}"),
        ),
        None => {}
    }
    // The SDK's routing must fill exactly the route's placeholders.
    if let Some((in_path, placeholders)) = unfilled_placeholders(&params, &path_placeholders(path))
    {
        reader.error(
            "sdk-path-params",
            &at,
            Some(&subject),
            format!("{route}: the path parameters {in_path:?} do not fill the placeholders {placeholders:?}"),
        );
    }
    Some((
        (method, path.to_owned()),
        SdkOperation {
            name: name?,
            params,
            response: response?,
            param_docs,
        },
    ))
}

fn read_sdk_param(
    reader: &mut SdkFile<'_>,
    param: &Value,
    at: &[Step<'_>],
    subject: &str,
    index: usize,
) -> Option<(HuaweiParam, Option<String>)> {
    let what = format!("`{subject}` parameter {}", index + 1);
    let keys = [
        ("name", true),
        ("wire_name", true),
        ("location", true),
        ("type", true),
        ("required", true),
        ("from_credentials", false),
        ("doc", false),
    ];
    let map = reader.object(param, at, &what, &keys)?;
    let name = reader.string(map, "name", at, &what);
    let wire_name = reader.string(map, "wire_name", at, &what);
    let location = reader.string(map, "location", at, &what).and_then(|text| {
        text.parse::<ParamLocation>()
            .map_err(|problem| reader.shape(&child(at, "location"), format!("{what}: {problem}")))
            .ok()
    });
    let ty = reader.ty(map, at, &what, subject);
    let required = reader.boolean(map, "required", at, &what);
    let doc = reader.string(map, "doc", at, &what);
    let from_credentials = if map.contains_key("from_credentials") {
        reader.boolean(map, "from_credentials", at, &what)?
    } else {
        false
    };
    let param = HuaweiParam {
        name: name?,
        wire_name: wire_name?,
        location: location?,
        ty: ty?,
        required: required?,
        from_credentials,
    };
    Some((param, doc))
}

/// Every model an operation names, directly or through other models, must be defined
/// under `models`. Each missing one is reported once, naming the first operation (in the
/// file's order) that needs it, at the line that names it.
fn check_model_references<'o>(
    reader: &mut SdkFile<'_>,
    operations: impl IntoIterator<Item = (&'o str, &'o SdkOperation)>,
    models: &BTreeMap<String, TypeDef>,
) {
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for (route, operation) in operations {
        let mut follow = Follow {
            reader: &mut *reader,
            models,
            stack: Vec::new(),
            operation: &operation.name,
        };
        let at = [Step::Key("operations"), Step::Key(route)];
        for (index, param) in operation.params.iter().enumerate() {
            if let Some(target) = param.ty.named() {
                let at = [
                    at[0],
                    at[1],
                    Step::Key("params"),
                    Step::Index(index),
                    Step::Key("type"),
                ];
                follow.model(target, &at, || {
                    format!(
                        "{route}: parameter `{}` has type `{target}`, which is not under `models`",
                        param.name
                    )
                });
            }
        }
        let response = &operation.response;
        follow.model(response, &child(&at, "response"), || {
            format!("{route}: the response `{response}` is not under `models`")
        });
        while let Some(model) = follow.stack.pop() {
            if !checked.insert(model) {
                continue;
            }
            for (index, field) in models[model].fields.iter().enumerate() {
                if let Some(target) = field.ty.named() {
                    let at = [
                        Step::Key("models"),
                        Step::Key(model),
                        Step::Key("fields"),
                        Step::Index(index),
                        Step::Key("type"),
                    ];
                    follow.model(target, &at, || {
                        format!("model `{model}` (used by {route}): field `{}` has type `{target}`, which is not under `models`", field.name)
                    });
                }
            }
        }
    }
}

/// The walk of [`check_model_references`] from one operation.
struct Follow<'r, 't, 'm> {
    reader: &'r mut SdkFile<'t>,
    models: &'m BTreeMap<String, TypeDef>,
    /// The models found and not yet looked into.
    stack: Vec<&'m str>,
    operation: &'r str,
}

impl<'m> Follow<'_, '_, 'm> {
    /// Queues the model `target` when `models` defines it, else reports it at `at`.
    fn model(&mut self, target: &str, at: &[Step<'_>], message: impl FnOnce() -> String) {
        match self.models.get_key_value(target) {
            Some((name, _)) => self.stack.push(name),
            None => self
                .reader
                .error("sdk-undefined-model", at, Some(self.operation), message()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_nesting_is_bounded() {
        let eight = format!("{}string{}", "list<".repeat(8), ">".repeat(8));
        assert!(sdk_type(&eight).is_ok());
        let nine = format!("{}string{}", "list<".repeat(9), ">".repeat(9));
        assert!(sdk_type(&nine).unwrap_err().contains("nest deeper than 8"));
    }

    #[test]
    fn sdk_types_become_spec_types() {
        let list = |inner| TypeRef::List(Box::new(inner));
        assert_eq!(
            sdk_type("string"),
            Ok(TypeRef::Primitive(Primitive::String))
        );
        assert_eq!(sdk_type("int64"), Ok(TypeRef::Primitive(Primitive::Int64)));
        assert_eq!(
            sdk_type("decimal"),
            Ok(TypeRef::Primitive(Primitive::Float))
        );
        assert_eq!(
            sdk_type("list<list<Order>>"),
            Ok(list(list(TypeRef::Named("Order".into()))))
        );
        assert!(sdk_type("map<Order>").unwrap_err().contains("no spec type"));
        assert!(sdk_type("object").unwrap_err().contains("no spec type"));
        assert!(sdk_type("datetime").unwrap_err().contains("unknown type"));
        assert!(sdk_type("list<>").is_err());
    }
}
