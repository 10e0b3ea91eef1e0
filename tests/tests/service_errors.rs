//! The service's own error codes, end to end: imported from the official SDK's
//! `errorcodes.py` into the spec (and the changelog of a re-import), generated as the
//! matchable `ServiceError`, told apart on any failed call (`Error::service_code`), and
//! answered by the mocks (typed rules in process, JSON rules over the mock server, where
//! only the service's codes and the common ones are accepted).

mod wire;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use partnergen_codegen::changelog::Change;
use partnergen_codegen::import::tencent::error_codes::read_error_codes;
use partnergen_codegen::import::tencent::{import_tencent, with_error_codes, TencentInputs};
use partnergen_codegen::import::{import_into, Mode};
use partnergen_codegen::spec::{SourceKind, Spec, TencentSpec};
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::{fixture, python_with, workspace_root};
use serde_json::json;
use tencentcloud_intlpartnersmgt::mock::{self, Reply};
use tencentcloud_intlpartnersmgt::{models, ErrorKind, ServiceError};
use wire::exchange;

fn fixture_inputs() -> TencentInputs {
    TencentInputs {
        cam_pages: vec![fixture("tencent/cam.txt")],
        category_pages: vec![fixture("tencent/category.txt")],
        definition: fixture("tencent/definition.json"),
        examples: fixture("tencent/examples.json"),
    }
}

fn tencent(spec: Option<&Spec>) -> Option<&TencentSpec> {
    match spec {
        Some(Spec::Tencent(spec)) => Some(spec),
        _ => None,
    }
}

fn loaded(path: &Path) -> TencentSpec {
    match load_spec(path).unwrap_or_else(|d| panic!("{d}")).spec {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => unreachable!(),
    }
}

const CODES_V1: &str = "# -*- coding: utf8 -*-\n# Copyright header.\n\n\n# Operation failed.\nFAILEDOPERATION = 'FailedOperation'\n\n# The account balance is insufficient.\nFAILEDOPERATION_BALANCEINSUFFICIENT = 'FailedOperation.BalanceInsufficient'\n\n# Too many requests.\nREQUESTLIMITEXCEEDED = 'RequestLimitExceeded'\n";

#[test]
fn the_import_carries_codes_keeps_them_without_the_file_and_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("demosvc.yaml");
    let codes = dir.path().join("errorcodes.py");
    fs::write(&codes, CODES_V1).unwrap();
    let inputs = fixture_inputs();
    let first = import_into(&spec_path, Mode::Write, |base| {
        with_error_codes(import_tencent(&inputs, tencent(base))?, &codes)
    })
    .unwrap();
    let added: Vec<&Change> = first
        .changelog
        .changes
        .iter()
        .filter(|c| {
            matches!(
                c,
                Change::Added {
                    kind: "error code",
                    ..
                }
            )
        })
        .collect();
    assert_eq!(added.len(), 3, "{}", first.changelog);
    let spec = loaded(&spec_path);
    let got: Vec<(&str, &str)> = spec
        .error_codes
        .iter()
        .map(|c| (c.code.as_str(), c.description.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("FailedOperation", "Operation failed."),
            (
                "FailedOperation.BalanceInsufficient",
                "The account balance is insufficient."
            ),
            ("RequestLimitExceeded", "Too many requests."),
        ]
    );
    let source = spec
        .service
        .sources
        .iter()
        .find(|s| s.kind == SourceKind::SdkErrorCodes)
        .expect("the codes' source is recorded");
    assert_eq!(source.file, "errorcodes.py");

    // Without the file, a re-import keeps the codes and their source: nothing changes.
    let again = import_into(&spec_path, Mode::Check, |base| {
        import_tencent(&inputs, tencent(base))
    })
    .unwrap();
    assert!(!again.changed, "{}", again.changelog);

    // A newer SDK: one code gone, one new, one description reworded.
    let v2 = CODES_V1
        .replace(
            "# Too many requests.\nREQUESTLIMITEXCEEDED = 'RequestLimitExceeded'\n",
            "# Sub-account.\nUNAUTHORIZEDOPERATION_NOTCUSTOMERUIN = 'UnauthorizedOperation.NotCustomerUin'\n",
        )
        .replace("# Operation failed.", "# The operation failed.");
    fs::write(&codes, v2).unwrap();
    let report = import_into(&spec_path, Mode::Write, |base| {
        with_error_codes(import_tencent(&inputs, tencent(base))?, &codes)
    })
    .unwrap();
    let changes = &report.changelog.changes;
    assert!(changes.contains(&Change::Added {
        kind: "error code",
        name: "UnauthorizedOperation.NotCustomerUin".into()
    }));
    assert!(changes.contains(&Change::Removed {
        kind: "error code",
        name: "RequestLimitExceeded".into()
    }));
    assert!(changes.contains(&Change::Changed {
        kind: "error code",
        name: "FailedOperation".into(),
        field: "description".into(),
        old: "Operation failed.".into(),
        new: "The operation failed.".into(),
    }));
    let shown = report.changelog.to_string();
    // A code added is additive (a new variant of a #[non_exhaustive] enum), one removed
    // breaking, a new description a patch.
    assert!(
        shown.contains("  + [additive] error code UnauthorizedOperation.NotCustomerUin (")
            && shown.contains("  - [breaking] error code RequestLimitExceeded (")
            && shown.contains("  ~ [patch] error code FailedOperation: description: ")
            && shown.contains("bump: major"),
        "{shown}"
    );
}

