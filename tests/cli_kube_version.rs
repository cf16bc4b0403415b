//! `--kube-version` (config key `kubernetesVersion`) as a user meets it: the binary run as
//! a process. Which API fields exist follows the Kubernetes version, never the Pod
//! Security Standards version; the flag overrides the file; bad values are usage errors
//! (exit 2) that name the accepted range; the JSON report and SARIF echo the version only
//! when one was asked for.
//!
//! The field used throughout is `appArmorProfile`, of both `PodSecurityContext` and
//! `SecurityContext`: it came with Kubernetes v1.30 (KEP-24, AppArmor GA; the
//! `kubernetes` Python client 30.1.0 is the first whose `V1PodSecurityContext` and
//! `V1SecurityContext` models have it, see `src/schema/table.rs`).
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// A restricted-clean pod that sets `appArmorProfile` at both levels (line 8, column 5;
/// line 17, column 7).
const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsNonRoot: true
    appArmorProfile: {type: RuntimeDefault}
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
      appArmorProfile: {type: RuntimeDefault}
";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run kube-secctx")
}

/// A temporary directory holding `pod.yaml` and, when given, `.kube-secctx.yaml`.
fn repo(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), POD).unwrap();
    if let Some(text) = config {
        std::fs::write(dir.path().join(".kube-secctx.yaml"), text).unwrap();
    }
    dir
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// The `unknown-field` findings of a JSON report: (path, line, column, message).
fn unknown_fields(v: &Value) -> Vec<(String, u64, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unknown-field")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["range"]["start"]["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The JSON report of `check` run with `args` before `pod.yaml`, in `dir`.
fn report(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    all.push("pod.yaml");
    let o = run_in(dir, &all);
    (code(&o), json_of(&o))
}

const AT_V1_29: [(&str, u64, u64, &str); 2] = [
    (
        "/spec/securityContext/appArmorProfile",
        8,
        5,
        "`appArmorProfile` is not a field of PodSecurityContext in Kubernetes v1.29: it is one from Kubernetes v1.30 on",
    ),
    (
        "/spec/containers/0/securityContext/appArmorProfile",
        17,
        7,
        "`appArmorProfile` is not a field of SecurityContext in Kubernetes v1.29: it is one from Kubernetes v1.30 on",
    ),
];

fn expected_at_v1_29() -> Vec<(String, u64, u64, String)> {
    AT_V1_29
        .iter()
        .map(|(p, l, c, m)| (p.to_string(), *l, *c, m.to_string()))
        .collect()
}

#[test]
fn the_kubernetes_version_decides_which_fields_exist() {
    let dir = repo(None);
    let d = dir.path();

    // The default: the newest version of the table, where appArmorProfile exists.
    let (rc, v) = report(d, &["--no-config"]);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(unknown_fields(&v), []);
    // Reports made without the option keep their shape: no `kubeVersion`.
    assert_eq!(
        v["options"],
        json!({"level": null, "pssVersion": "v1.37", "select": [], "ignore": []})
    );

    // A v1.29 cluster does not know the field, at either level.
    let (rc, v) = report(d, &["--no-config", "--kube-version", "v1.29"]);
    assert_eq!(rc, 1);
    assert_eq!(unknown_fields(&v), expected_at_v1_29());
    assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["summary"]["bySeverity"], json!({"error": 2}));
    assert_eq!(
        v["options"],
        json!({
            "level": null, "pssVersion": "v1.37", "kubeVersion": "v1.29",
            "select": [], "ignore": []
        })
    );

    // The PSS version is not the Kubernetes version: PSS v1.29 on the newest API finds
    // no unknown field (a v1.37 cluster runs namespaces pinned to enforce-version v1.29).
    let (rc, v) = report(d, &["--no-config", "--pss-version", "v1.29"]);
    assert_eq!(rc, 0, "{v}");
    assert_eq!(unknown_fields(&v), []);
    assert_eq!(v["options"]["pssVersion"], "v1.29");
    assert_eq!(v["options"].get("kubeVersion"), None);

    // Both, independently.
    let (_, v) = report(
        d,
        &[
            "--no-config",
            "--pss-version",
            "v1.37",
            "--kube-version",
            "v1.29",
        ],
    );
    assert_eq!(unknown_fields(&v), expected_at_v1_29());
    assert_eq!(v["options"]["pssVersion"], "v1.37");

    // The first version with the field.
    let (rc, v) = report(d, &["--no-config", "--kube-version", "v1.30"]);
    assert_eq!((rc, unknown_fields(&v)), (0, vec![]));
    assert_eq!(v["options"]["kubeVersion"], "v1.30");
}

