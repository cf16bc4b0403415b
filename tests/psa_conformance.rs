//! Pod Security Admission conformance: every upstream fixture in
//! `../shared/corpus/psa` (listed in its `INDEX.tsv`) must get PSA's verdict at its level
//! and policy version.
//!
//! - a `pass` fixture yields no Pod Security Standards finding;
//! - a `fail` fixture yields a finding of its `check_id`, or of the restricted check that
//!   replaces it at that level and version (the corpus README, gotcha 4), and the joined
//!   messages of its PSS findings contain upstream's `fail_reason_substring`;
//! - no fixture yields an error entry, nor a finding outside the Pod Security Standards
//!   (the input diagnostics run under every level, and PSA's fixtures are valid objects).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;

use kube_secctx::{check, Level, Options, PssVersion};

/// Number of fixtures in the corpus (the README's count): a truncated copy is noticed.
const FIXTURES: usize = 4537;

fn corpus_dir() -> PathBuf {
    let dir = common::shared_dir().join("corpus/psa");
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "the PSA conformance corpus is missing: expected {}/INDEX.tsv \
         (the shared corpus sits next to the project checkout; CI has it)",
        dir.display()
    );
    dir
}

/// One row of `INDEX.tsv`.
struct Row {
    path: String,
    level: Level,
    minor: u32,
    expected_fail: bool,
    check_id: String,
    reason: String,
}

