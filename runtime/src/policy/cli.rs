//! The CAM policy library as a program: what a generated crate's `*-policy` binary runs
//! (`cargo xtask policy build|lint|eval ...` runs that binary).
//!
//! ```text
//! intlpartnersmgt-policy build [--read] [--list] [--write] [--other] [--category C]... [--action A]... [--exclude A]... [--ip CIDR]... [--minimise]
//! intlpartnersmgt-policy lint FILE [--json] [--read-only]
//! intlpartnersmgt-policy eval --policy FILE... --action A [--ip IP] [--resource R]
//! ```
//!
//! Exit status: 0 on success (an evaluation that denies included), 1 when a command fails
//! (a lint error finding, an unreadable file, an empty selection), 2 for bad arguments.
//! Output into a closed pipe (`| head`) ends the program quietly with 0: the reader has
//! what it wanted, and under `set -o pipefail` a reader that stops early is not a failure
//! of the writer.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::{
    evaluate, lint, policy_text, statements, strip_byte_order_mark, Decision, LintOptions,
    PolicyBuilder, Request, Severity, BYTE_ORDER_MARK_WARNING,
};
use crate::tables::ActionTable;
use crate::CamClass;

/// The command line.
#[derive(Parser)]
#[command(about = "CAM policies over the generated permission table: build, lint, evaluate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a least-privilege allow policy (JSON) for the selected actions.
    ///
    /// Selectors of one kind add (`--read --list`: read or list actions), kinds narrow
    /// each other (`--category C --list`: C's list actions), `--action` adds, `--exclude`
    /// subtracts last.
    Build {
        /// Read actions (classes add to each other and narrow --category).
        #[arg(long)]
        read: bool,
        /// List actions (classes add to each other and narrow --category).
        #[arg(long)]
        list: bool,
        /// Write actions (classes add to each other and narrow --category).
        #[arg(long)]
        write: bool,
        /// "Other" actions (classes add to each other and narrow --category).
        #[arg(long)]
        other: bool,
        /// The actions of an API category (e.g. "Bill Management APIs"); repeatable:
        /// categories add to each other and narrow the class selectors.
        #[arg(long)]
        category: Vec<String>,
        /// One action by name, added whatever the other selectors say; repeatable.
        #[arg(long)]
        action: Vec<String>,
        /// Leave an action out, whatever selected it; repeatable.
        #[arg(long)]
        exclude: Vec<String>,
        /// Allow only these source CIDRs (or addresses); repeatable.
        #[arg(long)]
        ip: Vec<String>,
        /// Use prefix wildcards where they expand to exactly the selection.
        #[arg(long)]
        minimise: bool,
    },
    /// Lint a policy file; exits non-zero when a finding is an error.
    Lint {
        /// The policy JSON.
        file: PathBuf,
        /// Findings as a JSON array.
        #[arg(long)]
        json: bool,
        /// The policy is meant to be read-only: allowing any other action is an error.
        #[arg(long)]
        read_only: bool,
    },
    /// Allow or deny one request under policies; prints the deciding statement.
    Eval {
        /// A policy file; repeatable (all attached policies together).
        #[arg(long, required = true)]
        policy: Vec<PathBuf>,
        /// The action's name, e.g. QueryPartnerCredit.
        #[arg(long)]
        action: String,
        /// The caller's source IP.
        #[arg(long)]
        ip: Option<std::net::IpAddr>,
        /// The resource.
        #[arg(long, default_value = "*")]
        resource: String,
    },
}

/// What ends a command early.
enum Failure {
    /// The command failed: the message for stderr.
    Message(String),
    /// Writing the output failed (a closed pipe among others).
    Output(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Output(err)
    }
}

fn fail(message: impl fmt::Display) -> Failure {
    Failure::Message(message.to_string())
}

/// The service a program serves: its CAM abbreviation and its API categories (for the
/// error that names the known categories).
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The CAM abbreviation, e.g. `intlpartnersmgt`.
    pub name: &'static str,
    /// The API categories, as the category page names them.
    pub categories: &'static [&'static str],
}

