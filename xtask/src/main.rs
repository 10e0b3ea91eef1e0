//! Maintainer commands. Run as `cargo xtask <command>` from the repository root.
//!
//! xtask depends on the generator only: the commands over generated code (`policy`,
//! `mock-server`, `bench client|mock-server|policy|fleet|paging`) run that code's programs with
//! `cargo run` in the main workspace, so a broken or stale generated/ tree never stops
//! `cargo xtask codegen`, the command that repairs it.

mod bench;
mod output;
mod release;
mod root;
mod semver_check;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::generate::{check_tree, plan_tree, write_tree, FIXTURES, PRODUCT};
use partnergen_codegen::import::huawei::import_huawei;
use partnergen_codegen::import::tencent::{import_tencent, with_error_codes, TencentInputs};
use partnergen_codegen::import::{import_into, Imported, Mode};
use partnergen_codegen::report::{action_records, action_table};
use partnergen_codegen::spec::{Provider, Spec};
use partnergen_codegen::specfile::{discover_specs, load_spec, parse_spec, spec_path};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer commands of the partner API generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rebuild a spec from the vendor's files and print what changed.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Generate one crate per spec under generated/.
    Codegen {
        /// Write nothing; fail naming each stale, missing or orphaned file.
        #[arg(long)]
        check: bool,
    },
    /// CAM policies for intlpartnersmgt: build, lint, evaluate (`policy --help`).
    ///
    /// Runs the generated crate's policy program (`cargo run -p
    /// tencentcloud-intlpartnersmgt --features policy-cli --bin intlpartnersmgt-policy`)
    /// with these arguments.
    #[command(disable_help_flag = true)]
    Policy {
        /// `build ...`, `lint FILE ...`, `eval ...`, `--help`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print performance figures (never asserted).
    Bench {
        /// `codegen`: specs to files (real and synthetic); `build`: clean builds of the
        /// generated crates; `client`: request signing time and achieved QPS;
        /// `mock-server`: signed requests per second the mock server answers; `policy`:
        /// the policy linter and evaluator on 1,000 to 100,000 statements or actions.
        /// `paging`: a 20,000-item scan through the generic paginator against a
        /// hand-written loop over the same client and mock;
        /// `fleet`: one QPS budget across worker processes (`bench fleet --help` lists its
        /// options: --processes, --tasks, --action, --duration, --redis, --start-redis,
        /// --compare, --endpoint). `client`, `mock-server`, `policy`, `fleet` and `paging` run the
        /// bench package (`cargo run --release -p partnergen-bench -- WHAT [ARGS]`).
        #[arg(value_parser = ["codegen", "build", "client", "mock-server", "policy", "fleet", "paging"])]
        what: String,
        /// `fleet`'s options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run a service's mock server (the generated crate's binary, feature `mock`) until
    /// interrupted; it prints its URL as the first line on stdout.
    ///
    /// Tencent: credentials from TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY.
    /// Huawei: from HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK.
    MockServer {
        /// The service: `intlpartnersmgt` or `partner-center`.
        service: String,
        /// The server's own arguments (`--addr 127.0.0.1:PORT`, `--allow-remote` for a
        /// non-loopback address, Tencent's `--policy FILE`, Huawei's `--permissions P1,P2`,
        /// `--disable CHECK`, `--quiet`; `-- --help` lists them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compare two spec files of one service and print each change with its class for
    /// the generated crate's API (breaking, additive, patch; `behaviour` where run-time
    /// behaviour changes) and the version bump they call for.
    ///
    /// Exits 0 whatever changed; non-zero only when an input is bad (unreadable, not a
    /// valid spec, or the two are not one service).
    Diff {
        /// The old spec (with `--git`: the one file, compared at REV with its working copy).
        old: PathBuf,
        /// The new spec.
        new: Option<PathBuf>,
        /// Compare the file as committed at this git revision with the working file.
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// A JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The next release of each generated crate: its spec's changes since the last
    /// release, classified, the generator's and runtime's version changes, the new version
    /// and the crate's CHANGELOG.md entry. Prints only, unless `--write`.
    ///
    /// The last release's spec is found in git by the blob id its history records
    /// (`releases/<crate>.yaml`), or given with `--baseline-spec`.
    Release {
        /// Record each release in releases/<crate>.yaml and regenerate the crates (their
        /// version and CHANGELOG.md).
        #[arg(long)]
        write: bool,
        /// Only this crate (e.g. `tencentcloud-intlpartnersmgt`).
        #[arg(long = "crate", value_name = "CRATE")]
        krate: Option<String>,
        /// The release day, YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
        /// The spec of the crate's last release, instead of git's copy (needs --crate).
        #[arg(long, value_name = "FILE")]
        baseline_spec: Option<PathBuf>,
        /// Write nothing: check that each crate's newest release declares no smaller bump
        /// than the classifier and cargo-semver-checks find since the release before, and
        /// that unreleased changes are classified no lower than the tool finds (CI).
        #[arg(long, conflicts_with_all = ["write", "date", "baseline_spec"])]
        check: bool,
    },
    /// Check the classifier against cargo-semver-checks on a change from OLD to NEW:
    /// generate both crates under target/semver-check/, run cargo-semver-checks on them
    /// and print the classifier's bump, the tool's finding and AGREE or DISAGREE.
    ///
    /// Fails when the tool finds more than the classifier says (a break called additive
    /// or patch, an addition called patch), and when the tool is missing or cannot run.
    /// A break the classifier sees and the tool does not is a note (exit 0). Needs
    /// cargo-semver-checks at the version in .ci/cargo-semver-checks.version, in
    /// target/tools/bin (.ci/run installs it there) or on PATH.
    SemverCheck {
        /// The old spec (the last release's).
        old: PathBuf,
        /// The new spec.
        new: PathBuf,
        /// Check with only these features (comma-separated; `--features ''` for none)
        /// instead of all of them.
        #[arg(long, value_delimiter = ',')]
        features: Option<Vec<String>>,
    },
    /// Show what the specs say about each action.
    Actions {
        /// Only this service (e.g. `intlpartnersmgt`, `partner-center`).
        #[arg(long)]
        service: Option<String>,
        /// A JSON array of objects instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Tencent Cloud: CAM page, API category page, API definition, API examples.
    ///
    /// Each page may be given more than once (e.g. its markdown and text forms, or two
    /// editions); where they disagree the newest edition wins and the spec records it.
    Tencentcloud {
        /// The CAM authorization page (markdown or plain-text form); repeatable.
        #[arg(long = "cam-page", required = true)]
        cam_pages: Vec<PathBuf>,
        /// The API category page (markdown or plain-text form); repeatable.
        #[arg(long = "category-page", required = true)]
        category_pages: Vec<PathBuf>,
        /// The API definition JSON (api-definition-<version>.json).
        #[arg(long)]
        definition: PathBuf,
        /// The API examples JSON (api-examples-<version>.json).
        #[arg(long)]
        examples: PathBuf,
        /// The service's error codes: the official Python SDK's
        /// `tencentcloud/<service>/<version>/errorcodes.py` (pip package
        /// tencentcloud-sdk-python-intl-en, pinned in tests/interop/requirements.txt).
        /// Read as text, never run. Without it the spec keeps the codes it has.
        #[arg(long)]
        error_codes: Option<PathBuf>,
        /// Where specs live.
        #[arg(long, default_value_os_t = default_spec_dir())]
        spec_dir: PathBuf,
        /// Write nothing; fail if the spec differs from what these inputs give.
        #[arg(long)]
        check: bool,
    },
    /// Huawei Cloud: the Partner Center API permission page, and the official SDK's
    /// operations and models.
    Huaweicloud {
        /// The API access permission page (plain text, one cell per line).
        #[arg(long)]
        page: PathBuf,
        /// Operation names, request parameters, responses and models of the official
        /// SDK, as printed by `python3 xtask/scripts/huawei_sdk_operations.py`.
        #[arg(long)]
        sdk_operations: Option<PathBuf>,
        /// Where specs live.
        #[arg(long, default_value_os_t = default_spec_dir())]
        spec_dir: PathBuf,
        /// Write nothing; fail if the spec differs from what these inputs give.
        #[arg(long)]
        check: bool,
    },
}

/// The checkout the command works on (see [`root::find`]); found at run time, so a moved
/// checkout, or two checkouts sharing one xtask binary, each work on their own files.
fn workspace_root() -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    root::find(&here)
}

/// `spec/` of the checkout, for the `--spec-dir` defaults (`spec` when no checkout is
/// found: the command then fails naming that path).
fn default_spec_dir() -> PathBuf {
    workspace_root()
        .map(|root| root.join("spec"))
        .unwrap_or_else(|_| PathBuf::from("spec"))
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): what it did read is what it wanted.
        Err(err) if output::is_closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            output::error(&err);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Import(ImportCommand::Tencentcloud {
            cam_pages,
            category_pages,
            definition,
            examples,
            error_codes,
            spec_dir,
            check,
        }) => {
            let inputs = TencentInputs {
                cam_pages,
                category_pages,
                definition,
                examples,
            };
            // The service name is the definition's; the spec path needs it before import.
            let service = service_of_definition(&inputs.definition)?;
            let path = spec_path(&spec_dir, Provider::Tencentcloud, &service);
            import(&path, check, |base| {
                let base = match base {
                    Some(Spec::Tencent(spec)) => Some(spec),
                    _ => None,
                };
                let imported = import_tencent(&inputs, base)?;
                match &error_codes {
                    Some(path) => with_error_codes(imported, path),
                    None => Ok(imported),
                }
            })
        }
        Command::Import(ImportCommand::Huaweicloud {
            page,
            sdk_operations,
            spec_dir,
            check,
        }) => {
            let path = spec_path(&spec_dir, Provider::Huaweicloud, "partner-center");
            import(&path, check, |base| {
                let base = match base {
                    Some(Spec::Huawei(spec)) => Some(spec),
                    _ => None,
                };
                import_huawei(&page, sdk_operations.as_deref(), base)
            })
        }
        Command::Codegen { check } => codegen(check),
        Command::Policy { args } => policy(&args),
        Command::Bench { what, args } => {
            if what != "fleet" && !args.is_empty() {
                bail!(
                    "bench {what} takes no arguments (given: {})",
                    args.join(" ")
                );
            }
            match what.as_str() {
                "codegen" => bench::codegen(&workspace_root()?),
                "build" => bench::build(&workspace_root()?),
                // client, mock-server, policy, fleet, paging: the bench package, optimised.
                other => cargo_run(
                    &workspace_root()?,
                    &["--release", "-p", "partnergen-bench", "--", other],
                    &args,
                ),
            }
        }
        Command::Actions { service, json } => actions(service.as_deref(), json),
        Command::Release {
            write,
            krate,
            date,
            baseline_spec,
            check,
        } => {
            let root = workspace_root()?;
            if check {
                return release::check(&root, krate.as_deref());
            }
            let options = release::Options {
                write,
                krate,
                date,
                baseline_spec,
            };
            release::run(&root, options, || codegen(false))
        }
        Command::Diff {
            old,
            new,
            git,
            json,
        } => diff(&old, new.as_deref(), git.as_deref(), json),
        Command::MockServer { service, args } => mock_server(&service, &args),
        Command::SemverCheck { old, new, features } => semver_check(&old, &new, features),
    }
}

/// Runs the service's mock server binary (see [`cargo_run`]).
fn mock_server(service: &str, args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let mut names = Vec::new();
    for path in discover_specs(&root.join("spec")).context("listing the specs")? {
        let spec = load_spec(&path).map_err(|d| anyhow::anyhow!("{d}"))?.spec;
        if spec.service().name != service {
            names.push(spec.service().name.clone());
            continue;
        }
        let krate = partnergen_codegen::emit::crate_name(&spec);
        let Some(bin) = partnergen_codegen::emit::mock_server_bin(&spec) else {
            bail!("{krate} has no mock server yet");
        };
        return cargo_run(
            &root,
            &["-p", &krate, "--features", "mock", "--bin", &bin, "--"],
            args,
        );
    }
    bail!(
        "no spec has service `{service}` (there are: {})",
        names.join(", ")
    )
}

/// Runs the CAM policy program of the Tencent crate that has one (see [`cargo_run`]).
fn policy(args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let mut programs = Vec::new();
    for path in discover_specs(&root.join("spec")).context("listing the specs")? {
        let spec = load_spec(&path).map_err(|d| anyhow::anyhow!("{d}"))?.spec;
        if let Some(bin) = partnergen_codegen::emit::policy_bin(&spec) {
            programs.push((partnergen_codegen::emit::crate_name(&spec), bin));
        }
    }
    let [(krate, bin)] = &programs[..] else {
        // One Tencent service today; a second one needs a way to choose.
        bail!(
            "`cargo xtask policy` serves exactly one Tencent service; the specs have {}",
            programs.len()
        );
    };
    cargo_run(
        &root,
        &["-p", krate, "--features", "policy-cli", "--bin", bin, "--"],
        args,
    )
}

/// Replaces this process with `cargo run --quiet <cargo_args> <args>` in the main
/// workspace at `root`: the program gets this process's current directory (file
/// arguments mean what they meant to the caller), stdin, stdout and stderr, a signal to
/// this process reaches it, and its exit status is the command's.
fn cargo_run(root: &Path, cargo_args: &[&str], args: &[String]) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command
        .args(["run", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(cargo_args)
        .args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = command.exec();
        bail!("cannot run cargo: {err}");
    }
    #[cfg(not(unix))]
    {
        let status = command.status().context("running cargo")?;
        std::process::exit(status.code().unwrap_or(1));
    }
}

fn import(
    path: &Path,
    check: bool,
    importer: impl FnOnce(Option<&Spec>) -> Result<Imported, Diagnostics>,
) -> Result<()> {
    let mode = if check { Mode::Check } else { Mode::Write };
    match import_into(path, mode, importer) {
        Ok(report) => {
            crate::output::stderr(&report.warnings.to_string());
            if check {
                if report.changed {
                    bail!(
                        "{} is stale against its inputs; re-run the import without --check:\n{}",
                        path.display(),
                        report.changelog
                    );
                }
                crate::outln!("{}: up to date", path.display())?;
                return Ok(());
            }
            crate::outln!("{}: {}", path.display(), report.changelog)?;
            if !report.written {
                crate::outln!("(file unchanged)")?;
            }
            Ok(())
        }
        Err(diagnostics) => {
            crate::output::stderr(&diagnostics.to_string());
            bail!(
                "import failed with {} error(s); {} was not touched",
                diagnostics.errors().count(),
                path.display()
            )
        }
    }
}

fn codegen(check_only: bool) -> Result<()> {
    let root = workspace_root()?;
    // Every spec of every tree is loaded and validated before anything is written.
    let mut plans = Vec::new();
    let mut errors = Diagnostics::default();
    for tree in [PRODUCT, FIXTURES] {
        // A checkout without the test fixtures (a copy of spec/ and generated/) has only
        // the crates users depend on.
        if tree != PRODUCT && !root.join(tree.specs).is_dir() {
            continue;
        }
        match plan_tree(&root, tree) {
            Ok((files, warnings)) => {
                // The fixture specs raise warnings on purpose (the tests check them).
                if tree == PRODUCT {
                    crate::output::stderr(&warnings.to_string());
                }
                plans.push((tree, files));
            }
            Err(tree_errors) => errors.0.extend(tree_errors.0),
        }
    }
    if errors.has_errors() {
        crate::output::stderr(&errors.to_string());
        bail!(
            "{} spec error(s); nothing under generated/ or {}/ was touched",
            errors.errors().count(),
            FIXTURES.crates
        );
    }
    if check_only {
        let mut differ = 0;
        for (tree, files) in &plans {
            let drift = check_tree(&root, *tree, files)
                .with_context(|| format!("cannot read {}/", tree.crates))?;
            if drift.is_empty() {
                crate::outln!("{}/ is up to date ({} files)", tree.crates, files.len())?;
            }
            for d in &drift {
                crate::output::stderr(&format!("{}\n", d.in_tree(*tree)));
            }
            differ += drift.len();
        }
        if differ > 0 {
            bail!("{differ} generated file(s) differ from the specs: run `cargo xtask codegen`");
        }
        return Ok(());
    }
    for (tree, files) in &plans {
        let repaired = write_tree(&root, *tree, files)
            .with_context(|| format!("cannot write {}/", tree.crates))?;
        for d in &repaired {
            crate::outln!("{} (rewritten)", d.in_tree(*tree))?;
        }
        crate::outln!(
            "{}/: {} files, {} rewritten",
            tree.crates,
            files.len(),
            repaired.len()
        )?;
    }
    Ok(())
}

fn service_of_definition(path: &Path) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        metadata: Metadata,
    }
    #[derive(serde::Deserialize)]
    struct Metadata {
        #[serde(rename = "serviceShortName")]
        service_short_name: String,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let head: Head = serde_json::from_str(&text).map_err(|err| {
        anyhow::anyhow!(
            "{}:{}: error[malformed-definition]: no metadata.serviceShortName: {err}",
            path.display(),
            err.line()
        )
    })?;
    let name = head.metadata.service_short_name;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!(
            "{}: error[malformed-definition]: service name `{name}` is not a plain name",
            path.display()
        );
    }
    Ok(name)
}

