//! Helpers for the integration tests in `tests/tests/`: where fixtures and the vendor docs
//! are. Fixtures are small files of our own; the vendor docs are only read from
//! `../shared/docs` beside the checkout, never copied into the repo.

use std::path::{Path, PathBuf};

pub mod redis;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace")
        .to_path_buf()
}

/// The `xtask` binary of this checkout, built once per test process. xtask is a Cargo
/// workspace of its own (so it builds when the main workspace cannot load), hence not a
/// package whose binary `cargo test` builds for us; it builds into `xtask/target`, as
/// `cargo xtask` does, and depends on the generator only, so this is quick.
pub fn xtask_binary() -> PathBuf {
    static BINARY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BINARY
        .get_or_init(|| {
            let root = workspace_root();
            let target = root.join("xtask/target");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let output = std::process::Command::new(cargo)
                .current_dir(&root)
                .args(["build", "--quiet", "--manifest-path", "xtask/Cargo.toml"])
                .arg("--target-dir")
                .arg(&target)
                .output()
                .expect("cargo runs");
            assert!(
                output.status.success(),
                "cannot build xtask:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            target
                .join("debug")
                .join(format!("xtask{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// A vendor file under `../shared/docs/` (or `$PARTNERGEN_DOCS`), or `None` (with a note on stderr) when the docs
/// are not beside this checkout. CI always has them, so under `CI` a missing file fails
/// the test instead of skipping it.
pub fn shared_doc(relative: &str) -> Option<PathBuf> {
    // A checkout that does not sit beside the docs (a git worktree) names them here.
    if let Some(dir) = std::env::var_os("PARTNERGEN_DOCS") {
        let path = PathBuf::from(dir).join(relative);
        assert!(path.exists(), "PARTNERGEN_DOCS has no {}", path.display());
        return Some(path);
    }
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

/// The pinned official SDKs (`tests/interop/requirements.txt`).
const SDK_REQUIREMENTS: &str = include_str!("../interop/requirements.txt");

/// A Python that has the official SDKs pinned in `tests/interop/requirements.txt`: the
/// virtual environment `interop-venv` in the target directory, which the first test that
/// needs it creates and fills (`$PYTHON`, else `python3`, makes it; pip installs the
/// pins), and later tests and runs reuse. A file lock makes concurrent tests and test
/// binaries wait for one creator; an environment without the mark written last (a run
/// killed half-way) or made for other pins is made afresh.
///
/// Panics with the output of the step that failed (venv, pip, the import check): a test
/// that needs the SDKs never passes without having run them.
pub fn sdk_python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    match PYTHON.get_or_init(|| sdk_venv::ready(&target_dir().join("interop-venv"))) {
        Ok(python) => python.clone(),
        Err(why) => panic!("the official SDKs are needed and could not be installed: {why}"),
    }
}

/// The Python of [`sdk_python`], after checking it imports `module` (of pip package
/// `package`). It panics when the module is missing, so a test never reports `ok`
/// without running.
pub fn python_with(module: &str, package: &str) -> String {
    let python = sdk_python();
    let output = std::process::Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "{} cannot import {module}; is {package} pinned in tests/interop/requirements.txt?\n{}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    python.to_string_lossy().into_owned()
}

/// The Cargo target directory these tests were built in: the nearest ancestor of the
/// test binary that holds Cargo's `CACHEDIR.TAG` (so `CARGO_TARGET_DIR` and
/// `build.target-dir` are honoured); `<workspace>/target` if there is none.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|dir| dir.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

mod sdk_venv {
    use std::fs::File;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The mark written last, holding the requirements the environment was made for.
    const MARK: &str = "partnergen-requirements.txt";

    fn python_in(venv: &Path) -> PathBuf {
        if cfg!(windows) {
            venv.join("Scripts").join("python.exe")
        } else {
            venv.join("bin").join("python")
        }
    }

    /// Runs a step; its combined output is the error if it fails.
    fn step(what: &str, command: &mut Command) -> Result<(), String> {
        let output = command
            .output()
            .map_err(|e| format!("{what}: cannot run {command:?}: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        Err(format!(
            "{what} failed ({}): {command:?}\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }

    /// The environment's Python, made ready under the lock.
    pub fn ready(venv: &Path) -> Result<PathBuf, String> {
        let parent = venv
            .parent()
            .expect("the venv is inside the target directory");
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let lock_path = venv.with_extension("lock");
        let lock = File::create(&lock_path)
            .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
        // Held until `lock` is dropped, or the process ends however it ends.
        exclusive(&lock).map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        let python = python_in(venv);
        let mark = venv.join(MARK);
        let made_for = std::fs::read_to_string(&mark).ok();
        if made_for.as_deref() == Some(super::SDK_REQUIREMENTS) && python.exists() {
            return Ok(python);
        }
        let started = std::time::Instant::now();
        if venv.exists() {
            // Half made (no mark) or made for other pins.
            std::fs::remove_dir_all(venv)
                .map_err(|e| format!("cannot remove the stale {}: {e}", venv.display()))?;
        }
        let base = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        step(
            "creating the virtual environment",
            Command::new(&base).arg("-m").arg("venv").arg(venv),
        )?;
        let requirements = super::workspace_root().join("tests/interop/requirements.txt");
        step(
            "installing the official SDKs",
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--no-input",
                ])
                .arg("-r")
                .arg(&requirements),
        )?;
        step(
            "importing the installed SDKs",
            Command::new(&python).args([
                "-c",
                "import tencentcloud.intlpartnersmgt.v20220928, huaweicloudsdkbssintl.v2",
            ]),
        )?;
        // The mark goes last and whole (a rename), so only a finished environment has it.
        let partial = venv.join(format!("{MARK}.partial"));
        std::fs::write(&partial, super::SDK_REQUIREMENTS)
            .and_then(|()| std::fs::rename(&partial, &mark))
            .map_err(|e| format!("cannot write {}: {e}", mark.display()))?;
        eprintln!(
            "made {} with the official SDKs in {:.0?}",
            venv.display(),
            started.elapsed()
        );
        Ok(python)
    }

    #[cfg(unix)]
    fn exclusive(file: &File) -> std::io::Result<()> {
        rustix::fs::flock(file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(std::io::Error::from)
    }

    #[cfg(not(unix))]
    fn exclusive(_file: &File) -> std::io::Result<()> {
        // Tests run on Unix; elsewhere concurrent first runs may both build the venv.
        Ok(())
    }
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

/// The block of the Tencent demo spec's `Match` action (untyped, with a hand-set Rust
/// name), as the tests that edit that spec find and replace it.
pub const DEMO_MATCH_ACTION: &str = "- name: Match
  rust_name: match_customers
  title: Matches customers
  category: Credit APIs
  cam_class: other
  granularity: operation
  resource: '*'
  ip_restriction: true
  qps: null
  in_api_definition: false
  pinned:
  - title
";

/// Runs `git ARGS` in `dir` with a throwaway identity (commits need one); it must succeed.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .expect("cannot run git (the tests of git-based commands need it)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
