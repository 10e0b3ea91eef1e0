//! `cargo xtask semver-check OLD NEW`: the classifier's bump for a spec change, checked
//! against what cargo-semver-checks finds in the generated API.
//!
//! Both specs are generated to crates that build on their own
//! (`<target>/semver-check/<crate>/{baseline,current}`, see
//! [`standalone_crate`]), sharing one Cargo target directory
//! (`<target>/semver-check/target`, so their dependencies build once), and
//! cargo-semver-checks compares them with `--release-type patch`: every lint that fails
//! then names what the change needs, and the summary the bump it requires. That is
//! compared with the classifier's bump ([`changelog::diff`]):
//!
//! - the tool requires more than the classifier says (a break called additive or patch,
//!   an addition called patch): [`Agreement::UnderClassified`], the dangerous case, an
//!   error;
//! - the classifier says breaking and the tool sees no break: [`Agreement::OverClassified`],
//!   a note (the tool cannot see every break: a field's type, a wire name, a value);
//! - otherwise [`Agreement::Agree`] (an addition the tool has no lint for, such as a new
//!   variant of a `#[non_exhaustive]` enum, is noted).
//!
//! The pieces ([`check_specs`], [`find_tool`]) are callable from other commands.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use partnergen_codegen::changelog::{self, Changelog};
use partnergen_codegen::emit::crate_name;
use partnergen_codegen::generate::standalone_crate;
use partnergen_codegen::semver::Bump;
use partnergen_codegen::spec::Spec;

/// The cargo-semver-checks release this repository is checked with (its lints change
/// between releases). `.ci/run` installs it from the same file.
pub const TOOL_VERSION: &str = include_str!("../../.ci/cargo-semver-checks.version");

/// The pinned version, without the file's newline.
pub fn tool_version() -> &'static str {
    TOOL_VERSION.trim()
}

/// How to install the pinned tool where [`find_tool`] looks first.
pub fn install_hint() -> String {
    format!(
        "cargo install --locked --root target/tools cargo-semver-checks@{} \
         (what .ci/run does; a few minutes, once), or put that version on PATH",
        tool_version()
    )
}

/// Lints that are off by default and that we turn on (as errors) in the crates checked:
/// additions, so that an addition the classifier calls a patch is caught. Only in the
/// manifests of the checked copies, never in `generated/`.
const ADDITION_LINTS: &[&str] = &[
    "inherent_method_added",
    "inherent_associated_pub_const_added",
    "non_exhaustive_struct_added",
    "non_exhaustive_enum_added",
    "exhaustive_struct_added",
    "exhaustive_enum_added",
    "pub_const_added",
    "pub_static_added",
    "union_added",
];

/// Which features the crates are checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Features {
    /// All of them (the default): the whole public API, as docs.rs documents it. The
    /// generated crates' features only add API (client methods and paginators under
    /// `client`, mocks under `mock`, policies under `policy`), so this is the superset.
    All,
    /// Only these (`--features client,mock`).
    Only(Vec<String>),
}

impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Features::All => f.write_str("all features"),
            Features::Only(list) if list.is_empty() => f.write_str("no features"),
            Features::Only(list) => write!(f, "features {}", list.join(",")),
        }
    }
}

/// A lint cargo-semver-checks failed (or warned about), with the items it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// Its id (`enum_variant_missing`).
    pub name: String,
    /// A warning: reported, but it does not raise the required bump.
    pub warning: bool,
    /// Its one-line title (`pub enum variant removed or renamed`).
    pub title: String,
    /// The `Failed in:` lines.
    pub items: Vec<String>,
}

/// What cargo-semver-checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolFinding {
    /// The bump it requires: `Patch` when every check passed.
    pub requires: Bump,
    /// The lints that failed, then those that warned.
    pub lints: Vec<Lint>,
}

/// The classifier against the tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Same bump, or an addition the tool has no lint for.
    Agree,
    /// The tool requires more than the classifier says: a downstream build may break
    /// without the version saying so.
    UnderClassified,
    /// The classifier says breaking, the tool sees no break.
    OverClassified,
}

/// The result of one check.
#[derive(Debug)]
pub struct Outcome {
    /// `provider/service`.
    pub service: String,
    /// The crate checked.
    pub krate: String,
    /// The classified changes.
    pub changelog: Changelog,
    /// The classifier's bump (`Patch` when nothing changed).
    pub classifier: Bump,
    /// What cargo-semver-checks found.
    pub tool: ToolFinding,
    /// The features checked.
    pub features: Features,
}

impl Outcome {
    /// The classifier against the tool.
    pub fn agreement(&self) -> Agreement {
        agreement(self.classifier, self.tool.requires)
    }

