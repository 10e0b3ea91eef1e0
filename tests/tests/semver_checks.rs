//! The classifier (`codegen/src/semver.rs`) cross-checked against cargo-semver-checks on
//! fixture spec changes, through `cargo xtask semver-check OLD NEW`: for each change, the
//! classifier's bump is the expected one, and it is breaking exactly when the tool
//! requires a major bump (a 0.x crate's minor), except where a case names a break the
//! tool cannot see.
//!
//! Needs cargo-semver-checks at the pinned version (.ci/cargo-semver-checks.version) in
//! `target/tools/bin` (`.ci/run` installs it there) or on PATH; without it the cross-check
//! FAILS saying how to install it, it never passes without running. One tool run per
//! change (each compares two builds of the generated crate; their dependencies build
//! once, into `target/semver-check/target`).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use partnergen_tests::{fixture, workspace_root, xtask_binary};

fn demo(provider: &str) -> String {
    fs::read_to_string(fixture(&format!("specs/{provider}/demo.yaml"))).unwrap()
}

/// `text` with `from` replaced by `to` (`from` must occur once).
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from}");
    text.replace(from, to)
}

fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(xtask_binary());
    // The check generates crates under the checkout's target directory.
    command.current_dir(workspace_root()).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One fixture change and what is expected of it.
struct Case {
    name: &'static str,
    provider: &'static str,
    /// The demo spec to the edited one.
    edit: fn(&str) -> String,
    /// The classifier's bump: `major`, `minor` or `patch`.
    classifier: &'static str,
    /// What the tool is expected to say against the classifier.
    expect: Expect,
}

/// The tool against the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Breaking for the classifier exactly when the tool requires a major bump, and the
    /// tool never requires more than the classifier says (the command exits 0).
    Agree,
    /// A break the tool cannot see (why): the command notes it and exits 0.
    ToolMissesBreak(&'static str),
}

// Adding an `Action`, `Operation` or `ServiceError` variant anywhere but last (they are
// sorted by name) renumbers the variants after it. Were the enums fieldless, `Action::X
// as isize` would compile downstream and change value, which cargo-semver-checks reports
// as `enum_no_repr_variant_discriminant_changed` (major): the first run of this
// cross-check found it. A hidden variant that cannot be built makes the enums uncastable
// (`codegen/src/emit/tables.rs`), so an insertion is additive for the tool too; these
// cases keep it so.

/// The demo spec's `Match` action (untyped: its variant of `Action` and its table row).
const MATCH: &str = partnergen_tests::DEMO_MATCH_ACTION;

/// A typed action, added where the vendor's page lists it (here, last).
const NEW_ACTION: &str = "- name: DescribeQuota
  title: Describes the quota
  category: Credit APIs
  cam_class: read
  granularity: operation
  resource: '*'
  ip_restriction: false
  qps: 10
  in_api_definition: true
  request: DescribeQuotaRequest
  response: DescribeQuotaResponse
";

const NEW_ACTION_TYPES: &str = "  DescribeQuotaRequest:
    fields:
    - {name: Region, type: string, required: false}
  DescribeQuotaResponse:
    fields:
    - {name: Quota, type: int64, required: false}
    - {name: RequestId, type: string, required: false}
";

/// The demo spec's Huawei `ShowOrder` operation (typed, with its response type).
const SHOW_ORDER: &str = "- name: ShowOrder
  rust_name: show_one_order
  method: GET
  path: /v1.0/{domain_id}/orders/{order_id}
  path_params:
  - domain_id
  - order_id
  scenario: Orders
  sub_scenario: Details
  description: Querying an order's details
  permissions:
  - PERM_A
  console_path: Sales > Orders | View
  params:
  - {name: domain_id, wire_name: domain_id, location: path, type: string, required: true, from_credentials: true}
  - {name: order_id, wire_name: order_id, location: path, type: int64, required: true}
  - {name: type, wire_name: type, location: query, type: string, required: false}
  response: ShowOrderResponse
";

const SHOW_ORDER_RESPONSE: &str = "  ShowOrderResponse:
    fields:
    - {name: order, type: Order, required: false}
