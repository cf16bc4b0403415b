//! The real-world corpus in `../shared/corpus/real` (26 manifests from public projects,
//! see its `SOURCES.tsv`): every file is checked without error entries, and known
//! violations are found at the line and column read off the file by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{
    check_located as check, corpus_manifests as manifests, list, read_corpus as read, Located,
    LocatedReport as Report,
};
use kube_secctx::report::MatchedBy;
use kube_secctx::workload::extract;
use kube_secctx::{Finding, Level, Options};

fn run(name: &str, opts: &Options) -> (String, Report) {
    let text = read(name);
    let report = check(name, &text, opts);
    (text, report)
}

/// The finding of `rule` at JSON pointer `path` in document `doc`.
fn find<'r>(report: &'r Report, doc: usize, rule: &str, path: &str) -> &'r Located<Finding> {
    report
        .findings
        .iter()
        .find(|f| f.document == doc && f.rule == rule && f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {rule} finding at {path} in document {doc}; findings:\n{}",
                list(report)
            )
        })
}

/// Expected findings, one per string, read off the file by hand:
///
/// `"DOC RULE CONTAINER PATH LINE:COLUMN TEXT"` — the document index, the rule ID, the
/// container name (`-` for a pod-level finding), the JSON pointer, where the range starts
/// (1-based, columns in characters), and the text the range starts with (the rest of the
/// string, spaces included).
fn assert_expected(name: &str, opts: &Options, expected: &[&str]) -> Report {
    let (text, report) = run(name, opts);
    assert!(
        report.errors.is_empty(),
        "{name}: error entries {:?}",
        report.errors
    );
    for spec in expected {
        let parts: Vec<&str> = spec.splitn(6, ' ').collect();
        let [doc, rule, container, path, at, want] = parts[..] else {
            panic!("bad expectation {spec:?}");
        };
        let doc: usize = doc.parse().unwrap();
        let (line, column) = at.split_once(':').unwrap();
        let (line, column): (usize, usize) = (line.parse().unwrap(), column.parse().unwrap());
        let container = (container != "-").then_some(container);

        let f = find(&report, doc, rule, path);
        assert_eq!(
            (f.range.start.line, f.range.start.column),
            (line, column),
            "{name}: {rule} at {path}"
        );
        assert_eq!(
            f.container.as_deref(),
            container,
            "{name}: {rule} at {path}"
        );
        let covered = &text[f.range.start.offset..f.range.end.offset];
        assert!(
            covered.starts_with(want),
            "{name}: {rule} range covers {covered:?}, expected it to start with {want:?}"
        );
        // The byte offset and the line/column agree.
        let line_start = text[..f.range.start.offset]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        assert_eq!(
            text[line_start..f.range.start.offset].chars().count() + 1,
            column,
            "{name}: column of {rule}"
        );
        assert_eq!(
            text[..f.range.start.offset].matches('\n').count() + 1,
            line,
            "{name}: line of {rule}"
        );
    }
    report
}

fn rules_of(report: &Report) -> Vec<&'static str> {
    let mut r: Vec<&'static str> = report.findings.iter().map(|f| f.rule).collect();
    r.sort_unstable();
    r.dedup();
    r
}

const POD_SC: &str = "pod-security-context-missing";

// ---------------------------------------------------------------------------------------
// The whole corpus
// ---------------------------------------------------------------------------------------

#[test]
fn every_file_is_checked_without_error_entries() {
    let names = manifests();
    assert!(
        names.len() >= 27,
        "expected the 26 manifests and bench-large.yaml, found {names:?}"
    );
    let mut bad = Vec::new();
    for name in &names {
        for opts in [
            Options::default(),
            Options {
                level: Some(Level::Baseline),
                ..Options::default()
            },
        ] {
            let (_, report) = run(name, &opts);
            if !report.errors.is_empty() {
                bad.push(format!("{name} ({:?}): {:?}", opts.level, report.errors));
            }
            assert_eq!(report.summary.files, 1);
            assert!(report.summary.documents > 0, "{name}: no documents");
        }
    }
    assert!(bad.is_empty(), "error entries:\n{}", bad.join("\n"));
}

