//! Input diagnostics at admission (`src/admission/diagnostics.rs`): they run under the
//! policy's level, as in the CLI, and are warnings that never reject, unless the setting
//! `rules` lists them. The Pod Security Standards verdict is the same with or without
//! them. (`policy/fixtures/input-diagnostic-*.json` run the same through every build.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kube_secctx::admission::{review, Settings, Verdict};
use serde_json::{json, Value};

/// How each input-diagnostic warning starts.
const PREFIX: &str = "kube-secctx input diagnostic (not a violation): ";

/// The review of `object` as a CREATE in namespace `ns` at `settings`.
fn review_of(object: &Value, settings: &Value) -> Verdict {
    let request = json!({
        "uid": "u", "operation": "CREATE", "namespace": "ns",
        "kind": {"group": "", "version": "v1", "kind": "Pod"}, "object": object,
    });
    review(&request, &Settings::from_value(settings).unwrap())
}

/// A Pod with this metadata and one container with this securityContext.
fn pod(annotations: Value, security_context: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "ns", "annotations": annotations},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                 "securityContext": security_context}]},
    })
}

fn diagnostic_warnings(v: &Verdict) -> Vec<&str> {
    v.warnings
        .iter()
        .filter_map(|w| w.strip_prefix(PREFIX))
        .collect()
}

/// A wrong type cannot come from an API server (the request carries the object
/// re-encoded from the API's types); in a hand-written request (`kwctl run`) the PSS
/// checks read `"true"` as the API would decode it, the verdict is PSA's, and the wrong
/// type is a warning beside it.
#[test]
fn a_wrong_type_warns_beside_the_pss_verdict() {
    let object = pod(json!({}), json!({"privileged": "true"}));
    let v = review_of(&object, &json!({"level": "baseline"}));
    assert!(!v.accepted);
    assert_eq!(v.code, Some(403));
    let rules: Vec<&str> = v
        .violations
        .iter()
        .map(|x| x.details.rule.as_str())
        .collect();
    assert_eq!(rules, ["privileged-container"]);
    assert_eq!(
        v.message.as_deref(),
        Some(
            "Pod \"web\" in namespace \"ns\" violates PodSecurity \"baseline:latest\": privileged \
             (container \"app\" must not set securityContext.privileged=true; check: \
             privileged; field: spec.containers[0].securityContext.privileged)"
        )
    );
    assert_eq!(
        diagnostic_warnings(&v),
        [
            "invalid-field-type (privileged must be a boolean (true or false), but it is the \
          string \"true\"; the API server rejects this manifest; field: \
          spec.containers[0].securityContext.privileged)"
        ]
    );
    // The audit annotation lists violations only.
    let audit = &v.audit_annotations["kube-secctx-violations"];
    assert!(!audit.contains("invalid-field-type"), "{audit}");

    // `mode: warn`: the violation as PSA's warning, then the diagnostic.
    let v = review_of(&object, &json!({"level": "baseline", "mode": "warn"}));
    assert!(v.accepted);
    assert_eq!(v.warnings.len(), 2, "{:?}", v.warnings);
    assert!(v.warnings[0].starts_with("would violate PodSecurity \"baseline:latest\": privileged"));
    assert!(v.warnings[1].starts_with(&format!("{PREFIX}invalid-field-type (")));

    // Listed in `rules`, it is a violation of its own.
    let v = review_of(
        &object,
        &json!({"level": "baseline", "rules": ["invalid-field-type"]}),
    );
    let rules: Vec<&str> = v
        .violations
        .iter()
        .map(|x| x.details.rule.as_str())
        .collect();
    assert_eq!(rules, ["privileged-container", "invalid-field-type"]);
    assert!(diagnostic_warnings(&v).is_empty());
}

/// A typo in `kube-secctx.io/ignore` is the input diagnostic that can reach admission:
/// it warns, at every level, and never turns an accepted pod into a rejected one.
#[test]
fn an_ignore_typo_warns_and_never_rejects() {
    let ok = json!({"allowPrivilegeEscalation": false, "runAsNonRoot": true,
                    "capabilities": {"drop": ["ALL"]},
                    "seccompProfile": {"type": "RuntimeDefault"}});
    let object = pod(json!({"kube-secctx.io/ignore": "privileged-containr"}), ok);
    for level in ["baseline", "restricted"] {
        let v = review_of(&object, &json!({"level": level}));
        assert!(v.accepted, "{level}: {:?}", v.message);
        assert!(v.violations.is_empty());
        assert!(v.audit_annotations.is_empty(), "{:?}", v.audit_annotations);
        assert_eq!(
            diagnostic_warnings(&v),
            [
                "unknown-ignored-rule (kube-secctx.io/ignore names \"privileged-containr\", which \
              is not a rule ID: did you mean `privileged-container`?; field: \
              metadata.annotations[\"kube-secctx.io/ignore\"])"
            ],
            "{level}"
        );
    }
    // `ignore` chooses it as any rule.
    let v = review_of(
        &object,
        &json!({"level": "baseline", "ignore": ["unknown-ignored-rule"]}),
    );
    assert!(v.accepted && v.warnings.is_empty(), "{:?}", v.warnings);
}

/// The annotation may name the diagnostic itself: then its warning is not shown, unless
/// `honorIgnoreAnnotation` is `false` (the annotation suppresses nothing).
#[test]
fn the_annotation_hides_a_diagnostic_only_when_honoured() {
    let object = pod(
        json!({"kube-secctx.io/ignore": "host-namespace,unknown-ignored-rule"}),
        json!({}),
    );
    let v = review_of(&object, &json!({"level": "baseline"}));
    assert!(v.accepted);
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
    let v = review_of(
        &object,
        &json!({"level": "baseline", "honorIgnoreAnnotation": false}),
    );
    assert!(v.accepted, "{:?}", v.message);
    assert_eq!(diagnostic_warnings(&v).len(), 1, "{:?}", v.warnings);
    assert!(diagnostic_warnings(&v)[0].contains("\"host-namespace\""));
}

/// Exemptions exempt from everything: no diagnostic either.
#[test]
fn exempt_pods_get_no_diagnostic() {
    let mut object = pod(json!({"kube-secctx.io/ignore": "typo"}), json!({}));
    object["spec"]["runtimeClassName"] = json!("kata");
    let v = review_of(
        &object,
        &json!({"level": "baseline", "exemptions": {"runtimeClassNames": ["kata"]}}),
    );
    assert!(v.accepted && v.warnings.is_empty(), "{:?}", v.warnings);
    let v = review_of(
        &object,
        &json!({"level": "baseline", "exemptions": {"namespaces": ["ns"]}}),
    );
    assert!(v.accepted && v.warnings.is_empty(), "{:?}", v.warnings);
}

/// Many diagnostics: the warnings stay bounded (50, then one that counts the rest).
#[test]
fn diagnostic_warnings_are_bounded() {
    let containers: Vec<Value> = (0..60)
        .map(|i| json!({"name": format!("c{i}"), "image": "nginx", "securityContext": {"privileged": "false"}}))
        .collect();
    let object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "many"},
                        "spec": {"containers": containers}});
    let v = review_of(&object, &json!({"level": "baseline"}));
    assert!(v.accepted, "{:?}", v.message);
    assert_eq!(v.warnings.len(), 51);
    assert_eq!(
        v.warnings[50],
        "and 10 more kube-secctx input diagnostics (not violations)"
    );
}
