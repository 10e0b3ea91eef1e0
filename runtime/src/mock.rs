//! The in-process mock: a fake [`Transport`] that plugs into the real client, so
//! serialization, the error envelope and retries run as in production (the client-side
//! QPS limits only when a test asks: the generated `mock::builder` leaves them off).
//! Rules are typed per action (match on the decoded request, answer with a typed
//! response, an API error, a raw HTTP reply, or a sequence of them); calls are recorded;
//! nothing ever reaches the network. An action without a rule answers with its default
//! response (the vendor's example, or one built from the response schema); a call no
//! rule and no default covers fails loudly, naming the action.
//!
//! List actions page ([`MockTransport::with_paging`] gives each one's [`Paging`] facts):
//! a rule can hold a list of items ([`RuleBuilder::items`], or `{"items": [...]}` in
//! JSON) and answers every request with the slice its position and size select and the
//! total, written into the action's default response; without a rule, the default
//! response's own item list is paged the same way, so its total matches its items. A
//! position or size out of range is the vendor's invalid-parameter error
//! ([`MockProtocol::invalid_parameter`]).
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

use crate::paging::{Paged, Paging, PagingPlace, PagingStyle};
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

/// One step of a rule's sequence: a fixed reply, one computed from the request, or a
/// page of a list. Shared, not copied, when a step repeats (`times`): a large reply
/// repeated 10,000 times is held once.
#[derive(Clone)]
enum Step {
    Fixed(Arc<Reply>),
    Computed(Responder),
    Items(Arc<PagedItems>),
}

/// A list a rule pages through.
struct PagedItems {
    /// Every item, as JSON.
    items: Vec<Value>,
    /// The facts of a typed rule's request type; `None` (a JSON rule): the mock's own.
    paging: Option<Paging>,
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
    /// A list action may answer from a list of items, each request getting the page it
    /// asks for (see the [module](self) docs):
    ///
    /// ```json
    /// {"action": "DescribeCustomerUin",
    ///  "replies": [{"items": [{"CustomerUin": "1"}, {"CustomerUin": "2"}]}]}
    /// ```
    ///
    /// (Whether the action pages is known to the mock only: [`MockTransport::rule_from_json`]
    /// refuses `items` for one that does not; a rule made here answers such a call with an
    /// error naming the action.)
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
            let (step, times) = step_from_json(step, known)
                .map_err(|why| format!("{name}: replies[{i}]: {why}"))?;
            replies.extend(std::iter::repeat_n(step, times));
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

/// One step of a JSON rule and how many times it repeats.
fn step_from_json(step: &Value, known: &KnownCodes) -> Result<(Step, usize), String> {
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
        [k] if *k == "items" => {
            let items = object["items"]
                .as_array()
                .ok_or("`items` is a JSON array of the list's items")?;
            let list = PagedItems {
                items: items.clone(),
                paging: None,
            };
            return Ok((Step::Items(Arc::new(list)), times));
        }
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
        _ => return Err("a reply has exactly one of `response`, `error`, `raw`, `items`".into()),
    };
    Ok((Step::Fixed(Arc::new(reply)), times))
}

/// Builds a [`Rule`] with the action's request and response types. `Page` is the type
/// that pages the action ([`Paged`]): the request itself unless named (a Huawei rule
/// matches on the typed body, while the paged request also holds the query).
pub struct RuleBuilder<A, Req, Resp, Page = Req> {
    rule: Rule<A>,
    types: PhantomData<fn(Req, Page) -> Resp>,
}

impl<A: Copy + Eq, Req: DeserializeOwned + 'static, Resp: Serialize, Page>
    RuleBuilder<A, Req, Resp, Page>
{
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
            .extend(std::iter::repeat_n(Step::Fixed(Arc::new(reply)), times));
        self
    }

    /// The finished rule.
    pub fn build(self) -> Rule<A> {
        self.rule
    }
}

