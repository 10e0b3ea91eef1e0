//! Hostile specs: whatever a hand edit puts into a spec, loading it either fails with
//! diagnostics naming the file, the line, the subject and the rule, or yields a spec every
//! emitter can print. Never a panic, a stack overflow or a silently changed value.
//!
//! Each case breaks one of the fixture specs in one place, then loads it and, if it loads,
//! emits it (so a name that slips through validation shows as the emitter's panic).

use std::fs;

use partnergen_codegen::diag::Diagnostics;
use partnergen_codegen::emit::emit;
use partnergen_codegen::specfile::parse_spec;
use partnergen_tests::fixture;

const FILE: &str = "spec/x/demo.yaml";

fn tencent() -> String {
    fs::read_to_string(fixture("specs/tencentcloud/demo.yaml")).unwrap()
}

fn huawei() -> String {
    fs::read_to_string(fixture("specs/huaweicloud/demo.yaml")).unwrap()
}

/// `text` with the first `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the fixture has no `{from}`");
    text.replacen(from, to, 1)
}

/// Loads and emits `text`: the diagnostics if it fails to load.
fn load_and_emit(text: &str) -> Result<(), Diagnostics> {
    let loaded = parse_spec(FILE, text)?;
    let files = emit(FILE, &loaded.spec);
    assert!(!files.is_empty());
    Ok(())
}

/// Asserts that `text` fails to load with `rule` about `subject`, on the line that holds
/// `line_text`, and returns the message.
#[track_caller]
fn assert_rejected(text: &str, rule: &str, subject: &str, line_text: &str) -> String {
    let diagnostics = match load_and_emit(text) {
        Ok(()) => panic!("the spec loaded and emitted; expected {rule} about {subject}"),
        Err(d) => d,
    };
    let hit = diagnostics
        .errors()
        .find(|d| d.rule == rule)
        .unwrap_or_else(|| panic!("no error {rule} in:\n{diagnostics}"));
    assert_eq!(hit.file, FILE);
    assert_eq!(hit.subject.as_deref(), Some(subject), "{hit}");
    let line = hit.line.unwrap_or_else(|| panic!("no line in {hit}"));
    let shown = text.lines().nth(line - 1).unwrap_or_default();
    assert!(shown.contains(line_text), "{hit} points at `{shown}`");
    hit.to_string()
}

/// Asserts that `text` fails to load as malformed YAML on the line holding `line_text`.
#[track_caller]
fn assert_malformed(text: &str, line_text: &str, message_part: &str) -> String {
    let diagnostics = load_and_emit(text).expect_err("the spec should not load");
    let hit = diagnostics.errors().next().unwrap();
    assert_eq!(hit.rule, "malformed-spec", "{hit}");
    assert!(hit.message.contains(message_part), "{hit}");
    let line = hit.line.unwrap_or_else(|| panic!("no line in {hit}"));
    let shown = text.lines().nth(line - 1).unwrap_or_default();
    assert!(shown.contains(line_text), "{hit} points at `{shown}`");
    hit.to_string()
}

#[test]
fn the_fixtures_load_and_emit() {
    load_and_emit(&tencent()).unwrap();
    load_and_emit(&huawei()).unwrap();
}

// ---------------------------------------------------------------------------------------
// Names

#[test]
fn action_names_that_are_not_identifiers() {
    for bad in [
        "Force QN",
        "FörceQN",
        "Force-QN",
        "9Lives",
        "forceQn",
        "Force::QN",
    ] {
        let text = edit(
            &tencent(),
            "- name: QueryT1UIN\n",
            &format!("- name: '{bad}'\n"),
        );
        assert_rejected(&text, "invalid-name", bad, "name: ");
    }
}

#[test]
fn operation_names_that_are_not_identifiers() {
    for bad in ["List Orders", "ListOrdérs", "list-orders", "ListOrders()"] {
        let text = edit(
            &huawei(),
            "- name: ListOrders\n",
            &format!("- name: '{bad}'\n"),
        );
        assert_rejected(&text, "invalid-name", bad, "name: ");
    }
}