    /// The report: the classifier's changes and bump, the tool's finding, the verdict.
    pub fn report(&self) -> String {
        let mut out = format!("{}: crate {}\n", self.service, self.krate);
        out.push_str(&format!(
            "classifier: {} ({})\n",
            self.classifier,
            self.classifier.under_zero()
        ));
        for line in self.changelog.to_string().lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str(&format!(
            "cargo-semver-checks {} ({}): ",
            tool_version(),
            self.features
        ));
        let failed = self.tool.lints.iter().filter(|l| !l.warning).count();
        let warned = self.tool.lints.len() - failed;
        if failed == 0 {
            out.push_str("pass (no lint failed");
        } else {
            out.push_str(&format!(
                "requires {} ({failed} lint(s) failed",
                self.tool.requires
            ));
        }
        out.push_str(&format!(", {warned} warned)\n"));
        {
            for lint in &self.tool.lints {
                let kind = if lint.warning { "warning" } else { "failure" };
                out.push_str(&format!("  {kind} {}: {}\n", lint.name, lint.title));
                for item in &lint.items {
                    out.push_str(&format!("    {item}\n"));
                }
            }
        }
        let verdict = match self.agreement() {
            Agreement::Agree if self.classifier > self.tool.requires => format!(
                "AGREE (note: the classifier's {} change shows in no lint: cargo-semver-checks \
                 has lints for some additions only, none for a new variant of a \
                 #[non_exhaustive] enum or a new field of a #[non_exhaustive] struct)",
                self.classifier
            ),
            Agreement::Agree => "AGREE".to_string(),
            Agreement::UnderClassified => format!(
                "DISAGREE: cargo-semver-checks requires a {} bump and the classifier says {}: \
                 the change is under-classified (a rule in codegen/src/semver.rs is missing \
                 or wrong)",
                self.tool.requires, self.classifier
            ),
            Agreement::OverClassified => format!(
                "DISAGREE (note, not an error): the classifier says breaking and \
                 cargo-semver-checks sees {}; it cannot see every break (a field's type, a \
                 wire name, a value), so the classifier's bump stands",
                match self.tool.requires {
                    Bump::Patch => "no API change".to_string(),
                    other => format!("a {other} change only"),
                }
            ),
        };
        out.push_str(&format!("verdict: {verdict}\n"));
        out
    }
}

/// The classifier's bump against the one the tool requires.
pub fn agreement(classifier: Bump, tool: Bump) -> Agreement {
    if tool > classifier {
        Agreement::UnderClassified
    } else if classifier == Bump::Major && tool != Bump::Major {
        Agreement::OverClassified
    } else {
        Agreement::Agree
    }
}

/// The cargo target directory of the checkout at `root` (`$CARGO_TARGET_DIR`, relative
/// to `root` when relative, else `<root>/target`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The pinned cargo-semver-checks: `<target>/tools/bin` (where `.ci/run` installs it),
/// else the first on PATH. An error says how to install it, or which versions were found
/// instead.
pub fn find_tool(root: &Path) -> Result<PathBuf> {
    let exe = format!("cargo-semver-checks{}", std::env::consts::EXE_SUFFIX);
    let mut candidates = vec![target_dir(root).join("tools").join("bin").join(&exe)];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join(&exe)));
    }
    let mut other_versions = Vec::new();
    for candidate in candidates.into_iter().filter(|c| c.is_file()) {
        let Ok(output) = Command::new(&candidate).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if version.split_whitespace().last() == Some(tool_version()) {
            return Ok(candidate);
        }
        other_versions.push(format!("{} ({version})", candidate.display()));
    }
    if other_versions.is_empty() {
        bail!(
            "cargo-semver-checks {} is not installed (looked in {} and on PATH): {}",
            tool_version(),
            target_dir(root).join("tools/bin").display(),
            install_hint()
        );
    }
    bail!(
        "cargo-semver-checks {} is needed (its lints differ between releases); found only {}: {}",
        tool_version(),
        other_versions.join(", "),
        install_hint()
    )
}

