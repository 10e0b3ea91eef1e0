//! The Tencent Cloud importer: the CAM authorization page and the API category page (each
//! in its markdown or plain-text form, one or more editions), the API definition JSON and
//! the examples JSON, merged into one [`TencentSpec`].
//!
//! Precedence, where sources overlap:
//! - title: the API definition's one-line name, else the category page's feature, else
//!   the CAM page's description;
//! - between editions of one page: the newest "last updated" stamp wins, undated editions
//!   rank below dated ones, ties keep the command-line order; every disagreement is kept
//!   in the action's `conflicts` and reported as a warning.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::json_pos::{check_depth, JsonPositions, Step};
use super::pages::{
    check_closing_matter, is_closing_line, is_markdown, last_updated, markdown_tables,
    MarkdownTable,
};
use super::{file_name, keep_pinned, read_input, unescape_quotes, Imported};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{
    BrokenExample, CamClass, CamFacts, CategoryTable, Conflict, DefaultQps, Example, FieldDef,
    Granularity, Primitive, Protocol, ProtocolFamily, Provider, ServiceInfo, Signing, Source,
    SourceKind, SourcedValue, Spec, Support, TencentAction, TencentSpec, TypeDef, TypeRef,
};

/// The vendor files a Tencent import reads.
#[derive(Debug, Clone)]
pub struct TencentInputs {
    /// Editions of the CAM authorization page (markdown or text form), at least one.
    pub cam_pages: Vec<PathBuf>,
    /// Editions of the API category page (markdown or text form), at least one.
    pub category_pages: Vec<PathBuf>,
    /// The API definition JSON.
    pub definition: PathBuf,
    /// The API examples JSON.
    pub examples: PathBuf,
}

/// The default QPS we assume where the category page gives no figure.
const DEFAULT_QPS: i64 = 20;
const DEFAULT_QPS_BASIS: &str = "Tencent Cloud API 3.0 actions default to 20 requests per second where no other limit is set; the category page gives no figure for these actions, so this is an assumption, not a documented limit";
const EDITION_RULE: &str = "newest 'last updated' edition wins; undated editions rank below dated ones; ties keep command-line order";

/// Imports a Tencent service; `base` is the spec that was there (for pinned fields and
/// for naming the tables of a markdown category page, which shows no headings).
pub fn import_tencent(
    inputs: &TencentInputs,
    base: Option<&TencentSpec>,
) -> Result<Imported, Diagnostics> {
    let mut diags = Diagnostics::default();
    if inputs.cam_pages.is_empty() || inputs.category_pages.is_empty() {
        return Err(Diagnostic::error(
            "(command line)",
            "missing-input",
            "at least one CAM page and one API category page are needed",
        )
        .into());
    }
    let cam_pages: Vec<CamPage> = inputs
        .cam_pages
        .iter()
        .filter_map(|p| collect(&mut diags, read_cam_page(p)))
        .collect();
    let mut category_pages: Vec<CategoryPage> = inputs
        .category_pages
        .iter()
        .filter_map(|p| collect(&mut diags, read_category_page(p)))
        .collect();
    let definition = collect(&mut diags, read_definition(&inputs.definition));
    if diags.has_errors() {
        return Err(diags);
    }
    let definition = definition.expect("no errors means the definition was read");
    let examples = collect(&mut diags, read_examples(&inputs.examples, &definition));
    name_markdown_tables(&mut category_pages, base, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let examples = examples.expect("no errors means the examples were read");
    let spec = assemble(
        &cam_pages,
        &category_pages,
        &definition,
        examples,
        base,
        &mut diags,
    );
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Imported {
        spec: Spec::Tencent(spec),
        warnings: diags,
    })
}

/// Which of the Tencent pages a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The CAM authorization page (markdown or text form).
    Cam,
    /// The API category page (markdown or text form).
    Category,
}

/// What the import takes from one input, read on its own (for tests and fuzzing: two
/// readings compare equal exactly when the import would take the same facts from them).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading(Read);

#[derive(Debug, Clone, PartialEq)]
enum Read {
    Cam(CamPage),
    Category(CategoryPage),
    Definition(ReadDefinition),
    Examples(ReadExamples),
}

/// Reads a page's text as the import does; `file` names it in diagnostics and sources.
pub fn read_page(kind: PageKind, file: &str, text: &str) -> Result<Reading, Diagnostics> {
    Ok(Reading(match kind {
        PageKind::Cam => Read::Cam(cam_page_from_text(file, file, text)?.0),
        PageKind::Category => Read::Category(category_page_from_text(file, file, text)?.0),
    }))
}

/// Reads an API definition's text as the import does.
pub fn read_definition_text(file: &str, text: &str) -> Result<Reading, Diagnostics> {
    Ok(Reading(Read::Definition(
        definition_from_text(file, file, text)?.0,
    )))
}

/// Reads an examples file's text as the import does, against a definition read by
/// [`read_definition_text`] (any other reading is an error).
pub fn read_examples_text(
    file: &str,
    text: &str,
    definition: &Reading,
) -> Result<Reading, Diagnostics> {
    let Reading(Read::Definition(definition)) = definition else {
        return Err(Diagnostic::error(
            file,
            "missing-input",
            "the examples are read against an API definition",
        )
        .into());
    };
    Ok(Reading(Read::Examples(
        examples_from_text(file, file, text, definition)?.0,
    )))
}

