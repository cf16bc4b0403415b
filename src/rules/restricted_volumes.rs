//! `forbidden-volume-type` — PSA check `restrictedVolumes` (restricted).
use super::Ctx;

/// Volume sources of the core/v1 `VolumeSource` that the restricted level forbids.
pub const FORBIDDEN_VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// Volume sources the restricted level allows (PSA checks these first: a volume that sets
/// one of them passes, whatever else it sets).
pub const ALLOWED_VOLUME_SOURCES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

declare_rule! {
    /// ## What it checks
    /// A volume uses a source type other than `configMap`, `csi`, `downwardAPI`,
    /// `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected` or `secret`.
    /// One finding per such volume, at the key of its source (`hostPath:`, `nfs:`), not at
    /// the first key inside it.
    ///
    /// ## Why it matters
    /// Other volume types (hostPath, NFS, iSCSI, cloud disks mounted directly, `gitRepo`)
    /// reach outside what the cluster administrator provisions for pods, or run
    /// privileged helpers on the node.
    ///
    /// ## Pod Security Standards
    /// Restricted, PSA check `restrictedVolumes`, all versions. Field: `spec.volumes[*]`.
    /// A volume with no source at all counts as `emptyDir`, as the API server defaults
    /// it; a source set to `null` counts as absent. As in PSA, a volume that sets an
    /// allowed source passes even if it also sets a forbidden one (the API server rejects
    /// a volume with two sources anyway). This check replaces `host-path-volume` (`hostPathVolumes`) at the restricted
    /// level.
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
    ///   - name: data
    ///     nfs: {server: nfs.example, path: /exports}
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
    ///   - name: data
    ///     persistentVolumeClaim: {claimName: data}
    /// ```
    ///
    /// ## Fix
    /// Use a `persistentVolumeClaim` (backed by a StorageClass or PersistentVolume the
    /// administrator manages), or `configMap`, `secret`, `emptyDir`, `projected`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted> (Volume Types)
    /// - PSA source: `policy/check_restrictedVolumes.go`
    FORBIDDEN_VOLUME_TYPE {
        id: "forbidden-volume-type",
        title: "Volume type not allowed by the restricted level",
        severity: Error,
        category: Pss,
        pss: Some(super::PssInfo { level: crate::options::Level::Restricted, check: "restrictedVolumes", since: 0, replaced_in_restricted_since: None, also: None, }),
        fix: "use a persistentVolumeClaim, configMap, secret, emptyDir, projected, csi, ephemeral or image volume",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    let set = |e: &&crate::yaml::Entry<'_>, list: &[&str]| {
        list.contains(&e.key.as_ref()) && !ctx.doc.is_null(e.value)
    };
    let hits: Vec<(usize, String, String)> = ctx
        .volumes()
        // As in PSA, a volume with an allowed source passes whatever else it sets.
        .filter(|(_, _, entries)| !entries.iter().any(|e| set(&e, ALLOWED_VOLUME_SOURCES)))
        .filter_map(|(i, v, entries)| {
            let bad = entries.iter().find(|e| set(e, FORBIDDEN_VOLUME_SOURCES))?;
            let name = ctx.str(ctx.get(Some(v), "name")).unwrap_or("");
            Some((i, name.to_string(), bad.key.to_string()))
        })
        .collect();
    for (i, name, key) in hits {
        ctx.report_pod(
            &format!("volumes/{i}/{key}"),
            format!("restricted volume types: volume {name:?} uses restricted volume type {key:?}"),
        );
    }
}
