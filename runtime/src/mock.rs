//! The in-process mock: a fake [`Transport`] that plugs into the real client, so
//! serialization, the error envelope and retries run as in production (the client-side
//! QPS limits only when a test asks: the generated `mock::builder` leaves them off).
//! Rules are typed per action (match on the decoded request, answer with a typed
//! response, an API error, a raw HTTP reply, or a sequence of them); calls are recorded;
//! nothing ever reaches the network. An action without a rule answers with its default
//! response (the vendor's example, or one built from the response schema); a call no
//! rule and no default covers fails loudly, naming the action.
//!
//! The wire protocol is a type parameter, a [`MockProtocol`]: `crate::tencent::Tencent`
//! (Cloud API 3.0: the action in `X-TC-Action`, envelopes in the body) or
//! `crate::huawei::Huawei` (REST: the operation by method and path, errors by HTTP status
//! and an error body). The mock server (`crate::server`) answers from the same mock.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::tables::{find_code, Catalog, ServiceCode, ServiceCodeInfo};
use crate::transport::{HttpRequest, HttpResponse, SendFuture, Transport};

/// One answer of a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A success: API 3.0's `Response` object (a `RequestId` is added if missing), or a
    /// REST response body.
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

    /// An API error reply with one of the service's own codes (the generated crate's
    /// `ServiceError`), its description as the message.
    pub fn service_error(code: impl ServiceCode) -> Self {
        Reply::api_error(code.code(), code.description())
    }
}

/// A rule's test of a call: given the request document and its typed part (see
/// [`MockProtocol::typed_part`]).
type Matcher = Box<dyn Fn(&Value, &Value) -> bool + Send + Sync>;
/// A computed reply: given the request document and its typed part.
type Responder = Arc<dyn Fn(&Value, &Value) -> Reply + Send + Sync>;

/// One step of a rule's sequence: a fixed reply, or one computed from the request.
#[derive(Clone)]
enum Step {
    Fixed(Reply),
    Computed(Responder),
}

impl Step {
    fn reply(&self, document: &Value, typed: &Value) -> Reply {
        match self {
            Step::Fixed(reply) => reply.clone(),
            Step::Computed(responder) => responder(document, typed),
        }
    }
}

/// A rule for one action: which requests it takes, and its replies in order (the last
/// one repeats).
pub struct Rule<A> {
    action: A,
    matcher: Option<Matcher>,
    replies: VecDeque<Step>,
}

impl<A: Copy + Eq> Rule<A> {
    /// A rule from its JSON form (what the mock server's admin endpoint takes):
    ///
    /// ```json
    /// {"action": "QueryPartnerCredit", "match": {"ClientUin": 42},
    ///  "replies": [{"error": {"code": "RequestLimitExceeded", "message": "slow down"}, "times": 2},
    ///              {"response": {"TotalCredit": 5}},
    ///              {"raw": {"status": 502, "body": "bad gateway"}}]}
    /// ```
    ///
    /// `match` is optional: every key it has must be in the request document with an
    /// equal value (objects compared the same way, recursively). `lookup` finds the
    /// action by name. The error names what is wrong. ([`MockTransport::rule_from_json`]
    /// looks names up in the mock's own table.)
    pub fn from_json(rule: &Value, lookup: impl Fn(&str) -> Option<A>) -> Result<Self, String> {
        Self::from_json_checked(rule, lookup, &KnownCodes::ANY)
    }

    /// [`Rule::from_json`], with each error reply's code checked against `known`; an
    /// error reply without a `message` gets the code's description.
    pub fn from_json_checked(
        rule: &Value,
        lookup: impl Fn(&str) -> Option<A>,
        known: &KnownCodes,
    ) -> Result<Self, String> {
        let object = rule.as_object().ok_or("a rule is a JSON object")?;
        if let Some(key) = object
            .keys()
            .find(|k| !["action", "match", "replies"].contains(&k.as_str()))
        {
            return Err(format!("unknown rule key `{key}` (action, match, replies)"));
        }
        let name = object
            .get("action")
            .and_then(Value::as_str)
            .ok_or("a rule needs `action`, a string")?;
        let action = lookup(name).ok_or_else(|| format!("no action is named `{name}`"))?;
        let matcher: Option<Matcher> = match object.get("match") {
            None | Some(Value::Null) => None,
            Some(pattern @ Value::Object(_)) => {
                let pattern = pattern.clone();
                Some(Box::new(move |document: &Value, _: &Value| {
                    contains(document, &pattern)
                }))
            }
            Some(_) => return Err(format!("{name}: `match` is a JSON object")),
        };
        let steps = object
            .get("replies")
            .and_then(Value::as_array)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| format!("{name}: a rule needs `replies`, a non-empty array"))?;
        let mut replies = VecDeque::new();
        for (i, step) in steps.iter().enumerate() {
            let (reply, times) = reply_from_json(step, known)
                .map_err(|why| format!("{name}: replies[{i}]: {why}"))?;
            replies.extend(std::iter::repeat_n(Step::Fixed(reply), times));
        }
        Ok(Rule {
            action,
            matcher,
            replies,
        })
    }
}