/// `SOURCES.tsv` lists every file with its size, its non-empty YAML documents and its
/// pod-bearing resources of built-in kinds: the parser and workload extraction agree.
#[test]
fn sources_tsv_agrees_with_parser() {
    let tsv = read("SOURCES.tsv");
    let mut rows = 0;
    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, bytes, docs, pods) = (cols[0], cols[5], cols[6], cols[7]);
        let text = read(name);
        assert_eq!(text.len().to_string(), bytes, "{name}: size");
        let stream = kube_secctx::yaml::parse_stream(&text, &Default::default());
        assert!(stream.errors.is_empty(), "{name}: {:?}", stream.errors);
        let non_empty = stream.documents.iter().filter(|d| d.root.is_some()).count();
        assert_eq!(non_empty.to_string(), docs, "{name}: non-empty documents");
        let by_kind: usize = stream
            .documents
            .iter()
            .map(|d| {
                let e = extract(d);
                assert!(e.errors.is_empty(), "{name}: {:?}", e.errors);
                e.workloads
                    .iter()
                    .filter(|w| w.spec.is_some() && w.resource.matched_by == MatchedBy::Kind)
                    .count()
            })
            .sum();
        assert_eq!(by_kind.to_string(), pods, "{name}: pod-bearing resources");
        rows += 1;
    }
    assert_eq!(rows, 27, "SOURCES.tsv rows");
}

