//! What each spec change does to the generated crate's public API: `breaking`, `additive`
//! or `patch`, and whether it changes what the crate does at run time without changing
//! its API (`behaviour`: a QPS limit, a CAM class, how a paginator pages).
//!
//! The decision is the table [`RULES`]: one row per rule, read top to bottom, the first
//! row that matches a change decides. A change no row covers is [`UNCLASSIFIED`]: breaking,
//! because a bump that is too big costs downstream crates a needless update, and one that
//! is too small breaks their builds without warning.
//!
//! The rows follow what the emitters print (`codegen/src/emit`):
//! - `Action`, `Operation` and `ServiceError` are `#[non_exhaustive]` enums: a new variant
//!   is additive, a variant gone (or renamed) is breaking.
//! - Every model is a `#[non_exhaustive]` struct with public fields; a field is
//!   `Option<T>` exactly when it is not required or is nullable. So a new field is
//!   additive, except a mandatory one in a model callers build (one reachable from a
//!   request: its `…Required` struct gains a field); a field gone, a new Rust type or
//!   name, and `T` becoming `Option<T>` or back are breaking.
//! - Huawei request structs hold the operation's parameters by the same rules, without
//!   those filled from the credentials.
//! - A typed action or operation has a client method; a paged one a `<name>_pages`
//!   method and a `Paged` impl whose `Item` is the element type of the items field.
//! - Table values (QPS, CAM facts, categories, titles, descriptions, permissions) are
//!   data in `ActionInfo`/`OperationInfo`: changing them changes no type.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::changelog::Change;
use crate::spec::{FieldDef, HuaweiOperation, HuaweiParam, Spec, TencentAction, TypeDef};

/// What a change does to the public API of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// No API change: docs, data in tables, run-time behaviour.
    Patch,
    /// New API only: code that built before still builds.
    Additive,
    /// Code that built before may not build (or may mean something else).
    Breaking,
}

impl Class {
    /// The changelog spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Patch => "patch",
            Class::Additive => "additive",
            Class::Breaking => "breaking",
        }
    }

    /// The version bump the class calls for.
    pub fn bump(self) -> Bump {
        match self {
            Class::Patch => Bump::Patch,
            Class::Additive => Bump::Minor,
            Class::Breaking => Bump::Major,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A semver bump, by the 1.0 rules (see [`Bump::under_zero`] for 0.x crates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bump {
    /// `x.y.z -> x.y.(z+1)`.
    Patch,
    /// `x.y.z -> x.(y+1).0`.
    Minor,
    /// `x.y.z -> (x+1).0.0`.
    Major,
}

impl Bump {
    /// The spelling in changelogs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// What the bump means for a `0.y.z` crate, where cargo treats `0.y -> 0.(y+1)` as
    /// breaking and `0.y.z -> 0.y.(z+1)` as compatible: a major change bumps the minor,
    /// a minor or patch change the patch.
    pub fn under_zero(self) -> &'static str {
        match self {
            Bump::Major => "0.y.z -> 0.(y+1).0",
            Bump::Minor | Bump::Patch => "0.y.z -> 0.y.(z+1)",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decision on one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Its class.
    pub class: Class,
    /// It changes what the crate does at run time (rate limits, retries, paging,
    /// policies, where requests go).
    pub behaviour: bool,
    /// Why, in a few words (shown on the changelog line).
    pub reason: &'static str,
}

/// The verdict on a change no rule covers.
pub const UNCLASSIFIED: Verdict = Verdict {
    class: Class::Breaking,
    behaviour: false,
    reason: "unclassified: no rule covers this field; check the generated API by hand",
};

/// Which kind of change a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// An item (action, operation, type, error code) is new.
    Added,
    /// An item is gone.
    Removed,
    /// A field of an item changed (including an entry of a list, like a type's field,
    /// appearing or going).
    Changed,
}

/// A condition of a rule on the change and the two specs. A rule's conditions must all
/// hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The field had no value and has one (an entry or block that is new).
    Appeared,
    /// The field had a value and has none (an entry or block that is gone).
    Vanished,
    /// The new value is `true`.
    BecameTrue,
    /// The new value is `false` (or absent: the spec omits false flags).
    BecameFalse,
    /// The action or operation (the one added or removed) has typed models: a client
    /// method, models, a request struct.
    Typed,
    /// The operation added (removed) is one of the other spec's, by name, at another
    /// route: it moved.
    RouteMoved,
    /// It moved, and nothing else about it changed.
    RouteMovedOnly,
    /// The operation has typed models in the new spec and not in the old.
    NowTyped,
    /// The operation had typed models in the old spec and has none in the new.
    NoLongerTyped,
    /// The type is built by callers: reachable from a request, in the old spec or the
    /// new.
    RequestSide,
    /// The entry that appeared or vanished (a type's field, an operation's parameter) is
    /// one a caller must give: required, not nullable, not filled from the credentials.
    EntryMandatory,
    /// The parameter that appeared or vanished is filled from the credentials (not in the
    /// request struct).
    EntryFromCredentials,
    /// The paginator's items field names lists of one element type in both specs (so its
    /// `Paged::Item` stays).
    SameItemType,
    /// The type (in the new spec) has a field callers must give: required, not nullable.
    TypeHasMandatory,
    /// The type's field is `Option<T>` in both specs however `required` reads (it is
    /// nullable in both).
    FieldNullableBoth,
    /// The type's field is `Option<T>` in both specs however `nullable` reads (it is not
    /// required in both).
    FieldOptionalBoth,
    /// The operation's parameter is filled from the credentials in both specs (not in the
    /// request struct, whatever else changes).
    ParamFromCredentialsBoth,
}

impl When {
    /// The condition in words, for the rules table in docs and `--rules`.
    pub fn describe(self) -> &'static str {
        match self {
            When::Appeared => "appeared",
            When::Vanished => "vanished",
            When::BecameTrue => "became true",
            When::BecameFalse => "became false",
            When::Typed => "typed",
            When::RouteMoved => "same name at another route",
            When::RouteMovedOnly => "same name at another route, otherwise equal",
            When::NowTyped => "now typed",
            When::NoLongerTyped => "no longer typed",
            When::RequestSide => "type is request-side",
            When::EntryMandatory => "entry is mandatory",
            When::EntryFromCredentials => "param from credentials",
            When::SameItemType => "same item type",
            When::TypeHasMandatory => "type has a required field",
            When::FieldNullableBoth => "field nullable in both",
            When::FieldOptionalBoth => "field not required in both",
            When::ParamFromCredentialsBoth => "param from credentials in both",
        }
    }
}

/// One row of the classification table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The kinds of item it applies to (`action`, `operation`, `type`, `error code`,
    /// `service`).
    pub kinds: &'static [&'static str],
    /// Added, removed or changed.
    pub op: Op,
    /// The field path (`*` matches any text; empty for added and removed items).
    pub field: &'static str,
    /// Conditions that must all hold.
    pub when: &'static [When],
    /// The class.
    pub class: Class,
    /// Whether it changes run-time behaviour.
    pub behaviour: bool,
    /// Why (shown on the changelog line).
    pub reason: &'static str,
}

