//! `cargo xtask codegen`: every spec under `spec/` to one crate each under `generated/`,
//! and the fixture specs under `tests/fixtures/specs/` to theirs under
//! `tests/fixtures/crates/` (a [`Tree`] each).
//!
//! All specs are loaded and validated and every file is produced in memory first; a spec
//! with errors stops the run before anything is written. Changed crates are then written
//! to a staging directory and swapped in whole, so `generated/` never holds half a crate.
//! `--check` compares instead of writing, and names each stale, missing or orphaned file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{crate_name, emit, Files};
use crate::release::{emit_released, history_path, load_history};
use crate::spec::Spec;
use crate::specfile::{discover_specs, load_spec};

/// Specs under one directory, each generated to one crate under another, both relative to
/// the checkout's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    /// `<specs>/<provider>/<service>.yaml`.
    pub specs: &'static str,
    /// `<crates>/<crate>/...`; it holds nothing else but codegen's [`WORK_DIR`].
    pub crates: &'static str,
    /// `<releases>/<crate>.yaml`: each crate's release history (see [`crate::release`]);
    /// a crate without one has never been released.
    pub releases: &'static str,
    /// Whether each program's name gets its crate's provider in front
    /// (`tencentcloud-demo-mock-server`): the fixture specs share a service name, and
    /// cargo puts the programs of one workspace side by side in its target directory.
    pub programs_named_by_provider: bool,
}

/// The crates users depend on: `spec/` to `generated/`.
pub const PRODUCT: Tree = Tree {
    specs: "spec",
    crates: "generated",
    releases: "releases",
    programs_named_by_provider: false,
};

/// The fixture specs' crates, committed like `generated/` and members of the workspace, so
/// the workspace build compiles them alongside the rest (one build of the dependencies)
/// and `cargo test --workspace` runs their tests.
pub const FIXTURES: Tree = Tree {
    specs: "tests/fixtures/specs",
    crates: "tests/fixtures/crates",
    releases: "tests/fixtures/releases",
    programs_named_by_provider: true,
};

/// Every generated file, by path relative to `generated/`, for the specs under
/// `<root>/spec`; plus the warnings the specs raised.
pub fn plan(root: &Path) -> Result<(Files, Diagnostics), Diagnostics> {
    plan_tree(root, PRODUCT)
}

/// [`plan`] for any tree: files by path relative to `<root>/<tree.crates>`. The emitted
/// manifests name the runtime as `../../runtime` (from `generated/<crate>`); in a deeper
/// tree that path is adjusted, and program names as the tree asks.
pub fn plan_tree(root: &Path, tree: Tree) -> Result<(Files, Diagnostics), Diagnostics> {
    let spec_dir = root.join(tree.specs);
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
    // Which spec each crate comes from: two specs of one crate would merge silently.
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
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
                let krate = crate_name(&loaded.spec);
                if let Some(first) = crates.insert(krate.clone(), label.clone()) {
                    errors.push(Diagnostic::error(
                        &label,
                        "duplicate-crate",
                        format!("generates the crate `{krate}`, as {first} does: one spec per provider and service name"),
                    ).about(loaded.spec.service().name.clone()));
                    continue;
                }
                let history_label = format!("{}/{krate}.yaml", tree.releases);
                let history = match load_history(
                    &history_path(&root.join(tree.releases), &krate),
                    &history_label,
                    &krate,
                ) {
                    Ok(history) => history,
                    Err(diagnostics) => {
                        errors.0.extend(diagnostics.0);
                        continue;
                    }
                };
                let emitted = emit_released(&label, &loaded.spec, &history_label, history.as_ref());
                files.extend(emitted.into_iter().map(|(path, text)| {
                    let text = if path.ends_with("Cargo.toml") {
                        adapt_manifest(&text, tree, &krate)
                    } else {
                        text
                    };
                    (path, text)
                }));
            }
            Err(diagnostics) => errors.0.extend(diagnostics.0),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    Ok((files, warnings))
}

/// A manifest emitted for `generated/<crate>` made right for `<tree.crates>/<crate>`: the
/// runtime's path, and the programs' names if the tree asks.
fn adapt_manifest(manifest: &str, tree: Tree, krate: &str) -> String {
    let up = "../".repeat(Path::new(tree.crates).components().count() + 1);
    let manifest = with_runtime_at(manifest, &format!("{up}runtime"));
    // Test fixtures are not for crates.io.
    let manifest = if tree == PRODUCT {
        manifest
    } else {
        manifest.replacen(
            "readme = \"README.md\"\n",
            "readme = \"README.md\"\npublish = false\n",
            1,
        )
    };
    if !tree.programs_named_by_provider {
        return manifest;
    }
    let provider = krate.split('-').next().unwrap_or(krate);
    manifest.replace(
        "[[bin]]\nname = \"",
        &format!("[[bin]]\nname = \"{provider}-"),
    )
}

