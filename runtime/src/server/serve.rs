//! The one HTTP handler every server shares: the admin endpoint under `/_mock/`, else the
//! vendor's [`Pipeline`] of checks; every decision logged.

use std::sync::Arc;

use super::admin;
use super::core::{refuse, LogEntry, Refusal, ServerState};
use super::http;
use crate::mock::Reply;
use crate::transport::HttpResponse;

/// A header a pipeline reads: it must be there at most once, and no longer than any
/// valid value (a longer one is refused before anything of it is logged).
pub(crate) struct HeaderRule {
    /// As the service's documents spell it (messages name it so).
    pub name: &'static str,
    /// The longest valid value, in bytes.
    pub max_bytes: usize,
    /// The error code of a refusal.
    pub code: &'static str,
}

/// A protocol's checks and rendering, behind the one HTTP handler every server shares.
pub(crate) trait Pipeline: ServerState {
    /// The headers the pipeline reads.
    const HEADERS: &'static [HeaderRule];
    /// The error code of a body over the size limit.
    const TOO_LARGE: &'static str;
    /// The error code of a body that could not be read.
    const UNREADABLE: &'static str;
    /// A new request's log entry, with who it claims to be and what it names.
    fn entry(&self, head: &http::Head) -> LogEntry;
    /// The checks in the protocol's order; the reply of a request that passes them all.
    fn pipeline(
        &self,
        head: &http::Head,
        body: &[u8],
        entry: &mut LogEntry,
    ) -> Result<Reply, Refusal>;
    /// The reply on the wire, carrying `request_id`.
    fn render(&self, request_id: &str, reply: Reply) -> HttpResponse;
    /// The answer to a request outside the API (an instance metadata endpoint), with
    /// what decided it in `entry`; `None` for a request of the API, which goes through
    /// [`Pipeline::pipeline`].
    fn outside_api(&self, head: &http::Head, entry: &mut LogEntry) -> Option<http::Answer> {
        let _ = (head, entry);
        None
    }
}

/// The HTTP handler of a server: the admin endpoint under `/_mock/`, else the protocol's
/// pipeline; every decision logged.
pub(crate) struct Serve<S>(pub(crate) Arc<S>);

/// The first header of `rules` that is repeated or too long. (A value that is not
/// visible ASCII is the pipeline's to judge: [`http::Head::header`] does not read it.)
fn screen(head: &http::Head, rules: &[HeaderRule]) -> Result<(), Refusal> {
    for rule in rules {
        let mut values = head.headers.get_all(rule.name).iter();
        let Some(value) = values.next() else {
            continue;
        };
        let count = 1 + values.count();
        let name = rule.name;
        if count > 1 {
            return Err(refuse(
                rule.code,
                "header",
                format!("the request has {name} {count} times; the service takes one"),
            ));
        }
        if value.len() > rule.max_bytes {
            return Err(refuse(
                rule.code,
                "header",
                format!(
                    "{name} is {} bytes, longer than any valid value (at most {})",
                    value.len(),
                    rule.max_bytes
                ),
            ));
        }
    }
    Ok(())
}

impl<S: Pipeline> Serve<S> {
    /// The request's log entry, and the refusal of a header that is repeated or too
    /// long, if one is (then the entry holds nothing the client claimed).
    fn entry(&self, head: &http::Head) -> (LogEntry, Option<Refusal>) {
        match screen(head, S::HEADERS) {
            Ok(()) => (self.0.entry(head), None),
            Err(refusal) => (self.0.core().entry(head.peer.ip()), Some(refusal)),
        }
    }

    fn refused(&self, mut entry: LogEntry, refusal: Refusal) -> http::Answer {
        entry.decided_by = refusal.check;
        entry.reason = refusal.message.clone();
        self.finish(entry, Reply::api_error(refusal.code, refusal.message))
    }

    fn finish(&self, mut entry: LogEntry, reply: Reply) -> http::Answer {
        if let Reply::ApiError { code, .. } = &reply {
            entry.error_code = Some(code.clone());
        }
        let response = self.0.render(&entry.request_id, reply);
        self.0.core().record(entry);
        http::Answer {
            status: response.status,
            headers: response.headers,
            body: response.body,
        }
    }
}

impl<S: Pipeline> http::Handler for Serve<S> {
    fn handle(&self, head: http::Head, body: bytes::Bytes) -> http::Answer {
        if head.path.starts_with(admin::PREFIX) {
            return admin::handle(&*self.0, &head, &body);
        }
        let (mut entry, refusal) = self.entry(&head);
        if let Some(refusal) = refusal {
            return self.refused(entry, refusal);
        }
        if let Some(answer) = self.0.outside_api(&head, &mut entry) {
            self.0.core().record(entry);
            return answer;
        }
        match self.0.pipeline(&head, &body, &mut entry) {
            Ok(reply) => self.finish(entry, reply),
            Err(refusal) => self.refused(entry, refusal),
        }
    }

    fn reject(&self, head: http::Head, problem: http::BodyProblem) -> http::Answer {
        let (entry, refusal) = self.entry(&head);
        if let Some(refusal) = refusal {
            return self.refused(entry, refusal);
        }
        let (code, message) = match problem {
            http::BodyProblem::TooLarge => (
                S::TOO_LARGE,
                "the request body is larger than this server takes".to_owned(),
            ),
            http::BodyProblem::Unreadable(why) => {
                (S::UNREADABLE, format!("the body could not be read: {why}"))
            }
        };
        self.refused(entry, refuse(code, "body", message))
    }
}
