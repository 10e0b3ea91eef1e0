//! The Huawei Cloud Partner Center importer: the real permission page (when the vendor docs
//! are beside the checkout), small pages of our own, the SDK file's operation names,
//! parameters and models, pinned fields, idempotence, the drift check, and one fixture per
//! kind of bad input.

use std::fs;
use std::path::{Path, PathBuf};

use partnergen_codegen::changelog::Change;
use partnergen_codegen::diag::{Diagnostic, Diagnostics};
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_codegen::import::{import_into, Imported, Mode};
use partnergen_codegen::spec::{
    HttpMethod, HuaweiOperation, HuaweiParam, HuaweiSpec, PagingStyle, ParamLocation, Primitive,
    SourceKind, Spec, TypeRef,
};
use partnergen_codegen::specfile::{parse_spec, to_yaml};
use partnergen_tests::{fixture, shared_doc};

const REAL_PAGE: &str = "huaweicloud/partner-center/api-access-permissions.txt";

fn huawei_fixture(name: &str) -> PathBuf {
    fixture(&format!("huawei/{name}"))
}

fn import(page: &Path, sdk: Option<&Path>, base: Option<&HuaweiSpec>) -> (HuaweiSpec, Diagnostics) {
    match import_huawei(page, sdk, base) {
        Ok(Imported {
            spec: Spec::Huawei(spec),
            warnings,
        }) => (spec, warnings),
        Ok(Imported { spec, .. }) => panic!("not a Huawei spec: {spec:?}"),
        Err(errors) => panic!("import of {} failed:\n{errors}", page.display()),
    }
}

/// The operation with this route (`METHOD /path`).
fn route<'s>(spec: &'s HuaweiSpec, route: &str) -> &'s HuaweiOperation {
    let (method, path) = route.split_once(' ').expect("METHOD /path");
    let method: HttpMethod = method.parse().expect("a method");
    spec.operations
        .iter()
        .find(|op| op.method == method && op.path == path)
        .unwrap_or_else(|| panic!("no operation for {route}"))
}

fn scenario(op: &HuaweiOperation) -> (&str, Option<&str>) {
    (op.scenario.as_str(), op.sub_scenario.as_deref())
}

fn warnings_of<'d>(diagnostics: &'d Diagnostics, rule: &str) -> Vec<&'d Diagnostic> {
    diagnostics.warnings().filter(|d| d.rule == rule).collect()
}

/// The errors of importing a bad fixture, as (rule, line).
fn errors_of(name: &str) -> Vec<(&'static str, Option<usize>)> {
    let errors = match import_huawei(&huawei_fixture(name), None, None) {
        Ok(imported) => panic!("{name} imported: {:?}", imported.spec),
        Err(errors) => errors,
    };
    for error in &errors.0 {
        assert!(error.is_error(), "{name}: only errors come back: {error}");
        assert!(
            error.file.ends_with(name),
            "{name}: the error names the file: {error}"
        );
    }
    errors.0.iter().map(|e| (e.rule, e.line)).collect()
}

