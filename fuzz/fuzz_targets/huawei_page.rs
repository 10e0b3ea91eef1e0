//! The Huawei permission page through the whole import, with the fixture's SDK
//! operations file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_fuzz::{fixture, fixtures, import_check, scratch};

fuzz_target!(|data: &[u8]| {
    let page = scratch("api-access-permissions.txt", data);
    let sdk = fixture("huawei-ops.json", fixtures::HUAWEI_SDK_OPERATIONS);
    import_check(|_| import_huawei(&page, Some(&sdk), None));
});
