//! The mutating Kubewarden policy (setting `mutate`), natively: the AdmissionReview
//! fixtures of `policy/fixtures/mutate/` through `kubewarden_validate`, each mutated
//! object checked again (by the same policy without `mutate`, and by the CLI's check) and
//! compared with what `kube-secctx check --fix --unsafe-fixes` makes of the same
//! manifest; the setting's validation; when a request is never mutated. `make
//! test-policy` runs the same fixtures on the built waPC and WASI modules
//! (`policy/test/mutate.test.mjs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::Path;

mod common;

use common::strs;
use kube_secctx::admission::{
    fixable_rule_ids, kubewarden_validate, kubewarden_validate_settings, opa_evaluate, review,
    Entrypoint, Settings, AUDIT_MUTATED,
};
use kube_secctx::fix::{fix_text, FixSelection};
use kube_secctx::yaml::{parse_stream, Limits};
use kube_secctx::{Level, Options, PssVersion};
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Vec<(String, Value)> {
    common::json_fixtures("policy/fixtures/mutate", 10)
}

/// The leaves of a JSON value by JSON pointer: scalars, and lists of scalars as one leaf.
fn leaves(v: &Value, at: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                leaves(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{at}/{i}"), out);
            }
        }
        other => {
            out.insert(at, other.clone());
        }
    }
}

/// What `after` adds or changes (pointer → new leaf) and removes (pointers) of `before`.
fn diff(before: &Value, after: &Value) -> (BTreeMap<String, Value>, Vec<String>) {
    let (mut b, mut a) = (BTreeMap::new(), BTreeMap::new());
    leaves(before, String::new(), &mut b);
    leaves(after, String::new(), &mut a);
    let changed = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    (changed, removed)
}

fn validate(request: &Value, settings: &Value) -> Value {
    let payload = json!({"request": request, "settings": settings});
    serde_json::from_str(&kubewarden_validate(payload.to_string().as_bytes())).unwrap()
}

/// The settings without `mutate`.
fn validating(settings: &Value) -> Value {
    let mut s = settings.clone();
    s.as_object_mut().unwrap().remove("mutate");
    s
}

