//! Huawei Cloud Partner Center importer.
//!
//! The "API Access Permission (Partner)" page, saved from a browser as plain text, gives
//! every operation's route, scenario, permission actions and console path. Optionally the
//! official Python SDK gives the operation names, each operation's request parameters
//! (path, query, header, body) and response, and the models they use:
//! `xtask/scripts/huawei_sdk_operations.py` prints them as JSON.
//!
//! The saved page shows its one table one cell per line, each cell ending in ` |`. Cells
//! the page merges across rows (rowspan) are either left out or shown as lines of bare
//! pipes, so rows cannot be read by counting lines. Every row has a URL cell, though: the
//! API description is the line before it, the Action and Path cells are the two lines after
//! it, and whatever cells stand between the previous row and the description are this
//! row's scenario and sub-scenario (those it does not show carry down from the row above).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::json_pos::{check_depth, JsonPositions, Step};
use super::pages::{is_closing_line, last_updated};
use super::{file_name, keep_pinned, read_input, unescape_quotes, Imported};
use crate::diag::{Diagnostic, Diagnostics};
use crate::names::upper_camel;
use crate::spec::{
    FieldDef, HttpMethod, HuaweiOperation, HuaweiParam, HuaweiSpec, ParamLocation, PermissionFacts,
    Primitive, Protocol, ProtocolFamily, Provider, ServiceInfo, Signing, Source, SourceKind, Spec,
    TypeDef, TypeRef,
};
use crate::validate::{path_placeholders, unfilled_placeholders};

/// The permission table's columns, in the order the row parsing relies on.
const COLUMNS: [&str; 6] = [
    "Scenario",
    "Sub-Scenario",
    "API Description",
    "URL",
    "Action",
    "Path",
];

/// The Python package whose operation names `--sdk-operations` carries.
const SDK_PACKAGE: &str = "huaweicloudsdkbssintl";

/// The page's sentence saying holding one of an API's actions suffices (lower case).
const ANY_OF_SENTENCE: &str = "as long as one of its actions is supported";
/// The page's sentence saying unlisted APIs need no fine-grained permission (lower case).
const UNLISTED_SENTENCE: &str = "fine-grained permission verification is not required";

/// Imports the Partner Center permission page at `page`, naming and typing operations from
/// the SDK operations file (see `xtask/scripts/huawei_sdk_operations.py`) where one is
/// given and has the route, and keeping the fields `base` pinned. Without the file, names,
/// parameters, responses and types stay as `base` has them. `types` holds exactly the
/// models the typed operations reach.
pub fn import_huawei(
    page: &Path,
    sdk_operations: Option<&Path>,
    base: Option<&HuaweiSpec>,
) -> Result<Imported, Diagnostics> {
    let page_file = page.display().to_string();
    let mut diagnostics = Diagnostics::default();
    // Read every input before giving up, so one run reports the errors of all of them.
    let parsed_page = read_input(page).map(|text| parse_page(&page_file, &text, &mut diagnostics));
    let sdk = sdk_operations.map(|path| read_sdk_operations(path, &mut diagnostics));
    let parsed_page = match parsed_page {
        Ok(parsed) => Some(parsed),
        Err(unreadable) => {
            diagnostics.0.extend(unreadable.0);
            None
        }
    };
    let (Some(parsed_page), false) = (parsed_page, diagnostics.has_errors()) else {
        return Err(errors_only(diagnostics));
    };
    let sdk = sdk.flatten();

    let mut operations = operations(
        &page_file,
        &parsed_page.rows,
        sdk.as_ref(),
        base,
        &mut diagnostics,
    );
    if diagnostics.has_errors() {
        return Err(errors_only(diagnostics));
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let types = operation_types(&operations, sdk.as_ref(), base);

    let mut sources = vec![Source {
        kind: SourceKind::PermissionPage,
        file: file_name(page),
        title: parsed_page.title,
        last_updated: parsed_page.last_updated,
        version: None,
    }];
    if let (Some(path), Some(sdk)) = (sdk_operations, &sdk) {
        sources.push(Source {
            kind: SourceKind::SdkOperations,
            file: file_name(path),
            title: Some(SDK_PACKAGE.to_owned()),
            last_updated: None,
            version: sdk.version.clone(),
        });
    } else if let Some(base) = base {
        // Without an SDK file the names are the spec's own, so they still come from the
        // SDK edition the spec records.
        sources.extend(
            base.service
                .sources
                .iter()
                .filter(|s| s.kind == SourceKind::SdkOperations)
                .cloned(),
        );
    }
    sources.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));

    let spec = HuaweiSpec {
        service: ServiceInfo {
            provider: Provider::Huaweicloud,
            name: "partner-center".into(),
            title: "Huawei Cloud Partner Center".into(),
            api_version: "v2".into(),
            endpoint: "bss-intl.myhuaweicloud.com".into(),
            protocol: Protocol {
                family: ProtocolFamily::HuaweiRest,
                signing: Signing::SdkHmacSha256,
            },
            // The page documents no rate limit for any of these APIs, and a default is our
            // assumption rather than a fact of the page: a maintainer sets it, and a
            // re-import keeps it.
            default_qps: base.and_then(|b| b.service.default_qps.clone()),
            sources,
        },
        permissions: parsed_page.facts,
        operations,
        types,
    };
    Ok(Imported {
        spec: Spec::Huawei(spec),
        warnings: diagnostics,
    })
}

