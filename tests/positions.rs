//! Exact positions on real layouts: lines and columns are 1-based, columns count
//! characters, offsets count bytes into the whole stream, `end` is exclusive.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{check_located as check, covered, Located, LocatedReport as Report};
use kube_secctx::{ErrorEntry, Finding, Level, Limits, Options};

fn default_report(text: &str) -> Report {
    check("test.yaml", text, &Options::default())
}

fn baseline_report(text: &str) -> Report {
    let opts = Options {
        level: Some(Level::Baseline),
        ..Options::default()
    };
    check("test.yaml", text, &opts)
}

fn only<'r>(report: &'r Report, rule: &str) -> &'r Located<Finding> {
    let hits: Vec<&Located<Finding>> = report.findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(hits.len(), 1, "{rule}: {:#?}", report.findings);
    hits[0]
}

fn all<'r>(report: &'r Report, rule: &str) -> Vec<&'r Located<Finding>> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

/// `(start line, start column, end line, end column)`.
fn lc(f: &Located<Finding>) -> (usize, usize, usize, usize) {
    let r = &f.range;
    (r.start.line, r.start.column, r.end.line, r.end.column)
}

/// The byte offset of the `n`th (0-based) occurrence of `needle`.
fn nth(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in the text"))
        .0
}

fn error_at(e: &Located<ErrorEntry>) -> (usize, usize, usize) {
    (
        e.range.start.line,
        e.range.start.column,
        e.range.start.offset,
    )
}

const NGINX: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
";

#[test]
fn privileged_true_covers_the_value() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      privileged: true
";
    let report = default_report(text);
    let f = only(&report, "privileged-container");
    assert_eq!(lc(f), (10, 19, 10, 23));
    assert_eq!(f.range.start.offset, nth(text, "true", 0));
    assert_eq!(f.range.end.offset, f.range.start.offset + 4);
    assert_eq!(covered(text, f), "true");
    assert_eq!(f.path, "/spec/containers/0/securityContext/privileged");
    assert_eq!(f.container.as_deref(), Some("app"));
    assert_eq!(f.document, 0);
}

#[test]
fn missing_container_and_pod_security_context() {
    let report = default_report(NGINX);
    // The container has no securityContext: its first key, `name` of `- name: nginx`.
    let c = only(&report, "container-security-context-missing");
    assert_eq!(lc(c), (18, 9, 18, 13));
    assert_eq!(covered(NGINX, c), "name");
    assert_eq!(c.range.start.offset, nth(NGINX, "- name: nginx", 0) + 2);
    assert_eq!(c.path, "/spec/template/spec/containers/0/securityContext");
    // The pod spec has no securityContext: the pod template's `spec:` key.
    let p = only(&report, "pod-security-context-missing");
    assert_eq!(lc(p), (16, 5, 16, 9));
    assert_eq!(covered(NGINX, p), "spec");
    assert_eq!(p.range.start.offset, nth(NGINX, "    spec:", 0) + 4);
    assert_eq!(p.path, "/spec/template/spec/securityContext");
    assert_eq!(p.container, None);
    // Missing container fields of the restricted rules point at the same key.
    for rule in [
        "may-run-as-root",
        "privilege-escalation-allowed",
        "missing-seccomp-profile",
        "unrestricted-capabilities",
        "writable-root-filesystem",
    ] {
        assert_eq!(lc(only(&report, rule)), (18, 9, 18, 13), "{rule}");
    }
    assert_eq!(
        only(&report, "missing-seccomp-profile").path,
        "/spec/template/spec/containers/0/securityContext/seccompProfile/type"
    );
    // At baseline the nginx Deployment is clean.
    let report = baseline_report(NGINX);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(report.errors.is_empty());
}

#[test]
fn missing_field_points_at_existing_security_context_or_first_key() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext:
    fsGroup: 2000
  containers:
  - image: registry.example/a:1.0
    name: a
  - name: b
    image: registry.example/b:1.0
    securityContext:
      readOnlyRootFilesystem: true