#[test]
fn real_page_gives_21_operations_with_their_facts() {
    let Some(page) = shared_doc(REAL_PAGE) else {
        eprintln!("skipped: the Huawei permission page is not beside this checkout");
        return;
    };
    let (spec, warnings) = import(&page, None, None);
    assert!(!warnings.has_errors());
    assert_eq!(spec.operations.len(), 21);
    assert!(spec.permissions.any_of);
    assert!(!spec.permissions.unlisted_need_permission);
    assert!(
        warnings_of(&warnings, "permission-rule-missing").is_empty(),
        "the page states both rules"
    );
    let source = &spec.service.sources[0];
    assert_eq!(source.kind, SourceKind::PermissionPage);
    assert_eq!(source.file, "api-access-permissions.txt");
    assert_eq!(
        source.title.as_deref(),
        Some("API Access Permission (Partner)")
    );
    assert_eq!(source.last_updated, None);

    // The rows with two permission actions are exactly the rows without a console path.
    let two_actions = [
        "POST /v2/partners/sub-customers/query",
        "POST /v2/partners/sub-customers/freeze",
        "POST /v2/partners/sub-customers/unfreeze",
        "GET /v2/promotions/benefits/coupons",
        "GET /v2/orders/customer-orders",
        "GET /v2/orders/customer-orders/details/{order_id}",
        "GET /v2/partners/sub-customers/budget",
        "POST /v2/partners/sub-customers/budget/query",
        "POST /v2/partners/sub-customers/budget",
    ];
    let with_two: Vec<_> = spec
        .operations
        .iter()
        .filter(|op| op.permissions.len() == 2)
        .collect();
    assert_eq!(with_two.len(), 9);
    assert!(spec.operations.iter().all(|op| op.permissions.len() <= 2));
    for r in two_actions {
        assert_eq!(route(&spec, r).permissions.len(), 2, "{r}");
        assert_eq!(route(&spec, r).console_path, None, "{r}");
    }
    let without_path = spec
        .operations
        .iter()
        .filter(|op| op.console_path.is_none())
        .count();
    assert_eq!(without_path, two_actions.len());

    assert_eq!(
        route(&spec, "POST /v2/partners/sub-customers/query").permissions,
        ["BPC_ITEM_SUBCUSTSERV_010100", "BPC_ITEM_SUBCUSTSERV_010500"]
    );
    let verification = route(&spec, "POST /v2/bases/verificationcode/send");
    assert_eq!(verification.description, "Sending a verification code");
    assert_eq!(
        scenario(verification),
        ("Customer management", Some("Customer registration"))
    );
    let create = route(&spec, "POST /v2/partners/sub-customers");
    assert_eq!(create.description, "Creating a customer");
    assert_eq!(
        scenario(create),
        ("Customer management", Some("Customer registration"))
    );
    assert_eq!(
        create.console_path.as_deref(),
        Some("Sales > Customers > Customer Management > Customer List > Create Partner Customer")
    );
    let query = route(&spec, "POST /v2/partners/sub-customers/query");
    assert_eq!(query.description, "Querying customers");
    assert_eq!(
        scenario(query),
        ("Customer management", Some("Customer management"))
    );
    let unfreeze = route(&spec, "POST /v2/partners/sub-customers/unfreeze");
    assert_eq!(
        scenario(unfreeze),
        ("Customer management", Some("Customer management"))
    );
    let resellers = route(&spec, "POST /v2/partners/indirect-partners/query");
    assert_eq!(resellers.description, "Querying the list of resellers");
    assert_eq!(
        scenario(resellers),
        ("Reseller management", Some("Querying resellers"))
    );
    let reauth = route(&spec, "PUT /v2/customers/realname-auths/enterprise");
    assert_eq!(
        scenario(reauth),
        ("Customer management", Some("Real-name authentication"))
    );
    let orders = route(&spec, "GET /v2/orders/customer-orders");
    assert_eq!(
        scenario(orders),
        (
            "Transaction Management",
            Some("Yearly/monthly order management")
        )
    );
    let budgets = route(&spec, "POST /v2/partners/sub-customers/budget");
    assert_eq!(
        scenario(budgets),
        (
            "Transaction Management",
            Some("Managing Customers' Budgets")
        )
    );
    let bill = route(&spec, "GET /v2/bills/partner-bills/postpaid-bill-summary");
    assert_eq!(scenario(bill), ("Bill Management", None));
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices");
    assert_eq!(
        scenario(invoices),
        ("Invoice Management", Some("Invoice Management"))
    );
    assert_eq!(invoices.path_params, ["domain_id"]);
    assert_eq!(
        route(&spec, "GET /v2/orders/customer-orders/details/{order_id}").path_params,
        ["order_id"]
    );
    assert!(route(&spec, "GET /v2/orders/customer-orders")
        .path_params
        .is_empty());

    // Without SDK names every operation is named from its route, with a warning each.
    assert_eq!(query.name, "PostPartnersSubCustomersQuery");
    assert_eq!(warnings_of(&warnings, "derived-name").len(), 21);
    // What the importer writes must load again.
    parse_spec("partner-center.yaml", &to_yaml(&Spec::Huawei(spec)))
        .expect("the imported spec validates");
}

#[test]
fn fixture_page_rows_carry_merged_cells_down() {
    let (spec, warnings) = import(&huawei_fixture("page.txt"), None, None);
    assert!(warnings_of(&warnings, "permission-rule-missing").is_empty());
    assert_eq!(spec.operations.len(), 7);
    let query = route(&spec, "POST /v2/partners/sub-customers/query");
    assert_eq!(
        scenario(query),
        ("Customer management", Some("Customer management"))
    );
    let freeze = route(&spec, "POST /v2/partners/sub-customers/freeze");
    assert_eq!(
        scenario(freeze),
        ("Customer management", Some("Customer management"))
    );
    assert_eq!(
        freeze.permissions,
        ["BPC_ITEM_SUBCUSTSERV_010501", "BPC_ITEM_SUBCUSTSERV_010115"]
    );
    assert_eq!(freeze.console_path, None);
    let resources = route(
        &spec,
        "POST /v2/partners/sub-customers/on-demand-resources/query",
    );
    assert_eq!(
        scenario(resources),
        (
            "Transaction Management",
            Some("Managing Pay-Per-Use Resources")
        )
    );
    assert_eq!(
        resources.description,
        "Querying a customer's pay-per-use resources"
    );
    let bill = route(&spec, "GET /v2/bills/partner-bills/postpaid-bill-summary");
    assert_eq!(scenario(bill), ("Bill Management", None));
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices");
    assert_eq!(
        scenario(invoices),
        ("Invoice Management", Some("Invoice Management"))
    );
    assert_eq!(invoices.path_params, ["domain_id"]);

    let names: Vec<&str> = spec.operations.iter().map(|op| op.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "operations are sorted by name");
    let service = &spec.service;
    assert_eq!(
        (service.name.as_str(), service.api_version.as_str()),
        ("partner-center", "v2")
    );
    assert_eq!(service.endpoint, "bss-intl.myhuaweicloud.com");
    assert_eq!(service.default_qps, None);
    assert_eq!(service.sources.len(), 1);
    assert_eq!(
        service.sources[0].last_updated.as_deref(),
        Some("2025-01-01 00:00:00")
    );
}

