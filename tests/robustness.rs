//! No input makes the core panic, hang or report a position outside the text.
//!
//! Deterministic mutations of real manifests (truncations and inserted YAML indicator
//! characters at many positions), plus hand-written hostile inputs.

#![allow(clippy::panic, clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use common::{assert_sane, read_corpus as corpus};
use kube_secctx::{Limits, Options, Report};

/// `kube_secctx::check` with valid options.
fn check(file: &str, text: &str, opts: &Options) -> Report {
    kube_secctx::check(file, text, opts).unwrap()
}

/// A tiny deterministic PRNG (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncations_and_mutations_never_panic() {
    let opts = Options::default();
    for name in [
        "k8s-examples-sysdig-replicationcontroller-privileged.yaml",
        "kube-prometheus-node-exporter-daemonset.yaml",
        "istio-sidecar-injected-kind-list.yaml",
        "argo-rollouts-bluegreen-example.yaml",
    ] {
        let text = corpus(name);
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let step = (boundaries.len() / 150).max(1);
        for &cut in boundaries.iter().step_by(step) {
            let t = &text[..cut];
            assert_sane(t, &check(name, t, &opts));
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let indicators = [
            "[",
            "]",
            "{",
            "}",
            ":",
            "- ",
            "&a ",
            "*a",
            "<<: ",
            "\"",
            "'",
            "\t",
            "|",
            ">",
            "!!int ",
            "? ",
            "---\n",
            "...\n",
            "%YAML 1.1\n",
            "#",
            "\u{feff}",
            "é",
            "😀",
            "\r\n",
        ];
        for _ in 0..300 {
            let pos = boundaries[(rng.next() as usize) % boundaries.len()];
            let ins = indicators[(rng.next() as usize) % indicators.len()];
            let mut t = String::with_capacity(text.len() + ins.len());
            t.push_str(&text[..pos]);
            t.push_str(ins);
            t.push_str(&text[pos..]);
            assert_sane(&t, &check(name, &t, &opts));
        }
    }
}

#[test]
fn hostile_inputs_are_errors_not_crashes() {
    let opts = Options::default();
    let deep_flow = "[".repeat(100_000);
    let deep_block: String = (0..5000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    let mut laughs = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..30 {
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    laughs.push_str("spec: {containers: [{name: c, securityContext: {privileged: true}}]}\n");
    let recursive = "apiVersion: v1\nkind: Pod\nmetadata: &m {name: x, self: *m}\nspec: &s {containers: [{name: c}], again: *s}\n";
    let merges: String = {
        let mut s = String::from("apiVersion: v1\nkind: Pod\nm0: &m0 {k0: 0}\n");
        for i in 1..400 {
            s.push_str(&format!(
                "m{i}: &m{i} {{<<: *m{p}, k{i}: {i}}}\n",
                p = i - 1
            ));
        }
        s
    };
    for input in [
        deep_flow.as_str(),
        deep_block.as_str(),
        laughs.as_str(),
        recursive,
        merges.as_str(),
        "\u{0}\u{1}\u{2}",
        "{",
        "- - - - -",
        "*undefined",
        "a: !!binary AAAA\n",
        "<<: 5\n",
        "---\n---\n---\n",
        "apiVersion: v1\nkind: Pod\nspec: 5\n",
        "apiVersion: v1\nkind: Pod\nspec: {containers: 5, volumes: {a: 1}}\n",
        "apiVersion: v1\nkind: Pod\nspec: {containers: [5, null, [], {securityContext: 7}]}\n",
        "apiVersion: [1]\nkind: {a: b}\n",
        "apiVersion: v1\nkind: List\nitems: [5, {kind: Pod}]\n",
    ] {
        let r = check("hostile.yaml", input, &opts);
        assert_sane(input, &r);
    }
    // The billion laughs document is checked: aliases share nodes instead of copying.
    let r = check("laughs.yaml", &laughs, &opts);
    assert!(
        r.findings.iter().any(|f| f.rule == "privileged-container"),
        "{r:#?}"
    );
    // Merge chains that copy too many entries hit the alias limit, as an error entry.
    let small = Options {
        limits: Limits {
            max_alias_expansions: 1000,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = check("merges.yaml", &merges, &small);
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0].message.contains("alias"),
        "{}",
        r.errors[0].message
    );
}

/// Every input the fuzzers crashed on (`tests/fuzz-regressions/`, one file each, named
/// for the defect) is checked in every profile and rendered in every format, as the
/// `check` fuzz target does.
#[test]
fn fuzz_regressions() {
    use kube_secctx::engine::decode;
    use kube_secctx::render::{json, sarif, text};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for level in [None, Some(kube_secctx::Level::Baseline)] {
            let opts = Options {
                level,
                ..Options::default()
            };
            let mut checker = kube_secctx::Checker::new(&opts).unwrap();
            checker.check_bytes("fuzz.yaml", &bytes);
            let report = checker.finish();
            let decoded = decode(&bytes);
            assert_sane(&decoded.text, &report);
            let sources = |_: &str| Some(decoded.text.as_ref());
            let _ = text::render(&report, &sources, &text::TextOptions::default());
            let _ = json::render(&report, &sources);
            let _ = sarif::render(&report, &sources, &sarif::SarifOptions::default());
        }
        n += 1;
    }
    assert!(n >= 1, "{}", dir.display());
}
