//! The service's error codes, from the official Python SDK's `errorcodes.py`
//! (`tencentcloud/<service>/<version>/errorcodes.py` of `tencentcloud-sdk-python-intl-en`).
//!
//! The file is Python, but nothing here runs it or parses Python: it is read as lines, and
//! only two kinds are accepted, so a hostile or mangled file is an error at its line, never
//! code that runs:
//!
//! ```text
//! # The account balance is insufficient.
//! FAILEDOPERATION_BALANCEINSUFFICIENT = 'FailedOperation.BalanceInsufficient'
//! ```
//!
//! - comment lines (`#`), and blank lines;
//! - `NAME = 'Code'` at the start of a line: an upper-case Python name, one string literal
//!   (single or double quotes, no escapes) holding an error code. The comment lines right
//!   above it (no blank line between) are its description, joined into one line.
//!
//! Anything else (an indented line, another statement, a non-string value, a code that is
//! not `Word(.Word)*`), a code or a name given twice, a file over [`MAX_FILE_BYTES`] or
//! with more than [`MAX_CODES`] codes is an error. A code without a comment, a name that
//! is not the SDK's spelling of its code, and a description over
//! [`MAX_ERROR_DESCRIPTION`] characters (cut, with `...`) are warnings.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::import::file_name;
use crate::names::{is_error_code, MAX_ERROR_CODE_LEN};
use crate::spec::{shortened, ErrorCode, Source, SourceKind, TencentSpec};
use crate::validate::MAX_ERROR_DESCRIPTION;

/// The largest file read (the real one is under 10 KB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The most codes a file may hold (the real one has 69).
pub const MAX_CODES: usize = 10_000;

/// The codes of one `errorcodes.py`, sorted by code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCodesFile {
    /// The file name (no directory), as the spec's source records it.
    pub file: String,
    /// The codes, sorted by code.
    pub codes: Vec<ErrorCode>,
}

/// Reads `errorcodes.py` at `path`; errors (and warnings) name the file and line.
pub fn read_error_codes(path: &Path) -> Result<(ErrorCodesFile, Diagnostics), Diagnostics> {
    let shown = path.display().to_string();
    let unreadable = |err: std::io::Error| -> Diagnostics {
        Diagnostic::error(&shown, "unreadable", format!("cannot read: {err}")).into()
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // Read one byte past the bound, so a file that grows while read is caught too.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            &shown,
            "error-codes-too-large",
            format!("the file is larger than {MAX_FILE_BYTES} bytes; the SDK's errorcodes.py is a few KB"),
        )
        .into());
    }
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostics::from(
            Diagnostic::error(&shown, "error-codes-not-utf8", "the file is not UTF-8").at(line),
        )
    })?;
    let (codes, diagnostics) = error_codes_from_text(&shown, &text)?;
    Ok((
        ErrorCodesFile {
            file: file_name(path),
            codes,
        },
        diagnostics,
    ))
}

/// Reads the text of an `errorcodes.py`; `file` names it in diagnostics. The codes come
/// back sorted by code, with the warnings met.
pub fn error_codes_from_text(
    file: &str,
    text: &str,
) -> Result<(Vec<ErrorCode>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut codes: Vec<(ErrorCode, usize)> = Vec::new();
    let mut code_lines: HashMap<String, usize> = HashMap::new();
    let mut name_lines: HashMap<String, usize> = HashMap::new();
    // The comment lines right above the current line.
    let mut comment: Vec<&str> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let error =
            |rule: &'static str, message: String| Diagnostic::error(file, rule, message).at(number);
        let line = raw.trim_end();
        if line.is_empty() {
            comment.clear();
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            comment.push(rest.trim());
            continue;
        }
        let description = comment.join(" ");
        comment.clear();
        let Some((name, value)) = line.split_once('=') else {
            diags.push(error(
                "malformed-error-codes",
                format!(
                    "`{}` is neither a comment nor a `NAME = 'Code'` assignment (the only lines errorcodes.py holds)",
                    shortened(line)
                ),
            ));
            continue;
        };
        let name = name.trim_end();
        if !is_python_constant(name) {
            diags.push(error(
                "malformed-error-codes",
                format!(
                    "`{}` is not a `NAME = 'Code'` assignment: the name must be upper-case letters, digits and `_` at the start of the line",
                    shortened(line)
                ),
            ));
            continue;
        }
        let Some(code) = string_literal(value.trim()) else {
            diags.push(error(
                "error-code-not-a-string",
                format!(
                    "{name} is assigned `{}`, not one string literal without escapes",
                    shortened(value.trim())
                ),
            ));
            continue;
        };
        if !is_error_code(code) {
            diags.push(error(
                "invalid-error-code",
                format!(
                    "{name}: `{}` is not an error code (words of ASCII letters and digits, each starting with a letter, joined by `.`, at most {MAX_ERROR_CODE_LEN} bytes)",
                    shortened(code)
                ),
            ));
            continue;
        }
        if let Some(first) = name_lines.insert(name.to_owned(), number) {
            diags.push(error(
                "duplicate-error-code",
                format!("{name} is assigned again (first at line {first}): Python would keep only the last value"),
            ));
            continue;
        }
        if let Some(first) = code_lines.insert(code.to_owned(), number) {
            diags.push(
                error(
                    "duplicate-error-code",
                    format!("the code is listed again (first at line {first})"),
                )
                .about(code),
            );
            continue;
        }
        if codes.len() == MAX_CODES {
            return Err(error(
                "error-codes-too-many",
                format!("more than {MAX_CODES} error codes; the SDK's file has under a hundred"),
            )
            .into());
        }
        if name != sdk_name(code) {
            diags.push(
                Diagnostic::warning(
                    file,
                    "error-code-name",
                    format!("the SDK names this code `{}`, not `{name}`", sdk_name(code)),
                )
                .at(number)
                .about(code),
            );
        }
        let description = if description.is_empty() {
            diags.push(
                Diagnostic::warning(
                    file,
                    "error-code-undescribed",
                    "no comment above the code: it has no description",
                )
                .at(number)
                .about(code),
            );
            String::new()
        } else {
            one_line(&description, file, number, code, &mut diags)
        };
        codes.push((
            ErrorCode {
                code: code.to_owned(),
                description,
            },
            number,
        ));
    }
    if diags.has_errors() {
        return Err(Diagnostics(
            diags.0.into_iter().filter(Diagnostic::is_error).collect(),
        ));
    }
    if codes.is_empty() {
        return Err(Diagnostic::error(
            file,
            "no-error-codes",
            "the file assigns no error code: is it the SDK's errorcodes.py?",
        )
        .at(text.lines().count().max(1))
        .into());
    }
    let mut codes: Vec<ErrorCode> = codes.into_iter().map(|(code, _)| code).collect();
    codes.sort_by(|a, b| a.code.cmp(&b.code));
    Ok((codes, diags))
}

