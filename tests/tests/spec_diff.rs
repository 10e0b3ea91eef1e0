//! `cargo xtask diff OLD NEW`: the classified changelog between two spec files, as text
//! and JSON, and clear errors for inputs that are not two editions of one spec.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use partnergen_tests::{fixture, git, xtask_binary};

fn demo(provider: &str) -> String {
    fs::read_to_string(fixture(&format!("specs/{provider}/demo.yaml"))).unwrap()
}

/// The Tencent demo spec with `from` replaced by `to` (which must occur once).
fn edited(from: &str, to: &str) -> String {
    let text = demo("tencentcloud");
    assert_eq!(text.matches(from).count(), 1, "{from}");
    text.replace(from, to)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn xtask(dir: &Path, args: &[&str]) -> Output {
    Command::new(xtask_binary())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `diff old.yaml new.yaml` on the demo spec and an edit of it; it must succeed.
fn diff_of(new: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "old.yaml", &demo("tencentcloud"));
    write(dir.path(), "new.yaml", new);
    let mut args = vec!["diff", "old.yaml", "new.yaml"];
    args.extend(extra);
    let out = xtask(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The demo spec's `Match` action (untyped: its variant of `Action` and its table row).
const MATCH: &str = partnergen_tests::DEMO_MATCH_ACTION;

#[test]
fn a_removed_action_is_breaking_and_calls_for_a_major_bump() {
    let shown = diff_of(&edited(MATCH, ""), &[]);
    assert!(
        shown.starts_with("tencentcloud/demo: old.yaml -> new.yaml\n"),
        "{shown}"
    );
    assert!(
        shown.contains("  - [breaking] action Match (its enum variant"),
        "{shown}"
    );
    assert!(
        shown.contains("0 added, 1 removed, 0 field(s) changed: 1 breaking, 0 additive, 0 patch"),
        "{shown}"
    );
    assert!(shown.contains("bump: major ("), "{shown}");
    assert!(shown.contains("0.y.z -> 0.(y+1).0"), "{shown}");
}

#[test]
fn a_new_error_code_is_additive_and_calls_for_a_minor_bump() {
    let hostile = "  description: 'A <b>hostile</b> `description` [link](x) # not a heading'\n";
    let new = edited(
        hostile,
        &format!("{hostile}- code: LimitExceeded\n  description: Too many requests.\n"),
    );
    let shown = diff_of(&new, &[]);
    assert!(
        shown.contains("  + [additive] error code LimitExceeded (a new variant of the #[non_exhaustive] ServiceError)"),
        "{shown}"
    );
    assert!(shown.contains("bump: minor ("), "{shown}");
    assert!(shown.contains("0.y.z -> 0.y.(z+1)"), "{shown}");
}

#[test]
fn a_new_qps_is_a_patch_that_changes_behaviour() {
    let shown = diff_of(&edited("  qps: 5\n", "  qps: 7\n"), &[]);
    assert!(
        shown.contains("  ~ [patch, behaviour] action AllocateCredit: qps: 5 -> 7 (the client's rate limit for it)"),
        "{shown}"
    );
    assert!(
        shown.contains("1 patch (1 changing run-time behaviour)"),
        "{shown}"
    );
    assert!(shown.contains("bump: patch ("), "{shown}");
}

#[test]
fn a_changed_field_type_is_breaking() {
    let shown = diff_of(
        &edited(
            "    - {name: Total, type: string, required: false}\n",
            "    - {name: Total, type: int64, required: false}\n",
        ),
        &[],
    );
    assert!(
        shown.contains("  ~ [breaking] type DescribeUsageResponse: fields[Total].type: string -> int64 (a field's type changed)"),
        "{shown}"
    );
}

#[test]
fn json_for_scripts() {
    // Three classes at once: an action removed, a response field added, a QPS changed.
    let new = edited(MATCH, "").replace("  qps: 5\n", "  qps: 7\n").replace(
        "    - {name: Uins, type: list<uint64>, required: true}\n",
        "    - {name: Uins, type: list<uint64>, required: true}\n    - {name: Count, type: int64, required: false}\n",
    );
    let shown = diff_of(&new, &["--json"]);
    let value: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(value["bump"], "major", "{shown}");
    assert_eq!(value["service"], "tencentcloud/demo");
    assert_eq!(
        (value["old"].as_str(), value["new"].as_str()),
        (Some("old.yaml"), Some("new.yaml"))
    );
    assert_eq!(value["counts"]["breaking"], 1, "{shown}");
    assert_eq!(value["counts"]["patch"], 1, "{shown}");
    assert_eq!(value["counts"]["behaviour"], 1, "{shown}");
    let changes = value["changes"].as_array().unwrap();
    let qps = changes.iter().find(|c| c["field"] == "qps").unwrap();
    assert_eq!(qps["class"], "patch");
    assert_eq!(qps["behaviour"], true);
    assert_eq!(
        (qps["old"].as_str(), qps["new"].as_str()),
        (Some("5"), Some("7"))
    );
    let added = changes
        .iter()
        .find(|c| c["field"] == "fields[Count]")
        .unwrap();
    assert_eq!(added["class"], "additive");
    assert!(added["old"].is_null(), "{added}");
    let entry = added["new"].as_str().unwrap();
    assert!(entry.contains(r#""name":"Count""#), "{entry}");
    assert_eq!(value["counts"]["additive"], 1, "{shown}");
    let removed = changes.iter().find(|c| c["change"] == "removed").unwrap();
    assert_eq!(removed["name"], "Match");
    assert_eq!(removed["class"], "breaking");
    // Deterministic: the same inputs print the same bytes.
    assert_eq!(diff_of(&new, &["--json"]), shown);
}

#[test]
fn the_same_file_twice_has_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture("specs/huaweicloud/demo.yaml");
    let spec = spec.to_str().unwrap();
    let out = xtask(dir.path(), &["diff", spec, spec]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with(".yaml\nno changes\n"),
        "{}",
        text(&out.stdout)
    );
    let out = xtask(dir.path(), &["diff", "--json", spec, spec]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(value["bump"].is_null() && value["changes"].as_array().unwrap().is_empty());
}

/// Each bad input: a non-zero exit, an error naming the file (and the line where there is
/// one), nothing on stdout, never a panic.
#[test]
fn bad_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.yaml", &demo("tencentcloud"));
    write(dir.path(), "huawei.yaml", &demo("huaweicloud"));
    write(
        dir.path(),
        "garbage.yaml",
        "service:\n  provider: tencentcloud\n  name: [unclosed\n",
    );
    write(
        dir.path(),
        "binary.yaml",
        "\u{0}\u{1}not yaml at all: : :\n",
    );
    write(
        dir.path(),
        "other.yaml",
        &demo("tencentcloud").replace("  name: demo\n", "  name: other\n"),
    );
    let _ = good;
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["diff", "missing.yaml", "good.yaml"],
            &["missing.yaml", "cannot read"],
        ),
        (
            &["diff", "good.yaml", "missing.yaml"],
            &["missing.yaml", "cannot read"],
        ),
        (
            &["diff", "good.yaml", "garbage.yaml"],
            &["garbage.yaml:", "malformed-spec"],
        ),
        (
            &["diff", "binary.yaml", "good.yaml"],
            &["binary.yaml", "cannot diff: binary.yaml has 1 error(s)"],
        ),
        (
            &["diff", "good.yaml", "huawei.yaml"],
            &["good.yaml is a tencentcloud spec and huawei.yaml a huaweicloud one"],
        ),
        (
            &["diff", "good.yaml", "other.yaml"],
            &["service `demo`", "service `other`"],
        ),
        (&["diff", "good.yaml"], &["two spec files"]),
        (
            &["diff", "--git", "HEAD", "good.yaml", "huawei.yaml"],
            &["one file"],
        ),
    ];
    for (args, needles) in cases {
        let out = xtask(dir.path(), args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{args:?}: no `{needle}` in {stderr}"
            );
        }
    }
}

/// `--git REV FILE` compares the file as committed at REV with the working copy.
#[test]
fn the_committed_spec_against_the_working_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("spec");
    fs::create_dir(&sub).unwrap();
    git(dir.path(), &["init", "-q"]);
    write(&sub, "demo.yaml", &demo("tencentcloud"));
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "spec"]);
    write(&sub, "demo.yaml", &edited(MATCH, ""));
    let out = xtask(dir.path(), &["diff", "--git", "HEAD", "spec/demo.yaml"]);
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        shown.starts_with("tencentcloud/demo: HEAD:spec/demo.yaml -> spec/demo.yaml\n"),
        "{shown}"
    );
    assert!(shown.contains("  - [breaking] action Match"), "{shown}");
    // A revision that does not exist, or a file git does not have there.
    for (args, needle) in [
        (
            &["diff", "--git", "nosuchrev", "spec/demo.yaml"][..],
            "git show nosuchrev:./demo.yaml",
        ),
        (
            &["diff", "--git=-x", "spec/demo.yaml"][..],
            "does not start with `-`",
        ),
    ] {
        let out = xtask(dir.path(), args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    write(&sub, "new.yaml", &demo("tencentcloud"));
    let out = xtask(dir.path(), &["diff", "--git", "HEAD", "spec/new.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("git show HEAD:./new.yaml"),
        "{}",
        text(&out.stderr)
    );
}