";
    let report = default_report(text);
    let esc = all(&report, "privilege-escalation-allowed");
    assert_eq!(esc.len(), 2);
    // Container a has no securityContext and `- image:` comes first.
    assert_eq!(lc(esc[0]), (8, 5, 8, 10));
    assert_eq!(covered(text, esc[0]), "image");
    // Container b has one: its `securityContext:` key.
    assert_eq!(lc(esc[1]), (12, 5, 12, 20));
    assert_eq!(covered(text, esc[1]), "securityContext");
    // The pod-level runAsNonRoot is missing, the pod's securityContext key is there,
    // but runAsNonRoot is judged per container: container findings.
    let root = all(&report, "may-run-as-root");
    assert_eq!(root.len(), 2);
    assert!(root.iter().all(|f| f.container.is_some()));
    // A pod-level finding about a missing field inside an existing pod securityContext.
    let text2 = text.replace(
        "    fsGroup: 2000\n",
        "    fsGroup: 2000\n    runAsNonRoot: false\n",
    );
    let report = default_report(&text2);
    let pod = all(&report, "may-run-as-root")
        .into_iter()
        .find(|f| f.container.is_none())
        .unwrap();
    assert_eq!(lc(pod), (7, 19, 7, 24));
    assert_eq!(covered(&text2, pod), "false");
}

#[test]
fn crlf_line_endings() {
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: web\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: registry.example/app:1.0\r\n    securityContext:\r\n      privileged: true\r\n";
    let report = default_report(text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let f = only(&report, "privileged-container");
    assert_eq!(lc(f), (10, 19, 10, 23));
    assert_eq!(covered(text, f), "true");
    assert_eq!(f.range.start.offset, nth(text, "true", 0));
    // The missing-field fallback on a CRLF file: `spec` key on line 5.
    let p = only(&report, "pod-security-context-missing");
    assert_eq!(lc(p), (5, 1, 5, 5));
    assert_eq!(p.range.start.offset, nth(text, "spec:", 0));
}

#[test]
fn flow_style() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: app, image: registry.example/app:1.0, securityContext: {privileged: true}}
";
    let report = default_report(text);
    let f = only(&report, "privileged-container");
    assert_eq!(lc(f), (6, 80, 6, 84));
    assert_eq!(covered(text, f), "true");
    // A missing field in a flow container with a securityContext: its key.
    let esc = only(&report, "privilege-escalation-allowed");
    assert_eq!(lc(esc), (6, 50, 6, 65));
    assert_eq!(covered(text, esc), "securityContext");

    // Fully flow: the whole pod on one line.
    let text = "{apiVersion: v1, kind: Pod, metadata: {name: w}, spec: {hostPID: true, containers: [{name: a, image: i}]}}\n";
    let report = default_report(text);
    let f = only(&report, "host-namespaces");
    assert_eq!(lc(f), (1, 66, 1, 70));
    assert_eq!(covered(text, f), "true");
    let c = only(&report, "container-security-context-missing");
    assert_eq!(covered(text, c), "name");
    assert_eq!(c.range.start.column, nth(text, "name: a", 0) + 1);
}

