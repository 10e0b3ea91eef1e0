//! What changed between the spec that was there and the spec an import produced: items
//! added and removed, and each changed field with its old and new value.
//!
//! The comparison is generic over the spec's serde form, so a field added to the model
//! shows up in changelogs without code here. Each change is classified for the generated
//! crate's public API by the table in [`crate::semver`] (a field added to the model with
//! no rule shows as breaking, "unclassified", until a row covers it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use crate::change::Change;
use crate::change::{operation_named, operation_route};
use crate::semver::{classify, Bump, Class, Verdict, UNCLASSIFIED};
use crate::spec::Spec;

/// The changes of one spec, each with its verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changelog {
    /// The changes: service fields first, then items in name order.
    pub changes: Vec<Change>,
    /// The verdict on each change, by position (`verdicts[i]` is about `changes[i]`).
    pub verdicts: Vec<Verdict>,
}

impl Changelog {
    /// Classifies `changes` between `old` (none: a first import) and `new`.
    pub fn classified(changes: Vec<Change>, old: Option<&Spec>, new: &Spec) -> Self {
        let verdicts = changes.iter().map(|c| classify(c, old, new)).collect();
        Changelog { changes, verdicts }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Each change with its verdict (a change without one, in a changelog built by hand,
    /// reads as unclassified).
    pub fn entries(&self) -> impl Iterator<Item = (&Change, Verdict)> + '_ {
        self.changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c, self.verdicts.get(i).copied().unwrap_or(UNCLASSIFIED)))
    }

    /// How many changes have the class.
    pub fn count_of(&self, class: Class) -> usize {
        self.entries().filter(|(_, v)| v.class == class).count()
    }

    /// How many changes alter run-time behaviour.
    pub fn behaviour_count(&self) -> usize {
        self.entries().filter(|(_, v)| v.behaviour).count()
    }

    /// The bump the changes call for: that of the gravest class; none without changes.
    pub fn bump(&self) -> Option<Bump> {
        self.entries().map(|(_, v)| v.class).max().map(Class::bump)
    }

    fn count(&self, f: impl Fn(&Change) -> bool) -> usize {
        self.changes.iter().filter(|c| f(c)).count()
    }

    /// The changelog as JSON, for scripts: the bump, the counts per class, and every
    /// change with its verdict and its whole old and new values (not shortened).
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .entries()
            .map(|(change, verdict)| {
                let (op, kind, name, field, old, new) = match change {
                    Change::Added { kind, name } => ("added", kind, name, None, None, None),
                    Change::Removed { kind, name } => ("removed", kind, name, None, None, None),
                    Change::Changed {
                        kind,
                        name,
                        field,
                        old,
                        new,
                    } => ("changed", kind, name, Some(field), Some(old), Some(new)),
                };
                // An absent value is null, not the text's `(none)`.
                let (old, new) = (old.filter(|v| *v != NONE), new.filter(|v| *v != NONE));
                serde_json::json!({
                    "class": verdict.class.as_str(),
                    "behaviour": verdict.behaviour,
                    "reason": verdict.reason,
                    "change": op,
                    "kind": kind,
                    "name": name,
                    "field": field,
                    "old": old,
                    "new": new,
                })
            })
            .collect();
        serde_json::json!({
            "bump": self.bump().map(Bump::as_str),
            "counts": {
                "breaking": self.count_of(Class::Breaking),
                "additive": self.count_of(Class::Additive),
                "patch": self.count_of(Class::Patch),
                "behaviour": self.behaviour_count(),
            },
            "changes": changes,
        })
    }
}

impl fmt::Display for Changelog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(bump) = self.bump() else {
            return writeln!(f, "no changes");
        };
        writeln!(
            f,
            "{} added, {} removed, {} field(s) changed: {} breaking, {} additive, {} patch \
             ({} changing run-time behaviour)",
            self.count(|c| matches!(c, Change::Added { .. })),
            self.count(|c| matches!(c, Change::Removed { .. })),
            self.count(|c| matches!(c, Change::Changed { .. })),
            self.count_of(Class::Breaking),
            self.count_of(Class::Additive),
            self.count_of(Class::Patch),
            self.behaviour_count(),
        )?;
        writeln!(
            f,
            "bump: {bump} (0.x crates, whose minor cargo reads as breaking: {})",
            bump.under_zero()
        )?;
        for (change, verdict) in self.entries() {
            let tag = if verdict.behaviour {
                format!("[{}, behaviour]", verdict.class)
            } else {
                format!("[{}]", verdict.class)
            };
            let reason = verdict.reason;
            match change {
                Change::Added { kind, name } => writeln!(f, "  + {tag} {kind} {name} ({reason})")?,
                Change::Removed { kind, name } => {
                    writeln!(f, "  - {tag} {kind} {name} ({reason})")?
                }
                Change::Changed {
                    kind,
                    name,
                    field,
                    old,
                    new,
                } => {
                    let (old, new) = shorten_pair(old, new);
                    writeln!(
                        f,
                        "  ~ {tag} {kind} {name}: {field}: {old} -> {new} ({reason})"
                    )?
                }
            }
        }
        Ok(())
    }
}

