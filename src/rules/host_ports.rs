//! `host-port` — PSA check `hostPorts` (baseline).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container port sets a non-zero `hostPort`. One finding per such port, at its
    /// `hostPort`. Admission answers with PSA's one violation per container, at its first
    /// host port: `hostPort (container "web" uses hostPort 80, 8080; ...)`.
    ///
    /// ## Why it matters
    /// A host port binds the node's own network interface: it bypasses network policies
    /// and Services, and it limits where the pod can be scheduled.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `hostPorts`, all versions. Field:
    /// `spec.containers[*].ports[*].hostPort` (also init and ephemeral containers).
    /// Allowed: unset or `0`.
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
    ///     ports:
    ///     - containerPort: 80
    ///       hostPort: 80
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     ports:
    ///     - containerPort: 80
    /// ```
    ///
    /// ## Fix
    /// Remove `hostPort` and expose the port with a Service (or an Ingress).
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Host Ports)
    /// - PSA source: `policy/check_hostPorts.go`
    HOST_PORT {
        id: "host-port",
        title: "Container binds a host port",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "hostPorts", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove hostPort from the container's ports and expose the port through a Service",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for c in ctx.containers() {
        let ports = ctx
            .get(Some(c.node), "ports")
            .and_then(|p| ctx.doc.seq(p))
            .unwrap_or(&[]);
        let bad: Vec<(usize, i64)> = ports
            .iter()
            .enumerate()
            .filter_map(|(i, &p)| Some((i, ctx.int(ctx.get(Some(p), "hostPort"))?)))
            .filter(|&(_, hp)| hp != 0)
            .collect();
        let Some(&(first, _)) = bad.first() else {
            continue;
        };
        let label = ctx.container_label(c);
        // Admission's one violation per container: every host port, at the first one.
        let list = bad
            .iter()
            .map(|b| b.1.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let group = Ctx::group(
            format!("{}/ports/{first}/hostPort", ctx.container_pointer(c)),
            format!("hostPort: {label} uses hostPort {list}"),
        );
        for (i, port) in bad {
            let msg = format!("hostPort: {label} uses hostPort {port}");
            ctx.report_container_in(c, &format!("ports/{i}/hostPort"), msg, Some(&group));
        }
    }
}
