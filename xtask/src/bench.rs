//! `cargo xtask bench`: figures, not tests. Nothing here asserts a time.
//!
//! - `codegen`: specs to files, for the real specs and for synthetic specs of 1,000 and
//!   10,000 actions (each with a request and a response type), best of several runs.
//! - `build`: the clean build time of each generated crate, with default features and
//!   with all features, each in a fresh target directory.
//!
//! `client`, `mock-server` and `policy` need the generated crates: they live in the bench
//! package (`bench/`), which `cargo xtask bench` runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use partnergen_codegen::emit::{crate_name, emit};
use partnergen_codegen::generate::plan;
use partnergen_codegen::spec::{
    CamClass, CamFacts, CategoryTable, FieldDef, Granularity, Primitive, Protocol, ProtocolFamily,
    Provider, ServiceInfo, Signing, Spec, Support, TencentAction, TencentSpec, TypeDef, TypeRef,
};
use partnergen_codegen::specfile::{discover_specs, load_spec};

/// Best wall time of `runs` runs of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

pub fn codegen(root: &Path) -> Result<()> {
    let real = best_of(5, || {
        plan(root).expect("the committed specs load");
    });
    let (files, _) = plan(root).map_err(|d| anyhow::anyhow!("{d}"))?;
    let lines: usize = files.values().map(|f| f.lines().count()).sum();
    crate::outln!(
        "real specs (load, validate, emit): {real:>10.2?}  ({} files, {lines} lines)",
        files.len()
    )?;

    // Emitting alone, per real spec, to separate YAML parsing from code generation.
    for path in discover_specs(&root.join("spec"))? {
        let spec = load_spec(&path).map_err(|d| anyhow::anyhow!("{d}"))?.spec;
        let emit_only = best_of(5, || {
            emit("spec", &spec);
        });
        crate::outln!("  emit {:<36} {emit_only:>10.2?}", crate_name(&spec))?;
    }

    let mut per_action = Vec::new();
    for n in [1_000usize, 10_000] {
        let spec = synthetic(n);
        let time = best_of(3, || {
            emit("synthetic", &spec);
        });
        per_action.push(time.as_secs_f64() / n as f64);
        crate::outln!(
            "synthetic {n:>6} actions (emit):  {time:>10.2?}  ({:.1} µs per action)",
            time.as_secs_f64() * 1e6 / n as f64
        )?;
    }
    crate::outln!(
        "growth: per-action cost at 10,000 is {:.2}x that at 1,000 (1.00 = linear)",
        per_action[1] / per_action[0]
    )?;
    Ok(())
}

/// A spec of `n` API actions, each with a request of three fields and a response of
/// three fields plus a list of a shared item type.
fn synthetic(n: usize) -> Spec {
    let field = |name: &str, ty: TypeRef, required: bool| FieldDef {
        name: name.into(),
        rust_name: None,
        ty,
        required,
        nullable: false,
        disabled: false,
        example: Some("1".into()),
        doc: Some(format!("The {name} field.")),
    };
    let mut types = BTreeMap::new();
    types.insert(
        "Item".to_owned(),
        TypeDef {
            doc: Some("A shared item.".into()),
            fields: vec![field("Id", TypeRef::Primitive(Primitive::Uint64), true)],
        },
    );
    let mut actions = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("QueryThing{i:05}");
        let (request, response) = (format!("{name}Request"), format!("{name}Response"));
        types.insert(
            request.clone(),
            TypeDef {
                doc: None,
                fields: vec![
                    field("Uin", TypeRef::Primitive(Primitive::Uint64), true),
                    field("Name", TypeRef::Primitive(Primitive::String), false),
                    field("Limit", TypeRef::Primitive(Primitive::Int64), false),
                ],
            },
        );
        types.insert(
            response.clone(),
            TypeDef {
                doc: None,
                fields: vec![
                    field("Total", TypeRef::Primitive(Primitive::Int64), true),
                    field("Amount", TypeRef::Primitive(Primitive::Float), false),
                    field(
                        "Items",
                        TypeRef::List(Box::new(TypeRef::Named("Item".into()))),
                        false,
                    ),
                    field("RequestId", TypeRef::Primitive(Primitive::String), false),
                ],
            },
        );
        actions.push(TencentAction {
            name,
            rust_name: None,
            title: format!("Queries thing {i}"),
            category: Some("Things".into()),
            cam_class: Some(if i % 2 == 0 {
                CamClass::Read
            } else {
                CamClass::Write
            }),
            granularity: Some(Granularity::Operation),
            resource: Some("*".into()),
            ip_restriction: Some(i % 7 != 0),
            qps: (i % 3 == 0).then_some(5),
            in_api_definition: true,
            request: Some(request),
            response: Some(response),
            examples: Vec::new(),
            broken_examples: Vec::new(),
            conflicts: Vec::new(),
            pagination: None,
            pinned: Vec::new(),
        });
    }
    Spec::Tencent(TencentSpec {
        service: ServiceInfo {
            provider: Provider::Tencentcloud,
            name: "synthetic".into(),
            title: "Synthetic".into(),
            api_version: "2020-01-01".into(),
            endpoint: "synthetic.example.com".into(),
            protocol: Protocol {
                family: ProtocolFamily::TencentApi3,
                signing: Signing::Tc3HmacSha256,
            },
            default_qps: None,
            sources: Vec::new(),
        },
        cam: CamFacts {
            abbreviation: "synthetic".into(),
            console: Support::Supported,
            authorization_by_tag: Support::NotSupported,
            granularity: Granularity::Operation,
            ip_restriction: Support::Partial,
        },
        category_tables: vec![CategoryTable {
            heading: Some("Things".into()),
            decision: None,
        }],
        actions,
        error_codes: Vec::new(),
        types,
    })
}

/// Clean builds of each generated crate, default features and all features, each in a
/// fresh target directory (dependencies come from the local registry cache).
pub fn build(root: &Path) -> Result<()> {
    let (files, _) = plan(root).map_err(|d| anyhow::anyhow!("{d}"))?;
    let crates: std::collections::BTreeSet<String> = files
        .keys()
        .filter_map(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for krate in crates {
        for (label, args) in [
            ("default features", &[][..]),
            ("all features", &["--all-features"][..]),
        ] {
            let target = tempfile_dir(root, &krate)?;
            let start = Instant::now();
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "--offline", "-p", &krate])
                .args(args)
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(root)
                .status()
                .context("cannot run cargo")?;
            let time = start.elapsed();
            let _ = std::fs::remove_dir_all(&target);
            if !status.success() {
                bail!("cargo build -p {krate} {} failed", args.join(" "));
            }
            crate::outln!("clean build {krate:<32} {label:<17} {time:>8.1?}")?;
        }
    }
    Ok(())
}

fn tempfile_dir(root: &Path, krate: &str) -> Result<std::path::PathBuf> {
    let dir = root
        .join("target")
        .join(format!("bench-build-{krate}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
