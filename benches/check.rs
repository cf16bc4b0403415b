//! Throughput of `kube_secctx::check` over `../shared/corpus/real/bench-large.yaml`
//! (8.7 MB: the real corpus, about 800 documents, many of them large CRDs).
//!
//! Three benchmarks in one group, each with `Throughput::Bytes` so criterion prints the
//! rate:
//!
//! - `parse_check`: parse + check in the default profile (every rule), what the CLI does;
//! - `parse_only`: [`kube_secctx::yaml::parse_stream`] alone (tree + scalar resolution);
//! - `saphyr_events`: the bare `saphyr-parser` event loop over the same text, the peer;
//! - `fix_all`: every fix applied and verified ([`kube_secctx::fix::fix_text`]), printed
//!   as its cost against `parse_check` (goal: at most 2).
//!
//! After criterion's own report, a summary prints `parse+check: NN.N MB/s` (MB = 10^6
//! bytes, from criterion's mean) and the ratio against the bare event parser.
//!
//! Run with `make bench` or `cargo bench --bench check`. Under `cargo test --all-targets`
//! criterion runs each benchmark once as a smoke test and no figures are printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;

use common::{mean_ns, measuring, output_dir};
use criterion::{Criterion, SamplingMode, Throughput};

const GROUP: &str = "bench-large";
const IDS: [&str; 4] = ["parse_check", "parse_only", "saphyr_events", "fix_all"];

fn corpus_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real/bench-large.yaml")
}

fn load() -> String {
    let path = corpus_file();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the benchmark input {}: {e}\n\
             (the shared corpus must sit beside the repository, at ../shared/corpus/real)",
            path.display()
        )
    })
}

fn saphyr_events(text: &str) -> usize {
    let mut n = 0usize;
    for ev in saphyr_parser::Parser::new_from_str(text) {
        // Every event, errors included, is counted: the peer does the same reading.
        black_box(&ev);
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion, text: &str) {
    let opts = kube_secctx::Options::default();
    let limits = kube_secctx::Limits::default();
    let mut g = c.benchmark_group(GROUP);
    g.throughput(Throughput::Bytes(text.len() as u64));
    // Each iteration takes 0.1-0.3 s: few, equal-sized samples keep `make bench` short.
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(20);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(10));
    g.bench_function(IDS[0], |b| {
        b.iter(|| {
            let r = kube_secctx::check("bench-large.yaml", black_box(text), &opts);
            black_box(r.map(|r| r.findings.len()))
        })
    });
    g.bench_function(IDS[1], |b| {
        b.iter(|| {
            let s = kube_secctx::yaml::parse_stream(black_box(text), &limits);
            black_box(s.documents.len())
        })
    });
    g.bench_function(IDS[2], |b| b.iter(|| saphyr_events(black_box(text))));
    // Every fix, safe and unsafe, planned, written, verified (each fixed document parsed
    // and checked again) and applied: `kube-secctx check --fix --unsafe-fixes` without I/O.
    let all = kube_secctx::fix::FixSelection {
        unsafe_fixes: true,
        rules: None,
    };
    g.bench_function(IDS[3], |b| {
        b.iter(|| {
            let r =
                kube_secctx::fix::fix_text(&opts, "bench-large.yaml", black_box(text), &all, false);
            black_box(r.map(|r| r.applied.len()))
        })
    });
    g.finish();
}

fn summary(bytes: usize) {
    let dir = output_dir();
    let mb_s = |ns: f64| bytes as f64 / (ns / 1e9) / 1e6;
    let means: Vec<Option<f64>> = IDS.iter().map(|id| mean_ns(&dir, GROUP, id)).collect();
    println!();
    println!(
        "== bench-large.yaml: {:.1} MB ({bytes} bytes), {} cores ==",
        bytes as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let labels = [
        "parse+check",
        "parse only",
        "saphyr-parser events",
        "fix-all",
    ];
    for (label, mean) in labels.iter().zip(&means) {
        match mean {
            Some(ns) => println!("{label}: {:.1} MB/s  (mean {:.1} ms)", mb_s(*ns), ns / 1e6),
            None => println!("{label}: no estimate found under {}", dir.display()),
        }
    }
    if let (Some(check), Some(fix)) = (means[0], means[3]) {
        // The cost of fixing everything against a check of the same text (goal: <= 2).
        println!("fix-all / parse+check: {:.2} (goal <= 2.00)", fix / check);
    }
    if let (Some(check), Some(parse), Some(peer)) = (means[0], means[1], means[2]) {
        // Throughput ratio: ours / the bare event parser's (1.00 = as fast as the peer).
        println!("ratio vs saphyr-parser events: {:.2}", peer / check);
        println!(
            "parse-only ratio vs saphyr-parser events: {:.2}",
            peer / parse
        );
    }
}

fn main() {
    let text = load();
    {
        // A clean run first: the numbers mean nothing if the input does not parse.
        let r = kube_secctx::check("bench-large.yaml", &text, &Default::default())
            .expect("the default options are valid");
        assert!(
            r.errors.is_empty(),
            "bench-large.yaml has error entries: {:?}",
            r.errors.first()
        );
    }
    let mut c = common::criterion();
    bench(&mut c, &text);
    c.final_summary();
    if measuring() {
        summary(text.len());
    }
}
