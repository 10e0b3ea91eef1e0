//! The Tencent importer: facts of the real pages (when `../shared/docs` is here), and
//! every quirk and bad-input case on small fixtures of our own.

use std::fs;
use std::path::{Path, PathBuf};

use partnergen_codegen::changelog::Change;
use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::import::tencent::{import_tencent, TencentInputs};
use partnergen_codegen::import::{import_into, Imported, Mode};
use partnergen_codegen::spec::{CamClass, Pagination, PagingStyle, Spec, TencentSpec};
use partnergen_codegen::specfile::{load_spec, parse_spec, to_yaml};
use partnergen_tests::{fixture, tencent_doc};

fn inputs(
    cam: &[PathBuf],
    category: &[PathBuf],
    definition: PathBuf,
    examples: PathBuf,
) -> TencentInputs {
    TencentInputs {
        cam_pages: cam.to_vec(),
        category_pages: category.to_vec(),
        definition,
        examples,
    }
}

fn fixture_inputs(cam: &str, category: &str) -> TencentInputs {
    inputs(
        &[fixture(&format!("tencent/{cam}"))],
        &[fixture(&format!("tencent/{category}"))],
        fixture("tencent/definition.json"),
        fixture("tencent/examples.json"),
    )
}

/// The real pages, text forms, if the docs are here.
fn real_inputs(cam: &str, category: &str) -> Option<TencentInputs> {
    Some(inputs(
        &[tencent_doc(cam)?],
        &[tencent_doc(category)?],
        tencent_doc("api-definition-2022-09-28.json")?,
        tencent_doc("api-examples-2022-09-28.json")?,
    ))
}

fn tencent(imported: &Imported) -> &TencentSpec {
    match &imported.spec {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => panic!("expected a Tencent spec"),
    }
}

fn import_ok(inputs: &TencentInputs, base: Option<&TencentSpec>) -> Imported {
    import_tencent(inputs, base).unwrap_or_else(|d| panic!("import failed:\n{d}"))
}

fn import_err(inputs: &TencentInputs) -> Diagnostics {
    match import_tencent(inputs, None) {
        Ok(_) => panic!("import should have failed"),
        Err(d) => d,
    }
}

fn count_rule(d: &Diagnostics, rule: &str) -> usize {
    d.0.iter().filter(|x| x.rule == rule).count()
}

/// A copy of a fixture with a text replacement, in a temporary directory.
fn mangled(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = fs::read_to_string(fixture(&format!("tencent/{name}"))).unwrap();
    assert!(text.contains(from), "{name} has no `{from}`");
    let path = dir.join(name);
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

// ---------------------------------------------------------------------------------------
// The real pages

#[test]
fn real_pages_give_the_documented_counts() {
    let Some(inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let on_cam = spec
        .actions
        .iter()
        .filter(|a| a.cam_class.is_some())
        .count();
    assert_eq!(on_cam, 238);
    assert_eq!(spec.actions.len(), 242);
    let class = |c| {
        spec.actions
            .iter()
            .filter(|a| a.cam_class == Some(c))
            .count()
    };
    assert_eq!(
        [
            class(CamClass::Write),
            class(CamClass::Read),
            class(CamClass::List),
            class(CamClass::Other)
        ],
        [66, 131, 38, 3]
    );
    let no_ip: Vec<&str> = spec
        .actions
        .iter()
        .filter(|a| a.ip_restriction == Some(false))
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        no_ip,
        [
            "CheckInQnList",
            "CheckPopUpPushStatus",
            "ContractModeSwitch",
            "QueryIndirectCustomersDetail",
            "QueryUser",
            "UpdatePopUpPushStatus"
        ]
    );
    assert_eq!(spec.actions.iter().filter(|a| a.qps.is_some()).count(), 42);
    assert_eq!(
        spec.actions.iter().filter(|a| a.in_api_definition).count(),
        46
    );
    let api_only: Vec<&str> = spec
        .actions
        .iter()
        .filter(|a| a.in_api_definition && a.cam_class.is_none() && a.qps.is_none())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        api_only,
        [
            "DescribeCustomerOwnCostExplorerFilter",
            "DescribeCustomerOwnCostExplorerSummary",
            "DescribeCustomerOwnVoucherUsageDetails",
            "DescribeCustomerVoucherUsageDetails"
        ]
    );
    // Validation warns about exactly those four, in one warning.
    let warnings = &imported.warnings;
    assert_eq!(spec.cam.abbreviation, "intlpartnersmgt");
    assert_eq!(spec.service.api_version, "2022-09-28");
    assert_eq!(spec.service.endpoint, "intlpartnersmgt.tencentcloudapi.com");
    assert_eq!(spec.service.title, "International Partners Management");
    assert!(warnings.0.is_empty() || warnings.0.iter().all(|w| !w.is_error()));
}