#[test]
fn variants_that_collide_through_rust_name() {
    // `rust_name: match_1` makes the variant `Match1`, the variant of the action named
    // `Match1`, although their methods differ (`match_1`, `match1`).
    let text = edit(
        &tencent(),
        "- name: Match\n  rust_name: match_customers\n",
        "- name: Match1\n  title: x\n  category: null\n  cam_class: read\n  granularity: operation\n  resource: '*'\n  ip_restriction: false\n  qps: 1\n  in_api_definition: false\n- name: Match\n  rust_name: match_1\n",
    );
    assert_rejected(&text, "name-collision", "Match", "name: Match");
}

#[test]
fn method_names_the_generated_code_already_uses() {
    // `Client::builder`, `mock::server` and `mock::decode` exist in every crate.
    for (name, method) in [
        ("Builder", "builder"),
        ("Server", "server"),
        ("Decode", "decode"),
    ] {
        let text = edit(
            &tencent(),
            "- name: QueryT1UIN\n",
            &format!("- name: {name}\n"),
        );
        let shown = assert_rejected(&text, "reserved-name", name, &format!("name: {name}"));
        assert!(shown.contains(&format!("`{method}`")), "{shown}");
    }
    let text = edit(
        &huawei(),
        "  rust_name: show_one_order\n",
        "  rust_name: call_json\n",
    );
    assert_rejected(&text, "reserved-name", "ShowOrder", "name: ShowOrder");
}

#[test]
fn type_names_that_are_not_identifiers() {
    for bad in [
        "Bad Type", "Filtér", "1Filter", "filter", "Self", "Option", "Vec", "String", "Box",
    ] {
        let text = edit(&tencent(), "  Filter:\n", &format!("  '{bad}':\n"));
        let text = text.replace("type: Filter,", &format!("type: '{bad}',"));
        let text = text.replace("type: list<Filter>,", &format!("type: 'list<{bad}>',"));
        let diagnostics = load_and_emit(&text).expect_err(bad);
        assert!(
            diagnostics
                .errors()
                .any(|d| d.rule == "invalid-type-name" || d.rule == "malformed-spec"),
            "{bad}: {diagnostics}"
        );
    }
    // The key of the map is checked where no field refers to it too.
    let text = edit(
        &tencent(),
        "  Filter:\n",
        "  'Filter X':\n  Filter:\n  # \n",
    );
    let text = edit(
        &text,
        "  'Filter X':\n  Filter:\n  # \n",
        "  'Filter X':\n    fields: []\n  Filter:\n",
    );
    assert_rejected(&text, "invalid-type-name", "Filter X", "'Filter X':");
    // A request type of an action must be a valid name too (it names a struct).
    let text = edit(
        &huawei(),
        "  CreateOrderResponse:\n",
        "  RestRequest:\n    fields: []\n  CreateOrderResponse:\n",
    );
    assert_rejected(&text, "invalid-type-name", "RestRequest", "RestRequest:");
}

#[test]
fn field_names_that_are_not_identifiers_after_snake_case() {
    // `Self`, `super` and `crate` cannot be raw identifiers; digits cannot start one.
    for bad in ["Self", "super", "crate", "123", "_", "", "Ä"] {
        let text = edit(
            &tencent(),
            "    - {name: Values, type: list<string>, required: false}\n",
            &format!("    - {{name: '{bad}', type: list<string>, required: false}}\n"),
        );
        let shown = assert_rejected(
            &text,
            "invalid-field-name",
            &format!("Filter.{bad}"),
            "name: '",
        );
        assert!(shown.contains("rust_name"), "{shown}");
    }
    // Keywords that can be raw identifiers stay fine (`r#type`).
    let text = edit(
        &tencent(),
        "    - {name: Values, type: list<string>, required: false}\n",
        "    - {name: Loop, type: list<string>, required: false}\n",
    );
    load_and_emit(&text).unwrap();
}

#[test]
fn huawei_param_names_that_cannot_be_fields() {
    for bad in ["self", "super", "crate"] {
        let text = edit(
            &huawei(),
            "  - {name: type, wire_name: type, location: query",
            &format!("  - {{name: {bad}, wire_name: type, location: query"),
        );
        assert_rejected(
            &text,
            "invalid-param-name",
            &format!("ShowOrder.{bad}"),
            &format!("name: {bad}"),
        );
    }
}

