//! The fixture specs' crates compile, pass clippy and run their tests under each feature
//! set: snapshots show what the emitters print, this shows that it builds (keyword,
//! digit-bearing and hand-renamed names included). The crates are written to a scratch
//! workspace under `target/` that points at this repo's runtime crate.

use std::fs;
use std::path::Path;
use std::process::Command;

use partnergen_codegen::emit::emit;
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::{fixture, workspace_root};

fn cargo(dir: &Path, args: &[&str]) {
    let target = workspace_root().join("target/fixture-crates-target");
    // Flags for cargo itself go right after the subcommand, before any `--`.
    let output = Command::new(env!("CARGO"))
        .arg(args[0])
        .args(["--offline", "--quiet"])
        .args(&args[1..])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn fixture_crates_build_under_every_feature_set() {
    let scratch = workspace_root().join("target/fixture-crates");
    let _ = fs::remove_dir_all(&scratch);
    let runtime = workspace_root().join("runtime");
    let mut members = Vec::new();
    for relative in [
        "specs/tencentcloud/demo.yaml",
        "specs/huaweicloud/demo.yaml",
    ] {
        let spec = load_spec(&fixture(relative)).unwrap().spec;
        for (path, contents) in emit(relative, &spec) {
            let target = scratch.join(&path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            // The generated manifests point at ../../runtime from generated/<crate>.
            let contents = contents.replace(
                "path = \"../../runtime\"",
                &format!("path = {:?}", runtime.display().to_string()),
            );
            fs::write(target, contents).unwrap();
            let member = path
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .into_owned();
            if !members.contains(&member) {
                members.push(member);
            }
        }
    }
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    // Copy the lock file so the scratch build resolves to the versions already fetched.
    fs::copy(
        workspace_root().join("Cargo.lock"),
        scratch.join("Cargo.lock"),
    )
    .unwrap();
    for features in [
        &["--no-default-features"][..],
        &["--features", "tencentcloud-demo/serde"],
        &["--all-features"],
    ] {
        let mut args = vec!["clippy", "--workspace", "--all-targets"];
        args.extend_from_slice(features);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        cargo(&scratch, &args);
    }
    cargo(&scratch, &["test", "--workspace", "--all-features"]);
}