/// Moves the diagnostics of a reader into `diags`, returning its value if it had one.
fn collect<T>(diags: &mut Diagnostics, result: Result<(T, Diagnostics), Diagnostics>) -> Option<T> {
    match result {
        Ok((value, warnings)) => {
            diags.0.extend(warnings.0);
            Some(value)
        }
        Err(errors) => {
            diags.0.extend(errors.0);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// The CAM authorization page

#[derive(Debug, Clone, PartialEq)]
struct CamRow {
    /// The 1-based line of the row.
    line: usize,
    name: String,
    description: String,
    class: CamClass,
    granularity: Granularity,
    resource: String,
    ip_restriction: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct CamPage {
    file: String,
    title: Option<String>,
    last_updated: Option<String>,
    product_title: String,
    facts: CamFacts,
    rows: Vec<CamRow>,
}

const CAM_HEADER: [&str; 5] = [
    "API",
    "API Description",
    "Authorization Granularity",
    "Six-segment Resource Description",
    "IP Restriction",
];
const PRODUCT_HEADER: [&str; 6] = [
    "Product",
    "Abbreviation in CAM",
    "Console",
    "Authorization by Tag",
    "Authorization Granularity",
    "IP Restriction",
];
/// The text form's section headings; the markdown form shows none, and its four tables
/// come in this same fixed order.
const CAM_SECTIONS: [(&str, CamClass); 4] = [
    ("write operations", CamClass::Write),
    ("read operations", CamClass::Read),
    ("list operations", CamClass::List),
    ("other operations", CamClass::Other),
];
const GRANULARITIES: [(&str, Granularity); 3] = [
    ("operation level", Granularity::Operation),
    ("resource level", Granularity::Resource),
    ("service level", Granularity::Service),
];
const SUPPORTS: [(&str, Support); 3] = [
    ("partially supported", Support::Partial),
    ("not supported", Support::NotSupported),
    ("supported", Support::Supported),
];

fn read_cam_page(path: &Path) -> Result<(CamPage, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    cam_page_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads a CAM page's text; `shown` names it in diagnostics, `file` in the spec.
fn cam_page_from_text(
    shown: &str,
    file: &str,
    text: &str,
) -> Result<(CamPage, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut page = if is_markdown(text) {
        read_cam_markdown(shown, text, &mut diags)
    } else {
        read_cam_text(shown, text, &mut diags)
    };
    if let Some((page, _)) = &mut page {
        page.file = file.to_owned();
    }
    let names = page
        .iter()
        .flat_map(|(p, _)| &p.rows)
        .map(|r| r.name.as_str());
    let tables_end = page.as_ref().map(|(_, end)| *end);
    check_page(shown, text, tables_end, names, &mut diags);
    if diags.has_errors() {
        return Err(at_page_end(diags, text));
    }
    let (page, _) = page.expect("a page without errors was read");
    Ok((page, diags))
}

/// Points the page's errors that concern no one line (a table or section it lacks) at its
/// last line, where the missing matter was due: every error of a page names a line.
fn at_page_end(mut diags: Diagnostics, text: &str) -> Diagnostics {
    let last = text.lines().count().max(1);
    for diag in diags.0.iter_mut().filter(|d| d.line.is_none()) {
        diag.line = Some(last);
    }
    diags
}

/// The 0-based index of the first line after the last of `tables`.
fn markdown_tables_end<'t>(tables: impl IntoIterator<Item = &'t MarkdownTable>) -> usize {
    tables
        .into_iter()
        .map(|t| t.rows.last().map_or(t.header_line + 1, |(line, _)| *line))
        .max()
        .unwrap_or(0)
}

/// A table without rows: the page lost them, or was cut right after the header.
fn empty_table_error(file: &str, header_line: usize) -> Diagnostic {
    Diagnostic::error(
        file,
        "truncated-page",
        "the table has a header but no rows: its rows are missing",
    )
    .at(header_line)
}

/// Reads the markdown form; the page and the index of the line after its last table.
fn read_cam_markdown(file: &str, text: &str, diags: &mut Diagnostics) -> Option<(CamPage, usize)> {
    let tables = markdown_tables(text);
    let mut product = None;
    let mut sections = Vec::new();
    for table in &tables {
        match table.header.first().map(String::as_str) {
            Some("Product") => product = Some(table),
            Some("API") => sections.push(table),
            _ => {}
        }
    }
    let Some(product) = product else {
        diags.push(Diagnostic::error(
            file,
            "table-header",
            "no product table (header `| Product | Abbreviation in CAM | ...`)",
        ));
        return None;
    };
    check_header(
        file,
        product.header_line,
        &product.header,
        &PRODUCT_HEADER,
        diags,
    );
    let (product_title, facts) = match product.rows.first() {
        Some((line, cells)) if cells.len() == PRODUCT_HEADER.len() => product_facts(
            file, *line, &cells[0], &cells[1], &cells[2], &cells[3], &cells[4], &cells[5], diags,
        )?,
        Some((line, cells)) => {
            diags.push(row_width_error(
                file,
                *line,
                cells.len(),
                PRODUCT_HEADER.len(),
            ));
            return None;
        }
        None => {
            diags.push(
                Diagnostic::error(file, "truncated-page", "the product table has no row")
                    .at(product.header_line),
            );
            return None;
        }
    };
    if sections.len() != CAM_SECTIONS.len() {
        diags.push(Diagnostic::error(
            file,
            "cam-sections",
            format!(
                "the markdown form has {} operation tables; it names no sections, so exactly 4 (write, read, list, other, in the CAM page's fixed order) are needed: import the text form, which names them",
                sections.len()
            ),
        ));
        return None;
    }
    let mut rows = Vec::new();
    for (table, (_, class)) in sections.iter().zip(CAM_SECTIONS) {
        check_header(file, table.header_line, &table.header, &CAM_HEADER, diags);
        if table.rows.is_empty() {
            diags.push(empty_table_error(file, table.header_line));
        }
        for (line, cells) in &table.rows {
            if cells.len() != CAM_HEADER.len() {
                diags.push(row_width_error(file, *line, cells.len(), CAM_HEADER.len()));
                continue;
            }
            if let Some(row) = cam_row(
                file, *line, class, &cells[0], &cells[1], &cells[2], &cells[3], &cells[4], diags,
            ) {
                rows.push(row);
            }
        }
    }
    let page = CamPage {
        file: String::new(),
        title: None,
        last_updated: last_updated(text).map(|(_, stamp)| stamp),
        product_title,
        facts,
        rows,
    };
    Some((page, markdown_tables_end(&tables)))
}

/// Reads the text form; the page and the index of the line after its last table.
fn read_cam_text(file: &str, text: &str, diags: &mut Diagnostics) -> Option<(CamPage, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let stamp = last_updated(text);
    let title = stamp
        .as_ref()
        .and_then(|(line, _)| page_title(&lines, *line));
    let product_header = lines
        .iter()
        .position(|l| l.trim_start().starts_with("Product Abbreviation in CAM"));
    let Some(header_index) = product_header else {
        diags.push(Diagnostic::error(
            file,
            "table-header",
            "no product table (a line starting `Product Abbreviation in CAM`)",
        ));
        return None;
    };
    let expected_header = PRODUCT_HEADER.join(" ");
    if lines[header_index].trim() != expected_header {
        diags.push(
            Diagnostic::error(
                file,
                "table-header",
                format!("product table header should read `{expected_header}`"),
            )
            .at(header_index + 1),
        );
        return None;
    }
    let Some((row_index, row)) = lines
        .iter()
        .enumerate()
        .skip(header_index + 1)
        .find(|(_, l)| !l.trim().is_empty())
    else {
        diags.push(
            Diagnostic::error(
                file,
                "truncated-page",
                "the page ends after the product header",
            )
            .at(header_index + 1),
        );
        return None;
    };
    let (product_title, facts) = text_product_row(file, row_index + 1, row.trim(), diags)?;

    let mut tables_end = row_index + 1;
    let mut rows = Vec::new();
    // Each section seen, with the 1-based line of its heading.
    let mut seen_sections = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let heading = lines[i].trim().to_lowercase();
        // A short line ending in "operations" heads a section of the page.
        let is_section = heading.ends_with("operations") && heading.split_whitespace().count() <= 3;
        if !is_section {
            i += 1;
            continue;
        }
        let Some((_, class)) = CAM_SECTIONS.iter().find(|(h, _)| *h == heading) else {
            diags.push(
                Diagnostic::error(
                    file,
                    "unknown-cam-class",
                    format!("section `{}` is not a CAM operation class (write, read, list or other operations)", lines[i].trim()),
                )
                .at(i + 1),
            );
            i += 1;
            continue;
        };
        if seen_sections.insert(*class, i + 1).is_some() {
            diags.push(
                Diagnostic::error(
                    file,
                    "cam-sections",
                    format!("section `{}` appears twice", lines[i].trim()),
                )
                .at(i + 1),
            );
        }
        i += 1;
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i == lines.len() {
            diags.push(
                Diagnostic::error(
                    file,
                    "truncated-page",
                    "the page ends after a section heading",
                )
                .at(i),
            );
            break;
        }
        let expected = CAM_HEADER.join(" ");
        if lines[i].trim() != expected {
            diags.push(
                Diagnostic::error(
                    file,
                    "table-header",
                    format!("table header should read `{expected}`"),
                )
                .at(i + 1),
            );
            return None;
        }
        let header_line = i + 1;
        i += 1;
        while i < lines.len() && !lines[i].trim().is_empty() && !is_closing_line(lines[i]) {
            if let Some(row) = text_cam_row(file, i + 1, lines[i].trim(), *class, diags) {
                rows.push(row);
            }
            i += 1;
        }
        if i == header_line {
            diags.push(empty_table_error(file, header_line));
        }
        tables_end = i;
    }
    // The page shows all four sections, always (an empty class still has its table), so
    // one that is missing was lost.
    for (position, (_, class)) in CAM_SECTIONS.iter().enumerate() {
        if seen_sections.contains_key(class) {
            continue;
        }
        // Where it should have been: before the next section the page shows, else after
        // the last table.
        let line = CAM_SECTIONS[position + 1..]
            .iter()
            .find_map(|(_, later)| seen_sections.get(later).copied())
            .unwrap_or(tables_end + 1);
        diags.push(
            Diagnostic::error(
                file,
                "cam-sections",
                format!(
                    "the page has no `{}` section here (the text form shows all four, in this order: Write operations, Read operations, List Operations, Other Operations)",
                    shown_heading(*class)
                ),
            )
            .at(line),
        );
    }
    let page = CamPage {
        file: String::new(),
        title,
        last_updated: stamp.map(|(_, s)| s),
        product_title,
        facts,
        rows,
    };
    Some((page, tables_end))
}

/// A CAM section heading as the text form spells it.
fn shown_heading(class: CamClass) -> &'static str {
    match class {
        CamClass::Write => "Write operations",
        CamClass::Read => "Read operations",
        CamClass::List => "List Operations",
        CamClass::Other => "Other Operations",
    }
}

/// The text form's product row: `<title> <abbreviation> <console> <tag> <granularity>
/// <ip>`, read from the right since the title has spaces and each fact is a known phrase.
fn text_product_row(
    file: &str,
    line: usize,
    row: &str,
    diags: &mut Diagnostics,
) -> Option<(String, CamFacts)> {
    let fail = |diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::error(
                file,
                "table-row",
                format!("cannot read the product row `{row}`"),
            )
            .at(line),
        );
        None
    };
    let Some((rest, ip)) = strip_phrase_suffix(row, &SUPPORTS) else {
        return fail(diags);
    };
    let Some((rest, granularity)) = strip_phrase_suffix(rest, &GRANULARITIES) else {
        return fail(diags);
    };
    let Some((rest, tag)) = strip_phrase_suffix(rest, &SUPPORTS) else {
        return fail(diags);
    };
    let Some((rest, console)) = strip_phrase_suffix(rest, &SUPPORTS) else {
        return fail(diags);
    };
    let Some((title, abbreviation)) = rest.trim_end().rsplit_once(' ') else {
        return fail(diags);
    };
    Some((
        title.trim().to_owned(),
        CamFacts {
            abbreviation: abbreviation.to_owned(),
            console,
            authorization_by_tag: tag,
            granularity,
            ip_restriction: ip,
        },
    ))
}