#[test]
fn a_bad_codes_file_fails_the_import_naming_its_line_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("demosvc.yaml");
    let inputs = fixture_inputs();
    import_into(&spec_path, Mode::Write, |base| {
        import_tencent(&inputs, tencent(base))
    })
    .unwrap();
    let before = fs::read(&spec_path).unwrap();
    let codes = dir.path().join("errorcodes.py");
    for (text, expected) in [
        (
            "# a\nA = 'A'\n# again\nAA = 'A'\n",
            "errorcodes.py:4: error[duplicate-error-code]: A: the code is listed again (first at line 2)",
        ),
        (
            "# a\nA = 42\n",
            "errorcodes.py:2: error[error-code-not-a-string]: A is assigned `42`, not one string literal without escapes",
        ),
        (
            "# a\nimport os\n",
            "errorcodes.py:2: error[malformed-error-codes]: `import os` is neither a comment nor a `NAME = 'Code'` assignment (the only lines errorcodes.py holds)",
        ),
    ] {
        fs::write(&codes, text).unwrap();
        let errors = import_into(&spec_path, Mode::Write, |base| {
            with_error_codes(import_tencent(&inputs, tencent(base))?, &codes)
        })
        .unwrap_err()
        .to_string();
        assert!(
            errors.contains(expected),
            "{text:?}: expected `{expected}` in:\n{errors}"
        );
        assert_eq!(fs::read(&spec_path).unwrap(), before, "{text:?}");
    }
}

