//! `unknown-field` over its fixtures (`tests/fixtures/unknown-field/{fail,pass}/` and
//! `tests/fixtures/unknown-field-manifest.json`): every finding at its key's line and
//! column, with its pointer, severity and suggestion, and nothing else of the rule; the
//! Kubernetes version a field exists in (`Options::kube_version`, never the PSS version).
//!
//! Each fail fixture lists its findings in `# expect: LINE:COLUMN POINTER MODEL: tail`
//! comment lines, read off the file by hand (1-based lines, columns in characters, as
//! `tests/common` converts them). The tail is the end of the rule's message: `: did you
//! mean ...?` (a field of the same type spelled alike), `: it belongs at ...` (a field
//! of another level), or a Kubernetes version.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::{check_located as check, covered, list, LocatedReport as Report};
use kube_secctx::{KubeVersion, Options, PssVersion, Severity};

const RULE: &str = "unknown-field";

/// What every message says between the key and the tail.
fn message(key: &str, model: &str, minor: u32, tail: &str) -> String {
    format!("`{key}` is not a field of {model} in Kubernetes v1.{minor}{tail}")
}

/// One expected finding: `(line, column, JSON pointer, model, tail of the message)`.
type Want<'a> = (usize, usize, &'a str, &'a str, &'a str);

/// The JSON manifest: keys are quoted, and the range starts at the key's opening quote.
#[rustfmt::skip]
const JSON_CASE: &[Want<'static>] = &[
    (
        10,
        29,
        "/spec/template/spec/securityContext/runAsNonroot",
        "PodSecurityContext",
        ": did you mean `runAsNonRoot`?",
    ),
    (
        15,
        33,
        "/spec/template/spec/containers/0/securityContext/allowPrivilegedEscalation",
        "SecurityContext",
        ": did you mean `allowPrivilegeEscalation`?",
    ),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn names(verdict: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixtures_dir().join(RULE).join(verdict))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(path)).unwrap()
}

fn at(minor: u32) -> Options {
    Options {
        kube_version: KubeVersion::V1(minor),
        ..Options::default()
    }
}

fn mine(report: &Report) -> Vec<&common::Located<kube_secctx::Finding>> {
    report.findings.iter().filter(|f| f.rule == RULE).collect()
}

/// The rule's findings of `text` are exactly `want`, in order; each an error outside
/// the Pod Security Standards, its range exactly the key.
fn assert_findings(name: &str, text: &str, report: &Report, minor: u32, want: &[Want]) {
    let got = mine(report);
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: {} findings of {RULE}, expected {}:\n{}",
        got.len(),
        want.len(),
        list(report)
    );
    for (f, &(line, column, path, model, tail)) in got.iter().zip(want) {
        let key = kube_secctx::yaml::unescape_pointer(path.rsplit('/').next().unwrap());
        assert_eq!(
            (f.range.start.line, f.range.start.column, f.path.as_str()),
            (line, column, path),
            "{name}:\n{}",
            list(report)
        );
        assert_eq!(
            f.message,
            message(&key, model, minor, tail),
            "{name} {path}"
        );
        assert_eq!(f.severity, Severity::Error, "{name} {path}");
        assert!(f.pss.is_none() && f.modes.is_empty(), "{name} {path}");
        let covered = covered(text, f);
        assert!(
            covered == key || covered == format!("\"{key}\""),
            "{name} {path}: the range covers {covered:?}"
        );
    }
    assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
}

/// The `# expect: LINE:COLUMN POINTER MODEL: tail` lines of a fail fixture, in report
/// order (the tail is the end of the message, after "in Kubernetes v1.N").
fn expected(name: &str, text: &str) -> Vec<(usize, usize, String, String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|e| {
            let [at, pointer, rest] = e.splitn(3, ' ').collect::<Vec<_>>()[..] else {
                panic!("{name}: bad expectation {e:?}");
            };
            let (line, column) = at.split_once(':').unwrap();
            let (model, tail) = rest.split_once(':').unwrap();
            (
                line.parse().unwrap(),
                column.parse().unwrap(),
                pointer.to_string(),
                model.to_string(),
                format!(":{tail}"),
            )
        })
        .collect()
}

