//! Input diagnostics at admission: they run under the policy's level, as everywhere
//! (see [`crate::Options::level`]), and are warnings, not violations, unless the setting
//! `rules` lists them.
//!
//! An object that reaches an admission webhook has passed the API server's decoding and
//! validation: its JSON has no duplicate keys, each field has its API type (the request
//! carries the object re-encoded from the API's Go types), and an unknown field was
//! either rejected (strict field validation) or dropped before the webhook sees it. So
//! `duplicate-key`, `invalid-field-type` and `unknown-field` cannot fire on a request
//! from an API server (only on a hand-written one, `kwctl run` or a test). The one that
//! can is `unknown-ignored-rule`: a typo in the `kube-secctx.io/ignore` annotation, which
//! suppresses nothing. It is told to the client as a warning and never rejects by itself,
//! so the policy's verdicts (which the Pod Security Standards and the hardening `rules`
//! decide) stay as they were, and a rule ID renamed in a later release cannot start
//! rejecting every pod that still names it. Listed in `rules`, an input diagnostic is a
//! violation as any rule there (rejected in `mode: deny`), and `mutate` may fix it.

use super::settings::Settings;
use super::verdict::{violation_text, Verdict, MAX_LISTED};
use crate::report::Finding;
use crate::rules::{self, Category};

/// How each input-diagnostic warning starts.
pub const WARNING_PREFIX: &str = "kube-secctx input diagnostic (not a violation): ";

/// Whether the finding is of an input diagnostic that `rules` does not list (so a
/// warning, not a violation).
fn is_notice(f: &Finding, settings: &Settings) -> bool {
    rules::rule(f.rule).is_some_and(|r| r.category == Category::Diagnostic)
        && !settings.rules.iter().any(|id| id == f.rule)
}

/// Takes the findings of input diagnostics that `rules` does not list out of `findings`
/// and `suppressed`, and returns them. Those the `kube-secctx.io/ignore` annotation
/// suppressed are dropped (a warning the annotation's author asked not to see is not a
/// violation either), unless `honorIgnoreAnnotation` is `false`: then the annotation
/// suppresses nothing, and they are returned too.
pub(super) fn set_apart(
    findings: &mut Vec<Finding>,
    suppressed: &mut Vec<Finding>,
    settings: &Settings,
) -> Vec<Finding> {
    let mut notices = take(findings, settings);
    let hidden = take(suppressed, settings);
    if !settings.honor_ignore_annotation {
        notices.extend(hidden);
    }
    notices
}

/// The notices of `list`, taken out of it.
fn take(list: &mut Vec<Finding>, settings: &Settings) -> Vec<Finding> {
    let (notices, rest) = std::mem::take(list)
        .into_iter()
        .partition(|f| is_notice(f, settings));
    *list = rest;
    notices
}

/// `verdict` with one warning per input diagnostic in `notices` after its own warnings
/// ([`WARNING_PREFIX`] and the finding in the violations' words: `unknown-ignored-rule
/// (kube-secctx.io/ignore names "privileged-contianer", ...; field:
/// metadata.annotations["kube-secctx.io/ignore"])`); at most [`MAX_LISTED`], then one
/// that counts the rest (`and 10 more kube-secctx input diagnostics (not violations)`).
/// Accepted or rejected, in every mode: the verdict itself is unchanged, and the audit
/// annotations (violations and what the annotation suppressed) do not list them.
pub(super) fn warn(mut verdict: Verdict, notices: &[Finding]) -> Verdict {
    let listed = notices
        .iter()
        .take(MAX_LISTED)
        .map(|f| format!("{WARNING_PREFIX}{}", violation_text(f)));
    verdict.warnings.extend(listed);
    if notices.len() > MAX_LISTED {
        verdict.warnings.push(format!(
            "and {} more kube-secctx input diagnostics (not violations)",
            notices.len() - MAX_LISTED
        ));
    }
    verdict
}
