//! The spec: one YAML file per service under `spec/`, the single source of truth that the
//! permission tables, models, client, retries and mocks are generated from.
//!
//! Every struct denies unknown fields, so a typo in a hand edit is an error with a line
//! number rather than a silently ignored key. Collections are kept sorted by the importers
//! and checked by validation, so a file re-imported from the same inputs is byte-identical.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use partnergen_runtime::{CamClass, Granularity, HttpMethod, Support};

/// A spec file of either provider.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// A Tencent Cloud API 3.0 service.
    Tencent(TencentSpec),
    /// A Huawei Cloud REST service.
    Huawei(HuaweiSpec),
}

impl Spec {
    /// The service block every provider's spec starts with.
    pub fn service(&self) -> &ServiceInfo {
        match self {
            Spec::Tencent(spec) => &spec.service,
            Spec::Huawei(spec) => &spec.service,
        }
    }
}

/// Which cloud a spec describes; its spelling is the first path segment under `spec/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Tencent Cloud.
    Tencentcloud,
    /// Huawei Cloud.
    Huaweicloud,
}

impl Provider {
    /// The lower-case spelling used in paths and commands.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Tencentcloud => "tencentcloud",
            Provider::Huaweicloud => "huaweicloud",
        }
    }
}

/// How requests reach the service: routing, body encoding and signing follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProtocolFamily {
    /// Tencent Cloud API 3.0: one POST endpoint, JSON body, the action in `X-TC-Action`.
    #[serde(rename = "tencent-api-3.0")]
    TencentApi3,
    /// REST: the operation is chosen by method and path template.
    HuaweiRest,
}

/// The request signing scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signing {
    /// Tencent's TC3-HMAC-SHA256 (credential scope date/service/tc3_request).
    #[serde(rename = "TC3-HMAC-SHA256")]
    Tc3HmacSha256,
    /// Huawei's AK/SK scheme `SDK-HMAC-SHA256` with `X-Sdk-Date`.
    #[serde(rename = "SDK-HMAC-SHA256")]
    SdkHmacSha256,
}

/// Protocol facts of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// The protocol family.
    pub family: ProtocolFamily,
    /// The signing scheme.
    pub signing: Signing,
}

/// The facts every spec starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInfo {
    /// The cloud.
    pub provider: Provider,
    /// The service's short name, e.g. `intlpartnersmgt` or `partner-center`.
    pub name: String,
    /// The product title as the vendor's pages give it.
    pub title: String,
    /// The API version, e.g. `2022-09-28`.
    pub api_version: String,
    /// The host requests go to, without scheme.
    pub endpoint: String,
    /// Routing, encoding and signing.
    pub protocol: Protocol,
    /// The client-side QPS limit for actions whose limit the docs do not give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_qps: Option<DefaultQps>,
    /// The vendor files this spec was imported from, so a maintainer can tell which
    /// edition of the docs a value came from.
    pub sources: Vec<Source>,
}

/// A default QPS limit. It is an assumption of ours, never a documented fact, and says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultQps {
    /// Requests per second. Signed so that a hand-edited 0 or negative value reaches
    /// validation (which names it) rather than failing inside the YAML parser.
    pub value: i64,
    /// Always `true`: the figure is not from the vendor.
    pub assumed: bool,
    /// Why this figure was chosen.
    pub basis: String,
}

/// Which kind of vendor file a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Tencent's CAM authorization page.
    CamAuthorizationPage,
    /// Tencent's API category page (groups and frequency limits).
    ApiCategoryPage,
    /// Tencent's machine-readable API definition.
    ApiDefinition,
    /// Tencent's machine-readable API examples.
    ApiExamples,
    /// Huawei's Partner Center API access permission page.
    PermissionPage,
    /// Operation names, parameters and models read from Huawei's official Python SDK.
    SdkOperations,
    /// The service's error codes, read from the official Python SDK's `errorcodes.py`.
    SdkErrorCodes,
}

/// One vendor file an import read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The kind of file.
    pub kind: SourceKind,
    /// Its file name (no directory: the same docs live in different places on different
    /// machines). Conflict records refer to sources by this name.
    pub file: String,
    /// The page title it shows, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The "last updated" stamp the page shows, verbatim; `None` where the saved form
    /// does not show one (the markdown forms do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// The version a machine-readable file declares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Two sources (or two editions of one page) gave different values for one field. The
