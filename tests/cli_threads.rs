//! `kube-secctx check --threads N` (issue 16) as a process: the output is byte-identical
//! with 1 thread and with several, in every format, over the real corpus (a directory of
//! 26 files), generated workloads (files cut into units; JSON, text, concise and SARIF
//! rendered by the workers on several threads, by the calling thread on one), and with a baseline
//! (which of two equal findings it accepts depends on order), `--show-fixes`, `--fix`
//! and `--diff`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../benches/common/workloads.rs"]
mod workloads;

use std::path::Path;
use std::process::{Command, Output};

use common::process::{code, stdout};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

/// Runs `args` with `--threads 1`, then with each of `others`, and asserts the same
/// standard output, standard error and exit code; returns the output.
fn same_with(dir: &Path, args: &[&str], others: &[&[&str]]) -> Output {
    let one = run_in(dir, &[args, &["--threads", "1"]].concat());
    for threads in others {
        let other = run_in(dir, &[args, threads].concat());
        assert_eq!(code(&other), code(&one), "{args:?} {threads:?}");
        assert!(
            other.stdout == one.stdout,
            "{args:?} {threads:?}: standard output differs"
        );
        assert_eq!(other.stderr, one.stderr, "{args:?} {threads:?}");
    }
    one
}

/// [`same_with`] 2, 3 and 100,000 threads (at most one per unit and 256 start), and
/// without the flag (one per core).
fn same_on_any_thread_count(dir: &Path, args: &[&str]) -> Output {
    same_with(
        dir,
        args,
        &[&["--threads", "2"], &["-j", "3"], &["-j", "100000"], &[]],
    )
}

#[test]
fn the_real_corpus_is_byte_identical_in_every_format() {
    // The 8.7 MB benchmark file is left out (a debug build takes seconds per run):
    // the generated workloads below are cut into units.
    let corpus = common::corpus_dir();
    let args = |format| {
        [
            "check",
            "--no-config",
            "--exclude",
            "bench-large.yaml",
            "--format",
            format,
            ".",
        ]
    };
    let json = same_on_any_thread_count(&corpus, &args("json"));
    for format in ["text", "concise", "sarif", "github"] {
        let out = same_with(&corpus, &args(format), &[&["-j", "3"]]);
        assert_eq!(code(&out), 1, "{format}");
    }
    // The JSON report: every file, in order.
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 26);
    assert_eq!(report["summary"]["findings"], 311);
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
}

#[test]
fn generated_workloads_with_a_baseline_and_fixes_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // 400 workloads (1.2 MB, several units), twice in one directory: equal findings in
    // two files, and equal findings within each.
    let text = workloads::generate(400);
    std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
    std::fs::write(dir.path().join("b.yaml"), &text).unwrap();
    std::fs::write(dir.path().join("c.yaml"), workloads::generate_from(5, 3)).unwrap();
    let all = same_on_any_thread_count(dir.path(), &["check", "--format", "json", "."]);
    // Text, concise and SARIF: rendered by the workers on more than one thread (on
    // one, by the calling thread); SARIF's fingerprints count equal identities in order.
    for format in ["text", "concise", "sarif"] {
        same_with(
            dir.path(),
            &["check", "--format", format, "."],
            &[&["-j", "2"], &["-j", "3"]],
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(report["summary"]["documents"], 805);
    assert_eq!(
        report["summary"]["findings"],
        2 * 3091 + 34,
        "{}",
        report["summary"]
    );
    // A baseline of the first file's findings, then both files against it.
    let wrote = run_in(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "base.json",
            "a.yaml",
            "-j",
            "1",
        ],
    );
    assert_eq!(code(&wrote), 0, "{}", stdout(&wrote));
    let json = same_on_any_thread_count(
        dir.path(),
        &["check", "--baseline", "base.json", "--format", "json", "."],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    // Every finding of a.yaml (fingerprints name their file: b.yaml keeps its own).
    assert_eq!(
        report["summary"]["baselined"], 3091,
        "{}",
        report["summary"]
    );
    assert_eq!(report["summary"]["findings"], 3091 + 34);
    for format in ["text", "sarif"] {
        same_with(
            dir.path(),
            &["check", "--baseline", "base.json", "--format", format, "."],
            &[&["-j", "2"]],
        );
    }
    same_with(
        dir.path(),
        &[
            "check",
            "--show-fixes",
            "--format",
            "json",
            "c.yaml",
            "a.yaml",
        ],
        &[&["-j", "2"]],
    );
    same_on_any_thread_count(dir.path(), &["check", "--show-fixes", "c.yaml"]);
}

#[test]
fn files_read_on_threads_are_reported_in_order_with_skips_and_read_errors() {
    // The files are read (and those found by walking judged by their text) on the
    // threads: what they give is taken in the inputs' order, so the skipped notes, the
    // read errors and the report are the same on any thread count.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repo");
    for format in ["json", "text", "sarif"] {
        let out = same_on_any_thread_count(
            &repo,
            &[
                "check",
                "--show-skipped",
                "--format",
                format,
                "missing.yaml",
                "chart",
                ".",
                "apps",
                "gone/",
            ],
        );
        assert_eq!(code(&out), 2, "{format}: a path that cannot be read");
        let err = common::process::stderr(&out);
        let at = |needle: &str| {
            err.find(needle)
                .unwrap_or_else(|| panic!("{format}: {needle:?} not in {err}"))
        };
        // In the order of the paths given, each directory's files sorted.
        assert!(at("error: missing.yaml: ") < at("error: gone/: "), "{err}");
        assert!(
            at("chart/Chart.yaml: skipped") < at("chart/values.yaml: skipped"),
            "{err}"
        );
        assert!(
            at("ci/pipeline.yaml: skipped") < at("kustomize/patch-env.yaml: skipped"),
            "{err}"
        );
    }
}

#[test]
fn standard_input_and_files_are_read_in_the_order_given() {
    // `- /dev/stdin`: `-` is named first, so it reads the text and `/dev/stdin` finds
    // it read (empty); on any thread count (files are read on threads, but not beside
    // standard input).
    if !Path::new("/dev/stdin").exists() {
        return;
    }
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: b}]}\n";
    for threads in ["1", "2", "7"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
            .args([
                "check",
                "--format",
                "json",
                "--threads",
                threads,
                "-",
                "/dev/stdin",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), pod.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let files: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file"].as_str().unwrap())
            .collect();
        assert!(!files.is_empty(), "--threads {threads}");
        assert!(
            files.iter().all(|f| *f == "<stdin>"),
            "--threads {threads}: {files:?}"
        );
        assert_eq!(v["files"], serde_json::json!(["<stdin>", "/dev/stdin"]));
    }
}

