//! The admission core (`kube_secctx::admission`), natively: the AdmissionReview fixtures
//! of `policy/fixtures/` through the Kubewarden, Gatekeeper and OPA response shapes, the
//! PSA corpus (v1.37) wrapped as CREATE requests, settings validation and malformed
//! input. `make test-policy` runs the same fixtures on the built `.wasm` files in hosts
//! written by others.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

mod common;

use common::strs;
use kube_secctx::admission::{
    field_path, kubewarden_validate, kubewarden_validate_settings, opa_evaluate, review,
    Entrypoint, Mode, Settings,
};
use serde_json::{json, Value};

fn fixtures() -> Vec<(String, Value)> {
    common::json_fixtures("policy/fixtures", 25)
}

/// Checks one build's answer against a fixture's `expect`.
struct Answer {
    accepted: bool,
    message: Option<String>,
    code: Option<u64>,
    warnings: Vec<String>,
    /// The audit annotations (`null` when none).
    audit: Value,
}

/// Each part appears in `text`, in this order.
fn assert_in_order(ctx: &str, text: &str, parts: &[String]) {
    let mut from = 0;
    for part in parts {
        match text[from..].find(part.as_str()) {
            Some(at) => from += at + part.len(),
            None => panic!("{ctx}: {part:?} not found (in order) after byte {from} of {text:?}"),
        }
    }
}

fn check_answer(name: &str, build: &str, expect: &Value, a: &Answer) {
    let ctx = format!("{name} ({build})");
    assert_eq!(
        a.accepted,
        expect["accepted"].as_bool().unwrap(),
        "{ctx}: accepted; message {:?}",
        a.message
    );
    if let Some(code) = expect.get("code") {
        assert_eq!(a.code, code.as_u64(), "{ctx}: code");
    }
    for part in strs(expect, "header")
        .iter()
        .chain(&strs(expect, "message"))
    {
        let m = a.message.as_deref().unwrap_or("");
        assert!(
            m.contains(part.as_str()),
            "{ctx}: message {m:?} lacks {part:?}"
        );
    }
    let want_warnings = expect.get("warnings").and_then(Value::as_u64).unwrap_or(0);
    assert_eq!(
        a.warnings.len() as u64,
        want_warnings,
        "{ctx}: warnings {:?}",
        a.warnings
    );
    for part in strs(expect, "warningText") {
        assert!(
            a.warnings.iter().any(|w| w.contains(part.as_str())),
            "{ctx}: no warning contains {part:?}: {:?}",
            a.warnings
        );
    }
    assert_in_order(
        &ctx,
        a.message.as_deref().unwrap_or(""),
        &strs(expect, "messageInOrder"),
    );
    // `audit`: every key present and containing its parts; no other key.
    if let Some(audit) = expect.get("audit").and_then(Value::as_object) {
        let got = a.audit.as_object().cloned().unwrap_or_default();
        let mut want_keys: Vec<&String> = audit.keys().collect();
        let mut got_keys: Vec<&String> = got.keys().collect();
        want_keys.sort();
        got_keys.sort();
        assert_eq!(got_keys, want_keys, "{ctx}: audit annotations {got:?}");
        for (key, parts) in audit {
            let value = got[key].as_str().unwrap();
            for part in parts.as_array().unwrap() {
                let part = part.as_str().unwrap();
                assert!(
                    value.contains(part),
                    "{ctx}: audit {key} {value:?} lacks {part:?}"
                );
            }
        }
    }
}

#[test]
fn fixtures_kubewarden_validate() {
    for (name, f) in fixtures() {
        let payload = json!({"request": f["request"], "settings": f["settings"]});
        let out: Value =
            serde_json::from_str(&kubewarden_validate(payload.to_string().as_bytes())).unwrap();
        for key in [
            "accepted",
            "message",
            "code",
            "warnings",
            "audit_annotations",
        ] {
            assert!(
                out.get(key).is_some(),
                "{name}: ValidationResponse lacks {key}"
            );
        }
        let answer = Answer {
            accepted: out["accepted"].as_bool().unwrap(),
            message: out["message"].as_str().map(str::to_string),
            code: out["code"].as_u64(),
            warnings: strs(&out, "warnings"),
            audit: out["audit_annotations"].clone(),
        };
        check_answer(&name, "kubewarden", &f["expect"], &answer);

        let settings: Value = serde_json::from_str(&kubewarden_validate_settings(
            f["settings"].to_string().as_bytes(),
        ))
        .unwrap();
        assert_eq!(
            settings["valid"], f["expect"]["settingsValid"],
            "{name}: validate_settings {settings}"
        );
        if let Some(want) = f["expect"]["settingsMessage"].as_str() {
            let got = settings["message"].as_str().unwrap_or("");
            assert!(
                got.contains(want),
                "{name}: settings message {got:?} lacks {want:?}"
            );
        }
    }
}

#[test]
fn fixtures_gatekeeper_violation() {
    for (name, f) in fixtures() {
        let input = json!({"review": f["request"], "parameters": f["settings"]});
        let out: Value = serde_json::from_str(&opa_evaluate(
            Entrypoint::Violation,
            input.to_string().as_bytes(),
            b"{}",
        ))
        .unwrap();
        let violations = out[0]["result"].as_array().unwrap();
        let expect = &f["expect"];
        assert_eq!(
            violations.is_empty(),
            expect["accepted"].as_bool().unwrap(),
            "{name}: {out}"
        );
        if let Some(n) = expect.get("violations") {
            assert_eq!(
                violations.len() as u64,
                n.as_u64().unwrap(),
                "{name}: {out}"
            );
        }
        let msgs: Vec<&str> = violations
            .iter()
            .map(|v| v["msg"].as_str().unwrap())
            .collect();
        let joined = msgs.join(", ");
        for part in strs(expect, "message") {
            assert!(joined.contains(&part), "{name}: {joined:?} lacks {part:?}");
        }
        assert_in_order(
            &format!("{name} (gatekeeper)"),
            &joined,
            &strs(expect, "messageInOrder"),
        );
        for v in violations {
            assert!(v["details"]["rule"].is_string(), "{name}: details {v}");
        }
    }
}