";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "action removed",
            provider: "tencentcloud",
            edit: |spec| replace_once(spec, MATCH, ""),
            classifier: "major",
            expect: Expect::Agree,
        },
        Case {
            name: "action added (sorting last)",
            provider: "tencentcloud",
            edit: |spec| {
                let spec = replace_once(
                    spec,
                    "# The service's own error codes",
                    &format!(
                        "{}# The service's own error codes",
                        NEW_ACTION.replace("DescribeQuota", "UpdateQuota")
                    ),
                );
                format!(
                    "{spec}{}",
                    NEW_ACTION_TYPES.replace("DescribeQuota", "UpdateQuota")
                )
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
        Case {
            name: "action added (sorting between others)",
            provider: "tencentcloud",
            edit: |spec| {
                let spec = replace_once(
                    spec,
                    "# The service's own error codes",
                    &format!("{NEW_ACTION}# The service's own error codes"),
                );
                format!("{spec}{NEW_ACTION_TYPES}")
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
        Case {
            name: "QPS only",
            provider: "tencentcloud",
            edit: |spec| replace_once(spec, "  qps: 5\n", "  qps: 7\n"),
            classifier: "patch",
            expect: Expect::Agree,
        },
        Case {
            name: "field type changed",
            provider: "tencentcloud",
            edit: |spec| {
                replace_once(
                    spec,
                    "    - {name: Total, type: string, required: false}\n",
                    "    - {name: Total, type: int64, required: false}\n",
                )
            },
            classifier: "major",
            expect: Expect::ToolMissesBreak("cargo-semver-checks has no lint for a field's type"),
        },
        Case {
            name: "optional response field added",
            provider: "tencentcloud",
            edit: |spec| {
                replace_once(
                    spec,
                    "    - {name: Uins, type: list<uint64>, required: true}\n",
                    "    - {name: Uins, type: list<uint64>, required: true}\n    - {name: Count, type: int64, required: false}\n",
                )
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
        Case {
            name: "required request field added",
            provider: "tencentcloud",
            edit: |spec| {
                replace_once(
                    spec,
                    "    - {name: A8, type: list<uint64>, required: true}\n",
                    "    - {name: A8, type: list<uint64>, required: true}\n    - {name: A9, type: string, required: true}\n",
                )
            },
            classifier: "major",
            expect: Expect::Agree,
        },
        Case {
            name: "error code added (sorting last)",
            provider: "tencentcloud",
            edit: |spec| {
                let last =
                    "  description: 'A <b>hostile</b> `description` [link](x) # not a heading'\n";
                replace_once(
                    spec,
                    last,
                    &format!("{last}- code: LimitExceeded\n  description: Too many requests.\n"),
                )
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
        Case {
            name: "error code added (sorting between others)",
            provider: "tencentcloud",
            edit: |spec| {
                let before = "  description: The account balance is insufficient.\n";
                replace_once(
                    spec,
                    before,
                    &format!("{before}- code: FailedOperation.Busy\n  description: Busy.\n"),
                )
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
        Case {
            name: "Huawei operation removed",
            provider: "huaweicloud",
            edit: |spec| replace_once(&replace_once(spec, SHOW_ORDER, ""), SHOW_ORDER_RESPONSE, ""),
            classifier: "major",
            expect: Expect::Agree,
        },
        Case {
            name: "Huawei optional query parameter added",
            provider: "huaweicloud",
            edit: |spec| {
                let only_paid = "  - {name: only_paid, wire_name: only_paid, location: query, type: bool, required: false}\n";
                replace_once(
                    spec,
                    only_paid,
                    &format!("{only_paid}  - {{name: currency, wire_name: currency, location: query, type: string, required: false}}\n"),
                )
            },
            classifier: "minor",
            expect: Expect::Agree,
        },
    ]
}

/// What one `semver-check` run printed.
struct Seen {
    classifier: String,
    /// `pass`, `minor` or `major`.
    tool: String,
    verdict: String,
    success: bool,
    report: String,
}

fn line_after<'a>(report: &'a str, prefix: &str) -> Option<&'a str> {
    report.lines().find_map(|line| line.strip_prefix(prefix))
}

fn semver_check(case: &Case, dir: &Path) -> Seen {
    let old = dir.join(format!("{}-old.yaml", case.provider));
    let file: String = case
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let new = dir.join(format!("{file}.yaml"));
    let spec = demo(case.provider);
    fs::write(&old, &spec).unwrap();
    fs::write(&new, (case.edit)(&spec)).unwrap();
    let out = xtask(
        &["semver-check", old.to_str().unwrap(), new.to_str().unwrap()],
        &[],
    );
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let classifier = line_after(&report, "classifier: ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| {
            panic!(
                "{}: semver-check did not get to the check:\n{report}",
                case.name
            )
        })
        .to_string();
    let tool_line = report
        .lines()
        .find(|line| line.starts_with("cargo-semver-checks "))
        .unwrap_or_else(|| panic!("{}: cargo-semver-checks did not run:\n{report}", case.name));
    let tool = if tool_line.contains("): pass (") {
        "pass"
    } else if tool_line.contains("): requires major (") {
        "major"
    } else if tool_line.contains("): requires minor (") {
        "minor"
    } else {
        panic!("{}: unreadable tool line: {tool_line}", case.name)
    };
    let verdict = line_after(&report, "verdict: ")
        .unwrap_or_else(|| panic!("{}: no verdict:\n{report}", case.name))
        .to_string();
    Seen {
        classifier,
        tool: tool.to_string(),
        verdict,
        success: out.status.success(),
        report,
    }
}

#[test]
fn the_classifier_and_cargo_semver_checks_agree_on_each_fixture_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut table = String::new();
    for case in cases() {
        let started = std::time::Instant::now();
        let seen = semver_check(&case, dir.path());
        table.push_str(&format!(
            "{:<40} classifier {:<6} tool {:<6} {:?} {}\n",
            case.name,
            seen.classifier,
            seen.tool,
            started.elapsed(),
            seen.verdict
        ));
        let mut wrong = Vec::new();
        if seen.classifier != case.classifier {
            wrong.push(format!(
                "the classifier says {}, expected {}",
                seen.classifier, case.classifier
            ));
        }
        let rank = |bump: &str| match bump {
            "major" => 2,
            "minor" => 1,
            _ => 0,
        };
        let (classifier, tool) = (rank(&seen.classifier), rank(&seen.tool));
        let actual = if tool > classifier {
            "under-classified"
        } else if classifier == 2 && tool < 2 {
            "the tool misses the break"
        } else {
            "agree"
        };
        let expected = match case.expect {
            Expect::Agree => "agree",
            Expect::ToolMissesBreak(_) => "the tool misses the break",
        };
        if actual != expected {
            wrong.push(format!(
                "expected {expected} ({:?}); the classifier says {} and cargo-semver-checks {}",
                case.expect, seen.classifier, seen.tool
            ));
        }
        // Under-classification is the command's error; anything else exits 0.
        let under = seen.verdict.starts_with("DISAGREE: ");
        if seen.success == under || under != (actual == "under-classified") {
            wrong.push(format!(
                "exit {} with verdict `{}`",
                if seen.success { "0" } else { "non-zero" },
                seen.verdict
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                case.name,
                wrong.join("; "),
                seen.report
            ));
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{table}\n{}", failures.join("\n"));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Bad inputs: each an error naming the file, before any tool runs.
#[test]
fn bad_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.yaml", &demo("tencentcloud"));
    let huawei = write(dir.path(), "huawei.yaml", &demo("huaweicloud"));
    let broken = write(dir.path(), "broken.yaml", "service: [unclosed\n");
    let missing = dir
        .path()
        .join("missing.yaml")
        .to_str()
        .unwrap()
        .to_string();
    let other_service = write(
        dir.path(),
        "other.yaml",
        &replace_once(&demo("tencentcloud"), "  name: demo\n", "  name: other\n"),
    );
    for (args, expected) in [
        (
            vec!["semver-check", &missing, &good],
            vec!["cannot semver-check", "missing.yaml"],
        ),
        (
            vec!["semver-check", &good, &broken],
            vec!["cannot semver-check", "broken.yaml"],
        ),
        (
            vec!["semver-check", &good, &huawei],
            vec![
                "good.yaml is a tencentcloud spec and",
                "huawei.yaml a huaweicloud one",
            ],
        ),
        (
            vec!["semver-check", &good, &other_service],
            vec!["is service `demo` and", "other.yaml service `other`"],
        ),
        (vec!["semver-check", &good], vec!["<NEW>"]),
    ] {
        let out = xtask(&args, &[]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        for part in expected {
            assert!(stderr.contains(part), "{args:?}: no `{part}` in:\n{stderr}");
        }
    }
}

/// Without the tool the command fails saying how to install it (nothing on PATH, and a
/// target directory without `tools/`).
#[test]
fn a_missing_tool_is_an_error_saying_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "demo.yaml", &demo("tencentcloud"));
    let empty = dir.path().join("empty-path");
    fs::create_dir(&empty).unwrap();
    let target = dir.path().join("target");
    let out = xtask(
        &["semver-check", &spec, &spec],
        &[
            ("PATH", empty.to_str().unwrap()),
            ("CARGO_TARGET_DIR", target.to_str().unwrap()),
        ],
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let version =
        fs::read_to_string(workspace_root().join(".ci/cargo-semver-checks.version")).unwrap();
    assert!(
        stderr.contains(&format!(
            "cargo-semver-checks {} is not installed",
            version.trim()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "cargo install --locked --root target/tools cargo-semver-checks@{}",
            version.trim()
        )),
        "{stderr}"
    );
    // Nothing was generated into the target directory it was given.
    assert!(!target.join("semver-check").exists());
}

/// A run the tool cannot finish (here an unknown feature; a generated crate that does not
/// build takes the same path) is an error showing the tool's output.
#[test]
fn a_tool_that_cannot_run_is_an_error_showing_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "demo.yaml", &demo("tencentcloud"));
    let out = xtask(
        &[
            "semver-check",
            &spec,
            &spec,
            "--features",
            "no-such-feature",
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cargo-semver-checks could not check"),
        "{stderr}"
    );
    assert!(stderr.contains("no-such-feature"), "{stderr}");
}
