//! `unknown-field` on hostile input: aliases that multiply a document (each mapping is
//! walked once), a mapping of 10,000 unknown keys (the resource's findings budget stops
//! it, in little time), keys that need escaping in a JSON pointer or a message, keys
//! that are not strings in YAML, and merge keys `<<` that bring unknown keys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::{check_located as check, covered, list, LocatedReport as Report};
use kube_secctx::{Limits, Options};

const RULE: &str = "unknown-field";

/// A Deployment whose container's `securityContext:` is the last line (12), its keys to
/// follow at column 11.
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  \
    selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    \
    spec:\n      containers:\n      - name: app\n        image: registry.example/app:1.0\n        \
    securityContext:\n";

/// The rule's findings as `line:column pointer`.
fn at(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == RULE)
        .map(|f| format!("{}:{} {}", f.range.start.line, f.range.start.column, f.path))
        .collect()
}

/// Debug builds on a loaded machine: generous, but far below what a walk or a
/// suggestion search per alias use or per key would take.
const FAST: Duration = Duration::from_secs(20);

#[test]
fn billion_laughs_beside_a_deployment_is_walked_once() {
    let mut text = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: laughs}\nx-laughs:\n  \
         l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..=9 {
        let p = i - 1;
        let _ = writeln!(
            text,
            "  l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]"
        );
    }
    // Ten containers, one mapping: its typo is one key in the text. Its env items are
    // ten uses of one mapping with a typo too.
    text.push_str(
        "x-env: &e {name: A, vaule: b}\nx-container: &c\n  name: app\n  image: \
         registry.example/app:1.0\n  imagePullPolicey: Always\n  env: [*e, *e, *e, *e, *e, *e, \
         *e, *e, *e, *e]\nspec:\n  selector: {matchLabels: {app: laughs}}\n  template:\n    \
         metadata: {labels: {app: laughs}}\n    spec:\n      containers: [*c, *c, *c, *c, *c, \
         *c, *c, *c, *c, *c]\n",
    );
    let started = Instant::now();
    let report = check("laughs.yaml", &text, &Options::default());
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
    // The anchors sit under keys that are not fields: each is reported, once, and not
    // walked into; the mappings the containers and env items alias are walked once.
    assert_eq!(
        at(&report),
        [
            "4:1 /x-laughs",
            "15:1 /x-env",
            "15:21 /spec/template/spec/containers/0/env/0/vaule",
            "16:1 /x-container",
            "19:3 /spec/template/spec/containers/0/imagePullPolicey",
        ],
        "{}",
        list(&report)
    );
}

#[test]
fn an_alias_inside_its_own_anchor_does_not_loop() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  \
                - &c {name: app, image: x, securityContext: {privileged: false}, self: *c}\n";
    let started = Instant::now();
    let report = check("cycle.yaml", text, &Options::default());
    assert!(started.elapsed() < FAST);
    assert_eq!(
        at(&report),
        ["6:68 /spec/containers/0/self"],
        "{}",
        list(&report)
    );
}

#[test]
fn ten_thousand_unknown_keys_stop_at_the_findings_budget() {
    let mut text = DEPLOYMENT.to_string();
    for i in 0..10_000 {
        let _ = writeln!(text, "          k{i}: 1");
    }
    let started = Instant::now();
    let report = check("many.yaml", &text, &Options::default());
    // Before a key that is no field anywhere skipped the search for its place, this took
    // a minute in a debug build.
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
    let budget = Limits::default().max_findings_per_resource;
    assert_eq!(report.findings.len(), budget);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors[0]
            .message
            .starts_with("this resource gives more findings than the budget of 10000 findings"),
        "{}",
        report.errors[0].message
    );
    // The PSS and hardening findings first, then the keys in document order (k0 on line
    // 13) until the budget.
    let mine: Vec<_> = report.findings.iter().filter(|f| f.rule == RULE).collect();
    let others = budget - mine.len();
    assert!(others > 0 && others < 20, "{others}");
    assert_eq!(
        mine[0].path,
        "/spec/template/spec/containers/0/securityContext/k0"
    );
    assert_eq!(
        (mine[0].range.start.line, mine[0].range.start.column),
        (13, 11)
    );
    let last = mine.len() - 1;
    assert_eq!(
        mine[last].path,
        format!("/spec/template/spec/containers/0/securityContext/k{last}")
    );

    // A smaller budget stops it sooner, the same way.
    let small = Options {
        limits: Limits {
            max_findings_per_resource: 100,
            ..Limits::default()
        },
        ..Options::default()
    };
    let report = check("many.yaml", &text, &small);
    assert_eq!(report.findings.len(), 100);
    assert!(report.errors[0].message.contains("budget of 100 findings"));
}