#[test]
fn names_come_from_the_sdk_operations_file() {
    let sdk = huawei_fixture("sdk-operations.json");
    let (spec, warnings) = import(&huawei_fixture("page.txt"), Some(&sdk), None);
    assert_eq!(
        route(&spec, "POST /v2/partners/sub-customers/query").name,
        "ListSubCustomers"
    );
    assert_eq!(
        route(&spec, "POST /v2/partners/sub-customers").name,
        "CreateSubCustomer"
    );
    assert_eq!(
        route(&spec, "GET /v2/orders/customer-orders/details/{order_id}").name,
        "ShowCustomerOrderDetails"
    );
    assert_eq!(
        route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices").name,
        "ListInvoices"
    );

    // The fixture lacks one route of the page: that one is derived, and both are reported.
    let missing = route(
        &spec,
        "POST /v2/partners/sub-customers/on-demand-resources/query",
    );
    assert_eq!(
        missing.name,
        "PostPartnersSubCustomersOnDemandResourcesQuery"
    );
    let not_in_sdk = warnings_of(&warnings, "not-in-sdk");
    assert_eq!(not_in_sdk.len(), 1);
    assert_eq!(
        not_in_sdk[0].subject.as_deref(),
        Some(missing.name.as_str())
    );
    let derived = warnings_of(&warnings, "derived-name");
    assert_eq!(derived.len(), 1);
    assert_eq!(derived[0].subject.as_deref(), Some(missing.name.as_str()));

    let sources = &spec.service.sources;
    assert_eq!(
        sources
            .iter()
            .map(|s| (s.kind, s.file.as_str()))
            .collect::<Vec<_>>(),
        [
            (SourceKind::PermissionPage, "page.txt"),
            (SourceKind::SdkOperations, "sdk-operations.json")
        ]
    );
    assert_eq!(sources[1].version.as_deref(), Some("3.1.219"));
}

#[test]
fn without_the_sdk_file_names_are_derived_with_a_warning() {
    let (spec, warnings) = import(&huawei_fixture("page.txt"), None, None);
    let query = route(&spec, "POST /v2/partners/sub-customers/query");
    assert_eq!(query.name, "PostPartnersSubCustomersQuery");
    assert_eq!(
        route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices").name,
        "GetPaymentsIntlInvoices"
    );
    let derived = warnings_of(&warnings, "derived-name");
    assert_eq!(derived.len(), spec.operations.len());
    let for_query = derived
        .iter()
        .find(|d| d.subject.as_deref() == Some("PostPartnersSubCustomersQuery"))
        .expect("a warning names the operation");
    assert_eq!(for_query.line, Some(21));
    assert!(
        for_query.message.contains("--sdk-operations"),
        "{for_query}"
    );
    assert!(warnings_of(&warnings, "not-in-sdk").is_empty());
}

#[test]
fn a_pinned_name_survives_a_reimport() {
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let (mut base, _) = import(&page, Some(&sdk), None);
    let query = base
        .operations
        .iter_mut()
        .find(|op| op.name == "ListSubCustomers")
        .expect("named from the SDK");
    query.name = "QuerySubCustomers".into();
    query.pinned = vec!["name".into()];

    let (spec, warnings) = import(&page, Some(&sdk), Some(&base));
    let query = route(&spec, "POST /v2/partners/sub-customers/query");
    assert_eq!(query.name, "QuerySubCustomers");
    assert_eq!(query.pinned, ["name"]);
    assert!(spec
        .operations
        .iter()
        .all(|op| op.name != "ListSubCustomers"));
    let kept = warnings_of(&warnings, "pinned-kept");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].subject.as_deref(), Some("QuerySubCustomers"));
    assert!(
        kept[0].message.contains("name") && kept[0].message.contains("ListSubCustomers"),
        "{}",
        kept[0]
    );
}

