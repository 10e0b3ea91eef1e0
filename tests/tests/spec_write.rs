//! `specfile::write_atomically`, which the importers write specs with: a failed write
//! leaves the old file as it was and no temporary file beside it, and its error names the
//! path.

use std::fs;
use std::path::Path;
use std::process::Command;

use partnergen_codegen::specfile::write_atomically;

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn a_write_replaces_the_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    fs::write(&path, "old\n").unwrap();
    write_atomically(&path, "new\n").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    assert_eq!(names(dir.path()), ["spec.yaml"]);
}

/// The child half of [`a_write_that_fails_midway_leaves_no_temporary_file`]: run with a
/// file size limit, so the write fails part-way (EFBIG).
#[test]
#[ignore = "run by a_write_that_fails_midway_leaves_no_temporary_file"]
fn child_write_past_the_file_size_limit() {
    let dir = std::env::var_os("SPEC_WRITE_DIR").expect("run by the parent test");
    let path = Path::new(&dir).join("spec.yaml");
    let err = write_atomically(&path, &"x".repeat(1 << 20)).unwrap_err();
    println!("child error: {err}");
}

#[test]
#[cfg(unix)]
fn a_write_that_fails_midway_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    fs::write(&path, "old\n").unwrap();
    // SIGXFSZ ignored, so a write past `ulimit -f` (in 512-byte blocks) fails with EFBIG
    // instead of killing the process.
    let output = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"")
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_write_past_the_file_size_limit",
            "--ignored",
            "--nocapture",
        ])
        .env("SPEC_WRITE_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child failed: {stdout}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(
        names(dir.path()),
        ["spec.yaml"],
        "a temporary file was left"
    );
    let error = stdout
        .lines()
        .find_map(|l| l.strip_prefix("child error: "))
        .unwrap_or_else(|| panic!("no error shown: {stdout}"));
    assert!(error.contains(&*dir.path().to_string_lossy()), "{error}");
}

#[test]
fn a_failed_rename_leaves_no_temporary_file_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // The target is a directory that is not empty: the final rename fails.
    let path = dir.path().join("spec.yaml");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), "").unwrap();
    let err = write_atomically(&path, "new\n").unwrap_err();
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    assert_eq!(
        names(dir.path()),
        ["spec.yaml"],
        "a temporary file was left"
    );
}

#[test]
fn an_impossible_parent_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("spec");
    fs::write(&blocker, "a file where a directory should be").unwrap();
    let path = blocker.join("tencentcloud/x.yaml");
    let err = write_atomically(&path, "new\n").unwrap_err();
    assert!(
        err.to_string().contains(&*blocker.to_string_lossy()),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["spec"]);
}