#[test]
fn non_ascii_text_before_a_finding() {
    let text = "\
# 部署说明 😀 — do not edit
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    team: \"データ基盤\"
spec:
  containers:
  - name: app  # 主容器 🚀
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, privileged: true}
";
    let report = default_report(text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let f = only(&report, "privileged-container");
    // Line 12 is ASCII: the column is the same in characters and bytes.
    assert_eq!(lc(f), (12, 68, 12, 72));
    assert_eq!(covered(text, f), "true");
    // The offset counts the multi-byte characters of the lines before it as bytes.
    assert_eq!(f.range.start.offset, nth(text, "true", 0));
    assert!(f.range.start.offset > text[..f.range.start.offset].chars().count());

    // A finding on a line with non-ASCII text before it: columns count characters.
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: \"😀部署\", labels: {a: b}}
spec: {hostNetwork: true, containers: [{name: \"コンテナ\", image: i, securityContext: {privileged: true}}]}
";
    let report = default_report(text);
    let f = only(&report, "privileged-container");
    assert_eq!(covered(text, f), "true");
    let line4 = text.lines().nth(3).unwrap();
    let byte_col = line4.find("true}}").unwrap();
    let char_col = line4[..byte_col].chars().count();
    assert_eq!(
        char_col + 4 * 2,
        byte_col,
        "コンテナ: 4 characters of 3 bytes"
    );
    assert_eq!(
        (f.range.start.line, f.range.start.column),
        (4, char_col + 1)
    );
    assert_eq!(f.range.end.column, char_col + 5);
    assert_eq!(f.container.as_deref(), Some("コンテナ"));
    let h = only(&report, "host-namespaces");
    assert_eq!(lc(h), (4, 21, 4, 25));
}

const HELM: &str = "\
---
# Source: app/templates/deployment.yaml
apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  hostPID: true
  containers:
  - name: a
    image: registry.example/a:1.0
---
# Source: app/templates/empty.yaml
---
# Source: app/templates/pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: third
spec:
  containers:
  - name: c
    image: registry.example/c:1.0
    securityContext:
      privileged: true
";

#[test]
fn multi_document_offsets_and_numbering() {
    let report = baseline_report(HELM);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.summary.documents, 3);
    assert_eq!(report.summary.resources, 2);
    let h = only(&report, "host-namespaces");
    assert_eq!(h.document, 0);
    assert_eq!(h.resource.name.as_deref(), Some("first"));
    assert_eq!(lc(h), (8, 12, 8, 16));
    assert_eq!(h.range.start.offset, nth(HELM, "true", 0));
    let p = only(&report, "privileged-container");
    // The comment-only document in the middle keeps its number.
    assert_eq!(p.document, 2);
    assert_eq!(p.resource.name.as_deref(), Some("third"));
    assert_eq!(lc(p), (25, 19, 25, 23));
    // Offsets are relative to the whole stream, not to the document.
    assert_eq!(p.range.start.offset, nth(HELM, "true", 1));
    assert_eq!(covered(HELM, p), "true");
    // The same stream without the leading `---` numbers the same way.
    let text = HELM.strip_prefix("---\n").unwrap();
    let report = baseline_report(text);
    let docs: Vec<usize> = report.findings.iter().map(|f| f.document).collect();
    assert_eq!(docs, [0, 2]);
    assert_eq!(report.findings[1].range.start.offset, nth(text, "true", 1));
    assert_eq!(report.findings[1].range.start.line, 24);
}

#[test]
fn utf8_bom() {
    let text = "\u{feff}apiVersion: v1\nkind: Pod\nmetadata: {name: bom}\nspec:\n  hostIPC: true\n  containers:\n  - {name: a, image: i}\n";
    let report = baseline_report(text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let f = only(&report, "host-namespaces");
    // The BOM is 3 bytes and no column.
    assert_eq!(lc(f), (5, 12, 5, 16));
    assert_eq!(f.range.start.offset, nth(text, "true", 0));
    assert_eq!(covered(text, f), "true");
    // On the first line the BOM takes no column either.
    let text = "\u{feff}{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {hostIPC: true, containers: []}}\n";
    let f = only(&baseline_report(text), "host-namespaces").clone();
    assert_eq!((f.range.start.line, f.range.start.column), (1, 66));
    assert_eq!(f.range.start.offset, nth(text, "true", 0));
}

#[test]
fn invalid_yaml_in_one_document() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  hostPID: true
  containers: [{name: a, image: i}]
---
apiVersion: v1
kind: Pod
metadata: {name: broken
spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: c}
spec:
  hostNetwork: true
  containers: [{name: c, image: i}]
";
    let report = baseline_report(text);
    assert_eq!(report.summary.documents, 3);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert_eq!(e.document, 1);
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
    // Where the parser notices the unclosed `{`: the `:` after `spec` on line 11.
    assert_eq!(error_at(e), (11, 5, nth(text, "spec: {}", 0) + 4));
    assert!(e.range.start.offset < nth(text, "---", 1));
    // Both other documents are still checked.
    let docs: Vec<(usize, usize)> = report
        .findings
        .iter()
        .map(|f| (f.document, f.range.start.line))
        .collect();
    assert_eq!(docs, [(0, 5), (2, 17)]);
    assert_eq!(report.summary.errors, 1);
}

#[test]
fn document_without_kind_is_an_error() {
    let text = "\
apiVersion: v1
metadata: {name: nokind}
spec:
  hostPID: true
---
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  hostPID: true
  containers: [{name: a, image: i}]
";
    let report = baseline_report(text);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert_eq!(e.document, 0);
    assert!(e.message.contains("`kind`"), "{}", e.message);
    assert_eq!(error_at(e), (1, 1, 0));
    assert_eq!(only(&report, "host-namespaces").document, 1);

    // A document that is not a mapping, and a List item without apiVersion.
    let text =
        "- just\n- a list\n---\napiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  spec: {}\n";
    let report = baseline_report(text);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert_eq!(error_at(&report.errors[0]), (1, 1, 0));
    assert_eq!(report.errors[1].document, 1);
    assert!(
        report.errors[1].message.contains("`apiVersion`"),
        "{}",
        report.errors[1].message
    );
    assert_eq!(error_at(&report.errors[1]).0, 7);
}

#[test]
fn limits_are_error_entries() {
    // Too deep: block mappings nested past a small depth limit.
    let mut deep = String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n");
    for i in 1..=12 {
        deep.push_str(&"  ".repeat(i));
        deep.push_str(&format!("k{i}:\n"));
    }
    deep.push_str(&"  ".repeat(13));
    deep.push_str("v: 1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {hostPID: true, containers: []}\n");
    let opts = Options {
        level: Some(Level::Baseline),
        limits: Limits {
            max_depth: 8,
            ..Limits::default()
        },
        ..Options::default()
    };
    let report = check("deep.yaml", &deep, &opts);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert_eq!(e.document, 0);
    assert!(e.message.contains("nesting deeper than 8"), "{}", e.message);
    // The mapping that opens level 9 is the value of `k7:` (root, spec, k1..k7 values).
    assert_eq!(e.range.start.line, 12);
    assert_eq!(only(&report, "host-namespaces").document, 1);

    // Deeper than the parser's own limit, with the default limits: still an error entry.
    let flow = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let report = default_report(&flow);
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].message.contains("nesting"),
        "{}",
        report.errors[0].message
    );

    // Over the size limit: one error entry, nothing checked.
    let opts = Options {
        limits: Limits {
            max_input_bytes: 64,
            ..Limits::default()
        },
        ..Options::default()
    };
    let report = check("big.yaml", NGINX, &opts);
    assert!(report.findings.is_empty());
    assert_eq!(report.errors.len(), 1);
    let e = &report.errors[0];
    assert!(e.message.contains("64 bytes"), "{}", e.message);
    assert_eq!(error_at(e), (1, 1, 0));

    // Alias expansions.
    let mut lol = String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: lol}\nx0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
    for i in 1..10 {
        let p = i - 1;
        lol.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let opts = Options {
        limits: Limits {
            max_alias_expansions: 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let report = check("lol.yaml", &lol, &opts);
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].message.contains("alias"),
        "{}",
        report.errors[0].message
    );
    // x1 and x2 (lines 5 and 6) use 20 aliases; the first alias of x3 is one too many.
    assert_eq!(report.errors[0].range.start.line, 7);
    assert_eq!(report.errors[0].range.start.offset, nth(&lol, "*a2", 0));
}

