//! What Pod Security Admission does with a resource that fails some of its namespace's
//! policies: a finding's severity and words.
//!
//! From `admission/admission.go` (`k8s.io/pod-security-admission`, commit `8f84a87`):
//! - `ValidatePod` evaluates `enforce`: a Pod that fails it is rejected, and
//!   `EvaluatePod` then adds no warning (it avoids "adding warnings to a request we're
//!   already going to reject"); the audit annotation is still recorded.
//! - `ValidatePodController` (Deployment, CronJob, ... any resource with a pod template)
//!   calls `EvaluatePod` with `enforce = false`: the workload is accepted, only `warn` and
//!   `audit` apply to it, and the Pods its controller creates are rejected by
//!   `ValidatePod` (the controller records `FailedCreate`).
//! - A failure under `warn` is a warning to the client (`kubectl apply` prints it); under
//!   `audit`, an annotation in the audit log.

use crate::options::{Mode, ModePolicies, Modes, PssVersion};
use crate::report::{MatchedBy, ResourceRef, Severity};

/// PSA's `LevelVersion.String()` of a mode's policy: `baseline:v1.24`,
/// `restricted:latest`.
fn policy_of(policies: &ModePolicies, mode: Mode) -> String {
    match policies.get(mode) {
        Some(p) => {
            let version = match p.version {
                PssVersion::Latest => "latest".to_string(),
                PssVersion::V1(n) => format!("v1.{n}"),
            };
            format!("{}:{version}", p.level.as_str())
        }
        None => "privileged:latest".to_string(),
    }
}

/// Whether Pod Security Admission judges the resource with `ValidatePod` (a core `v1`
/// Pod) rather than `ValidatePodController`.
fn is_pod(resource: &ResourceRef) -> bool {
    resource.matched_by == MatchedBy::Kind && resource.kind == "Pod" && resource.api_version == "v1"
}

/// The severity and words of a PSS finding that fails the policies of `modes` (a
/// non-empty set) of a resource judged by `policies`: an error when `enforce` fails
/// (the Pod is rejected, or a workload's Pods would be), else a warning naming what
/// `warn` and `audit` do. `rejected`: another finding of the same Pod fails `enforce`
/// (PSA then gives no warning at all).
pub(super) fn admission(
    policies: &ModePolicies,
    resource: &ResourceRef,
    modes: Modes,
    rejected: bool,
) -> (Severity, String) {
    let mut parts = Vec::new();
    let pod = is_pod(resource);
    let enforce = modes.contains(Mode::Enforce);
    if enforce {
        let what = if pod {
            "rejected".to_string()
        } else {
            format!(
                "the {} is accepted; its Pods would be rejected (FailedCreate)",
                resource.kind
            )
        };
        parts.push(format!(
            "{what} (enforce {})",
            policy_of(policies, Mode::Enforce)
        ));
    }
    // A rejected Pod gets no warning (EvaluatePod adds none to a request it rejects); a
    // workload does.
    if modes.contains(Mode::Warn) && !(pod && enforce) {
        let when = if pod && rejected {
            " once the Pod is no longer rejected"
        } else {
            ""
        };
        parts.push(format!(
            "kubectl apply would warn{when} (warn {})",
            policy_of(policies, Mode::Warn)
        ));
    }
    if modes.contains(Mode::Audit) {
        parts.push(format!(
            "recorded in the audit log (audit {})",
            policy_of(policies, Mode::Audit)
        ));
    }
    let severity = if enforce {
        Severity::Error
    } else {
        Severity::Warning
    };
    (severity, parts.join("; "))
}