/// A manifest emitted for `generated/<crate>` with the runtime's `path` set to `runtime`
/// (written as a TOML string).
fn with_runtime_at(manifest: &str, runtime: &str) -> String {
    let escaped = runtime.replace('\\', "\\\\").replace('"', "\\\"");
    manifest.replace("path = \"../../runtime\"", &format!("path = \"{escaped}\""))
}

/// How `generated/` (or another tree's crates) differs from the plan.
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

    /// `stale: <tree.crates>/<path>` (and `missing`, `orphaned`); `Display` is this for
    /// [`PRODUCT`].
    pub fn in_tree(&self, tree: Tree) -> String {
        let (what, path) = match self {
            Drift::Stale(p) => ("stale", p),
            Drift::Missing(p) => ("missing", p),
            Drift::Orphaned(p) => ("orphaned", p),
        };
        format!("{what}: {}/{}", tree.crates, path.display())
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_tree(PRODUCT))
    }
}

/// The directory under `generated/` that holds the lock and the staging directories. It
/// is on the same filesystem as the crates (so renames never fail with EXDEV), and the
/// workspace `exclude`s it from the `generated/*` member glob (cargo matches hidden names
/// too, and would fail on a directory without a manifest).
pub const WORK_DIR: &str = ".codegen";

/// An `io::Error` that names the path it happened at and what was being done.
fn at<'p>(path: &'p Path, doing: &'static str) -> impl FnOnce(io::Error) -> io::Error + 'p {
    move |err| {
        io::Error::new(
            err.kind(),
            format!("cannot {doing} {}: {err}", path.display()),
        )
    }
}

/// Every difference between `<root>/generated` and `files`, sorted by path.
pub fn check(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    check_tree(root, PRODUCT, files)
}

/// [`check`] for any tree.
pub fn check_tree(root: &Path, tree: Tree, files: &Files) -> io::Result<Vec<Drift>> {
    let generated = root.join(tree.crates);
    let on_disk = list_files(&generated)?;
    let mut drift = Vec::new();
    for (path, contents) in files {
        let live = generated.join(path);
        match fs::read(&live) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Stale(path.clone())),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(path.clone()))
            }
            Err(err) => return Err(at(&live, "read")(err)),
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

/// Files under `dir`, relative to it, skipping nothing (a stray file is an orphan) but
/// codegen's own [`WORK_DIR`].
fn list_files(dir: &Path) -> io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    let work = dir.join(WORK_DIR);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).map_err(at(&current, "list"))? {
            let path = entry.map_err(at(&current, "list"))?.path();
            if path == work {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                out.insert(relative.to_path_buf());
            }
        }
    }
    Ok(out)
}

/// Brings `<root>/generated` in line with `files`: each crate directory with drift is
/// rebuilt in a staging directory (`generated/.codegen/staging-<pid>`) and swapped in
/// whole; crate directories no spec produces are removed. Returns the drift it repaired.
///
/// - No gap: where the platform has an atomic exchange of two paths (Linux
///   `renameat2(RENAME_EXCHANGE)`, macOS `RENAME_SWAP`), the staged crate and the live
///   one trade places in one step, so `generated/<crate>` exists at every instant, old or
///   new. Elsewhere (or on a filesystem without it) each file is renamed over its live
///   copy one by one and orphans are removed after: the directory and its `Cargo.toml`
///   never go missing, though a crate killed mid-way may hold old and new files until the
///   next run (which `--check` would name).
/// - One run at a time: an exclusive lock on `generated/.codegen/lock`, held until the
///   end; leftovers of killed runs are removed under it.
/// - Nothing left behind: the staging directory is removed on success and on failure.
/// - Every I/O error names its path.
pub fn write(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    write_tree(root, PRODUCT, files)
}

