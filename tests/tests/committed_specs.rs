//! The specs committed under `spec/`: they load and validate, and (when the vendor docs
//! are beside the checkout, and for Huawei the official SDK is installed) they are exactly
//! what importing those docs gives, so a stale spec fails `cargo test` as well as
//! `.ci/run`.

use std::path::{Path, PathBuf};
use std::process::Command;

use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_codegen::import::tencent::{import_tencent, TencentInputs};
use partnergen_codegen::import::{import_into, Imported, Mode};
use partnergen_codegen::spec::{Provider, Spec};
use partnergen_codegen::specfile::{discover_specs, load_spec, spec_path, to_yaml};
use partnergen_tests::{python_with, shared_doc, tencent_doc, workspace_root};

#[test]
fn every_committed_spec_loads() {
    let specs = discover_specs(&workspace_root().join("spec")).unwrap();
    let names: Vec<String> = specs
        .iter()
        .map(|p| {
            p.strip_prefix(workspace_root())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "spec/huaweicloud/partner-center.yaml",
            "spec/tencentcloud/intlpartnersmgt.yaml"
        ]
    );
    for path in specs {
        let loaded = load_spec(&path).unwrap_or_else(|d| panic!("{d}"));
        match loaded.spec {
            Spec::Tencent(spec) => {
                assert_eq!(spec.actions.len(), 242);
                let rules: Vec<_> = loaded.warnings.0.iter().map(|w| w.rule).collect();
                assert_eq!(rules, ["not-on-cam-page"]);
            }
            Spec::Huawei(spec) => {
                assert_eq!(spec.operations.len(), 21);
                assert!(loaded.warnings.0.is_empty(), "{}", loaded.warnings);
                // The official SDK types every operation of the permission page.
                assert!(spec.operations.iter().all(|op| op.is_typed()));
                assert_eq!(spec.types.len(), 56);
                let params: usize = spec.operations.iter().map(|op| op.params.len()).sum();
                assert_eq!(params, 52);
                let bodies = spec.operations.iter().filter(|op| op.body().is_some());
                assert_eq!(bodies.count(), 13);
            }
        }
    }
}