#[test]
fn real_pages_facts_of_single_actions() {
    let Some(inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let action = |name: &str| spec.actions.iter().find(|a| a.name == name).unwrap();
    let force_qn = action("ForceQN");
    assert_eq!(force_qn.qps, Some(2));
    assert_eq!(force_qn.category.as_deref(), Some("Credit Management APIs"));
    assert_eq!(force_qn.cam_class, Some(CamClass::Write));
    assert_eq!(
        action("DescribeRebateDownloadUrl").category.as_deref(),
        Some("Commission Management APIs")
    );
    // Titles: escaped quotes of the CAM page come out plain, the triple-escaped one too.
    assert_eq!(
        action("QueryRebateSummary").title,
        "Query the agent's monthly rebate"
    );
    assert_eq!(
        action("QuerySubAgentCustomerBillQueryFilter").title,
        "Get the query conditions of a second-level dealer's bill"
    );
    assert!(
        spec.actions.iter().all(|a| !a.title.contains('\\')),
        "a title kept a backslash"
    );
    // The definition's one-line name wins over the CAM page's description.
    assert_eq!(action("CreateAccount").title, "Creates a customer account");
    // Sources carry the editions' stamps.
    let stamps: Vec<_> = spec
        .service
        .sources
        .iter()
        .map(|s| (s.file.as_str(), s.last_updated.as_deref()))
        .collect();
    assert!(
        stamps.contains(&("cam-authorization.txt", Some("2025-08-06 09:09:24"))),
        "{stamps:?}"
    );
    assert!(
        stamps.contains(&("api-category.txt", Some("2026-02-10 10:38:50"))),
        "{stamps:?}"
    );
}

#[test]
fn real_unheaded_table_is_decided_and_recorded() {
    let Some(inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let remark = spec
        .actions
        .iter()
        .find(|a| a.name == "ModifyClientRemark")
        .unwrap();
    assert_eq!(remark.category, None);
    assert_eq!(remark.qps, Some(5));
    let unheaded: Vec<_> = spec
        .category_tables
        .iter()
        .filter(|t| t.heading.is_none())
        .collect();
    assert_eq!(unheaded.len(), 1);
    assert!(unheaded[0]
        .decision
        .as_deref()
        .unwrap()
        .contains("Agent APIs"));
    assert_eq!(spec.category_tables.len(), 7);
    let warning = imported
        .warnings
        .0
        .iter()
        .find(|w| w.rule == "unheaded-table")
        .expect("a warning");
    assert!(warning.message.contains("ModifyClientRemark"));
    assert!(warning.line.is_some());
}

#[test]
fn real_example_quirks_are_reported_with_lines() {
    let Some(inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let invalid: Vec<_> = imported
        .warnings
        .0
        .iter()
        .filter(|w| w.rule == "invalid-example")
        .collect();
    assert_eq!(invalid.len(), 4, "{imported:?}");
    assert!(invalid
        .iter()
        .all(|w| w.line.is_some() && w.file.ends_with("api-examples-2022-09-28.json")));
    let broken: Vec<&str> = spec
        .actions
        .iter()
        .filter(|a| !a.broken_examples.is_empty())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        broken,
        [
            "DescribeCustomerVoucherList",
            "GetTradeConfigList",
            "QueryPendingSubAgentsV2",
            "QueryT1IndirectCustomersDetail"
        ]
    );
    let mismatches: Vec<_> = imported
        .warnings
        .0
        .iter()
        .filter(|w| w.rule == "example-type-mismatch")
        .collect();
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    // An example lacks a field the definition declares always present.
    let missing: Vec<_> = imported
        .warnings
        .0
        .iter()
        .filter(|w| w.rule == "example-missing-field")
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(
        missing[0].subject.as_deref(),
        Some("QueryCreditAllocationHistory")
    );
    assert!(missing[0].message.contains("Remark"));
    // Request examples send integers as strings too; reported under their own rule.
    assert_eq!(
        count_rule(&imported.warnings, "example-request-type-mismatch"),
        3
    );
    assert_eq!(
        mismatches[0].subject.as_deref(),
        Some("QueryPendingClientsV2")
    );
    assert!(mismatches[0].message.contains("ClientUin"));
    let kept = spec
        .actions
        .iter()
        .find(|a| a.name == "QueryPendingClientsV2")
        .unwrap();
    assert_eq!(kept.examples.len(), 1);
    assert_eq!(kept.examples[0].quirks.len(), 1);
    let usable: usize = spec.actions.iter().map(|a| a.examples.len()).sum();
    assert_eq!(usable, 48, "52 examples less the 4 broken ones");
}

#[test]
fn real_markdown_and_text_forms_import_identically() {
    let Some(text_inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let Some(md_inputs) = real_inputs("cam-authorization.md", "api-category.md") else {
        return;
    };
    let from_text = import_ok(&text_inputs, None);
    // The markdown category page shows no headings; they come from the existing spec.
    let from_md = import_ok(&md_inputs, Some(tencent(&from_text)));
    assert_same_except_sources(tencent(&from_text), tencent(&from_md));
    // Both forms at once agree with each other: no conflicts.
    let both = inputs(
        &[
            tencent_doc("cam-authorization.md").unwrap(),
            tencent_doc("cam-authorization.txt").unwrap(),
        ],
        &[
            tencent_doc("api-category.md").unwrap(),
            tencent_doc("api-category.txt").unwrap(),
        ],
        tencent_doc("api-definition-2022-09-28.json").unwrap(),
        tencent_doc("api-examples-2022-09-28.json").unwrap(),
    );
    let from_both = import_ok(&both, None);
    assert_eq!(count_rule(&from_both.warnings, "edition-conflict"), 0);
    assert_same_except_sources(tencent(&from_text), tencent(&from_both));
}

fn assert_same_except_sources(a: &TencentSpec, b: &TencentSpec) {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.service.sources.clear();
    b.service.sources.clear();
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------------------
// Fixtures: the same behaviours on small pages

#[test]
fn fixture_import_reads_every_page() {
    let imported = import_ok(&fixture_inputs("cam.txt", "category.txt"), None);
    let spec = tencent(&imported);
    let names: Vec<&str> = spec.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AllocateCredit",
            "DescribeUsage",
            "DownloadBill",
            "ListClients",
            "QueryCredit",
            "QueryRemark",
            "SendCode"
        ]
    );
    let allocate = &spec.actions[0];
    assert_eq!(allocate.title, "Allocates credit to a customer");
    assert_eq!(allocate.qps, Some(5));
    assert_eq!(allocate.category.as_deref(), Some("Credit APIs"));
    assert_eq!(
        allocate.examples[0].request.as_deref(),
        Some("{\n    \"ClientUin\": 100,\n    \"Credit\": 1.5\n}")
    );
    // Field facts: one-line docs, the keyword-named field, disabled and required flags.
    let request = &spec.types["AllocateCreditRequest"];
    assert_eq!(request.fields[1].doc.as_deref(), Some("Amount."));
    assert!(request.fields[2].disabled && !request.fields[2].required);
    assert!(spec.types["QueryCreditResponse"].fields[0].required);
    assert_eq!(
        spec.types["QueryCreditRequest"].fields[0].ty.to_string(),
        "list<uint64>"
    );
    assert_eq!(
        spec.types["DescribeUsageResponse"].fields[0].ty.to_string(),
        "list<UsageItem>"
    );
    assert!(spec.types["DescribeUsageResponse"].fields[0].nullable);
    // The triple-escaped description is the title where no better one exists.
    let remark = spec
        .actions
        .iter()
        .find(|a| a.name == "QueryRemark")
        .unwrap();
    assert_eq!(remark.category, None);
    let send = spec.actions.iter().find(|a| a.name == "SendCode").unwrap();
    assert_eq!(
        (send.ip_restriction, send.qps, send.category.as_deref()),
        (Some(false), None, None)
    );
    // Validation (which every load runs) warns about the API-only action.
    let loaded = parse_spec("demosvc.yaml", &to_yaml(&imported.spec)).unwrap();
    assert_eq!(count_rule(&loaded.warnings, "not-on-cam-page"), 1);
    assert!(loaded
        .warnings
        .0
        .iter()
        .any(|w| w.rule == "not-on-cam-page" && w.message.contains("DescribeUsage")));
}

#[test]
fn fixture_escaped_quotes_are_unescaped() {
    let imported = import_ok(&fixture_inputs("cam.md", "category.txt"), None);
    let spec = tencent(&imported);
    let download = spec
        .actions
        .iter()
        .find(|a| a.name == "DownloadBill")
        .unwrap();
    assert_eq!(download.title, "Download a bill");
    // QueryCredit is in the definition, so its title is the definition's, but the CAM
    // description feeds no title here; check the raw cells through a CAM-only action.
    let cam_only = mangled(
        &tempfile::tempdir().unwrap().keep(),
        "cam.txt",
        "QueryRemark Query remarks",
        "QueryRemark Query the partner\\'s remarks",
    );
    let imported = import_ok(
        &inputs(
            &[cam_only],
            &[fixture("tencent/category.md")],
            fixture("tencent/definition.json"),
            fixture("tencent/examples.json"),
        ),
        Some(spec),
    );
    let remark = tencent(&imported)
        .actions
        .iter()
        .find(|a| a.name == "QueryRemark")
        .unwrap()
        .clone();
    // The category page's feature outranks the CAM description for the title.
    assert_eq!(remark.title, "Queries remarks");
    assert!(tencent(&imported)
        .actions
        .iter()
        .all(|a| !a.title.contains('\\')));
}

#[test]
fn fixture_examples_quirks() {
    let imported = import_ok(&fixture_inputs("cam.txt", "category.txt"), None);
    let spec = tencent(&imported);
    let usage = spec
        .actions
        .iter()
        .find(|a| a.name == "DescribeUsage")
        .unwrap();
    assert_eq!(usage.examples.len(), 1);
    assert_eq!(usage.examples[0].quirks.len(), 1);
    assert_eq!(usage.broken_examples.len(), 1);
    assert!(usage.broken_examples[0].problem.contains("not valid JSON"));
    let invalid = imported
        .warnings
        .0
        .iter()
        .find(|w| w.rule == "invalid-example")
        .unwrap();
    // The broken example's `output` key is on line 25 of the fixture.
    assert_eq!(invalid.line, Some(21));
    let mismatch = imported
        .warnings
        .0
        .iter()
        .find(|w| w.rule == "example-type-mismatch")
        .unwrap();
    assert_eq!(mismatch.line, Some(15));
}

#[test]
fn fixture_markdown_needs_headings_from_somewhere() {
    let d = import_err(&fixture_inputs("cam.md", "category.md"));
    assert_eq!(count_rule(&d, "category-headings"), 1, "{d}");
    let from_text = import_ok(&fixture_inputs("cam.txt", "category.txt"), None);
    let from_md = import_ok(
        &fixture_inputs("cam.md", "category.md"),
        Some(tencent(&from_text)),
    );
    assert_same_except_sources(tencent(&from_text), tencent(&from_md));
}

#[test]
fn fixture_reorganised_markdown_page_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let moved = mangled(
        dir.path(),
        "category.md",
        "| ListClients | Lists clients | 10 |",
        "| ListClients | Lists clients | 10 |\n| QueryCredit | Queries a customer's credit | 20 |",
    );
    let base = import_ok(&fixture_inputs("cam.txt", "category.txt"), None);
    let mut inputs = fixture_inputs("cam.md", "category.md");
    inputs.category_pages = vec![moved];
    let d = import_tencent(&inputs, Some(tencent(&base))).unwrap_err();
    assert!(
        d.0.iter()
            .any(|x| x.rule == "category-headings" || x.rule == "duplicate-action"),
        "{d}"
    );
}

#[test]
fn editions_that_disagree_are_recorded_not_silently_picked() {
    let dir = tempfile::tempdir().unwrap();
    // An older, undated markdown edition says AllocateCredit allows 50 per second.
    let older = mangled(
        dir.path(),
        "category.md",
        "| AllocateCredit | Allocates credit | 5 |",
        "| AllocateCredit | Allocates credit | 50 |",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.category_pages.push(older);
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let allocate = &spec.actions[0];
    assert_eq!(allocate.qps, Some(5), "the dated text edition is newer");
    assert_eq!(allocate.conflicts.len(), 1);
    let conflict = &allocate.conflicts[0];
    assert_eq!(
        (conflict.field.as_str(), conflict.chosen.as_str()),
        ("qps", "category.txt")
    );
    let values: Vec<_> = conflict
        .values
        .iter()
        .map(|v| (v.source.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(values, [("category.txt", "5"), ("category.md", "50")]);
    assert_eq!(count_rule(&imported.warnings, "edition-conflict"), 1);
}

#[test]
fn reimport_is_byte_identical_and_reports_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demosvc.yaml");
    let inputs = fixture_inputs("cam.txt", "category.txt");
    let first = import_into(&path, Mode::Write, |_| import_tencent(&inputs, None)).unwrap();
    assert!(first.written);
    assert!(first
        .changelog
        .changes
        .iter()
        .any(|c| matches!(c, Change::Added { name, .. } if name == "AllocateCredit")));
    let text = fs::read_to_string(&path).unwrap();
    let second = import_into(&path, Mode::Write, |base| {
        import_tencent(&inputs, as_tencent(base))
    })
    .unwrap();
    assert!(!second.written);
    assert!(second.changelog.is_empty(), "{}", second.changelog);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    let check = import_into(&path, Mode::Check, |base| {
        import_tencent(&inputs, as_tencent(base))
    })
    .unwrap();
    assert!(!check.changed && !check.written);
    // The written file loads and round-trips through the model unchanged.
    let loaded = load_spec(&path).unwrap();
    assert_eq!(to_yaml(&loaded.spec), text);
}

fn as_tencent(spec: Option<&Spec>) -> Option<&TencentSpec> {
    match spec {
        Some(Spec::Tencent(spec)) => Some(spec),
        _ => None,
    }
}

#[test]
fn changelog_after_a_modified_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demosvc.yaml");
    import_into(&path, Mode::Write, |_| {
        import_tencent(&fixture_inputs("cam.txt", "category.txt"), None)
    })
    .unwrap();
    // The vendor raises a limit, drops an action and adds one.
    let pages = dir.path().join("pages");
    fs::create_dir(&pages).unwrap();
    let category = mangled(
        &pages,
        "category.txt",
        "ListClients Lists clients 10",
        "ListClients Lists clients 15",
    );
    let cam = mangled(
        &pages,
        "cam.txt",
        "DownloadBill Download a bill Operation level * Supported",
        "ArchiveBill Archive a bill Operation level * Supported",
    );
    let inputs = inputs(
        &[cam],
        &[category],
        fixture("tencent/definition.json"),
        fixture("tencent/examples.json"),
    );
    let report = import_into(&path, Mode::Write, |base| {
        import_tencent(&inputs, as_tencent(base))
    })
    .unwrap();
    let changes = &report.changelog.changes;
    assert!(
        changes.contains(&Change::Added {
            kind: "action",
            name: "ArchiveBill".into()
        }),
        "{}",
        report.changelog
    );
    assert!(changes.contains(&Change::Removed {
        kind: "action",
        name: "DownloadBill".into()
    }));
    assert!(changes.contains(&Change::Changed {
        kind: "action",
        name: "ListClients".into(),
        field: "qps".into(),
        old: "10".into(),
        new: "15".into()
    }));
    let shown = report.changelog.to_string();
    // Each line with its class: the new limit a patch that changes run-time behaviour,
    // the action gone breaking, the new one additive; the header counts them and names
    // the bump.
    assert!(
        shown.contains("  ~ [patch, behaviour] action ListClients: qps: 10 -> 15 ("),
        "{shown}"
    );
    assert!(
        shown.contains("  - [breaking] action DownloadBill (")
            && shown.contains("  + [additive] action ArchiveBill ("),
        "{shown}"
    );
    assert!(shown.contains("1 added, 1 removed"), "{shown}");
    assert!(shown.contains(": 1 breaking, "), "{shown}");
    assert!(shown.contains("\nbump: major ("), "{shown}");
    assert_eq!(
        report.changelog.bump(),
        Some(partnergen_codegen::semver::Bump::Major)
    );
}

#[test]
fn pinned_fields_survive_a_reimport() {
    let first = import_ok(&fixture_inputs("cam.txt", "category.txt"), None);
    let mut base = tencent(&first).clone();
    let remark = base
        .actions
        .iter_mut()
        .find(|a| a.name == "QueryRemark")
        .unwrap();
    remark.category = Some("Client APIs".into());
    remark.pinned = vec!["category".into()];
    remark.rust_name = Some("query_remarks".into());
    let second = import_ok(&fixture_inputs("cam.txt", "category.txt"), Some(&base));
    let remark = tencent(&second)
        .actions
        .iter()
        .find(|a| a.name == "QueryRemark")
        .unwrap();
    assert_eq!(remark.category.as_deref(), Some("Client APIs"));
    assert_eq!(remark.pinned, ["category"]);
    assert_eq!(remark.rust_name.as_deref(), Some("query_remarks"));
    assert_eq!(count_rule(&second.warnings, "pinned-kept"), 1);
}

// ---------------------------------------------------------------------------------------
// Bad input: a clear error naming file and line, and the spec untouched

/// Imports `inputs` over an existing spec file and checks the import fails with `rule`,
/// names a line of `file_suffix`, and leaves the spec byte-identical.
fn assert_rejected(inputs: &TencentInputs, rule: &str, file_suffix: &str, line: Option<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demosvc.yaml");
    import_into(&path, Mode::Write, |_| {
        import_tencent(&fixture_inputs("cam.txt", "category.txt"), None)
    })
    .unwrap();
    let before = fs::read_to_string(&path).unwrap();
    let d = import_into(&path, Mode::Write, |base| {
        import_tencent(inputs, as_tencent(base))
    })
    .unwrap_err();
    let hit =
        d.0.iter()
            .find(|x| x.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in:\n{d}"));
    assert!(hit.is_error());
    assert!(hit.file.ends_with(file_suffix), "{hit}");
    if line.is_some() {
        assert_eq!(hit.line, line, "{hit}");
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        before,
        "the spec was touched"
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "stray files: {leftovers:?}");
}

#[test]
fn truncated_pages_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("tencent/cam.txt")).unwrap();
    let cut = dir.path().join("cam.txt");
    fs::write(
        &cut,
        &text[..text.find("ListClients List clients").unwrap() + 25],
    )
    .unwrap();
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.cam_pages = vec![cut];
    assert_rejected(&inputs, "table-row", "cam.txt", Some(26));

    let text = fs::read_to_string(fixture("tencent/category.md")).unwrap();
    let cut = dir.path().join("category.md");
    fs::write(&cut, &text[..text.find("| ListClients").unwrap() + 40]).unwrap();
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.category_pages = vec![cut];
    assert_rejected(&inputs, "truncated-page", "category.md", Some(8));
}

#[test]
fn a_missing_column_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let cam = mangled(dir.path(), "cam.md", "| API | API Description | Authorization Granularity | Six-segment Resource Description | IP Restriction |\n|---|---|---|---|---|\n| AllocateCredit | Give a customer\\'s credit | Operation level | * | Supported |", "| API | API Description | Authorization Granularity | IP Restriction |\n|---|---|---|---|\n| AllocateCredit | Give a customer\\'s credit | Operation level | Supported |");
    let mut inputs = fixture_inputs("cam.md", "category.txt");
    inputs.cam_pages = vec![cam];
    assert_rejected(&inputs, "table-header", "cam.md", Some(6));

    let category = mangled(
        dir.path(),
        "category.txt",
        "API Name Feature Frequency Limit (maximum requests per second)\nAllocateCredit",
        "API Name Feature\nAllocateCredit",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.category_pages = vec![category];
    assert_rejected(&inputs, "table-header", "category.txt", Some(8));
}

#[test]
fn an_unknown_operation_class_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let cam = mangled(dir.path(), "cam.txt", "List Operations", "Admin Operations");
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.cam_pages = vec![cam];
    assert_rejected(&inputs, "unknown-cam-class", "cam.txt", Some(23));
    // The markdown form has no headings: a fifth table is the same error in its terms.
    let cam = mangled(dir.path(), "cam.md", "Feedback", "| API | API Description | Authorization Granularity | Six-segment Resource Description | IP Restriction |\n|---|---|---|---|---|\n| X | X | Operation level | * | Supported |\nFeedback");
    let mut inputs = fixture_inputs("cam.md", "category.txt");
    inputs.cam_pages = vec![cam];
    assert_rejected(&inputs, "cam-sections", "cam.md", None);
}