/// The description as the spec keeps it: whitespace runs made single spaces, control
/// characters dropped, at most [`MAX_ERROR_DESCRIPTION`] characters (cut with a warning).
fn one_line(text: &str, file: &str, line: usize, code: &str, diags: &mut Diagnostics) -> String {
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if flat.chars().count() <= MAX_ERROR_DESCRIPTION {
        return flat;
    }
    diags.push(
        Diagnostic::warning(
            file,
            "error-code-description-cut",
            format!("the description is over {MAX_ERROR_DESCRIPTION} characters: cut"),
        )
        .at(line)
        .about(code),
    );
    let cut: String = flat.chars().take(MAX_ERROR_DESCRIPTION - 3).collect();
    format!("{}...", cut.trim_end())
}

/// Whether `name` is an upper-case Python constant name, as the SDK writes them.
fn is_python_constant(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The content of a Python string literal `'...'` or `"..."` without escapes or other
/// quotes, and nothing after it.
fn string_literal(value: &str) -> Option<&str> {
    let quote = value.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let inner = value[1..].strip_suffix(quote)?;
    (!inner.contains(['\'', '"', '\\'])).then_some(inner)
}

/// The constant name the SDK gives a code: upper case, `.` as `_`.
fn sdk_name(code: &str) -> String {
    code.to_ascii_uppercase().replace('.', "_")
}

/// Puts the codes read from `read` into `spec`, and the file among its sources (replacing
/// any earlier error-codes source).
pub(crate) fn apply(spec: &mut TencentSpec, read: ErrorCodesFile) {
    spec.error_codes = read.codes;
    let sources = &mut spec.service.sources;
    sources.retain(|s| s.kind != SourceKind::SdkErrorCodes);
    sources.push(Source {
        kind: SourceKind::SdkErrorCodes,
        file: read.file,
        title: None,
        last_updated: None,
        version: None,
    });
    sources.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Vec<ErrorCode>, Diagnostics), Diagnostics> {
        error_codes_from_text("errorcodes.py", text)
    }

    fn errors(text: &str) -> Vec<String> {
        read(text)
            .expect_err("the file is refused")
            .0
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const HEADER: &str = "# -*- coding: utf8 -*-\n# Copyright (c) 2017-2025 Tencent. All Rights Reserved.\n#\n# Licensed under the Apache License.\n\n\n";

    #[test]
    fn codes_take_the_comment_above_and_come_back_sorted() {
        let text = format!(
            "{HEADER}# Operation failed.\nFAILEDOPERATION = 'FailedOperation'\n\n# The account balance is insufficient.\nFAILEDOPERATION_BALANCEINSUFFICIENT = \"FailedOperation.BalanceInsufficient\"\n\n# CAM signature/authentication error.\nAUTHFAILURE = 'AuthFailure'\n"
        );
        let (codes, warnings) = read(&text).unwrap();
        assert!(warnings.0.is_empty(), "{warnings}");
        let got: Vec<(&str, &str)> = codes
            .iter()
            .map(|c| (c.code.as_str(), c.description.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("AuthFailure", "CAM signature/authentication error."),
                ("FailedOperation", "Operation failed."),
                (
                    "FailedOperation.BalanceInsufficient",
                    "The account balance is insufficient."
                ),
            ]
        );
    }

    #[test]
    fn a_code_without_a_comment_is_kept_with_a_warning() {
        // The license block is separated by a blank line: it describes nothing.
        let text = format!("{HEADER}FAILEDOPERATION = 'FailedOperation'\n");
        let (codes, warnings) = read(&text).unwrap();
        assert_eq!(codes[0].description, "");
        assert_eq!(
            warnings.to_string(),
            "errorcodes.py:7: warning[error-code-undescribed]: FailedOperation: no comment above the code: it has no description\n"
        );
    }

    #[test]
    fn comment_lines_join_into_one_line() {
        let text = "# Too many\n#   requests.\nREQUESTLIMITEXCEEDED = 'RequestLimitExceeded'\n";
        assert_eq!(read(text).unwrap().0[0].description, "Too many requests.");
    }

    #[test]
    fn duplicate_codes_and_names_are_errors_at_their_lines() {
        let text = "# a\nA = 'A'\n# again\nA_ = 'A'\n# b\nB = 'B'\nB = 'B.C'\n";
        assert_eq!(
            errors(text),
            [
                "errorcodes.py:4: error[duplicate-error-code]: A: the code is listed again (first at line 2)",
                "errorcodes.py:7: error[duplicate-error-code]: B is assigned again (first at line 6): Python would keep only the last value",
            ]
        );
    }

    #[test]
    fn values_that_are_not_one_plain_string_are_errors() {
        for (value, shown) in [
            ("5", "`5`"),
            ("compute()", "`compute()`"),
            ("'A' + 'B'", "`'A' + 'B'`"),
            ("'A\\x41'", "`'A\\x41'`"),
            ("'''A'''", "`'''A'''`"),
            ("'A", "`'A`"),
        ] {
            let text = format!("# x\nA = {value}\n");
            assert_eq!(
                errors(&text),
                [format!(
                    "errorcodes.py:2: error[error-code-not-a-string]: A is assigned {shown}, not one string literal without escapes"
                )],
                "{value}"
            );
        }
    }

    #[test]
    fn other_python_is_an_error_at_its_line() {
        for line in [
            "import os",
            "    A = 'A'",
            "if True:",
            "a = 'A'",
            "A == 'A'",
            "A: str = 'A'",
            "exec(\"A = 'A'\")",
        ] {
            let text = format!("# ok\nB = 'B'\n{line}\n");
            let found = errors(&text);
            assert_eq!(found.len(), 1, "{line}: {found:?}");
            assert!(
                found[0].starts_with("errorcodes.py:3: error[")
                    && (found[0].contains("malformed-error-codes")
                        || found[0].contains("error-code-not-a-string")),
                "{line}: {found:?}"
            );
        }
    }

    #[test]
    fn codes_that_are_not_words_joined_by_dots_are_errors() {
        for code in ["", "A..B", "A.", "9A", "A B", "Fä", "A-B"] {
            let text = format!("X = '{code}'\n");
            let found = errors(&text);
            assert!(
                found.len() == 1 && found[0].contains("error[invalid-error-code]"),
                "{code}: {found:?}"
            );
        }
    }

    #[test]
    fn a_name_unlike_the_sdks_and_a_long_description_are_warned_about() {
        let long = "word ".repeat(100);
        let text = format!("# {long}\nOTHER = 'FailedOperation.X'\n");
        let (codes, warnings) = read(&text).unwrap();
        let rules: Vec<&str> = warnings.0.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["error-code-name", "error-code-description-cut"]);
        assert_eq!(codes[0].description.chars().count(), MAX_ERROR_DESCRIPTION);
        assert!(codes[0].description.ends_with("..."));
    }

    #[test]
    fn a_file_without_codes_is_an_error() {
        assert_eq!(
            errors("# only comments\n\n"),
            ["errorcodes.py:2: error[no-error-codes]: the file assigns no error code: is it the SDK's errorcodes.py?"]
        );
        assert_eq!(errors("").len(), 1);
    }

    #[test]
    fn too_many_codes_stop_the_read() {
        let text: String = (0..=MAX_CODES)
            .map(|i| format!("# c\nC{i} = 'C{i}'\n"))
            .collect();
        let found = errors(&text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("error[error-codes-too-many]"),
            "{found:?}"
        );
    }

    #[test]
    fn huge_and_non_utf8_files_are_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("errorcodes.py");
        let line = "# padding padding padding padding padding padding padding padding\n";
        std::fs::write(
            &huge,
            line.repeat((MAX_FILE_BYTES as usize / line.len()) + 1),
        )
        .unwrap();
        let err = read_error_codes(&huge).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: error[error-codes-too-large]", huge.display())),
            "{err}"
        );
        let latin1 = dir.path().join("latin1.py");
        std::fs::write(&latin1, b"# ok\nA = 'A'\n# caf\xe9\nB = 'B'\n").unwrap();
        let err = read_error_codes(&latin1).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "{}:3: error[error-codes-not-utf8]",
                latin1.display()
            )),
            "{err}"
        );
        let missing = dir.path().join("missing.py");
        let err = read_error_codes(&missing).unwrap_err().to_string();
        assert!(err.contains("error[unreadable]"), "{err}");
    }
}
