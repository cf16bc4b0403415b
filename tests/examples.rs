//! The manifests in `examples/` that `make demo` checks: each gives the findings the
//! README shows, at the lines and columns of the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

mod common;

use common::{check_located as check, covered, list, Located, LocatedReport as Report};
use kube_secctx::{Finding, Level, Options, Severity};

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn run(name: &str, level: Option<Level>) -> (String, Report) {
    let text = read(name);
    let opts = Options {
        level,
        ..Options::default()
    };
    let report = check(name, &text, &opts);
    assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
    (text, report)
}

fn find<'r>(report: &'r Report, rule: &str, path: &str) -> &'r Located<Finding> {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule && f.path == path)
        .unwrap_or_else(|| panic!("no {rule} at {path}; findings:\n{}", list(report)))
}

fn at(f: &Located<Finding>) -> (usize, usize) {
    (f.range.start.line, f.range.start.column)
}

fn rules(report: &Report) -> Vec<&'static str> {
    let mut r: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
    r.sort_unstable();
    r
}

const POD: &str = "/spec/template/spec";
const C0: &str = "/spec/template/spec/containers/0/securityContext";

#[test]
fn nginx_deployment_hardening_rules_point_at_spec_and_name() {
    let (text, report) = run("nginx-deployment.yaml", None);
    // The Kubernetes documentation's layout, kept as it is.
    assert!(text.starts_with("apiVersion: apps/v1\nkind: Deployment\n"));
    assert!(text.contains("image: nginx:1.14.2"));

    let pod = find(
        &report,
        "pod-security-context-missing",
        &format!("{POD}/securityContext"),
    );
    // Line 16 is `    spec:` (the template's spec).
    assert_eq!(at(pod), (16, 5));
    assert_eq!(covered(&text, pod), "spec");
    assert_eq!(pod.container, None);
    assert_eq!(pod.severity, Severity::Warning);
    assert_eq!(pod.pss, None);

    let ctr = find(&report, "container-security-context-missing", C0);
    // Line 18 is `      - name: nginx`: the range is the first key of the item.
    assert_eq!(at(ctr), (18, 9));
    assert_eq!(covered(&text, ctr), "name");
    assert_eq!(ctr.container.as_deref(), Some("nginx"));
    assert_eq!(ctr.resource.kind, "Deployment");
    assert_eq!(ctr.resource.name.as_deref(), Some("nginx-deployment"));

    // The restricted rules, all at the container's `- name:` line.
    for (rule, field, check) in [
        ("may-run-as-root", "runAsNonRoot", "runAsNonRoot"),
        (
            "privilege-escalation-allowed",
            "allowPrivilegeEscalation",
            "allowPrivilegeEscalation",
        ),
        (
            "missing-seccomp-profile",
            "seccompProfile/type",
            "seccompProfile_restricted",
        ),
        (
            "unrestricted-capabilities",
            "capabilities/drop",
            "capabilities_restricted",
        ),
    ] {
        let f = find(&report, rule, &format!("{C0}/{field}"));
        assert_eq!(at(f), (18, 9), "{rule}");
        assert_eq!(f.severity, Severity::Error, "{rule}");
        let pss = f.pss.as_ref().unwrap();
        assert_eq!((pss.level, pss.check), (Level::Restricted, check), "{rule}");
    }
    let ro = find(
        &report,
        "writable-root-filesystem",
        &format!("{C0}/readOnlyRootFilesystem"),
    );
    assert_eq!(at(ro), (18, 9));

    assert_eq!(
        rules(&report),
        vec![
            "container-security-context-missing",
            "may-run-as-root",
            "missing-seccomp-profile",
            "pod-security-context-missing",
            "privilege-escalation-allowed",
            "unrestricted-capabilities",
            "writable-root-filesystem",
        ]
    );
}

#[test]
fn nginx_deployment_is_clean_at_baseline() {
    let (_, report) = run("nginx-deployment.yaml", Some(Level::Baseline));
    assert!(report.findings.is_empty(), "{}", list(&report));
    assert_eq!(report.summary.resources, 1);
}

#[test]
fn nginx_deployment_at_restricted_has_only_pss_rules() {
    let (_, report) = run("nginx-deployment.yaml", Some(Level::Restricted));
    assert_eq!(
        rules(&report),
        vec![
            "may-run-as-root",
            "missing-seccomp-profile",
            "privilege-escalation-allowed",
            "unrestricted-capabilities",
        ]
    );
}