/// Every fixture: the answer, the exact changes, and the mutated object checked again.
#[test]
fn fixtures_kubewarden_validate() {
    for (name, f) in fixtures() {
        let (request, settings, expect) = (&f["request"], &f["settings"], &f["expect"]);
        let out = validate(request, settings);
        let ctx = format!("{name}: {out}");
        assert_eq!(out["accepted"], expect["accepted"], "{ctx}");
        for key in [
            "accepted",
            "message",
            "code",
            "warnings",
            "audit_annotations",
        ] {
            assert!(out.get(key).is_some(), "{ctx}: no {key}");
        }
        let message = out["message"].as_str().unwrap_or("");
        for part in strs(expect, "message") {
            assert!(message.contains(&part), "{ctx}: message lacks {part:?}");
        }
        for part in strs(expect, "messageExcludes") {
            assert!(!message.contains(&part), "{ctx}: message has {part:?}");
        }
        if let Some(code) = expect.get("code") {
            assert_eq!(&out["code"], code, "{ctx}: code");
        }
        let warnings = strs(&out, "warnings");
        assert_eq!(
            warnings.len() as u64,
            expect["warnings"].as_u64().unwrap(),
            "{ctx}: warnings"
        );
        for part in strs(expect, "warningText") {
            assert!(
                warnings.iter().any(|w| w.contains(&part)),
                "{ctx}: no warning has {part:?}"
            );
        }
        if let Some(audit) = expect.get("audit").and_then(Value::as_object) {
            for (key, parts) in audit {
                let got = out["audit_annotations"][key].as_str().unwrap_or("");
                for part in parts.as_array().unwrap() {
                    let part = part.as_str().unwrap();
                    assert!(got.contains(part), "{ctx}: audit {key} lacks {part:?}");
                }
            }
        }
        let mutated = expect["mutated"].as_bool().unwrap();
        assert_eq!(
            out.get("mutated_object").is_some(),
            mutated,
            "{ctx}: mutated_object"
        );
        assert_eq!(
            out["audit_annotations"].get(AUDIT_MUTATED).is_some(),
            mutated,
            "{ctx}: {AUDIT_MUTATED}"
        );
        let settings_answer: Value = serde_json::from_str(&kubewarden_validate_settings(
            settings.to_string().as_bytes(),
        ))
        .unwrap();
        assert_eq!(settings_answer["valid"], expect["settingsValid"], "{name}");
        if !mutated {
            continue;
        }
        let object = &out["mutated_object"];
        // Exactly these fields changed, nothing removed.
        let (changed, removed) = diff(&request["object"], object);
        let want: BTreeMap<String, Value> = expect["changes"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(changed, want, "{name}: changes");
        assert!(removed.is_empty(), "{name}: removed {removed:?}");
        // Checked again by the same policy without `mutate`: accepted, nothing to say.
        let mut again = request.clone();
        again["object"] = object.clone();
        let second = validate(&again, &validating(settings));
        assert_eq!(second["accepted"], true, "{name}: mutated object {second}");
        assert!(second["warnings"].is_null(), "{name}: {second}");
        // And by the check the CLI runs, at the policy's level.
        let level: Level = settings["level"].as_str().unwrap().parse().unwrap();
        let report = kube_secctx::check(
            "mutated.json",
            &serde_json::to_string_pretty(object).unwrap(),
            &Options {
                level: Some(level),
                ..Options::default()
            },
        )
        .unwrap();
        assert!(
            report.findings.is_empty() && report.errors.is_empty(),
            "{name}: {:?}",
            report.findings
        );
    }
}

/// The fixture's nginx Deployment is `examples/nginx-deployment.yaml`, and the policy
/// mutates it exactly as `kube-secctx check --fix --unsafe-fixes` with the same rules
/// fixes the file: the same plans.
#[test]
fn nginx_is_mutated_as_the_cli_fixes_it() {
    let text = std::fs::read_to_string(root().join("examples/nginx-deployment.yaml")).unwrap();
    let yaml_object = |text: &str| {
        let stream = parse_stream(text, &Limits::default());
        let doc = &stream.documents[0];
        doc.to_json(doc.root.unwrap())
    };
    let f = fixtures()
        .into_iter()
        .find(|(n, _)| n == "nginx-deployment-create")
        .unwrap()
        .1;
    assert_eq!(f["request"]["object"], yaml_object(&text));
    let rules: Vec<String> = strs(&f["settings"], "mutate");
    let opts = Options {
        level: Some(Level::Restricted),
        ..Options::default()
    };
    let select = FixSelection {
        unsafe_fixes: true,
        rules: Some(rules),
    };
    let fixed = fix_text(&opts, "nginx-deployment.yaml", &text, &select, false).unwrap();
    assert_eq!(fixed.applied.len(), 4, "{:?}", fixed.findings);
    let out = validate(&f["request"], &f["settings"]);
    assert_eq!(out["mutated_object"], yaml_object(&fixed.text));
}

fn settings_error(settings: Value) -> String {
    let out: Value = serde_json::from_str(&kubewarden_validate_settings(
        settings.to_string().as_bytes(),
    ))
    .unwrap();
    assert_eq!(out["valid"], false, "{settings}: {out}");
    out["message"].as_str().unwrap().to_string()
}

/// `mutate` is validated like every setting: unknown rules, rules without a fix, and
/// rules these settings never report are errors that say so.
#[test]
fn the_mutate_setting_is_validated() {
    assert_eq!(Settings::default().mutate, Vec::<String>::new());
    let s = Settings::from_value(&json!({"mutate": ["privileged-container", "host-port",
        "privileged-container"]}))
    .unwrap();
    assert_eq!(s.mutate, ["privileged-container", "host-port"]);
    let m = settings_error(json!({"mutate": ["privileged"]}));
    assert!(
        m.contains("setting `mutate`: unknown rule \"privileged\" (rules with an automatic fix: ")
            && m.contains("may-run-as-root"),
        "{m}"
    );
    let m = settings_error(json!({"mutate": "may-run-as-root"}));
    assert!(
        m.contains("setting `mutate` must be a list of strings, got a string"),
        "{m}"
    );
    let m = settings_error(json!({"mutate": ["host-path-volume"]}));
    assert!(
        m.contains("setting `mutate`: \"host-path-volume\" has no automatic fix (the pod reads or writes the node's files"),
        "{m}"
    );
    let m = settings_error(json!({"level": "baseline", "mutate": ["may-run-as-root"]}));
    assert!(
        m.contains("\"may-run-as-root\" would never be fixed: it is a restricted check, and `level` is baseline"),
        "{m}"
    );
    let m = settings_error(json!({"mutate": ["writable-root-filesystem"]}));
    assert!(
        m.contains("\"writable-root-filesystem\" would never be fixed: it is not checked: add it to `rules` too"),
        "{m}"
    );
    assert!(
        Settings::from_value(&json!({"rules": ["writable-root-filesystem"],
        "mutate": ["writable-root-filesystem"]}))
        .is_ok()
    );
    // An input diagnostic runs without `rules`, but as a warning, which `mutate` does
    // not fix: it must be in `rules` too (listed in `mutate`'s order with the others).
    let m = settings_error(
        json!({"level": "baseline", "mutate": ["unknown-ignored-rule", "may-run-as-root"]}),
    );
    assert!(
        m.contains(
            "setting `mutate`: \"unknown-ignored-rule\" would never be fixed: it is an \
                    input diagnostic, which is a warning at admission, not a violation: add it \
                    to `rules` too; setting `mutate`: \"may-run-as-root\" would never be fixed"
        ),
        "{m}"
    );
    assert!(
        Settings::from_value(&json!({"rules": ["unknown-ignored-rule"],
        "mutate": ["unknown-ignored-rule"]}))
        .is_ok()
    );
    let m = settings_error(json!({"ignore": ["host-port"], "mutate": ["host-port"]}));
    assert!(
        m.contains("\"host-port\" would never be fixed: it is in `ignore` too"),
        "{m}"
    );
    let m = settings_error(json!({"mutate": ["non-default-capabilities"]}));
    assert!(
        m.contains("a stricter check replaces capabilities_baseline from v1.22"),
        "{m}"
    );
    let m = settings_error(json!({"muatte": []}));
    assert!(m.contains("honorIgnoreAnnotation, mutate"), "{m}");
}

/// The OPA builds cannot answer with a mutated object: there `mutate` is a settings
/// error (Gatekeeper: a violation; OPA response: code 500), never silently ignored.
#[test]
fn the_opa_builds_refuse_mutate() {
    let f = fixtures()
        .into_iter()
        .find(|(n, _)| n == "nginx-deployment-create")
        .unwrap()
        .1;
    let gk: Value = serde_json::from_str(&opa_evaluate(
        Entrypoint::Violation,
        json!({"review": f["request"], "parameters": f["settings"]})
            .to_string()
            .as_bytes(),
        b"",
    ))
    .unwrap();
    let violations = gk[0]["result"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{gk}");
    assert_eq!(violations[0]["details"]["rule"], "invalid-settings");
    assert!(violations[0]["msg"]
        .as_str()
        .unwrap()
        .contains("setting `mutate`: this build cannot mutate"));
    let opa: Value = serde_json::from_str(&opa_evaluate(
        Entrypoint::Response,
        json!({"request": f["request"]}).to_string().as_bytes(),
        f["settings"].to_string().as_bytes(),
    ))
    .unwrap();
    let r = &opa[0]["result"]["response"];
    assert_eq!(r["allowed"], false, "{opa}");
    assert_eq!(r["status"]["code"], 500);
    assert!(r["status"]["message"]
        .as_str()
        .unwrap()
        .contains("use kube-secctx.kubewarden.wasm"));
}

/// Without `mutate` nothing is ever mutated, whatever the request: the verdicts of the
/// mutate fixtures are those of the validating policy, with no `mutated_object`.
#[test]
fn without_mutate_nothing_is_mutated() {
    for (name, f) in fixtures() {
        let out = validate(&f["request"], &validating(&f["settings"]));
        assert!(out.get("mutated_object").is_none(), "{name}: {out}");
        let v = review(
            &f["request"],
            &Settings::from_value(&validating(&f["settings"])).unwrap(),
        );
        assert!(v.mutated_object.is_none(), "{name}");
    }
}

/// A List item, several containers, init containers, and a fix that removes list
/// entries (sysctls, added capabilities): the changes land in the right item, and a
/// violation left is named at the field the author wrote.
#[test]
fn list_entries_and_several_containers() {
    let c = |name: &str, extra: Value| {
        let mut c = json!({"name": name, "image": "registry.example/app:1"});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {
            "securityContext": {"sysctls": [
                {"name": "kernel.shm_rmid_forced", "value": "1"},
                {"name": "kernel.msgmax", "value": "1"},
                {"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"},
                {"name": "kernel.sem", "value": "1"}]},
            "initContainers": [c("init", json!({}))],
            "containers": [
                c("app", json!({"securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_BIND_SERVICE"]}}})),
                c("side", json!({"ports": [{"containerPort": 80, "hostPort": 80}]}))]}});
    let request = json!({"uid": "u", "operation": "CREATE", "namespace": "ns", "object": pod});
    let every = json!([
        "may-run-as-root",
        "privilege-escalation-allowed",
        "missing-seccomp-profile",
        "unrestricted-capabilities",
        "unsafe-sysctl",
        "host-port"
    ]);
    let out = validate(&request, &json!({"mutate": every}));
    assert_eq!(out["accepted"], true, "{out}");
    let m = &out["mutated_object"];
    assert_eq!(
        m["spec"]["securityContext"]["sysctls"],
        json!([{"name": "kernel.shm_rmid_forced", "value": "1"},
            {"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}])
    );
    assert_eq!(
        m["spec"]["containers"][0]["securityContext"]["capabilities"],
        json!({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]})
    );
    assert_eq!(
        m["spec"]["containers"][1]["ports"],
        json!([{"containerPort": 80}])
    );
    for c in [
        "/spec/initContainers/0",
        "/spec/containers/0",
        "/spec/containers/1",
    ] {
        let sc = &m.pointer(c).unwrap()["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{c}: {m}");
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]), "{c}: {m}");
    }
    assert_eq!(m["spec"]["securityContext"]["runAsNonRoot"], true);
    // A container that adds SYS_ADMIN, with unrestricted-capabilities not listed:
    // allowPrivilegeEscalation's fix there (which must remove SYS_ADMIN) is held back;
    // the unlisted rule's violations and that one are what the rejection names.
    let mut sys_admin = request.clone();
    sys_admin["object"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] =
        json!(["SYS_ADMIN"]);
    let mut fewer = every.clone();
    fewer
        .as_array_mut()
        .unwrap()
        .retain(|r| r != "unrestricted-capabilities");
    let out = validate(&sys_admin, &json!({"mutate": fewer}));
    assert_eq!(out["accepted"], false, "{out}");
    assert!(out.get("mutated_object").is_none());
    let message = out["message"].as_str().unwrap();
    assert!(
        message.contains("allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false; check: allowPrivilegeEscalation; field: spec.containers[0].securityContext.allowPrivilegeEscalation)"),
        "{message}"
    );
    assert!(
        message.contains("unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"] and must not include \"SYS_ADMIN\" in securityContext.capabilities.add"),
        "{message}"
    );
    for gone in [
        "container \"side\" must set securityContext.allowPrivilegeEscalation",
        "sysctl",
        "hostPort",
        "runAsNonRoot",
    ] {
        assert!(!message.contains(gone), "{gone}: {message}");
    }
    let warnings = strs(&out, "warnings");
    assert!(warnings[0].contains("1 fix held back"), "{warnings:?}");
}

