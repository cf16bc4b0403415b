//! `kube-secctx check --fix --unsafe-fixes` on `unknown-field` findings, run as a
//! process: a misspelled key renamed, a field moved to the level where it belongs (into
//! a `securityContext` that exists, creating one, a block with a comment inside it from
//! under `resources:`), the refused cases and why; each fixed file is then checked clean
//! of `unknown-field`. And the near miss: the finding about the missing field names the
//! misspelled key.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Writes `text` to `m.yaml`, runs `check --fix --unsafe-fixes` with `extra` arguments,
/// and returns the fixed text and the run.
fn fix(text: &str, extra: &[&str]) -> (String, Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), text).unwrap();
    let mut args = vec!["check", "--fix", "--unsafe-fixes"];
    args.extend_from_slice(extra);
    args.push("m.yaml");
    let out = run(dir.path(), &args);
    let fixed = std::fs::read_to_string(dir.path().join("m.yaml")).unwrap();
    (fixed, out, dir)
}

/// The fixed file has no `unknown-field` finding left.
fn assert_clean_of_unknown_fields(dir: &Path) {
    let out = run(dir, &["check", "--select", "unknown-field", "m.yaml"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("No problems found"),
        "{}",
        stdout(&out)
    );
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n";

#[test]
fn misspelled_keys_are_renamed_in_place() {
    let text = format!(
        "{POD}  securityContext:\n    runAsNonroot: true   # the image runs as 10001\n    seccompProfile: {{type: RuntimeDefault}}\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      \"allowPrivilegedEscalation\": false\n      readOnlyRootFilesystem: true\n      capabilites: {{drop: [ALL]}}\n"
    );
    let (fixed, out, dir) = fix(&text, &[]);
    assert_eq!(
        fixed,
        format!(
            "{POD}  securityContext:\n    runAsNonRoot: true   # the image runs as 10001\n    seccompProfile: {{type: RuntimeDefault}}\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      \"allowPrivilegeEscalation\": false\n      readOnlyRootFilesystem: true\n      capabilities: {{drop: [ALL]}}\n"
        )
    );
    // The three renames also fixed what the misspellings hid (those findings name the
    // near miss and have no fix of their own): nothing is left.
    assert!(
        stdout(&out).contains("fixed 3 findings in 1 file; 0 remain."),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(code(&out), 0);
    assert_clean_of_unknown_fields(dir.path());
}

#[test]
fn a_pod_field_moves_from_a_container_to_the_pod() {
    // Into the pod's securityContext.
    let text = format!(
        "{POD}  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      fsGroup: 2000\n      allowPrivilegeEscalation: false\n"
    );
    let (fixed, _, dir) = fix(&text, &["--select", "unknown-field"]);
    assert_eq!(
        fixed,
        format!(
            "{POD}  securityContext:\n    runAsNonRoot: true\n    fsGroup: 2000\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n"
        )
    );
    assert_clean_of_unknown_fields(dir.path());
    // Creating it, beside the safe fix that adds its seccomp profile.
    let text = format!(
        "{POD}  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      fsGroup: 2000\n      allowPrivilegeEscalation: false\n"
    );
    let (fixed, _, dir) = fix(
        &text,
        &[
            "--select",
            "unknown-field,pod-security-context-missing,missing-seccomp-profile",
        ],
    );
    assert_eq!(
        fixed,
        format!(
            "{POD}  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n    fsGroup: 2000\n"
        )
    );
    assert_clean_of_unknown_fields(dir.path());
}

/// The Deployment: a `securityContext` block under `resources:` (a comment
/// inside it), and one misspelled in the second container. Every fix applied: the block
/// moves with its comment, the restricted fixes add to it, the misspelled one is
/// renamed and completed.
#[test]
fn a_block_under_resources_moves_with_its_comment() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.14.2\n        resources:\n          limits: {cpu: 100m}\n          securityContext:\n            # hardened as the image allows\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n      - name: side\n        image: busybox\n        securityContex:\n          runAsNonRoot: true\n";
    let (fixed, out, dir) = fix(text, &[]);
    assert_eq!(
        fixed,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.14.2\n        resources:\n          limits: {cpu: 100m}\n        securityContext:\n          # hardened as the image allows\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities:\n            drop:\n            - ALL\n      - name: side\n        image: busybox\n        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop:\n            - ALL\n          readOnlyRootFilesystem: true\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n"
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert_clean_of_unknown_fields(dir.path());
    // A whole block as the last key of the container's `resources`: `resources: {}`.
    let text = format!(
        "{POD}  containers:\n  - name: app\n    image: registry.example/app:1.0\n    resources:\n      securityContext:\n        # no setuid\n        allowPrivilegeEscalation: false\n"
    );
    let (fixed, _, dir) = fix(&text, &["--select", "unknown-field"]);
    assert_eq!(
        fixed,
        format!(
            "{POD}  containers:\n  - name: app\n    image: registry.example/app:1.0\n    resources: {{}}\n    securityContext:\n      # no setuid\n      allowPrivilegeEscalation: false\n"
        )
    );
    assert_clean_of_unknown_fields(dir.path());
}

#[test]
fn refused_fixes_say_why_and_leave_the_file() {
    let text = format!(
        "{POD}  securityContext:\n    privileged: false\n    runAsNonroot: true\n    runAsNonRoot: false\n  containers:\n  - name: a\n    image: registry.example/a:1.0\n  - name: b\n    image: registry.example/b:1.0\n"
    );
    let (fixed, out, dir) = fix(&text, &["--select", "unknown-field"]);
    assert_eq!(fixed, text);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("nothing was fixed; 2 remain."),
        "{}",
        stdout(&out)
    );
    let shown = run(
        dir.path(),
        &[
            "check",
            "--show-fixes",
            "--select",
            "unknown-field",
            "m.yaml",
        ],
    );
    let shown = stdout(&shown);
    assert!(
        shown.contains("(no automatic fix: it belongs at `spec.containers[*].securityContext.privileged`, in each item of a list with several (or none): move it by hand)"),
        "{shown}"
    );
    assert!(
        shown.contains("(no automatic fix: the mapping already has `runAsNonRoot`: keep one of the two by hand)"),
        "{shown}"
    );
}

#[test]
fn the_finding_about_a_missing_field_names_the_misspelled_key() {
    let text = format!(
        "{POD}  securityContext:\n    runAsNonroot: true\n    seccompProfile: {{type: RuntimeDefault}}\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n      capabilities: {{drop: [ALL]}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), &text).unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--select",
            "unknown-field,may-run-as-root",
            "--format",
            "concise",
            "m.yaml",
        ],
    );
    assert_eq!(
        stdout(&out),
        "m.yaml:7:5: error: `runAsNonroot` is not a field of PodSecurityContext in Kubernetes v1.37: did you mean `runAsNonRoot`? [unknown-field]\n\
         m.yaml:12:5: error: runAsNonRoot != true: pod or container \"app\" must set securityContext.runAsNonRoot=true (`runAsNonroot` at line 7 is not read: a misspelling of `runAsNonRoot`?) [may-run-as-root]\n\
         Found 2 findings (2 errors) in 1 file (1 resource checked).\n"
    );
}

#[test]
fn diff_shows_the_rename_and_writes_nothing() {
    let text = format!(
        "{POD}  securityContext:\n    runAsNonroot: true\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), &text).unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "--select",
            "unknown-field",
            "m.yaml",
        ],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "--- m.yaml\n+++ m.yaml\n@@ -4,7 +4,7 @@\n   name: web\n spec:\n   securityContext:\n-    runAsNonroot: true\n+    runAsNonRoot: true\n   containers:\n   - name: app\n     image: registry.example/app:1.0\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.yaml")).unwrap(),
        text
    );
}