/// Every distinct field name of the table as a key of one mapping: each is a field
/// somewhere, so each one's place is searched; still bounded (466 names at v1.37).
#[test]
fn every_field_name_at_once() {
    let mut names: Vec<&str> = kube_secctx::schema::MODELS
        .iter()
        .flat_map(|m| m.fields.iter().map(|f| f.name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    \
         lifecycle:\n      preStop:\n        httpGet:\n",
    );
    for n in &names {
        let _ = writeln!(text, "          {n}: {{}}");
    }
    let only = Options {
        select: vec![RULE.to_string()],
        ..Options::default()
    };
    let started = Instant::now();
    let report = check("names.yaml", &text, &only);
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
    // All but HTTPGetAction's own six fields.
    assert_eq!(report.findings.len(), names.len() - 6);
}

#[test]
fn keys_that_need_escaping() {
    let text = format!(
        "{DEPLOYMENT}          \"a/b~c\": 1\n          \"bell\\u0007\\u001b[31m\": 2\n          \
         \"\": 3\n"
    );
    let report = check("escape.yaml", &text, &Options::default());
    let base = "/spec/template/spec/containers/0/securityContext";
    assert_eq!(
        at(&report),
        [
            format!("13:11 {base}/a~1b~0c"),
            format!("14:11 {base}/bell\u{7}\u{1b}[31m"),
            format!("15:11 {base}/"),
        ]
    );
    let mine: Vec<_> = report.findings.iter().filter(|f| f.rule == RULE).collect();
    assert!(mine[0]
        .message
        .starts_with("`a/b~c` is not a field of SecurityContext"));
    // Control characters are escaped in the message (never raw in a terminal).
    assert!(mine[1]
        .message
        .starts_with("`bell\\u{7}\\u{1b}[31m` is not a field of SecurityContext"));
    assert!(!mine[1].message.chars().any(char::is_control));
    assert!(mine[2]
        .message
        .starts_with("`` is not a field of SecurityContext"));
    assert_eq!(covered(&text, mine[0]), "\"a/b~c\"");
}

/// Keys as the API's YAML→JSON conversion writes them: an integer `1`, a YAML 1.1
/// boolean `yes` → `true`, a null `~` → `null`, a float `2.5`.
#[test]
fn keys_that_are_not_strings() {
    let text =
        format!("{DEPLOYMENT}          1: x\n          yes: y\n          ~: n\n          2.5: f\n");
    let report = check("keys.yaml", &text, &Options::default());
    let base = "/spec/template/spec/containers/0/securityContext";
    assert_eq!(
        at(&report),
        [
            format!("13:11 {base}/1"),
            format!("14:11 {base}/true"),
            format!("15:11 {base}/null"),
            format!("16:11 {base}/2.5"),
        ]
    );
    let mine: Vec<_> = report.findings.iter().filter(|f| f.rule == RULE).collect();
    assert!(mine[1].message.starts_with("`true` is not a field"));
    assert_eq!(covered(&text, mine[1]), "yes");
}

/// A merge key brings its mapping's entries: an unknown one is reported in each mapping
/// it lands in (the API sees it in both), at the key where it is written.
#[test]
fn merge_keys_bring_unknown_keys() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: &sc \
                {runAsNonroot: true, runAsUser: 1000}\n  containers:\n  - name: app\n    \
                image: x\n    securityContext:\n      <<: *sc\n      privileged: false\n";
    let report = check("merge.yaml", text, &Options::default());
    assert_eq!(
        at(&report),
        [
            "5:25 /spec/securityContext/runAsNonroot",
            "5:25 /spec/containers/0/securityContext/runAsNonroot",
        ]
    );
    for f in report.findings.iter().filter(|f| f.rule == RULE) {
        assert!(
            f.message.ends_with("did you mean `runAsNonRoot`?"),
            "{}",
            f.message
        );
        assert_eq!(covered(text, f), "runAsNonroot");
    }
    // An anchor under a key that is not a field: that key is reported, and the merged
    // typo where it lands.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nx-defaults: &d {tyep: \
                RuntimeDefault}\nspec:\n  securityContext:\n    seccompProfile: {<<: *d}\n  \
                containers: [{name: app, image: x}]\n";
    let report = check("merge2.yaml", text, &Options::default());
    assert_eq!(
        at(&report),
        [
            "4:1 /x-defaults",
            "4:17 /spec/securityContext/seccompProfile/tyep"
        ]
    );
}

/// A legacy API version's pod template whose `spec` is misspelled: the template is
/// still walked (its type is the API's `PodTemplateSpec`).
#[test]
fn a_legacy_template_without_spec() {
    let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\nspec:\n  \
                template:\n    metadata: {labels: {app: old}}\n    sepc:\n      containers: \
                [{name: app, image: x}]\n";
    let report = check("old.yaml", text, &Options::default());
    assert_eq!(
        at(&report),
        ["7:5 /spec/template/sepc"],
        "{}",
        list(&report)
    );
    assert_eq!(report.findings.len(), 1);
    assert!(report.findings[0]
        .message
        .ends_with("is not a field of PodTemplateSpec in Kubernetes v1.37: did you mean `spec`?"));
}
