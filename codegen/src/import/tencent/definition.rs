//! The API definition JSON: the actions with their titles and request and response types,
//! and every type they use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{invalid_action_name, is_action_name};
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::json_pos::{check_depth, JsonPositions, Step};
use crate::import::prose::one_line;
use crate::import::{file_name, read_input};
use crate::spec::{FieldDef, Primitive, TypeDef, TypeRef};

#[derive(Debug, Deserialize)]
struct Definition {
    actions: BTreeMap<String, DefinitionAction>,
    objects: BTreeMap<String, DefinitionObject>,
    metadata: DefinitionMetadata,
}

#[derive(Debug, Deserialize)]
struct DefinitionMetadata {
    #[serde(rename = "apiVersion")]
    api_version: String,
    #[serde(rename = "serviceShortName")]
    service_short_name: String,
}

#[derive(Debug, Deserialize)]
struct DefinitionAction {
    name: String,
    input: String,
    output: String,
}

#[derive(Debug, Deserialize)]
struct DefinitionObject {
    #[serde(default)]
    document: Option<String>,
    members: Vec<DefinitionMember>,
}

#[derive(Debug, Deserialize)]
struct DefinitionMember {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    member: String,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    output_required: Option<bool>,
    #[serde(default)]
    value_allowed_null: Option<bool>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    example: Option<Value>,
    #[serde(default)]
    document: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct ReadDefinition {
    pub(super) file: String,
    pub(super) version: String,
    pub(super) service: String,
    /// The actions, by name.
    pub(super) actions: BTreeMap<String, DefinedAction>,
    pub(super) types: BTreeMap<String, TypeDef>,
}

/// One action of the definition.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DefinedAction {
    /// Its one-line name, else the action's name.
    pub(super) title: String,
    /// The request type.
    pub(super) request: String,
    /// The response type.
    pub(super) response: String,
}

pub(super) fn read_definition(path: &Path) -> Result<(ReadDefinition, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    definition_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads the API definition's text; `shown` names it in diagnostics, `file` in the spec.
pub(super) fn definition_from_text(
    shown: &str,
    file: &str,
    text: &str,
) -> Result<(ReadDefinition, Diagnostics), Diagnostics> {
    check_depth(shown, text, "malformed-definition")?;
    let raw: Definition = serde_json::from_str(text).map_err(|err| {
        Diagnostic::error(
            shown,
            "malformed-definition",
            format!("not a valid API definition: {err}"),
        )
        .at(err.line())
    })?;
    let positions = JsonPositions::new(text);
    let mut diags = Diagnostics::default();
    let request_side = request_side_types(&raw);
    let mut types = BTreeMap::new();
    for (type_name, object) in &raw.objects {
        if !is_action_name(type_name) {
            diags.push(
                Diagnostic::error(
                    shown,
                    "invalid-type-name",
                    format!("`{type_name}` is not a type name (ASCII letters and digits, starting with a capital letter)"),
                )
                .at(positions.line(&[Step::Key("objects"), Step::Key(type_name)])),
            );
        }
        let mut fields = Vec::new();
        for (index, member) in object.members.iter().enumerate() {
            let line = positions.line(&[
                Step::Key("objects"),
                Step::Key(type_name),
                Step::Key("members"),
                Step::Index(index),
            ]);
            let Some(ty) = member_type(member, &raw.objects) else {
                diags.push(
                    Diagnostic::error(
                        shown,
                        "unknown-type",
                        format!("type `{}` / member `{}` is neither a known primitive nor a defined object", member.kind, member.member),
                    )
                    .at(line)
                    .about(format!("{type_name}.{}", member.name)),
                );
                continue;
            };
            // A field the vendor hides (deprecated or internal) is not sent, whatever its
            // flags say: ForceQN's `C` and `M` are "output_required" yet never returned.
            let disabled = member.disabled.unwrap_or(false);
            let required = !disabled
                && if request_side.contains(type_name.as_str()) {
                    member.required.unwrap_or(false)
                } else {
                    member.output_required.or(member.required).unwrap_or(false)
                };
            fields.push(FieldDef {
                name: member.name.clone(),
                rust_name: None,
                ty,
                required,
                nullable: member.value_allowed_null.unwrap_or(false),
                disabled,
                example: member.example.as_ref().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                doc: member.document.as_deref().and_then(one_line),
            });
        }
        types.insert(
            type_name.clone(),
            TypeDef {
                doc: object.document.as_deref().and_then(one_line),
                fields,
            },
        );
    }
    let mut actions = BTreeMap::new();
    for (name, action) in &raw.actions {
        let line = positions.line(&[Step::Key("actions"), Step::Key(name)]);
        if !is_action_name(name) {
            diags.push(invalid_action_name(shown, line, name));
        }
        for ty in [&action.input, &action.output] {
            if !raw.objects.contains_key(ty) {
                diags.push(
                    Diagnostic::error(
                        shown,
                        "undefined-type",
                        format!("type `{ty}` is not among the definition's objects"),
                    )
                    .at(line)
                    .about(name),
                );
            }
        }
        let title = one_line(&action.name).unwrap_or_else(|| name.clone());
        actions.insert(
            name.clone(),
            DefinedAction {
                title,
                request: action.input.clone(),
                response: action.output.clone(),
            },
        );
    }
    if actions.is_empty() {
        diags.push(Diagnostic::error(
            shown,
            "no-actions",
            "the definition has no actions",
        ));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((
        ReadDefinition {
            file: file.to_owned(),
            version: raw.metadata.api_version,
            service: raw.metadata.service_short_name,
            actions,
            types,
        },
        diags,
    ))
}

/// Types reachable from some action's request: their `required` flags are the caller's
/// obligations, while other types' flags (`output_required`) are the service's promises.
fn request_side_types(definition: &Definition) -> BTreeSet<&str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = definition
        .actions
        .values()
        .map(|a| a.input.as_str())
        .collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(object) = definition.objects.get(name) {
            stack.extend(
                object
                    .members
                    .iter()
                    .map(|m| m.member.as_str())
                    .filter(|m| definition.objects.contains_key(*m)),
            );
        }
    }
    seen
}

fn member_type(
    member: &DefinitionMember,
    objects: &BTreeMap<String, DefinitionObject>,
) -> Option<TypeRef> {
    let element = || -> Option<TypeRef> {
        if objects.contains_key(&member.member) {
            return Some(TypeRef::Named(member.member.clone()));
        }
        let primitive = match member.member.as_str() {
            "string" => Primitive::String,
            "int64" | "int" => Primitive::Int64,
            "uint64" => Primitive::Uint64,
            "float" | "double" => Primitive::Float,
            "bool" | "boolean" => Primitive::Bool,
            _ => return None,
        };
        Some(TypeRef::Primitive(primitive))
    };
    let ty = element()?;
    match (member.kind.as_str(), &ty) {
        ("list", _) => Some(TypeRef::List(Box::new(ty))),
        ("object", TypeRef::Named(_)) => Some(ty),
        ("string", TypeRef::Primitive(Primitive::String))
        | ("int", TypeRef::Primitive(Primitive::Int64 | Primitive::Uint64))
        | ("float", TypeRef::Primitive(Primitive::Float))
        | ("bool", TypeRef::Primitive(Primitive::Bool)) => Some(ty),
        _ => None,
    }
}
