//! Skimming (issue 16): the checker's reading skips building the values no check reads
//! of resources that cannot hold a pod template (`Split::parse_skimming` with
//! `workload::skimmable`). Here, on every corpus and on streams made to trip it, the
//! skimming reading gives what the full reading gives: the same errors, the same
//! documents (index, span, duplicated keys, anchors, merges), the same root keys with the
//! same key and value spans, and the same kept values (`apiVersion`, `kind`, `metadata`);
//! a document that skimming cannot read exactly is read in full. And the check of those
//! streams gives the findings the full tree gives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::files_below;

use kube_secctx::workload::skimmable;
use kube_secctx::yaml::{skim_and_full_readings, split_stream, Parsed};
use kube_secctx::Limits;

/// Compares the two readings of `text` (`what` names it in messages) item by item (see
/// `yaml::skim_and_full_readings`) and returns how many documents were skimmed.
fn same_readings(what: &str, text: &str) -> usize {
    let (full, skimmed, count) = skim_and_full_readings(text, skimmable);
    assert_eq!(full.len(), skimmed.len(), "{what}: items");
    for (f, s) in full.iter().zip(&skimmed) {
        assert_eq!(f, s, "{what}");
    }
    count
}

/// The errors the checker's reading gives for `text`.
fn errors(text: &str) -> Vec<String> {
    let limits = Limits::default();
    let split = split_stream(text, &limits);
    let mut out = Vec::new();
    split.parse_skimming(0..split.len(), &limits, &[], skimmable, |p| {
        if let Parsed::Error(e) = p {
            out.push(e.message);
        }
    });
    out
}

fn shared(rel: &str) -> PathBuf {
    common::shared_dir().join(rel)
}

/// The real corpus: the CRDs, RBAC, ConfigMaps and Services of 27 projects' install
/// manifests are skimmed, and both readings agree. bench-large.yaml is the corpus three
/// times over: it skims three times as many.
#[test]
fn real_corpus_reads_the_same() {
    let mut skimmed = 0;
    let mut bench = 0;
    for p in files_below(&shared("corpus/real")) {
        let text = std::fs::read_to_string(&p).unwrap();
        let n = same_readings(&p.display().to_string(), &text);
        if p.ends_with("bench-large.yaml") {
            bench = n;
        } else {
            skimmed += n;
        }
    }
    assert!(skimmed > 100, "only {skimmed} documents skimmed");
    assert_eq!(bench, 3 * skimmed);
}

/// The PSA fixtures (pods and workloads: nothing to skim), the fuzz regressions and the
/// test fixtures read the same.
#[test]
fn fixtures_read_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = files_below(&shared("corpus/psa"));
    files.extend(files_below(&root.join("tests/fuzz-regressions")));
    files.extend(files_below(&root.join("tests/fixtures")));
    files.extend(files_below(&root.join("examples")));
    assert!(files.len() > 4_537);
    for p in files {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        same_readings(&p.display().to_string(), &text);
    }
}

/// A CRD's head; `spec` follows.
const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\n";

/// Streams that skimming reads (`true`) or gives up on and reads in full (`false`).
const CASES: &[(&str, &str, bool)] = &[
    ("a CRD", "spec:\n  group: example.com\n  names: {kind: Thing}\n  versions:\n  - name: v1\n    served: true\n", true),
    ("flow spec", "spec: {group: example.com, versions: [{name: v1}]}\n", true),
    ("a block scalar last", "spec:\n  description: |\n    text\n\n\n", true),
    ("a folded scalar last", "spec:\n  - >-\n    text\n\n", true),
    ("a sequence value", "rules:\n- apiGroups: [\"\"]\n  verbs: [get]\n", true),
    ("empty collections", "spec: {}\nstatus: []\n", true),
    ("a comment after the last value", "spec:\n  a: 1\n  # end\n\n", true),
    ("a scalar value", "spec: none\n", false),
    ("an anchored spec, no alias", "spec: &s\n  a: 1\n", true),
    ("an alias in spec", "spec:\n  a: &x 1\n  b: *x\n", false),
    ("an alias after spec", "spec:\n  a: &x 1\nstatus: *x\n", false),
    ("a merge key in spec", "spec:\n  <<: {a: 1}\n  b: 2\n", false),
    ("a duplicate key in spec", "spec:\n  group: a\n  names: {}\n  group: b\n", false),
    ("a duplicate resolved key", "spec:\n  on: 1\n  \"true\": 2\n", false),
    ("a duplicate int key", "spec:\n  0x1: a\n  1: b\n", false),
    ("a complex key", "spec:\n  ? [a]\n  : 1\n", false),
    ("a template in spec", "spec:\n  template:\n    spec:\n      containers: []\n", false),
    ("a repeated kind", "spec:\n  a: 1\nkind: Deployment\n", false),
    ("a syntax error in spec", "spec:\n  a: [1, 2\n  b: 3\n", false),
    ("a tab in spec", "spec:\n\ta: 1\n", false),
];