/// Whether `value` has every key of `pattern` with an equal value (recursively for
/// objects; other values compare whole).
fn contains(value: &Value, pattern: &Value) -> bool {
    match (value, pattern) {
        (Value::Object(value), Value::Object(pattern)) => pattern
            .iter()
            .all(|(k, p)| value.get(k).is_some_and(|v| contains(v, p))),
        _ => value == pattern,
    }
}

/// The error codes a mocked service answers with, for checking the codes of rules given
/// as JSON (a typo in a test's rule is refused rather than answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCodes {
    /// The service's own codes, sorted by code (the generated `ServiceError`'s table);
    /// empty: any well-formed code is accepted.
    pub service: &'static [ServiceCodeInfo],
    /// The vendor's common codes, which every service may answer with besides its own.
    pub common: &'static [&'static str],
}

impl KnownCodes {
    /// Any code: what a service without a list of codes accepts.
    pub const ANY: KnownCodes = KnownCodes {
        service: &[],
        common: &[],
    };

    /// Whether `code` may be answered with, and its description when the service lists it.
    fn check(&self, code: &str) -> Result<Option<&'static str>, String> {
        if self.service.is_empty() {
            return Ok(None);
        }
        if let Some(info) = find_code(self.service, code) {
            return Ok(Some(info.description));
        }
        if self.common.contains(&code) {
            return Ok(None);
        }
        let shown: String = code.chars().take(128).collect();
        Err(format!(
            "`{shown}` is neither one of the service's {} error codes nor a common one (the generated crate's `ServiceError` lists the service's)",
            self.service.len()
        ))
    }
}

/// One reply of a JSON rule and how many times it repeats.
fn reply_from_json(step: &Value, known: &KnownCodes) -> Result<(Reply, usize), String> {
    let object = step.as_object().ok_or("a reply is a JSON object")?;
    let times = match object.get("times") {
        None => 1,
        Some(n) => n
            .as_u64()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or("`times` is a whole number from 1 to 10000")? as usize,
    };
    let kinds: Vec<&String> = object.keys().filter(|k| *k != "times").collect();
    let reply = match kinds.as_slice() {
        [k] if *k == "response" => match &object["response"] {
            response @ Value::Object(_) => Reply::Response(response.clone()),
            _ => return Err("`response` is the JSON object of the `Response`".into()),
        },
        [k] if *k == "error" => {
            let error = &object["error"];
            let code = error["code"]
                .as_str()
                .ok_or("`error` needs `code`, a string")?;
            let description = known.check(code)?;
            let message = match &error["message"] {
                Value::Null => description.unwrap_or_default(),
                message => message.as_str().ok_or("`message` is a string")?,
            };
            Reply::api_error(code, message)
        }
        [k] if *k == "raw" => {
            let raw = &object["raw"];
            let status = raw["status"]
                .as_u64()
                .filter(|s| (100..=599).contains(s))
                .ok_or("`raw` needs `status`, an HTTP status")? as u16;
            let body = raw["body"].as_str().unwrap_or_default().as_bytes().to_vec();
            Reply::Raw { status, body }
        }
        _ => return Err("a reply has exactly one of `response`, `error`, `raw`".into()),
    };
    Ok((reply, times))
}

/// Builds a [`Rule`] with the action's request and response types.
pub struct RuleBuilder<A, Req, Resp> {
    rule: Rule<A>,
    types: PhantomData<fn(Req) -> Resp>,
}