/// [`write()`] for any tree (its lock and staging under `<tree.crates>/.codegen`).
pub fn write_tree(root: &Path, tree: Tree, files: &Files) -> io::Result<Vec<Drift>> {
    let generated = root.join(tree.crates);
    let work = generated.join(WORK_DIR);
    fs::create_dir_all(&work).map_err(at(&work, "create"))?;
    let lock_path = work.join("lock");
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(at(&lock_path, "open"))?;
    lock.lock().map_err(at(&lock_path, "lock"))?;
    for entry in fs::read_dir(&work).map_err(at(&work, "list"))? {
        let path = entry.map_err(at(&work, "list"))?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("staging-"))
        {
            fs::remove_dir_all(&path).map_err(at(&path, "remove the leftover"))?;
        }
    }
    let drift = check_tree(root, tree, files)?;
    if drift.is_empty() {
        return Ok(drift);
    }
    let staging = work.join(format!("staging-{}", std::process::id()));
    let result = stage_and_swap(&generated, &staging, files, &drift, exchange);
    let cleaned = match fs::remove_dir_all(&staging) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(at(&staging, "remove")(err)),
        _ => Ok(()),
    };
    // The lock is released when `lock` is dropped, after the cleanup.
    drop(lock);
    result?;
    cleaned?;
    Ok(drift)
}

fn crate_of(path: &Path) -> Option<PathBuf> {
    path.components()
        .next()
        .map(|c| PathBuf::from(c.as_os_str()))
}

/// `exchange` swaps two paths atomically, or says it cannot (`Ok(false)`).
type Exchange = fn(&Path, &Path) -> io::Result<bool>;

fn stage_and_swap(
    generated: &Path,
    staging: &Path,
    files: &Files,
    drift: &[Drift],
    exchange: Exchange,
) -> io::Result<()> {
    let planned: BTreeSet<PathBuf> = files.keys().filter_map(|p| crate_of(p)).collect();
    let touched: BTreeSet<PathBuf> = drift.iter().filter_map(|d| crate_of(d.path())).collect();
    fs::create_dir_all(staging).map_err(at(staging, "create"))?;
    let touched_files = files
        .iter()
        .filter(|(p, _)| crate_of(p).is_some_and(|c| touched.contains(&c)));
    for (path, contents) in touched_files.clone() {
        let target = staging.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(at(parent, "create"))?;
        }
        fs::write(&target, contents).map_err(at(&target, "write"))?;
    }
    for krate in &touched {
        let live = generated.join(krate);
        let staged = staging.join(krate);
        let live_exists = live.symlink_metadata().is_ok();
        if !planned.contains(krate) {
            // No spec makes this crate any more: move it out whole, then it goes with
            // the staging directory.
            fs::rename(&live, &staged).map_err(at(&live, "move away"))?;
        } else if !live_exists {
            fs::rename(&staged, &live).map_err(at(&live, "create"))?;
        } else if !exchange(&staged, &live).map_err(at(&live, "swap in"))? {
            let crate_files: Vec<&PathBuf> = touched_files
                .clone()
                .map(|(p, _)| p)
                .filter(|p| crate_of(p).as_ref() == Some(krate))
                .collect();
            update_in_place(generated, staging, krate, &crate_files)?;
        }
    }
    Ok(())
}

/// Swaps two paths atomically; `false` where this platform or filesystem cannot.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Kernels or filesystems without the flag.
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Swaps two paths atomically; `false` where this platform or filesystem cannot.
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// The fallback without an atomic exchange: each staged file is renamed over its live
/// copy, then files the plan no longer has are removed. The crate directory and its
/// manifest exist throughout.
fn update_in_place(
    generated: &Path,
    staging: &Path,
    krate: &Path,
    crate_files: &[&PathBuf],
) -> io::Result<()> {
    for path in crate_files {
        let live = generated.join(path);
        if let Some(parent) = live.parent() {
            fs::create_dir_all(parent).map_err(at(parent, "create"))?;
        }
        fs::rename(staging.join(path), &live).map_err(at(&live, "replace"))?;
    }
    let planned: BTreeSet<PathBuf> = crate_files
        .iter()
        .filter_map(|p| p.strip_prefix(krate).ok().map(Path::to_path_buf))
        .collect();
    let live_dir = generated.join(krate);
    for orphan in list_files(&live_dir)?.difference(&planned) {
        let path = live_dir.join(orphan);
        fs::remove_file(&path).map_err(at(&path, "remove"))?;
    }
    Ok(())
}