/// import keeps the value of `chosen` and records every value, so nothing is picked
/// silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The spec field, e.g. `qps`.
    pub field: String,
    /// The source whose value the spec holds.
    pub chosen: String,
    /// Why that source won.
    pub rule: String,
    /// Each source and the value it gives (`not listed` where it lacks the action).
    pub values: Vec<SourcedValue>,
}

/// One source's value in a [`Conflict`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcedValue {
    /// The source's file name.
    pub source: String,
    /// The value as the source gives it.
    pub value: String,
}

// ---------------------------------------------------------------------------------------
// Tencent

/// A Tencent Cloud API 3.0 service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentSpec {
    /// Service facts.
    pub service: ServiceInfo,
    /// The product-level facts of the CAM page.
    pub cam: CamFacts,
    /// The API category page's tables in page order, including any without a heading, so
    /// the markdown form (which shows no headings) can be mapped and decisions recorded.
    pub category_tables: Vec<CategoryTable>,
    /// Every action, sorted by name.
    pub actions: Vec<TencentAction>,
    /// The service's own error codes (the official SDK's `errorcodes.py`), sorted by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_codes: Vec<ErrorCode>,
    /// Request, response and nested types of the API definition, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, TypeDef>,
}

/// One error code a service answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The code as sent in `Response.Error.Code`: words of ASCII letters and digits,
    /// each starting with a letter, joined by `.` (`FailedOperation.BalanceInsufficient`).
    pub code: String,
    /// What it means, one line (empty where the SDK gives no description).
    pub description: String,
}

impl TencentSpec {
    /// The actions of the API definition (those with typed models), in name order.
    pub fn api_actions(&self) -> Vec<&TencentAction> {
        let mut actions: Vec<_> = self
            .actions
            .iter()
            .filter(|a| a.in_api_definition)
            .collect();
        actions.sort_by(|a, b| a.name.cmp(&b.name));
        actions
    }
}

/// The product row of a CAM authorization page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CamFacts {
    /// The abbreviation CAM policies use in `service:Action`.
    pub abbreviation: String,
    /// Whether the console supports CAM.
    pub console: Support,
    /// Whether policies can authorize by tag.
    pub authorization_by_tag: Support,
    /// The product's authorization granularity.
    pub granularity: Granularity,
    /// Whether policies can restrict callers by source IP.
    pub ip_restriction: Support,
}

/// One table of the API category page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryTable {
    /// The heading above the table; `None` for a table the page shows without one.
    pub heading: Option<String>,
    /// For a table without a heading: what the import did with its actions, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
}

/// One Tencent action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentAction {
    /// The wire name (`X-TC-Action`, and `service:Name` in CAM policies).
    pub name: String,
    /// A hand-set Rust identifier (snake_case) for when the derived one is unusable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    /// A one-line title.
    pub title: String,
    /// The API category page's group; `None` where the page lists no group for it.
    pub category: Option<String>,
    /// The CAM page's operation class; `None` for actions not on the CAM page.
    pub cam_class: Option<CamClass>,
    /// Authorization granularity; `None` for actions not on the CAM page.
    pub granularity: Option<Granularity>,
    /// The six-segment resource description; `None` for actions not on the CAM page.
    pub resource: Option<String>,
    /// Whether a CAM policy can restrict the action by source IP; `None` when unknown.
    pub ip_restriction: Option<bool>,
    /// The documented frequency limit in requests per second; `None` where undocumented
    /// (the service's `default_qps` then applies).
    pub qps: Option<i64>,
    /// Whether the public API definition has the action (and so typed models).
    pub in_api_definition: bool,
    /// The request type, for actions of the API definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// The response type, for actions of the API definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The vendor's examples whose response is valid JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// The vendor's examples that could not be used, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broken_examples: Vec<BrokenExample>,
    /// Fields the sources disagree on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    /// How the action pages through a list; `None` for an action that does not page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Fields a maintainer set by hand: a re-import keeps their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<String>,
}

