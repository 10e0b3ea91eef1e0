//! Validation on load: each rule on a valid fixture spec broken in one place. Errors name
//! the file, the line, the action and the rule.

use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_codegen::import::tencent::{import_tencent, TencentInputs};
use partnergen_codegen::specfile::{parse_spec, to_yaml};
use partnergen_tests::fixture;

const FILE: &str = "spec/tencentcloud/demosvc.yaml";

/// The canonical text of the spec the fixture pages import to.
fn valid_text() -> String {
    let inputs = TencentInputs {
        cam_pages: vec![fixture("tencent/cam.txt")],
        category_pages: vec![fixture("tencent/category.txt")],
        definition: fixture("tencent/definition.json"),
        examples: fixture("tencent/examples.json"),
    };
    to_yaml(&import_tencent(&inputs, None).unwrap().spec)
}

fn replaced(from: &str, to: &str) -> String {
    let text = valid_text();
    assert!(
        text.contains(from),
        "the fixture spec has no `{from}`:\n{text}"
    );
    text.replacen(from, to, 1)
}

fn errors_of(text: &str) -> Diagnostics {
    match parse_spec(FILE, text) {
        Ok(loaded) => panic!("the spec should not load; warnings: {}", loaded.warnings),
        Err(d) => d,
    }
}