#[test]
fn version_spellings_and_the_text_output() {
    let dir = repo(None);
    let d = dir.path();
    // As kubectl version and kubeconform write them: the patch release is ignored.
    for given in ["v1.29.3", "1.29", "1.29.0", "v1.29"] {
        let (rc, v) = report(d, &["--no-config", "--kube-version", given]);
        assert_eq!(rc, 1, "{given}");
        assert_eq!(unknown_fields(&v), expected_at_v1_29(), "{given}");
        assert_eq!(v["options"]["kubeVersion"], "v1.29", "{given}");
    }
    // `latest` is the default: not echoed.
    let (rc, v) = report(d, &["--no-config", "--kube-version", "latest"]);
    assert_eq!(rc, 0);
    assert_eq!(v["options"].get("kubeVersion"), None);
    // Later than the table: checked as its newest version, and said so.
    let (rc, v) = report(d, &["--no-config", "--kube-version", "v1.40"]);
    assert_eq!(rc, 0);
    assert_eq!(v["options"]["kubeVersion"], "v1.37");

    // The text output: the finding at the key, with the version it exists from.
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--kube-version",
            "v1.29.3",
            "pod.yaml",
        ],
    );
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains(
            "pod.yaml:8:5: unknown-field [diagnostic] `appArmorProfile` is not a field of \
             PodSecurityContext in Kubernetes v1.29"
        ),
        "{out}"
    );
    assert!(out.contains("it is one from Kubernetes v1.30 on"), "{out}");
    assert!(
        out.contains("\n8 |     appArmorProfile: {type: RuntimeDefault}\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Found 2 findings (2 errors) in 1 file (1 resource checked).\n"),
        "{out}"
    );

    // SARIF: the run's properties list it beside the PSS version.
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--format",
            "sarif",
            "--kube-version",
            "1.29",
            "pod.yaml",
        ],
    );
    let v = json_of(&o);
    assert_eq!(
        v["runs"][0]["properties"],
        json!({"level": "default", "pssVersion": "v1.37", "kubeVersion": "v1.29"})
    );
    let o = run_in(
        d,
        &["check", "--no-config", "--format", "sarif", "pod.yaml"],
    );
    assert_eq!(
        json_of(&o)["runs"][0]["properties"],
        json!({"level": "default", "pssVersion": "v1.37"})
    );
}

#[test]
fn bad_versions_are_usage_errors() {
    let dir = repo(None);
    let d = dir.path();
    let range = "expected \"latest\" or \"v1.N\" (v1.17 to v1.37, optionally with a patch \
                 release and a build: v1.29.3-eks-1234; later versions are checked as v1.37)";
    // Older than the field table, not a version, the PSS spelling's cousins that are not
    // Kubernetes versions.
    for bad in [
        "v1.12", "v1.16", "v2.0", "1", "v1.029", "v1.29.", "1.29.x", "",
    ] {
        let o = run_in(
            d,
            &["check", "--no-config", "--kube-version", bad, "pod.yaml"],
        );
        assert_eq!(code(&o), 2, "{bad}");
        assert!(stdout(&o).is_empty(), "{bad}");
        assert!(
            stderr(&o).starts_with(&format!(
                "error: invalid value '{bad}' for '--kube-version <VERSION>': invalid \
                 Kubernetes version {bad:?}: {range}\n"
            )),
            "{bad}: {}",
            stderr(&o)
        );
    }
    // The help says what it is, and that it is not the PSS version.
    let o = run_in(d, &["check", "--help"]);
    let help = stdout(&o);
    assert!(help.contains("--kube-version <VERSION>"), "{help}");
    assert!(
        help.contains("Not the Pod Security Standards version"),
        "{help}"
    );
}

