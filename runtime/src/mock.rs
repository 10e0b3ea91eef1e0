//! The in-process mock: a fake [`Transport`] that plugs into the real client, so
//! serialization, the error envelope, retries and rate limits all run as in production.
//! Rules are typed per action (match on the decoded request, answer with a typed
//! response, an API error, a raw HTTP reply, or a sequence of them); calls are recorded;
//! nothing ever reaches the network. An action without a rule answers with its default
//! response (the vendor's example, or one built from the response schema); a call no
//! rule and no default covers fails loudly, naming the action.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::tables::ActionTable;
use crate::transport::{HttpRequest, HttpResponse, SendFuture, Transport};

/// One answer of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A success: the `Response` object (a `RequestId` is added if missing).
    Response(Value),
    /// An API error envelope with this code and message.
    ApiError {
        /// e.g. `RequestLimitExceeded`.
        code: String,
        /// The message.
        message: String,
    },
    /// Exactly this HTTP reply.
    Raw {
        /// HTTP status.
        status: u16,
        /// Body bytes.
        body: Vec<u8>,
    },
}

impl Reply {
    /// An API error reply.
    pub fn api_error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Reply::ApiError {
            code: code.into(),
            message: message.into(),
        }
    }
}

type Matcher = Box<dyn Fn(&Value) -> bool + Send + Sync>;

/// A rule for one action: which requests it takes, and its replies in order (the last
/// one repeats).
pub struct Rule<A> {
    action: A,
    matcher: Option<Matcher>,
    replies: VecDeque<Reply>,
}

/// Builds a [`Rule`] with the action's request and response types.
pub struct RuleBuilder<A, Req, Resp> {
    rule: Rule<A>,
    types: PhantomData<fn(Req) -> Resp>,
}

impl<A: ActionTable, Req: DeserializeOwned + 'static, Resp: Serialize> RuleBuilder<A, Req, Resp> {
    /// A rule for `action` (generated code calls this with the action's types).
    pub fn new(action: A) -> Self {
        RuleBuilder {
            rule: Rule {
                action,
                matcher: None,
                replies: VecDeque::new(),
            },
            types: PhantomData,
        }
    }

    /// Only requests for which `predicate` holds (decoded into the typed request).
    pub fn matching(mut self, predicate: impl Fn(&Req) -> bool + Send + Sync + 'static) -> Self {
        self.rule.matcher = Some(Box::new(move |body: &Value| {
            serde_json::from_value::<Req>(body.clone()).is_ok_and(|req| predicate(&req))
        }));
        self
    }

    /// Answers with a typed response.
    pub fn respond(mut self, response: Resp) -> Self {
        let value = serde_json::to_value(response).expect("mock responses serialize");
        self.rule.replies.push_back(Reply::Response(value));
        self
    }

    /// Answers with an API error.
    pub fn error(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.rule.replies.push_back(Reply::api_error(code, message));
        self
    }

    /// Answers with any reply (raw HTTP included).
    pub fn reply(mut self, reply: Reply) -> Self {
        self.rule.replies.push_back(reply);
        self
    }

    /// `reply` `times` times (e.g. `RequestLimitExceeded` twice before a response).
    pub fn times(mut self, reply: Reply, times: usize) -> Self {
        self.rule.replies.extend(std::iter::repeat_n(reply, times));
        self
    }

    /// The finished rule.
    pub fn build(self) -> Rule<A> {
        self.rule
    }
}

/// A call the mock received.
#[derive(Debug, Clone, PartialEq)]
pub struct Call<A> {
    /// The action.
    pub action: A,
    /// The request body.
    pub request: Value,
    /// What it answered.
    pub reply: Reply,
}

struct State<A> {
    rules: Vec<Rule<A>>,
    calls: Vec<Call<A>>,
}

/// The fake transport. Clone it to keep a handle for assertions after giving one to the
/// client builder.
pub struct MockTransport<A: ActionTable> {
    state: Arc<Mutex<State<A>>>,
    defaults: fn(A) -> Option<&'static str>,
}

impl<A: ActionTable> Clone for MockTransport<A> {
    fn clone(&self) -> Self {
        MockTransport {
            state: Arc::clone(&self.state),
            defaults: self.defaults,
        }
    }
}

impl<A: ActionTable + Send + Sync> MockTransport<A> {
    /// A mock whose unruled actions answer `defaults(action)` (a whole response document,
    /// `{"Response": {...}}`), or fail loudly when that is `None`.
    pub fn new(defaults: fn(A) -> Option<&'static str>) -> Self {
        MockTransport {
            state: Arc::new(Mutex::new(State {
                rules: Vec::new(),
                calls: Vec::new(),
            })),
            defaults,
        }
    }

    /// Adds a rule; rules are tried in the order added.
    pub fn with_rule(self, rule: Rule<A>) -> Self {
        self.state.lock().expect("mock state").rules.push(rule);
        self
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call<A>> {
        self.state.lock().expect("mock state").calls.clone()
    }

    /// How many calls of `action` so far.
    pub fn count(&self, action: A) -> usize {
        self.state
            .lock()
            .expect("mock state")
            .calls
            .iter()
            .filter(|c| c.action == action)
            .count()
    }

    fn answer(&self, request: &HttpRequest) -> Result<(A, Value, Reply), String> {
        let name = request
            .header("X-TC-Action")
            .ok_or("the request has no X-TC-Action header")?;
        let action =
            A::from_name(name).ok_or_else(|| format!("the mock has no action `{name}`"))?;
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| format!("{name}: the request body is not JSON: {e}"))?;
        let mut state = self.state.lock().expect("mock state");
        let rule = state
            .rules
            .iter_mut()
            .find(|r| r.action == action && r.matcher.as_ref().is_none_or(|m| m(&body)));
        let reply = match rule {
            Some(rule) if rule.replies.len() > 1 => rule.replies.pop_front().expect("non-empty"),
            Some(rule) => match rule.replies.front() {
                Some(reply) => reply.clone(),
                None => return Err(format!("{name}: the matching rule has no reply")),
            },
            None => {
                let default = (self.defaults)(action).ok_or_else(|| {
                    format!("{name}: no mock rule matches this call and the action has no default response")
                })?;
                let document: Value =
                    serde_json::from_str(default).expect("default responses are valid JSON");
                Reply::Response(document["Response"].clone())
            }
        };
        state.calls.push(Call {
            action,
            request: body.clone(),
            reply: reply.clone(),
        });
        Ok((action, body, reply))
    }
}

impl<A: ActionTable + Send + Sync> Transport for MockTransport<A> {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        let answer = self.answer(&request);
        Box::pin(async move {
            // Unmatched calls fail loudly: a panic names the action in the test's output.
            let (_, _, reply) = answer.unwrap_or_else(|message| panic!("mock: {message}"));
            let count = self.state.lock().expect("mock state").calls.len();
            let request_id = format!("mock-{count:08}");
            Ok(match reply {
                Reply::Response(mut response) => {
                    if let Value::Object(map) = &mut response {
                        map.entry("RequestId")
                            .or_insert_with(|| Value::from(request_id));
                    }
                    envelope(json!({"Response": response}))
                }
                Reply::ApiError { code, message } => envelope(json!({
                    "Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
                })),
                Reply::Raw { status, body } => HttpResponse { status, body },
            })
        })
    }
}

fn envelope(document: Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        body: serde_json::to_vec(&document).expect("JSON serializes"),
    }
}