#[test]
fn fixtures_opa_response() {
    for (name, f) in fixtures() {
        let input = json!({"request": f["request"]});
        let out: Value = serde_json::from_str(&opa_evaluate(
            Entrypoint::Response,
            input.to_string().as_bytes(),
            f["settings"].to_string().as_bytes(),
        ))
        .unwrap();
        let r = &out[0]["result"]["response"];
        let uid = f["request"].get("uid").cloned().unwrap_or(json!(""));
        assert_eq!(r["uid"], uid, "{name}: uid");
        let answer = Answer {
            accepted: r["allowed"].as_bool().unwrap(),
            message: r["status"]["message"].as_str().map(str::to_string),
            code: r["status"]["code"].as_u64(),
            warnings: strs(r, "warnings"),
            audit: r.get("auditAnnotations").cloned().unwrap_or(Value::Null),
        };
        check_answer(&name, "opa", &f["expect"], &answer);
    }
}

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/psa");
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "the PSA corpus is missing: expected {}",
        dir.display()
    );
    dir
}

/// Every PSA fixture of v1.37 (baseline and restricted), wrapped as a CREATE request,
/// gets its verdict, and a rejection names the check's reason as PSA does.
#[test]
fn psa_corpus_v1_37_as_create_requests() {
    let dir = corpus();
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap();
    let mut n = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 || cols[2] != "v1.37" {
            continue;
        }
        let (path, level, fail, reason) = (cols[0], cols[1], cols[3] == "fail", cols[6]);
        let yaml = std::fs::read_to_string(dir.join(path)).unwrap();
        let object = yaml_pod_to_json(&yaml);
        let request = json!({
            "uid": format!("uid-{n}"), "operation": "CREATE", "namespace": "psa",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "userInfo": {"username": "psa-test"}, "object": object,
        });
        let settings =
            Settings::from_value(&json!({"level": level, "pssVersion": "v1.37"})).unwrap();
        let v = review(&request, &settings);
        assert_eq!(!v.accepted, fail, "{path}: {:?}", v.message);
        // Input diagnostics run at admission too: PSA's fixtures are valid objects.
        assert!(
            !v.warnings.iter().any(|w| w.contains("input diagnostic")),
            "{path}: {:?}",
            v.warnings
        );
        if fail {
            let m = v.message.unwrap();
            assert!(m.contains(reason), "{path}: {m:?} lacks {reason:?}");
            assert!(m.contains(&format!("PodSecurity \"{level}:v1.37\"")), "{m}");
        }
        n += 1;
    }
    assert_eq!(n, 148, "v1.37 fixtures (49 baseline + 99 restricted)");
}

/// The corpus pods as JSON, through the core's own YAML reader: the JSON an API server
/// would send (the fixtures use plain YAML: maps, lists, strings, integers, booleans).
fn yaml_pod_to_json(text: &str) -> Value {
    use kube_secctx::yaml::{parse_stream, Document, Limits, NodeId, Resolved, Value as Y};
    fn conv(doc: &Document<'_>, id: NodeId) -> Value {
        match &doc.node(id).unwrap().value {
            Y::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), conv(doc, e.value)))
                    .collect(),
            ),
            Y::Seq(items) => Value::Array(items.iter().map(|&i| conv(doc, i)).collect()),
            Y::Scalar(s) => match s.resolved() {
                Resolved::Null => Value::Null,
                Resolved::Bool(b) => json!(b),
                Resolved::Int(i) => json!(i),
                Resolved::Float(f) => json!(f),
                Resolved::Str => json!(s.text.as_ref()),
            },
        }
    }
    let stream = parse_stream(text, &Limits::default());
    let doc = &stream.documents[0];
    conv(doc, doc.root.unwrap())
}