/// Runs the program on the process's arguments, stdout and stderr; the generated
/// binary's `main` is this one call.
pub fn main<A: ActionTable>(service: Service) -> ExitCode {
    let status = run::<A>(
        service,
        std::env::args_os(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    ExitCode::from(status)
}

/// Runs the program on `args` (the program name first) and returns its exit status: 0
/// (also when `stdout` is a closed pipe), 1 when the command fails, 2 for bad arguments.
pub fn run<A: ActionTable>(
    service: Service,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` goes to stdout with success; a usage error to stderr with 2.
            let text = err.render().to_string();
            let written = if err.use_stderr() {
                stderr.write_all(text.as_bytes())
            } else {
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
            };
            return match written {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
                _ => u8::try_from(err.exit_code()).unwrap_or(2),
            };
        }
    };
    let outcome =
        command::<A>(service, cli.command, stdout, stderr).and_then(|()| Ok(stdout.flush()?));
    match outcome {
        Ok(()) => 0,
        Err(Failure::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(Failure::Output(err)) => {
            let _ = writeln!(stderr, "error: cannot write the output: {err}");
            1
        }
        Err(Failure::Message(message)) => {
            // If stderr is closed too there is no one left to tell.
            let _ = writeln!(stderr, "error: {message}");
            1
        }
    }
}

/// A policy file's text (see [`policy_text`]).
fn read_policy(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|err| fail(format_args!("cannot read {}: {err}", path.display())))?;
    policy_text(bytes).map_err(|why| fail(format_args!("{} {why}", path.display())))
}

fn action<A: ActionTable>(service: Service, name: &str) -> Result<A, Failure> {
    A::from_name(name).ok_or_else(|| {
        fail(format_args!(
            "`{name}` is not an action of {}",
            service.name
        ))
    })
}

fn command<A: ActionTable>(
    service: Service,
    command: Command,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure> {
    match command {
        Command::Build {
            read,
            list,
            write,
            other,
            category,
            action: actions,
            exclude,
            ip,
            minimise,
        } => {
            if !(read || list || write || other) && category.is_empty() && actions.is_empty() {
                return Err(fail("select some actions: --read, --list, --write, --other, --category NAME or --action NAME"));
            }
            let mut builder = PolicyBuilder::<A>::new(service.name)
                .minimise(minimise)
                .allow_ips(ip);
            for (on, class) in [
                (read, CamClass::Read),
                (list, CamClass::List),
                (write, CamClass::Write),
                (other, CamClass::Other),
            ] {
                if on {
                    builder = builder.cam_class(class);
                }
            }
            for name in &category {
                if A::in_category(name).next().is_none() {
                    return Err(fail(format_args!(
                        "no action is in category `{name}` (categories: {})",
                        service.categories.join(", ")
                    )));
                }
                builder = builder.category(name);
            }
            for name in &actions {
                builder = builder.action(action::<A>(service, name)?);
            }
            for name in &exclude {
                builder = builder.exclude(action::<A>(service, name)?);
            }
            let (policy, warnings) = builder.build().map_err(fail)?;
            for warning in warnings {
                let _ = writeln!(err, "warning: {warning}");
            }
            writeln!(out, "{}", pretty(&policy))?;
            Ok(())
        }
        Command::Lint {
            file,
            json,
            read_only,
        } => {
            let text = read_policy(&file)?;
            let findings = lint::<A>(service.name, &text, &LintOptions { read_only });
            if json {
                let records: Vec<_> = findings
                    .iter()
                    .map(|f| {
                        serde_json::json!({
                            "code": f.code,
                            "severity": f.severity.as_str(),
                            "pointer": f.pointer,
                            "line": f.line_column.map(|(l, _)| l),
                            "column": f.line_column.map(|(_, c)| c),
                            "message": f.message,
                        })
                    })
                    .collect();
                writeln!(out, "{}", pretty(&serde_json::Value::from(records)))?;
            } else if findings.is_empty() {
                writeln!(out, "{}: no findings", file.display())?;
            } else {
                for finding in &findings {
                    writeln!(out, "{}: {finding}", file.display())?;
                }
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            if errors > 0 {
                return Err(fail(format_args!(
                    "{errors} error finding(s) in {}",
                    file.display()
                )));
            }
            Ok(())
        }
        Command::Eval {
            policy,
            action: name,
            ip,
            resource,
        } => {
            let mut policies = Vec::new();
            for path in &policy {
                let text = read_policy(path)?;
                let (text, had_bom) = strip_byte_order_mark(&text);
                if had_bom {
                    let _ = writeln!(
                        err,
                        "warning: {}: {BYTE_ORDER_MARK_WARNING}",
                        path.display()
                    );
                }
                let document: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                    fail(format_args!(
                        "{} is not JSON (lint it): {e}",
                        path.display()
                    ))
                })?;
                let parsed = statements(&document).map_err(|(pointer, message)| {
                    fail(format_args!(
                        "{}{pointer}: {message} (lint it)",
                        path.display()
                    ))
                })?;
                policies.push(parsed);
            }
            let request = Request {
                action: action::<A>(service, &name)?,
                source_ip: ip,
                resource: &resource,
            };
            let trace = evaluate::<A>(service.name, &policies, &request);
            let verdict = if trace.decision == Decision::Allow {
                "allow"
            } else {
                "deny"
            };
            match &trace.decided_by {
                Some(o) => {
                    let assumption = o
                        .assumption
                        .map(|a| format!(" [assumption: {}]", a.name()))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "{verdict}: {} of {}: {}{assumption}",
                        o.statement,
                        policy[o.policy].display(),
                        o.reason
                    )?;
                }
                None => writeln!(out, "{verdict}: no statement applies (implicit deny)")?,
            }
            Ok(())
        }
    }
}

/// Pretty JSON (a `Value` always serializes).
fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