fn actions(service: Option<&str>, json: bool) -> Result<()> {
    let mut records = Vec::new();
    let mut tables = Vec::new();
    let mut matched = false;
    for path in discover_specs(&workspace_root()?.join("spec")).context("cannot list spec/")? {
        let loaded = load_spec(&path).map_err(|d| anyhow::anyhow!("{d}"))?;
        if service.is_some_and(|s| s != loaded.spec.service().name) {
            continue;
        }
        matched = true;
        if json {
            records.extend(action_records(&loaded.spec));
        } else {
            let s = loaded.spec.service();
            tables.push(format!(
                "{} / {} ({})\n{}",
                s.provider.as_str(),
                s.name,
                s.title,
                action_table(&loaded.spec)
            ));
        }
    }
    if !matched {
        bail!("no spec for service `{}`", service.unwrap_or("*"));
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&records)?)
    } else {
        output::text(&tables.join("\n"))
    }
}

/// `cargo xtask diff`: the classified changelog from one spec file to another (or from a
/// committed revision of a file to its working copy).
fn diff(old_path: &Path, new_path: Option<&Path>, rev: Option<&str>, json: bool) -> Result<()> {
    let (old_label, old, new_label, new) = match (rev, new_path) {
        (Some(rev), None) => {
            let (label, text) = git_show(rev, old_path)?;
            let old = parse_spec(&label, &text).map_err(spec_error("diff"))?.spec;
            let new = load_spec(old_path).map_err(spec_error("diff"))?.spec;
            (label, old, old_path.display().to_string(), new)
        }
        (Some(_), Some(new_path)) => bail!(
            "--git compares one file with its committed copy; given two ({} and {})",
            old_path.display(),
            new_path.display()
        ),
        (None, Some(new_path)) => {
            let old = load_spec(old_path).map_err(spec_error("diff"))?.spec;
            let new = load_spec(new_path).map_err(spec_error("diff"))?.spec;
            let label = |p: &Path| p.display().to_string();
            (label(old_path), old, label(new_path), new)
        }
        (None, None) => bail!("diff needs two spec files (OLD NEW), or one with --git REV"),
    };
    same_service(&old_label, &old, &new_label, &new, "diff")?;
    let new_service = new.service();
    let changelog = partnergen_codegen::changelog::diff(Some(&old), &new);
    let service = format!("{}/{}", new_service.provider.as_str(), new_service.name);
    if json {
        let mut value = changelog.to_json();
        if let Some(object) = value.as_object_mut() {
            object.insert("service".into(), service.into());
            object.insert("old".into(), old_label.into());
            object.insert("new".into(), new_label.into());
        }
        return outln!("{}", serde_json::to_string_pretty(&value)?);
    }
    output::text(&format!(
        "{service}: {old_label} -> {new_label}\n{changelog}"
    ))
}

