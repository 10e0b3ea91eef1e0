//! Lines of nodes in a vendor JSON file, for diagnostics. serde_json gives positions for
//! syntax errors only; this parses the same text to an AST with ranges (jsonc-parser) and
//! answers "which line is `actions.Foo[1].output` on?".

use jsonc_parser::ast::Value;
use jsonc_parser::common::Ranged;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use crate::diag::{line_of_offset, Diagnostic};

/// How deep the vendor JSON files may nest objects and arrays. The real files nest 6
/// levels at most; the bound keeps every reader (serde's, jsonc-parser's, ours) far from
/// its stack's limit and turns a hostile file into an error with a line.
pub(crate) const MAX_JSON_DEPTH: usize = 64;

/// Checks, before any parser sees `text`, that its objects and arrays nest at most
/// [`MAX_JSON_DEPTH`] levels; the error names the line where the bound is passed. A scan
/// of the bytes, without recursion; brackets inside strings do not count.
pub(crate) fn check_depth(file: &str, text: &str, rule: &'static str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(Diagnostic::error(
                        file,
                        rule,
                        format!("objects and arrays nest deeper than {MAX_JSON_DEPTH} levels here"),
                    )
                    .at(line_of_offset(text, offset)));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'s> {
    /// An object key.
    Key(&'s str),
    /// An array index.
    Index(usize),
}

/// A parsed JSON text that can answer line questions.
pub(crate) struct JsonPositions<'t> {
    text: &'t str,
    root: Option<Value<'t>>,
}

impl<'t> JsonPositions<'t> {
    /// Parses `text`; a text that does not parse answers `None` to every question.
    pub(crate) fn new(text: &'t str) -> Self {
        let root = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
            .ok()
            .and_then(|r| r.value);
        Self { text, root }
    }

    /// The 1-based line where the node at `path` starts (for a key, the line of the key).
    pub(crate) fn line(&self, path: &[Step<'_>]) -> Option<usize> {
        let mut node = self.root.as_ref()?;
        let mut start = node.start();
        for step in path {
            match (step, node) {
                (Step::Key(key), Value::Object(object)) => {
                    let prop = object.get(key)?;
                    start = prop.range.start;
                    node = &prop.value;
                }
                (Step::Index(index), Value::Array(array)) => {
                    node = array.elements.get(*index)?;
                    start = node.start();
                }
                _ => return None,
            }
        }
        Some(line_of_offset(self.text, start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_bounded_outside_strings() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(check_depth("f", &ok, "r").is_ok());
        let in_string = format!("\"{}\\\"\"", "[".repeat(1000));
        assert!(check_depth("f", &in_string, "r").is_ok());
        let deep = format!("{{\n\"a\": {}", "[".repeat(100_000));
        let error = check_depth("f", &deep, "r").unwrap_err();
        assert_eq!((error.rule, error.line), ("r", Some(2)));
    }

    #[test]
    fn finds_lines_of_keys_and_elements() {
        let text = "{\n  \"a\": {\n    \"b\": [\n      1,\n      {\"c\": 2}\n    ]\n  }\n}";
        let pos = JsonPositions::new(text);
        assert_eq!(pos.line(&[Step::Key("a")]), Some(2));
        assert_eq!(pos.line(&[Step::Key("a"), Step::Key("b")]), Some(3));
        assert_eq!(
            pos.line(&[
                Step::Key("a"),
                Step::Key("b"),
                Step::Index(1),
                Step::Key("c")
            ]),
            Some(5)
        );
        assert_eq!(pos.line(&[Step::Key("missing")]), None);
        assert_eq!(JsonPositions::new("{").line(&[]), None);
    }
}
