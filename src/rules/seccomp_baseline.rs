//! `unconfined-seccomp-profile` — PSA check `seccompProfile_baseline` (baseline).
use super::Ctx;
use crate::workload::child_pointer;

/// The pod-level seccomp annotation read before v1.19.
pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// Prefix of the per-container seccomp annotation read before v1.19.
pub const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.seccomp.security.alpha.kubernetes.io/";

declare_rule! {
    /// ## What it checks
    /// The pod or a container sets the seccomp profile to `Unconfined` (from v1.19, the
    /// `seccompProfile` fields; before v1.19, the alpha seccomp annotations).
    ///
    /// ## Why it matters
    /// Seccomp blocks system calls that containers do not need and that kernel exploits
    /// use. `Unconfined` turns that filter off.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `seccompProfile_baseline`. v1.19+: fields
    /// `spec.securityContext.seccompProfile.type` and
    /// `spec.containers[*].securityContext.seccompProfile.type` (also init and ephemeral
    /// containers): when `seccompProfile` is set, `type` must be `RuntimeDefault` or
    /// `Localhost`. v1.0–v1.18: annotations `seccomp.security.alpha.kubernetes.io/pod`
    /// and `container.seccomp.security.alpha.kubernetes.io/<container>` must be
    /// `runtime/default`, `docker/default` or `localhost/*` when present. At the
    /// restricted level from v1.19, `missing-seccomp-profile` (`seccompProfile_restricted`)
    /// replaces this check.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: Unconfined
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a profile).
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Seccomp)
    /// - <https://kubernetes.io/docs/tutorials/security/seccomp/>
    /// - PSA source: `policy/check_seccompProfile_baseline.go`
    UNCONFINED_SECCOMP_PROFILE {
        id: "unconfined-seccomp-profile",
        title: "Seccomp profile is Unconfined",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "seccompProfile_baseline", since: 0, replaced_in_restricted_since: Some(19), also: None, }),
        fix: "set seccompProfile.type to RuntimeDefault (or Localhost)",
        check: check,
    }
}

fn valid_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version < 19 {
        let annotations = crate::workload::annotations(ctx.doc, ctx.workload.pod_metadata);
        let base = format!("{}/annotations", ctx.workload.pod_metadata_pointer);
        for (key, value) in annotations {
            let applies = key == SECCOMP_POD_ANNOTATION
                || key
                    .strip_prefix(SECCOMP_CONTAINER_ANNOTATION_PREFIX)
                    .is_some_and(|name| {
                        ctx.containers()
                            .iter()
                            .any(|c| c.name.as_deref().unwrap_or("") == name)
                    });
            if applies && !valid_annotation(value) {
                ctx.report_at(
                    child_pointer(&base, key),
                    None,
                    format!("seccompProfile: annotation {key}={value:?}"),
                );
            }
        }
        return;
    }
    check_set_profiles(ctx);
}

/// Whether a seccomp profile type is allowed: `RuntimeDefault` or `Localhost`.
fn valid_type(t: Option<&str>) -> bool {
    matches!(t, Some("RuntimeDefault" | "Localhost"))
}

/// Reports every `seccompProfile` that is set (pod level and each container) with a type
/// other than `RuntimeDefault` or `Localhost` — the rule of `seccompProfile_baseline`
/// (v1.19+), which `seccompProfile_restricted` also applies. Returns whether the pod-level
/// profile is set and valid.
pub(super) fn check_set_profiles(ctx: &mut Ctx<'_, '_, '_>) -> bool {
    let mut pod_valid = false;
    if let Some(p) = ctx.get(ctx.pod_sc(), "seccompProfile") {
        let t = ctx.str(ctx.get(Some(p), "type"));
        if valid_type(t) {
            pod_valid = true;
        } else {
            ctx.report_pod(
                "securityContext/seccompProfile/type",
                format!(
                    "seccompProfile: pod must not set securityContext.seccompProfile.type={:?}",
                    t.unwrap_or("")
                ),
            );
        }
    }
    for c in ctx.containers() {
        if let Some(p) = ctx.get(ctx.sc(c), "seccompProfile") {
            let t = ctx.str(ctx.get(Some(p), "type"));
            if !valid_type(t) {
                let msg = format!(
                    "seccompProfile: {} must not set securityContext.seccompProfile.type={:?}",
                    ctx.container_label(c),
                    t.unwrap_or("")
                );
                ctx.report_container(c, "securityContext/seccompProfile/type", msg);
            }
        }
    }
    pod_valid
}
