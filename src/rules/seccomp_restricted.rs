//! `missing-seccomp-profile` — PSA check `seccompProfile_restricted` (restricted, v1.19+).
use super::{container_label, Ctx};

declare_rule! {
    /// ## What it checks
    /// A container runs without a seccomp profile: neither the container nor the pod sets
    /// `seccompProfile.type` to `RuntimeDefault` or `Localhost`, or either sets another
    /// type (`Unconfined`).
    ///
    /// ## Why it matters
    /// Without seccomp, every system call is available to the container, including the
    /// rarely used ones most kernel exploits need.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `seccompProfile_restricted`, from v1.19. Fields:
    /// `spec.securityContext.seccompProfile.type`,
    /// `spec.containers[*].securityContext.seccompProfile.type` (also init and ephemeral
    /// containers). The pod-level type, if set, must be `RuntimeDefault` or `Localhost`;
    /// each container must set a valid type or inherit a valid pod-level one; an explicit
    /// container `Unconfined` fails even under a valid pod-level type. From v1.25, Windows
    /// pods are exempt. Replaces `unconfined-seccomp-profile` at the restricted level.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
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
    /// Set `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Seccomp)
    /// - PSA source: `policy/check_seccompProfile_restricted.go`
    MISSING_SECCOMP_PROFILE {
        id: "missing-seccomp-profile",
        title: "Container runs without a seccomp profile",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::report::Level::Restricted, check: "seccompProfile_restricted", since: 19, replaced_in_restricted_since: None, also: None, }),
        fix: "set seccompProfile.type: RuntimeDefault in the pod's securityContext",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 25 && ctx.is_windows() {
        return;
    }
    let valid = |t: Option<&str>| matches!(t, Some("RuntimeDefault" | "Localhost"));
    let mut pod_valid = false;
    if let Some(p) = ctx.get(ctx.pod_sc(), "seccompProfile") {
        let t = ctx.str(ctx.get(Some(p), "type"));
        if valid(t) {
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
        match ctx.get(ctx.sc(c), "seccompProfile") {
            Some(p) => {
                let t = ctx.str(ctx.get(Some(p), "type"));
                if !valid(t) {
                    let msg = format!(
                        "seccompProfile: {} must not set securityContext.seccompProfile.type={:?}",
                        container_label(c),
                        t.unwrap_or("")
                    );
                    ctx.report_container(c, "securityContext/seccompProfile/type", msg);
                }
            }
            None if !pod_valid => {
                let msg = format!(
                    "seccompProfile: pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                    container_label(c)
                );
                ctx.report_container(c, "securityContext/seccompProfile/type", msg);
            }
            None => {}
        }
    }
}
