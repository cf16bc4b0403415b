//! `host-path-volume` — PSA check `hostPathVolumes` (baseline).
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A volume of the pod uses `hostPath`. One finding per such volume, at its `hostPath:`
    /// key (not at the `path:` inside it).
    ///
    /// ## Why it matters
    /// A hostPath volume mounts a directory of the node into the container: with `/`,
    /// `/var/run/docker.sock` or `/etc` the container owns the node.
    ///
    /// ## Pod Security Standards
    /// Baseline, PSA check `hostPathVolumes`, all versions. Field: `spec.volumes[*].hostPath`.
    /// Allowed: unset. At the restricted level `forbidden-volume-type`
    /// (`restrictedVolumes`) replaces this check.
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
    ///   volumes:
    ///   - name: host
    ///     hostPath: {path: /var/run}
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///   volumes:
    ///   - name: scratch
    ///     emptyDir: {}
    /// ```
    ///
    /// ## Fix
    /// Use an `emptyDir`, `configMap`, `secret` or `persistentVolumeClaim` volume instead.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline> (HostPath Volumes)
    /// - PSA source: `policy/check_hostPathVolumes.go`
    HOST_PATH_VOLUME {
        id: "host-path-volume",
        title: "Pod mounts a hostPath volume",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Baseline, check: "hostPathVolumes", since: 0, replaced_in_restricted_since: Some(0), also: None, }),
        fix: "replace the hostPath volume with emptyDir, configMap, secret or a persistentVolumeClaim",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    let hits: Vec<(usize, String)> = ctx
        .volumes()
        .filter(|(_, v, _)| ctx.get(Some(*v), "hostPath").is_some())
        .map(|(i, v, _)| {
            (
                i,
                ctx.str(ctx.get(Some(v), "name")).unwrap_or("").to_string(),
            )
        })
        .collect();
    for (i, name) in hits {
        ctx.report_pod(
            &format!("volumes/{i}/hostPath"),
            format!("hostPath volumes: volume {name:?} must not use hostPath"),
        );
    }
}