/// `errorcodes.py` of the pinned official SDK (`tests/interop/requirements.txt`), found
/// by the SDK's own Python without running the file. Panics when the SDK cannot be
/// installed: this test never passes without the real file.
fn sdk_error_codes_file() -> PathBuf {
    let module = "tencentcloud.intlpartnersmgt.v20220928.errorcodes";
    let python = python_with(module, "tencentcloud-sdk-python-intl-en");
    let output = Command::new(&python)
        .args([
            "-c",
            &format!("import importlib.util; print(importlib.util.find_spec('{module}').origin)"),
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

#[test]
fn the_committed_spec_has_the_pinned_sdks_codes() {
    let path = sdk_error_codes_file();
    let (read, warnings) = read_error_codes(&path).unwrap_or_else(|d| panic!("{d}"));
    // The real file: 69 codes, every one with its comment and the SDK's constant name.
    assert!(warnings.0.is_empty(), "{warnings}");
    assert_eq!(read.codes.len(), 69);
    let spec = loaded(&workspace_root().join("spec/tencentcloud/intlpartnersmgt.yaml"));
    assert_eq!(
        spec.error_codes, read.codes,
        "spec/tencentcloud/intlpartnersmgt.yaml is stale against the pinned SDK's errorcodes.py: re-run the import with --error-codes (README)"
    );
    // The generated enum is the same list, in the same order.
    let generated: Vec<(&str, &str)> = ServiceError::all()
        .iter()
        .map(|c| (c.code(), c.description()))
        .collect();
    let listed: Vec<(&str, &str)> = read
        .codes
        .iter()
        .map(|c| (c.code.as_str(), c.description.as_str()))
        .collect();
    assert_eq!(generated, listed);
}

#[test]
fn service_error_parses_and_prints_its_codes() {
    assert_eq!(ServiceError::all().len(), 69);
    for &code in ServiceError::all() {
        assert_eq!(ServiceError::from_code(code.code()), Some(code));
        assert_eq!(code.code().parse::<ServiceError>(), Ok(code));
        assert_eq!(code.to_string(), code.code());
    }
    assert_eq!(
        ServiceError::FailedOperationBalanceInsufficient.code(),
        "FailedOperation.BalanceInsufficient"
    );
    assert_eq!(
        ServiceError::FailedOperationBalanceInsufficient.description(),
        "The account balance is insufficient."
    );
    for unknown in [
        "",
        "AuthFailure.SignatureFailure",
        "failedoperation.balanceinsufficient",
        "FailedOperation.BalanceInsufficient ",
    ] {
        assert_eq!(ServiceError::from_code(unknown), None, "{unknown:?}");
        assert!(unknown.parse::<ServiceError>().is_err());
    }
}

#[tokio::test]
async fn a_mock_rule_fails_with_a_service_code_the_error_matches() {
    let mock = mock::mock().with_rule(
        mock::allocate_customer_credit()
            .fail_with_code(ServiceError::FailedOperationBalanceInsufficient)
            .build(),
    );
    let client = mock::client(&mock);
    let request =
        models::AllocateCustomerCreditRequest::new(models::AllocateCustomerCreditRequired {
            added_credit: 500.0,
            client_uin: 200000000001,
        });
    let err = client.allocate_customer_credit(&request).await.unwrap_err();
    assert_eq!(
        err.service_code(),
        Some(ServiceError::FailedOperationBalanceInsufficient)
    );
    assert_eq!(err.kind(), Some(ErrorKind::FailedOperation));
    let api = err.api().unwrap();
    assert_eq!(api.code, "FailedOperation.BalanceInsufficient");
    assert_eq!(api.message, "The account balance is insufficient.");

    // A code outside the service's list: no ServiceError, the text is still there.
    let mock = mock::mock().with_rule(
        mock::allocate_customer_credit()
            .reply(Reply::api_error("FailedOperation.SomethingNew", "new"))
            .build(),
    );
    let err = mock::client(&mock)
        .allocate_customer_credit(&request)
        .await
        .unwrap_err();
    assert_eq!(err.service_code::<ServiceError>(), None);
    assert_eq!(err.api().unwrap().code, "FailedOperation.SomethingNew");
}

#[tokio::test]
async fn the_mock_server_answers_with_known_codes_only() {
    let server = mock::server().start().await.unwrap();
    let admin = |body: serde_json::Value| {
        let addr = server.addr();
        async move { exchange(addr, &wire::admin_bytes("POST", "/_mock/rules", &body)).await }
    };
    // A service code without a message: its description is the message.
    let added = admin(json!({"action": "QueryPartnerCredit", "replies": [
        {"error": {"code": "FailedOperation.BalanceInsufficient"}}]}))
    .await;
    assert_eq!(added.status, 200, "{}", added.json());
    let client = mock::server_client(&server);
    let err = client
        .query_partner_credit(&models::QueryPartnerCreditRequest::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.service_code(),
        Some(ServiceError::FailedOperationBalanceInsufficient)
    );
    assert_eq!(
        err.api().unwrap().message,
        "The account balance is insufficient."
    );

    // A common API 3.0 code is not in the service's list, and is accepted (with the
    // message given).
    let added = admin(json!({"action": "QueryPartnerCredit", "replies": [
        {"error": {"code": "AuthFailure.SignatureExpire", "message": "too old"}}]}))
    .await;
    assert_eq!(added.status, 200, "{}", added.json());

    // A typo, a code of no one, garbage, a non-string message: refused, naming the rule.
    for (reply, expected) in [
        (
            json!({"error": {"code": "FailedOperation.BalanceInsuficient"}}),
            "rule 0: QueryPartnerCredit: replies[0]: `FailedOperation.BalanceInsuficient` is neither one of the service's 69 error codes nor a common one",
        ),
        (
            json!({"error": {"code": ""}}),
            "rule 0: QueryPartnerCredit: replies[0]: `` is neither",
        ),
        (
            json!({"error": {"code": "AuthFailure", "message": 5}}),
            "rule 0: QueryPartnerCredit: replies[0]: `message` is a string",
        ),
    ] {
        let refused = admin(json!({"action": "QueryPartnerCredit", "replies": [reply]})).await;
        assert_eq!(refused.status, 400);
        let why = refused.json()["error"].as_str().unwrap().to_owned();
        assert!(why.starts_with(expected), "{why}");
    }
    // A long code is shown cut, never whole.
    let long = "F".repeat(100_000);
    let refused = admin(json!({"action": "QueryPartnerCredit", "replies": [
        {"error": {"code": long}}]}))
    .await;
    assert_eq!(refused.status, 400);
    assert!(refused.json()["error"].as_str().unwrap().len() < 400);
}

#[test]
fn the_in_process_mock_checks_json_rules_as_the_server_does() {
    let mock = mock::mock();
    let ok = json!({"action": "QueryPartnerCredit", "replies": [
        {"error": {"code": "UnauthorizedOperation.UinNoAuth"}}]});
    assert!(mock.rule_from_json(&ok).is_ok());
    let typo = json!({"action": "QueryPartnerCredit", "replies": [
        {"error": {"code": "UnauthorizedOperation.UinNoAuht"}}]});
    let why = mock.rule_from_json(&typo).err().unwrap();
    assert!(
        why.contains("`UnauthorizedOperation.UinNoAuht` is neither"),
        "{why}"
    );
}
