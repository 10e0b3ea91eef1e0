//! The signer reproduces, byte for byte, the Authorization values the official Python SDK
//! computed for fixed inputs (`data/tc3_vectors.json`, made by
//! `xtask/scripts/tc3_vectors.py`).
#![cfg(all(feature = "tencent", feature = "sign"))]

use partnergen_runtime::tencent::sign::{authorization, SigningInput};

#[test]
fn signatures_match_the_official_sdk() {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("data/tc3_vectors.json")).unwrap();
    let vectors = data["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 5);
    for v in vectors {
        let s = |key: &str| v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"));
        let headers = &v["headers"];
        let input = SigningInput {
            method: "POST",
            content_type: headers["Content-Type"].as_str().unwrap(),
            host: headers["Host"].as_str().unwrap(),
            service: s("service"),
            timestamp: v["timestamp"].as_i64().unwrap(),
            payload: s("body").as_bytes(),
        };
        assert_eq!(
            authorization(s("secret_id"), s("secret_key"), &input),
            s("authorization"),
            "vector `{}`",
            s("name")
        );
    }
}
