//! The "API Access Permission (Partner)" page, saved from a browser as plain text: every
//! operation's route, scenario, permission actions and console path.
//!
//! The saved page shows its one table one cell per line, each cell ending in ` |`. Cells
//! the page merges across rows (rowspan) are either left out or shown as lines of bare
//! pipes, so rows cannot be read by counting lines. Every row has a URL cell, though: the
//! API description is the line before it, the Action and Path cells are the two lines after
//! it, and whatever cells stand between the previous row and the description are this
//! row's scenario and sub-scenario (those it does not show carry down from the row above).

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics};
use crate::import::pages::{is_closing_line, last_updated};
use crate::import::unescape_quotes;
use crate::spec::{HttpMethod, PermissionFacts};

/// The permission table's columns, in the order the row parsing relies on.
const COLUMNS: [&str; 6] = [
    "Scenario",
    "Sub-Scenario",
    "API Description",
    "URL",
    "Action",
    "Path",
];

/// The page's sentence saying holding one of an API's actions suffices (lower case).
const ANY_OF_SENTENCE: &str = "as long as one of its actions is supported";
/// The page's sentence saying unlisted APIs need no fine-grained permission (lower case).
const UNLISTED_SENTENCE: &str = "fine-grained permission verification is not required";

/// What the permission page says.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PermissionPage {
    pub(super) title: Option<String>,
    pub(super) last_updated: Option<String>,
    pub(super) facts: PermissionFacts,
    pub(super) rows: Vec<PageRow>,
}

/// One row of the permission table, with the merged cells filled in.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PageRow {
    /// The 1-based line of its URL cell.
    pub(super) line: usize,
    pub(super) scenario: String,
    pub(super) sub_scenario: Option<String>,
    pub(super) description: String,
    pub(super) method: HttpMethod,
    pub(super) path: String,
    pub(super) permissions: Vec<String>,
    pub(super) console_path: Option<String>,
}

impl PageRow {
    pub(super) fn route(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// What one line of the table holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell<'t> {
    /// Only pipes: a merged cell or an empty one.
    Filler,
    /// A `METHOD /path` URL cell; the method is not checked yet.
    Url { method: &'t str, path: &'t str },
    /// Any other cell: its text without the closing pipe.
    Text(&'t str),
}

/// Whether a line is a table cell (the table ends at the first line that is not).
fn is_cell(line: &str) -> bool {
    line.trim_end().ends_with('|')
}

fn cell(line: &str) -> Cell<'_> {
    let line = line.trim();
    if line.chars().all(|c| c == '|' || c.is_whitespace()) {
        return Cell::Filler;
    }
    let text = line.strip_suffix('|').unwrap_or(line).trim();
    if let Some((method, path)) = text.split_once(' ') {
        // Upper case only, so that prose such as "See /docs" is not taken for a route, while
        // a misspelt or new method still shows up as a route (and an error) instead of
        // vanishing into the neighbouring cells.
        let looks_like_method = method.chars().all(|c| c.is_ascii_uppercase());
        if looks_like_method && path.starts_with('/') && !path.contains(char::is_whitespace) {
            return Cell::Url { method, path };
        }
    }
    Cell::Text(text)
}

/// A `---|---|...` line under the column names.
fn is_separator(line: &str) -> bool {
    let line = line.trim();
    line.contains("---")
        && line.contains('|')
        && line.chars().all(|c| matches!(c, '-' | '|' | ':' | ' '))
}

/// Checks a route's path: `/` then `/`-separated segments, none empty, of ASCII letters,
/// digits, `-`, `_`, `.`, `~` and `{placeholder}`s (snake_case, closed, not nested). The
/// path becomes a URL template and the placeholders Rust field names, so anything else
/// would be a broken request or broken code.
pub(super) fn check_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err("a path starts with `/`".into());
    };
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Err("an empty segment (`//`, or a `/` at the end)".into());
        }
        let mut placeholder: Option<String> = None;
        for c in segment.chars() {
            match (c, &mut placeholder) {
                ('{', Some(_)) => return Err("a `{` inside a placeholder".into()),
                ('{', None) => placeholder = Some(String::new()),
                ('}', None) => return Err("a `}` without its `{`".into()),
                ('}', Some(name)) => {
                    let snake = name.starts_with(|c: char| c.is_ascii_lowercase())
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if !snake {
                        return Err(format!("placeholder `{{{name}}}` is not a snake_case name"));
                    }
                    placeholder = None;
                }
                (c, Some(name)) => name.push(c),
                (c, None) if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~') => {}
                (c, None) => return Err(format!("`{c}` is not allowed in a path")),
            }
        }
        if placeholder.is_some() {
            return Err("a `{` without its `}`".into());
        }
    }
    Ok(())
}