fn read_index(dir: &Path) -> Vec<Row> {
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("read INDEX.tsv");
    let mut lines = index.lines();
    assert_eq!(
        lines.next(),
        Some("path\tlevel\tversion\texpected\tfixture_group\tcheck_id\tfail_reason_substring"),
        "INDEX.tsv header changed"
    );
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 6, "bad INDEX.tsv row: {line:?}");
            let minor = cols[2]
                .strip_prefix("v1.")
                .and_then(|m| m.parse().ok())
                .unwrap_or_else(|| panic!("bad version in {line:?}"));
            let expected_fail = match cols[3] {
                "fail" => true,
                "pass" => false,
                other => panic!("bad verdict {other:?} in {line:?}"),
            };
            // The path encodes the same level, version and verdict (README "Layout").
            assert!(
                cols[0].starts_with(&format!("{}/{}/{}/", cols[1], cols[2], cols[3])),
                "path and columns disagree: {line:?}"
            );
            Row {
                path: cols[0].to_string(),
                level: cols[1].parse().expect("level"),
                minor,
                expected_fail,
                check_id: cols[5].to_string(),
                reason: cols.get(6).copied().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// The PSA checks that count as the fixture's `check_id` failing: the check itself, or
/// the restricted check that overrides it at this level and version.
fn accepted_checks(check_id: &str, level: Level, minor: u32) -> Vec<&str> {
    let mut ok = vec![check_id];
    if level == Level::Restricted {
        let replacement = match check_id {
            "capabilities_baseline" if minor >= 22 => Some("capabilities_restricted"),
            "seccompProfile_baseline" if minor >= 19 => Some("seccompProfile_restricted"),
            "hostPathVolumes" => Some("restrictedVolumes"),
            "procMount" if minor >= 35 => Some("procMount_restricted"),
            _ => None,
        };
        ok.extend(replacement);
    }
    ok
}

/// The level of each of PSA's 19 checks (CHECKS.md).
fn check_level(check: &str) -> Option<Level> {
    match check {
        "hostNamespaces"
        | "privileged"
        | "capabilities_baseline"
        | "hostPathVolumes"
        | "hostPorts"
        | "appArmorProfile"
        | "seLinuxOptions"
        | "procMount"
        | "seccompProfile_baseline"
        | "sysctls"
        | "windowsHostProcess"
        | "hostProbesAndHostLifecycle" => Some(Level::Baseline),
        "restrictedVolumes"
        | "runAsNonRoot"
        | "allowPrivilegeEscalation"
        | "seccompProfile_restricted"
        | "capabilities_restricted"
        | "runAsUser"
        | "procMount_restricted" => Some(Level::Restricted),
        _ => None,
    }
}

#[test]
fn psa_fixtures_agree_with_pod_security_admission() {
    let dir = corpus_dir();
    let rows = read_index(&dir);
    assert_eq!(
        rows.len(),
        FIXTURES,
        "INDEX.tsv should list {FIXTURES} fixtures"
    );

    let mut disagreements = Vec::new();
    let mut reason_mismatches = Vec::new();
    let (mut passes, mut fails) = (0usize, 0usize);
    for row in &rows {
        let file = dir.join(&row.path);
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let opts = Options {
            level: Some(row.level),
            pss_version: PssVersion::V1(row.minor),
            ..Options::default()
        };
        let report = check(&row.path, &text, &opts).expect("valid options");
        let pss: Vec<_> = report
            .findings
            .iter()
            .filter_map(|f| f.pss.as_ref().map(|p| (f, p)))
            .collect();
        let found = || {
            pss.iter()
                .map(|(f, p)| {
                    format!(
                        "\n      {} [{}] {} at {}",
                        f.rule, p.check, f.message, f.path
                    )
                })
                .collect::<String>()
        };
        let mut problem = String::new();
        // Every PSS finding names a PSA check of its own level, at or below the level run.
        for (f, p) in &pss {
            if check_level(p.check) != Some(p.level) || p.level > row.level {
                let _ = write!(problem, "\n      bad pss {:?} on {}", p, f.rule);
            }
        }
        for e in &report.errors {
            let _ = write!(problem, "\n      error entry: {}", e.message);
        }
        // Only PSS findings count. The input diagnostics run under every level too, but
        // PSA's fixtures are valid objects: none may give one (and no hardening rule
        // runs at a level).
        for f in report.findings.iter().filter(|f| f.pss.is_none()) {
            let _ = write!(
                problem,
                "\n      not a PSS finding: {} {} at {}",
                f.rule, f.message, f.path
            );
        }
        if row.expected_fail {
            fails += 1;
            let accepted = accepted_checks(&row.check_id, row.level, row.minor);
            if !pss.iter().any(|(_, p)| accepted.contains(&p.check)) {
                let _ = write!(
                    problem,
                    "\n    expected a finding of {} — found:{}",
                    accepted.join(" or "),
                    if pss.is_empty() {
                        " nothing".to_string()
                    } else {
                        found()
                    }
                );
            } else {
                assert!(
                    !row.reason.is_empty(),
                    "{}: a fail row without a reason",
                    row.path
                );
                let joined = pss
                    .iter()
                    .map(|(f, _)| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                if !joined.contains(&row.reason) {
                    reason_mismatches
                        .push(format!("{}: {:?} not in {joined:?}", row.path, row.reason));
                }
            }
        } else {
            passes += 1;
            if !pss.is_empty() {
                let _ = write!(problem, "\n    expected no PSS finding — found:{}", found());
            }
        }
        if !problem.is_empty() {
            disagreements.push(format!(
                "  {} ({} v1.{} {}){problem}",
                row.path,
                row.level.as_str(),
                row.minor,
                if row.expected_fail { "fail" } else { "pass" },
            ));
        }
    }
    assert_eq!(
        (passes, fails),
        (1051, 3486),
        "pass/fail counts of the corpus"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {FIXTURES} PSA fixtures disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        reason_mismatches.is_empty(),
        "{} failing fixtures lack upstream's reason substring in the messages:\n{}",
        reason_mismatches.len(),
        reason_mismatches.join("\n")
    );
}

#[test]
fn override_table_matches_the_rule_registry() {
    // The replacements this test accepts are exactly the ones the rules declare.
    use kube_secctx::rules::RULES;
    for (baseline, restricted, since) in [
        ("capabilities_baseline", "capabilities_restricted", 22),
        ("seccompProfile_baseline", "seccompProfile_restricted", 19),
        ("hostPathVolumes", "restrictedVolumes", 0),
    ] {
        let rule = RULES
            .iter()
            .find(|r| r.pss.is_some_and(|p| p.check == baseline))
            .unwrap();
        assert_eq!(
            rule.pss.unwrap().replaced_in_restricted_since,
            Some(since),
            "{baseline}"
        );
        assert!(RULES
            .iter()
            .any(|r| r.pss.is_some_and(|p| p.check == restricted)));
        if since > 0 {
            assert_eq!(
                rule.pss_check_at(Level::Restricted, since - 1),
                Some(baseline)
            );
        }
        assert_eq!(rule.pss_check_at(Level::Restricted, since), None);
        assert_eq!(rule.pss_check_at(Level::Baseline, 37), Some(baseline));
    }
}
