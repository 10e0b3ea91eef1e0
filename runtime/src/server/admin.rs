//! The admin endpoint under `/_mock/`, so tests in any language can drive a running
//! server. On loopback (the default, and the only address allowed unless the builder
//! says `allow_remote`) it takes no credentials; a server allowed elsewhere answers only
//! requests carrying its random token in `X-Mock-Admin-Token` (401 otherwise).
//!
//! | request | does |
//! |---|---|
//! | `GET /_mock/log` | the decision log, `{"entries": [...]}` |
//! | `GET /_mock/memory` | what the log and the recorded calls hold: `{"log_entries", "log_bytes", "calls", "call_bytes"}` |
//! | `GET /_mock/calls` | the calls answered, `{"calls": [{"action", "request", "reply"}]}` |
//! | `POST /_mock/rules` | adds a rule or an array of rules ([`crate::mock::Rule::from_json`], names looked up in the service's table; a reply `{"items": [...]}` pages a list action, refused for one that does not page); at most [`crate::mock::MAX_RULES`] held, past it a 400 and none added |
//! | `GET` / `POST /_mock/checks` | reads, or switches, checks: `{"qps": false}` |
//! | `POST /_mock/policies` | Tencent: `{"secret_id": "...", "policies": [doc, ...]}` replaces a SecretId's policies; `null` lifts them |
//! | `POST /_mock/permissions` | Huawei: `{"permissions": ["BPC_...", ...]}` sets the operator's permission actions; `null` lifts the check |
//! | `POST /_mock/reset` | back to the startup state |
//!
//! Answers are JSON; a bad admin request gets 400 (404 for an unknown path) and
//! `{"error": "..."}` naming what is wrong.

use http::Method;
use serde_json::{json, Value};

use super::core::{shown, ServerState};
use super::http::{Answer, Head};
use crate::mock::Reply;
use crate::tables::Catalog;

/// Where the admin endpoint lives.
pub(crate) const PREFIX: &str = "/_mock/";

fn ok(value: Value) -> Answer {
    Answer::new(200, serde_json::to_vec(&value).expect("JSON serializes"))
}

fn error(status: u16, message: &str) -> Answer {
    Answer::new(
        status,
        serde_json::to_vec(&json!({ "error": message })).expect("JSON serializes"),
    )
}

fn reply_json(reply: &Reply) -> Value {
    match reply {
        Reply::Response(response) => json!({ "response": response }),
        Reply::ApiError { code, message } => {
            json!({ "error": { "code": code, "message": message } })
        }
        Reply::Raw { status, body } => {
            json!({ "raw": { "status": status, "body": String::from_utf8_lossy(body) } })
        }
    }
}

/// The header an admin request carries the token in.
const TOKEN_HEADER: &str = "x-mock-admin-token";

/// Whether two byte strings are equal, in time that depends only on their lengths (a
/// guess at the token learns nothing from how long the answer took).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

pub(crate) fn handle<S: ServerState>(state: &S, head: &Head, body: &[u8]) -> Answer {
    let core = state.core();
    if let Some(token) = &core.admin_token {
        let mut given = head.headers.get_all(TOKEN_HEADER).iter();
        let authorized = match (given.next(), given.next()) {
            (Some(value), None) => same(value.as_bytes(), token.as_bytes()),
            _ => false,
        };
        if !authorized {
            return error(
                401,
                "this server listens beyond loopback: /_mock/ needs the admin token it printed at start, in X-Mock-Admin-Token",
            );
        }
    }
    let route = &head.path[PREFIX.len()..];
    let read = || -> Result<Value, Answer> {
        serde_json::from_slice(body).map_err(|e| error(400, &format!("the body is not JSON: {e}")))
    };
    let result = match (&head.method, route) {
        (&Method::GET, "log") => Ok(ok(json!({ "entries": core.log() }))),
        (&Method::GET, "memory") => Ok(ok(json!(core.memory()))),
        (&Method::GET, "calls") => {
            let calls: Vec<Value> = core
                .mock
                .calls()
                .iter()
                .map(|c| {
                    json!({
                        "action": S::Protocol::name(c.action),
                        "request": c.request,
                        "reply": reply_json(&c.reply),
                    })
                })
                .collect();
            Ok(ok(json!({ "calls": calls })))
        }
        (&Method::POST, "rules") => read().and_then(|value| {
            let list = match value {
                Value::Array(list) => list,
                one => vec![one],
            };
            let rules = list
                .iter()
                .enumerate()
                .map(|(i, r)| core.mock.rule_from_json(r).map_err(|e| format!("rule {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| error(400, &e))?;
            let added = rules.len();
            core.mock
                .try_add_rules(rules)
                .map_err(|why| error(400, &why))?;
            Ok(ok(json!({ "added": added })))
        }),
        (&Method::GET, "checks") => Ok(ok(json!(core.checks()))),
        (&Method::POST, "checks") => read().and_then(|value| {
            let mut checks = core.checks();
            let object = value
                .as_object()
                .ok_or_else(|| error(400, "checks are a JSON object of booleans"))?;
            for (name, on) in object {
                let on = on
                    .as_bool()
                    .ok_or_else(|| error(400, &format!("`{name}` is not a boolean")))?;
                checks.set(name, on).map_err(|e| error(400, &e))?;
            }
            core.set_checks(checks);
            Ok(ok(json!(checks)))
        }),
        (&Method::POST, route) if route == S::ADMIN_ROUTE => {
            read().and_then(|value| state.admin(&value).map(ok).map_err(|why| error(400, &why)))
        }
        (&Method::POST, "reset") => {
            state.reset();
            Ok(ok(json!({ "reset": true })))
        }
        _ => Err(error(
            404,
            &format!(
                "no admin endpoint `{} {}`: GET log, GET memory, GET calls, POST rules, GET|POST checks, POST policies (Tencent), POST permissions (Huawei), POST reset",
                head.method,
                shown(&head.path)
            ),
        )),
    };
    result.unwrap_or_else(|answer| answer)
}