#[test]
fn settings_defaults_and_messages() {
    let s = Settings::from_value(&Value::Null).unwrap();
    assert_eq!(s, Settings::default());
    assert_eq!(s.policy_label(), "restricted:latest");
    assert_eq!(s.mode, Mode::Deny);
    assert_eq!(Settings::from_json(b"").unwrap(), Settings::default());
    assert_eq!(Settings::from_json(b" {} ").unwrap(), Settings::default());

    let cases: &[(Value, &str)] = &[
        (json!("restricted"), "settings must be an object"),
        (json!({"level": 1}), "setting `level` must be a string"),
        (
            json!({"level": "privileged"}),
            "expected \"baseline\" or \"restricted\", got \"privileged\"",
        ),
        (
            json!({"pssVersion": "1.30"}),
            "setting `pssVersion`: expected \"latest\" or \"v1.N\"",
        ),
        (
            json!({"rules": "pod-security-context-missing"}),
            "setting `rules` must be a list of strings",
        ),
        (
            json!({"rules": [1]}),
            "setting `rules`: item 0 must be a string",
        ),
        (
            json!({"rules": ["privileged-container"]}),
            "is a Pod Security Standards check",
        ),
        (
            json!({"rules": ["nope"]}),
            "setting `rules`: unknown rule \"nope\"",
        ),
        (
            json!({"ignore": ["nope"]}),
            "setting `ignore`: unknown rule \"nope\"",
        ),
        (
            json!({"mode": "audit"}),
            "setting `mode`: expected \"deny\" or \"warn\"",
        ),
        (
            json!({"exemptions": []}),
            "setting `exemptions` must be an object",
        ),
        (
            json!({"exemptions": {"usernames": [true]}}),
            "setting `exemptions.usernames`: item 0",
        ),
        (
            json!({"exemptions": {"runtimeClasses": []}}),
            "unknown setting `exemptions.runtimeClasses`",
        ),
        (
            json!({"levle": "baseline"}),
            "unknown setting \"levle\": the settings are level, pssVersion",
        ),
    ];
    for (v, want) in cases {
        let e = Settings::from_value(v).unwrap_err().to_string();
        assert!(e.contains(want), "{v}: {e:?} lacks {want:?}");
    }
    let e = Settings::from_json(b"{level: baseline}")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("settings are not valid JSON"), "{e}");

    let ok = Settings::from_value(&json!({
        "level": "baseline", "pssVersion": "v1.30", "rules": ["writable-root-filesystem"],
        "ignore": ["host-port"], "mode": "warn",
        "exemptions": {"namespaces": ["kube-system"], "usernames": [], "runtimeClassNames": ["kata"]}
    }))
    .unwrap();
    assert_eq!(ok.policy_label(), "baseline:v1.30");
    assert_eq!(ok.mode, Mode::Warn);
    assert_eq!(ok.exemptions.runtime_class_names, ["kata"]);
}

#[test]
fn field_paths() {
    assert_eq!(
        field_path("/spec/template/spec/containers/0/securityContext/privileged"),
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    assert_eq!(
        field_path("/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"),
        "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]"
    );
    assert_eq!(field_path(""), "");
}

/// Malformed payloads get an answer that says what is wrong, in every shape.
#[test]
fn malformed_payloads() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "the validate payload is empty"),
        (b"   ", "the validate payload is empty"),
        (b"{", "the validate payload is not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "must be a JSON object with `request`, got an array"),
        (b"{}", "has no `request`"),
        (b"{\"request\": null}", "has no `request`"),
        (b"{\"request\": {}}", "has no object to check"),
        (
            b"{\"request\": {\"operation\": \"CREATE\", \"object\": 7}}",
            "got a number",
        ),
    ];
    for (payload, want) in cases {
        let out: Value = serde_json::from_str(&kubewarden_validate(payload)).unwrap();
        assert_eq!(out["accepted"], false, "{payload:?}");
        let m = out["message"].as_str().unwrap();
        assert!(m.contains(want), "{payload:?}: {m:?} lacks {want:?}");
    }
    for (payload, want) in [
        (&b"{"[..], "the Gatekeeper input is not valid JSON"),
        (
            b"{\"parameters\": {}}",
            "the Gatekeeper input has no `review`",
        ),
    ] {
        let out: Value =
            serde_json::from_str(&opa_evaluate(Entrypoint::Violation, payload, b"")).unwrap();
        let msg = out[0]["result"][0]["msg"].as_str().unwrap();
        assert!(msg.contains(want), "{msg}");
    }
    let out: Value = serde_json::from_str(&opa_evaluate(
        Entrypoint::Response,
        b"{\"request\": {\"uid\": \"u\", \"object\": {}}}",
        b"{not json",
    ))
    .unwrap();
    let r = &out[0]["result"]["response"];
    assert_eq!(r["allowed"], false);
    assert_eq!(r["uid"], "u");
    assert!(r["status"]["message"]
        .as_str()
        .unwrap()
        .contains("OPA data (the settings) is not valid JSON"));
    // Kubewarden's context-aware data under `kubernetes` is not a setting.
    let out: Value = serde_json::from_str(&opa_evaluate(
        Entrypoint::Response,
        b"{\"request\": {\"uid\": \"u\", \"operation\": \"DELETE\"}}",
        b"{\"kubernetes\": {\"namespaces\": []}}",
    ))
    .unwrap();
    assert_eq!(out[0]["result"]["response"]["allowed"], true, "{out}");
}

/// Deeply nested and oversized JSON is an answer, not a crash.
#[test]
fn hostile_payloads() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let payload = format!("{{\"request\": {{\"operation\": \"CREATE\", \"object\": {deep}}}}}");
    let out: Value = serde_json::from_str(&kubewarden_validate(payload.as_bytes())).unwrap();
    assert_eq!(out["accepted"], false);
    assert!(out["message"].as_str().unwrap().contains("recursion limit"));

    let big = "x".repeat(3 << 20);
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "big", "annotations": {"note": big}},
        "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}});
    let payload = json!({"request": {"operation": "CREATE", "object": pod}, "settings": {"level": "baseline"}});
    let out: Value =
        serde_json::from_str(&kubewarden_validate(payload.to_string().as_bytes())).unwrap();
    assert_eq!(out["accepted"], false);
    assert!(out["message"].as_str().unwrap().contains("privileged"));
}

/// The review of `object` as a CREATE (or UPDATE from `old`) at `settings`.
fn review_of(
    object: &Value,
    old: Option<&Value>,
    settings: &Value,
) -> kube_secctx::admission::Verdict {
    let mut request =
        json!({"uid": "u", "operation": "CREATE", "namespace": "ns", "object": object});
    if let Some(old) = old {
        request["operation"] = json!("UPDATE");
        request["oldObject"] = old.clone();
    }
    review(&request, &Settings::from_value(settings).unwrap())
}

fn privileged_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]})
}

