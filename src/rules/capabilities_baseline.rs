//! `non-default-capabilities` — PSA check `capabilities_baseline` (baseline).
use super::{quoted_list, Ctx};

/// Capabilities the baseline level allows in `capabilities.add` (PSA
/// `capabilities_baseline`, v1.0; exact, case-sensitive).
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

declare_rule! {
    /// ## What it checks
    /// A container adds a Linux capability outside the container runtime's default set in
    /// `securityContext.capabilities.add`. One finding per such capability, at its item
    /// of the list. Admission answers with PSA's one violation per container, at its
    /// first one: `non-default capabilities (container "app" must not include
    /// "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add; ...)`.
    ///
    /// ## Why it matters
    /// Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `NET_RAW` or `SYS_PTRACE` give a
    /// container powers that lead to container escape or attacks on the node's network.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `capabilities_baseline`, all versions. Field:
    /// `spec.containers[*].securityContext.capabilities.add` (also init and ephemeral
    /// containers). Allowed: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`,
    /// `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`,
    /// `SYS_CHROOT` — exact names (`CAP_CHOWN` and `chown` are violations). At the
    /// restricted level from v1.22, `unrestricted-capabilities` (`capabilities_restricted`)
    /// replaces this check.
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
    ///         add: ["SYS_ADMIN"]
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
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Fix
    /// Remove the capability from `capabilities.add`; drop `ALL` and add back only what
    /// the program needs.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Capabilities)
    /// - PSA source: `policy/check_capabilities_baseline.go`
    NON_DEFAULT_CAPABILITIES {
        id: "non-default-capabilities",
        title: "Container adds a capability beyond the default set",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "capabilities_baseline", since: 0, replaced_in_restricted_since: Some(22), also: None, }),
        fix: "remove the capability from securityContext.capabilities.add",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    for c in ctx.containers() {
        let add = ctx.path(ctx.sc(c), &["capabilities", "add"]);
        let bad: Vec<(usize, &str)> = ctx
            .strs(add)
            .into_iter()
            .filter(|(_, cap)| !BASELINE_CAPABILITIES.contains(cap))
            .collect();
        let Some(&(first, _)) = bad.first() else {
            continue;
        };
        let label = ctx.container_label(c);
        let message = |caps: String| {
            format!(
                "non-default capabilities: {label} must not include {caps} in securityContext.capabilities.add"
            )
        };
        // Admission's one violation per container: every capability, at the first one.
        let group = Ctx::group(
            format!(
                "{}/securityContext/capabilities/add/{first}",
                ctx.container_pointer(c)
            ),
            message(quoted_list(bad.iter().map(|b| b.1))),
        );
        for (i, cap) in bad {
            let rel = format!("securityContext/capabilities/add/{i}");
            ctx.report_container_in(c, &rel, message(format!("{cap:?}")), Some(&group));
        }
    }
}