/// Fails unless the two specs are editions of one service (`doing`: the command, for the
/// message).
fn same_service(
    old_label: &str,
    old: &Spec,
    new_label: &str,
    new: &Spec,
    doing: &str,
) -> Result<()> {
    let (old_service, new_service) = (old.service(), new.service());
    if old_service.provider != new_service.provider {
        bail!(
            "{old_label} is a {} spec and {new_label} a {} one: {doing} compares two \
             editions of one service",
            old_service.provider.as_str(),
            new_service.provider.as_str()
        );
    }
    if old_service.name != new_service.name {
        bail!(
            "{old_label} is service `{}` and {new_label} service `{}`: {doing} compares two \
             editions of one service",
            old_service.name,
            new_service.name
        );
    }
    Ok(())
}

/// A spec's errors (each with its file and line, on stderr), as the error of the command
/// `doing`.
fn spec_error(doing: &'static str) -> impl Fn(Diagnostics) -> anyhow::Error {
    move |diagnostics| {
        crate::output::stderr(&diagnostics.to_string());
        let file = diagnostics
            .errors()
            .next()
            .map(|d| d.file.clone())
            .unwrap_or_default();
        anyhow::anyhow!(
            "cannot {doing}: {file} has {} error(s), above",
            diagnostics.errors().count()
        )
    }
}

