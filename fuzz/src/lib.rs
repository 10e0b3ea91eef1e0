//! What the fuzz targets share: scratch files for the readers that take paths, the
//! repository's small fixtures as the fixed inputs beside the fuzzed one, and one
//! in-memory HTTP exchange with a mock server.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

/// The repository's own fixtures (tests/fixtures), compiled in so a target runs from any
/// directory.
pub mod fixtures {
    pub const TENCENT_CAM_MD: &str = include_str!("../../tests/fixtures/tencent/cam.md");
    pub const TENCENT_CAM_TXT: &str = include_str!("../../tests/fixtures/tencent/cam.txt");
    pub const TENCENT_CATEGORY_MD: &str = include_str!("../../tests/fixtures/tencent/category.md");
    pub const TENCENT_CATEGORY_TXT: &str =
        include_str!("../../tests/fixtures/tencent/category.txt");
    pub const TENCENT_DEFINITION: &str =
        include_str!("../../tests/fixtures/tencent/definition.json");
    pub const TENCENT_EXAMPLES: &str = include_str!("../../tests/fixtures/tencent/examples.json");
    pub const HUAWEI_PAGE: &str = include_str!("../../tests/fixtures/huawei/page.txt");
    pub const HUAWEI_SDK_OPERATIONS: &str =
        include_str!("../../tests/fixtures/huawei/sdk-operations.json");
}

/// This process's scratch directory (under `$TMPDIR`; `fuzz/run` points that at a
/// directory it removes afterwards).
fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("partnergen-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    })
}

/// Writes `bytes` to the scratch file `name` and returns its path.
pub fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("a scratch file");
    path
}

/// A fixture written once to the scratch directory under `name`.
pub fn fixture(name: &'static str, text: &'static str) -> PathBuf {
    let path = scratch_dir().join(format!("fixture-{name}"));
    if !path.exists() {
        std::fs::write(&path, text).expect("a fixture file");
    }
    path
}

/// Whether a page text is the markdown form (the importers' own rule: a table separator
/// line). The per-form targets skip inputs of the other form.
pub fn looks_markdown(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("|---") || l.trim_start().starts_with("| ---"))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    })
}

/// Whether to print each server answer (`PARTNERGEN_FUZZ_ECHO=1`, to check seeds).
fn echo() -> bool {
    static ECHO: OnceLock<bool> = OnceLock::new();
    *ECHO.get_or_init(|| std::env::var_os("PARTNERGEN_FUZZ_ECHO").is_some())
}

/// Sends `request` (raw HTTP/1.1 bytes) over an in-memory connection that `serve` serves,
/// closes the sending side, and returns every byte the server answered.
pub fn exchange<F>(serve: impl FnOnce(DuplexStream) -> F, request: &[u8]) -> Vec<u8>
where
    F: Future<Output = ()>,
{
    runtime().block_on(async {
        let (client, server) = tokio::io::duplex(256 << 10);
        let (mut from_server, mut to_server) = tokio::io::split(client);
        let send = async move {
            // The server may close first (a malformed head): that is an answer too.
            let _ = to_server.write_all(request).await;
            // The server reads, answers and writes in memory within a few polls; only
            // then is the end of input sent, since hyper drops a request in flight when
            // its client half-closes.
            for _ in 0..64 {
                tokio::task::yield_now().await;
            }
            let _ = to_server.shutdown().await;
        };
        let mut answer = Vec::new();
        let receive = from_server.read_to_end(&mut answer);
        let ((), (), _) = tokio::join!(serve(server), send, receive);
        if echo() {
            eprintln!("{}", String::from_utf8_lossy(&answer));
        }
        answer
    })
}

/// `text` without CR and LF, so a structured header value cannot change the framing (the
/// raw server targets cover framing).
pub fn one_line(text: &str) -> String {
    text.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// A raw HTTP/1.1 request: the request line, the headers in order, `Content-Length`,
/// the body.
pub fn http_request(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut raw = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// Runs an importer as `cargo xtask import --check` does (no spec there before, nothing
/// written), printing nothing; the diagnostics are rendered as the command would.
pub fn import_check(
    importer: impl FnOnce(
        Option<&partnergen_codegen::spec::Spec>,
    ) -> Result<
        partnergen_codegen::import::Imported,
        partnergen_codegen::diag::Diagnostics,
    >,
) {
    use partnergen_codegen::import::{import_into, Mode};
    let spec_path = scratch_dir().join("never-written.yaml");
    match import_into(&spec_path, Mode::Check, importer) {
        Ok(report) => {
            let _ = format!("{}{}", report.warnings, report.changelog);
        }
        Err(errors) => {
            assert!(errors.has_errors(), "an import failed without an error");
            let _ = errors.to_string();
        }
    }
    assert!(!spec_path.exists(), "--check wrote the spec");
}

/// The Tencent importer over the fixtures, with the pages given.
pub fn import_tencent_pages(cam_pages: Vec<PathBuf>, category_pages: Vec<PathBuf>) {
    import_tencent_with(
        cam_pages,
        category_pages,
        fixture("definition.json", fixtures::TENCENT_DEFINITION),
        fixture("examples.json", fixtures::TENCENT_EXAMPLES),
    );
}

/// The Tencent importer over these inputs.
pub fn import_tencent_with(
    cam_pages: Vec<PathBuf>,
    category_pages: Vec<PathBuf>,
    definition: PathBuf,
    examples: PathBuf,
) {
    use partnergen_codegen::import::tencent::{import_tencent, TencentInputs};
    let inputs = TencentInputs {
        cam_pages,
        category_pages,
        definition,
        examples,
    };
    import_check(|_| import_tencent(&inputs, None));
}