/// Reading (serde-saphyr) and writing (serde_yaml) are different libraries: every
/// committed spec, read and written back, must give its own bytes, or the next import
/// would rewrite the spec for no change in the docs.
#[test]
fn every_committed_spec_is_written_back_byte_for_byte() {
    let specs = discover_specs(&workspace_root().join("spec")).unwrap();
    assert!(!specs.is_empty());
    for path in specs {
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = load_spec(&path).unwrap_or_else(|d| panic!("{d}"));
        let written = to_yaml(&loaded.spec);
        if written != text {
            let (line, (ours, theirs)) = written
                .lines()
                .zip(text.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .unwrap_or((0, ("(length differs)", "")));
            panic!(
                "{}:{}: written back as `{ours}`, the file has `{theirs}`",
                path.display(),
                line + 1
            );
        }
    }
}

/// Re-imports a committed spec in check mode and fails, with the changelog, if it is stale.
fn assert_up_to_date(
    provider: Provider,
    service: &str,
    importer: impl FnOnce(Option<&Spec>) -> Result<Imported, Diagnostics>,
) {
    let path = spec_path(&workspace_root().join("spec"), provider, service);
    let report = import_into(&path, Mode::Check, importer).unwrap_or_else(|d| panic!("{d}"));
    assert!(
        !report.changed,
        "{} is stale; run the import in README.md:\n{}",
        path.display(),
        report.changelog
    );
}

#[test]
fn tencent_spec_matches_the_vendor_docs() {
    let (
        Some(cam_txt),
        Some(cam_md),
        Some(cat_txt),
        Some(cat_md),
        Some(definition),
        Some(examples),
    ) = (
        tencent_doc("cam-authorization.txt"),
        tencent_doc("cam-authorization.md"),
        tencent_doc("api-category.txt"),
        tencent_doc("api-category.md"),
        tencent_doc("api-definition-2022-09-28.json"),
        tencent_doc("api-examples-2022-09-28.json"),
    )
    else {
        return;
    };
    let inputs = TencentInputs {
        cam_pages: vec![cam_txt, cam_md],
        category_pages: vec![cat_txt, cat_md],
        definition,
        examples,
    };
    assert_up_to_date(
        Provider::Tencentcloud,
        "intlpartnersmgt",
        |base| match base {
            Some(Spec::Tencent(spec)) => import_tencent(&inputs, Some(spec)),
            _ => import_tencent(&inputs, None),
        },
    );
}

/// `xtask/scripts/huawei_sdk_operations.py`'s output for the installed SDK, in `dir`
/// under the name the committed spec records (`huawei-ops.json`), from the pinned SDK.
fn huawei_sdk_file(dir: &Path) -> PathBuf {
    let python = python_with("huaweicloudsdkbssintl", "huaweicloudsdkbssintl");
    let script = workspace_root().join("xtask/scripts/huawei_sdk_operations.py");
    let output = Command::new(&python)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "the Huawei SDK script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.join("huawei-ops.json");
    std::fs::write(&path, output.stdout).unwrap();
    path
}

#[test]
fn huawei_spec_matches_the_vendor_docs_and_the_sdk() {
    let Some(page) = shared_doc("huaweicloud/partner-center/api-access-permissions.txt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sdk = huawei_sdk_file(dir.path());
    assert_up_to_date(Provider::Huaweicloud, "partner-center", |base| match base {
        Some(Spec::Huawei(spec)) => import_huawei(&page, Some(&sdk), Some(spec)),
        _ => import_huawei(&page, Some(&sdk), None),
    });
}

#[test]
fn huawei_spec_matches_the_vendor_docs() {
    let Some(page) = shared_doc("huaweicloud/partner-center/api-access-permissions.txt") else {
        return;
    };
    assert_up_to_date(Provider::Huaweicloud, "partner-center", |base| match base {
        Some(Spec::Huawei(spec)) => import_huawei(&page, None, Some(spec)),
        _ => import_huawei(&page, None, None),
    });
}

#[test]
fn actions_report_has_the_documented_keys() {
    use partnergen_codegen::report::{action_records, action_table};
    let mut records = Vec::new();
    for path in discover_specs(&workspace_root().join("spec")).unwrap() {
        let spec = load_spec(&path).unwrap().spec;
        records.extend(action_records(&spec));
        let table = action_table(&spec);
        // Less the header, the footnote (`*`) and the count of paged actions.
        let rows = table
            .lines()
            .filter(|l| !l.starts_with('*') && !l.starts_with("paged: "))
            .count()
            - 1;
        let expected = match &spec {
            Spec::Tencent(s) => s.actions.len(),
            Spec::Huawei(s) => s.operations.len(),
        };
        assert_eq!(rows, expected, "one table row per action");
    }
    assert_eq!(records.len(), 242 + 21);
    let tencent_keys = [
        "service",
        "name",
        "category",
        "cam_class",
        "granularity",
        "resource",
        "ip_restriction",
        "qps",
    ];
    let huawei_keys = ["service", "name", "method", "path", "permissions"];
    for record in &records {
        let keys: &[&str] = if record["service"] == "intlpartnersmgt" {
            &tencent_keys
        } else {
            &huawei_keys
        };
        for key in keys {
            assert!(record.get(key).is_some(), "{record} lacks {key}");
        }
    }
    let force_qn = records.iter().find(|r| r["name"] == "ForceQN").unwrap();
    assert_eq!(force_qn["qps"], 2);
    assert_eq!(force_qn["cam_class"], "write");
    assert_eq!(force_qn["category"], "Credit Management APIs");
    let list = records
        .iter()
        .find(|r| r["name"] == "ListSubCustomers")
        .unwrap();
    assert_eq!(list["method"], "POST");
    assert_eq!(list["path"], "/v2/partners/sub-customers/query");
    assert_eq!(list["permissions"].as_array().unwrap().len(), 2);
}
