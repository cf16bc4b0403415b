//! `unknown-field` as a user of the `kube-secctx` binary sees it: each typo at its
//! `file:line:column` with "did you mean" (concise and text formats), the JSON report's
//! finding, a JSON manifest found by walking a directory, a Deployment whose `template`
//! is misspelled, and the exit code (an error: it fails `--fail-on error`).
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

/// Runs the binary in `tests/fixtures/unknown-field/fail` (no color).
fn run(args: &[&str]) -> Output {
    run_in(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unknown-field/fail"),
        args,
    )
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run kube-secctx")
}

#[test]
fn concise_names_each_typo_at_its_key() {
    let o = run(&[
        "check",
        "--format",
        "concise",
        "--select",
        "unknown-field",
        "pod-security-context-typo.yaml",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let f = "pod-security-context-typo.yaml";
    assert_eq!(
        stdout(&o),
        format!(
            "{f}:18:9: error: `runAsNonroot` is not a field of PodSecurityContext in Kubernetes \
             v1.37: did you mean `runAsNonRoot`? [unknown-field]\n\
             {f}:24:11: error: `allowPrivilegedEscalation` is not a field of SecurityContext in \
             Kubernetes v1.37: did you mean `allowPrivilegeEscalation`? [unknown-field]\n\
             {f}:28:11: error: `securityContext` is not a field of ResourceRequirements in \
             Kubernetes v1.37: it belongs at \
             `spec.template.spec.containers[0].securityContext` (a field of Container) [unknown-field]\n\
             Found 3 findings (3 errors) in 1 file (1 resource checked).\n"
        )
    );
}

#[test]
fn text_frames_the_key() {
    let o = run(&["check", "--select", "unknown-field", "capabilites.yaml"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "capabilites.yaml:17:11: unknown-field [diagnostic] `capabilites` is not a field of \
             SecurityContext in Kubernetes v1.37"
        ),
        "{out}"
    );
    assert!(
        out.contains("17 |           capabilites:\n   |           ^^^^^^^^^^^\n"),
        "{out}"
    );
    assert!(out.contains("did you mean `capabilities`?"), "{out}");
}

#[test]
fn json_report_finding() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "--select",
        "unknown-field",
        "fsgroup-in-container.yaml",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = &report["findings"][0];
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(f["rule"], "unknown-field");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["pss"], serde_json::Value::Null);
    assert_eq!(f["container"], "files");
    assert_eq!(
        f["path"],
        "/spec/template/spec/containers/0/securityContext/fsGroup"
    );
    assert_eq!(f["range"]["start"]["line"], 20);
    assert_eq!(f["range"]["start"]["column"], 11);
    assert_eq!(f["range"]["end"]["column"], 18);
    assert!(f["message"].as_str().unwrap().ends_with(
        "it belongs at `spec.template.spec.securityContext.fsGroup` (a field of PodSecurityContext)"
    ));
    assert_eq!(report["summary"]["bySeverity"]["error"], 1);
}

/// Walking a directory finds `*.json` manifests: the JSON fixture's keys, at their
/// opening quotes.
#[test]
fn a_json_manifest_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unknown-field-manifest.json"),
        dir.path().join("web.json"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--select",
            "unknown-field",
            ".",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("./web.json:10:29: error: `runAsNonroot` is not a field"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("./web.json:15:33: error: `allowPrivilegedEscalation` is not a field"),
        "{out}"
    );
    assert_eq!(lines.len(), 3, "{out}");
}

/// A Deployment whose `template` is misspelled has no pod template: before, the check
/// printed "No problems found" and exited 0.
#[test]
fn a_misspelled_template_fails_the_run() {
    let o = run(&["check", "--format", "concise", "template-typo.yaml"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "template-typo.yaml:10:3: error: `tempalte` is not a field of DeploymentSpec in \
             Kubernetes v1.37: did you mean `template`? [unknown-field]\n\
             Found 1 finding (1 error) in 1 file (0 resources checked).\n"
        )
    );
}

/// An error, not a warning: `--fail-on error` fails on it; `--ignore` and `--exit-zero`
/// do not.
#[test]
fn exit_codes() {
    let args = ["check", "--select", "unknown-field", "sysctls-vaule.yaml"];
    let o = run(&[&args[..], &["--fail-on", "error"]].concat());
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = run(&[&args[..], &["--exit-zero"]].concat());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "check",
        "--ignore",
        "unknown-field",
        "--format",
        "json",
        "sysctls-vaule.yaml",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "unknown-field"));
}

/// The README's example ("Unknown and misplaced fields"): its `deploy.yaml` checked as
/// the README says gives exactly the output it shows.
#[test]
fn the_readme_example_is_what_the_tool_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split_once("## Unknown and misplaced fields")
        .expect("the section")
        .1;
    let manifest = section
        .split_once("```yaml\n")
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .expect("the manifest")
        .0;
    let command = "$ kube-secctx check deploy.yaml --select unknown-field --format concise\n";
    let shown = section
        .split_once(command)
        .and_then(|(_, rest)| rest.split_once("```\n"))
        .expect("the output")
        .0;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deploy.yaml"), manifest).unwrap();
    let out = Command::new(BIN)
        .args([
            "check",
            "deploy.yaml",
            "--select",
            "unknown-field",
            "--format",
            "concise",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), shown);
}