/// The crate generated from `spec` as a package that builds on its own, outside this
/// workspace: files by path relative to the crate's directory, its manifest naming the
/// runtime at `runtime_dir` (absolute, so the crate can sit anywhere), declaring its own
/// `[workspace]` and without `publish = false` (tools that look at publishable crates
/// only, like cargo-semver-checks, skip such a crate). The rest is [`emit`]'s output as
/// is; `cargo xtask semver-check` builds two of these, a baseline and a current one.
pub fn standalone_crate(spec_label: &str, spec: &Spec, runtime_dir: &Path) -> Files {
    let krate = crate_name(spec);
    emit(spec_label, spec)
        .into_iter()
        .filter_map(|(path, text)| {
            let relative = path.strip_prefix(&krate).ok()?.to_path_buf();
            let text = if relative == Path::new("Cargo.toml") {
                standalone_manifest(&text, runtime_dir)
            } else {
                text
            };
            Some((relative, text))
        })
        .collect()
}

fn standalone_manifest(manifest: &str, runtime_dir: &Path) -> String {
    let runtime = runtime_dir.to_string_lossy();
    let mut out: String = with_runtime_at(manifest, &runtime)
        .lines()
        .filter(|line| line.trim() != "publish = false")
        .flat_map(|line| [line, "\n"])
        .collect();
    out.push_str("\n# Built on its own, outside the generator's workspace.\n[workspace]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallback where no atomic exchange exists: files are replaced in place, new
    /// ones added, orphans removed, and the crate's manifest is there throughout.
    #[test]
    fn without_an_exchange_files_are_replaced_in_place() {
        let root = tempfile::tempdir().unwrap();
        let generated = root.path().join("generated");
        let live = generated.join("demo-crate");
        fs::create_dir_all(live.join("src")).unwrap();
        fs::write(live.join("Cargo.toml"), "old").unwrap();
        fs::write(live.join("src/gone.rs"), "orphan").unwrap();
        let mut files = Files::new();
        files.insert("demo-crate/Cargo.toml".into(), "new".into());
        files.insert("demo-crate/src/lib.rs".into(), "lib".into());
        let drift = check(root.path(), &files).unwrap();
        let staging = generated.join(WORK_DIR).join("staging-test");
        let cannot: Exchange = |_, _| Ok(false);
        stage_and_swap(&generated, &staging, &files, &drift, cannot).unwrap();
        assert_eq!(fs::read_to_string(live.join("Cargo.toml")).unwrap(), "new");
        assert_eq!(fs::read_to_string(live.join("src/lib.rs")).unwrap(), "lib");
        assert!(!live.join("src/gone.rs").exists());
        assert!(check(root.path(), &files).unwrap().is_empty());
    }

    #[test]
    fn manifests_are_adapted_to_their_tree() {
        let manifest = "[[bin]]\nname = \"demo-mock-server\"\n\n[dependencies]\n\
                        partnergen-runtime = { path = \"../../runtime\", version = \"0.1.0\" }\n";
        assert_eq!(
            adapt_manifest(manifest, PRODUCT, "huaweicloud-demo"),
            manifest
        );
        assert_eq!(
            adapt_manifest(manifest, FIXTURES, "huaweicloud-demo"),
            manifest
                .replace("../../runtime", "../../../../runtime")
                .replace("\"demo-mock-server", "\"huaweicloud-demo-mock-server")
        );
    }

    #[test]
    fn a_standalone_manifest_names_the_runtime_absolutely_and_is_its_own_workspace() {
        let manifest = "[package]\nname = \"x\"\npublish = false\n\n[dependencies]\n\
                        partnergen-runtime = { path = \"../../runtime\", version = \"0.1.0\" }\n";
        let out = standalone_manifest(manifest, Path::new("/abs/a \"q\"\\b/runtime"));
        assert_eq!(
            out,
            "[package]\nname = \"x\"\n\n[dependencies]\n\
             partnergen-runtime = { path = \"/abs/a \\\"q\\\"\\\\b/runtime\", version = \"0.1.0\" }\n\
             \n# Built on its own, outside the generator's workspace.\n[workspace]\n"
        );
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    fn the_exchange_swaps_two_directories() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("mark"), "a").unwrap();
        fs::write(b.join("mark"), "b").unwrap();
        // ext4, xfs, btrfs and tmpfs have it (this machine's ext4 does); on a filesystem
        // without it the answer is `false` and `write` falls back.
        if exchange(&a, &b).unwrap() {
            assert_eq!(fs::read_to_string(a.join("mark")).unwrap(), "b");
            assert_eq!(fs::read_to_string(b.join("mark")).unwrap(), "a");
        }
    }
}