/// `cargo xtask semver-check OLD NEW`: see [`semver_check`].
fn semver_check(old_path: &Path, new_path: &Path, features: Option<Vec<String>>) -> Result<()> {
    let root = workspace_root()?;
    let old = load_spec(old_path)
        .map_err(spec_error("semver-check"))?
        .spec;
    let new = load_spec(new_path)
        .map_err(spec_error("semver-check"))?
        .spec;
    let (old_label, new_label) = (
        old_path.display().to_string(),
        new_path.display().to_string(),
    );
    same_service(&old_label, &old, &new_label, &new, "semver-check")?;
    let features = match features {
        None => semver_check::Features::All,
        Some(list) => {
            semver_check::Features::Only(list.into_iter().filter(|f| !f.is_empty()).collect())
        }
    };
    let outcome =
        semver_check::check_specs(&root, (&old_label, &old), (&new_label, &new), &features)?;
    output::text(&outcome.report())?;
    if outcome.agreement() == semver_check::Agreement::UnderClassified {
        bail!(
            "{}: the classifier says {} and cargo-semver-checks requires {}",
            outcome.krate,
            outcome.classifier,
            outcome.tool.requires
        );
    }
    Ok(())
}

/// The text of `path` as committed at `rev` (`git show REV:./path`, run in the file's
/// directory), labelled `REV:path`.
fn git_show(rev: &str, path: &Path) -> Result<(String, String)> {
    if rev.starts_with('-') {
        bail!("--git {rev}: a revision does not start with `-`");
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
    let spec = format!("{rev}:./{}", name.to_string_lossy());
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(["show", "--end-of-options", &spec])
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git show {spec} (in {}) failed: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| anyhow::anyhow!("{rev}:{} is not UTF-8 text", path.display()))?;
    Ok((format!("{rev}:{}", path.display()), text))
}
