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
//! - fixing the fixed text changes nothing (after one more run when an `unknown-field`
//!   fix renamed or moved a key whose content Kubernetes had not read before).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use kube_secctx::fix::{apply_edits, fix_text, ops, FixSelection, Fixed, Offer};
use kube_secctx::position::{LineIndex, Unit};
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
    // A key renamed or moved by an `unknown-field` fix is read by Kubernetes from then
    // on, and what it holds is judged for the first time (`spec.tempalte` renamed gives
    // the Deployment a pod template): its own findings, with their own fixes, are for a
    // second `--fix`, after which the property holds.
    // And a key an `unknown-field` fix could not move while its mapping had no other key
    // (the fixes of this run gave it one) moves on the next run.
    let second = fix_text(opts, name, &fixed.text, &all(), true).expect("valid options");
    let revealing = fixed
        .applied
        .iter()
        .any(|&i| fixed.findings[i].rule == "unknown-field")
        || (!second.applied.is_empty()
            && second
                .applied
                .iter()
                .all(|&i| second.findings[i].rule == "unknown-field"));
    let fixed = if revealing {
        if second.applied.is_empty() {
            fixed
        } else {
            return property(name, &second.text, opts);
        }
    } else {
        fixed
    };
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
fn the_property_holds_over_the_rule_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for rule in std::fs::read_dir(&dir).unwrap() {
        let rule = rule.unwrap().path();
        for verdict in ["fail", "pass"] {
            let Ok(files) = std::fs::read_dir(rule.join(verdict)) else {
                continue;
            };
            for file in files {
                let path = file.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                property(&path.display().to_string(), &text, &Options::default());
                n += 1;
            }
        }
    }
    assert!(n > 40, "{n} fixtures");
}

/// The inputs the fuzzers found defects with (`tests/fuzz-regressions/`).
#[test]
fn the_property_holds_over_the_fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        if let Ok(text) = std::fs::read_to_string(&path) {
            property(&path.display().to_string(), &text, &Options::default());
        }
    }
}

/// Two moves that create one mapping (`spec.template.spec`) are refused together: one
/// is applied, the other says it waits for `--fix`'s next pass (not a failed
/// verification).
#[test]
fn two_fixes_that_change_one_place_take_two_passes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions/fix-two-moves-create-one-template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let fixed = fix_text(&Options::default(), "f", &text, &all(), true).unwrap();
    let waiting: Vec<&str> = fixed
        .offers
        .iter()
        .filter_map(|o| match o {
            Offer::None(why) => Some(why.as_str()),
            Offer::Fix(_) => None,
        })
        .filter(|why| why.contains("next pass"))
        .collect();
    assert_eq!(
        waiting,
        [
            "another fix of this document changes the same place (two changes of \
          /spec/template/spec: fix them one at a time): `--fix` applies this one on its next pass"
        ]
    );
    assert_eq!(fixed.applied.len(), 1);
}

/// A mapping emptied and filled again as the last thing of a text without a final line
/// break: no blank line between its key and its new lines, and still no final break.
#[test]
fn a_mapping_refilled_at_the_end_of_the_text_keeps_its_lines_together() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n    securityContext:\n      fsGroup: 1000";
    let fixed = property("eof", text, &Options::default());
    assert!(
        fixed.contains("    securityContext:\n      allowPrivilegeEscalation: false\n"),
        "{fixed}"
    );
    assert!(fixed.ends_with("    fsGroup: 1000"), "{fixed}");
}

/// An empty block scalar (no text lines) is at the end of its header's line, also at the
/// end of the text and when `|+` keeps a blank line after it.
#[test]
fn an_empty_block_scalar_is_at_the_end_of_its_header() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: |+\n\n  hostIPC: |- # c\n  hostUsers: |-\n";
    let report = kube_secctx::check("p.yaml", text, &Options::default()).unwrap();
    let lines = LineIndex::new(text);
    let at: Vec<(String, usize, usize)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "invalid-field-type")
        .map(|f| {
            let at = lines.line_col(f.span.start, Unit::Char);
            (f.path.clone(), at.line + 1, at.column + 1)
        })
        .collect();
    assert_eq!(
        at,
        [
            ("/spec/hostPID".to_string(), 6, 14),
            ("/spec/hostIPC".to_string(), 8, 18),
            ("/spec/hostUsers".to_string(), 9, 16),
        ]
    );
}