#[test]
fn malformed_or_incomplete_definitions_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("tencent/definition.json")).unwrap();
    let cut = dir.path().join("definition.json");
    fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.definition = cut;
    assert_rejected(&inputs, "malformed-definition", "definition.json", None);

    let missing = mangled(
        dir.path(),
        "definition.json",
        "\"input\": \"QueryCreditRequest\",",
        "",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.definition = missing;
    assert_rejected(&inputs, "malformed-definition", "definition.json", None);

    let dangling = mangled(
        dir.path(),
        "definition.json",
        "\"output\": \"QueryCreditResponse\"",
        "\"output\": \"NoSuchResponse\"",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.definition = dangling;
    assert_rejected(&inputs, "undefined-type", "definition.json", Some(17));

    let bad_member = mangled(
        dir.path(),
        "definition.json",
        "\"member\": \"UsageItem\"",
        "\"member\": \"NoSuchItem\"",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.definition = bad_member;
    assert_rejected(&inputs, "unknown-type", "definition.json", Some(56));
}

#[test]
fn a_qps_that_is_not_a_number_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let category = mangled(
        dir.path(),
        "category.txt",
        "ListClients Lists clients 10",
        "ListClients Lists clients ten",
    );
    let mut inputs = fixture_inputs("cam.txt", "category.txt");
    inputs.category_pages = vec![category];
    assert_rejected(&inputs, "table-row", "category.txt", Some(15));
}

// ---------------------------------------------------------------------------------------
// Pagination

/// The paged actions of the real definition, with their items, totals and page sizes.
#[test]
fn real_pages_give_the_paged_actions() {
    let Some(inputs) = real_inputs("cam-authorization.txt", "api-category.txt") else {
        return;
    };
    let imported = import_ok(&inputs, None);
    let spec = tencent(&imported);
    let paged: Vec<(&str, &Pagination)> = spec
        .actions
        .iter()
        .filter_map(|a| Some((a.name.as_str(), a.pagination.as_ref()?)))
        .collect();
    let names: Vec<&str> = paged.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "DescribeBillDetail",
            "DescribeCustomerBillDetail",
            "DescribeCustomerOwnCostExplorerSummary",
            "DescribeCustomerOwnVoucherList",
            "DescribeCustomerOwnVoucherUsageDetails",
            "DescribeCustomerUin",
            "DescribeCustomerVoucherList",
            "DescribeCustomerVoucherUsageDetails",
            "QueryCreditAllocationHistory",
            "QueryCustomersCredit",
            "QueryPendingClientsV2",
            "QueryPendingSubAgentsV2",
            "QueryPolicyProductListByCode",
            "QuerySubAgentsDetailV2",
            "QueryT1IndirectCustomersDetail",
        ]
    );
    for (name, p) in &paged {
        assert_eq!(p.style, PagingStyle::PageNumber, "{name}");
        assert_eq!((p.position.as_str(), p.size.as_str()), ("Page", "PageSize"));
        assert_eq!((p.first_page, p.location), (Some(1), None), "{name}");
        assert!(p.page_size >= 1 && p.max_page_size.is_none_or(|m| p.page_size <= m));
        assert!(
            !p.basis.contains('\n') && p.basis.contains(&p.items),
            "{name}"
        );
    }
    let of = |name: &str| paged.iter().find(|(n, _)| *n == name).unwrap().1;
    let facts = |name: &str| {
        let p = of(name);
        (
            p.items.as_str(),
            p.total.as_deref(),
            p.max_page_size,
            p.page_size,
        )
    };
    // TotalDetail is an object, not a count.
    assert_eq!(
        facts("DescribeCustomerOwnCostExplorerSummary"),
        ("Detail", None, Some(200), 200)
    );
    // The count of records, not RecordsCountByMonth.
    assert_eq!(
        facts("DescribeCustomerOwnVoucherUsageDetails"),
        ("Data", Some("TotalRecordsCount"), Some(100), 100)
    );
    // A total sent as a string; no documented maximum, no example: 10.
    assert_eq!(
        facts("DescribeCustomerUin"),
        ("Data", Some("Total"), None, 10)
    );
    assert!(of("DescribeCustomerUin")
        .basis
        .contains("total Total (string)"));
    assert_eq!(
        facts("DescribeBillDetail"),
        ("DetailSet", Some("Total"), Some(200), 200)
    );
    assert!(of("DescribeBillDetail")
        .basis
        .contains("\"Value range: [1, 200]\""));
    assert_eq!(
        facts("QueryPendingSubAgentsV2"),
        ("Data", Some("Total"), Some(100), 100)
    );
    // No documented maximum, and the only example sends 1 a page (too small to scan
    // with): 10, assumed, and the basis says so.
    assert_eq!(
        facts("QueryCreditAllocationHistory"),
        ("History", Some("Total"), None, 10)
    );
    assert!(of("QueryCreditAllocationHistory")
        .basis
        .contains("no example sends PageSize of 10 or more; page size 10 assumed"));
    assert_eq!(count_rule(&imported.warnings, "pagination-inference"), 0);
}

