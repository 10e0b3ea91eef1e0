//! The semver classification table (`partnergen_codegen::semver::RULES`), row by row:
//! each case edits a fixture spec in one place and checks the class its changelog line
//! gets, and every row must decide at least one case.

use std::collections::BTreeSet;

use partnergen_codegen::changelog::diff;
use partnergen_codegen::changelog::Change;
use partnergen_codegen::semver::Class::{Additive, Breaking, Patch};
use partnergen_codegen::semver::*;
use partnergen_codegen::spec::{
    BrokenExample, Conflict, DefaultQps, HttpMethod, HuaweiSpec, PagingStyle, ParamLocation,
    Provider, Signing, SourcedValue, TencentSpec, TypeRef,
};
use partnergen_codegen::spec::{
    FieldDef, HuaweiOperation, HuaweiParam, Spec, TencentAction, TypeDef,
};
use partnergen_codegen::specfile::parse_spec;

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
        ty: TypeRef::Primitive(partnergen_codegen::spec::Primitive::String),
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
    case("CAM class changed", T, |s| act(s, "AllocateCredit").cam_class = Some(partnergen_codegen::spec::CamClass::Read), "action", "cam_class", Patch, true),
    case("category changed", T, |s| act(s, "AllocateCredit").category = None, "action", "category", Patch, true),
    case("granularity changed", T, |s| act(s, "AllocateCredit").granularity = Some(partnergen_codegen::spec::Granularity::Resource), "action", "granularity", Patch, true),
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
    case("error code added", T, |s| tc(s).error_codes.push(partnergen_codegen::spec::ErrorCode { code: "LimitExceeded".into(), description: "".into() }), "error code", "", Additive, false),
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
    case("product CAM fact changed", T, |s| tc(s).cam.ip_restriction = partnergen_codegen::spec::Support::Supported, "service", "cam.ip_restriction", Patch, true),
    case("permission rule changed", H, |s| hw(s).permissions.any_of = false, "service", "permissions.any_of", Patch, true),
    case("category table heading changed", T, |s| tc(s).category_tables[0].heading = Some("Credits".into()), "service", "category_tables", Patch, false),
    case("service title changed", T, |s| tc(s).service.title = "Demo".into(), "service", "service.title", Patch, false),
    case("source edition changed", T, |s| tc(s).service.sources[0].last_updated = Some("2026-01-01 00:00:00".into()), "service", "service.sources[cam.txt].last_updated", Patch, false),
];

/// The line of `kind` at `field` (empty: the item added or removed).
fn line_of<'c>(
    changelog: &'c partnergen_codegen::changelog::Changelog,
    case: &Case,
) -> Option<(&'c Change, Verdict)> {
    changelog.entries().find(|(change, _)| match change {
        Change::Added { kind, .. } => *kind == case.kind && ["", "(added)"].contains(&case.field),
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
    tc(&mut added)
        .error_codes
        .push(partnergen_codegen::spec::ErrorCode {
            code: "LimitExceeded".into(),
            description: String::new(),
        });
    assert_eq!(diff(Some(&old), &added).bump(), Some(Bump::Minor));
    let mut removed = added.clone();
    tc(&mut removed).actions.retain(|a| a.name != "QueryT1UIN");
    assert_eq!(diff(Some(&old), &removed).bump(), Some(Bump::Major));
    assert_eq!(diff(None, &old).bump(), Some(Bump::Minor));
}
