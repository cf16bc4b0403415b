//! What a user sees from the `kube-secctx` binary for duplicated keys outside workloads:
//! each at its line and column in every format, of severity `error` (so `--fail-on
//! error` fails where it passed when `duplicate-key` was a warning), under the resource
//! that holds it, and ignorable like any rule (`--ignore`, the annotation, a baseline).
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// A Service, a ConfigMap, a List with duplicated own keys holding a Service and a
/// Deployment, a document that is not an object, and a JSON document.
const EVERY_DOCUMENT: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
  - port: 80
    port: 8080
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  a: \"1\"
  a: \"2\"
---
apiVersion: v1
kind: List
items: []
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s, name: s2}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
  spec:
    template:
      spec:
        containers:
        - {name: app, image: a, image: b}
---
- {a: 1, a: 2}
---
{\"a\": 1, \"a\": 2}
";

const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  selector: {app: web-v2}
  ports: [{port: 80}]
";

/// Runs the binary in `dir` (no color).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run kube-secctx")
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn concise_gives_each_duplicate_its_line_and_column() {
    let dir = dir_with(&[("all.yaml", EVERY_DOCUMENT)]);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--select",
            "duplicate-key",
            "all.yaml",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let expected = r#"all.yaml:9:5: error: duplicate key "port": this one wins over the one on line 8, which is ignored [duplicate-key]
all.yaml:16:3: error: duplicate key "a": this one wins over the one on line 15, which is ignored [duplicate-key]
all.yaml:21:1: error: duplicate key "kind": this one wins over the one on line 19, which is ignored [duplicate-key]
all.yaml:22:1: error: duplicate key "items": this one wins over the one on line 20, which is ignored [duplicate-key]
all.yaml:25:23: error: duplicate key "name": this one wins over the one on line 25, which is ignored [duplicate-key]
all.yaml:33:33: error: duplicate key "image": this one wins over the one on line 33, which is ignored [duplicate-key]
all.yaml:35:1: error: document is not a Kubernetes object (a mapping with `apiVersion` and `kind`)
all.yaml:35:10: error: duplicate key "a": this one wins over the one on line 35, which is ignored [duplicate-key]
all.yaml:37:1: error: document has no `apiVersion` and `kind`
all.yaml:37:10: error: duplicate key "a": this one wins over the one on line 37, which is ignored [duplicate-key]
Found 8 findings (8 errors) and 2 input errors in 1 file (1 resource checked).
"#;
    assert_eq!(stdout(&o), expected);
}

#[test]
fn text_names_the_resource_that_holds_each_duplicate() {
    let dir = dir_with(&[("all.yaml", EVERY_DOCUMENT)]);
    let o = run_in(
        dir.path(),
        &["check", "--select", "duplicate-key", "all.yaml"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    let heads: Vec<&str> = out.lines().filter(|l| l.ends_with("(all.yaml)")).collect();
    assert_eq!(
        heads,
        [
            "Service shop/web (all.yaml)",
            "ConfigMap cfg (all.yaml)",
            "List (no name) (all.yaml)",
            "Service s2 (all.yaml)",
            "Deployment d (all.yaml)",
            "(no kind) (no name) (all.yaml)",
            "(no kind) (no name) (all.yaml)",
        ],
        "{out}"
    );
    assert!(
        out.contains(
            "all.yaml:9:5: duplicate-key [diagnostic] duplicate key \"port\": this one wins \
             over the one on line 8, which is ignored\n  |\n9 |     port: 8080\n  |     ^^^^\n"
        ),
        "{out}"
    );
}

#[test]
fn a_duplicate_in_a_service_fails_at_error() {
    // With duplicate-key a warning, `--fail-on error` passed this file (exit 0).
    let dir = dir_with(&[("svc.yaml", SERVICE)]);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--fail-on",
            "error",
            "--format",
            "json",
            "svc.yaml",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report = json(&o);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "duplicate-key");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["path"], "/spec/selector");
    assert_eq!(f["range"]["start"]["line"], 7);
    assert_eq!(f["range"]["start"]["column"], 3);
    assert_eq!(
        f["resource"],
        serde_json::json!({"apiVersion": "v1", "kind": "Service", "name": "web", "namespace": null, "matchedBy": "none"})
    );
    assert_eq!(
        report["summary"]["bySeverity"],
        serde_json::json!({"error": 1})
    );
    // Fixed, the Service passes: it is not judged by any other rule.
    let fixed = SERVICE.replace("  selector: {app: web}\n", "");
    std::fs::write(dir.path().join("svc.yaml"), fixed).unwrap();
    let o = run_in(dir.path(), &["check", "svc.yaml"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn ignore_the_annotation_and_the_baseline_quiet_it() {
    let annotated = SERVICE.replace(
        "  name: web\n",
        "  name: web\n  annotations: {kube-secctx.io/ignore: duplicate-key}\n",
    );
    let dir = dir_with(&[("svc.yaml", SERVICE), ("quiet.yaml", &annotated)]);
    let ignored = run_in(
        dir.path(),
        &["check", "--ignore", "duplicate-key", "svc.yaml"],
    );
    assert_eq!(code(&ignored), 0, "{}", stdout(&ignored));
    let quiet = run_in(dir.path(), &["check", "--format", "json", "quiet.yaml"]);
    assert_eq!(code(&quiet), 0, "{}", stdout(&quiet));
    assert_eq!(json(&quiet)["summary"]["suppressed"], 1);
    let write = run_in(
        dir.path(),
        &["check", "--write-baseline", "b.json", "svc.yaml"],
    );
    assert_eq!(code(&write), 0, "{}", stderr(&write));
    let baseline = std::fs::read_to_string(dir.path().join("b.json")).unwrap();
    assert!(
        baseline.contains(
            r#"{"file": "svc.yaml", "kind": "Service", "name": "web", "rule": "duplicate-key", "path": "/spec/selector"}"#
        ),
        "{baseline}"
    );
    let again = run_in(dir.path(), &["check", "--baseline", "b.json", "svc.yaml"]);
    assert_eq!(code(&again), 0, "{}", stdout(&again));
}
