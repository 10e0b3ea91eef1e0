//! The Tencent API category page, markdown form, through the whole import. The
//! markdown form shows no table headings, so the fixture's text form comes along as a
//! second edition to name them (as the README's import command does).
#![no_main]
use libfuzzer_sys::fuzz_target;
use partnergen_fuzz::{fixture, fixtures, import_tencent_pages, looks_markdown, scratch};

fuzz_target!(|data: &[u8]| {
    if std::str::from_utf8(data).is_ok_and(|text| !looks_markdown(text)) {
        return;
    }
    import_tencent_pages(
        vec![fixture("cam-authorization.txt", fixtures::TENCENT_CAM_TXT)],
        vec![
            fixture("api-category.txt", fixtures::TENCENT_CATEGORY_TXT),
            scratch("api-category.md", data),
        ],
    );
});