#[allow(clippy::too_many_arguments)] // the six cells of the product row, named
fn product_facts(
    file: &str,
    line: usize,
    title: &str,
    abbreviation: &str,
    console: &str,
    tag: &str,
    granularity: &str,
    ip: &str,
    diags: &mut Diagnostics,
) -> Option<(String, CamFacts)> {
    let console = phrase(file, line, "console support", console, &SUPPORTS, diags);
    let tag = phrase(file, line, "authorization by tag", tag, &SUPPORTS, diags);
    let granularity = phrase(
        file,
        line,
        "granularity",
        granularity,
        &GRANULARITIES,
        diags,
    );
    let ip = phrase(file, line, "IP restriction", ip, &SUPPORTS, diags);
    Some((
        title.to_owned(),
        CamFacts {
            abbreviation: abbreviation.to_owned(),
            console: console?,
            authorization_by_tag: tag?,
            granularity: granularity?,
            ip_restriction: ip?,
        },
    ))
}

/// The text form's action row: `<Name> <description> <granularity> <resource> <ip>`.
fn text_cam_row(
    file: &str,
    line: usize,
    row: &str,
    class: CamClass,
    diags: &mut Diagnostics,
) -> Option<CamRow> {
    let parsed = (|| {
        let (name, rest) = row.split_once(' ')?;
        let (rest, ip) = strip_phrase_suffix(rest, &SUPPORTS)?;
        let (rest, resource) = rest.trim_end().rsplit_once(' ')?;
        let (description, granularity) = strip_phrase_suffix(rest, &GRANULARITIES)?;
        Some((name, description.trim(), granularity, resource, ip))
    })();
    if let Some((name, ..)) = parsed.filter(|(name, ..)| !is_action_name(name)) {
        diags.push(invalid_action_name(file, line, name));
        return None;
    }
    let Some((name, description, granularity, resource, ip)) = parsed else {
        diags.push(
            Diagnostic::error(
                file,
                "table-row",
                format!("cannot read `{row}` as `API description granularity resource IP-restriction` (a missing column or a truncated row?)"),
            )
            .at(line),
        );
        return None;
    };
    ip_flag(file, line, name, ip, diags).map(|ip_restriction| CamRow {
        line,
        name: name.to_owned(),
        description: unescape_quotes(description),
        class,
        granularity,
        resource: resource.to_owned(),
        ip_restriction,
    })
}

#[allow(clippy::too_many_arguments)] // the five cells of an action row, named
fn cam_row(
    file: &str,
    line: usize,
    class: CamClass,
    name: &str,
    description: &str,
    granularity: &str,
    resource: &str,
    ip: &str,
    diags: &mut Diagnostics,
) -> Option<CamRow> {
    if !is_action_name(name) {
        diags.push(invalid_action_name(file, line, name));
        return None;
    }
    let granularity = phrase(
        file,
        line,
        "granularity",
        granularity,
        &GRANULARITIES,
        diags,
    );
    let ip = phrase(file, line, "IP restriction", ip, &SUPPORTS, diags)
        .and_then(|ip| ip_flag(file, line, name, ip, diags));
    Some(CamRow {
        line,
        name: name.to_owned(),
        description: unescape_quotes(description),
        class,
        granularity: granularity?,
        resource: resource.to_owned(),
        ip_restriction: ip?,
    })
}

