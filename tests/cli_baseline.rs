//! End-to-end tests of accepted findings (`check --write-baseline` / `--baseline`) and of
//! the exit rule (`--fail-on`, `--exit-zero`), on the binary run as a process in a
//! temporary repository.
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

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run kube-secctx")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

/// `(rule, container, path)` of each finding of a JSON report.
fn findings(report: &Value) -> Vec<(String, Option<String>, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["container"].as_str().map(str::to_string),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A Deployment with a privileged container and a hostPath volume, then a Pod: the
/// repository's state when its baseline is written.
const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
      volumes:
      - name: logs
        hostPath: {path: /var/log}
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
spec:
  containers:
  - name: shell
    image: busybox
";

/// A container that passes every rule.
// (Not a `"\` continuation, which would eat the first line's indentation.)
const SIDECAR: &str = "      - name: proxy
        image: envoy
        securityContext:
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
          seccompProfile: {type: RuntimeDefault}
";

/// `WEB` edited as a repository is: its documents swapped, lines added above, a sidecar
/// added before the container the baseline knows (so `app` is no longer item 0).
fn edited(web: &str) -> String {
    let (deployment, pod) = web.split_once("---\n").unwrap();
    let deployment = deployment.replace(
        "      containers:\n",
        &format!("      containers:\n{SIDECAR}"),
    );
    format!("# moved down by a comment\n\n{pod}---\n# and another\n{deployment}")
}

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy/web.yaml", WEB);
    dir
}

#[test]
fn write_then_check_reports_nothing_and_exits_0() {
    let dir = repository();
    let wrote = run_in(
        dir.path(),
        &["check", "--write-baseline", "baseline.json", "."],
    );
    assert_eq!(code(&wrote), 0, "{}", stderr(&wrote));
    let before = run_in(dir.path(), &["check", "--format", "json", "."]);
    let total = json(&before)["summary"]["findings"].as_u64().unwrap();
    assert!(total >= 8, "{}", stdout(&before));
    assert_eq!(
        stderr(&wrote),
        format!("wrote baseline.json: {total} findings accepted ({total} entries)\n")
    );
    assert!(stdout(&wrote).ends_with(&format!(
        "No problems found in 1 file (2 resources checked, {total} findings accepted by the baseline).\n"
    )));
    // The file: a version, the tool, entries sorted, one a line, names relative without
    // `./`, no line numbers.
    let text = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "{",
            "  \"version\": 1,",
            "  \"tool\": \"kube-secctx 0.1.0\",",
            "  \"findings\": ["
        ]
    );
    assert!(lines.contains(&"    {\"file\": \"deploy/web.yaml\", \"kind\": \"Deployment\", \"namespace\": \"shop\", \"name\": \"web\", \"container\": \"app\", \"rule\": \"privileged-container\", \"path\": \"/securityContext/privileged\"},"), "{text}");
    // A pod-level finding: below the pod spec.
    assert!(lines.contains(&"    {\"file\": \"deploy/web.yaml\", \"kind\": \"Deployment\", \"namespace\": \"shop\", \"name\": \"web\", \"rule\": \"forbidden-volume-type\", \"path\": \"/volumes/0/hostPath\"},"), "{text}");
    let entries: Vec<&str> = lines[4..lines.len() - 2].to_vec();
    let mut sorted = entries.clone();
    sorted.sort_by_key(|l| {
        let v: Value = serde_json::from_str(l.trim_end_matches(',')).unwrap();
        [
            "file",
            "kind",
            "namespace",
            "name",
            "container",
            "rule",
            "path",
        ]
        .map(|k| v[k].as_str().map(|s| format!("1{s}")).unwrap_or_default())
    });
    assert_eq!(entries, sorted);
    assert!(!text.contains("line"), "{text}");

    let again = run_in(
        dir.path(),
        &["check", "--baseline", "baseline.json", "deploy"],
    );
    assert_eq!(code(&again), 0, "{}", stdout(&again));
    assert_eq!(
        stdout(&again),
        format!("No problems found in 1 file (2 resources checked, {total} findings accepted by the baseline).\n")
    );
}

