//! The checkout xtask works on is the one it runs in (found at run time, not baked in
//! when the binary was built), and a broken generated/ tree is repaired by
//! `cargo xtask codegen`, even one that stops cargo from loading the main workspace.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn checkout() -> PathBuf {
    partnergen_tests::workspace_root()
}

/// A copy of `dirs` of the checkout (each a directory or a file) under a temporary
/// directory, without build output (`target/`).
fn copy_of(dirs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in dirs {
        copy(&checkout().join(name), &dir.path().join(name));
    }
    dir
}

fn copy(from: &Path, to: &Path) {
    if from.is_file() {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, to).unwrap();
        return;
    }
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "target" || entry.file_name() == ".codegen" {
            continue;
        }
        copy(&entry.path(), &to.join(entry.file_name()));
    }
}

fn xtask_in(dir: &Path, args: &[&str]) -> Output {
    // The environment of `cargo test` stays as it is: CARGO_MANIFEST_DIR names this
    // checkout's tests/, as it would for a binary shared between two checkouts.
    Command::new(partnergen_tests::xtask_binary())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The built binary, run in another checkout (a copy of spec/ and generated/), repairs
/// that checkout's generated/: garbage in a generated .rs file and in a generated
/// Cargo.toml, and a deleted file. This checkout's files are not touched.
#[test]
fn codegen_repairs_the_checkout_it_runs_in() {
    let other = copy_of(&["spec", "releases", "generated"]);
    let root = other.path();
    fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"generated/*\"]\n",
    )
    .unwrap();
    let krate = root.join("generated/tencentcloud-intlpartnersmgt");
    fs::write(krate.join("src/lib.rs"), "fn broken( {{{ garbage").unwrap();
    fs::write(krate.join("Cargo.toml"), "garbage [[[ not toml").unwrap();
    fs::remove_file(krate.join("src/actions.rs")).unwrap();
    let ours = checkout().join("generated/tencentcloud-intlpartnersmgt/src/lib.rs");
    let ours_before = fs::read(&ours).unwrap();

    let check = xtask_in(root, &["codegen", "--check"]);
    let stderr = text(&check.stderr);
    assert!(!check.status.success(), "{stderr}");
    for file in ["src/lib.rs", "Cargo.toml", "src/actions.rs"] {
        assert!(stderr.contains(file), "{file}: {stderr}");
    }

    // From a subdirectory too: the checkout is the nearest one above.
    let repair = xtask_in(&root.join("generated"), &["codegen"]);
    let stdout = text(&repair.stdout);
    assert!(repair.status.success(), "{stdout}{}", text(&repair.stderr));
    assert!(stdout.contains("3 rewritten"), "{stdout}");

    let check = xtask_in(root, &["codegen", "--check"]);
    assert!(
        check.status.success() && text(&check.stdout).contains("up to date"),
        "{}",
        text(&check.stderr)
    );
    assert_eq!(
        fs::read(krate.join("src/lib.rs")).unwrap(),
        ours_before,
        "the copy is repaired to what this checkout has"
    );
    assert_eq!(fs::read(&ours).unwrap(), ours_before);
}

/// Outside any checkout: an error that says so, nothing written.
#[test]
fn outside_a_checkout_codegen_says_so() {
    let nowhere = tempfile::tempdir().unwrap();
    let output = xtask_in(nowhere.path(), &["codegen"]);
    let stderr = text(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("not inside a partnergen checkout") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert_eq!(fs::read_dir(nowhere.path()).unwrap().count(), 0);
}

/// A broken generated Cargo.toml stops cargo from loading the main workspace
/// (`generated/*` is a member glob), so no `cargo run -p` works there; xtask is a
/// workspace of its own, so `cargo xtask` (`cargo run --manifest-path xtask/Cargo.toml`)
/// still loads, and can run `codegen` to repair the tree.
#[test]
fn a_broken_generated_manifest_does_not_stop_cargo_xtask() {
    let other = copy_of(&[
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        ".cargo",
        "codegen",
        "runtime",
        "xtask",
        "generated",
        "bench/Cargo.toml",
        "bench/src",
        "tests/Cargo.toml",
        "tests/src",
    ]);
    let root = other.path();
    fs::write(
        root.join("generated/tencentcloud-intlpartnersmgt/Cargo.toml"),
        "garbage [[[ not toml",
    )
    .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // `cargo tree`: loads the workspace and resolves the host's dependencies, builds
    // nothing.
    let tree = |args: &[&str]| {
        Command::new(&cargo)
            .current_dir(root)
            .args(["tree", "--offline", "-e", "normal", "--depth", "1"])
            .args(args)
            .output()
            .unwrap()
    };
    let main = tree(&[]);
    let stderr = text(&main.stderr);
    assert!(
        !main.status.success() && stderr.contains("tencentcloud-intlpartnersmgt"),
        "{stderr}"
    );
    let ours = tree(&["--manifest-path", "xtask/Cargo.toml"]);
    assert!(
        ours.status.success() && text(&ours.stdout).contains("partnergen-codegen"),
        "{}",
        text(&ours.stderr)
    );
}