/// A member of a definition object: `(name, type, member, document)`.
type Member = (&'static str, &'static str, &'static str, &'static str);

/// An object of the definition.
fn object(members: &[Member]) -> serde_json::Value {
    let members: Vec<serde_json::Value> = members
        .iter()
        .map(|(name, ty, member, doc)| {
            serde_json::json!({"name": name, "type": ty, "member": member, "document": doc, "required": false})
        })
        .collect();
    serde_json::json!({"document": "d", "members": members, "type": "object"})
}

/// The fixture definition and examples with list actions added, written to `dir`.
fn paging_inputs(dir: &Path) -> TencentInputs {
    let mut definition: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("tencent/definition.json")).unwrap())
            .unwrap();
    let int = |name: &'static str, doc: &'static str| (name, "int", "int64", doc);
    let id = ("RequestId", "string", "string", "Request ID.");
    let things = ("Things", "list", "UsageItem", "Things.");
    let actions: Vec<(&str, Vec<Member>, Vec<Member>)> = vec![
        (
            "ListThings",
            vec![
                int("Page", "Page number."),
                int("PageSize", "Items per page. Value range: [1, 50]"),
            ],
            vec![things, ("Total", "string", "string", "Total."), id],
        ),
        (
            "ListWidgets",
            vec![int("Offset", "Offset."), int("Limit", "Items per page.")],
            vec![
                ("Widgets", "list", "UsageItem", "W."),
                ("TotalCount", "int", "uint64", "All."),
                id,
            ],
        ),
        (
            "ListPairs",
            vec![
                int("Page", ""),
                int("PageSize", ""),
                int("Offset", ""),
                int("Limit", ""),
            ],
            vec![things, id],
        ),
        (
            "ListNothing",
            vec![int("Page", ""), int("PageSize", "")],
            vec![("Count", "int", "int64", ""), id],
        ),
        (
            "ListTwoLists",
            vec![int("Page", ""), int("PageSize", "")],
            vec![things, ("Others", "list", "UsageItem", ""), id],
        ),
        (
            "ListStrings",
            vec![("Page", "string", "string", ""), int("PageSize", "")],
            vec![things, id],
        ),
        (
            "ListNonsense",
            vec![int("Page", ""), int("PageSize", "Value range: [0, 0]")],
            vec![things, id],
        ),
    ];
    for (name, request, response) in actions {
        definition["actions"][name] = serde_json::json!({
            "name": name, "input": format!("{name}Request"), "output": format!("{name}Response")
        });
        definition["objects"][format!("{name}Request")] = object(&request);
        definition["objects"][format!("{name}Response")] = object(&response);
    }
    let mut examples: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("tencent/examples.json")).unwrap())
            .unwrap();
    let widgets = |limit: &str| {
        serde_json::json!({
            "document": "",
            "input": format!("POST / HTTP/1.1\nHost: demosvc.tencentcloudapi.com\n\n{{\"Offset\": 0, \"Limit\": {limit}}}"),
            "output": "{\"Response\": {\"Widgets\": [], \"TotalCount\": 0, \"RequestId\": \"r\"}}",
            "title": format!("Widgets by {limit}"),
        })
    };
    // The size as a string (a quirk of the real examples) and as a number.
    examples["actions"]["ListWidgets"] = serde_json::json!([widgets("\"20\""), widgets("5")]);
    let definition_path = dir.join("definition.json");
    fs::write(&definition_path, definition.to_string()).unwrap();
    let examples_path = dir.join("examples.json");
    fs::write(&examples_path, examples.to_string()).unwrap();
    inputs(
        &[fixture("tencent/cam.txt")],
        &[fixture("tencent/category.txt")],
        definition_path,
        examples_path,
    )
}