/// Container fields written in the pod's `securityContext` while the container has
/// none: the container's fix sets two of them first, so their moves find the same value
/// there on the next pass and the misplaced keys are removed; `privileged` moves.
#[test]
fn a_misplaced_key_whose_value_is_already_in_place_is_removed() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:\n    privileged: false\n    allowPrivilegeEscalation: false\n    readOnlyRootFilesystem: true\n  containers:\n  - name: c\n    image: nginx\n";
    let settled =
        kube_secctx::fix::fix_until_settled(&Options::default(), "p.yaml", text, &all()).unwrap();
    assert!(
        settled.last.findings.is_empty(),
        "{:?}\n{}",
        settled
            .last
            .findings
            .iter()
            .map(|f| (f.rule, &f.path))
            .collect::<Vec<_>>(),
        settled.text
    );
    assert!(
        settled
            .text
            .contains("  securityContext:\n    runAsNonRoot: true\n"),
        "{}",
        settled.text
    );
    assert!(
        settled.text.contains("      privileged: false\n"),
        "{}",
        settled.text
    );
    assert_eq!(settled.text.matches("allowPrivilegeEscalation").count(), 1);
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

/// The nginx Deployment of the Kubernetes docs, in the layouts manifests are written in.
fn variants() -> Vec<(&'static str, String)> {
    let block = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2 # two pods\n  template:\n    spec:\n      containers:\n      - name: web # the app\n        image: nginx:1.14.2\n        ports:\n        - containerPort: 80\n        # nothing after the ports\n      volumes:\n      - name: cache\n        emptyDir: {}\n";
    let indent4 = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n    name: web\nspec:\n    template:\n        spec:\n            containers:\n                -   name: web\n                    image: nginx:1.14.2\n                    securityContext:\n                        privileged: true\n";
    let indented_seq = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n      securityContext:\n        capabilities:\n          add:\n            - NET_ADMIN\n            - NET_BIND_SERVICE\n          drop:\n            - CHOWN\n";
    let flow = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: web, image: nginx, securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN, NET_RAW]}}}\n  securityContext: {}\n";
    let comments = "# a pod\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  # the containers\n  containers:\n  - name: web\n    image: nginx\n    securityContext: # hardening\n      runAsNonRoot: false # the image needs root?\n      # more below\n  # the pod's own\n  hostNetwork: true # for the node's DNS\n---\n# an empty document\n...\n";
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    containers:\n    - name: a\n      image: nginx\n      ports:\n      - containerPort: 80\n        hostPort: 8080\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: b}\n  spec:\n    schedule: '* * * * *'\n    jobTemplate:\n      spec:\n        template:\n          spec:\n            securityContext:\n              sysctls:\n              - name: kernel.msgmax\n                value: '1'\n              - name: net.ipv4.ip_local_port_range\n                value: '1024 65535'\n              - name: kernel.shm_rmid_forced\n                value: '1'\n              - name: kernel.sem\n                value: '1'\n            containers:\n            - name: b\n              image: busybox\n              securityContext:\n                procMount: Unmasked\n                seccompProfile:\n                  type: Unconfined\n";
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx",
            "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN"]}}}],
            "hostPID": true}
    }))
    .unwrap();
    let null_sc = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  securityContext:\n  containers:\n  - name: web\n    image: nginx\n    securityContext: ~\n";
    let no_newline = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx";
    vec![
        ("block-flush-comments", block.to_string()),
        ("indent-4", indent4.to_string()),
        ("indented-sequences", indented_seq.to_string()),
        ("flow", flow.to_string()),
        ("comments-and-markers", comments.to_string()),
        ("crlf", block.replace('\n', "\r\n")),
        ("bom", format!("\u{feff}{block}")),
        ("list-and-cronjob", list.to_string()),
        ("json", json),
        ("null-security-contexts", null_sc.to_string()),
        ("no-final-newline", no_newline.to_string()),
    ]
}