#[test]
fn standard_input_named_as_a_file_checked_is_refused_in_either_order() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: b}]}\n";
    std::fs::write(dir.path().join("a.yaml"), pod).unwrap();
    for paths in [["-", "a.yaml"], ["a.yaml", "-"]] {
        for threads in ["1", "2"] {
            let args = [
                "check",
                "--format",
                "json",
                "--threads",
                threads,
                "--stdin-filename",
                "a.yaml",
            ];
            let mut child = Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
                .args(args.iter().chain(&paths))
                .current_dir(dir.path())
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: other}\nspec: {containers: [{name: b, image: b}]}\n";
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(code(&out), 2, "{paths:?}");
            assert!(
                common::process::stderr(&out).contains(
                    "error: a.yaml: a file checked has this name too (see --stdin-filename): \
                     standard input was not checked"
                ),
                "{paths:?}: {}",
                common::process::stderr(&out)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["files"], serde_json::json!(["a.yaml"]), "{paths:?}");
            assert!(v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["resource"]["name"] == "a"));
        }
    }
}

#[test]
fn a_thread_count_that_is_not_a_number_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["check", "--threads", "many", "."]);
    assert_eq!(code(&out), 2);
    assert!(common::process::stderr(&out).contains("invalid value 'many' for '--threads <N>'"));
}

