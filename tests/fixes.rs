//! Fixes (`kube_secctx::fix`): the fix property over every input we have, layout
//! variants, and snapshots of fixed texts a person can read.
//!
//! The property, for a text and options: with every fix (safe and unsafe) applied,
//! - every fix offered was applied, and none failed its verification;
//! - the fixed text parses with no new error entry;
//! - no finding that had a fix is left, and no finding appeared;
//! - each document's object is the original's with exactly the fixes' changes (as JSON);
//! - the text outside the edits is byte-identical (the edits are checked to be sorted,
//!   non-overlapping and to give the fixed text);
//! - fixing the fixed text changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use kube_secctx::fix::{apply_edits, fix_text, ops, FixSelection, Fixed, Offer};
use kube_secctx::yaml::{parse_stream, Limits};
use kube_secctx::{Level, Options, PssVersion};

fn all() -> FixSelection {
    FixSelection {
        unsafe_fixes: true,
        rules: None,
    }
}

/// Checks the fix property for `text`; returns the fixed text.
fn property(name: &str, text: &str, opts: &Options) -> String {
    let fixed = fix_text(opts, name, text, &all(), true).expect("valid options");
    for (i, (f, offer)) in fixed.findings.iter().zip(&fixed.offers).enumerate() {
        match offer {
            Offer::Fix(_) => assert!(
                fixed.applied.contains(&i),
                "{name}: the fix of {} at {} was offered but not applied",
                f.rule,
                f.path
            ),
            Offer::None(why) => assert!(
                !why.contains("verification"),
                "{name}: the fix of {} at {} failed: {why}",
                f.rule,
                f.path
            ),
        }
    }
    // The edits: sorted, apart, and they make the fixed text (nothing else changed).
    for pair in fixed.edits.windows(2) {
        assert!(
            pair[0].span.end <= pair[1].span.start,
            "{name}: overlapping edits"
        );
    }
    assert_eq!(apply_edits(text, &fixed.edits), fixed.text, "{name}");
    // The objects: the original's plus exactly the applied fixes' changes.
    assert_objects(name, text, &fixed);
    // Again: nothing left to fix, no finding appeared, no new error.
    let again = fix_text(opts, name, &fixed.text, &all(), true).expect("valid options");
    assert!(
        again.applied.is_empty(),
        "{name}: a second run applied {:?}",
        again
            .applied
            .iter()
            .map(|&i| &again.findings[i].rule)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        again.text, fixed.text,
        "{name}: a second run changed the text"
    );
    assert_eq!(
        again.errors.len(),
        fixed.errors.len(),
        "{name}: the fixed text has new error entries: {:?}",
        again.errors
    );
    for (f, offer) in again.findings.iter().zip(&again.offers) {
        assert!(
            matches!(offer, Offer::None(_)),
            "{name}: {} at {} still has a fix after fixing",
            f.rule,
            f.path
        );
    }
    let before: usize = fixed.findings.len() - fixed.applied.len();
    assert!(
        again.findings.len() <= before,
        "{name}: {} findings after fixing, {before} expected at most",
        again.findings.len()
    );
    fixed.text
}

/// Each document's object after the fixes is the original's with the applied fixes' ops.
fn assert_objects(name: &str, text: &str, fixed: &Fixed) {
    let limits = Limits::default();
    let old = parse_stream(text, &limits);
    let new = parse_stream(&fixed.text, &limits);
    assert_eq!(
        old.errors.len(),
        new.errors.len(),
        "{name}: YAML errors differ"
    );
    let mut ops_by_doc: BTreeMap<usize, Vec<ops::Op>> = BTreeMap::new();
    for &i in &fixed.applied {
        if let Offer::Fix(fix) = &fixed.offers[i] {
            let list = ops_by_doc.entry(fixed.findings[i].document).or_default();
            for op in &fix.ops {
                if !list.contains(op) {
                    list.push(op.clone());
                }
            }
        }
    }
    assert_eq!(
        old.documents.len(),
        new.documents.len(),
        "{name}: document count"
    );
    for (a, b) in old.documents.iter().zip(&new.documents) {
        let (Some(ra), Some(rb)) = (a.root, b.root) else {
            assert_eq!(a.root.is_some(), b.root.is_some(), "{name}");
            continue;
        };
        let mut expected = a.to_json(ra);
        if let Some(list) = ops_by_doc.get(&a.index) {
            ops::apply(&mut expected, list).unwrap();
        }
        assert_eq!(b.to_json(rb), expected, "{name}: document {}", a.index);
    }
}

#[test]
fn the_property_holds_over_the_examples() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 4);
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        property(&path.display().to_string(), &text, &Options::default());
    }
}

#[test]
fn the_property_holds_over_the_real_corpus() {
    for name in common::corpus_manifests() {
        if name == "bench-large.yaml" {
            continue; // the same kinds of objects, 8 MB: `make bench` fixes it
        }
        let text = common::read_corpus(&name);
        property(&name, &text, &Options::default());
    }
}

#[test]
fn the_property_holds_over_every_psa_fail_fixture() {
    let dir = common::shared_dir().join("corpus/psa");
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap();
    let mut n = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[3] != "fail" {
            continue;
        }
        let level = match cols[1] {
            "baseline" => Level::Baseline,
            _ => Level::Restricted,
        };
        let minor: u32 = cols[2].trim_start_matches("v1.").parse().unwrap();
        let opts = Options {
            level: Some(level),
            pss_version: PssVersion::V1(minor),
            ..Options::default()
        };
        let text = std::fs::read_to_string(dir.join(cols[0])).unwrap();
        property(cols[0], &text, &opts);
        // The default profile (restricted, latest, hardening rules) too.
        property(cols[0], &text, &Options::default());
        n += 1;
    }
    assert_eq!(n, 3486);
}
