//! `unknown-field` fixes: the exact fixed texts, and the reasons of the refused ones.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::super::{fix_text, FixSelection, Fixed, Offer};
use crate::options::{KubeVersion, Options};

fn run(text: &str, opts: &Options) -> Fixed {
    let only = FixSelection {
        unsafe_fixes: true,
        rules: Some(vec!["unknown-field".into()]),
    };
    fix_text(opts, "t.yaml", text, &only, true).unwrap()
}

/// The text with the `unknown-field` fixes applied.
fn fixed(text: &str) -> String {
    run(text, &Options::default()).text
}

/// The offer for the `unknown-field` finding at `pointer`.
fn offer(text: &str, pointer: &str, opts: &Options) -> Offer {
    let f = run(text, opts);
    let i = f
        .findings
        .iter()
        .position(|x| x.rule == "unknown-field" && x.path == pointer)
        .unwrap_or_else(|| panic!("no unknown-field at {pointer}: {:?}", f.findings));
    f.offers[i].clone()
}

fn reason(text: &str, pointer: &str) -> String {
    match offer(text, pointer, &Options::default()) {
        Offer::None(why) => why,
        Offer::Fix(fix) => panic!("a fix: {}", fix.title),
    }
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";

#[test]
fn a_misspelled_key_is_renamed_in_its_own_quoting() {
    let text = format!(
        "{POD}  securityContext:\n    runAsNonroot: true  # typo\n  containers:\n  - name: a\n    image: x\n    securityContext: {{\"allowPrivilegedEscalation\": false, 'readOnlyRootFileSystem': true}}\n"
    );
    assert_eq!(
        fixed(&text),
        format!(
            "{POD}  securityContext:\n    runAsNonRoot: true  # typo\n  containers:\n  - name: a\n    image: x\n    securityContext: {{\"allowPrivilegeEscalation\": false, 'readOnlyRootFilesystem': true}}\n"
        )
    );
    match offer(
        &text,
        "/spec/securityContext/runAsNonroot",
        &Options::default(),
    ) {
        Offer::Fix(fix) => {
            assert_eq!(fix.title, "rename `runAsNonroot` to `runAsNonRoot`");
            assert_eq!(fix.applicability, crate::fix::Applicability::Unsafe);
        }
        Offer::None(why) => panic!("{why}"),
    }
}

#[test]
fn a_rename_onto_a_key_of_the_mapping_is_refused() {
    let text = format!(
        "{POD}  securityContext:\n    runAsNonroot: true\n    runAsNonRoot: false\n  containers:\n  - name: a\n    image: x\n"
    );
    assert_eq!(
        reason(&text, "/spec/securityContext/runAsNonroot"),
        "the mapping already has `runAsNonRoot`: keep one of the two by hand"
    );
}

#[test]
fn a_pod_field_moves_from_a_container_into_the_pod_security_context() {
    // Into the pod's securityContext that exists: the entry's line moves, re-indented;
    // the container's securityContext keeps its other key.
    let text = format!(
        "{POD}  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      fsGroup: 2000 # the volume's group\n      readOnlyRootFilesystem: true\n"
    );
    assert_eq!(
        fixed(&text),
        format!(
            "{POD}  securityContext:\n    runAsNonRoot: true\n    fsGroup: 2000 # the volume's group\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      readOnlyRootFilesystem: true\n"
        )
    );
    // Creating it: the pod's spec gets a securityContext holding it; the container's is
    // left empty as `{}`.
    let text = format!(
        "{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      fsGroup: 2000\n  restartPolicy: Always\n"
    );
    assert_eq!(
        fixed(&text),
        format!(
            "{POD}  containers:\n  - name: a\n    image: x\n    securityContext: {{}}\n  restartPolicy: Always\n  securityContext:\n    fsGroup: 2000\n"
        )
    );
}

#[test]
fn a_block_moves_with_the_comments_inside_it() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - name: a\n        image: x\n        resources:\n          securityContext:\n            # read-only, as the image allows\n            readOnlyRootFilesystem: true\n\n            capabilities:\n              drop: [ALL]   # every one\n";
    assert_eq!(
        fixed(text),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - name: a\n        image: x\n        resources: {}\n        securityContext:\n          # read-only, as the image allows\n          readOnlyRootFilesystem: true\n\n          capabilities:\n            drop: [ALL]   # every one\n"
    );
    // Under the Deployment's spec: to the pod template's spec.
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  securityContext:\n    runAsNonRoot: true\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - {name: a, image: x}\n";
    assert_eq!(
        fixed(text),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - {name: a, image: x}\n      securityContext:\n        runAsNonRoot: true\n"
    );
}

