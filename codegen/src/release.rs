//! Releases of the generated crates: each crate's history (`releases/<crate>.yaml`), the
//! next release derived from it, and the crate's `CHANGELOG.md`.
//!
//! A history lists the crate's releases, newest first. Each records its version and date,
//! its bump, the edition of the vendor's docs its spec was imported from, the spec's hashes
//! (sha256, and git's blob id, by which `cargo xtask release` finds the released spec in
//! the history of the checkout), the versions of the generator and the runtime, a hash of
//! the generated files, and the lines of its changelog entry.
//!
//! `cargo xtask codegen` reads the history: the crate's version is the newest release's
//! and `CHANGELOG.md` is rendered from it, so regenerating changes nothing. `cargo xtask
//! release` proposes the next release ([`propose`]): the spec's changes since the last
//! release, classified ([`crate::semver`]), and the generator's and the runtime's own
//! version changes where the generated files changed without the spec.

use std::fmt;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::changelog::{diff, shorten_pair, Change, Changelog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::emit::{crate_name, emit, emit_versioned, header_text, Files};
use crate::semver::Class;
use crate::spec::Spec;
use crate::specfile::read_yaml_as;

/// The generator's version, recorded with each release: a release of the generator that
/// changes what it emits bumps the generated crates too.
pub const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");

pub use crate::emit::FIRST_VERSION;

/// The runtime's version, which the generated crates require (see [`Release::runtime`]).
pub const RUNTIME_VERSION: &str = partnergen_runtime::VERSION;

/// The first line of every history file.
pub const HISTORY_HEADER: &str = "# Written by `cargo xtask release`; `cargo xtask codegen` reads it for the crate's version and CHANGELOG.md. Newest release first.\n";

/// The largest history file read (a crate with a release a day for decades stays far below).
const MAX_HISTORY_BYTES: u64 = 8 << 20;

/// The longest changelog line a history may hold (the release command shortens values).
const MAX_LINE_CHARS: usize = 2_000;

/// One crate's releases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The crate's package name.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its releases, newest first.
    #[serde(default)]
    pub releases: Vec<Release>,
}

/// What a release was, next to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseKind {
    /// The crate's first release.
    First,
    /// Patch-level changes only: docs, table data, run-time behaviour.
    Patch,
    /// New API only.
    Additive,
    /// Code that built against the release before may not build.
    Breaking,
}

impl ReleaseKind {
    /// The kind of a release with changes of `class`.
    pub fn of(class: Class) -> Self {
        match class {
            Class::Patch => ReleaseKind::Patch,
            Class::Additive => ReleaseKind::Additive,
            Class::Breaking => ReleaseKind::Breaking,
        }
    }

    /// The spelling in histories and changelogs.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseKind::First => "first",
            ReleaseKind::Patch => "patch",
            ReleaseKind::Additive => "additive",
            ReleaseKind::Breaking => "breaking",
        }
    }
}

impl fmt::Display for ReleaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One release of a generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Its version, `x.y.z`.
    pub version: String,
    /// The day it was made, `YYYY-MM-DD`.
    pub date: String,
    /// What kind of release it is.
    pub bump: ReleaseKind,
    /// The edition of the vendor's docs the spec was imported from (see [`edition`]).
    pub edition: String,
    /// The spec's path in the checkout.
    pub spec: String,
    /// sha256 of the spec file, hex.
    pub spec_sha256: String,
    /// git's blob id of the spec file (sha1 of `blob <len>\0<bytes>`), hex: where `cargo
    /// xtask release` finds this spec again (`git cat-file blob <id>`).
    pub spec_git_blob: String,
    /// The version of partnergen-codegen that generated it.
    pub generator: String,
    /// The version of partnergen-runtime it required.
    pub runtime: String,
    /// sha256 over the generated files (see [`generated_sha256`]).
    pub generated_sha256: String,
    /// What it added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// What it changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// What it removed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// A version as histories spell it: `x.y.z`, no pre-release or build part.
