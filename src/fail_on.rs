//! The exit rule: which findings fail a run (`check --fail-on`, the config file's
//! `failOn`).
//!
//! A run fails when anything **at or above** the threshold remains in the report: after
//! fixes (the report of `--fix` is of the fixed text) and after the baseline
//! ([`crate::baseline`]: findings it matched are counted in
//! [`Summary::baselined`](crate::report::Summary::baselined), never in `by_severity`).
//! Input errors (error entries: invalid YAML, a limit, a document without `kind`) count
//! as `error`. Findings suppressed by an annotation, findings the baseline matched, stale
//! baseline entries and skipped files never fail a run. Each finding is counted at its own
//! `Severity`.
//!
//! ```
//! use kube_secctx::fail_on::FailOn;
//! use kube_secctx::report::Summary;
//! let mut s = Summary::default();
//! s.findings = 1;
//! s.by_severity.insert("warning".into(), 1);
//! assert!(FailOn::Warning.fails(&s));
//! assert!(!FailOn::Error.fails(&s));
//! assert!(!"none".parse::<FailOn>().unwrap().fails(&s));
//! ```

use serde::{Deserialize, Serialize};

use crate::report::{Severity, Summary};

/// The lowest severity that fails a run; `None` never fails (exit 0 whatever is found,
/// what `--exit-zero` means). The default, `Warning`, fails on any finding or input
/// error.
///
/// Parsed from `error`, `warning` or `none` ([`std::str::FromStr`], serde, and as a
/// `clap::ValueEnum` in the `cli` feature), so the command line and a config file read
/// the same words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on errors: findings of severity `error` and input errors.
    Error,
    /// Fail on errors and warnings: any finding or input error (the default).
    #[default]
    Warning,
    /// Never fail on findings (usage errors and unreadable files still exit 2).
    None,
}

impl FailOn {
    /// Every value, in the order of the help text.
    pub const ALL: [FailOn; 3] = [FailOn::Error, FailOn::Warning, FailOn::None];

    /// `"error"`, `"warning"` or `"none"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::None => "none",
        }
    }

    /// Whether a finding of `severity` fails the run.
    pub fn fails_at(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity == Severity::Error,
            FailOn::Warning => true,
            FailOn::None => false,
        }
    }

    /// Whether a report with this summary fails the run: an input error (counted as
    /// `error`), or a finding whose severity is at or above the threshold. Read from the
    /// summary alone, so it serves a streamed check too.
    pub fn fails(self, summary: &Summary) -> bool {
        if self == FailOn::None {
            return false;
        }
        if summary.errors > 0 {
            return true;
        }
        [Severity::Error, Severity::Warning].into_iter().any(|s| {
            self.fails_at(s) && summary.by_severity.get(s.as_str()).is_some_and(|&n| n > 0)
        })
    }
}

impl std::fmt::Display for FailOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not `error`, `warning` or `none`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid failOn value {0:?}: expected \"error\", \"warning\" or \"none\"")]
pub struct ParseFailOnError(pub String);

impl std::str::FromStr for FailOn {
    type Err = ParseFailOnError;

    /// `error`, `warning` or `none` (exactly, as the JSON report spells severities).
    fn from_str(s: &str) -> Result<FailOn, ParseFailOnError> {
        FailOn::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| ParseFailOnError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(errors: usize, error_findings: usize, warnings: usize) -> Summary {
        let mut s = Summary {
            errors,
            findings: error_findings + warnings,
            ..Summary::default()
        };
        if error_findings > 0 {
            s.by_severity.insert("error".into(), error_findings);
        }
        if warnings > 0 {
            s.by_severity.insert("warning".into(), warnings);
        }
        s
    }

    #[test]
    fn the_exit_table() {
        // (input errors, error findings, warnings) → fails at (error, warning, none).
        let table = [
            ((0, 0, 0), [false, false, false]),
            ((0, 0, 2), [false, true, false]),
            ((0, 1, 0), [true, true, false]),
            ((1, 0, 0), [true, true, false]),
            ((1, 1, 1), [true, true, false]),
        ];
        for ((e, ef, w), expected) in table {
            let s = summary(e, ef, w);
            let got = FailOn::ALL.map(|f| f.fails(&s));
            assert_eq!(got, expected, "{e} input errors, {ef} errors, {w} warnings");
        }
    }

    #[test]
    fn parses_the_words_only() {
        assert_eq!("error".parse(), Ok(FailOn::Error));
        assert_eq!("warning".parse(), Ok(FailOn::Warning));
        assert_eq!("none".parse(), Ok(FailOn::None));
        assert_eq!(
            "Warning".parse::<FailOn>().unwrap_err().to_string(),
            "invalid failOn value \"Warning\": expected \"error\", \"warning\" or \"none\""
        );
        assert_eq!(FailOn::default(), FailOn::Warning);
        let from_json: FailOn = serde_json::from_str("\"none\"").unwrap();
        assert_eq!(from_json, FailOn::None);
    }
}