/// bench-large.yaml: the 26 files joined by `---` lines, three times over.
#[test]
fn bench_large_parses_and_document_count_matches_separators() {
    let text = read("bench-large.yaml");
    // Count the document markers by hand: a line that is `---` alone or `--- ` + more.
    let markers = text
        .lines()
        .filter(|l| {
            let l = l.trim_end_matches('\r');
            l == "---" || l.starts_with("--- ") || l.starts_with("---\t")
        })
        .count();
    // The file starts with content (argo-cd's install.yaml), which opens an implicit
    // first document before the first marker.
    let first_marker = text.find("\n---").unwrap();
    assert!(text[..first_marker]
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')));
    let expected_docs = markers + 1;
    assert_eq!(
        expected_docs, 846,
        "SOURCES.tsv: 846 documents including empty ones"
    );

    let stream = kube_secctx::yaml::parse_stream(&text, &Default::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors.first());
    assert_eq!(stream.document_count, expected_docs);
    assert_eq!(stream.documents.len(), expected_docs);
    assert_eq!(
        stream.documents.iter().filter(|d| d.root.is_some()).count(),
        804,
        "SOURCES.tsv: 804 non-empty documents"
    );

    let report = check("bench-large.yaml", &text, &Options::default());
    assert!(report.errors.is_empty());
    assert_eq!(report.summary.documents, 846);
    // 159 resources of built-in kinds + 3 matched by shape (one Argo Rollout, two
    // Knative Services), per copy: 3 × (53 + 3).
    assert_eq!(report.summary.resources, 168);
    // The three copies give the same findings.
    assert_eq!(report.findings.len() % 3, 0);
    let third = report.findings.len() / 3;
    for (a, b) in report.findings[..third]
        .iter()
        .zip(&report.findings[third..2 * third])
    {
        assert_eq!((a.rule, &a.path, &a.message), (b.rule, &b.path, &b.message));
    }
}

// ---------------------------------------------------------------------------------------
// The known violations named in the issue
// ---------------------------------------------------------------------------------------

#[test]
fn calico_node_daemonset_is_privileged() {
    let c = "/spec/template/spec/containers/0/securityContext/privileged";
    let report = assert_expected(
        "calico-v3-manifest.yaml",
        &Options::default(),
        &[
            "36 host-namespaces - /spec/template/spec/hostNetwork 12513:20 true",
            "36 privileged-container calico-node /spec/template/spec/containers/0/securityContext/privileged 12709:25 true",
            "36 privileged-container upgrade-ipam /spec/template/spec/initContainers/0/securityContext/privileged 12560:25 true",
            // A hostPath volume: at its `hostPath:` key, not at the `path:` inside it.
            "36 forbidden-volume-type - /spec/template/spec/volumes/0/hostPath 12781:11 hostPath",
        ],
    );
    let f = find(&report, 36, "privileged-container", c);
    assert_eq!(f.resource.kind, "DaemonSet");
    assert_eq!(f.resource.name.as_deref(), Some("calico-node"));
    assert_eq!(f.resource.namespace.as_deref(), Some("kube-system"));
    assert_eq!(f.pss.as_ref().unwrap().check, "privileged");
    // Three privileged init containers and the main container.
    let privileged = report
        .findings
        .iter()
        .filter(|f| f.rule == "privileged-container")
        .count();
    assert_eq!(privileged, 4);
    // 13 hostPath volumes: at baseline each is host-path-volume.
    let (_, baseline) = run(
        "calico-v3-manifest.yaml",
        &Options {
            level: Some(Level::Baseline),
            ..Options::default()
        },
    );
    let host_paths = baseline
        .findings
        .iter()
        .filter(|f| f.rule == "host-path-volume")
        .count();
    assert_eq!(host_paths, 13);
    // kube-controllers (document 37) sets seccomp RuntimeDefault: no seccomp finding.
    assert!(!report
        .findings
        .iter()
        .any(|f| f.document == 37 && f.rule == "missing-seccomp-profile"));
}

#[test]
fn node_exporter_uses_host_network_and_pid() {
    let report = assert_expected(
        "kube-prometheus-node-exporter-daemonset.yaml",
        &Options::default(),
        &[
            "0 host-namespaces - /spec/template/spec/hostNetwork 100:20 true",
            "0 host-namespaces - /spec/template/spec/hostPID 101:16 true",
            "0 host-port kube-rbac-proxy /spec/template/spec/containers/1/ports/0/hostPort 80:21 9100",
            // SYS_TIME is added next to drop ALL: restricted allows only NET_BIND_SERVICE.
            "0 unrestricted-capabilities node-exporter /spec/template/spec/containers/0/securityContext/capabilities/add/0 54:15 SYS_TIME",
            // No seccomp profile on the pod nor on node-exporter (kube-rbac-proxy has one).
            "0 missing-seccomp-profile node-exporter /spec/template/spec/containers/0/securityContext/seccompProfile/type 50:9 securityContext",
        ],
    );
    let f = find(&report, 0, "host-namespaces", "/spec/template/spec/hostPID");
    assert_eq!(f.container, None);
    assert_eq!(f.resource.name.as_deref(), Some("node-exporter"));
    // The pod sets runAsNonRoot: true, so nothing may run as root.
    assert!(!rules_of(&report).contains(&"may-run-as-root"));
    assert!(!rules_of(&report).contains(&POD_SC));
}

#[test]
fn sysdig_replication_controller_crlf_privileged() {
    let name = "k8s-examples-sysdig-replicationcontroller-privileged.yaml";
    let text = read(name);
    assert!(text.contains("\r\n"), "the file uses CRLF line ends");
    let report = assert_expected(
        name,
        &Options::default(),
        &[
            "0 privileged-container sysdig-agent /spec/template/spec/containers/0/securityContext/privileged 42:22 true",
            "0 host-namespaces - /spec/template/spec/hostNetwork 33:20 true",
            "0 host-namespaces - /spec/template/spec/hostPID 34:16 true",
            "0 host-port sysdig-agent /spec/template/spec/containers/0/ports/0/hostPort 40:21 6666",
            "0 pod-security-context-missing - /spec/template/spec/securityContext 12:5 spec",
        ],
    );
    // Line 42 is `         privileged: true` (9 spaces): the value starts at column 22.
    // Lines 1-41 hold 1,118 bytes with their CRLFs, so the value is at byte 1,118 + 21.
    let f = find(
        &report,
        0,
        "privileged-container",
        "/spec/template/spec/containers/0/securityContext/privileged",
    );
    assert_eq!(f.range.start.offset, 1139);
    assert_eq!(f.range.end.offset, 1143);
    assert_eq!((f.range.end.line, f.range.end.column), (42, 26));
    assert_eq!(&text[1139..1143], "true");
    assert_eq!(f.resource.kind, "ReplicationController");
    assert_eq!(f.resource.api_version, "v1");
    assert_eq!(f.resource.matched_by, MatchedBy::Kind);
    // Six hostPath volumes at baseline.
    let (_, baseline) = run(
        name,
        &Options {
            level: Some(Level::Baseline),
            ..Options::default()
        },
    );
    assert_eq!(
        baseline
            .findings
            .iter()
            .filter(|f| f.rule == "host-path-volume")
            .count(),
        6
    );
}

#[test]
fn kind_list_items_are_checked() {
    let name = "istio-sidecar-injected-kind-list.yaml";
    let report = assert_expected(
        name,
        &Options::default(),
        &[
            "0 pod-security-context-missing - /items/0/spec/template/spec/securityContext 34:7 spec",
            "0 container-security-context-missing hello /items/0/spec/template/spec/containers/0/securityContext 36:11 image",
            "0 run-as-root-user istio-init /items/0/spec/template/spec/initContainers/0/securityContext/runAsUser 83:24 0",
            "0 may-run-as-root istio-init /items/0/spec/template/spec/initContainers/0/securityContext/runAsNonRoot 82:27 false",
            // One finding per capability added, each at its item.
            "0 unrestricted-capabilities istio-init /items/0/spec/template/spec/initContainers/0/securityContext/capabilities/add/0 75:17 NET_ADMIN",
            "0 unrestricted-capabilities istio-init /items/0/spec/template/spec/initContainers/0/securityContext/capabilities/add/1 76:17 NET_RAW",
            "0 pod-security-context-missing - /items/1/spec/template/spec/securityContext 283:7 spec",
            "0 run-as-root-user istio-init /items/1/spec/template/spec/initContainers/0/securityContext/runAsUser 332:24 0",
        ],
    );
    // Every finding belongs to an item, and carries that item as its resource.
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert!(
            f.path.starts_with("/items/0/") || f.path.starts_with("/items/1/"),
            "{}",
            f.path
        );
        assert_eq!(f.resource.kind, "Deployment");
        assert_eq!(f.resource.api_version, "apps/v1");
        let expected = if f.path.starts_with("/items/0/") {
            "hello-v1"
        } else {
            "hello-v2"
        };
        assert_eq!(f.resource.name.as_deref(), Some(expected), "{}", f.path);
    }
    assert_eq!(report.summary.resources, 2);
    // The trailing `---` opens an empty second document.
    assert_eq!(report.summary.documents, 2);
}

