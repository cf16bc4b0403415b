//! `may-run-as-root` — PSA check `runAsNonRoot` (restricted).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// The pod does not guarantee that its containers run as a non-root user:
    /// `runAsNonRoot` is `false` at pod level or on a container, or a container leaves it
    /// unset while the pod does not set it to `true`.
    ///
    /// ## Why it matters
    /// `runAsNonRoot: true` makes the kubelet refuse to start a container whose user is
    /// root (UID 0), whatever the image says. Root in a container is one kernel bug away
    /// from root on the node.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `runAsNonRoot`, all versions. Fields:
    /// `spec.securityContext.runAsNonRoot`,
    /// `spec.containers[*].securityContext.runAsNonRoot` (also init and ephemeral
    /// containers). The pod must set `true`, or every container must; an explicit `false`
    /// anywhere fails, even at pod level when every container sets `true` (PSA judges
    /// pod-level values on their own). `runAsUser` is not considered. From v1.35 the check
    /// passes when `spec.hostUsers: false` (user namespaces).
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
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Set `runAsNonRoot: true` in the pod's `securityContext` (and a non-zero `runAsUser`
    /// if the image's user is root).
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Running as Non-root)
    /// - PSA source: `policy/check_runAsNonRoot.go`
    MAY_RUN_AS_ROOT {
        id: "may-run-as-root",
        title: "Containers may run as root",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "runAsNonRoot", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "set runAsNonRoot: true in the pod's securityContext (or in every container's)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 35 && ctx.in_user_namespace() {
        return;
    }
    let pod = ctx.bool(ctx.get(ctx.pod_sc(), "runAsNonRoot"));
    if pod == Some(false) {
        ctx.report_pod(
            "securityContext/runAsNonRoot",
            "runAsNonRoot != true: pod must not set securityContext.runAsNonRoot=false".to_string(),
        );
    }
    for c in ctx.containers() {
        match ctx.bool(ctx.get(ctx.sc(c), "runAsNonRoot")) {
            Some(false) => {
                let msg = format!(
                    "runAsNonRoot != true: {} must not set securityContext.runAsNonRoot=false",
                    ctx.container_label(c)
                );
                ctx.report_container(c, "securityContext/runAsNonRoot", msg);
            }
            None if pod != Some(true) => {
                let msg = format!(
                    "runAsNonRoot != true: pod or {} must set securityContext.runAsNonRoot=true",
                    ctx.container_label(c)
                );
                ctx.report_container(c, "securityContext/runAsNonRoot", msg);
            }
            _ => {}
        }
    }
}
