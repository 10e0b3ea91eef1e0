//! The Huawei SDK operations file (what `xtask/scripts/huawei_sdk_operations.py`
//! writes) through the whole import, with the fixture's permission page.
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_fuzz::{fixture, fixtures, import_check, scratch};

fuzz_target!(|data: &[u8]| {
    let page = fixture("api-access-permissions.txt", fixtures::HUAWEI_PAGE);
    let sdk = scratch("huawei-ops.json", data);
    import_check(|_| import_huawei(&page, Some(&sdk), None));
});
