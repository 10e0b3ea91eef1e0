//! The maintainer's release flow, end to end, in a scratch checkout under git: import a
//! fixture edition of the Tencent docs, release it, import a later edition that adds,
//! removes and changes actions, release that (a breaking bump, a CHANGELOG entry naming
//! the removed action), then one that only changes a QPS (a patch bump naming the new
//! limit). And the bad inputs: a wrong baseline, a hand-broken history, a bad date, a
//! generator change without a new generator version.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use partnergen_tests::{fixture, git, target_dir, workspace_root, xtask_binary};

const CRATE: &str = "tencentcloud-demosvc";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(dir: &Path, program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        // `release --check` builds both crates with cargo-semver-checks: in this
        // workspace's target dir (its dependencies built once, the pinned tool installed
        // there), against this checkout's runtime (linked into the scratch checkout).
        .env("CARGO_TARGET_DIR", target_dir())
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", program.display()))
}

/// `cargo xtask ARGS` in `dir`; it must succeed; its stdout.
fn xtask_ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, &xtask_binary(), args);
    assert!(
        out.status.success(),
        "xtask {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// `cargo xtask ARGS` in `dir`; it must fail; its stderr.
fn xtask_fails(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, &xtask_binary(), args);
    assert!(
        !out.status.success(),
        "xtask {args:?} succeeded:\n{}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

/// Each of `expected` is in `output`.
fn assert_contains_all(output: &str, expected: &[&str]) {
    for expected in expected {
        assert!(
            output.contains(expected),
            "missing {expected:?} in:\n{output}"
        );
    }
}

/// A scratch checkout: a workspace manifest, an empty spec/, a git repository.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    fs::create_dir(dir.path().join("spec")).unwrap();
    std::os::unix::fs::symlink(workspace_root().join("runtime"), dir.path().join("runtime"))
        .unwrap();
    git(dir.path(), &["init", "-q", "."]);
    dir
}

/// Imports a Tencent docs edition: the CAM pages of `cam`, the category pages of
/// `category`, the definition of `definition` (fixture directories), the first edition's
/// examples.
fn import(dir: &Path, cam: &str, category: &str, definition: &str) {
    let path = |d: &str, f: &str| fixture(&format!("{d}/{f}")).display().to_string();
    let args = [
        "import".to_owned(),
        "tencentcloud".to_owned(),
        "--cam-page".to_owned(),
        path(cam, "cam.txt"),
        "--cam-page".to_owned(),
        path(cam, "cam.md"),
        "--category-page".to_owned(),
        path(category, "category.txt"),
        "--category-page".to_owned(),
        path(category, "category.md"),
        "--definition".to_owned(),
        path(definition, "definition.json"),
        "--examples".to_owned(),
        path("tencent", "examples.json"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    xtask_ok(dir, &args);
}

/// The second fixture edition: an action removed, one added, a QPS raised, a field added.
fn import_edition_2(dir: &Path) {
    import(
        dir,
        "tencent-edition-2",
        "tencent-edition-2",
        "tencent-edition-2",
    );
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn crate_file(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join("generated").join(CRATE).join(file)).unwrap()
}

fn history(dir: &Path) -> PathBuf {
    dir.join("releases").join(format!("{CRATE}.yaml"))
}

/// The version line of the generated manifest.
fn version(dir: &Path) -> String {
    crate_file(dir, "Cargo.toml")
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap()
        .to_owned()
}

/// A checkout whose crate was released once (0.1.0, from the first fixture edition) and
/// committed.
fn released_once() -> tempfile::TempDir {
    let dir = checkout();
    let root = dir.path();
    import(root, "tencent", "tencent", "tencent");
    let first = xtask_ok(root, &["release", "--write", "--date", "2026-01-10"]);
    assert!(
        first.contains(&format!("== {CRATE}: first release, 0.1.0")),
        "{first}"
    );
    assert!(first.contains("recorded"), "{first}");
    assert_eq!(version(root), "version = \"0.1.0\"");
    commit(root, "release 0.1.0");
    dir
}

#[test]
fn an_edition_that_removes_an_action_is_a_breaking_release_naming_it() {
    let dir = released_once();
    let root = dir.path();
    import_edition_2(root);

    // The dry run shows everything and writes nothing.
    let history_before = fs::read_to_string(history(root)).unwrap();
    let dry = xtask_ok(root, &["release", "--date", "2026-02-01"]);
    assert_contains_all(&dry, &[
        &format!("== {CRATE}: 0.1.0 -> 0.2.0 (breaking)"),
        "  - [breaking] action QueryCredit",
        "  + [additive] action TransferCredit",
        "  ~ [patch, behaviour] action AllocateCredit: qps: 5 -> 8",
        "## [0.2.0] - 2026-02-01",
        "Docs edition: cam.txt of 2025-06-01 10:00:00, category.txt of 2026-05-01 00:00:00",
        "### Removed\n\n- Action `QueryCredit`. Breaking:",
        "### Added\n\n- Action `TransferCredit`.\n- Type `AllocateCreditResponse`: field `Currency` (`string`, optional).",
        "- Action `AllocateCredit`: `qps`: 5 → 8. Changes run-time behaviour",
        "dry run: nothing written",
    ]);
    assert_eq!(fs::read_to_string(history(root)).unwrap(), history_before);
    assert_eq!(version(root), "version = \"0.1.0\"");

    // Recorded: the crate's version and CHANGELOG.md follow.
    let written = xtask_ok(root, &["release", "--write", "--date", "2026-02-01"]);
    assert!(
        written.contains(&format!("recorded {CRATE} 0.2.0")),
        "{written}"
    );
    assert_eq!(version(root), "version = \"0.2.0\"");
    let changelog = crate_file(root, "CHANGELOG.md");
    let newest = changelog.find("## [0.2.0] - 2026-02-01").expect(&changelog);
    let oldest = changelog.find("## [0.1.0] - 2026-01-10").expect(&changelog);
    assert!(newest < oldest, "newest first:\n{changelog}");
    assert!(
        changelog[newest..oldest].contains("### Removed\n\n- Action `QueryCredit`."),
        "{changelog}"
    );

    // Deterministic: nothing more to release, nothing for codegen to change.
    let again = xtask_ok(root, &["release", "--date", "2026-02-02"]);
    assert!(
        again.contains(&format!("== {CRATE}: nothing to release since 0.2.0")),
        "{again}"
    );
    let check = xtask_ok(root, &["codegen", "--check"]);
    assert!(check.contains("generated/ is up to date"), "{check}");
    commit(root, "release 0.2.0");

    // CI's check: the declared bump against the classifier and cargo-semver-checks, both
    // crates generated from the two releases' specs (found in git).
    let checked = xtask_ok(root, &["release", "--check"]);
    assert_contains_all(&checked, &["classifier: major", "verdict: AGREE"]);
    // A history that declares the breaking release a patch fails it.
    let history_text = fs::read_to_string(history(root)).unwrap();
    let understated = history_text
        .replacen("version: 0.2.0", "version: 0.1.1", 1)
        .replacen("bump: breaking", "bump: patch", 1);
    fs::write(history(root), &understated).unwrap();
    let err = xtask_fails(root, &["release", "--check"]);
    assert_contains_all(
        &err,
        &[
            &format!("{CRATE} 0.1.1 is declared patch but its spec changes since 0.1.0 call for a major bump"),
            &format!("{CRATE} 0.1.1 is declared patch but cargo-semver-checks requires a major bump"),
        ],
    );
    fs::write(history(root), &history_text).unwrap();

    // A later edition changes one QPS only: a patch release naming the new limit.
    import(
        root,
        "tencent-edition-2",
        "tencent-edition-3",
        "tencent-edition-2",
    );
    let patch = xtask_ok(root, &["release", "--write", "--date", "2026-03-01"]);
    assert_contains_all(&patch, &[
        &format!("== {CRATE}: 0.2.0 -> 0.2.1 (patch)"),
        "0 added, 0 removed, 2 field(s) changed: 0 breaking, 0 additive, 2 patch",
        "- Action `AllocateCredit`: `qps`: 8 → 10. Changes run-time behaviour: the client's rate limit for it.",
    ]);
    assert!(
        !patch.contains("### Added") && !patch.contains("### Removed"),
        "{patch}"
    );
    assert_eq!(version(root), "version = \"0.2.1\"");
    assert!(crate_file(root, "CHANGELOG.md").contains("## [0.2.1] - 2026-03-01"));
}

#[test]
fn bad_release_inputs_are_refused_and_write_nothing() {
    let dir = released_once();
    let root = dir.path();
    import_edition_2(root);
    let history_before = fs::read_to_string(history(root)).unwrap();
    let cargo_before = crate_file(root, "Cargo.toml");

    // A baseline that is not the released spec (the current one).
    let current = root.join("spec/tencentcloud/demosvc.yaml");
    let err = xtask_fails(
        root,
        &[
            "release",
            "--crate",
            CRATE,
            "--baseline-spec",
            current.to_str().unwrap(),
        ],
    );
    assert!(err.contains("is not the spec of release 0.1.0"), "{err}");

    for (date, why) in [
        ("2026-13-01", "not YYYY-MM-DD"),
        ("yesterday", "not YYYY-MM-DD"),
    ] {
        let err = xtask_fails(root, &["release", "--write", "--date", date]);
        assert!(err.contains(why), "{date}: {err}");
    }
    let err = xtask_fails(root, &["release", "--crate", "no-such-crate"]);
    assert!(
        err.contains("no spec generates the crate `no-such-crate`"),
        "{err}"
    );

    // Hand-broken histories: each named, with the release and what is wrong.
    for (from, to, expected) in [
        (
            "version: 0.1.0",
            "version: 0.1.0-beta",
            "without a pre-release",
        ),
        (
            "bump: first",
            "bump: breaking",
            "the oldest release is `bump: first`",
        ),
        ("date: 2026-01-10", "date: 10/01/2026", "is not YYYY-MM-DD"),
        ("generator: 0.1.0", "generator: one", "generator version"),
        (
            "crate: tencentcloud-demosvc",
            "crate: other",
            "not of `tencentcloud-demosvc`",
        ),
        ("releases:", "releases:\n  unknown: 1", "releases"),
        (
            "- The permission table",
            "- \"line\\n## [9.9.9] injected\"\n  - The permission table",
            "control character",
        ),
    ] {
        assert!(history_before.contains(from), "{from}");
        fs::write(history(root), history_before.replacen(from, to, 1)).unwrap();
        let err = xtask_fails(root, &["release"]);
        assert!(
            err.contains(&format!("releases/{CRATE}.yaml")) && err.contains(expected),
            "{from} -> {to}: {err}"
        );
        // codegen refuses it too, rather than render a broken CHANGELOG.md.
        let err = xtask_fails(root, &["codegen"]);
        assert!(err.contains(&format!("releases/{CRATE}.yaml")), "{err}");
    }
    fs::write(history(root), &history_before).unwrap();

    // The generated files moved without the spec, the generator or the runtime: the
    // release command cannot tell what the change is, and says so.
    let recorded = history_before
        .lines()
        .find_map(|l| l.trim().strip_prefix("generated_sha256: "))
        .unwrap()
        .to_owned();
    let tampered = history_before.replace(&recorded, &"0".repeat(64));
    fs::write(history(root), &tampered).unwrap();
    let err = xtask_fails(root, &["release"]);
    assert!(
        err.contains("neither partnergen-codegen") && err.contains("has a new version"),
        "{err}"
    );
    // With an older generator recorded, the same change is the generator's: 0.0.9 to
    // 0.1.0 is breaking by cargo's reading, so the release is.
    fs::write(
        history(root),
        tampered.replace("generator: 0.1.0", "generator: 0.0.9"),
    )
    .unwrap();
    let out = xtask_ok(root, &["release"]);
    assert!(
        out.contains("~ [breaking] Generated by partnergen-codegen 0.1.0 (was 0.0.9)"),
        "{out}"
    );
    fs::write(history(root), &history_before).unwrap();

    // Nothing was written by any of it.
    assert_eq!(fs::read_to_string(history(root)).unwrap(), history_before);
    assert_eq!(crate_file(root, "Cargo.toml"), cargo_before);
}