#[test]
fn crafted_streams() {
    for &(what, tail, skims) in CASES {
        let text = format!("{CRD}{tail}");
        let n = same_readings(what, &text);
        assert_eq!(n, usize::from(skims), "{what}: skimmed");
    }
    // Not a kind that skims: a custom resource (it may carry a pod template), a List,
    // kinds written before apiVersion/kind, a kind that is not a string.
    for (what, text) in [
        (
            "a custom resource",
            "apiVersion: example.com/v1\nkind: Thing\nspec:\n  a: 1\n",
        ),
        ("a List", "apiVersion: v1\nkind: List\nitems:\n- a: 1\n"),
        (
            "spec first",
            "spec:\n  a: 1\napiVersion: v1\nkind: ConfigMap\n",
        ),
        (
            "a kind that is a list",
            "apiVersion: v1\nkind: [ConfigMap]\ndata:\n  a: b\n",
        ),
        ("a null kind", "apiVersion: v1\nkind: ~\ndata:\n  a: b\n"),
    ] {
        assert_eq!(same_readings(what, text), 0, "{what}");
    }
    // JSON, as `kubectl get -o json` writes it.
    let json = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b", "c": "d"}}"#;
    assert_eq!(same_readings("JSON", json), 1);
    let json_dup = r#"{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b", "a": "d"}}"#;
    assert_eq!(same_readings("JSON with a duplicate", json_dup), 0);
    // A JSON document skimming gives up on, with what only the JSON reading takes: a
    // surrogate pair escape, as Python's `json.dumps` writes non-ASCII (hostile test).
    let json_pair = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x\ud83d\ude00"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}}"#;
    assert_eq!(
        same_readings("JSON, a surrogate pair, a template", json_pair),
        0
    );
    let report = kube_secctx::check("p.json", json_pair, &Default::default()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "privileged-container"));
}

/// The nesting limit is the full reading's: counted from the root, skimmed levels too.
#[test]
fn nesting_limit_inside_a_skimmed_value() {
    let limits = Limits::default();
    let deep = |levels: usize| {
        let mut s = format!("{CRD}spec:\n");
        for i in 0..levels {
            s.push_str(&" ".repeat(2 * (i + 1)));
            s.push_str("a:\n");
        }
        s.push_str(&" ".repeat(2 * (levels + 1)));
        s.push_str("b: 1\n");
        s
    };
    for levels in [limits.max_depth - 2, limits.max_depth - 1, limits.max_depth] {
        same_readings(&format!("{levels} levels"), &deep(levels));
    }
    assert_eq!(errors(&deep(limits.max_depth - 2)), Vec::<String>::new());
    assert_eq!(
        errors(&deep(limits.max_depth)),
        vec![format!("nesting deeper than {} levels", limits.max_depth)]
    );
}

/// The check of skimmed resources: a duplicate key deep in a CRD is reported where it
/// is; a ConfigMap that carries a pod template anyway is matched by shape and judged.
#[test]
fn checks_see_what_the_full_tree_gives() {
    let text = format!(
        "{CRD}spec:\n  group: example.com\n  versions:\n  - name: v1\n    served: true\n    served: false\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        securityContext:\n          privileged: true\n"
    );
    let report = kube_secctx::check("s.yaml", &text, &Default::default()).unwrap();
    // 1-based line and column (bytes: the text is ASCII) of a span's start.
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let column = |at: usize| at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    let dup: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "duplicate-key")
        .map(|f| (f.path.as_str(), line(f.span.start), column(f.span.start)))
        .collect();
    assert_eq!(dup, vec![("/spec/versions/0/served", 10, 5)]);
    let privileged: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "privileged-container")
        .map(|f| {
            (
                f.resource.kind.as_str(),
                f.resource.matched_by,
                line(f.span.start),
            )
        })
        .collect();
    assert_eq!(
        privileged,
        vec![("ConfigMap", kube_secctx::report::MatchedBy::Shape, 23)]
    );
}