/// A `privileged: true` moved from the pod's `securityContext` into a container that sets
/// `allowPrivilegeEscalation: false` is a pair the API server rejects: the
/// `privileged-container` fix it then gets is applied in the same run (fixes are applied
/// until none applies), so one `--fix --unsafe-fixes` leaves a valid object.
#[test]
fn fixes_revealed_by_a_move_are_applied_in_the_same_run() {
    let text = format!(
        "{POD}  securityContext:\n    privileged: true\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n"
    );
    let (fixed, out, dir) = fix(&text, &["--select", "unknown-field,privileged-container"]);
    assert_eq!(
        fixed,
        format!(
            "{POD}  securityContext: {{}}\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n      privileged: false\n"
        ),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("fixed 2 findings in 1 file"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_clean_of_unknown_fields(dir.path());
}

/// The safe `--fix` does not add `allowPrivilegeEscalation: false` beside a misspelled
/// `allowPrivilegedEscalation: false` (two keys for one setting): the finding that sees
/// the field missing names the near miss and has no fix of its own; the rename is the fix.
#[test]
fn a_near_miss_is_renamed_not_doubled() {
    let text = format!(
        "{POD}  containers:\n  - name: app\n    image: registry.example/app:1.0\n    securityContext:\n      allowPrivilegedEscalation: false\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), &text).unwrap();
    let select = "unknown-field,privilege-escalation-allowed";
    let out = run(
        dir.path(),
        &["check", "--fix", "--select", select, "m.yaml"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m.yaml")).unwrap(),
        text
    );
    assert!(
        stdout(&out).contains("nothing was fixed"),
        "{}",
        stdout(&out)
    );
    let (fixed, out, _dir) = fix(&text, &["--select", select]);
    assert_eq!(
        fixed,
        text.replace("allowPrivilegedEscalation", "allowPrivilegeEscalation"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

/// From the hostile review: a key that belongs to an item of a list other than the
/// containers (a volume's source written in a volume mount) is suggested for every item
/// (`spec.volumes[*].hostPath`), never moved into the one volume the pod has (a volume
/// takes one source; the mount names another volume); a place named twice is not moved;
/// the status is never a place; a case slip names only its field.
#[test]
fn places_are_never_guessed() {
    let text = format!(
        "{POD}  volumes:\n  - name: data\n    emptyDir: {{}}\n  securityContext:\n    fsgroup: 1000\n  containers:\n  - name: a\n    image: x\n    volumeMounts:\n    - name: logs\n      mountPath: /logs\n      hostPath: {{path: /var/log}}\n"
    );
    let (fixed, out, _dir) = fix(&text, &["--select", "unknown-field", "--format", "concise"]);
    let report = stdout(&out);
    assert!(
        report.contains(
            "m.yaml:17:7: error: `hostPath` is not a field of VolumeMount in Kubernetes v1.37"
        ) && report.contains("`spec.volumes[*].hostPath` (a field of Volume)"),
        "{report}"
    );
    // `fsgroup` is renamed (a case slip: one suggestion); `hostPath` stays.
    assert_eq!(fixed, text.replace("fsgroup", "fsGroup"), "{report}");

    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  replicas: 2\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n      labels: {app: web}\n      securityContext: {runAsNonRoot: true}\n    spec:\n      containers:\n      - name: a\n        image: x\n";
    let (fixed, out, _dir) = fix(deployment, &["--select", "unknown-field", "--show-fixes"]);
    let report = stdout(&out);
    assert!(!report.contains("status."), "{report}");
    assert!(report.contains(": move it by hand"), "{report}");
    // `replicas` moves to the one place; the template's `securityContext`, which may be
    // the pod's or the container's, stays.
    assert!(
        fixed.contains("      securityContext: {runAsNonRoot: true}\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("  name: web\n  replicas: 2\n"), "{fixed}");
    assert!(fixed.contains("  replicas: 2\n"), "{fixed}");
}