#[test]
fn json_offsets_serialize() {
    let report = default_report(NGINX);
    let sources = |_: &str| Some(NGINX);
    let json: serde_json::Value =
        serde_json::from_str(&kube_secctx::render::json::render(&report, &sources)).unwrap();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "container-security-context-missing")
        .unwrap();
    assert_eq!(f["range"]["start"]["line"], 18);
    assert_eq!(f["range"]["start"]["column"], 9);
    assert_eq!(
        f["range"]["start"]["offset"],
        nth(NGINX, "- name: nginx", 0) + 2
    );
    assert_eq!(f["range"]["end"]["column"], 13);
    assert_eq!(f["resource"]["matchedBy"], "kind");
}

#[test]
fn a_bad_list_item_does_not_hide_the_others() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, spec: {hostPID: true}}\n- {kind: Service}\n- {apiVersion: v1, kind: Pod, spec: {hostIPC: true}}\n";
    let r = baseline_report(text);
    let found: Vec<(&str, usize)> = r
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.range.start.line))
        .collect();
    assert_eq!(
        found,
        [("/items/0/spec/hostPID", 4), ("/items/2/spec/hostIPC", 6)]
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].message, "item /items/1 has no `apiVersion`");
    assert_eq!(
        error_at(&r.errors[0]),
        (5, 3, text.find("{kind: Service}").unwrap())
    );
}