/// `-` in a cell means "none", not "same as above".
fn unless_dash(text: &str) -> Option<String> {
    (text != "-").then(|| unescape_quotes(text))
}

/// Permission action names are identifiers like `BPC_ITEM_SALES_020100`; anything else in
/// the Action column means the row's cells are not where the parser expects them.
fn is_permission_action(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Reads the page. Problems go to `diagnostics`; the rows returned are the ones that
/// parsed, so the caller must check for errors.
pub(super) fn parse_page(file: &str, text: &str, diagnostics: &mut Diagnostics) -> PermissionPage {
    let lines: Vec<&str> = text.lines().collect();
    let mut page = PermissionPage {
        title: None,
        last_updated: last_updated(text).map(|(_, stamp)| stamp),
        facts: PermissionFacts {
            any_of: true,
            unlisted_need_permission: false,
        },
        rows: Vec::new(),
    };
    let Some(header) = table_header(file, &lines, diagnostics) else {
        return page;
    };
    page.title = lines[..header.first_line]
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .filter(|l| !is_cell(l))
        .map(str::to_owned);
    page.facts = permission_facts(file, &lines[..header.first_line], diagnostics);
    page.rows = table_rows(file, &lines, header.separator, diagnostics);
    page
}

/// Where the column names are.
struct TableHeader {
    /// 0-based index of the first column name.
    first_line: usize,
    /// 0-based index of the `---|---|...` line.
    separator: usize,
}

/// Finds the column names and checks they are the six the row parsing relies on.
fn table_header(file: &str, lines: &[&str], diagnostics: &mut Diagnostics) -> Option<TableHeader> {
    let expected = COLUMNS.join(" |, ");
    let Some(separator) = lines.iter().position(|l| is_separator(l)) else {
        // Point at where the table seems to start, if anything looks like one.
        let line = lines.iter().position(|l| is_cell(l)).map_or(1, |i| i + 1);
        diagnostics.push(
            Diagnostic::error(
                file,
                "table-header",
                format!("no table header: expected the column names ({expected} |) one per line, then a `---|---|...` line"),
            )
            .at(line),
        );
        return None;
    };
    let first_line = (0..separator)
        .rev()
        .take_while(|&i| is_cell(lines[i]))
        .last()
        .unwrap_or(separator);
    let names: Vec<(usize, &str)> = (first_line..separator)
        .map(|i| {
            let text = lines[i].trim();
            (i, text.strip_suffix('|').unwrap_or(text).trim())
        })
        .collect();
    if names.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                file,
                "table-header",
                format!("no column names above the `---|---|...` line: expected {expected} |, one per line"),
            )
            .at(separator + 1),
        );
        return None;
    }
    let errors_before = diagnostics.errors().count();
    let mut header_error = |line: usize, message: String| {
        diagnostics.push(Diagnostic::error(file, "table-header", message).at(line));
    };
    for (position, &(index, name)) in names.iter().enumerate() {
        if !COLUMNS.contains(&name) {
            header_error(
                index + 1,
                format!("unknown column `{name}` (the table's columns are: {expected})"),
            );
        } else if names[..position]
            .iter()
            .any(|&(_, earlier)| earlier == name)
        {
            header_error(index + 1, format!("column `{name}` appears twice"));
        }
    }
    for column in COLUMNS {
        if !names.iter().any(|&(_, name)| name == column) {
            header_error(
                first_line + 1,
                format!(
                    "the table header (lines {}-{}) has no `{column}` column",
                    first_line + 1,
                    separator + 1
                ),
            );
        }
    }
    let in_order = names.iter().map(|&(_, name)| name).eq(COLUMNS);
    if !in_order
        && names.len() == COLUMNS.len()
        && COLUMNS.iter().all(|c| names.iter().any(|&(_, n)| n == *c))
    {
        header_error(
            first_line + 1,
            format!("the columns are out of order: expected {expected}"),
        );
    }
    let separator_columns = lines[separator]
        .split('|')
        .filter(|part| !part.trim().is_empty())
        .count();
    if in_order && separator_columns != COLUMNS.len() {
        header_error(
            separator + 1,
            format!(
                "the header separator has {separator_columns} columns, the header {}",
                COLUMNS.len()
            ),
        );
    }
    (diagnostics.errors().count() == errors_before).then_some(TableHeader {
        first_line,
        separator,
    })
}