#[test]
fn service_names_that_cannot_name_a_crate() {
    for bad in [
        "demo svc",
        "../../escape",
        "Demo",
        "demo_",
        "-demo",
        "demo--x",
        "démo",
    ] {
        let text = edit(&tencent(), "  name: demo\n", &format!("  name: '{bad}'\n"));
        assert_rejected(&text, "invalid-service-name", bad, "  name: '");
    }
    let text = edit(&tencent(), "  name: demo\n", "  name: ''\n");
    let errors = load_and_emit(&text).unwrap_err();
    assert!(errors.has_rule("invalid-service-name"), "{errors}");
}

#[test]
fn a_spec_without_actions_or_operations() {
    let text = tencent();
    let start = text.find("actions:\n").unwrap();
    let end = text.find("types:\n").unwrap();
    let text = format!("{}actions: []\n{}", &text[..start], &text[end..]);
    // The types are then unreachable, which is fine; no actions is not.
    let text = text.replace(
        "  ip_restriction: partial\n",
        "  ip_restriction: not_supported\n",
    );
    assert_rejected(&text, "no-actions", "demo", "actions: []");

    let text = huawei();
    let start = text.find("operations:\n").unwrap();
    let end = text.find("types:\n").unwrap();
    let text = format!("{}operations: []\n", &text[..start]);
    let _ = end;
    assert_rejected(&text, "no-actions", "demo", "operations: []");
}

// ---------------------------------------------------------------------------------------
// Numbers

#[test]
fn qps_beyond_u32_is_an_error_not_a_truncation() {
    for big in ["4294967296", "4294967297", "9223372036854775807"] {
        let text = edit(&tencent(), "  qps: 5\n", &format!("  qps: {big}\n"));
        let shown = assert_rejected(
            &text,
            "qps-out-of-range",
            "AllocateCredit",
            "name: AllocateCredit",
        );
        assert!(shown.contains(big), "{shown}");
        let text = edit(
            &tencent(),
            "    value: 20\n",
            &format!("    value: {big}\n"),
        );
        assert_rejected(
            &text,
            "qps-out-of-range",
            "default_qps",
            &format!("value: {big}"),
        );
    }
    // The largest allowed value loads and prints as itself.
    let text = edit(&tencent(), "  qps: 5\n", "  qps: 4294967295\n");
    let loaded = parse_spec(FILE, &text).unwrap();
    let files = emit(FILE, &loaded.spec);
    let actions = files
        .iter()
        .find(|(p, _)| p.ends_with("src/actions.rs"))
        .unwrap()
        .1;
    assert!(actions.contains("Qps::Documented(4294967295)"));
    // Past i64 the YAML reader refuses it, with the line.
    let text = edit(&tencent(), "  qps: 5\n", "  qps: 18446744073709551616\n");
    assert_malformed(&text, "qps: 18446744073709551616", "");
}

#[test]
fn undocumented_qps_needs_a_default() {
    // Without `default_qps`, DescribeUsage (qps: null) would get `Qps::Assumed(0)`: no
    // limit at all.
    let text = tencent();
    let start = text.find("  default_qps:\n").unwrap();
    let end = text.find("  sources:\n").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]);
    assert_rejected(
        &text,
        "missing-default-qps",
        "DescribeUsage",
        "name: DescribeUsage",
    );
}

// ---------------------------------------------------------------------------------------
// Duplicate keys

