//! The fixture specs' crates compile, pass clippy and run their tests under each feature
//! set: snapshots show what the emitters print, this shows that it builds (keyword,
//! digit-bearing and hand-renamed names included).
//!
//! The crates are committed under `tests/fixtures/crates/`, written by `cargo xtask
//! codegen` like `generated/`, and are members of the workspace, so nothing here builds
//! them a second time:
//! - `cargo build --workspace` and `cargo test --workspace` compile them with every
//!   feature (this package's dev-dependencies enable them) alongside the rest, with the
//!   dependencies already built for the rest, and the latter runs their tests;
//! - `cargo clippy --workspace --all-targets -- -D warnings` lints them, and `.ci/run`
//!   lints each one under each feature set (`--no-default-features`, each feature,
//!   `--all-features`), as it does the crates under `generated/`;
//! - this test fails when they are not what the emitters print for the fixture specs
//!   today, so what compiles is what the snapshots show.

use partnergen_codegen::generate::{check_tree, plan_tree, FIXTURES};
use partnergen_tests::workspace_root;

#[test]
fn fixture_crates_are_up_to_date() {
    let root = workspace_root();
    let (files, _) = plan_tree(&root, FIXTURES).unwrap_or_else(|d| panic!("{d}"));
    assert!(
        files.keys().any(|p| p.starts_with("tencentcloud-demo"))
            && files.keys().any(|p| p.starts_with("huaweicloud-demo")),
        "both fixture specs make a crate: {:?}",
        files.keys().collect::<Vec<_>>()
    );
    let drift = check_tree(&root, FIXTURES, &files).unwrap();
    let shown: Vec<String> = drift.iter().map(|d| d.in_tree(FIXTURES)).collect();
    assert!(
        drift.is_empty(),
        "{}/ is stale; run `cargo xtask codegen`:\n{}",
        FIXTURES.crates,
        shown.join("\n")
    );
}
