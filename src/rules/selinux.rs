//! `forbidden-selinux-options` — PSA check `seLinuxOptions` (baseline).
use super::{is_allowed_at, Ctx, Since};
use crate::yaml::NodeId;

/// The SELinux types the baseline level allows in `seLinuxOptions.type` besides unset and
/// empty, by the policy version that added them (PSA `seLinuxOptions`: variants v1.0 and
/// v1.31; exact, case-sensitive).
pub const SELINUX_TYPES: &[Since] = &[
    Since {
        minor: 0,
        values: &["container_t", "container_init_t", "container_kvm_t"],
    },
    Since {
        minor: 31,
        values: &["container_engine_t"],
    },
];

declare_rule! {
    /// ## What it checks
    /// The pod or a container sets an SELinux `type` outside the container types, or sets
    /// an SELinux `user` or `role`.
    ///
    /// ## Why it matters
    /// A custom SELinux type, user or role can lift the confinement that keeps a container
    /// away from the node's files and processes (`spc_t` is unconfined).
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `seLinuxOptions`, all versions. Fields:
    /// `spec.securityContext.seLinuxOptions` and
    /// `spec.containers[*].securityContext.seLinuxOptions` (also init and ephemeral
    /// containers). `type` must be unset, empty, `container_t`, `container_init_t`,
    /// `container_kvm_t`, or (from v1.31) `container_engine_t`. `user` and `role` must be
    /// unset or empty. `level` is not checked.
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
    ///       seLinuxOptions:
    ///         type: spc_t
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
    ///       seLinuxOptions:
    ///         level: "s0:c123,c456"
    /// ```
    ///
    /// ## Fix
    /// Remove `type`, `user` and `role` from `seLinuxOptions` (setting `level` is fine), or
    /// use one of the container types.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (SELinux)
    /// - PSA source: `policy/check_seLinuxOptions.go`
    FORBIDDEN_SELINUX_OPTIONS {
        id: "forbidden-selinux-options",
        title: "SELinux type, user or role is set",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "seLinuxOptions", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "remove type, user and role from seLinuxOptions, or use type container_t",
        check: check,
    }
}

/// The offending fields of an `seLinuxOptions` object: `(field, value)`.
fn bad_fields<'d>(ctx: &Ctx<'_, 'd, '_>, opts: NodeId) -> Vec<(&'static str, &'d str)> {
    let mut bad = Vec::new();
    if let Some(t) = ctx.str(ctx.get(Some(opts), "type")) {
        let ok = t.is_empty() || is_allowed_at(SELINUX_TYPES, ctx.version, t);
        if !ok {
            bad.push(("type", t));
        }
    }
    for field in ["user", "role"] {
        if let Some(v) = ctx
            .str(ctx.get(Some(opts), field))
            .filter(|v| !v.is_empty())
        {
            bad.push((field, v));
        }
    }
    bad
}

fn describe(bad: &[(&str, &str)]) -> String {
    bad.iter()
        .map(|(f, v)| format!("{f}={v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if let Some(opts) = ctx.get(ctx.pod_sc(), "seLinuxOptions") {
        let bad = bad_fields(ctx, opts);
        if let Some((field, _)) = bad.first() {
            let msg = format!(
                "seLinuxOptions: pod must not set securityContext.seLinuxOptions {}",
                describe(&bad)
            );
            ctx.report_pod(&format!("securityContext/seLinuxOptions/{field}"), msg);
        }
    }
    for c in ctx.containers() {
        if let Some(opts) = ctx.get(ctx.sc(c), "seLinuxOptions") {
            let bad = bad_fields(ctx, opts);
            if let Some((field, _)) = bad.first() {
                let msg = format!(
                    "seLinuxOptions: {} must not set securityContext.seLinuxOptions {}",
                    ctx.container_label(c),
                    describe(&bad)
                );
                ctx.report_container(c, &format!("securityContext/seLinuxOptions/{field}"), msg);
            }
        }
    }
}
