//! Importers refuse incomplete or malformed input: a page cut short, an edition that lacks
//! what another lists, action names that are not identifiers, malformed Huawei paths and
//! nesting without bound. Each case must fail naming the file (and a line), never import
//! a smaller spec.

use std::fs;
use std::path::{Path, PathBuf};

use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_codegen::import::tencent::{import_tencent, TencentInputs};
use partnergen_codegen::import::Imported;
use partnergen_codegen::spec::Spec;
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::{fixture, shared_doc, tencent_doc, workspace_root};

/// Writes `text` as `name` into `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// The text up to (not including) the first occurrence of `marker`.
fn cut_before(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("no `{marker}`"));
    text[..at].to_owned()
}

fn tencent_fixture(name: &str) -> PathBuf {
    fixture(&format!("tencent/{name}"))
}

fn fixture_inputs(cam: Vec<PathBuf>, category: Vec<PathBuf>) -> TencentInputs {
    TencentInputs {
        cam_pages: cam,
        category_pages: category,
        definition: tencent_fixture("definition.json"),
        examples: tencent_fixture("examples.json"),
    }
}

/// The import must fail, and some error must name `file` and carry a line.
#[track_caller]
fn assert_fails_at(result: Result<Imported, Diagnostics>, file: &str) -> Diagnostics {
    let errors = match result {
        Ok(imported) => panic!(
            "the import succeeded (expected an error naming {file}); warnings:\n{}",
            imported.warnings
        ),
        Err(errors) => errors,
    };
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.is_error() && e.file.ends_with(file) && e.line.is_some()),
        "no error names {file} with a line:\n{errors}"
    );
    errors
}

// ---------------------------------------------------------------------------------------
// Pages cut short: the two failures the issue saw, on the real pages and on fixtures

#[test]
fn real_huawei_page_cut_to_1197_bytes_is_an_error() {
    let Some(page) = shared_doc("huaweicloud/partner-center/api-access-permissions.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read(&page).unwrap();
    let cut = write(
        dir.path(),
        "api-access-permissions.txt",
        &String::from_utf8_lossy(&text[..1197]),
    );
    assert_fails_at(
        import_huawei(&cut, None, None),
        "api-access-permissions.txt",
    );
}

#[test]
fn huawei_page_cut_inside_a_cell_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&fixture("huawei/page.txt"));
    // Inside the Path cell of the third row: the rows above it are whole.
    let cut = cut_before(&text, "View Customer Resources") + "View Cust";
    let page = write(dir.path(), "page.txt", &cut);
    assert_fails_at(import_huawei(&page, None, None), "page.txt");
}

#[test]
fn real_category_text_cut_mid_table_with_the_other_forms_is_an_error() {
    let (Some(cam_txt), Some(cam_md), Some(category_txt), Some(category_md)) = (
        tencent_doc("cam-authorization.txt"),
        tencent_doc("cam-authorization.md"),
        tencent_doc("api-category.txt"),
        tencent_doc("api-category.md"),
    ) else {
        return;
    };
    let (Some(definition), Some(examples)) = (
        tencent_doc("api-definition-2022-09-28.json"),
        tencent_doc("api-examples-2022-09-28.json"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = read(&category_txt);
    let cut =
        cut_before(&text, "DescribeBillDownloadUrl Downloads") + "DescribeBillDownloadUrl Down";
    let category_cut = write(dir.path(), "api-category.txt", &cut);
    let inputs = TencentInputs {
        cam_pages: vec![cam_txt, cam_md],
        category_pages: vec![category_cut, category_md],
        definition,
        examples,
    };
    // As the README's command runs it: with the committed spec as the base, which names
    // the markdown form's tables.
    let base = load_spec(&workspace_root().join("spec/tencentcloud/intlpartnersmgt.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let Spec::Tencent(base) = base.spec else {
        panic!("not a Tencent spec")
    };
    assert_fails_at(import_tencent(&inputs, Some(&base)), "api-category.txt");
}

#[test]
fn category_text_cut_mid_table_with_the_markdown_form_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&tencent_fixture("category.txt"));
    let cut = cut_before(&text, "ListClients Lists") + "ListClients Lists cl";
    let category_cut = write(dir.path(), "category.txt", &cut);
    let inputs = fixture_inputs(
        vec![tencent_fixture("cam.txt")],
        vec![category_cut, tencent_fixture("category.md")],
    );
    assert_fails_at(import_tencent(&inputs, None), "category.txt");
}

#[test]
fn category_text_cut_after_a_heading_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&tencent_fixture("category.txt"));
    let cut = cut_before(&text, "Client APIs") + "Client APIs\n";
    let category_cut = write(dir.path(), "category.txt", &cut);
    let inputs = fixture_inputs(vec![tencent_fixture("cam.txt")], vec![category_cut]);
    assert_fails_at(import_tencent(&inputs, None), "category.txt");
}

