//! The core API every front end calls: `Checker` with its three inputs, options that say
//! "PSS at a level plus these rules", and Pod Security Admission policies per mode judged
//! in one pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use kube_secctx::{
    Checker, Finding, Level, Mode, ModePolicies, Modes, Options, OptionsError, Policy, PssVersion,
};

/// A Pod in `namespace` that is privileged (baseline `privileged`, all versions), runs
/// a probe against a host (baseline `hostProbesAndHostLifecycle`, from v1.34 only) and
/// sets no `runAsNonRoot` (restricted `runAsNonRoot`).
fn pod(namespace: Option<&str>) -> String {
    let ns = namespace.map_or(String::new(), |n| format!("  namespace: {n}\n"));
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n{ns}spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.0\n    readinessProbe: {{httpGet: {{host: 10.0.0.1, port: 8080}}}}\n    securityContext: {{privileged: true}}\n"
    )
}

fn modes_of(findings: &[Finding], rule: &str) -> Vec<Mode> {
    let f = findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {findings:#?}"));
    f.modes.iter().collect()
}

fn policy(level: Level, version: PssVersion) -> Option<Policy> {
    Some(Policy { level, version })
}

#[test]
fn per_namespace_policies_tag_each_finding_with_the_modes_it_fails() {
    // PSA labels: enforce baseline (latest), audit restricted v1.24, warn restricted latest.
    let prod = ModePolicies {
        enforce: policy(Level::Baseline, PssVersion::Latest),
        audit: policy(Level::Restricted, PssVersion::V1(24)),
        warn: policy(Level::Restricted, PssVersion::Latest),
    };
    let opts = Options {
        namespaces: BTreeMap::from([
            ("prod".to_string(), prod),
            ("sandbox".to_string(), ModePolicies::default()),
        ]),
        ..Options::default()
    };
    let mut checker = Checker::new(&opts).unwrap();

    let text = pod(Some("prod"));
    let prod_findings = checker.check_text("prod.yaml", &text).findings.to_vec();
    // A baseline check of every version: failed under all three policies, one finding.
    assert_eq!(
        modes_of(&prod_findings, "privileged-container"),
        [Mode::Enforce, Mode::Audit, Mode::Warn]
    );
    let privileged: Vec<&Finding> = prod_findings
        .iter()
        .filter(|f| f.rule == "privileged-container")
        .collect();
    assert_eq!(privileged.len(), 1, "one finding, not one per mode");
    // hostProbesAndHostLifecycle applies from v1.34: not in the v1.24 audit policy.
    assert_eq!(
        modes_of(&prod_findings, "probe-or-lifecycle-host"),
        [Mode::Enforce, Mode::Warn]
    );
    // A restricted check: only the restricted policies (audit and warn).
    assert_eq!(
        modes_of(&prod_findings, "may-run-as-root"),
        [Mode::Audit, Mode::Warn]
    );
    // Hardening rules run once, outside any mode (the default profile runs them).
    let hardening = prod_findings
        .iter()
        .find(|f| f.rule == "writable-root-filesystem")
        .unwrap();
    assert!(hardening.modes.is_empty());
    assert!(hardening.pss.is_none());

    // A namespace whose every mode is privileged: no PSS finding at all.
    let sandbox = checker
        .check_text("sandbox.yaml", &pod(Some("sandbox")))
        .findings
        .to_vec();
    assert!(sandbox.iter().all(|f| f.pss.is_none()), "{sandbox:#?}");
    assert!(sandbox.iter().any(|f| f.rule == "writable-root-filesystem"));

    // No namespace: `default`, not listed, so the options' level (restricted in the
    // default profile) as enforce.
    let other = checker
        .check_text("other.yaml", &pod(None))
        .findings
        .to_vec();
    assert_eq!(modes_of(&other, "may-run-as-root"), [Mode::Enforce]);
    assert_eq!(modes_of(&other, "privileged-container"), [Mode::Enforce]);

    let report = checker.finish();
    assert_eq!(report.files, ["prod.yaml", "sandbox.yaml", "other.yaml"]);
    assert_eq!(
        report.findings.len(),
        prod_findings.len() + sandbox.len() + other.len()
    );
}

#[test]
fn a_level_plus_named_rules_in_one_pass() {
    let opts = Options {
        level: Some(Level::Baseline),
        also: vec!["writable-root-filesystem".into()],
        ..Options::default()
    };
    let report = kube_secctx::check("pod.yaml", &pod(None), &opts).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"privileged-container"), "{rules:?}");
    assert!(rules.contains(&"writable-root-filesystem"), "{rules:?}");
    // Restricted checks and the hardening rules not named do not run.
    assert!(!rules.contains(&"may-run-as-root"), "{rules:?}");
    assert!(
        !rules.contains(&"pod-security-context-missing"),
        "{rules:?}"
    );
    assert_eq!(report.options.level, Some(Level::Baseline));
    let bad = Options {
        also: vec!["writable-root".into()],
        ..Options::default()
    };
    assert!(matches!(
        Checker::new(&bad),
        Err(OptionsError::UnknownRule { ref id, .. }) if id == "writable-root"
    ));
}

#[test]
fn the_three_inputs_and_what_each_call_returns() {
    let mut checker = Checker::new(&Options {
        level: Some(Level::Baseline),
        ..Options::default()
    })
    .unwrap();
    // Text: spans are bytes of the text.
    let text = pod(None);
    let checked = checker.check_text("a.yaml", &text);
    let f = checked
        .findings
        .iter()
        .find(|f| f.rule == "privileged-container")
        .unwrap();
    assert_eq!(&text[f.span.start..f.span.end], "true");
    assert_eq!(f.modes, Modes::only(Mode::Enforce));
    // Bytes that are not UTF-8: one error entry at the first bad byte, nothing checked.
    let mut bytes = pod(None).into_bytes();
    bytes.insert(20, 0xFF);
    let checked = checker.check_bytes("b.yaml", &bytes);
    assert!(checked.findings.is_empty());
    assert_eq!(checked.errors.len(), 1);
    assert_eq!(checked.errors[0].span.start, 20);
    assert!(checked.errors[0].message.contains("0xFF"));
    // A decoded object: the same findings, by JSON pointer, with empty spans; suppressed
    // findings are returned apart.
    let object = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "annotations": {"kube-secctx.io/ignore": "host-namespaces"}},
        "spec": {"hostPID": true, "containers": [{"name": "app", "image": "x",
            "securityContext": {"privileged": true}}]}
    });
    let checked = checker.check_object("request.object", &object);
    assert_eq!(checked.findings.len(), 1);
    assert_eq!(
        checked.findings[0].path,
        "/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(checked.findings[0].span, Default::default());
    assert_eq!(checked.suppressed.len(), 1);
    assert_eq!(checked.suppressed[0].path, "/spec/hostPID");
    let report = checker.finish();
    assert_eq!(report.summary.files, 3);
    // privileged and the probe's host in a.yaml, privileged in the object.
    assert_eq!(report.summary.findings, 3);
    assert_eq!(report.summary.suppressed, 1);
    assert_eq!(report.summary.errors, 1);
    assert_eq!(report.suppressed.len(), 1);
}
