//! What a test logged: one global subscriber per test program, set once, writing the
//! events and closed spans of each thread into that thread's buffer while a test
//! captures on it. Global, not a scoped subscriber per test: a callsite that another test's
//! thread hits first while no scoped subscriber exists can be cached as of no interest,
//! and the capturing test then sees nothing (it flaked under load).
//!
//! Events land in the buffer of the thread that emits them: capture in a current-thread
//! runtime (`#[tokio::test]`'s default), where the client runs on the test's thread.

use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static BUFFER: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Writes into the current thread's buffer while it captures; elsewhere drops the text.
struct ThreadWriter;

impl std::io::Write for ThreadWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        BUFFER.with(|buffer| {
            if let Some(buffer) = buffer.borrow_mut().as_mut() {
                buffer.extend_from_slice(data);
            }
        });
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// This thread's log lines (debug and above, closed spans with their fields) from
/// [`capture`] until it drops.
pub struct Capture(());

impl Capture {
    /// The lines so far.
    pub fn text(&self) -> String {
        BUFFER.with(|buffer| {
            String::from_utf8_lossy(buffer.borrow().as_deref().unwrap_or_default()).into_owned()
        })
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        BUFFER.with(|buffer| *buffer.borrow_mut() = None);
    }
}

/// Starts capturing this thread's log lines.
pub fn capture() -> Capture {
    static GLOBAL: Once = Once::new();
    GLOBAL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(|| ThreadWriter)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("only this module sets a global subscriber in a test program");
    });
    BUFFER.with(|buffer| *buffer.borrow_mut() = Some(Vec::new()));
    Capture(())
}
