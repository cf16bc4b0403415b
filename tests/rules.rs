//! Per-rule fixtures, snapshots and the executable examples of the rule docs.
//!
//! `tests/fixtures/<rule-id>/{fail,pass}/*.yaml`: each `fail` fixture yields at least one
//! finding of that rule, each `pass` fixture none. A fixture runs with the default
//! profile at `latest` unless a leading comment says otherwise:
//!
//! ```yaml
//! # kube-secctx-test: level=baseline version=v1.30 suppressed=1 ignore=host-port
//! ```
//!
//! (`level` = `baseline`, `restricted` or `default`; `version` = `v1.N` or `latest`;
//! `suppressed` = the expected `summary.suppressed`, otherwise 0; `ignore` = rule IDs,
//! comma-separated, as `--ignore`.)
//!
//! Every finding of every fixture is also rendered as `line:col rule path message` into
//! one insta snapshot per rule (`tests/snapshots/`), so a change is visible in review.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kube_secctx::rules::{Category, RULES};
mod common;

use common::{check_located as check, covered, Located, LocatedReport as Report};
use kube_secctx::{Finding, Level, Options, PssVersion};

const HEADER: &str = "# kube-secctx-test:";

/// One fixture file.
struct Fixture {
    rule: String,
    fail: bool,
    /// `fail/name.yaml`.
    name: String,
    text: String,
    opts: Options,
    suppressed: usize,
}

impl Fixture {
    fn run(&self) -> Report {
        check(&self.name, &self.text, &self.opts)
    }

