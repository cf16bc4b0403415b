//! Many inputs, and the documents of one large input, checked on several threads, with
//! the results handed on in the order one thread gives them.
//!
//! The inputs are cut into documents first ([`crate::yaml::split_stream`]: one scan, no
//! parsing); runs of whole documents of about [`UNIT_BYTES`] (a larger document is a run
//! of its own) are the units of work. A worker checks a unit with a fork of the checker
//! ([`Checker::fork`]: the options, the rule plans, the input's file ignores), which reads
//! nothing another unit writes, so a unit gives the same batches on any thread. The
//! calling thread receives the units' batches, puts them back in order, and does what
//! depends on order: the summary, the baseline (a multiset: which of two equal findings
//! it accepts is the first one), and the sink (the CLI writes its output there). At most
//! [`AHEAD`] units per thread are checked ahead of the one the calling thread waits for,
//! so memory follows the thread count, not the input.
//!
//! With one thread, on wasm targets (no `parallel` feature: rayon is not a dependency),
//! or when a thread pool cannot be made, the units run one after another on the calling
//! thread, through the same code.

use std::ops::{ControlFlow, Range};
use std::sync::Arc;

use super::{Batch, Checker, Decoded};
use crate::position::{LineIndex, Lines};
use crate::yaml::{split_stream, Split};

/// The text a unit of work holds, in bytes (whole documents: a larger document is a
/// unit of its own). Large enough that a unit's fork and hand-over cost nothing beside
/// its check, small enough that a file of a few MB keeps two threads busy.
pub const UNIT_BYTES: usize = 256 * 1024;

/// Units checked ahead of the one the calling thread waits for, per thread.
pub const AHEAD: usize = 4;

/// The most threads a check starts, whatever it is asked for (each is an OS thread
/// with its own stack; `--threads 100000` must not start 100,000 of them). A check
/// also starts no more threads than it has units of work.
pub const MAX_THREADS: usize = 256;

/// How [`Checker::check_all_with`] spreads its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    /// Threads to check on (0 counts as 1; at most [`MAX_THREADS`], and no more than
    /// the units of work). On wasm targets, and without the `parallel` feature, always 1.
    pub threads: usize,
    /// The text a unit of work holds, in bytes (whole documents; see [`UNIT_BYTES`]).
    /// Any value gives the same results; tests use 1 (each document a unit).
    pub unit_bytes: usize,
}

impl Parallel {
    /// `threads` threads, units of [`UNIT_BYTES`].
    pub fn threads(threads: usize) -> Parallel {
        Parallel {
            threads,
            unit_bytes: UNIT_BYTES,
        }
    }
}

/// One input of [`Checker::check_all_with`].
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The name its findings carry (a path, `-`).
    pub name: &'a str,
    /// Its text ([`super::decode`] of its bytes: every offset is the file's).
    pub decoded: &'a Decoded<'a>,
    /// Rules not run in it (see [`Checker::set_file_ignore`]; an ID that is not a rule
    /// is left out).
    pub ignore: &'a [String],
}

/// An input cut into documents, ready for its units.
struct Prepared<'a> {
    file: Arc<str>,
    split: Split<'a>,
    lines: Lines<'a>,
    invalid: &'a [(usize, u8)],
    /// The file starts with a UTF-16 byte order mark: one error entry, nothing checked.
    utf16: bool,
    ignore: Vec<&'static str>,
}

/// A run of documents of one input.
#[derive(Debug, Clone)]
struct Unit {
    input: usize,
    range: Range<usize>,
}

/// What a unit gave: its batches, sorted, in document order, each with what the render
/// step of [`Checker::check_all_rendered`] made of it, and the resources it judged.
struct Done<R> {
    batches: Vec<(Batch, Option<R>)>,
    resources: usize,
}

/// The render step of [`Checker::check_all_rendered`]: what a worker makes of a batch it
/// checked (the CLI's JSON writer: the findings' bytes), from the batch and its input's
/// line index (built once per input, shared by the workers).
pub type Render<'r, R> = dyn Fn(&LineIndex<'_>, &Batch) -> R + Sync + 'r;