#[test]
fn argo_rollout_is_matched_by_shape() {
    let report = assert_expected(
        "argo-rollouts-bluegreen-example.yaml",
        &Options::default(),
        &[
            "0 pod-security-context-missing - /spec/template/spec/securityContext 17:5 spec",
            "0 container-security-context-missing rollouts-demo /spec/template/spec/containers/0/securityContext 19:9 name",
        ],
    );
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        assert_eq!(f.resource.kind, "Rollout");
        assert_eq!(f.resource.api_version, "argoproj.io/v1alpha1");
        assert_eq!(f.resource.matched_by, MatchedBy::Shape);
    }
    // The two Services are ignored silently.
    assert_eq!(report.summary.resources, 1);
    assert_eq!(report.summary.documents, 3);
}

#[test]
fn knative_service_is_matched_by_shape_next_to_core_service() {
    let report = assert_expected(
        "knative-serving-dataplane-probe-setup.yaml",
        &Options::default(),
        &[
            "0 pod-security-context-missing - /spec/template/spec/securityContext 28:5 spec",
            // The container has no name: its first key is `- image:`.
            "0 container-security-context-missing - /spec/template/spec/containers/0/securityContext 30:9 image",
            "1 pod-security-context-missing - /spec/template/spec/securityContext 46:5 spec",
            "3 container-security-context-missing user-container /spec/template/spec/containers/0/securityContext 79:9 name",
        ],
    );
    for f in &report.findings {
        let expected = match f.document {
            0 | 1 => ("serving.knative.dev/v1", "Service", MatchedBy::Shape),
            3 => ("apps/v1", "Deployment", MatchedBy::Kind),
            d => panic!("finding in document {d}: {}", f.path),
        };
        assert_eq!(
            (
                f.resource.api_version.as_str(),
                f.resource.kind.as_str(),
                f.resource.matched_by
            ),
            expected
        );
    }
}

#[test]
fn windows_host_process_is_reported() {
    let report = assert_expected(
        "windows-hostprocess-flannel-overlay.yml",
        &Options::default(),
        &[
            "1 windows-host-process - /spec/template/spec/securityContext/windowsOptions/hostProcess 88:24 true",
            "1 host-namespaces - /spec/template/spec/hostNetwork 90:20 true",
            "1 container-security-context-missing kube-flannel /spec/template/spec/containers/0/securityContext 101:9 name",
        ],
    );
    let f = find(
        &report,
        1,
        "windows-host-process",
        "/spec/template/spec/securityContext/windowsOptions/hostProcess",
    );
    assert_eq!(f.pss.as_ref().unwrap().check, "windowsHostProcess");
    assert_eq!(f.pss.as_ref().unwrap().level, Level::Baseline);
    // The pod has a securityContext (windowsOptions): no pod-level hardening finding.
    assert!(!rules_of(&report).contains(&POD_SC));
}