#[test]
fn moved_lines_reordered_documents_and_a_sidecar_keep_the_baseline_a_new_finding_does_not() {
    let dir = repository();
    let wrote = run_in(dir.path(), &["check", "--write-baseline", "b.json", "."]);
    assert_eq!(code(&wrote), 0);
    write(dir.path(), "deploy/web.yaml", &edited(WEB));
    let same = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "json", "."],
    );
    assert_eq!(code(&same), 0, "{}", stdout(&same));
    let report = json(&same);
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report["baseline"]["fixed"], serde_json::json!([]));
    assert_eq!(
        report["summary"]["baselined"],
        report["baseline"]["accepted"]
    );

    // A new finding: the sidecar binds a host port. Only it is reported, and it fails.
    let new = edited(WEB).replace(
        "        image: envoy\n",
        "        image: envoy\n        ports:\n        - {containerPort: 80, hostPort: 80}\n",
    );
    write(dir.path(), "deploy/web.yaml", &new);
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "json", "."],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        findings(&json(&out)),
        vec![(
            "host-port".to_string(),
            Some("proxy".to_string()),
            "/spec/template/spec/containers/0/ports/0/hostPort".to_string()
        )]
    );
    let text = run_in(dir.path(), &["check", "--baseline", "b.json", "."]);
    assert_eq!(code(&text), 1);
    let shown = stdout(&text);
    assert!(
        shown.starts_with("Deployment shop/web (./deploy/web.yaml)\n./deploy/web.yaml:26:41: host-port [PSS baseline] hostPort: container \"proxy\" uses hostPort 80\n"),
        "{shown}"
    );
    assert!(
        // b.json, found by walking `.`, is not a manifest: skipped.
        shown.ends_with("Found 1 finding (1 error) in 1 file (2 resources checked, 15 findings accepted by the baseline). 1 file skipped (not a Kubernetes manifest).\n"),
        "{shown}"
    );
    assert!(!shown.contains("privileged-container"), "{shown}");
}

#[test]
fn a_second_finding_of_one_fingerprint_is_new() {
    // Two host ports accepted; a third one on the same container is new (the count).
    let pod = |ports: usize| {
        let mut t = String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: x\n    ports:\n");
        for i in 0..ports {
            t.push_str(&format!("    - {{containerPort: {i}, hostPort: 80{i}}}\n"));
        }
        t
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", &pod(2));
    let wrote = run_in(
        dir.path(),
        &[
            "check",
            "--select",
            "host-port",
            "--write-baseline",
            "b.json",
            "p.yaml",
        ],
    );
    assert_eq!(code(&wrote), 0);
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    // Each port is its own pointer: two entries.
    assert!(
        text.contains("\"path\": \"/ports/0/hostPort\"}")
            && text.contains("\"path\": \"/ports/1/hostPort\"}"),
        "{text}"
    );
    write(dir.path(), "p.yaml", &pod(3));
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--select",
            "host-port",
            "--baseline",
            "b.json",
            "--format",
            "json",
            "p.yaml",
        ],
    );
    assert_eq!(code(&out), 1);
    let report = json(&out);
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(
        report["findings"][0]["path"],
        "/spec/containers/0/ports/2/hostPort"
    );
    assert_eq!(report["summary"]["baselined"], 2);
}

#[test]
fn a_fixed_finding_is_a_stale_entry_and_exits_0() {
    let dir = repository();
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--write-baseline", "b.json", "."]
        )),
        0
    );
    write(
        dir.path(),
        "deploy/web.yaml",
        &WEB.replace("privileged: true", "privileged: false"),
    );
    let out = run_in(dir.path(), &["check", "--baseline", "b.json", "."]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let shown = stdout(&out);
    assert!(
        shown.starts_with(
            "fixed: deploy/web.yaml: Deployment shop/web container \"app\": privileged-container at /securityContext/privileged\n\
             1 baseline finding is no longer found (fixed): run with --write-baseline b.json to drop it.\n\n\
             No problems found in 1 file (2 resources checked, "
        ),
        "{shown}"
    );
    let report = json(&run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "json", "."],
    ));
    assert_eq!(
        report["baseline"]["fixed"],
        serde_json::json!([{
            "file": "deploy/web.yaml", "kind": "Deployment", "namespace": "shop", "name": "web",
            "container": "app", "rule": "privileged-container",
            "path": "/securityContext/privileged", "count": 1
        }])
    );
    assert_eq!(report["baseline"]["file"], "b.json");
    assert_eq!(report["baseline"]["written"], false);
    // Rewriting the baseline drops the entry.
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--write-baseline", "b.json", "."]
        )),
        0
    );
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    assert!(!text.contains("privileged-container"), "{text}");
    let clean = stdout(&run_in(dir.path(), &["check", "--baseline", "b.json", "."]));
    assert!(!clean.contains("fixed"), "{clean}");
}