/// What the import takes from one permission page, read on its own (for tests and fuzzing:
/// two readings compare equal exactly when the import would build the same operations).
#[derive(Debug, Clone, PartialEq)]
pub struct PageReading(PermissionPage);

/// Reads a permission page's text as the import does; `file` names it in diagnostics.
pub fn read_permission_page(file: &str, text: &str) -> Result<PageReading, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let page = parse_page(file, text, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(errors_only(diagnostics));
    }
    Ok(PageReading(page))
}

/// What the import takes from an SDK operations file, read on its own (for tests and
/// fuzzing).
#[derive(Debug, Clone, PartialEq)]
pub struct SdkReading(SdkOperations);

/// Reads an SDK operations file's text as the import does; `file` names it in diagnostics.
pub fn read_sdk_operations_text(file: &str, text: &str) -> Result<SdkReading, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    match sdk_operations_from_text(file, text, &mut diagnostics) {
        Some(sdk) if !diagnostics.has_errors() => Ok(SdkReading(sdk)),
        _ => Err(errors_only(diagnostics)),
    }
}

fn errors_only(diagnostics: Diagnostics) -> Diagnostics {
    Diagnostics(
        diagnostics
            .0
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// The permission page

/// What the permission page says.
#[derive(Debug, Clone, PartialEq)]
struct PermissionPage {
    title: Option<String>,
    last_updated: Option<String>,
    facts: PermissionFacts,
    rows: Vec<PageRow>,
}

/// One row of the permission table, with the merged cells filled in.
#[derive(Debug, Clone, PartialEq)]
struct PageRow {
    /// The 1-based line of its URL cell.
    line: usize,
    scenario: String,
    sub_scenario: Option<String>,
    description: String,
    method: HttpMethod,
    path: String,
    permissions: Vec<String>,
    console_path: Option<String>,
}

impl PageRow {
    fn route(&self) -> String {
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
fn check_path(path: &str) -> Result<(), String> {
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
fn parse_page(file: &str, text: &str, diagnostics: &mut Diagnostics) -> PermissionPage {
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

// ---------------------------------------------------------------------------------------
// The SDK operations file

/// What `xtask/scripts/huawei_sdk_operations.py` prints, in short (for messages).
const SDK_SHAPE: &str = "{\"sdk\": \"huaweicloudsdkbssintl\", \"version\": \"...\", \"operations\": {\"METHOD /path\": {\"name\", \"request\", \"params\", \"response\"}}, \"models\": {\"Name\": {\"fields\": [...]}}}, as xtask/scripts/huawei_sdk_operations.py prints";

/// The operations and models of the official SDK.
#[derive(Debug, Clone, PartialEq)]
struct SdkOperations {
    /// The file, as the user named it.
    file: String,
    version: Option<String>,
    /// The SDK's operations, by route.
    operations: HashMap<(HttpMethod, String), SdkOperation>,
    /// The SDK's models, by name, as spec types.
    models: BTreeMap<String, TypeDef>,
}

/// One operation of the SDK file.
#[derive(Debug, Clone, PartialEq)]
struct SdkOperation {
    name: String,
    /// The parameters as the SDK has them (the import decides about the body's
    /// `required`, see [`sdk_params`]).
    params: Vec<HuaweiParam>,
    response: String,
}

/// The path `at` one key further in.
fn child<'s>(at: &[Step<'s>], key: &'s str) -> Vec<Step<'s>> {
    let mut inner = at.to_vec();
    inner.push(Step::Key(key));
    inner
}

/// Whether `text` is a model name (or an operation name): UpperCamelCase letters and
/// digits.
fn is_model_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The SDK file being read: its positions, and the errors found so far.
struct SdkFile<'t> {
    file: String,
    positions: JsonPositions<'t>,
    errors: Vec<Diagnostic>,
}

impl SdkFile<'_> {
    fn error(
        &mut self,
        rule: &'static str,
        at: &[Step<'_>],
        subject: Option<&str>,
        message: String,
    ) {
        let line = self.positions.line(at).unwrap_or(1);
        let mut diagnostic = Diagnostic::error(&self.file, rule, message).at(line);
        if let Some(subject) = subject {
            diagnostic = diagnostic.about(subject);
        }
        self.errors.push(diagnostic);
    }

    fn shape(&mut self, at: &[Step<'_>], message: String) {
        self.error("sdk-operations-shape", at, None, message);
    }

    /// `value` as an object with exactly these keys (`true`: the key is required).
    fn object<'v>(
        &mut self,
        value: &'v Value,
        at: &[Step<'_>],
        what: &str,
        keys: &[(&str, bool)],
    ) -> Option<&'v serde_json::Map<String, Value>> {
        let expected: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
        let Value::Object(map) = value else {
            self.shape(
                at,
                format!(
                    "{what} must be an object with keys {}, not {value}",
                    expected.join(", ")
                ),
            );
            return None;
        };
        for key in map.keys().filter(|k| !expected.contains(&k.as_str())) {
            self.shape(
                &child(at, key),
                format!(
                    "{what}: unknown key `{key}` (expected {})",
                    expected.join(", ")
                ),
            );
        }
        for (key, _) in keys
            .iter()
            .filter(|(k, required)| *required && !map.contains_key(*k))
        {
            self.shape(at, format!("{what} has no `{key}`"));
        }
        Some(map)
    }

    fn string(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        at: &[Step<'_>],
        what: &str,
    ) -> Option<String> {
        match map.get(key)? {
            Value::String(text) => Some(text.clone()),
            other => {
                self.shape(
                    &child(at, key),
                    format!("{what}: `{key}` must be a string, not {other}"),
                );
                None
            }
        }
    }

    fn boolean(
        &mut self,
        map: &serde_json::Map<String, Value>,
        key: &str,
        at: &[Step<'_>],
        what: &str,
    ) -> Option<bool> {
        match map.get(key)? {
            Value::Bool(value) => Some(*value),
            other => {
                self.shape(
                    &child(at, key),
                    format!("{what}: `{key}` must be true or false, not {other}"),
                );
                None
            }
        }
    }

    /// A `type` of the file as a spec type.
    fn ty(
        &mut self,
        map: &serde_json::Map<String, Value>,
        at: &[Step<'_>],
        what: &str,
        subject: &str,
    ) -> Option<TypeRef> {
        let text = self.string(map, "type", at, what)?;
        match sdk_type(&text) {
            Ok(ty) => Some(ty),
            Err(problem) => {
                self.error(
                    "sdk-unsupported-type",
                    &child(at, "type"),
                    Some(subject),
                    format!("{what}: {problem}"),
                );
                None
            }
        }
    }
}

/// The spec type of a type of the SDK file. The script's `int64`, `float` and `decimal`
/// become `int64` and `float` (JSON numbers; the SDK's Python types give no integer width,
/// and its `decimal.Decimal` amounts are read as `f64` here); `map<T>` and `object` have
/// no spec type yet (no Partner Center model uses them).
fn sdk_type(text: &str) -> Result<TypeRef, String> {
    let mut text = text.trim();
    let mut lists = 0;
    while let Some(inner) = text.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
        lists += 1;
        if lists > MAX_LIST_NESTING {
            return Err(format!(
                "lists nest deeper than {MAX_LIST_NESTING} levels (`list<list<...>>`)"
            ));
        }
        text = inner.trim();
    }
    let mut ty = sdk_element_type(text)?;
    for _ in 0..lists {
        ty = TypeRef::List(Box::new(ty));
    }
    Ok(ty)
}

/// How deep `list<...>` may nest in the SDK file: the SDK nests one level; the bound keeps
/// a hostile file from building a type whose every later walk recurses without limit.
const MAX_LIST_NESTING: usize = 8;

fn sdk_element_type(text: &str) -> Result<TypeRef, String> {
    Ok(TypeRef::Primitive(match text {
        "string" => Primitive::String,
        "int64" => Primitive::Int64,
        "float" | "decimal" => Primitive::Float,
        "bool" => Primitive::Bool,
        _ if text.starts_with("map<") || text == "object" => {
            return Err(format!("type `{text}` has no spec type yet (the spec knows string, int64, float, decimal, bool, list<T> and models)"))
        }
        _ if is_model_name(text) => return Ok(TypeRef::Named(text.to_owned())),
        _ => {
            return Err(format!("unknown type `{text}` (expected string, int64, float, decimal, bool, list<T> or a model name)"))
        }
    }))
}

/// Reads the JSON `xtask/scripts/huawei_sdk_operations.py` prints (see the script for
/// its shape). Structural problems are `sdk-operations-shape` errors, types the spec
/// cannot hold `sdk-unsupported-type`, path parameters that do not match their route
/// `sdk-path-params`, and a model named but not defined `sdk-undefined-model`, naming
/// the operation that needs it; each with the file's line.
fn read_sdk_operations(path: &Path, diagnostics: &mut Diagnostics) -> Option<SdkOperations> {
    let file = path.display().to_string();
    let text = match read_input(path) {
        Ok(text) => text,
        Err(unreadable) => {
            diagnostics.0.extend(unreadable.0);
            return None;
        }
    };
    sdk_operations_from_text(&file, &text, diagnostics)
}

fn sdk_operations_from_text(
    file: &str,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<SdkOperations> {
    if let Err(too_deep) = check_depth(file, text, "sdk-operations-shape") {
        diagnostics.push(too_deep);
        return None;
    }
    let document: Value = match serde_json::from_str(text) {
        Ok(document) => document,
        Err(err) => {
            diagnostics.push(
                Diagnostic::error(file, "sdk-operations-shape", format!("not JSON: {err}"))
                    .at(err.line()),
            );
            return None;
        }
    };
    let mut reader = SdkFile {
        file: file.to_owned(),
        positions: JsonPositions::new(text),
        errors: Vec::new(),
    };
    let parsed = read_sdk_document(&mut reader, &document);
    let ok = reader.errors.is_empty();
    diagnostics.0.extend(reader.errors);
    let (version, operations, models) = parsed?;
    ok.then_some(SdkOperations {
        file: file.to_owned(),
        version,
        operations,
        models,
    })
}

type SdkDocument = (
    Option<String>,
    HashMap<(HttpMethod, String), SdkOperation>,
    BTreeMap<String, TypeDef>,
);

fn read_sdk_document(reader: &mut SdkFile<'_>, document: &Value) -> Option<SdkDocument> {
    let Value::Object(top) = document else {
        reader.shape(&[], format!("expected {SDK_SHAPE}"));
        return None;
    };
    for key in top
        .keys()
        .filter(|k| !["sdk", "version", "operations", "models"].contains(&k.as_str()))
    {
        reader.shape(
            &[Step::Key(key)],
            format!("unknown key `{key}`: expected {SDK_SHAPE}"),
        );
    }
    match top.get("sdk") {
        Some(Value::String(sdk)) if sdk == SDK_PACKAGE => {}
        Some(other) => reader.shape(
            &[Step::Key("sdk")],
            format!("the file is of `{other}`, not of the Partner Center SDK `{SDK_PACKAGE}`"),
        ),
        None => reader.shape(&[], format!("no `sdk` key: expected {SDK_SHAPE}")),
    }
    let version = match top.get("version") {
        None => None,
        Some(Value::String(version)) => Some(version.clone()),
        Some(other) => {
            reader.shape(
                &[Step::Key("version")],
                format!("`version` must be a string, not {other}"),
            );
            None
        }
    };
    let models = match top.get("models") {
        Some(Value::Object(models)) => read_sdk_models(reader, models),
        Some(other) => {
            reader.shape(
                &[Step::Key("models")],
                format!("`models` must be an object of model name to model, not {other}"),
            );
            BTreeMap::new()
        }
        None => {
            reader.shape(&[], format!("no `models` key (a file of operation names only is from an older version of the script: run it again): expected {SDK_SHAPE}"));
            BTreeMap::new()
        }
    };
    // The operations read, with their routes as the file spells them, in its order.
    let mut read = Vec::new();
    match top.get("operations") {
        Some(Value::Object(entries)) if !entries.is_empty() => {
            for (route, entry) in entries {
                if let Some((key, operation)) = read_sdk_operation(reader, route, entry) {
                    read.push((route.as_str(), key, operation));
                }
            }
        }
        Some(Value::Object(_)) => {
            reader.shape(&[Step::Key("operations")], "`operations` is empty".into())
        }
        Some(other) => reader.shape(
            &[Step::Key("operations")],
            format!("`operations` must be an object of route to operation, not {other}"),
        ),
        None => reader.shape(&[], format!("no `operations` key: expected {SDK_SHAPE}")),
    }
    if reader.errors.is_empty() {
        let in_order = read.iter().map(|(route, _, operation)| (*route, operation));
        check_model_references(reader, in_order, &models);
    }
    let operations = read
        .into_iter()
        .map(|(_, key, operation)| (key, operation))
        .collect();
    Some((version, operations, models))
}

fn read_sdk_models(
    reader: &mut SdkFile<'_>,
    models: &serde_json::Map<String, Value>,
) -> BTreeMap<String, TypeDef> {
    let mut out = BTreeMap::new();
    for (name, model) in models {
        let at = [Step::Key("models"), Step::Key(name)];
        let what = format!("model `{name}`");
        if !is_model_name(name) {
            reader.shape(
                &at,
                format!("{what}: a model name is UpperCamelCase letters and digits"),
            );
        }
        let Some(map) = reader.object(model, &at, &what, &[("fields", true)]) else {
            continue;
        };
        let fields = match map.get("fields") {
            Some(Value::Array(fields)) => fields,
            Some(other) => {
                reader.shape(
                    &[at[0], at[1], Step::Key("fields")],
                    format!("{what}: `fields` must be an array, not {other}"),
                );
                continue;
            }
            None => continue,
        };
        let mut def = TypeDef {
            doc: None,
            fields: Vec::new(),
        };
        for (index, field) in fields.iter().enumerate() {
            let at = [at[0], at[1], Step::Key("fields"), Step::Index(index)];
            let what = format!("model `{name}` field {}", index + 1);
            let keys = [
                ("name", true),
                ("wire_name", true),
                ("type", true),
                ("required", true),
            ];
            let Some(map) = reader.object(field, &at, &what, &keys) else {
                continue;
            };
            // `name` is the SDK's Python attribute; the spec names a field by its wire name.
            let attribute = reader.string(map, "name", &at, &what);
            let wire_name = reader.string(map, "wire_name", &at, &what);
            let ty = reader.ty(map, &at, &what, name);
            let required = reader.boolean(map, "required", &at, &what);
            if let (Some(_), Some(wire_name), Some(ty), Some(required)) =
                (attribute, wire_name, ty, required)
            {
                def.fields.push(FieldDef {
                    name: wire_name,
                    rust_name: None,
                    ty,
                    required,
                    nullable: false,
                    disabled: false,
                    example: None,
                    doc: None,
                });
            }
        }
        out.insert(name.clone(), def);
    }
    out
}

fn read_sdk_operation(
    reader: &mut SdkFile<'_>,
    route: &str,
    entry: &Value,
) -> Option<((HttpMethod, String), SdkOperation)> {
    let at = [Step::Key("operations"), Step::Key(route)];
    let parsed_route = route
        .split_once(' ')
        .and_then(|(method, path)| Some((method.parse::<HttpMethod>().ok()?, path)))
        .filter(|(_, path)| path.starts_with('/'));
    let Some((method, path)) = parsed_route else {
        reader.shape(&at, format!("`{route}` is not a route `METHOD /path`"));
        return None;
    };
    if let Err(problem) = check_path(path) {
        reader.error(
            "invalid-path",
            &at,
            Some(route),
            format!("`{path}`: {problem}"),
        );
        return None;
    }
    let what = format!("the operation of `{route}`");
    if entry.is_string() {
        reader.shape(&at, format!("{what} is a bare name: the file is from an older version of the script, run it again (expected {SDK_SHAPE})"));
        return None;
    }
    let keys = [
        ("name", true),
        ("request", true),
        ("params", true),
        ("response", true),
    ];
    let map = reader.object(entry, &at, &what, &keys)?;
    let name = reader.string(map, "name", &at, &what);
    if let Some(name) = name.as_deref().filter(|name| !is_model_name(name)) {
        reader.shape(
            &child(&at, "name"),
            format!("the name of `{route}` must be UpperCamelCase, not `{name}`"),
        );
    }
    // The SDK's request class is checked for shape only: the generated request struct is
    // named after the operation (`<Operation>Request`), which may be renamed by a pin.
    let _request_class = reader.string(map, "request", &at, &what);
    let response = reader.string(map, "response", &at, &what);
    if let Some(response) = response.as_deref().filter(|r| !is_model_name(r)) {
        reader.shape(
            &child(&at, "response"),
            format!("{what}: `response` must name a model, not `{response}`"),
        );
    }
    let subject = name.clone().unwrap_or_else(|| route.to_owned());
    let mut params = Vec::new();
    match map.get("params") {
        Some(Value::Array(entries)) => {
            for (index, param) in entries.iter().enumerate() {
                let at = [at[0], at[1], Step::Key("params"), Step::Index(index)];
                if let Some(param) = read_sdk_param(reader, param, &at, &subject, index) {
                    params.push(param);
                }
            }
        }
        Some(other) => reader.shape(
            &[at[0], at[1], Step::Key("params")],
            format!("{what}: `params` must be an array, not {other}"),
        ),
        None => {}
    }
    // The SDK's routing must fill exactly the route's placeholders.
    if let Some((in_path, placeholders)) = unfilled_placeholders(&params, &path_placeholders(path))
    {
        reader.error(
            "sdk-path-params",
            &at,
            Some(&subject),
            format!("{route}: the path parameters {in_path:?} do not fill the placeholders {placeholders:?}"),
        );
    }
    Some((
        (method, path.to_owned()),
        SdkOperation {
            name: name?,
            params,
            response: response?,
        },
    ))
}

fn read_sdk_param(
    reader: &mut SdkFile<'_>,
    param: &Value,
    at: &[Step<'_>],
    subject: &str,
    index: usize,
) -> Option<HuaweiParam> {
    let what = format!("`{subject}` parameter {}", index + 1);
    let keys = [
        ("name", true),
        ("wire_name", true),
        ("location", true),
        ("type", true),
        ("required", true),
        ("from_credentials", false),
    ];
    let map = reader.object(param, at, &what, &keys)?;
    let name = reader.string(map, "name", at, &what);
    let wire_name = reader.string(map, "wire_name", at, &what);
    let location = reader.string(map, "location", at, &what).and_then(|text| {
        text.parse::<ParamLocation>()
            .map_err(|problem| reader.shape(&child(at, "location"), format!("{what}: {problem}")))
            .ok()
    });
    let ty = reader.ty(map, at, &what, subject);
    let required = reader.boolean(map, "required", at, &what);
    let from_credentials = if map.contains_key("from_credentials") {
        reader.boolean(map, "from_credentials", at, &what)?
    } else {
        false
    };
    Some(HuaweiParam {
        name: name?,
        wire_name: wire_name?,
        location: location?,
        ty: ty?,
        required: required?,
        from_credentials,
    })
}

/// Every model an operation names, directly or through other models, must be defined
/// under `models`. Each missing one is reported once, naming the first operation (in the
/// file's order) that needs it, at the line that names it.
fn check_model_references<'o>(
    reader: &mut SdkFile<'_>,
    operations: impl IntoIterator<Item = (&'o str, &'o SdkOperation)>,
    models: &BTreeMap<String, TypeDef>,
) {
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for (route, operation) in operations {
        let mut follow = Follow {
            reader: &mut *reader,
            models,
            stack: Vec::new(),
            operation: &operation.name,
        };
        let at = [Step::Key("operations"), Step::Key(route)];
        for (index, param) in operation.params.iter().enumerate() {
            if let Some(target) = param.ty.named() {
                let at = [
                    at[0],
                    at[1],
                    Step::Key("params"),
                    Step::Index(index),
                    Step::Key("type"),
                ];
                follow.model(target, &at, || {
                    format!(
                        "{route}: parameter `{}` has type `{target}`, which is not under `models`",
                        param.name
                    )
                });
            }
        }
        let response = &operation.response;
        follow.model(response, &child(&at, "response"), || {
            format!("{route}: the response `{response}` is not under `models`")
        });
        while let Some(model) = follow.stack.pop() {
            if !checked.insert(model) {
                continue;
            }
            for (index, field) in models[model].fields.iter().enumerate() {
                if let Some(target) = field.ty.named() {
                    let at = [
                        Step::Key("models"),
                        Step::Key(model),
                        Step::Key("fields"),
                        Step::Index(index),
                        Step::Key("type"),
                    ];
                    follow.model(target, &at, || {
                        format!("model `{model}` (used by {route}): field `{}` has type `{target}`, which is not under `models`", field.name)
                    });
                }
            }
        }
    }
}

/// The walk of [`check_model_references`] from one operation.
struct Follow<'r, 't, 'm> {
    reader: &'r mut SdkFile<'t>,
    models: &'m BTreeMap<String, TypeDef>,
    /// The models found and not yet looked into.
    stack: Vec<&'m str>,
    operation: &'r str,
}

impl<'m> Follow<'_, '_, 'm> {
    /// Queues the model `target` when `models` defines it, else reports it at `at`.
    fn model(&mut self, target: &str, at: &[Step<'_>], message: impl FnOnce() -> String) {
        match self.models.get_key_value(target) {
            Some((name, _)) => self.stack.push(name),
            None => self
                .reader
                .error("sdk-undefined-model", at, Some(self.operation), message()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Operations

/// The spec's operations for the page's rows: named, with the base spec's pinned fields
/// kept. Operations of the base whose route left the page are dropped (the changelog
/// reports them).
fn operations(
    page_file: &str,
    rows: &[PageRow],
    sdk: Option<&SdkOperations>,
    base: Option<&HuaweiSpec>,
    diagnostics: &mut Diagnostics,
) -> Vec<HuaweiOperation> {
    let base_by_route: HashMap<(HttpMethod, &str), &HuaweiOperation> = base
        .into_iter()
        .flat_map(|b| &b.operations)
        .map(|op| ((op.method, op.path.as_str()), op))
        .collect();
    let mut operations = Vec::new();
    let mut rows_by_name: BTreeMap<String, &PageRow> = BTreeMap::new();
    for row in rows {
        let route = row.route();
        let old = base_by_route.get(&(row.method, row.path.as_str())).copied();
        let sdk_operation = sdk.and_then(|s| s.operations.get(&(row.method, row.path.clone())));
        let name = match (sdk_operation, old) {
            (Some(sdk_operation), _) => sdk_operation.name.clone(),
            (None, Some(old)) => old.name.clone(),
            (None, None) => {
                let derived = derived_name(row.method, &row.path);
                diagnostics.push(
                    Diagnostic::warning(
                        page_file,
                        "derived-name",
                        format!(
                            "no official name for {route}, so it is named after its route; pass --sdk-operations FILE (printed by xtask/scripts/huawei_sdk_operations.py) to use the SDK's names"
                        ),
                    )
                    .at(row.line)
                    .about(&derived),
                );
                derived
            }
        };
        if let (Some(sdk), None) = (sdk, sdk_operation) {
            diagnostics.push(
                Diagnostic::warning(
                    &sdk.file,
                    "not-in-sdk",
                    format!("the SDK has no operation for {route} (page line {}); named `{name}` instead, and left without typed models", row.line),
                )
                .about(&name),
            );
        }
        // Parameters and response come from the SDK file when one is given (an operation
        // it lacks is untyped), else they stay as the spec has them.
        let (params, response) = match (sdk_operation, sdk, old) {
            (Some(sdk_operation), _, _) => (
                sdk_params(&sdk_operation.params),
                Some(sdk_operation.response.clone()),
            ),
            (None, None, Some(old)) => (old.params.clone(), old.response.clone()),
            (None, _, _) => (Vec::new(), None),
        };
        let mut operation = HuaweiOperation {
            name,
            // The page never gives a Rust name: one set by hand stays, pinned or not.
            rust_name: old.and_then(|o| o.rust_name.clone()),
            method: row.method,
            path: row.path.clone(),
            path_params: path_placeholders(&row.path),
            scenario: row.scenario.clone(),
            sub_scenario: row.sub_scenario.clone(),
            description: row.description.clone(),
            permissions: row.permissions.clone(),
            console_path: row.console_path.clone(),
            params,
            response,
            pinned: Vec::new(),
        };
        if let Some(old) = old {
            let (kept, overridden) = keep_pinned(old, operation, &old.pinned);
            operation = kept;
            for (field, imported) in overridden {
                diagnostics.push(
                    Diagnostic::warning(
                        page_file,
                        "pinned-kept",
                        format!("kept the pinned `{field}`; the import says {imported}"),
                    )
                    .at(row.line)
                    .about(&operation.name),
                );
            }
        }
        if let Some(other) = rows_by_name.insert(operation.name.clone(), row) {
            diagnostics.push(
                Diagnostic::error(
                    page_file,
                    "duplicate-name",
                    format!(
                        "{route} and {} (line {}) would both be named `{}`: pin a different `name` on one in the spec",
                        other.route(),
                        other.line,
                        operation.name
                    ),
                )
                .at(row.line)
                .about(&operation.name),
            );
        }
        operations.push(operation);
    }
    operations
}

/// The spec's parameters for the SDK's: the same, except that a body is required. The
/// SDK's generated request classes make every `body` optional (they set it only when it
/// is given), which says nothing of the API: the body carries the operation's arguments,
/// and an optional one would let a caller send a bodiless POST or PUT the service may
/// refuse. A body model without required fields is built by its `new()`, so requiring it
/// costs a caller one call.
fn sdk_params(params: &[HuaweiParam]) -> Vec<HuaweiParam> {
    params
        .iter()
        .map(|param| HuaweiParam {
            required: param.required || param.location == ParamLocation::Body,
            ..param.clone()
        })
        .collect()
}

/// The types of the typed operations: every model their parameters and responses reach,
/// from the SDK file's models where one is given, else (and for names it lacks, which
/// only pinned parameters can bring) from the spec's own types. A name found in neither is
/// left out for validation to report.
fn operation_types(
    operations: &[HuaweiOperation],
    sdk: Option<&SdkOperations>,
    base: Option<&HuaweiSpec>,
) -> BTreeMap<String, TypeDef> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<&str> = operations
        .iter()
        .flat_map(|op| {
            op.params
                .iter()
                .filter_map(|p| p.ty.named())
                .chain(op.response.as_deref())
        })
        .collect();
    while let Some(name) = stack.pop() {
        if out.contains_key(name) {
            continue;
        }
        let def = sdk
            .and_then(|s| s.models.get_key_value(name))
            .or_else(|| base.and_then(|b| b.types.get_key_value(name)));
        let Some((name, def)) = def else {
            continue;
        };
        stack.extend(def.fields.iter().filter_map(|f| f.ty.named()));
        out.insert(name.clone(), def.clone());
    }
    out
}

/// A name for a route the SDK does not name: the method and the path's words, without
/// placeholders and version segments (`POST /v2/partners/sub-customers/query` →
/// `PostPartnersSubCustomersQuery`).
fn derived_name(method: HttpMethod, path: &str) -> String {
    let is_version = |segment: &str| {
        segment.strip_prefix('v').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
    };
    let words: Vec<&str> = path
        .split('/')
        .filter(|segment| !segment.is_empty() && !segment.contains('{') && !is_version(segment))
        .collect();
    upper_camel(&format!(
        "{} {}",
        method.as_str().to_lowercase(),
        words.join(" ")
    ))
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

    #[test]
    fn list_nesting_is_bounded() {
        let eight = format!("{}string{}", "list<".repeat(8), ">".repeat(8));
        assert!(sdk_type(&eight).is_ok());
        let nine = format!("{}string{}", "list<".repeat(9), ">".repeat(9));
        assert!(sdk_type(&nine).unwrap_err().contains("nest deeper than 8"));
    }

    #[test]
    fn sdk_types_become_spec_types() {
        let list = |inner| TypeRef::List(Box::new(inner));
        assert_eq!(
            sdk_type("string"),
            Ok(TypeRef::Primitive(Primitive::String))
        );
        assert_eq!(sdk_type("int64"), Ok(TypeRef::Primitive(Primitive::Int64)));
        assert_eq!(
            sdk_type("decimal"),
            Ok(TypeRef::Primitive(Primitive::Float))
        );
        assert_eq!(
            sdk_type("list<list<Order>>"),
            Ok(list(list(TypeRef::Named("Order".into()))))
        );
        assert!(sdk_type("map<Order>").unwrap_err().contains("no spec type"));
        assert!(sdk_type("object").unwrap_err().contains("no spec type"));
        assert!(sdk_type("datetime").unwrap_err().contains("unknown type"));
        assert!(sdk_type("list<>").is_err());
    }

    #[test]
    fn derived_names_skip_versions_and_placeholders() {
        assert_eq!(
            derived_name(HttpMethod::Post, "/v2/partners/sub-customers/query"),
            "PostPartnersSubCustomersQuery"
        );
        assert_eq!(
            derived_name(HttpMethod::Get, "/v1.0/{domain_id}/payments/intl-invoices"),
            "GetPaymentsIntlInvoices"
        );
        assert_eq!(
            derived_name(
                HttpMethod::Get,
                "/v2/orders/customer-orders/details/{order_id}"
            ),
            "GetOrdersCustomerOrdersDetails"
        );
    }
}
