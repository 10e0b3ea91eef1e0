//! Validation that runs on every load of a spec. Each rule has a stable code (the
//! diagnostic's `rule`), and each finding names the file, the line where the canonical
//! layout lets us find it, and the action, operation or type.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::{yaml_line_of, Diagnostic, Diagnostics};
use crate::names::{
    error_code_variant, is_error_code, is_field_ident, is_keyword, is_service_name, is_snake_ident,
    is_type_ident, is_variant_ident, method_name, required_struct_name, snake, type_stem,
    upper_camel, MAX_ERROR_CODE_LEN, RESERVED_METHODS, RESERVED_TYPES,
};
use crate::pinned::Pinnable;
use crate::spec::{
    shortened, ErrorCode, HuaweiOperation, HuaweiParam, HuaweiSpec, Pagination, PagingStyle,
    ParamLocation, Primitive, Protocol, ProtocolFamily, Provider, ServiceInfo, Signing, Spec,
    Support, TencentAction, TencentSpec, TypeDef, TypeRef,
};

/// Validates a parsed spec; `text` is the file's text, used to find lines.
pub fn validate(file: &str, text: &str, spec: &Spec) -> Diagnostics {
    let mut v = Validator {
        file,
        text,
        out: Diagnostics::default(),
    };
    v.service(spec.service());
    match spec {
        Spec::Tencent(spec) => v.tencent(spec),
        Spec::Huawei(spec) => v.huawei(spec),
    }
    v.out
}

struct Validator<'a> {
    file: &'a str,
    text: &'a str,
    out: Diagnostics,
}

/// A type on the walk of [`Validator::required_type_graph`]: its name, its required
/// `(field, type)` children, and the next child to visit.
type Visit<'t> = (&'t str, Vec<(&'t str, &'t str)>, usize);

/// The longest description an error code may have, in characters (the real ones are
/// under 160).
pub const MAX_ERROR_DESCRIPTION: usize = 300;

/// How deep required fields may nest types (the real specs nest a few levels).
const MAX_REQUIRED_DEPTH: usize = 32;

/// Where a finding is, resolved to a line only when a finding is actually reported:
/// scanning the text for every entry of a valid spec would dominate load time.
#[derive(Clone, Copy)]
enum At<'s> {
    Line(Option<usize>),
    /// The first entry `name: <name>`.
    Entry(&'s str),
    /// The key of a type under `types`.
    Type(&'s str),
    /// A field of a type.
    Field(&'s str, &'s str),
    /// A parameter of an operation (the operation's line where the parameter's is not
    /// found, e.g. when written in flow style).
    Param(&'s str, &'s str),
}

impl From<Option<usize>> for At<'_> {
    fn from(line: Option<usize>) -> Self {
        At::Line(line)
    }
}

