//! `unsafe-sysctl` — PSA check `sysctls` (baseline).
use super::{is_allowed_at, quoted_list, Ctx, Since};

/// The safe sysctls of the baseline level, by the policy version that added them (PSA
/// `sysctls`: variants v1.0, v1.27, v1.29, v1.32, v1.37; exact names).
pub const SAFE_SYSCTLS: &[Since] = &[
    Since {
        minor: 0,
        values: &[
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ],
    },
    Since {
        minor: 27,
        values: &["net.ipv4.ip_local_reserved_ports"],
    },
    Since {
        minor: 29,
        values: &[
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ],
    },
    Since {
        minor: 32,
        values: &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"],
    },
    Since {
        minor: 37,
        values: &[
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ],
    },
];

declare_rule! {
    /// ## What it checks
    /// The pod sets a sysctl outside the safe set in `spec.securityContext.sysctls`. One
    /// finding per unsafe sysctl, at its `name` (at the item when it has no name), naming
    /// it. Admission answers with PSA's one violation for them all, at the first one:
    /// `forbidden sysctls (pod must not set "kernel.msgmax", "kernel.sem"; ...)`.
    ///
    /// ## Why it matters
    /// Unsafe sysctls are not namespaced or not limited: they change the kernel for every
    /// pod on the node, or let a pod exhaust its resources.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `sysctls`. Field: `spec.securityContext.sysctls[*].name`. The safe
    /// set grows with the policy version: v1.0 `kernel.shm_rmid_forced`,
    /// `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`; v1.27 adds
    /// `net.ipv4.ip_local_reserved_ports`; v1.29 adds `net.ipv4.tcp_keepalive_time`,
    /// `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    /// `net.ipv4.tcp_keepalive_probes`; v1.32 adds `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;
    /// v1.37 adds `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.
    /// Exact names only (no `/`-separated forms); a sysctl without a name counts as the
    /// empty name, which is not safe either.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - name: kernel.msgmax
    ///       value: "65536"
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
    ///     sysctls:
    ///     - name: net.ipv4.ip_local_port_range
    ///       value: "1024 65535"
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove the sysctl, or set it on the node (a node tuning DaemonSet or the kubelet's
    /// `--allowed-unsafe-sysctls`) outside the workload.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (Sysctls)
    /// - <https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/>
    /// - PSA source: `policy/check_sysctls.go`
    UNSAFE_SYSCTL {
        id: "unsafe-sysctl",
        title: "Pod sets an unsafe sysctl",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "sysctls", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove the sysctl from spec.securityContext.sysctls, or use one from the safe set",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    let Some(list) = ctx
        .get(ctx.pod_sc(), "sysctls")
        .and_then(|s| ctx.doc.seq(s))
    else {
        return;
    };
    let bad: Vec<(usize, &str, bool)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, &s)| {
            ctx.doc.map(s)?;
            // A missing name is the empty string to PSA, which is not in the safe set.
            let name = ctx.str(ctx.get(Some(s), "name")).unwrap_or("");
            let has_name = ctx.doc.entry(s, "name").is_some();
            (!is_allowed_at(SAFE_SYSCTLS, ctx.version, name)).then_some((i, name, has_name))
        })
        .collect();
    let Some(&(first, _, _)) = bad.first() else {
        return;
    };
    // Admission's one violation: every bad name, at the first one's `name`.
    let group = Ctx::group(
        ctx.pod_pointer(&format!("securityContext/sysctls/{first}/name")),
        format!(
            "forbidden sysctls: pod must not set {}",
            quoted_list(bad.iter().map(|b| b.1))
        ),
    );
    for (i, name, has_name) in bad {
        let rel = if has_name {
            format!("securityContext/sysctls/{i}/name")
        } else {
            format!("securityContext/sysctls/{i}")
        };
        let msg = format!("forbidden sysctls: pod must not set {name:?}");
        ctx.report_at_in(ctx.pod_pointer(&rel), None, msg, Some(&group));
    }
}
