//! The Tencent Cloud importer: the CAM authorization page and the API category page (each
//! in its markdown or plain-text form, one or more editions), the API definition JSON and
//! the examples JSON, merged into one [`TencentSpec`].
//!
//! Precedence, where sources overlap:
//! - title: the API definition's one-line name, else the category page's feature, else
//!   the CAM page's description;
//! - between editions of one page: the newest "last updated" stamp wins, undated editions
//!   rank below dated ones, ties keep the command-line order; every disagreement is kept
//!   in the action's `conflicts` and reported as a warning.

mod assemble;
mod cam_page;
mod category_page;
mod definition;
pub mod error_codes;
mod examples;
mod page_tables;
mod pagination;

use std::path::{Path, PathBuf};

use self::assemble::assemble;
use self::cam_page::{cam_page_from_text, read_cam_page, CamPage};
use self::category_page::{
    category_page_from_text, name_markdown_tables, read_category_page, CategoryPage,
};
use self::definition::{definition_from_text, read_definition, ReadDefinition};
use self::examples::{examples_from_text, read_examples, ReadExamples};
use super::Imported;
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{Spec, TencentSpec};

/// The vendor files a Tencent import reads.
#[derive(Debug, Clone)]
pub struct TencentInputs {
    /// Editions of the CAM authorization page (markdown or text form), at least one.
    pub cam_pages: Vec<PathBuf>,
    /// Editions of the API category page (markdown or text form), at least one.
    pub category_pages: Vec<PathBuf>,
    /// The API definition JSON.
    pub definition: PathBuf,
    /// The API examples JSON.
    pub examples: PathBuf,
}

/// Imports a Tencent service; `base` is the spec that was there (for pinned fields and
/// for naming the tables of a markdown category page, which shows no headings).
pub fn import_tencent(
    inputs: &TencentInputs,
    base: Option<&TencentSpec>,
) -> Result<Imported, Diagnostics> {
    let mut diags = Diagnostics::default();
    if inputs.cam_pages.is_empty() || inputs.category_pages.is_empty() {
        return Err(Diagnostic::error(
            "(command line)",
            "missing-input",
            "at least one CAM page and one API category page are needed",
        )
        .into());
    }
    let cam_pages: Vec<CamPage> = inputs
        .cam_pages
        .iter()
        .filter_map(|p| collect(&mut diags, read_cam_page(p)))
        .collect();
    let mut category_pages: Vec<CategoryPage> = inputs
        .category_pages
        .iter()
        .filter_map(|p| collect(&mut diags, read_category_page(p)))
        .collect();
    let definition = collect(&mut diags, read_definition(&inputs.definition));
    if diags.has_errors() {
        return Err(diags);
    }
    let definition = definition.expect("no errors means the definition was read");
    let examples = collect(&mut diags, read_examples(&inputs.examples, &definition));
    name_markdown_tables(&mut category_pages, base, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let examples = examples.expect("no errors means the examples were read");
    let spec = assemble(
        &cam_pages,
        &category_pages,
        &definition,
        examples,
        base,
        &mut diags,
    );
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Imported {
        spec: Spec::Tencent(spec),
        warnings: diags,
    })
}

/// Puts the service's error codes, read from the official Python SDK's `errorcodes.py` at
/// `path` (see [`error_codes`]), into an imported Tencent spec, replacing those it kept
/// from the spec that was there; its warnings join the import's.
pub fn with_error_codes(mut imported: Imported, path: &Path) -> Result<Imported, Diagnostics> {
    let (read, warnings) = error_codes::read_error_codes(path)?;
    let Spec::Tencent(spec) = &mut imported.spec else {
        return Err(Diagnostic::error(
            path.display().to_string(),
            "missing-input",
            "error codes are read into a Tencent spec",
        )
        .into());
    };
    error_codes::apply(spec, read);
    imported.warnings.0.extend(warnings.0);
    Ok(imported)
}

/// Which of the Tencent pages a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The CAM authorization page (markdown or text form).
    Cam,
    /// The API category page (markdown or text form).
    Category,
}

/// What the import takes from one input, read on its own (for tests and fuzzing: two
/// readings compare equal exactly when the import would take the same facts from them).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading(Read);

#[derive(Debug, Clone, PartialEq)]
enum Read {
    Cam(CamPage),
    Category(CategoryPage),
    Definition(ReadDefinition),
    Examples(ReadExamples),
}

/// Reads a page's text as the import does; `file` names it in diagnostics and sources.
pub fn read_page(kind: PageKind, file: &str, text: &str) -> Result<Reading, Diagnostics> {
    Ok(Reading(match kind {
        PageKind::Cam => Read::Cam(cam_page_from_text(file, file, text)?.0),
        PageKind::Category => Read::Category(category_page_from_text(file, file, text)?.0),
    }))
}

/// Reads an API definition's text as the import does.
pub fn read_definition_text(file: &str, text: &str) -> Result<Reading, Diagnostics> {
    Ok(Reading(Read::Definition(
        definition_from_text(file, file, text)?.0,
    )))
}

/// Reads an examples file's text as the import does, against a definition read by
/// [`read_definition_text`] (any other reading is an error).
pub fn read_examples_text(
    file: &str,
    text: &str,
    definition: &Reading,
) -> Result<Reading, Diagnostics> {
    let Reading(Read::Definition(definition)) = definition else {
        return Err(Diagnostic::error(
            file,
            "missing-input",
            "the examples are read against an API definition",
        )
        .into());
    };
    Ok(Reading(Read::Examples(
        examples_from_text(file, file, text, definition)?.0,
    )))
}

/// Moves the diagnostics of a reader into `diags`, returning its value if it had one.
fn collect<T>(diags: &mut Diagnostics, result: Result<(T, Diagnostics), Diagnostics>) -> Option<T> {
    match result {
        Ok((value, warnings)) => {
            diags.0.extend(warnings.0);
            Some(value)
        }
        Err(errors) => {
            diags.0.extend(errors.0);
            None
        }
    }
}

/// An action name that is not one, at `line` of `file`.
fn invalid_action_name(file: &str, line: impl Into<Option<usize>>, name: &str) -> Diagnostic {
    Diagnostic::error(
        file,
        "invalid-action-name",
        format!("`{name}` is not an action name (ASCII letters and digits, starting with a capital letter)"),
    )
    .at(line)
}

/// Whether `name` is an action (or type) name: ASCII letters and digits, starting with a
/// capital letter.
fn is_action_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}
