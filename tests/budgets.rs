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
use kube_secctx::{check, Limits, Options, Report};

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

/// A Pod with `n` privileged containers named `c0`, `c1`, ... (block style).
fn privileged_pod(n: usize, name_bytes: usize) -> String {
    let mut out =
        String::from("apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n");
    for i in 0..n {
        let name = format!("c{i}{}", "x".repeat(name_bytes));
        out.push_str(&format!(
            "  - name: {name}\n    image: i\n    securityContext: {{privileged: true}}\n"
        ));
    }
    out
}

fn baseline(text: &str) -> Report {
    let opts = Options {
        level: Some(kube_secctx::Level::Baseline),
        ..Options::default()
    };
    check("budget.yaml", text, &opts).unwrap()
}

#[test]
fn findings_past_the_budget_of_a_resource_are_an_error_entry() {
    let budget = Limits::default().max_findings_per_resource;
    assert_eq!(budget, 10_000);
    for containers in [budget + 1, 4 * budget] {
        let text = format!(
            "{PRIVILEGED}---\n{}---\n{PRIVILEGED}",
            privileged_pod(containers, 0)
        );
        let report = baseline(&text);
        let big: Vec<_> = report.findings.iter().filter(|f| f.document == 1).collect();
        assert_eq!(big.len(), budget, "{containers}");
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        let e = &report.errors[0];
        assert_eq!(e.document, 1);
        assert!(
            e.message.starts_with(
                "this resource gives more findings than the budget of 10000 findings and \
                 4194304 bytes of pointers and messages per resource"
            ),
            "{}",
            e.message
        );
        // At the resource: its first key.
        assert_eq!(&text[e.span.start..e.span.start + 10], "apiVersion");
        assert_neighbours_checked(&report, 1);
    }
}

#[test]
fn a_list_item_past_the_budget_is_named_and_the_other_items_are_checked() {
    let opts = Options {
        level: Some(kube_secctx::Level::Baseline),
        limits: Limits {
            max_findings_per_resource: 3,
            ..Limits::default()
        },
        ..Options::default()
    };
    let item = |n: usize| {
        let containers: Vec<String> = (0..n)
            .map(|i| format!("{{name: c{i}, image: i, securityContext: {{privileged: true}}}}"))
            .collect();
        format!("- {{apiVersion: v1, kind: Pod, metadata: {{name: p{n}}}, spec: {{containers: [{}]}}}}\n", containers.join(", "))
    };
    for n in [5, 20] {
        let text = format!("apiVersion: v1\nkind: List\nitems:\n{}{}", item(n), item(1));
        let report = check("list.yaml", &text, &opts).unwrap();
        assert_eq!(report.findings.len(), 3 + 1, "{n}");
        assert_eq!(report.errors.len(), 1);
        assert!(
            report.errors[0].message.starts_with(
                "the List item at /items/0 gives more findings than the budget of 3 findings"
            ),
            "{}",
            report.errors[0].message
        );
        assert_eq!(
            report.errors[0].span.start,
            text.find("{apiVersion: v1, kind: Pod").unwrap()
        );
        assert!(report
            .findings
            .iter()
            .any(|f| f.resource.name.as_deref() == Some("p1")));
    }
}

#[test]
fn long_messages_past_the_byte_budget_are_an_error_entry() {
    // Every finding's message names its container: a 1 MiB name makes each about 1 MiB.
    let bytes = Limits::default().max_finding_bytes_per_resource;
    for name_bytes in [1 << 20, bytes] {
        let text = format!(
            "{PRIVILEGED}---\n{}---\n{PRIVILEGED}",
            privileged_pod(1, name_bytes)
        );
        let report = run(&text);
        let big: usize = report
            .findings
            .iter()
            .filter(|f| f.document == 1)
            .map(|f| f.message.len() + f.path.len())
            .sum();
        assert!(big <= bytes, "{name_bytes}: {big}");
        // The finding that passes the budget is kept, its message cut to fit.
        let cut = report
            .findings
            .iter()
            .filter(|f| f.document == 1 && f.message.ends_with("..."))
            .count();
        assert_eq!(cut, 1, "{name_bytes}");
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors.len());
        assert!(report.errors[0]
            .message
            .contains("4194304 bytes of pointers and messages"));
        assert_neighbours_checked(&report, 1);
    }
}

/// Many documents (class 6, memory): the CLI writes each document's findings as it is
/// checked and keeps none, and what it prints is byte for byte the rendering of the
/// whole report kept in memory, in every format, with the documents of two files in
/// order and an invalid document among them. (`make bench` prints the peak memory.)
#[test]
fn many_documents_are_written_as_checked_and_the_output_is_the_whole_report() {
    use kube_secctx::render::{concise, json, sarif, text};
    use kube_secctx::Checker;
    let dir = tempfile::tempdir().unwrap();
    for n in [500, 2_000] {
        let mut docs: Vec<String> = (0..n)
            .map(|i| format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"))
            .collect();
        docs[n / 2] = "kind: [unclosed\n".to_string();
        let first = dir.path().join(format!("a-{n}.yaml"));
        let second = dir.path().join(format!("b-{n}.yaml"));
        std::fs::write(&first, docs.join("---\n")).unwrap();
        std::fs::write(&second, PRIVILEGED).unwrap();
        let paths = [first.to_str().unwrap(), second.to_str().unwrap()];

        let mut checker = Checker::new(&Options::default()).unwrap();
        let texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        for (path, t) in paths.iter().zip(&texts) {
            checker.check_text(path, t);
        }
        let report = checker.finish();
        assert_eq!(report.summary.documents, n + 1);
        assert_eq!(report.summary.resources, n);
        assert_eq!(report.errors.len(), 1);
        let sources = |file: &str| {
            paths
                .iter()
                .position(|p| *p == file)
                .map(|i| texts[i].as_str())
        };

        let cli = |format: &str| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
                .args(["check", "--color", "never", "--format", format])
                .args(paths)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            String::from_utf8(out.stdout).unwrap()
        };
        assert_eq!(cli("json"), json::render(&report, &sources) + "\n", "{n}");
        assert_eq!(
            cli("text"),
            text::render(&report, &sources, &text::TextOptions::default()),
            "{n}"
        );
        assert_eq!(
            cli("concise"),
            concise::render(&report, &sources, &text::TextOptions::default()),
            "{n}"
        );
        let streamed: serde_json::Value = serde_json::from_str(&cli("sarif")).unwrap();
        let kept = sarif::to_value(&report, &sources, &sarif::SarifOptions::default());
        assert_eq!(
            streamed["runs"][0]["results"], kept["runs"][0]["results"],
            "{n}"
        );
        assert_eq!(streamed["runs"][0]["tool"], kept["runs"][0]["tool"]);
    }
}

