//! The data of the field documentation: what each Pod Security Admission check allows in
//! each field (one [`FieldRule`] per check and field, from `shared/corpus/psa/CHECKS.md`)
//! and [`FIELDS`], a row per field (from the Kubernetes API reference).

use super::{FieldDoc, FieldRule, Scopes, Shape, Since};
use crate::options::Level;
use crate::rules::{BASELINE_CAPABILITIES, SAFE_SYSCTLS, SELINUX_TYPES};

/// `RuntimeDefault` and `Localhost`: the seccomp and AppArmor profile types the Pod
/// Security Standards allow (`Unconfined` is the one they forbid).
const CONFINED: &[Since] = &[Since {
    minor: 0,
    values: &["RuntimeDefault", "Localhost"],
}];
pub(super) const NET_BIND_SERVICE: &[Since] = &[Since {
    minor: 0,
    values: &["NET_BIND_SERVICE"],
}];
const ALL: &[Since] = &[Since {
    minor: 0,
    values: &["ALL"],
}];
const DEFAULT_PROC_MOUNT: &[Since] = &[Since {
    minor: 0,
    values: &["Default"],
}];
const BASELINE_CAPS: &[Since] = &[Since {
    minor: 0,
    values: BASELINE_CAPABILITIES,
}];

// The PSS rules of each field (CHECKS.md, one constant per check and field).

const PRIVILEGED: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "privileged",
    since: 0,
    allows: "unset or `false`; `true` fails",
    values: &[],
};
const CAPS_BASELINE_PARENT: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "capabilities_baseline",
    since: 0,
    allows: "`add` may hold only {values}; `drop` is not checked",
    values: BASELINE_CAPS,
};
const CAPS_RESTRICTED_PARENT: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "capabilities_restricted",
    since: 22,
    allows: "`drop` must contain `ALL` and `add` may hold only `NET_BIND_SERVICE`, in every \
             container (no `capabilities` fails); pods with `spec.os.name: windows` are \
             exempt from v1.25",
    values: &[],
};
const CAPS_ADD_BASELINE: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "capabilities_baseline",
    since: 0,
    allows: "each entry must be one of {values} (exact and case-sensitive: `CAP_CHOWN`, \
             `chown` and `NET_RAW` fail)",
    values: BASELINE_CAPS,
};
const CAPS_ADD_RESTRICTED: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "capabilities_restricted",
    since: 22,
    allows: "only {values}; pods with `spec.os.name: windows` are exempt from v1.25",
    values: NET_BIND_SERVICE,
};
const CAPS_DROP_RESTRICTED: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "capabilities_restricted",
    since: 22,
    allows: "must contain {values} (exact, case-sensitive) in every container; unset fails; \
             pods with `spec.os.name: windows` are exempt from v1.25",
    values: ALL,
};
const APPARMOR: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "appArmorProfile",
    since: 0,
    allows: "if set, `type` must be {values}; `Unconfined` and a missing or empty `type` \
             fail",
    values: CONFINED,
};
const SELINUX_PARENT: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "seLinuxOptions",
    since: 0,
    allows: "`type` unset, empty or one of {values}; `user` and `role` unset or empty; \
             `level` any",
    values: SELINUX_TYPES,
};
const SELINUX_TYPE: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "seLinuxOptions",
    since: 0,
    allows: "unset, empty or one of {values}",
    values: SELINUX_TYPES,
};
const SELINUX_USER_ROLE: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "seLinuxOptions",
    since: 0,
    allows: "unset or empty",
    values: &[],
};
const PROC_MOUNT: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "procMount",
    since: 0,
    allows: "unset or {values} (`Unmasked` fails); from v1.35 any value when \
             `spec.hostUsers: false`",
    values: DEFAULT_PROC_MOUNT,
};
const PROC_MOUNT_RESTRICTED: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "procMount_restricted",
    since: 35,
    allows: "unset or {values}, even when `spec.hostUsers: false`",
    values: DEFAULT_PROC_MOUNT,
};
const SECCOMP_BASELINE: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "seccompProfile_baseline",
    since: 19,
    allows: "if set, `type` must be {values} (`Unconfined` fails); before v1.19 the check reads \
             only the `seccomp.security.alpha.kubernetes.io` annotations",
    values: CONFINED,
};
const SECCOMP_RESTRICTED: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "seccompProfile_restricted",
    since: 19,
    allows: "`type` must be {values}, set at pod level or in every container (unset everywhere \
             fails; a container's `Unconfined` fails even under a valid pod value); pods \
             with `spec.os.name: windows` are exempt from v1.25",
    values: CONFINED,
};
const SYSCTLS: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "sysctls",
    since: 0,
    allows: "each `name` must be a safe sysctl: {values}; exact names only (no `/` \
             forms, no wildcards)",
    values: SAFE_SYSCTLS,
};
const HOST_PROCESS: FieldRule = FieldRule {
    level: Level::Baseline,
    check: "windowsHostProcess",
    since: 0,
    allows: "`hostProcess` unset or `false`, at pod level and in every container",
    values: &[],
};
const RUN_AS_NON_ROOT: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "runAsNonRoot",
    since: 0,
    allows: "must be `true` at pod level or in every container; `false` anywhere fails; \
             from v1.35 any value when `spec.hostUsers: false`",
    values: &[],
};
const RUN_AS_USER: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "runAsUser",
    since: 23,
    allows: "unset or not `0`, at pod level and in every container; from v1.35 any value \
             when `spec.hostUsers: false`",
    values: &[],
};
const ALLOW_PRIVILEGE_ESCALATION: FieldRule = FieldRule {
    level: Level::Restricted,
    check: "allowPrivilegeEscalation",
    since: 8,
    allows: "must be set to `false` in every container (unset or `true` fails); pods with \
             `spec.os.name: windows` are exempt from v1.25",
    values: &[],
};