/// Each fail fixture gives exactly the findings its `# expect:` lines list (a
/// template-less Deployment, an Argo Rollout's own keys, an anchored mapping reused by
/// an alias: see the fixtures' comments).
#[test]
fn every_fail_fixture_gives_exactly_its_findings() {
    let files = names("fail");
    assert!(files.len() >= 23, "{files:?}");
    let mut total = 0;
    for name in &files {
        let text = read(&format!("{RULE}/fail/{name}"));
        let owned = expected(name, &text);
        assert!(!owned.is_empty(), "{name} has no `# expect:` line");
        total += owned.len();
        let want: Vec<Want> = owned
            .iter()
            .map(|(l, c, p, m, t)| (*l, *c, p.as_str(), m.as_str(), t.as_str()))
            .collect();
        let report = check(name, &text, &Options::default());
        assert_findings(name, &text, &report, 37, &want);
    }
    assert!(total >= 36, "{total} expectations");
}

#[test]
fn pass_fixtures_give_none() {
    let files = names("pass");
    assert!(files.len() >= 5, "{files:?}");
    for name in files {
        let text = read(&format!("{RULE}/pass/{name}"));
        let report = check(&name, &text, &Options::default());
        assert_findings(&name, &text, &report, 37, &[]);
    }
}

#[test]
fn json_manifest() {
    let text = read("unknown-field-manifest.json");
    let report = check("web.json", &text, &Options::default());
    assert_findings("unknown-field-manifest.json", &text, &report, 37, JSON_CASE);
}

#[test]
fn the_issue_deployment_exact_messages() {
    let text = read(&format!("{RULE}/fail/pod-security-context-typo.yaml"));
    let report = check("web.yaml", &text, &Options::default());
    let messages: Vec<&str> = mine(&report).iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`runAsNonroot` is not a field of PodSecurityContext in Kubernetes v1.37: did you mean `runAsNonRoot`?",
            "`allowPrivilegedEscalation` is not a field of SecurityContext in Kubernetes v1.37: did you mean `allowPrivilegeEscalation`?",
            "`securityContext` is not a field of ResourceRequirements in Kubernetes v1.37: it belongs at `spec.template.spec.containers[0].securityContext` (a field of Container)",
        ]
    );
    // The container of each container finding is named.
    let containers: Vec<Option<&str>> = mine(&report)
        .iter()
        .map(|f| f.container.as_deref())
        .collect();
    assert_eq!(containers, [None, Some("web"), Some("web")]);
}

// ---------------------------------------------------------------------------------------
// Versions: `kube_version`, never `pss_version`
// ---------------------------------------------------------------------------------------

#[test]
fn app_armor_profile_is_a_field_from_v1_30() {
    let name = "apparmor-profile-field.yaml";
    let text = read(&format!("{RULE}/pass/{name}"));
    let tail = ": it is one from Kubernetes v1.30 on";
    let report = check(name, &text, &at(29));
    assert_findings(
        name,
        &text,
        &report,
        29,
        &[
            (
                9,
                5,
                "/spec/securityContext/appArmorProfile",
                "PodSecurityContext",
                tail,
            ),
            (
                15,
                7,
                "/spec/containers/0/securityContext/appArmorProfile",
                "SecurityContext",
                tail,
            ),
        ],
    );
    // v1.30 and later: a field. The PSS version changes nothing.
    for minor in [30, 31, 37] {
        assert!(
            mine(&check(name, &text, &at(minor))).is_empty(),
            "v1.{minor}"
        );
    }
    let pss_29 = Options {
        pss_version: PssVersion::V1(29),
        ..Options::default()
    };
    assert!(mine(&check(name, &text, &pss_29)).is_empty());
    // A version later than the table's is checked as the table's newest.
    assert!(mine(&check(name, &text, &at(40))).is_empty());
}