#[test]
fn cam_text_missing_a_section_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&tencent_fixture("cam.txt"));
    // The List Operations section taken out, the rest of the page whole.
    let start = text.find("List Operations").unwrap();
    let end = text.find("Other Operations").unwrap();
    let edited = format!("{}{}", &text[..start], &text[end..]);
    let cam = write(dir.path(), "cam.txt", &edited);
    let inputs = fixture_inputs(vec![cam], vec![tencent_fixture("category.txt")]);
    let errors = assert_fails_at(import_tencent(&inputs, None), "cam.txt");
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.message.contains("List Operations")),
        "{errors}"
    );
}

// ---------------------------------------------------------------------------------------
// Editions: one that lacks what another lists is a conflict, reported as an error

#[test]
fn an_edition_that_lacks_an_action_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // The markdown form without QueryCredit's row: whole in shape, but it lacks the
    // action (and its QPS) that the text form documents.
    let text = read(&tencent_fixture("category.md"));
    let edited = text.replace("| QueryCredit | Queries a customer's credit | 20 |\n", "");
    assert_ne!(edited, text);
    let md = write(dir.path(), "category.md", &edited);
    let inputs = fixture_inputs(
        vec![tencent_fixture("cam.txt")],
        vec![tencent_fixture("category.txt"), md],
    );
    let errors = import_tencent(&inputs, None).expect_err("the lacking edition is a conflict");
    let conflict = errors
        .0
        .iter()
        .find(|e| e.rule == "edition-lacks-action")
        .unwrap_or_else(|| panic!("no edition-lacks-action error:\n{errors}"));
    assert_eq!(
        conflict.subject.as_deref(),
        Some("QueryCredit"),
        "{conflict}"
    );
    assert!(
        conflict.message.contains("category.txt lists on line 10"),
        "{conflict}"
    );
    assert!(conflict.file.ends_with("category.md"), "{conflict}");
}

// ---------------------------------------------------------------------------------------
// Action names are identifiers, whatever the source

fn definition_with_action(name: &str) -> String {
    let text = read(&tencent_fixture("definition.json"));
    text.replacen("\"DescribeUsage\": {", &format!("\"{name}\": {{"), 1)
}

#[test]
fn definition_action_names_must_be_identifiers() {
    for bad in ["Brand New", "FörceQN", "", "1Up", "Force-QN"] {
        let dir = tempfile::tempdir().unwrap();
        let definition = write(dir.path(), "definition.json", &definition_with_action(bad));
        let inputs = TencentInputs {
            definition,
            ..fixture_inputs(
                vec![tencent_fixture("cam.txt")],
                vec![tencent_fixture("category.txt")],
            )
        };
        let errors = assert_fails_at(import_tencent(&inputs, None), "definition.json");
        let error = errors.0.iter().find(|e| e.rule == "invalid-action-name");
        let error = error.unwrap_or_else(|| panic!("`{bad}`: no invalid-action-name:\n{errors}"));
        assert_eq!(error.line, Some(10), "`{bad}`: {error}");
    }
}

#[test]
fn page_action_names_must_be_identifiers() {
    for (page, from, to, line) in [
        ("cam.txt", "ListClients List", "FörceQN List", 26),
        ("cam.md", "| ListClients |", "| FörceQN |", 0),
        ("cam.md", "| ListClients |", "| Brand New |", 0),
        ("category.txt", "ListClients Lists", "FörceQN Lists", 15),
        ("category.md", "| ListClients |", "| Brand New |", 7),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = read(&tencent_fixture(page));
        assert!(text.contains(from), "{page} has no `{from}`");
        let edited = write(dir.path(), page, &text.replacen(from, to, 1));
        let (cam, category) = if page.starts_with("cam") {
            (edited, tencent_fixture("category.txt"))
        } else {
            (tencent_fixture("cam.txt"), edited)
        };
        let mut category = vec![category];
        if page == "category.md" {
            category.insert(0, tencent_fixture("category.txt"));
        }
        let inputs = fixture_inputs(vec![cam], category);
        let errors = assert_fails_at(import_tencent(&inputs, None), page);
        if line > 0 {
            assert!(
                errors
                    .0
                    .iter()
                    .any(|e| e.file.ends_with(page) && e.line == Some(line)),
                "{page} `{to}`: no error at line {line}:\n{errors}"
            );
        }
    }
}

#[test]
fn huawei_operation_names_from_the_sdk_must_be_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&fixture("huawei/sdk-operations.json"));
    let edited = text.replacen(
        "\"name\": \"ShowCustomerOrderDetails\"",
        "\"name\": \"Show Customer Order Details\"",
        1,
    );
    assert_ne!(edited, text);
    let sdk = write(dir.path(), "huawei-ops.json", &edited);
    assert_fails_at(
        import_huawei(&fixture("huawei/page.txt"), Some(&sdk), None),
        "huawei-ops.json",
    );
}

// ---------------------------------------------------------------------------------------
// Huawei paths are well formed