fn parse_version(text: &str) -> Result<semver::Version, String> {
    let version = semver::Version::parse(text).map_err(|err| format!("`{text}`: {err}"))?;
    if !version.pre.is_empty() || !version.build.is_empty() {
        return Err(format!(
            "`{text}`: a release version is `x.y.z`, without a pre-release or build part"
        ));
    }
    Ok(version)
}

/// The version after `version` for a release of `class`, by cargo's reading of semver:
/// before 1.0 a breaking change bumps the minor and anything else the patch.
pub fn next_version(version: &semver::Version, class: Class) -> semver::Version {
    let (major, minor, patch) = (version.major, version.minor, version.patch);
    let (major, minor, patch) = match (class, major) {
        (Class::Breaking, 0) => (0, minor + 1, 0),
        (_, 0) => (0, minor, patch + 1),
        (Class::Breaking, _) => (major + 1, 0, 0),
        (Class::Additive, _) => (major, minor + 1, 0),
        (Class::Patch, _) => (major, minor, patch + 1),
    };
    semver::Version::new(major, minor, patch)
}

/// What moving a dependency from `old` to `new` means for the crates that depend on it:
/// none when equal, breaking when cargo reads the two as incompatible.
fn version_change(old: &semver::Version, new: &semver::Version) -> Option<Class> {
    if old == new {
        None
    } else if old.major != new.major || (old.major == 0 && old.minor != new.minor) {
        Some(Class::Breaking)
    } else if old.minor != new.minor {
        Some(Class::Additive)
    } else {
        Some(Class::Patch)
    }
}

/// The docs edition of a spec, in one line: each source with its stamp (the date a page
/// shows, the version a file declares), then the undated ones by name, but for another
/// form of a page already dated (the markdown form beside the dated text form).
pub fn edition(spec: &Spec) -> String {
    let sources = &spec.service().sources;
    let stamp = |source: &crate::spec::Source| match (&source.last_updated, &source.version) {
        (Some(date), _) => Some(format!("{} of {date}", source.file)),
        (None, Some(version)) => Some(format!("{} version {version}", source.file)),
        (None, None) => None,
    };
    let dated: Vec<String> = sources.iter().filter_map(stamp).collect();
    let undated: Vec<&str> = sources
        .iter()
        .filter(|s| stamp(s).is_none())
        .filter(|s| {
            !sources
                .iter()
                .any(|o| o.kind == s.kind && stamp(o).is_some())
        })
        .map(|s| s.file.as_str())
        .collect();
    match (dated.is_empty(), undated.is_empty()) {
        (true, true) => "no sources recorded".to_owned(),
        (false, true) => dated.join(", "),
        (true, false) => format!("undated: {}", undated.join(", ")),
        (false, false) => format!("{}; undated: {}", dated.join(", "), undated.join(", ")),
    }
}

/// sha256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// git's blob id of a file holding `bytes`: what `git hash-object` prints.
pub fn git_blob_id(bytes: &[u8]) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(format!("blob {}\0", bytes.len()).as_bytes());
    sha.update(bytes);
    sha.digest().to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 over the files generated from `spec` as if it had no history (so the hash does
/// not move with the version it records): each path and text, in path order.
pub fn generated_sha256(spec_label: &str, spec: &Spec) -> String {
    use sha2::Digest;
    let mut sha = sha2::Sha256::new();
    for (path, text) in emit(spec_label, spec) {
        let path = path.to_string_lossy().replace('\\', "/");
        sha.update((path.len() as u64).to_le_bytes());
        sha.update(path.as_bytes());
        sha.update((text.len() as u64).to_le_bytes());
        sha.update(text.as_bytes());
    }
    hex(&sha.finalize())
}

/// A history's path: `<releases dir>/<crate>.yaml`.
pub fn history_path(releases_dir: &Path, krate: &str) -> std::path::PathBuf {
    releases_dir.join(format!("{krate}.yaml"))
}

/// Reads and checks the history of `krate` at `path`; none when the file does not exist
/// (a crate never released). `label` names the file in diagnostics.
pub fn load_history(path: &Path, label: &str, krate: &str) -> Result<Option<History>, Diagnostics> {
    let error =
        |message: String| Diagnostics::from(Diagnostic::error(label, "bad-history", message));
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(error(format!("cannot read: {err}"))),
    };
    if meta.len() > MAX_HISTORY_BYTES {
        return Err(error(format!(
            "{} bytes: a history is at most {MAX_HISTORY_BYTES}",
            meta.len()
        )));
    }
    let text = fs::read_to_string(path).map_err(|err| error(format!("cannot read: {err}")))?;
    parse_history(label, &text, krate).map(Some)
}