fn pagination_of<'s>(spec: &'s TencentSpec, name: &str) -> Option<&'s Pagination> {
    spec.actions
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no action {name}"))
        .pagination
        .as_ref()
}

#[test]
fn fixture_list_actions_are_paged_with_their_basis() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import_ok(&paging_inputs(dir.path()), None);
    let spec = tencent(&imported);
    let things = pagination_of(spec, "ListThings").expect("ListThings pages");
    assert_eq!(
        (things.style, things.first_page, things.location),
        (PagingStyle::PageNumber, Some(1), None)
    );
    assert_eq!(
        (
            things.position.as_str(),
            things.size.as_str(),
            things.items.as_str(),
            things.total.as_deref()
        ),
        ("Page", "PageSize", "Things", Some("Total"))
    );
    assert_eq!((things.max_page_size, things.page_size), (Some(50), 50));
    assert_eq!(
        things.basis,
        "request fields Page/PageSize (int64); page numbers from 1 (the Tencent Page/PageSize convention); items Things (list<UsageItem>); total Total (string); max page size 50 from the doc of PageSize \"Value range: [1, 50]\"; page size 50, the maximum"
    );
    let widgets = pagination_of(spec, "ListWidgets").expect("ListWidgets pages");
    assert_eq!(
        (widgets.style, widgets.first_page, widgets.total.as_deref()),
        (PagingStyle::Offset, None, Some("TotalCount"))
    );
    // No documented maximum: the largest size the examples send, one of them a string.
    assert_eq!((widgets.max_page_size, widgets.page_size), (None, 20));
    assert!(
        widgets
            .basis
            .contains("page size 20, the largest the examples send (as a string)"),
        "{}",
        widgets.basis
    );
    // A nonsensical documented range is not taken, but the action still pages.
    let nonsense = pagination_of(spec, "ListNonsense").expect("ListNonsense pages");
    assert_eq!((nonsense.max_page_size, nonsense.page_size), (None, 10));
    assert_eq!(nonsense.total, None);
    for name in [
        "ListPairs",
        "ListNothing",
        "ListTwoLists",
        "ListStrings",
        "AllocateCredit",
        "DescribeUsage",
    ] {
        assert_eq!(pagination_of(spec, name), None, "{name}");
    }
    let warned: Vec<(&str, &str)> = imported
        .warnings
        .warnings()
        .filter(|w| w.rule == "pagination-inference")
        .map(|w| (w.subject.as_deref().unwrap(), w.message.as_str()))
        .collect();
    let expect = [
        ("ListNonsense", "allows no page size"),
        ("ListNothing", "has no list field"),
        ("ListPairs", "both Page/PageSize and Offset/Limit"),
        ("ListStrings", "not both integers"),
        ("ListTwoLists", "2 list fields (Things, Others)"),
    ];
    assert_eq!(warned.len(), expect.len(), "{warned:?}");
    for ((subject, message), (name, words)) in warned.iter().zip(expect) {
        assert_eq!(*subject, name);
        assert!(message.contains(words), "{name}: {message}");
    }
    // The spec written from it loads (validation accepts every inferred fact).
    parse_spec("demosvc.yaml", &to_yaml(&imported.spec)).unwrap_or_else(|d| panic!("{d}"));
}