#[test]
fn restricted_deployment_has_no_findings() {
    for level in [None, Some(Level::Baseline), Some(Level::Restricted)] {
        let (_, report) = run("restricted-deployment.yaml", level);
        assert!(report.findings.is_empty(), "{level:?}:\n{}", list(&report));
        assert_eq!(report.summary.resources, 1);
        assert_eq!(report.summary.suppressed, 0);
    }
    // At every policy version too.
    for minor in 0..=40 {
        let text = read("restricted-deployment.yaml");
        let opts = Options {
            level: Some(Level::Restricted),
            pss_version: kube_secctx::PssVersion::V1(minor),
            ..Options::default()
        };
        let report = check("restricted-deployment.yaml", &text, &opts);
        assert!(report.findings.is_empty(), "v1.{minor}:\n{}", list(&report));
    }
}

#[test]
fn privileged_daemonset() {
    let (text, report) = run("privileged-daemonset.yaml", None);
    let privileged = find(&report, "privileged-container", &format!("{C0}/privileged"));
    // Line 51: `          privileged: true`.
    assert_eq!(at(privileged), (51, 23));
    assert_eq!(covered(&text, privileged), "true");
    assert_eq!(privileged.container.as_deref(), Some("agent"));
    assert_eq!(privileged.resource.kind, "DaemonSet");
    assert_eq!(privileged.resource.namespace.as_deref(), Some("monitoring"));

    let net = find(&report, "host-namespaces", &format!("{POD}/hostNetwork"));
    assert_eq!(at(net), (24, 20));
    let pid = find(&report, "host-namespaces", &format!("{POD}/hostPID"));
    assert_eq!(at(pid), (25, 16));
    assert_eq!(covered(&text, pid), "true");
    let port = find(
        &report,
        "host-port",
        "/spec/template/spec/containers/0/ports/0/hostPort",
    );
    assert_eq!(at(port), (43, 21));
    assert_eq!(covered(&text, port), "9400");
    let pod = find(
        &report,
        "pod-security-context-missing",
        &format!("{POD}/securityContext"),
    );
    assert_eq!(at(pod), (22, 5));

    // In the default profile (restricted), hostPath volumes are reported by the
    // restricted volume check that replaces the baseline one, at the `hostPath:` key
    // (line 64), not at the `path:` inside it.
    let vol = find(
        &report,
        "forbidden-volume-type",
        &format!("{POD}/volumes/0/hostPath"),
    );
    assert_eq!(at(vol), (64, 9));
    assert_eq!(covered(&text, vol), "hostPath");
    assert!(!rules(&report).contains(&"host-path-volume"));

    // At baseline: privileged, host namespaces, host port and the three hostPath volumes.
    let (text, baseline) = run("privileged-daemonset.yaml", Some(Level::Baseline));
    let lines: Vec<(usize, &str)> = baseline
        .findings
        .iter()
        .map(|f| (f.range.start.line, f.rule))
        .collect();
    assert_eq!(
        lines,
        vec![
            (24, "host-namespaces"),
            (25, "host-namespaces"),
            (43, "host-port"),
            (51, "privileged-container"),
            (64, "host-path-volume"),
            (67, "host-path-volume"),
            (71, "host-path-volume"),
        ]
    );
    // Each at its volume's `hostPath:` key, the field a fix would edit.
    for (i, line) in [64, 67, 71].into_iter().enumerate() {
        let f = find(
            &baseline,
            "host-path-volume",
            &format!("{POD}/volumes/{i}/hostPath"),
        );
        assert_eq!(at(f), (line, 9));
        assert_eq!(covered(&text, f), "hostPath");
    }
}

#[test]
fn cronjob_runs_as_root_and_keeps_capabilities() {
    let (text, report) = run("cronjob.yaml", None);
    let spec = "/spec/jobTemplate/spec/template/spec";
    let user = find(
        &report,
        "run-as-root-user",
        &format!("{spec}/securityContext/runAsUser"),
    );
    // Line 23: `            runAsUser: 0`, a pod-level value.
    assert_eq!(at(user), (23, 24));
    assert_eq!(covered(&text, user), "0");
    assert_eq!(user.container, None);
    assert_eq!(user.resource.kind, "CronJob");
    let caps = find(
        &report,
        "unrestricted-capabilities",
        &format!("{spec}/containers/0/securityContext/capabilities/drop"),
    );
    // The container has a securityContext (line 38) without capabilities.
    assert_eq!(at(caps), (38, 13));
    assert_eq!(covered(&text, caps), "securityContext");
    assert_eq!(
        rules(&report),
        vec![
            "may-run-as-root",
            "run-as-root-user",
            "unrestricted-capabilities"
        ]
    );
    // Baseline allows it.
    let (_, baseline) = run("cronjob.yaml", Some(Level::Baseline));
    assert!(baseline.findings.is_empty(), "{}", list(&baseline));
}

#[test]
fn examples_directory_holds_the_four_demo_manifests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "cronjob.yaml",
            "nginx-deployment.yaml",
            "privileged-daemonset.yaml",
            "restricted-deployment.yaml"
        ]
    );
}
