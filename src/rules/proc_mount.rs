//! `unmasked-proc-mount` — PSA checks `procMount` (baseline) and `procMount_restricted`
//! (restricted, v1.35+).
use super::Ctx;
use crate::options::Level;

declare_rule! {
    /// ## What it checks
    /// A container sets `securityContext.procMount` to anything but `Default` (that is,
    /// `Unmasked`).
    ///
    /// ## Why it matters
    /// The default proc mount masks and makes read-only the parts of `/proc` that expose
    /// the host kernel. `Unmasked` removes that protection.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `procMount`, all versions. Field:
    /// `spec.containers[*].securityContext.procMount` (also init and ephemeral containers).
    /// Allowed: unset or `Default`. From v1.35 the baseline check allows any value when the
    /// pod runs in a user namespace (`spec.hostUsers: false`); at the restricted level the
    /// check `procMount_restricted` (v1.35+) replaces it and keeps the strict rule. The
    /// finding's `pss.check` says which of the two ran.
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
    ///       procMount: Unmasked
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
    ///       procMount: Default
    /// ```
    ///
    /// ## Fix
    /// Remove `procMount` or set it to `Default`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (/proc Mount Type)
    /// - PSA source: `policy/check_procMount_baseline.go`, `policy/check_procMount_restricted.go`
    UNMASKED_PROC_MOUNT {
        id: "unmasked-proc-mount",
        title: "Container unmasks /proc",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: Level::Baseline, check: "procMount", since: 0, replaced_in_restricted_since: None, also: Some((Level::Restricted, "procMount_restricted", 35)), }),
        fix: "remove procMount from the container's securityContext (or set it to Default)",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    let restricted = ctx.level == Level::Restricted && ctx.version >= 35;
    if !restricted && ctx.version >= 35 && ctx.in_user_namespace() {
        return;
    }
    for c in ctx.containers() {
        let Some(value) = ctx.str(ctx.get(ctx.sc(c), "procMount")) else {
            continue;
        };
        if value != "Default" {
            let msg = format!(
                "procMount: {} must not set securityContext.procMount={value:?}",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/procMount", msg);
            if restricted {
                ctx.set_last_check(Level::Restricted, "procMount_restricted");
            }
        }
    }
}
