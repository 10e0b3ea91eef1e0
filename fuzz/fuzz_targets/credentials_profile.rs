//! The Tencent INI profile file (`~/.tencentcloud/credentials`), under the sections the
//! SDK reads; and the same bytes as `NAME=VALUE` lines for the environment readers of
//! both vendors. No error may show a secret.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::scratch;
use partnergen_runtime::credentials::Credentials;

fuzz_target!(|data: &[u8]| {
    let path = scratch("credentials", data);
    let text = String::from_utf8_lossy(data);
    // Secret values long enough not to appear by chance in a message's own words.
    let secrets: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| key.contains("secret_key") || key.contains("token"))
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() >= 12)
        .collect();
    for section in ["default", "other"] {
        if let Err(err) = Credentials::from_profile_file(&path, section) {
            let shown = err.to_string();
            for secret in &secrets {
                assert!(!shown.contains(secret), "the error shows a secret: {shown}");
            }
        }
    }
    let lookup = |name: &str| {
        text.lines()
            .filter_map(|line| line.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    let _ = Credentials::from_lookup(lookup).map_err(|e| e.to_string());
    let _ = Credentials::from_huawei_lookup(lookup).map_err(|e| e.to_string());
});
