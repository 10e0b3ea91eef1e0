//! The Tencent API definition JSON through the whole import (pages and examples are
//! the repository's fixtures).
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::{fixture, fixtures, import_tencent_with, scratch};

fuzz_target!(|data: &[u8]| {
    import_tencent_with(
        vec![fixture("cam-authorization.txt", fixtures::TENCENT_CAM_TXT)],
        vec![fixture("api-category.txt", fixtures::TENCENT_CATEGORY_TXT)],
        scratch("api-definition.json", data),
        fixture("examples.json", fixtures::TENCENT_EXAMPLES),
    );
});