/// Every documented `securityContext` field, for both scopes: the two `securityContext`
/// objects themselves (empty path), then the fields of `PodSecurityContext` and
/// `SecurityContext` (the current API's names) and their sub-fields.
///
/// A path appears once per [`Scopes`] it is documented for; a field of the other scope
/// is still found by [`lookup`](super::lookup), which says where it belongs.
pub static FIELDS: &[FieldDoc] = &[
    FieldDoc {
        path: &[],
        scopes: Scopes::Pod,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "The pod's security settings (`PodSecurityContext`): identity, groups, volume \
               ownership, kernel parameters and confinement for all its containers. A \
               container's own `securityContext` overrides the fields both have.",
        pss: &[],
        rules: &[
            "pod-security-context-missing",
            "invalid-field-type",
            "unknown-field",
        ],
    },
    FieldDoc {
        path: &[],
        scopes: Scopes::Container,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "This container's security settings (`SecurityContext`; init and ephemeral \
               containers too): privilege, capabilities, identity, root filesystem and \
               confinement. Its values override the pod's `securityContext` for the fields \
               both have.",
        pss: &[],
        rules: &[
            "container-security-context-missing",
            "invalid-field-type",
            "unknown-field",
        ],
    },
    // Both scopes.
    FieldDoc {
        path: &["runAsUser"],
        scopes: Scopes::Both,
        shape: Shape::Integer,
        values: &[],
        item_keys: &[],
        what: "The UID that runs the container's entrypoint; unset, the user of the image's \
               metadata. A container's value overrides the pod's.",
        pss: &[RUN_AS_USER],
        rules: &[],
    },
    FieldDoc {
        path: &["runAsGroup"],
        scopes: Scopes::Both,
        shape: Shape::Integer,
        values: &[],
        item_keys: &[],
        what: "The primary GID of the container's entrypoint process; unset, the runtime's \
               default. A container's value overrides the pod's.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["runAsNonRoot"],
        scopes: Scopes::Both,
        shape: Shape::Boolean,
        values: &[],
        item_keys: &[],
        what: "When `true`, the kubelet checks at start-up that the container does not run \
               as UID 0, and refuses to start it if it would. A container's value overrides \
               the pod's.",
        pss: &[RUN_AS_NON_ROOT],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxOptions"],
        scopes: Scopes::Both,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "The SELinux context (`user`, `role`, `type`, `level`) of the container's \
               processes; unset, the runtime allocates a random context per container. A \
               container's value overrides the pod's.",
        pss: &[SELINUX_PARENT],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxOptions", "type"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The SELinux type label of the container's processes (e.g. `container_t`).",
        pss: &[SELINUX_TYPE],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxOptions", "user"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The SELinux user label of the container's processes.",
        pss: &[SELINUX_USER_ROLE],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxOptions", "role"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The SELinux role label of the container's processes.",
        pss: &[SELINUX_USER_ROLE],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxOptions", "level"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The SELinux level (MLS/MCS) label of the container's processes (e.g. \
               `s0:c123,c456`).",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["seccompProfile"],
        scopes: Scopes::Both,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "The seccomp profile that filters the container's system calls: `type` \
               `RuntimeDefault` (the runtime's profile), `Localhost` (a file on the node, \
               `localhostProfile`) or `Unconfined` (no filter). A container's value \
               overrides the pod's.",
        pss: &[SECCOMP_BASELINE, SECCOMP_RESTRICTED],
        rules: &[],
    },
    FieldDoc {
        path: &["seccompProfile", "type"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &["RuntimeDefault", "Localhost", "Unconfined"],
        item_keys: &[],
        what: "Which seccomp profile applies: the container runtime's default, a profile \
               file on the node (`Localhost`, named by `localhostProfile`), or none \
               (`Unconfined`).",
        pss: &[SECCOMP_BASELINE, SECCOMP_RESTRICTED],
        rules: &[],
    },
    FieldDoc {
        path: &["seccompProfile", "localhostProfile"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The profile file for `type: Localhost`, relative to the kubelet's seccomp \
               profile directory; set only with `Localhost`. The checks read `type`.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["appArmorProfile"],
        scopes: Scopes::Both,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "The AppArmor profile that confines the container: `type` `RuntimeDefault`, \
               `Localhost` (a profile loaded on the node, `localhostProfile`) or \
               `Unconfined`. A field from Kubernetes v1.30 (before: the \
               `container.apparmor.security.beta.kubernetes.io/<container>` annotation); a \
               container's value overrides the pod's.",
        pss: &[APPARMOR],
        rules: &[],
    },
    FieldDoc {
        path: &["appArmorProfile", "type"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &["RuntimeDefault", "Localhost", "Unconfined"],
        item_keys: &[],
        what: "Which AppArmor profile applies: the container runtime's default, a profile \
               loaded on the node (`Localhost`, named by `localhostProfile`), or none \
               (`Unconfined`).",
        pss: &[APPARMOR],
        rules: &[],
    },
    FieldDoc {
        path: &["appArmorProfile", "localhostProfile"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The name of the AppArmor profile loaded on the node, for `type: Localhost`; \
               set only with `Localhost`. The check reads `type`.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["windowsOptions"],
        scopes: Scopes::Both,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "Windows-only settings: the GMSA credential spec (`gmsaCredentialSpecName`, \
               `gmsaCredentialSpec`), the user to run as (`runAsUserName`) and \
               `hostProcess`. A container's value overrides the pod's.",
        pss: &[HOST_PROCESS],
        rules: &[],
    },
    FieldDoc {
        path: &["windowsOptions", "hostProcess"],
        scopes: Scopes::Both,
        shape: Shape::Boolean,
        values: &[],
        item_keys: &[],
        what: "Runs the container as a Windows HostProcess container, with access to the \
               host. All containers of the pod must have the same value, and the pod needs \
               `hostNetwork: true`.",
        pss: &[HOST_PROCESS],
        rules: &[],
    },
    FieldDoc {
        path: &["windowsOptions", "runAsUserName"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The Windows user name that runs the container's entrypoint.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["windowsOptions", "gmsaCredentialSpecName"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The name of the `GMSACredentialSpec` resource to use (group managed service \
               account).",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["windowsOptions", "gmsaCredentialSpec"],
        scopes: Scopes::Both,
        shape: Shape::String,
        values: &[],
        item_keys: &[],
        what: "The contents of the GMSA credential spec named by `gmsaCredentialSpecName`, \
               inlined by the GMSA admission webhook.",
        pss: &[],
        rules: &[],
    },
    // Pod only.
    FieldDoc {
        path: &["fsGroup"],
        scopes: Scopes::Pod,
        shape: Shape::Integer,
        values: &[],
        item_keys: &[],
        what: "A supplemental group of every container of the pod. Volumes that support it \
               are made group-owned by this GID (setgid bit, group read-write) before they \
               are mounted; unset, the kubelet leaves volume ownership alone.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["fsGroupChangePolicy"],
        scopes: Scopes::Pod,
        shape: Shape::String,
        values: &["OnRootMismatch", "Always"],
        item_keys: &[],
        what: "When the kubelet changes a volume's ownership and permissions to `fsGroup`: \
               `Always` (the default) on every mount, `OnRootMismatch` only when the \
               volume's root does not match already. No effect on secret, configMap and \
               emptyDir volumes.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["supplementalGroups"],
        scopes: Scopes::Pod,
        shape: Shape::IntegerList,
        values: &[],
        item_keys: &[],
        what: "GIDs added to the first process of each container, besides its primary GID, \
               `fsGroup` and (unless `supplementalGroupsPolicy: Strict`) the groups the \
               image gives its user.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["supplementalGroupsPolicy"],
        scopes: Scopes::Pod,
        shape: Shape::String,
        values: &["Merge", "Strict"],
        item_keys: &[],
        what: "How the supplemental groups of each container's first process are computed: \
               `Merge` (the default) adds the groups the image's `/etc/group` gives the \
               user; `Strict` uses only `fsGroup`, `supplementalGroups` and `runAsGroup`.",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["seLinuxChangePolicy"],
        scopes: Scopes::Pod,
        shape: Shape::String,
        values: &["MountOption", "Recursive"],
        item_keys: &[],
        what: "How the pod's SELinux label is applied to its volumes: `Recursive` relabels \
               every file; `MountOption` mounts eligible volumes with `-o context=...` \
               (faster, but every pod sharing a volume must use the same label).",
        pss: &[],
        rules: &[],
    },
    FieldDoc {
        path: &["sysctls"],
        scopes: Scopes::Pod,
        shape: Shape::ObjectList,
        values: &[],
        item_keys: &["name", "value"],
        what: "Namespaced kernel parameters set for the pod, as `{name, value}` items. A \
               sysctl the container runtime does not support can keep the pod from \
               starting.",
        pss: &[SYSCTLS],
        rules: &[],
    },
    // Container only.
    FieldDoc {
        path: &["privileged"],
        scopes: Scopes::Container,
        shape: Shape::Boolean,
        values: &[],
        item_keys: &[],
        what: "Runs the container privileged: its processes are essentially root on the \
               host. Defaults to `false`.",
        pss: &[PRIVILEGED],
        rules: &[],
    },
    FieldDoc {
        path: &["allowPrivilegeEscalation"],
        scopes: Scopes::Container,
        shape: Shape::Boolean,
        values: &[],
        item_keys: &[],
        what: "Whether a process can gain more privileges than its parent (setuid binaries, \
               file capabilities): `false` sets `no_new_privs` on the container's process. \
               Always true for a privileged container or one with `CAP_SYS_ADMIN`.",
        pss: &[ALLOW_PRIVILEGE_ESCALATION],
        rules: &[],
    },
    FieldDoc {
        path: &["capabilities"],
        scopes: Scopes::Container,
        shape: Shape::Object,
        values: &[],
        item_keys: &[],
        what: "Linux capabilities to add to (`add`) or remove from (`drop`) the container \
               runtime's default set.",
        pss: &[CAPS_BASELINE_PARENT, CAPS_RESTRICTED_PARENT],
        rules: &[],
    },
    FieldDoc {
        path: &["capabilities", "add"],
        scopes: Scopes::Container,
        shape: Shape::StringList,
        values: &[],
        item_keys: &[],
        what: "Capabilities to add to the container runtime's default set (names without \
               `CAP_`, e.g. `NET_BIND_SERVICE`).",
        pss: &[CAPS_ADD_BASELINE, CAPS_ADD_RESTRICTED],
        rules: &[],
    },
    FieldDoc {
        path: &["capabilities", "drop"],
        scopes: Scopes::Container,
        shape: Shape::StringList,
        values: &[],
        item_keys: &[],
        what: "Capabilities to remove from the container runtime's default set; `ALL` \
               removes every one.",
        pss: &[CAPS_DROP_RESTRICTED],
        rules: &[],
    },
    FieldDoc {
        path: &["readOnlyRootFilesystem"],
        scopes: Scopes::Container,
        shape: Shape::Boolean,
        values: &[],
        item_keys: &[],
        what: "Mounts the container's root filesystem read-only: the program can write only \
               to its volumes. Defaults to `false`.",
        pss: &[],
        rules: &["writable-root-filesystem"],
    },
    FieldDoc {
        path: &["procMount"],
        scopes: Scopes::Container,
        shape: Shape::String,
        values: &["Default", "Unmasked"],
        item_keys: &[],
        what: "The kind of `/proc` mount: `Default` keeps the runtime's masked and read-only \
               paths, `Unmasked` exposes them.",
        pss: &[PROC_MOUNT, PROC_MOUNT_RESTRICTED],
        rules: &[],
    },
];
