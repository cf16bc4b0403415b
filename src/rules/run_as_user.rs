//! `run-as-root-user` — PSA check `runAsUser` (restricted, v1.23+).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// The pod or a container sets `runAsUser: 0` (root).
    ///
    /// ## Why it matters
    /// UID 0 is root; `runAsNonRoot` cannot protect a container that explicitly asks to
    /// run as root.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `runAsUser`, from v1.23. Fields:
    /// `spec.securityContext.runAsUser`, `spec.containers[*].securityContext.runAsUser`
    /// (also init and ephemeral containers). Unset or non-zero is allowed. From v1.35 the
    /// check passes when `spec.hostUsers: false` (user namespaces).
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     runAsUser: 0
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
    ///     runAsUser: 10001
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Set `runAsUser` to a non-zero UID (for example 10001), or remove it and build the
    /// image with a non-root `USER`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Running as Non-root user)
    /// - PSA source: `policy/check_runAsUser.go`
    RUN_AS_ROOT_USER {
        id: "run-as-root-user",
        title: "Runs as UID 0",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "runAsUser", since: 23, replaced_in_restricted_since: None, also: None, }),
        fix: "set runAsUser to a non-zero UID (for example 10001)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 35 && ctx.in_user_namespace() {
        return;
    }
    if ctx.int(ctx.get(ctx.pod_sc(), "runAsUser")) == Some(0) {
        ctx.report_pod(
            "securityContext/runAsUser",
            "runAsUser=0: pod must not set runAsUser=0".to_string(),
        );
    }
    for c in ctx.containers() {
        if ctx.int(ctx.get(ctx.sc(c), "runAsUser")) == Some(0) {
            let msg = format!(
                "runAsUser=0: {} must not set runAsUser=0",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/runAsUser", msg);
        }
    }
}