impl Validator<'_> {
    fn error<'s>(
        &mut self,
        rule: &'static str,
        at: impl Into<At<'s>>,
        subject: &str,
        message: String,
    ) {
        let line = self.resolve(at.into());
        let mut d = Diagnostic::error(self.file, rule, message).at(line);
        if !subject.is_empty() {
            d = d.about(subject);
        }
        self.out.push(d);
    }

    fn warning(&mut self, rule: &'static str, line: Option<usize>, subject: &str, message: String) {
        let mut d = Diagnostic::warning(self.file, rule, message).at(line);
        if !subject.is_empty() {
            d = d.about(subject);
        }
        self.out.push(d);
    }

    fn resolve(&self, at: At<'_>) -> Option<usize> {
        match at {
            At::Line(line) => line,
            At::Entry(name) => self.line(name, 0),
            At::Type(name) => self.type_line(name),
            At::Param(operation, param) => self.param_line(operation, param),
            At::Field(type_name, field) => {
                let start = self.type_line(type_name)?;
                self.text
                    .lines()
                    .skip(start)
                    .position(|l| is_entry_named(l, field))
                    .map(|i| i + start + 1)
            }
        }
    }

    fn param_line(&self, operation: &str, param: &str) -> Option<usize> {
        let start = self.line(operation, 0)?;
        self.text
            .lines()
            .skip(start)
            .take_while(|l| !l.starts_with("- ") && !l.starts_with(|c: char| c.is_alphabetic()))
            .position(|l| is_entry_named(l, param))
            .map(|i| i + start + 1)
            .or(Some(start))
    }

    fn type_line(&self, type_name: &str) -> Option<usize> {
        let forms = [
            format!("  {type_name}:"),
            format!("  '{type_name}':"),
            format!("  \"{type_name}\":"),
        ];
        self.text
            .lines()
            .position(|l| forms.iter().any(|f| l.trim_end() == f))
            .map(|i| i + 1)
    }

    /// The line of a top-level key (`actions:`).
    fn top_key_line(&self, key: &str) -> Option<usize> {
        self.text
            .lines()
            .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
            .map(|i| i + 1)
    }

    /// The line of the `nth` entry `name: <name>`.
    fn line(&self, name: &str, nth: usize) -> Option<usize> {
        yaml_line_of(self.text, "name", name, nth)
    }

    fn service(&mut self, service: &ServiceInfo) {
        let expected = match service.provider {
            Provider::Tencentcloud => Protocol {
                family: ProtocolFamily::TencentApi3,
                signing: Signing::Tc3HmacSha256,
            },
            Provider::Huaweicloud => Protocol {
                family: ProtocolFamily::HuaweiRest,
                signing: Signing::SdkHmacSha256,
            },
        };
        if service.protocol != expected {
            let line = self
                .text
                .lines()
                .position(|l| l.trim() == "protocol:")
                .map(|i| i + 1);
            self.error(
                "protocol-mismatch",
                line,
                &service.name,
                format!(
                    "a {} service speaks {:?} signed with {:?}, not {:?} with {:?}",
                    service.provider.as_str(),
                    expected.family,
                    expected.signing,
                    service.protocol.family,
                    service.protocol.signing
                ),
            );
        }
        if !is_service_name(&service.name) {
            let line = self
                .text
                .lines()
                .position(|l| l.starts_with("  name:"))
                .map(|i| i + 1);
            self.error(
                "invalid-service-name",
                line,
                &service.name,
                format!(
                    "the service name `{}` must be lower-case ASCII letters and digits in words joined by single hyphens, starting with a letter: it names the crate `{}-<name>` and its directory under generated/",
                    service.name,
                    service.provider.as_str()
                ),
            );
        }
        if let Some(default) = &service.default_qps {
            let line = self
                .text
                .lines()
                .position(|l| l.trim() == "default_qps:")
                .and_then(|start| {
                    self.text
                        .lines()
                        .skip(start)
                        .position(|l| l.trim_start().starts_with("value:"))
                        .map(|i| i + start + 1)
                });
            if default.value > i64::from(u32::MAX) {
                self.error(
                    "qps-out-of-range",
                    line,
                    "default_qps",
                    format!(
                        "the default QPS must be at most {}, not {}",
                        u32::MAX,
                        default.value
                    ),
                );
            }
            if default.value <= 0 {
                self.error(
                    "qps-not-positive",
                    line,
                    "default_qps",
                    format!("the default QPS must be at least 1, not {}", default.value),
                );
            }
            if !default.assumed {
                self.error(
                    "default-qps-not-assumed",
                    line,
                    "default_qps",
                    "the default QPS is our assumption, never a documented figure: set `assumed: true`".into(),
                );
            }
        }
    }

    /// Duplicate names, and Rust method names that collide or are keywords.
    fn names<'n>(&mut self, kind: &str, names: impl Iterator<Item = (&'n str, Option<&'n str>)>) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut methods: BTreeMap<String, &str> = BTreeMap::new();
        let mut variants: BTreeMap<String, &str> = BTreeMap::new();
        for (name, rust_name) in names {
            if !is_variant_ident(name) {
                let line = self.line(name, 0);
                self.error(
                    "invalid-name",
                    line,
                    name,
                    format!("the {kind} name must start with an upper-case ASCII letter followed by ASCII letters, digits or underscores: it is the {kind}'s variant in the generated enum"),
                );
                continue;
            }
            let count = seen.entry(name).or_insert(0);
            *count += 1;
            if *count > 1 {
                let line = self.line(name, *count - 1);
                self.error(
                    "duplicate-action",
                    line,
                    name,
                    format!("the {kind} is defined {count} times"),
                );
                continue;
            }
            if let Some(rust_name) = rust_name {
                if !is_snake_ident(rust_name) || is_keyword(rust_name) {
                    let line = self.line(name, 0);
                    self.error(
                        "invalid-rust-name",
                        line,
                        name,
                        format!("rust_name `{rust_name}` is not a snake_case identifier that is not a keyword"),
                    );
                    continue;
                }
            }
            let method = method_name(name, rust_name);
            let variant = type_stem(name, rust_name);
            if let Some(other) = variants.insert(variant.clone(), name) {
                let line = self.line(name, 0);
                self.error(
                    "name-collision",
                    line,
                    name,
                    format!("its enum variant `{variant}` is also the variant of {kind} {other}: change `rust_name`"),
                );
            }
            if RESERVED_METHODS.contains(&method.as_str()) {
                let line = self.line(name, 0);
                self.error(
                    "reserved-name",
                    line,
                    name,
                    format!("its Rust name `{method}` is a function every generated crate defines already: set `rust_name`"),
                );
            } else if is_keyword(&method) {
                let line = self.line(name, 0);
                self.error(
                    "rust-keyword",
                    line,
                    name,
                    format!("its Rust name `{method}` is a keyword: set `rust_name`"),
                );
            } else if let Some(other) = methods.insert(method.clone(), name) {
                let line = self.line(name, 0);
                self.error(
                    "name-collision",
                    line,
                    name,
                    format!("its Rust name `{method}` is also the Rust name of {kind} {other}: set `rust_name` on one"),
                );
            }
        }
    }

    fn pinned(&mut self, name: &str, pinned: &[String], allowed: &[&str]) {
        for field in pinned {
            if !allowed.contains(&field.as_str()) {
                let line = self.line(name, 0);
                self.error(
                    "unknown-pinned-field",
                    line,
                    name,
                    format!(
                        "`pinned` names `{field}`, which cannot be pinned (one of: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn tencent(&mut self, spec: &TencentSpec) {
        if spec.actions.is_empty() {
            let line = self.top_key_line("actions");
            self.error(
                "no-actions",
                line,
                &spec.service.name,
                "the spec has no actions: the generated crate would have an empty table".into(),
            );
        }
        if spec.service.default_qps.is_none() {
            let undocumented: Vec<&str> = spec
                .actions
                .iter()
                .filter(|a| a.qps.is_none())
                .map(|a| a.name.as_str())
                .collect();
            if let Some(first) = undocumented.first() {
                self.error(
                    "missing-default-qps",
                    At::Entry(first),
                    first,
                    format!(
                        "{} action(s) have no documented QPS ({}) and the service sets no `default_qps`: they would be sent without any limit",
                        undocumented.len(),
                        undocumented.join(", ")
                    ),
                );
            }
        }
        self.names(
            "action",
            spec.actions
                .iter()
                .map(|a| (a.name.as_str(), a.rust_name.as_deref())),
        );
        let headings: BTreeSet<&str> = spec
            .category_tables
            .iter()
            .filter_map(|t| t.heading.as_deref())
            .collect();
        let mut not_on_cam_page = Vec::new();
        let (mut with_ip, mut without_ip) = (0, 0);
        for action in &spec.actions {
            let name = action.name.as_str();
            let line = At::Entry(name);
            self.pinned(name, &action.pinned, TencentAction::PINNABLE);
            if let Some(qps) = action.qps {
                if qps <= 0 {
                    self.error(
                        "qps-not-positive",
                        line,
                        name,
                        format!("qps must be at least 1, not {qps}"),
                    );
                } else if qps > i64::from(u32::MAX) {
                    self.error(
                        "qps-out-of-range",
                        line,
                        name,
                        format!("qps must be at most {}, not {qps}", u32::MAX),
                    );
                }
            }
            if let Some(category) = &action.category {
                if !headings.contains(category.as_str()) {
                    self.error(
                        "unknown-category",
                        line,
                        name,
                        format!("category `{category}` is not the heading of any table in `category_tables`"),
                    );
                }
            }
            match action.ip_restriction {
                Some(true) => with_ip += 1,
                Some(false) => without_ip += 1,
                None => {}
            }
            if action.cam_class.is_none() {
                if action.in_api_definition {
                    not_on_cam_page.push(name);
                } else {
                    self.error(
                        "orphan-action",
                        line,
                        name,
                        "the action is neither on the CAM page nor in the API definition".into(),
                    );
                }
            }
            let has_types = action.request.is_some() && action.response.is_some();
            if action.in_api_definition != has_types {
                self.error(
                    "types-mismatch",
                    line,
                    name,
                    "an action has request and response types exactly when it is in the API definition".into(),
                );
            }
            for ty in [&action.request, &action.response].into_iter().flatten() {
                if !spec.types.contains_key(ty) {
                    self.error(
                        "undefined-type",
                        line,
                        name,
                        format!("type `{ty}` is not defined under `types`"),
                    );
                }
            }
            if let Some(pagination) = &action.pagination {
                let typed = match (&action.request, &action.response) {
                    (Some(request), Some(response)) if action.in_api_definition => Some((
                        PagedRequest::Tencent(spec.types.get(request), request),
                        response.as_str(),
                    )),
                    _ => None,
                };
                self.pagination(name, pagination, typed, &spec.types);
            }
            for example in &action.examples {
                if let Err(err) = serde_json::from_str::<serde_json::Value>(&example.response) {
                    let line = yaml_line_of(self.text, "title", &example.title, 0);
                    self.error(
                        "invalid-example",
                        line,
                        name,
                        format!(
                            "example `{}`: response is not valid JSON: {err}",
                            example.title
                        ),
                    );
                }
            }
        }
        if !not_on_cam_page.is_empty() {
            self.warning(
                "not-on-cam-page",
                None,
                "",
                format!(
                    "{} action(s) of the API definition are missing from the CAM page, so no CAM class or IP-restriction fact is known for them: {}",
                    not_on_cam_page.len(),
                    not_on_cam_page.join(", ")
                ),
            );
        }
        let consistent = match spec.cam.ip_restriction {
            Support::Partial => with_ip > 0 && without_ip > 0,
            Support::Supported => without_ip == 0,
            Support::NotSupported => with_ip == 0,
        };
        if !consistent {
            let line = yaml_line_of(
                self.text,
                "ip_restriction",
                spec.cam.ip_restriction.as_str(),
                0,
            );
            self.error(
                "ip-restriction-inconsistent",
                line,
                "cam",
                format!(
                    "the product's IP restriction is `{}`, but {with_ip} action(s) support it and {without_ip} do not",
                    spec.cam.ip_restriction
                ),
            );
        }
        self.types(&spec.types);
        self.required_struct_names(&spec.types, &[]);
        self.error_codes(&spec.error_codes);
    }

    /// The service's error codes: each well formed, with a one-line description, in code
    /// order without repeats, and no two sharing a `ServiceError` variant.
    fn error_codes(&mut self, codes: &[ErrorCode]) {
        let mut variants: HashMap<String, &str> = HashMap::new();
        let mut previous: Option<&str> = None;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for entry in codes {
            let code = entry.code.as_str();
            let nth = seen.entry(code).or_insert(0);
            let line = yaml_line_of(self.text, "code", code, *nth);
            *nth += 1;
            if !is_error_code(code) || !is_variant_ident(&error_code_variant(code)) {
                self.error(
                    "invalid-error-code",
                    line,
                    "",
                    format!(
                        "`{}` is not an error code (words of ASCII letters and digits, each starting with a letter, joined by `.`, at most {MAX_ERROR_CODE_LEN} bytes)",
                        shortened(code)
                    ),
                );
                continue;
            }
            match previous {
                Some(before) if before == code => {
                    self.error(
                        "duplicate-error-code",
                        line,
                        code,
                        "the error code is listed more than once".into(),
                    );
                    continue;
                }
                Some(before) if before > code => self.error(
                    "unsorted-error-codes",
                    line,
                    code,
                    format!("error codes are sorted by code: `{code}` comes after `{before}`"),
                ),
                _ => {}
            }
            previous = Some(code);
            let variant = error_code_variant(code);
            if let Some(other) = variants.insert(variant.clone(), code) {
                self.error(
                    "error-code-collision",
                    line,
                    code,
                    format!("its variant `ServiceError::{variant}` is also that of `{other}`"),
                );
            }
            let description = &entry.description;
            if description.chars().any(char::is_control)
                || description.chars().count() > MAX_ERROR_DESCRIPTION
            {
                self.error(
                    "error-code-description",
                    line,
                    code,
                    format!("the description must be one line of at most {MAX_ERROR_DESCRIPTION} characters without control characters"),
                );
            }
        }
    }

    /// Types whose Rust name is taken by a generated `…Required` struct (the required
    /// fields that a model's or a Huawei request struct's `new` takes): a type named like
    /// one, or a type `X` whose own `XRequired` is also that of `XRequest`. Checked for
    /// every model, with or without required fields, so that the vendor making a field
    /// required never turns a valid spec invalid.
    fn required_struct_names(
        &mut self,
        types: &BTreeMap<String, TypeDef>,
        request_structs: &[String],
    ) {
        let mut generated: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let owners = types
            .keys()
            .chain(request_structs)
            .filter(|name| is_type_ident(name));
        for owner in owners {
            generated
                .entry(required_struct_name(owner))
                .or_default()
                .push(owner);
        }
        for name in types.keys().filter(|name| is_type_ident(name)) {
            if let Some(owner) = generated.get(name).and_then(|owners| owners.first()) {
                self.error(
                    "reserved-name",
                    At::Type(name),
                    name,
                    format!("the type has the name of the generated struct of `{owner}`'s required fields (what `{owner}::new` takes): rename the type"),
                );
                continue;
            }
            let own = required_struct_name(name);
            // Of `X` and `XRequest`, the one that keeps its whole name is reported.
            if own != format!("{name}Required") {
                continue;
            }
            if let Some(other) = generated[&own].iter().find(|o| **o != name) {
                self.error(
                    "reserved-name",
                    At::Type(name),
                    name,
                    format!("the type's required fields would go in a generated `{own}`, which holds those of `{other}` already: rename the type"),
                );
            }
        }
    }

    /// The graph of required fields that hold another type directly (not through a list):
    /// a value of the type must hold one of the other. A cycle there is a type no finite
    /// value fills (and no Rust struct holds without a box), and a long chain makes every
    /// sample response (mock defaults) recurse once per link.
    fn required_type_graph(&mut self, types: &BTreeMap<String, TypeDef>) {
        let required_children = |name: &str| -> Vec<(&str, &str)> {
            types.get(name).map_or_else(Vec::new, |def| {
                def.fields
                    .iter()
                    .filter(|f| f.required)
                    .filter_map(|f| match &f.ty {
                        TypeRef::Named(child) if types.contains_key(child) => {
                            Some((f.name.as_str(), child.as_str()))
                        }
                        _ => None,
                    })
                    .collect()
            })
        };
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Open,
            Done,
        }
        let mut state: HashMap<&str, State> = HashMap::new();
        // The depth of each finished type: 1 + the deepest child, and the field to it.
        let mut depth: HashMap<&str, (usize, Option<&str>)> = HashMap::new();
        for root in types.keys() {
            if state.contains_key(root.as_str()) {
                continue;
            }
            // An explicit stack: the chain may be longer than the thread's stack allows.
            let mut stack: Vec<Visit<'_>> = vec![(root.as_str(), required_children(root), 0)];
            state.insert(root, State::Open);
            while let Some((name, children, next)) = stack.last_mut() {
                let name = *name;
                if let Some(&(field, child)) = children.get(*next) {
                    *next += 1;
                    match state.get(child) {
                        Some(State::Open) => {
                            let cycle: Vec<&str> = stack
                                .iter()
                                .skip_while(|(n, _, _)| *n != child)
                                .map(|(n, _, _)| *n)
                                .collect();
                            self.error(
                                "infinite-type",
                                At::Field(name, field),
                                &format!("{name}.{field}"),
                                format!(
                                    "required fields hold these types in a cycle, so no finite value fills them: {} -> {child}; make one field optional or a list",
                                    cycle.join(" -> ")
                                ),
                            );
                            return;
                        }
                        Some(State::Done) => {}
                        None => {
                            state.insert(child, State::Open);
                            stack.push((child, required_children(child), 0));
                        }
                    }
                } else {
                    let deepest = children
                        .iter()
                        .map(|&(field, child)| (depth[child].0, field))
                        .max_by_key(|&(d, _)| d);
                    depth.insert(
                        name,
                        deepest.map_or((1, None), |(d, field)| (d + 1, Some(field))),
                    );
                    state.insert(name, State::Done);
                    stack.pop();
                }
            }
        }
        if let Some((name, &(levels, Some(field)))) = depth
            .iter()
            .filter(|(_, (levels, _))| *levels > MAX_REQUIRED_DEPTH)
            .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0)))
        {
            self.error(
                "type-too-deep",
                At::Field(name, field),
                &format!("{name}.{field}"),
                format!("required fields nest types {levels} levels deep from here (at most {MAX_REQUIRED_DEPTH})"),
            );
        }
    }

    fn types(&mut self, types: &BTreeMap<String, TypeDef>) {
        let mut rust_types: BTreeMap<String, &str> = BTreeMap::new();
        for (type_name, def) in types {
            let type_line = At::Type(type_name);
            if !is_type_ident(type_name) {
                self.error(
                    "invalid-type-name",
                    type_line,
                    type_name,
                    format!(
                        "a type name must start with an upper-case ASCII letter followed by ASCII letters, digits or underscores, and not be one of {}: it names a Rust struct",
                        RESERVED_TYPES.join(", ")
                    ),
                );
                continue;
            }
            if let Some(other) = rust_types.insert(upper_camel(type_name), type_name) {
                self.error(
                    "name-collision",
                    type_line,
                    type_name,
                    format!("its Rust name is also the Rust name of type {other}"),
                );
            }
            let mut wire = BTreeSet::new();
            let mut rust_fields: BTreeMap<String, &str> = BTreeMap::new();
            for field in &def.fields {
                let field_line = At::Field(type_name, &field.name);
                let subject = format!("{type_name}.{}", field.name);
                if !wire.insert(field.name.as_str()) {
                    self.error(
                        "duplicate-field",
                        field_line,
                        &subject,
                        "the field is defined twice".into(),
                    );
                    continue;
                }
                if let Some(target) = field.ty.named() {
                    if !types.contains_key(target) {
                        self.error(
                            "undefined-type",
                            field_line,
                            &subject,
                            format!("type `{target}` is not defined under `types`"),
                        );
                    }
                }
                if let Some(rust_name) = &field.rust_name {
                    if !is_snake_ident(rust_name) || is_keyword(rust_name) {
                        self.error(
                            "invalid-rust-name",
                            field_line,
                            &subject,
                            format!("rust_name `{rust_name}` is not a snake_case identifier that is not a keyword"),
                        );
                        continue;
                    }
                }
                // Keyword field names are fine: the emitters print them as raw identifiers.
                let rust = field
                    .rust_name
                    .clone()
                    .unwrap_or_else(|| snake(&field.name));
                if !is_field_ident(&rust) {
                    self.error(
                        "invalid-field-name",
                        field_line,
                        &subject,
                        format!("its Rust name `{rust}` is not a snake_case identifier that can name a field: set `rust_name`"),
                    );
                    continue;
                }
                if let Some(other) = rust_fields.insert(rust.clone(), &field.name) {
                    self.error(
                        "name-collision",
                        field_line,
                        &subject,
                        format!("its Rust name `{rust}` is also the Rust name of field {other}: set `rust_name` on one"),
                    );
                }
            }
        }
        self.required_type_graph(types);
    }

    fn huawei(&mut self, spec: &HuaweiSpec) {
        if spec.operations.is_empty() {
            let line = self.top_key_line("operations");
            self.error(
                "no-actions",
                line,
                &spec.service.name,
                "the spec has no operations: the generated crate would have an empty table".into(),
            );
        }
        self.names(
            "operation",
            spec.operations
                .iter()
                .map(|o| (o.name.as_str(), o.rust_name.as_deref())),
        );
        let mut routes: HashMap<(String, &str), &str> = HashMap::new();
        for op in &spec.operations {
            let name = op.name.as_str();
            let line = At::Entry(name);
            self.pinned(name, &op.pinned, HuaweiOperation::PINNABLE);
            if let Some(other) = routes.insert((op.method.to_string(), op.path.as_str()), name) {
                self.error(
                    "duplicate-route",
                    line,
                    name,
                    format!("{} {} is also the route of {other}", op.method, op.path),
                );
            }
            if !op.path.starts_with('/') {
                self.error(
                    "invalid-path",
                    line,
                    name,
                    format!("path `{}` must start with `/`", op.path),
                );
            }
            let placeholders = path_placeholders(&op.path);
            if placeholders != op.path_params {
                self.error(
                    "path-params-mismatch",
                    line,
                    name,
                    format!(
                        "path_params {:?} do not match the placeholders {:?} of `{}`",
                        op.path_params, placeholders, op.path
                    ),
                );
            }
            if op.permissions.is_empty() {
                self.error(
                    "no-permissions",
                    line,
                    name,
                    "a listed operation needs at least one permission action".into(),
                );
            }
            self.huawei_request(op, &spec.types);
            if let Some(pagination) = &op.pagination {
                let typed = op.response.as_deref().map(|response| {
                    let body = op.body_type().map(|b| (b, spec.types.get(b)));
                    (PagedRequest::Huawei(&op.params, body), response)
                });
                self.pagination(name, pagination, typed, &spec.types);
            }
        }
        self.types(&spec.types);
        let request_structs: Vec<String> = spec
            .operations
            .iter()
            .filter(|op| op.response.is_some())
            .map(|op| format!("{}Request", type_stem(&op.name, op.rust_name.as_deref())))
            .collect();
        self.required_struct_names(&spec.types, &request_structs);
    }

    /// The typed facts of one operation: its parameters and response.
    fn huawei_request(&mut self, op: &HuaweiOperation, types: &BTreeMap<String, TypeDef>) {
        let name = op.name.as_str();
        let line = At::Entry(name);
        let Some(response) = &op.response else {
            if !op.params.is_empty() {
                self.error(
                    "untyped-params",
                    line,
                    name,
                    "an operation has parameters only with a `response` type".into(),
                );
            }
            return;
        };
        if !types.contains_key(response) {
            self.error(
                "undefined-type",
                line,
                name,
                format!("response type `{response}` is not defined under `types`"),
            );
        }
        // The generated request struct is named after the operation; a type of that name
        // would be a second Rust item with the same name.
        let request = format!("{}Request", type_stem(name, op.rust_name.as_deref()));
        if types.contains_key(&request) || RESERVED_TYPES.contains(&request.as_str()) {
            self.error(
                "request-name-collision",
                line,
                name,
                format!("the operation's request struct `{request}` has the name of a type under `types`: rename the operation (`rust_name`)"),
            );
        }
        let mut names = BTreeSet::new();
        let mut wire: BTreeSet<(ParamLocation, String)> = BTreeSet::new();
        let mut bodies = 0;
        for param in &op.params {
            let subject = format!("{name}.{}", param.name);
            let line = At::Param(name, &param.name);
            if !is_field_ident(&param.name) {
                self.error(
                    "invalid-param-name",
                    line,
                    &subject,
                    format!(
                        "parameter name `{}` is not a snake_case identifier that can name a field",
                        param.name
                    ),
                );
            } else if !names.insert(param.name.as_str()) {
                self.error(
                    "duplicate-param",
                    line,
                    &subject,
                    "the parameter is defined twice".into(),
                );
            }
            // Header names are case-insensitive on the wire.
            let wire_key = match param.location {
                ParamLocation::Header => param.wire_name.to_ascii_lowercase(),
                _ => param.wire_name.clone(),
            };
            if param.location != ParamLocation::Body && !wire.insert((param.location, wire_key)) {
                self.error(
                    "duplicate-wire-name",
                    line,
                    &subject,
                    format!(
                        "two {} parameters go out as `{}`",
                        param.location, param.wire_name
                    ),
                );
            }
            if let Some(target) = param.ty.named() {
                if !types.contains_key(target) {
                    self.error(
                        "undefined-type",
                        line,
                        &subject,
                        format!("type `{target}` is not defined under `types`"),
                    );
                }
            }
            match param.location {
                ParamLocation::Body => {
                    bodies += 1;
                    if !matches!(param.ty, TypeRef::Named(_)) {
                        self.error(
                            "invalid-body",
                            line,
                            &subject,
                            format!("the body must be a type under `types`, not `{}`", param.ty),
                        );
                    }
                }
                _ if !matches!(param.ty, TypeRef::Primitive(_)) => self.error(
                    "param-type",
                    line,
                    &subject,
                    format!(
                        "a {} parameter must be a string, number or bool, not `{}`",
                        param.location, param.ty
                    ),
                ),
                _ => {}
            }
            if param.location == ParamLocation::Path && !param.required {
                self.error(
                    "optional-path-param",
                    line,
                    &subject,
                    "a path parameter fills a placeholder of the path, so it must be required"
                        .into(),
                );
            }
            if param.from_credentials && param.location != ParamLocation::Path {
                self.error(
                    "param-type",
                    line,
                    &subject,
                    format!(
                        "only a path parameter comes from the credentials, not a {} parameter",
                        param.location
                    ),
                );
            }
        }
        if bodies > 1 {
            self.error(
                "invalid-body",
                line,
                name,
                format!("the operation has {bodies} body parameters, at most 1 can be"),
            );
        }
        // Exactly the path template's placeholders are path parameters.
        if let Some((in_path, placeholders)) = unfilled_placeholders(&op.params, &op.path_params) {
            self.error(
                "path-params-mismatch",
                line,
                name,
                format!(
                    "the path parameters {in_path:?} do not fill the placeholders {placeholders:?} of `{}`",
                    op.path
                ),
            );
        }
    }
}

