//! kube-secctx: find insecure Kubernetes `securityContext` settings and Pod Security
//! Standards violations in manifests, each pinned to its line and column.
//!
//! ```
//! use kube_secctx::position::{LineIndex, Unit};
//! let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n";
//! let report = kube_secctx::check("pod.yaml", yaml, &kube_secctx::Options::default())?;
//! let f = report.findings.iter().find(|f| f.rule == "privileged-container").unwrap();
//! // The core reports byte spans; a front end converts them once, in its own unit.
//! let at = LineIndex::new(yaml).line_col(f.span.start, Unit::Char);
//! assert_eq!((at.line + 1, at.column + 1), (8, 35));
//! # Ok::<(), kube_secctx::OptionsError>(())
//! ```
//!
//! The core: [`yaml`] (spanned tree, YAML 1.1 scalars as Kubernetes reads them) →
//! [`workload`] (kind → pod spec) → [`rules`] (one file per rule, reporting JSON pointers)
//! → [`engine`] ([`Checker`]: policies, spans, suppression) → [`report::Report`], with
//! [`options`] and [`position`] (byte offsets to lines and columns), and [`fields`] (what
//! each `securityContext` field does and what each PSS level allows in it). It does no I/O and
//! does not panic. The front ends convert: [`render`] (text, JSON, SARIF), [`cli`],
//! [`js`], `lsp` (the language server), [`admission`] with [`kubewarden`] and [`opa`].
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod baseline;
pub mod detect;
pub mod engine;
pub mod fail_on;
pub mod fields;
pub mod fix;
mod hash;
pub mod options;
pub mod position;
pub mod psa;
pub mod report;
pub mod rules;
pub mod schema;
pub mod suggest;
pub mod workload;
pub mod yaml;

pub mod admission;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod config;
#[cfg(feature = "js")]
pub mod js;
#[cfg(feature = "kubewarden")]
pub mod kubewarden;
#[cfg(feature = "lsp")]
pub mod lsp;
#[cfg(feature = "opa")]
pub mod opa;
#[cfg(feature = "render")]
pub mod render;

pub use engine::{Batch, Checked, Checker};
pub use options::{
    Exemptions, KubeVersion, Level, Mode, ModePolicies, Modes, Options, OptionsError, Policy,
    PssVersion, LATEST_MINOR,
};
pub use report::{ErrorEntry, Finding, Report, Severity};
pub use yaml::Limits;

/// The tool version (from `Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Checks one manifest text (multi-document YAML) and returns its report: a
/// [`Checker`] for `opts`, one [`Checker::check_text`], [`Checker::finish`].
///
/// `file` only labels findings. Never panics; invalid YAML, limits and documents that are
/// not Kubernetes objects are [`ErrorEntry`]s, and the other documents are still checked.
///
/// # Errors
/// [`OptionsError::UnknownRule`] when `opts` names a rule that does not exist.
pub fn check(file: &str, text: &str, opts: &Options) -> Result<Report, OptionsError> {
    let mut checker = Checker::new(opts)?;
    checker.check_text(file, text);
    Ok(checker.finish())
}
