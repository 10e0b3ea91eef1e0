//! How spec names become Rust names. Validation and the emitters share these functions,
//! so a name validation accepts is exactly a name the emitters can print.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust's strict and reserved keywords (all editions up to 2024).
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `ident` is a Rust keyword (and so needs `r#` or another name).
pub fn is_keyword(ident: &str) -> bool {
    KEYWORDS.contains(&ident)
}

/// The snake_case form of a wire name: `ForceQN` → `force_qn`.
pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// The UpperCamelCase form of a name: `list_sub_customers` → `ListSubCustomers`.
pub fn upper_camel(name: &str) -> String {
    name.to_upper_camel_case()
}

/// The Rust method name of an action or operation: its hand-set `rust_name`, else the
/// snake_case of its wire name.
pub fn method_name(name: &str, rust_name: Option<&str>) -> String {
    rust_name.map_or_else(|| snake(name), str::to_owned)
}

/// The UpperCamelCase stem of the Rust items generated for an action or operation (its
/// `Action`/`Operation` variant, a Huawei operation's `<stem>Request`): its wire name,
/// else the UpperCamelCase of its hand-set `rust_name`.
pub fn type_stem(name: &str, rust_name: Option<&str>) -> String {
    rust_name.map_or_else(|| name.to_owned(), upper_camel)
}

/// The name of the generated struct holding the required fields of the model `type_name`
/// (what its `new` takes): `ListInvoicesRequest` → `ListInvoicesRequired`, `Filter` →
/// `FilterRequired`. Validation refuses a type that would share it.
pub fn required_struct_name(type_name: &str) -> String {
    let stem = type_name.strip_suffix("Request").unwrap_or(type_name);
    format!("{stem}Required")
}

/// Whether `ident` is a plain snake_case Rust identifier (lower-case ASCII letters, digits
/// and underscores, not starting with a digit).
pub fn is_snake_ident(ident: &str) -> bool {
    let mut chars = ident.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && ident != "_"
}

/// Keywords that cannot be raw identifiers either (`r#self` is not an identifier).
const NOT_RAW: &[&str] = &["Self", "self", "super", "crate", "_"];

/// Whether the emitters can print `ident` as a field, parameter or method name: a plain
/// snake_case identifier, printed raw (`r#type`) where it is a keyword that can be raw.
pub fn is_field_ident(ident: &str) -> bool {
    is_snake_ident(ident) && !NOT_RAW.contains(&ident)
}

/// Whether `name` can be the wire name of an action or operation, whose variant in the
/// generated `Action`/`Operation` enum it is: an upper-case ASCII letter, then ASCII
/// letters, digits and underscores (the vendors' names are PascalCase).
pub fn is_variant_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !NOT_RAW.contains(&name)
}

/// Method and function names every generated crate defines itself, in the client
/// (`Client::builder`, ...) and the mock module (`mock::server`, ...), beside the
/// per-action ones: an action whose Rust name is one of them needs a `rust_name`.
pub const RESERVED_METHODS: &[&str] = &[
    "builder",
    "with_options",
    "engine",
    "call_json",
    "mock",
    "client",
    "server_client",
    "service",
    "server",
    "check_request",
    "default_response",
    "decode",
];

/// Type names the models module uses itself (the prelude's and the runtime's): a model of
/// one of these names would shadow it.
pub const RESERVED_TYPES: &[&str] = &[
    "Self",
    "Box",
    "Vec",
    "Option",
    "String",
    "RestRequest",
    "RequestParts",
];

/// Whether `name` can name a model: an upper-case ASCII letter, then ASCII letters,
/// digits and underscores, and not a name the models module already uses.
pub fn is_type_ident(name: &str) -> bool {
    is_variant_ident(name) && !RESERVED_TYPES.contains(&name)
}

/// Whether `name` can be a service's short name, and so (after `<provider>-`) a crate's
/// name and directory under `generated/`: lower-case ASCII letters and digits in words
/// joined by single hyphens, starting with a letter.
pub fn is_service_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// The longest error code accepted (the real ones are under 60 bytes).
pub const MAX_ERROR_CODE_LEN: usize = 128;

/// Whether `code` is an error code: words of ASCII letters and digits, each starting with
/// a letter, joined by single dots (`FailedOperation.SendMailLimit180`), at most
/// [`MAX_ERROR_CODE_LEN`] bytes.
pub fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_ERROR_CODE_LEN
        && code.split('.').all(|word| {
            word.starts_with(|c: char| c.is_ascii_alphabetic())
                && word.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// The `ServiceError` variant of an error code: its words, each with its first letter
/// upper-cased, run together (`FailedOperation.BalanceInsufficient` →
/// `FailedOperationBalanceInsufficient`).
pub fn error_code_variant(code: &str) -> String {
    code.split('.')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_vendor_names() {
        assert_eq!(snake("ForceQN"), "force_qn");
        assert_eq!(
            snake("QueryT1IndirectCustomersDetail"),
            "query_t1_indirect_customers_detail"
        );
        assert_eq!(snake("Type"), "type");
        assert!(is_keyword(&snake("Type")));
        assert!(!is_keyword("types"));
    }

    #[test]
    fn snake_identifiers() {
        assert!(is_snake_ident("list_sub_customers"));
        assert!(is_snake_ident("v2_query"));
        assert!(!is_snake_ident("2query"));
        assert!(!is_snake_ident("ListSubCustomers"));
        assert!(!is_snake_ident("_"));
        assert!(is_field_ident("type"));
        assert!(!is_field_ident("self"));
        assert!(!is_field_ident("super"));
    }

    #[test]
    fn variant_type_and_service_names() {
        assert!(is_variant_ident("QueryT1UIN"));
        assert!(is_variant_ident("List_clients"));
        assert!(!is_variant_ident("Force QN"));
        assert!(!is_variant_ident("FörceQN"));
        assert!(!is_variant_ident("forceQn"));
        assert!(!is_variant_ident("Self"));
        assert!(is_type_ident("Filter"));
        assert!(!is_type_ident("Option"));
        assert!(is_service_name("partner-center"));
        assert!(is_service_name("intlpartnersmgt"));
        for bad in [
            "", "Demo", "demo_x", "-demo", "demo-", "demo--x", "../x", "9demo",
        ] {
            assert!(!is_service_name(bad), "{bad}");
        }
    }

    #[test]
    fn error_codes_and_their_variants() {
        for good in [
            "AuthFailure",
            "FailedOperation.BalanceInsufficient",
            "FailedOperation.SendMailLimit180",
            "A.b.C9",
        ] {
            assert!(is_error_code(good), "{good}");
        }
        for bad in [
            "", ".A", "A.", "A..B", "A.9B", "A B", "A-B", "Fä", "A.B_C", "'A'",
        ] {
            assert!(!is_error_code(bad), "{bad}");
        }
        assert!(!is_error_code(&"A".repeat(MAX_ERROR_CODE_LEN + 1)));
        assert_eq!(
            error_code_variant("FailedOperation.BalanceInsufficient"),
            "FailedOperationBalanceInsufficient"
        );
        assert_eq!(
            error_code_variant("ResourceNotFound.noRecord"),
            "ResourceNotFoundNoRecord"
        );
    }
}