/// Asserts that `text` fails with `rule` about `subject` on the line holding `line_text`.
fn assert_error(text: &str, rule: &str, subject: Option<&str>, line_text: &str) {
    let d = errors_of(text);
    let hit =
        d.0.iter()
            .find(|x| x.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in:\n{d}"));
    assert!(hit.is_error(), "{hit}");
    assert_eq!(hit.file, FILE);
    assert_eq!(hit.subject.as_deref(), subject, "{hit}");
    let line = hit.line.unwrap_or_else(|| panic!("no line in {hit}"));
    let shown = text.lines().nth(line - 1).unwrap();
    assert!(shown.contains(line_text), "{hit} points at `{shown}`");
}

#[test]
fn the_fixture_spec_is_valid() {
    let loaded = parse_spec(FILE, &valid_text()).unwrap();
    let rules: Vec<_> = loaded.warnings.0.iter().map(|w| w.rule).collect();
    assert_eq!(rules, ["not-on-cam-page"]);
}

#[test]
fn duplicate_actions() {
    let text = valid_text();
    let start = text.find("- name: QueryRemark").unwrap();
    let end = start + text[start..].find("\n- name:").unwrap() + 1;
    let duplicated = format!("{}{}", &text[..end], &text[start..]);
    let d = errors_of(&duplicated);
    let hit =
        d.0.iter()
            .find(|x| x.rule == "duplicate-action")
            .expect("duplicate-action");
    assert_eq!(hit.subject.as_deref(), Some("QueryRemark"));
    let second = duplicated
        .match_indices("- name: QueryRemark")
        .nth(1)
        .unwrap()
        .0;
    assert_eq!(hit.line, Some(duplicated[..second].lines().count() + 1));
}

#[test]
fn names_that_collide_after_snake_case() {
    // `ListClients` and `List_clients` both become `list_clients`.
    let text = replaced("- name: SendCode\n", "- name: List_clients\n");
    assert_error(
        &text,
        "name-collision",
        Some("List_clients"),
        "name: List_clients",
    );
}

#[test]
fn names_that_are_rust_keywords_and_the_rust_name_escape() {
    let text = replaced("- name: SendCode\n", "- name: Match\n");
    assert_error(&text, "rust-keyword", Some("Match"), "name: Match");
    let fixed = text.replacen(
        "- name: Match\n",
        "- name: Match\n  rust_name: match_code\n",
        1,
    );
    parse_spec(FILE, &fixed).unwrap();
    let bad = text.replacen(
        "- name: Match\n",
        "- name: Match\n  rust_name: MatchCode\n",
        1,
    );
    assert_error(&bad, "invalid-rust-name", Some("Match"), "name: Match");
}

#[test]
fn a_qps_of_zero_or_below() {
    let text = replaced("qps: 5\n", "qps: 0\n");
    assert_error(
        &text,
        "qps-not-positive",
        Some("AllocateCredit"),
        "name: AllocateCredit",
    );
    let text = replaced("qps: 10\n", "qps: -3\n");
    assert_error(
        &text,
        "qps-not-positive",
        Some("ListClients"),
        "name: ListClients",
    );
    let text = replaced(
        "  default_qps:\n    value: 20\n",
        "  default_qps:\n    value: 0\n",
    );
    assert_error(&text, "qps-not-positive", Some("default_qps"), "value: 0");
}

#[test]
fn an_unknown_cam_class() {
    let text = replaced("cam_class: list\n", "cam_class: lists\n");
    let d = errors_of(&text);
    let hit = &d.0[0];
    assert_eq!(hit.rule, "malformed-spec");
    assert!(hit.message.contains("unknown variant `lists`"), "{hit}");
    assert!(text
        .lines()
        .nth(hit.line.unwrap() - 1)
        .unwrap()
        .contains("cam_class: lists"));
}

#[test]
fn an_unknown_field_is_an_error_not_ignored() {
    let text = replaced(
        "  title: Allocates credit to a customer\n",
        "  title: Allocates credit to a customer\n  qsp: 3\n",
    );
    let d = errors_of(&text);
    assert_eq!(d.0[0].rule, "malformed-spec");
    assert!(d.0[0].message.contains("unknown field `qsp`"), "{}", d.0[0]);
    assert!(d.0[0].line.is_some());
}

#[test]
fn a_type_referenced_but_not_defined() {
    let text = replaced(
        "  response: QueryCreditResponse\n",
        "  response: QueryCreditReply\n",
    );
    assert_error(
        &text,
        "undefined-type",
        Some("QueryCredit"),
        "name: QueryCredit",
    );
    let text = replaced("type: list<UsageItem>", "type: list<UsageRow>");
    assert_error(
        &text,
        "undefined-type",
        Some("DescribeUsageResponse.Items"),
        "name: Items",
    );
}

#[test]
fn an_unknown_category() {
    let text = replaced("category: Client APIs\n", "category: Clients APIs\n");
    assert_error(
        &text,
        "unknown-category",
        Some("ListClients"),
        "name: ListClients",
    );
}

#[test]
fn partially_supported_ip_restriction_needs_both_kinds_of_action() {
    // Make the one action without IP restriction support it: now every action does.
    let text = valid_text();
    let send = text.find("- name: SendCode").unwrap();
    let fixed = format!(
        "{}{}",
        &text[..send],
        text[send..].replacen("ip_restriction: false", "ip_restriction: true", 1)
    );
    assert_error(
        &fixed,
        "ip-restriction-inconsistent",
        Some("cam"),
        "ip_restriction: partial",
    );
    // And "supported" while one action does not support it is wrong too.
    let text = replaced(
        "  ip_restriction: partial\n",
        "  ip_restriction: supported\n",
    );
    assert_error(
        &text,
        "ip-restriction-inconsistent",
        Some("cam"),
        "ip_restriction: supported",
    );
}

#[test]
fn field_names_that_collide_and_keyword_fields() {
    // The fixture's `Type` field is a keyword in Rust: allowed (raw identifiers).
    assert!(valid_text().contains("- name: Type\n"));
    let text = replaced(
        "    - name: Credit\n      type: float\n",
        "    - name: ClientUIN\n      type: float\n",
    );
    assert_error(
        &text,
        "name-collision",
        Some("AllocateCreditRequest.ClientUIN"),
        "name: ClientUIN",
    );
}

#[test]
fn type_names_a_generated_required_struct_would_take() {
    // `AllocateCreditRequest` has required fields, built from a generated
    // `AllocateCreditRequired`: a type of that name would be a second item of the name.
    let text = valid_text().replace("UsageItem", "AllocateCreditRequired");
    assert_error(
        &text,
        "reserved-name",
        Some("AllocateCreditRequired"),
        "  AllocateCreditRequired:",
    );
    // `AllocateCredit`'s own required struct would be `AllocateCreditRequired` too.
    let text = valid_text().replace("UsageItem", "AllocateCredit");
    assert_error(
        &text,
        "reserved-name",
        Some("AllocateCredit"),
        "  AllocateCredit:",
    );
}

#[test]
fn in_api_definition_needs_request_and_response_types() {
    let text = replaced(
        "  in_api_definition: false\n",
        "  in_api_definition: true\n",
    );
    assert_error(
        &text,
        "types-mismatch",
        Some("DownloadBill"),
        "name: DownloadBill",
    );
}

#[test]
fn pinned_must_name_a_pinnable_field() {
    let text = replaced(
        "  in_api_definition: false\n",
        "  in_api_definition: false\n  pinned:\n  - colour\n",
    );
    assert_error(
        &text,
        "unknown-pinned-field",
        Some("DownloadBill"),
        "name: DownloadBill",
    );
}

// ---------------------------------------------------------------------------------------
// Huawei: typed operations

const HUAWEI_FILE: &str = "spec/huaweicloud/partner-center.yaml";

/// The canonical text of the spec the Huawei fixture page and SDK file import to.
fn huawei_text() -> String {
    let imported = import_huawei(
        &fixture("huawei/page.txt"),
        Some(&fixture("huawei/sdk-operations.json")),
        None,
    )
    .unwrap();
    to_yaml(&imported.spec)
}

/// The Huawei fixture spec with the `nth` (0-based) occurrence of `from` replaced.
fn huawei_replaced(from: &str, to: &str, nth: usize) -> String {
    let text = huawei_text();
    let (at, _) = text
        .match_indices(from)
        .nth(nth)
        .unwrap_or_else(|| panic!("the Huawei fixture spec has no `{from}` #{nth}:\n{text}"));
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// Asserts that `text` fails with `rule` about `subject` on the line holding `line_text`.
fn assert_huawei_error(text: &str, rule: &str, subject: &str, line_text: &str) {
    let d = match parse_spec(HUAWEI_FILE, text) {
        Ok(loaded) => panic!("the spec should not load; warnings: {}", loaded.warnings),
        Err(d) => d,
    };
    let hit =
        d.0.iter()
            .find(|x| x.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in:\n{d}"));
    assert!(hit.is_error(), "{hit}");
    assert_eq!(hit.file, HUAWEI_FILE);
    assert_eq!(hit.subject.as_deref(), Some(subject), "{hit}");
    let line = hit.line.unwrap_or_else(|| panic!("no line in {hit}"));
    let shown = text.lines().nth(line - 1).unwrap();
    assert!(shown.contains(line_text), "{hit} points at `{shown}`");
}

/// The parameter block of `ListInvoices`'s `limit` in the fixture spec.
const LIMIT: &str = "  - name: limit\n    wire_name: limit\n    location: query\n    type: int64\n    required: false\n";

#[test]
fn the_typed_huawei_fixture_spec_is_valid() {
    let loaded = parse_spec(HUAWEI_FILE, &huawei_text()).unwrap();
    assert!(loaded.warnings.0.is_empty(), "{}", loaded.warnings);
}

#[test]
fn huawei_types_referenced_but_not_defined() {
    let text = huawei_replaced(
        "  response: ListInvoicesResponse\n",
        "  response: ListInvoicesReply\n",
        0,
    );
    assert_huawei_error(
        &text,
        "undefined-type",
        "ListInvoices",
        "name: ListInvoices",
    );
    let text = huawei_replaced(
        "    type: QuerySubCustomerListReq\n",
        "    type: QuerySubCustomerListRequ\n",
        0,
    );
    assert_huawei_error(
        &text,
        "undefined-type",
        "ListSubCustomers.body",
        "name: body",
    );
}

#[test]
fn huawei_path_params_must_fill_the_placeholders() {
    let text = huawei_replaced(
        "  - name: domain_id\n    wire_name: domain_id\n",
        "  - name: domain_id\n    wire_name: domain\n",
        0,
    );
    assert_huawei_error(
        &text,
        "path-params-mismatch",
        "ListInvoices",
        "name: ListInvoices",
    );
}

#[test]
fn huawei_params_defined_twice() {
    let text = huawei_replaced(LIMIT, &format!("{LIMIT}{LIMIT}"), 0);
    assert_huawei_error(
        &text,
        "duplicate-param",
        "ListInvoices.limit",
        "name: limit",
    );
}

#[test]
fn huawei_wire_names_are_unique_per_location() {
    // Two query parameters sent as `start_time`.
    let text = huawei_replaced(
        "    wire_name: limit\n    location: query\n",
        "    wire_name: start_time\n    location: query\n",
        0,
    );
    assert_huawei_error(
        &text,
        "duplicate-wire-name",
        "ListInvoices.limit",
        "name: limit",
    );
    // Header names compare case-insensitively; the same name in another location is fine.
    let header = "  - name: x_language\n    wire_name: X-Language\n    location: header\n";
    let text = huawei_replaced(
        header,
        &format!("{header}    type: string\n    required: false\n  - name: x_language_2\n    wire_name: x-language\n    location: header\n"),
        0,
    );
    assert_huawei_error(
        &text,
        "duplicate-wire-name",
        "ShowCustomerOrderDetails.x_language_2",
        "name: x_language_2",
    );
    // (`limit` pages ListInvoices, so the query parameter renamed here is `start_time`.)
    let text = huawei_replaced(
        "    wire_name: start_time\n    location: query\n",
        "    wire_name: domain_id\n    location: query\n",
        0,
    );
    parse_spec(HUAWEI_FILE, &text).unwrap();
}

#[test]
fn huawei_params_need_snake_case_names() {
    let text = huawei_replaced("  - name: limit\n", "  - name: Limit\n", 0);
    assert_huawei_error(
        &text,
        "invalid-param-name",
        "ListInvoices.Limit",
        "name: Limit",
    );
}

#[test]
fn huawei_bodies_are_one_model() {
    let text = huawei_replaced(
        "    type: QuerySubCustomerListReq\n",
        "    type: list<QuerySubCustomerListReq>\n",
        0,
    );
    assert_huawei_error(&text, "invalid-body", "ListSubCustomers.body", "name: body");
    let body = "  - name: body\n    wire_name: body\n    location: body\n    type: QuerySubCustomerListReq\n    required: true\n";
    let second = body.replace("name: body\n", "name: body_2\n");
    let text = huawei_replaced(body, &format!("{body}{second}"), 0);
    assert_huawei_error(
        &text,
        "invalid-body",
        "ListSubCustomers",
        "name: ListSubCustomers",
    );
}

#[test]
fn huawei_path_query_and_header_params_are_primitives() {
    let text = huawei_replaced(LIMIT, &LIMIT.replace("type: int64", "type: list<int64>"), 0);
    assert_huawei_error(&text, "param-type", "ListInvoices.limit", "name: limit");
    // Only a path parameter comes from the credentials.
    let text = huawei_replaced(LIMIT, &format!("{LIMIT}    from_credentials: true\n"), 0);
    assert_huawei_error(&text, "param-type", "ListInvoices.limit", "name: limit");
}

#[test]
fn huawei_path_params_are_required() {
    let text = huawei_replaced(
        "    location: path\n    type: string\n    required: true\n    from_credentials: true\n",
        "    location: path\n    type: string\n    required: false\n    from_credentials: true\n",
        0,
    );
    assert_huawei_error(
        &text,
        "optional-path-param",
        "ListInvoices.domain_id",
        "name: domain_id",
    );
}

#[test]
fn huawei_params_need_a_response_type() {
    let text = huawei_replaced("  response: ListInvoicesResponse\n", "", 0);
    assert_huawei_error(
        &text,
        "untyped-params",
        "ListInvoices",
        "name: ListInvoices",
    );
}

#[test]
fn huawei_request_structs_do_not_collide_with_types() {
    // `ListInvoices` gets a `ListInvoicesRequest` struct: a type of that name collides.
    let text = huawei_replaced("  CreateCustomerReq:\n", "  ListInvoicesRequest:\n", 0)
        .replace("type: CreateCustomerReq\n", "type: ListInvoicesRequest\n");
    assert_huawei_error(
        &text,
        "request-name-collision",
        "ListInvoices",
        "name: ListInvoices",
    );
}

#[test]
fn huawei_types_do_not_take_a_request_structs_required_name() {
    // `ListInvoicesRequest` is built from a generated `ListInvoicesRequired`.
    let text = huawei_text().replace("CreateCustomerReq", "ListInvoicesRequired");
    assert_huawei_error(
        &text,
        "reserved-name",
        "ListInvoicesRequired",
        "  ListInvoicesRequired:",
    );
    // A type `ListInvoices` would have its required fields in `ListInvoicesRequired` too.
    let text = huawei_text().replace("CreateCustomerReq", "ListInvoices");
    assert_huawei_error(&text, "reserved-name", "ListInvoices", "  ListInvoices:");
}

#[test]
fn huawei_params_and_response_can_be_pinned() {
    let text = huawei_replaced(
        "  response: ListInvoicesResponse\n",
        "  response: ListInvoicesResponse\n  pinned:\n  - params\n  - response\n",
        0,
    );
    parse_spec(HUAWEI_FILE, &text).unwrap();
}

/// The fixture spec with `codes` (a YAML list's items) as its error codes.
fn with_error_codes(codes: &str) -> String {
    let text = valid_text();
    let at = text.find("\ntypes:\n").expect("the fixture spec has types") + 1;
    format!("{}error_codes:\n{codes}{}", &text[..at], &text[at..])
}

#[test]
fn error_codes_that_load() {
    let text = with_error_codes(
        "- code: AuthFailure\n  description: CAM signature/authentication error.\n- code: FailedOperation.SendMailLimit180\n  description: ''\n",
    );
    let loaded = parse_spec(FILE, &text).unwrap_or_else(|d| panic!("{d}"));
    let rules: Vec<_> = loaded.warnings.0.iter().map(|w| w.rule).collect();
    assert_eq!(rules, ["not-on-cam-page"]);
}

#[test]
fn error_codes_that_are_malformed_repeated_unsorted_or_colliding() {
    for bad in [
        "Failed Operation",
        "FailedOperation.",
        "Failed..Operation",
        "9Failed",
        "Failed-Operation",
        "FailedÖperation",
        "",
    ] {
        let text = with_error_codes(&format!("- code: '{bad}'\n  description: x\n"));
        assert_error(&text, "invalid-error-code", None, &format!("code: '{bad}'"));
    }
    let long = "A".repeat(129);
    let text = with_error_codes(&format!("- code: {long}\n  description: x\n"));
    assert_error(&text, "invalid-error-code", None, "code: AAAA");
    // `Self` would be the variant `ServiceError::Self`.
    let text = with_error_codes("- code: self\n  description: x\n");
    assert_error(&text, "invalid-error-code", None, "code: self");

    let text = with_error_codes(
        "- code: AuthFailure\n  description: a\n- code: AuthFailure\n  description: b\n",
    );
    let d = errors_of(&text);
    let hit =
        d.0.iter()
            .find(|x| x.rule == "duplicate-error-code")
            .unwrap();
    assert_eq!(hit.subject.as_deref(), Some("AuthFailure"));
    let second = text.match_indices("- code: AuthFailure").nth(1).unwrap().0;
    assert_eq!(hit.line, Some(text[..second].lines().count() + 1));

    let text = with_error_codes(
        "- code: InternalError\n  description: a\n- code: AuthFailure\n  description: b\n",
    );
    assert_error(
        &text,
        "unsorted-error-codes",
        Some("AuthFailure"),
        "code: AuthFailure",
    );

    // `A.bC` and `A.BC` are one variant, `ABC`.
    let text = with_error_codes("- code: A.BC\n  description: a\n- code: A.bC\n  description: b\n");
    assert_error(&text, "error-code-collision", Some("A.bC"), "code: A.bC");

    let text = with_error_codes("- code: AuthFailure\n  description: \"two\\nlines\"\n");
    assert_error(
        &text,
        "error-code-description",
        Some("AuthFailure"),
        "code: AuthFailure",
    );
    let text = with_error_codes(&format!(
        "- code: AuthFailure\n  description: {}\n",
        "x".repeat(301)
    ));
    assert_error(
        &text,
        "error-code-description",
        Some("AuthFailure"),
        "code: AuthFailure",
    );
    // A missing description is a missing field, not an empty one.
    let text = with_error_codes("- code: AuthFailure\n");
    assert!(errors_of(&text).to_string().contains("description"));
}

// ---------------------------------------------------------------------------------------
// Pagination

use partnergen_codegen::spec::{
    FieldDef, Pagination, PagingStyle, ParamLocation, Primitive, Spec, TencentSpec, TypeRef,
};

fn field(name: &str, ty: TypeRef) -> FieldDef {
    FieldDef {
        name: name.into(),
        rust_name: None,
        ty,
        required: false,
        nullable: false,
        disabled: false,
        example: None,
        doc: None,
    }
}

/// The Tencent fixture spec with DescribeUsage paged by `Offset`/`Limit` over `Items`.
fn paged_tencent() -> TencentSpec {
    let Spec::Tencent(mut spec) = parse_spec(FILE, &valid_text()).unwrap().spec else {
        unreachable!()
    };
    let int = TypeRef::Primitive(Primitive::Int64);
    spec.types.get_mut("DescribeUsageRequest").unwrap().fields =
        vec![field("Offset", int.clone()), field("Limit", int.clone())];
    let response = spec.types.get_mut("DescribeUsageResponse").unwrap();
    response
        .fields
        .push(field("TotalCount", TypeRef::Primitive(Primitive::Uint64)));
    let usage = spec
        .actions
        .iter_mut()
        .find(|a| a.name == "DescribeUsage")
        .unwrap();
    usage.pagination = Some(Pagination {
        style: PagingStyle::Offset,
        location: None,
        position: "Offset".into(),
        size: "Limit".into(),
        first_page: None,
        items: "Items".into(),
        total: Some("TotalCount".into()),
        max_page_size: Some(100),
        page_size: 20,
        basis: "set for this test".into(),
    });
    spec
}

/// The paged fixture spec's text after `edit`, and the errors of loading it.
fn paged_errors(edit: impl FnOnce(&mut TencentSpec)) -> (String, Diagnostics) {
    let mut spec = paged_tencent();
    edit(&mut spec);
    let text = to_yaml(&Spec::Tencent(spec));
    let errors = errors_of(&text);
    (text, errors)
}

fn usage(spec: &mut TencentSpec) -> &mut Pagination {
    spec.actions
        .iter_mut()
        .find(|a| a.name == "DescribeUsage")
        .unwrap()
        .pagination
        .as_mut()
        .unwrap()
}

/// Asserts that the edit fails with `rule` about DescribeUsage, at its entry, saying
/// `words`.
fn assert_paging_error(rule: &str, words: &str, edit: impl FnOnce(&mut TencentSpec)) {
    let (text, errors) = paged_errors(edit);
    let hit = errors
        .0
        .iter()
        .find(|d| d.rule == rule && d.message.contains(words))
        .unwrap_or_else(|| panic!("no {rule} saying `{words}` in:\n{errors}"));
    assert_eq!(hit.subject.as_deref(), Some("DescribeUsage"), "{hit}");
    let shown = text.lines().nth(hit.line.unwrap() - 1).unwrap();
    assert!(
        shown.contains("name: DescribeUsage"),
        "{hit} points at `{shown}`"
    );
}

#[test]
fn a_paged_tencent_action_is_valid() {
    let text = to_yaml(&Spec::Tencent(paged_tencent()));
    let loaded = parse_spec(FILE, &text).unwrap_or_else(|d| panic!("{d}"));
    let rules: Vec<_> = loaded.warnings.0.iter().map(|w| w.rule).collect();
    assert_eq!(rules, ["not-on-cam-page"]);
}

#[test]
fn pagination_fields_must_be_in_the_models_with_their_types() {
    assert_paging_error(
        "pagination-field",
        "`position` `Page` is not a field of the request type DescribeUsageRequest",
        |s| usage(s).position = "Page".into(),
    );
    assert_paging_error("pagination-field", "`size` `Limit` is string", |s| {
        s.types.get_mut("DescribeUsageRequest").unwrap().fields[1].ty =
            TypeRef::Primitive(Primitive::String)
    });
    assert_paging_error(
        "pagination-field",
        "`items` `RequestId` is string, not a list",
        |s| usage(s).items = "RequestId".into(),
    );
    assert_paging_error(
        "pagination-field",
        "`items` `Things` is not a field of the response type DescribeUsageResponse",
        |s| usage(s).items = "Things".into(),
    );
    assert_paging_error(
        "pagination-field",
        "`total` `Items` is list<UsageItem>, but a total must be int64, uint64 or string",
        |s| usage(s).total = Some("Items".into()),
    );
    assert_paging_error(
        "pagination-field",
        "`total` `Total` is not a field of the response type",
        |s| usage(s).total = Some("Total".into()),
    );
    assert_paging_error("pagination-field", "the same field `Offset`", |s| {
        usage(s).size = "Offset".into()
    });
}

#[test]
fn pagination_style_and_first_page_agree() {
    assert_paging_error("pagination-style", "needs `first_page`", |s| {
        usage(s).style = PagingStyle::PageNumber
    });
    assert_paging_error(
        "pagination-style",
        "takes no `first_page` (it has 1)",
        |s| usage(s).first_page = Some(1),
    );
    assert_paging_error("pagination-style", "0 or more, not -1", |s| {
        let p = usage(s);
        p.style = PagingStyle::PageNumber;
        p.first_page = Some(-1);
    });
    assert_paging_error("pagination-location", "for Huawei operations", |s| {
        usage(s).location = Some(ParamLocation::Query)
    });
}

#[test]
fn pagination_page_sizes_and_basis() {
    assert_paging_error(
        "pagination-page-size",
        "`page_size` must be at least 1, not 0",
        |s| usage(s).page_size = 0,
    );
    assert_paging_error(
        "pagination-page-size",
        "`max_page_size` must be at least 1, not -5",
        |s| usage(s).max_page_size = Some(-5),
    );
    assert_paging_error(
        "pagination-page-size",
        "`page_size` 200 is above `max_page_size` 100",
        |s| usage(s).page_size = 200,
    );
    assert_paging_error("pagination-basis", "`basis` is empty", |s| {
        usage(s).basis = "  ".into()
    });
}

#[test]
fn pagination_needs_a_typed_action() {
    let (text, errors) = paged_errors(|s| {
        let paging = usage(s).clone();
        let untyped = s.actions.iter_mut().find(|a| !a.in_api_definition).unwrap();
        untyped.pagination = Some(paging);
    });
    let hit = errors
        .0
        .iter()
        .find(|d| d.rule == "pagination-untyped")
        .unwrap_or_else(|| panic!("{errors}"));
    let name = hit.subject.as_deref().unwrap();
    let shown = text.lines().nth(hit.line.unwrap() - 1).unwrap();
    assert!(shown.contains(&format!("name: {name}")), "{hit}");
    assert_eq!(errors.errors().count(), 1, "{errors}");
}

/// Hand-edited YAML that is not a pagination block at all is refused at its line.
#[test]
fn a_malformed_pagination_block_is_refused() {
    let text = to_yaml(&Spec::Tencent(paged_tencent()));
    for (from, to) in [
        ("style: offset", "style: sideways"),
        ("page_size: 20", "page_size: twenty"),
        ("page_size: 20", "page_size: 99999999999999999999999"),
        (
            "basis: set for this test",
            "basis: set for this test\n    pages: all",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let errors = errors_of(&bad);
        let hit = &errors.0[0];
        assert_eq!(hit.rule, "malformed-spec", "{errors}");
        let shown = bad.lines().nth(hit.line.unwrap() - 1).unwrap();
        assert!(
            shown.contains(to.lines().last().unwrap().split(':').next().unwrap()),
            "{hit} points at `{shown}`"
        );
    }
}

#[test]
fn huawei_pagination_location_and_fields() {
    // ListSubCustomers pages by body fields of QuerySubCustomerListReq.
    let text = huawei_replaced(
        "    location: body\n    position: offset\n",
        "    position: offset\n",
        0,
    );
    assert_huawei_error(
        &text,
        "pagination-location",
        "ListSubCustomers",
        "name: ListSubCustomers",
    );
    let text = huawei_replaced(
        "    location: body\n    position: offset\n",
        "    location: header\n    position: offset\n",
        0,
    );
    assert_huawei_error(
        &text,
        "pagination-location",
        "ListSubCustomers",
        "name: ListSubCustomers",
    );
    let text = huawei_replaced(
        "    location: body\n    position: offset\n",
        "    location: query\n    position: offset\n",
        0,
    );
    let errors = parse_spec(HUAWEI_FILE, &text).unwrap_err();
    assert!(
        errors.0.iter().any(|d| d.rule == "pagination-field"
            && d.message
                .contains("`position` `offset` is not a query parameter of the operation")),
        "{errors}"
    );
    let text = huawei_replaced("    size: limit\n", "    size: limits\n", 1);
    let errors = parse_spec(HUAWEI_FILE, &text).unwrap_err();
    assert!(
        errors.0.iter().any(|d| d.rule == "pagination-field"
            && d.subject.as_deref() == Some("ListSubCustomers")
            && d.message.contains(
                "`size` `limits` is not a field of the body model QuerySubCustomerListReq"
            )),
        "{errors}"
    );
    // A Tencent-style block (no location) on a query-paged operation.
    let text = huawei_replaced(
        "    location: query\n    position: offset\n",
        "    position: offset\n",
        0,
    );
    assert_huawei_error(
        &text,
        "pagination-location",
        "ListInvoices",
        "name: ListInvoices",
    );
}