fn ip_flag(
    file: &str,
    line: usize,
    name: &str,
    support: Support,
    diags: &mut Diagnostics,
) -> Option<bool> {
    match support {
        Support::Supported => Some(true),
        Support::NotSupported => Some(false),
        Support::Partial => {
            diags.push(
                Diagnostic::error(
                    file,
                    "table-row",
                    "an action's IP restriction is either supported or not, not partial",
                )
                .at(line)
                .about(name),
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// The API category page

#[derive(Debug, Clone, PartialEq)]
struct CategoryRow {
    /// The 1-based line of the row.
    line: usize,
    name: String,
    feature: String,
    qps: i64,
    table: usize,
}

#[derive(Debug, Clone, PartialEq)]
struct CategoryPage {
    file: String,
    shown: String,
    title: Option<String>,
    last_updated: Option<String>,
    /// Per table in page order: its heading (`None`: none shown, or a markdown page whose
    /// headings were not yet resolved), the line of its header, and a recorded decision.
    tables: Vec<CategoryTable>,
    table_lines: Vec<usize>,
    /// The markdown form shows no headings at all; they are resolved after reading.
    headings_shown: bool,
    rows: Vec<CategoryRow>,
}

const CATEGORY_HEADER: [&str; 3] = [
    "API Name",
    "Feature",
    "Frequency Limit (maximum requests per second)",
];

fn read_category_page(path: &Path) -> Result<(CategoryPage, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    category_page_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads a category page's text; `shown` names it in diagnostics, `file` in the spec.
fn category_page_from_text(
    shown: &str,
    file: &str,
    text: &str,
) -> Result<(CategoryPage, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut page = CategoryPage {
        file: file.to_owned(),
        shown: shown.to_owned(),
        title: None,
        last_updated: None,
        tables: Vec::new(),
        table_lines: Vec::new(),
        headings_shown: !is_markdown(text),
        rows: Vec::new(),
    };
    let tables_end = if page.headings_shown {
        read_category_text(shown, text, &mut page, &mut diags)
    } else {
        read_category_markdown(shown, &markdown_tables(text), &mut page, &mut diags)
    };
    if let Some((line, stamp)) = last_updated(text) {
        page.last_updated = Some(stamp);
        page.title = page_title(&text.lines().collect::<Vec<_>>(), line);
    }
    let names = page.rows.iter().map(|r| r.name.as_str());
    check_page(shown, text, tables_end, names, &mut diags);
    if diags.has_errors() {
        return Err(at_page_end(diags, text));
    }
    Ok((page, diags))
}

/// Reads the markdown form's tables into `page`; returns the index of the line after the
/// last one (`None`: no table).
fn read_category_markdown(
    file: &str,
    tables: &[MarkdownTable],
    page: &mut CategoryPage,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let category_tables: Vec<&MarkdownTable> = tables
        .iter()
        .filter(|t| t.header.first().is_some_and(|h| h == "API Name"))
        .collect();
    for &table in &category_tables {
        check_header(
            file,
            table.header_line,
            &table.header,
            &CATEGORY_HEADER,
            diags,
        );
        let index = page.tables.len();
        page.tables.push(CategoryTable {
            heading: None,
            decision: None,
        });
        page.table_lines.push(table.header_line);
        if table.rows.is_empty() {
            diags.push(empty_table_error(file, table.header_line));
        }
        for (line, cells) in &table.rows {
            if cells.len() != CATEGORY_HEADER.len() {
                diags.push(row_width_error(
                    file,
                    *line,
                    cells.len(),
                    CATEGORY_HEADER.len(),
                ));
                continue;
            }
            if let Some(row) =
                category_row(file, *line, &cells[0], &cells[1], &cells[2], index, diags)
            {
                page.rows.push(row);
            }
        }
    }
    (!category_tables.is_empty()).then(|| markdown_tables_end(category_tables))
}

/// Reads the text form's tables into `page`; returns the index of the line after the last
/// one (`None`: no table).
fn read_category_text(
    file: &str,
    text: &str,
    page: &mut CategoryPage,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = CATEGORY_HEADER.join(" ");
    // The last line of text seen since the previous table ended (with its index): the
    // heading of the next table, if that table has one.
    let mut heading: Option<(usize, &str)> = None;
    let mut tables_end = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() {
            i += 1;
            continue;
        }
        if tables_end.is_some() && is_closing_line(line) {
            // The site's closing matter: the page's content is over.
            break;
        }
        if !line.starts_with("API Name") {
            // Between two tables stands at most their heading: a second line of text means
            // a heading lost its table (before the first table, the site's menu stands).
            if let (Some(_), Some((earlier, text))) = (tables_end, heading) {
                diags.push(
                    Diagnostic::error(
                        file,
                        "truncated-page",
                        format!(
                            "the heading `{text}` has no table under it: the page lost a table"
                        ),
                    )
                    .at(earlier + 1),
                );
            }
            heading = Some((i, line));
            i += 1;
            continue;
        }
        if line != header {
            diags.push(
                Diagnostic::error(
                    file,
                    "table-header",
                    format!("table header should read `{header}`"),
                )
                .at(i + 1),
            );
            return tables_end;
        }
        let index = page.tables.len();
        let mut table = CategoryTable {
            heading: heading.take().map(|(_, text)| text.to_owned()),
            decision: None,
        };
        if table.heading.is_none() {
            let after = page
                .tables
                .iter()
                .rev()
                .find_map(|t| t.heading.as_deref())
                .unwrap_or("the page start");
            table.decision = Some(format!(
                "The page shows this table without a heading, after the `{after}` table. Its actions are left without a category rather than filed under a neighbour; pin `category` on an action to file it by hand."
            ));
        }
        page.tables.push(table);
        page.table_lines.push(i + 1);
        let header_line = i + 1;
        i += 1;
        while i < lines.len() && !lines[i].trim().is_empty() && !is_closing_line(lines[i]) {
            let row = lines[i].trim();
            let parsed = row.split_once(' ').and_then(|(name, rest)| {
                rest.rsplit_once(' ')
                    .map(|(feature, qps)| (name, feature, qps))
            });
            match parsed {
                Some((name, feature, qps)) => {
                    if let Some(row) = category_row(file, i + 1, name, feature, qps, index, diags) {
                        page.rows.push(row);
                    }
                }
                None => diags.push(
                    Diagnostic::error(
                        file,
                        "table-row",
                        format!("cannot read `{row}` as `API-name feature limit`"),
                    )
                    .at(i + 1),
                ),
            }
            i += 1;
        }
        if i == header_line {
            diags.push(empty_table_error(file, header_line));
        }
        tables_end = Some(i);
    }
    if let (Some(_), Some((earlier, text))) = (tables_end, heading) {
        diags.push(
            Diagnostic::error(
                file,
                "truncated-page",
                format!("the heading `{text}` has no table under it: the page lost a table"),
            )
            .at(earlier + 1),
        );
    }
    tables_end
}

fn category_row(
    file: &str,
    line: usize,
    name: &str,
    feature: &str,
    qps: &str,
    table: usize,
    diags: &mut Diagnostics,
) -> Option<CategoryRow> {
    if !is_action_name(name) {
        diags.push(invalid_action_name(file, line, name));
        return None;
    }
    let Ok(qps) = qps.trim().parse::<i64>() else {
        diags.push(
            Diagnostic::error(
                file,
                "table-row",
                format!("frequency limit `{qps}` is not a whole number of requests per second"),
            )
            .at(line)
            .about(name),
        );
        return None;
    };
    Some(CategoryRow {
        line,
        name: name.to_owned(),
        feature: unescape_quotes(feature.trim()),
        qps,
        table,
    })
}

/// Gives the tables of markdown category pages their headings. The markdown form shows
/// none, so they come from a text edition of this run with the same tables, else from the
/// spec that was there; either way every table's actions must match that reference,
/// so a vendor reorganisation is an error rather than a silent misfiling.
fn name_markdown_tables(
    pages: &mut [CategoryPage],
    base: Option<&TencentSpec>,
    diags: &mut Diagnostics,
) {
    // Reference: per table, the headings and the actions filed there.
    type Reference = (String, Vec<CategoryTable>, Vec<BTreeSet<String>>);
    let from_page = |page: &CategoryPage| -> Reference {
        let mut members = vec![BTreeSet::new(); page.tables.len()];
        for row in &page.rows {
            members[row.table].insert(row.name.clone());
        }
        (page.file.clone(), page.tables.clone(), members)
    };
    let text_reference = pages.iter().find(|p| p.headings_shown).map(from_page);
    let base_reference = base.map(|spec| {
        let members = spec
            .category_tables
            .iter()
            .map(|table| {
                spec.actions
                    .iter()
                    .filter(|a| a.qps.is_some() && a.category == table.heading)
                    .map(|a| a.name.clone())
                    .collect()
            })
            .collect();
        (
            "the existing spec".to_owned(),
            spec.category_tables.clone(),
            members,
        )
    });
    for page in pages.iter_mut().filter(|p| !p.headings_shown) {
        let reference = text_reference
            .as_ref()
            .filter(|(_, tables, _)| tables.len() == page.tables.len())
            .or(base_reference.as_ref());
        let Some((reference_name, tables, members)) = reference else {
            diags.push(Diagnostic::error(
                &page.shown,
                "category-headings",
                "the markdown form shows no group headings: import the text form of the page as well (or first), so the tables can be named",
            ));
            continue;
        };
        if tables.len() != page.tables.len() {
            diags.push(Diagnostic::error(
                &page.shown,
                "category-headings",
                format!(
                    "the markdown form shows no group headings and has {} tables where {reference_name} has {}: import the text form of the page",
                    page.tables.len(),
                    tables.len()
                ),
            ));
            continue;
        }
        for row in &page.rows {
            let home = members.iter().position(|m| m.contains(&row.name));
            if home.is_some_and(|home| home != row.table) {
                diags.push(
                    Diagnostic::error(
                        &page.shown,
                        "category-headings",
                        format!(
                            "table {} of the markdown form holds this action, which {reference_name} files in table {}: the page was reorganised; import its text form",
                            row.table + 1,
                            home.map_or(0, |h| h + 1)
                        ),
                    )
                    .at(page.table_lines[row.table])
                    .about(&row.name),
                );
            }
        }
        page.tables = tables.clone();
    }
}

// ---------------------------------------------------------------------------------------
// The API definition

#[derive(Debug, Deserialize)]
struct Definition {
    actions: BTreeMap<String, DefinitionAction>,
    objects: BTreeMap<String, DefinitionObject>,
    metadata: DefinitionMetadata,
}

#[derive(Debug, Deserialize)]
struct DefinitionMetadata {
    #[serde(rename = "apiVersion")]
    api_version: String,
    #[serde(rename = "serviceShortName")]
    service_short_name: String,
}

#[derive(Debug, Deserialize)]
struct DefinitionAction {
    name: String,
    input: String,
    output: String,
}

#[derive(Debug, Deserialize)]
struct DefinitionObject {
    #[serde(default)]
    document: Option<String>,
    members: Vec<DefinitionMember>,
}

#[derive(Debug, Deserialize)]
struct DefinitionMember {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    member: String,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    output_required: Option<bool>,
    #[serde(default)]
    value_allowed_null: Option<bool>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    example: Option<Value>,
    #[serde(default)]
    document: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct ReadDefinition {
    file: String,
    version: String,
    service: String,
    /// Action name → (title, request type, response type).
    actions: BTreeMap<String, (String, String, String)>,
    types: BTreeMap<String, TypeDef>,
}

fn read_definition(path: &Path) -> Result<(ReadDefinition, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    definition_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads the API definition's text; `shown` names it in diagnostics, `file` in the spec.
fn definition_from_text(
    shown: &str,
    file: &str,
    text: &str,
) -> Result<(ReadDefinition, Diagnostics), Diagnostics> {
    check_depth(shown, text, "malformed-definition")?;
    let raw: Definition = serde_json::from_str(text).map_err(|err| {
        Diagnostic::error(
            shown,
            "malformed-definition",
            format!("not a valid API definition: {err}"),
        )
        .at(err.line())
    })?;
    let positions = JsonPositions::new(text);
    let mut diags = Diagnostics::default();
    let request_side = request_side_types(&raw);
    let mut types = BTreeMap::new();
    for (type_name, object) in &raw.objects {
        if !is_action_name(type_name) {
            diags.push(
                Diagnostic::error(
                    shown,
                    "invalid-type-name",
                    format!("`{type_name}` is not a type name (ASCII letters and digits, starting with a capital letter)"),
                )
                .at(positions.line(&[Step::Key("objects"), Step::Key(type_name)])),
            );
        }
        let mut fields = Vec::new();
        for (index, member) in object.members.iter().enumerate() {
            let line = positions.line(&[
                Step::Key("objects"),
                Step::Key(type_name),
                Step::Key("members"),
                Step::Index(index),
            ]);
            let Some(ty) = member_type(member, &raw.objects) else {
                diags.push(
                    Diagnostic::error(
                        shown,
                        "unknown-type",
                        format!("type `{}` / member `{}` is neither a known primitive nor a defined object", member.kind, member.member),
                    )
                    .at(line)
                    .about(format!("{type_name}.{}", member.name)),
                );
                continue;
            };
            // A field the vendor hides (deprecated or internal) is not sent, whatever its
            // flags say: ForceQN's `C` and `M` are "output_required" yet never returned.
            let disabled = member.disabled.unwrap_or(false);
            let required = !disabled
                && if request_side.contains(type_name.as_str()) {
                    member.required.unwrap_or(false)
                } else {
                    member.output_required.or(member.required).unwrap_or(false)
                };
            fields.push(FieldDef {
                name: member.name.clone(),
                rust_name: None,
                ty,
                required,
                nullable: member.value_allowed_null.unwrap_or(false),
                disabled,
                example: member.example.as_ref().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                doc: member.document.as_deref().and_then(one_line),
            });
        }
        types.insert(
            type_name.clone(),
            TypeDef {
                doc: object.document.as_deref().and_then(one_line),
                fields,
            },
        );
    }
    let mut actions = BTreeMap::new();
    for (name, action) in &raw.actions {
        let line = positions.line(&[Step::Key("actions"), Step::Key(name)]);
        if !is_action_name(name) {
            diags.push(invalid_action_name(shown, line, name));
        }
        for ty in [&action.input, &action.output] {
            if !raw.objects.contains_key(ty) {
                diags.push(
                    Diagnostic::error(
                        shown,
                        "undefined-type",
                        format!("type `{ty}` is not among the definition's objects"),
                    )
                    .at(line)
                    .about(name),
                );
            }
        }
        let title = one_line(&action.name).unwrap_or_else(|| name.clone());
        actions.insert(
            name.clone(),
            (title, action.input.clone(), action.output.clone()),
        );
    }
    if actions.is_empty() {
        diags.push(Diagnostic::error(
            shown,
            "no-actions",
            "the definition has no actions",
        ));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((
        ReadDefinition {
            file: file.to_owned(),
            version: raw.metadata.api_version,
            service: raw.metadata.service_short_name,
            actions,
            types,
        },
        diags,
    ))
}

/// Types reachable from some action's request: their `required` flags are the caller's
/// obligations, while other types' flags (`output_required`) are the service's promises.
fn request_side_types(definition: &Definition) -> BTreeSet<&str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = definition
        .actions
        .values()
        .map(|a| a.input.as_str())
        .collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(object) = definition.objects.get(name) {
            stack.extend(
                object
                    .members
                    .iter()
                    .map(|m| m.member.as_str())
                    .filter(|m| definition.objects.contains_key(*m)),
            );
        }
    }
    seen
}

fn member_type(
    member: &DefinitionMember,
    objects: &BTreeMap<String, DefinitionObject>,
) -> Option<TypeRef> {
    let element = || -> Option<TypeRef> {
        if objects.contains_key(&member.member) {
            return Some(TypeRef::Named(member.member.clone()));
        }
        let primitive = match member.member.as_str() {
            "string" => Primitive::String,
            "int64" | "int" => Primitive::Int64,
            "uint64" => Primitive::Uint64,
            "float" | "double" => Primitive::Float,
            "bool" | "boolean" => Primitive::Bool,
            _ => return None,
        };
        Some(TypeRef::Primitive(primitive))
    };
    let ty = element()?;
    match (member.kind.as_str(), &ty) {
        ("list", _) => Some(TypeRef::List(Box::new(ty))),
        ("object", TypeRef::Named(_)) => Some(ty),
        ("string", TypeRef::Primitive(Primitive::String))
        | ("int", TypeRef::Primitive(Primitive::Int64 | Primitive::Uint64))
        | ("float", TypeRef::Primitive(Primitive::Float))
        | ("bool", TypeRef::Primitive(Primitive::Bool)) => Some(ty),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The API examples

#[derive(Debug, Deserialize)]
struct ExamplesFile {
    actions: BTreeMap<String, Vec<RawExample>>,
}

#[derive(Debug, Deserialize)]
struct RawExample {
    title: String,
    #[serde(default)]
    input: Option<String>,
    output: String,
}

#[derive(Debug, Clone, PartialEq)]
struct ReadExamples {
    file: String,
    endpoint: Option<String>,
    by_action: BTreeMap<String, (Vec<Example>, Vec<BrokenExample>)>,
}

fn read_examples(
    path: &Path,
    definition: &ReadDefinition,
) -> Result<(ReadExamples, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    examples_from_text(
        &path.display().to_string(),
        &file_name(path),
        &text,
        definition,
    )
}

/// Reads the examples' text; `shown` names it in diagnostics, `file` in the spec.
fn examples_from_text(
    shown: &str,
    file: &str,
    text: &str,
    definition: &ReadDefinition,
) -> Result<(ReadExamples, Diagnostics), Diagnostics> {
    check_depth(shown, text, "malformed-examples")?;
    let raw: ExamplesFile = serde_json::from_str(text).map_err(|err| {
        Diagnostic::error(
            shown,
            "malformed-examples",
            format!("not a valid examples file: {err}"),
        )
        .at(err.line())
    })?;
    let positions = JsonPositions::new(text);
    let mut diags = Diagnostics::default();
    let mut endpoint = None;
    let mut by_action = BTreeMap::new();
    for (action, examples) in &raw.actions {
        if !is_action_name(action) {
            let line = positions.line(&[Step::Key("actions"), Step::Key(action)]);
            diags.push(invalid_action_name(shown, line, action));
            continue;
        }
        let Some((_, request_type, response_type)) = definition.actions.get(action) else {
            diags.push(
                Diagnostic::warning(
                    shown,
                    "example-unknown-action",
                    "examples for an action the API definition does not have; skipped",
                )
                .at(positions.line(&[Step::Key("actions"), Step::Key(action)]))
                .about(action),
            );
            continue;
        };
        let mut usable = Vec::new();
        let mut broken = Vec::new();
        for (index, example) in examples.iter().enumerate() {
            let at = |key: &str| {
                positions.line(&[
                    Step::Key("actions"),
                    Step::Key(action),
                    Step::Index(index),
                    Step::Key(key),
                ])
            };
            let response = match parse_response(&example.output) {
                Ok(response) => response,
                Err(problem) => {
                    diags.push(
                        Diagnostic::warning(
                            shown,
                            "invalid-example",
                            format!("example `{}`: {problem}; left out (mocks build a response from the schema instead)", example.title),
                        )
                        .at(at("output"))
                        .about(action),
                    );
                    broken.push(BrokenExample {
                        title: example.title.clone(),
                        problem,
                    });
                    continue;
                }
            };
            let mut quirks = Vec::new();
            check_value(
                "Response",
                &response["Response"],
                &TypeRef::Named(response_type.clone()),
                &definition.types,
                &mut quirks,
            );
            let input = example.input.as_deref().unwrap_or_default();
            if endpoint.is_none() {
                endpoint = input
                    .lines()
                    .find_map(|l| l.strip_prefix("Host:"))
                    .map(|h| h.trim().to_owned());
            }
            let request = match request_body(input) {
                Ok(body) => {
                    if let Some(body) = &body {
                        let value: Value =
                            serde_json::from_str(body).expect("request_body checked it");
                        let mut request_quirks = Vec::new();
                        check_value(
                            "request",
                            &value,
                            &TypeRef::Named(request_type.clone()),
                            &definition.types,
                            &mut request_quirks,
                        );
                        for quirk in &request_quirks {
                            diags.push(
                                Diagnostic::warning(
                                    shown,
                                    "example-request-type-mismatch",
                                    format!("example `{}`: {quirk}; kept", example.title),
                                )
                                .at(at("input"))
                                .about(action),
                            );
                        }
                        quirks.extend(request_quirks);
                    }
                    body
                }
                Err(problem) => {
                    diags.push(
                        Diagnostic::warning(
                            shown,
                            "invalid-example",
                            format!(
                                "example `{}`: request body {problem}; kept without it",
                                example.title
                            ),
                        )
                        .at(at("input"))
                        .about(action),
                    );
                    None
                }
            };
            for quirk in quirks.iter().filter(|q| q.starts_with("`Response")) {
                let rule = if quirk.ends_with(OMITTED) {
                    "example-missing-field"
                } else {
                    "example-type-mismatch"
                };
                diags.push(
                    Diagnostic::warning(
                        shown,
                        rule,
                        format!(
                            "example `{}`: {quirk}; kept, the models accept it",
                            example.title
                        ),
                    )
                    .at(at("output"))
                    .about(action),
                );
            }
            usable.push(Example {
                title: example.title.clone(),
                request,
                response: example.output.trim().to_owned(),
                quirks,
            });
        }
        by_action.insert(action.clone(), (usable, broken));
    }
    Ok((
        ReadExamples {
            file: file.to_owned(),
            endpoint,
            by_action,
        },
        diags,
    ))
}

/// Parses an example's response text: it must be JSON with a `Response` object.
fn parse_response(text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| {
        format!("the response is not valid JSON ({err} of the embedded document)")
    })?;
    if !value.get("Response").is_some_and(Value::is_object) {
        return Err("the response has no `Response` object".into());
    }
    Ok(value)
}

/// The JSON body of an example's HTTP request text (after the first blank line), if any.
fn request_body(input: &str) -> Result<Option<String>, String> {
    let Some((_, body)) = input.split_once("\n\n") else {
        return Ok(None);
    };
    let body = body.trim();
    if body.is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<Value>(body).map_err(|err| format!("is not valid JSON ({err})"))?;
    Ok(Some(body.to_owned()))
}

/// How a quirk says that an example lacks a field declared always present.
const OMITTED: &str = "is declared always present but the example omits it";

/// Compares an example value with its declared type, noting each departure.
fn check_value(
    path: &str,
    value: &Value,
    ty: &TypeRef,
    types: &BTreeMap<String, TypeDef>,
    quirks: &mut Vec<String>,
) {
    let mismatch = |quirks: &mut Vec<String>| {
        quirks.push(format!(
            "`{path}` is declared {ty} but the example gives {value}"
        ))
    };
    match (ty, value) {
        (_, Value::Null) => {}
        (TypeRef::List(inner), Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                check_value(&format!("{path}[{index}]"), item, inner, types, quirks);
            }
        }
        (TypeRef::Named(name), Value::Object(map)) => {
            let Some(def) = types.get(name) else { return };
            for field in def
                .fields
                .iter()
                .filter(|f| f.required && !map.contains_key(&f.name))
            {
                quirks.push(format!("`{path}.{}` {OMITTED}", field.name));
            }
            for (key, item) in map {
                match def.fields.iter().find(|f| &f.name == key) {
                    Some(field) => {
                        check_value(&format!("{path}.{key}"), item, &field.ty, types, quirks)
                    }
                    None => quirks.push(format!("`{path}.{key}` is not a field of {name}")),
                }
            }
        }
        (TypeRef::Primitive(p), value) => {
            let fits = match p {
                Primitive::String => value.is_string(),
                Primitive::Int64 => value.is_i64(),
                Primitive::Uint64 => value.is_u64(),
                Primitive::Float => value.is_number(),
                Primitive::Bool => value.is_boolean(),
            };
            if !fits {
                mismatch(quirks);
            }
        }
        _ => mismatch(quirks),
    }
}

// ---------------------------------------------------------------------------------------
// Assembly

fn assemble(
    cam_pages: &[CamPage],
    category_pages: &[CategoryPage],
    definition: &ReadDefinition,
    mut examples: ReadExamples,
    base: Option<&TencentSpec>,
    diags: &mut Diagnostics,
) -> TencentSpec {
    // Editions newest first; the first of each list is the one whose values win.
    let cam_order = by_edition(cam_pages.iter().map(|p| p.last_updated.as_deref()));
    let category_order = by_edition(category_pages.iter().map(|p| p.last_updated.as_deref()));
    let cam_newest = &cam_pages[cam_order[0]];
    let category_newest = &category_pages[category_order[0]];

    // Product-level facts.
    let product_editions: Vec<(&str, Option<&CamFacts>)> = cam_order
        .iter()
        .map(|&i| (cam_pages[i].file.as_str(), Some(&cam_pages[i].facts)))
        .collect();
    if let Some(conflict) = settle("cam", &product_editions, |f| format!("{f:?}")).1 {
        diags.push(Diagnostic::warning(
            &cam_newest.file,
            "edition-conflict",
            format!(
                "the editions give different product facts; kept those of {}",
                conflict.chosen
            ),
        ));
    }
    if cam_newest.facts.abbreviation != definition.service {
        diags.push(Diagnostic::error(
            &definition.file,
            "service-mismatch",
            format!(
                "the API definition is for `{}` but the CAM page is for `{}`",
                definition.service, cam_newest.facts.abbreviation
            ),
        ));
    }

    let cam_rows: Vec<BTreeMap<&str, &CamRow>> = cam_pages
        .iter()
        .map(|p| p.rows.iter().map(|r| (r.name.as_str(), r)).collect())
        .collect();
    let category_rows: Vec<BTreeMap<&str, &CategoryRow>> = category_pages
        .iter()
        .map(|p| p.rows.iter().map(|r| (r.name.as_str(), r)).collect())
        .collect();

    let mut names: BTreeSet<&str> = definition.actions.keys().map(String::as_str).collect();
    names.extend(cam_rows.iter().flat_map(|m| m.keys().copied()));
    names.extend(category_rows.iter().flat_map(|m| m.keys().copied()));

    // An edition that lacks an action another edition lists would erase that action's
    // documented values (its QPS, its CAM class): refused, since the import cannot tell a
    // withdrawn action from a lost row.
    for &name in &names {
        let cam_lines = cam_rows.iter().map(|rows| rows.get(name).map(|r| r.line));
        let cam_files = cam_pages.iter().map(|p| p.file.as_str());
        lacking_editions(name, cam_files.zip(cam_lines), diags);
        let category_lines = category_rows
            .iter()
            .map(|rows| rows.get(name).map(|r| r.line));
        let category_files = category_pages.iter().map(|p| p.file.as_str());
        lacking_editions(name, category_files.zip(category_lines), diags);
    }

    let base_actions: BTreeMap<&str, &TencentAction> = base
        .map(|b| b.actions.iter().map(|a| (a.name.as_str(), a)).collect())
        .unwrap_or_default();

    let mut actions = Vec::new();
    for name in names {
        let mut conflicts = Vec::new();
        let mut field = |field: &str, values: Vec<(&str, Option<String>)>| -> Option<String> {
            let (value, conflict) = settle(field, &values, Clone::clone);
            if let Some(conflict) = conflict {
                diags.push(
                    Diagnostic::warning(
                        &conflict.chosen,
                        "edition-conflict",
                        format!(
                            "{field}: the sources disagree ({}); kept the value of {}",
                            conflict
                                .values
                                .iter()
                                .map(|v| format!("{} says {}", v.source, v.value))
                                .collect::<Vec<_>>()
                                .join(", "),
                            conflict.chosen
                        ),
                    )
                    .about(name),
                );
                conflicts.push(conflict);
            }
            value
        };
        let cam_values = |get: &dyn Fn(&CamRow) -> String| -> Vec<(&str, Option<String>)> {
            cam_order
                .iter()
                .map(|&i| {
                    (
                        cam_pages[i].file.as_str(),
                        cam_rows[i].get(name).map(|r| get(r)),
                    )
                })
                .collect()
        };
        let category_values = |get: &dyn Fn(&CategoryRow, &CategoryPage) -> Option<String>| -> Vec<(&str, Option<String>)> {
            category_order
                .iter()
                .map(|&i| (category_pages[i].file.as_str(), category_rows[i].get(name).and_then(|r| get(r, &category_pages[i]))))
                .collect()
        };
        let cam_class = field("cam_class", cam_values(&|r| r.class.to_string()));
        let granularity = field("granularity", cam_values(&|r| r.granularity.to_string()));
        let resource = field("resource", cam_values(&|r| r.resource.clone()));
        let ip_restriction = field(
            "ip_restriction",
            cam_values(&|r| r.ip_restriction.to_string()),
        );
        let description = field("description", cam_values(&|r| r.description.clone()));
        let qps = field("qps", category_values(&|r, _| Some(r.qps.to_string())));
        let category = field(
            "category",
            category_values(&|r, p| p.tables[r.table].heading.clone()),
        );
        let feature = field("feature", category_values(&|r, _| Some(r.feature.clone())));
        // Features and descriptions only feed the title; their disagreements are noise
        // when the definition's title wins anyway.
        let from_definition = definition.actions.get(name);
        if from_definition.is_some() {
            conflicts.retain(|c| c.field != "feature" && c.field != "description");
        }
        let title = from_definition
            .map(|(title, _, _)| title.clone())
            .or(feature)
            .or(description)
            .unwrap_or_else(|| name.to_owned());
        let (examples_of, broken) = examples.by_action.remove(name).unwrap_or_default();
        let mut action = TencentAction {
            name: name.to_owned(),
            rust_name: None,
            title,
            category,
            cam_class: cam_class.map(|c| c.parse().expect("written from a CamClass")),
            granularity: granularity.map(|g| g.parse().expect("written from a Granularity")),
            resource,
            ip_restriction: ip_restriction.map(|ip| ip == "true"),
            qps: qps.map(|q| q.parse().expect("written from an i64")),
            in_api_definition: from_definition.is_some(),
            request: from_definition.map(|(_, request, _)| request.clone()),
            response: from_definition.map(|(_, _, response)| response.clone()),
            examples: examples_of,
            broken_examples: broken,
            conflicts,
            pinned: Vec::new(),
        };
        if let Some(old) = base_actions.get(name) {
            action.rust_name = old.rust_name.clone();
            let (kept, overridden) = keep_pinned(*old, action, &old.pinned);
            action = kept;
            for (field, imported) in overridden {
                diags.push(
                    Diagnostic::warning(
                        "(spec)",
                        "pinned-kept",
                        format!("kept the pinned {field}; the import says {imported}"),
                    )
                    .about(name),
                );
            }
        }
        actions.push(action);
    }

    for (index, table) in category_newest.tables.iter().enumerate() {
        if table.heading.is_none() {
            let members: Vec<&str> = category_newest
                .rows
                .iter()
                .filter(|r| r.table == index)
                .map(|r| r.name.as_str())
                .collect();
            diags.push(
                Diagnostic::warning(
                    &category_newest.shown,
                    "unheaded-table",
                    format!("a table has no heading; its actions ({}) are left without a category (the decision is recorded in the spec's category_tables)", members.join(", ")),
                )
                .at(category_newest.table_lines[index]),
            );
        }
    }

    let mut types = definition.types.clone();
    if let Some(base) = base {
        // Hand-set Rust names of fields survive re-imports.
        for (type_name, def) in &mut types {
            let Some(old) = base.types.get(type_name) else {
                continue;
            };
            for field in &mut def.fields {
                field.rust_name = old
                    .fields
                    .iter()
                    .find(|f| f.name == field.name)
                    .and_then(|f| f.rust_name.clone());
            }
        }
    }

    let mut sources = Vec::new();
    for page in cam_pages {
        sources.push(Source {
            kind: SourceKind::CamAuthorizationPage,
            file: page.file.clone(),
            title: page.title.clone(),
            last_updated: page.last_updated.clone(),
            version: None,
        });
    }
    for page in category_pages {
        sources.push(Source {
            kind: SourceKind::ApiCategoryPage,
            file: page.file.clone(),
            title: page.title.clone(),
            last_updated: page.last_updated.clone(),
            version: None,
        });
    }
    sources.push(Source {
        kind: SourceKind::ApiDefinition,
        file: definition.file.clone(),
        title: None,
        last_updated: None,
        version: Some(definition.version.clone()),
    });
    sources.push(Source {
        kind: SourceKind::ApiExamples,
        file: examples.file.clone(),
        title: None,
        last_updated: None,
        version: None,
    });
    sources.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));

    let endpoint = examples.endpoint.clone().unwrap_or_else(|| {
        diags.push(Diagnostic::warning(
            &examples.file,
            "no-endpoint",
            "no example shows a Host header; assumed the service's usual host",
        ));
        format!("{}.tencentcloudapi.com", definition.service)
    });

    TencentSpec {
        service: ServiceInfo {
            provider: Provider::Tencentcloud,
            name: definition.service.clone(),
            title: cam_newest.product_title.clone(),
            api_version: definition.version.clone(),
            endpoint,
            protocol: Protocol {
                family: ProtocolFamily::TencentApi3,
                signing: Signing::Tc3HmacSha256,
            },
            // The default is policy, not a doc fact: a maintainer's value is kept.
            default_qps: Some(base.and_then(|b| b.service.default_qps.clone()).unwrap_or(
                DefaultQps {
                    value: DEFAULT_QPS,
                    assumed: true,
                    basis: DEFAULT_QPS_BASIS.to_owned(),
                },
            )),
            sources,
        },
        cam: cam_newest.facts.clone(),
        category_tables: category_newest.tables.clone(),
        actions,
        types,
    }
}

/// Reports each edition (file, line of the action's row if listed) that lacks the action
/// `name` while another edition of the same page lists it.
fn lacking_editions<'f>(
    name: &str,
    editions: impl Iterator<Item = (&'f str, Option<usize>)>,
    diags: &mut Diagnostics,
) {
    let editions: Vec<(&str, Option<usize>)> = editions.collect();
    let Some((listed_in, line)) = editions
        .iter()
        .find_map(|&(file, line)| line.map(|line| (file, line)))
    else {
        return;
    };
    for &(file, _) in editions.iter().filter(|(_, line)| line.is_none()) {
        diags.push(
            Diagnostic::error(
                file,
                "edition-lacks-action",
                format!("this edition does not list the action, which {listed_in} lists on line {line}: its documented values would be lost. Give only editions that agree (leave out a stale one), or save the page again if this one was cut"),
            )
            .about(name),
        );
    }
}

/// Indices of editions, newest first: dated ones by date descending, then undated ones,
/// each group in the order given.
fn by_edition<'a>(dates: impl Iterator<Item = Option<&'a str>>) -> Vec<usize> {
    let mut order: Vec<(usize, Option<&str>)> = dates.enumerate().collect();
    order.sort_by(|(ia, a), (ib, b)| match (a, b) {
        (Some(a), Some(b)) => b.cmp(a).then(ia.cmp(ib)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ia.cmp(ib),
    });
    order.into_iter().map(|(i, _)| i).collect()
}

/// Settles one field across sources given newest first: the first source's value wins;
/// if any source disagrees, the conflict is returned for the record.
fn settle<T: Clone + PartialEq, D: Display>(
    field: &str,
    values: &[(&str, Option<T>)],
    show: impl Fn(&T) -> D,
) -> (Option<T>, Option<Conflict>) {
    let Some((chosen, first)) = values.first() else {
        return (None, None);
    };
    if values.iter().all(|(_, v)| v == first) {
        return (first.clone(), None);
    }
    let conflict = Conflict {
        field: field.to_owned(),
        chosen: (*chosen).to_owned(),
        rule: EDITION_RULE.to_owned(),
        values: values
            .iter()
            .map(|(source, value)| SourcedValue {
                source: (*source).to_owned(),
                value: value
                    .as_ref()
                    .map_or_else(|| "not listed".to_owned(), |v| show(v).to_string()),
            })
            .collect(),
    };
    (first.clone(), Some(conflict))
}

// ---------------------------------------------------------------------------------------
// Small shared readers

fn check_header(
    file: &str,
    line: usize,
    header: &[String],
    expected: &[&str],
    diags: &mut Diagnostics,
) {
    if header
        .iter()
        .map(String::as_str)
        .ne(expected.iter().copied())
    {
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|e| !header.iter().any(|h| h == e))
            .collect();
        let detail = if missing.is_empty() {
            String::new()
        } else {
            format!(" (missing: {})", missing.join(", "))
        };
        diags.push(
            Diagnostic::error(
                file,
                "table-header",
                format!(
                    "table header is `{}`, expected `{}`{detail}",
                    header.join(" | "),
                    expected.join(" | ")
                ),
            )
            .at(line),
        );
    }
}

fn row_width_error(file: &str, line: usize, found: usize, expected: usize) -> Diagnostic {
    Diagnostic::error(
        file,
        "table-row",
        format!(
            "the row has {found} cells, expected {expected} (a missing column or a truncated row?)"
        ),
    )
    .at(line)
}

/// The checks every page gets once its tables are read: the site's closing matter follows
/// its last table (`tables_end`, the index of the line after it; `None`: no table), it lists
/// some action (unless it already failed), and it lists none twice.
fn check_page<'a>(
    file: &str,
    text: &str,
    tables_end: Option<usize>,
    names: impl Iterator<Item = &'a str>,
    diags: &mut Diagnostics,
) {
    if text.trim().is_empty() {
        diags.push(Diagnostic::error(
            file,
            "truncated-page",
            "the page is empty",
        ));
        return;
    }
    if let Some(end) = tables_end {
        check_closing_matter(file, &text.lines().collect::<Vec<_>>(), end, diags);
    }
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            diags.push(
                Diagnostic::error(file, "duplicate-action", "the page lists the action twice")
                    .about(name),
            );
        }
    }
    if seen.is_empty() && !diags.has_errors() {
        diags.push(Diagnostic::error(
            file,
            "no-actions",
            "the page lists no actions",
        ));
    }
}