#[test]
fn a_pod_spec_that_is_not_a_mapping_is_an_error() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec: [nginx]\n";
    let r = default_report(text);
    assert!(r.findings.is_empty());
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        r.errors[0].message,
        "Deployment \"web\": the pod spec `/spec/template/spec` must be a mapping; the API server rejects this object, so it was not checked"
    );
    assert_eq!(error_at(&r.errors[0]).0, 6);
}

#[test]
fn lone_cr_line_endings() {
    let text = "apiVersion: v1\rkind: Pod\rmetadata: {name: a}\rspec:\r  containers:\r  - name: c\r    securityContext: {privileged: true}\r";
    let r = baseline_report(text);
    let f = only(&r, "privileged-container");
    assert_eq!((f.range.start.line, f.range.start.column), (7, 35));
    assert_eq!(covered(text, f), "true");
}

#[test]
fn an_error_at_the_end_points_at_the_last_line() {
    let text = "apiVersion: v1\nkind: Pod\nspec: {a: [\n";
    let r = default_report(text);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(error_at(&r.errors[0]), (3, 12, text.len() - 1));
}

/// A container written as an empty mapping (`- {}`) has no key to point at: its findings
/// point at the mapping itself, not at the start of the file (found by the `check` fuzz
/// target).
#[test]
fn findings_of_an_empty_container_mapping_point_at_it() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n  - {}\n";
    let report = kube_secctx::check("p.yaml", text, &kube_secctx::Options::default()).unwrap();
    let at = text.find("{}").unwrap();
    let of_second: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.path.starts_with("/spec/containers/1/"))
        .collect();
    assert!(!of_second.is_empty());
    for f in of_second {
        assert_eq!((f.span.start, f.span.end), (at, at + 2), "{}", f.rule);
    }
}

/// `(start line, start column, covered text)` of each finding of `rule`, in report order.
fn where_all(report: &Report, text: &str, rule: &str) -> Vec<(usize, usize, String)> {
    all(report, rule)
        .into_iter()
        .map(|f| {
            (
                f.range.start.line,
                f.range.start.column,
                covered(text, f).to_string(),
            )
        })
        .collect()
}

/// A finding about a mapping-valued field points at its key: a hostPath volume at its
/// `hostPath:` key (the field a fix edits), not at the `path:` inside it; in block and
/// flow style, at baseline (`host-path-volume`) and restricted (`forbidden-volume-type`).
#[test]
fn a_volume_source_points_at_its_key() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
  volumes:
  - name: root
    hostPath:
      path: /
  - name: sock
    hostPath: {path: /var/run/docker.sock, type: Socket}
  - name: data
    nfs:
      server: nfs.example
      path: /exports
";
    let baseline = baseline_report(text);
    assert_eq!(
        where_all(&baseline, text, "host-path-volume"),
        [(10, 5, "hostPath".into()), (13, 5, "hostPath".into())]
    );
    let f = all(&baseline, "host-path-volume")[0];
    assert_eq!(lc(f), (10, 5, 10, 13));
    assert_eq!(f.range.start.offset, nth(text, "hostPath:", 0));
    let restricted = default_report(text);
    assert_eq!(
        where_all(&restricted, text, "forbidden-volume-type"),
        [
            (10, 5, "hostPath".into()),
            (13, 5, "hostPath".into()),
            (15, 5, "nfs".into())
        ]
    );
    // A sequence-valued field too: `drop` without ALL points at the `drop:` key, not at
    // its first item.
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      capabilities:
        drop:
        - all
