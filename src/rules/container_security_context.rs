//! `container-security-context-missing` — hardening rule beyond PSS.
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container, init container or ephemeral container has no `securityContext`
    /// (absent or `null`). An empty `securityContext: {}` counts as present.
    ///
    /// ## Why it matters
    /// Some settings exist only per container: `allowPrivilegeEscalation`,
    /// `capabilities`, `readOnlyRootFilesystem`, `privileged`. A container without a
    /// `securityContext` keeps the runtime's defaults for all of them: privilege
    /// escalation allowed, the default capability set, a writable root filesystem.
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `warning`, `pss` is `null`). It runs in the default
    /// profile only, not with `--level`.
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
    ///       capabilities: {drop: ["ALL"]}
    ///       readOnlyRootFilesystem: true
    /// ```
    ///
    /// ## Fix
    /// Give each container a `securityContext` with `allowPrivilegeEscalation: false`,
    /// `capabilities: {drop: ["ALL"]}` and `readOnlyRootFilesystem: true`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - API field: `Container.securityContext` (`SecurityContext`)
    CONTAINER_SECURITY_CONTEXT_MISSING {
        id: "container-security-context-missing",
        title: "Container has no securityContext",
        severity: Warning,
        category: Hardening,
        pss: None,
        fix: "add a securityContext with allowPrivilegeEscalation: false, capabilities: {drop: [\"ALL\"]} and readOnlyRootFilesystem: true",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for c in ctx.containers() {
        if ctx.sc(c).is_none() {
            let msg = format!("{} has no securityContext", ctx.container_label(c));
            ctx.report_container(c, "securityContext", msg);
        }
    }
}