/// How a list action pages: which request fields carry the position and the page size,
/// which response fields carry the page's items and the total. Inferred by the importers
/// from the models (they say what they read in `basis`); pin `pagination` to correct it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// What the position counts: page numbers or items skipped.
    pub style: PagingStyle,
    /// Huawei: where the position and size travel (`query` or `body`). Absent for Tencent,
    /// whose parameters are always in the JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ParamLocation>,
    /// The request field holding the position (its wire name: `Page`, `offset`).
    pub position: String,
    /// The request field holding the page size (its wire name: `PageSize`, `limit`).
    pub size: String,
    /// The number of the first page, for the `page-number` style (1 wherever the docs
    /// say); absent for `offset`, which starts at 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page: Option<i64>,
    /// The response field holding the page's items (a list).
    pub items: String,
    /// The response field holding the count of all items; absent where the response
    /// has none (the paginator then stops on a short page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// The largest page size the docs allow; absent where they give none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_page_size: Option<i64>,
    /// The page size a paginator sends unless its caller sets one.
    pub page_size: i64,
    /// What the facts were inferred from (or who set them, and why).
    pub basis: String,
}

/// What a paginated list's position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PagingStyle {
    /// Page numbers: the position is the page's number, counted from `first_page`.
    PageNumber,
    /// Offsets: the position is how many items to skip, from 0.
    Offset,
}

impl PagingStyle {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PagingStyle::PageNumber => "page-number",
            PagingStyle::Offset => "offset",
        }
    }
}

/// A vendor example of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The example's title.
    pub title: String,
    /// The request body, as JSON text; `None` when the vendor's is not valid JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// The whole response document (`{"Response": {...}}`), as the vendor's JSON text.
    pub response: String,
    /// Where the example departs from the declared types (it is kept: real responses do
    /// the same, and the models must cope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<String>,
}

/// A vendor example that is not usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokenExample {
    /// The example's title.
    pub title: String,
    /// What is wrong with it.
    pub problem: String,
}

/// A structure of the API definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// A one-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Fields in the vendor's order.
    pub fields: Vec<FieldDef>,
}

/// A field of a [`TypeDef`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// The wire name.
    pub name: String,
    /// A hand-set Rust identifier (snake_case) for when the derived one is unusable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    /// The field's type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether the field must be present (requests: the caller must send it; responses:
    /// the service always sends it).
    pub required: bool,
    /// Whether the service may send `null`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// The vendor hides the field from its docs (deprecated or internal).
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// The vendor's example value, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// A one-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A primitive wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primitive {
    /// A string.
    String,
    /// A signed 64-bit integer.
    Int64,
    /// An unsigned 64-bit integer.
    Uint64,
    /// A float.
    Float,
    /// A boolean.
    Bool,
}

impl Primitive {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Primitive::String => "string",
            Primitive::Int64 => "int64",
            Primitive::Uint64 => "uint64",
            Primitive::Float => "float",
            Primitive::Bool => "bool",
        }
    }

    /// Parses a spec spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => Primitive::String,
            "int64" => Primitive::Int64,
            "uint64" => Primitive::Uint64,
            "float" => Primitive::Float,
            "bool" => Primitive::Bool,
            _ => return None,
        })
    }
}

/// A field type: `string`, `int64`, `uint64`, `float`, `bool`, a type name, or `list<T>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// A primitive.
    Primitive(Primitive),
    /// A structure defined under `types`.
    Named(String),
    /// A JSON array.
    List(Box<TypeRef>),
}

impl TypeRef {
    /// The structure this type refers to, looking through lists.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeRef::Primitive(_) => None,
            TypeRef::Named(name) => Some(name),
            TypeRef::List(inner) => inner.named(),
        }
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Primitive(p) => f.write_str(p.as_str()),
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::List(inner) => write!(f, "list<{inner}>"),
        }
    }
}

/// How many `list<...>` a field type may nest. The real specs nest one; the bound
/// keeps hostile specs from building types that recursion over them (printing, dropping,
/// emitting) could not handle.
pub const MAX_LIST_DEPTH: usize = 8;

impl FromStr for TypeRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut inner = s.trim();
        let mut depth = 0;
        while let Some(rest) = inner
            .strip_prefix("list<")
            .and_then(|r| r.strip_suffix('>'))
        {
            depth += 1;
            if depth > MAX_LIST_DEPTH {
                return Err(format!(
                    "type `{}` nests lists more than {MAX_LIST_DEPTH} deep",
                    shortened(s.trim())
                ));
            }
            inner = rest.trim();
        }
        let mut ty = if let Some(p) = Primitive::parse(inner) {
            TypeRef::Primitive(p)
        } else if inner
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            TypeRef::Named(inner.to_owned())
        } else {
            return Err(format!(
                "invalid type `{}` (expected string, int64, uint64, float, bool, a type name, or list<T>)",
                shortened(s.trim())
            ));
        };
        for _ in 0..depth {
            ty = TypeRef::List(Box::new(ty));
        }
        Ok(ty)
    }
}