#[test]
fn absolute_and_relative_paths_name_one_file() {
    let dir = repository();
    let abs = dir.path().canonicalize().unwrap().join("deploy");
    let abs = abs.to_str().unwrap();
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--write-baseline", "b.json", abs]
        )),
        0
    );
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    assert!(text.contains("\"file\": \"deploy/web.yaml\""), "{text}");
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "./deploy/web.yaml"],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn fix_then_record_what_remains() {
    let dir = repository();
    let before = json(&run_in(dir.path(), &["check", "--format", "json", "."]));
    let total = before["summary"]["findings"].as_u64().unwrap() as usize;
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--write-baseline", "b.json", "."],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    // The safe fixes ran first: what they fixed is not recorded.
    let after = json(&run_in(dir.path(), &["check", "--format", "json", "."]));
    let left = after["summary"]["findings"].as_u64().unwrap() as usize;
    assert_eq!(
        text.lines().filter(|l| l.starts_with("    {")).count(),
        left,
        "{text}"
    );
    assert!(left < total, "{left} of {total}");
    assert_eq!(
        code(&run_in(dir.path(), &["check", "--baseline", "b.json", "."])),
        0
    );
}

#[test]
fn a_bad_baseline_file_is_a_usage_error_with_its_position() {
    let dir = repository();
    let cases = [
        ("{\n  \"version\": 1,\n  \"findings\": [\n    {\"file\": \"a.yaml\"}\n  ]\n}\n", "b.json:4:22: not a kube-secctx baseline: missing field `kind`"),
        ("{\"version\": 2, \"findings\": []}", "b.json:1:13: not a kube-secctx baseline: baseline format version 2 is not supported: this kube-secctx reads version 1 (write the baseline again with --write-baseline)"),
        ("findings:\n- a\n", "b.json:1:1: not a kube-secctx baseline: expected a JSON object (`{`), as --write-baseline writes"),
        ("", "b.json:1:1: not a kube-secctx baseline: expected a JSON object (`{`), as --write-baseline writes"),
    ];
    for (text, message) in cases {
        write(dir.path(), "b.json", text);
        let out = run_in(dir.path(), &["check", "--baseline", "b.json", "."]);
        assert_eq!(code(&out), 2, "{text}");
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{text}");
        assert_eq!(stdout(&out), "");
    }
    let missing = run_in(dir.path(), &["check", "--baseline", "missing.json", "."]);
    assert_eq!(code(&missing), 2);
    assert_eq!(
        stderr(&missing),
        "error: missing.json: cannot read the baseline: No such file or directory (os error 2)\n"
    );
    // Recording and comparing at once, or a diff that writes nothing: usage errors.
    for args in [
        [
            "check",
            "--baseline",
            "b.json",
            "--write-baseline",
            "c.json",
        ],
        ["check", "--diff", ".", "--write-baseline", "c.json"],
    ] {
        let out = run_in(dir.path(), &args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(
            stderr(&out).contains("cannot be used with"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn an_unreadable_input_writes_no_baseline() {
    let dir = repository();
    let out = run_in(
        dir.path(),
        &["check", "--write-baseline", "b.json", ".", "missing.yaml"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(
            "error: b.json: the baseline was not written, as some inputs could not be read"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("b.json").exists());
}

#[test]
fn sarif_marks_new_results() {
    let dir = repository();
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--write-baseline", "b.json", "."]
        )),
        0
    );
    write(
        dir.path(),
        "deploy/web.yaml",
        &WEB.replace(
            "privileged: true",
            "privileged: true\n          runAsUser: 0",
        ),
    );
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "sarif", "."],
    );
    assert_eq!(code(&out), 1);
    let log = json(&out);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["ruleId"], "run-as-root-user");
    assert_eq!(results[0]["baselineState"], "new");
    // Without a baseline, no result has a baselineState.
    let plain = json(&run_in(dir.path(), &["check", "--format", "sarif", "."]));
    assert!(plain["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get("baselineState").is_none()));
}

#[test]
fn reports_without_a_baseline_keep_their_shape() {
    let dir = repository();
    let report = json(&run_in(dir.path(), &["check", "--format", "json", "."]));
    assert!(report.get("baseline").is_none());
    assert!(report["summary"].get("baselined").is_none());
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6);
}

// The exit rule.

/// Findings of severity warning only (`writable-root-filesystem`).
const WARNINGS_ONLY: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: warn}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: x
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
";

const ERRORS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: err}
spec:
  containers:
  - {name: app, image: x, securityContext: {privileged: true}}
