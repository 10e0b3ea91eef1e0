//! The API examples JSON: each action's example requests and responses, checked against
//! the definition's types.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::definition::ReadDefinition;
use super::{invalid_action_name, is_action_name};
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::json_pos::{check_depth, JsonPositions, Step};
use crate::import::{file_name, read_input};
use crate::spec::{BrokenExample, Example, Primitive, TypeDef, TypeRef};

#[derive(Debug, Deserialize)]
struct ExamplesFile {
    actions: BTreeMap<String, Vec<RawExample>>,
}

#[derive(Debug, Deserialize)]
struct RawExample {
    title: String,
    #[serde(default)]
    input: Option<String>,
    output: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct ReadExamples {
    pub(super) file: String,
    pub(super) endpoint: Option<String>,
    pub(super) by_action: BTreeMap<String, (Vec<Example>, Vec<BrokenExample>)>,
}

pub(super) fn read_examples(
    path: &Path,
    definition: &ReadDefinition,
) -> Result<(ReadExamples, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    examples_from_text(
        &path.display().to_string(),
        &file_name(path),
        &text,
        definition,
    )
}

/// Reads the examples' text; `shown` names it in diagnostics, `file` in the spec.
pub(super) fn examples_from_text(
    shown: &str,
    file: &str,
    text: &str,
    definition: &ReadDefinition,
) -> Result<(ReadExamples, Diagnostics), Diagnostics> {
    check_depth(shown, text, "malformed-examples")?;
    let raw: ExamplesFile = serde_json::from_str(text).map_err(|err| {
        Diagnostic::error(
            shown,
            "malformed-examples",
            format!("not a valid examples file: {err}"),
        )
        .at(err.line())
    })?;
    let positions = JsonPositions::new(text);
    let mut diags = Diagnostics::default();
    let mut endpoint = None;
    let mut by_action = BTreeMap::new();
    for (action, examples) in &raw.actions {
        if !is_action_name(action) {
            let line = positions.line(&[Step::Key("actions"), Step::Key(action)]);
            diags.push(invalid_action_name(shown, line, action));
            continue;
        }
        let Some(defined) = definition.actions.get(action) else {
            diags.push(
                Diagnostic::warning(
                    shown,
                    "example-unknown-action",
                    "examples for an action the API definition does not have; skipped",
                )
                .at(positions.line(&[Step::Key("actions"), Step::Key(action)]))
                .about(action),
            );
            continue;
        };
        let mut usable = Vec::new();
        let mut broken = Vec::new();
        for (index, example) in examples.iter().enumerate() {
            let at = |key: &str| {
                positions.line(&[
                    Step::Key("actions"),
                    Step::Key(action),
                    Step::Index(index),
                    Step::Key(key),
                ])
            };
            let response = match parse_response(&example.output) {
                Ok(response) => response,
                Err(problem) => {
                    diags.push(
                        Diagnostic::warning(
                            shown,
                            "invalid-example",
                            format!("example `{}`: {problem}; left out (mocks build a response from the schema instead)", example.title),
                        )
                        .at(at("output"))
                        .about(action),
                    );
                    broken.push(BrokenExample {
                        title: example.title.clone(),
                        problem,
                    });
                    continue;
                }
            };
            let mut quirks = Vec::new();
            check_value(
                "Response",
                &response["Response"],
                &TypeRef::Named(defined.response.clone()),
                &definition.types,
                &mut quirks,
            );
            let input = example.input.as_deref().unwrap_or_default();
            if endpoint.is_none() {
                endpoint = input
                    .lines()
                    .find_map(|l| l.strip_prefix("Host:"))
                    .map(|h| h.trim().to_owned());
            }
            let request = match request_body(input) {
                Ok(body) => {
                    if let Some((_, value)) = &body {
                        let mut request_quirks = Vec::new();
                        check_value(
                            "request",
                            value,
                            &TypeRef::Named(defined.request.clone()),
                            &definition.types,
                            &mut request_quirks,
                        );
                        for quirk in &request_quirks {
                            diags.push(
                                Diagnostic::warning(
                                    shown,
                                    "example-request-type-mismatch",
                                    format!("example `{}`: {quirk}; kept", example.title),
                                )
                                .at(at("input"))
                                .about(action),
                            );
                        }
                        quirks.extend(request_quirks);
                    }
                    body.map(|(text, _)| text)
                }
                Err(problem) => {
                    diags.push(
                        Diagnostic::warning(
                            shown,
                            "invalid-example",
                            format!(
                                "example `{}`: request body {problem}; kept without it",
                                example.title
                            ),
                        )
                        .at(at("input"))
                        .about(action),
                    );
                    None
                }
            };
            for quirk in quirks.iter().filter(|q| q.starts_with("`Response")) {
                let rule = if quirk.ends_with(OMITTED) {
                    "example-missing-field"
                } else {
                    "example-type-mismatch"
                };
                diags.push(
                    Diagnostic::warning(
                        shown,
                        rule,
                        format!(
                            "example `{}`: {quirk}; kept, the models accept it",
                            example.title
                        ),
                    )
                    .at(at("output"))
                    .about(action),
                );
            }
            usable.push(Example {
                title: example.title.clone(),
                request,
                response: example.output.trim().to_owned(),
                quirks,
            });
        }
        by_action.insert(action.clone(), (usable, broken));
    }
    Ok((
        ReadExamples {
            file: file.to_owned(),
            endpoint,
            by_action,
        },
        diags,
    ))
}

/// Parses an example's response text: it must be JSON with a `Response` object.
fn parse_response(text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| {
        format!("the response is not valid JSON ({err} of the embedded document)")
    })?;
    if !value.get("Response").is_some_and(Value::is_object) {
        return Err("the response has no `Response` object".into());
    }
    Ok(value)
}

