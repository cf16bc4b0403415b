//! Work stays in proportion to the input whatever its shape (issue 11): each class of
//! input that used to multiply work is built at two sizes, and the outcome is asserted
//! (an error entry naming the budget, the neighbouring documents still checked, the
//! finding at its place), never the time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kube_secctx::workload::EXPANSION_SLACK;
use kube_secctx::{check, Options, Report};

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: neighbour}\nspec:\n  containers: [{name: n, image: i, securityContext: {privileged: true}}]\n";

fn run(text: &str) -> Report {
    check("budget.yaml", text, &Options::default()).unwrap()
}

/// The two neighbours around the hostile document are both checked.
fn assert_neighbours_checked(report: &Report, hostile: usize) {
    let docs: Vec<usize> = report
        .findings
        .iter()
        .filter(|f| {
            f.rule == "privileged-container" && f.resource.name.as_deref() == Some("neighbour")
        })
        .map(|f| f.document)
        .collect();
    assert_eq!(docs, [hostile - 1, hostile + 1], "{:#?}", report.errors);
}

/// A `List` whose items are aliases of a `List` whose items are aliases ..., `levels`
/// deep and `width` wide: `width^levels` pods from a few hundred bytes.
fn nested_lists(levels: usize, width: usize) -> String {
    let mut out = String::from("apiVersion: v1\nkind: List\nitems:\n- &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i}]}}\n");
    for level in 1..=levels {
        let prev = level - 1;
        let items = vec![format!("*l{prev}"); width].join(", ");
        out.push_str(&format!(
            "- &l{level} {{apiVersion: v1, kind: List, items: [{items}]}}\n"
        ));
    }
    out
}

#[test]
fn aliases_that_multiply_resources_stop_at_the_budget() {
    for (levels, width) in [(6, 10), (8, 10)] {
        let hostile = nested_lists(levels, width);
        let text = format!("{PRIVILEGED}---\n{hostile}---\n{PRIVILEGED}");
        let report = run(&text);
        let e = report
            .errors
            .iter()
            .find(|e| e.document == 1)
            .unwrap_or_else(|| panic!("{levels}x{width}: no error entry: {:?}", report.errors));
        assert!(e.message.contains("aliases expand it"), "{}", e.message);
        assert!(
            e.message.contains(&format!("plus {EXPANSION_SLACK}")),
            "{}",
            e.message
        );
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_neighbours_checked(&report, 1);
        // What was checked before the budget ran out is bounded by it.
        assert!(report.summary.resources < 2 * EXPANSION_SLACK + 1000);
        assert!(report.findings.len() < 20 * (2 * EXPANSION_SLACK + 1000));
    }
}

#[test]
fn aliases_of_a_large_pod_stop_at_the_budget() {
    for (copies, containers) in [(100, 300), (300, 1000)] {
        let list: Vec<String> = (0..containers)
            .map(|i| format!("{{name: c{i}, image: i}}"))
            .collect();
        let mut hostile = format!(
            "apiVersion: v1\nkind: List\nitems:\n- &pod {{apiVersion: v1, kind: Pod, metadata: {{name: big}}, spec: {{containers: [{}]}}}}\n",
            list.join(", ")
        );
        for _ in 1..copies {
            hostile.push_str("- *pod\n");
        }
        let report = run(&format!("{PRIVILEGED}---\n{hostile}---\n{PRIVILEGED}"));
        let e = report
            .errors
            .iter()
            .find(|e| e.document == 1)
            .unwrap_or_else(|| panic!("{copies}x{containers}: no error: {:?}", report.errors));
        assert!(e.message.starts_with("item /items/"), "{}", e.message);
        assert_neighbours_checked(&report, 1);
    }
}

#[test]
fn ordinary_aliases_are_within_the_budget() {
    // Two Deployments sharing their containers through an alias, as people write them.
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers: &c [{name: app, image: i, securityContext: {privileged: true}}]\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: b}, spec: {template: {spec: {containers: &d [{name: x, image: i}]}}}}\n- {apiVersion: apps/v1, kind: Deployment, metadata: {name: c}, spec: {template: {spec: {containers: *d}}}}\n";
    let report = run(text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.summary.resources, 3);
}

/// A resource with one duplicated key and a long explicit key above a large collection.
fn long_key_and_a_duplicate(key_bytes: usize, items: usize) -> String {
    let key = "k".repeat(key_bytes);
    let values: Vec<String> = (0..items).map(|i| format!("{{v: {i}}}")).collect();
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: dup, labels: {{a: x, a: y}}}}\nspec:\n  containers: [{{name: c, image: i}}]\n? {key}\n: [{}]\n",
        values.join(", ")
    )
}

#[test]
fn a_long_key_is_not_copied_into_every_pointer() {
    for (key_bytes, items) in [(20_000, 5_000), (100_000, 50_000)] {
        let text = format!(
            "{PRIVILEGED}---\n{}---\n{PRIVILEGED}",
            long_key_and_a_duplicate(key_bytes, items)
        );
        let report = run(&text);
        let dup: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "duplicate-key")
            .collect();
        assert_eq!(dup.len(), 1, "{key_bytes}: {:?}", report.errors);
        assert_eq!(dup[0].path, "/metadata/labels/a");
        assert_eq!(&text[dup[0].span.start..dup[0].span.end], "a");
        assert_neighbours_checked(&report, 1);
    }
}