const ACTION: &[&str] = &["action"];
const OPERATION: &[&str] = &["operation"];
const ITEM: &[&str] = &["action", "operation"];
const TYPE: &[&str] = &["type"];
const CODE: &[&str] = &["error code"];
const SERVICE: &[&str] = &["service"];

const fn rule(
    kinds: &'static [&'static str],
    op: Op,
    field: &'static str,
    when: &'static [When],
    class: Class,
    behaviour: bool,
    reason: &'static str,
) -> Rule {
    Rule {
        kinds,
        op,
        field,
        when,
        class,
        behaviour,
        reason,
    }
}

use Class::{Additive, Breaking, Patch};
use Op::{Added, Changed, Removed};
use When::*;

/// The classification table: the first row that matches a change decides.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    // Actions and operations as a whole.
    rule(OPERATION, Added, "", &[RouteMovedOnly], Patch, true, "the same operation at a new route: its variant and method stay"),
    rule(OPERATION, Removed, "", &[RouteMovedOnly], Patch, true, "the same operation moved to a new route (its + line)"),
    rule(OPERATION, Added, "", &[RouteMoved], Breaking, false, "moved to a new route and changed: compare its - and + lines by hand"),
    rule(OPERATION, Removed, "", &[RouteMoved], Breaking, false, "moved to a new route and changed: compare its - and + lines by hand"),
    rule(ITEM, Added, "", &[Typed], Additive, false, "a new variant of the #[non_exhaustive] enum, a client method and its models"),
    rule(ITEM, Added, "", &[], Additive, false, "a new variant of the #[non_exhaustive] enum"),
    rule(ITEM, Removed, "", &[], Breaking, false, "its enum variant (and client method, if typed) is gone"),
    rule(OPERATION, Changed, "name", &[], Breaking, false, "renames the Operation variant, the client method and the request struct"),
    rule(ITEM, Changed, "rust_name", &[], Breaking, false, "renames the enum variant and the client method"),
    // Typed or not.
    rule(ACTION, Changed, "in_api_definition", &[BecameTrue], Additive, false, "now typed: a new client method"),
    rule(ACTION, Changed, "in_api_definition", &[BecameFalse], Breaking, false, "no longer typed: the client method is gone"),
    rule(ITEM, Changed, "request", &[Appeared], Additive, false, "a new request type"),
    rule(ITEM, Changed, "response", &[Appeared], Additive, false, "now typed: a new client method and request struct"),
    rule(ITEM, Changed, "response", &[Vanished], Breaking, false, "no longer typed: the client method is gone"),
    rule(ITEM, Changed, "request", &[], Breaking, false, "the client method takes another type"),
    rule(ITEM, Changed, "response", &[], Breaking, false, "the client method returns another type"),
    // Huawei parameters: fields of the operation's request struct (which an operation
    // becoming typed or untyped gains or loses whole).
    rule(OPERATION, Changed, "params*", &[NowTyped], Additive, false, "part of the new request struct"),
    rule(OPERATION, Changed, "params*", &[NoLongerTyped], Breaking, false, "part of the request struct that is gone"),
    rule(OPERATION, Changed, "params[*]", &[Appeared, EntryFromCredentials], Patch, true, "filled from the credentials, not a field of the request"),
    rule(OPERATION, Changed, "params[*]", &[Appeared, EntryMandatory], Breaking, false, "a new required parameter: the …Required struct gains a field"),
    rule(OPERATION, Changed, "params[*]", &[Appeared], Additive, false, "a new optional parameter: a with_* setter"),
    rule(OPERATION, Changed, "params[*]", &[Vanished, EntryFromCredentials], Patch, true, "was filled from the credentials, not a field of the request"),
    rule(OPERATION, Changed, "params[*]", &[Vanished], Breaking, false, "a parameter is gone: its field (and setter) with it"),
    rule(OPERATION, Changed, "params[*].wire_name", &[], Patch, true, "the name on the wire only"),
    rule(OPERATION, Changed, "params[*].location", &[], Patch, true, "where the request carries it only"),
    rule(OPERATION, Changed, "params[*].*", &[ParamFromCredentialsBoth], Patch, true, "filled from the credentials, not a field of the request"),
    rule(OPERATION, Changed, "params[*].type", &[], Breaking, false, "a parameter's type changed"),
    rule(OPERATION, Changed, "params[*].required", &[], Breaking, false, "T <-> Option<T>, between …Required and a with_* setter"),
    rule(OPERATION, Changed, "params[*].from_credentials", &[], Breaking, false, "the request struct gains or loses the field"),
    // Pagination.
    rule(ITEM, Changed, "pagination", &[Appeared], Additive, false, "a new <name>_pages paginator"),
    rule(ITEM, Changed, "pagination", &[Vanished], Breaking, false, "the <name>_pages paginator and Paged impl are gone"),
    rule(ITEM, Changed, "pagination.items", &[SameItemType], Patch, true, "another list of the same item type: run time only"),
    rule(ITEM, Changed, "pagination.items", &[], Breaking, false, "the paginator's Item type follows the items field"),
    rule(ITEM, Changed, "pagination.basis", &[], Patch, false, "notes on where the paging facts came from"),
    rule(ITEM, Changed, "pagination*", &[], Patch, true, "how the paginator pages (style, fields, page sizes, total): run time only"),
    // Table data of actions and operations.
    rule(ITEM, Changed, "qps", &[], Patch, true, "the client's rate limit for it"),
    rule(ACTION, Changed, "cam_class", &[], Patch, true, "its CAM class: retry safety and policy selection"),
    rule(ACTION, Changed, "category", &[], Patch, true, "its API category: policy selection by category"),
    rule(ACTION, Changed, "granularity", &[], Patch, true, "a CAM fact the policy tools read"),
    rule(ACTION, Changed, "resource", &[], Patch, true, "a CAM fact the policy tools read"),
    rule(ACTION, Changed, "ip_restriction", &[], Patch, true, "a CAM fact the policy tools read"),
    rule(OPERATION, Changed, "permissions", &[], Patch, true, "the permission actions that unlock it (policies, mock checks)"),
    rule(OPERATION, Changed, "path_params", &[], Patch, true, "the route's placeholders (table data)"),
    rule(ITEM, Changed, "title", &[], Patch, false, "docs"),
    rule(OPERATION, Changed, "description", &[], Patch, false, "docs"),
    rule(OPERATION, Changed, "scenario", &[], Patch, false, "docs (table data)"),
    rule(OPERATION, Changed, "sub_scenario", &[], Patch, false, "docs (table data)"),
    rule(OPERATION, Changed, "console_path", &[], Patch, false, "docs (table data)"),
    rule(ACTION, Changed, "examples*", &[], Patch, false, "the vendor's examples (docs, mocks)"),
    rule(ACTION, Changed, "broken_examples*", &[], Patch, false, "notes on unusable examples"),
    rule(ITEM, Changed, "conflicts*", &[], Patch, false, "notes on disagreeing sources"),
    rule(ITEM, Changed, "pinned", &[], Patch, false, "which fields a re-import keeps"),
    // Types: the models.
    rule(TYPE, Added, "", &[], Additive, false, "a new model struct"),
    rule(TYPE, Removed, "", &[], Breaking, false, "a model struct is gone"),
    rule(TYPE, Changed, "doc", &[], Patch, false, "docs"),
    rule(TYPE, Changed, "fields[*]", &[Appeared, RequestSide, EntryMandatory], Breaking, false, "a new required field of a model callers build: its …Required struct gains a field"),
    rule(TYPE, Changed, "fields[*]", &[Appeared], Additive, false, "a new field of a #[non_exhaustive] model"),
    rule(TYPE, Changed, "fields[*]", &[Vanished], Breaking, false, "a public field (and its setter) is gone"),
    rule(TYPE, Changed, "fields[*].type", &[], Breaking, false, "a field's type changed"),
    rule(TYPE, Changed, "fields[*].rust_name", &[], Breaking, false, "renames a public field (and its setter)"),
    rule(TYPE, Changed, "fields[*].required", &[FieldNullableBoth], Patch, false, "nullable: Option<T> either way"),
    rule(TYPE, Changed, "fields[*].required", &[], Breaking, false, "T <-> Option<T> (and between …Required and with_*)"),
    rule(TYPE, Changed, "fields[*].nullable", &[FieldOptionalBoth], Patch, false, "not required: Option<T> either way"),
    rule(TYPE, Changed, "fields[*].nullable", &[], Breaking, false, "T <-> Option<T> (and between …Required and with_*)"),
    rule(TYPE, Changed, "fields[*].disabled", &[], Patch, false, "a note in the field's docs"),
    rule(TYPE, Changed, "fields[*].doc", &[], Patch, false, "docs"),
    rule(TYPE, Changed, "fields[*].example", &[], Patch, false, "docs"),
    // A model changing sides (a line `side_changes` adds: no field of the spec says it).
    rule(TYPE, Changed, BUILT_BY_CALLERS, &[BecameTrue, TypeHasMandatory], Breaking, true, "callers now build it: it loses Default, new() takes a …Required struct, decoding turns strict"),
    rule(TYPE, Changed, BUILT_BY_CALLERS, &[BecameTrue], Additive, true, "callers now build it: new() and with_* setters, decoding turns strict"),
    rule(TYPE, Changed, BUILT_BY_CALLERS, &[BecameFalse], Breaking, true, "callers no longer build it: its new() and with_* setters are gone"),
    // Error codes: the ServiceError enum.
    rule(CODE, Added, "", &[], Additive, false, "a new variant of the #[non_exhaustive] ServiceError"),
    rule(CODE, Removed, "", &[], Breaking, false, "a ServiceError variant is gone"),
    rule(CODE, Changed, "description", &[], Patch, false, "ServiceError::description text"),
    // The service.
    rule(SERVICE, Changed, "service.provider", &[], Breaking, false, "another cloud: another crate"),
    rule(SERVICE, Changed, "service.name", &[], Breaking, false, "the service name names the crate"),
    rule(SERVICE, Changed, "service.protocol*", &[], Breaking, false, "another wire protocol or signing scheme"),
    rule(SERVICE, Changed, "service.endpoint", &[], Patch, true, "requests go to another host (ENDPOINT)"),
    rule(SERVICE, Changed, "service.api_version", &[], Patch, true, "requests name another API version (API_VERSION)"),
    rule(SERVICE, Changed, "service.default_qps.value", &[], Patch, true, "the rate limit of actions without a documented one"),
    rule(SERVICE, Changed, "service.default_qps", &[], Patch, true, "the rate limit of actions without a documented one"),
    rule(SERVICE, Changed, "service.default_qps.*", &[], Patch, false, "notes on the assumed rate limit"),
    rule(SERVICE, Changed, "cam.*", &[], Patch, true, "a product-level CAM fact the policy tools read"),
    rule(SERVICE, Changed, "permissions.*", &[], Patch, true, "how permissions grant access (policies, mock checks)"),
    rule(SERVICE, Changed, "category_tables*", &[], Patch, false, "the category page's layout"),
    rule(SERVICE, Changed, "service.title", &[], Patch, false, "docs"),
    rule(SERVICE, Changed, "service.sources*", &[], Patch, false, "which doc editions it came from"),
];

