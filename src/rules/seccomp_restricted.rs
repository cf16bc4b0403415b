//! `missing-seccomp-profile` — PSA check `seccompProfile_restricted` (restricted, v1.19+).
use super::Ctx;

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
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "seccompProfile_restricted", since: 19, replaced_in_restricted_since: None, also: None, }),
        fix: "set seccompProfile.type: RuntimeDefault in the pod's securityContext",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 25 && ctx.is_windows() {
        return;
    }
    // Profiles that are set must be valid (as at baseline) ...
    let pod_valid = super::seccomp_baseline::check_set_profiles(ctx);
    // ... and a container without one must inherit a valid pod-level profile.
    for c in ctx.containers() {
        if !pod_valid && ctx.get(ctx.sc(c), "seccompProfile").is_none() {
            let msg = format!(
                "seccompProfile: pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/seccompProfile/type", msg);
        }
    }
}
