//! The native figure for the Node benchmark (`make bench-wasm`): throughput of
//! [`kube_secctx::check`] over `../shared/corpus/real/bench-large.yaml` in the default
//! profile (every rule), as the JS API's `check` runs it.
//!
//! Prints one JSON line: `{"bytes": N, "runs": N, "seconds": S, "mbPerS": X,
//! "bestMbPerS": Y}` (MB = 10^6 bytes; `seconds` and `mbPerS` from the median run,
//! `bestMbPerS` from the fastest). `benches/node/bench.mjs` runs it through
//! `cargo bench --bench native-throughput` and prints the figure beside the Node one.
//! Under `cargo test --all-targets` (no `--bench` argument) it checks the file once and
//! prints nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real/bench-large.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let opts = kube_secctx::Options::default();
    let once =
        kube_secctx::check("bench-large.yaml", &text, &opts).expect("default options are valid");
    assert!(once.errors.is_empty(), "the benchmark input has errors");
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // Warm up, then time single runs for at least 5 s (and at least 10 runs).
    for _ in 0..3 {
        let _ = black_box(kube_secctx::check(
            "bench-large.yaml",
            black_box(&text),
            &opts,
        ));
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 10 || start.elapsed() < Duration::from_secs(5) {
        let t = Instant::now();
        let _ = black_box(kube_secctx::check(
            "bench-large.yaml",
            black_box(&text),
            &opts,
        ));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let best = times[0];
    println!(
        "{{\"bytes\": {}, \"runs\": {}, \"seconds\": {median:.6}, \"mbPerS\": {:.2}, \"bestMbPerS\": {:.2}}}",
        text.len(),
        times.len(),
        text.len() as f64 / median / 1e6,
        text.len() as f64 / best / 1e6
    );
}