/// Fields added in v1.25 (`hostUsers`), v1.28 (`Container.restartPolicy`, sidecars),
/// v1.29 (the `sleep` lifecycle action) and v1.30 (`appArmorProfile`), each at its
/// key when the version checked is older (the API reference's "since" of each, read
/// from the client wheels: see src/schema/tests.rs).
#[test]
fn fields_newer_than_the_version_checked() {
    let name = "every-pod-spec-part.yaml";
    let text = read(&format!("{RULE}/pass/{name}"));
    let since = |n: u32, _checked: u32| format!(": it is one from Kubernetes v1.{n} on");
    let report = check(name, &text, &at(24));
    let got: Vec<(usize, usize, &str, String)> = mine(&report)
        .iter()
        .map(|f| {
            let tail = f
                .message
                .split_once(" in Kubernetes v1.24")
                .unwrap()
                .1
                .to_string();
            (
                f.range.start.line,
                f.range.start.column,
                f.path.as_str(),
                tail,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (17, 7, "/spec/template/spec/hostUsers", since(25, 24)),
            (
                31,
                9,
                "/spec/template/spec/initContainers/0/restartPolicy",
                since(28, 24)
            ),
            (
                62,
                13,
                "/spec/template/spec/containers/0/lifecycle/preStop/sleep",
                since(29, 24)
            ),
            (
                69,
                11,
                "/spec/template/spec/containers/0/securityContext/appArmorProfile",
                since(30, 24)
            ),
        ]
    );
    let report = check(name, &text, &at(28));
    let at_28: Vec<&str> = mine(&report).iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        at_28,
        [
            "/spec/template/spec/containers/0/lifecycle/preStop/sleep",
            "/spec/template/spec/containers/0/securityContext/appArmorProfile"
        ]
    );
}

/// `PodResourceClaim.source` existed from v1.26 to v1.30 (replaced by
/// `resourceClaimName` in v1.31).
#[test]
fn a_removed_field_says_when_it_existed() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: dra}\nspec:\n  resourceClaims:\n  \
                - name: gpu\n    source: {resourceClaimName: gpu-claim}\n  containers:\n  \
                - {name: app, image: registry.example/app:1.0}\n";
    let report = check("dra.yaml", text, &Options::default());
    assert_findings(
        "dra.yaml",
        text,
        &report,
        37,
        &[(
            7,
            5,
            "/spec/resourceClaims/0/source",
            "PodResourceClaim",
            ": it was one from Kubernetes v1.26 to v1.30",
        )],
    );
    assert!(mine(&check("dra.yaml", text, &at(30))).is_empty());
}

/// A Pod whose `spec` is misspelled has no pod spec; the key is still reported.
#[test]
fn a_pod_without_spec_still_has_its_keys_checked() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nsepc:\n  containers:\n  \
                - {name: app, image: registry.example/app:1.0}\n";
    let report = check("p.yaml", text, &Options::default());
    assert_findings(
        "p.yaml",
        text,
        &report,
        37,
        &[(4, 1, "/sepc", "Pod", ": did you mean `spec`?")],
    );
    // Nothing else runs without a pod spec, and no resource is counted as judged.
    assert_eq!(report.findings.len(), 1, "{}", list(&report));
    assert_eq!(report.summary.resources, 0);
}

/// `kube-secctx.io/ignore: unknown-field` suppresses the rule for the resource, as any
/// rule; `ignore` does too.
#[test]
fn annotation_and_ignore() {
    let text = read(&format!("{RULE}/fail/capabilites.yaml")).replace(
        "  name: agent\n",
        "  name: agent\n  annotations: {kube-secctx.io/ignore: unknown-field}\n",
    );
    let report = check("a.yaml", &text, &Options::default());
    assert!(mine(&report).is_empty());
    assert_eq!(report.summary.suppressed, 1);
    let ignore = Options {
        ignore: vec![RULE.to_string()],
        ..Options::default()
    };
    let text = read(&format!("{RULE}/fail/capabilites.yaml"));
    assert!(mine(&check("a.yaml", &text, &ignore)).is_empty());
}

/// Every fail fixture through one `Checker`, as a front end checks a repository: the
/// summary counts each expected finding once, all errors.
#[test]
fn one_checker_over_every_fail_fixture() {
    let mut checker = kube_secctx::Checker::new(&Options {
        select: vec![RULE.to_string()],
        ..Options::default()
    })
    .unwrap();
    let mut expected = 0;
    for name in names("fail") {
        let text = read(&format!("{RULE}/fail/{name}"));
        expected += text.lines().filter(|l| l.starts_with("# expect: ")).count();
        let checked = checker.check_text(&name, &text);
        assert!(checked.errors.is_empty(), "{name}");
        assert!(!checked.findings.is_empty(), "{name}");
    }
    let report = checker.finish();
    assert_eq!(report.summary.by_rule.get(RULE).copied(), Some(expected));
    assert_eq!(
        report.summary.by_severity.get("error").copied(),
        Some(expected)
    );
    assert_eq!(report.summary.findings, expected);
}
