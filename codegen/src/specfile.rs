//! Reading, writing and finding spec files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{Provider, Spec};
use crate::validate::validate;

/// The first line of every spec file the importers write.
pub const HEADER: &str = "# Imported by `cargo xtask import`; see README.md. Fields named under `pinned` are hand-set and kept by re-imports.\n";

/// A spec that parsed and validated, with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The spec.
    pub spec: Spec,
    /// Validation warnings (no errors: a spec with errors does not load).
    pub warnings: Diagnostics,
}

/// Parses and validates spec text; `file` is used in diagnostics only.
///
/// The YAML is read strictly and within bounds (`yaml_options`): a key twice in one
/// mapping, nesting past [`MAX_YAML_DEPTH`] and alias expansion past its budget are
/// `malformed-spec` errors at their line, like any other YAML or type error.
pub fn parse_spec(file: &str, text: &str) -> Result<LoadedSpec, Diagnostics> {
    #[derive(Deserialize)]
    struct Probe {
        service: ProbeService,
    }
    #[derive(Deserialize)]
    struct ProbeService {
        provider: Provider,
    }

    let probe: Probe = read_yaml(file, text)?;
    let spec = match probe.service.provider {
        Provider::Tencentcloud => Spec::Tencent(read_yaml(file, text)?),
        Provider::Huaweicloud => Spec::Huawei(read_yaml(file, text)?),
    };
    let diagnostics = validate(file, text, &spec);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(LoadedSpec {
        spec,
        warnings: diagnostics,
    })
}

/// Reads `text` as one YAML document into `T` with [`yaml_options`]; any error is a
/// `malformed-spec` diagnostic at the line serde-saphyr reports.
fn read_yaml<'de, T: Deserialize<'de>>(file: &str, text: &'de str) -> Result<T, Diagnostic> {
    read_yaml_as(file, text, "malformed-spec")
}

/// [`read_yaml`] for other files the generator reads (release histories), with the
/// diagnostic's rule name.
pub(crate) fn read_yaml_as<'de, T: Deserialize<'de>>(
    file: &str,
    text: &'de str,
    rule: &'static str,
) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|err| {
        let line = err
            .location()
            .and_then(|at| usize::try_from(at.line()).ok());
        Diagnostic::error(file, rule, yaml_message(&err)).at(line)
    })
}

/// The error in words: serde-saphyr's own text, except where it names its options
/// (duplicate keys) or prints a debug structure (budgets).
fn yaml_message(err: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::granit_parser::ErrorKind;
    use serde_saphyr::{Error, ExternalMessageSource};

    let too_deep =
        || format!("the YAML nests mappings and sequences more than {MAX_YAML_DEPTH} deep");

    match err {
        Error::DuplicateMappingKey { key: Some(key), .. } => format!("duplicate key `{key}`"),
        Error::DuplicateMappingKey { key: None, .. } => "duplicate key".to_owned(),
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => too_deep(),
            BudgetBreach::Documents { .. } => {
                "a second YAML document: a spec is one document".to_owned()
            }
            BudgetBreach::Aliases { .. } => {
                format!("more than {MAX_ALIASES} aliases (`*name`)")
            }
            BudgetBreach::Anchors { .. } => {
                format!("more than {MAX_ALIASES} anchors (`&name`)")
            }
            _ => err.to_string(),
        },
        // The parser's own bound on flow collections (`[`, `{`), which it may meet while
        // scanning ahead, before the depth budget sees the collection.
        Error::ExternalMessage { source, .. }
            if matches!(&**source, ExternalMessageSource::Parser(scan)
                if matches!(scan.kind(), ErrorKind::RecursionLimitExceeded)) =>
        {
            too_deep()
        }
        _ => err.to_string(),
    }
}

/// The deepest nesting of mappings and sequences a spec may have, block or flow style.
/// The committed specs nest at most 6 deep; the bound keeps hostile input from exhausting
/// the stack or the parser's time.
pub const MAX_YAML_DEPTH: usize = 32;

