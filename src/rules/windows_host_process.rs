//! `windows-host-process` — PSA check `windowsHostProcess` (baseline).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// The pod or a container sets `securityContext.windowsOptions.hostProcess: true`.
    ///
    /// ## Why it matters
    /// A Windows HostProcess container runs directly on the Windows node with the
    /// node's privileges: the Windows equivalent of a privileged container.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `windowsHostProcess`, all versions. Fields:
    /// `spec.securityContext.windowsOptions.hostProcess`,
    /// `spec.containers[*].securityContext.windowsOptions.hostProcess` (also init and
    /// ephemeral containers). Allowed: unset or `false`.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   os: {name: windows}
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
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
    ///   os: {name: windows}
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove `windowsOptions.hostProcess` (or set it to `false`).
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (HostProcess)
    /// - PSA source: `policy/check_windowsHostProcess.go`
    WINDOWS_HOST_PROCESS {
        id: "windows-host-process",
        title: "Windows HostProcess container",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "windowsHostProcess", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove windowsOptions.hostProcess (or set it to false)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.bool(ctx.path(ctx.pod_sc(), &["windowsOptions", "hostProcess"])) == Some(true) {
        ctx.report_pod(
            "securityContext/windowsOptions/hostProcess",
            "hostProcess: pod must not set securityContext.windowsOptions.hostProcess=true"
                .to_string(),
        );
    }
    for c in ctx.containers() {
        if ctx.bool(ctx.path(ctx.sc(c), &["windowsOptions", "hostProcess"])) == Some(true) {
            let msg = format!(
                "hostProcess: {} must not set securityContext.windowsOptions.hostProcess=true",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/windowsOptions/hostProcess", msg);
        }
    }
}