    fn setting(&self) -> String {
        let level = self.opts.level.map_or("default", Level::as_str);
        let version = match self.opts.pss_version {
            PssVersion::Latest => "latest".to_string(),
            PssVersion::V1(n) => format!("v1.{n}"),
        };
        if self.opts.ignore.is_empty() {
            format!("{level} {version}")
        } else {
            format!("{level} {version} ignore={}", self.opts.ignore.join(","))
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads the `# kube-secctx-test:` settings from the leading comment lines.
fn options_of(path: &Path, text: &str) -> (Options, usize) {
    let mut opts = Options::default();
    let mut suppressed = 0;
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let Some(settings) = line.strip_prefix(HEADER) else {
            continue;
        };
        for kv in settings.split_whitespace() {
            let (k, v) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: bad setting {kv:?}", path.display()));
            match k {
                "level" if v == "default" => opts.level = None,
                "level" => opts.level = Some(v.parse().expect("level")),
                "version" => opts.pss_version = v.parse().expect("version"),
                "suppressed" => suppressed = v.parse().expect("suppressed"),
                "ignore" => opts.ignore = v.split(',').map(str::to_string).collect(),
                _ => panic!("{}: unknown setting {k:?}", path.display()),
            }
        }
    }
    (opts, suppressed)
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

fn load_fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    // Folders are rules; a file beside them is another suite's (tests/fixes.rs).
    for rule_dir in sorted_entries(&fixtures_dir())
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        for verdict_dir in sorted_entries(&rule_dir) {
            let verdict = verdict_dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let fail = match verdict.as_str() {
                "fail" => true,
                "pass" => false,
                other => panic!("{}: unexpected directory {other:?}", rule_dir.display()),
            };
            for file in sorted_entries(&verdict_dir) {
                assert_eq!(
                    file.extension().and_then(|e| e.to_str()),
                    Some("yaml"),
                    "{}",
                    file.display()
                );
                let text = std::fs::read_to_string(&file).expect("read fixture");
                let (opts, suppressed) = options_of(&file, &text);
                out.push(Fixture {
                    rule: rule.clone(),
                    fail,
                    name: format!("{verdict}/{}", file.file_name().unwrap().to_string_lossy()),
                    text,
                    opts,
                    suppressed,
                });
            }
        }
    }
    out
}

fn render(f: &Located<Finding>) -> String {
    let pss = f
        .pss
        .as_ref()
        .map(|p| format!(" [{} {}]", p.level.as_str(), p.check))
        .unwrap_or_default();
    format!(
        "{}:{} {}{pss} {} {}",
        f.range.start.line, f.range.start.column, f.rule, f.path, f.message
    )
}

#[test]
fn every_rule_has_fail_and_pass_fixtures() {
    let fixtures = load_fixtures();
    let dirs: BTreeSet<&str> = fixtures.iter().map(|f| f.rule.as_str()).collect();
    for rule in RULES {
        for fail in [true, false] {
            assert!(
                fixtures.iter().any(|f| f.rule == rule.id && f.fail == fail),
                "rule {} has no {} fixture in tests/fixtures/{}/",
                rule.id,
                if fail { "fail" } else { "pass" },
                rule.id
            );
        }
    }
    for dir in dirs {
        assert!(
            kube_secctx::rules::rule(dir).is_some(),
            "tests/fixtures/{dir} is not a rule ID"
        );
    }
}

#[test]
fn fixtures_fail_and_pass() {
    let mut problems = Vec::new();
    for fx in load_fixtures() {
        let report = fx.run();
        let mine: Vec<&Located<Finding>> = report
            .findings
            .iter()
            .filter(|f| f.rule == fx.rule)
            .collect();
        let all = || {
            report
                .findings
                .iter()
                .map(|f| format!("\n      {}", render(f)))
                .collect::<String>()
        };
        let label = format!("{}/{} ({})", fx.rule, fx.name, fx.setting());
        if fx.fail && mine.is_empty() {
            problems.push(format!(
                "{label}: expected a finding of {}; found:{}",
                fx.rule,
                all()
            ));
        }
        if !fx.fail && !mine.is_empty() {
            problems.push(format!(
                "{label}: expected no finding of {}; found:{}",
                fx.rule,
                all()
            ));
        }
        if !report.errors.is_empty() {
            problems.push(format!("{label}: error entries: {:?}", report.errors));
        }
        if report.summary.suppressed != fx.suppressed {
            problems.push(format!(
                "{label}: summary.suppressed is {}, expected {}",
                report.summary.suppressed, fx.suppressed
            ));
        }
        // A PSS finding's check belongs to the level evaluated, and its level is the
        // check's own. With a level, no hardening rule runs; input diagnostics run under
        // every level, as input diagnostics (no `pss`, no modes).
        for f in &report.findings {
            match (&f.pss, kube_secctx::rules::rule(f.rule).map(|r| r.category)) {
                (Some(p), Some(Category::Pss)) => {
                    let level = fx.opts.level.unwrap_or(Level::Restricted);
                    if p.level > level {
                        problems.push(format!("{label}: {} above the level", render(f)));
                    }
                }
                (None, Some(Category::Hardening)) => {
                    if fx.opts.level.is_some() {
                        problems.push(format!("{label}: {} with a level given", render(f)));
                    }
                }
                (None, Some(Category::Diagnostic)) => {
                    if !f.modes.is_empty() {
                        problems.push(format!("{label}: {} has modes", render(f)));
                    }
                }
                _ => problems.push(format!("{label}: {} has the wrong pss field", render(f))),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} fixture problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fixture_snapshots() {
    let fixtures = load_fixtures();
    for rule in RULES {
        let mut out = String::new();
        for fx in fixtures.iter().filter(|f| f.rule == rule.id) {
            let report = fx.run();
            let _ = writeln!(out, "== {} ({})", fx.name, fx.setting());
            for f in &report.findings {
                let _ = writeln!(out, "{}", render(f));
            }
            if report.summary.suppressed > 0 {
                let _ = writeln!(out, "(suppressed: {})", report.summary.suppressed);
            }
        }
        insta::assert_snapshot!(format!("fixtures__{}", rule.id), out);
    }
}

/// The fenced ```` ```yaml fail ```` / ```` ```yaml pass ```` blocks of a rule's docs.
fn doc_examples(markdown: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```yaml fail") => current = Some((true, String::new())),
            (None, "```yaml pass") => current = Some((false, String::new())),
            (Some(_), "```") => out.extend(current.take()),
            (Some((_, text)), l) => {
                text.push_str(l);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "unclosed code block");
    out
}

#[test]
fn rule_doc_examples_run() {
    let mut problems = Vec::new();
    for rule in RULES {
        // The default profile (restricted, latest), except for the baseline checks the
        // restricted level replaces: those run at their own level.
        let mut opts = Options::default();
        if let Some(pss) = rule.pss {
            if rule
                .pss_check_at(Level::Restricted, kube_secctx::LATEST_MINOR)
                .is_none()
            {
                opts.level = Some(pss.level);
            }
        }
        let examples = doc_examples(&rule.markdown());
        for want in [true, false] {
            if !examples.iter().any(|(fail, _)| *fail == want) {
                problems.push(format!(
                    "{}: no ```yaml {} example in the docs",
                    rule.id,
                    if want { "fail" } else { "pass" }
                ));
            }
        }
        for (fail, yaml) in &examples {
            let report = check("example.yaml", yaml, &opts);
            let hits = report.findings.iter().filter(|f| f.rule == rule.id).count();
            if !report.errors.is_empty() {
                problems.push(format!(
                    "{}: example has errors {:?}",
                    rule.id, report.errors
                ));
            }
            if *fail && hits == 0 {
                problems.push(format!(
                    "{}: the fail example yields no finding:\n{yaml}",
                    rule.id
                ));
            }
            if !*fail && hits > 0 {
                problems.push(format!(
                    "{}: the pass example yields {hits} finding(s):\n{yaml}",
                    rule.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn fixture(rule: &str, name: &str) -> Fixture {
    load_fixtures()
        .into_iter()
        .find(|f| f.rule == rule && f.name == name)
        .unwrap_or_else(|| panic!("no fixture {rule}/{name}"))
}

fn findings<'r>(report: &'r Report, rule: &str) -> Vec<&'r Located<Finding>> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn duplicate_key_points_at_the_winner() {
    let fx = fixture("duplicate-key", "fail/privileged-twice.yaml");
    let report = fx.run();
    let dup = findings(&report, "duplicate-key");
    assert_eq!(dup.len(), 1);
    // The second `privileged:` is on line 13, the first on line 11.
    assert_eq!(
        (dup[0].range.start.line, dup[0].range.start.column),
        (13, 7)
    );
    assert_eq!(covered(&fx.text, dup[0]), "privileged");
    assert_eq!(dup[0].path, "/spec/containers/0/securityContext/privileged");
    assert!(dup[0].message.contains("line 11"), "{}", dup[0].message);
    let priv_ = findings(&report, "privileged-container");
    assert_eq!(priv_.len(), 1);
    assert_eq!(priv_[0].range.start.line, 13);
    assert_eq!(covered(&fx.text, priv_[0]), "true");
}

#[test]
fn duplicate_key_three_times_is_one_finding() {
    let fx = fixture("duplicate-key", "fail/three-times.yaml");
    let report = fx.run();
    let dup = findings(&report, "duplicate-key");
    assert_eq!(dup.len(), 1, "{dup:#?}");
    assert_eq!(
        (dup[0].range.start.line, dup[0].range.start.column),
        (12, 7)
    );
    assert_eq!(
        dup[0].message,
        "duplicate key \"privileged\": this one wins over the ones on lines 10, 11, which are ignored"
    );
    assert_eq!(dup[0].severity, kube_secctx::Severity::Error);
    assert_eq!(
        findings(&report, "privileged-container")[0]
            .range
            .start
            .line,
        12
    );
}

#[test]
fn merge_key_injects_privileged() {
    let fx = fixture("privileged-container", "fail/anchor-merge-key.yaml");
    let report = fx.run();
    let hits = findings(&report, "privileged-container");
    let containers: Vec<_> = hits.iter().map(|f| f.container.as_deref()).collect();
    assert_eq!(containers, [Some("first"), Some("second")]);
    // Both point at the anchored `true` (line 19), the node the merge copied.
    for f in &hits {
        assert_eq!(f.range.start.line, 19);
        assert_eq!(covered(&fx.text, f), "true");
    }
    assert_eq!(
        hits[1].path,
        "/spec/template/spec/containers/1/securityContext/privileged"
    );
}

#[test]
fn quoted_values_are_type_errors_and_still_judged() {
    let fx = fixture("invalid-field-type", "fail/quoted-true-and-zero.yaml");
    let report = fx.run();
    let invalid: Vec<&str> = findings(&report, "invalid-field-type")
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        invalid,
        [
            "/spec/hostPID",
            "/spec/securityContext/runAsUser",
            "/spec/containers/0/securityContext/privileged",
            "/spec/containers/0/securityContext/allowPrivilegeEscalation",
            "/spec/containers/0/securityContext/readOnlyRootFilesystem",
        ]
    );
    for f in findings(&report, "invalid-field-type") {
        assert_eq!(f.severity, kube_secctx::Severity::Error);
        assert!(f.pss.is_none());
    }
    assert_eq!(findings(&report, "host-namespaces").len(), 1);
    assert_eq!(findings(&report, "run-as-root-user").len(), 1);
    assert_eq!(findings(&report, "privileged-container").len(), 1);
    // 'false' is read as false: escalation is not reported.
    assert!(findings(&report, "privilege-escalation-allowed").is_empty());
    // "yes" quoted is a string, not a boolean: the root filesystem stays writable.
    assert_eq!(findings(&report, "writable-root-filesystem").len(), 1);
}

#[test]
fn suppression_counts_in_the_summary() {
    let fx = fixture("privileged-container", "pass/suppressed-by-annotation.yaml");
    let report = fx.run();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.summary.suppressed, 2);
    assert_eq!(report.summary.findings, 0);
    // Without the annotation the same resource has both findings.
    let text = fx
        .text
        .replace("kube-secctx.io/ignore", "example.com/other");
    let report = check("x.yaml", &text, &fx.opts);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["privileged-container", "host-path-volume"]);
    assert_eq!(report.summary.suppressed, 0);
}

#[test]
fn list_items_and_shapes_are_resources() {
    let fx = fixture("privileged-container", "fail/kind-list.yaml");
    let report = fx.run();
    assert_eq!(
        report.summary.resources, 2,
        "the ConfigMap item is not a workload"
    );
    let f = &findings(&report, "privileged-container")[0];
    assert_eq!(f.resource.kind, "PodTemplate");
    assert_eq!(f.resource.name.as_deref(), Some("tmpl"));
    assert_eq!(
        f.path,
        "/items/1/template/spec/containers/0/securityContext/privileged"
    );

    let fx = fixture("privileged-container", "fail/argo-rollout-by-shape.yaml");
    let report = fx.run();
    let f = &findings(&report, "privileged-container")[0];
    assert_eq!(f.resource.kind, "Rollout");
    assert_eq!(f.resource.matched_by, kube_secctx::report::MatchedBy::Shape);
    let json = serde_json::to_value(&*f.resource).unwrap();
    assert_eq!(json["matchedBy"], "shape");
}

#[test]
fn pod_level_run_as_non_root_false_fails_restricted() {
    let fx = fixture("may-run-as-root", "fail/pod-false-containers-true.yaml");
    let report = fx.run();
    let hits = findings(&report, "may-run-as-root");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].container, None);
    assert_eq!(
        hits[0].path,
        "/spec/template/spec/securityContext/runAsNonRoot"
    );
    assert_eq!(covered(&fx.text, hits[0]), "false");
    // Nothing else fails at restricted: this is the only violation.
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
}

#[test]
fn container_engine_t_depends_on_the_version() {
    let yaml = fixture(
        "forbidden-selinux-options",
        "fail/container-engine-t-v1.30.yaml",
    )
    .text;
    for (minor, fails) in [(0, true), (30, true), (31, false), (37, false), (99, false)] {
        for level in [Level::Baseline, Level::Restricted] {
            let opts = Options {
                level: Some(level),
                pss_version: PssVersion::V1(minor),
                ..Options::default()
            };
            let report = check("x.yaml", &yaml, &opts);
            assert_eq!(
                !findings(&report, "forbidden-selinux-options").is_empty(),
                fails,
                "{level:?} v1.{minor}"
            );
        }
    }
}

#[test]
fn proc_mount_reports_the_check_that_ran() {
    let fx = fixture(
        "unmasked-proc-mount",
        "fail/host-users-false-restricted-v1.35.yaml",
    );
    let report = fx.run();
    let p = findings(&report, "unmasked-proc-mount")[0]
        .pss
        .clone()
        .unwrap();
    assert_eq!(
        (p.level, p.check),
        (Level::Restricted, "procMount_restricted")
    );
    let fx = fixture(
        "unmasked-proc-mount",
        "fail/host-users-false-baseline-v1.34.yaml",
    );
    let report = fx.run();
    let p = findings(&report, "unmasked-proc-mount")[0]
        .pss
        .clone()
        .unwrap();
    assert_eq!((p.level, p.check), (Level::Baseline, "procMount"));
    // Restricted before v1.35 runs the baseline check.
    let opts = Options {
        level: Some(Level::Restricted),
        pss_version: PssVersion::V1(34),
        ..Options::default()
    };
    let report = check("x.yaml", &fx.text, &opts);
    let p = findings(&report, "unmasked-proc-mount")[0]
        .pss
        .clone()
        .unwrap();
    assert_eq!((p.level, p.check), (Level::Baseline, "procMount"));
}

#[test]
fn windows_pods_are_exempt_from_v1_25() {
    let fx = fixture("privilege-escalation-allowed", "pass/windows-pod.yaml");
    for (minor, exempt) in [(24, false), (25, true), (37, true)] {
        let opts = Options {
            level: Some(Level::Restricted),
            pss_version: PssVersion::V1(minor),
            ..Options::default()
        };
        let report = check("x.yaml", &fx.text, &opts);
        let rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule).collect();
        let expected: BTreeSet<&str> = if exempt {
            BTreeSet::new()
        } else {
            [
                "privilege-escalation-allowed",
                "missing-seccomp-profile",
                "unrestricted-capabilities",
            ]
            .into()
        };
        assert_eq!(rules, expected, "v1.{minor}");
    }
    // The default profile: writable-root-filesystem does not apply to Windows either.
    let report = check("x.yaml", &fx.text, &Options::default());
    assert!(findings(&report, "writable-root-filesystem").is_empty());
    assert_eq!(
        findings(&report, "container-security-context-missing").len(),
        1
    );
}

/// The value lists the checks read (the rules' tables, which the hover's field docs also
/// show) are the ones each rule's documentation names in prose.
#[test]
fn rule_docs_name_every_allowed_value() {
    use kube_secctx::rules::{self, BASELINE_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES};
    let docs = |id: &str| rules::rule(id).unwrap().markdown();
    let cases: [(&str, Vec<&str>); 3] = [
        ("non-default-capabilities", BASELINE_CAPABILITIES.to_vec()),
        (
            "unsafe-sysctl",
            SAFE_SYSCTLS
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .collect(),
        ),
        (
            "forbidden-selinux-options",
            SELINUX_TYPES
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .collect(),
        ),
    ];
    for (id, values) in cases {
        let md = docs(id);
        for v in values {
            assert!(md.contains(v), "the docs of {id} do not name {v}");
        }
    }
}