";

/// Valid YAML that is not a Kubernetes object: an input error, no finding.
const INPUT_ERROR: &str = "just: a mapping\n";

const CLEAN: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: x
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
";

#[test]
fn the_exit_table() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("warnings.yaml", WARNINGS_ONLY),
        ("errors.yaml", ERRORS),
        ("input-error.yaml", INPUT_ERROR),
        ("clean.yaml", CLEAN),
    ] {
        write(dir.path(), name, text);
    }
    let severities = json(&run_in(
        dir.path(),
        &["check", "--format", "json", "warnings.yaml"],
    ));
    assert_eq!(
        severities["summary"]["bySeverity"],
        serde_json::json!({"warning": 1})
    );
    // (file, [no option, --fail-on error, --fail-on warning, --fail-on none, --exit-zero])
    let table = [
        ("clean.yaml", [0, 0, 0, 0, 0]),
        ("warnings.yaml", [1, 0, 1, 0, 0]),
        ("errors.yaml", [1, 1, 1, 0, 0]),
        ("input-error.yaml", [1, 1, 1, 0, 0]),
        ("missing.yaml", [2, 2, 2, 2, 2]),
    ];
    let options: [&[&str]; 5] = [
        &[],
        &["--fail-on", "error"],
        &["--fail-on", "warning"],
        &["--fail-on", "none"],
        &["--exit-zero"],
    ];
    for (file, expected) in table {
        for (opts, want) in options.iter().zip(expected) {
            let mut args = vec!["check"];
            args.extend_from_slice(opts);
            args.push(file);
            let out = run_in(dir.path(), &args);
            assert_eq!(
                code(&out),
                want,
                "{args:?}\n{}{}",
                stdout(&out),
                stderr(&out)
            );
        }
    }
    // Both spellings of "never fail" at once: a usage error.
    let both = run_in(
        dir.path(),
        &["check", "--exit-zero", "--fail-on", "error", "clean.yaml"],
    );
    assert_eq!(code(&both), 2);
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
    let bad = run_in(dir.path(), &["check", "--fail-on", "info", "clean.yaml"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("[possible values: error, warning, none]"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn baselined_errors_do_not_fail_and_fail_on_error_ignores_new_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", ERRORS);
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--write-baseline", "b.json", "p.yaml"]
        )),
        0
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--baseline", "b.json", "p.yaml"]
        )),
        0
    );
    // A new warning (a sidecar whose root filesystem is writable, otherwise restricted)
    // fails at warning, not at error. (A duplicated key was the new warning here before
    // it became an error.)
    write(
        dir.path(),
        "p.yaml",
        &format!(
            "{ERRORS}  - {{name: side, image: y, securityContext: {{runAsNonRoot: true, \
             allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}, \
             seccompProfile: {{type: RuntimeDefault}}}}}}\n"
        ),
    );
    let at_warning = run_in(
        dir.path(),
        &[
            "check",
            "--baseline",
            "b.json",
            "--format",
            "json",
            "p.yaml",
        ],
    );
    assert_eq!(code(&at_warning), 1);
    assert_eq!(
        json(&at_warning)["summary"]["bySeverity"],
        serde_json::json!({"warning": 1})
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &[
                "check",
                "--baseline",
                "b.json",
                "--fail-on",
                "error",
                "p.yaml"
            ]
        )),
        0
    );
}

