//! A page cut anywhere never reads as something else: every reader, given a prefix of its
//! input (cut at every line boundary and inside every line), either fails naming the file
//! and a line, or takes exactly the facts it takes from the whole input. On the real pages
//! (when `../shared/docs`, or `$PARTNERGEN_DOCS`, is here) and always on our fixtures; and,
//! end to end through the Tencent and Huawei imports, at random cuts (proptest).

use std::fmt::Debug;
use std::fs;
use std::path::Path;

use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::import::huawei::{
    import_huawei, read_permission_page, read_sdk_operations_text,
};
use partnergen_codegen::import::tencent::{
    import_tencent, read_definition_text, read_examples_text, read_page, PageKind, Reading,
    TencentInputs,
};
use partnergen_codegen::spec::Spec;
use partnergen_tests::{fixture, shared_doc, tencent_doc};
use proptest::prelude::*;

/// Where to cut a text: after every line (with and without its newline), and in the middle
/// of every line (on a character boundary); with `stride` > 1, only every stride-th line.
fn cut_points(text: &str, stride: usize) -> Vec<usize> {
    let mut points = Vec::new();
    let mut start = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let end = start + line.len();
        if index % stride == 0 {
            let content = line.trim_end_matches('\n');
            let middle = (0..=content.len() / 2)
                .rev()
                .find(|&m| content.is_char_boundary(m))
                .unwrap_or(0);
            points.extend([start + middle, start + content.len(), end]);
        }
        start = end;
    }
    points.sort_unstable();
    points.dedup();
    points.retain(|&p| p < text.len());
    points
}

/// The outcome of a reader on a prefix must be the whole text's reading, or errors that
/// name `file` with a line. Returns how many prefixes failed.
#[track_caller]
fn check_prefix<T: PartialEq + Debug>(
    file: &str,
    cut: usize,
    whole: &T,
    read: Result<T, Diagnostics>,
) -> bool {
    match read {
        Ok(reading) => {
            assert!(
                &reading == whole,
                "{file} cut at byte {cut} reads as something else than the whole file:\n{reading:#?}"
            );
            false
        }
        Err(errors) => {
            assert!(
                errors.has_errors(),
                "{file} cut at byte {cut}: failed without an error"
            );
            for error in errors.0.iter().filter(|e| e.is_error()) {
                assert!(
                    error.file == file && error.line.is_some(),
                    "{file} cut at byte {cut}: an error without the file and a line: {error}"
                );
            }
            true
        }
    }
}

/// Cuts `text` at every point of `cut_points` and checks each prefix with `read`.
fn cut_everywhere<T: PartialEq + Debug>(
    file: &str,
    text: &str,
    stride: usize,
    read: impl Fn(&str) -> Result<T, Diagnostics>,
) {
    let whole = read(text).unwrap_or_else(|errors| panic!("the whole {file} fails:\n{errors}"));
    let points = cut_points(text, stride);
    let failed = points
        .iter()
        .filter(|&&cut| check_prefix(file, cut, &whole, read(&text[..cut])))
        .count();
    // Nearly every cut of a page must fail: only cuts inside its closing matter read the
    // same as the whole page.
    assert!(failed > 0, "{file}: no cut failed");
    eprintln!(
        "{file}: {} cuts, {failed} refused, the rest read as the whole",
        points.len()
    );
}

fn page_reader(kind: PageKind, file: &str) -> impl Fn(&str) -> Result<Reading, Diagnostics> + '_ {
    move |text| read_page(kind, file, text)
}

// ---------------------------------------------------------------------------------------
// Every reader, every form, cut at every line

#[test]
fn tencent_fixture_pages_cut_anywhere() {
    for (name, kind) in [
        ("cam.txt", PageKind::Cam),
        ("cam.md", PageKind::Cam),
        ("category.txt", PageKind::Category),
        ("category.md", PageKind::Category),
    ] {
        let text = fs::read_to_string(fixture(&format!("tencent/{name}"))).unwrap();
        cut_everywhere(name, &text, 1, page_reader(kind, name));
    }
}

#[test]
fn tencent_real_pages_cut_anywhere() {
    for (name, kind) in [
        ("cam-authorization.txt", PageKind::Cam),
        ("cam-authorization.md", PageKind::Cam),
        ("api-category.txt", PageKind::Category),
        ("api-category.md", PageKind::Category),
    ] {
        let Some(path) = tencent_doc(name) else {
            return;
        };
        let text = fs::read_to_string(path).unwrap();
        cut_everywhere(name, &text, 1, page_reader(kind, name));
    }
}

/// Cuts the definition at every `stride`-th line and the examples at every 4th as often.
fn json_cuts(
    definition_name: &str,
    definition: &str,
    examples_name: &str,
    examples: &str,
    stride: usize,
) {
    let read_definition = |text: &str| read_definition_text(definition_name, text);
    cut_everywhere(definition_name, definition, stride, read_definition);
    let whole_definition = read_definition_text(definition_name, definition).unwrap();
    let read_examples = |text: &str| read_examples_text(examples_name, text, &whole_definition);
    cut_everywhere(examples_name, examples, stride.div_ceil(4), read_examples);
}