// ---------------------------------------------------------------------------------------
// A few real values per remaining file
// ---------------------------------------------------------------------------------------

#[test]
fn argo_cd_install_only_lacks_pod_security_contexts() {
    // Restricted-style container securityContexts everywhere, set at container level only.
    let report = assert_expected(
        "argo-cd-install.yaml",
        &Options::default(),
        &[
            "45 pod-security-context-missing - /spec/template/spec/securityContext 32127:5 spec",
            "51 pod-security-context-missing - /spec/template/spec/securityContext 33777:5 spec",
        ],
    );
    assert_eq!(rules_of(&report), vec![POD_SC]);
    assert_eq!(report.findings.len(), 5);
    assert_eq!(report.findings[4].resource.kind, "StatefulSet");
    assert_eq!(report.summary.documents, 59);
}

#[test]
fn argo_cd_redis_ha_helm_output() {
    let report = assert_expected(
        "argo-cd-redis-ha-helm-rendered.yaml",
        &Options::default(),
        &[
            "13 writable-root-filesystem config-init /spec/template/spec/initContainers/0/securityContext/readOnlyRootFilesystem 1225:9 securityContext",
            "14 writable-root-filesystem split-brain-fix /spec/template/spec/containers/2/securityContext/readOnlyRootFilesystem 1564:9 securityContext",
        ],
    );
    // Pod runAsNonRoot, drop ALL and RuntimeDefault everywhere: only the hardening rule.
    assert_eq!(rules_of(&report), vec!["writable-root-filesystem"]);
    assert_eq!(report.summary.resources, 2);
}

#[test]
fn cert_manager_legacy_apps_v1beta1() {
    let report = assert_expected(
        "cert-manager-v0.7.2-release.yaml",
        &Options::default(),
        &[
            "21 pod-security-context-missing - /spec/template/spec/securityContext 1367:5 spec",
            "21 container-security-context-missing cainjector /spec/template/spec/containers/0/securityContext 1370:11 name",
            "23 missing-seccomp-profile cert-manager /spec/template/spec/containers/0/securityContext/seccompProfile/type 1465:11 name",
        ],
    );
    let f = &report.findings[0];
    assert_eq!(f.resource.api_version, "apps/v1beta1");
    assert_eq!(f.resource.matched_by, MatchedBy::Kind);
    // 28 documents and 3 empty ones.
    assert_eq!(report.summary.documents, 31);
}

#[test]
fn external_dns_starts_with_marker() {
    assert_expected(
        "external-dns-traefik-with-cluster-rbac.yaml",
        &Options::default(),
        &[
            "3 pod-security-context-missing - /spec/template/spec/securityContext 52:5 spec",
            "3 container-security-context-missing external-dns /spec/template/spec/containers/0/securityContext 55:9 name",
        ],
    );
}

#[test]
fn flannel_daemonset() {
    let name = "flannel-kube-flannel.yml";
    let report = assert_expected(
        name,
        &Options::default(),
        &[
            "5 host-namespaces - /spec/template/spec/hostNetwork 128:20 true",
            "5 container-security-context-missing install-cni-plugin /spec/template/spec/initContainers/0/securityContext 135:9 name",
            "5 forbidden-volume-type - /spec/template/spec/volumes/0/hostPath 213:9 hostPath",
        ],
    );
    // privileged: false is not privileged.
    assert!(!rules_of(&report).contains(&"privileged-container"));
    // At baseline, NET_ADMIN (flow sequence, quoted) is a non-default capability.
    assert_expected(
        name,
        &Options {
            level: Some(Level::Baseline),
            ..Options::default()
        },
        &[
            // `add: ["NET_ADMIN", "NET_RAW"]`: a finding for each, at its item of the flow list.
            "5 non-default-capabilities kube-flannel /spec/template/spec/containers/0/securityContext/capabilities/add/0 190:19 \"NET_ADMIN\"",
            "5 non-default-capabilities kube-flannel /spec/template/spec/containers/0/securityContext/capabilities/add/1 190:32 \"NET_RAW\"",
            "5 host-path-volume - /spec/template/spec/volumes/4/hostPath 225:9 hostPath",
        ],
    );
}

