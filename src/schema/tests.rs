//! The table against the Kubernetes API's field names and the versions each appeared
//! in, read independently of the generator from the `kubernetes` client wheels (each
//! model's `attribute_map`, one wheel per minor version) and matching the release notes
//! (AppArmor fields GA in v1.30, seccompProfile v1.19, user namespaces' hostUsers v1.25,
//! sidecar containers v1.28, the sleep action v1.29). The walk and the suggestions:
//! `walk_tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn table_spans_v1_17_to_v1_37() {
    assert_eq!((FIRST_MINOR, LAST_MINOR), (17, 37));
}

fn id(name: &str) -> ModelId {
    find_model(name).unwrap_or_else(|| panic!("no model {name}"))
}

/// The names of `model`'s fields in Kubernetes v1.`minor`, sorted.
fn fields(name: &str, minor: u32) -> Vec<&'static str> {
    model(id(name)).fields_at(minor).map(|f| f.name).collect()
}

/// The first and last minor versions of `model.field`.
fn range_of(name: &str, field: &str) -> (u32, u32) {
    model(id(name))
        .field(field)
        .and_then(|f| f.range())
        .unwrap()
}

/// The model of the values of `model.field` (its items, for a list).
fn field_model(name: &str, field: &str) -> &'static str {
    let f = model(id(name)).field(field).unwrap();
    model(f.ty.model().unwrap()).name
}

#[test]
fn pod_security_context_at_v1_37_and_v1_17() {
    assert_eq!(
        fields("PodSecurityContext", 37),
        [
            "appArmorProfile",
            "fsGroup",
            "fsGroupChangePolicy",
            "runAsGroup",
            "runAsNonRoot",
            "runAsUser",
            "seLinuxChangePolicy",
            "seLinuxOptions",
            "seccompProfile",
            "supplementalGroups",
            "supplementalGroupsPolicy",
            "sysctls",
            "windowsOptions",
        ]
    );
    assert_eq!(
        fields("PodSecurityContext", 17),
        [
            "fsGroup",
            "runAsGroup",
            "runAsNonRoot",
            "runAsUser",
            "seLinuxOptions",
            "supplementalGroups",
            "sysctls",
            "windowsOptions",
        ]
    );
}

#[test]
fn security_context_and_its_parts_at_v1_37() {
    assert_eq!(
        fields("SecurityContext", 37),
        [
            "allowPrivilegeEscalation",
            "appArmorProfile",
            "capabilities",
            "privileged",
            "procMount",
            "readOnlyRootFilesystem",
            "runAsGroup",
            "runAsNonRoot",
            "runAsUser",
            "seLinuxOptions",
            "seccompProfile",
            "windowsOptions",
        ]
    );
    assert_eq!(fields("Capabilities", 37), ["add", "drop"]);
    assert_eq!(fields("SeccompProfile", 37), ["localhostProfile", "type"]);
    assert_eq!(fields("AppArmorProfile", 37), ["localhostProfile", "type"]);
    assert_eq!(
        fields("SELinuxOptions", 37),
        ["level", "role", "type", "user"]
    );
    assert_eq!(
        fields("WindowsSecurityContextOptions", 37),
        [
            "gmsaCredentialSpec",
            "gmsaCredentialSpecName",
            "hostProcess",
            "runAsUserName"
        ]
    );
    assert_eq!(fields("Sysctl", 37), ["name", "value"]);
    assert_eq!(
        fields("HTTPGetAction", 37),
        ["host", "httpHeaders", "path", "port", "protocol", "scheme"]
    );
    // The container's `securityContext` and the pod's are two types.
    assert_eq!(
        field_model("Container", "securityContext"),
        "SecurityContext"
    );
    assert_eq!(
        field_model("PodSpec", "securityContext"),
        "PodSecurityContext"
    );
    assert_eq!(
        field_model("PodSpec", "ephemeralContainers"),
        "EphemeralContainer"
    );
}

