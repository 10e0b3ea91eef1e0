//! What the saved forms of a vendor doc page have in common: markdown tables (cells
//! between pipes), "Last updated" stamps, and the site's closing matter after the content.

use crate::diag::{Diagnostic, Diagnostics};

/// Lines of the sites' closing matter (the feedback box under every doc page), in the UI
/// languages the pages are saved in. A page was saved whole only if one of them follows
/// its last table: a page cut anywhere before it lacks them, whatever its last line looks
/// like.
const CLOSING_LINES: &[&str] = &[
    "Was this page helpful?",
    "Feedback",
    "Help and support",
    "文档反馈",
    "帮助和支持",
    "피드백",
];

/// Whether a line belongs to the site's closing matter.
pub(crate) fn is_closing_line(line: &str) -> bool {
    CLOSING_LINES.contains(&line.trim())
}

/// Checks that a line of closing matter follows `after` (the 0-based index of the first
/// line after the page's last table), else reports the page as cut short at its last line.
pub(crate) fn check_closing_matter(
    file: &str,
    lines: &[&str],
    after: usize,
    diags: &mut Diagnostics,
) {
    if lines.iter().skip(after).any(|l| is_closing_line(l)) {
        return;
    }
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(1, |i| i + 1);
    diags.push(
        Diagnostic::error(
            file,
            "truncated-page",
            format!(
                "the page ends at line {last} without the site's closing matter after its last table (one of: {}): it was cut short; save it again",
                CLOSING_LINES.join(", ")
            ),
        )
        .at(last),
    );
}

/// One markdown table: its header cells and its rows, each with its 1-based line.
#[derive(Debug, Clone)]
pub(crate) struct MarkdownTable {
    pub header: Vec<String>,
    pub header_line: usize,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Whether a page was saved as markdown (tables of `| a | b |` rows with a `|---|` line)
/// rather than as plain text.
pub(crate) fn is_markdown(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("|---") || l.trim_start().starts_with("| ---"))
}

/// Splits a markdown table row into trimmed cells. `\|` inside a cell is a literal pipe.
pub(crate) fn markdown_cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_owned());
    cells
}

/// Every markdown table of a page, in page order.
pub(crate) fn markdown_tables(text: &str) -> Vec<MarkdownTable> {
    let lines: Vec<&str> = text.lines().collect();
    let mut tables = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let is_header = lines[i].trim_start().starts_with('|')
            && lines.get(i + 1).is_some_and(|next| {
                let next = next.trim();
                next.starts_with('|') && next.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
            });
        if !is_header {
            i += 1;
            continue;
        }
        let mut table = MarkdownTable {
            header: markdown_cells(lines[i]),
            header_line: i + 1,
            rows: Vec::new(),
        };
        i += 2;
        while i < lines.len() && lines[i].trim_start().starts_with('|') {
            // A header line right after a table starts the next table.
            let next_is_separator = lines
                .get(i + 1)
                .is_some_and(|n| n.trim_start().starts_with("|-"));
            if next_is_separator {
                break;
            }
            table.rows.push((i + 1, markdown_cells(lines[i])));
            i += 1;
        }
        tables.push(table);
    }
    tables
}

/// The "last updated" stamp a page shows, in English or Chinese UI, with its 1-based line.
pub(crate) fn last_updated(text: &str) -> Option<(usize, String)> {
    const LABELS: &[&str] = &["Last updated", "最后更新时间"];
    text.lines().enumerate().find_map(|(i, line)| {
        let line = line.trim();
        LABELS.iter().find_map(|label| {
            let rest = line.strip_prefix(label)?.trim_start();
            let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
            Some((i + 1, rest.trim().to_owned()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_matter_must_follow_the_last_table() {
        let lines = ["| a |", "Feedback", "| b |"];
        let mut diags = Diagnostics::default();
        check_closing_matter("f", &lines, 1, &mut diags);
        assert!(diags.0.is_empty());
        check_closing_matter("f", &lines, 2, &mut diags);
        assert_eq!(diags.0[0].rule, "truncated-page");
        assert_eq!(diags.0[0].line, Some(3));
        assert!(is_closing_line(" 文档反馈 "));
        assert!(!is_closing_line("Feed"));
    }

    #[test]
    fn cells_split_on_unescaped_pipes() {
        assert_eq!(markdown_cells("| a | b \\| c |  |"), ["a", "b | c", ""]);
    }

    #[test]
    fn tables_in_order_with_lines() {
        let text = "x\n| A | B |\n|---|---|\n| 1 | 2 |\n| A | B |\n|---|---|\n| 3 | 4 |\ntail\n";
        let tables = markdown_tables(text);
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0].rows, [(4, vec!["1".to_owned(), "2".to_owned()])]);
        assert_eq!(tables[1].header_line, 5);
        assert_eq!(tables[1].rows[0].0, 7);
    }

    #[test]
    fn last_updated_in_either_language() {
        assert_eq!(
            last_updated("a\nLast updated: 2025-08-06 09:09:24\n"),
            Some((2, "2025-08-06 09:09:24".into()))
        );
        assert_eq!(
            last_updated("最后更新时间：2026-02-10 10:38:50"),
            Some((1, "2026-02-10 10:38:50".into()))
        );
        assert_eq!(last_updated("nothing"), None);
    }
}
