//! The walk ([`unknown_fields`], [`known_fields`]) and the suggestions ([`suggest`]) on
//! small documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::yaml::{parse_stream, Limits};

fn id(name: &str) -> ModelId {
    find_model(name).unwrap_or_else(|| panic!("no model {name}"))
}

/// The unknown keys of the first workload of `text` at v1.`minor`, each with its
/// suggestion.
fn suggestions(text: &str, minor: u32) -> Vec<(String, Option<Suggestion>)> {
    let stream = parse_stream(text, &Limits::default());
    let doc = stream.documents.first().expect("a document");
    let workloads = crate::workload::extract(doc).workloads;
    let w = workloads.first().expect("a workload");
    let from = start(doc, w).expect("a start");
    let mut found = Vec::new();
    unknown_fields(doc, &from, minor, &mut |u| found.push(u));
    found
        .iter()
        .map(|u| (u.pointer.clone(), suggest(doc, u, minor)))
        .collect()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n";

fn place(model_name: &str, pointer: &str, fits: bool) -> Place {
    Place {
        model: id(model_name),
        pointer: pointer.to_string(),
        fits,
    }
}

#[test]
fn suggest_by_spelling_and_case() {
    let text = format!(
        "{POD}  securityContext: {{runAsNonroot: true, RunAsUser: 1}}\n  containers:\n  \
         - name: a\n    securityContext: {{capabilites: {{drop: [ALL]}}, seccompprofile: {{}}}}\n"
    );
    assert_eq!(
        suggestions(&text, 37),
        [
            (
                "/spec/securityContext/runAsNonroot".to_string(),
                Some(Suggestion::Spelling(vec!["runAsNonRoot"]))
            ),
            (
                "/spec/securityContext/RunAsUser".to_string(),
                Some(Suggestion::Spelling(vec!["runAsUser"]))
            ),
            (
                "/spec/containers/0/securityContext/capabilites".to_string(),
                Some(Suggestion::Spelling(vec!["capabilities"]))
            ),
            (
                "/spec/containers/0/securityContext/seccompprofile".to_string(),
                Some(Suggestion::Spelling(vec!["seccompProfile"]))
            ),
        ]
    );
}

#[test]
fn suggest_by_place() {
    // fsGroup in a container's securityContext: the pod's. privileged in the pod's: each
    // container's (one container: its index).
    let text = format!(
        "{POD}  securityContext: {{privileged: false}}\n  containers:\n  - name: a\n    \
         securityContext: {{fsGroup: 2000}}\n"
    );
    assert_eq!(
        suggestions(&text, 37),
        [
            (
                "/spec/securityContext/privileged".to_string(),
                Some(Suggestion::Place(vec![place(
                    "SecurityContext",
                    "/spec/containers/0/securityContext/privileged",
                    true
                )]))
            ),
            (
                "/spec/containers/0/securityContext/fsGroup".to_string(),
                Some(Suggestion::Place(vec![place(
                    "PodSecurityContext",
                    "/spec/securityContext/fsGroup",
                    true
                )]))
            ),
        ]
    );
    // A value that fits nowhere and no spelling: the place, marked as not fitting.
    let text = format!("{POD}  securityContext: {{privileged: {{a: 1}}}}\n  containers: []\n");
    assert_eq!(
        suggestions(&text, 37),
        [(
            "/spec/securityContext/privileged".to_string(),
            Some(Suggestion::Place(vec![place(
                "SecurityContext",
                "/spec/containers/*/securityContext/privileged",
                false
            )]))
        )]
    );
}

#[test]
fn suggest_by_version_and_nothing_close() {
    let text = format!(
        "{POD}  hostUsers: false\n  containers:\n  - name: a\n    zzzzzz: 1\n    \
         lifecycle: {{preStop: {{sleep: {{seconds: 1}}}}}}\n"
    );
    assert_eq!(
        suggestions(&text, 24),
        [
            (
                "/spec/hostUsers".to_string(),
                Some(Suggestion::Version {
                    first: 25,
                    last: 37
                })
            ),
            ("/spec/containers/0/zzzzzz".to_string(), None),
            (
                "/spec/containers/0/lifecycle/preStop/sleep".to_string(),
                Some(Suggestion::Version {
                    first: 29,
                    last: 37
                })
            ),
        ]
    );
    // At v1.22, the hooks' handlers are `Handler`s: exec is a field.
    let text = format!(
        "{POD}  containers:\n  - name: a\n    lifecycle: {{preStop: {{exec: {{command: [x]}}}}}}\n"
    );
    assert_eq!(suggestions(&text, 22), []);
}

#[test]
fn display_paths() {
    assert_eq!(
        display_path("/spec/template/spec/containers/0/securityContext"),
        "spec.template.spec.containers[0].securityContext"
    );
    assert_eq!(
        display_path("/spec/containers/*/securityContext/privileged"),
        "spec.containers[*].securityContext.privileged"
    );
    assert_eq!(display_path("/metadata/labels/a~1b"), "metadata.labels.a/b");
}

/// The known keys in document order, each with the model it is a field of; free keys
/// (labels) are not fields, unknown keys are not visited, an aliased mapping once.
#[test]
fn known_fields_in_document_order() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\nspec:\n  \
                containers:\n  - &c {name: a, typo: 1, securityContext: {privileged: false}}\n  \
                - *c\n";
    let stream = parse_stream(text, &Limits::default());
    let doc = stream.documents.first().unwrap();
    let w = crate::workload::extract(doc).workloads.remove(0);
    let from = start(doc, &w).unwrap();
    let mut seen = Vec::new();
    known_fields(doc, &from, LAST_MINOR, &mut |k| {
        assert_eq!(&text[k.key_span.start..k.key_span.end], k.key);
        seen.push((k.pointer, model(k.model).name, k.field.name));
    });
    let want = [
        ("/apiVersion", "Pod", "apiVersion"),
        ("/kind", "Pod", "kind"),
        ("/metadata", "Pod", "metadata"),
        ("/metadata/name", "ObjectMeta", "name"),
        ("/metadata/labels", "ObjectMeta", "labels"),
        ("/spec", "Pod", "spec"),
        ("/spec/containers", "PodSpec", "containers"),
        ("/spec/containers/0/name", "Container", "name"),
        (
            "/spec/containers/0/securityContext",
            "Container",
            "securityContext",
        ),
        (
            "/spec/containers/0/securityContext/privileged",
            "SecurityContext",
            "privileged",
        ),
    ];
    let seen: Vec<(&str, &str, &str)> = seen.iter().map(|(p, m, f)| (p.as_str(), *m, *f)).collect();
    assert_eq!(seen, want);
}