#[test]
fn ingress_nginx_cloud_and_kind_hostport() {
    let cloud = assert_expected(
        "ingress-nginx-controller-cloud.yaml",
        &Options::default(),
        &[
            "14 pod-security-context-missing - /spec/template/spec/securityContext 422:5 spec",
            "14 writable-root-filesystem controller /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem 495:35 false",
        ],
    );
    // NET_BIND_SERVICE with drop ALL is allowed by restricted; no hostPort in the cloud
    // variant.
    assert!(!rules_of(&cloud).contains(&"unrestricted-capabilities"));
    assert!(!rules_of(&cloud).contains(&"host-port"));
    assert_expected(
        "ingress-nginx-controller-kind-hostport.yaml",
        &Options::default(),
        &[
            // Two host ports: a finding for each.
            "14 host-port controller /spec/template/spec/containers/0/ports/0/hostPort 466:21 80",
            "14 host-port controller /spec/template/spec/containers/0/ports/1/hostPort 470:21 443",
        ],
    );
}

#[test]
fn istio_bookinfo_psa_lowercase_all_is_not_all() {
    // `drop: [all]`: PSA compares with "ALL" exactly.
    assert_expected(
        "istio-bookinfo-psa.yaml",
        &Options::default(),
        &[
            "2 unrestricted-capabilities details /spec/template/spec/containers/0/securityContext/capabilities/drop 74:13 drop",
            "2 missing-seccomp-profile details /spec/template/spec/containers/0/securityContext/seccompProfile/type 71:9 securityContext",
            "13 unrestricted-capabilities productpage /spec/template/spec/containers/0/securityContext/capabilities/drop 357:13 drop",
        ],
    );
}

#[test]
fn istio_bookinfo_no_security_context() {
    let report = assert_expected(
        "istio-bookinfo.yaml",
        &Options::default(),
        &[
            "2 pod-security-context-missing - /spec/template/spec/securityContext 71:5 spec",
            "13 container-security-context-missing productpage /spec/template/spec/containers/0/securityContext 324:9 name",
        ],
    );
    assert_eq!(report.summary.resources, 6);
    // Trailing empty document.
    assert_eq!(report.summary.documents, 15);
    // Baseline allows all of it.
    let (_, baseline) = run(
        "istio-bookinfo.yaml",
        &Options {
            level: Some(Level::Baseline),
            ..Options::default()
        },
    );
    assert!(baseline.findings.is_empty(), "{}", list(&baseline));
}

#[test]
fn istio_injected_cronjob_job_template_path() {
    let p = "/spec/jobTemplate/spec/template/spec";
    let report = assert_expected(
        "istio-sidecar-injected-cronjob.yaml",
        &Options::default(),
        &[
            "0 pod-security-context-missing - /spec/jobTemplate/spec/template/spec/securityContext 23:9 spec",
            "0 run-as-root-user istio-init /spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/runAsUser 73:26 0",
            "0 may-run-as-root istio-init /spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/runAsNonRoot 72:29 false",
            "0 unrestricted-capabilities istio-init /spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/capabilities/add/0 65:19 NET_ADMIN",
            // The app container has no name-first layout: its first key is `args`.
            "0 container-security-context-missing hello /spec/jobTemplate/spec/template/spec/containers/0/securityContext 25:13 args",
        ],
    );
    assert!(report.findings.iter().all(|f| f.path.starts_with(p)));
    assert_eq!(report.findings[0].resource.kind, "CronJob");
}

#[test]
fn cassandra_statefulset_ipc_lock() {
    let name = "k8s-examples-cassandra-statefulset.yaml";
    assert_expected(
        name,
        &Options::default(),
        &[
            "0 pod-security-context-missing - /spec/template/spec/securityContext 17:5 spec",
            "0 unrestricted-capabilities cassandra /spec/template/spec/containers/0/securityContext/capabilities/drop 39:9 securityContext",
            "0 unrestricted-capabilities cassandra /spec/template/spec/containers/0/securityContext/capabilities/add/0 42:17 IPC_LOCK",
        ],
    );
    let baseline = assert_expected(
        name,
        &Options {
            level: Some(Level::Baseline),
            ..Options::default()
        },
        &["0 non-default-capabilities cassandra /spec/template/spec/containers/0/securityContext/capabilities/add/0 42:17 IPC_LOCK"],
    );
    assert_eq!(baseline.findings.len(), 1);
}