#[test]
fn tencent_json_inputs_cut_anywhere() {
    let definition = fs::read_to_string(fixture("tencent/definition.json")).unwrap();
    let examples = fs::read_to_string(fixture("tencent/examples.json")).unwrap();
    json_cuts(
        "definition.json",
        &definition,
        "examples.json",
        &examples,
        1,
    );
    let (Some(definition), Some(examples)) = (
        tencent_doc("api-definition-2022-09-28.json"),
        tencent_doc("api-examples-2022-09-28.json"),
    ) else {
        return;
    };
    // The real definition has 6,371 lines (218 KB): every 293rd keeps the run short; a cut
    // JSON document never parses, so a sample suffices here.
    let definition = fs::read_to_string(definition).unwrap();
    let examples = fs::read_to_string(examples).unwrap();
    json_cuts(
        "api-definition.json",
        &definition,
        "api-examples.json",
        &examples,
        293,
    );
}

#[test]
fn huawei_pages_cut_anywhere() {
    let read = |file: &'static str| move |text: &str| read_permission_page(file, text);
    let text = fs::read_to_string(fixture("huawei/page.txt")).unwrap();
    cut_everywhere("page.txt", &text, 1, read("page.txt"));
    if let Some(path) = shared_doc("huaweicloud/partner-center/api-access-permissions.txt") {
        let text = fs::read_to_string(path).unwrap();
        cut_everywhere(
            "api-access-permissions.txt",
            &text,
            1,
            read("api-access-permissions.txt"),
        );
    }
}

#[test]
fn huawei_sdk_operations_cut_anywhere() {
    let text = fs::read_to_string(fixture("huawei/sdk-operations.json")).unwrap();
    cut_everywhere("huawei-ops.json", &text, 1, |text| {
        read_sdk_operations_text("huawei-ops.json", text)
    });
}

// ---------------------------------------------------------------------------------------
// End to end: a truncated page never imports to a different spec than the whole page

/// The Tencent fixture inputs with `replace` (file name, text) written in place of the
/// fixture of that name.
fn tencent_import(dir: &Path, replace: Option<(&str, &str)>) -> Result<Spec, Diagnostics> {
    let path = |name: &str| match replace {
        Some((replaced, text)) if replaced == name => {
            let path = dir.join(name);
            fs::write(&path, text).unwrap();
            path
        }
        _ => fixture(&format!("tencent/{name}")),
    };
    let inputs = TencentInputs {
        cam_pages: vec![path("cam.txt"), path("cam.md")],
        category_pages: vec![path("category.txt"), path("category.md")],
        definition: path("definition.json"),
        examples: path("examples.json"),
    };
    import_tencent(&inputs, None).map(|imported| imported.spec)
}

/// An import of a prefix must give the whole input's spec, or errors naming the file.
fn assert_same_or_refused(
    file: &str,
    cut: usize,
    whole: &Spec,
    imported: Result<Spec, Diagnostics>,
) {
    match imported {
        Ok(spec) => assert!(
            &spec == whole,
            "{file} cut at byte {cut} imports to another spec"
        ),
        Err(errors) => assert!(
            errors
                .0
                .iter()
                .any(|e| e.is_error() && e.file.ends_with(file) && e.line.is_some()),
            "{file} cut at byte {cut}: no error names it with a line:\n{errors}"
        ),
    }
}

const TENCENT_FILES: [&str; 6] = [
    "cam.txt",
    "cam.md",
    "category.txt",
    "category.md",
    "definition.json",
    "examples.json",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_cut_tencent_input_imports_as_the_whole_or_fails(file in 0..TENCENT_FILES.len(), at in 0.0f64..1.0) {
        let name = TENCENT_FILES[file];
        let dir = tempfile::tempdir().unwrap();
        let whole = tencent_import(dir.path(), None).unwrap();
        let text = fs::read_to_string(fixture(&format!("tencent/{name}"))).unwrap();
        let mut cut = (text.len() as f64 * at) as usize;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        assert_same_or_refused(name, cut, &whole, tencent_import(dir.path(), Some((name, &text[..cut]))));
    }

    #[test]
    fn a_cut_huawei_input_imports_as_the_whole_or_fails(sdk in any::<bool>(), at in 0.0f64..1.0) {
        let dir = tempfile::tempdir().unwrap();
        let page = fixture("huawei/page.txt");
        let ops = fixture("huawei/sdk-operations.json");
        let whole = import_huawei(&page, Some(&ops), None).unwrap().spec;
        let (name, source) = if sdk { ("sdk-operations.json", &ops) } else { ("page.txt", &page) };
        let text = fs::read_to_string(source).unwrap();
        let mut cut = (text.len() as f64 * at) as usize;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut_file = dir.path().join(name);
        fs::write(&cut_file, &text[..cut]).unwrap();
        let imported = if sdk {
            import_huawei(&page, Some(&cut_file), None)
        } else {
            import_huawei(&cut_file, Some(&ops), None)
        };
        assert_same_or_refused(name, cut, &whole, imported.map(|i| i.spec));
    }
}
