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
//! - `Action`, `Operation` and `ServiceError` are `#[non_exhaustive]` enums that cannot
//!   be cast to numbers (a hidden variant that cannot be built): a new variant, wherever
//!   it sorts, is additive; a variant gone (or renamed) is breaking.
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

use crate::change::Change;
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
        .find(|o| crate::change::operation_label(o) == label)
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
    use super::glob;

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