/// A one-line (minified) JSON Pod with `n` privileged containers; `name` is the Pod's
/// name, written before them on the line.
fn one_line_pod(n: usize, name: &str, container: &str) -> String {
    let containers: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"name":"{container}{i}","image":"x","securityContext":{{"privileged":true}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}"}},"spec":{{"containers":[{}]}}}}"#,
        containers.join(",")
    ) + "\n"
}

/// Class 3: text output of a one-line manifest. Each code frame shows a window of the
/// line, not the line: the output grows with the findings, not with findings times the
/// line's length.
#[test]
fn code_frames_of_a_long_line_show_a_window() {
    use kube_secctx::render::text;
    for n in [500, 2_000] {
        let text = one_line_pod(n, "p", "c");
        let report = baseline(&text);
        assert_eq!(report.findings.len(), n);
        let sources = |_: &str| Some(text.as_str());
        let out = text::render(&report, &sources, &text::TextOptions::default());
        let longest = out.lines().map(str::len).max().unwrap();
        assert!(longest < 400, "{n}: a line of {longest} bytes");
        assert!(out.len() < n * 1_000, "{n}: {} bytes", out.len());
        // The last container's frame shows its own `true`, underlined.
        let last = format!(r#""name":"c{}""#, n - 1);
        assert!(out.contains(&last), "{n}");
    }
}

/// Class 4: positions on a long line with non-ASCII text before the findings, in
/// characters and in UTF-16 code units, for the last finding as for the first.
#[test]
fn positions_on_a_long_non_ascii_line_are_exact() {
    use kube_secctx::render::json::{self, Positions};
    for n in [500, 2_000] {
        let text = one_line_pod(n, "😀", "容器");
        let report = baseline(&text);
        assert_eq!(report.findings.len(), n);
        let sources = |_: &str| Some(text.as_str());
        let li = kube_secctx::position::LineIndex::new(&text);
        for f in [&report.findings[0], &report.findings[n - 1]] {
            assert_eq!(&text[f.span.start..f.span.end], "true");
            let before = &text[..f.span.start];
            let chars = json::position(&li, f.span.start, Positions::CharsAndBytes);
            assert_eq!(
                (chars.line, chars.column, chars.offset),
                (1, before.chars().count() + 1, f.span.start)
            );
            let utf16 = json::position(&li, f.span.start, Positions::Utf16);
            let units = before.encode_utf16().count();
            assert_eq!(
                (utf16.line, utf16.column, utf16.offset),
                (1, units + 1, units)
            );
        }
        let _ = json::render(&report, &sources);
    }
}

/// Class 5: documents that are not UTF-8 between privileged Pods: one error entry per
/// such document, at its invalid byte, and every other document checked.
#[test]
fn documents_that_are_not_utf8_are_errors_and_the_others_are_checked() {
    use kube_secctx::Checker;
    for n in [100, 1_000] {
        let mut bytes = Vec::new();
        let mut invalid_at = Vec::new();
        for i in 0..n {
            if i > 0 {
                bytes.extend_from_slice(b"---\n");
            }
            if i % 2 == 1 {
                bytes.extend_from_slice(b"apiVersion: v1\nkind: ConfigMap\ndata: {x: \"caf");
                invalid_at.push(bytes.len());
                bytes.extend_from_slice(b"\xE9\"}\n");
            } else {
                bytes.extend_from_slice(PRIVILEGED.as_bytes());
            }
        }
        let opts = Options {
            level: Some(kube_secctx::Level::Baseline),
            ..Options::default()
        };
        let mut checker = Checker::new(&opts).unwrap();
        checker.check_bytes("latin1.yaml", &bytes);
        let report = checker.finish();
        let errors: Vec<(usize, usize)> = report
            .errors
            .iter()
            .map(|e| (e.document, e.span.start))
            .collect();
        let expected: Vec<(usize, usize)> = invalid_at
            .iter()
            .enumerate()
            .map(|(k, &at)| (2 * k + 1, at))
            .collect();
        assert_eq!(errors, expected, "{n}");
        assert!(report
            .errors
            .iter()
            .all(|e| e.message.contains("not valid UTF-8 (byte 0xE9)")));
        let checked: Vec<usize> = report.findings.iter().map(|f| f.document).collect();
        assert_eq!(checked, (0..n).step_by(2).collect::<Vec<_>>(), "{n}");
    }
}
