//! The crates we publish, the runtime and every crate under generated/, are publishable:
//! complete crates.io metadata, the runtime required by version as well as by path, and
//! packages that hold our code, crate page, changelog and license and nothing else (no
//! vendor file). Everything else in the workspace stays unpublished. (`.ci/run` also runs
//! `cargo package` itself, which builds each package from its `.crate`.)

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use partnergen_tests::workspace_root;
use serde_json::Value;

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace_root())
        .args(args)
        .output()
        .expect("cannot run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn packages() -> Vec<Value> {
    let metadata: Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--offline",
    ]))
    .unwrap();
    metadata["packages"].as_array().unwrap().clone()
}

/// The crates under generated/, by directory name (their package names).
fn generated_crates() -> BTreeSet<String> {
    fs::read_dir(workspace_root().join("generated"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn publishable() -> BTreeSet<String> {
    let mut names = generated_crates();
    names.insert("partnergen-runtime".to_owned());
    names
}

/// A package's `publish`: null means anywhere, `[]` nowhere.
fn is_published(package: &Value) -> bool {
    match &package["publish"] {
        Value::Null => true,
        Value::Array(registries) => !registries.is_empty(),
        other => panic!("publish = {other}"),
    }
}

/// crates.io's rules for a keyword.
fn valid_keyword(keyword: &str) -> bool {
    keyword.len() <= 20
        && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
        && keyword
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The crates.io category slugs we use (each one exists on crates.io).
const CATEGORIES: &[&str] = &[
    "api-bindings",
    "web-programming::http-client",
    "development-tools::testing",
];

#[test]
fn exactly_the_runtime_and_the_generated_crates_are_published() {
    let expected = publishable();
    assert!(expected.len() >= 3, "{expected:?}");
    let published: BTreeSet<String> = packages()
        .iter()
        .filter(|p| is_published(p))
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(published, expected);
}

#[test]
fn published_crates_have_complete_metadata() {
    let runtime_version = packages()
        .iter()
        .find(|p| p["name"] == "partnergen-runtime")
        .unwrap()["version"]
        .as_str()
        .unwrap()
        .to_owned();
    let generated = generated_crates();
    let mut checked = 0;
    for package in packages() {
        let name = package["name"].as_str().unwrap();
        if !is_published(&package) {
            continue;
        }
        checked += 1;
        for field in ["description", "license", "repository", "readme"] {
            let value = package[field].as_str().unwrap_or_default();
            assert!(!value.trim().is_empty(), "{name}: no {field}");
        }
        assert_eq!(package["license"], "Apache-2.0", "{name}");
        // crates.io: a homepage only for a site of the crate's own, not the repository's
        // or the docs' address again.
        assert!(
            package["homepage"].is_null(),
            "{name}: {}",
            package["homepage"]
        );
        assert_eq!(
            package["documentation"].as_str(),
            Some(format!("https://docs.rs/{name}").as_str()),
            "{name}"
        );
        let keywords: Vec<&str> = package["keywords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert!((1..=5).contains(&keywords.len()), "{name}: {keywords:?}");
        for keyword in &keywords {
            assert!(valid_keyword(keyword), "{name}: keyword {keyword:?}");
        }
        let categories = package["categories"].as_array().unwrap();
        assert!(!categories.is_empty() && categories.len() <= 5, "{name}");
        for category in categories {
            assert!(
                CATEGORIES.contains(&category.as_str().unwrap()),
                "{name}: category {category}"
            );
        }
        // docs.rs documents every feature.
        let docs_rs = &package["metadata"]["docs"]["rs"];
        assert_eq!(docs_rs["all-features"], true, "{name}: {docs_rs}");
        if generated.contains(name) {
            let runtime = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["name"] == "partnergen-runtime")
                .unwrap_or_else(|| panic!("{name} does not depend on the runtime"));
            assert_eq!(
                runtime["req"].as_str(),
                Some(format!("^{runtime_version}").as_str()),
                "{name}: the runtime by version"
            );
            assert!(runtime["path"].is_string(), "{name}: the runtime by path");
        }
    }
    assert_eq!(checked, publishable().len());
}

/// What a package may hold besides its sources.
const TOP_LEVEL: &[&str] = &[
    ".cargo_vcs_info.json",
    "CHANGELOG.md",
    "Cargo.lock",
    "Cargo.toml",
    "Cargo.toml.orig",
    "LICENSE",
    "README.md",
];

/// Names of the vendors' files (and of what is built from them) that must never be packaged.
const VENDOR_NAMES: &[&str] = &[
    // The Tencent crate's test module of the vendor's example documents, verbatim.
    "src/examples.rs",
    "api-definition",
    "api-examples",
    "cam-authorization",
    "api-category",
    "errorcodes",
    "api-access-permissions",
    "huawei-ops",
    "partner-center.yaml",
    "intlpartnersmgt.yaml",
];

#[test]
fn packages_hold_our_files_and_no_vendor_file() {
    let license = fs::read_to_string(workspace_root().join("LICENSE")).unwrap();
    assert!(license.contains("Apache License"), "LICENSE");
    for name in publishable() {
        let listed = cargo(&[
            "package",
            "--list",
            "--allow-dirty",
            "--offline",
            "-p",
            &name,
        ]);
        let files: Vec<&str> = listed.lines().collect();
        for required in [
            "Cargo.toml",
            "README.md",
            "LICENSE",
            "CHANGELOG.md",
            "src/lib.rs",
        ] {
            assert!(
                files.contains(&required),
                "{name}: no {required} in {files:?}"
            );
        }
        for file in &files {
            assert!(
                file.starts_with("src/") || TOP_LEVEL.contains(file),
                "{name} packages {file}"
            );
            let lower = file.to_ascii_lowercase();
            for vendor in VENDOR_NAMES {
                assert!(
                    !lower.contains(vendor),
                    "{name} packages {file}, a vendor file"
                );
            }
            // Cargo's own `.cargo_vcs_info.json` aside, no data file.
            assert!(
                TOP_LEVEL.contains(file)
                    || ![".json", ".txt", ".py", ".yaml"]
                        .iter()
                        .any(|e| lower.ends_with(e)),
                "{name} packages {file}"
            );
        }
        // Each carries the license, word for word.
        let dir = if name == "partnergen-runtime" {
            workspace_root().join("runtime")
        } else {
            workspace_root().join("generated").join(&name)
        };
        assert_eq!(
            fs::read_to_string(dir.join("LICENSE")).unwrap(),
            license,
            "{name}"
        );
    }
}
