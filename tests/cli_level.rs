//! `check --level` runs the input diagnostics too (issue 15): a value the API server would
//! reject decides what Pod Security Admission would ever see, so a level must not print
//! "No problems found" for it. They stay input diagnostics (`pss: null`, no modes), are
//! errors, and `--select`/`--ignore` choose them; the hardening rules still do not run.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// The example of the issue: a privileged container written with a quoted `"true"`.
const QUOTED_TRUE: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      privileged: \"true\"
";

/// `containers:` written as a mapping: the API server rejects it, and no PSS check can
/// look inside.
const CONTAINERS_MAPPING: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        name: app
        image: registry.example/app:1.0
";

/// Runs the binary in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run kube-secctx")
}

/// A temporary directory holding `m.yaml` with `text`.
fn manifest(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), text).unwrap();
    dir
}

/// `check --no-config ARGS m.yaml` in `dir` (no configuration file above the temporary
/// directory can change the run).
fn check(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["check", "--no-config"];
    all.extend_from_slice(args);
    all.push("m.yaml");
    run_in(dir, &all)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

/// `(rule, line, column)` of each finding of a JSON report.
fn located(report: &Value) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let start = &f["range"]["start"];
            (
                f["rule"].as_str().unwrap().to_string(),
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn level_restricted_reports_a_quoted_true_and_exits_1() {
    let dir = manifest(QUOTED_TRUE);
    let o = check(
        dir.path(),
        &["--level", "restricted", "--format", "concise"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    assert!(
        out.contains(
            "m.yaml:10:19: error: privileged must be a boolean (true or false), but it is the \
             string \"true\"; the API server rejects this manifest [invalid-field-type]\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "m.yaml:10:19: error: privileged: container \"app\" must not set \
             securityContext.privileged=true [privileged-container]\n"
        ),
        "{out}"
    );
    // No hardening rule at a level (the default profile would add two).
    assert!(!out.contains("[writable-root-filesystem]"), "{out}");
    assert!(!out.contains("[pod-security-context-missing]"), "{out}");
    assert!(
        out.ends_with("Found 6 findings (6 errors) in 1 file (1 resource checked).\n"),
        "{out}"
    );

    // The text format names it an input diagnostic, not a PSS check.
    let o = check(dir.path(), &["--level", "restricted"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("m.yaml:10:19: invalid-field-type [diagnostic] privileged must be"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_diagnostic_is_not_a_pss_finding_in_the_json_report() {
    let dir = manifest(QUOTED_TRUE);
    let o = check(dir.path(), &["--level", "baseline", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let report = json(&o);
    assert_eq!(
        located(&report),
        [
            ("invalid-field-type".to_string(), 10, 19),
            ("privileged-container".to_string(), 10, 19),
        ]
    );
    let diagnostic = &report["findings"][0];
    assert_eq!(diagnostic["pss"], Value::Null);
    assert_eq!(diagnostic["severity"], "error");
    assert!(diagnostic.get("modes").is_none(), "{diagnostic}");
    assert!(diagnostic.get("admission").is_none(), "{diagnostic}");
    assert_eq!(report["findings"][1]["pss"]["check"], "privileged");
    assert_eq!(report["summary"]["byRule"]["invalid-field-type"], 1);
    assert_eq!(report["options"]["level"], "baseline");
}

/// Before issue 15, `--level baseline` printed "No problems found" for a Deployment
/// whose `containers:` the API server rejects.
#[test]
fn level_baseline_does_not_pass_containers_written_as_a_mapping() {
    let dir = manifest(CONTAINERS_MAPPING);
    let o = check(dir.path(), &["--level", "baseline", "--format", "concise"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "m.yaml:7:7: error: containers must be a list, but it is a mapping; the API server \
         rejects this manifest [invalid-field-type]\n\
         Found 1 finding (1 error) in 1 file (1 resource checked).\n"
    );
}

#[test]
fn select_and_ignore_choose_diagnostics_under_a_level() {
    let dir = manifest(QUOTED_TRUE);
    // `--ignore invalid-field-type`: the PSS finding alone, as before issue 15.
    let o = check(
        dir.path(),
        &[
            "--level",
            "baseline",
            "--ignore",
            "invalid-field-type",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        located(&json(&o)),
        [("privileged-container".to_string(), 10, 19)]
    );
    // `--select invalid-field-type` runs it alone, with no "will not run" warning.
    let o = check(
        dir.path(),
        &[
            "--level",
            "baseline",
            "--select",
            "invalid-field-type",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "");
    assert_eq!(
        located(&json(&o)),
        [("invalid-field-type".to_string(), 10, 19)]
    );
    // A hardening rule selected under a level still warns that it will not run.
    let o = check(
        dir.path(),
        &[
            "--level",
            "baseline",
            "--select",
            "writable-root-filesystem",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stderr(&o).contains(
            "warning: rule `writable-root-filesystem` will not run: it is a hardening rule"
        ),
        "{}",
        stderr(&o)
    );
    // Without the diagnostic, `--fail-on` and the exit code follow the PSS finding alone;
    // the diagnostic is an error, so `--fail-on error` fails on it alone too.
    let clean = manifest(&QUOTED_TRUE.replace("privileged: \"true\"", "privileged: \"false\""));
    let o = check(clean.path(), &["--level", "baseline", "--fail-on", "error"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let o = check(
        clean.path(),
        &["--level", "baseline", "--ignore", "invalid-field-type"],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        "No problems found in 1 file (1 resource checked).\n"
    );
}

/// The configuration file's `level` is a level too.
#[test]
fn the_config_files_level_runs_them_too() {
    let dir = manifest(CONTAINERS_MAPPING);
    std::fs::write(dir.path().join(".kube-secctx.yaml"), "level: restricted\n").unwrap();
    let o = run_in(dir.path(), &["check", "--format", "concise", "m.yaml"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("m.yaml:7:7: error: containers must be a list"),
        "{}",
        stdout(&o)
    );
}
