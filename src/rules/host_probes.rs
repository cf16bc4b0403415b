//! `probe-or-lifecycle-host` — PSA check `hostProbesAndHostLifecycle` (baseline, v1.34+).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container's probe (`livenessProbe`, `readinessProbe`, `startupProbe`) or
    /// lifecycle handler (`postStart`, `preStop`) sets `httpGet.host` or `tcpSocket.host`.
    ///
    /// ## Why it matters
    /// The kubelet makes these requests from the node. A custom host turns them into a
    /// way to reach addresses the pod itself could not reach (server-side request
    /// forgery through the kubelet).
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `hostProbesAndHostLifecycle`, from v1.34. Fields:
    /// `spec.containers[*].{livenessProbe,readinessProbe,startupProbe}.{httpGet,tcpSocket}.host`
    /// and `spec.containers[*].lifecycle.{postStart,preStop}.{httpGet,tcpSocket}.host` (also
    /// init and ephemeral containers). Allowed: unset or `""`.
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
    ///     livenessProbe:
    ///       httpGet: {host: 169.254.169.254, path: /, port: 80}
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     livenessProbe:
    ///       httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix
    /// Remove `host`: probes then go to the pod's own IP.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Probes / Lifecycle Hooks)
    /// - PSA source: `policy/check_hostProbesAndHostLifecycle.go`
    PROBE_OR_LIFECYCLE_HOST {
        id: "probe-or-lifecycle-host",
        title: "Probe or lifecycle handler sets a host",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "hostProbesAndHostLifecycle", since: 34, replaced_in_restricted_since: None, also: None, }),
        fix: "remove host from the probe's or lifecycle handler's httpGet/tcpSocket",
        check: check,
    }
}

const HANDLERS: &[&[&str]] = &[
    &["livenessProbe"],
    &["readinessProbe"],
    &["startupProbe"],
    &["lifecycle", "postStart"],
    &["lifecycle", "preStop"],
];

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for c in ctx.containers() {
        let mut bad = Vec::new();
        for handler in HANDLERS {
            let h = ctx.path(Some(c.node), handler);
            for action in ["httpGet", "tcpSocket"] {
                if let Some(host) = ctx
                    .str(ctx.path(h, &[action, "host"]))
                    .filter(|h| !h.is_empty())
                {
                    bad.push((
                        format!("{}/{action}/host", handler.join("/")),
                        format!("{}.{action}.host={host:?}", handler.join(".")),
                    ));
                }
            }
        }
        if let Some((pointer, _)) = bad.first() {
            let list = bad
                .iter()
                .map(|b| b.1.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let msg = format!(
                "probe or lifecycle host: {} must not set {list}",
                ctx.container_label(c)
            );
            ctx.report_container(c, pointer, msg);
        }
    }
}