/// The verdict on every change of a first import: there is no crate before it.
pub const FIRST_IMPORT: Verdict = Verdict {
    class: Class::Additive,
    behaviour: false,
    reason: "a new crate: no spec before",
};

/// The verdict on `change` between `old` (none: a first import) and `new`.
pub fn classify(change: &Change, old: Option<&Spec>, new: &Spec) -> Verdict {
    if old.is_none() {
        return FIRST_IMPORT;
    }
    match matching_rule(change, old, new) {
        Some(index) => {
            let rule = &RULES[index];
            Verdict {
                class: rule.class,
                behaviour: rule.behaviour,
                reason: rule.reason,
            }
        }
        None => UNCLASSIFIED,
    }
}

/// The index in [`RULES`] of the row that decides `change`, if any.
pub fn matching_rule(change: &Change, old: Option<&Spec>, new: &Spec) -> Option<usize> {
    let facts = Facts::of(change);
    RULES.iter().position(|rule| {
        rule.op == facts.op
            && rule.kinds.contains(&facts.kind)
            && glob(rule.field, facts.field)
            && rule
                .when
                .iter()
                .all(|&when| holds(when, &facts, change, old, new))
    })
}

/// The parts of a change the rules look at.
struct Facts<'c> {
    op: Op,
    kind: &'c str,
    name: &'c str,
    field: &'c str,
    old: Option<&'c str>,
    new: Option<&'c str>,
}

/// How the changelog shows an absent value.
const NONE: &str = "(none)";