#[test]
fn config_key_and_the_flag_over_it() {
    let dir = repo(Some("# the cluster\nkubernetesVersion: v1.29\n"));
    let d = dir.path();
    let (rc, v) = report(d, &[]);
    assert_eq!(rc, 1);
    assert_eq!(unknown_fields(&v), expected_at_v1_29());
    assert_eq!(v["options"]["kubeVersion"], "v1.29");
    // The flag wins over the file.
    let (rc, v) = report(d, &["--kube-version", "latest"]);
    assert_eq!(rc, 0);
    assert_eq!(unknown_fields(&v), []);
    assert_eq!(v["options"].get("kubeVersion"), None);
    let (_, v) = report(d, &["--kube-version", "v1.31"]);
    assert_eq!(v["options"]["kubeVersion"], "v1.31");
    // --pss-version does not touch it.
    let (rc, v) = report(d, &["--pss-version", "v1.30"]);
    assert_eq!(rc, 1);
    assert_eq!(unknown_fields(&v), expected_at_v1_29());

    // --show-settings: the value and where it came from.
    let o = run_in(d, &["check", "--show-settings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\nkubernetesVersion = \"v1.29\"  # .kube-secctx.yaml:2\n"),
        "{}",
        stdout(&o)
    );
    let o = run_in(
        d,
        &[
            "check",
            "--show-settings",
            "--format",
            "json",
            "--kube-version",
            "1.33.2",
        ],
    );
    assert_eq!(
        json_of(&o)["settings"]["kubernetesVersion"],
        json!({"value": "v1.33", "source": "flag", "flag": "--kube-version"})
    );
    let o = run_in(d, &["check", "--show-settings", "--format", "json"]);
    assert_eq!(
        json_of(&o)["settings"]["kubernetesVersion"],
        json!({"value": "v1.29", "source": "file", "file": ".kube-secctx.yaml", "line": 2})
    );
    let o = run_in(
        d,
        &[
            "check",
            "--show-settings",
            "--format",
            "json",
            "--no-config",
        ],
    );
    assert_eq!(
        json_of(&o)["settings"]["kubernetesVersion"],
        json!({"value": "latest", "source": "default"})
    );
}

#[test]
fn bad_config_values_at_their_position() {
    for (text, want) in [
        (
            "level: baseline\nkubernetesVersion: v1.12\n",
            ".kube-secctx.yaml:2:20: kubernetesVersion: expected \"latest\" or \"v1.N\" (v1.17 \
             to v1.37, optionally with a patch release and a build: v1.29.3-eks-1234; later versions are checked \
             as v1.37), got \"v1.12\"\n",
        ),
        (
            "kubernetesVersion: 1.30\n",
            ".kube-secctx.yaml:1:20: kubernetesVersion: expected \"latest\" or \"v1.N\" (v1.17 \
             to v1.37, optionally with a patch release and a build: v1.29.3-eks-1234; later versions are checked \
             as v1.37), got the number 1.30 (a number in YAML: write the version as a \
             string)\n  did you mean `v1.30`?\n",
        ),
        (
            "kubeVersion: v1.30\n",
            ".kube-secctx.yaml:1:1: unknown key \"kubeVersion\": the keys are level, \
             pssVersion, kubernetesVersion, select, ignore, exclude, perFileIgnores, \
             namespaces, admissionConfig, failOn\n  did you mean `kubernetesVersion`?\n",
        ),
    ] {
        let dir = repo(Some(text));
        let o = run_in(dir.path(), &["check", "pod.yaml"]);
        assert_eq!(code(&o), 2, "{text}");
        assert!(stdout(&o).is_empty());
        assert_eq!(stderr(&o), format!("error: {want}"), "{text}");
        // The flag does not rescue a bad file: the file is read before anything is checked.
        let o = run_in(
            dir.path(),
            &["check", "--kube-version", "v1.30", "pod.yaml"],
        );
        assert_eq!(code(&o), 2, "{text}");
    }
}