#[test]
fn an_unpinned_base_name_is_kept_when_the_sdk_has_none() {
    let page = huawei_fixture("page.txt");
    let (mut base, _) = import(&page, None, None);
    let bill = base
        .operations
        .iter_mut()
        .find(|op| op.path == "/v2/bills/partner-bills/postpaid-bill-summary")
        .expect("the bill row");
    bill.name = "ListPostpaidBillSum".into();
    let (spec, warnings) = import(&page, None, Some(&base));
    assert_eq!(
        route(&spec, "GET /v2/bills/partner-bills/postpaid-bill-summary").name,
        "ListPostpaidBillSum"
    );
    // Every route has a name in the base, so none is derived again.
    assert!(warnings_of(&warnings, "derived-name").is_empty());
}

#[test]
fn importing_twice_gives_the_same_spec_and_yaml() {
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let (first, _) = import(&page, Some(&sdk), None);
    let (again, _) = import(&page, Some(&sdk), None);
    let (reimported, warnings) = import(&page, Some(&sdk), Some(&first));
    assert_eq!(first, again);
    assert_eq!(first, reimported);
    assert!(warnings_of(&warnings, "pinned-kept").is_empty());
    let yaml = to_yaml(&Spec::Huawei(first));
    assert_eq!(yaml, to_yaml(&Spec::Huawei(again)));
    assert_eq!(yaml, to_yaml(&Spec::Huawei(reimported)));
    let loaded = parse_spec("partner-center.yaml", &yaml).expect("the imported spec validates");
    assert_eq!(to_yaml(&loaded.spec), yaml);
}

#[test]
fn a_page_cut_after_a_url_cell_is_truncated() {
    let errors = errors_of("truncated-page.txt");
    assert!(errors.contains(&("truncated-page", Some(19))), "{errors:?}");
}

#[test]
fn a_page_ending_inside_the_table_is_truncated() {
    assert_eq!(
        errors_of("truncated-table.txt"),
        [("truncated-page", Some(17))]
    );
}

#[test]
fn a_header_without_the_action_column_is_rejected() {
    assert_eq!(errors_of("missing-column.txt"), [("table-header", Some(5))]);
}

#[test]
fn an_unknown_http_method_is_rejected() {
    assert_eq!(
        errors_of("unknown-method.txt"),
        [("unknown-method", Some(19))]
    );
}

#[test]
fn an_empty_permission_cell_is_rejected() {
    assert_eq!(
        errors_of("empty-permission.txt"),
        [("empty-permission", Some(20))]
    );
}

#[test]
fn a_route_listed_twice_is_rejected() {
    assert_eq!(
        errors_of("duplicate-route.txt"),
        [("duplicate-route", Some(19))]
    );
}

#[test]
fn a_table_without_rows_is_rejected() {
    assert_eq!(errors_of("no-rows.txt"), [("no-rows", Some(11))]);
}

#[test]
fn an_sdk_file_of_another_shape_is_rejected() {
    let sdk = huawei_fixture("sdk-operations-bare.json");
    let errors = import_huawei(&huawei_fixture("page.txt"), Some(&sdk), None)
        .expect_err("a bare mapping is refused");
    assert!(!errors.0.is_empty());
    for error in &errors.0 {
        assert_eq!(error.rule, "sdk-operations-shape", "{error}");
        assert!(error.file.ends_with("sdk-operations-bare.json"), "{error}");
        assert!(error.line.is_some(), "{error}");
    }
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.message.contains("huawei_sdk_operations.py")),
        "{errors}"
    );
}

// ---------------------------------------------------------------------------------------
// Parameters, responses and models from the SDK file

/// The parameter of `op` with this name.
fn param<'o>(op: &'o HuaweiOperation, name: &str) -> &'o HuaweiParam {
    op.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{} has no parameter {name}", op.name))
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named(name.into())
}

fn primitive(p: Primitive) -> TypeRef {
    TypeRef::Primitive(p)
}

