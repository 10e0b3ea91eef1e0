//! Reading, writing and finding spec files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::spec::{Provider, Spec};
use crate::validate::validate;

/// The first line of every spec file the importers write.
pub const HEADER: &str = "# Imported by `cargo xtask import`; see README.md. Fields named under `pinned` are hand-set and kept by re-imports.\n";

/// A spec that parsed and validated, with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The spec.
    pub spec: Spec,
    /// Validation warnings (no errors: a spec with errors does not load).
    pub warnings: Diagnostics,
}

/// Parses and validates spec text; `file` is used in diagnostics only.
///
/// Before serde reads the text into the spec types, [`check_yaml_shape`] bounds its
/// nesting and rejects duplicate keys, which serde would otherwise resolve silently (the
/// last of two `types` entries of one name wins).
pub fn parse_spec(file: &str, text: &str) -> Result<LoadedSpec, Diagnostics> {
    #[derive(Deserialize)]
    struct Probe {
        service: ProbeService,
    }
    #[derive(Deserialize)]
    struct ProbeService {
        provider: Provider,
    }

    let yaml_error = |err: serde_yaml::Error| {
        let line = err.location().map(|l| l.line());
        Diagnostic::error(file, "malformed-spec", err.to_string()).at(line)
    };
    check_yaml_shape(file, text)?;
    let probe: Probe = serde_yaml::from_str(text).map_err(yaml_error)?;
    let spec = match probe.service.provider {
        Provider::Tencentcloud => Spec::Tencent(serde_yaml::from_str(text).map_err(yaml_error)?),
        Provider::Huaweicloud => Spec::Huawei(serde_yaml::from_str(text).map_err(yaml_error)?),
    };
    let diagnostics = validate(file, text, &spec);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(LoadedSpec {
        spec,
        warnings: diagnostics,
    })
}

/// The deepest flow nesting (`[`, `{`) a spec may have. Canonical specs have 1 (a field
/// written as `{name: .., type: ..}`); the bound keeps the YAML parser, whose work grows
/// with the square of the depth, fast on hostile input.
const MAX_FLOW_DEPTH: usize = 32;

/// The widest indentation (spaces and `- ` indicators before a line's content) a spec may
/// have, for the same reason. Canonical specs indent 6 columns, and the JSON of their
/// examples (block scalars, whose brackets count as flow nesting here too) about 30.
const MAX_INDENT: usize = 128;

/// Checks what serde cannot see: the text's nesting is bounded (a lexical scan, before
/// the parser runs), and no mapping has a key twice (a walk over the parsed document with
/// serde_yaml itself, so both checks read the YAML exactly as the spec types will).
pub fn check_yaml_shape(file: &str, text: &str) -> Result<(), Diagnostic> {
    if let Some((line, what)) = too_deep(text) {
        return Err(Diagnostic::error(file, "malformed-spec", what).at(line));
    }
    serde_yaml::from_str::<unique_keys::Node>(text)
        .map(drop)
        .map_err(|err| {
            let line = err.location().map(|l| l.line());
            Diagnostic::error(file, "malformed-spec", err.to_string()).at(line)
        })
}

/// The first line (1-based) that nests deeper than the bounds, and what is wrong. Quoted
/// scalars and comments are skipped; brackets inside plain and block scalars are counted,
/// and a quote ends at the end of its line (canonical specs never continue one), both of
/// which err on the side of refusing: a stray quote cannot hide what follows.
fn too_deep(text: &str) -> Option<(usize, String)> {
    let mut flow_depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let mut quote: Option<char> = None;
        if flow_depth == 0 {
            let indent = line.len() - line.trim_start_matches([' ', '-', '?', ':']).len();
            if indent > MAX_INDENT {
                return Some((
                    number,
                    format!("the YAML nests deeper than {MAX_INDENT} columns of indentation"),
                ));
            }
        }
        let mut chars = line.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            match quote {
                Some('\'') if c == '\'' => {
                    // `''` is an escaped quote inside a single-quoted scalar.
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous == ' ' || previous == '\t' => break,
                    '\'' | '"' if matches!(previous, ' ' | '\t' | '[' | '{' | ',' | ':') => {
                        quote = Some(c)
                    }
                    '[' | '{' => {
                        flow_depth += 1;
                        if flow_depth > MAX_FLOW_DEPTH {
                            return Some((
                                number,
                                format!("the YAML nests more than {MAX_FLOW_DEPTH} flow collections (`[`, `{{`) deep"),
                            ));
                        }
                    }
                    ']' | '}' => flow_depth = flow_depth.saturating_sub(1),
                    _ => {}
                },
            }
            previous = c;
        }
    }
    None
}

/// A walk over any YAML document that fails on the first mapping key seen twice in one
/// mapping. The error is raised while the key itself is read, so serde_yaml reports the
/// duplicate key's own line.
mod unique_keys {
    use std::collections::HashSet;
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;

    pub(super) struct Node;