/// A directory to fix: two workload files (one with CRLF line ends), a file with nothing
/// to fix, a file that is not UTF-8, and a read-only file (it cannot be written).
fn files_to_fix(dir: &Path) {
    let text = workloads::generate_from(12, 0);
    std::fs::write(dir.join("a.yaml"), &text).unwrap();
    std::fs::write(dir.join("b.yaml"), text.replace('\n', "\r\n")).unwrap();
    std::fs::write(
        dir.join("c.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    let mut latin1 = workloads::generate_from(2, 3).into_bytes();
    latin1.extend_from_slice(b"# caf\xe9\n");
    std::fs::write(dir.join("d.yaml"), latin1).unwrap();
    let ro = dir.join("e.yaml");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec: {containers: [{name: a, image: b}]}\n";
    std::fs::write(&ro, pod).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
}

/// Each file of a directory, sorted by name, with its bytes.
type Contents = Vec<(String, Vec<u8>)>;

/// Each file of `dir`, sorted, with its bytes.
fn contents(dir: &Path) -> Contents {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn fixes_are_planned_on_threads_and_taken_in_order() {
    // `--fix` and `--diff` plan each file's fixes on the threads, then print, write and
    // count in the inputs' order: the same output, exit code and fixed files on any
    // thread count.
    let mut first: Option<(Output, Contents)> = None;
    for threads in ["1", "2", "3", "100000"] {
        let dir = tempfile::tempdir().unwrap();
        files_to_fix(dir.path());
        let out = run_in(dir.path(), &["check", "--fix", "--threads", threads, "."]);
        let fixed = contents(dir.path());
        match &first {
            None => {
                assert_eq!(
                    code(&out),
                    2,
                    "a file could not be written: {}",
                    common::process::stderr(&out)
                );
                let err = common::process::stderr(&out);
                let warn = err.find("warning: ./d.yaml: not fixed: the file is not UTF-8");
                let ro = err.find("error: ./e.yaml: the fixes were not written: ");
                assert!(warn.is_some() && ro.is_some() && warn < ro, "{err}");
                let text = stdout(&out);
                assert!(text.contains("fixed "), "{text}");
                // The CRLF file is fixed as the other, its line ends kept.
                let b = &fixed[1].1;
                assert_eq!(
                    String::from_utf8_lossy(b).replace("\r\n", "\n").as_bytes(),
                    &fixed[0].1[..]
                );
                assert!(!b.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
                assert_ne!(fixed[0].1, workloads::generate_from(12, 0).into_bytes());
                first = Some((out, fixed));
            }
            Some((one, one_fixed)) => {
                assert_eq!(code(&out), code(one), "--threads {threads}");
                assert_eq!(out.stdout, one.stdout, "--threads {threads}");
                assert_eq!(out.stderr, one.stderr, "--threads {threads}");
                assert!(&fixed == one_fixed, "--threads {threads}: the files differ");
            }
        }
    }
    // --diff (human: the diffs are the output; JSON: each finding's fixes), and
    // --show-fixes, change nothing and say the same on any thread count.
    let dir = tempfile::tempdir().unwrap();
    files_to_fix(dir.path());
    let before = contents(dir.path());
    let diff = same_on_any_thread_count(dir.path(), &["check", "--diff", "."]);
    let patches = stdout(&diff);
    assert!(
        patches.find("--- ./a.yaml").unwrap() < patches.find("--- ./b.yaml").unwrap(),
        "{patches}"
    );
    same_with(
        dir.path(),
        &["check", "--diff", "--format", "json", "."],
        &[&["-j", "2"]],
    );
    same_with(
        dir.path(),
        &["check", "--show-fixes", "--format", "json", "."],
        &[&["-j", "3"]],
    );
    assert!(
        contents(dir.path()) == before,
        "--diff and --show-fixes wrote a file"
    );
}

#[test]
fn github_annotations_and_the_job_summary_are_the_same_on_any_thread_count() {
    // On several threads the workers render the annotations and the summary's rows; the
    // calling thread keeps the summary's byte budget (1 MiB) in order.
    let dir = tempfile::tempdir().unwrap();
    // 1,000 workloads: more rows than the summary's budget holds.
    std::fs::write(dir.path().join("a.yaml"), workloads::generate(1_000)).unwrap();
    std::fs::write(dir.path().join("b.yaml"), workloads::generate_from(20, 7)).unwrap();
    let run = |threads: &str| {
        let summary = dir.path().join(format!("summary-{threads}.md"));
        let out = Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
            .args([
                "check", "--format", "github", "-j", threads, "a.yaml", "b.yaml",
            ])
            .current_dir(dir.path())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        (out, std::fs::read_to_string(&summary).unwrap())
    };
    let (one, one_summary) = run("1");
    assert_eq!(code(&one), 1);
    assert!(
        one_summary.contains("| File:line | Rule |"),
        "{one_summary}"
    );
    for threads in ["2", "3"] {
        let (other, summary) = run(threads);
        assert_eq!(other.stdout, one.stdout, "-j {threads}");
        assert_eq!(other.stderr, one.stderr, "-j {threads}");
        assert!(
            summary == one_summary,
            "-j {threads}: the job summaries differ"
        );
    }
}

/// Found by a hostile tester: two files shown by the same name (one named with the four
/// characters `\xFF`, one with that byte) each get their resource line in the text
/// format, on one thread as on several.
#[cfg(unix)]
#[test]
fn files_shown_by_the_same_name_each_get_their_resource_line() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n";
    let escaped = "a\\xFF.yaml";
    let raw = std::ffi::OsStr::from_bytes(b"a\xff.yaml");
    std::fs::write(dir.path().join(escaped), pod).unwrap();
    if std::fs::write(dir.path().join(raw), pod).is_err() {
        return; // A file system that takes only UTF-8 names.
    }
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
            .args([
                "check",
                "--no-config",
                "--color",
                "never",
                "-j",
                threads,
                escaped,
            ])
            .arg(raw)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let one = run("1");
    let text = stdout(&one);
    assert_eq!(text.matches("Pod p (a\\xFF.yaml)").count(), 2, "{text}");
    for threads in ["2", "3"] {
        let other = run(threads);
        assert_eq!(stdout(&other), text, "-j {threads}");
    }
}