/// The page's two rules on how permission actions apply. They are stated in prose above
/// the table; when a sentence is gone the documented value is kept and a warning asks a
/// person to read the page again.
fn permission_facts(file: &str, intro: &[&str], diagnostics: &mut Diagnostics) -> PermissionFacts {
    let intro = intro.join("\n").to_lowercase();
    for (sentence, field, value) in [
        (ANY_OF_SENTENCE, "any_of", true),
        (UNLISTED_SENTENCE, "unlisted_need_permission", false),
    ] {
        if !intro.contains(sentence) {
            diagnostics.push(
                Diagnostic::warning(
                    file,
                    "permission-rule-missing",
                    format!("the text above the table no longer says \"...{sentence}...\"; kept `{field}: {value}`, check the page"),
                )
                .about("permissions"),
            );
        }
    }
    PermissionFacts {
        any_of: true,
        unlisted_need_permission: false,
    }
}

/// The 0-based index of the first line after the table. A saved page always has text after
/// the table (the "Feedback" box), so a page that ends inside it was cut short.
fn table_end(file: &str, lines: &[&str], separator: usize, diagnostics: &mut Diagnostics) -> usize {
    match (separator + 1..lines.len()).find(|&i| !is_cell(lines[i])) {
        Some(end) => end,
        None => {
            diagnostics.push(
                Diagnostic::error(
                    file,
                    "truncated-page",
                    "the page ends inside the table: a complete save has text after it (\"Feedback\"); save the page again",
                )
                .at(lines.len()),
            );
            lines.len()
        }
    }
}