impl<A, Req, Resp, Page> RuleBuilder<A, Req, Resp, Page>
where
    A: Copy + Eq,
    Req: DeserializeOwned + 'static,
    Resp: Serialize,
    Page: Paged<Response = Resp>,
    Page::Item: Serialize,
{
    /// Answers from a list: each request gets the page its position and size select
    /// (by `Page`'s [`Paging`] facts), with the total of the whole list, written into
    /// the action's default response. A position or size out of range gets the vendor's
    /// invalid-parameter error. Steps follow each other like the other replies, so a
    /// list can change between pages (`.items(first).items(longer)`).
    ///
    /// Only for a list action: a rule whose `Page` does not page does not compile.
    ///
    /// ```compile_fail
    /// use partnergen_runtime::mock::RuleBuilder;
    /// let rule = RuleBuilder::<u8, (), ()>::new(0).items(vec![1]);
    /// ```
    pub fn items(self, items: impl IntoIterator<Item = Page::Item>) -> Self {
        self.items_times(items, 1)
    }

    /// [`Self::items`] for `times` calls (the list is held once however many).
    pub fn items_times(
        mut self,
        items: impl IntoIterator<Item = Page::Item>,
        times: usize,
    ) -> Self {
        let items = items
            .into_iter()
            .map(|item| serde_json::to_value(item).expect("mock items serialize"))
            .collect();
        let list = Arc::new(PagedItems {
            items,
            paging: Some(Page::PAGING),
        });
        self.rule
            .replies
            .extend(std::iter::repeat_n(Step::Items(list), times));
        self
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
    /// Each action's paging facts; `None`: no action pages.
    paging: Option<fn(A) -> Option<&'static Paging>>,
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

/// The most rules a mock holds through [`MockTransport::try_add_rules`] (the mock server's
/// `POST /_mock/rules`): each request is capped in size, their number is capped here, so
/// a test harness that keeps adding rules without a reset is told, not left to grow.
pub const MAX_RULES: usize = 10_000;

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

/// A paging value of a request: a whole number, or one in text (as a query carries
/// it); `None` when absent or null. The error says what was sent.
fn page_value(value: Option<&Value>, field: &str) -> Result<Option<u64>, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let number = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    };
    number.map(Some).ok_or_else(|| {
        let sent = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        format!(
            "{field} `{}` is not a whole number",
            crate::shortened(&sent)
        )
    })
}

/// The slice of `items` a request asks for, its position and size read by `param`
/// (missing: the first page, the default size); past the end, none. The error says
/// which value is out of range or not a number.
fn select_page<'i, 'd>(
    paging: &Paging,
    items: &'i [Value],
    param: impl Fn(&str) -> Option<&'d Value>,
) -> Result<&'i [Value], String> {
    let position = page_value(param(paging.position), paging.position)?;
    let size = page_value(param(paging.size), paging.size)?.unwrap_or(paging.page_size);
    let max = paging.max_page_size.unwrap_or(u64::MAX);
    if size == 0 || size > max {
        let range = match paging.max_page_size {
            Some(max) => format!("1 to {max}"),
            None => "at least 1".to_owned(),
        };
        return Err(format!("{} {size} is out of range ({range})", paging.size));
    }
    let position = position.unwrap_or(paging.first_position());
    let start = match paging.style {
        PagingStyle::PageNumber { first } if position < first => {
            return Err(format!(
                "{} {position} is before the first page, {first}",
                paging.position
            ));
        }
        PagingStyle::PageNumber { first } => (position - first).saturating_mul(size),
        PagingStyle::Offset => position,
    };
    let start = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(items.len());
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let end = start.saturating_add(size).min(items.len());
    Ok(&items[start..end])
}