#[test]
fn fields_since_their_version() {
    // appArmorProfile: v1.30 (GA of AppArmor fields); seccompProfile: v1.19.
    assert_eq!(range_of("PodSecurityContext", "appArmorProfile"), (30, 37));
    assert_eq!(range_of("SecurityContext", "appArmorProfile"), (30, 37));
    assert_eq!(range_of("PodSecurityContext", "seccompProfile"), (19, 37));
    assert_eq!(range_of("SecurityContext", "seccompProfile"), (19, 37));
    assert_eq!(
        range_of("PodSecurityContext", "fsGroupChangePolicy"),
        (18, 37)
    );
    assert_eq!(
        range_of("PodSecurityContext", "supplementalGroupsPolicy"),
        (31, 37)
    );
    assert_eq!(
        range_of("PodSecurityContext", "seLinuxChangePolicy"),
        (32, 37)
    );
    // hostUsers (user namespaces): v1.25; os: v1.23; pod-level resources: v1.32.
    assert_eq!(range_of("PodSpec", "hostUsers"), (25, 37));
    assert_eq!(range_of("PodSpec", "os"), (23, 37));
    assert_eq!(range_of("PodSpec", "resources"), (32, 37));
    // Sidecar containers (Container.restartPolicy): v1.28; gRPC probes: v1.23; the
    // sleep lifecycle action: v1.29; Lifecycle.stopSignal: v1.33.
    assert_eq!(range_of("Container", "restartPolicy"), (28, 37));
    assert_eq!(range_of("Probe", "grpc"), (23, 37));
    assert_eq!(range_of("LifecycleHandler", "sleep"), (29, 37));
    assert_eq!(range_of("Lifecycle", "stopSignal"), (33, 37));
    // A removed field: PodResourceClaim.source, v1.26 to v1.30.
    assert_eq!(range_of("PodResourceClaim", "source"), (26, 30));
    assert!(model(id("PodSpec")).field_at("hostUsers", 24).is_none());
    assert!(model(id("PodSpec")).field_at("hostUsers", 25).is_some());
}

/// A field whose type was renamed between versions has, in each version, the fields of
/// the type it had then: `Lifecycle.preStop` was a `Handler` to v1.22, then a
/// `LifecycleHandler`; a PVC's `resources` a `ResourceRequirements` to v1.28, then a
/// `VolumeResourceRequirements`; its `dataSourceRef` a `TypedLocalObjectReference` to
/// v1.25; `ResourceRequirements.claims` items a `ResourceClaim` to v1.33.
#[test]
fn renamed_types_keep_their_fields_in_every_version() {
    for hook in ["postStart", "preStop"] {
        let handler = field_model("Lifecycle", hook);
        assert_eq!(
            fields(handler, 17),
            ["exec", "httpGet", "tcpSocket"],
            "{hook}"
        );
        assert_eq!(
            fields(handler, 22),
            ["exec", "httpGet", "tcpSocket"],
            "{hook}"
        );
        assert_eq!(
            fields(handler, 29),
            ["exec", "httpGet", "sleep", "tcpSocket"]
        );
    }
    let pvc_resources = field_model("PersistentVolumeClaimSpec", "resources");
    assert_eq!(fields(pvc_resources, 17), ["limits", "requests"]);
    assert_eq!(fields(pvc_resources, 28), ["claims", "limits", "requests"]);
    assert_eq!(fields(pvc_resources, 29), ["limits", "requests"]);
    let data_source_ref = field_model("PersistentVolumeClaimSpec", "dataSourceRef");
    assert_eq!(fields(data_source_ref, 22), ["apiGroup", "kind", "name"]);
    assert_eq!(
        fields(data_source_ref, 26),
        ["apiGroup", "kind", "name", "namespace"]
    );
    let claim = field_model("ResourceRequirements", "claims");
    assert_eq!(fields(claim, 26), ["name"]);
    assert_eq!(fields(claim, 31), ["name", "request"]);
    assert_eq!(fields(claim, 37), ["name", "request"]);
}

#[test]
fn every_field_exists_only_where_its_model_does_and_types_resolve() {
    for m in MODELS {
        assert!(m.minors != 0, "{}", m.name);
        let names: Vec<&str> = m.fields.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "{}: fields sorted and unique", m.name);
        for f in m.fields {
            assert!(
                f.minors != 0 && f.minors & !m.minors == 0,
                "{}.{}",
                m.name,
                f.name
            );
            // The field's model exists in every version the field does: a field whose
            // model was renamed (`Handler` → `LifecycleHandler`) is walked in old
            // versions with the fields of the old model.
            if let Some(inner) = f.ty.model() {
                let inner = model(inner);
                assert!(!inner.name.is_empty(), "{}.{}", m.name, f.name);
                assert_eq!(
                    f.minors & !inner.minors,
                    0,
                    "{}.{}: its type {} is missing in some of its versions",
                    m.name,
                    f.name,
                    inner.name
                );
            }
        }
    }
    for kind in [
        ("v1", "Pod", "Pod"),
        ("apps/v1", "Deployment", "Deployment"),
        ("batch/v1", "CronJob", "CronJob"),
    ] {
        assert_eq!(model(root_model(kind.0, kind.1).unwrap()).name, kind.2);
    }
    assert!(root_model("extensions/v1beta1", "Deployment").is_none());
    assert_eq!(model(POD_TEMPLATE).name, "PodTemplateSpec");
    assert_eq!(fields("PodTemplateSpec", 37), ["metadata", "spec"]);
}
