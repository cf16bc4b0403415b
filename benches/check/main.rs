//! `make bench`'s native engine figures, each beside its peer, in one run (issue 16):
//!
//! - **in process**, the same text in memory, the same build: parse + check
//!   (`kube_secctx::check`, default profile, no fixes) against the bare `saphyr-parser`
//!   event loop, on `../shared/corpus/real/bench-large.yaml` (goal ≥ 0.8) and on generated
//!   workloads, 1,000 and 10,000 (`benches/common/workloads.rs`, goal ≥ 0.6); our YAML
//!   layer alone against the same loop; every fix against the check on bench-large (goal:
//!   at most 2× its time). The cases of one input run in interleaved rounds
//!   (`timing.rs`); figures are medians with their spread over the rounds.
//! - **whole processes** beside them: the CLI's `check --format json --exit-zero` on the
//!   same bytes on disk, wall time, MB/s, and peak memory / input size (GNU time, goal
//!   ≤ 4×) (`whole.rs`).
//! - **threads**, 1 against every core, on one large file and on a directory of 40 files,
//!   whole processes and in process (`threads.rs`; goal ≥ 1.6× with two cores).
//!
//! It ends with one table (`figure | value | peer | peer value | ratio | goal | met`) and
//! the machine (cores, CPU model, load average).
//!
//! The generated files the whole processes read are written by `make bench` with the
//! `gen-workloads` example into `target/bench/gen/` (`w1000.yaml`, `w10000.yaml`,
//! `w10000-40/`); the bench checks that they hold the very text it measures in memory,
//! and says what to run when they are missing or stale.
//!
//! `cargo bench --bench check` measures (`--bench` on the command line). Under
//! `cargo test --all-targets` the same code runs once on small inputs as a smoke test
//! and prints one line.
//!
//! Environment: `KUBE_SECCTX_BENCH_CLI` (the CLI the whole processes run; default: the
//! `kube-secctx` cargo built beside this bench), `KUBE_SECCTX_BENCH_GEN` (the generated
//! files' directory), `KUBE_SECCTX_BENCH_ROUNDS` (in-process rounds per input, at least;
//! default 5), `KUBE_SECCTX_BENCH_RUNS` (whole-process runs of each figure; default 3).
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

#[path = "../common/workloads.rs"]
mod workloads;

mod inproc;
mod inputs;
mod machine;
mod process;
mod table;
mod threads;
mod timing;
mod whole;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use inputs::{manifest_dir, Input};
use timing::Plan;

/// How much to measure: a real run (`cargo bench`) or the smoke run of `cargo test`.
struct Config {
    measuring: bool,
    plan: Plan,
    runs: usize,
}

impl Config {
    fn new() -> Config {
        let measuring = std::env::args().any(|a| a == "--bench");
        let env = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or(default)
        };
        if measuring {
            let min = env("KUBE_SECCTX_BENCH_ROUNDS", 5);
            Config {
                measuring,
                plan: Plan {
                    min,
                    max: min.max(25),
                    budget: Duration::from_secs(5),
                    warm_up: true,
                },
                runs: env("KUBE_SECCTX_BENCH_RUNS", 3),
            }
        } else {
            Config {
                measuring,
                plan: Plan {
                    min: 1,
                    max: 1,
                    budget: Duration::ZERO,
                    warm_up: false,
                },
                runs: 1,
            }
        }
    }
}

/// Whether progress messages are printed (a real run; the smoke run is quiet).
static VERBOSE: AtomicBool = AtomicBool::new(false);

/// A progress message on stderr, in a real run only.
pub fn progress(msg: std::fmt::Arguments<'_>) {
    if VERBOSE.load(Ordering::Relaxed) {
        eprintln!("{msg}");
    }
}

fn main() {
    let cfg = Config::new();
    VERBOSE.store(cfg.measuring, Ordering::Relaxed);
    let load_start = machine::load_average();
    let cores = machine::cores();
    let cli = process::Cli::locate();
    let tmp = tempfile::tempdir().unwrap();
    let gen = std::env::var_os("KUBE_SECCTX_BENCH_GEN")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target/bench/gen"));
    let (inputs, targets) = if cfg.measuring {
        progress(format_args!(
            "kube-secctx check bench: measuring (the summary table follows at the end)"
        ));
        inputs::real_inputs(&gen)
    } else {
        inputs::smoke_inputs(tmp.path())
    };
    for input in &inputs {
        // A clean run first: the numbers mean nothing if the input does not parse.
        let r = kube_secctx::check(input.name, &input.text, &Default::default()).unwrap();
        assert!(
            r.errors.is_empty(),
            "{} has error entries: {:?}",
            input.label,
            r.errors.first()
        );
    }
    let mut rows = Vec::new();
    for input in &inputs {
        let (mut r, events) = inproc::rows(input, cfg.plan);
        rows.append(&mut r);
        rows.extend(whole::rows(input, &cli, cfg.runs, &events));
    }
    let probe = tmp.path().join("probe.yaml");
    std::fs::write(&probe, workloads::generate(1)).unwrap();
    let flag = cli.threads_flag(&probe);
    for target in &targets {
        match target {
            Ok(t) => rows.extend(threads::rows(t, &cli, &flag, cores, cfg.runs, cfg.plan)),
            Err((label, why)) => rows.extend(threads::missing(label, cores, why)),
        }
    }
    let table = table::render(&rows);
    if !cfg.measuring {
        println!(
            "check bench: smoke run, {} rows (cargo bench --bench check measures)",
            rows.len()
        );
        return;
    }
    println!();
    println!("== kube-secctx: the native engine beside its peers (one run) ==");
    println!(
        "machine: {cores} cores, {}; load average {load_start} at the start, {} at the end",
        machine::cpu_model(),
        machine::load_average()
    );
    println!(
        "in process: this bench (cargo bench: release profile, LTO, the CLI's allocator: mimalloc), the same text in memory; \
         each input's cases in interleaved rounds ({}..{} rounds, {} s); value = median \
         (min–max over the rounds); ratio = median (min–max) of the round-by-round ratios",
        cfg.plan.min,
        cfg.plan.max,
        cfg.plan.budget.as_secs()
    );
    println!(
        "whole process: {} ({}), `check --format json --exit-zero FILE > /dev/null` (its default options otherwise), {} runs \
         (threads: interleaved), median wall time; peak = largest resident memory (GNU time %M)",
        cli.path.display(),
        cli.origin,
        cfg.runs
    );
    println!("MB = 10^6 bytes, MiB = 2^20 bytes; met: the goal is reached");
    println!();
    print!("{table}");
}
