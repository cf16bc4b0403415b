//! The native figures for the Node benchmark (`make bench-wasm`): throughput of
//! [`kube_secctx::check`] in the default profile (every rule), as the JS API's `check` runs
//! it, on each file named on the command line (default:
//! `../shared/corpus/real/bench-large.yaml`), one after the other in this process.
//!
//! ```text
//! cargo bench --bench native-throughput -- FILE...
//! ```
//!
//! Prints one JSON line: `{"files": [{"path": P, "bytes": N, "findings": N, "runs": N,
//! "seconds": S, "mbPerS": X, "bestMbPerS": Y}, ...]}` (MB = 10^6 bytes; `seconds` and
//! `mbPerS` from the median run, `bestMbPerS` from the fastest; `findings` counted once, to
//! compare with the Node figure). `benches/node/bench.mjs` runs it through `cargo bench
//! --bench native-throughput` and prints each figure beside the Node one. Under `cargo test
//! --all-targets` (no `--bench` argument) it checks each file once and prints nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// The allocator the `kube-secctx` binary ships with, so that the figures are the CLI's
/// (the peers measured in this process run under it too).
#[global_allocator]
static ALLOCATOR: kube_secctx::cli::Allocator = kube_secctx::cli::Allocator;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Timed runs per file: at least this many...
const MIN_RUNS: usize = 5;
/// ... and for at least this long.
const MIN_TIME: Duration = Duration::from_secs(4);

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let mut files: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        files.push(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real/bench-large.yaml"),
        );
    }
    let opts = kube_secctx::Options::default();
    let mut out = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let once = kube_secctx::check(&name, &text, &opts).expect("default options are valid");
        assert!(once.errors.is_empty(), "{} has errors", path.display());
        if !bench {
            continue;
        }
        let findings = once.findings.len();
        drop(once);
        // Warm up, then time single runs.
        let _ = black_box(kube_secctx::check(&name, black_box(&text), &opts));
        let mut times = Vec::new();
        let start = Instant::now();
        while times.len() < MIN_RUNS || start.elapsed() < MIN_TIME {
            let t = Instant::now();
            let _ = black_box(kube_secctx::check(&name, black_box(&text), &opts));
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let best = times[0];
        out.push(format!(
            "{{\"path\": {}, \"bytes\": {}, \"findings\": {findings}, \"runs\": {}, \
             \"seconds\": {median:.6}, \"mbPerS\": {:.2}, \"bestMbPerS\": {:.2}}}",
            serde_json::to_string(&path.display().to_string()).unwrap(),
            text.len(),
            times.len(),
            text.len() as f64 / median / 1e6,
            text.len() as f64 / best / 1e6
        ));
    }
    if bench {
        println!("{{\"files\": [{}]}}", out.join(", "));
    }
}