";
    let report = default_report(text);
    assert_eq!(
        where_all(&report, text, "unrestricted-capabilities"),
        [(10, 9, "drop".into())]
    );
}

/// Two disallowed sysctls at lines 10 and 12 are two findings, at those lines, each
/// naming its sysctl; a safe one between them gives none; one without a name points at
/// its item.
#[test]
fn one_finding_per_unsafe_sysctl() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: tuned
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
  securityContext:
    sysctls:
    - name: kernel.msgmax
      value: \"65536\"
    - name: net.ipv4.tcp_syncookies
      value: \"1\"
    - name: kernel.sem
      value: \"250 32000 100 128\"
    - value: \"1\"
";
    let report = baseline_report(text);
    assert_eq!(
        where_all(&report, text, "unsafe-sysctl"),
        [
            (11, 13, "kernel.msgmax".into()),
            (15, 13, "kernel.sem".into()),
            (17, 7, "value: \"1\"".into())
        ]
    );
    let paths: Vec<&str> = all(&report, "unsafe-sysctl")
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/spec/securityContext/sysctls/0/name",
            "/spec/securityContext/sysctls/2/name",
            "/spec/securityContext/sysctls/3"
        ]
    );
    let messages: Vec<&str> = all(&report, "unsafe-sysctl")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "forbidden sysctls: pod must not set \"kernel.msgmax\"",
            "forbidden sysctls: pod must not set \"kernel.sem\"",
            "forbidden sysctls: pod must not set \"\""
        ]
    );
}

/// One finding per host port and per disallowed capability, each at its entry, in block
/// and flow style; restricted's "must drop ALL" stays one finding per container.
#[test]
fn one_finding_per_host_port_and_capability() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
    ports:
    - containerPort: 80
      hostPort: 80
    - containerPort: 8081
    - {containerPort: 443, hostPort: 8443}
    securityContext:
      capabilities:
        add:
        - NET_ADMIN
        - CHOWN
        - SYS_TIME
  - name: side
    image: registry.example/side:1.0
    securityContext:
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, NET_RAW]}
";
    let baseline = baseline_report(text);
    assert_eq!(
        where_all(&baseline, text, "host-port"),
        [(10, 17, "80".into()), (12, 38, "8443".into())]
    );
    assert_eq!(
        where_all(&baseline, text, "non-default-capabilities"),
        [
            (16, 11, "NET_ADMIN".into()),
            (18, 11, "SYS_TIME".into()),
            (22, 59, "NET_RAW".into())
        ]
    );
    let ports: Vec<&str> = all(&baseline, "host-port")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        ports,
        [
            "hostPort: container \"web\" uses hostPort 80",
            "hostPort: container \"web\" uses hostPort 8443"
        ]
    );
    let restricted = default_report(text);
    // web: no `drop` (at its `securityContext:` key) and three capabilities (CHOWN is
    // in the default set, not in restricted's); side: NET_RAW.
    assert_eq!(
        where_all(&restricted, text, "unrestricted-capabilities"),
        [
            (13, 5, "securityContext".into()),
            (16, 11, "NET_ADMIN".into()),
            (17, 11, "CHOWN".into()),
            (18, 11, "SYS_TIME".into()),
            (22, 59, "NET_RAW".into())
        ]
    );
    let f = all(&restricted, "unrestricted-capabilities")[0];
    assert_eq!(
        f.path,
        "/spec/containers/0/securityContext/capabilities/drop"
    );
    assert_eq!(
        f.message,
        "unrestricted capabilities: container \"web\" must set securityContext.capabilities.drop=[\"ALL\"]"
    );
    assert_eq!(
        all(&restricted, "unrestricted-capabilities")[4].message,
        "unrestricted capabilities: container \"side\" must not include \"NET_RAW\" in securityContext.capabilities.add"
    );
}
