//! `kube-secctx check` on the fixture repository `tests/repo`, as a process:
//! Namespace documents of the inputs, `--namespaces`, `--admission-config`, the notes, the
//! per-mode severities and words, and `--level` overriding them.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repo")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kube-secctx")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `(file, resource name, rule, severity, admission)` of the PSS findings.
fn pss(report: &Value) -> Vec<(String, String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["pss"].is_null())
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_string();
            (
                s(&f["file"]),
                s(&f["resource"]["name"]),
                s(&f["rule"]),
                s(&f["severity"]),
                s(&f["admission"]),
            )
        })
        .collect()
}

fn has(
    found: &[(String, String, String, String, String)],
    want: (&str, &str, &str, &str, &str),
) -> bool {
    found
        .iter()
        .any(|(f, n, r, s, a)| (f.as_str(), n.as_str(), r.as_str(), s.as_str(), a.as_str()) == want)
}

const SELECT: &str =
    "--select=host-namespaces,probe-or-lifecycle-host,may-run-as-root,privileged-container";

#[test]
fn each_workload_follows_its_namespace_labels_version_and_mode() {
    let out = run(&repo(), &["check", ".", "--format", "json", SELECT]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let found = pss(&report);
    // system-tools enforces, audits and warns privileged: nothing; legacy has no labels
    // and no configuration gives defaults: privileged, nothing.
    // The chart's and the kustomization's workloads (tests/walk.rs) name no namespace the
    // input describes: judged as without namespaces (restricted as enforce), no admission
    // wording.
    assert!(
        found
            .iter()
            .filter(|(f, ..)| f.starts_with("./apps/"))
            .all(|(f, ..)| f == "./apps/team-a.yaml"),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .filter(|(f, ..)| !f.starts_with("./apps/"))
            .all(|(f, _, _, s, a)| (f == "./json/deployment.json"
                || f == "./kustomize/deployment.yaml")
                && s == "error"
                && a.is_empty()),
        "{found:#?}"
    );
    // team-a: enforce baseline v1.24, warn restricted (latest).
    let team_a = "./apps/team-a.yaml";
    assert!(has(
        &found,
        (
            team_a,
            "debug",
            "host-namespaces",
            "error",
            "rejected (enforce baseline:v1.24)"
        )
    ));
    assert!(has(
        &found,
        (
            team_a,
            "debug",
            "may-run-as-root",
            "warning",
            "kubectl apply would warn once the Pod is no longer rejected (warn restricted:latest)"
        )
    ));
    assert!(has(
        &found,
        (
            team_a,
            "web",
            "host-namespaces",
            "error",
            "the Deployment is accepted; its Pods would be rejected (FailedCreate) (enforce \
         baseline:v1.24); kubectl apply would warn (warn restricted:latest)"
        )
    ));
    // hostProbesAndHostLifecycle exists from v1.34: not enforced at v1.24, warned about
    // at restricted latest.
    assert!(has(
        &found,
        (
            team_a,
            "web",
            "probe-or-lifecycle-host",
            "warning",
            "kubectl apply would warn (warn restricted:latest)"
        )
    ));
    let apps = found.iter().filter(|(f, ..)| f.starts_with("./apps/"));
    assert_eq!(apps.count(), 5, "{found:#?}");
    assert_eq!(found.len(), 7, "{found:#?}");
    // One note, for legacy, at its Namespace document.
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["file"], "./namespaces/namespaces.yaml");
    assert_eq!(
        notes[0]["message"],
        "namespace legacy has no pod-security.kubernetes.io/enforce label: the cluster enforces nothing"
    );
    assert_eq!(notes[0]["range"]["start"]["line"], 20);
    assert_eq!(report["summary"]["notes"], 1);
    // The text report says it too.
    let text = run(&repo(), &["check", ".", SELECT]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains(
            "./namespaces/namespaces.yaml:20:1: note: namespace legacy has no \
         pod-security.kubernetes.io/enforce label: the cluster enforces nothing\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  = admission: rejected (enforce baseline:v1.24)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "(9 resources checked, 1 note). 8 files skipped (not Kubernetes manifests).\n"
        ),
        "{stdout}"
    );
}

