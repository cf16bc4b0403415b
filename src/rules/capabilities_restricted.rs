//! `unrestricted-capabilities` — PSA check `capabilities_restricted` (restricted, v1.22+).
use super::{quoted_list, Ctx};

declare_rule! {
    /// ## What it checks
    /// A container does not drop `ALL` capabilities, or adds back anything but
    /// `NET_BIND_SERVICE`.
    ///
    /// ## Why it matters
    /// Even the runtime's default capabilities (`NET_RAW`, `CHOWN`, `DAC_OVERRIDE`,
    /// `SETUID`...) are more than most programs need; `NET_RAW` alone allows spoofing on
    /// the pod network.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `capabilities_restricted`, from v1.22. Fields:
    /// `spec.containers[*].securityContext.capabilities.drop` must contain `ALL` (exact,
    /// case-sensitive) and `.add` may contain only `NET_BIND_SERVICE` (also init and
    /// ephemeral containers). A missing `securityContext` or `capabilities` fails. From
    /// v1.25, Windows pods are exempt. Replaces `non-default-capabilities` at the
    /// restricted level.
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
    ///       capabilities:
    ///         drop: ["NET_RAW"]
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
    ///       capabilities:
    ///         drop: ["ALL"]
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Fix
    /// Set `capabilities: {drop: ["ALL"]}` in each container's `securityContext`, and add
    /// back only `NET_BIND_SERVICE` if the program binds a port below 1024.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Capabilities)
    /// - PSA source: `policy/check_capabilities_restricted.go`
    UNRESTRICTED_CAPABILITIES {
        id: "unrestricted-capabilities",
        title: "Container does not drop ALL capabilities",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "capabilities_restricted", since: 22, replaced_in_restricted_since: None, also: None, }),
        fix: "set capabilities.drop: [\"ALL\"] and add back at most NET_BIND_SERVICE",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.version >= 25 && ctx.is_windows() {
        return;
    }
    for c in ctx.containers() {
        let caps = ctx.get(ctx.sc(c), "capabilities");
        let drops_all = ctx
            .strs(ctx.get(caps, "drop"))
            .iter()
            .any(|(_, d)| *d == "ALL");
        let bad_add: Vec<(usize, &str)> = ctx
            .strs(ctx.get(caps, "add"))
            .into_iter()
            .filter(|(_, a)| *a != "NET_BIND_SERVICE")
            .collect();
        let mut problems = Vec::new();
        if !drops_all {
            problems.push("must set securityContext.capabilities.drop=[\"ALL\"]".to_string());
        }
        if !bad_add.is_empty() {
            problems.push(format!(
                "must not include {} in securityContext.capabilities.add",
                quoted_list(bad_add.iter().map(|b| b.1))
            ));
        }
        if problems.is_empty() {
            continue;
        }
        let pointer = match (drops_all, bad_add.first()) {
            (true, Some((i, _))) => format!("securityContext/capabilities/add/{i}"),
            _ => "securityContext/capabilities/drop".to_string(),
        };
        let msg = format!(
            "unrestricted capabilities: {} {}",
            ctx.container_label(c),
            problems.join(" and ")
        );
        ctx.report_container(c, &pointer, msg);
    }
}
