//! `duplicate-key` in every document, not only in workloads: a Service, a ConfigMap, a
//! `kind: List`'s own keys and its items, a document that is not a Kubernetes object,
//! JSON. Each duplicated key is one finding at the key that wins (line:column asserted),
//! of severity `error`, attributed to the innermost resource that holds it, and the rule
//! is selected, ignored, suppressed by annotation and fingerprinted like any other.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{check_located, covered, list, LocatedReport};
use kube_secctx::baseline::Fingerprint;
use kube_secctx::report::{MatchedBy, Severity};
use kube_secctx::{Checker, Limits, Options};

/// One document of each kind the pass must cover (line numbers in the comments).
const EVERY_DOCUMENT: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  ports:
  - port: 80
    port: 8080
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  a: \"1\"
  a: \"2\"
---
apiVersion: v1
kind: List
items: []
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s, name: s2}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
  spec:
    template:
      spec:
        securityContext: {runAsNonRoot: true}
        containers:
        - {name: app, image: a, image: b}
---
- {a: 1, a: 2}
---
{\"a\": 1, \"a\": 2}
";

/// `(line, column, kind, name, matchedBy, container, path)` of each `duplicate-key`.
type Row = (
    usize,
    usize,
    String,
    Option<String>,
    MatchedBy,
    Option<String>,
    String,
);

fn rows(r: &LocatedReport) -> Vec<Row> {
    r.findings
        .iter()
        .filter(|f| f.rule == "duplicate-key")
        .map(|f| {
            (
                f.range.start.line,
                f.range.start.column,
                f.resource.kind.clone(),
                f.resource.name.clone(),
                f.resource.matched_by,
                f.container.clone(),
                f.path.clone(),
            )
        })
        .collect()
}

fn row(
    line: usize,
    column: usize,
    kind: &str,
    name: Option<&str>,
    by: MatchedBy,
    container: Option<&str>,
    path: &str,
) -> Row {
    (
        line,
        column,
        kind.to_string(),
        name.map(str::to_string),
        by,
        container.map(str::to_string),
        path.to_string(),
    )
}

#[test]
fn every_document_reports_its_duplicates_at_the_winning_key() {
    let r = check_located("all.yaml", EVERY_DOCUMENT, &Options::default());
    use MatchedBy::{Kind, None as NoPodSpec};
    assert_eq!(
        rows(&r),
        [
            // A Service: the port that wins is 8080 (line 9), the hidden one line 8.
            row(
                9,
                5,
                "Service",
                Some("web"),
                NoPodSpec,
                None,
                "/spec/ports/0/port"
            ),
            row(16, 3, "ConfigMap", Some("cfg"), NoPodSpec, None, "/data/a"),
            // A List's own keys belong to the List.
            row(21, 1, "List", None, NoPodSpec, None, "/kind"),
            row(22, 1, "List", None, NoPodSpec, None, "/items"),
            // A List item that is not a workload, named by the name that wins.
            row(
                25,
                23,
                "Service",
                Some("s2"),
                NoPodSpec,
                None,
                "/items/0/metadata/name"
            ),
            // A workload item: its container too.
            row(
                34,
                33,
                "Deployment",
                Some("d"),
                Kind,
                Some("app"),
                "/items/1/spec/template/spec/containers/0/image"
            ),
            // Not a Kubernetes object (an error entry of its own), and JSON.
            row(36, 10, "", None, NoPodSpec, None, "/0/a"),
            row(38, 10, "", None, NoPodSpec, None, "/a"),
        ],
        "\n{}",
        list(&r)
    );
    let dups: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "duplicate-key")
        .collect();
    assert!(dups.iter().all(|f| f.severity == Severity::Error));
    assert!(dups.iter().all(|f| f.pss.is_none() && f.modes.is_empty()));
    assert_eq!(
        dups.iter()
            .map(|f| covered(EVERY_DOCUMENT, f))
            .collect::<Vec<_>>(),
        ["port", "a", "kind", "items", "name", "image", "a", "\"a\""]
    );
    assert_eq!(
        dups[0].message,
        "duplicate key \"port\": this one wins over the one on line 8, which is ignored"
    );
    assert_eq!(dups[0].resource.namespace.as_deref(), Some("shop"));
    assert_eq!(dups[2].resource.api_version, "v1");
    // The two documents that are not objects are error entries too, as before.
    assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
    assert_eq!(r.summary.by_rule.get("duplicate-key"), Some(&8));
    // Only the Deployment is a resource with a pod spec.
    assert_eq!(r.summary.resources, 1);
}