#[test]
fn fix_exits_on_what_remains_and_diff_on_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    // A missing allowPrivilegeEscalation has a safe fix; the writable root filesystem (a
    // warning) has only an unsafe one, so it remains after --fix.
    let fixable = WARNINGS_ONLY.replace("      allowPrivilegeEscalation: false\n", "");
    write(dir.path(), "p.yaml", &fixable);
    let diff = run_in(
        dir.path(),
        &["check", "--diff", "--fail-on", "error", "p.yaml"],
    );
    assert_eq!(code(&diff), 1, "{}", stdout(&diff));
    assert!(
        stdout(&diff).starts_with("--- p.yaml\n+++ p.yaml\n"),
        "{}",
        stdout(&diff)
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--diff", "--fail-on", "none", "p.yaml"]
        )),
        0
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["check", "--diff", "--exit-zero", "p.yaml"]
        )),
        0
    );
    // --fix exits on what remains: one warning.
    let fixed = run_in(
        dir.path(),
        &["check", "--fix", "--fail-on", "error", "p.yaml"],
    );
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    assert!(
        stdout(&fixed).contains("writable-root-filesystem"),
        "{}",
        stdout(&fixed)
    );
    assert!(stdout(&fixed).ends_with("fixed 1 finding in 1 file; 1 remains; 1 finding has an unsafe fix (add --unsafe-fixes after checking `kube-secctx explain RULE`).\n"), "{}", stdout(&fixed));
    write(dir.path(), "p.yaml", &fixable);
    assert_eq!(code(&run_in(dir.path(), &["check", "--fix", "p.yaml"])), 1);
    assert!(std::fs::read_to_string(dir.path().join("p.yaml"))
        .unwrap()
        .contains("allowPrivilegeEscalation: false"));
    // Nothing left to fix: the diff is empty and exits 0, whatever remains.
    let empty = run_in(dir.path(), &["check", "--diff", "p.yaml"]);
    assert_eq!(code(&empty), 0);
    assert_eq!(stdout(&empty), "");
}