/// Every workload kind, updated without touching its pod template (scale, pause,
/// relabel, finalizers, suspend), is accepted even when the template violates the
/// policy; changing the template (spec or template metadata) is checked.
#[test]
fn workload_updates_that_keep_the_pod_template() {
    let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": privileged_spec()});
    fn at(pointer: &str) -> Vec<&str> {
        pointer.split('/').skip(1).collect()
    }
    // (apiVersion, kind, where the pod template is)
    let kinds = [
        ("apps/v1", "Deployment", "/spec/template"),
        ("apps/v1", "ReplicaSet", "/spec/template"),
        ("apps/v1", "StatefulSet", "/spec/template"),
        ("apps/v1", "DaemonSet", "/spec/template"),
        ("batch/v1", "Job", "/spec/template"),
        ("batch/v1", "CronJob", "/spec/jobTemplate/spec/template"),
        ("v1", "ReplicationController", "/spec/template"),
        ("v1", "PodTemplate", "/template"),
        ("argoproj.io/v1alpha1", "Rollout", "/spec/template"),
    ];
    let baseline = json!({"level": "baseline"});
    for (api_version, kind, path) in kinds {
        let mut object = json!({"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "w", "namespace": "ns", "labels": {"team": "a"}}});
        let mut slot = &mut object;
        for key in at(path) {
            if slot.get(key).is_none() {
                slot[key] = json!({});
            }
            slot = &mut slot[key];
        }
        *slot = template.clone();
        let ctx = kind;
        // CREATE: checked.
        let v = review_of(&object, None, &baseline);
        assert!(!v.accepted, "{ctx}: CREATE {v:?}");
        // UPDATE that changes everything but the template: accepted.
        let mut updated = object.clone();
        updated["metadata"]["labels"]["team"] = json!("b");
        updated["metadata"]["finalizers"] = json!(["foregroundDeletion"]);
        if path != "/template" {
            updated["spec"]["replicas"] = json!(0);
            updated["spec"]["paused"] = json!(true);
            updated["spec"]["suspend"] = json!(true);
        }
        updated["status"] = json!({"replicas": 0});
        let v = review_of(&updated, Some(&object), &baseline);
        assert!(v.accepted, "{ctx}: template unchanged {v:?}");
        assert!(
            v.warnings.is_empty() && v.audit_annotations.is_empty(),
            "{ctx}: {v:?}"
        );
        // UPDATE that changes the template's spec, or its metadata: checked.
        let mut spec_changed = object.clone();
        *spec_changed
            .pointer_mut(&format!("{path}/spec/containers/0/image"))
            .unwrap() = json!("nginx:2");
        let v = review_of(&spec_changed, Some(&object), &baseline);
        assert!(!v.accepted, "{ctx}: template spec changed {v:?}");
        let mut meta_changed = object.clone();
        *meta_changed
            .pointer_mut(&format!("{path}/metadata/labels"))
            .unwrap() = json!({"app": "web", "rev": "2"});
        let v = review_of(&meta_changed, Some(&object), &baseline);
        assert!(!v.accepted, "{ctx}: template metadata changed {v:?}");
        // UPDATE without an oldObject: checked.
        let mut request = json!({"operation": "UPDATE", "object": updated});
        request["oldObject"] = Value::Null;
        let v = review(&request, &Settings::from_value(&baseline).unwrap());
        assert!(!v.accepted, "{ctx}: no oldObject {v:?}");
    }
}

/// PSA's `isSignificantPodUpdate`: images, the set of containers, an added ephemeral
/// container, the pod and per-container seccomp annotations.
#[test]
fn pod_updates_psa_considers_significant() {
    let baseline = json!({"level": "baseline"});
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "1"}},
        "spec": privileged_spec()});
    let changed = |pointer: &str, value: Value| {
        let mut p = pod.clone();
        match p.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                p.pointer_mut(parent).unwrap()[key] = value;
            }
        }
        p
    };
    let not_significant = [
        changed("/metadata/labels", json!({"a": "2"})),
        changed("/metadata/annotations", json!({"note": "x"})),
        changed("/spec/activeDeadlineSeconds", json!(30)),
        changed(
            "/spec/containers/0/resources",
            json!({"requests": {"cpu": "1"}}),
        ),
    ];
    for new in not_significant {
        assert!(review_of(&new, Some(&pod), &baseline).accepted, "{new}");
    }
    let significant = [
        changed("/spec/containers/0/image", json!("nginx:2")),
        changed(
            "/metadata/annotations",
            json!({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}),
        ),
        changed(
            "/metadata/annotations",
            json!({"container.seccomp.security.alpha.kubernetes.io/app": "runtime/default"}),
        ),
        changed(
            "/spec/ephemeralContainers",
            json!([{"name": "debug", "image": "busybox"}]),
        ),
        changed(
            "/spec/initContainers",
            json!([{"name": "init", "image": "busybox"}]),
        ),
    ];
    for new in significant {
        assert!(!review_of(&new, Some(&pod), &baseline).accepted, "{new}");
    }
}