#[test]
fn the_property_holds_over_layout_variants_and_the_fixed_texts_read_well() {
    for (name, text) in variants() {
        let fixed = property(name, &text, &Options::default());
        // Every variant has something to fix.
        assert_ne!(fixed, text, "{name}: nothing was fixed");
        insta::assert_snapshot!(format!("fixed-{name}"), fixed.replace('\r', "␍"));
    }
}

#[test]
fn crlf_bom_and_markers_stay() {
    let vs = variants();
    let text = |n: &str| vs.iter().find(|v| v.0 == n).unwrap().1.clone();
    let crlf = property("crlf", &text("crlf"), &Options::default());
    assert!(
        !crlf.replace("\r\n", "").contains('\n'),
        "a bare LF in a CRLF file"
    );
    let bom = property("bom", &text("bom"), &Options::default());
    assert!(bom.starts_with('\u{feff}'));
    let markers = property("m", &text("comments-and-markers"), &Options::default());
    assert!(markers.ends_with("---\n# an empty document\n...\n"));
    assert!(markers.contains(
        "    securityContext: # hardening\n      runAsNonRoot: true # the image needs root?\n"
    ));
    assert!(markers.contains("  hostNetwork: false # for the node's DNS\n"));
}

/// The example: the nginx Deployment of the Kubernetes docs with the comment of
/// the seed manifest after `replicas: 2`.
#[test]
fn nginx_with_its_comment_safe_then_unsafe() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nginx-deployment-commented.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let comment = "  replicas: 2 # tells deployment to run 2 pods matching the template\n";
    assert!(text.contains(comment));
    let opts = Options::default();
    let safe = fix_text(&opts, "nginx", &text, &FixSelection::default(), false).unwrap();
    assert!(safe.text.contains(comment));
    let rules_left = |t: &str| -> Vec<&'static str> {
        let report = kube_secctx::check("nginx", t, &opts).unwrap();
        let mut r: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
        r.dedup();
        r
    };
    let left = rules_left(&safe.text);
    assert!(!left.contains(&"privilege-escalation-allowed"));
    assert!(!left.contains(&"missing-seccomp-profile"));
    assert_eq!(
        left,
        [
            "may-run-as-root",
            "unrestricted-capabilities",
            "writable-root-filesystem"
        ]
    );
    insta::assert_snapshot!("nginx-commented-safe", safe.text);
    let all_fixed = fix_text(&opts, "nginx", &text, &all(), false).unwrap();
    assert!(all_fixed.text.contains(comment));
    assert_eq!(rules_left(&all_fixed.text), Vec::<&str>::new());
    let restricted = Options {
        level: Some(Level::Restricted),
        ..Options::default()
    };
    let report = kube_secctx::check("nginx", &all_fixed.text, &restricted).unwrap();
    assert!(report.findings.is_empty(), "passes PSS restricted");
    insta::assert_snapshot!("nginx-commented-all", all_fixed.text);
}

/// The offers of a text's findings, as `(rule, path, offer)`.
fn offers(text: &str) -> Vec<(&'static str, String, Offer)> {
    let fixed = fix_text(&Options::default(), "t", text, &all(), true).unwrap();
    fixed
        .findings
        .into_iter()
        .zip(fixed.offers)
        .map(|(f, o)| (f.rule, f.path, o))
        .collect()
}

fn no_fix(offers: &[(&str, String, Offer)], rule: &str, path: &str) -> String {
    match offers.iter().find(|(r, p, _)| *r == rule && p == path) {
        Some((_, _, Offer::None(why))) => why.clone(),
        other => panic!("{rule} at {path}: {other:?}"),
    }
}