/// Parses and checks history text (see [`load_history`]).
pub fn parse_history(label: &str, text: &str, krate: &str) -> Result<History, Diagnostics> {
    let history: History = read_yaml_as(label, text, "bad-history")?;
    let errors = check_history(&history, krate);
    if errors.is_empty() {
        Ok(history)
    } else {
        Err(Diagnostics(
            errors
                .into_iter()
                .map(|(about, message)| {
                    Diagnostic::error(label, "bad-history", message).about(about)
                })
                .collect(),
        ))
    }
}

/// Every way `history` is not a valid history of `krate`: (the release it is about,
/// message).
fn check_history(history: &History, krate: &str) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if history.krate != krate {
        errors.push((
            history.krate.clone(),
            format!(
                "is the history of `{}`, not of `{krate}` (its file name says so)",
                history.krate
            ),
        ));
    }
    let mut newer: Option<(semver::Version, &Release)> = None;
    for (i, release) in history.releases.iter().enumerate() {
        let about = format!("release {} ({})", release.version, ordinal(i));
        let mut fail = |message: String| errors.push((about.clone(), message));
        let version = match parse_version(&release.version) {
            Ok(version) => Some(version),
            Err(err) => {
                fail(format!("version {err}"));
                None
            }
        };
        if !is_date(&release.date) {
            fail(format!("date `{}` is not YYYY-MM-DD", release.date));
        }
        for (field, value, len) in [
            ("spec_sha256", &release.spec_sha256, 64),
            ("spec_git_blob", &release.spec_git_blob, 40),
            ("generated_sha256", &release.generated_sha256, 64),
        ] {
            if value.len() != len
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                fail(format!(
                    "{field} `{value}` is not {len} lowercase hex digits"
                ));
            }
        }
        for (field, value) in [
            ("generator", &release.generator),
            ("runtime", &release.runtime),
        ] {
            if let Err(err) = parse_version(value) {
                fail(format!("{field} version {err}"));
            }
        }
        for (field, value) in [("edition", &release.edition), ("spec", &release.spec)] {
            if let Err(err) = check_line(value) {
                fail(format!("{field}: {err}"));
            }
        }
        for (section, lines) in [
            ("added", &release.added),
            ("changed", &release.changed),
            ("removed", &release.removed),
        ] {
            for line in lines {
                if let Err(err) = check_line(line) {
                    fail(format!("a line under `{section}`: {err}"));
                }
            }
        }
        let is_oldest = i + 1 == history.releases.len();
        if (release.bump == ReleaseKind::First) != is_oldest {
            fail(if is_oldest {
                format!(
                    "the oldest release is `bump: first`, not `{}`",
                    release.bump
                )
            } else {
                "only the oldest release is `bump: first`".to_owned()
            });
        }
        if let (Some(version), Some((newer_version, newer_release))) = (&version, &newer) {
            let expected = match newer_release.bump {
                ReleaseKind::First => None,
                ReleaseKind::Patch => Some(next_version(version, Class::Patch)),
                ReleaseKind::Additive => Some(next_version(version, Class::Additive)),
                ReleaseKind::Breaking => Some(next_version(version, Class::Breaking)),
            };
            if let Some(expected) = expected.filter(|e| e != newer_version) {
                errors.push((
                    format!("release {newer_version}"),
                    format!(
                        "a {} release after {version} is {expected}, not {newer_version}",
                        newer_release.bump
                    ),
                ));
            }
        }
        if let Some(version) = version {
            newer = Some((version, release));
        } else {
            newer = None;
        }
    }
    errors
}