impl<'c> Facts<'c> {
    fn of(change: &'c Change) -> Self {
        let present = |v: &'c str| (v != NONE).then_some(v);
        match change {
            Change::Added { kind, name } => Facts {
                op: Op::Added,
                kind,
                name,
                field: "",
                old: None,
                new: None,
            },
            Change::Removed { kind, name } => Facts {
                op: Op::Removed,
                kind,
                name,
                field: "",
                old: None,
                new: None,
            },
            Change::Changed {
                kind,
                name,
                field,
                old,
                new,
            } => Facts {
                op: Op::Changed,
                kind,
                name,
                field,
                old: present(old),
                new: present(new),
            },
        }
    }

    /// The key of the first `[...]` of the field path (`fields[Total].type` → `Total`).
    fn entry_key(&self) -> Option<&'c str> {
        let (_, rest) = self.field.split_once('[')?;
        Some(rest.split_once(']')?.0)
    }

    /// The entry that appeared or vanished, as JSON.
    fn entry(&self) -> Option<Value> {
        serde_json::from_str(self.new.or(self.old)?).ok()
    }
}

fn holds(when: When, facts: &Facts<'_>, change: &Change, old: Option<&Spec>, new: &Spec) -> bool {
    let flag = |value: Option<&str>| value == Some("true");
    let entry_flag = |key: &str| {
        facts
            .entry()
            .and_then(|e| e.get(key).and_then(Value::as_bool))
            .unwrap_or(false)
    };
    let specs = || old.into_iter().chain(Some(new));
    match when {
        When::Appeared => facts.old.is_none() && facts.new.is_some(),
        When::Vanished => facts.old.is_some() && facts.new.is_none(),
        When::BecameTrue => flag(facts.new),
        When::BecameFalse => !flag(facts.new),
        When::Typed => {
            // The added item is in the new spec, the removed one in the old.
            let spec = match change {
                Change::Removed { .. } => old,
                _ => Some(new),
            };
            spec.is_some_and(|spec| match spec {
                Spec::Tencent(s) => {
                    action(&s.actions, facts.name).is_some_and(|a| a.in_api_definition)
                }
                Spec::Huawei(s) => {
                    operation(&s.operations, facts.name).is_some_and(|o| o.is_typed())
                }
            })
        }
        When::RouteMoved | When::RouteMovedOnly => {
            // This spec has the item; the other may have it under its name.
            let (here, there) = match change {
                Change::Removed { .. } => (old, Some(new)),
                _ => (Some(new), old),
            };
            let (Some(Spec::Huawei(here)), Some(Spec::Huawei(there))) = (here, there) else {
                return false;
            };
            let Some(this) = operation(&here.operations, facts.name) else {
                return false;
            };
            there.operations.iter().any(|other| {
                // Its old route is gone from this spec (not a second operation of one
                // name, which validation refuses anyway).
                other.name == this.name
                    && !here
                        .operations
                        .iter()
                        .any(|o| (o.method, &o.path) == (other.method, &other.path))
                    && (when == When::RouteMoved || {
                        let mut moved = other.clone();
                        moved.method = this.method;
                        moved.path = this.path.clone();
                        moved == *this
                    })
            })
        }
        When::NowTyped | When::NoLongerTyped => {
            let typed = |spec: Option<&Spec>| match spec {
                Some(Spec::Huawei(s)) => {
                    operation(&s.operations, facts.name).is_some_and(|o| o.is_typed())
                }
                _ => false,
            };
            let (before, after) = (typed(old), typed(Some(new)));
            match when {
                When::NowTyped => !before && after,
                _ => before && !after,
            }
        }
        When::RequestSide => specs().any(|spec| request_side(spec).contains(facts.name)),
        When::EntryMandatory => {
            entry_flag("required") && !entry_flag("nullable") && !entry_flag("from_credentials")
        }
        When::EntryFromCredentials => entry_flag("from_credentials"),
        When::SameItemType => {
            let item_type = |spec: Option<&Spec>| -> Option<crate::spec::TypeRef> {
                let spec = spec?;
                let (response, items) = match spec {
                    Spec::Tencent(s) => {
                        let a = action(&s.actions, facts.name)?;
                        (a.response.as_deref()?, &a.pagination.as_ref()?.items)
                    }
                    Spec::Huawei(s) => {
                        let o = operation(&s.operations, facts.name)?;
                        (o.response.as_deref()?, &o.pagination.as_ref()?.items)
                    }
                };
                match &field(spec, response, items)?.ty {
                    crate::spec::TypeRef::List(inner) => Some((**inner).clone()),
                    _ => None,
                }
            };
            let before = item_type(old);
            before.is_some() && before == item_type(Some(new))
        }
        When::TypeHasMandatory => types(new)
            .get(facts.name)
            .is_some_and(|def| def.fields.iter().any(|f| f.required && !f.nullable)),
        When::FieldNullableBoth | When::FieldOptionalBoth => {
            let Some(key) = facts.entry_key() else {
                return false;
            };
            let fields: Vec<Option<&FieldDef>> = [old, Some(new)]
                .into_iter()
                .map(|spec| spec.and_then(|s| field(s, facts.name, key)))
                .collect();
            fields.iter().all(|f| {
                f.is_some_and(|f| match when {
                    When::FieldNullableBoth => f.nullable,
                    _ => !f.required,
                })
            })
        }
        When::ParamFromCredentialsBoth => {
            let Some(key) = facts.entry_key() else {
                return false;
            };
            [old, Some(new)].into_iter().all(|spec| {
                spec.and_then(|s| param(s, facts.name, key))
                    .is_some_and(|p| p.from_credentials)
            })
        }
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            // Try every split point for the star (patterns are short).
            rest.char_indices()
                .map(|(at, _)| at)
                .chain(Some(rest.len()))
                .any(|at| glob(tail, &rest[at..]))
        }
    }
}

fn action<'s>(actions: &'s [TencentAction], name: &str) -> Option<&'s TencentAction> {
    actions.iter().find(|a| a.name == name)
}

/// The operation a changelog line names: `Name (METHOD /path)`.
fn operation<'s>(operations: &'s [HuaweiOperation], label: &str) -> Option<&'s HuaweiOperation> {
    operations
        .iter()
        .find(|o| crate::changelog::operation_label(o) == label)
}

fn types(spec: &Spec) -> &std::collections::BTreeMap<String, TypeDef> {
    match spec {
        Spec::Tencent(s) => &s.types,
        Spec::Huawei(s) => &s.types,
    }
}

fn field<'s>(spec: &'s Spec, type_name: &str, field: &str) -> Option<&'s FieldDef> {
    types(spec)
        .get(type_name)?
        .fields
        .iter()
        .find(|f| f.name == field)
}

fn param<'s>(spec: &'s Spec, label: &str, name: &str) -> Option<&'s HuaweiParam> {
    let Spec::Huawei(s) = spec else {
        return None;
    };
    operation(&s.operations, label)?
        .params
        .iter()
        .find(|p| p.name == name)
}