#[test]
fn parameters_responses_and_models_come_from_the_sdk_file() {
    let sdk = huawei_fixture("sdk-operations.json");
    let (spec, warnings) = import(&huawei_fixture("page.txt"), Some(&sdk), None);
    assert!(!warnings.has_errors(), "{warnings}");

    // Path, query and header parameters keep the SDK's order, wire names and required.
    let details = route(&spec, "GET /v2/orders/customer-orders/details/{order_id}");
    assert_eq!(
        details.response.as_deref(),
        Some("ShowCustomerOrderDetailsResponse")
    );
    let shown: Vec<_> = details
        .params
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.wire_name.as_str(),
                p.location,
                p.required,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("x_language", "X-Language", ParamLocation::Header, false),
            ("order_id", "order_id", ParamLocation::Path, true),
            ("offset", "offset", ParamLocation::Query, false),
        ]
    );
    assert_eq!(param(details, "offset").ty, primitive(Primitive::Int64));

    // The SDK fills `{domain_id}` from its credentials; the spec says so.
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices");
    let domain = param(invoices, "domain_id");
    assert!(domain.from_credentials && domain.required);
    assert_eq!(domain.location, ParamLocation::Path);
    assert!(!param(invoices, "start_time").from_credentials);

    // The SDK marks no body required; the import requires every body.
    let query = route(&spec, "POST /v2/partners/sub-customers/query");
    let body = query.body().expect("a body");
    assert_eq!((body.name.as_str(), body.required), ("body", true));
    assert_eq!(body.ty, named("QuerySubCustomerListReq"));
    assert_eq!(query.params.len(), 1);

    // Models: wire names verbatim (camelCase too), `decimal` and `float` are floats,
    // required as the SDK marks it.
    let invoice = &spec.types["InvoiceInfo"];
    let wire: Vec<_> = invoice.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(wire, ["requestId", "invoiceAmount"]);
    assert_eq!(invoice.fields[1].ty, primitive(Primitive::Float));
    assert!(invoice.fields.iter().all(|f| f.rust_name.is_none()));
    let customer = &spec.types["CustomerInformation"];
    let required: Vec<_> = customer
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(
        required,
        [
            ("account_name", true),
            ("customer_id", true),
            ("label", false)
        ]
    );
    assert_eq!(
        spec.types["FreezeSubCustomersReq"].fields[0].ty,
        TypeRef::List(Box::new(primitive(Primitive::String)))
    );
    assert_eq!(
        spec.types["CustomerOrder"].fields[2].ty,
        TypeRef::List(Box::new(named("CustomerOrder")))
    );

    // Exactly the models the page's operations reach: not those of the SDK operation the
    // page does not list (ListUsageTypes).
    let types: Vec<&str> = spec.types.keys().map(String::as_str).collect();
    assert_eq!(
        types,
        [
            "CreateCustomerReq",
            "CreateSubCustomerResponse",
            "CustomerErrorDetail",
            "CustomerInformation",
            "CustomerOrder",
            "FreezeSubCustomersReq",
            "FreezeSubCustomersResponse",
            "InvoiceInfo",
            "ListInvoicesResponse",
            "ListPostpaidBillSumResponse",
            "ListSubCustomersResponse",
            "QuerySubCustomerListReq",
            "ShowCustomerOrderDetailsResponse",
        ]
    );

    // The route the SDK file lacks stays untyped, and the warning says so.
    let missing = route(
        &spec,
        "POST /v2/partners/sub-customers/on-demand-resources/query",
    );
    assert!(!missing.is_typed() && missing.params.is_empty());
    let not_in_sdk = warnings_of(&warnings, "not-in-sdk");
    assert!(
        not_in_sdk[0].message.contains("without typed models"),
        "{}",
        not_in_sdk[0]
    );
    assert_eq!(spec.operations.iter().filter(|op| op.is_typed()).count(), 6);
    // What the importer writes loads again (validation included).
    parse_spec("partner-center.yaml", &to_yaml(&Spec::Huawei(spec)))
        .expect("the imported spec validates");
}

#[test]
fn without_the_sdk_file_parameters_and_types_stay_as_the_spec_has_them() {
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let (base, _) = import(&page, Some(&sdk), None);
    let (spec, _) = import(&page, None, Some(&base));
    assert_eq!(spec, base);
}

#[test]
fn pinned_parameters_survive_a_reimport() {
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let (mut base, _) = import(&page, Some(&sdk), None);
    // A maintainer knows the service needs `limit`, which the SDK leaves optional.
    let invoices = base
        .operations
        .iter_mut()
        .find(|op| op.name == "ListInvoices")
        .unwrap();
    invoices
        .params
        .iter_mut()
        .find(|p| p.name == "limit")
        .unwrap()
        .required = true;
    invoices.pinned = vec!["params".into()];

    let (spec, warnings) = import(&page, Some(&sdk), Some(&base));
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices");
    assert!(param(invoices, "limit").required);
    let kept = warnings_of(&warnings, "pinned-kept");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].subject.as_deref(), Some("ListInvoices"));
    assert!(kept[0].message.contains("`params`"), "{}", kept[0]);
}

