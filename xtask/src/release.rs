//! `cargo xtask release`: the next release of each generated crate, from its spec's changes
//! since the last release (classified) and the generator's and runtime's version changes;
//! printed, and with `--write` recorded in `releases/<crate>.yaml` and regenerated into the
//! crate's `Cargo.toml` version and `CHANGELOG.md`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use partnergen_codegen::emit::crate_name;
use partnergen_codegen::generate::PRODUCT;
use partnergen_codegen::release::{
    history_path, history_to_yaml, load_history, propose, release_md, sha256_hex, History,
    Proposal, Release, ReleaseKind, SpecAt, RUNTIME_VERSION,
};
use partnergen_codegen::semver::{Bump, Class};
use partnergen_codegen::spec::Spec;
use partnergen_codegen::specfile::{discover_specs, parse_spec, write_atomically};

use crate::output;
use crate::semver_check;

/// What `cargo xtask release` was asked.
pub struct Options {
    /// Record and regenerate, rather than print only.
    pub write: bool,
    /// Only this crate.
    pub krate: Option<String>,
    /// The release day (`YYYY-MM-DD`); today (UTC) when none.
    pub date: Option<String>,
    /// The last release's spec, instead of git's copy.
    pub baseline_spec: Option<PathBuf>,
}

/// One crate's spec, read.
struct Current {
    label: String,
    text: String,
    spec: Spec,
}

/// Every product spec (or the one generating `krate`), read and validated.
fn currents(root: &Path, krate: Option<&str>) -> Result<Vec<Current>> {
    let mut currents = Vec::new();
    let spec_dir = root.join(PRODUCT.specs);
    for path in discover_specs(&spec_dir)
        .with_context(|| format!("cannot list the specs in {}", spec_dir.display()))?
    {
        let label = relative(root, &path);
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {label}"))?;
        let spec = parsed(&label, &text)?;
        currents.push(Current { label, text, spec });
    }
    if let Some(krate) = krate {
        let names: Vec<String> = currents.iter().map(|c| crate_name(&c.spec)).collect();
        currents.retain(|c| crate_name(&c.spec) == krate);
        if currents.is_empty() {
            bail!(
                "no spec generates the crate `{krate}` (they generate: {})",
                names.join(", ")
            );
        }
    }
    Ok(currents)
}

fn parsed(label: &str, text: &str) -> Result<Spec> {
    Ok(parse_spec(label, text)
        .map_err(|d| anyhow::anyhow!("{label} is not a valid spec:\n{d}"))?
        .spec)
}

/// The history of `current`'s crate, and its path.
fn history_of(root: &Path, current: &Current) -> Result<(PathBuf, Option<History>)> {
    let krate = crate_name(&current.spec);
    let path = history_path(&root.join(PRODUCT.releases), &krate);
    let label = relative(root, &path);
    let history = load_history(&path, &label, &krate)
        .map_err(|d| anyhow::anyhow!("{label} is not a valid release history:\n{d}"))?;
    Ok((path, history))
}

/// The spec `release` was made from, labelled: the working file when it is that spec,
/// else git's copy by the blob id the history records.
fn released_spec(root: &Path, current: &Current, release: &Release) -> Result<(String, String)> {
    if sha256_hex(current.text.as_bytes()) == release.spec_sha256 {
        return Ok((current.label.clone(), current.text.clone()));
    }
    let text = git_blob(root, &release.spec_git_blob).with_context(|| {
        format!(
            "cannot find the spec of {} {} in git; give it with --baseline-spec FILE (a \
             shallow clone lacks old blobs: `git fetch --unshallow`)",
            crate_name(&current.spec),
            release.version
        )
    })?;
    let label = format!(
        "{} of release {} (git blob {})",
        release.spec, release.version, release.spec_git_blob
    );
    Ok((label, text))
}