#[test]
fn standard_input_with_fix_and_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", ERRORS);
    assert_eq!(
        code(&run_in(
            dir.path(),
            &[
                "check",
                "--write-baseline",
                "b.json",
                "--stdin-filename",
                "p.yaml",
                "p.yaml"
            ]
        )),
        0
    );
    let text = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    assert!(text.contains("\"file\": \"p.yaml\""), "{text}");
    // The same text on standard input, named as the file, with its privileged container
    // fixed by hand: nothing new, one entry fixed (on standard error, with the report).
    let fixed = ERRORS.replace("privileged: true", "privileged: false");
    let out = Command::new(BIN)
        .args([
            "check",
            "--fix",
            "--baseline",
            "b.json",
            "--stdin-filename",
            "p.yaml",
            "-",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(fixed.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // --fix fixed three more: four entries are fixed.
    let err = stderr(&out);
    assert!(err.contains("\nfixed: p.yaml: Pod err container \"app\": privileged-container at /securityContext/privileged\n"), "{err}");
    assert!(err.contains("\n4 baseline findings are no longer found (fixed): run with --write-baseline b.json to drop them.\n"), "{err}");
    assert!(
        err.contains("fixed 3 findings in 1 file; 0 remain;"),
        "{err}"
    );
}

/// A run over some files (pre-commit passes the staged ones): the other files' entries are
/// neither reported as fixed nor dropped by `--write-baseline`.
#[test]
fn a_run_over_some_files_leaves_the_other_files_entries_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/web.yaml", WEB);
    write(dir.path(), "b/web.yaml", WEB);
    let wrote = run_in(
        dir.path(),
        &["check", "--write-baseline", "b.json", "a", "b"],
    );
    assert_eq!(code(&wrote), 0, "{}", stderr(&wrote));
    let all = std::fs::read_to_string(dir.path().join("b.json")).unwrap();

    // Only a/ checked, unchanged: nothing new, nothing fixed (b/'s entries are not stale).
    let out = run_in(dir.path(), &["check", "--baseline", "b.json", "a"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!stdout(&out).contains("fixed"), "{}", stdout(&out));
    // a/ fixed (the Pod removed): only a/'s entries are reported as fixed.
    write(dir.path(), "a/web.yaml", WEB.split("---").next().unwrap());
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "json", "a"],
    );
    let fixed = json(&out)["baseline"]["fixed"].clone();
    let files: Vec<&str> = fixed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert!(
        !files.is_empty() && files.iter().all(|f| *f == "a/web.yaml"),
        "{fixed}"
    );

    // Rewriting the baseline over a/ alone keeps b/'s entries as they were.
    let rewrote = run_in(dir.path(), &["check", "--write-baseline", "b.json", "a"]);
    assert_eq!(code(&rewrote), 0, "{}", stderr(&rewrote));
    let now = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    let b_lines = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("\"b/web.yaml\""))
            .map(String::from)
            .collect()
    };
    assert_eq!(b_lines(&now), b_lines(&all));
    assert!(!b_lines(&all).is_empty());
    assert!(
        now.lines().filter(|l| l.contains("\"a/web.yaml\"")).count()
            < all.lines().filter(|l| l.contains("\"a/web.yaml\"")).count()
    );
}

/// A baseline that cannot be written is a usage error before anything is checked: the
/// findings are not accepted (and hidden) for a file that will never hold them.
#[test]
fn an_unwritable_baseline_is_refused_before_the_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "web.yaml", WEB);
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--write-baseline",
            "missing/dir/b.json",
            "web.yaml",
        ],
    );
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .starts_with("error: missing/dir/b.json: the baseline cannot be written there: "),
        "{}",
        stderr(&out)
    );
    // A device is not replaced by a regular file, nor read without end.
    let out = run_in(
        dir.path(),
        &["check", "--write-baseline", "/dev/null", "web.yaml"],
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: /dev/null: the baseline cannot be written there: not a regular file\n"
    );
    assert!(!std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_file());
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "/dev/zero", "web.yaml"],
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: /dev/zero: cannot read the baseline: not a regular file\n"
    );
}

/// A file deleted below a walked directory: its entries are fixed (the walk would have
/// found it), and a rewrite drops them; `--write-baseline` never replaces a file that is
/// not a baseline (a manifest named by mistake).
#[test]
fn deleted_files_are_fixed_and_manifests_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sub/a.yaml", WEB);
    write(dir.path(), "sub/c.yaml", WEB);
    let wrote = run_in(dir.path(), &["check", "--write-baseline", "b.json", "sub"]);
    assert_eq!(code(&wrote), 0, "{}", stderr(&wrote));
    std::fs::remove_file(dir.path().join("sub/c.yaml")).unwrap();
    let out = run_in(
        dir.path(),
        &["check", "--baseline", "b.json", "--format", "json", "sub"],
    );
    let fixed = json(&out)["baseline"]["fixed"].clone();
    assert!(
        !fixed.as_array().unwrap().is_empty()
            && fixed
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["file"] == "sub/c.yaml"),
        "{fixed}"
    );
    let rewrote = run_in(dir.path(), &["check", "--write-baseline", "b.json", "sub"]);
    assert!(
        !std::fs::read_to_string(dir.path().join("b.json"))
            .unwrap()
            .contains("sub/c.yaml"),
        "{}",
        stderr(&rewrote)
    );

    let out = run_in(
        dir.path(),
        &["check", "--write-baseline", "sub/a.yaml", "sub/a.yaml"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .starts_with("error: sub/a.yaml: exists and is not a kube-secctx baseline (1:1: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.yaml")).unwrap(),
        WEB
    );
}
