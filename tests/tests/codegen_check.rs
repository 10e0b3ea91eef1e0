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

/// A copy of `spec/`, `releases/` (the crates' versions and changelogs) and `generated/`
/// in a temporary root.
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["spec", "releases", "generated"] {
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

// ---------------------------------------------------------------------------------------
// Writing: gap-free swaps, a lock, nothing left behind, paths in errors.

/// The plan of `root`'s specs with ForceQN's documented QPS set to `qps`.
fn plan_with_qps(root: &Path, qps: u32) -> partnergen_codegen::emit::Files {
    let spec = root.join("spec/tencentcloud/intlpartnersmgt.yaml");
    let text = fs::read_to_string(&spec).unwrap();
    let start = text.find("- name: ForceQN\n").unwrap();
    let at = start + text[start..].find("qps: ").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    fs::write(&spec, format!("{}qps: {qps}{}", &text[..at], &text[end..])).unwrap();
    plan(root).unwrap().0
}

/// Everything under `generated/` that is neither a crate directory of the plan nor the
/// lock file (`.codegen/lock`).
fn strays(root: &Path) -> Vec<String> {
    let names = |dir: &Path| -> Vec<String> {
        fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out: Vec<String> = names(&root.join("generated"))
        .into_iter()
        .filter(|n| {
            ![
                "tencentcloud-intlpartnersmgt",
                "huaweicloud-partner-center",
                ".codegen",
            ]
            .contains(&n.as_str())
        })
        .collect();
    out.extend(
        names(&root.join("generated/.codegen"))
            .into_iter()
            .filter(|n| n != "lock")
            .map(|n| format!(".codegen/{n}")),
    );
    out.sort();
    out
}

#[test]
fn a_crate_directory_is_never_missing_while_it_is_swapped() {
    let root = scratch_root();
    let root = root.path().to_path_buf();
    let plans = [plan_with_qps(&root, 3), plan_with_qps(&root, 4)];
    let manifest = root.join("generated/tencentcloud-intlpartnersmgt/Cargo.toml");
    let done = std::sync::atomic::AtomicBool::new(false);
    let missing = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut missing = 0u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if !manifest.exists() {
                    missing += 1;
                }
            }
            missing
        });
        for round in 0..60 {
            write(&root, &plans[round % 2]).unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        watcher.join().unwrap()
    });
    assert_eq!(
        missing, 0,
        "the crate's Cargo.toml was missing {missing} time(s)"
    );
    assert!(check(&root, &plans[1]).unwrap().is_empty());
    assert_eq!(strays(&root), Vec::<String>::new());
}

#[test]
fn concurrent_writes_are_serialised() {
    let root = scratch_root();
    let root = root.path().to_path_buf();
    let plans = [plan_with_qps(&root, 3), plan_with_qps(&root, 4)];
    std::thread::scope(|scope| {
        let writers: Vec<_> = plans
            .iter()
            .map(|files| {
                let root = &root;
                scope.spawn(move || {
                    for _ in 0..10 {
                        write(root, files).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
    });
    // Whichever ran last, the tree is exactly one plan, whole.
    let clean = plans
        .iter()
        .filter(|files| check(&root, files).unwrap().is_empty());
    assert_eq!(clean.count(), 1);
}

#[test]
fn staging_does_not_depend_on_target() {
    // A `target` that cannot hold a staging directory (here a file; elsewhere a directory
    // on another filesystem, where a rename fails with EXDEV).
    let root = scratch_root();
    let root = root.path();
    fs::write(root.join("target"), "not a directory").unwrap();
    let files = plan_with_qps(root, 3);
    write(root, &files).unwrap();
    assert!(check(root, &files).unwrap().is_empty());
}

#[test]
fn a_failed_write_leaves_the_tree_and_no_staging_behind() {
    let root = scratch_root();
    let root = root.path();
    let mut files = plan_with_qps(root, 3);
    let before =
        fs::read(root.join("generated/tencentcloud-intlpartnersmgt/src/actions.rs")).unwrap();
    // A file that must also be a directory: writing it fails after staging has begun.
    let blocked = "tencentcloud-intlpartnersmgt/src/lib.rs/inner.rs";
    files.insert(blocked.into(), "// x\n".into());
    let err = write(root, &files).unwrap_err();
    assert!(
        err.to_string().contains("lib.rs"),
        "the error names the path: {err}"
    );
    assert_eq!(
        fs::read(root.join("generated/tencentcloud-intlpartnersmgt/src/actions.rs")).unwrap(),
        before
    );
    assert_eq!(strays(root), Vec::<String>::new());
    let target = root.join("target");
    assert!(
        !target.exists() || fs::read_dir(&target).unwrap().next().is_none(),
        "staging left under target/"
    );
}

#[test]
fn leftovers_of_a_killed_run_are_not_drift_and_are_cleared() {
    let root = scratch_root();
    let root = root.path();
    let (files, _) = plan(root).unwrap();
    // What a run killed mid-way leaves: a staging directory with half a crate.
    let leftover = root.join("generated/.codegen/staging-999999/tencentcloud-intlpartnersmgt");
    fs::create_dir_all(&leftover).unwrap();
    fs::write(leftover.join("Cargo.toml"), "half").unwrap();
    assert!(check(root, &files).unwrap().is_empty());
    let files = plan_with_qps(root, 3);
    write(root, &files).unwrap();
    assert!(!root.join("generated/.codegen/staging-999999").exists());
    assert_eq!(strays(root), Vec::<String>::new());
}

#[test]
fn two_specs_of_one_crate_are_an_error_not_a_merge() {
    let root = scratch_root();
    let root = root.path();
    fs::copy(
        root.join("spec/tencentcloud/intlpartnersmgt.yaml"),
        root.join("spec/tencentcloud/copy.yaml"),
    )
    .unwrap();
    let errors = plan(root).unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(error.rule, "duplicate-crate", "{error}");
    let shown = error.to_string();
    assert!(
        shown.contains("copy.yaml") && shown.contains("intlpartnersmgt.yaml"),
        "{error}"
    );
}
