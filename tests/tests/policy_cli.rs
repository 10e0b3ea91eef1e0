//! The policy program (`partnergen_runtime::policy::cli`, the generated
//! `intlpartnersmgt-policy` binary that `cargo xtask policy` runs), in-process over the
//! generated table: exit statuses, a closed stdout, and the README's billing example
//! against the typed table. xtask/tests/shell.rs runs the same through `cargo xtask`.

use std::collections::BTreeSet;
use std::io::{self, Write};

use partnergen_runtime::policy::cli::{run, Service};
use tencentcloud_intlpartnersmgt::policy::{expand, statements};
use tencentcloud_intlpartnersmgt::{Action, CATEGORIES, SERVICE};

const INTLPARTNERSMGT: Service = Service {
    name: SERVICE,
    categories: CATEGORIES,
};

/// Runs the program on `args`: exit status, stdout, stderr.
fn policy(args: &[&str]) -> (u8, String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = run::<Action>(
        INTLPARTNERSMGT,
        std::iter::once("intlpartnersmgt-policy").chain(args.iter().copied()),
        &mut stdout,
        &mut stderr,
    );
    (
        status,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// A stdout whose reader has gone (`| head` after its lines).
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
}

/// A stdout that fails otherwise (a full disk).
struct FullDisk;

impl Write for FullDisk {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("no space left on device"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn policy_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("policy.json");
    std::fs::write(
        &path,
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["intlpartnersmgt:*"],"resource":"*"}]}"#,
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_with_success() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(&dir);
    let commands: [&[&str]; 5] = [
        &["build", "--read", "--list", "--write", "--other"],
        &["lint", &file],
        &["lint", "--json", &file],
        &["eval", "--policy", &file, "--action", "QueryUser"],
        &["--help"],
    ];
    for args in commands {
        let mut stderr = Vec::new();
        let status = run::<Action>(
            INTLPARTNERSMGT,
            std::iter::once("intlpartnersmgt-policy").chain(args.iter().copied()),
            &mut ClosedPipe,
            &mut stderr,
        );
        assert_eq!(
            (status, String::from_utf8_lossy(&stderr).as_ref()),
            (0, ""),
            "{args:?}"
        );
    }
    // Any other write error is a failure that says what happened.
    let mut stderr = Vec::new();
    let status = run::<Action>(
        INTLPARTNERSMGT,
        ["intlpartnersmgt-policy", "lint", &file],
        &mut FullDisk,
        &mut stderr,
    );
    let stderr = String::from_utf8_lossy(&stderr);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("no space left on device"), "{stderr}");
}

#[test]
fn exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(&dir);
    // Success, and an evaluation that denies is a success too.
    let (status, stdout, _) = policy(&["eval", "--policy", &file, "--action", "QueryUser"]);
    assert_eq!(status, 0);
    assert!(stdout.starts_with("allow: "), "{stdout}");
    let (status, stdout, _) = policy(&[
        "eval",
        "--policy",
        &file,
        "--action",
        "QueryUser",
        "--resource",
        "qcs::cam::uin/1:uin/2",
    ]);
    assert_eq!(status, 0, "{stdout}");
    // A failed command: 1, with the reason on stderr and nothing on stdout.
    for (args, says) in [
        (&["build"][..], "select some actions"),
        (&["build", "--action", "NoSuchAction"][..], "`NoSuchAction`"),
        (
            &["build", "--read", "--ip", "10.0.0.0/33"][..],
            "10.0.0.0/33",
        ),
        (&["lint", "/no/such/policy.json"][..], "cannot read"),
    ] {
        let (status, stdout, stderr) = policy(args);
        assert_eq!(status, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(says),
            "{args:?}: {stderr}"
        );
    }
    // Bad arguments: 2, with the usage.
    let (status, _, stderr) = policy(&["bogus"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("Usage:"), "{stderr}");
    // --help: the commands on stdout.
    let (status, stdout, _) = policy(&["--help"]);
    assert_eq!(status, 0);
    assert!(
        ["build", "lint", "eval"].iter().all(|c| stdout.contains(c)),
        "{stdout}"
    );
}

/// The README's billing example (as xtask/tests/shell.rs reads it, here with its
/// arguments written out) grants exactly the category's read and list actions.
#[test]
fn the_billing_example_against_the_typed_table() {
    let (status, stdout, stderr) = policy(&[
        "build",
        "--category",
        "Bill Management APIs",
        "--read",
        "--list",
        "--exclude",
        "DescribeBillSummaryByProduct",
        "--ip",
        "10.0.0.0/8",
        "--minimise",
    ]);
    assert_eq!(status, 0, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let granted: BTreeSet<Action> = statements(&document)
        .unwrap()
        .iter()
        .flat_map(|s| s.actions.iter())
        .flat_map(|p| expand::<Action>(SERVICE, p))
        .collect();
    let expected: BTreeSet<Action> = Action::in_category("Bill Management APIs")
        .filter(|a| a.info().cam_class.is_some_and(|c| c.is_read_only()))
        .filter(|a| *a != Action::DescribeBillSummaryByProduct)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(granted, expected);
}
