//! Output that returns a write into a closed pipe as an error (`println!` panics), so
//! `main` can end quietly with exit 0 (as xtask does: see xtask/src/output.rs).

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

/// The error that ends the program, on stderr.
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
