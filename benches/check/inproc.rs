//! In-process figures: parse + check (`kube_secctx::check`, default profile, no fixes)
//! against the bare `saphyr-parser` event loop over the same text in memory, our YAML
//! layer alone, and (on `bench-large.yaml`) every fix against the check.

use std::hint::black_box;

use crate::table::{meets, Row};
use crate::timing::{interleave, mb_s, ratios, Case, Plan, Stats};
use crate::Input;

/// The bare `saphyr-parser` event loop: every event read, errors included, and counted.
/// Our YAML layer is built on it; no YAML tool can check a file faster than it reads it.
pub fn saphyr_events(text: &str) -> usize {
    let mut n = 0usize;
    for ev in saphyr_parser::Parser::new_from_str(text) {
        black_box(&ev);
        n += 1;
    }
    n
}

/// The in-process rounds over `input` and their rows: parse + check vs the event loop
/// (the goal is `input.goal`), parse only vs the event loop, and, when `input.fix_all`,
/// fix-all vs parse + check (goal: at most 2× its time). Also returns the event loop's
/// seconds per round, the peer of the whole-process rate.
pub fn rows(input: &Input, plan: Plan) -> (Vec<Row>, Vec<f64>) {
    let opts = kube_secctx::Options::default();
    let limits = kube_secctx::Limits::default();
    let all = kube_secctx::fix::FixSelection {
        unsafe_fixes: true,
        rules: None,
    };
    let text = input.text.as_str();
    let name = input.name;
    let mut cases = vec![
        Case::new("parse+check", || {
            kube_secctx::check(name, black_box(text), &opts).map_or(0, |r| r.findings.len())
        }),
        Case::new("saphyr events", || saphyr_events(black_box(text))),
        Case::new("parse only", || {
            kube_secctx::yaml::parse_stream(black_box(text), &limits)
                .documents
                .len()
        }),
    ];
    if input.fix_all {
        // Every fix, safe and unsafe, planned, written, verified (each fixed document
        // parsed and checked again) and applied: `check --fix --unsafe-fixes` without I/O.
        cases.push(Case::new("fix all", || {
            kube_secctx::fix::fix_text(&opts, name, black_box(text), &all, false)
                .map_or(0, |r| r.applied.len())
        }));
    }
    let names = cases.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let samples = interleave(&mut cases, plan);
    crate::progress(format_args!(
        "  in-process, {}: {names}; rounds: {}",
        input.label,
        samples.rounds()
    ));
    drop(cases);
    let bytes = text.len();
    let rate = |xs: &[f64]| Stats::of(xs).inverted(|s| mb_s(bytes, s));
    let events = rate(samples.of(1));
    let peer = "saphyr-parser event loop".to_owned();
    let peer_value = fmt_rate(events);
    let mut out = Vec::new();
    let check = rate(samples.of(0));
    // Throughput ratio, round by round: the event loop's time / ours.
    let r = Stats::of(&ratios(samples.of(1), samples.of(0)));
    out.push(Row {
        figure: format!("parse+check, {}", input.label),
        value: fmt_rate(check),
        peer: peer.clone(),
        peer_value: peer_value.clone(),
        ratio: fmt_ratio(r, ""),
        goal: format!("≥ {:.2}", input.goal),
        met: Some(meets(r.median, input.goal, true)),
        note: None,
    });
    let parse = rate(samples.of(2));
    let r = Stats::of(&ratios(samples.of(1), samples.of(2)));
    out.push(Row {
        figure: format!("parse only (our YAML layer), {}", input.label),
        value: fmt_rate(parse),
        peer,
        peer_value,
        ratio: fmt_ratio(r, ""),
        goal: "-".to_owned(),
        met: None,
        note: None,
    });
    if input.fix_all {
        // Cost: fix-all's time / the check's, round by round.
        let r = Stats::of(&ratios(samples.of(3), samples.of(0)));
        out.push(Row {
            figure: format!("fix all (--fix --unsafe-fixes, no I/O), {}", input.label),
            value: fmt_rate(rate(samples.of(3))),
            peer: "parse+check".to_owned(),
            peer_value: fmt_rate(check),
            ratio: fmt_ratio(r, "× time"),
            goal: "≤ 2.00× time".to_owned(),
            met: Some(meets(r.median, 2.0, false)),
            note: None,
        });
    }
    (out, samples.of(1).to_vec())
}

/// `78.0 MB/s (72.1–80.3)`: the median rate and the spread over the rounds.
pub fn fmt_rate(s: Stats) -> String {
    format!("{:.1} MB/s ({:.1}–{:.1})", s.median, s.min, s.max)
}

/// `0.69 (0.65–0.71)`: the median of the round-by-round ratios and their spread.
pub fn fmt_ratio(s: Stats, unit: &str) -> String {
    format!("{:.2}{unit} ({:.2}–{:.2})", s.median, s.min, s.max)
}
