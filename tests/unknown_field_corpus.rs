//! `unknown-field` over the shared corpora: every real manifest (`../shared/corpus/real`)
//! and every PSA conformance fixture (`../shared/corpus/psa`) is a valid object and
//! gives no finding; and in every real manifest, one key of each API type the file uses,
//! misspelled, gives exactly one finding, at the key, with the key as the first "did you
//! mean".
//!
//! The keys and their types are found with the crate's own YAML layer and the schema's
//! walk ([`schema::known_fields`]), never by regexes. `bench-large.yaml` (166,000 lines,
//! the same kinds of objects as the others) is skipped by the misspelling test to keep
//! it fast in a debug build; the no-finding test checks it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{check_located as check, corpus_manifests, list, read_corpus};
use kube_secctx::position::LineIndex;
use kube_secctx::schema::{self, Known};
use kube_secctx::suggest::did_you_mean;
use kube_secctx::workload::extract;
use kube_secctx::yaml::{escape_pointer, parse_stream, Limits, Span};
use kube_secctx::Options;

const RULE: &str = "unknown-field";

/// The PSA corpus's fixture count (its README; tests/psa_conformance.rs): a truncated
/// copy is noticed.
const PSA_FIXTURES: usize = 4537;

/// Only the rule under test runs (the misspelling test checks each file many times).
fn only_rule() -> Options {
    Options {
        select: vec![RULE.to_string()],
        ..Options::default()
    }
}

#[test]
fn the_real_corpus_has_no_unknown_field() {
    let names = corpus_manifests();
    assert!(
        names.len() >= 27,
        "the real corpus is incomplete: {names:?}"
    );
    for name in &names {
        let text = read_corpus(name);
        let report = check(name, &text, &Options::default());
        let found: Vec<_> = report.findings.iter().filter(|f| f.rule == RULE).collect();
        assert!(found.is_empty(), "{name}:\n{}", list(&report));
    }
}