/// Subresources as PSA: the pod subresources it ignores are accepted, every other pod
/// subresource is checked; a subresource of any other resource is accepted.
#[test]
fn subresources_as_psa() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": privileged_spec()});
    let settings = Settings::from_value(&json!({"level": "baseline"})).unwrap();
    let verdict = |resource: Option<&str>, sub: &str| {
        let mut request =
            json!({"uid": "u", "operation": "UPDATE", "subResource": sub, "object": pod});
        if let Some(r) = resource {
            request["resource"] = json!({"group": "", "version": "v1", "resource": r});
        }
        review(&request, &settings).accepted
    };
    assert_eq!(
        kube_secctx::admission::IGNORED_POD_SUBRESOURCES,
        [
            "exec",
            "attach",
            "binding",
            "eviction",
            "log",
            "portforward",
            "proxy",
            "status"
        ]
    );
    for sub in kube_secctx::admission::IGNORED_POD_SUBRESOURCES {
        assert!(verdict(Some("pods"), sub), "pods/{sub}");
    }
    for sub in ["ephemeralcontainers", "resize", "something-new"] {
        assert!(!verdict(Some("pods"), sub), "pods/{sub} is checked");
        // Without request.resource the object's kind decides.
        assert!(!verdict(None, sub), "{sub} of a Pod object is checked");
    }
    for resource in [
        "deployments",
        "replicasets",
        "podtemplates",
        "replicationcontrollers",
    ] {
        assert!(verdict(Some(resource), "status"), "{resource}/status");
        assert!(verdict(Some(resource), "scale"), "{resource}/scale");
    }
}

/// Violations in PSA's order: by check (baseline check IDs sorted, then restricted check
/// IDs sorted), then pod-level before containers, containers init → regular →
/// ephemeral by index (numerically); List items by index.
#[test]
fn violations_in_psa_order() {
    let c = |name: &str| json!({"name": name, "image": "i"});
    let mut containers: Vec<Value> = (0..12).map(|i| c(&format!("c{i}"))).collect();
    containers[11]["securityContext"] =
        json!({"privileged": true, "capabilities": {"add": ["NET_ADMIN"]}});
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"hostPID": true, "hostNetwork": true,
            "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
            "securityContext": {"runAsNonRoot": false},
            "initContainers": [c("init")], "containers": containers,
            "ephemeralContainers": [c("debug")]}});
    let v = review_of(&pod, None, &json!({}));
    let checks: Vec<&str> = v
        .violations
        .iter()
        .map(|v| v.details.check.unwrap())
        .collect();
    let mut distinct: Vec<&str> = checks.clone();
    distinct.dedup();
    // Each check's violations are together, and the checks in PSA's order.
    let mut seen = distinct.clone();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), distinct.len(), "a check is split: {checks:?}");
    let is_restricted = |id: &str| {
        matches!(
            id,
            "allowPrivilegeEscalation"
                | "capabilities_restricted"
                | "procMount_restricted"
                | "restrictedVolumes"
                | "runAsNonRoot"
                | "runAsUser"
                | "seccompProfile_restricted"
        )
    };
    let mut want = distinct.clone();
    want.sort_by_key(|id| (is_restricted(id), *id));
    assert_eq!(distinct, want);
    assert_eq!(
        distinct,
        [
            "hostNamespaces",
            "privileged",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "restrictedVolumes",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    // Within a check: pod-level first, then init, c0..c11 numerically, then ephemeral.
    let run_as_non_root: Vec<String> = v
        .violations
        .iter()
        .filter(|v| v.details.check == Some("runAsNonRoot"))
        .map(|v| {
            v.details
                .container
                .clone()
                .unwrap_or_else(|| "(pod)".to_string())
        })
        .collect();
    let mut want: Vec<String> = vec!["(pod)".into(), "init".into()];
    want.extend((0..12).map(|i| format!("c{i}")));
    want.push("debug".into());
    assert_eq!(run_as_non_root, want);
    // The rejection message lists them in the same order.
    let message = v.message.unwrap();
    let positions: Vec<usize> = v
        .violations
        .iter()
        .take(kube_secctx::admission::verdict::MAX_LISTED)
        .map(|x| message.find(&x.msg).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{message}");

    // List items by index, numerically.
    let item = |i: usize| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{i}")},
        "spec": privileged_spec()})
    };
    let list =
        json!({"apiVersion": "v1", "kind": "List", "items": (0..12).map(item).collect::<Vec<_>>()});
    let v = review_of(&list, None, &json!({"level": "baseline"}));
    let items: Vec<String> = v
        .violations
        .iter()
        .map(|v| v.details.field.clone().unwrap())
        .collect();
    let want: Vec<String> = (0..12)
        .map(|i| format!("items[{i}].spec.containers[0].securityContext.privileged"))
        .collect();
    assert_eq!(items, want);
}