/// Checks the change from `old` to `new` (two editions of one service; the labels name
/// them in the generated files' headers): generates both crates, runs the tool (found
/// with [`find_tool`]) and returns the comparison. An error when the tool is missing or
/// cannot run (a generated crate that does not build: its output is in the error).
pub fn check_specs(
    root: &Path,
    (old_label, old): (&str, &Spec),
    (new_label, new): (&str, &Spec),
    features: &Features,
) -> Result<Outcome> {
    let krate = crate_name(new);
    if crate_name(old) != krate {
        bail!(
            "{old_label} generates the crate {} and {new_label} {krate}: a check compares two \
             editions of one crate",
            crate_name(old)
        );
    }
    let tool = find_tool(root)?;
    let work = target_dir(root).join("semver-check");
    let crate_dir = work.join(&krate);
    fs::create_dir_all(&crate_dir)
        .with_context(|| format!("cannot create {}", crate_dir.display()))?;
    // Two checks of one crate at once (parallel tests) would write each other's sources.
    let lock_path = crate_dir.join("lock");
    let lock = fs::File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    // Its real path: cargo finds the runtime's workspace (whose keys its manifest
    // inherits) above where it really is, not above a link to it.
    let runtime = root.join("runtime");
    let runtime = runtime.canonicalize().unwrap_or(runtime);
    let baseline = crate_dir.join("baseline");
    let current = crate_dir.join("current");
    write_crate(&baseline, &standalone_crate(old_label, old, &runtime))?;
    write_crate(&current, &standalone_crate(new_label, new, &runtime))?;
    let tool = run_tool(&tool, &work.join("target"), &baseline, &current, features)?;
    drop(lock);
    let changelog = changelog::diff(Some(old), new);
    let classifier = changelog.bump().unwrap_or(Bump::Patch);
    let service = new.service();
    Ok(Outcome {
        service: format!("{}/{}", service.provider.as_str(), service.name),
        krate,
        changelog,
        classifier,
        tool,
        features: features.clone(),
    })
}

/// Writes the crate's files into `dir`, leaving files whose contents are the same
/// untouched (so cargo does not rebuild what did not change) and removing any others.
fn write_crate(dir: &Path, files: &partnergen_codegen::emit::Files) -> Result<()> {
    let manifest = files
        .get(Path::new("Cargo.toml"))
        .context("the generated crate has no Cargo.toml")?;
    let manifest = with_addition_lints(manifest);
    let mut planned = std::collections::BTreeSet::new();
    for (path, text) in files {
        let text = if path == Path::new("Cargo.toml") {
            &manifest
        } else {
            text
        };
        let target = dir.join(path);
        planned.insert(target.clone());
        if fs::read(&target).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&target, text).with_context(|| format!("cannot write {}", target.display()))?;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in
            fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if !planned.contains(&path) {
                // Cargo's lock file is the only file of our own making we keep.
                if path != dir.join("Cargo.lock") {
                    fs::remove_file(&path)
                        .with_context(|| format!("cannot remove {}", path.display()))?;
                }
            }
        }
    }
    Ok(())
}

/// The manifest with [`ADDITION_LINTS`] turned on.
fn with_addition_lints(manifest: &str) -> String {
    let mut table = String::from(
        "\n# Additions are linted too, so that one the classifier calls a patch is caught.\n\
         [package.metadata.cargo-semver-checks.lints]\n",
    );
    for lint in ADDITION_LINTS {
        table.push_str(&format!("{lint} = \"deny\"\n"));
    }
    // A table header names its whole path, so it may come after `[workspace]`.
    format!("{manifest}{table}")
}

/// Runs `cargo-semver-checks check-release` on the two crates and reads its verdict.
fn run_tool(
    tool: &Path,
    target: &Path,
    baseline: &Path,
    current: &Path,
    features: &Features,
) -> Result<ToolFinding> {
    let mut command = Command::new(tool);
    command
        .args(["semver-checks", "check-release", "--color", "never"])
        .arg("--manifest-path")
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(baseline)
        // The strictest release type: every lint that fails is reported, and the summary
        // names the bump the change needs.
        .args(["--release-type", "patch"])
        .env("CARGO_TARGET_DIR", target);
    match features {
        Features::All => {
            command.arg("--all-features");
        }
        Features::Only(list) => {
            command.arg("--only-explicit-features");
            for feature in list {
                command.args(["--features", feature]);
            }
        }
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", tool.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match parse_output(&stdout, &stderr) {
        Some(finding) => Ok(finding),
        None => bail!(
            "cargo-semver-checks could not check {} against {} ({}); its output:\n{}{}",
            current.display(),
            baseline.display(),
            output.status,
            stdout,
            stderr
        ),
    }
}

