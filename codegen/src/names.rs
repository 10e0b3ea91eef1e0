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
    }
}
