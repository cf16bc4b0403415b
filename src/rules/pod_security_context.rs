//! `pod-security-context-missing` — hardening rule beyond PSS.
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// The pod spec has no `securityContext` (absent or `null`). An empty
    /// `securityContext: {}` counts as present.
    ///
    /// ## Why it matters
    /// The pod-level `securityContext` is where a workload states who it runs as
    /// (`runAsNonRoot`, `runAsUser`, `fsGroup`) and its seccomp profile, for every
    /// container at once. Without it, the pod runs with whatever the images and the
    /// runtime default to — usually root. Many teams require it on every workload.
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
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Add a pod-level `securityContext` with at least `runAsNonRoot: true` and
    /// `seccompProfile: {type: RuntimeDefault}`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - API field: `PodSpec.securityContext` (`PodSecurityContext`)
    POD_SECURITY_CONTEXT_MISSING {
        id: "pod-security-context-missing",
        title: "Pod has no securityContext",
        severity: Warning,
        category: Hardening,
        pss: None,
        fix: "add spec.securityContext with runAsNonRoot: true and seccompProfile: {type: RuntimeDefault}",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.pod_sc().is_none() {
        ctx.report_pod("securityContext", "pod has no securityContext".to_string());
    }
}