#[test]
fn no_edit_through_an_alias_an_anchor_others_use_or_a_merge() {
    // One securityContext, anchored in the first container and aliased in the second.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext: &sc\n      privileged: true\n  - name: b\n    image: x\n    securityContext: *sc\n";
    let o = offers(text);
    for c in [0, 1] {
        let why = no_fix(
            &o,
            "privileged-container",
            &format!("/spec/containers/{c}/securityContext/privileged"),
        );
        assert!(
            why.contains("anchored node (`&name`) that an alias (`*name`) also uses"),
            "{why}"
        );
    }
    // The pod-level fixes do not go through the alias: they are offered.
    assert!(matches!(
        o.iter()
            .find(|(r, _, _)| *r == "pod-security-context-missing"),
        Some((_, _, Offer::Fix(_)))
    ));
    property("alias", text, &Options::default());

    // A mapping merged with `<<`: its keys come from elsewhere.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx-defaults: &d\n  privileged: true\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      <<: *d\n      runAsNonRoot: true\n";
    let o = offers(text);
    let why = no_fix(
        &o,
        "privileged-container",
        "/spec/containers/0/securityContext/privileged",
    );
    assert!(why.contains("merge key `<<`"), "{why}");
    let why = no_fix(
        &o,
        "privilege-escalation-allowed",
        "/spec/containers/0/securityContext/allowPrivilegeEscalation",
    );
    assert!(why.contains("merge key `<<`"), "{why}");
    property("merge", text, &Options::default());

    // An anchor that nothing else uses is edited like any node; its anchor stays.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: &p true\n";
    let fixed = property("lone anchor", text, &Options::default());
    assert!(fixed.contains("      privileged: &p false\n"), "{fixed}");
}

#[test]
fn with_duplicated_keys_the_fix_edits_the_key_that_wins() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: false\n      privileged: true\n";
    let fixed = property("duplicates", text, &Options::default());
    assert!(
        fixed.contains("      privileged: false\n      privileged: false\n"),
        "the later key (the one Kubernetes reads) is fixed: {fixed}"
    );
}

/// Layouts a hostile tester found the planner writing wrong (each caught by the
/// verification before, so it offered no fix): now fixed, with the property.
#[test]
fn hostile_layouts() {
    let pod = |containers: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{containers}"
        )
    };
    // A keep-chomped block scalar as the container's last key: its blank lines are its.
    let text = pod("  - name: a\n    image: b\n    command: |+\n      echo hi\n\n");
    let fixed = property("keep", &text, &Options::default());
    assert!(
        fixed.contains("      echo hi\n\n    securityContext:\n"),
        "{fixed}"
    );
    // `drop:` and `add:` both empty.
    let text = pod("  - name: a\n    image: b\n    securityContext:\n      capabilities:\n        drop:\n        add:\n");
    let fixed = property("nulls", &text, &Options::default());
    assert!(
        fixed.contains("        drop: [ALL]\n        add:\n"),
        "{fixed}"
    );
    // A comment under the last container stays with it; the pod's keys come after it.
    let text = pod("  - name: a\n    image: b\n    # TODO: pin the image digest\n");
    let fixed = property("comment", &text, &Options::default());
    assert!(fixed.contains("      readOnlyRootFilesystem: true\n    # TODO: pin the image digest\n  securityContext:\n"), "{fixed}");
    // Only properties: the new mapping after them.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: &x\n  containers:\n  - name: a\n    image: b\n    securityContext: !!map\n";
    let fixed = property("props", text, &Options::default());
    assert!(
        fixed.contains("  securityContext: &x {runAsNonRoot: true"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    securityContext: !!map {allowPrivilegeEscalation: false"),
        "{fixed}"
    );
    // A pod-level profile of the wrong type: fixed there, not copied into each container.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: Unconfined}}\n  containers:\n  - {name: a, image: b, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}\n";
    let fixed = property("pod seccomp", text, &Options::default());
    assert_eq!(fixed, text.replace("Unconfined", "RuntimeDefault"));
    // No final line break: none is added.
    let text = pod("  - name: a\n    image: b");
    let fixed = property("no final newline", &text, &Options::default());
    assert!(!fixed.ends_with('\n'));
    // A Windows pod: the reason, not the description.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n  containers:\n  - {name: a, image: b}\n";
    let o = offers(text);
    assert!(no_fix(
        &o,
        "container-security-context-missing",
        "/spec/containers/0/securityContext"
    )
    .starts_with("a Windows pod takes no allowPrivilegeEscalation"));
    // A resource past the findings budget is not fixed (its findings are not all known).
    let many: String = (0..1700)
        .map(|i| format!("  - {{name: c{i}, image: b, securityContext: {{privileged: true}}}}\n"))
        .collect();
    let fixed = fix_text(&Options::default(), "big", &pod(&many), &all(), true).unwrap();
    assert!(fixed.applied.is_empty());
    assert!(matches!(&fixed.offers[0], Offer::None(why) if why.contains("past a findings budget")));
}

/// `runAsNonRoot: true` beside `runAsUser: 0` is a pair the kubelet refuses: no fix.
#[test]
fn no_run_as_non_root_where_a_container_runs_as_user_0() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cronjob.yaml"),
    )
    .unwrap();
    let o = offers(&text);
    let (_, path, _) = o.iter().find(|(r, _, _)| *r == "may-run-as-root").unwrap();
    assert!(no_fix(&o, "may-run-as-root", path)
        .starts_with("the container runs as user 0 (runAsUser: 0)"));
    let fixed = property("cronjob", &text, &Options::default());
    assert!(!fixed.contains("runAsNonRoot"));
}