/// The page title shown above its "last updated" stamp (skipping short UI words).
fn page_title(lines: &[&str], stamp_line: usize) -> Option<String> {
    lines[..stamp_line.saturating_sub(1)]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.chars().count() >= 6)
        .map(str::to_owned)
}

fn invalid_action_name(file: &str, line: impl Into<Option<usize>>, name: &str) -> Diagnostic {
    Diagnostic::error(
        file,
        "invalid-action-name",
        format!("`{name}` is not an action name (ASCII letters and digits, starting with a capital letter)"),
    )
    .at(line)
}

fn is_action_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Splits a known phrase (case-insensitive) off the end of `text`.
fn strip_phrase_suffix<'t, T: Copy>(text: &'t str, phrases: &[(&str, T)]) -> Option<(&'t str, T)> {
    let lower = text.to_lowercase();
    phrases.iter().find_map(|(phrase, value)| {
        let at = lower.strip_suffix(phrase)?.len();
        let rest = &text[..at];
        (rest.is_empty() || rest.ends_with(' ')).then(|| (rest.trim_end(), *value))
    })
}

fn phrase<T: Copy>(
    file: &str,
    line: usize,
    what: &str,
    cell: &str,
    phrases: &[(&str, T)],
    diags: &mut Diagnostics,
) -> Option<T> {
    let lower = cell.trim().to_lowercase();
    let found = phrases.iter().find(|(p, _)| *p == lower).map(|(_, v)| *v);
    if found.is_none() {
        let known: Vec<&str> = phrases.iter().map(|(p, _)| *p).collect();
        diags.push(
            Diagnostic::error(
                file,
                "table-row",
                format!(
                    "unknown {what} `{cell}` (expected one of: {})",
                    known.join(", ")
                ),
            )
            .at(line),
        );
    }
    found
}

