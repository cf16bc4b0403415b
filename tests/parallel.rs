//! `Checker::check_all_with` (issue 16): the batches, their order and the report are the
//! same whatever the thread count and however the documents are cut into units, and the
//! same as checking each input on its own with `check_decoded_with`.
//!
//! Inputs: the real corpus (26 files, `bench-large.yaml` left out: it is the corpus three
//! times), the PSA conformance fixtures (4,537 small files, one call), the fuzz
//! regressions, generated workloads, and streams made to land errors on unit edges
//! (invalid bytes before, inside and after documents, a BOM, a UTF-16 file, an empty
//! file, a stream over the size limit).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../benches/common/workloads.rs"]
mod workloads;

use std::path::{Path, PathBuf};

use kube_secctx::engine::{decode, Decoded, Input, Parallel};
use kube_secctx::{Batch, Checker, Limits, Options, Report};

/// Every `*.yaml`/`*.yml`/`*.json` file below `dir`, sorted, but `bench-large.yaml`.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = common::files_below(dir);
    files.retain(|p| !p.ends_with("bench-large.yaml"));
    files
}

/// `(name, bytes, per-file ignores)`.
type Owned = (String, Vec<u8>, Vec<String>);

fn read_all(files: &[PathBuf]) -> Vec<Owned> {
    files
        .iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(p).unwrap(),
                Vec::new(),
            )
        })
        .collect()
}

/// The batches (with their input) and the report, checking each input on its own.
fn one_by_one(opts: &Options, owned: &[Owned]) -> (Vec<(usize, Batch)>, Report) {
    let mut checker = Checker::new(opts).unwrap();
    let mut got = Vec::new();
    for (i, (name, bytes, ignore)) in owned.iter().enumerate() {
        checker.set_file_ignore(ignore).unwrap();
        checker.check_decoded_with(name, &decode(bytes), &mut |b| got.push((i, b)));
    }
    (got, checker.finish())
}

/// The inputs of `check_all_with`: each file's name, decoded text and ignores.
fn inputs_of<'a>(owned: &'a [Owned], decoded: &'a [Decoded<'a>]) -> Vec<Input<'a>> {
    owned
        .iter()
        .zip(decoded)
        .map(|((name, _, ignore), decoded)| Input {
            name,
            decoded,
            ignore,
        })
        .collect()
}

fn all_with(opts: &Options, owned: &[Owned], parallel: Parallel) -> (Vec<(usize, Batch)>, Report) {
    let decoded: Vec<_> = owned.iter().map(|(_, b, _)| decode(b)).collect();
    let inputs = inputs_of(owned, &decoded);
    let mut checker = Checker::new(opts).unwrap();
    let mut got = Vec::new();
    checker.check_all_with(&inputs, parallel, &mut |i, b| got.push((i, b)));
    (got, checker.finish())
}

/// One input at a time, and `check_all_with` with 1, 2 and 3 threads, units of one
/// document and of the default size: all the same.
fn assert_same(opts: &Options, owned: &[Owned]) -> (Vec<(usize, Batch)>, Report) {
    let expected = one_by_one(opts, owned);
    for parallel in [
        Parallel::threads(1),
        Parallel::threads(2),
        Parallel {
            threads: 3,
            unit_bytes: 1,
        },
        Parallel {
            threads: 2,
            unit_bytes: 4096,
        },
        Parallel {
            threads: 1,
            unit_bytes: 1,
        },
    ] {
        let got = all_with(opts, owned, parallel);
        assert_eq!(got.1, expected.1, "report with {parallel:?}");
        assert_eq!(got.0.len(), expected.0.len(), "batches with {parallel:?}");
        for (k, (g, e)) in got.0.iter().zip(&expected.0).enumerate() {
            assert_eq!(g, e, "batch {k} with {parallel:?}");
        }
    }
    expected
}

#[test]
fn real_corpus_is_the_same_on_any_thread_count() {
    let owned = read_all(&files_below(&common::corpus_dir()));
    assert_eq!(owned.len(), 26);
    let (batches, report) = assert_same(&Options::default(), &owned);
    assert_eq!(
        (report.summary.findings, report.summary.resources),
        (358, 56)
    );
    assert_eq!(report.summary.files, 26);
    assert!(batches.iter().any(|(i, _)| *i == 25));
}

#[test]
fn psa_fixtures_are_the_same_on_any_thread_count() {
    let owned = read_all(&files_below(&common::shared_dir().join("corpus/psa")));
    assert_eq!(owned.len(), 4537);
    let (_, report) = assert_same(&Options::default(), &owned);
    assert_eq!(report.summary.files, 4537);
    assert_eq!(report.summary.documents, 4537);
}

#[test]
fn fuzz_regressions_and_per_file_ignores_are_the_same_on_any_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut owned = read_all(&files_below(&dir));
    assert!(owned.len() >= 20);
    // Per-file ignores on every other input; an ID that is not a rule is left out.
    for (k, o) in owned.iter_mut().enumerate() {
        if k % 2 == 0 {
            o.2 = vec!["privileged-container".into(), "unknown-field".into()];
        }
    }
    assert_same(&Options::default(), &owned);
}

#[test]
fn generated_workloads_are_the_same_on_any_thread_count() {
    // 600 workloads (1.9 MB): several default units.
    let text = workloads::generate(600);
    assert!(text.len() > 4 * kube_secctx::engine::UNIT_BYTES);
    let owned = vec![
        ("gen.yaml".to_string(), text.into_bytes(), Vec::new()),
        (
            "small.yaml".to_string(),
            workloads::generate_from(3, 7).into_bytes(),
            Vec::new(),
        ),
    ];
    let (batches, report) = assert_same(&Options::default(), &owned);
    assert_eq!(report.summary.documents, 603);
    assert_eq!(report.summary.resources, 603);
    // Batches in document order within each input.
    for w in batches.windows(2) {
        if let [(i, a), (j, b)] = w {
            assert!(i < j || (i == j && a.document < b.document));
        }
    }
}

