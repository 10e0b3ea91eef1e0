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
pub fn parse_spec(file: &str, text: &str) -> Result<LoadedSpec, Diagnostics> {
    #[derive(Deserialize)]
    struct Probe {
        service: ProbeService,
    }
    #[derive(Deserialize)]
    struct ProbeService {
        provider: Provider,
    }

    let yaml_error = |err: serde_yaml::Error| {
        let line = err.location().map(|l| l.line());
        Diagnostic::error(file, "malformed-spec", err.to_string()).at(line)
    };
    let probe: Probe = serde_yaml::from_str(text).map_err(yaml_error)?;
    let spec = match probe.service.provider {
        Provider::Tencentcloud => Spec::Tencent(serde_yaml::from_str(text).map_err(yaml_error)?),
        Provider::Huaweicloud => Spec::Huawei(serde_yaml::from_str(text).map_err(yaml_error)?),
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
/// one: the text goes to a temporary file beside it, which is then renamed over it.
pub fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    fs::write(&tmp, contents)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}