impl<A: Copy + Eq, Req: DeserializeOwned + 'static, Resp: Serialize> RuleBuilder<A, Req, Resp> {
    /// A rule for `action` (generated code calls this with the action's types).
    #[doc(hidden)]
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

    /// Only requests for which `predicate` holds (decoded into the typed request: for
    /// REST, the typed body).
    pub fn matching(mut self, predicate: impl Fn(&Req) -> bool + Send + Sync + 'static) -> Self {
        self.rule.matcher = Some(Box::new(move |_: &Value, typed: &Value| {
            Req::deserialize(typed).is_ok_and(|req| predicate(&req))
        }));
        self
    }

    /// Only requests whose whole request document satisfies `predicate` (for REST:
    /// `{"path": {..}, "query": {..}, "body": ..}`, values as received).
    pub fn matching_request(
        mut self,
        predicate: impl Fn(&Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.rule.matcher = Some(Box::new(move |document: &Value, _: &Value| {
            predicate(document)
        }));
        self
    }

    /// Answers with a typed response.
    pub fn respond(self, response: Resp) -> Self {
        let value = serde_json::to_value(response).expect("mock responses serialize");
        self.reply(Reply::Response(value))
    }

    /// Answers with a typed response computed from the typed request (e.g. echoing an id
    /// back). A request that does not decode into `Req` gets an `InvalidParameter` error.
    pub fn respond_with(mut self, respond: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Self
    where
        Resp: 'static,
    {
        let responder = move |_: &Value, typed: &Value| match Req::deserialize(typed) {
            Ok(request) => Reply::Response(
                serde_json::to_value(respond(&request)).expect("mock responses serialize"),
            ),
            Err(err) => Reply::api_error("InvalidParameter", err.to_string()),
        };
        self.rule
            .replies
            .push_back(Step::Computed(Arc::new(responder)));
        self
    }

    /// Answers with an API error.
    pub fn error(self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.reply(Reply::api_error(code, message))
    }

    /// Answers with one of the service's own error codes (`ServiceError::X`), its
    /// description as the message.
    pub fn fail_with_code(self, code: impl ServiceCode) -> Self {
        self.reply(Reply::service_error(code))
    }

    /// Answers with any reply (raw HTTP included).
    pub fn reply(self, reply: Reply) -> Self {
        self.times(reply, 1)
    }

    /// `reply` `times` times (e.g. `RequestLimitExceeded` twice before a response).
    pub fn times(mut self, reply: Reply, times: usize) -> Self {
        self.rule
            .replies
            .extend(std::iter::repeat_n(Step::Fixed(reply), times));
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
    /// The request document (API 3.0: the body; REST: path, query and body).
    pub request: Value,
    /// What it answered.
    pub reply: Reply,
}

struct State<A> {
    rules: Vec<Rule<A>>,
    /// What the codes of JSON rules are checked against.
    known_codes: KnownCodes,
    /// Within a byte budget ([`call_weight`]); past it, the oldest calls are dropped.
    calls: Bounded<Call<A>>,
    /// Calls answered since the last reset, dropped ones included.
    answered: usize,
}

/// The newest items within a count and a byte budget, oldest dropped first; the newest
/// item is always kept, however large. The mock's recorded calls and the mock server's
/// decision log are both held this way.
pub(crate) struct Bounded<T> {
    items: VecDeque<(T, usize)>,
    bytes: usize,
    max_items: usize,
    max_bytes: usize,
}

impl<T> Bounded<T> {
    pub(crate) fn new(max_items: usize, max_bytes: usize) -> Self {
        Bounded {
            items: VecDeque::new(),
            bytes: 0,
            max_items,
            max_bytes,
        }
    }

    /// Adds `item`, which holds about `weight` bytes, then drops the oldest past the budget.
    pub(crate) fn push(&mut self, item: T, weight: usize) {
        self.items.push_back((item, weight));
        self.bytes += weight;
        self.trim();
    }

    pub(crate) fn set_max_bytes(&mut self, max_bytes: usize) {
        self.max_bytes = max_bytes;
        self.trim();
    }

    fn trim(&mut self) {
        while (self.items.len() > self.max_items || self.bytes > self.max_bytes)
            && self.items.len() > 1
        {
            if let Some((_, weight)) = self.items.pop_front() {
                self.bytes -= weight;
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|(item, _)| item)
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

/// The most bytes a mock's recorded calls hold by default.
pub const DEFAULT_MAX_CALL_BYTES: usize = 64 << 20;

/// About how many bytes a JSON value holds in memory: each node, and the text of its
/// strings and keys.
pub(crate) fn json_weight(value: &Value) -> usize {
    const NODE: usize = std::mem::size_of::<Value>();
    NODE + match value {
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().map(json_weight).sum(),
        // A key is a String beside its value.
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| std::mem::size_of::<String>() + k.len() + json_weight(v))
            .sum(),
        _ => 0,
    }
}

/// About how many bytes a recorded call holds.
fn call_weight<A>(call: &Call<A>) -> usize {
    std::mem::size_of::<Call<A>>()
        + json_weight(&call.request)
        + match &call.reply {
            Reply::Response(value) => json_weight(value),
            Reply::ApiError { code, message } => code.len() + message.len(),
            Reply::Raw { body, .. } => body.len(),
        }
}

/// How much a mock's recorded calls hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallsHeld {
    /// How many calls are recorded.
    pub calls: usize,
    /// About how many bytes they hold (requests and replies).
    pub bytes: usize,
    /// The budget: past it, the oldest calls are dropped.
    pub max_bytes: usize,
}

/// How a mocked service's calls are told apart and answered on the wire.
pub trait MockProtocol<A: Copy + 'static>: Catalog<A> + Send + Sync + 'static {
    /// Which operation a request is for, and the request document rules and recorded
    /// calls see.
    fn identify(request: &HttpRequest) -> Result<(A, Value), String>;
    /// The part of the request document typed matchers decode.
    fn typed_part(document: &Value) -> &Value;
    /// The successful response body of a default response document.
    fn default_body(document: Value) -> Value;
    /// A reply as this protocol sends it, carrying `request_id`.
    fn render(reply: Reply, request_id: &str) -> HttpResponse;
}

/// The fake transport. Clone it to keep a handle for assertions after giving one to the
/// client builder; clones share rules and recorded calls.
pub struct MockTransport<A, P> {
    state: Arc<Mutex<State<A>>>,
    defaults: fn(A) -> Option<&'static str>,
    /// Each operation's default response body, parsed once (by `Protocol::index`).
    parsed_defaults: Arc<[OnceLock<Option<Value>>]>,
    protocol: PhantomData<fn() -> P>,
}

impl<A, P> Clone for MockTransport<A, P> {
    fn clone(&self) -> Self {
        MockTransport {
            state: Arc::clone(&self.state),
            defaults: self.defaults,
            parsed_defaults: Arc::clone(&self.parsed_defaults),
            protocol: PhantomData,
        }
    }
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The rule at this position (in the order added).
    Rule(usize),
    /// The action's default response.
    Default,
}

impl<A: Copy + Eq + Send + Sync + 'static, P: MockProtocol<A>> MockTransport<A, P> {
    /// A mock whose unruled operations answer `defaults(operation)` (a whole response
    /// document: `{"Response": {...}}` for API 3.0, the JSON body for REST), or fail
    /// loudly when that is `None`.
    pub fn new(defaults: fn(A) -> Option<&'static str>) -> Self {
        MockTransport {
            state: Arc::new(Mutex::new(State {
                rules: Vec::new(),
                known_codes: KnownCodes::ANY,
                calls: Bounded::new(usize::MAX, DEFAULT_MAX_CALL_BYTES),
                answered: 0,
            })),
            defaults,
            parsed_defaults: (0..P::all().len()).map(|_| OnceLock::new()).collect(),
            protocol: PhantomData,
        }
    }

    /// Adds a rule; rules are tried in the order added.
    pub fn with_rule(self, rule: Rule<A>) -> Self {
        self.add_rule(rule);
        self
    }

    /// Adds a rule through a shared handle (e.g. to a running mock server's mock).
    pub fn add_rule(&self, rule: Rule<A>) {
        self.state().rules.push(rule);
    }

    /// A rule from its JSON form ([`Rule::from_json`]), actions by this protocol's
    /// names, error codes checked against the mock's [`KnownCodes`].
    pub fn rule_from_json(&self, rule: &Value) -> Result<Rule<A>, String> {
        let known = self.state().known_codes;
        Rule::from_json_checked(rule, P::lookup, &known)
    }

    /// The error codes the service answers with: JSON rules ([`Self::rule_from_json`],
    /// the mock server's `POST /_mock/rules`) may use these only. Shared by every clone;
    /// kept across [`Self::reset`].
    pub fn with_known_codes(self, known: KnownCodes) -> Self {
        self.set_known_codes(known);
        self
    }

    /// [`MockTransport::with_known_codes`] through a shared handle.
    pub fn set_known_codes(&self, known: KnownCodes) {
        self.state().known_codes = known;
    }

    /// Forgets every rule and recorded call.
    pub fn reset(&self) {
        let mut state = self.state();
        state.rules.clear();
        state.calls.clear();
        state.answered = 0;
    }

    /// The most bytes the recorded calls hold (default [`DEFAULT_MAX_CALL_BYTES`]):
    /// past it the oldest calls are dropped, though the latest is always kept.
    /// Shared by every clone.
    pub fn with_call_budget(self, max_bytes: usize) -> Self {
        self.set_call_budget(max_bytes);
        self
    }

    /// [`MockTransport::with_call_budget`] through a shared handle.
    pub fn set_call_budget(&self, max_bytes: usize) {
        let mut state = self.state();
        state.calls.set_max_bytes(max_bytes);
    }

    /// How many calls are recorded and about how many bytes they hold.
    pub fn held(&self) -> CallsHeld {
        let state = self.state();
        CallsHeld {
            calls: state.calls.len(),
            bytes: state.calls.bytes(),
            max_bytes: state.calls.max_bytes(),
        }
    }

    /// Every call recorded (all calls so far, unless the budget dropped the oldest).
    pub fn calls(&self) -> Vec<Call<A>> {
        self.state().calls.iter().cloned().collect()
    }

    /// How many calls of `action` are recorded.
    pub fn count(&self, action: A) -> usize {
        self.state()
            .calls
            .iter()
            .filter(|c| c.action == action)
            .count()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State<A>> {
        // A panicking matcher poisons the lock; the state itself is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The default response body of `action`, if it has one.
    pub fn default_response(&self, action: A) -> Option<&Value> {
        self.parsed_defaults[P::index(action)]
            .get_or_init(|| {
                let document: Value = serde_json::from_str((self.defaults)(action)?)
                    .expect("default responses are valid JSON");
                Some(P::default_body(document))
            })
            .as_ref()
    }

    /// The reply to a call of `action` with this request document: the first matching
    /// rule's next reply, else the default response. Records the call. The error says
    /// why there is no answer, naming the action.
    pub fn answer(&self, action: A, document: Value) -> Result<(Reply, Source), String> {
        let name = P::name(action);
        let typed = P::typed_part(&document);
        let mut state = self.state();
        let rule = state.rules.iter_mut().enumerate().find(|(_, r)| {
            r.action == action && r.matcher.as_ref().is_none_or(|m| m(&document, typed))
        });
        let (reply, source) = match rule {
            Some((i, rule)) => {
                let step = if rule.replies.len() > 1 {
                    rule.replies.pop_front()
                } else {
                    rule.replies.front().cloned()
                };
                let step = step.ok_or_else(|| format!("{name}: the matching rule has no reply"))?;
                (step.reply(&document, typed), Source::Rule(i))
            }
            None => {
                let response = self.default_response(action).ok_or_else(|| {
                    format!("{name}: no mock rule matches this call and the action has no default response")
                })?;
                (Reply::Response(response.clone()), Source::Default)
            }
        };
        let call = Call {
            action,
            request: document,
            reply: reply.clone(),
        };
        let weight = call_weight(&call);
        state.calls.push(call, weight);
        state.answered += 1;
        Ok((reply, source))
    }
}

impl<A: Copy + Eq + Send + Sync + 'static, P: MockProtocol<A>> Transport for MockTransport<A, P> {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        let answer =
            P::identify(&request).and_then(|(action, document)| self.answer(action, document));
        Box::pin(async move {
            // Unmatched calls fail loudly: a panic names the action in the test's output.
            let (reply, _) = answer.unwrap_or_else(|message| panic!("mock: {message}"));
            let count = self.state().answered;
            Ok(P::render(reply, &format!("mock-{count:08}")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Bounded;

    #[test]
    fn bounded_keeps_the_newest_within_count_and_bytes() {
        let mut held = Bounded::new(3, 10);
        for (item, weight) in [(1, 4), (2, 4), (3, 1)] {
            held.push(item, weight);
        }
        assert_eq!(held.iter().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(held.bytes(), 9);
        // Past the count: the oldest go.
        for item in 4..7 {
            held.push(item, 1);
        }
        assert_eq!(held.iter().copied().collect::<Vec<_>>(), [4, 5, 6]);
        // Past the bytes: the oldest go.
        held.push(7, 8);
        assert_eq!(held.iter().copied().collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(held.bytes(), 10);
        // One item over the whole budget is still kept: the newest is never dropped.
        held.push(8, 100);
        assert_eq!((held.len(), held.bytes()), (1, 100));
        held.set_max_bytes(0);
        assert_eq!(held.len(), 1);
        held.clear();
        assert_eq!((held.len(), held.bytes()), (0, 0));
    }
}