#[test]
fn a_broken_model_reference_names_the_operation() {
    let name = "sdk-operations-broken-model.json";
    let errors = import_huawei(
        &huawei_fixture("page.txt"),
        Some(&huawei_fixture(name)),
        None,
    )
    .expect_err("a model that is not there is refused");
    let text = fs::read_to_string(huawei_fixture(name)).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let found: Vec<_> = errors
        .0
        .iter()
        .map(|e| (e.rule, e.subject.as_deref(), e.line))
        .collect();
    assert_eq!(
        found,
        [
            (
                "sdk-undefined-model",
                Some("FreezeSubCustomers"),
                Some(line_of("list<CustomerErrorDetails>"))
            ),
            (
                "sdk-undefined-model",
                Some("ListSubCustomers"),
                Some(line_of("\"QuerySubCustomerListRequest\""))
            ),
        ],
        "{errors}"
    );
    for error in &errors.0 {
        assert!(error.file.ends_with(name), "{error}");
    }
    assert!(
        errors.0[0].message.contains("FreezeSubCustomersResponse")
            && errors.0[0].message.contains("CustomerErrorDetails"),
        "{}",
        errors.0[0]
    );
    assert!(
        errors.0[1]
            .message
            .contains("POST /v2/partners/sub-customers/query")
            && errors.0[1].message.contains("QuerySubCustomerListRequest"),
        "{}",
        errors.0[1]
    );
}

/// The errors of importing the fixture page with the SDK fixture edited by `edit`.
fn errors_with_sdk(edit: impl Fn(&str) -> String) -> Diagnostics {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(huawei_fixture("sdk-operations.json")).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changes the file");
    let sdk = dir.path().join("sdk.json");
    fs::write(&sdk, edited).unwrap();
    import_huawei(&huawei_fixture("page.txt"), Some(&sdk), None)
        .expect_err("the edited SDK file is refused")
}

#[test]
fn a_type_the_spec_cannot_hold_is_an_error() {
    let errors = errors_with_sdk(|text| {
        text.replace(
            "\"type\": \"list<CustomerInformation>\"",
            "\"type\": \"map<CustomerInformation>\"",
        )
    });
    let error = &errors.0[0];
    assert_eq!(error.rule, "sdk-unsupported-type", "{errors}");
    assert_eq!(error.subject.as_deref(), Some("ListSubCustomersResponse"));
    assert!(
        error.message.contains("map<CustomerInformation>"),
        "{error}"
    );
    assert!(error.line.is_some());
}

#[test]
fn path_parameters_must_fill_the_route() {
    let errors = errors_with_sdk(|text| {
        text.replace(
            "{\"location\": \"path\", \"name\": \"order_id\"",
            "{\"location\": \"query\", \"name\": \"order_id\"",
        )
    });
    let rules: Vec<_> = errors
        .0
        .iter()
        .map(|e| (e.rule, e.subject.as_deref()))
        .collect();
    assert_eq!(
        rules,
        [("sdk-path-params", Some("ShowCustomerOrderDetails"))],
        "{errors}"
    );
}

#[test]
fn a_file_of_names_only_asks_for_a_new_run_of_the_script() {
    let errors = errors_with_sdk(|text| {
        let mut document: serde_json::Value = serde_json::from_str(text).unwrap();
        document.as_object_mut().unwrap().remove("models");
        for operation in document["operations"].as_object_mut().unwrap().values_mut() {
            *operation = operation["name"].clone();
        }
        serde_json::to_string_pretty(&document).unwrap()
    });
    assert!(
        errors.0.iter().all(|e| e.rule == "sdk-operations-shape"),
        "{errors}"
    );
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.message.contains("older version of the script")),
        "{errors}"
    );
}