#[test]
fn flow_and_json_are_written_by_the_writer() {
    // From a flow mapping into a block one: the value is written.
    let text = format!(
        "{POD}  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: a\n    image: x\n    securityContext: {{fsGroup: 2000, privileged: false}}\n"
    );
    assert_eq!(
        fixed(&text),
        format!(
            "{POD}  securityContext:\n    runAsNonRoot: true\n    fsGroup: 2000\n  containers:\n  - name: a\n    image: x\n    securityContext: {{privileged: false}}\n"
        )
    );
    let json = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"securityContext\": {\"runAsNonRoot\": true},\n    \"containers\": [{\"name\": \"a\", \"image\": \"x\", \"securityContext\": {\"fsGroup\": 1, \"privileged\": false}}]\n  }\n}\n";
    assert_eq!(
        fixed(json),
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"securityContext\": {\"runAsNonRoot\": true, \"fsGroup\": 1},\n    \"containers\": [{\"name\": \"a\", \"image\": \"x\", \"securityContext\": {\"privileged\": false}}]\n  }\n}\n"
    );
}

#[test]
fn moves_that_cannot_be_decided_are_refused() {
    // `privileged` belongs in each of two containers.
    let text = format!(
        "{POD}  securityContext:\n    privileged: false\n  containers:\n  - {{name: a, image: x}}\n  - {{name: b, image: y}}\n"
    );
    assert_eq!(
        reason(&text, "/spec/securityContext/privileged"),
        "it belongs at `spec.containers[*].securityContext.privileged`, in each item of a list with several (or none): move it by hand"
    );
    // The pod already sets it.
    let text = format!(
        "{POD}  securityContext:\n    fsGroup: 1\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      fsGroup: 2\n"
    );
    assert_eq!(
        reason(&text, "/spec/containers/0/securityContext/fsGroup"),
        "`spec.securityContext.fsGroup` is already set: keep one of the two by hand"
    );
    // An anchor an alias uses inside the value.
    let text = format!(
        "{POD}  containers:\n  - name: a\n    image: x\n    resources:\n      securityContext: &sc\n        privileged: false\n  - name: b\n    image: x\n    securityContext: *sc\n"
    );
    assert!(
        reason(&text, "/spec/containers/0/resources/securityContext").contains("anchor"),
        "{}",
        reason(&text, "/spec/containers/0/resources/securityContext")
    );
}

#[test]
fn a_field_of_another_kubernetes_version_has_no_fix() {
    // `appArmorProfile` is a field from Kubernetes v1.30 on.
    let text = format!(
        "{POD}  securityContext:\n    appArmorProfile: {{type: RuntimeDefault}}\n  containers:\n  - {{name: a, image: x}}\n"
    );
    let opts = Options {
        kube_version: KubeVersion::V1(29),
        ..Options::default()
    };
    match offer(&text, "/spec/securityContext/appArmorProfile", &opts) {
        Offer::None(why) => assert_eq!(
            why,
            "`appArmorProfile` is a field of PodSecurityContext in Kubernetes v1.30 to v1.37 only: use a Kubernetes version that has it, or remove it"
        ),
        Offer::Fix(f) => panic!("{}", f.title),
    }
    // At v1.37 it is a field: no finding.
    assert!(run(&text, &Options::default())
        .findings
        .iter()
        .all(|f| f.rule != "unknown-field"));
}

#[test]
fn a_rename_writes_the_value_another_fix_would_set() {
    // privilege-escalation-allowed would set `allowPrivilegeEscalation: false`; its finding
    // names the near miss and has no fix (it would add a second key): the rename writes
    // the value, one key, not two.
    let text = format!(
        "{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      allowPrivilegedEscalation: false\n"
    );
    let every = FixSelection {
        unsafe_fixes: true,
        rules: Some(vec![
            "unknown-field".into(),
            "privilege-escalation-allowed".into(),
        ]),
    };
    let f = fix_text(&Options::default(), "t.yaml", &text, &every, false).unwrap();
    assert_eq!(f.applied.len(), 1, "{:?}", f.findings);
    assert_eq!(
        f.text,
        format!("{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      allowPrivilegeEscalation: false\n")
    );
}

#[test]
fn a_finding_at_what_a_rename_writes_does_not_refuse_it() {
    // `privilegd: true` renamed is read as `privileged: true`: privileged-container is
    // then reported (with its own fix), and the rename is still applied.
    let text = format!(
        "{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      privilegd: true\n"
    );
    let f = run(&text, &Options::default());
    assert_eq!(
        f.text,
        format!("{POD}  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n")
    );
    let after = crate::check("t.yaml", &f.text, &Options::default()).unwrap();
    assert!(after
        .findings
        .iter()
        .any(|x| x.rule == "privileged-container"
            && x.path == "/spec/containers/0/securityContext/privileged"));
}