/// The field path of the line [`side_changes`] adds.
pub const BUILT_BY_CALLERS: &str = "(built by callers)";

/// Lines for the models of both specs that callers now build, or no longer build (a model
/// reachable from a request gets `new` and `with_*` setters, and loses `Default` if it has
/// required fields). No field of the spec says so: it follows from a change elsewhere
/// (a request's new optional field of a response model's type), whose own line would
/// read additive.
pub fn side_changes(old: &Spec, new: &Spec) -> Vec<Change> {
    let (before, after) = (request_side(old), request_side(new));
    types(new)
        .keys()
        .filter(|name| types(old).contains_key(*name))
        .filter(|name| before.contains(name.as_str()) != after.contains(name.as_str()))
        .map(|name| Change::Changed {
            kind: "type",
            name: name.clone(),
            field: BUILT_BY_CALLERS.into(),
            old: before.contains(name.as_str()).to_string(),
            new: after.contains(name.as_str()).to_string(),
        })
        .collect()
}

/// The types callers build: those reachable through fields from a request type
/// (Tencent: the actions' requests; Huawei: the operations' bodies).
fn request_side(spec: &Spec) -> BTreeSet<&str> {
    let roots: Vec<&str> = match spec {
        Spec::Tencent(s) => s
            .actions
            .iter()
            .filter_map(|a| a.request.as_deref())
            .collect(),
        Spec::Huawei(s) => s.operations.iter().filter_map(|o| o.body_type()).collect(),
    };
    let types = types(spec);
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(name) = stack.pop() {
        if let Some((key, def)) = types.get_key_value(name) {
            if seen.insert(key.as_str()) {
                stack.extend(def.fields.iter().filter_map(|f| f.ty.named()));
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changelog::diff;
    use crate::spec::{
        BrokenExample, Conflict, DefaultQps, HttpMethod, HuaweiSpec, PagingStyle, ParamLocation,
        Provider, Signing, SourcedValue, TencentSpec, TypeRef,
    };
    use crate::specfile::parse_spec;

    fn tencent() -> Spec {
        let text = include_str!("../../tests/fixtures/specs/tencentcloud/demo.yaml");
        parse_spec("tencent demo", text).unwrap().spec
    }

    fn huawei() -> Spec {
        let text = include_str!("../../tests/fixtures/specs/huaweicloud/demo.yaml");
        parse_spec("huawei demo", text).unwrap().spec
    }

    fn tc(spec: &mut Spec) -> &mut TencentSpec {
        match spec {
            Spec::Tencent(s) => s,
            Spec::Huawei(_) => panic!("a Tencent case"),
        }
    }

    fn hw(spec: &mut Spec) -> &mut HuaweiSpec {
        match spec {
            Spec::Huawei(s) => s,
            Spec::Tencent(_) => panic!("a Huawei case"),
        }
    }

    fn act<'s>(spec: &'s mut Spec, name: &str) -> &'s mut TencentAction {
        tc(spec)
            .actions
            .iter_mut()
            .find(|a| a.name == name)
            .unwrap()
    }

    fn op<'s>(spec: &'s mut Spec, name: &str) -> &'s mut HuaweiOperation {
        hw(spec)
            .operations
            .iter_mut()
            .find(|o| o.name == name)
            .unwrap()
    }

    fn par<'s>(spec: &'s mut Spec, operation: &str, name: &str) -> &'s mut HuaweiParam {
        op(spec, operation)
            .params
            .iter_mut()
            .find(|p| p.name == name)
            .unwrap()
    }

    fn types_mut(spec: &mut Spec) -> &mut std::collections::BTreeMap<String, TypeDef> {
        match spec {
            Spec::Tencent(s) => &mut s.types,
            Spec::Huawei(s) => &mut s.types,
        }
    }

    fn fld<'s>(spec: &'s mut Spec, ty: &str, name: &str) -> &'s mut FieldDef {
        let def = types_mut(spec).get_mut(ty).unwrap();
        def.fields.iter_mut().find(|f| f.name == name).unwrap()
    }

    fn new_field(name: &str, ty: &str, required: bool) -> FieldDef {
        FieldDef {
            name: name.into(),
            rust_name: None,
            ty: ty.parse().unwrap(),
            required,
            nullable: false,
            disabled: false,
            example: None,
            doc: None,
        }
    }

    fn new_param(name: &str, required: bool, from_credentials: bool) -> HuaweiParam {
        HuaweiParam {
            name: name.into(),
            wire_name: name.into(),
            location: ParamLocation::Query,
            ty: TypeRef::Primitive(crate::spec::Primitive::String),
            required,
            from_credentials,
        }
    }

    /// One edit of a demo spec and the verdict its one changelog line (of `kind`, at
    /// `field`; empty for an item added or removed) must get.
    struct Case {
        name: &'static str,
        base: fn() -> Spec,
        edit: fn(&mut Spec),
        kind: &'static str,
        field: &'static str,
        class: Class,
        behaviour: bool,
    }

    const fn case(
        name: &'static str,
        base: fn() -> Spec,
        edit: fn(&mut Spec),
        kind: &'static str,
        field: &'static str,
        class: Class,
        behaviour: bool,
    ) -> Case {
        Case {
            name,
            base,
            edit,
            kind,
            field,
            class,
            behaviour,
        }
    }

    const T: fn() -> Spec = tencent;
    const H: fn() -> Spec = huawei;

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        // Actions and operations as a whole.
        case("typed action added", T, |s| { let mut a = act(s, "DescribeUsage").clone(); a.name = "DescribeMore".into(); tc(s).actions.push(a) }, "action", "", Additive, false),
        case("typed operation added", H, |s| { let mut o = op(s, "ListOrders").clone(); o.name = "ListMoreOrders".into(); o.path = "/v3/orders".into(); hw(s).operations.push(o) }, "operation", "", Additive, false),
        case("untyped action added", T, |s| { let mut a = act(s, "QueryT1UIN").clone(); a.name = "QueryT2UIN".into(); tc(s).actions.push(a) }, "action", "", Additive, false),
        case("untyped operation added", H, |s| { let mut o = op(s, "ShowQuota").clone(); o.name = "ShowMoreQuota".into(); o.path = "/v3/quota".into(); hw(s).operations.push(o) }, "operation", "", Additive, false),
        case("operation moved to another route: the old one", H, |s| op(s, "ListOrders").path = "/v3/orders".into(), "operation", "(removed)", Patch, true),
        case("operation moved to another method: the new one", H, |s| op(s, "ShowQuota").method = HttpMethod::Post, "operation", "(added)", Patch, true),
        case("operation moved and changed: the old one", H, |s| { let o = op(s, "ListOrders"); o.path = "/v3/orders".into(); o.params.clear() }, "operation", "(removed)", Breaking, false),
        case("operation moved and changed: the new one", H, |s| { let o = op(s, "ListOrders"); o.path = "/v3/orders".into(); o.params.clear() }, "operation", "(added)", Breaking, false),
        case("action removed", T, |s| tc(s).actions.retain(|a| a.name != "QueryT1UIN"), "action", "", Breaking, false),
        case("typed operation removed", H, |s| hw(s).operations.retain(|o| o.name != "CreateOrder"), "operation", "", Breaking, false),
        case("operation renamed (same route)", H, |s| op(s, "ShowQuota").name = "GetQuota".into(), "operation", "name", Breaking, false),
        case("action rust_name changed", T, |s| act(s, "Match").rust_name = Some("match_all".into()), "action", "rust_name", Breaking, false),
        case("operation rust_name removed", H, |s| op(s, "ShowOrder").rust_name = None, "operation", "rust_name", Breaking, false),
        // Typed or not.
        case("action now in the API definition", T, |s| act(s, "QueryT1UIN").in_api_definition = true, "action", "in_api_definition", Additive, false),
        case("action out of the API definition", T, |s| act(s, "AllocateCredit").in_api_definition = false, "action", "in_api_definition", Breaking, false),
        case("action gains a request type", T, |s| act(s, "QueryT1UIN").request = Some("DescribeUsageRequest".into()), "action", "request", Additive, false),
        case("operation becomes typed", H, |s| op(s, "ShowQuota").response = Some("CreateOrderResponse".into()), "operation", "response", Additive, false),
        case("operation becomes untyped", H, |s| op(s, "CreateOrder").response = None, "operation", "response", Breaking, false),
        case("an operation becoming typed gains its parameters", H, |s| { let o = op(s, "ShowQuota"); o.response = Some("CreateOrderResponse".into()); o.params.push(new_param("region", true, false)) }, "operation", "params[region]", Additive, false),
        case("an operation becoming untyped loses its parameters", H, |s| { let o = op(s, "ListOrders"); o.response = None; o.params.clear() }, "operation", "params[status]", Breaking, false),
        case("action's request type replaced", T, |s| act(s, "AllocateCredit").request = Some("DescribeUsageRequest".into()), "action", "request", Breaking, false),
        case("action's request type gone", T, |s| act(s, "AllocateCredit").request = None, "action", "request", Breaking, false),
        case("action's response type replaced", T, |s| act(s, "AllocateCredit").response = Some("DescribeUsageResponse".into()), "action", "response", Breaking, false),
        case("operation's response type replaced", H, |s| op(s, "CreateOrder").response = Some("ShowOrderResponse".into()), "operation", "response", Breaking, false),
        // Huawei parameters.
        case("parameter from the credentials added", H, |s| op(s, "ListOrders").params.push(new_param("project_id", true, true)), "operation", "params[project_id]", Patch, true),
        case("required parameter added", H, |s| op(s, "ListOrders").params.push(new_param("region", true, false)), "operation", "params[region]", Breaking, false),
        case("optional parameter added", H, |s| op(s, "ListOrders").params.push(new_param("region", false, false)), "operation", "params[region]", Additive, false),
        case("parameter from the credentials removed", H, |s| op(s, "ShowOrder").params.retain(|p| p.name != "domain_id"), "operation", "params[domain_id]", Patch, true),
        case("optional parameter removed", H, |s| op(s, "ListOrders").params.retain(|p| p.name != "only_paid"), "operation", "params[only_paid]", Breaking, false),
        case("parameter's wire name changed", H, |s| par(s, "ListOrders", "min_amount").wire_name = "minAmount".into(), "operation", "params[min_amount].wire_name", Patch, true),
        case("parameter's location changed", H, |s| par(s, "ListOrders", "only_paid").location = ParamLocation::Header, "operation", "params[only_paid].location", Patch, true),
        case("credentials parameter made optional", H, |s| par(s, "ShowOrder", "domain_id").required = false, "operation", "params[domain_id].required", Patch, true),
        case("parameter's type changed", H, |s| par(s, "ListOrders", "limit").ty = "float".parse().unwrap(), "operation", "params[limit].type", Breaking, false),
        case("parameter no longer required", H, |s| par(s, "ListOrders", "status").required = false, "operation", "params[status].required", Breaking, false),
        case("parameter now required", H, |s| par(s, "ListOrders", "only_paid").required = true, "operation", "params[only_paid].required", Breaking, false),
        case("parameter now from the credentials", H, |s| par(s, "ShowOrder", "order_id").from_credentials = true, "operation", "params[order_id].from_credentials", Breaking, false),
        // Pagination.
        case("pagination added", T, |s| { let p = act(s, "DescribeUsage").pagination.clone(); act(s, "AllocateCredit").pagination = p }, "action", "pagination", Additive, false),
        case("pagination removed", H, |s| op(s, "ListOrders").pagination = None, "operation", "pagination", Breaking, false),
        case("pagination items: a list of another type", T, |s| { types_mut(s).get_mut("DescribeUsageResponse").unwrap().fields.push(new_field("Names", "list<string>", false)); act(s, "DescribeUsage").pagination.as_mut().unwrap().items = "Names".into() }, "action", "pagination.items", Breaking, false),
        case("pagination items: a list of the same type", T, |s| { types_mut(s).get_mut("DescribeUsageResponse").unwrap().fields.push(new_field("Nodes", "list<Node>", false)); act(s, "DescribeUsage").pagination.as_mut().unwrap().items = "Nodes".into() }, "action", "pagination.items", Patch, true),
        case("pagination items: a Huawei list of the same type", H, |s| { types_mut(s).get_mut("ListOrdersResponse").unwrap().fields.push(new_field("more", "list<Order>", false)); op(s, "ListOrders").pagination.as_mut().unwrap().items = "more".into() }, "operation", "pagination.items", Patch, true),
        case("pagination basis changed", T, |s| act(s, "DescribeUsage").pagination.as_mut().unwrap().basis = "read again".into(), "action", "pagination.basis", Patch, false),
        case("page size changed", T, |s| act(s, "DescribeUsage").pagination.as_mut().unwrap().page_size = 30, "action", "pagination.page_size", Patch, true),
        case("paging style changed", H, |s| op(s, "ListOrders").pagination.as_mut().unwrap().style = PagingStyle::Offset, "operation", "pagination.style", Patch, true),
        // Table data.
        case("QPS changed", T, |s| act(s, "AllocateCredit").qps = Some(10), "action", "qps", Patch, true),
        case("QPS now undocumented", T, |s| act(s, "AllocateCredit").qps = None, "action", "qps", Patch, true),
        case("CAM class changed", T, |s| act(s, "AllocateCredit").cam_class = Some(crate::spec::CamClass::Read), "action", "cam_class", Patch, true),
        case("category changed", T, |s| act(s, "AllocateCredit").category = None, "action", "category", Patch, true),
        case("granularity changed", T, |s| act(s, "AllocateCredit").granularity = Some(crate::spec::Granularity::Resource), "action", "granularity", Patch, true),
        case("resource changed", T, |s| act(s, "AllocateCredit").resource = Some("qcs::demo::credit/*".into()), "action", "resource", Patch, true),
        case("IP restriction changed", T, |s| act(s, "AllocateCredit").ip_restriction = Some(false), "action", "ip_restriction", Patch, true),
        case("permissions changed", H, |s| op(s, "ListOrders").permissions.push("PERM_D".into()), "operation", "permissions", Patch, true),
        case("path parameters reordered", H, |s| op(s, "ShowOrder").path_params.reverse(), "operation", "path_params", Patch, true),
        case("action title changed", T, |s| act(s, "AllocateCredit").title = "Allocates credit".into(), "action", "title", Patch, false),
        case("operation description changed", H, |s| op(s, "CreateOrder").description = "Creates an order".into(), "operation", "description", Patch, false),
        case("scenario changed", H, |s| op(s, "CreateOrder").scenario = "Sales".into(), "operation", "scenario", Patch, false),
        case("sub-scenario changed", H, |s| op(s, "CreateOrder").sub_scenario = Some("New".into()), "operation", "sub_scenario", Patch, false),
        case("console path changed", H, |s| op(s, "CreateOrder").console_path = Some("Sales".into()), "operation", "console_path", Patch, false),
        case("example changed", T, |s| act(s, "AllocateCredit").examples[0].response = "{}".into(), "action", "examples[A numeric string and a missing required field].response", Patch, false),
        case("broken example recorded", T, |s| act(s, "AllocateCredit").broken_examples.push(BrokenExample { title: "X".into(), problem: "not JSON".into() }), "action", "broken_examples[X]", Patch, false),
        case("conflict recorded", T, |s| act(s, "AllocateCredit").conflicts.push(Conflict { field: "qps".into(), chosen: "a".into(), rule: "newest".into(), values: vec![SourcedValue { source: "a".into(), value: "5".into() }] }), "action", "conflicts[qps]", Patch, false),
        case("field pinned", T, |s| act(s, "AllocateCredit").pinned.push("qps".into()), "action", "pinned", Patch, false),
        // Types.
        case("type added", T, |s| { types_mut(s).insert("Extra".into(), TypeDef { doc: None, fields: vec![] }); }, "type", "", Additive, false),
        case("type removed", H, |s| { types_mut(s).remove("ShowOrderResponse"); }, "type", "", Breaking, false),
        case("type doc changed", T, |s| types_mut(s).get_mut("Filter").unwrap().doc = None, "type", "doc", Patch, false),
        case("required field added to a request", T, |s| types_mut(s).get_mut("AllocateCreditRequest").unwrap().fields.push(new_field("Region", "string", true)), "type", "fields[Region]", Breaking, false),
        case("required field added to a model in a request", H, |s| types_mut(s).get_mut("OrderItem").unwrap().fields.push(new_field("sku", "string", true)), "type", "fields[sku]", Breaking, false),
        case("nullable required field added to a request", T, |s| { let mut f = new_field("Region", "string", true); f.nullable = true; types_mut(s).get_mut("AllocateCreditRequest").unwrap().fields.push(f) }, "type", "fields[Region]", Additive, false),
        case("optional field added to a request", T, |s| types_mut(s).get_mut("AllocateCreditRequest").unwrap().fields.push(new_field("Region", "string", false)), "type", "fields[Region]", Additive, false),
        case("required field added to a response", T, |s| types_mut(s).get_mut("AllocateCreditResponse").unwrap().fields.push(new_field("Count", "int64", true)), "type", "fields[Count]", Additive, false),
        case("field removed from a response", T, |s| types_mut(s).get_mut("AllocateCreditResponse").unwrap().fields.retain(|f| f.name != "Total"), "type", "fields[Total]", Breaking, false),
        case("field removed from a request", H, |s| types_mut(s).get_mut("CreateOrderReq").unwrap().fields.retain(|f| f.name != "couponId"), "type", "fields[couponId]", Breaking, false),
        case("field type changed", T, |s| fld(s, "DescribeUsageResponse", "Total").ty = "int64".parse().unwrap(), "type", "fields[Total].type", Breaking, false),
        case("field rust_name set", T, |s| fld(s, "Filter", "Values").rust_name = Some("value_list".into()), "type", "fields[Values].rust_name", Breaking, false),
        case("required flipped on a nullable field", T, |s| fld(s, "AllocateCreditResponse", "Tree").required = true, "type", "fields[Tree].required", Patch, false),
        case("field becomes required", T, |s| fld(s, "Filter", "Values").required = true, "type", "fields[Values].required", Breaking, false),
        case("field becomes optional", T, |s| fld(s, "AllocateCreditResponse", "Total").required = false, "type", "fields[Total].required", Breaking, false),
        case("nullable flipped on an optional field", T, |s| fld(s, "AllocateCreditResponse", "RequestId").nullable = true, "type", "fields[RequestId].nullable", Patch, false),
        case("required field becomes nullable", T, |s| fld(s, "AllocateCreditResponse", "Uins").nullable = true, "type", "fields[Uins].nullable", Breaking, false),
        case("field disabled", T, |s| fld(s, "Filter", "Values").disabled = true, "type", "fields[Values].disabled", Patch, false),
        case("field doc changed", T, |s| fld(s, "Filter", "Values").doc = Some("Values.".into()), "type", "fields[Values].doc", Patch, false),
        case("field example changed", T, |s| fld(s, "Filter", "Values").example = Some("[a]".into()), "type", "fields[Values].example", Patch, false),
        // A model changing sides: callers now build it, or no longer do.
        case("response-only model with a required field now built by callers", T, |s| types_mut(s).get_mut("DescribeUsageRequest").unwrap().fields.push(new_field("Root", "Node", false)), "type", "(built by callers)", Breaking, true),
        case("response-only model without required fields now built by callers", H, |s| types_mut(s).get_mut("CreateOrderReq").unwrap().fields.push(new_field("echo", "CreateOrderResponse", false)), "type", "(built by callers)", Additive, true),
        case("model no longer built by callers", H, |s| types_mut(s).get_mut("CreateOrderReq").unwrap().fields.retain(|f| f.name != "items"), "type", "(built by callers)", Breaking, true),
        // Error codes.
        case("error code added", T, |s| tc(s).error_codes.push(crate::spec::ErrorCode { code: "LimitExceeded".into(), description: "".into() }), "error code", "", Additive, false),
        case("error code removed", T, |s| tc(s).error_codes.retain(|c| c.code != "AuthFailure"), "error code", "", Breaking, false),
        case("error code description changed", T, |s| tc(s).error_codes[0].description = "Signature error.".into(), "error code", "description", Patch, false),
        // The service.
        case("provider changed", T, |s| tc(s).service.provider = Provider::Huaweicloud, "service", "service.provider", Breaking, false),
        case("service renamed", H, |s| hw(s).service.name = "demo-two".into(), "service", "service.name", Breaking, false),
        case("signing changed", T, |s| tc(s).service.protocol.signing = Signing::SdkHmacSha256, "service", "service.protocol.signing", Breaking, false),
        case("endpoint changed", T, |s| tc(s).service.endpoint = "demo.intl.tencentcloudapi.com".into(), "service", "service.endpoint", Patch, true),
        case("API version changed", H, |s| hw(s).service.api_version = "v3".into(), "service", "service.api_version", Patch, true),
        case("default QPS changed", T, |s| tc(s).service.default_qps.as_mut().unwrap().value = 10, "service", "service.default_qps.value", Patch, true),
        case("default QPS added", H, |s| hw(s).service.default_qps = Some(DefaultQps { value: 5, assumed: true, basis: "x".into() }), "service", "service.default_qps", Patch, true),
        case("default QPS basis changed", T, |s| tc(s).service.default_qps.as_mut().unwrap().basis = "measured".into(), "service", "service.default_qps.basis", Patch, false),
        case("product CAM fact changed", T, |s| tc(s).cam.ip_restriction = crate::spec::Support::Supported, "service", "cam.ip_restriction", Patch, true),
        case("permission rule changed", H, |s| hw(s).permissions.any_of = false, "service", "permissions.any_of", Patch, true),
        case("category table heading changed", T, |s| tc(s).category_tables[0].heading = Some("Credits".into()), "service", "category_tables", Patch, false),
        case("service title changed", T, |s| tc(s).service.title = "Demo".into(), "service", "service.title", Patch, false),
        case("source edition changed", T, |s| tc(s).service.sources[0].last_updated = Some("2026-01-01 00:00:00".into()), "service", "service.sources[cam.txt].last_updated", Patch, false),
    ];

    /// The line of `kind` at `field` (empty: the item added or removed).
    fn line_of<'c>(
        changelog: &'c crate::changelog::Changelog,
        case: &Case,
    ) -> Option<(&'c Change, Verdict)> {
        changelog.entries().find(|(change, _)| match change {
            Change::Added { kind, .. } => {
                *kind == case.kind && ["", "(added)"].contains(&case.field)
            }
            Change::Removed { kind, .. } => {
                *kind == case.kind && ["", "(removed)"].contains(&case.field)
            }
            Change::Changed { kind, field, .. } => *kind == case.kind && field == case.field,
        })
    }

    /// Every case gets its verdict, and every row of the table decides at least one case
    /// (a row no case reaches is either dead or untested).
    #[test]
    fn every_rule_on_its_own_edit() {
        let mut failures = Vec::new();
        let mut rows_hit = BTreeSet::new();
        for case in CASES {
            let old = (case.base)();
            let mut new = old.clone();
            (case.edit)(&mut new);
            let changelog = diff(Some(&old), &new);
            let Some((change, verdict)) = line_of(&changelog, case) else {
                failures.push(format!(
                    "{}: no {} line at `{}` in:\n{changelog}",
                    case.name, case.kind, case.field
                ));
                continue;
            };
            if let Some(row) = matching_rule(change, Some(&old), &new) {
                rows_hit.insert(row);
            }
            if (verdict.class, verdict.behaviour) != (case.class, case.behaviour) {
                failures.push(format!(
                    "{}: expected {} (behaviour {}), got {} (behaviour {}): {}",
                    case.name,
                    case.class,
                    case.behaviour,
                    verdict.class,
                    verdict.behaviour,
                    verdict.reason
                ));
            }
        }
        let unreached: Vec<String> = (0..RULES.len())
            .filter(|row| !rows_hit.contains(row))
            .map(|row| {
                format!(
                    "{:?} {} `{}` {:?}",
                    RULES[row].op,
                    RULES[row].kinds.join("/"),
                    RULES[row].field,
                    RULES[row].when
                )
            })
            .collect();
        if !unreached.is_empty() {
            failures.push(format!(
                "rows no case reaches:\n  {}",
                unreached.join("\n  ")
            ));
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// A field the table has no row for (a new spec field, before its row is written)
    /// reads as breaking, and says it is unclassified.
    #[test]
    fn an_unknown_field_is_breaking_and_says_so() {
        let spec = tencent();
        let change = Change::Changed {
            kind: "action",
            name: "AllocateCredit".into(),
            field: "retry_budget".into(),
            old: "(none)".into(),
            new: "3".into(),
        };
        assert_eq!(matching_rule(&change, Some(&spec), &spec), None);
        let verdict = classify(&change, Some(&spec), &spec);
        assert_eq!(verdict.class, Class::Breaking);
        assert!(
            verdict.reason.starts_with("unclassified"),
            "{}",
            verdict.reason
        );
        // An unknown kind of item too.
        let added = Change::Added {
            kind: "webhook",
            name: "X".into(),
        };
        assert_eq!(classify(&added, Some(&spec), &spec), UNCLASSIFIED);
    }

    /// The bump is the gravest class's, and a first import (everything added) is minor.
    #[test]
    fn the_bump_follows_the_gravest_change() {
        let old = tencent();
        assert_eq!(diff(Some(&old), &old).bump(), None);
        let mut qps = old.clone();
        act(&mut qps, "AllocateCredit").qps = Some(6);
        assert_eq!(diff(Some(&old), &qps).bump(), Some(Bump::Patch));
        let mut added = qps.clone();
        tc(&mut added).error_codes.push(crate::spec::ErrorCode {
            code: "LimitExceeded".into(),
            description: String::new(),
        });
        assert_eq!(diff(Some(&old), &added).bump(), Some(Bump::Minor));
        let mut removed = added.clone();
        tc(&mut removed).actions.retain(|a| a.name != "QueryT1UIN");
        assert_eq!(diff(Some(&old), &removed).bump(), Some(Bump::Major));
        assert_eq!(diff(None, &old).bump(), Some(Bump::Minor));
    }

    #[test]
    fn globs() {
        assert!(glob("fields[*].type", "fields[Total].type"));
        assert!(!glob("fields[*].type", "fields[Total].type.x"));
        assert!(glob("params[*]", "params[a]"));
        assert!(!glob("params[*]", "params[a].required"));
        assert!(glob("pagination*", "pagination"));
        assert!(glob("pagination*", "pagination.style"));
        assert!(!glob("qps", "qps2"));
    }
}