#[test]
fn the_drift_check_sees_a_changed_sdk_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("partner-center.yaml");
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let run = |mode: Mode, sdk: &Path| {
        import_into(&spec_path, mode, |base| match base {
            Some(Spec::Huawei(base)) => import_huawei(&page, Some(sdk), Some(base)),
            _ => import_huawei(&page, Some(sdk), None),
        })
        .unwrap_or_else(|d| panic!("{d}"))
    };
    assert!(run(Mode::Write, &sdk).written);
    let written = fs::read_to_string(&spec_path).unwrap();
    let again = run(Mode::Check, &sdk);
    assert!(!again.changed && !again.written, "{}", again.changelog);

    // A newer SDK makes `limit` required and adds a field: the check fails with both in
    // the changelog, and the spec stays as it was.
    let text = fs::read_to_string(&sdk).unwrap();
    let newer = text
        .replace(
            "{\"location\": \"query\", \"name\": \"limit\", \"required\": false",
            "{\"location\": \"query\", \"name\": \"limit\", \"required\": true",
        )
        .replace(
            "{\"name\": \"label\", \"required\": false, \"type\": \"string\", \"wire_name\": \"label\"}",
            "{\"name\": \"label\", \"required\": false, \"type\": \"string\", \"wire_name\": \"label\"},\n        {\"name\": \"tier\", \"required\": false, \"type\": \"int64\", \"wire_name\": \"tier\"}",
        );
    assert_ne!(newer, text);
    let newer_path = dir.path().join("sdk-operations.json");
    fs::write(&newer_path, newer).unwrap();
    let stale = run(Mode::Check, &newer_path);
    assert!(stale.changed && !stale.written);
    assert_eq!(fs::read_to_string(&spec_path).unwrap(), written);
    let changes = &stale.changelog.changes;
    assert!(
        changes.contains(&Change::Changed {
            kind: "operation",
            name: "ListInvoices (GET /v1.0/{domain_id}/payments/intl-invoices)".into(),
            field: "params[limit].required".into(),
            old: "false".into(),
            new: "true".into(),
        }),
        "{}",
        stale.changelog
    );
    // A new field is one change showing the whole field.
    let added = changes
        .iter()
        .find_map(|c| match c {
            Change::Changed {
                kind: "type",
                name,
                field,
                old,
                new,
            } if name == "CustomerInformation" => {
                Some((field.as_str(), old.as_str(), new.as_str()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{}", stale.changelog));
    assert_eq!(added.0, "fields[tier]");
    assert_eq!(added.1, "(none)");
    assert!(added.2.contains("\"type\":\"int64\""), "{}", added.2);
    assert_eq!(changes.len(), 2, "{}", stale.changelog);
}

// ---------------------------------------------------------------------------------------
// Pagination

/// The fixture SDK: ListSubCustomers pages by body fields documented as an offset,
/// ListInvoices by query parameters documented as a page number; ShowCustomerOrderDetails
/// has an `offset` but no `limit`, so it does not page.
#[test]
fn pagination_is_inferred_from_the_sdk_models_and_descriptions() {
    let (spec, warnings) = import(
        &huawei_fixture("page.txt"),
        Some(&huawei_fixture("sdk-operations.json")),
        None,
    );
    let subs = route(&spec, "POST /v2/partners/sub-customers/query")
        .pagination
        .as_ref()
        .expect("ListSubCustomers pages");
    assert_eq!(
        (subs.style, subs.location, subs.first_page),
        (PagingStyle::Offset, Some(ParamLocation::Body), None)
    );
    assert_eq!(
        (
            subs.position.as_str(),
            subs.size.as_str(),
            subs.items.as_str(),
            subs.total.as_deref()
        ),
        ("offset", "limit", "customer_infos", Some("count"))
    );
    assert_eq!((subs.max_page_size, subs.page_size), (None, 10));
    assert_eq!(
        subs.basis,
        "body fields of QuerySubCustomerListReq offset/limit (int64); the SDK documents `offset` as an offset from 0 (偏移量，从0开始); items customer_infos (list<CustomerInformation>); total count (int64); no maximum documented; page size 10, the default the SDK documents for limit (默认值为10)"
    );
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices")
        .pagination
        .as_ref()
        .expect("ListInvoices pages");
    assert_eq!(
        (invoices.style, invoices.location, invoices.first_page),
        (PagingStyle::PageNumber, Some(ParamLocation::Query), Some(1))
    );
    assert_eq!(invoices.total.as_deref(), Some("total_count"));
    assert_eq!((invoices.max_page_size, invoices.page_size), (None, 10));
    assert!(
        invoices.basis.contains("as a page number (页码)"),
        "{}",
        invoices.basis
    );
    assert!(invoices
        .basis
        .contains("no maximum or default documented for limit"));
    assert_eq!(
        route(&spec, "GET /v2/orders/customer-orders/details/{order_id}").pagination,
        None
    );
    assert!(warnings_of(&warnings, "pagination-inference").is_empty());
    // The Chinese descriptions decide; the spec keeps none of them beyond the basis words.
    let yaml = to_yaml(&Spec::Huawei(spec));
    assert!(!yaml.contains("每次查询的客户数量"), "{yaml}");
    parse_spec("partner-center.yaml", &yaml).unwrap_or_else(|d| panic!("{d}"));
}

/// An `offset` the SDK does not describe is taken as an offset from 0, with a warning
/// naming the operation (a maintainer pins `pagination` if it counts pages).
#[test]
fn an_undescribed_offset_is_assumed_an_offset_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(huawei_fixture("sdk-operations.json")).unwrap();
    let edited = text.replacen("{\"doc\": \"页码。\", ", "{", 1);
    assert_ne!(edited, text);
    let sdk = dir.path().join("sdk.json");
    fs::write(&sdk, edited).unwrap();
    let (spec, warnings) = import(&huawei_fixture("page.txt"), Some(&sdk), None);
    let invoices = route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices");
    let pagination = invoices.pagination.as_ref().unwrap();
    assert_eq!(
        (pagination.style, pagination.first_page),
        (PagingStyle::Offset, None)
    );
    assert!(
        pagination.basis.contains("offsets from 0 assumed"),
        "{}",
        pagination.basis
    );
    let warned = warnings_of(&warnings, "pagination-inference");
    assert_eq!(warned.len(), 1, "{warnings}");
    assert_eq!(warned[0].subject.as_deref(), Some("ListInvoices"));
    assert!(
        warned[0].message.contains("does not describe `offset`"),
        "{}",
        warned[0]
    );
}

#[test]
fn a_description_that_is_not_text_is_an_error() {
    let errors =
        errors_with_sdk(|text| text.replacen("{\"doc\": \"页码。\", ", "{\"doc\": 7, ", 1));
    let error = &errors.0[0];
    assert_eq!(error.rule, "sdk-operations-shape", "{errors}");
    assert!(error.message.contains("`doc` must be a string"), "{error}");
    assert!(error.line.is_some());
}

/// A pinned pagination, and a pinned absence on a list operation, survive a re-import;
/// without an SDK file the spec's own pagination stays.
#[test]
fn pinned_pagination_survives_a_reimport() {
    let page = huawei_fixture("page.txt");
    let sdk = huawei_fixture("sdk-operations.json");
    let (mut base, _) = import(&page, Some(&sdk), None);
    let (without_sdk, _) = import(&page, None, Some(&base));
    assert_eq!(without_sdk, base);
    for op in &mut base.operations {
        match op.name.as_str() {
            "ListSubCustomers" => {
                op.pagination = None;
                op.pinned = vec!["pagination".into()];
            }
            "ListInvoices" => {
                op.pagination.as_mut().unwrap().max_page_size = Some(100);
                op.pinned = vec!["pagination".into()];
            }
            _ => {}
        }
    }
    let (spec, warnings) = import(&page, Some(&sdk), Some(&base));
    assert_eq!(
        route(&spec, "POST /v2/partners/sub-customers/query").pagination,
        None
    );
    assert_eq!(
        route(&spec, "GET /v1.0/{domain_id}/payments/intl-invoices")
            .pagination
            .as_ref()
            .unwrap()
            .max_page_size,
        Some(100)
    );
    let kept = warnings_of(&warnings, "pinned-kept");
    let said: Vec<(&str, &str)> = kept
        .iter()
        .map(|w| (w.subject.as_deref().unwrap(), w.message.as_str()))
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said.iter()
            .any(|(s, m)| *s == "ListSubCustomers" && m.contains("\"items\":\"customer_infos\"")),
        "{said:?}"
    );
    // The imported facts have no maximum (serialised without the key).
    assert!(
        said.iter().any(|(s, m)| *s == "ListInvoices"
            && m.contains("\"style\":\"page-number\"")
            && !m.contains("max_page_size")),
        "{said:?}"
    );
}

/// The real page and the pinned SDK: the seven operations that page.
#[test]
fn real_sdk_gives_the_paged_operations() {
    let Some(page) = shared_doc(REAL_PAGE) else {
        return;
    };
    let python = partnergen_tests::python_with("huaweicloudsdkbssintl", "huaweicloudsdkbssintl");
    let script = partnergen_tests::workspace_root().join("xtask/scripts/huawei_sdk_operations.py");
    let output = std::process::Command::new(&python)
        .arg(script)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let sdk = dir.path().join("huawei-ops.json");
    fs::write(&sdk, output.stdout).unwrap();
    let (spec, warnings) = import(&page, Some(&sdk), None);
    /// An operation's name and its pagination's style, location, items, total, page size.
    type Paged<'s> = (
        &'s str,
        PagingStyle,
        ParamLocation,
        &'s str,
        Option<&'s str>,
        i64,
    );
    let paged: Vec<Paged<'_>> = spec
        .operations
        .iter()
        .filter_map(|op| {
            let p = op.pagination.as_ref()?;
            Some((
                op.name.as_str(),
                p.style,
                p.location?,
                p.items.as_str(),
                p.total.as_deref(),
                p.page_size,
            ))
        })
        .collect();
    use PagingStyle::{Offset, PageNumber};
    use ParamLocation::{Body, Query};
    assert_eq!(
        paged,
        [
            (
                "ListCustomerOnDemandResources",
                Offset,
                Body,
                "resources",
                Some("total_count"),
                10
            ),
            (
                "ListCustomerOrders",
                Offset,
                Query,
                "order_infos",
                Some("total_count"),
                10
            ),
            (
                "ListIndirectPartners",
                Offset,
                Body,
                "indirect_partners",
                Some("count"),
                10
            ),
            (
                "ListInvoices",
                PageNumber,
                Query,
                "invoices",
                Some("count"),
                10
            ),
            (
                "ListSubCustomerCoupons",
                Offset,
                Query,
                "user_coupons",
                Some("count"),
                10
            ),
            (
                "ListSubCustomers",
                Offset,
                Body,
                "customer_infos",
                Some("count"),
                10
            ),
            (
                "ShowCustomerOrderDetails",
                Offset,
                Query,
                "order_line_items",
                Some("total_count"),
                10
            ),
        ]
    );
    assert!(
        warnings_of(&warnings, "pagination-inference").is_empty(),
        "{warnings}"
    );
}