    impl<'de> Deserialize<'de> for Node {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(NodeVisitor)
        }
    }

    struct NodeVisitor;

    impl<'de> Visitor<'de> for NodeVisitor {
        type Value = Node;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any YAML value")
        }

        fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_str<E>(self, _: &str) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_unit<E>(self) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_none<E>(self) -> Result<Node, E> {
            Ok(Node)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
            Node::deserialize(d)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
            Node::deserialize(d)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
            // A tagged value (`!tag x`): walk the value.
            let (Node, variant) = data.variant::<Node>()?;
            de::VariantAccess::newtype_variant::<Node>(variant)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
            while seq.next_element::<Node>()?.is_some() {}
            Ok(Node)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
            let mut seen = HashSet::new();
            while map.next_key_seed(Key { seen: &mut seen })?.is_some() {
                map.next_value::<Node>()?;
            }
            Ok(Node)
        }
    }

    /// Reads one key of a mapping and fails if `seen` has it. The check runs inside the
    /// visitor, so serde_yaml marks the error with the key's own position.
    struct Key<'s> {
        seen: &'s mut HashSet<String>,
    }

    impl<'de> DeserializeSeed<'de> for Key<'_> {
        type Value = ();

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_any(KeyVisitor { seen: self.seen })
        }
    }

    /// A key as comparable text, tagged with its kind (`1` and `'1'` are different keys).
    /// Keys that are collections are not compared (no spec type has one).
    struct KeyVisitor<'s> {
        seen: &'s mut HashSet<String>,
    }

    impl KeyVisitor<'_> {
        fn check<E: de::Error>(self, kind: &str, key: String) -> Result<(), E> {
            if self.seen.insert(format!("{kind}:{key}")) {
                Ok(())
            } else {
                Err(E::custom(format_args!("duplicate key `{key}`")))
            }
        }
    }

    impl<'de> Visitor<'de> for KeyVisitor<'_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping key")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
            self.check("bool", v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
            self.check("int", v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
            self.check("int", v.to_string())
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<(), E> {
            self.check("int", v.to_string())
        }
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<(), E> {
            self.check("int", v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
            self.check("float", v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
            self.check("str", v.to_owned())
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            self.check("null", "~".to_owned())
        }
        fn visit_none<E: de::Error>(self) -> Result<(), E> {
            self.check("null", "~".to_owned())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
            NodeVisitor.visit_enum(data).map(drop)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
            NodeVisitor.visit_seq(seq).map(drop)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
            NodeVisitor.visit_map(map).map(drop)
        }
    }
}

/// Reads, parses and validates a spec file.
pub fn load_spec(path: &Path) -> Result<LoadedSpec, Diagnostics> {
    let file = path.display().to_string();
    let text = fs::read_to_string(path)
        .map_err(|err| Diagnostic::error(&file, "unreadable", format!("cannot read: {err}")))?;
    parse_spec(&file, &text)
}

/// The canonical text of a spec: the header line, then the YAML.
pub fn to_yaml(spec: &Spec) -> String {
    let body = match spec {
        Spec::Tencent(spec) => serde_yaml::to_string(spec),
        Spec::Huawei(spec) => serde_yaml::to_string(spec),
    }
    .expect("spec types serialise to YAML");
    format!("{HEADER}{body}")
}

/// Where a service's spec lives under the spec directory.
pub fn spec_path(spec_dir: &Path, provider: Provider, service: &str) -> PathBuf {
    spec_dir
        .join(provider.as_str())
        .join(format!("{service}.yaml"))
}

/// Every `*.yaml` file one level below `spec_dir` (`spec/<provider>/<service>.yaml`),
/// sorted so that every command visits specs in the same order.
pub fn discover_specs(spec_dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for provider in fs::read_dir(spec_dir)? {
        let provider = provider?.path();
        if !provider.is_dir() {
            continue;
        }
        for entry in fs::read_dir(&provider)? {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes a file so that readers see either the old or the new contents, never half of
/// one: the text goes to a temporary file beside it (same directory, so same filesystem),
/// flushed to disk, which is then renamed over it. On any failure the temporary file is
/// removed (tempfile deletes it when dropped) and the old file is untouched; every error
/// names the path it happened at.
pub fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;

    let named = |doing: &str, at: &Path, err: io::Error| {
        io::Error::new(
            err.kind(),
            format!("cannot {doing} {}: {err}", at.display()),
        )
    };
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no file name", path.display()),
        )
    })?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(|err| named("create", parent, err))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What `fs::write` gives a new file under the usual umask, not tempfile's 0600.
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(parent)
        .map_err(|err| named("create a temporary file in", parent, err))?;
    let tmp_path = tmp.path().to_path_buf();
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|err| named("write", &tmp_path, err))?;
    tmp.persist(path).map_err(|err| {
        // Dropping the returned file removes it.
        named(
            &format!("rename {} to", tmp_path.display()),
            path,
            err.error,
        )
    })?;
    Ok(())
}