impl Checker {
    /// Checks `inputs` in order, as [`Checker::check_decoded_with`] checks each one, on
    /// up to `parallel.threads` threads (0 counts as 1), and hands `sink` each document's batch
    /// with the index of its input in `inputs`. The report, the summary and every batch
    /// (their order included) are the same whatever `threads` is: a run with 8 threads
    /// and a run with 1 give the same bytes to a renderer. The sink runs on the calling
    /// thread. [`Checker::set_file_ignore`] does not apply here: each input names its own.
    pub fn check_all_with(
        &mut self,
        inputs: &[Input<'_>],
        parallel: Parallel,
        sink: &mut dyn FnMut(usize, Batch),
    ) {
        self.check_all_rendered::<()>(inputs, parallel, None, &mut |input, batch, _| {
            sink(input, batch)
        });
    }

    /// [`Checker::check_all_with`], with a render step: without a baseline, each batch
    /// is also given to `render` on the worker that checked it, and `sink` gets what it
    /// made beside the batch, so that the work of turning findings into output is
    /// spread over the threads too (the calling thread, which writes the output, was the
    /// bottleneck of a whole `check` on two cores). With a baseline (which may drop
    /// findings in the calling thread, in order) or no `render`, `sink` gets `None`.
    /// `render` must not depend on order: it sees one batch at a time, on any thread.
    pub fn check_all_rendered<R: Send>(
        &mut self,
        inputs: &[Input<'_>],
        parallel: Parallel,
        render: Option<&Render<'_, R>>,
        sink: &mut dyn FnMut(usize, Batch, Option<R>),
    ) {
        let render = render.filter(|_| self.baseline.is_none());
        let limits = self.opts.limits;
        // Each input cut into documents (one scan of its bytes), on the threads too: a
        // directory of many files is cut across cores.
        let prepared: Vec<Prepared<'_>> =
            map_in_order(inputs, parallel.threads, &|input: &Input<'_>| {
                let decoded = input.decoded;
                let utf16 = decoded.is_utf16();
                Prepared {
                    file: Arc::from(input.name),
                    split: split_stream(if utf16 { "" } else { &decoded.text }, &limits),
                    lines: Lines::new(&decoded.text),
                    invalid: &decoded.invalid,
                    utf16,
                    ignore: input
                        .ignore
                        .iter()
                        .filter_map(|id| crate::rules::rule(id).map(|r| r.id))
                        .collect(),
                }
            });
        let units = units(&prepared, parallel.unit_bytes);
        let template = self.fork(Vec::new());
        let work = |unit: &Unit| -> Done<R> {
            match prepared.get(unit.input) {
                Some(p) => template.check_unit(p, unit.range.clone(), render),
                None => Done {
                    batches: Vec::new(),
                    resources: 0,
                },
            }
        };
        for_each_in_order(&units, parallel.threads, AHEAD, &work, &mut |i, done| {
            let Some(unit) = units.get(i) else {
                return ControlFlow::Continue(());
            };
            // Every input has exactly one unit that starts at its first document (see
            // `units`): there it begins (its name in the report, its documents counted).
            if unit.range.start == 0 {
                if let (Some(p), Some(input)) = (prepared.get(unit.input), inputs.get(unit.input)) {
                    self.begin(input.name);
                    self.report.summary.documents += p.split.len();
                }
            }
            self.report.summary.resources += done.resources;
            let input = unit.input;
            for (batch, rendered) in done.batches {
                let mut rendered = rendered;
                self.flush(batch, &mut |b| sink(input, b, rendered.take()));
            }
            ControlFlow::Continue(())
        });
    }

    /// A checker with this one's options and rule plans, an empty report, no baseline,
    /// and `ignore` as its file ignores: what a worker checks a unit with.
    fn fork(&self, ignore: Vec<&'static str>) -> Checker {
        Checker {
            opts: self.opts.clone(),
            plans: self.plans.clone(),
            report: super::empty_report(&self.opts),
            baseline: None,
            file_ignore: ignore,
        }
    }

    /// Checks the documents `range` of input `p` with a fork of this checker, and
    /// renders each batch with `render`, if given.
    fn check_unit<R>(
        &self,
        p: &Prepared<'_>,
        range: Range<usize>,
        render: Option<&Render<'_, R>>,
    ) -> Done<R> {
        let mut fork = self.fork(p.ignore.clone());
        let mut batches = Vec::new();
        let rendered = |batch: Batch| {
            let r = render.map(|render| render(p.lines.index(), &batch));
            (batch, r)
        };
        if p.utf16 {
            batches.push(rendered(super::utf16_batch(&p.file)));
        } else {
            let stream = super::Stream {
                file: &p.file,
                split: &p.split,
                invalid: p.invalid,
                lines: &p.lines,
            };
            fork.check_range(&stream, range, &mut |_, mut batch| {
                super::document::sort_batch(&mut batch);
                batches.push(rendered(batch));
            });
        }
        Done {
            batches,
            resources: fork.report.summary.resources,
        }
    }
}

/// The units of work of `inputs`, in order: each input's documents in runs of about
/// `unit_bytes`; an input without documents (empty, over the size limit, UTF-16) is
/// one empty unit, which gives its errors. So every input has exactly one unit whose
/// range starts at 0, where `check_all_with` begins it.
fn units(inputs: &[Prepared<'_>], unit_bytes: usize) -> Vec<Unit> {
    let mut units = Vec::new();
    for (input, p) in inputs.iter().enumerate() {
        let n = p.split.len();
        if n == 0 {
            units.push(Unit { input, range: 0..0 });
            continue;
        }
        let mut start = 0;
        let mut bytes = 0;
        for i in 0..n {
            bytes += p.split.span(i).map_or(0, |s| s.end - s.start);
            if bytes >= unit_bytes {
                units.push(Unit {
                    input,
                    range: start..i + 1,
                });
                start = i + 1;
                bytes = 0;
            }
        }
        if start < n {
            units.push(Unit {
                input,
                range: start..n,
            });
        }
    }
    units
}

/// `f` of each item, in the items' order, on up to `threads` threads (0 counts as 1; at
/// most [`MAX_THREADS`] and no more than the items), each item a task of its own: the
/// work on whole inputs before the units start (each input cut into documents here; the
/// CLI's reading, judging, UTF-8 validation and Namespace search of its files). On
/// wasm targets, without the `parallel` feature, or when a thread pool cannot be made,
/// one after another on the calling thread.
pub(crate) fn map_in_order<'a, T: Sync, U: Send>(
    items: &'a [T],
    threads: usize,
    f: &(dyn Fn(&'a T) -> U + Sync),
) -> Vec<U> {
    #[cfg(all(feature = "parallel", not(target_family = "wasm")))]
    {
        use rayon::prelude::*;
        let threads = threads.min(items.len()).min(MAX_THREADS);
        if threads > 1 {
            if let Some(pool) = pool(threads) {
                // One item per task: the items are files, each worth a thread's start.
                return pool.install(|| items.par_iter().with_max_len(1).map(f).collect());
            }
        }
    }
    #[cfg(not(all(feature = "parallel", not(target_family = "wasm"))))]
    let _ = threads;
    items.iter().map(f).collect()
}

/// A pool of `threads` threads, shared by every parallel step of the process that asks
/// for as many (a `check` reads its files, checks their units and decodes them for the
/// report on one pool, so it starts `threads` threads, not a pool's worth per step; a
/// pool's threads end after the pool is dropped, so pools made one after another also
/// overlapped). A call asking for another count replaces it; a call from a thread of
/// any rayon pool gets a pool of its own. `None` when it cannot be made: the caller then
/// works on its own thread.
#[cfg(all(feature = "parallel", not(target_family = "wasm")))]
fn pool(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    static POOL: std::sync::Mutex<Option<(usize, Arc<rayon::ThreadPool>)>> =
        std::sync::Mutex::new(None);
    // On a pool's thread (a render step that checks again) a pool of its own: a worker
    // that waited for tasks queued behind it on a pool whose threads all wait could
    // wait forever; pools made this way only ever wait for the ones they made.
    if rayon::current_thread_index().is_some() {
        return rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .ok()
            .map(Arc::new);
    }
    // A poisoned lock (no code under it panics) still holds a usable pool or none.
    let mut slot = POOL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((n, pool)) = slot.as_ref() {
        if *n == threads {
            return Some(Arc::clone(pool));
        }
    }
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .ok()?,
    );
    *slot = Some((threads, Arc::clone(&pool)));
    Some(pool)
}

/// `f` of each item on up to `threads` threads (0 counts as 1; at most [`MAX_THREADS`]
/// and no more than the items), and `deliver` of each result (with its item's index)
/// on the calling thread in the items' order, as soon as the results before it are
/// delivered: at most `ahead` items per thread are worked on beyond the one delivered
/// next, so what is held follows the thread count, not the items (the check's units;
/// the fixes of `--fix`, `--diff` and `--show-fixes`, whose diffs are printed as they
/// come). When `deliver` breaks, no item after it is started or delivered (those in
/// flight are finished and dropped). On wasm targets, without the `parallel` feature,
/// or when a thread pool cannot be made, item after item on the calling thread. A panic
/// of `f` (none is expected: the crate denies panics) is resumed on the calling thread.
pub(crate) fn for_each_in_order<'a, T: Sync, U: Send>(
    items: &'a [T],
    threads: usize,
    ahead: usize,
    f: &(dyn Fn(&'a T) -> U + Sync),
    deliver: &mut dyn FnMut(usize, U) -> ControlFlow<()>,
) {
    #[cfg(all(feature = "parallel", not(target_family = "wasm")))]
    {
        let threads = threads.min(items.len()).min(MAX_THREADS);
        if threads > 1 {
            if let Some(pool) = pool(threads) {
                return in_order_on(&pool, items, threads.saturating_mul(ahead), f, deliver);
            }
        }
    }
    #[cfg(not(all(feature = "parallel", not(target_family = "wasm"))))]
    let _ = (threads, ahead);
    for (i, item) in items.iter().enumerate() {
        if deliver(i, f(item)).is_break() {
            break;
        }
    }
}

/// [`for_each_in_order`] on `pool`, with at most `window` items in flight (at least 2).
#[cfg(all(feature = "parallel", not(target_family = "wasm")))]
fn in_order_on<'a, T: Sync, U: Send>(
    pool: &rayon::ThreadPool,
    items: &'a [T],
    window: usize,
    f: &(dyn Fn(&'a T) -> U + Sync),
    deliver: &mut dyn FnMut(usize, U) -> ControlFlow<()>,
) {
    let window = window.max(2);
    // An item's result, or the panic of its worker.
    type Outcome<U> = std::thread::Result<U>;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Outcome<U>)>();
    pool.in_place_scope(|scope| {
        let spawn = |i: usize| {
            if let Some(item) = items.get(i) {
                let tx = tx.clone();
                scope.spawn(move |_| {
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(item)));
                    // The receiver lives until every item is delivered.
                    let _ = tx.send((i, outcome));
                });
            }
        };
        let mut spawned = 0;
        while spawned < window.min(items.len()) {
            spawn(spawned);
            spawned += 1;
        }
        // Results that came before their turn, by item index (at most `window`).
        let mut early: Vec<Option<Outcome<U>>> = Vec::new();
        early.resize_with(items.len(), || None);
        let mut next = 0;
        while next < items.len() {
            let outcome = match early.get_mut(next).and_then(Option::take) {
                Some(outcome) => outcome,
                None => match rx.recv() {
                    Ok((i, outcome)) if i == next => outcome,
                    Ok((i, outcome)) => {
                        if let Some(slot) = early.get_mut(i) {
                            *slot = Some(outcome);
                        }
                        continue;
                    }
                    // Every sender is gone before every item came: cannot happen while
                    // `spawn` holds one; stop rather than wait forever.
                    Err(_) => break,
                },
            };
            let flow = match outcome {
                Ok(done) => deliver(next, done),
                Err(panic) => std::panic::resume_unwind(panic),
            };
            if flow.is_break() {
                break;
            }
            next += 1;
            if spawned < items.len() {
                spawn(spawned);
                spawned += 1;
            }
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::for_each_in_order;

    /// Results come in the items' order on any thread count, and no more than `ahead`
    /// items per thread are worked on or waiting beyond the one delivered next.
    #[test]
    fn results_come_in_order_with_a_bounded_look_ahead() {
        let items: Vec<u64> = (0..200).collect();
        for (threads, ahead) in [(1, 4), (2, 1), (2, 4), (3, 2), (8, 4), (100_000, 1)] {
            let held = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let mut got = Vec::new();
            let work = |&n: &u64| {
                let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Uneven work, so that later items often finish first.
                std::thread::sleep(std::time::Duration::from_micros((n * 7919) % 500));
                n * n
            };
            for_each_in_order(&items, threads, ahead, &work, &mut |i, square| {
                held.fetch_sub(1, Ordering::SeqCst);
                got.push((i, square));
                std::ops::ControlFlow::Continue(())
            });
            let expected: Vec<(usize, u64)> = items.iter().map(|&n| (n as usize, n * n)).collect();
            assert_eq!(got, expected, "{threads} threads, {ahead} ahead");
            let bound = threads.min(items.len()).min(super::MAX_THREADS) * ahead;
            assert!(
                most.load(Ordering::SeqCst) <= bound.max(2),
                "{} held with {threads} threads, {ahead} ahead",
                most.load(Ordering::SeqCst)
            );
        }
    }
}