#[test]
fn duplicate_keys_anywhere_are_errors_naming_the_line() {
    // A type defined twice: the second silently replaced the first.
    let text = edit(
        &tencent(),
        "  DescribeUsageRequest:\n",
        "  Filter:\n    fields: []\n  DescribeUsageRequest:\n",
    );
    let shown = assert_malformed(&text, "  Filter:", "duplicate key");
    assert!(shown.contains("Filter"), "{shown}");
    // A key of a struct, block style and flow style, at the top and nested.
    let cases = [
        (
            "  title: Demo Service\n",
            "  title: Demo Service\n  title: Other\n",
            "title: Other",
        ),
        ("  qps: 5\n", "  qps: 5\n  qps: 50\n", "qps: 50"),
        (
            "    value: 20\n",
            "    value: 20\n    value: 2\n",
            "value: 2",
        ),
        (
            "    - {name: A1, type: string, required: true}\n",
            "    - {name: A1, type: string, required: true, required: false}\n",
            "name: A1",
        ),
        ("cam:\n", "category_tables: []\ncam:\n", "category_tables:"),
    ];
    for (from, to, line) in cases {
        assert_malformed(&edit(&tencent(), from, to), line, "duplicate key");
    }
    // Huawei too.
    let text = edit(
        &huawei(),
        "  Order:\n",
        "  OrderItem:\n    fields: []\n  Order:\n",
    );
    assert_malformed(&text, "  OrderItem:", "duplicate key");
}

// ---------------------------------------------------------------------------------------
// Depth

#[test]
fn deeply_nested_yaml_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let text = edit(
            &tencent(),
            "  title: Demo Service\n",
            &format!("  title: {nested}\n"),
        );
        let diagnostics = load_and_emit(&text).expect_err("too deep");
        let hit = diagnostics.errors().next().unwrap();
        assert_eq!(hit.rule, "malformed-spec", "{hit}");
        assert!(hit.line.is_some(), "{hit}");
        assert!(hit.message.contains("nests"), "{hit}");
    }
    // Block style: `- - - ... 1`.
    let nested = format!("  title:\n    {}1\n", "- ".repeat(depth));
    let text = edit(&tencent(), "  title: Demo Service\n", &nested);
    let diagnostics = load_and_emit(&text).expect_err("too deep");
    assert_eq!(diagnostics.errors().next().unwrap().rule, "malformed-spec");
}

#[test]
fn deeply_nested_type_expressions_are_an_error() {
    for depth in [20, 100_000] {
        let ty = format!("{}string{}", "list<".repeat(depth), ">".repeat(depth));
        let text = edit(
            &tencent(),
            "{name: Values, type: list<string>,",
            &format!("{{name: Values, type: '{ty}',"),
        );
        let shown = assert_malformed(&text, "name: Values", "nests lists");
        assert!(
            shown.len() < 1000,
            "the message quotes the whole type: {}",
            shown.len()
        );
    }
    // A few levels are fine.
    let text = edit(
        &tencent(),
        "{name: Values, type: list<string>,",
        "{name: Values, type: list<list<list<string>>>,",
    );
    load_and_emit(&text).unwrap();
}

#[test]
fn long_chains_and_cycles_of_required_types_are_errors() {
    // A chain of required fields 100,000 types deep: building a sample response would
    // recurse once per type.
    let depth = 100_000;
    let mut types = String::new();
    for level in 0..depth {
        types.push_str(&format!(
            "  Deep{level}:\n    fields:\n    - {{name: Next, type: Deep{}, required: true}}\n",
            level + 1
        ));
    }
    types.push_str(&format!("  Deep{depth}:\n    fields: []\n"));
    let text = edit(&tencent(), "types:\n", &format!("types:\n{types}"));
    let text = edit(
        &text,
        "    - {name: Total, type: float, required: true}\n",
        "    - {name: Total, type: float, required: true}\n    - {name: Deep, type: Deep0, required: true}\n",
    );
    assert_rejected(
        &text,
        "type-too-deep",
        "AllocateCreditResponse.Deep",
        "name: Deep,",
    );

    // A cycle of required, non-optional fields is a type no value can fill (and no Rust
    // struct can hold without a box).
    let text = edit(
        &tencent(),
        "    - {name: Id, type: int64, required: true}\n",
        "    - {name: Id, type: int64, required: true}\n    - {name: Loop, type: Filter, required: true}\n",
    );
    let text = edit(
        &text,
        "    - {name: Name, type: string, required: true}\n",
        "    - {name: Name, type: string, required: true}\n    - {name: Back, type: Node, required: true}\n",
    );
    assert_rejected(&text, "infinite-type", "Node.Loop", "name: Loop,");
}