/// How many characters of a changed value a changelog line shows.
const SHOWN: usize = 100;

/// Keeps changelog lines readable when a value is a whole JSON example: both values of a
/// change, whitespace runs flattened, cut to [`SHOWN`] characters. Where they first differ
/// past the cut (a long `basis` that changed at its end), both are shown from a little
/// before that point, so the line says what changed.
pub(crate) fn shorten_pair(old: &str, new: &str) -> (String, String) {
    let flat = |value: &str| -> Vec<char> {
        value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .collect()
    };
    let (old, new) = (flat(old), flat(new));
    let differ_at = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    // Start early enough to show some shared context before the difference.
    let start = if differ_at + 20 > SHOWN {
        differ_at - 30
    } else {
        0
    };
    let window = |chars: &[char]| -> String {
        let end = chars.len().min(start + SHOWN);
        let mut text: String = chars[start.min(end)..end].iter().collect();
        if start > 0 {
            text.insert(0, '…');
        }
        if end < chars.len() {
            text.push('…');
        }
        text
    };
    (window(&old), window(&new))
}

/// The changes from `old` (none: a first import) to `new`.
pub fn diff(old: Option<&Spec>, new: &Spec) -> Changelog {
    let (old_spec, new_spec) = (old, new);
    let mut old = old.map(sections).unwrap_or_default();
    let new = sections(new);
    // A renamed service is one item whose `name` changed, not one gone and one new.
    if let (Some(old_service), Some(new_service)) = (old.get_mut("service"), new.get("service")) {
        if let (Some(old_key), Some(new_key)) = (
            old_service.keys().next().cloned(),
            new_service.keys().next().cloned(),
        ) {
            if old_key != new_key {
                let value = old_service.remove(&old_key).expect("the key was just read");
                old_service.insert(new_key, value);
            }
        }
    }
    let mut changes = Vec::new();
    // Sections in a fixed order; within each, items by name.
    for (kind, new_items) in &new {
        let empty = BTreeMap::new();
        let old_items = old.get(kind).unwrap_or(&empty);
        diff_items(kind, old_items, new_items, &mut changes);
    }
    for (kind, old_items) in &old {
        if !new.contains_key(kind) {
            diff_items(kind, old_items, &BTreeMap::new(), &mut changes);
        }
    }
    if let Some(old_spec) = old_spec {
        changes.extend(crate::semver::side_changes(old_spec, new_spec));
    }
    Changelog::classified(changes, old_spec, new_spec)
}

fn diff_items(
    kind: &'static str,
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
    changes: &mut Vec<Change>,
) {
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    for key in names {
        let (old_value, new_value) = (old.get(key), new.get(key));
        let name = label(kind, key, new_value.or(old_value));
        match (old_value, new_value) {
            (None, Some(_)) if kind != "service" => changes.push(Change::Added { kind, name }),
            (Some(_), None) if kind != "service" => changes.push(Change::Removed { kind, name }),
            (old_value, new_value) => {
                let (mut old_fields, mut old_items) = (BTreeMap::new(), BTreeMap::new());
                let (mut new_fields, mut new_items) = (BTreeMap::new(), BTreeMap::new());
                if let Some(v) = old_value {
                    flatten("", v, &mut old_fields, &mut old_items);
                }
                if let Some(v) = new_value {
                    flatten("", v, &mut new_fields, &mut new_items);
                }
                // An entry of a keyed list (a parameter, a field) that is new or gone is
                // one change showing the whole entry, not one per leaf of it (an entry
                // sorts before the entries inside it).
                let mut whole = BTreeMap::new();
                let entries: BTreeSet<&String> = old_items.keys().chain(new_items.keys()).collect();
                for path in entries {
                    let (o, n) = (old_items.get(path), new_items.get(path));
                    if o.is_some() != n.is_some() && !is_inside(path, whole.keys()) {
                        whole.insert(path.clone(), (shown(o), shown(n)));
                    }
                }
                let mut fields: BTreeMap<String, (String, String)> = BTreeMap::new();
                let keys = old_fields.keys().chain(new_fields.keys());
                for field in keys.filter(|f| !is_inside(f, whole.keys())) {
                    let (o, n) = (old_fields.get(field), new_fields.get(field));
                    if o != n {
                        fields.insert(field.clone(), (shown(o), shown(n)));
                    }
                }
                fields.extend(whole);
                for (field, (old, new)) in fields {
                    changes.push(Change::Changed {
                        kind,
                        name: name.clone(),
                        field,
                        old,
                        new,
                    });
                }
            }
        }
    }
}