#[test]
fn admission_configuration_defaults_and_exemptions() {
    let out = run(
        &repo(),
        &[
            "check",
            ".",
            "--format",
            "json",
            SELECT,
            "--admission-config",
            "cluster/admission.yaml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let found = pss(&report);
    // system-tools is exempt (and privileged); the kata pod in legacy is exempt by its
    // runtimeClassName: no privileged-container finding anywhere.
    assert!(
        found.iter().all(|(f, ..)| f != "./apps/system-tools.yaml"),
        "{found:#?}"
    );
    assert!(
        found.iter().all(|(_, n, ..)| n != "sandboxed"),
        "{found:#?}"
    );
    // legacy has no labels: the defaults (enforce baseline latest, audit and warn
    // restricted) apply, so the probe host (v1.34) is enforced.
    let audit = "recorded in the audit log (audit restricted:latest)";
    assert!(has(
        &found,
        (
            "./apps/legacy.yaml",
            "web",
            "probe-or-lifecycle-host",
            "error",
            &format!(
                "the Deployment is accepted; its Pods would be rejected (FailedCreate) (enforce \
             baseline:latest); kubectl apply would warn (warn restricted:latest); {audit}"
            )
        )
    ));
    // team-a's labels win; its unlabelled audit mode takes the default.
    assert!(has(
        &found,
        (
            "./apps/team-a.yaml",
            "debug",
            "host-namespaces",
            "error",
            &format!("rejected (enforce baseline:v1.24); {audit}")
        )
    ));
    // No unlabelled note (the defaults enforce baseline); usernames said once.
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(notes[0]["file"].is_null());
    assert!(notes[0]["message"]
        .as_str()
        .unwrap()
        .contains("exempts usernames"));
}

#[test]
fn namespaces_from_the_cluster_and_level_override() {
    let dir = tempfile::tempdir().unwrap();
    // What `kubectl get namespaces -o yaml` writes.
    std::fs::write(
        dir.path().join("cluster-ns.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    \
         name: team-a\n    labels:\n      pod-security.kubernetes.io/audit: baseline\n      \
         pod-security.kubernetes.io/enforce: restrictd\n",
    )
    .unwrap();
    let app = repo().join("apps/team-a.yaml");
    let app = app.to_str().unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            app,
            "--format",
            "json",
            SELECT,
            "--namespaces",
            "cluster-ns.yaml",
        ],
    );
    let report = json(&out);
    let found = pss(&report);
    // An invalid enforce level is restricted (PolicyToEvaluate), said as a note at the
    // label in the cluster's list.
    assert!(
        found.iter().any(|(_, n, r, s, a)| n == "debug"
            && r == "may-run-as-root"
            && s == "error"
            && a == "rejected (enforce restricted:latest)"),
        "{found:#?}"
    );
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes[0]["file"], "cluster-ns.yaml");
    assert_eq!(notes[0]["range"]["start"]["line"], 10);
    assert!(notes[0]["message"].as_str().unwrap().starts_with(
        "namespace team-a: invalid Pod Security label metadata.labels[pod-security.kubernetes.io/enforce]: \"restrictd\""
    ));
    // --level judges everything at that level, as before: no admission words.
    let out = run(
        dir.path(),
        &[
            "check",
            app,
            "--format",
            "json",
            SELECT,
            "--namespaces",
            "cluster-ns.yaml",
            "--level",
            "baseline",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the namespaces and the admission configuration given are ignored"));
    let report = json(&out);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("admission").is_none()));
    assert!(report.get("notes").is_none());
    assert!(report["summary"].get("notes").is_none());

    // --no-namespace-labels: every resource by the level alone, the labels unread (a
    // repository's own Namespace cannot quiet the check).
    let out = run(
        dir.path(),
        &[
            "check",
            app,
            "--format",
            "json",
            SELECT,
            "--namespaces",
            "cluster-ns.yaml",
            "--no-namespace-labels",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "--no-namespace-labels: the namespaces and the admission configuration given are ignored"
    ));
    let report = json(&out);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("admission").is_none() && f["severity"] == "error"));
    assert!(report.get("notes").is_none());

    // `--level default` only undoes a config file's level: the namespaces still judge.
    let out = run(
        dir.path(),
        &[
            "check",
            app,
            "--format",
            "json",
            SELECT,
            "--namespaces",
            "cluster-ns.yaml",
            "--level",
            "default",
        ],
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("ignored"));
    assert!(json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.get("admission").is_some()));
}

