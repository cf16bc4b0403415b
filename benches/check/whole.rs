//! Whole-process figures beside the in-process ones: the CLI's `check --format json
//! --exit-zero --threads 1` (one thread, as the in-process figure; the thread rows
//! compare all cores) on the same bytes written to disk (output to /dev/null), its wall time and
//! rate, and its peak memory divided by the input's size (goal: at most 4×).

use std::path::Path;

use crate::inproc::fmt_rate;
use crate::process::{Cli, Run};
use crate::table::{meets, Row};
use crate::timing::{mb_s, Stats};
use crate::Input;

/// Peak memory goal: at most this many times the input's size.
pub const PEAK_GOAL: f64 = 4.0;

/// The rows of `runs` whole processes over `input`'s file: the rate beside the
/// in-process event loop's (`events`: its seconds per round, from the same run), and the
/// peak memory beside the input size.
pub fn rows(input: &Input, cli: &Cli, runs: usize, events: &[f64]) -> Vec<Row> {
    let figure = format!(
        "CLI check --format json --threads 1, {}, whole process",
        input.label
    );
    let memory = format!("peak memory, {}, whole process", input.label);
    let path = match &input.disk {
        Ok(p) => p,
        Err(why) => {
            return vec![
                Row::missing(figure, "event loop, in-process", why),
                Row::missing(memory, "input size", why),
            ]
        }
    };
    crate::progress(format_args!(
        "  whole process, {}: {runs} runs",
        input.label
    ));
    match cli.repeat(&["--threads", "1"], path, runs) {
        Ok(measured) => {
            let bytes = input.text.len();
            let events = Stats::of(events).inverted(|s| mb_s(bytes, s));
            vec![
                rate_row(figure, &measured, bytes, events),
                peak_row(memory, &measured, bytes, cli),
            ]
        }
        Err(why) => vec![
            Row::missing(figure, "event loop, in-process", &why),
            Row::missing(memory, "input size", &why),
        ],
    }
}

fn rate_row(figure: String, runs: &[Run], bytes: usize, events: Stats) -> Row {
    let walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
    let wall = Stats::of(&walls);
    let rate = wall.inverted(|s| mb_s(bytes, s));
    // CPU time beside the wall time: on a busy machine a process waits for a core.
    let cpus: Vec<f64> = runs.iter().filter_map(|r| r.cpu).collect();
    let cpu = if cpus.is_empty() {
        String::new()
    } else {
        format!(", CPU {:.2} s", Stats::of(&cpus).median)
    };
    Row {
        figure,
        value: format!("{:.2} s{cpu}, {}", wall.median, fmt_rate(rate)),
        peer: "event loop, in-process".to_owned(),
        peer_value: format!("{:.1} MB/s", events.median),
        ratio: format!("{:.2}", rate.median / events.median.max(f64::MIN_POSITIVE)),
        goal: "-".to_owned(),
        met: None,
        note: None,
    }
}

/// The largest peak of the runs against the input's size.
fn peak_row(figure: String, runs: &[Run], bytes: usize, cli: &Cli) -> Row {
    let peer_value = format!("{:.1} MB", bytes as f64 / 1e6);
    match runs.iter().filter_map(|r| r.peak).max() {
        Some(peak) => {
            let x = peak as f64 / bytes.max(1) as f64;
            Row {
                figure,
                value: format!("{:.0} MiB", peak as f64 / 1_048_576.0),
                peer: "input size".to_owned(),
                peer_value,
                ratio: format!("{x:.1}×"),
                goal: format!("≤ {PEAK_GOAL:.1}×"),
                met: Some(meets(x, PEAK_GOAL, false)),
                note: None,
            }
        }
        None => Row::missing(
            figure,
            "input size",
            if cli.has_time() {
                "GNU time gave no peak"
            } else {
                "GNU time is missing (scripts/setup.sh bench)"
            },
        ),
    }
}

/// The size of `path` (a file, or the files of a directory) for the labels.
pub fn size_label(path: &Path) -> String {
    format!("{:.1} MB", crate::process::input_bytes(path) as f64 / 1e6)
}