/// A pinned pagination, and a pinned absence of one on a list action, survive a
/// re-import; the import says what it would have inferred.
#[test]
fn pinned_pagination_survives_a_reimport() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = paging_inputs(dir.path());
    let path = dir.path().join("demosvc.yaml");
    import_into(&path, Mode::Write, |_| import_tencent(&inputs, None)).unwrap();
    let mut base = match load_spec(&path).unwrap().spec {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => unreachable!(),
    };
    for action in &mut base.actions {
        match action.name.as_str() {
            "ListThings" => {
                let p = action.pagination.as_mut().unwrap();
                p.page_size = 25;
                p.basis = "pinned by a maintainer: the service times out above 25".into();
                action.pinned = vec!["pagination".into()];
            }
            "ListWidgets" => {
                action.pagination = None;
                action.pinned = vec!["pagination".into()];
            }
            _ => {}
        }
    }
    fs::write(&path, to_yaml(&Spec::Tencent(base.clone()))).unwrap();
    let report = import_into(&path, Mode::Write, |old| {
        import_tencent(&inputs, as_tencent(old))
    })
    .unwrap();
    assert!(report.changelog.is_empty(), "{}", report.changelog);
    assert!(!report.changed);
    let kept = match load_spec(&path).unwrap().spec {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => unreachable!(),
    };
    assert_eq!(pagination_of(&kept, "ListThings").unwrap().page_size, 25);
    assert_eq!(pagination_of(&kept, "ListWidgets"), None);
    let said: Vec<(&str, &str)> = report
        .warnings
        .warnings()
        .filter(|w| w.rule == "pinned-kept")
        .map(|w| (w.subject.as_deref().unwrap(), w.message.as_str()))
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(said[0].0, "ListThings");
    assert!(said[0].1.contains("\"page_size\":50"), "{}", said[0].1);
    assert_eq!(said[1].0, "ListWidgets");
    assert!(
        said[1].1.contains("\"position\":\"Offset\""),
        "{}",
        said[1].1
    );
}

