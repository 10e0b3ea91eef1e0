//! `cargo xtask bench`: figures, not tests. Nothing here asserts a time.
//!
//! - `codegen`: specs to files, for the real specs and for synthetic specs of 1,000 and
//!   10,000 actions (each with a request and a response type), best of several runs.
//! - `build`: the clean build time of each generated crate, with default features and
//!   with all features, each in a fresh target directory.
//! - `client`: building, serializing and signing one request; and the achieved over the
//!   allowed rate of a concurrent burst against a local server.
//! - `mock-server`: signed requests per second the mock server answers on loopback, and
//!   the official Python SDK's calls per second against it.

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

/// Request build + serialize + sign, and achieved QPS of a burst against 127.0.0.1.
pub fn client() -> Result<()> {
    use tencentcloud_intlpartnersmgt::{models, Action, Client, Credentials};

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(
                r#"{"Response":{"TotalCredit":1,"RemainingCredit":1,"IssuedCredit":0,"RequestId":"r"}}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        let build = |limit: Option<u32>| -> Result<Client> {
            Client::builder()
                .credentials(Credentials::new("AKIDbench", "bench-key"))
                .endpoint(server.uri())
                .rate_limit(Action::QueryPartnerCredit, limit)
                .build()
                .map_err(|e| anyhow::anyhow!("{e}"))
        };

        // Build, serialize and sign, without sending.
        let client = build(None)?;
        let iterations = 200_000u32;
        let start = Instant::now();
        for i in 0..iterations {
            let request = models::AllocateCreditPoolRequest::new(200_000_000_000 + i64::from(i), 1234.5);
            let body = serde_json::to_vec(&request).expect("serializes");
            let signed = client.engine().signed_request("AllocateCreditPool", body, 1_700_000_000 + i64::from(i));
            std::hint::black_box(signed);
        }
        let per_request = start.elapsed() / iterations;
        crate::outln!("build + serialize + sign one request: {per_request:?} (mean of {iterations})")?;

        // A concurrent burst at an allowed rate: the starts the server saw per second.
        for (limit, calls) in [(5u32, 26usize), (20, 101), (100, 501)] {
            let client = build(Some(limit))?;
            let before = server.received_requests().await.map_or(0, |r| r.len());
            let start = Instant::now();
            let tasks: Vec<_> = (0..calls)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move { client.query_partner_credit(&models::QueryPartnerCreditRequest::new()).await })
                })
                .collect();
            for task in tasks {
                task.await?.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            let elapsed = start.elapsed();
            let seen = server.received_requests().await.map_or(0, |r| r.len()) - before;
            // n starts at r per second need (n - 1) / r seconds at best.
            let achieved = (calls - 1) as f64 / elapsed.as_secs_f64();
            crate::outln!(
                "burst of {calls} at {limit}/s: {elapsed:.2?}, achieved {achieved:.2}/s, achieved/allowed {:.3} ({seen} requests seen)",
                achieved / f64::from(limit)
            )?;
        }
        Ok(())
    })
}

/// Signed requests per second the mock server answers on loopback, with the load
/// generator on the same two cores; and, for scale, the official Python SDK's own calls
/// per second against it.
pub fn mock_server(root: &Path) -> Result<()> {
    use tencentcloud_intlpartnersmgt::mock::{self, Checks};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Signature, clock skew, policies and parameters are checked on every request; the
    // QPS check is off, since the point is how many requests the server can take.
    let server = mock::server()
        .checks(Checks {
            qps: false,
            ..Checks::default()
        })
        .start_blocking()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = mock::server_client(&server);
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let signed = client.engine().signed_request(
        "QueryCreditAllocationHistory",
        br#"{"ClientUin": 200000000001, "Page": 1}"#.to_vec(),
        timestamp,
    );
    let mut request = String::from("POST / HTTP/1.1\r\n");
    for (name, value) in &signed.headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", signed.body.len()));
    let mut request = request.into_bytes();
    request.extend_from_slice(&signed.body);
    let request = std::sync::Arc::new(request);

    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let addr = server.addr();
    for (connections, seconds) in [(16usize, 3u64), (64, 3)] {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let answered = load.block_on(async {
            let tasks: Vec<_> = (0..connections)
                .map(|_| {
                    let request = std::sync::Arc::clone(&request);
                    tokio::spawn(async move {
                        let mut stream = tokio::net::TcpStream::connect(addr).await?;
                        stream.set_nodelay(true)?;
                        let mut buffer = Vec::with_capacity(4096);
                        let mut answered = 0u64;
                        while Instant::now() < deadline {
                            stream.write_all(&request).await?;
                            let body = read_response(&mut stream, &mut buffer).await?;
                            if body.windows(7).any(|w| w == b"\"Error\"") {
                                // Every request is the same: one error means all fail.
                                bail!("the server refused: {}", String::from_utf8_lossy(&body));
                            }
                            answered += 1;
                        }
                        anyhow::Ok(answered)
                    })
                })
                .collect();
            let mut total = 0u64;
            for task in tasks {
                total += task.await??;
            }
            anyhow::Ok(total)
        })?;
        crate::outln!(
            "mock server, {connections} keep-alive connections for {seconds} s: {:.0} signed requests/s answered",
            answered as f64 / seconds as f64
        )?;
    }

    /// Reads one response (head and Content-Length body) from a keep-alive connection.
    async fn read_response(
        stream: &mut tokio::net::TcpStream,
        buffer: &mut Vec<u8>,
    ) -> Result<Vec<u8>> {
        loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buffer[..end])?.to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .context("a response without Content-Length")?
                    .trim()
                    .parse()?;
                if buffer.len() >= end + 4 + length {
                    let body = buffer[end + 4..end + 4 + length].to_vec();
                    buffer.drain(..end + 4 + length);
                    return Ok(body);
                }
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("the server closed the connection");
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
    }

    // The official SDK, one client calling in a loop, for scale.
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let script = root.join("tests/interop/tencent_sdk.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("--rate")
        .arg(server.url())
        .arg("500")
        .env("TENCENTCLOUD_SECRET_ID", mock::SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", mock::SECRET_KEY)
        .output();
    match output {
        Ok(output) if output.status.success() => {
            crate::output::text(&format!(
                "official Python SDK against it: {}",
                String::from_utf8_lossy(&output.stdout)
            ))?;
        }
        Ok(output) => crate::outln!(
            "official Python SDK: not measured ({})",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("failed")
        )?,
        Err(err) => crate::outln!("official Python SDK: not measured ({python}: {err})")?,
    }
    Ok(())
}