// ---------------------------------------------------------------------------------------
// Text the emitters quote

#[test]
fn titles_with_backslashes_and_newlines_keep_the_manifest_valid_toml() {
    // The title goes into the crate's `description = "..."`: a raw backslash or newline
    // there would make the whole workspace's manifests unreadable to cargo.
    let text = edit(
        &tencent(),
        "  title: Demo Service\n",
        "  title: \"Demo \\\\d \\\"quoted\\\"\\nsecond line\\ttab\"\n",
    );
    let loaded = parse_spec(FILE, &text).unwrap();
    assert_eq!(
        loaded.spec.service().title,
        "Demo \\d \"quoted\"\nsecond line\ttab"
    );
    let files = emit(FILE, &loaded.spec);
    let manifest = files
        .iter()
        .find(|(p, _)| p.ends_with("Cargo.toml"))
        .unwrap()
        .1;
    let description = manifest
        .lines()
        .find(|l| l.starts_with("description = "))
        .unwrap();
    assert!(
        description.contains(r#"Demo \\d \"quoted\"\nsecond line\ttab"#),
        "{description}"
    );
}

// ---------------------------------------------------------------------------------------
// Other hostile text

#[test]
fn yaml_1_1_spellings_merge_keys_and_second_documents_are_errors() {
    // `yes` is a boolean in YAML 1.1 only; the spec format is YAML 1.2 (what the writer
    // emits), where it is a typo for `true`.
    for spelling in ["yes", "on", "y"] {
        let text = edit(
            &tencent(),
            "    - {name: A1, type: string, required: true}\n",
            &format!("    - {{name: A1, type: string, required: {spelling}}}\n"),
        );
        assert_malformed(&text, "name: A1", "");
    }
    // A merge key would copy fields in from elsewhere: not something the format has.
    let text = edit(
        &tencent(),
        "    - {name: A1, type: string, required: true}\n",
        "    - &a1 {name: A1, type: string, required: true}\n    - {<<: *a1, name: A0}\n",
    );
    assert_malformed(&text, "<<: *a1", "");
    // A second document after the spec.
    let text = format!("{}---\nservice: {{}}\n", tencent());
    assert_malformed(&text, "---", "");
}

#[test]
fn aliases_are_bounded_but_not_forbidden() {
    // One anchor, used a few times: the values are the anchored one.
    let text = edit(
        &tencent(),
        "  title: Demo Service\n",
        "  title: &title Demo Service\n",
    );
    let text = edit(&text, "    title: Demo\n", "    title: *title\n");
    let loaded = parse_spec(FILE, &text).unwrap();
    let partnergen_codegen::spec::Spec::Tencent(spec) = &loaded.spec else {
        panic!("not a Tencent spec");
    };
    assert_eq!(
        spec.service.sources[0].title.as_deref(),
        Some("Demo Service")
    );
    // Many aliases of one anchor: refused at a line, not expanded.
    let refs = vec!["*a"; 2_000].join(", ");
    let text = format!("x: &a [1, 2, 3]\ny: [{refs}]\n{}", tencent());
    assert_malformed(&text, "", "");
}

#[test]
fn alias_bombs_and_odd_documents_are_errors() {
    // Nine levels of nine aliases: 387,420,489 strings once expanded.
    let mut bomb = String::from("x0: &a0 [lol]\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        bomb.push_str(&format!("x{level}: &a{level} [{refs}]\n"));
    }
    let text = format!("{bomb}{}", tencent());
    let errors = load_and_emit(&text).unwrap_err();
    assert_eq!(
        errors.errors().next().unwrap().rule,
        "malformed-spec",
        "{errors}"
    );

    for text in [
        "",
        "---\n",
        "~\n",
        "[1, 2]\n",
        "service: 1\n",
        "\u{feff}",
        "--- a\n--- b\n",
    ] {
        let errors = load_and_emit(text).unwrap_err();
        let error = errors.errors().next().unwrap();
        assert_eq!(error.rule, "malformed-spec", "{text:?}: {error}");
    }
}
