//! Pod Security Admission's semantics of namespace labels and of its admission
//! configuration, each case asserting what PSA's own code does (`k8s.io/pod-security-admission`
//! at commit `8f84a87`; the function is named in each test).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use kube_secctx::psa::{
    read_admission_config, AdmissionConfig, Cluster, LevelVersion, PsaConfig, PsaLevel, PsaPolicy,
};
use kube_secctx::{Checker, Level, Options, PssVersion, Report, Severity};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: NS}\nspec:\n  \
                   hostNetwork: true\n  containers:\n  - name: a\n    image: b\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: NS}\n\
                          spec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      \
                          - name: a\n        image: b\n";

fn namespace(name: &str, labels: &[(&str, &str)]) -> String {
    let mut s = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
    if !labels.is_empty() {
        s.push_str("  labels:\n");
        for (k, v) in labels {
            s.push_str(&format!("    pod-security.kubernetes.io/{k}: '{v}'\n"));
        }
    }
    s
}

/// Checks `manifests` (in namespace `ns`) with the cluster `namespaces` and `config`
/// describe, as the CLI does.
fn judge(namespaces: &str, config: Option<PsaConfig>, manifest: &str, ns: &str) -> Report {
    let mut cluster = Cluster::new(config);
    cluster.add_text("ns.yaml", namespaces, false);
    let mut opts = Options::default();
    cluster.apply(&mut opts);
    let mut checker = Checker::new(&opts).unwrap();
    for note in cluster.notes() {
        checker.note(note);
    }
    checker.check_text("m.yaml", &manifest.replace("NS", ns));
    checker.finish()
}

/// `(rule, severity, admission)` of the PSS findings.
fn pss(report: &Report) -> Vec<(&str, Severity, &str)> {
    report
        .findings
        .iter()
        .filter(|f| f.pss.is_some())
        .map(|f| (f.rule, f.severity, f.admission.as_deref().unwrap_or("")))
        .collect()
}

#[test]
fn validate_pod_rejects_and_validate_pod_controller_accepts_the_workload() {
    // ValidatePod evaluates enforce (EvaluatePod with enforce=true): the Pod is rejected,
    // and no warning is added to a rejected request.
    let ns = namespace("prod", &[("enforce", "baseline"), ("warn", "baseline")]);
    let pod = judge(&ns, None, POD, "prod");
    assert_eq!(
        pss(&pod),
        [(
            "host-namespaces",
            Severity::Error,
            "rejected (enforce baseline:latest)"
        )]
    );
    // ValidatePodController calls EvaluatePod with enforce=false: the Deployment is
    // accepted, warn applies to it, and its Pods are rejected when the ReplicaSet
    // controller creates them.
    let deployment = judge(&ns, None, DEPLOYMENT, "prod");
    assert_eq!(
        pss(&deployment),
        [(
            "host-namespaces",
            Severity::Error,
            "the Deployment is accepted; its Pods would be rejected (FailedCreate) (enforce \
             baseline:latest); kubectl apply would warn (warn baseline:latest)"
        )]
    );
}

#[test]
fn warn_and_audit_only_are_warnings_and_checks_beyond_every_level_are_not_reported() {
    // EvaluatePod: a failed audit policy is an audit annotation, a failed warn policy a
    // warning; neither rejects. runAsNonRoot (restricted) is beyond enforce baseline.
    let ns = namespace(
        "prod",
        &[
            ("enforce", "privileged"),
            ("audit", "restricted"),
            ("warn", "baseline"),
        ],
    );
    let report = judge(&ns, None, POD, "prod");
    let found = pss(&report);
    assert!(found.contains(&(
        "host-namespaces",
        Severity::Warning,
        "kubectl apply would warn (warn baseline:latest); recorded in the audit log (audit \
         restricted:latest)"
    )));
    assert!(found.contains(&(
        "may-run-as-root",
        Severity::Warning,
        "recorded in the audit log (audit restricted:latest)"
    )));
    // At baseline everywhere, the restricted checks are beyond every mode: not reported.
    let ns = namespace("prod", &[("enforce", "baseline"), ("audit", "baseline")]);
    let report = judge(&ns, None, POD, "prod");
    assert!(
        pss(&report).iter().all(|(r, _, _)| *r == "host-namespaces"),
        "{:?}",
        pss(&report)
    );
}