/// A `List` of two Deployments: each item is fixed where it is.
#[test]
fn list_items_are_fixed_in_place() {
    let nginx = fixtures()
        .into_iter()
        .find(|(n, _)| n == "nginx-deployment-create")
        .unwrap()
        .1["request"]["object"]
        .clone();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": [nginx, nginx]});
    let request = json!({"uid": "u", "operation": "CREATE", "object": list});
    let settings = json!({"mutate": ["may-run-as-root", "privilege-escalation-allowed",
        "missing-seccomp-profile", "unrestricted-capabilities"]});
    let out = validate(&request, &settings);
    assert_eq!(out["accepted"], true, "{out}");
    for i in 0..2 {
        let spec = &out["mutated_object"]["items"][i]["spec"]["template"]["spec"];
        assert_eq!(spec["securityContext"]["runAsNonRoot"], true, "{i}");
        assert_eq!(
            spec["containers"][0]["securityContext"]["capabilities"]["drop"],
            json!(["ALL"])
        );
    }
}

/// `mode: warn` with fixes that are not enough: admitted unchanged, with every
/// violation as a warning (the object admitted has them all) and a note first.
#[test]
fn warn_mode_when_the_fixes_are_not_enough() {
    let f = fixtures()
        .into_iter()
        .find(|(n, _)| n == "privileged-pod-not-listed")
        .unwrap()
        .1;
    let mut settings = f["settings"].clone();
    settings["mode"] = json!("warn");
    let out = validate(&f["request"], &settings);
    assert_eq!(out["accepted"], true, "{out}");
    assert!(out.get("mutated_object").is_none());
    let warnings = strs(&out, "warnings");
    assert!(
        warnings[0].starts_with("kube-secctx did not mutate the object")
            && warnings[0].ends_with("so it is admitted unchanged"),
        "{warnings:?}"
    );
    assert_eq!(warnings.len(), 1 + 5, "{warnings:?}");
    assert!(warnings[1..]
        .iter()
        .all(|w| w.starts_with("would violate PodSecurity")));
}