#[test]
fn the_json_report_names_a_resource_without_a_pod_spec_as_matched_by_none() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: x, a: y}\n";
    let r = kube_secctx::check("cm.yaml", text, &Options::default()).unwrap();
    let sources = |_: &str| Some(text);
    let json: serde_json::Value =
        serde_json::from_str(&kube_secctx::render::json::render(&r, &sources)).unwrap();
    assert_eq!(
        json["findings"][0]["resource"],
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "cfg", "namespace": null, "matchedBy": "none"})
    );
    assert_eq!(json["findings"][0]["severity"], "error");
}

#[test]
fn a_key_under_an_anchor_is_reported_once_for_the_resource_that_writes_it() {
    // Two List items share one container list through an alias: the duplicate is
    // written once (in `a`), so it is one finding, of `a`.
    let text = "apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: &c [{name: x, image: i, image: j}]}}
- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: *c}}
";
    let r = check_located("l.yaml", text, &Options::default());
    assert_eq!(
        rows(&r),
        [row(
            4,
            95,
            "Pod",
            Some("a"),
            MatchedBy::Kind,
            Some("x"),
            "/items/0/spec/containers/0/image"
        )],
        "\n{}",
        list(&r)
    );
}

#[test]
fn a_duplicate_inside_a_hidden_value_is_not_reported() {
    // The first `data` is dropped whole: its own duplicate never reaches the cluster.
    let text =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x, a: y}\ndata: {b: z}\n";
    let r = check_located("c.yaml", text, &Options::default());
    assert_eq!(
        rows(&r),
        [row(
            5,
            1,
            "ConfigMap",
            Some("c"),
            MatchedBy::None,
            None,
            "/data"
        )],
        "\n{}",
        list(&r)
    );
}

#[test]
fn the_annotation_of_the_resource_that_holds_the_key_suppresses_it() {
    let text = "\
apiVersion: v1
kind: Service
metadata:
  name: quiet
  annotations: {kube-secctx.io/ignore: duplicate-key}
spec: {ports: [{port: 80, port: 81}]}
---
apiVersion: v1
kind: List
metadata:
  annotations: {kube-secctx.io/ignore: duplicate-key}
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: loud}, data: {a: x, a: y}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations: {kube-secctx.io/ignore: duplicate-key}
    spec:
      containers: [{name: app, image: a, image: b}]
";
    let r = kube_secctx::check("s.yaml", text, &Options::default()).unwrap();
    let found: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "duplicate-key")
        .map(|f| f.resource.name.clone())
        .collect();
    // The List's annotation is the List's: its item `loud` is a resource of its own.
    assert_eq!(found, [Some("loud".to_string())]);
    let suppressed: Vec<_> = r
        .suppressed
        .iter()
        .map(|f| (f.rule, f.resource.name.clone()))
        .collect();
    assert_eq!(
        suppressed,
        [
            ("duplicate-key", Some("quiet".to_string())),
            // A workload's pod template annotation covers the whole workload, as for
            // every rule.
            ("duplicate-key", Some("web".to_string())),
        ]
    );
}

#[test]
fn select_ignore_and_per_file_ignores_apply() {
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, port: 81}]}\n";
    let count = |opts: &Options| {
        kube_secctx::check("s.yaml", service, opts)
            .unwrap()
            .summary
            .findings
    };
    assert_eq!(count(&Options::default()), 1);
    let ignore = Options {
        ignore: vec!["duplicate-key".into()],
        ..Options::default()
    };
    assert_eq!(count(&ignore), 0);
    let select_other = Options {
        select: vec!["privileged-container".into()],
        ..Options::default()
    };
    assert_eq!(count(&select_other), 0);
    let select = Options {
        select: vec!["duplicate-key".into()],
        ..Options::default()
    };
    assert_eq!(count(&select), 1);
    let mut checker = Checker::new(&Options::default()).unwrap();
    checker
        .set_file_ignore(&["duplicate-key".to_string()])
        .unwrap();
    assert!(checker.check_text("s.yaml", service).findings.is_empty());
}