/// runtimeClassNames exempts exactly the items whose pod spec names one: `/items/1`
/// does not exempt `/items/10`..`/items/19`.
#[test]
fn runtime_class_exemption_is_per_item() {
    let item = |i: usize, kata: bool| {
        let mut spec = privileged_spec();
        if kata {
            spec["runtimeClassName"] = json!("kata");
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": format!("p{i}")}, "spec": spec})
    };
    let list = json!({"apiVersion": "v1", "kind": "List",
        "items": (0..21).map(|i| item(i, i == 1 || i == 2)).collect::<Vec<_>>()});
    let v = review_of(
        &list,
        None,
        &json!({"level": "baseline", "exemptions": {"runtimeClassNames": ["kata"]}}),
    );
    let fields: Vec<String> = v
        .violations
        .iter()
        .map(|v| v.details.field.clone().unwrap())
        .collect();
    assert_eq!(fields.len(), 19, "{fields:?}");
    for i in [10, 11, 19, 20] {
        assert!(
            fields.contains(&format!(
                "items[{i}].spec.containers[0].securityContext.privileged"
            )),
            "item {i}: {fields:?}"
        );
    }
    assert!(!fields
        .iter()
        .any(|f| f.starts_with("items[1].") || f.starts_with("items[2].")));
}

/// The `kube-secctx.io/ignore` annotation: honoured by default, never silent (a warning
/// and an audit annotation per suppressed violation, in both modes); with
/// `honorIgnoreAnnotation: false` it suppresses nothing.
#[test]
fn ignore_annotation_is_visible_and_controllable() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "annotations": {"kube-secctx.io/ignore": "host-namespaces, privileged-container"}},
        "spec": {"hostPID": true, "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
            "containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}});
    let deny = review_of(&pod, None, &json!({"level": "baseline"}));
    assert!(!deny.accepted);
    assert_eq!(deny.violations.len(), 1, "{deny:?}");
    assert_eq!(deny.violations[0].details.check, Some("hostPathVolumes"));
    assert_eq!(deny.warnings.len(), 2, "{:?}", deny.warnings);
    assert!(deny.warnings[0].starts_with(
        "kube-secctx.io/ignore suppressed: host namespaces (pod must not set hostPID=true; check: hostNamespaces; field: spec.hostPID)"
    ));
    assert!(deny.warnings[1]
        .starts_with("kube-secctx.io/ignore suppressed: privileged (container \"app\""));
    assert_eq!(
        deny.audit_annotations["kube-secctx-suppressed"],
        "PodSecurity \"baseline:latest\": hostNamespaces spec.hostPID, privileged spec.containers[0].securityContext.privileged"
    );
    assert_eq!(
        deny.audit_annotations["kube-secctx-violations"],
        "PodSecurity \"baseline:latest\": hostPathVolumes spec.volumes[0].hostPath"
    );

    let warn = review_of(&pod, None, &json!({"level": "baseline", "mode": "warn"}));
    assert!(warn.accepted);
    assert_eq!(warn.warnings.len(), 3, "{:?}", warn.warnings);
    assert!(warn.warnings[0]
        .starts_with("would violate PodSecurity \"baseline:latest\": hostPath volumes"));
    assert_eq!(warn.audit_annotations, deny.audit_annotations);

    let strict = review_of(
        &pod,
        None,
        &json!({"level": "baseline", "honorIgnoreAnnotation": false}),
    );
    assert!(!strict.accepted);
    assert_eq!(strict.violations.len(), 3, "{strict:?}");
    assert!(strict.warnings.is_empty());
    assert!(!strict
        .audit_annotations
        .contains_key("kube-secctx-suppressed"));
    // The policy's own `ignore` still applies.
    let ignored = review_of(
        &pod,
        None,
        &json!({"level": "baseline", "honorIgnoreAnnotation": false, "ignore": ["host-path-volume", "host-namespaces", "privileged-container"]}),
    );
    assert!(
        ignored.accepted && ignored.warnings.is_empty(),
        "{ignored:?}"
    );

    // Only suppressed violations: accepted, with the warnings.
    let mut only = pod.clone();
    only["metadata"]["annotations"]["kube-secctx.io/ignore"] =
        json!("host-namespaces,privileged-container,host-path-volume");
    let v = review_of(&only, None, &json!({"level": "baseline"}));
    assert!(v.accepted);
    assert_eq!(v.warnings.len(), 3);
    assert_eq!(v.audit_annotations.len(), 1);

    // Kubewarden's ValidationResponse carries them.
    let payload = json!({"request": {"uid": "u", "operation": "CREATE", "object": pod}, "settings": {"level": "baseline"}});
    let out: Value =
        serde_json::from_str(&kubewarden_validate(payload.to_string().as_bytes())).unwrap();
    assert_eq!(out["accepted"], false);
    assert_eq!(out["warnings"].as_array().unwrap().len(), 2);
    assert!(
        out["audit_annotations"]["kube-secctx-suppressed"].is_string(),
        "{out}"
    );
}

/// Audit annotations list at most 50 entries, then count the rest.
#[test]
fn audit_annotations_are_bounded() {
    let containers: Vec<Value> = (0..60)
        .map(|i| json!({"name": format!("c{i}"), "image": "i", "securityContext": {"privileged": true}}))
        .collect();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}});
    let v = review_of(&pod, None, &json!({"level": "baseline", "mode": "warn"}));
    assert!(v.accepted);
    // Warnings too: 50, then one that counts the rest.
    assert_eq!(v.warnings.len(), 51);
    assert_eq!(
        v.warnings[50],
        "and 10 more warnings (the audit annotations count them too)"
    );
    let audit = &v.audit_annotations["kube-secctx-violations"];
    assert_eq!(audit.matches("privileged spec.containers[").count(), 50);
    assert!(audit.ends_with(", and 10 more"), "{audit}");
    // Keys have no `/` (the API server prefixes them with the webhook name and a `/`).
    assert!(v.audit_annotations.keys().all(|k| !k.contains('/')));
}

/// The memory estimate the OPA builds reserve before parsing grows with what costs
/// memory: bytes, values, objects, containers.
#[test]
fn memory_estimate() {
    use kube_secctx::admission::evaluation_memory_estimate as estimate;
    let base = estimate(b"", b"");
    assert!(base >= 64 << 10);
    let typical = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/bench/typical-deployment.request.json"),
    )
    .unwrap();
    let e = estimate(&typical, b"{}");
    assert!(
        e > 10 * typical.len() && e < 1 << 22,
        "{e} for {} bytes",
        typical.len()
    );
    let big_string = format!("{{\"a\": \"{}\"}}", "x".repeat(1 << 20));
    let e = estimate(big_string.as_bytes(), b"");
    assert!(e > 1 << 21 && e < 1 << 23, "{e}");
    // A container costs more than an object, which costs more than a value; strings do
    // not count as structure (`{` and `"image":` inside a string are text).
    let containers = format!(
        "[{}]",
        vec!["{\"name\":\"c\",\"image\":\"i\"}"; 100].join(",")
    );
    let objects = format!(
        "[{}]",
        vec!["{\"name\":\"c\",\"other\":\"i\"}"; 100].join(",")
    );
    let in_string = format!(
        "\"{}\"",
        vec!["{\\\"name\\\":\\\"c\\\",\\\"image\\\":\\\"i\\\"}"; 100].join(",")
    );
    assert!(
        estimate(containers.as_bytes(), b"") > estimate(objects.as_bytes(), b"") + 100 * (32 << 10)
    );
    assert!(estimate(objects.as_bytes(), b"") > 100 * (4 << 10));
    assert!(estimate(in_string.as_bytes(), b"") < base + 8 * in_string.len());
    assert!(estimate(b"{}", b"{\"level\": \"baseline\"}") > estimate(b"{}", b""));
}