#[test]
fn fully_privileged_namespaces_give_no_pss_finding() {
    // ValidatePod short-circuits on nsPolicy.FullyPrivileged(); the hardening rules are
    // not PSA and still run.
    let ns = namespace(
        "tools",
        &[
            ("enforce", "privileged"),
            ("audit", "privileged"),
            ("warn", "privileged"),
        ],
    );
    let report = judge(&ns, None, POD, "tools");
    assert!(pss(&report).is_empty());
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "pod-security-context-missing"));
    assert!(
        report.notes.is_empty(),
        "an explicit privileged label is no surprise"
    );
}

#[test]
fn enforce_version_selects_the_checks_of_that_version() {
    // PolicyToEvaluate reads enforce-version; hostProbesAndHostLifecycle exists from v1.34.
    let probe = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: NS}\nspec:\n  containers:\n  \
                 - name: a\n    image: b\n    readinessProbe: {httpGet: {host: 10.0.0.1, port: 80}}\n";
    let old = namespace(
        "a",
        &[("enforce", "baseline"), ("enforce-version", "v1.24")],
    );
    assert!(pss(&judge(&old, None, probe, "a")).is_empty());
    let new = namespace(
        "a",
        &[("enforce", "baseline"), ("enforce-version", "v1.34")],
    );
    assert_eq!(
        pss(&judge(&new, None, probe, "a")),
        [(
            "probe-or-lifecycle-host",
            Severity::Error,
            "rejected (enforce baseline:v1.34)"
        )]
    );
}

#[test]
fn invalid_labels_are_errors_at_the_value_and_judged_as_policy_to_evaluate_says() {
    // PolicyToEvaluate: ParseLevel fails → enforce restricted (fail closed); audit and
    // warn privileged (fail open); ParseVersion fails → latest. Each error is
    // field.Invalid(metadata.labels[<label>]).
    let ns = namespace(
        "prod",
        &[
            ("enforce", "Baseline"),
            ("audit", "strict"),
            ("warn", "nope"),
            ("warn-version", "1.25"),
        ],
    );
    let report = judge(&ns, None, POD, "prod");
    // Enforce restricted: the restricted checks are enforced too.
    let found = pss(&report);
    assert!(found.contains(&(
        "host-namespaces",
        Severity::Error,
        "rejected (enforce restricted:latest)"
    )));
    assert!(found.contains(&(
        "may-run-as-root",
        Severity::Error,
        "rejected (enforce restricted:latest)"
    )));
    // The Namespace document itself: one error entry per invalid label, at its value.
    let mut checker = Checker::new(&Options::default()).unwrap();
    let errors = checker.check_text("ns.yaml", &ns).errors.to_vec();
    let at: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (&ns[e.span.start..e.span.end], e.message.as_str()))
        .collect();
    assert_eq!(at.len(), 4, "{at:#?}");
    assert_eq!(at[0].0, "'Baseline'");
    assert_eq!(
        at[0].1,
        "invalid Pod Security label metadata.labels[pod-security.kubernetes.io/enforce]: \
         \"Baseline\" must be one of privileged, baseline, restricted: Pod Security Admission \
         enforces restricted for this namespace"
    );
    assert!(
        at[1].1.contains("audit]: \"strict\"") && at[1].1.contains("audits nothing (privileged)")
    );
    assert!(at[2].1.contains("warn]: \"nope\""));
    assert!(at[3]
        .1
        .contains("warn-version]: \"1.25\" must be \"latest\" or \"v1.x\""));
}