/// Where a paged action's request fields are: Tencent's request type (`None` where it is
/// not defined, which `undefined-type` reports) and its name; a Huawei operation's
/// parameters and its body model's name and definition.
enum PagedRequest<'t> {
    Tencent(Option<&'t TypeDef>, &'t str),
    Huawei(&'t [HuaweiParam], Option<(&'t str, Option<&'t TypeDef>)>),
}

/// Whether a type is an integer, the only type a position or a page size can be.
fn is_integer(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Primitive(Primitive::Int64 | Primitive::Uint64))
}

impl Validator<'_> {
    /// The pagination facts of one action against its models. `typed` is `None` for an
    /// action without typed models, else where its request fields are and its response
    /// type's name.
    fn pagination(
        &mut self,
        name: &str,
        pagination: &Pagination,
        typed: Option<(PagedRequest<'_>, &str)>,
        types: &BTreeMap<String, TypeDef>,
    ) {
        let line = At::Entry(name);
        let fail = |v: &mut Self, rule: &'static str, message: String| {
            v.error(rule, line, name, format!("pagination: {message}"));
        };
        if pagination.basis.trim().is_empty() {
            fail(
                self,
                "pagination-basis",
                "`basis` is empty: say what the facts were read from, or who set them and why"
                    .into(),
            );
        }
        match (pagination.style, pagination.first_page) {
            (PagingStyle::PageNumber, None) => fail(
                self,
                "pagination-style",
                "style `page-number` needs `first_page` (the first page's number)".into(),
            ),
            (PagingStyle::PageNumber, Some(first)) if first < 0 => fail(
                self,
                "pagination-style",
                format!("`first_page` must be 0 or more, not {first}"),
            ),
            (PagingStyle::Offset, Some(first)) => fail(
                self,
                "pagination-style",
                format!("style `offset` starts at 0 and takes no `first_page` (it has {first})"),
            ),
            _ => {}
        }
        if pagination.page_size < 1 {
            fail(
                self,
                "pagination-page-size",
                format!(
                    "`page_size` must be at least 1, not {}",
                    pagination.page_size
                ),
            );
        }
        match pagination.max_page_size {
            Some(max) if max < 1 => fail(
                self,
                "pagination-page-size",
                format!("`max_page_size` must be at least 1, not {max}"),
            ),
            Some(max) if pagination.page_size > max => fail(
                self,
                "pagination-page-size",
                format!(
                    "`page_size` {} is above `max_page_size` {max}",
                    pagination.page_size
                ),
            ),
            _ => {}
        }
        if pagination.position == pagination.size {
            fail(
                self,
                "pagination-field",
                format!(
                    "`position` and `size` are the same field `{}`",
                    pagination.position
                ),
            );
        }
        let Some((request, response)) = typed else {
            fail(self, "pagination-untyped", "the action has no typed request and response, so nothing can page it: remove `pagination` or give it its models".into());
            return;
        };
        // The request side: each of position and size as (spec key, wire name, where it
        // must be, its type if found there, whether the place could be looked into).
        let request_fields = [
            ("position", pagination.position.as_str()),
            ("size", pagination.size.as_str()),
        ];
        let mut found = Vec::new();
        match request {
            PagedRequest::Tencent(request_def, request_name) => {
                if let Some(location) = pagination.location {
                    fail(self, "pagination-location", format!("`location` is for Huawei operations; a Tencent action's fields are always in the JSON body (it has `{location}`)"));
                }
                for (key, wire) in request_fields {
                    let ty = request_def
                        .and_then(|d| d.fields.iter().find(|f| f.name == wire))
                        .map(|f| &f.ty);
                    found.push((
                        key,
                        wire,
                        format!("a field of the request type {request_name}"),
                        ty,
                        request_def.is_some(),
                    ));
                }
            }
            PagedRequest::Huawei(params, body) => {
                for (key, wire) in request_fields {
                    match pagination.location {
                        Some(ParamLocation::Query) => {
                            let ty = params
                                .iter()
                                .find(|p| p.location == ParamLocation::Query && p.wire_name == wire)
                                .map(|p| &p.ty);
                            found.push((
                                key,
                                wire,
                                "a query parameter of the operation".to_owned(),
                                ty,
                                true,
                            ));
                        }
                        Some(ParamLocation::Body) => match body {
                            Some((body_name, body_def)) => {
                                let ty = body_def
                                    .and_then(|d| d.fields.iter().find(|f| f.name == wire))
                                    .map(|f| &f.ty);
                                found.push((
                                    key,
                                    wire,
                                    format!("a field of the body model {body_name}"),
                                    ty,
                                    body_def.is_some(),
                                ));
                            }
                            None => found.push((
                                key,
                                wire,
                                "a field of the body (the operation has none)".to_owned(),
                                None,
                                true,
                            )),
                        },
                        _ => {}
                    }
                }
                match pagination.location {
                    Some(ParamLocation::Query | ParamLocation::Body) => {}
                    Some(other) => fail(
                        self,
                        "pagination-location",
                        format!("`location` must be `query` or `body`, not `{other}`"),
                    ),
                    None => fail(
                        self,
                        "pagination-location",
                        "a Huawei operation's pagination needs `location` (`query` or `body`)"
                            .into(),
                    ),
                }
            }
        }
        for (key, wire, place, ty, checkable) in found {
            match ty {
                Some(ty) if is_integer(ty) => {}
                Some(ty) => fail(self, "pagination-field", format!("`{key}` `{wire}` is {ty}, but a position or page size must be int64 or uint64")),
                // An undefined model is reported once, by `undefined-type`.
                None if checkable => fail(self, "pagination-field", format!("`{key}` `{wire}` is not {place}")),
                None => {}
            }
        }
        // The response side.
        let Some(response_def) = types.get(response) else {
            return;
        };
        let field = |wire: &str| response_def.fields.iter().find(|f| f.name == wire);
        match field(&pagination.items) {
            Some(f) if matches!(f.ty, TypeRef::List(_)) => {}
            Some(f) => fail(
                self,
                "pagination-field",
                format!("`items` `{}` is {}, not a list", f.name, f.ty),
            ),
            None => fail(
                self,
                "pagination-field",
                format!(
                    "`items` `{}` is not a field of the response type {response}",
                    pagination.items
                ),
            ),
        }
        if let Some(total) = &pagination.total {
            match field(total) {
                Some(f) if is_integer(&f.ty) || f.ty == TypeRef::Primitive(Primitive::String) => {}
                Some(f) => fail(
                    self,
                    "pagination-field",
                    format!(
                        "`total` `{total}` is {}, but a total must be int64, uint64 or string",
                        f.ty
                    ),
                ),
                None => fail(
                    self,
                    "pagination-field",
                    format!("`total` `{total}` is not a field of the response type {response}"),
                ),
            }
        }
    }
}