/// A Pod "p" with `n` privileged containers `c0`, `c1`, ...
fn privileged_pod(n: usize) -> Value {
    let containers: Vec<Value> = (0..n)
        .map(|i| json!({"name": format!("c{i}"), "image": "i", "securityContext": {"privileged": true}}))
        .collect();
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}})
}

/// Whatever the object, a response is bounded: at most 100 violations (and one that counts
/// the rest), 50 named per part of the message, 50 warnings (and one that counts).
#[test]
fn responses_are_bounded() {
    use kube_secctx::admission::verdict::{MAX_LISTED, MAX_VIOLATIONS};
    for n in [150, 5_000] {
        let pod = privileged_pod(n);
        let v = review_of(&pod, None, &json!({"level": "baseline"}));
        assert!(!v.accepted);
        assert_eq!(v.violations.len(), MAX_VIOLATIONS + 1, "{n}");
        let last = v.violations.last().unwrap();
        assert_eq!(last.details.rule, "more-violations");
        assert_eq!(
            last.msg,
            format!(
                "and {} more violations (the audit annotation counts them too)",
                n - MAX_VIOLATIONS
            )
        );
        let message = v.message.unwrap();
        assert_eq!(
            message.matches("check: privileged;").count(),
            MAX_LISTED,
            "{n}"
        );
        assert!(
            message.ends_with(&format!(", and {} more", n - MAX_LISTED)),
            "{n}"
        );
        let warn = review_of(&pod, None, &json!({"level": "baseline", "mode": "warn"}));
        assert_eq!(warn.warnings.len(), MAX_LISTED + 1);
        // Kubewarden's answer stays small: the same size at both sizes, but for the counts.
        let payload = json!({"request": {"uid": "u", "operation": "CREATE", "object": pod}, "settings": {"level": "baseline"}});
        let out = kubewarden_validate(payload.to_string().as_bytes());
        assert!(out.len() < 32 * 1024, "{n}: {} bytes", out.len());
    }
}

/// A pod whose one violation has a message past the bytes budget (a 4 MiB container
/// name) is rejected for it, the message cut, not answered as a malformed request.
#[test]
fn a_pod_whose_message_passes_the_bytes_budget_is_rejected_for_it() {
    let name = "a".repeat(4 << 20);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": name, "image": "i", "securityContext": {"privileged": true}}]}});
    let v = review_of(&pod, None, &json!({"level": "baseline"}));
    assert!(!v.accepted);
    assert_eq!(v.code, Some(403));
    assert!(v.message.unwrap().contains("privileged (container \"aaaa"));
    assert_eq!(v.warnings.len(), 1);
    assert!(v.warnings[0].contains("4194304 bytes of pointers and messages"));
}

/// A pod past the findings budget (10,000 per resource) is still judged by the findings
/// within it: rejected for its violations (not a malformed request), with a warning that
/// says the counts stop at the budget.
#[test]
fn a_pod_past_the_findings_budget_is_rejected_for_its_violations() {
    for n in [10_001, 20_000] {
        let pod = privileged_pod(n);
        let v = review_of(&pod, None, &json!({"level": "baseline"}));
        assert!(!v.accepted);
        assert_eq!(v.code, Some(403), "{n}");
        let message = v.message.unwrap();
        assert!(
            message.starts_with(
                "Pod \"p\" in namespace \"ns\" violates PodSecurity \"baseline:latest\": privileged (container \"c0\""
            ),
            "{message}"
        );
        assert!(message.ends_with(", and 9950 more"), "{n}");
        assert_eq!(
            v.warnings,
            ["kube-secctx: this resource gives more findings than the budget of 10000 findings and 4194304 bytes of pointers and messages per resource: only the findings within it are reported, and the rules after it did not run"]
        );
    }
}