/// [`unknown_at`] finds each key [`unknown_fields`] reports, the same (its chain too),
/// and nothing at a field or a pointer that is not a key: over a Deployment with unknown
/// keys at several depths, in lists, and a shape-matched resource's open template.
#[test]
fn unknown_at_agrees_with_the_walk() {
    let texts = [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, lables: {}}\nspec:\n  securityContext: {}\n  template:\n    spec:\n      securityContext: {runAsNonroot: true}\n      volumes: [{name: v, hostPath: {pth: /x}}]\n      containers:\n      - name: a\n        image: x\n        ports: [{containerport: 80}]\n        securityContext: {capabilites: {drop: [ALL]}}\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    extra: 1\n    spec:\n      own: 2\n      containers: [{name: a, image: x, privilegd: true}]\n",
    ];
    for text in texts {
        let stream = parse_stream(text, &Limits::default());
        let doc = stream.documents.first().expect("a document");
        let workloads = crate::workload::extract(doc).workloads;
        let from = start(doc, workloads.first().expect("a workload")).expect("a start");
        let mut found = Vec::new();
        unknown_fields(doc, &from, 37, &mut |u| found.push(u));
        assert!(!found.is_empty(), "{text}");
        for u in &found {
            assert_eq!(unknown_at(doc, &from, &u.pointer, 37).as_ref(), Some(u));
        }
        for p in ["/metadata/name", "/spec/template", "/nothing/here", ""] {
            assert_eq!(unknown_at(doc, &from, p, 37), None, "{p}");
        }
    }
}