fn ordinal(i: usize) -> String {
    match i {
        0 => "the newest".to_owned(),
        i => format!("#{} from the newest", i + 1),
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
        && matches!(text[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(text[8..10].parse::<u8>(), Ok(1..=31))
}

/// A history line is one line of text: no control characters (a newline would open a
/// heading or a section of its own in CHANGELOG.md), bounded.
fn check_line(line: &str) -> Result<(), String> {
    if line.trim().is_empty() {
        return Err("empty".to_owned());
    }
    if line.chars().count() > MAX_LINE_CHARS {
        return Err(format!("longer than {MAX_LINE_CHARS} characters"));
    }
    if let Some(c) = line.chars().find(|c| c.is_control()) {
        return Err(format!("holds the control character {c:?}"));
    }
    Ok(())
}

/// The history as its file holds it.
pub fn history_to_yaml(history: &History) -> String {
    let body = serde_yaml::to_string(history).expect("histories serialise to YAML");
    format!("{HISTORY_HEADER}{body}")
}

/// The crate's version: its newest release's, else [`FIRST_VERSION`].
pub fn current_version(history: Option<&History>) -> &str {
    history
        .and_then(|h| h.releases.first())
        .map_or(FIRST_VERSION, |r| r.version.as_str())
}

/// The files of the crate generated from `spec`, whose history is `history`
/// (`history_label`: its path, for the header line; none: never released): the version is
/// the newest release's, and `CHANGELOG.md` lists the releases.
pub fn emit_released(
    spec_label: &str,
    spec: &Spec,
    history_label: &str,
    history: Option<&History>,
) -> Files {
    let name = crate_name(spec);
    let mut files = emit_versioned(spec_label, spec, current_version(history));
    files.insert(
        Path::new(&name).join("CHANGELOG.md"),
        changelog_md(&name, history_label, history),
    );
    files
}

/// The crate's `CHANGELOG.md`, from its history (`history_label`: the history's path in
/// the checkout, for the header line).
pub fn changelog_md(krate: &str, history_label: &str, history: Option<&History>) -> String {
    let mut out = format!(
        "<!-- {} -->\n# Changelog of `{krate}`\n\n\
         Every release of this crate, newest first, in the form of \
         [Keep a Changelog](https://keepachangelog.com/en/1.1.0/). Versions follow semver as \
         cargo reads it: before 1.0 a breaking change bumps the minor version (0.1.x to \
         0.2.0) and any other change the patch. Each release names the edition of the \
         vendor's docs it was generated from.\n",
        header_text(history_label)
    );
    let releases = history.map_or(&[][..], |h| &h.releases[..]);
    if releases.is_empty() {
        out.push_str(
            "\n## [Unreleased]\n\nNot released yet: `cargo xtask release` makes the first release.\n",
        );
    }
    for release in releases {
        out.push('\n');
        out.push_str(&release_md(release));
    }
    out
}

/// One release's section of `CHANGELOG.md`.
pub fn release_md(release: &Release) -> String {
    let kind = match release.bump {
        ReleaseKind::First => "First release",
        ReleaseKind::Breaking => "Breaking changes",
        ReleaseKind::Additive => "New API, nothing breaking",
        ReleaseKind::Patch => "No API change",
    };
    let mut out = format!(
        "## [{}] - {}\n\n{kind}. Docs edition: {}. Generated by partnergen-codegen {} for \
         partnergen-runtime {}, from {} (sha256 `{}`).\n",
        release.version,
        release.date,
        markdown_line(&release.edition),
        release.generator,
        release.runtime,
        markdown_line(&release.spec),
        release
            .spec_sha256
            .get(..12)
            .unwrap_or(&release.spec_sha256),
    );
    for (heading, lines) in [
        ("Added", &release.added),
        ("Changed", &release.changed),
        ("Removed", &release.removed),
    ] {
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {heading}\n\n"));
        for line in lines {
            out.push_str(&format!("- {}\n", markdown_line(line)));
        }
    }
    out
}

/// A history line made safe for one Markdown list item: code spans (between pairs of
/// backticks) kept, everything else escaped, so a line can open no heading, link or HTML.
fn markdown_line(line: &str) -> String {
    let parts: Vec<&str> = line.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::with_capacity(line.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 && paired {
            out.push('`');
        } else if i > 0 {
            out.push_str("\\`");
        }
        if paired && i % 2 == 1 {
            out.push_str(part);
        } else {
            for c in part.chars() {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '\\' | '[' | ']' | '#' | '*' | '_' | '|' => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
        }
    }
    out
}

/// The spec as the release command has it: parsed, with its text (what the hashes are of)
/// and its path in the checkout.
#[derive(Debug, Clone, Copy)]
pub struct SpecAt<'a> {
    /// Its path in the checkout, as headers and histories name it.
    pub label: &'a str,
    /// Its text.
    pub text: &'a str,
    /// The spec.
    pub spec: &'a Spec,
}

/// The next release of one crate, as `cargo xtask release` shows it.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The crate.
    pub krate: String,
    /// Its last release, if any.
    pub previous: Option<Release>,
    /// The spec's changes since then, classified (empty for a first release).
    pub changelog: Changelog,
    /// Changes of the generator or the runtime that changed the generated files, each
    /// with its class.
    pub upstream: Vec<(String, Class)>,
    /// The release to record; none when nothing changed since the last one.
    pub release: Option<Release>,
}

/// Why no release can be proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseError(pub String);

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReleaseError {}

/// Proposes the next release of the crate of `current`, whose history is `history` (none:
/// never released). `baseline` is the spec of the last release, which must be given when
/// there is one (its sha256 must be the recorded one); `runtime` is partnergen-runtime's
/// version now; `date` the release's day.
pub fn propose(
    current: SpecAt<'_>,
    history: Option<&History>,
    baseline: Option<SpecAt<'_>>,
    runtime: &str,
    date: &str,
) -> Result<Proposal, ReleaseError> {
    let krate = crate_name(current.spec);
    let fail = |message: String| ReleaseError(format!("{krate}: {message}"));
    if !is_date(date) {
        return Err(fail(format!("release date `{date}` is not YYYY-MM-DD")));
    }
    let runtime_version =
        parse_version(runtime).map_err(|e| fail(format!("runtime version {e}")))?;
    let generator_version =
        parse_version(GENERATOR_VERSION).map_err(|e| fail(format!("generator version {e}")))?;
    let record = |version: String, bump: ReleaseKind, lines: Lines| Release {
        version,
        date: date.to_owned(),
        bump,
        edition: edition(current.spec),
        spec: current.label.to_owned(),
        spec_sha256: sha256_hex(current.text.as_bytes()),
        spec_git_blob: git_blob_id(current.text.as_bytes()),
        generator: GENERATOR_VERSION.to_owned(),
        runtime: runtime.to_owned(),
        generated_sha256: generated_sha256(current.label, current.spec),
        added: lines.added,
        changed: lines.changed,
        removed: lines.removed,
    };
    let Some(previous) = history.and_then(|h| h.releases.first()) else {
        let release = record(
            FIRST_VERSION.to_owned(),
            ReleaseKind::First,
            Lines {
                added: vec![first_release_line(current.spec)],
                ..Lines::default()
            },
        );
        return Ok(Proposal {
            krate,
            previous: None,
            changelog: Changelog::default(),
            upstream: Vec::new(),
            release: Some(release),
        });
    };
    let Some(baseline) = baseline else {
        return Err(fail(format!(
            "the spec of release {} is needed to compare with (git blob {})",
            previous.version, previous.spec_git_blob
        )));
    };
    let baseline_sha = sha256_hex(baseline.text.as_bytes());
    if baseline_sha != previous.spec_sha256 {
        return Err(fail(format!(
            "the baseline spec (sha256 {baseline_sha}) is not the spec of release {} (sha256 {})",
            previous.version, previous.spec_sha256
        )));
    }
    if crate_name(baseline.spec) != krate {
        return Err(fail(format!(
            "the baseline spec is of `{}`",
            crate_name(baseline.spec)
        )));
    }
    let changelog = diff(Some(baseline.spec), current.spec);
    // The generator or the runtime changed what the same spec generates.
    let mut upstream = Vec::new();
    if generated_sha256(&previous.spec, baseline.spec) != previous.generated_sha256 {
        let parse = |what: &str, text: &str| {
            parse_version(text)
                .map_err(|e| fail(format!("release {}'s {what} version {e}", previous.version)))
        };
        let old_generator = parse("generator", &previous.generator)?;
        let old_runtime = parse("runtime", &previous.runtime)?;
        for (name, old, new) in [
            ("partnergen-codegen", &old_generator, &generator_version),
            ("partnergen-runtime", &old_runtime, &runtime_version),
        ] {
            if new < old {
                return Err(fail(format!(
                    "{name} {new} is older than the {old} that release {} was made with",
                    previous.version
                )));
            }
            if let Some(class) = version_change(old, new) {
                let line = if name == "partnergen-runtime" {
                    format!("Requires {name} {new} (was {old}): see its CHANGELOG.md.")
                } else {
                    format!("Generated by {name} {new} (was {old}): see its CHANGELOG.md.")
                };
                upstream.push((line, class));
            }
        }
        if upstream.is_empty() {
            return Err(fail(format!(
                "the files generated from release {}'s spec are not those it released, but \
                 neither partnergen-codegen ({generator_version}) nor partnergen-runtime \
                 ({runtime_version}) has a new version: bump the one whose change did this \
                 (by what it does to generated crates) and say why in its CHANGELOG.md",
                previous.version
            )));
        }
    }
    let class = changelog
        .entries()
        .map(|(_, v)| v.class)
        .chain(upstream.iter().map(|(_, class)| *class))
        .max();
    let release = match class {
        None => None,
        Some(class) => {
            let version = parse_version(&previous.version)
                .map_err(|e| fail(format!("release version {e}")))?;
            let mut lines = lines_of(&changelog);
            lines
                .changed
                .extend(upstream.iter().map(|(line, _)| line.clone()));
            Some(record(
                next_version(&version, class).to_string(),
                ReleaseKind::of(class),
                lines,
            ))
        }
    };
    Ok(Proposal {
        krate,
        previous: Some(previous.clone()),
        changelog,
        upstream,
        release,
    })
}

/// A release's changelog lines, by section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines {
    /// Added.
    pub added: Vec<String>,
    /// Changed.
    pub changed: Vec<String>,
    /// Removed.
    pub removed: Vec<String>,
}

fn first_release_line(spec: &Spec) -> String {
    match spec {
        Spec::Tencent(s) => format!(
            "The permission table of {} actions, {} typed models and {} service error codes.",
            s.actions.len(),
            s.types.len(),
            s.error_codes.len()
        ),
        Spec::Huawei(s) => format!(
            "The permission table of {} operations and {} typed models.",
            s.operations.len(),
            s.types.len()
        ),
    }
}

/// The changelog as Added / Changed / Removed lines: new items and new fields under
/// Added, items and fields gone under Removed, the rest under Changed; breaking ones say
/// so, as do those that change what the crate does at run time.
pub fn lines_of(changelog: &Changelog) -> Lines {
    let mut lines = Lines::default();
    for (change, verdict) in changelog.entries() {
        let mark = match (verdict.class, verdict.behaviour) {
            (Class::Breaking, _) => format!(" Breaking: {}.", verdict.reason),
            (_, true) => format!(" Changes run-time behaviour: {}.", verdict.reason),
            _ => String::new(),
        };
        match change {
            Change::Added { kind, name } => lines
                .added
                .push(format!("{} `{name}`.{mark}", capitalised(kind))),
            Change::Removed { kind, name } => lines
                .removed
                .push(format!("{} `{name}`.{mark}", capitalised(kind))),
            Change::Changed {
                kind,
                name,
                field,
                old,
                new,
            } => {
                // The sources' stamps: the release names its docs edition already.
                if field.starts_with("service.sources") {
                    continue;
                }
                if let Some(line) = model_field_line(kind, name, field, old, new, &mark) {
                    let section = if old == crate::changelog::NONE {
                        &mut lines.added
                    } else {
                        &mut lines.removed
                    };
                    section.push(line);
                    continue;
                }
                let (old_short, new_short) = shorten_pair(old, new);
                let subject = format!("{} `{name}`: `{field}`", capitalised(kind));
                if old == crate::changelog::NONE {
                    lines.added.push(format!("{subject}: {new_short}.{mark}"));
                } else if new == crate::changelog::NONE {
                    lines
                        .removed
                        .push(format!("{subject} (was {old_short}).{mark}"));
                } else {
                    lines
                        .changed
                        .push(format!("{subject}: {old_short} → {new_short}.{mark}"));
                }
            }
        }
    }
    lines
}

/// A whole field of a model added or removed (`fields[Name]`, from or to nothing), in
/// words: `Type `T`: field `Name` (`string`, optional).`; none for any other change.
fn model_field_line(
    kind: &str,
    name: &str,
    field: &str,
    old: &str,
    new: &str,
    mark: &str,
) -> Option<String> {
    let none = crate::changelog::NONE;
    let field_name = field.strip_prefix("fields[")?.strip_suffix(']')?;
    if field_name.contains(['[', ']']) || (old != none && new != none) {
        return None;
    }
    let subject = format!("{} `{name}`: field `{field_name}`", capitalised(kind));
    if old != none {
        return Some(format!("{subject}.{mark}"));
    }
    let def: serde_json::Value = serde_json::from_str(new).ok()?;
    let ty = def.get("type")?.as_str()?;
    let required = def
        .get("required")
        .and_then(|r| r.as_bool())
        .unwrap_or(false);
    let presence = if required { "required" } else { "optional" };
    Some(format!("{subject} (`{ty}`, {presence}).{mark}"))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn next_versions_follow_cargo_semver() {
        assert_eq!(next_version(&v("0.1.0"), Class::Breaking), v("0.2.0"));
        assert_eq!(next_version(&v("0.1.3"), Class::Additive), v("0.1.4"));
        assert_eq!(next_version(&v("0.1.3"), Class::Patch), v("0.1.4"));
        assert_eq!(next_version(&v("1.2.3"), Class::Breaking), v("2.0.0"));
        assert_eq!(next_version(&v("1.2.3"), Class::Additive), v("1.3.0"));
        assert_eq!(next_version(&v("1.2.3"), Class::Patch), v("1.2.4"));
    }

    #[test]
    fn dependency_version_changes_are_classified_as_cargo_reads_them() {
        assert_eq!(version_change(&v("0.1.0"), &v("0.1.0")), None);
        assert_eq!(version_change(&v("0.1.0"), &v("0.1.1")), Some(Class::Patch));
        assert_eq!(
            version_change(&v("0.1.0"), &v("0.2.0")),
            Some(Class::Breaking)
        );
        assert_eq!(
            version_change(&v("1.1.0"), &v("1.2.0")),
            Some(Class::Additive)
        );
        assert_eq!(
            version_change(&v("1.1.0"), &v("2.0.0")),
            Some(Class::Breaking)
        );
    }

    #[test]
    fn git_blob_ids_are_gits() {
        // What `git hash-object --stdin` prints for these.
        assert_eq!(
            git_blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(git_blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn markdown_lines_keep_code_spans_and_escape_the_rest() {
        assert_eq!(markdown_line("Action `A_b<c>`."), "Action `A_b<c>`.");
        assert_eq!(markdown_line("# heading <b>"), "\\# heading &lt;b&gt;");
        assert_eq!(markdown_line("odd ` tick [x]"), "odd \\` tick \\[x\\]");
    }

    fn release(version: &str, bump: ReleaseKind) -> Release {
        Release {
            version: version.to_owned(),
            date: "2026-01-01".to_owned(),
            bump,
            edition: "cam.txt of 2026-01-01".to_owned(),
            spec: "spec/tencentcloud/demo.yaml".to_owned(),
            spec_sha256: "a".repeat(64),
            spec_git_blob: "b".repeat(40),
            generator: "0.1.0".to_owned(),
            runtime: "0.1.0".to_owned(),
            generated_sha256: "c".repeat(64),
            added: vec!["Action `A`.".to_owned()],
            changed: Vec::new(),
            removed: Vec::new(),
        }
    }

    fn errors_of(releases: Vec<Release>) -> Vec<String> {
        let history = History {
            krate: "k".to_owned(),
            releases,
        };
        let text = history_to_yaml(&history);
        match parse_history("releases/k.yaml", &text, "k") {
            Ok(parsed) => {
                assert_eq!(parsed, history, "a history reads back as written");
                Vec::new()
            }
            Err(d) => d.0.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn histories_must_step_by_their_bumps() {
        let good = vec![
            release("0.2.0", ReleaseKind::Breaking),
            release("0.1.1", ReleaseKind::Patch),
            release("0.1.0", ReleaseKind::First),
        ];
        assert_eq!(errors_of(good), Vec::<String>::new());

        let skipped = errors_of(vec![
            release("0.2.0", ReleaseKind::Patch),
            release("0.1.0", ReleaseKind::First),
        ]);
        assert!(
            skipped
                .iter()
                .any(|e| e.contains("a patch release after 0.1.0 is 0.1.1, not 0.2.0")),
            "{skipped:?}"
        );
        let backwards = errors_of(vec![
            release("0.1.0", ReleaseKind::Breaking),
            release("0.2.0", ReleaseKind::First),
        ]);
        assert!(
            backwards.iter().any(|e| e.contains("is 0.3.0, not 0.1.0")),
            "{backwards:?}"
        );
        let two_firsts = errors_of(vec![
            release("0.1.1", ReleaseKind::First),
            release("0.1.0", ReleaseKind::First),
        ]);
        assert!(
            two_firsts
                .iter()
                .any(|e| e.contains("only the oldest release is `bump: first`")),
            "{two_firsts:?}"
        );
        let mut bad_hash = release("0.1.0", ReleaseKind::First);
        bad_hash.spec_sha256 = "A".repeat(64);
        let errors = errors_of(vec![bad_hash]);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("releases/k.yaml") && e.contains("spec_sha256")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_changelog_renders_newest_first_with_its_sections() {
        let mut newer = release("0.2.0", ReleaseKind::Breaking);
        newer.removed = vec!["Action `Gone`.".to_owned()];
        newer.added.clear();
        let history = History {
            krate: "k".to_owned(),
            releases: vec![newer, release("0.1.0", ReleaseKind::First)],
        };
        let md = changelog_md("k", "releases/k.yaml", Some(&history));
        let newest = md.find("## [0.2.0] - 2026-01-01").unwrap();
        let oldest = md.find("## [0.1.0] - 2026-01-01").unwrap();
        assert!(newest < oldest, "{md}");
        assert!(
            md[newest..oldest].contains("### Removed\n\n- Action `Gone`.\n"),
            "{md}"
        );
        assert!(!md[newest..oldest].contains("### Added"), "{md}");
        assert!(md.contains("@generated by `cargo xtask codegen` from releases/k.yaml"));
        let unreleased = changelog_md("k", "releases/k.yaml", None);
        assert!(unreleased.contains("## [Unreleased]"), "{unreleased}");
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2026-11-26"));
        for bad in [
            "2026-13-01",
            "2026-1-01",
            "26-11-2026",
            "2026-11-00",
            "２０２６-11-26",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