#[test]
fn the_psa_fixtures_have_no_unknown_field() {
    let dir = common::shared_dir().join("corpus/psa");
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap_or_else(|e| {
        panic!(
            "the PSA conformance corpus is missing: {}/INDEX.tsv: {e}",
            dir.display()
        )
    });
    let paths: Vec<&str> = index
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(paths.len(), PSA_FIXTURES, "INDEX.tsv rows");
    let mut bad = Vec::new();
    let opts = only_rule();
    for path in paths {
        let text = std::fs::read_to_string(dir.join(path)).unwrap();
        let report = kube_secctx::check(path, &text, &opts).unwrap();
        assert!(report.summary.resources >= 1, "{path}: no resource checked");
        bad.extend(
            report
                .findings
                .iter()
                .map(|f| format!("{path}: {}", f.message)),
        );
    }
    assert!(
        bad.is_empty(),
        "{} findings:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The API types the misspelling test must meet at least once over the corpus: those of
/// the pod spec the issue names, and the object above it.
const REQUIRED: &[&str] = &[
    "PodSpec",
    "Container",
    "SecurityContext",
    "PodSecurityContext",
    "Capabilities",
    "SeccompProfile",
    "Probe",
    "HTTPGetAction",
    "TCPSocketAction",
    "ExecAction",
    "Volume",
    "HostPathVolumeSource",
    "ConfigMapVolumeSource",
    "SecretVolumeSource",
    "EmptyDirVolumeSource",
    "ContainerPort",
    "EnvVar",
    "EnvVarSource",
    "VolumeMount",
    "ResourceRequirements",
    "Lifecycle",
    "LifecycleHandler",
    "ObjectMeta",
    "PodTemplateSpec",
    "DeploymentSpec",
    "DaemonSetSpec",
    "StatefulSetSpec",
    "JobSpec",
    "CronJobSpec",
    "LabelSelector",
    "Toleration",
    "Affinity",
];

/// A misspelling of `key` that `did_you_mean` maps back to it first among `fields`, and
/// that is no field of any type: two adjacent letters swapped (from the middle out),
/// else one letter dropped.
fn misspell(key: &str, fields: &[&'static str]) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    let n = chars.len();
    let mid = n / 2;
    let mut candidates = Vec::new();
    for d in 0..n {
        for i in [mid.checked_sub(d + 1), mid.checked_add(d)]
            .into_iter()
            .flatten()
        {
            if i + 1 < n && chars[i] != chars[i + 1] {
                let mut c = chars.clone();
                c.swap(i, i + 1);
                candidates.push(c.into_iter().collect::<String>());
            }
        }
    }
    for i in 1..n.saturating_sub(1) {
        let mut c = chars.clone();
        c.remove(i);
        candidates.push(c.into_iter().collect());
    }
    candidates.into_iter().find(|m| {
        m != key
            && schema::MODELS.iter().all(|model| model.field(m).is_none())
            && did_you_mean(m, fields.iter().copied()).first() == Some(&key)
    })
}

/// One key of one type in one file, to misspell.
struct Case {
    model: &'static str,
    key: String,
    pointer: String,
    /// Byte offset of the key's first character (after a quote).
    at: usize,
    /// Where the finding must start (the key's span, a quote included).
    start: usize,
    /// The document's span (markers included): the document is checked alone, as a
    /// text of its own (the corpus's largest files are 2 MB).
    document: Span,
}

/// The first key of each type in `text`, in document order, that can be misspelled:
/// not brought by a merge key, written as itself (plain or quoted), not a root's
/// `apiVersion` or `kind` (then the document is no workload), and not a key of a shape-
/// matched resource's template, `metadata` or `spec` themselves (a custom resource's
/// own, not reported: see `schema::Start::open`).
fn cases(text: &str) -> Vec<Case> {
    let stream = parse_stream(text, &Limits::default());
    let mut by_model: BTreeMap<&'static str, Case> = BTreeMap::new();
    for doc in &stream.documents {
        for w in extract(doc).workloads {
            let Some(start) = schema::start(doc, &w) else {
                continue;
            };
            let open_parents = [
                start.pointer.clone(),
                format!("{}/metadata", start.pointer),
                format!("{}/spec", start.pointer),
            ];
            let mut known: Vec<Known<'_>> = Vec::new();
            schema::known_fields(doc, &start, schema::LAST_MINOR, &mut |k| known.push(k));
            for k in known {
                let model = schema::model(k.model);
                if k.merged || by_model.contains_key(model.name) {
                    continue;
                }
                let parent = &k.pointer[..k.pointer.rfind('/').unwrap()];
                if (parent == w.root_pointer && matches!(k.key, "apiVersion" | "kind"))
                    || (start.open && open_parents.iter().any(|p| p == parent))
                {
                    continue;
                }
                let written = &text[k.key_span.start..k.key_span.end];
                let at = if written == k.key {
                    k.key_span.start
                } else if written.len() == k.key.len() + 2
                    && written.get(1..written.len() - 1) == Some(k.key)
                {
                    k.key_span.start + 1
                } else {
                    continue;
                };
                by_model.insert(
                    model.name,
                    Case {
                        model: model.name,
                        key: k.key.to_string(),
                        pointer: k.pointer.clone(),
                        at,
                        start: k.key_span.start,
                        document: doc.span,
                    },
                );
            }
        }
    }
    by_model.into_values().collect()
}

#[test]
fn one_misspelled_key_of_each_type_is_found_at_its_key() {
    let opts = only_rule();
    let mut ran = 0;
    let mut covered: BTreeSet<&'static str> = BTreeSet::new();
    let mut problems = Vec::new();
    let mut unspellable = Vec::new();
    let names: Vec<String> = corpus_manifests()
        .into_iter()
        .filter(|n| n != "bench-large.yaml")
        .collect();
    assert!(names.len() >= 26, "{names:?}");
    for name in &names {
        let text = read_corpus(name);
        let lines = LineIndex::new(&text);
        for case in cases(&text) {
            let model = schema::find_model(case.model).map(schema::model).unwrap();
            let fields: Vec<&'static str> = model
                .fields_at(schema::LAST_MINOR)
                .map(|f| f.name)
                .collect();
            let Some(wrong) = misspell(&case.key, &fields) else {
                unspellable.push(format!("{name}: {} `{}`", case.model, case.key));
                continue;
            };
            let doc = case.document;
            let mut mutated = text[doc.start..doc.end].to_string();
            let at = case.at - doc.start;
            mutated.replace_range(at..at + case.key.len(), &wrong);
            let report = check(name, &mutated, &opts);
            let found: Vec<_> = report.findings.iter().filter(|f| f.rule == RULE).collect();
            let pointer = format!(
                "{}/{}",
                &case.pointer[..case.pointer.rfind('/').unwrap()],
                escape_pointer(&wrong)
            );
            let label = format!(
                "{name}:{}:{} {} `{}` → `{wrong}`",
                lines.line(case.start) + 1,
                case.start - lines.line_start(lines.line(case.start)) + 1,
                case.model,
                case.key
            );
            let [f] = found[..] else {
                problems.push(format!(
                    "{label}: {} findings\n{}",
                    found.len(),
                    list(&report)
                ));
                continue;
            };
            let want_tail = format!(": did you mean `{}`", case.key);
            let want_type = format!("is not a field of {} in", case.model);
            if f.span.start + doc.start != case.start
                || f.path != pointer
                || !f.message.contains(&want_tail)
                || !f.message.contains(&want_type)
            {
                problems.push(format!(
                    "{label}: found at byte {} {} {:?}",
                    f.span.start + doc.start,
                    f.path,
                    f.message
                ));
                continue;
            }
            ran += 1;
            covered.insert(case.model);
        }
    }
    println!(
        "misspelling test: {ran} (file, type) cases over {} files, {} types: {}",
        names.len(),
        covered.len(),
        covered.iter().copied().collect::<Vec<_>>().join(", ")
    );
    println!(
        "keys with no misspelling that did_you_mean maps back (skipped): {}",
        unspellable.join("; ")
    );
    assert!(unspellable.len() * 20 < ran, "too many skipped");
    assert!(
        problems.is_empty(),
        "{} problems (positions of the document checked alone):\n{}",
        problems.len(),
        problems.join("\n")
    );
    let missing: Vec<&&str> = REQUIRED.iter().filter(|m| !covered.contains(**m)).collect();
    assert!(missing.is_empty(), "types never misspelled: {missing:?}");
    assert!(ran >= 300, "only {ran} cases ran");
}