/// Every `fail` fixture of the PSA corpus (each at its level and version), as a CREATE
/// request with `mutate` listing every rule with a fix that those settings report: the
/// policy mutates exactly when `check --fix --unsafe-fixes` leaves the pod's YAML without
/// a finding, and then into the object that fixed YAML is; the mutated object passes.
#[test]
fn psa_corpus_with_every_fix() {
    let dir = root().join("../shared/corpus/psa");
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "the PSA corpus is missing: expected {}",
        dir.display()
    );
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap();
    let (mut n, mut mutated) = (0, 0);
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 || cols[3] != "fail" {
            continue;
        }
        let (path, level, version) = (cols[0], cols[1], cols[2]);
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        let stream = parse_stream(&text, &Limits::default());
        let doc = &stream.documents[0];
        let object = doc.to_json(doc.root.unwrap());
        let base = json!({"level": level, "pssVersion": version});
        let rules: Vec<&str> = fixable_rule_ids()
            .into_iter()
            .filter(|id| {
                let mut s = base.clone();
                s["mutate"] = json!([id]);
                Settings::from_value(&s).is_ok()
            })
            .collect();
        let mut settings = base.clone();
        settings["mutate"] = json!(rules);
        let request = json!({"uid": "u", "operation": "CREATE", "namespace": "psa",
            "object": object});
        let out = validate(&request, &settings);
        // What the CLI makes of the file with the same rules' fixes.
        let opts = Options {
            level: Some(level.parse().unwrap()),
            pss_version: version.parse::<PssVersion>().unwrap(),
            ..Options::default()
        };
        let select = FixSelection {
            unsafe_fixes: true,
            rules: Some(rules.iter().map(|r| r.to_string()).collect()),
        };
        let fixed = fix_text(&opts, path, &text, &select, false).unwrap();
        let cli_passes = kube_secctx::check(path, &fixed.text, &opts)
            .unwrap()
            .findings
            .is_empty();
        assert_eq!(
            out.get("mutated_object").is_some(),
            cli_passes,
            "{path} at {level} {version}: {out}"
        );
        n += 1;
        if !cli_passes {
            assert_eq!(out["accepted"], false, "{path}: {out}");
            continue;
        }
        mutated += 1;
        assert_eq!(out["accepted"], true, "{path}: {out}");
        let stream = parse_stream(&fixed.text, &Limits::default());
        let doc = &stream.documents[0];
        assert_eq!(
            out["mutated_object"],
            doc.to_json(doc.root.unwrap()),
            "{path}: the policy and the CLI disagree"
        );
        let mut again = request.clone();
        again["object"] = out["mutated_object"].clone();
        assert_eq!(validate(&again, &base)["accepted"], true, "{path}");
    }
    assert_eq!(n, 3486, "fail fixtures");
    assert!(mutated > 2000, "only {mutated} of {n} mutated");
    eprintln!("{mutated} of {n} PSA fail fixtures mutated into passing pods");
}