/// Runs the command in the checkout at `root`; `regenerate` rewrites generated/ from the
/// specs and histories (the codegen command).
pub fn run(root: &Path, options: Options, regenerate: impl FnOnce() -> Result<()>) -> Result<()> {
    let date = match options.date {
        Some(date) => date,
        None => today()?,
    };
    let currents = currents(root, options.krate.as_deref())?;
    if options.baseline_spec.is_some() && currents.len() != 1 {
        bail!("--baseline-spec is the last release's spec of one crate: name it with --crate");
    }

    let releases_dir = root.join(PRODUCT.releases);
    let mut planned: Vec<(PathBuf, History, Option<String>)> = Vec::new();
    for current in &currents {
        let krate = crate_name(&current.spec);
        let (path, history) = history_of(root, current)?;
        let baseline = match history.as_ref().and_then(|h| h.releases.first()) {
            None => None,
            Some(last) => Some(match &options.baseline_spec {
                Some(file) => {
                    let text = fs::read_to_string(file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    (file.display().to_string(), text)
                }
                None => released_spec(root, current, last)?,
            }),
        };
        let baseline_spec = match &baseline {
            None => None,
            Some((label, text)) => Some(parsed(label, text)?),
        };
        let proposal = propose(
            SpecAt {
                label: &current.label,
                text: &current.text,
                spec: &current.spec,
            },
            history.as_ref(),
            baseline
                .as_ref()
                .zip(baseline_spec.as_ref())
                .map(|((label, text), spec)| SpecAt { label, text, spec }),
            RUNTIME_VERSION,
            &date,
        )?;
        print_proposal(
            &proposal,
            baseline.as_ref().map(|(label, _)| label.as_str()),
        )?;
        if let Some(release) = proposal.release {
            let old_text = fs::read_to_string(&path).ok();
            let mut history = history.unwrap_or_else(|| History {
                krate: krate.clone(),
                releases: Vec::new(),
            });
            history.releases.insert(0, release);
            planned.push((path, history, old_text));
        }
    }

    if !options.write {
        if !planned.is_empty() {
            crate::outln!(
                "dry run: nothing written; `cargo xtask release --write` records {} release(s) \
                 under {}/ and regenerates the crates",
                planned.len(),
                PRODUCT.releases
            )?;
        }
        return Ok(());
    }
    if planned.is_empty() {
        return Ok(());
    }
    fs::create_dir_all(&releases_dir)
        .with_context(|| format!("cannot create {}", releases_dir.display()))?;
    let mut written: Vec<(&Path, &Option<String>)> = Vec::new();
    let mut outcome = Ok(());
    for (path, history, old_text) in &planned {
        if let Err(err) = write_atomically(path, &history_to_yaml(history)) {
            outcome = Err(anyhow::Error::from(err));
            break;
        }
        written.push((path, old_text));
    }
    if outcome.is_ok() {
        outcome = regenerate();
    }
    if let Err(err) = outcome {
        // Put the histories back: a release is recorded with its crate or not at all.
        for (path, old_text) in written {
            let _ = match old_text {
                Some(text) => write_atomically(path, text),
                None => fs::remove_file(path),
            };
        }
        return Err(err.context("the release was not recorded"));
    }
    for (path, history, _) in &planned {
        crate::outln!(
            "recorded {} {} in {}",
            history.krate,
            history.releases[0].version,
            relative(root, path)
        )?;
    }
    Ok(())
}

/// `cargo xtask release --check`: for each crate, that its newest release declares at
/// least the bump its spec changes call for and that cargo-semver-checks finds no more
/// than it declares (against the release before, both crates generated by this
/// generator); and that changes not yet released are classified no lower than the tool
/// finds. Fails naming the crate and release; a crate never released, or released once
/// and unchanged, has nothing to check and says so.
pub fn check(root: &Path, krate: Option<&str>) -> Result<()> {
    let mut failures = Vec::new();
    for current in currents(root, krate)? {
        let krate = crate_name(&current.spec);
        let (_, history) = history_of(root, &current)?;
        let releases = history.map(|h| h.releases).unwrap_or_default();
        let Some(newest) = releases.first() else {
            crate::outln!("{krate}: never released; nothing to check")?;
            continue;
        };
        let (newest_label, newest_text) = released_spec(root, &current, newest)?;
        let newest_spec = parsed(&newest_label, &newest_text)?;
        match releases.get(1) {
            None => crate::outln!(
                "{krate} {}: its first release; nothing before it to check against",
                newest.version
            )?,
            Some(previous) => {
                let (label, text) = released_spec(root, &current, previous)?;
                let previous_spec = parsed(&label, &text)?;
                let outcome = semver_check::check_specs(
                    root,
                    (&label, &previous_spec),
                    (&newest_label, &newest_spec),
                    &semver_check::Features::All,
                )?;
                output::text(&outcome.report())?;
                let declared = declared_bump(newest.bump);
                if outcome.classifier > declared {
                    failures.push(format!(
                        "{krate} {} is declared {} but its spec changes since {} call for a \
                         {} bump",
                        newest.version, newest.bump, previous.version, outcome.classifier
                    ));
                }
                if outcome.tool.requires > declared {
                    failures.push(format!(
                        "{krate} {} is declared {} but cargo-semver-checks requires a {} bump \
                         since {}",
                        newest.version, newest.bump, outcome.tool.requires, previous.version
                    ));
                }
            }
        }
        if sha256_hex(current.text.as_bytes()) != newest.spec_sha256 {
            crate::outln!(
                "{krate}: spec changes since {} not yet released (`cargo xtask release` shows \
                 the next release):",
                newest.version
            )?;
            let outcome = semver_check::check_specs(
                root,
                (&newest_label, &newest_spec),
                (&current.label, &current.spec),
                &semver_check::Features::All,
            )?;
            output::text(&outcome.report())?;
            if outcome.agreement() == semver_check::Agreement::UnderClassified {
                failures.push(format!(
                    "{krate}: the changes since {} are classified {} but cargo-semver-checks \
                     requires {}",
                    newest.version, outcome.classifier, outcome.tool.requires
                ));
            }
        }
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("\n"));
    }
    Ok(())
}

