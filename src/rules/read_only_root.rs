//! `writable-root-filesystem` — hardening rule beyond PSS.
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A container does not set `securityContext.readOnlyRootFilesystem: true`. Windows
    /// pods (`spec.os.name: windows`) are exempt: the API forbids the field there.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an intruder drop tools and binaries, or change the
    /// program's own files. With a read-only root, writes go only to volumes you mount on
    /// purpose (`emptyDir` for `/tmp`).
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `warning`, `pss` is `null`). It runs in the default
    /// profile only, not with `--level`. The field exists only on containers, so the
    /// container's value is the effective one.
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
    ///       readOnlyRootFilesystem: false
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
    ///       readOnlyRootFilesystem: true
    /// ```
    ///
    /// ## Fix
    /// Set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the program must
    /// write (`/tmp`, caches).
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - API field: `SecurityContext.readOnlyRootFilesystem`
    WRITABLE_ROOT_FILESYSTEM {
        id: "writable-root-filesystem",
        title: "Container root filesystem is writable",
        severity: Warning,
        category: Hardening,
        pss: None,
        fix: "set readOnlyRootFilesystem: true and mount an emptyDir where the program writes",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.is_windows() {
        return;
    }
    for c in ctx.containers() {
        if ctx.bool(ctx.get(ctx.sc(c), "readOnlyRootFilesystem")) != Some(true) {
            let msg = format!(
                "{} does not set securityContext.readOnlyRootFilesystem=true",
                ctx.container_label(c)
            );
            ctx.report_container(c, "securityContext/readOnlyRootFilesystem", msg);
        }
    }
}