#[test]
fn malformed_huawei_paths_are_errors_with_their_line() {
    let good = "GET /v2/bills/partner-bills/postpaid-bill-summary |";
    for bad in [
        "GET /v2/bills/{partner-bills/postpaid-bill-summary |",
        "GET /v2/bills/partner-bills}/postpaid-bill-summary |",
        "GET /v2/bills/{{id}}/postpaid-bill-summary |",
        "GET /v2/bills/{}/postpaid-bill-summary |",
        "GET /v2/bills/{Id}/postpaid-bill-summary |",
        "GET /v2/bills//postpaid-bill-summary |",
        "GET /v2/bills/partner-bills?x=1 |",
        "GET /v2/bills/partner\"bills |",
        "GET /v2/bills/pärtner-bills |",
        "GET /v2/bills/a{id}b{id2/c |",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = read(&fixture("huawei/page.txt"));
        let page = write(dir.path(), "page.txt", &text.replacen(good, bad, 1));
        let errors = assert_fails_at(import_huawei(&page, None, None), "page.txt");
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.rule == "invalid-path" && e.line == Some(44)),
            "`{bad}`: no invalid-path error at line 44:\n{errors}"
        );
    }
}

#[test]
fn malformed_sdk_routes_are_errors_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&fixture("huawei/sdk-operations.json"));
    let edited = text.replacen(
        "\"GET /v2/products/usage-types\"",
        "\"GET /v2/products/{usage-types\"",
        1,
    );
    assert_ne!(edited, text);
    let sdk = write(dir.path(), "huawei-ops.json", &edited);
    let errors = assert_fails_at(
        import_huawei(&fixture("huawei/page.txt"), Some(&sdk), None),
        "huawei-ops.json",
    );
    assert!(
        errors.0.iter().any(|e| e.rule == "invalid-path"),
        "{errors}"
    );
}

// ---------------------------------------------------------------------------------------
// Nesting is bounded: an error, never a stack overflow

const DEEP: usize = 100_000;

#[test]
fn a_deeply_nested_sdk_type_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = read(&fixture("huawei/sdk-operations.json"));
    let deep = format!("{}string{}", "list<".repeat(DEEP), ">".repeat(DEEP));
    let edited = text.replacen(
        "\"type\": \"list<CustomerInformation>\"",
        &format!("\"type\": \"{deep}\""),
        1,
    );
    assert_ne!(edited, text);
    let sdk = write(dir.path(), "huawei-ops.json", &edited);
    let errors = assert_fails_at(
        import_huawei(&fixture("huawei/page.txt"), Some(&sdk), None),
        "huawei-ops.json",
    );
    assert!(
        errors.0.iter().any(|e| e.message.contains("nest")),
        "{errors}"
    );
}

#[test]
fn deeply_nested_json_inputs_are_errors() {
    let deep_array = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    for nested in [&deep_array, &deep_object] {
        let dir = tempfile::tempdir().unwrap();
        // The SDK operations file.
        let sdk_text = read(&fixture("huawei/sdk-operations.json"));
        let sdk_text = sdk_text.replacen(
            "\"models\": {",
            &format!("\"deep\": {nested},\n  \"models\": {{"),
            1,
        );
        let sdk = write(dir.path(), "huawei-ops.json", &sdk_text);
        assert_fails_at(
            import_huawei(&fixture("huawei/page.txt"), Some(&sdk), None),
            "huawei-ops.json",
        );
        // The API definition: a member's example.
        let definition_text = read(&tencent_fixture("definition.json"));
        let definition_text =
            definition_text.replacen("\"example\": \"100\"", &format!("\"example\": {nested}"), 1);
        let definition = write(dir.path(), "definition.json", &definition_text);
        let inputs = TencentInputs {
            definition,
            ..fixture_inputs(
                vec![tencent_fixture("cam.txt")],
                vec![tencent_fixture("category.txt")],
            )
        };
        assert_fails_at(import_tencent(&inputs, None), "definition.json");
        // The examples file, and a response document embedded in it.
        let examples_text = read(&tencent_fixture("examples.json"));
        let examples_raw =
            examples_text.replacen("\"document\": \"\"", &format!("\"document\": {nested}"), 1);
        let examples = write(dir.path(), "examples.json", &examples_raw);
        let inputs = TencentInputs {
            examples,
            ..fixture_inputs(
                vec![tencent_fixture("cam.txt")],
                vec![tencent_fixture("category.txt")],
            )
        };
        assert_fails_at(import_tencent(&inputs, None), "examples.json");
    }
}

#[test]
fn a_deeply_nested_embedded_example_is_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = format!(
        "{{\\\"Response\\\": {{\\\"RequestId\\\": \\\"x\\\", \\\"Deep\\\": {}{}}}}}",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    let text = read(&tencent_fixture("examples.json"));
    let at = text.find("\"output\": \"").unwrap() + "\"output\": \"".len();
    let end = at + text[at..].find("\",\n").unwrap();
    let edited = format!("{}{embedded}{}", &text[..at], &text[end..]);
    let examples = write(dir.path(), "examples.json", &edited);
    let inputs = TencentInputs {
        examples,
        ..fixture_inputs(
            vec![tencent_fixture("cam.txt")],
            vec![tencent_fixture("category.txt")],
        )
    };
    let imported = import_tencent(&inputs, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        imported
            .warnings
            .0
            .iter()
            .any(|w| w.rule == "invalid-example" && w.file.ends_with("examples.json")),
        "{}",
        imported.warnings
    );
}