/// `base` (the default response body) with its items replaced by `page` and its total
/// set to `total`: text where the base has text (Tencent's `DescribeCustomerUin` sends
/// `"Total": "123"`), else a number.
fn paged_body(base: Option<&Value>, paging: &Paging, page: &[Value], total: usize) -> Value {
    let mut body = match base {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    body.insert(paging.items.to_owned(), Value::Array(page.to_vec()));
    if let Some(field) = paging.total {
        let value = match body.get(field) {
            Some(Value::String(_)) => Value::String(total.to_string()),
            _ => Value::from(total),
        };
        body.insert(field.to_owned(), value);
    }
    Value::Object(body)
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
    /// The value of a list action's paging field `field` in a request document, where
    /// `place` says the request carries it (a number, or text as a query carries it).
    fn page_param<'d>(document: &'d Value, place: PagingPlace, field: &str) -> Option<&'d Value>;
    /// The vendor's answer to a request whose paging values are out of range or not
    /// numbers.
    fn invalid_parameter(message: String) -> Reply;
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
                paging: None,
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

    /// Adds `rules` unless the mock would then hold more than [`MAX_RULES`]; then adds
    /// none and says why.
    pub fn try_add_rules(&self, rules: Vec<Rule<A>>) -> Result<(), String> {
        let mut state = self.state();
        let held = state.rules.len();
        if held + rules.len() > MAX_RULES {
            return Err(format!(
                "the mock holds {held} rules and may hold at most {MAX_RULES}; {} more would pass it (POST /_mock/reset forgets them)",
                rules.len()
            ));
        }
        state.rules.extend(rules);
        Ok(())
    }

    /// How many rules the mock holds.
    pub fn rule_count(&self) -> usize {
        self.state().rules.len()
    }

    /// A rule from its JSON form ([`Rule::from_json`]), actions by this protocol's
    /// names, error codes checked against the mock's [`KnownCodes`], `items` only for
    /// an action that pages ([`Self::with_paging`]).
    pub fn rule_from_json(&self, rule: &Value) -> Result<Rule<A>, String> {
        let known = self.state().known_codes;
        let rule = Rule::from_json_checked(rule, P::lookup, &known)?;
        let has_items = rule.replies.iter().any(|s| matches!(s, Step::Items(_)));
        if has_items && self.paging(rule.action).is_none() {
            let name = P::name(rule.action);
            return Err(format!(
                "{name}: an `items` reply pages a list, but {name} does not page (it has no paging facts)"
            ));
        }
        Ok(rule)
    }

    /// Each action's paging facts (the generated crate's table): a list action then
    /// answers page by page, from a rule's items or from its default response's own
    /// list. Shared by every clone; kept across [`Self::reset`].
    pub fn with_paging(self, paging: fn(A) -> Option<&'static Paging>) -> Self {
        self.set_paging(paging);
        self
    }

    /// [`MockTransport::with_paging`] through a shared handle.
    pub fn set_paging(&self, paging: fn(A) -> Option<&'static Paging>) {
        self.state().paging = Some(paging);
    }

    /// The paging facts of `action`, if it pages.
    pub fn paging(&self, action: A) -> Option<&'static Paging> {
        self.state().paging.and_then(|paging| paging(action))
    }

    /// Whether the mock was given paging facts ([`Self::with_paging`]).
    pub fn has_paging(&self) -> bool {
        self.state().paging.is_some()
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

    /// The page of `items` a call of `action` with this request document asks for,
    /// written into the action's default response (or the vendor's invalid-parameter
    /// error).
    fn page_reply(&self, action: A, paging: &Paging, items: &[Value], document: &Value) -> Reply {
        let param = |field: &str| P::page_param(document, paging.place, field);
        match select_page(paging, items, param) {
            Ok(page) => Reply::Response(paged_body(
                self.default_response(action),
                paging,
                page,
                items.len(),
            )),
            Err(why) => P::invalid_parameter(format!("{}: {why}", P::name(action))),
        }
    }

    /// The reply to a call of `action` with this request document: the first matching
    /// rule's next reply, else the default response (a list action's, paged). Records
    /// the call. The error says why there is no answer, naming the action.
    pub fn answer(&self, action: A, document: Value) -> Result<(Reply, Source), String> {
        let name = P::name(action);
        let typed = P::typed_part(&document);
        let mut state = self.state();
        let paging = state.paging.and_then(|paging| paging(action));
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
                let reply = match step {
                    Step::Fixed(reply) => Reply::clone(&reply),
                    Step::Computed(responder) => responder(&document, typed),
                    Step::Items(list) => {
                        // A typed rule's own facts, else the mock's (a JSON rule).
                        let facts = list.paging.as_ref().or(paging).ok_or_else(|| {
                            format!("{name}: the matching rule answers with `items`, but {name} does not page (the mock has no paging facts for it)")
                        })?;
                        self.page_reply(action, facts, &list.items, &document)
                    }
                };
                (reply, Source::Rule(i))
            }
            None => {
                let response = self.default_response(action).ok_or_else(|| {
                    format!("{name}: no mock rule matches this call and the action has no default response")
                })?;
                let reply = match paging {
                    // The default's own list is the list: its total then matches it.
                    Some(facts) => {
                        let items = response
                            .get(facts.items)
                            .and_then(Value::as_array)
                            .map_or(&[][..], Vec::as_slice);
                        self.page_reply(action, facts, items, &document)
                    }
                    None => Reply::Response(response.clone()),
                };
                (reply, Source::Default)
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
    use super::*;
    use crate::paging::{RequestFields, ResponseFields};
    use serde_json::json;

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

    // A small service over a fake protocol: `Customers` pages by page number (its
    // default's total a string, as DescribeCustomerUin's), `Orders` by offset in the
    // query (its default's total a number, as Huawei's), `Ping` does not page.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Op {
        Customers,
        Orders,
        Ping,
    }

    const OPS: &[Op] = &[Op::Customers, Op::Orders, Op::Ping];

    struct Fake;

    impl Catalog<Op> for Fake {
        fn all() -> &'static [Op] {
            OPS
        }
        fn index(op: Op) -> usize {
            op as usize
        }
        fn name(op: Op) -> &'static str {
            match op {
                Op::Customers => "Customers",
                Op::Orders => "Orders",
                Op::Ping => "Ping",
            }
        }
        fn lookup(name: &str) -> Option<Op> {
            OPS.iter().copied().find(|op| Self::name(*op) == name)
        }
    }

    impl MockProtocol<Op> for Fake {
        fn identify(_: &HttpRequest) -> Result<(Op, Value), String> {
            Err("the tests call `answer` directly".into())
        }
        fn typed_part(document: &Value) -> &Value {
            &document["body"]
        }
        fn default_body(document: Value) -> Value {
            document
        }
        fn render(_: Reply, _: &str) -> HttpResponse {
            HttpResponse::new(500, Vec::new())
        }
        fn page_param<'d>(
            document: &'d Value,
            place: PagingPlace,
            field: &str,
        ) -> Option<&'d Value> {
            let part = match place {
                PagingPlace::Query => "query",
                PagingPlace::Body => "body",
            };
            document.get(part)?.get(field)
        }
        fn invalid_parameter(message: String) -> Reply {
            Reply::api_error("Invalid", message)
        }
    }

    const CUSTOMERS: Paging = Paging {
        action: "Customers",
        style: PagingStyle::PageNumber { first: 1 },
        place: PagingPlace::Body,
        position: "Page",
        size: "PageSize",
        items: "Data",
        total: Some("Total"),
        page_size: 2,
        max_page_size: Some(5),
    };

    const ORDERS: Paging = Paging {
        action: "Orders",
        style: PagingStyle::Offset,
        place: PagingPlace::Query,
        position: "offset",
        size: "limit",
        items: "orders",
        total: Some("count"),
        page_size: 3,
        max_page_size: None,
    };

    fn paging(op: Op) -> Option<&'static Paging> {
        match op {
            Op::Customers => Some(&CUSTOMERS),
            Op::Orders => Some(&ORDERS),
            Op::Ping => None,
        }
    }

    fn defaults(op: Op) -> Option<&'static str> {
        Some(match op {
            Op::Customers => r#"{"Data": [{"Uin": "123"}], "Total": "123", "RequestId": "abc"}"#,
            Op::Orders => r#"{"orders": [{"id": "text"}], "count": -7, "error_code": "CBC.0000"}"#,
            Op::Ping => r#"{"Pong": true}"#,
        })
    }

    fn paged_mock() -> MockTransport<Op, Fake> {
        MockTransport::new(defaults).with_paging(paging)
    }

    /// A request document asking for `position` and `size` (each left out when `None`).
    fn asking(op: Op, position: Option<Value>, size: Option<Value>) -> Value {
        let facts = paging(op).expect("a paged op");
        let mut fields = serde_json::Map::new();
        if let Some(position) = position {
            fields.insert(facts.position.into(), position);
        }
        if let Some(size) = size {
            fields.insert(facts.size.into(), size);
        }
        match facts.place {
            PagingPlace::Body => json!({"query": {}, "body": fields}),
            PagingPlace::Query => json!({"query": fields, "body": null}),
        }
    }

    /// The response the mock answers, or the error's code and message.
    fn response(mock: &MockTransport<Op, Fake>, op: Op, document: Value) -> Value {
        match mock.answer(op, document).expect("answered").0 {
            Reply::Response(body) => body,
            other => panic!("not a response: {other:?}"),
        }
    }

    fn error(mock: &MockTransport<Op, Fake>, op: Op, document: Value) -> String {
        match mock.answer(op, document).expect("answered").0 {
            Reply::ApiError { code, message } => format!("{code}: {message}"),
            other => panic!("not an error: {other:?}"),
        }
    }

    fn numbered(count: usize) -> Vec<Value> {
        (0..count).map(|i| json!({"Uin": i.to_string()})).collect()
    }

    /// The `Uin`s of a page.
    fn uins(body: &Value) -> Vec<String> {
        body["Data"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| item["Uin"].as_str().expect("a Uin").to_owned())
            .collect()
    }

    fn items_rule(op: Op, items: Vec<Value>) -> Rule<Op> {
        let rule = json!({"action": Fake::name(op), "replies": [{"items": items}]});
        paged_mock().rule_from_json(&rule).expect("a valid rule")
    }

    #[test]
    fn pages_hold_exact_slices_at_every_boundary() {
        // Page size 2: 0, 1, size and size + 1 items, and the page past the end.
        for (count, pages) in [
            (0, vec![vec![]]),
            (1, vec![vec!["0"], vec![]]),
            (2, vec![vec!["0", "1"], vec![]]),
            (3, vec![vec!["0", "1"], vec!["2"], vec![]]),
            (5, vec![vec!["0", "1"], vec!["2", "3"], vec!["4"], vec![]]),
        ] {
            let mock = paged_mock().with_rule(items_rule(Op::Customers, numbered(count)));
            for (i, expected) in pages.iter().enumerate() {
                let page = json!(i + 1);
                let body = response(
                    &mock,
                    Op::Customers,
                    asking(Op::Customers, Some(page), Some(json!(2))),
                );
                assert_eq!(uins(&body), *expected, "{count} items, page {}", i + 1);
                // The default's total is a string: so is the answer's.
                assert_eq!(body["Total"], json!(count.to_string()), "{count} items");
                assert_eq!(body["RequestId"], "abc", "the rest of the default is kept");
            }
        }
        // Far past the end (no overflow of page × size).
        let mock = paged_mock().with_rule(items_rule(Op::Customers, numbered(3)));
        let body = response(
            &mock,
            Op::Customers,
            asking(Op::Customers, Some(json!(u64::MAX)), Some(json!(5))),
        );
        assert_eq!((uins(&body).len(), &body["Total"]), (0, &json!("3")));
    }

    #[test]
    fn offsets_select_from_the_offset_and_totals_stay_numbers() {
        let orders: Vec<Value> = (0..4).map(|i| json!({"id": i})).collect();
        let rule = json!({"action": "Orders", "replies": [{"items": orders}]});
        let mock = paged_mock();
        mock.add_rule(mock.rule_from_json(&rule).unwrap());
        // Query values arrive as text.
        for (offset, limit, ids) in [
            ("0", "3", vec![0, 1, 2]),
            ("3", "3", vec![3]),
            ("1", "2", vec![1, 2]),
            ("4", "3", vec![]),
            ("99", "3", vec![]),
        ] {
            let body = response(
                &mock,
                Op::Orders,
                asking(Op::Orders, Some(json!(offset)), Some(json!(limit))),
            );
            let got: Vec<i64> = body["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_i64().unwrap())
                .collect();
            assert_eq!(got, ids, "offset {offset}, limit {limit}");
            // The default's total is a number (-7): the answer's is the count.
            assert_eq!(body["count"], json!(4));
            assert_eq!(body["error_code"], "CBC.0000");
        }
    }

    #[test]
    fn a_missing_position_is_the_first_page_and_a_missing_size_the_default() {
        let mock = paged_mock().with_rule(items_rule(Op::Customers, numbered(5)));
        let body = response(&mock, Op::Customers, asking(Op::Customers, None, None));
        assert_eq!(uins(&body), ["0", "1"]);
        let body = response(
            &mock,
            Op::Customers,
            asking(Op::Customers, Some(json!("2")), None),
        );
        assert_eq!(uins(&body), ["2", "3"], "a numeric string is a number");
        let body = response(
            &mock,
            Op::Customers,
            asking(Op::Customers, Some(Value::Null), Some(json!(5))),
        );
        assert_eq!(uins(&body).len(), 5, "null is missing");
        let mock = paged_mock().with_rule(items_rule(Op::Orders, numbered(5)));
        let body = response(&mock, Op::Orders, asking(Op::Orders, None, None));
        assert_eq!(body["orders"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn bad_positions_and_sizes_get_the_invalid_parameter_error() {
        let mock = paged_mock().with_rule(items_rule(Op::Customers, numbered(5)));
        for (page, size, says) in [
            (json!(0), json!(2), "Page 0 is before the first page, 1"),
            (json!(-1), json!(2), "Page `-1` is not a whole number"),
            (json!(1.5), json!(2), "Page `1.5` is not a whole number"),
            (json!("two"), json!(2), "Page `two` is not a whole number"),
            (json!(true), json!(2), "Page `true` is not a whole number"),
            (json!(1), json!(0), "PageSize 0 is out of range (1 to 5)"),
            (json!(1), json!(6), "PageSize 6 is out of range (1 to 5)"),
            (json!(1), json!("x"), "PageSize `x` is not a whole number"),
            (json!(1), json!([1]), "PageSize `[1]` is not a whole number"),
        ] {
            let why = error(
                &mock,
                Op::Customers,
                asking(Op::Customers, Some(page.clone()), Some(size.clone())),
            );
            assert_eq!(why, format!("Invalid: Customers: {says}"), "{page} {size}");
        }
        // Offsets start at 0; without a documented maximum, any size from 1.
        let mock = paged_mock().with_rule(items_rule(Op::Orders, numbered(5)));
        let why = error(
            &mock,
            Op::Orders,
            asking(Op::Orders, Some(json!("-1")), None),
        );
        assert_eq!(why, "Invalid: Orders: offset `-1` is not a whole number");
        let why = error(
            &mock,
            Op::Orders,
            asking(Op::Orders, None, Some(json!("0"))),
        );
        assert_eq!(why, "Invalid: Orders: limit 0 is out of range (at least 1)");
        let body = response(
            &mock,
            Op::Orders,
            asking(Op::Orders, None, Some(json!("1000000"))),
        );
        assert_eq!(body["orders"].as_array().unwrap().len(), 5);
        // A long bad value is shown cut short.
        let long = "9".repeat(10_000);
        let why = error(
            &mock,
            Op::Orders,
            asking(Op::Orders, Some(json!(long)), None),
        );
        assert!(why.len() < 200, "{why}");
    }

    #[test]
    fn default_responses_of_list_actions_are_paged_consistently() {
        let mock = paged_mock();
        // DescribeCustomerUin's default says "123" with one item: page 1 holds the one
        // item, page 2 none, and both say so.
        for (page, count) in [(1, 1), (2, 0)] {
            let body = response(
                &mock,
                Op::Customers,
                asking(Op::Customers, Some(json!(page)), Some(json!(2))),
            );
            assert_eq!(uins(&body).len(), count, "page {page}");
            assert_eq!(body["Total"], "1", "page {page}");
        }
        // A schema-built default (`count: -7`, one item) counts its one item.
        let body = response(&mock, Op::Orders, asking(Op::Orders, None, None));
        assert_eq!(body["count"], 1);
        assert_eq!(body["orders"].as_array().unwrap().len(), 1);
        // Out of range, the default too answers with the error.
        let why = error(
            &mock,
            Op::Customers,
            asking(Op::Customers, Some(json!(0)), None),
        );
        assert!(why.starts_with("Invalid: Customers: Page 0"), "{why}");
        // An action that does not page answers its default as it is.
        assert_eq!(
            response(&mock, Op::Ping, json!({"query": {}, "body": {}})),
            json!({"Pong": true})
        );
        // Without paging facts, nothing pages.
        let plain = MockTransport::<Op, Fake>::new(defaults);
        let body = response(&plain, Op::Customers, json!({"query": {}, "body": {}}));
        assert_eq!(body["Total"], "123");
    }

    #[test]
    fn json_items_are_refused_for_an_action_that_does_not_page() {
        let rule = json!({"action": "Ping", "replies": [{"items": []}]});
        let why = paged_mock().rule_from_json(&rule).err().expect("refused");
        assert!(
            why.contains("Ping") && why.contains("does not page"),
            "{why}"
        );
        // Without the mock's facts the rule is taken, and the call says what is wrong.
        let rule = Rule::from_json(&rule, Fake::lookup).expect("no facts to check against");
        let mock = paged_mock().with_rule(rule);
        let why = mock
            .answer(Op::Ping, json!({"query": {}, "body": {}}))
            .expect_err("unanswered");
        assert!(
            why.contains("Ping") && why.contains("does not page"),
            "{why}"
        );
        for (items, says) in [
            (json!({"Uin": "1"}), "`items` is a JSON array"),
            (json!("1,2"), "`items` is a JSON array"),
        ] {
            let rule = json!({"action": "Customers", "replies": [{"items": items}]});
            let why = paged_mock().rule_from_json(&rule).err().expect("refused");
            assert!(why.contains(says) && why.contains("Customers"), "{why}");
        }
        let rule = json!({"action": "Customers", "replies": [{"items": [], "response": {}}]});
        let why = paged_mock().rule_from_json(&rule).err().expect("refused");
        assert!(why.contains("exactly one of"), "{why}");
    }

    #[test]
    fn json_items_follow_the_other_steps_of_a_sequence() {
        // Two pages from a list of 3, then the list grew to 5, then an error.
        let rule = json!({"action": "Customers", "replies": [
            {"items": numbered(3), "times": 2},
            {"items": numbered(5)},
            {"error": {"code": "LimitExceeded", "message": "slow down"}},
        ]});
        let mock = paged_mock();
        mock.add_rule(mock.rule_from_json(&rule).unwrap());
        let page = |n: u64| asking(Op::Customers, Some(json!(n)), Some(json!(2)));
        let body = response(&mock, Op::Customers, page(1));
        assert_eq!(
            (uins(&body), &body["Total"]),
            (vec!["0".into(), "1".into()], &json!("3"))
        );
        let body = response(&mock, Op::Customers, page(2));
        assert_eq!(
            (uins(&body), &body["Total"]),
            (vec!["2".into()], &json!("3"))
        );
        let body = response(&mock, Op::Customers, page(2));
        assert_eq!(
            (uins(&body), &body["Total"]),
            (vec!["2".into(), "3".into()], &json!("5"))
        );
        assert_eq!(
            error(&mock, Op::Customers, page(3)),
            "LimitExceeded: slow down"
        );
        // The recorded calls hold the pages as answered.
        let calls = mock.calls();
        assert_eq!(calls.len(), 4);
        assert_eq!(calls[0].reply, Reply::Response(response_of(&calls[0])));
    }

    fn response_of(call: &Call<Op>) -> Value {
        match &call.reply {
            Reply::Response(body) => {
                assert_eq!(body["Data"].as_array().map(Vec::len), Some(2));
                body.clone()
            }
            other => panic!("{other:?}"),
        }
    }

    // A typed list action, as a generated crate declares one.
    #[derive(Debug, Clone, Default, serde::Deserialize)]
    struct CustomersRequest {
        #[serde(rename = "Page", default)]
        page: i64,
        #[serde(rename = "PageSize", default)]
        page_size: i64,
    }

    #[derive(Debug, Clone, Default, Serialize)]
    struct CustomersResponse {
        #[serde(rename = "Data")]
        data: Vec<Customer>,
        #[serde(rename = "Total")]
        total: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    struct Customer {
        #[serde(rename = "Uin")]
        uin: String,
    }

    impl Paged for CustomersRequest {
        type Response = CustomersResponse;
        type Item = Customer;
        const PAGING: Paging = CUSTOMERS;
        fn request_fields(&mut self) -> RequestFields<'_> {
            RequestFields {
                position: &mut self.page,
                size: &mut self.page_size,
            }
        }
        fn response_fields(response: &mut CustomersResponse) -> ResponseFields<'_, Customer> {
            ResponseFields {
                items: &mut response.data,
                total: Some(&mut response.total),
            }
        }
    }

    fn customers(count: usize) -> Vec<Customer> {
        (0..count)
            .map(|i| Customer {
                uin: format!("c{i}"),
            })
            .collect()
    }

    #[test]
    fn typed_items_page_and_follow_a_sequence() {
        // The list changes mid-scan: 3 customers for two calls, then 4.
        let rule = RuleBuilder::<Op, CustomersRequest, CustomersResponse>::new(Op::Customers)
            .items_times(customers(3), 2)
            .items(customers(4))
            .build();
        // The request type's facts apply even to a mock without a table.
        let mock = MockTransport::<Op, Fake>::new(defaults).with_rule(rule);
        let page = |n: u64| asking(Op::Customers, Some(json!(n)), Some(json!(2)));
        let mut seen = Vec::new();
        for n in 1..=3 {
            let body = response(&mock, Op::Customers, page(n));
            seen.push((uins(&body), body["Total"].clone()));
        }
        assert_eq!(
            seen,
            [
                (vec!["c0".to_owned(), "c1".to_owned()], json!("3")),
                (vec!["c2".to_owned()], json!("3")),
                (vec![], json!("4")),
            ]
        );
        // A matcher still picks the calls the rule takes.
        let rule = RuleBuilder::<Op, CustomersRequest, CustomersResponse>::new(Op::Customers)
            .matching(|request| request.page_size == 1)
            .items(customers(9))
            .build();
        let mock = paged_mock().with_rule(rule);
        let one = response(
            &mock,
            Op::Customers,
            asking(Op::Customers, None, Some(json!(1))),
        );
        assert_eq!(
            (uins(&one), &one["Total"]),
            (vec!["c0".into()], &json!("9"))
        );
        let other = response(
            &mock,
            Op::Customers,
            asking(Op::Customers, None, Some(json!(2))),
        );
        assert_eq!(other["Total"], "1", "the default, paged");
    }

    #[test]
    fn a_rule_without_a_default_to_write_into_answers_the_fields_alone() {
        fn no_defaults(_: Op) -> Option<&'static str> {
            None
        }
        let mock = MockTransport::<Op, Fake>::new(no_defaults)
            .with_paging(paging)
            .with_rule(items_rule(Op::Orders, numbered(2)));
        let body = response(&mock, Op::Orders, asking(Op::Orders, None, None));
        assert_eq!(body, json!({"orders": numbered(2), "count": 2}));
    }

    // A REST list operation: its rule matches on the typed body, while the type that
    // pages it (`Page`) is the whole request, whose offset travels in the query.
    #[derive(Debug, Clone, Default, serde::Deserialize)]
    struct OrdersBody {}

    #[derive(Debug, Clone, Default)]
    struct OrdersRequest {
        offset: Option<i64>,
        limit: Option<i64>,
    }

    #[derive(Debug, Clone, Default, Serialize)]
    struct OrdersResponse {
        orders: Option<Vec<Order>>,
        count: i64,
    }

    #[derive(Debug, Clone, Serialize)]
    struct Order {
        id: u32,
    }

    impl Paged for OrdersRequest {
        type Response = OrdersResponse;
        type Item = Order;
        const PAGING: Paging = ORDERS;
        fn request_fields(&mut self) -> RequestFields<'_> {
            RequestFields {
                position: &mut self.offset,
                size: &mut self.limit,
            }
        }
        fn response_fields(response: &mut OrdersResponse) -> ResponseFields<'_, Order> {
            ResponseFields {
                items: &mut response.orders,
                total: Some(&mut response.count),
            }
        }
    }

    #[test]
    fn typed_items_of_a_rule_matching_on_the_body_page_by_the_named_request() {
        let rule = RuleBuilder::<Op, OrdersBody, OrdersResponse, OrdersRequest>::new(Op::Orders)
            .items((0..4).map(|id| Order { id }))
            .build();
        let mock = MockTransport::<Op, Fake>::new(defaults).with_rule(rule);
        let body = response(
            &mock,
            Op::Orders,
            asking(Op::Orders, Some(json!("2")), Some(json!("3"))),
        );
        assert_eq!(body["orders"], json!([{"id": 2}, {"id": 3}]));
        assert_eq!(body["count"], 4);
    }
}