/// Nine levels of nine aliases (a "billion laughs") beside a pod: the check is quick
/// (the engine's walk has its budget), and the fixes are refused before the verification
/// would expand the document to 9⁹ nodes; an alias of it in `capabilities.drop` is not
/// expanded either to see whether `ALL` is there. Each took gigabytes before.
#[test]
fn aliases_that_multiply_a_document_are_not_fixed() {
    let mut laughs = String::from("  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut prev = 'a';
    for name in "bcdefghi".chars() {
        let items = vec![format!("*{prev}"); 9].join(", ");
        laughs.push_str(&format!("  {name}: &{name} [{items}]\n"));
        prev = name;
    }
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: lol}}\nx-laughs:\n{laughs}spec:\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      capabilities:\n        drop: [*i]\n"
    );
    let fixed = fix_text(&Options::default(), "lol.yaml", &text, &all(), true).unwrap();
    assert!(!fixed.findings.is_empty());
    assert!(fixed.applied.is_empty());
    assert_eq!(fixed.text, text);
    for (f, offer) in fixed.findings.iter().zip(&fixed.offers) {
        match offer {
            // `x-laughs` is not a field of a Pod, and no field is spelled like it.
            Offer::None(why) if f.rule == "unknown-field" => {
                assert_eq!(why, "no field is close to it: correct or remove it by hand")
            }
            Offer::None(why) => assert!(
                why.ends_with("the document's aliases expand it past 100000 nodes: fix it by hand"),
                "{why}"
            ),
            Offer::Fix(f) => panic!("a fix was offered: {f:?}"),
        }
    }
    // Expanded sizes: a = 1 + 9, and each level 1 + 9 × the one before (i: 435_848_050).
    let doc = &parse_stream(&text, &Limits::default()).documents[0];
    let laughs = doc.pointer(doc.root.unwrap(), "/x-laughs").unwrap();
    assert_eq!(doc.expanded_size(laughs, usize::MAX), 490_329_055);
    assert!(doc.expanded_size(doc.root.unwrap(), 1000) > 1000);
    // Aliases share their anchored node: the tree itself is small.
    assert!(doc.nodes.len() < 40, "{}", doc.nodes.len());
}