/// The most aliases, and anchors, a spec may have. The writer emits none; a hand edit may
/// share a value or two.
const MAX_ALIASES: usize = 1_000;

/// How serde-saphyr reads a spec: strictly and within bounds.
///
/// - A key twice in one mapping is an error (serde_yaml, the earlier reader, kept the last).
/// - Merge keys (`<<`) and YAML 1.1 booleans (`yes`, `off`) are errors (serde_yaml merged
///   nothing and read `yes` as a string): the writer emits neither, and `required: yes` is
///   a typo, not `true`.
/// - Depth ([`MAX_YAML_DEPTH`], block and flow), aliases (count and replayed events: an
///   alias bomb stops early) and documents (one) are bounded. The node and event caps are
///   a backstop, far above the Tencent spec (12,213 nodes, 13,398 events) and the 100,000
///   types of a spec_hostile test (over a million nodes): without aliases both grow only
///   with the text's length.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        merge_keys: serde_saphyr::MergeKeyPolicy::Error,
        strict_booleans: true,
        // One-line messages: a diagnostic names the file and line itself.
        with_snippet: false,
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 8,
        },
        budget: serde_saphyr::budget! {
            max_depth: MAX_YAML_DEPTH,
            flow_nesting_limit: MAX_YAML_DEPTH,
            max_documents: 1,
            max_aliases: MAX_ALIASES,
            max_anchors: MAX_ALIASES,
            max_nodes: 10_000_000,
            max_events: 20_000_000,
        },
    }
}

/// Reads, parses and validates a spec file.
pub fn load_spec(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    let file = path.display().to_string();
    let text = fs::read_to_string(path)
        .map_err(|err| Diagnostic::error(&file, "unreadable", format!("cannot read: {err}")))?;
    parse_spec(&file, &text)
}

/// The canonical text of a spec: the header line, then the YAML.
pub fn to_yaml(spec: &Spec) -> String {
    let body = match spec {
        Spec::Tencent(spec) => serde_yaml::to_string(spec),
        Spec::Huawei(spec) => serde_yaml::to_string(spec),
    }
    .expect("spec types serialise to YAML");
    format!("{HEADER}{body}")
}

/// Where a service's spec lives under the spec directory.
pub fn spec_path(spec_dir: &Path, provider: Provider, service: &str) -> PathBuf {
    spec_dir
        .join(provider.as_str())
        .join(format!("{service}.yaml"))
}

/// Every `*.yaml` file one level below `spec_dir` (`spec/<provider>/<service>.yaml`),
/// sorted so that every command visits specs in the same order.
pub fn discover_specs(spec_dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for provider in fs::read_dir(spec_dir)? {
        let provider = provider?.path();
        if !provider.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&provider)? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes a file so that readers see either the old or the new contents, never half of
/// one: the text goes to a temporary file beside it (same directory, so same filesystem),
/// flushed to disk, which is then renamed over it. On any failure the temporary file is
/// removed (tempfile deletes it when dropped) and the old file is untouched; every error
/// names the path it happened at.
pub fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;

    let named = |doing: &str, at: &Path, err: io::Error| {
        io::Error::new(
            err.kind(),
            format!("cannot {doing} {}: {err}", at.display()),
        )
    };
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no file name", path.display()),
        )
    })?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|err| named("create", parent, err))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What `fs::write` gives a new file under the usual umask, not tempfile's 0600.
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(parent)
        .map_err(|err| named("create a temporary file in", parent, err))?;
    let tmp_path = tmp.path().to_path_buf();
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|err| named("write", &tmp_path, err))?;
    tmp.persist(path).map_err(|err| {
        // Dropping the returned file removes it.
        named(
            &format!("rename {} to", tmp_path.display()),
            path,
            err.error,
        )
    })?;
    Ok(())
}
