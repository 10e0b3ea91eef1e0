//! The SDK-HMAC-SHA256 signer reproduces, byte for byte, what Huawei Cloud's official
//! Python SDK computed for fixed inputs (`data/huawei_sign_vectors.json`, made by
//! `xtask/scripts/huawei_sign_vectors.py`), and the verifier accepts those requests and
//! refuses them once a covered byte changes.
#![cfg(all(feature = "huawei", feature = "sign"))]

use partnergen_runtime::huawei::sign::{
    authorization, canonical_query_string, canonical_request, parse_authorization,
    received_canonical_request, sdk_date, sign, string_to_sign, verify, ReceivedRequest,
    SigningInput, VerifyError, CONTENT_SHA256_HEADER,
};
use serde_json::Value;

fn data() -> Value {
    serde_json::from_str(include_str!("data/huawei_sign_vectors.json")).unwrap()
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {}", v["name"]))
}

/// `[["name", "value"], ...]` as borrowed pairs.
fn pairs<'v>(v: &'v Value, key: &str) -> Vec<(&'v str, &'v str)> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} in {}", v["name"]))
        .iter()
        .map(|pair| (pair[0].as_str().unwrap(), pair[1].as_str().unwrap()))
        .collect()
}

/// The same text with one ASCII alphanumeric byte changed to another.
fn with_one_byte_changed(value: &str) -> String {
    let mut bytes = value.as_bytes().to_vec();
    let i = bytes
        .iter()
        .position(u8::is_ascii_alphanumeric)
        .unwrap_or_else(|| panic!("no byte to change in {value:?}"));
    bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn signatures_match_the_official_sdk() {
    let data = data();
    let (ak, sk) = (s(&data, "access_key"), s(&data, "secret_key"));
    let vectors = data["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 7);
    for v in vectors {
        let name = s(v, "name");
        let query = pairs(v, "query");
        let headers = pairs(v, "headers_to_sign");
        let input = SigningInput {
            method: s(v, "method"),
            host: s(v, "host"),
            path: s(v, "path"),
            query: &query,
            headers: &headers,
            body: s(v, "body").as_bytes(),
            timestamp: v["timestamp"].as_i64().unwrap(),
        };
        assert_eq!(
            sdk_date(input.timestamp),
            s(v, "x_sdk_date"),
            "vector `{name}`"
        );
        assert_eq!(
            canonical_query_string(&query),
            s(v, "raw_query"),
            "vector `{name}`"
        );
        let canonical = canonical_request(&input);
        assert_eq!(canonical, s(v, "canonical_request"), "vector `{name}`");
        assert_eq!(
            string_to_sign(&canonical, s(v, "x_sdk_date")),
            s(v, "string_to_sign"),
            "vector `{name}`"
        );
        assert_eq!(
            authorization(ak, sk, &input),
            s(v, "authorization"),
            "vector `{name}`"
        );
        let sent: Vec<(String, String)> = sign(ak, sk, &input);
        let sent: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(sent, pairs(v, "headers_sent"), "vector `{name}`");
        let parsed = parse_authorization(s(v, "authorization")).unwrap();
        assert_eq!(
            (parsed.access_key, parsed.signed_headers),
            (ak, s(v, "signed_headers")),
            "vector `{name}`"
        );
    }
}

#[test]
fn the_verifier_accepts_the_sdk_requests_and_refuses_changed_ones() {
    let data = data();
    let (ak, sk) = (s(&data, "access_key"), s(&data, "secret_key"));
    let key_of = |access_key: &str| (access_key == ak).then_some(sk);
    for v in data["vectors"].as_array().unwrap() {
        let name = s(v, "name");
        let headers = pairs(v, "headers_sent");
        let body = s(v, "body").as_bytes();
        let request = ReceivedRequest {
            method: s(v, "method"),
            path: s(v, "path"),
            query: s(v, "raw_query"),
            headers: &headers,
            body,
        };
        assert_eq!(
            received_canonical_request(&request, s(v, "signed_headers")).as_deref(),
            Ok(s(v, "canonical_request")),
            "vector `{name}`"
        );
        let parsed = verify(&request, key_of).unwrap_or_else(|e| panic!("vector `{name}`: {e}"));
        assert_eq!(parsed.access_key, ak, "vector `{name}`");

        // One byte of the body. An `X-Sdk-Content-Sha256` value stands in for a non-empty
        // body's hash, so such a body is not covered (the SDK's UNSIGNED-PAYLOAD); an
        // empty one always hashes as empty, so adding a byte changes the signature.
        let mut changed_body = body.to_vec();
        match changed_body.first_mut() {
            Some(b) => *b ^= 1,
            None => changed_body.push(b'x'),
        }
        let outcome = verify(
            &ReceivedRequest {
                body: &changed_body,
                ..request
            },
            key_of,
        );
        if !body.is_empty() && headers.iter().any(|(k, _)| *k == CONTENT_SHA256_HEADER) {
            assert!(outcome.is_ok(), "vector `{name}`: {outcome:?}");
        } else {
            assert_eq!(
                outcome,
                Err(VerifyError::SignatureMismatch),
                "vector `{name}`: body changed"
            );
        }

        // One byte of each signed header; headers not signed may change freely.
        let signed: Vec<&str> = parsed.signed_header_names().collect();
        for (i, (header, value)) in headers.iter().enumerate() {
            if *header == "Authorization" {
                continue;
            }
            let mut changed = headers.clone();
            let changed_value = with_one_byte_changed(value);
            changed[i].1 = &changed_value;
            let outcome = verify(
                &ReceivedRequest {
                    headers: &changed,
                    ..request
                },
                key_of,
            );
            if signed.contains(&header.to_lowercase().as_str()) {
                assert_eq!(
                    outcome,
                    Err(VerifyError::SignatureMismatch),
                    "vector `{name}`: {header} changed"
                );
            } else {
                assert!(header.contains('_'), "vector `{name}`: {header} unsigned");
                assert!(
                    outcome.is_ok(),
                    "vector `{name}`: {header} changed: {outcome:?}"
                );
            }
            let removed: Vec<_> = headers
                .iter()
                .copied()
                .filter(|(k, _)| k != header)
                .collect();
            let outcome = verify(
                &ReceivedRequest {
                    headers: &removed,
                    ..request
                },
                key_of,
            );
            assert!(
                outcome.is_ok() != signed.contains(&header.to_lowercase().as_str()),
                "vector `{name}`: {header} removed: {outcome:?}"
            );
        }

        // The path, the query, the method, a signed header name left out of the list.
        let path = with_one_byte_changed(request.path);
        let query = format!("{}&extra=1", request.query);
        let unsigned_ua = s(v, "authorization").replace("user-agent;", "");
        let mut dropped = headers.clone();
        dropped.retain(|(k, _)| *k != "Authorization");
        dropped.push(("Authorization", &unsigned_ua));
        for (what, changed) in [
            (
                "path",
                ReceivedRequest {
                    path: &path,
                    ..request
                },
            ),
            (
                "query",
                ReceivedRequest {
                    query: &query,
                    ..request
                },
            ),
            (
                "method",
                ReceivedRequest {
                    method: "PATCH",
                    ..request
                },
            ),
            (
                "signed headers",
                ReceivedRequest {
                    headers: &dropped,
                    ..request
                },
            ),
        ] {
            assert_eq!(
                verify(&changed, key_of),
                Err(VerifyError::SignatureMismatch),
                "vector `{name}`: {what} changed"
            );
        }
        assert_eq!(
            verify(&request, |_| Some("another secret key")),
            Err(VerifyError::SignatureMismatch),
            "vector `{name}`"
        );
    }
}
