//! `privilege-escalation-allowed` — PSA check `allowPrivilegeEscalation` (restricted).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container does not set `securityContext.allowPrivilegeEscalation: false`.
    ///
    /// ## Why it matters
    /// Unless it is `false`, a process can gain more privileges than its parent through
    /// setuid binaries or file capabilities (`no_new_privs` is not set).
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `allowPrivilegeEscalation`, from v1.8. Field:
    /// `spec.containers[*].securityContext.allowPrivilegeEscalation` (also init and
    /// ephemeral containers); there is no pod-level field. Must be explicitly `false`.
    /// From v1.25, Windows pods (`spec.os.name: windows`) are exempt.
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
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     securityContext:
    ///       allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix
    /// Set `allowPrivilegeEscalation: false` in each container's `securityContext`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Privilege Escalation)
    /// - PSA source: `policy/check_allowPrivilegeEscalation.go`
    PRIVILEGE_ESCALATION_ALLOWED {
        id: "privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "allowPrivilegeEscalation", since: 8, replaced_in_restricted_since: None, also: None, }),
        fix: "set allowPrivilegeEscalation: false in the container's securityContext",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 25 && ctx.is_windows() {
        return;
    }
    for c in ctx.containers() {
        if ctx.bool(ctx.get(ctx.sc(c), "allowPrivilegeEscalation")) != Some(false) {
            let msg = format!(
                "allowPrivilegeEscalation != false: {} must set securityContext.allowPrivilegeEscalation=false",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/allowPrivilegeEscalation", msg);
        }
    }
}
