//! Diagnostics: every problem names its file, the line where one is known, the action or
//! operation it concerns, and the rule it broke.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input cannot be used; the command exits non-zero and writes nothing.
    Error,
    /// The input is usable but odd; the command reports it and goes on.
    Warning,
}

/// One problem found in an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the user named it.
    pub file: String,
    /// The 1-based line, where known.
    pub line: Option<usize>,
    /// The action, operation or type concerned, if any.
    pub subject: Option<String>,
    /// A short stable code for the rule, e.g. `duplicate-action`.
    pub rule: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(file: impl Into<String>, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            subject: None,
            rule,
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(
        file: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, rule, message)
        }
    }

    /// Sets the line (1-based); `None` keeps it unknown.
    pub fn at(mut self, line: impl Into<Option<usize>>) -> Self {
        self.line = line.into();
        self
    }

    /// Names the action, operation or type concerned.
    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}[{}]: ", self.rule)?;
        if let Some(subject) = &self.subject {
            write!(f, "{subject}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The diagnostics of one run, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Whether some diagnostic has this rule code.
    pub fn has_rule(&self, rule: &str) -> bool {
        self.0.iter().any(|d| d.rule == rule)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

/// The 1-based line of a byte offset in a text.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Finds the 1-based line of the `nth` (0-based) line whose trimmed content, after an
/// optional list dash, is `key: value` (the value optionally quoted). Spec files are
/// written by the importers in one canonical layout, so this finds hand-edited entries too
/// without a position-tracking YAML parser.
pub fn yaml_line_of(text: &str, key: &str, value: &str, nth: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_start();
            let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
            let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
                return false;
            };
            let rest = rest.trim();
            let unquoted = rest
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .or_else(|| rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
                .unwrap_or(rest);
            unquoted == value
        })
        .nth(nth)
        .map(|(index, _)| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_subject_and_rule() {
        let d = Diagnostic::error("spec/x.yaml", "qps-not-positive", "qps is 0")
            .at(12)
            .about("ForceQN");
        assert_eq!(
            d.to_string(),
            "spec/x.yaml:12: error[qps-not-positive]: ForceQN: qps is 0"
        );
    }

    #[test]
    fn yaml_lines_are_found_with_or_without_dash_and_quotes() {
        let text = "actions:\n- name: A\n  title: t\n- name: 'B'\n  name: A\n";
        assert_eq!(yaml_line_of(text, "name", "A", 0), Some(2));
        assert_eq!(yaml_line_of(text, "name", "B", 0), Some(4));
        assert_eq!(yaml_line_of(text, "name", "A", 1), Some(5));
        assert_eq!(yaml_line_of(text, "name", "C", 0), None);
    }
}
