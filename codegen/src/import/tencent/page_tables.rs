//! What the readers of the two Tencent pages share: header, row and whole-page checks, and
//! reading the pages' fixed phrases (`Operation level`, `not supported`).

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::import::pages::{check_closing_matter, MarkdownTable};

/// Points the page's errors that concern no one line (a table or section it lacks) at its
/// last line, where the missing matter was due: every error of a page names a line.
pub(super) fn at_page_end(mut diags: Diagnostics, text: &str) -> Diagnostics {
    let last = text.lines().count().max(1);
    for diag in diags.0.iter_mut().filter(|d| d.line.is_none()) {
        diag.line = Some(last);
    }
    diags
}

/// The 0-based index of the first line after the last of `tables`.
pub(super) fn markdown_tables_end<'t>(
    tables: impl IntoIterator<Item = &'t MarkdownTable>,
) -> usize {
    tables
        .into_iter()
        .map(|t| t.rows.last().map_or(t.header_line + 1, |(line, _)| *line))
        .max()
        .unwrap_or(0)
}

/// A table without rows: the page lost them, or was cut right after the header.
pub(super) fn empty_table_error(file: &str, header_line: usize) -> Diagnostic {
    Diagnostic::error(
        file,
        "truncated-page",
        "the table has a header but no rows: its rows are missing",
    )
    .at(header_line)
}

/// Whether the text form's table header at 0-based `index` reads `expected` (its cells
/// joined by spaces); an error naming `what` (e.g. "product table") at its line otherwise.
pub(super) fn check_text_header(
    file: &str,
    lines: &[&str],
    index: usize,
    expected: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) -> Option<()> {
    let expected = expected.join(" ");
    if lines[index].trim() == expected {
        return Some(());
    }
    diags.push(
        Diagnostic::error(
            file,
            "table-header",
            format!("{what} header should read `{expected}`"),
        )
        .at(index + 1),
    );
    None
}

pub(super) fn check_header(
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

pub(super) fn row_width_error(
    file: &str,
    line: usize,
    found: usize,
    expected: usize,
) -> Diagnostic {
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
pub(super) fn check_page<'a>(
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
pub(super) fn page_title(lines: &[&str], stamp_line: usize) -> Option<String> {
    lines[..stamp_line.saturating_sub(1)]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.chars().count() >= 6)
        .map(str::to_owned)
}

/// Splits a known phrase (case-insensitive) off the end of `text`.
pub(super) fn strip_phrase_suffix<'t, T: Copy>(
    text: &'t str,
    phrases: &[(&str, T)],
) -> Option<(&'t str, T)> {
    let lower = text.to_lowercase();
    phrases.iter().find_map(|(phrase, value)| {
        let at = lower.strip_suffix(phrase)?.len();
        let rest = &text[..at];
        (rest.is_empty() || rest.ends_with(' ')).then(|| (rest.trim_end(), *value))
    })
}

pub(super) fn phrase<T: Copy>(
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
