//! `cargo xtask codegen --check` as a test: the committed `generated/` is exactly what the
//! specs produce. And the check itself: it names a hand-edited, a missing and an orphaned
//! file, and a spec that fails validation stops a write before anything is touched.

use std::fs;
use std::path::Path;

use partnergen_codegen::generate::{check, plan, write, Drift};
use partnergen_tests::workspace_root;

#[test]
fn generated_crates_are_up_to_date() {
    let root = workspace_root();
    let (files, _) = plan(&root).unwrap_or_else(|d| panic!("{d}"));
    let drift = check(&root, &files).unwrap();
    let shown: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(
        drift.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        shown.join("\n")
    );
}

/// A copy of `spec/` and `generated/` in a temporary root.
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["spec", "generated"] {
        copy_tree(&workspace_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn check_names_hand_edited_missing_and_orphaned_files() {
    let root = scratch_root();
    let root = root.path();
    let (files, _) = plan(root).unwrap();
    assert!(check(root, &files).unwrap().is_empty());

    let edited = "tencentcloud-intlpartnersmgt/src/actions.rs";
    let path = root.join("generated").join(edited);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("Qps::Documented(2)", "Qps::Documented(3)");
    fs::write(&path, text).unwrap();
    fs::remove_file(root.join("generated/huaweicloud-partner-center/README.md")).unwrap();
    fs::write(
        root.join("generated/tencentcloud-intlpartnersmgt/src/extra.rs"),
        "// stray\n",
    )
    .unwrap();

    let drift = check(root, &files).unwrap();
    assert_eq!(
        drift,
        [
            Drift::Missing("huaweicloud-partner-center/README.md".into()),
            Drift::Stale(edited.into()),
            Drift::Orphaned("tencentcloud-intlpartnersmgt/src/extra.rs".into()),
        ]
    );
    assert_eq!(drift[1].to_string(), format!("stale: generated/{edited}"));

    // Writing repairs exactly that, and leaves the tree clean.
    let repaired = write(root, &files).unwrap();
    assert_eq!(repaired, drift);
    assert!(check(root, &files).unwrap().is_empty());
    assert!(!root
        .join("generated/tencentcloud-intlpartnersmgt/src/extra.rs")
        .exists());
}

#[test]
fn check_sees_a_changed_spec_and_a_removed_one() {
    let root = scratch_root();
    let root = root.path();
    let spec = root.join("spec/tencentcloud/intlpartnersmgt.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let start = text.find("- name: ForceQN\n").unwrap();
    let qps = start + text[start..].find("qps: 2").unwrap();
    fs::write(&spec, format!("{}qps: 3{}", &text[..qps], &text[qps + 6..])).unwrap();
    let (files, _) = plan(root).unwrap();
    let drift = check(root, &files).unwrap();
    let stale: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert_eq!(
        stale,
        [
            "stale: generated/tencentcloud-intlpartnersmgt/README.md",
            "stale: generated/tencentcloud-intlpartnersmgt/src/actions.rs"
        ]
    );

    fs::remove_file(root.join("spec/huaweicloud/partner-center.yaml")).unwrap();
    let (files, _) = plan(root).unwrap();
    let drift = check(root, &files).unwrap();
    assert!(drift
        .iter()
        .any(|d| d.to_string() == "orphaned: generated/huaweicloud-partner-center/Cargo.toml"));
    write(root, &files).unwrap();
    assert!(!root.join("generated/huaweicloud-partner-center").exists());
}

#[test]
fn an_invalid_spec_stops_before_anything_is_written() {
    let root = scratch_root();
    let root = root.path();
    let spec = root.join("spec/tencentcloud/intlpartnersmgt.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replacen("qps: 2\n", "qps: 0\n", 1)).unwrap();
    let before =
        fs::read(root.join("generated/tencentcloud-intlpartnersmgt/src/actions.rs")).unwrap();
    let errors = plan(root).unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(error.rule, "qps-not-positive");
    assert!(
        error.file.ends_with("intlpartnersmgt.yaml") && error.line.is_some(),
        "{error}"
    );
    // `plan` failing means `write` is never reached; the tree is as it was.
    assert_eq!(
        fs::read(root.join("generated/tencentcloud-intlpartnersmgt/src/actions.rs")).unwrap(),
        before
    );
}