/// `cargo xtask actions` shows the pagination facts: a `pagination` object (or null) in
/// the JSON records, a PAGING column and a count line in the table.
#[test]
fn the_actions_report_shows_pagination() {
    use partnergen_codegen::report::{action_records, action_table};
    let dir = tempfile::tempdir().unwrap();
    let imported = import_ok(&paging_inputs(dir.path()), None);
    let records = action_records(&imported.spec);
    let record = |name: &str| records.iter().find(|r| r["name"] == name).unwrap();
    assert_eq!(
        record("ListThings")["pagination"],
        serde_json::json!({
            "style": "page-number", "location": null, "position": "Page", "size": "PageSize",
            "first_page": 1, "items": "Things", "total": "Total", "page_size": 50,
            "max_page_size": 50,
        })
    );
    assert_eq!(record("ListWidgets")["pagination"]["style"], "offset");
    assert_eq!(
        record("ListWidgets")["pagination"]["max_page_size"],
        serde_json::Value::Null
    );
    assert!(record("AllocateCredit")["pagination"].is_null());
    assert!(records.iter().all(|r| r.get("pagination").is_some()));

    let table = action_table(&imported.spec);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].trim_end().ends_with("PAGING"), "{}", lines[0]);
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row {name}:\n{table}"))
    };
    assert!(
        row("ListThings").ends_with("  page 1.. Things/Total ≤50"),
        "{table}"
    );
    assert!(
        row("ListWidgets").ends_with("  offset Widgets/TotalCount"),
        "{table}"
    );
    assert!(row("AllocateCredit").ends_with("  -"), "{table}");
    let all = tencent(&imported).actions.len();
    assert!(
        lines.contains(&format!("paged: 3 of {all} actions").as_str()),
        "{table}"
    );
}