/// The tool's finding from its output, or `None` when it did not get as far as a summary
/// (a crate that does not build, a bad flag).
pub fn parse_output(stdout: &str, stderr: &str) -> Option<ToolFinding> {
    let summary = stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .find_map(|line| line.strip_prefix("Summary "))?;
    let requires = if summary.starts_with("semver requires new major version") {
        Bump::Major
    } else if summary.starts_with("semver requires new minor version") {
        Bump::Minor
    } else if summary.starts_with("no semver update required") {
        Bump::Patch
    } else {
        return None;
    };
    let mut lints = Vec::new();
    let mut in_items = false;
    for line in stdout.lines() {
        let header = |kind: &str| {
            line.strip_prefix(kind)
                .and_then(|h| h.strip_suffix(" ---"))
                .map(|h| h.split_once(": ").unwrap_or((h, "")))
        };
        let failure = header("--- failure ");
        if let Some(((name, title), warning)) = failure
            .map(|f| (f, false))
            .or_else(|| header("--- warning ").map(|w| (w, true)))
        {
            lints.push(Lint {
                name: name.to_string(),
                warning,
                title: title.to_string(),
                items: Vec::new(),
            });
            in_items = false;
        } else if line.starts_with("Failed in:") {
            in_items = true;
        } else if in_items && line.starts_with("  ") && !line.trim().is_empty() {
            // The tool names an item once per path it is reachable by (`crate::X` and
            // `crate::module::X`), with the same text.
            let item = line.trim().to_string();
            if let Some(lint) = lints.last_mut().filter(|l| !l.items.contains(&item)) {
                lint.items.push(item);
            }
        } else if line.trim().is_empty() {
            in_items = false;
        }
    }
    lints.sort_by_key(|lint| lint.warning);
    Some(ToolFinding { requires, lints })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: &str = "
--- failure enum_variant_missing: pub enum variant removed or renamed ---

Description:
A publicly-visible enum has at least one variant that is no longer available under its prior name.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove

Failed in:
  variant Action::MatchCustomers, previously in file /t/baseline/src/actions.rs:14
  variant Action::MatchCustomers, previously in file /t/baseline/src/actions.rs:14

--- warning partial_ord_enum_variants_reordered: enum variants reordered in #[derive(PartialOrd)] enum ---

Failed in:
  Action::QueryT1UIN moved from position 4 to 3, in /t/current/src/actions.rs:14

--- failure inherent_method_missing: pub method removed or renamed ---

Failed in:
  Client::match_customers, previously in file /t/baseline/src/client.rs:80
  Client::other, previously in file /t/baseline/src/client.rs:90
";

    #[test]
    fn failed_lints_and_the_required_bump_are_read_from_the_output() {
        let stderr = "     Checked [   0.029s] 229 checks: 227 pass, 2 fail, 0 warn, 31 skip\n\n     \
                      Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        let finding = parse_output(FAILED, stderr).unwrap();
        assert_eq!(finding.requires, Bump::Major);
        let names: Vec<&str> = finding.lints.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "enum_variant_missing",
                "inherent_method_missing",
                "partial_ord_enum_variants_reordered"
            ]
        );
        assert_eq!(
            finding.lints[0].title,
            "pub enum variant removed or renamed"
        );
        assert_eq!(finding.lints[1].items.len(), 2);
        assert_eq!(
            finding.lints[0].items.len(),
            1,
            "a repeated item is named once"
        );
        assert_eq!(
            (finding.lints[2].name.as_str(), finding.lints[2].warning),
            ("partial_ord_enum_variants_reordered", true)
        );
        assert!(finding.lints[0].items[0].starts_with("variant Action::MatchCustomers"));
    }

    #[test]
    fn a_pass_and_a_minor_bump() {
        let pass = parse_output("", "     Summary no semver update required\n").unwrap();
        assert_eq!((pass.requires, pass.lints.len()), (Bump::Patch, 0));
        let minor = parse_output(
            "",
            "Summary semver requires new minor version: 0 major and 1 minor checks failed",
        )
        .unwrap();
        assert_eq!(minor.requires, Bump::Minor);
    }

    #[test]
    fn output_without_a_summary_is_a_failure_to_run() {
        assert_eq!(
            parse_output("", "error: running cargo-doc on crate failed\n"),
            None
        );
    }

    #[test]
    fn under_classification_is_the_only_error() {
        use Agreement::*;
        use Bump::*;
        assert_eq!(agreement(Major, Major), Agree);
        assert_eq!(agreement(Minor, Minor), Agree);
        assert_eq!(agreement(Patch, Patch), Agree);
        assert_eq!(agreement(Minor, Patch), Agree);
        assert_eq!(agreement(Patch, Minor), UnderClassified);
        assert_eq!(agreement(Minor, Major), UnderClassified);
        assert_eq!(agreement(Patch, Major), UnderClassified);
        assert_eq!(agreement(Major, Minor), OverClassified);
        assert_eq!(agreement(Major, Patch), OverClassified);
    }

    #[test]
    fn the_addition_lints_are_turned_on() {
        let out = with_addition_lints("[package]\nname = \"x\"\n\n[workspace]\n");
        assert!(
            out.starts_with("[package]\nname = \"x\"\n\n[workspace]\n\n# Additions"),
            "{out}"
        );
        assert!(
            out.contains(
                "[package.metadata.cargo-semver-checks.lints]\ninherent_method_added = \"deny\"\n"
            ),
            "{out}"
        );
    }
}