/// A check that fails for several entries of a list gives a finding per entry in the CLI
/// and the JS API (each at its entry, for fixes), but admission answers with Pod Security
/// Admission's one violation per check (per pod, or per container), naming every entry,
/// at the first entry's field, exactly as before the findings were split.
#[test]
fn list_entries_are_one_violation_per_check() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {
            "securityContext": {"sysctls": [
                {"name": "kernel.msgmax", "value": "1"},
                {"name": "net.ipv4.tcp_syncookies", "value": "1"},
                {"name": "kernel.sem", "value": "1"}]},
            "containers": [
                {"name": "web", "image": "i",
                 "ports": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81},
                           {"containerPort": 8080, "hostPort": 8080}],
                 "securityContext": {"capabilities": {"add": ["NET_ADMIN", "CHOWN", "SYS_TIME"]}}},
                {"name": "side", "image": "i", "ports": [{"hostPort": 9100}],
                 "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_RAW", "NET_BIND_SERVICE", "SYS_ADMIN"]}}}]}});

    // The core: a finding per entry, each with the group admission merges it into.
    let report = kube_secctx::check(
        "p.json",
        &pod.to_string(),
        &kube_secctx::Options {
            level: Some(kube_secctx::Level::Baseline),
            ..kube_secctx::Options::default()
        },
    )
    .unwrap();
    let per_rule = |rule: &str| -> Vec<(&str, &str)> {
        let mut v: Vec<(&str, &str)> = report
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| (f.path.as_str(), f.message.as_str()))
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(
        per_rule("unsafe-sysctl"),
        [
            (
                "/spec/securityContext/sysctls/0/name",
                "forbidden sysctls: pod must not set \"kernel.msgmax\""
            ),
            (
                "/spec/securityContext/sysctls/2/name",
                "forbidden sysctls: pod must not set \"kernel.sem\""
            ),
        ]
    );
    assert_eq!(
        per_rule("host-port"),
        [
            (
                "/spec/containers/0/ports/0/hostPort",
                "hostPort: container \"web\" uses hostPort 80"
            ),
            (
                "/spec/containers/0/ports/2/hostPort",
                "hostPort: container \"web\" uses hostPort 8080"
            ),
            (
                "/spec/containers/1/ports/0/hostPort",
                "hostPort: container \"side\" uses hostPort 9100"
            ),
        ]
    );
    assert_eq!(per_rule("non-default-capabilities").len(), 4);

    let msgs = |v: &kube_secctx::admission::Verdict| -> Vec<String> {
        v.violations.iter().map(|x| x.msg.clone()).collect()
    };
    let baseline = review_of(&pod, None, &json!({"level": "baseline"}));
    assert_eq!(
        msgs(&baseline),
        [
            "non-default capabilities (container \"web\" must not include \"NET_ADMIN\", \"SYS_TIME\" in securityContext.capabilities.add; check: capabilities_baseline; field: spec.containers[0].securityContext.capabilities.add[0])",
            "non-default capabilities (container \"side\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add; check: capabilities_baseline; field: spec.containers[1].securityContext.capabilities.add[0])",
            "hostPort (container \"web\" uses hostPort 80, 8080; check: hostPorts; field: spec.containers[0].ports[0].hostPort)",
            "hostPort (container \"side\" uses hostPort 9100; check: hostPorts; field: spec.containers[1].ports[0].hostPort)",
            "forbidden sysctls (pod must not set \"kernel.msgmax\", \"kernel.sem\"; check: sysctls; field: spec.securityContext.sysctls[0].name)",
        ]
    );
    assert_eq!(
        baseline.violations[0].details.path.as_deref(),
        Some("/spec/containers/0/securityContext/capabilities/add/0")
    );
    assert_eq!(
        baseline.audit_annotations["kube-secctx-violations"],
        "PodSecurity \"baseline:latest\": capabilities_baseline spec.containers[0].securityContext.capabilities.add[0], \
         capabilities_baseline spec.containers[1].securityContext.capabilities.add[0], \
         hostPorts spec.containers[0].ports[0].hostPort, hostPorts spec.containers[1].ports[0].hostPort, \
         sysctls spec.securityContext.sysctls[0].name"
    );
    let message = baseline.message.unwrap();
    assert!(
        message.starts_with("Pod \"p\" in namespace \"ns\" violates PodSecurity \"baseline:latest\": non-default capabilities (container \"web\" must not include \"NET_ADMIN\", \"SYS_TIME\""),
        "{message}"
    );
    assert_eq!(message.matches("hostPort (").count(), 2, "{message}");

    // Restricted: "must drop ALL" and the capabilities added are one violation per
    // container, at `drop` when ALL is missing, else at the first capability added.
    let restricted = review_of(&pod, None, &json!({"level": "restricted"}));
    let caps: Vec<String> = restricted
        .violations
        .iter()
        .filter(|v| v.details.check == Some("capabilities_restricted"))
        .map(|v| v.msg.clone())
        .collect();
    assert_eq!(
        caps,
        [
            "unrestricted capabilities (container \"web\" must set securityContext.capabilities.drop=[\"ALL\"] and must not include \"NET_ADMIN\", \"CHOWN\", \"SYS_TIME\" in securityContext.capabilities.add; check: capabilities_restricted; field: spec.containers[0].securityContext.capabilities.drop)",
            "unrestricted capabilities (container \"side\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add; check: capabilities_restricted; field: spec.containers[1].securityContext.capabilities.add[0])",
        ]
    );

    // Warn mode: one warning per check and container too.
    let warn = review_of(&pod, None, &json!({"level": "baseline", "mode": "warn"}));
    assert_eq!(warn.warnings.len(), 5, "{:?}", warn.warnings);
    assert_eq!(
        warn.warnings[4],
        "would violate PodSecurity \"baseline:latest\": forbidden sysctls (pod must not set \"kernel.msgmax\", \"kernel.sem\"; check: sysctls; field: spec.securityContext.sysctls[0].name)"
    );

    // Suppressed by the annotation: one warning per check and container as well.
    let mut ignored = pod.clone();
    ignored["metadata"]["annotations"] =
        json!({"kube-secctx.io/ignore": "host-port,unsafe-sysctl,non-default-capabilities"});
    let quiet = review_of(&ignored, None, &json!({"level": "baseline"}));
    assert!(quiet.accepted);
    assert_eq!(quiet.warnings.len(), 5, "{:?}", quiet.warnings);
    assert_eq!(
        quiet.warnings[2],
        "kube-secctx.io/ignore suppressed: hostPort (container \"web\" uses hostPort 80, 8080; check: hostPorts; field: spec.containers[0].ports[0].hostPort)"
    );
}