#[test]
fn guestbook_three_deployments() {
    let report = assert_expected(
        "k8s-examples-guestbook-all-in-one.yaml",
        &Options::default(),
        &[
            "1 pod-security-context-missing - /spec/template/spec/securityContext 35:5 spec",
            "3 container-security-context-missing replica /spec/template/spec/containers/0/securityContext 81:9 name",
            "5 container-security-context-missing php-redis /spec/template/spec/containers/0/securityContext 134:9 name",
        ],
    );
    assert_eq!(report.summary.resources, 3);
}

#[test]
fn newrelic_daemonset_all_host_namespaces() {
    assert_expected(
        "k8s-examples-newrelic-daemonset-privileged.yaml",
        &Options::default(),
        &[
            "0 host-namespaces - /spec/template/spec/hostPID 21:16 true",
            "0 host-namespaces - /spec/template/spec/hostIPC 22:16 true",
            "0 host-namespaces - /spec/template/spec/hostNetwork 23:20 true",
            "0 privileged-container newrelic /spec/template/spec/containers/0/securityContext/privileged 29:25 true",
        ],
    );
}

#[test]
fn kube_state_metrics_is_restricted_at_container_level() {
    let report = assert_expected(
        "kube-state-metrics-standard-deployment.yaml",
        &Options::default(),
        &["0 pod-security-context-missing - /spec/template/spec/securityContext 21:5 spec"],
    );
    assert_eq!(report.findings.len(), 1);
}

#[test]
fn kubernetes_dashboard_run_as_user_without_run_as_non_root() {
    let report = assert_expected(
        "kubernetes-dashboard-v2.7.0-recommended.yaml",
        &Options::default(),
        &[
            "11 may-run-as-root kubernetes-dashboard /spec/template/spec/containers/0/securityContext/runAsNonRoot 218:11 securityContext",
            "13 unrestricted-capabilities dashboard-metrics-scraper /spec/template/spec/containers/0/securityContext/capabilities/drop 292:11 securityContext",
        ],
    );
    // Pod-level seccompProfile RuntimeDefault covers every container.
    assert!(!rules_of(&report).contains(&"missing-seccomp-profile"));
}

#[test]
fn linkerd_emojivoto_kind_before_api_version() {
    assert_expected(
        "linkerd-emojivoto-web.yml",
        &Options::default(),
        &[
            "1 pod-security-context-missing - /spec/template/spec/securityContext 27:5 spec",
            "1 container-security-context-missing web-svc /spec/template/spec/containers/0/securityContext 30:9 env",
        ],
    );
}

#[test]
fn linkerd_identity_init_runs_as_root() {
    assert_expected(
        "linkerd-identity-injected-with-debug.yml",
        &Options::default(),
        &[
            "0 run-as-root-user linkerd-init /spec/template/spec/initContainers/0/securityContext/runAsUser 186:22 0",
            "0 may-run-as-root linkerd-init /spec/template/spec/initContainers/0/securityContext/runAsNonRoot 185:25 false",
            "0 may-run-as-root linkerd-proxy /spec/template/spec/containers/1/securityContext/runAsNonRoot 147:9 securityContext",
        ],
    );
}

#[test]
fn local_path_provisioner_configmap_is_not_a_pod() {
    let report = assert_expected(
        "local-path-provisioner-storage.yaml",
        &Options::default(),
        &[
            "6 pod-security-context-missing - /spec/template/spec/securityContext 87:5 spec",
            "6 container-security-context-missing local-path-provisioner /spec/template/spec/containers/0/securityContext 90:11 name",
        ],
    );
    // The helper pod inside the ConfigMap is a string, not a resource.
    assert_eq!(report.summary.resources, 1);
    assert!(report.findings.iter().all(|f| f.document == 6));
}

#[test]
fn metrics_server_legacy() {
    let report = assert_expected(
        "metrics-server-v0.3.7-deployment.yaml",
        &Options::default(),
        &[
            "1 pod-security-context-missing - /spec/template/spec/securityContext 27:5 spec",
            "1 privilege-escalation-allowed metrics-server /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation 49:9 securityContext",
        ],
    );
    // runAsNonRoot and readOnlyRootFilesystem are set on the container.
    assert!(!rules_of(&report).contains(&"may-run-as-root"));
    assert!(!rules_of(&report).contains(&"writable-root-filesystem"));
}