/// A spec as sections of named items: the service-level blocks under `service`, then
/// actions or operations, error codes, then types.
fn sections(spec: &Spec) -> BTreeMap<&'static str, BTreeMap<String, Value>> {
    let value = match spec {
        Spec::Tencent(spec) => to_value(spec),
        Spec::Huawei(spec) => to_value(spec),
    };
    let Value::Object(top) = value else {
        unreachable!("specs serialise to maps")
    };
    let mut service = BTreeMap::new();
    let mut out: BTreeMap<&'static str, BTreeMap<String, Value>> = BTreeMap::new();
    for (key, value) in top {
        match key.as_str() {
            "actions" | "operations" => {
                let kind = if key == "actions" {
                    "action"
                } else {
                    "operation"
                };
                let items = out.entry(kind).or_default();
                for item in value.as_array().into_iter().flatten() {
                    items.insert(item_key(kind, item), item.clone());
                }
            }
            // Added and removed codes read as such, a new description as a changed field.
            "error_codes" => {
                let items = out.entry("error code").or_default();
                for item in value.as_array().into_iter().flatten() {
                    let code = item.get("code").and_then(Value::as_str).unwrap_or_default();
                    items.insert(code.to_owned(), item.clone());
                }
            }
            "types" => {
                let items = out.entry("type").or_default();
                for (name, def) in value.as_object().into_iter().flatten() {
                    items.insert(name.clone(), def.clone());
                }
            }
            _ => {
                service.insert(key, value);
            }
        }
    }
    let service_name = match spec {
        Spec::Tencent(s) => &s.service.name,
        Spec::Huawei(s) => &s.service.name,
    };
    out.entry("service").or_default().insert(
        service_name.clone(),
        Value::Object(service.into_iter().collect()),
    );
    out
}

/// Operations are keyed by route (and shown with it), so a renamed operation reads as a
/// changed name rather than one removed and one added.
fn item_key(kind: &str, item: &Value) -> String {
    let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
    if kind == "operation" {
        let method = item
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let path = item.get("path").and_then(Value::as_str).unwrap_or_default();
        return operation_route(method, path);
    }
    name.to_owned()
}

/// How an item is named in the changelog: operations by name and route.
fn label(kind: &str, key: &str, item: Option<&Value>) -> String {
    match item.and_then(|i| i.get("name")).and_then(Value::as_str) {
        Some(name) if kind == "operation" => operation_named(name, key),
        _ => key.to_owned(),
    }
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("spec types serialise to JSON values")
}

/// How a changelog line shows an absent value.
pub(crate) const NONE: &str = "(none)";

/// A changed value as the changelog shows it: `(none)` where absent.
fn shown(value: Option<&impl ToString>) -> String {
    value.map_or_else(|| NONE.to_owned(), ToString::to_string)
}

/// Whether `path` is one of `entries` or lies inside one (`params[a].type` is inside
/// `params[a]`).
fn is_inside<'p>(path: &str, mut entries: impl Iterator<Item = &'p String>) -> bool {
    entries.any(|entry| {
        path.strip_prefix(entry.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// Flattens a value into `path -> text` leaves. Lists of objects that carry a `name`,
/// `file` or `title` are keyed by it, so inserting one entry does not shift every later
/// one; other lists compare as a whole. Each entry of a keyed list, and each nested
/// object, also goes to `items` by its path (`params[order_id]`, `pagination`).
fn flatten(
    prefix: &str,
    value: &Value,
    out: &mut BTreeMap<String, String>,
    items: &mut BTreeMap<String, Value>,
) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            // A nested block (an action's `pagination`) that is new or gone is one change
            // showing it whole, as for entries of keyed lists.
            if !prefix.is_empty() {
                items.insert(prefix.to_owned(), value.clone());
            }
            for (key, v) in map {
                flatten(&join(key), v, out, items);
            }
        }
        Value::Array(list) if !list.is_empty() && list.iter().all(|i| list_key(i).is_some()) => {
            for item in list {
                let key = list_key(item).unwrap_or_default();
                let path = format!("{prefix}[{key}]");
                flatten(&path, item, out, items);
                items.insert(path, item.clone());
            }
        }
        Value::Null => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

fn list_key(item: &Value) -> Option<String> {
    ["name", "file", "title", "field"]
        .iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_that_differ_late_show_where_they_differ() {
        let common = "request fields Page/PageSize (int64); page numbers from 1; ".repeat(3);
        let old = format!("{common}page size 1, the largest the examples send");
        let new = format!("{common}page size 10 assumed");
        let (shown_old, shown_new) = shorten_pair(&old, &new);
        assert_ne!(shown_old, shown_new);
        assert!(shown_old.contains("page size 1,"), "{shown_old}");
        assert!(shown_new.contains("page size 10 assumed"), "{shown_new}");
        assert!(shown_old.starts_with('…') && shown_old.chars().count() <= 102);
        // Short values, and long ones differing early, are shown from their start.
        assert_eq!(shorten_pair("a", "b"), ("a".into(), "b".into()));
        let (early, _) = shorten_pair(&format!("x{common}"), &format!("y{common}"));
        assert!(early.starts_with('x') && early.ends_with('…'));
    }
}
