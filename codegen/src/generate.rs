//! `cargo xtask codegen`: every spec under `spec/` to one crate each under `generated/`.
//!
//! All specs are loaded and validated and every file is produced in memory first; a spec
//! with errors stops the run before anything is written. Changed crates are then written
//! to a staging directory and swapped in whole, so `generated/` never holds half a crate.
//! `--check` compares instead of writing, and names each stale, missing or orphaned file.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{emit, Files};
use crate::specfile::{discover_specs, load_spec};

/// Every generated file, by path relative to `generated/`, for the specs under
/// `<root>/spec`; plus the warnings the specs raised.
pub fn plan(root: &Path) -> Result<(Files, Diagnostics), Diagnostics> {
    let spec_dir = root.join("spec");
    let paths = discover_specs(&spec_dir).map_err(|err| {
        Diagnostics::from(Diagnostic::error(
            spec_dir.display().to_string(),
            "unreadable",
            format!("cannot list specs: {err}"),
        ))
    })?;
    let mut files = Files::new();
    let mut warnings = Diagnostics::default();
    let mut errors = Diagnostics::default();
    for path in paths {
        let label = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string()
            .replace('\\', "/");
        match load_spec(&path) {
            Ok(loaded) => {
                warnings.0.extend(loaded.warnings.0);
                files.extend(emit(&label, &loaded.spec));
            }
            Err(diagnostics) => errors.0.extend(diagnostics.0),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok((files, warnings))
}

/// How `generated/` differs from the plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// The file's contents differ (a hand edit, or a spec change not regenerated).
    Stale(PathBuf),
    /// The plan has the file; `generated/` does not.
    Missing(PathBuf),
    /// `generated/` has a file no spec produces any more.
    Orphaned(PathBuf),
}

impl Drift {
    fn path(&self) -> &Path {
        match self {
            Drift::Stale(p) | Drift::Missing(p) | Drift::Orphaned(p) => p,
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, path) = match self {
            Drift::Stale(p) => ("stale", p),
            Drift::Missing(p) => ("missing", p),
            Drift::Orphaned(p) => ("orphaned", p),
        };
        write!(f, "{what}: generated/{}", path.display())
    }
}

/// Every difference between `<root>/generated` and `files`, sorted by path.
pub fn check(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    let generated = root.join("generated");
    let on_disk = list_files(&generated)?;
    let mut drift = Vec::new();
    for (path, contents) in files {
        match fs::read(generated.join(path)) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Stale(path.clone())),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(path.clone()))
            }
            Err(err) => return Err(err),
        }
    }
    for path in on_disk {
        if !files.contains_key(&path) {
            drift.push(Drift::Orphaned(path));
        }
    }
    drift.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(drift)
}

/// Files under `dir`, relative to it, skipping nothing (a stray file is an orphan).
fn list_files(dir: &Path) -> io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir)
                        .expect("listed below dir")
                        .to_path_buf(),
                );
            }
        }
    }
    Ok(out)
}

/// Brings `<root>/generated` in line with `files`: each crate directory with drift is
/// rebuilt in a staging directory (under `target/`, outside the workspace's member glob)
/// and swapped in whole; crate directories no spec produces are removed. Returns the drift
/// it repaired.
pub fn write(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    let drift = check(root, files)?;
    if drift.is_empty() {
        return Ok(drift);
    }
    let generated = root.join("generated");
    let crate_of = |path: &Path| {
        path.components()
            .next()
            .map(|c| PathBuf::from(c.as_os_str()))
    };
    let planned: BTreeSet<PathBuf> = files.keys().filter_map(|p| crate_of(p)).collect();
    let touched: BTreeSet<PathBuf> = drift.iter().filter_map(|d| crate_of(d.path())).collect();

    let staging = root
        .join("target")
        .join(format!("codegen-staging-{}", std::process::id()));
    let retired = staging.join(".retired");
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&retired)?;
    for (path, contents) in files
        .iter()
        .filter(|(p, _)| crate_of(p).is_some_and(|c| touched.contains(&c)))
    {
        let target = staging.join(path);
        fs::create_dir_all(target.parent().expect("files live in a crate directory"))?;
        fs::write(target, contents)?;
    }
    fs::create_dir_all(&generated)?;
    for krate in &touched {
        let live = generated.join(krate);
        if live.exists() {
            fs::rename(&live, retired.join(krate))?;
        }
        if planned.contains(krate) {
            fs::rename(staging.join(krate), &live)?;
        }
    }
    fs::remove_dir_all(&staging)?;
    Ok(drift)
}