/// The bump a release of `kind` declares, in the terms cargo-semver-checks uses.
fn declared_bump(kind: ReleaseKind) -> Bump {
    match kind {
        ReleaseKind::First | ReleaseKind::Patch => Bump::Patch,
        ReleaseKind::Additive => Bump::Minor,
        ReleaseKind::Breaking => Bump::Major,
    }
}

fn print_proposal(proposal: &Proposal, baseline: Option<&str>) -> Result<()> {
    let krate = &proposal.krate;
    let Some(previous) = &proposal.previous else {
        if let Some(release) = &proposal.release {
            crate::outln!("== {krate}: first release, {}", release.version)?;
            output::text(&format!(
                "\nCHANGELOG.md entry:\n\n{}\n",
                release_md(release)
            ))?;
        }
        return Ok(());
    };
    let Some(release) = &proposal.release else {
        return crate::outln!(
            "== {krate}: nothing to release since {} (the spec and the generated files are \
             those it released)",
            previous.version
        );
    };
    crate::outln!(
        "== {krate}: {} -> {} ({})",
        previous.version,
        release.version,
        release.bump
    )?;
    crate::outln!(
        "\nspec changes since {} ({}):",
        previous.version,
        baseline.unwrap_or("its spec")
    )?;
    output::text(&proposal.changelog.to_string())?;
    if !proposal.upstream.is_empty() {
        crate::outln!("\nthe generated files changed with the generator or the runtime:")?;
        for (line, class) in &proposal.upstream {
            crate::outln!("  ~ [{}] {line}", Class::as_str(*class))?;
        }
    }
    output::text(&format!(
        "\nCHANGELOG.md entry:\n\n{}\n",
        release_md(release)
    ))
}

/// The file of git blob `id` in the repository at `root`.
fn git_blob(root: &Path, id: &str) -> Result<String> {
    // The history checked the id is 40 hex digits, so git reads it as nothing else.
    let output = std::process::Command::new("git")
        .current_dir(root)
        .args(["cat-file", "blob", id])
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git cat-file blob {id}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).map_err(|_| anyhow::anyhow!("git blob {id} is not UTF-8"))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
        .replace('\\', "/")
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> Result<String> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs();
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        // 2000-02-29, a leap day of a year divisible by 400.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_783), (2026, 11, 26));
    }
}