#[test]
fn invalid_admission_configuration_is_a_usage_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("admission.yaml"),
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n\
         - name: PodSecurity\n  path: psa.yaml\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("psa.yaml"),
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n\
         defaults:\n  enforce: strict\nexemptions:\n  namespaces: [Bad_Name]\n",
    )
    .unwrap();
    let app = repo().join("apps/team-a.yaml");
    let out = run(
        dir.path(),
        &[
            "check",
            app.to_str().unwrap(),
            "--admission-config",
            "admission.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(
        "error: psa.yaml:4:12: invalid admission configuration: defaults.enforce: Invalid value: \
         \"strict\": must be one of privileged, baseline, restricted\n"
    ), "{stderr}");
    assert!(
        stderr.contains(
            "error: psa.yaml:6:16: invalid admission configuration: exemptions.namespaces[0]"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // A missing file is a usage error too.
    let out = run(
        dir.path(),
        &["check", app.to_str().unwrap(), "--namespaces", "nope.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_carries_the_admission_words_and_the_notes() {
    let out = run(&repo(), &["check", ".", "--format", "sarif", SELECT]);
    let log = json(&out);
    let run0 = &log["runs"][0];
    let notes = run0["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "note");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        20
    );
    let rejected = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["admission"] == "rejected (enforce baseline:v1.24)")
        .expect("the rejected pod");
    assert_eq!(rejected["level"], "error");
    assert_eq!(
        rejected["message"]["text"],
        "host namespaces: pod must not set hostNetwork=true [rejected (enforce baseline:v1.24)]"
    );
}

/// Two inputs describe one namespace with other labels: the one read last judges (the
/// order the paths are given), and a note says so.
#[test]
fn a_namespace_described_twice_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let ns = |level: &str| {
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    \
             pod-security.kubernetes.io/enforce: {level}\n"
        )
    };
    std::fs::write(dir.path().join("a-ns.yaml"), ns("privileged")).unwrap();
    std::fs::write(dir.path().join("z-ns.yaml"), ns("restricted")).unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  \
         hostNetwork: true\n  containers:\n  - {name: a, image: b}\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            SELECT,
            "z-ns.yaml",
            "a-ns.yaml",
            "pod.yaml",
        ],
    );
    let report = json(&out);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(
        report["notes"][0]["message"],
        "namespace shop is also described in z-ns.yaml with other Pod Security labels: \
         this one, read last, is used"
    );
    assert_eq!(report["notes"][0]["file"], "a-ns.yaml");
}

/// A `--namespaces` file that does not parse is a usage error at its position (it would
/// describe nothing, silently); `metadata.namespace: ""` is the `default` namespace, as
/// the API server reads an empty namespace.
#[test]
fn namespaces_file_errors_and_the_empty_namespace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    \
         pod-security.kubernetes.io/enforce: privileged\n   bad: [\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: \"\"}\nspec:\n  \
         hostNetwork: true\n  containers:\n  - {name: a, image: b}\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["check", "--namespaces", "ns.yaml", "pod.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ns.yaml:7:"), "{err}");
    assert!(err.trim_end().ends_with("(--namespaces)"), "{err}");

    std::fs::write(
        dir.path().join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    \
         pod-security.kubernetes.io/enforce: privileged\n    \
         pod-security.kubernetes.io/warn: privileged\n    \
         pod-security.kubernetes.io/audit: privileged\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            SELECT,
            "--namespaces",
            "ns.yaml",
            "pod.yaml",
        ],
    );
    assert_eq!(json(&out)["findings"], serde_json::json!([]));
    assert_eq!(out.status.code(), Some(0));
}
