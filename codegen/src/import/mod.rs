//! Importers: build a spec from the vendor's files, keep what a maintainer pinned, report
//! a changelog against the spec that was there, and write the file only when the whole
//! import succeeded.

pub mod huawei;
mod json_pos;
mod pages;
mod paging;
mod prose;
pub mod tencent;

pub use crate::pinned::{keep_pinned, Pinnable};

use std::fs;
use std::path::Path;

use crate::changelog::{diff, Changelog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::Spec;
use crate::specfile::{load_spec, parse_spec, to_yaml, write_atomically};

/// What an importer produced: the new spec and the warnings met on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The spec built from the inputs.
    pub spec: Spec,
    /// Warnings about the inputs (errors abort the import instead).
    pub warnings: Diagnostics,
}

/// Whether an import writes its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write the spec when its text changed.
    Write,
    /// Write nothing; report whether the spec is stale against its inputs.
    Check,
}

/// What `import_into` did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// Changes against the spec that was there.
    pub changelog: Changelog,
    /// Warnings of the inputs, then of validating the new spec.
    pub warnings: Diagnostics,
    /// Whether the imported text differs from the file's (a missing file differs).
    pub changed: bool,
    /// Whether the file was written (only in [`Mode::Write`], and only when changed).
    pub written: bool,
}

/// Runs an importer against the spec at `spec_path` (if there is one) and, in
/// [`Mode::Write`], writes the result there. On any error nothing is written and the
/// errors are returned.
pub fn import_into(
    spec_path: &Path,
    mode: Mode,
    importer: impl FnOnce(Option<&Spec>) -> Result<Imported, Diagnostics>,
) -> Result<ImportReport, Diagnostics> {
    let base = if spec_path.exists() {
        Some(load_spec(spec_path).map_err(|mut errs| {
            errs.push(Diagnostic::error(
                spec_path.display().to_string(),
                "base-spec-invalid",
                "the existing spec must load before a re-import can keep its pinned fields: fix it, or move it away to import afresh",
            ));
            errs
        })?)
    } else {
        None
    };
    let base_spec = base.as_ref().map(|b| &b.spec);
    let Imported { spec, mut warnings } = importer(base_spec)?;
    let text = to_yaml(&spec);
    // The new spec must pass the same validation every later load applies.
    let checked = parse_spec(&spec_path.display().to_string(), &text)?;
    warnings.0.extend(checked.warnings.0);
    let changelog = diff(base_spec, &spec);
    let changed = !fs::read_to_string(spec_path).is_ok_and(|old| old == text);
    let written = changed && mode == Mode::Write;
    if written {
        write_atomically(spec_path, &text).map_err(|err| {
            Diagnostic::error(
                spec_path.display().to_string(),
                "unwritable",
                format!("cannot write: {err}"),
            )
        })?;
    }
    Ok(ImportReport {
        changelog,
        warnings,
        changed,
        written,
    })
}

/// Vendor pages escape quotes inside table cells, sometimes several times over
/// (`partner\'s`, `agent\\\'s`): drop any run of backslashes before a quote.
pub fn unescape_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending = 0usize;
    for c in text.chars() {
        match c {
            '\\' => pending += 1,
            '\'' | '"' => {
                pending = 0;
                out.push(c);
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', pending));
                pending = 0;
                out.push(c);
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', pending));
    out
}

/// The file name of a path, for source records and diagnostics that must not depend on
/// where the docs live on this machine.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads a vendor file as text, with an error that names it.
pub fn read_input(path: &Path) -> Result<String, Diagnostics> {
    fs::read_to_string(path).map_err(|err| {
        Diagnostic::error(
            path.display().to_string(),
            "unreadable",
            format!("cannot read: {err}"),
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_lose_every_escaping_backslash() {
        assert_eq!(unescape_quotes(r"partner\'s"), "partner's");
        assert_eq!(unescape_quotes(r"agent\\\'s"), "agent's");
        assert_eq!(unescape_quotes(r#"say \"hi\""#), r#"say "hi""#);
        assert_eq!(unescape_quotes(r"C:\path\ and \\"), r"C:\path\ and \\");
    }
}