#[test]
fn fingerprints_name_the_resource_and_the_path_below_it() {
    let r = kube_secctx::check("all.yaml", EVERY_DOCUMENT, &Options::default()).unwrap();
    let prints: Vec<Fingerprint> = r
        .findings
        .iter()
        .filter(|f| f.rule == "duplicate-key")
        .map(Fingerprint::of)
        .collect();
    let brief: Vec<_> = prints
        .iter()
        .map(|p| {
            (
                p.kind.as_str(),
                p.name.as_deref(),
                p.container.as_deref(),
                p.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            ("Service", Some("web"), None, "/spec/ports/0/port"),
            ("ConfigMap", Some("cfg"), None, "/data/a"),
            ("List", None, None, "/kind"),
            ("List", None, None, "/items"),
            ("Service", Some("s2"), None, "/metadata/name"),
            ("Deployment", Some("d"), Some("app"), "/image"),
            ("", None, None, "/0/a"),
            ("", None, None, "/a"),
        ]
    );
}

#[test]
fn a_resource_past_its_budget_says_so() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 1, a: 2, b: 1, b: 2, c: 1, c: 2}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: 1, a: 2}\n";
    let opts = Options {
        limits: Limits {
            max_findings_per_resource: 2,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = kube_secctx::check("c.yaml", text, &opts).unwrap();
    let names: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.resource.name.as_deref().unwrap(), f.path.as_str()))
        .collect();
    assert_eq!(
        names,
        [("c", "/data/a"), ("c", "/data/b"), ("d", "/data/a")]
    );
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    assert_eq!(r.errors[0].document, 0);
    assert!(
        r.errors[0]
            .message
            .starts_with("this resource has more duplicated keys than the budget of 2 findings"),
        "{}",
        r.errors[0].message
    );
}

#[test]
fn a_typo_in_the_annotation_of_a_resource_without_a_pod_spec_is_reported() {
    // The annotation suppresses a Service's duplicate-key, so a typo in it is an error
    // there too (`unknown-ignored-rule`), at the ID, with "did you mean".
    let text = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    kube-secctx.io/ignore: \"duplicate-kye\"
spec:
  ports:
  - port: 80
    port: 8080
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c, annotations: {kube-secctx.io/ignore: \"unknown-ignored-rule,x\"}}
";
    let r = check_located("t.yaml", text, &Options::default());
    let typos: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "unknown-ignored-rule")
        .map(|f| {
            (
                f.range.start.line,
                f.range.start.column,
                f.resource.kind.as_str(),
                f.resource.matched_by,
                f.path.as_str(),
                f.severity,
                covered(text, f),
            )
        })
        .collect();
    assert_eq!(
        typos,
        [(
            6,
            29,
            "Service",
            MatchedBy::None,
            "/metadata/annotations/kube-secctx.io~1ignore",
            Severity::Error,
            "duplicate-kye"
        )],
        "\n{}",
        list(&r)
    );
    assert!(r.findings[0]
        .message
        .ends_with("did you mean `duplicate-key`?"));
    // The duplicate it meant to silence is still reported.
    assert_eq!(rows(&r).len(), 1);
    // The ConfigMap's typo `x` is suppressed by its own annotation.
    assert_eq!(r.suppressed.len(), 1);
    assert_eq!(
        r.suppressed[0].path,
        "/items/0/metadata/annotations/kube-secctx.io~1ignore"
    );
}

#[test]
fn the_typo_in_a_services_annotation_has_the_unsafe_fix() {
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations: {kube-secctx.io/ignore: duplicate-kye}\nspec: {ports: [{port: 80, port: 81}]}\n";
    let select = kube_secctx::fix::FixSelection {
        unsafe_fixes: true,
        rules: Some(vec!["unknown-ignored-rule".into()]),
    };
    let fixed =
        kube_secctx::fix::fix_text(&Options::default(), "s.yaml", text, &select, false).unwrap();
    assert_eq!(
        fixed.text,
        text.replace("duplicate-kye", "duplicate-key"),
        "{:?}",
        fixed.planned
    );
    // The corrected annotation now suppresses the Service's duplicate key.
    let r = kube_secctx::check("s.yaml", &fixed.text, &Options::default()).unwrap();
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.summary.suppressed, 1);
}