/// The first line of a vendor description, as plain text and kept short: facts, not prose.
fn one_line(text: &str) -> Option<String> {
    super::prose::one_line(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rows_read_from_the_right() {
        let mut diags = Diagnostics::default();
        let row = text_cam_row(
            "f",
            1,
            "QueryPartnerCredit Query the partner\\'s own credit Operation level * not supported",
            CamClass::Read,
            &mut diags,
        )
        .unwrap();
        assert_eq!(row.name, "QueryPartnerCredit");
        assert_eq!(row.description, "Query the partner's own credit");
        assert_eq!(row.granularity, Granularity::Operation);
        assert_eq!(row.resource, "*");
        assert!(!row.ip_restriction);
        assert!(diags.0.is_empty());
        assert!(text_cam_row(
            "f",
            7,
            "QueryX Query the x Operation lev",
            CamClass::Read,
            &mut diags
        )
        .is_none());
        assert_eq!(diags.0[0].line, Some(7));
    }

    #[test]
    fn product_row_read_from_the_right() {
        let mut diags = Diagnostics::default();
        let (title, facts) = text_product_row(
            "f",
            1,
            "International Partners Management intlpartnersmgt Supported not supported Operation level Partially supported",
            &mut diags,
        )
        .unwrap();
        assert_eq!(title, "International Partners Management");
        assert_eq!(facts.abbreviation, "intlpartnersmgt");
        assert_eq!(facts.authorization_by_tag, Support::NotSupported);
        assert_eq!(facts.ip_restriction, Support::Partial);
    }

    #[test]
    fn newest_edition_first_and_undated_last() {
        assert_eq!(
            by_edition([None, Some("2025-01-01"), Some("2026-02-10")].into_iter()),
            [2, 1, 0]
        );
        assert_eq!(by_edition([None, None].into_iter()), [0, 1]);
    }

    #[test]
    fn settling_records_every_value() {
        let (value, conflict) = settle(
            "qps",
            &[("new.txt", Some(5)), ("old.md", Some(20)), ("x", None)],
            |v| *v,
        );
        assert_eq!(value, Some(5));
        let conflict = conflict.unwrap();
        assert_eq!(conflict.chosen, "new.txt");
        let shown: Vec<_> = conflict.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(shown, ["5", "20", "not listed"]);
        assert_eq!(
            settle("qps", &[("a", Some(5)), ("b", Some(5))], |v| *v),
            (Some(5), None)
        );
    }

    #[test]
    fn one_line_keeps_facts_not_prose() {
        assert_eq!(
            one_line("Invite link status.\n1: Unused.").as_deref(),
            Some("Invite link status.")
        );
        let long = "word ".repeat(100);
        let short = one_line(&long).unwrap();
        assert!(short.chars().count() <= 161 && short.ends_with('…'));
        assert_eq!(one_line("  \n "), None);
    }

    #[test]
    fn example_values_checked_against_types() {
        let mut types = BTreeMap::new();
        types.insert(
            "R".to_owned(),
            TypeDef {
                doc: None,
                fields: vec![FieldDef {
                    name: "Uin".into(),
                    rust_name: None,
                    ty: TypeRef::Primitive(Primitive::Uint64),
                    required: true,
                    nullable: false,
                    disabled: false,
                    example: None,
                    doc: None,
                }],
            },
        );
        let mut quirks = Vec::new();
        let value: Value = serde_json::json!({"Uin": "20000000000", "Extra": 1});
        check_value(
            "Response",
            &value,
            &TypeRef::Named("R".into()),
            &types,
            &mut quirks,
        );
        assert_eq!(quirks.len(), 2, "{quirks:?}");
        assert!(quirks[0].contains("declared uint64"));
    }
}