/// The JSON body of an example's HTTP request text (after the first blank line), if any:
/// its text (what the spec keeps) and its value (what is checked against the types).
fn request_body(input: &str) -> Result<Option<(String, Value)>, String> {
    let Some((_, body)) = input.split_once("\n\n") else {
        return Ok(None);
    };
    let body = body.trim();
    if body.is_empty() {
        return Ok(None);
    }
    let value = serde_json::from_str(body).map_err(|err| format!("is not valid JSON ({err})"))?;
    Ok(Some((body.to_owned(), value)))
}

/// How a quirk says that an example lacks a field declared always present.
const OMITTED: &str = "is declared always present but the example omits it";

/// Compares an example value with its declared type, noting each departure.
fn check_value(
    path: &str,
    value: &Value,
    ty: &TypeRef,
    types: &BTreeMap<String, TypeDef>,
    quirks: &mut Vec<String>,
) {
    let mismatch = |quirks: &mut Vec<String>| {
        quirks.push(format!(
            "`{path}` is declared {ty} but the example gives {value}"
        ))
    };
    match (ty, value) {
        (_, Value::Null) => {}
        (TypeRef::List(inner), Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                check_value(&format!("{path}[{index}]"), item, inner, types, quirks);
            }
        }
        (TypeRef::Named(name), Value::Object(map)) => {
            let Some(def) = types.get(name) else { return };
            for field in def
                .fields
                .iter()
                .filter(|f| f.required && !map.contains_key(&f.name))
            {
                quirks.push(format!("`{path}.{}` {OMITTED}", field.name));
            }
            for (key, item) in map {
                match def.fields.iter().find(|f| &f.name == key) {
                    Some(field) => {
                        check_value(&format!("{path}.{key}"), item, &field.ty, types, quirks)
                    }
                    None => quirks.push(format!("`{path}.{key}` is not a field of {name}")),
                }
            }
        }
        (TypeRef::Primitive(p), value) => {
            let fits = match p {
                Primitive::String => value.is_string(),
                Primitive::Int64 => value.is_i64(),
                Primitive::Uint64 => value.is_u64(),
                Primitive::Float => value.is_number(),
                Primitive::Bool => value.is_boolean(),
            };
            if !fits {
                mismatch(quirks);
            }
        }
        _ => mismatch(quirks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::FieldDef;

    #[test]
    fn example_values_checked_against_types() {
        let mut types = BTreeMap::new();
        types.insert(
            "R".to_owned(),
            TypeDef {
                doc: None,
                fields: vec![FieldDef {
                    name: "Uin".into(),
                    rust_name: None,
                    ty: TypeRef::Primitive(Primitive::Uint64),
                    required: true,
                    nullable: false,
                    disabled: false,
                    example: None,
                    doc: None,
                }],
            },
        );
        let mut quirks = Vec::new();
        let value: Value = serde_json::json!({"Uin": "20000000000", "Extra": 1});
        check_value(
            "Response",
            &value,
            &TypeRef::Named("R".into()),
            &types,
            &mut quirks,
        );
        assert_eq!(quirks.len(), 2, "{quirks:?}");
        assert!(quirks[0].contains("declared uint64"));
    }
}
