//! Tencent Cloud API 3.0 as the mock server speaks it: the checks in the service's order,
//! each refusal with the service's error code, and answers from the mock's rules.

use std::sync::Arc;

use bytes::Bytes;
use governor::{Quota, RateLimiter};
use serde_json::Value;

use super::http::{Answer, BodyProblem, Handler, Head};
use super::{admin, lock, unix_now, Checks, LogEntry, Shared};
use crate::mock::{render, Reply, Source};
use crate::policy::{evaluate, Decision, Request};
use crate::tables::ActionTable;
use crate::tc3::{self, CanonicalRequest};

/// The API 3.0 handler (and the admin endpoint under `/_mock/`).
pub(crate) struct Tencent<A: ActionTable>(pub Arc<Shared<A>>);

/// A check refused the request.
struct Refusal {
    code: &'static str,
    check: &'static str,
    message: String,
}

fn refuse(code: &'static str, check: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        check,
        message: message.into(),
    }
}

impl<A: ActionTable + Send + Sync> Handler for Tencent<A> {
    fn handle(&self, head: Head, body: Bytes) -> Answer {
        if head.path.starts_with(admin::PREFIX) {
            return admin::handle(&self.0, &head, &body);
        }
        let shared = &*self.0;
        let mut entry = shared.entry(&head);
        let reply = match shared.pipeline(&head, &body, &mut entry) {
            Ok(reply) => reply,
            Err(refusal) => {
                entry.decided_by = refusal.check;
                entry.reason = refusal.message.clone();
                Reply::api_error(refusal.code, refusal.message)
            }
        };
        finish(shared, entry, reply)
    }

    fn reject(&self, head: Head, problem: BodyProblem) -> Answer {
        let shared = &*self.0;
        let mut entry = shared.entry(&head);
        let (code, message) = match problem {
            BodyProblem::TooLarge => (
                "RequestSizeLimitExceeded",
                "the request body is larger than this server takes".to_owned(),
            ),
            BodyProblem::Unreadable(why) => (
                "InvalidParameter",
                format!("the body could not be read: {why}"),
            ),
        };
        entry.decided_by = "body";
        entry.reason = message.clone();
        finish(shared, entry, Reply::api_error(code, message))
    }
}

impl<A: ActionTable + Send + Sync> Shared<A> {
    /// A new request's log entry: its id, where it came from, who it claims to be
    /// (verified or not, the log names it) and the action it names.
    fn entry(&self, head: &Head) -> LogEntry {
        let (seq, request_id) = self.next_request();
        LogEntry {
            seq,
            request_id,
            time: unix_now() as u64,
            source_ip: head.peer.ip(),
            secret_id: claimed_secret_id(head),
            action: head.header("x-tc-action").map(str::to_owned),
            error_code: None,
            decided_by: "",
            statement: None,
            reason: String::new(),
        }
    }
}

fn claimed_secret_id(head: &Head) -> Option<String> {
    let parsed = tc3::parse_authorization(head.header("authorization")?)?;
    Some(parsed.secret_id.to_owned())
}

/// Logs the decision and renders the answer with the entry's `RequestId` (a response's
/// own `RequestId`, e.g. a vendor example's, is replaced so the log can be joined).
fn finish<A: ActionTable + Send + Sync>(
    shared: &Shared<A>,
    mut entry: LogEntry,
    reply: Reply,
) -> Answer {
    let reply = match reply {
        Reply::Response(Value::Object(mut response)) => {
            response.insert("RequestId".into(), Value::from(entry.request_id.as_str()));
            Reply::Response(Value::Object(response))
        }
        Reply::ApiError { code, message } => {
            entry.error_code = Some(code.clone());
            Reply::ApiError { code, message }
        }
        other => other,
    };
    let response = render(reply, &entry.request_id);
    shared.record(entry);
    Answer {
        status: response.status,
        body: response.body,
    }
}

