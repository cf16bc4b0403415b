//! `host-namespaces` — PSA check `hostNamespaces` (baseline).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// The pod spec sets `hostNetwork`, `hostPID` or `hostIPC` to `true`.
    ///
    /// ## Why it matters
    /// Sharing the node's network, process or IPC namespace lets a container see and reach
    /// everything on the node: other pods' traffic, every process, shared memory.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `hostNamespaces`, all versions (v1.0+). Fields:
    /// `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`. Allowed: unset or `false`.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   hostNetwork: true
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
    /// ```
    ///
    /// ## Fix
    /// Remove `hostNetwork`, `hostPID` and `hostIPC`, or set them to `false`. Expose ports
    /// with a Service instead of the host network.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Host Namespaces)
    /// - PSA source: `policy/check_hostNamespaces.go`
    HOST_NAMESPACES {
        id: "host-namespaces",
        title: "Pod shares a host namespace",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "hostNamespaces", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if ctx.bool(ctx.get(Some(ctx.spec), field)) == Some(true) {
            ctx.report_pod(
                field,
                format!("host namespaces: pod must not set {field}=true"),
            );
        }
    }
}
