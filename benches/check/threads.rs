//! Threads: 1 against every core, on one large file (the documents of one file across
//! cores) and on a directory (files across cores); goal: at least 1.6× with two threads.
//!
//! Whole processes run `check --threads 1` and `check --threads N` in turn. A CLI without
//! `--threads` is detected by one probe run and its rows say so instead. To see these
//! rows run before the flag exists, point `KUBE_SECCTX_BENCH_CLI` at a wrapper that drops
//! `--threads N` and calls the CLI (the speed-up is then about 1.0).
//!
//! In process, [`check_with_threads`] is where the library's threaded check is called.

use std::hint::black_box;
use std::path::Path;

use crate::process::{Cli, Run};
use crate::table::{meets, Row};
use crate::timing::{interleave, ratios, Case, Plan, Stats};

/// Speed-up goal of every core (two on this project's machines) against one thread.
pub const SPEEDUP_GOAL: f64 = 1.6;

/// One input of the thread figures: a label, its path on disk (a file or a directory)
/// and the same texts in memory, `(file name, text)`.
pub struct Target {
    /// For the table: what it is and its size.
    pub label: String,
    /// The file or directory the whole processes check.
    pub path: std::path::PathBuf,
    /// The same bytes, one entry per file, for the in-process figure.
    pub files: Vec<(String, String)>,
}

/// In-process parse + check (default profile, no fixes) of `files`, as `(file name,
/// text)`, on `threads` threads ([`kube_secctx::Checker::check_all_with`], what
/// `kube-secctx check --threads N` runs: the documents of one large file across cores
/// when `files` has one entry, the files across cores otherwise), with the report
/// identical whatever the count: returns the number of findings.
pub fn check_with_threads(
    files: &[(String, String)],
    opts: &kube_secctx::Options,
    threads: usize,
) -> Option<usize> {
    use kube_secctx::engine::{decode, Input, Parallel};
    let decoded: Vec<_> = files.iter().map(|(_, t)| decode(t.as_bytes())).collect();
    let inputs: Vec<Input<'_>> = files
        .iter()
        .zip(&decoded)
        .map(|((name, _), decoded)| Input {
            name,
            decoded,
            ignore: &[],
        })
        .collect();
    let mut checker = kube_secctx::Checker::new(opts).ok()?;
    let mut findings = 0;
    checker.check_all_with(&inputs, Parallel::threads(threads), &mut |_, batch| {
        findings += batch.findings.len();
    });
    Some(findings)
}

/// The two rows of a target that cannot be measured, with the reason.
pub fn missing(label: &str, cores: usize, why: &str) -> Vec<Row> {
    vec![
        Row::missing(
            format!("{cores} threads, {label}, whole process"),
            "--threads 1",
            why,
        ),
        Row::missing(
            format!("{cores} threads, {label}, in-process"),
            "1 thread",
            why,
        ),
    ]
}

/// The rows of `target`: whole processes (`runs` of each, interleaved) and in process
/// (`plan`), `cores` threads against 1.
pub fn rows(
    target: &Target,
    cli: &Cli,
    flag: &Result<(), String>,
    cores: usize,
    runs: usize,
    plan: Plan,
) -> Vec<Row> {
    let whole = format!("{cores} threads, {}, whole process", target.label);
    let inproc = format!("{cores} threads, {}, in-process", target.label);
    if cores < 2 {
        let why = "one core: nothing to compare";
        return vec![
            Row::missing(whole, "1 thread", why),
            Row::missing(inproc, "1 thread", why),
        ];
    }
    let mut out = Vec::new();
    out.push(match flag {
        Ok(()) => whole_process(whole, target, cli, cores, runs),
        Err(why) => Row::missing(
            whole,
            "--threads 1",
            &format!(
                "this CLI has no --threads yet: {}",
                why.trim_start_matches("error: ")
            ),
        ),
    });
    out.push(in_process(inproc, target, cores, plan));
    out
}

fn whole_process(figure: String, target: &Target, cli: &Cli, cores: usize, runs: usize) -> Row {
    crate::progress(format_args!(
        "  whole process, {}: --threads 1 and --threads {cores}, {runs} runs each, interleaved",
        target.label
    ));
    let n = cores.to_string();
    let (one, all) = (["--threads", "1"], ["--threads", n.as_str()]);
    let mut t1: Vec<Run> = Vec::new();
    let mut tn: Vec<Run> = Vec::new();
    for round in 0..runs.max(1) {
        let (first, second) = if round % 2 == 0 {
            (&one, &all)
        } else {
            (&all, &one)
        };
        let a = cli.check(first, &target.path);
        let b = cli.check(second, &target.path);
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(why), _) | (_, Err(why)) => return Row::missing(figure, "--threads 1", &why),
        };
        let (r1, rn) = if round % 2 == 0 { (a, b) } else { (b, a) };
        t1.push(r1);
        tn.push(rn);
    }
    let wall = |rs: &[Run]| rs.iter().map(|r| r.wall).collect::<Vec<f64>>();
    let (w1, wn) = (wall(&t1), wall(&tn));
    let speedup = Stats::of(&ratios(&w1, &wn));
    // CPU time / wall time of the threaded runs: how many cores were busy.
    let busy = Stats::of(
        &tn.iter()
            .filter_map(|r| r.cpu.map(|c| c / r.wall))
            .collect::<Vec<_>>(),
    );
    let busy = if tn.iter().any(|r| r.cpu.is_some()) {
        format!(", CPU/wall {:.2}", busy.median)
    } else {
        String::new()
    };
    Row {
        figure,
        value: format!("{:.2} s{busy}", Stats::of(&wn).median),
        peer: "--threads 1".to_owned(),
        peer_value: format!("{:.2} s", Stats::of(&w1).median),
        ratio: format!(
            "{:.2}× ({:.2}–{:.2})",
            speedup.median, speedup.min, speedup.max
        ),
        goal: format!("≥ {SPEEDUP_GOAL:.2}×"),
        met: Some(meets(speedup.median, SPEEDUP_GOAL, true)),
        note: None,
    }
}

fn in_process(figure: String, target: &Target, cores: usize, plan: Plan) -> Row {
    let opts = kube_secctx::Options::default();
    if check_with_threads(&target.files, &opts, 1).is_none() {
        return Row::missing(
            figure,
            "1 thread",
            "no in-process threaded API yet (threads::check_with_threads)",
        );
    }
    crate::progress(format_args!(
        "  in-process, {}: 1 and {cores} threads interleaved",
        target.label
    ));
    let files = target.files.as_slice();
    let mut cases = vec![
        Case::new("1 thread", || {
            check_with_threads(black_box(files), &opts, 1).unwrap_or(0)
        }),
        Case::new("all cores", || {
            check_with_threads(black_box(files), &opts, cores).unwrap_or(0)
        }),
    ];
    let samples = interleave(&mut cases, plan);
    let speedup = Stats::of(&ratios(samples.of(0), samples.of(1)));
    Row {
        figure,
        value: format!("{:.3} s", Stats::of(samples.of(1)).median),
        peer: "1 thread".to_owned(),
        peer_value: format!("{:.3} s", Stats::of(samples.of(0)).median),
        ratio: format!(
            "{:.2}× ({:.2}–{:.2})",
            speedup.median, speedup.min, speedup.max
        ),
        goal: format!("≥ {SPEEDUP_GOAL:.2}×"),
        met: Some(meets(speedup.median, SPEEDUP_GOAL, true)),
        note: None,
    }
}

/// The texts of the files directly in `dir`, sorted by name, as `(path, text)`.
pub fn read_dir_texts(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            std::fs::read_to_string(&p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}