#[test]
fn errors_on_unit_edges_are_the_same_on_any_thread_count() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: b, securityContext: {privileged: true}}\n";
    let mut bad = Vec::new();
    // Invalid bytes: in a comment of the first document, inside the second, in a comment
    // between documents (after `...`, outside every document), in the last document, and
    // in a comment after the last document.
    bad.extend_from_slice(b"# \xff leading\n");
    bad.extend_from_slice(pod.as_bytes());
    bad.extend_from_slice(b"---\n");
    bad.extend_from_slice(
        &pod.replace("name: p", "name: \"q@\"")
            .bytes()
            .map(|b| if b == b'@' { 0xc3 } else { b })
            .collect::<Vec<u8>>(),
    );
    bad.extend_from_slice(b"...\n# \xfe between\n---\n");
    bad.extend_from_slice(pod.as_bytes());
    bad.extend_from_slice(b"---\nkind: [unclosed\n---\n");
    bad.extend_from_slice(pod.as_bytes());
    bad.extend_from_slice(b"---\n");
    bad.extend_from_slice(pod.as_bytes());
    bad.extend_from_slice(b"# in the last \x81\n...\n# trailing \x80\n");
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(format!("{pod}---\n{pod}").as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend_from_slice(b"a\0:\0");
    let owned: Vec<Owned> = vec![
        ("bad.yaml".into(), bad, Vec::new()),
        ("empty.yaml".into(), Vec::new(), Vec::new()),
        ("bom.yaml".into(), bom, Vec::new()),
        ("utf16.yaml".into(), utf16, Vec::new()),
        ("only-comment.yaml".into(), b"# \xff\n".to_vec(), Vec::new()),
        ("pod.yaml".into(), pod.as_bytes().to_vec(), Vec::new()),
    ];
    let (batches, report) = assert_same(&Options::default(), &owned);
    assert_eq!(report.summary.files, 6);
    let errors = |i: usize| -> usize {
        batches
            .iter()
            .filter(|(k, _)| *k == i)
            .map(|(_, b)| b.errors.len())
            .sum()
    };
    // bad.yaml: documents 0 and 1, the comment between, the unclosed flow sequence, the
    // last document, the trailing comment; documents 2 and 4 are checked.
    assert_eq!(errors(0), 6, "{batches:#?}");
    assert_eq!(errors(3), 1);
    assert_eq!(errors(4), 1);
    // Over the size limit: one error, nothing checked.
    let small = Options {
        limits: Limits {
            max_input_bytes: 100,
            ..Limits::default()
        },
        ..Options::default()
    };
    let (batches, report) = assert_same(&small, &owned);
    // Three files over the limit, the UTF-16 file, the invalid byte of the comment.
    assert_eq!((report.summary.documents, report.summary.errors), (0, 5));
    assert!(batches
        .iter()
        .any(|(i, b)| *i == 0 && b.errors.iter().any(|e| e.message.contains("larger than"))));
}

/// The threads are one pool per thread count, shared by the calls (issue 16): a render
/// step that checks again on as many threads (its worker is one of the pool's) and
/// callers on several threads at once still get the batches of one thread, and finish.
#[test]
fn calls_inside_a_render_step_and_side_by_side_share_the_pool_safely() {
    let owned = read_all(&files_below(&common::corpus_dir()));
    let opts = Options::default();
    let (expected, report) = one_by_one(&opts, &owned);
    let decoded: Vec<_> = owned.iter().map(|(_, b, _)| decode(b)).collect();
    let inputs = inputs_of(&owned, &decoded);
    let parallel = Parallel {
        threads: 2,
        unit_bytes: 1,
    };
    // Each batch's render step checks the first two inputs again on two threads.
    let inner = inputs.get(..2).unwrap();
    let render = |_: &kube_secctx::position::LineIndex<'_>, _: &Batch| {
        let mut checker = Checker::new(&Options::default()).unwrap();
        let mut n = 0usize;
        checker.check_all_with(inner, parallel, &mut |_, _| n += 1);
        n
    };
    let mut checker = Checker::new(&opts).unwrap();
    let mut got = Vec::new();
    let mut inner_batches = Vec::new();
    // A worker waiting on its own pool would hang: a watchdog ends the test binary with
    // a failure instead.
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .is_err()
        {
            eprintln!("a check inside a render step did not finish in 120 s: a deadlock");
            std::process::exit(101);
        }
    });
    checker.check_all_rendered(&inputs, parallel, Some(&render), &mut |i, b, n| {
        got.push((i, b));
        inner_batches.push(n);
    });
    let _ = done.send(());
    watchdog.join().unwrap();
    assert_eq!(checker.finish(), report);
    assert_eq!(got, expected);
    let first_two = expected.iter().filter(|(i, _)| *i < 2).count();
    assert!(inner_batches.iter().all(|n| *n == Some(first_two)));
    // Four callers at once on the same thread count, and one on another.
    std::thread::scope(|s| {
        let runs: Vec<_> = [2, 2, 3, 2, 2]
            .into_iter()
            .map(|threads| {
                let (owned, opts) = (&owned, &opts);
                s.spawn(move || {
                    all_with(
                        opts,
                        owned,
                        Parallel {
                            threads,
                            unit_bytes: 1,
                        },
                    )
                })
            })
            .collect();
        for run in runs {
            let (batches, r) = run.join().unwrap();
            assert_eq!(r, report);
            assert_eq!(batches, expected);
        }
    });
}
