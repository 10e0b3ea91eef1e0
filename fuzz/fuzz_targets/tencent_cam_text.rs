//! The Tencent CAM authorization page, plain-text form, through the whole import (the
//! other inputs are the repository's fixtures).
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::{fixture, fixtures, import_tencent_pages, looks_markdown, scratch};

fuzz_target!(|data: &[u8]| {
    if std::str::from_utf8(data).is_ok_and(looks_markdown) {
        return;
    }
    import_tencent_pages(
        vec![scratch("cam-authorization.txt", data)],
        vec![fixture("api-category.txt", fixtures::TENCENT_CATEGORY_TXT)],
    );
});
