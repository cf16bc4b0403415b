//! `privileged-container` — PSA check `privileged` (baseline).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container (init, regular or ephemeral) sets `securityContext.privileged: true`.
    ///
    /// ## Why it matters
    /// A privileged container has every capability and every device of the node, with
    /// no seccomp or AppArmor confinement: it is root on the node.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `privileged`, all versions (v1.0+). Field:
    /// `spec.containers[*].securityContext.privileged` (also init and ephemeral
    /// containers). Allowed: unset or `false`.
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
    ///     securityContext:
    ///       privileged: true
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
    ///       privileged: false
    /// ```
    ///
    /// ## Fix
    /// Remove `privileged: true`. Grant the one capability the workload needs instead.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Privileged Containers)
    /// - PSA source: `policy/check_privileged.go`
    PRIVILEGED_CONTAINER {
        id: "privileged-container",
        title: "Container runs privileged",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "privileged", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove `privileged: true` from the container's securityContext (or set it to false)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for c in ctx.containers() {
        if ctx.bool(ctx.get(ctx.sc(c), "privileged")) == Some(true) {
            let msg = format!(
                "privileged: {} must not set securityContext.privileged=true",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/privileged", msg);
        }
    }
}