/// Reads the rows of the table whose separator is at `separator`.
fn table_rows(
    file: &str,
    lines: &[&str],
    separator: usize,
    diagnostics: &mut Diagnostics,
) -> Vec<PageRow> {
    let end = table_end(file, lines, separator, diagnostics);
    if end < lines.len() && !is_closing_line(lines[end]) {
        // The first line that is not a cell must be the page's closing matter: a cell cut
        // short (no closing pipe) or anything else means the page was cut or mangled.
        diagnostics.push(
            Diagnostic::error(
                file,
                "truncated-page",
                format!(
                    "the table ends at `{}`, not at the page's closing `Feedback`: a cell cut short (no closing `|`) or a cut page; save it again",
                    lines[end].trim()
                ),
            )
            .at(end + 1),
        );
    }
    let error = |rule: &'static str, index: usize, route: &str, message: String| {
        let diagnostic = Diagnostic::error(file, rule, message).at(index + 1);
        if route.is_empty() {
            diagnostic
        } else {
            diagnostic.about(route)
        }
    };
    let mut rows = Vec::new();
    let mut routes: HashMap<(HttpMethod, &str), usize> = HashMap::new();
    // The last line that belongs to the header or to the previous row.
    let mut boundary = separator;
    let mut scenario: Option<String> = None;
    let mut sub_scenario: Option<String> = None;
    let mut scenario_reported = false;
    let mut complete = true;
    let mut found_url = false;
    let mut index = separator + 1;
    while index < end {
        let Cell::Url { method, path } = cell(lines[index]) else {
            index += 1;
            continue;
        };
        found_url = true;
        let route = format!("{method} {path}");
        let (action_index, path_index) = (index + 1, index + 2);
        // The Action and Path cells must both be there before the table ends.
        let cut_short = [action_index, path_index]
            .into_iter()
            .zip(["Action", "Path"])
            .find(|&(i, _)| i >= end || matches!(cell(lines[i]), Cell::Url { .. }));
        if let Some((missing, column)) = cut_short {
            let after = if missing >= lines.len() {
                "the page ends there".to_owned()
            } else if missing >= end {
                format!(
                    "line {} `{}` ends the table",
                    missing + 1,
                    lines[missing].trim()
                )
            } else {
                format!("line {} is the next row's URL", missing + 1)
            };
            diagnostics.push(error(
                "truncated-page",
                index,
                &route,
                format!("the URL cell has no {column} cell after it ({after})"),
            ));
            if missing >= end {
                complete = false;
                break;
            }
            boundary = index;
            index = missing;
            continue;
        }

        // The description is the line right before the URL; the cells above it, back to
        // the previous row, are the scenario and sub-scenario this row shows.
        let description = match index
            .checked_sub(1)
            .filter(|&i| i > boundary)
            .map(|i| cell(lines[i]))
        {
            Some(Cell::Text(text)) => Some(unescape_quotes(text)),
            _ => {
                diagnostics.push(error(
                    "missing-description",
                    index,
                    &route,
                    "the line before the URL cell must be the API description".into(),
                ));
                None
            }
        };
        let leading: Vec<(usize, &str)> = (boundary + 1..index.saturating_sub(1))
            .filter_map(|i| match cell(lines[i]) {
                Cell::Text(text) => Some((i, text)),
                _ => None,
            })
            .collect();
        match leading.as_slice() {
            [] => {}
            [(_, sub)] => sub_scenario = unless_dash(sub),
            [(_, scen), (_, sub)] => {
                scenario = unless_dash(scen);
                sub_scenario = unless_dash(sub);
            }
            [(first, _), .., (_, scen), (_, sub)] => {
                let cells: Vec<String> = leading
                    .iter()
                    .map(|(i, text)| format!("line {}: `{text}`", i + 1))
                    .collect();
                diagnostics.push(error(
                    "unexpected-cells",
                    *first,
                    &route,
                    format!(
                        "{} cells stand between the previous row and this row's description, at most 2 (scenario, sub-scenario) can: {}",
                        leading.len(),
                        cells.join(", ")
                    ),
                ));
                // Go on with the last two, so the rows below are still checked.
                scenario = unless_dash(scen);
                sub_scenario = unless_dash(sub);
            }
        }
        if scenario.is_none() && !scenario_reported {
            scenario_reported = true;
            diagnostics.push(error(
                "missing-scenario",
                index,
                &route,
                "no scenario: the first row of the table (and any row below a `-` scenario) must show its scenario".into(),
            ));
        }

        let method = match method.parse::<HttpMethod>() {
            Ok(method) => Some(method),
            Err(err) => {
                diagnostics.push(error("unknown-method", index, &route, err.to_string()));
                None
            }
        };
        let path_ok = match check_path(path) {
            Ok(()) => true,
            Err(problem) => {
                diagnostics.push(error(
                    "invalid-path",
                    index,
                    &route,
                    format!("`{path}`: {problem}"),
                ));
                false
            }
        };
        let permissions = match cell(lines[action_index]) {
            Cell::Text(text) => {
                let actions: Vec<String> = text
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
                for action in actions.iter().filter(|a| !is_permission_action(a)) {
                    diagnostics.push(error(
                        "invalid-permission",
                        action_index,
                        &route,
                        format!("`{action}` in the Action cell is not a permission action (like BPC_ITEM_SALES_020100); is a cell of this row missing?"),
                    ));
                }
                actions
            }
            _ => {
                diagnostics.push(error(
                    "empty-permission",
                    action_index,
                    &route,
                    "the Action cell is empty: every listed API needs at least one permission action".into(),
                ));
                Vec::new()
            }
        };
        let console_path = match cell(lines[path_index]) {
            Cell::Text(text) => unless_dash(text),
            _ => None,
        };

        if let Some(method) = method {
            if let Some(first) = routes.insert((method, path), index) {
                diagnostics.push(error(
                    "duplicate-route",
                    index,
                    &route,
                    format!("the route is listed twice (first on line {})", first + 1),
                ));
            }
        }
        if let (Some(method), Some(description), Some(scenario), true) =
            (method, description, &scenario, path_ok)
        {
            rows.push(PageRow {
                line: index + 1,
                scenario: scenario.clone(),
                sub_scenario: sub_scenario.clone(),
                description,
                method,
                path: path.to_owned(),
                permissions,
                console_path,
            });
        }
        boundary = path_index;
        index = path_index + 1;
    }

    if complete {
        if let Some(orphan) = (boundary + 1..end).find(|&i| matches!(cell(lines[i]), Cell::Text(_)))
        {
            diagnostics.push(error(
                "orphan-cells",
                orphan,
                "",
                "cells after the last row with no URL cell: is a row cut short?".into(),
            ));
        }
    }
    if let Some(stray) = (end..lines.len())
        .find(|&i| is_cell(lines[i]) && matches!(cell(lines[i]), Cell::Url { .. }))
    {
        diagnostics.push(error(
            "outside-table",
            stray,
            lines[stray].trim().trim_end_matches('|').trim(),
            format!(
                "a route after the table ended at line {}: does the page have a second table?",
                end + 1
            ),
        ));
    }
    if !found_url {
        diagnostics.push(error(
            "no-rows",
            separator,
            "",
            "the table has no rows: no `METHOD /path |` URL cell follows the header".into(),
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Title\nThe API can be accessed as long as one of its actions is supported.\n\
        For APIs not listed in the table, fine-grained permission verification is not required.\n\
        Scenario |\nSub-Scenario |\nAPI Description |\nURL |\nAction |\nPath |\n---|---|---|---|---|---|\n";

    fn parse(table: &str) -> (PermissionPage, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let page = parse_page("page.txt", &format!("{HEADER}{table}"), &mut diagnostics);
        (page, diagnostics)
    }

    /// The line of `text` in a page made of `HEADER` and `table`.
    fn line_of(table: &str, text: &str) -> usize {
        let page = format!("{HEADER}{table}");
        page.lines()
            .position(|l| l.starts_with(text))
            .expect("text is in the page")
            + 1
    }

    fn scenarios(page: &PermissionPage) -> Vec<(&str, Option<&str>, &str)> {
        page.rows
            .iter()
            .map(|r| {
                (
                    r.scenario.as_str(),
                    r.sub_scenario.as_deref(),
                    r.description.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn cells_are_classified() {
        assert_eq!(cell("||"), Cell::Filler);
        assert_eq!(cell(" | "), Cell::Filler);
        assert_eq!(
            cell("GET /v2/x/{id} |"),
            Cell::Url {
                method: "GET",
                path: "/v2/x/{id}"
            }
        );
        assert_eq!(
            cell("FETCH /v2/x |"),
            Cell::Url {
                method: "FETCH",
                path: "/v2/x"
            }
        );
        assert_eq!(cell("See /docs |"), Cell::Text("See /docs"));
        assert_eq!(cell("A|B |"), Cell::Text("A|B"));
    }

    #[test]
    fn merged_cells_carry_down_and_dash_means_none() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nP_1 |\nC > 1 |\n\
            D2 |\nGET /b |\nP_1|P_2 |\n|\n||\n\
            Sub2 |\nD3 |\nGET /c |\nP_3 |\n|\n|\n\
            S2 |\n- |\nD4 |\nGET /d |\nP_4 |\n- |\n\
            D5 |\nGET /e |\nP_5 |\nC > 5 |\nFeedback\n";
        let (page, diagnostics) = parse(table);
        assert!(diagnostics.0.is_empty(), "{diagnostics}");
        assert_eq!(
            scenarios(&page),
            [
                ("S1", Some("Sub1"), "D1"),
                ("S1", Some("Sub1"), "D2"),
                ("S1", Some("Sub2"), "D3"),
                ("S2", None, "D4"),
                ("S2", None, "D5"),
            ]
        );
        assert_eq!(page.rows[1].permissions, ["P_1", "P_2"]);
        assert_eq!(page.rows[0].console_path.as_deref(), Some("C > 1"));
        assert_eq!(page.rows[1].console_path, None);
        assert_eq!(page.rows[3].console_path, None);
        assert_eq!(page.rows[0].line, line_of(table, "GET /a"));
        assert_eq!(page.title.as_deref(), Some("Title"));
        assert!(page.facts.any_of && !page.facts.unlisted_need_permission);
    }

    #[test]
    fn more_than_two_leading_cells_is_an_error_at_the_first() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nP_1 |\n|\nX |\nY |\nZ |\nD2 |\nGET /b |\nP_2 |\n|\nFeedback\n";
        let (_, diagnostics) = parse(table);
        let error = diagnostics.errors().next().expect("an error");
        assert_eq!(
            (error.rule, error.line),
            ("unexpected-cells", Some(line_of(table, "X |")))
        );
    }

    #[test]
    fn the_first_row_needs_a_scenario() {
        let table = "Sub1 |\nD1 |\nGET /a |\nP_1 |\n|\nD2 |\nGET /b |\nP_2 |\n|\nFeedback\n";
        let (_, diagnostics) = parse(table);
        let rules: Vec<_> = diagnostics.errors().map(|d| (d.rule, d.line)).collect();
        assert_eq!(
            rules,
            [("missing-scenario", Some(line_of(table, "GET /a")))]
        );
    }

    #[test]
    fn a_url_right_after_the_previous_row_has_no_description() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nP_1 |\n|\nGET /b |\nP_2 |\n|\nFeedback\n";
        let (page, diagnostics) = parse(table);
        let rules: Vec<_> = diagnostics.errors().map(|d| (d.rule, d.line)).collect();
        assert_eq!(
            rules,
            [("missing-description", Some(line_of(table, "GET /b")))]
        );
        assert_eq!(page.rows.len(), 1);
    }

    #[test]
    fn a_row_cut_short_by_the_next_url_is_reported() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nD2 |\nGET /b |\nP_2 |\n|\nFeedback\n";
        let (_, diagnostics) = parse(table);
        let first = diagnostics.errors().next().expect("an error");
        assert_eq!(
            (first.rule, first.line),
            ("truncated-page", Some(line_of(table, "GET /a")))
        );
    }

    #[test]
    fn a_misplaced_cell_in_the_action_column_is_reported() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nSales > Customers |\n|\nFeedback\n";
        let (_, diagnostics) = parse(table);
        assert!(diagnostics.has_rule("invalid-permission"), "{diagnostics}");
    }

    #[test]
    fn cells_after_the_last_row_are_reported() {
        let table = "S1 |\nSub1 |\nD1 |\nGET /a |\nP_1 |\n|\nS2 |\nFeedback\n";
        let (_, diagnostics) = parse(table);
        let first = diagnostics.errors().next().expect("an error");
        assert_eq!(
            (first.rule, first.line),
            ("orphan-cells", Some(line_of(table, "S2 |")))
        );
    }

    #[test]
    fn missing_permission_sentences_warn_and_keep_the_values() {
        let text = "Title\nScenario |\nSub-Scenario |\nAPI Description |\nURL |\nAction |\nPath |\n---|---|---|---|---|---|\n\
            S |\nSub |\nD |\nGET /a |\nP_1 |\n|\nFeedback\n";
        let mut diagnostics = Diagnostics::default();
        let page = parse_page("page.txt", text, &mut diagnostics);
        assert!(!diagnostics.has_errors(), "{diagnostics}");
        assert_eq!(
            diagnostics
                .warnings()
                .filter(|d| d.rule == "permission-rule-missing")
                .count(),
            2
        );
        assert!(page.facts.any_of && !page.facts.unlisted_need_permission);
    }

    #[test]
    fn columns_out_of_order_are_a_header_error() {
        let text = "Scenario |\nSub-Scenario |\nAPI Description |\nAction |\nURL |\nPath |\n---|---|---|---|---|---|\nFeedback\n";
        let mut diagnostics = Diagnostics::default();
        parse_page("page.txt", text, &mut diagnostics);
        let rules: Vec<_> = diagnostics.errors().map(|d| (d.rule, d.line)).collect();
        assert_eq!(rules, [("table-header", Some(1))]);
    }

    #[test]
    fn paths_are_checked_segment_by_segment() {
        assert_eq!(
            check_path("/v1.0/{domain_id}/payments/intl-invoices"),
            Ok(())
        );
        assert_eq!(check_path("/v2/a{x}b{y2}/c~d_e"), Ok(()));
        for bad in [
            "v2/a",
            "/v2/",
            "/v2//a",
            "/v2/{a",
            "/v2/a}",
            "/v2/{{a}}",
            "/v2/{}",
            "/v2/{A}",
            "/v2/a?b",
            "/v2/ä",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
