//! Interleaved timing in one process: every case of a set runs once per round, in an
//! order that turns each round (A B C, then C B A shifted by one, …), so that a slow
//! moment of a shared machine falls on every case alike; figures are medians over the
//! rounds, spreads their minimum and maximum, and ratios are taken round by round (each
//! round's pair ran seconds apart) before their median is taken.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One measured piece of work. `run` returns a count (findings, events, documents) that
/// is passed to [`black_box`] so the work cannot be optimized away.
pub struct Case<'a> {
    /// Short name, for progress messages.
    pub name: &'static str,
    /// The work of one iteration, over text already in memory.
    pub run: Box<dyn FnMut() -> usize + 'a>,
}

impl<'a> Case<'a> {
    /// A case from a closure.
    pub fn new(name: &'static str, run: impl FnMut() -> usize + 'a) -> Self {
        Case {
            name,
            run: Box::new(run),
        }
    }
}

/// How many rounds: at least `min`, then more while the round loop has run for less than
/// `budget`, never more than `max`. `warm_up` runs each case once first, uncounted.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Rounds always run.
    pub min: usize,
    /// Rounds never exceeded.
    pub max: usize,
    /// Wall time after which no new round starts (once `min` are done).
    pub budget: Duration,
    /// Whether each case runs once, uncounted, before the rounds.
    pub warm_up: bool,
}

/// Seconds per iteration: `secs[case][round]`, cases in the order given to
/// [`interleave`].
pub struct Samples {
    /// One vector per case, one entry per round.
    pub secs: Vec<Vec<f64>>,
}

impl Samples {
    /// The samples of case `i` (empty when out of range).
    pub fn of(&self, i: usize) -> &[f64] {
        self.secs.get(i).map_or(&[], Vec::as_slice)
    }

    /// Number of rounds run.
    pub fn rounds(&self) -> usize {
        self.secs.first().map_or(0, Vec::len)
    }
}

/// The order of the cases in round `round`: rotated by the round number, and reversed
/// every other round, so no case always runs first, last or right after the same one.
fn order(n: usize, round: usize) -> Vec<usize> {
    let mut o: Vec<usize> = (0..n).map(|k| (k + round / 2) % n.max(1)).collect();
    if round % 2 == 1 {
        o.reverse();
    }
    o
}

/// Runs `cases` in interleaved rounds as `plan` says and returns their times.
pub fn interleave(cases: &mut [Case<'_>], plan: Plan) -> Samples {
    if plan.warm_up {
        for c in cases.iter_mut() {
            black_box((c.run)());
        }
    }
    let mut secs = vec![Vec::new(); cases.len()];
    let start = Instant::now();
    let mut round = 0;
    while round < plan.min || (round < plan.max && start.elapsed() < plan.budget) {
        for i in order(cases.len(), round) {
            if let (Some(case), Some(out)) = (cases.get_mut(i), secs.get_mut(i)) {
                let t = Instant::now();
                black_box((case.run)());
                out.push(t.elapsed().as_secs_f64());
            }
        }
        round += 1;
    }
    Samples { secs }
}

/// Median, minimum and maximum of a set of samples (all 0 when empty).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest sample.
    pub min: f64,
    /// The largest sample.
    pub max: f64,
}

impl Stats {
    /// The statistics of `xs`.
    pub fn of(xs: &[f64]) -> Stats {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return Stats::default();
        }
        let mid = |i: usize| v.get(i).copied().unwrap_or_default();
        let median = if n % 2 == 1 {
            mid(n / 2)
        } else {
            (mid(n / 2 - 1) + mid(n / 2)) / 2.0
        };
        Stats {
            median,
            min: mid(0),
            max: mid(n - 1),
        }
    }

    /// These statistics mapped through a decreasing function (seconds -> MB/s): the
    /// minimum and maximum swap.
    pub fn inverted(self, f: impl Fn(f64) -> f64) -> Stats {
        Stats {
            median: f(self.median),
            min: f(self.max),
            max: f(self.min),
        }
    }
}

/// Round-by-round ratios `num[r] / den[r]` (rounds where either is missing or zero are
/// skipped).
pub fn ratios(num: &[f64], den: &[f64]) -> Vec<f64> {
    num.iter()
        .zip(den)
        .filter(|(n, d)| **n > 0.0 && **d > 0.0)
        .map(|(n, d)| n / d)
        .collect()
}

/// MB/s (MB = 10^6 bytes) of `bytes` read in `secs` seconds.
pub fn mb_s(bytes: usize, secs: f64) -> f64 {
    if secs > 0.0 {
        bytes as f64 / secs / 1e6
    } else {
        0.0
    }
}