/// A pagination block that appears (or goes) is one changelog line showing the whole
/// block, not one line per fact; a changed fact is its own line.
#[test]
fn the_changelog_shows_a_new_pagination_block_whole() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = paging_inputs(dir.path());
    let path = dir.path().join("demosvc.yaml");
    import_into(&path, Mode::Write, |_| import_tencent(&inputs, None)).unwrap();
    let Spec::Tencent(mut base) = load_spec(&path).unwrap().spec else {
        unreachable!()
    };
    for action in &mut base.actions {
        match action.name.as_str() {
            "ListThings" => action.pagination = None,
            "ListWidgets" => action.pagination.as_mut().unwrap().page_size = 7,
            _ => {}
        }
    }
    fs::write(&path, to_yaml(&Spec::Tencent(base))).unwrap();
    let report = import_into(&path, Mode::Check, |old| {
        import_tencent(&inputs, as_tencent(old))
    })
    .unwrap();
    let changes: Vec<(&str, &str, &str, &str)> = report
        .changelog
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Changed {
                name,
                field,
                old,
                new,
                ..
            } => Some((name.as_str(), field.as_str(), old.as_str(), new.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(changes.len(), 2, "{}", report.changelog);
    assert_eq!(changes[0].0, "ListThings");
    assert_eq!((changes[0].1, changes[0].2), ("pagination", "(none)"));
    assert!(
        changes[0].3.contains("\"page_size\":50"),
        "{}",
        changes[0].3
    );
    assert_eq!(
        changes[1],
        ("ListWidgets", "pagination.page_size", "7", "20")
    );
}
