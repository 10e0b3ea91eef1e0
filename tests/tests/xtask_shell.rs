//! The built `xtask` binary from the shell: the README's policy example exactly as the
//! README writes it, output into a closed pipe (`| head`), the checkout found at run
//! time, and a broken generated/ tree repaired.
//!
//! `policy` runs the generated crate's policy program through `cargo run` (xtask does not
//! depend on generated code), so these tests check what the caller sees through that
//! hop: stdout, stderr and the exit status.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn checkout() -> PathBuf {
    partnergen_tests::workspace_root()
}

fn xtask() -> Command {
    let mut command = Command::new(partnergen_tests::xtask_binary());
    command.current_dir(checkout());
    command
}

fn readme() -> String {
    std::fs::read_to_string(checkout().join("README.md")).unwrap()
}

/// Shell words of one command line: blanks split, double quotes group.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    assert!(!quoted, "unbalanced quotes in {line}");
    if started {
        words.push(word);
    }
    words
}

/// The arguments of the README's `cargo xtask policy build` command in the code block
/// after `heading`, continuation lines joined, redirection dropped.
fn readme_command(heading: &str) -> Vec<String> {
    let text = readme();
    let after = &text[text.find(heading).expect("the README has the example")..];
    let block = after
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let line = block.replace("\\\n", " ");
    let line = line.lines().next().unwrap();
    let line = line.split(" > ").next().unwrap();
    let words = shell_words(line);
    assert_eq!(words[..2], ["cargo", "xtask"], "{line}");
    words[2..].to_vec()
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Whether a CAM action pattern (`*` for any run of characters) covers `name`.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len()).any(|skip| glob(tail, &name[head.len() + skip..]))
        }
    }
}

#[test]
fn the_readme_billing_example_grants_only_billing_reads_and_lists() {
    let args = readme_command("A read-only policy for a billing job");
    let output = run(xtask().args(&args));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // What the spec says (through `cargo xtask actions`, which reads it directly).
    let table: serde_json::Value = serde_json::from_slice(
        &run(xtask().args(["actions", "--service", "intlpartnersmgt", "--json"])).stdout,
    )
    .unwrap();
    let names: Vec<&str> = table
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let granted: BTreeSet<&str> = document["statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["action"].as_array().unwrap())
        .map(|p| {
            p.as_str()
                .unwrap()
                .strip_prefix("intlpartnersmgt:")
                .unwrap()
        })
        .flat_map(|pattern| names.iter().copied().filter(|n| glob(pattern, n)))
        .collect();
    let excluded: Vec<&str> = args
        .windows(2)
        .filter(|w| w[0] == "--exclude")
        .map(|w| w[1].as_str())
        .collect();
    let expected: BTreeSet<&str> = table
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["category"] == "Bill Management APIs")
        .filter(|a| a["cam_class"] == "read" || a["cam_class"] == "list")
        .map(|a| a["name"].as_str().unwrap())
        .filter(|n| !excluded.contains(n))
        .collect();
    assert!(!expected.is_empty() && !excluded.is_empty());
    assert_eq!(granted, expected, "{args:?}");

    // And it lints clean as read-only.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("billing.json");
    std::fs::write(&file, &output.stdout).unwrap();
    run(xtask().args(["policy", "lint", "--read-only"]).arg(&file));
}

/// Runs xtask with its stdout a pipe whose reading end is already closed (what `| head`
/// leaves once it has its lines): the first write fails with EPIPE.
fn into_closed_pipe(args: &[&str]) -> Output {
    let mut child = xtask()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let dir = std::env::temp_dir().join(format!("xtask-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.json");
    std::fs::write(
        &policy,
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:*"],"resource":"*"}]}"#,
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let commands: [&[&str]; 6] = [
        &["actions", "--json"],
        &["actions"],
        &["policy", "build", "--read", "--list", "--write", "--other"],
        &["policy", "lint", policy],
        &["policy", "lint", "--json", policy],
        &[
            "policy",
            "eval",
            "--policy",
            policy,
            "--action",
            "QueryUser",
        ],
    ];
    for args in commands {
        let output = into_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.is_empty(),
            "xtask {}: {}\n{stderr}",
            args.join(" "),
            output.status
        );
    }
    // Commands that still print with `println!` (here `codegen --check`, which prints one
    // line when generated/ is up to date) end quietly too, or fail for their own reason:
    // never a panic.
    let output = into_closed_pipe(&["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() != Some(101) && !stderr.contains("panicked"),
        "xtask codegen --check: {}\n{stderr}",
        output.status
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn policy_files_with_a_byte_order_mark_or_in_utf16() {
    let dir = std::env::temp_dir().join(format!("xtask-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:QueryUser"],"resource":"*"}]}"#;
    let bom = dir.join("bom.json");
    std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
    let utf16 = dir.join("utf16.json");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    let latin1 = dir.join("latin1.json");
    std::fs::write(
        &latin1,
        b"{\"version\":\"2.0\",\"statement\":[],\"sid\":\"caf\xe9\"}",
    )
    .unwrap();

    // A BOM: accepted, with a warning that names it.
    let eval = run(xtask()
        .args(["policy", "eval", "--action", "QueryUser", "--policy"])
        .arg(&bom));
    assert!(String::from_utf8_lossy(&eval.stdout).starts_with("allow: "));
    let stderr = String::from_utf8_lossy(&eval.stderr);
    assert!(
        stderr.contains("byte order mark") && stderr.contains("bom.json"),
        "{stderr}"
    );
    let lint = run(xtask().args(["policy", "lint"]).arg(&bom));
    let stdout = String::from_utf8_lossy(&lint.stdout);
    assert!(
        stdout.contains("warning[byte-order-mark] line 1, column 1"),
        "{stdout}"
    );

    // UTF-16 or not UTF-8 at all: a clear error naming the file, for lint and eval.
    for (file, says) in [(&utf16, "UTF-16"), (&latin1, "not UTF-8")] {
        for args in [
            vec!["policy", "lint"],
            vec!["policy", "eval", "--action", "QueryUser", "--policy"],
        ] {
            let output = xtask().args(&args).arg(file).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{args:?} {}", file.display());
            assert!(
                stderr.contains(says)
                    && stderr.contains(&*file.to_string_lossy())
                    && !stderr.contains("panicked"),
                "{args:?}: {stderr}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The policy program's exit status comes through xtask as it is: 1 for a failed
/// command, 2 for bad arguments; `--help` is the program's own.
#[test]
fn policy_exit_status_and_help_come_through() {
    let lint_error = xtask()
        .args(["policy", "lint", "no-such-policy.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&lint_error.stderr);
    assert_eq!(lint_error.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot read no-such-policy.json"),
        "{stderr}"
    );
    let usage = xtask().args(["policy", "bogus"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let help = run(xtask().args(["policy", "--help"]));
    let help = String::from_utf8_lossy(&help.stdout);
    for command in ["build", "lint", "eval"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
fn policy_build_says_why_a_selection_is_empty() {
    for (args, says) in [
        (&["policy", "build"][..], "select some actions"),
        (
            &[
                "policy",
                "build",
                "--category",
                "Bill Management APIs",
                "--write",
            ][..],
            "narrow each other",
        ),
        (
            &["policy", "build", "--category", "Nope", "--read"][..],
            "no action is in category `Nope`",
        ),
    ] {
        let output = xtask().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() && output.stdout.is_empty(),
            "{args:?}"
        );
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
