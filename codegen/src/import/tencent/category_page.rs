//! The API category page, in its markdown or plain-text form: each action's feature and
//! frequency limit, in tables under group headings (which the markdown form does not show:
//! [`name_markdown_tables`] gives them from another edition or the spec that was there).

use std::collections::BTreeSet;
use std::path::Path;

use super::page_tables::{
    at_page_end, check_header, check_page, empty_table_error, markdown_tables_end, page_title,
    row_width_error,
};
use super::{invalid_action_name, is_action_name};
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::pages::{
    is_closing_line, is_markdown, last_updated, markdown_tables, MarkdownTable,
};
use crate::import::{file_name, read_input, unescape_quotes};
use crate::spec::{CategoryTable, TencentSpec};

#[derive(Debug, Clone, PartialEq)]
pub(super) struct CategoryRow {
    /// The 1-based line of the row.
    pub(super) line: usize,
    pub(super) name: String,
    pub(super) feature: String,
    pub(super) qps: i64,
    pub(super) table: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct CategoryPage {
    pub(super) file: String,
    pub(super) shown: String,
    pub(super) title: Option<String>,
    pub(super) last_updated: Option<String>,
    /// Per table in page order: its heading (`None`: none shown, or a markdown page whose
    /// headings were not yet resolved), the line of its header, and a recorded decision.
    pub(super) tables: Vec<CategoryTable>,
    pub(super) table_lines: Vec<usize>,
    /// The markdown form shows no headings at all; they are resolved after reading.
    pub(super) headings_shown: bool,
    pub(super) rows: Vec<CategoryRow>,
}

const CATEGORY_HEADER: [&str; 3] = [
    "API Name",
    "Feature",
    "Frequency Limit (maximum requests per second)",
];

pub(super) fn read_category_page(path: &Path) -> Result<(CategoryPage, Diagnostics), Diagnostics> {
    let text = read_input(path)?;
    category_page_from_text(&path.display().to_string(), &file_name(path), &text)
}

/// Reads a category page's text; `shown` names it in diagnostics, `file` in the spec.
pub(super) fn category_page_from_text(
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
pub(super) fn name_markdown_tables(
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