/// At most the first 60 characters of `text`, for messages that quote hostile input.
pub(crate) fn shortened(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

impl Serialize for TypeRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TypeRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Huawei

/// A Huawei Cloud REST service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiSpec {
    /// Service facts.
    pub service: ServiceInfo,
    /// How the permission page's actions grant access.
    pub permissions: PermissionFacts,
    /// Every operation on the permission page, sorted by name.
    pub operations: Vec<HuaweiOperation>,
    /// The body and response models of the typed operations, and every model they hold,
    /// by name (from the official SDK).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, TypeDef>,
}

/// The permission page's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionFacts {
    /// Holding any one of an operation's permission actions grants access.
    pub any_of: bool,
    /// Operations the page does not list need no fine-grained permission.
    pub unlisted_need_permission: bool,
}

/// One Huawei operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiOperation {
    /// The operation name (the official SDK's where it has one), e.g. `ListSubCustomers`.
    pub name: String,
    /// A hand-set Rust identifier (snake_case) for when the derived one is unusable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template, e.g. `/v2/orders/customer-orders/details/{order_id}`.
    pub path: String,
    /// The `{placeholders}` of `path`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_params: Vec<String>,
    /// The page's scenario column.
    pub scenario: String,
    /// The page's sub-scenario column; `None` where the page shows `-`.
    pub sub_scenario: Option<String>,
    /// The page's one-line API description.
    pub description: String,
    /// Permission actions; holding any one grants access.
    pub permissions: Vec<String>,
    /// Where the permission is granted in the Partner Center console; `None` where the
    /// page gives no path.
    pub console_path: Option<String>,
    /// The request's parameters, in the official SDK's order (path, query, header and
    /// body parameters mixed); empty for an operation the SDK does not type. A typed
    /// operation may have none (it takes no arguments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<HuaweiParam>,
    /// The response type (defined under `types`); `None` for an operation the SDK does not
    /// type. An operation is typed exactly when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// How the operation pages through a list; `None` for an operation that does not page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Fields a maintainer set by hand: a re-import keeps their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<String>,
}

impl HuaweiOperation {
    /// Whether the operation has typed models (a response type, and its parameters).
    pub fn is_typed(&self) -> bool {
        self.response.is_some()
    }

    /// The JSON body parameter, if the operation has one.
    pub fn body(&self) -> Option<&HuaweiParam> {
        self.params
            .iter()
            .find(|p| p.location == ParamLocation::Body)
    }

    /// The body's model, if the operation has a body.
    pub fn body_type(&self) -> Option<&str> {
        self.body().and_then(|b| b.ty.named())
    }
}

impl HuaweiSpec {
    /// The typed operations, by name.
    pub fn typed_operations(&self) -> Vec<&HuaweiOperation> {
        let mut typed: Vec<_> = self.operations.iter().filter(|o| o.is_typed()).collect();
        typed.sort_by(|a, b| a.name.cmp(&b.name));
        typed
    }
}

/// One parameter of a Huawei operation's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiParam {
    /// The parameter's name: the official SDK's attribute name, a snake_case identifier,
    /// and the Rust field name of the generated request.
    pub name: String,
    /// The name on the wire: the path placeholder, the query key or the header name; `body`
    /// for the body.
    pub wire_name: String,
    /// Where the request carries it.
    pub location: ParamLocation,
    /// Its type: a primitive for path, query and header parameters, a type defined under
    /// `types` for the body.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether a caller must give it.
    pub required: bool,
    /// The official SDK fills it from the caller's credentials (the account's `domain_id`)
    /// rather than from the request.
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_credentials: bool,
}

/// Where a request carries a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// A `{placeholder}` of the path template.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// The JSON body.
    Body,
}

impl ParamLocation {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Body => "body",
        }
    }
}

impl FromStr for ParamLocation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use ParamLocation::*;
        [Path, Query, Header, Body]
            .into_iter()
            .find(|location| location.as_str() == s)
            .ok_or_else(|| format!("location `{s}` is not path, query, header or body"))
    }
}

impl fmt::Display for ParamLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