#[test]
fn unlabelled_namespaces_are_privileged_with_one_note() {
    // PolicyToEvaluate with no labels returns the defaults: PSA's built-in defaults are
    // privileged (SetDefaults_PodSecurityDefaults on an empty configuration).
    let ns = namespace("legacy", &[]);
    let report = judge(&ns, None, POD, "legacy");
    assert!(pss(&report).is_empty());
    assert_eq!(report.summary.notes, 1);
    assert_eq!(
        report.notes[0].message,
        "namespace legacy has no pod-security.kubernetes.io/enforce label: the cluster \
         enforces nothing"
    );
    assert_eq!(report.notes[0].file.as_deref(), Some("ns.yaml"));
    // With configuration defaults that enforce baseline, the namespace is enforced: no note.
    let config = PsaConfig {
        defaults: PsaPolicy {
            enforce: LevelVersion {
                level: PsaLevel::Pss(Level::Baseline),
                version: PssVersion::Latest,
            },
            ..PsaPolicy::default()
        },
        ..PsaConfig::default()
    };
    let report = judge(&ns, Some(config), POD, "legacy");
    assert!(report.notes.is_empty());
    assert_eq!(
        pss(&report),
        [(
            "host-namespaces",
            Severity::Error,
            "rejected (enforce baseline:latest)"
        )]
    );
}

#[test]
fn resources_outside_described_namespaces_are_judged_as_before_unless_defaults() {
    let ns = namespace("prod", &[("enforce", "privileged")]);
    let report = judge(&ns, None, POD, "elsewhere");
    // As without namespaces: restricted, no admission words, the rules' own severity.
    assert!(pss(&report)
        .iter()
        .all(|(_, s, a)| *s == Severity::Error && a.is_empty()));
    assert!(!pss(&report).is_empty());
    let config = match read_admission_config(
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n\
         defaults: {warn: baseline}\n",
    )
    .unwrap()
    {
        AdmissionConfig::Config(c) => c,
        other => panic!("{other:?}"),
    };
    let report = judge(&ns, Some(config), POD, "elsewhere");
    assert_eq!(
        pss(&report),
        [(
            "host-namespaces",
            Severity::Warning,
            "kubectl apply would warn (warn baseline:latest)"
        )]
    );
}

#[test]
fn exempt_namespaces_and_runtime_classes_get_no_pss_finding() {
    // exemptNamespace and exemptRuntimeClass (admission.go) short-circuit before any
    // check; usernames cannot apply to files and are said once.
    let AdmissionConfig::Config(config) = read_admission_config(
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n\
         defaults: {enforce: restricted}\nexemptions:\n  namespaces: [kube-system]\n  \
         runtimeClasses: [kata]\n  usernames: [admin, ci]\n",
    )
    .unwrap() else {
        panic!()
    };
    let report = judge("", Some(config.clone()), POD, "kube-system");
    assert!(pss(&report).is_empty());
    assert!(
        report.findings.iter().any(|f| f.pss.is_none()),
        "hardening still runs"
    );
    let kata = POD.replace(
        "  hostNetwork: true\n",
        "  hostNetwork: true\n  runtimeClassName: kata\n",
    );
    assert!(pss(&judge("", Some(config.clone()), &kata, "apps")).is_empty());
    let runc = POD.replace(
        "  hostNetwork: true\n",
        "  hostNetwork: true\n  runtimeClassName: runc\n",
    );
    assert!(!pss(&judge("", Some(config.clone()), &runc, "apps")).is_empty());
    let notes = judge("", Some(config), POD, "apps").notes;
    assert_eq!(notes.len(), 1);
    assert!(notes[0].message.contains("exempts usernames (admin, ci)"));
}

#[test]
fn namespace_lists_are_read_and_inputs_win_over_the_cluster() {
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    \
                name: prod\n    labels: {pod-security.kubernetes.io/enforce: privileged}\n";
    let mut cluster = Cluster::new(None);
    cluster.add_text(
        "ns.yaml",
        &namespace("prod", &[("enforce", "baseline")]),
        false,
    );
    cluster.add_text("cluster.yaml", list, true);
    let mut opts = Options::default();
    cluster.apply(&mut opts);
    assert_eq!(
        opts.namespaces["prod"].enforce.map(|p| p.level),
        Some(Level::Baseline)
    );
    let mut only_cluster = Cluster::new(None);
    only_cluster.add_text(
        "cluster.yaml",
        &list.replace("kind: List", "kind: NamespaceList"),
        true,
    );
    assert_eq!(only_cluster.namespaces().len(), 1);
}
