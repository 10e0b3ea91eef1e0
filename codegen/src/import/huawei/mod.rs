//! Huawei Cloud Partner Center importer.
//!
//! The "API Access Permission (Partner)" page, saved from a browser as plain text, gives
//! every operation's route, scenario, permission actions and console path (`page.rs`).
//! Optionally the official Python SDK gives the operation names, each operation's request
//! parameters (path, query, header, body) and response, and the models they use:
//! `xtask/scripts/huawei_sdk_operations.py` prints them as JSON (`sdk.rs`). The page's rows
//! become the spec's operations (`operations.rs`), and with the models they reach, one spec
//! (`assemble.rs`).

mod assemble;
mod operations;
mod page;
mod pagination;
mod sdk;

use std::path::Path;

use self::page::{parse_page, PermissionPage};
use self::sdk::{read_sdk_operations, sdk_operations_from_text, SdkOperations};
use super::{read_input, Imported};
use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{HuaweiSpec, Spec};

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
    let sdk = sdk_operations.zip(sdk.flatten());
    let spec = assemble::assemble(page, parsed_page, sdk, base, &mut diagnostics);
    if diagnostics.has_errors() {
        return Err(errors_only(diagnostics));
    }
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
