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

use kube_secctx::admission::{
    field_path, kubewarden_validate, kubewarden_validate_settings, opa_evaluate, review,
    Entrypoint, Mode, Settings,
};
use serde_json::{json, Value};

fn fixtures() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/fixtures");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            (p.file_stem().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 25, "policy/fixtures is incomplete");
    out
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Checks one build's answer against a fixture's `expect`.
struct Answer {
    accepted: bool,
    message: Option<String>,
    code: Option<u64>,
    warnings: Vec<String>,
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
            Y::Scalar(s) => match s.resolved {
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
