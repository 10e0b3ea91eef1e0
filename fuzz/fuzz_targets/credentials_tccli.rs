//! A tccli credential file (`~/.tccli/<profile>.credential`, JSON). No error may show
//! the secret key it holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::scratch;
use partnergen_runtime::credentials::Credentials;

fuzz_target!(|data: &[u8]| {
    let path = scratch("default.credential", data);
    match Credentials::from_cli_file(&path) {
        Ok(credentials) => {
            let _ = format!("{credentials:?}");
        }
        Err(err) => {
            let shown = err.to_string();
            // A key long enough not to appear by chance in the message's own words.
            let key = serde_json::from_slice::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v.get("secretKey")?.as_str().map(str::to_owned));
            if let Some(key) = key.filter(|k| k.len() >= 12) {
                assert!(
                    !shown.contains(&key),
                    "the error shows the secret key: {shown}"
                );
            }
        }
    }
});
