//! kube-secctx: find insecure Kubernetes `securityContext` settings and Pod Security
//! Standards violations in manifests, each pinned to its line and column.
//!
//! ```
//! let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n";
//! let report = kube_secctx::check("pod.yaml", yaml, &kube_secctx::Options::default());
//! let f = report.findings.iter().find(|f| f.rule == "privileged-container").unwrap();
//! assert_eq!((f.range.start.line, f.range.start.column), (8, 35));
//! ```
//!
//! The flow: [`yaml`] (spanned tree, YAML 1.1 scalars as Kubernetes reads them) →
//! [`workload`] (kind → pod spec) → [`rules`] (one file per rule, reporting JSON pointers)
//! → [`engine`] (spans, levels, versions, suppression) → [`report::Report`].
//! The core does no I/O and does not panic.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod admission;
pub mod engine;
#[cfg(feature = "js")]
pub mod js;
#[cfg(feature = "kubewarden")]
pub mod kubewarden;
#[cfg(feature = "opa")]
pub mod opa;
#[cfg(feature = "render")]
pub mod render;
pub mod report;
pub mod rules;
pub mod workload;
pub mod yaml;

pub use report::{ErrorEntry, Finding, Level, Report, Severity};
pub use yaml::Limits;

/// The tool version (from `Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The newest Pod Security Standards policy version this build knows: `v1.37`.
/// `latest` and any later `v1.N` evaluate as this version, as Pod Security Admission does.
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards policy version (`pod-security.kubernetes.io/enforce-version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PssVersion {
    /// `latest`: the newest version known ([`LATEST_MINOR`]).
    #[default]
    Latest,
    /// `v1.N` (a later N than [`LATEST_MINOR`] evaluates as latest).
    V1(u32),
}

impl PssVersion {
    /// The minor version to evaluate at (`latest` and later versions → [`LATEST_MINOR`]).
    pub fn minor(self) -> u32 {
        match self {
            PssVersion::Latest => LATEST_MINOR,
            PssVersion::V1(n) => n.min(LATEST_MINOR),
        }
    }
}

impl std::str::FromStr for PssVersion {
    type Err = OptionsError;

    /// Parses `latest` or `v1.N` as Pod Security Admission does (no leading zeros; a
    /// minor beyond [`LATEST_MINOR`] evaluates as latest).
    fn from_str(s: &str) -> Result<Self, OptionsError> {
        if s == "latest" {
            return Ok(PssVersion::Latest);
        }
        // PSA's ParseVersion: `^v1\.(0|[1-9][0-9]*)$`, the minor read as a 64-bit int.
        s.strip_prefix("v1.")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|&n| i64::try_from(n).is_ok())
            .map(|n| PssVersion::V1(u32::try_from(n).unwrap_or(u32::MAX)))
            .ok_or_else(|| OptionsError::PssVersion(s.to_string()))
    }
}

impl std::str::FromStr for Level {
    type Err = OptionsError;

    /// Parses `baseline` or `restricted`.
    fn from_str(s: &str) -> Result<Self, OptionsError> {
        match s {
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(OptionsError::Level(s.to_string())),
        }
    }
}

/// A bad option value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// `level` is not `baseline` or `restricted`.
    #[error("invalid level {0:?}: expected \"baseline\" or \"restricted\"")]
    Level(String),
    /// `pssVersion` is not `latest` or `v1.N`.
    #[error("invalid PSS version {0:?}: expected \"latest\" or \"v1.N\" (v1.0 to v1.{LATEST_MINOR}; later versions evaluate as latest)")]
    PssVersion(String),
    /// A rule ID in `select` or `ignore` does not exist.
    #[error("unknown rule {0:?} in {1}: run `kube-secctx rules` for the list")]
    UnknownRule(String, &'static str),
}

/// What to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `Some(level)`: the Pod Security Standards alone, at that level. `None` (the default
    /// profile): PSS restricted, the hardening rules and the input diagnostics.
    pub level: Option<Level>,
    /// The PSS policy version.
    pub pss_version: PssVersion,
    /// Only these rule IDs (empty = all).
    pub select: Vec<String>,
    /// Never these rule IDs.
    pub ignore: Vec<String>,
    /// Parser limits.
    pub limits: Limits,
}

impl Options {
    /// Checks that every rule ID in `select` and `ignore` exists.
    ///
    /// # Errors
    /// [`OptionsError::UnknownRule`] naming the first unknown ID.
    pub fn validate(&self) -> Result<(), OptionsError> {
        for (list, name) in [(&self.select, "select"), (&self.ignore, "ignore")] {
            if let Some(bad) = list.iter().find(|id| rules::rule(id).is_none()) {
                return Err(OptionsError::UnknownRule(bad.clone(), name));
            }
        }
        Ok(())
    }
}

/// Checks one manifest file (multi-document YAML) and returns its report.
///
/// `file` is only used to label findings. Never panics; invalid YAML, limits and
/// documents that are not Kubernetes objects are [`ErrorEntry`]s, and the other documents
/// are still checked.
pub fn check(file: &str, text: &str, opts: &Options) -> Report {
    let mut report = engine::new_report(opts);
    engine::check_into(&mut report, file, text, opts);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_versions_parse_as_psa_does() {
        assert_eq!("latest".parse::<PssVersion>(), Ok(PssVersion::Latest));
        assert_eq!("v1.0".parse::<PssVersion>().map(PssVersion::minor), Ok(0));
        assert_eq!("v1.25".parse::<PssVersion>().map(PssVersion::minor), Ok(25));
        assert_eq!(
            "v1.99".parse::<PssVersion>().map(PssVersion::minor),
            Ok(LATEST_MINOR)
        );
        assert_eq!(
            "v1.4294967296".parse::<PssVersion>().map(PssVersion::minor),
            Ok(LATEST_MINOR)
        );
        for bad in [
            "v1.025",
            "v1.",
            "1.25",
            "v2.0",
            "v1.-1",
            "v1.2x",
            "v1.99999999999999999999",
        ] {
            assert!(bad.parse::<PssVersion>().is_err(), "{bad}");
        }
    }
}
