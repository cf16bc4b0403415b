//! `forbidden-apparmor-profile` — PSA check `appArmorProfile` (baseline).
use super::Ctx;
use crate::workload::child_pointer;

/// Prefix of the (beta) AppArmor annotations read by PSA.
pub const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

declare_rule! {
    /// ## What it checks
    /// The pod or a container sets an AppArmor profile other than `RuntimeDefault` or
    /// `Localhost` (the `appArmorProfile` fields), or a pod-template annotation
    /// `container.apparmor.security.beta.kubernetes.io/<container>` has a value other than
    /// empty, `runtime/default` or `localhost/<profile>`.
    ///
    /// ## Why it matters
    /// `Unconfined` turns AppArmor off for the container, removing a layer that blocks
    /// writes to `/proc` and `/sys`, mounts and raw sockets.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `appArmorProfile`, all versions. Fields:
    /// `spec.securityContext.appArmorProfile.type`,
    /// `spec.containers[*].securityContext.appArmorProfile.type` (also init and ephemeral
    /// containers): when `appArmorProfile` is set, `type` must be `RuntimeDefault` or
    /// `Localhost` (a missing type is a violation). Annotations
    /// `metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]` of the
    /// pod (template): empty, `runtime/default` or `localhost/*`.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     appArmorProfile:
    ///       type: Unconfined
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
    ///     appArmorProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Use `type: RuntimeDefault` (or a `Localhost` profile), or remove `appArmorProfile`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (AppArmor)
    /// - <https://kubernetes.io/docs/tutorials/security/apparmor/>
    /// - PSA source: `policy/check_appArmorProfile.go`
    FORBIDDEN_APPARMOR_PROFILE {
        id: "forbidden-apparmor-profile",
        title: "AppArmor profile is Unconfined",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "appArmorProfile", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "set appArmorProfile.type to RuntimeDefault or Localhost (annotation: runtime/default or localhost/<profile>)",
        check: check,
    }
}

fn valid_type(t: Option<&str>) -> bool {
    matches!(t, Some("RuntimeDefault" | "Localhost"))
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if let Some(profile) = ctx.get(ctx.pod_sc(), "appArmorProfile") {
        let t = ctx.str(ctx.get(Some(profile), "type"));
        if !valid_type(t) {
            ctx.report_pod(
                "securityContext/appArmorProfile/type",
                format!("forbidden AppArmor profile: pod must not set securityContext.appArmorProfile.type={:?}", t.unwrap_or("")),
            );
        }
    }
    for c in ctx.containers() {
        if let Some(profile) = ctx.get(ctx.sc(c), "appArmorProfile") {
            let t = ctx.str(ctx.get(Some(profile), "type"));
            if !valid_type(t) {
                let msg = format!(
                    "forbidden AppArmor profile: {} must not set securityContext.appArmorProfile.type={:?}",
                    ctx.container_label(c),
                    t.unwrap_or("")
                );
                ctx.report_container(c, "securityContext/appArmorProfile/type", msg);
            }
        }
    }
    let annotations = crate::workload::annotations(ctx.doc, ctx.workload.pod_metadata);
    for (key, value) in annotations {
        if key.starts_with(APPARMOR_ANNOTATION_PREFIX)
            && !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/"))
        {
            let pointer = child_pointer(
                &format!("{}/annotations", ctx.workload.pod_metadata_pointer),
                key,
            );
            ctx.report_at(
                pointer,
                None,
                format!("forbidden AppArmor profile: annotation {key}={value:?}"),
            );
        }
    }
}