impl<A: ActionTable + Send + Sync> Shared<A> {
    /// The checks in the service's order; the reply of a request that passes them all.
    fn pipeline(&self, head: &Head, body: &[u8], entry: &mut LogEntry) -> Result<Reply, Refusal> {
        let checks = self.checks();
        if head.method != http::Method::POST {
            return Err(refuse(
                "UnsupportedProtocol",
                "protocol",
                format!(
                    "this mock server takes POST requests with a JSON body (the SDKs' default), not {}",
                    head.method
                ),
            ));
        }
        let content_type = head.header("content-type").unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(refuse(
                "UnsupportedProtocol",
                "protocol",
                format!(
                    "this mock server takes Content-Type application/json, not `{content_type}`"
                ),
            ));
        }
        let name = head.header("x-tc-action").ok_or_else(|| {
            refuse(
                "MissingParameter",
                "action",
                "the request has no X-TC-Action header",
            )
        })?;
        let action = A::from_name(name).ok_or_else(|| {
            refuse(
                "InvalidAction",
                "action",
                format!("`{name}` is not an action of {}", self.service.service),
            )
        })?;
        match head.header("x-tc-version") {
            None => {
                return Err(refuse(
                    "MissingParameter",
                    "version",
                    "the request has no X-TC-Version header",
                ))
            }
            Some(version) if version != self.service.version => {
                return Err(refuse(
                    "NoSuchVersion",
                    "version",
                    format!(
                        "{} has no version `{version}` (this server serves {})",
                        self.service.service, self.service.version
                    ),
                ))
            }
            Some(_) => {}
        }
        entry.secret_id = self.authenticate(head, body, &checks)?;
        if checks.qps {
            self.within_qps(entry.secret_id.as_deref(), action)?;
        }
        if checks.policies {
            self.authorize(head, action, entry)?;
        }
        if checks.parameters {
            if let Some(Err(problem)) = (self.service.check_request)(action, body) {
                return Err(refuse(
                    problem.code,
                    "parameters",
                    format!("{name}: {}", problem.message),
                ));
            }
        }
        let request: Value =
            serde_json::from_slice(body).unwrap_or_else(|_| Value::Object(Default::default()));
        match self.mock.answer(action, &request) {
            Ok((reply, source)) => {
                (entry.decided_by, entry.reason) = match source {
                    Source::Rule(i) => ("rule", format!("answered by rule {i}")),
                    Source::Default => ("default", "answered with the default response".into()),
                };
                if let Source::Rule(i) = source {
                    entry.statement.get_or_insert_with(|| format!("rule {i}"));
                }
                Ok(reply)
            }
            Err(why) => Err(refuse(
                "InternalError",
                "unanswered",
                format!("mock: {why}"),
            )),
        }
    }

    /// Who signed the request: the SecretId, verified when the signature check is on.
    fn authenticate(
        &self,
        head: &Head,
        body: &[u8],
        checks: &Checks,
    ) -> Result<Option<String>, Refusal> {
        let authorization = head.header("authorization");
        let parsed = authorization.and_then(tc3::parse_authorization);
        let timestamp = || -> Result<i64, Refusal> {
            let value = head.header("x-tc-timestamp").ok_or_else(|| {
                refuse(
                    "MissingParameter",
                    "signature",
                    "the request has no X-TC-Timestamp header",
                )
            })?;
            value.parse().map_err(|_| {
                refuse(
                    "InvalidParameter",
                    "signature",
                    format!("X-TC-Timestamp `{value}` is not a Unix time in seconds"),
                )
            })
        };
        let check_skew = |timestamp: i64| {
            let skew = (unix_now() - timestamp).abs();
            if skew > self.max_clock_skew {
                return Err(refuse(
                    "AuthFailure.SignatureExpire",
                    "clock-skew",
                    format!(
                        "X-TC-Timestamp {timestamp} is {skew} s from the server's clock (at most {} s)",
                        self.max_clock_skew
                    ),
                ));
            }
            Ok(())
        };
        if !checks.signature {
            if checks.clock_skew {
                check_skew(timestamp()?)?;
            }
            return Ok(parsed.map(|p| p.secret_id.to_owned()));
        }
        if authorization.is_none() {
            return Err(refuse(
                "AuthFailure",
                "signature",
                "the request has no Authorization header",
            ));
        }
        let Some(parsed) = parsed else {
            return Err(refuse(
                "AuthFailure.InvalidAuthorization",
                "signature",
                format!(
                    "the Authorization header is not `{} Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=..., Signature=...`",
                    tc3::ALGORITHM
                ),
            ));
        };
        let timestamp = timestamp()?;
        if checks.clock_skew {
            check_skew(timestamp)?;
        }
        let principals = self.principals();
        let credentials = principals
            .credentials
            .get(parsed.secret_id)
            .ok_or_else(|| {
                refuse(
                    "AuthFailure.SecretIdNotFound",
                    "signature",
                    format!("the SecretId `{}` is not known here", parsed.secret_id),
                )
            })?;
        let failure =
            |message: String| refuse("AuthFailure.SignatureFailure", "signature", message);
        if parsed.service != self.service.service {
            return Err(failure(format!(
                "the credential scope names service `{}`, not `{}`",
                parsed.service, self.service.service
            )));
        }
        let date = tc3::scope_date(timestamp);
        if parsed.date != date {
            return Err(failure(format!(
                "the credential scope's date {} is not the date of X-TC-Timestamp ({date})",
                parsed.date
            )));
        }
        let names: Vec<&str> = parsed.signed_headers.split(';').collect();
        if !names.contains(&"content-type") || !names.contains(&"host") {
            return Err(failure(format!(
                "SignedHeaders `{}` must include content-type and host",
                parsed.signed_headers
            )));
        }
        let values = names
            .iter()
            .map(|name| {
                let value = head.header(name).ok_or_else(|| {
                    failure(format!("the signed header `{name}` is not in the request"))
                })?;
                // The docs' canonical form has X-TC-Action's value in lower case.
                Ok(if *name == "x-tc-action" {
                    value.trim().to_ascii_lowercase()
                } else {
                    value.trim().to_owned()
                })
            })
            .collect::<Result<Vec<String>, Refusal>>()?;
        let signed: Vec<(&str, &str)> = names
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        let payload_hash = if head.header("x-tc-content-sha256") == Some("UNSIGNED-PAYLOAD") {
            tc3::payload_hash(b"UNSIGNED-PAYLOAD")
        } else {
            tc3::payload_hash(body)
        };
        let canonical = CanonicalRequest {
            method: head.method.as_str(),
            uri: &head.path,
            query: &head.query,
            headers: &signed,
            payload_hash: &payload_hash,
        }
        .to_string();
        let expected = tc3::sign_canonical(
            credentials.secret_key().expose(),
            self.service.service,
            timestamp,
            &canonical,
        );
        if expected != parsed.signature {
            return Err(failure(format!(
                "the signature does not match the request as received ({} body bytes, signed headers {})",
                body.len(),
                parsed.signed_headers
            )));
        }
        let token = head.header("x-tc-token").filter(|t| !t.is_empty());
        match (credentials.token(), token) {
            (Some(expected), Some(got)) if expected.expose() == got => {}
            (None, None) => {}
            (Some(_), _) => {
                return Err(refuse(
                    "AuthFailure.TokenFailure",
                    "token",
                    "the session token (X-TC-Token) is missing or wrong",
                ))
            }
            (None, Some(_)) => {
                return Err(refuse(
                    "AuthFailure.TokenFailure",
                    "token",
                    format!(
                        "the SecretId `{}` has no session token, but X-TC-Token is set",
                        parsed.secret_id
                    ),
                ))
            }
        }
        Ok(Some(parsed.secret_id.to_owned()))
    }

    /// The action's QPS from the permission table, per SecretId. The budget allows a
    /// burst of one second's worth, so a client that keeps to the limit is never refused.
    fn within_qps(&self, secret_id: Option<&str>, action: A) -> Result<(), Refusal> {
        let info = action.info();
        let qps = info.qps.get();
        let Some(per_second) = std::num::NonZeroU32::new(qps) else {
            return Ok(());
        };
        let mut limiters = lock(&self.limiters);
        let limiter = limiters
            .entry((secret_id.unwrap_or_default().to_owned(), action.index()))
            .or_insert_with(|| RateLimiter::direct(Quota::per_second(per_second)));
        limiter.check().map_err(|_| {
            let source = if info.qps.is_documented() {
                "documented"
            } else {
                "assumed"
            };
            refuse(
                "RequestLimitExceeded",
                "qps",
                format!(
                    "{} allows {qps} requests per second ({source}); this one is over",
                    info.name
                ),
            )
        })
    }

    /// The CAM policies of the SecretId, if it has any.
    fn authorize(&self, head: &Head, action: A, entry: &mut LogEntry) -> Result<(), Refusal> {
        let Some(secret_id) = entry.secret_id.as_deref() else {
            return Ok(());
        };
        let Some(policies) = self.principals().policies.get(secret_id).cloned() else {
            return Ok(());
        };
        let trace = evaluate(
            self.service.service,
            &policies,
            &Request {
                action,
                source_ip: Some(head.peer.ip()),
                resource: "*",
            },
        );
        let qualified = format!("{}:{}", self.service.service, action.info().name);
        entry.statement = trace
            .decided_by
            .as_ref()
            .map(|o| format!("policy {}, {}", o.policy, o.statement));
        match trace.decision {
            Decision::Allow => Ok(()),
            Decision::Deny => {
                let why = match &trace.decided_by {
                    Some(o) => format!(
                        "denied by policy {}, {}: {}",
                        o.policy, o.statement, o.reason
                    ),
                    None => "no statement of the SecretId's policies allows it".to_owned(),
                };
                Err(refuse(
                    "AuthFailure.UnauthorizedOperation",
                    "policies",
                    format!(
                        "you are not authorized to perform operation ({qualified}) from {}: {why}",
                        head.peer.ip()
                    ),
                ))
            }
        }
    }
}
