//! `cargo xtask policy build|lint|eval`: the CAM policy library over the generated
//! intlpartnersmgt permission table, from the shell.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use crate::{outln, output};
use tencentcloud_intlpartnersmgt::policy::{
    evaluate, lint, policy_text, statements, strip_byte_order_mark, Decision, LintOptions,
    PolicyBuilder, Request, Severity, BYTE_ORDER_MARK_WARNING,
};
use tencentcloud_intlpartnersmgt::{Action, CamClass, SERVICE};

#[derive(Subcommand)]
pub enum PolicyCommand {
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

/// A policy file's text (see [`policy_text`]).
fn read_policy(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    policy_text(bytes).map_err(|why| anyhow::anyhow!("{} {why}", path.display()))
}

fn action(name: &str) -> Result<Action> {
    Action::from_name(name).with_context(|| format!("`{name}` is not an action of {SERVICE}"))
}

pub fn run(command: PolicyCommand) -> Result<()> {
    match command {
        PolicyCommand::Build {
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
                bail!("select some actions: --read, --list, --write, --other, --category NAME or --action NAME");
            }
            let mut builder = PolicyBuilder::<Action>::new(SERVICE)
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
                if Action::in_category(name).next().is_none() {
                    bail!(
                        "no action is in category `{name}` (categories: {})",
                        tencentcloud_intlpartnersmgt::CATEGORIES.join(", ")
                    );
                }
                builder = builder.category(name);
            }
            for name in &actions {
                builder = builder.action(action(name)?);
            }
            for name in &exclude {
                builder = builder.exclude(action(name)?);
            }
            let (policy, warnings) = builder.build()?;
            for warning in warnings {
                output::warning(&warning);
            }
            outln!("{}", serde_json::to_string_pretty(&policy)?)?;
            Ok(())
        }
        PolicyCommand::Lint {
            file,
            json,
            read_only,
        } => {
            let text = read_policy(&file)?;
            let findings = lint::<Action>(SERVICE, &text, &LintOptions { read_only });
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
                outln!("{}", serde_json::to_string_pretty(&records)?)?;
            } else if findings.is_empty() {
                outln!("{}: no findings", file.display())?;
            } else {
                for finding in &findings {
                    outln!("{}: {finding}", file.display())?;
                }
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            if errors > 0 {
                bail!("{} error finding(s) in {}", errors, file.display());
            }
            Ok(())
        }
        PolicyCommand::Eval {
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
                    output::warning(&format_args!(
                        "{}: {BYTE_ORDER_MARK_WARNING}",
                        path.display()
                    ));
                }
                let document: serde_json::Value = serde_json::from_str(text)
                    .with_context(|| format!("{} is not JSON (lint it)", path.display()))?;
                let parsed = statements(&document).map_err(|(pointer, message)| {
                    anyhow::anyhow!("{}{pointer}: {message} (lint it)", path.display())
                })?;
                policies.push(parsed);
            }
            let request = Request {
                action: action(&name)?,
                source_ip: ip,
                resource: &resource,
            };
            let trace = evaluate::<Action>(SERVICE, &policies, &request);
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
                    outln!(
                        "{verdict}: {} of {}: {}{assumption}",
                        o.statement,
                        policy[o.policy].display(),
                        o.reason
                    )?;
                }
                None => outln!("{verdict}: no statement applies (implicit deny)")?,
            }
            Ok(())
        }
    }
}

/// `cargo xtask bench policy`: the linter and the evaluator on large hostile input, at
/// 1,000, 10,000 and 100,000 items (so the growth shows: 10x the input should take about
/// 10x the time). A series stops once one size takes over 30 s; figures, never asserted.
pub fn bench() -> Result<()> {
    type Case = (&'static str, fn(usize) -> Box<dyn Fn()>);
    let cases: [Case; 6] = [
        (
            "lint: N statements, one known action each, IP condition",
            |n| {
                let text = document((0..n).map(|i| {
                let action = Action::all()[i % Action::all().len()].name();
                format!(r#"{{"effect":"allow","action":["{SERVICE}:{action}"],"resource":"*","condition":{{"ip_equal":{{"qcs:ip":["10.0.0.0/8"]}}}}}}"#)
            }));
                Box::new(move || {
                    drop(lint::<Action>(
                        SERVICE,
                        &text,
                        &LintOptions { read_only: true },
                    ))
                })
            },
        ),
        ("lint: one statement, N unknown actions", |n| {
            let actions: Vec<String> = (0..n)
                .map(|i| format!("\"{SERVICE}:QueryPartnerCredit{i}\""))
                .collect();
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":[{}],"resource":"*"}}"#,
                actions.join(",")
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: N statements, one unknown action each", |n| {
            let text = document((0..n).map(|i| {
                format!(r#"{{"effect":"allow","action":"{SERVICE}:DescribeBillSummary{i}","resource":"*"}}"#)
            }));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: one unknown action of N characters", |n| {
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":"{SERVICE}:{}","resource":"*"}}"#,
                "Q".repeat(n)
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        ("lint: one statement, N wildcards", |n| {
            let actions: Vec<String> = (0..n)
                .map(|i| format!("\"{SERVICE}:Query*{i}*\""))
                .collect();
            let text = document(std::iter::once(format!(
                r#"{{"effect":"allow","action":[{}],"resource":"*"}}"#,
                actions.join(",")
            )));
            Box::new(move || drop(lint::<Action>(SERVICE, &text, &LintOptions::default())))
        }),
        (
            "eval: N statements (N-1 not matching, then a conditional deny)",
            |n| {
                let text = document((0..n).map(|i| {
                if i + 1 == n {
                    format!(r#"{{"effect":"deny","action":"{SERVICE}:*","resource":"*","condition":{{"ip_not_equal":{{"qcs:ip":["10.0.0.0/8"]}}}}}}"#)
                } else {
                    format!(r#"{{"effect":"allow","action":["{SERVICE}:Describe*","{SERVICE}:DescribeBillSummary{i}"],"resource":"*"}}"#)
                }
            }));
                let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                let policies = vec![statements(&document).expect("a policy")];
                Box::new(move || {
                    let request = Request {
                        action: Action::QueryPartnerCredit,
                        source_ip: Some("::ffff:192.0.2.1".parse().expect("an address")),
                        resource: "*",
                    };
                    drop(evaluate::<Action>(SERVICE, &policies, &request))
                })
            },
        ),
    ];
    for (name, setup) in cases {
        outln!("{name}")?;
        for n in [1_000usize, 10_000, 100_000] {
            let run = setup(n);
            let start = std::time::Instant::now();
            run();
            let took = start.elapsed();
            outln!("  N = {n:>7}: {took:>10.2?}")?;
            if took > std::time::Duration::from_secs(30) {
                outln!("  (larger N skipped: this size took over 30 s)")?;
                break;
            }
        }
    }
    Ok(())
}

/// A policy document of these statements (JSON text each).
fn document(statements: impl Iterator<Item = String>) -> String {
    format!(
        r#"{{"version":"2.0","statement":[{}]}}"#,
        statements.collect::<Vec<_>>().join(",")
    )
}
