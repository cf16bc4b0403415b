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
    // A resource found by its shape (Argo Rollout, ...) is not one PSA evaluates: only
    // the Pods its controller creates are, and their warnings go to the controller.
    let shape = resource.matched_by == MatchedBy::Shape;
    let enforce = modes.contains(Mode::Enforce);
    if enforce {
        let what = if pod {
            "rejected".to_string()
        } else if shape {
            format!(
                "the {} is not evaluated by Pod Security Admission; its Pods would be \
                 rejected (FailedCreate)",
                resource.kind
            )
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
        let what = if shape {
            "its controller would be warned as it creates its Pods"
        } else {
            "kubectl apply would warn"
        };
        parts.push(format!(
            "{what}{when} (warn {})",
            policy_of(policies, Mode::Warn)
        ));
    }
    if modes.contains(Mode::Audit) {
        let what = if shape {
            "its Pods' creation recorded in the audit log"
        } else {
            "recorded in the audit log"
        };
        parts.push(format!(
            "{what} (audit {})",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{Level, Policy};

    fn resource(api_version: &str, kind: &str, matched_by: MatchedBy) -> ResourceRef {
        ResourceRef {
            api_version: api_version.into(),
            kind: kind.into(),
            name: None,
            namespace: None,
            matched_by,
        }
    }

    #[test]
    fn words_per_resource_and_mode() {
        let p = |level| {
            Some(Policy {
                level,
                version: PssVersion::V1(24),
            })
        };
        let policies = ModePolicies {
            enforce: p(Level::Baseline),
            audit: p(Level::Restricted),
            warn: p(Level::Restricted),
        };
        let all = Modes::only(Mode::Enforce)
            .with(Mode::Audit)
            .with(Mode::Warn);
        // ValidatePod: rejected, no warning on a rejected request, audit recorded.
        let pod = resource("v1", "Pod", MatchedBy::Kind);
        assert_eq!(
            admission(&policies, &pod, all, true),
            (
                Severity::Error,
                "rejected (enforce baseline:v1.24); recorded in the audit log (audit \
                 restricted:v1.24)"
                    .to_string()
            )
        );
        // A Rollout (found by shape) is not a resource PSA evaluates.
        let rollout = resource("argoproj.io/v1alpha1", "Rollout", MatchedBy::Shape);
        let (severity, words) = admission(&policies, &rollout, Modes::only(Mode::Warn), false);
        assert_eq!(severity, Severity::Warning);
        assert_eq!(
            words,
            "its controller would be warned as it creates its Pods (warn restricted:v1.24)"
        );
        // A Pod kind of another group is not a core Pod.
        let other = resource("example.com/v1", "Pod", MatchedBy::Shape);
        assert!(!is_pod(&other));
    }
}
