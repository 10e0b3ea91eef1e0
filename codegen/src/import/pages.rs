//! What the two saved forms of a vendor doc page have in common: markdown tables (cells
//! between pipes) and "Last updated" stamps.

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
