//! Helpers for the integration tests in `tests/tests/`: where fixtures and the vendor docs
//! are. Fixtures are small files of our own; the vendor docs are only read from
//! `../shared/docs` beside the checkout, never copied into the repo.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace")
        .to_path_buf()
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// A vendor file under `../shared/docs/`, or `None` (with a note on stderr) when the docs
/// are not beside this checkout. CI always has them, so under `CI` a missing file fails
/// the test instead of skipping it.
pub fn shared_doc(relative: &str) -> Option<PathBuf> {
    let path = workspace_root().join("../shared/docs").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have {}",
        path.display()
    );
    eprintln!("skipped: {} is not here", path.display());
    None
}

/// The Tencent vendor file `name` of `intlpartnersmgt`, if the docs are here.
pub fn tencent_doc(name: &str) -> Option<PathBuf> {
    shared_doc(&format!("tencentcloud/intlpartnersmgt/{name}"))
}

/// The Python interpreter (`$PYTHON`, else `python3`) if it can import `module`, or
/// `None` with a note on stderr. CI installs the official SDKs, so there a missing one
/// fails the test instead of skipping it.
pub fn python_with(module: &str, package: &str) -> Option<String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let found = std::process::Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have {package} (.ci/run installs it)"
    );
    eprintln!("skipped: {python} has no {package}");
    None
}

/// Runs `tests/interop/<script>` with `python` on a plan (written to a temporary file)
/// and returns the JSON it prints; panics with the script's stderr if it fails. Blocking:
/// call it from `spawn_blocking` while a server runs on the test's runtime.
pub fn run_interop_script(
    python: &str,
    script: &str,
    plan: &serde_json::Value,
) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let plan_file = dir.path().join("plan.json");
    std::fs::write(
        &plan_file,
        serde_json::to_vec(plan).expect("JSON serializes"),
    )
    .expect("the plan is written");
    let output = std::process::Command::new(python)
        .arg(workspace_root().join("tests/interop").join(script))
        .arg(&plan_file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        output.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e})"))
}
