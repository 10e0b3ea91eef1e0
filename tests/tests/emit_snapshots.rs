//! Snapshots of every file the emitters produce for the fixture specs, which together
//! exercise every spec feature: keyword and digit-bearing names, a hand-set `rust_name`,
//! collisions avoided by it, a self-referencing type, lists of integers, nullable and
//! hidden fields, a type used by requests and responses, more than seven required fields,
//! a table without a heading, assumed QPS, path parameters, several permissions, and
//! Huawei request structs (path parameters of two types, one filled from the credentials by
//! the SDK, query parameters of every primitive, a header, a body, a keyword parameter,
//! a camelCase wire name, an operation without typed models).
//!
//! The real specs are guarded by the committed crates and the drift check instead: their
//! output is too long to review as a snapshot. After a change to an emitter, review with
//! `cargo insta review`.

use partnergen_codegen::emit::emit;
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::fixture;

fn snapshot_all(relative: &str) {
    let path = fixture(relative);
    let spec = load_spec(&path).unwrap_or_else(|d| panic!("{d}")).spec;
    let files = emit(&format!("tests/fixtures/{relative}"), &spec);
    assert!(!files.is_empty());
    for (file, contents) in &files {
        // The project's license, copied word for word (tests/tests/packaging.rs checks it).
        if file.ends_with("LICENSE") {
            continue;
        }
        let name = file.display().to_string().replace(['/', '\\'], "__");
        insta::assert_snapshot!(name, contents);
    }
}

#[test]
fn tencent_fixture() {
    snapshot_all("specs/tencentcloud/demo.yaml");
}

#[test]
fn huawei_fixture() {
    snapshot_all("specs/huaweicloud/demo.yaml");
}

#[test]
fn output_is_deterministic() {
    for relative in [
        "specs/tencentcloud/demo.yaml",
        "specs/huaweicloud/demo.yaml",
    ] {
        let spec = load_spec(&fixture(relative)).unwrap().spec;
        assert_eq!(emit("x", &spec), emit("x", &spec));
    }
}
