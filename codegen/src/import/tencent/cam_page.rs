//! The CAM authorization page, in its markdown or plain-text form: the product row (the
//! service's CAM facts) and each action's row under its operation class.

use std::collections::BTreeMap;
use std::path::Path;

use super::page_tables::{
    at_page_end, check_header, check_page, check_text_header, empty_table_error,
    markdown_tables_end, page_title, phrase, row_width_error, strip_phrase_suffix,
};
use super::{invalid_action_name, is_action_name};
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::pages::{is_closing_line, is_markdown, last_updated, markdown_tables};
use crate::import::{file_name, read_input, unescape_quotes};
use crate::spec::{CamClass, CamFacts, Granularity, Support};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct CamRow {
    /// The 1-based line of the row.
    pub(super) line: usize,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) class: CamClass,
    pub(super) granularity: Granularity,
    pub(super) resource: String,
    pub(super) ip_restriction: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct CamPage {
    pub(super) file: String,
    pub(super) title: Option<String>,
    pub(super) last_updated: Option<String>,
    pub(super) product_title: String,
    pub(super) facts: CamFacts,
    pub(super) rows: Vec<CamRow>,
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

pub(super) fn read_cam_page(path: &Path) -> Result<(CamPage, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    cam_page_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads a CAM page's text; `shown` names it in diagnostics, `file` in the spec.
pub(super) fn cam_page_from_text(
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
    check_text_header(
        file,
        &lines,
        header_index,
        &PRODUCT_HEADER,
        "product table",
        diags,
    )?;
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
        check_text_header(file, &lines, i, &CAM_HEADER, "table", diags)?;
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
}