/// Whether a line starts a list entry named `name`, block style (`- name: x`) or flow
/// style (`- {name: x, ...}`), the name plain or quoted.
fn is_entry_named(line: &str, name: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix("- ") else {
        return false;
    };
    let rest = rest.trim_start();
    let (rest, flow) = match rest.strip_prefix('{') {
        Some(inner) => (inner.trim_start(), true),
        None => (rest, false),
    };
    let Some(value) = rest.strip_prefix("name:") else {
        return false;
    };
    let value = value.trim_start();
    for quote in ['\'', '"'] {
        if let Some(quoted) = value.strip_prefix(quote) {
            return quoted
                .strip_prefix(name)
                .is_some_and(|r| r.starts_with(quote));
        }
    }
    let end = if flow {
        value.find([',', '}']).unwrap_or(value.len())
    } else {
        value.len()
    };
    value[..end].trim_end() == name
}

/// The path parameters' wire names and the placeholders, each sorted, when the path
/// parameters among `params` do not fill exactly `placeholders`.
pub(crate) fn unfilled_placeholders<'a>(
    params: &'a [HuaweiParam],
    placeholders: &'a [String],
) -> Option<(Vec<&'a str>, Vec<&'a str>)> {
    let sorted = |mut names: Vec<&'a str>| {
        names.sort_unstable();
        names
    };
    let in_path = params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| p.wire_name.as_str());
    let in_path = sorted(in_path.collect());
    let placeholders = sorted(placeholders.iter().map(String::as_str).collect());
    (in_path != placeholders).then_some((in_path, placeholders))
}

/// The `{name}` placeholders of a path template, in order.
pub fn path_placeholders(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::path_placeholders;

    #[test]
    fn placeholders_in_order() {
        assert_eq!(
            path_placeholders("/v1.0/{domain_id}/x/{id}"),
            ["domain_id", "id"]
        );
        assert!(path_placeholders("/v2/partners").is_empty());
    }
}
