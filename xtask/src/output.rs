//! Command output. `println!` panics when stdout is a closed pipe (`cargo xtask actions |
//! head -1`); these return the write error instead, and `main` ends quietly with exit 0
//! when the error is a closed pipe (the reader has what it wanted). Exit 0 rather than
//! the shell's SIGPIPE convention (141): under `set -o pipefail` a reader that stops early
//! is not a failure of the writer.

use std::fmt;
use std::io::{self, Write};

/// Writes one line to stdout (flushed, so a closed pipe is noticed here).
pub fn line(args: fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.write_all(b"\n")?;
    stdout.flush()?;
    Ok(())
}

/// Writes text as it is to stdout.
pub fn text(text: &str) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// `println!` that returns the error instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// Text as it is on stderr (diagnostics); if stderr is closed there is no one left to tell.
pub fn stderr(text: &str) {
    let _ = io::stderr().write_all(text.as_bytes());
}

/// The error that ends a command (or the bench program), on stderr.
pub fn error(err: &anyhow::Error) {
    let _ = writeln!(io::stderr(), "error: {err:#}");
}

/// Whether the error, anywhere in its chain, is a write into a closed pipe.
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
