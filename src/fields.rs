//! The `securityContext` fields: what each does and which values each Pod Security
//! Standards level allows in it, as a table ([`FIELDS`]) and as a short markdown text for
//! an editor's hover ([`security_context_doc`]).
//!
//! Sources:
//! - **What a field does, its type and its values**: the Kubernetes API reference of
//!   `PodSecurityContext` (the pod's `spec.securityContext`, 13 fields) and `SecurityContext`
//!   (a container's `securityContext`, 12 fields), with `Capabilities`, `SeccompProfile`,
//!   `AppArmorProfile`, `SELinuxOptions`, `WindowsSecurityContextOptions` and `Sysctl`
//!   (`k8s.io/api/core/v1`), in our own words.
//! - **What each level allows, and from which policy version**: Pod Security Admission's
//!   checks, as `shared/corpus/psa/CHECKS.md` gives them (read from
//!   `kubernetes/pod-security-admission` at commit `8f84a87`, `policy/check_*.go`). Each
//!   [`FieldRule`] names its PSA check ID.
//! - **Which kube-secctx rule reports it**: [`crate::rules::RULES`], looked up by PSA check
//!   ID; hardening rules and input diagnostics by the rule IDs in [`FieldDoc::rules`].
//!
//! No I/O, no panics; the table is plain data for any front end (the language server's
//! hover, the web page).

use crate::options::Level;
use crate::rules::{self, Category, Rule};

/// Where a `securityContext` sits: the pod's `spec.securityContext` (`PodSecurityContext`)
/// or a container's `securityContext` (`SecurityContext`). Init and ephemeral containers
/// are [`Scope::Container`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `spec.securityContext` (`PodSecurityContext`).
    Pod,
    /// `spec.{initContainers,containers,ephemeralContainers}[*].securityContext`
    /// (`SecurityContext`).
    Container,
}

impl Scope {
    /// `"pod"` or `"container"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Pod => "pod",
            Scope::Container => "container",
        }
    }
}

/// Which `securityContext` objects have a field (per the Kubernetes API types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scopes {
    /// Only `PodSecurityContext` (e.g. `fsGroup`, `sysctls`).
    Pod,
    /// Only `SecurityContext` (e.g. `privileged`, `capabilities`).
    Container,
    /// Both; a container's value overrides the pod's for that container (e.g. `runAsUser`).
    Both,
}

impl Scopes {
    /// Whether the field exists in a `securityContext` at `scope`.
    pub fn contains(self, scope: Scope) -> bool {
        matches!(
            (self, scope),
            (Scopes::Both, _) | (Scopes::Pod, Scope::Pod) | (Scopes::Container, Scope::Container)
        )
    }
}

/// The JSON type of a field's value, as the API decodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `true` / `false`.
    Boolean,
    /// An integer (`int64`: UIDs and GIDs).
    Integer,
    /// A string (often one of [`FieldDoc::values`]).
    String,
    /// An object of the sub-fields listed in [`FIELDS`].
    Object,
    /// A list of strings (`capabilities.add`, `capabilities.drop`).
    StringList,
    /// A list of integers (`supplementalGroups`).
    IntegerList,
    /// A list of objects with the keys [`FieldDoc::item_keys`] (`sysctls`).
    ObjectList,
}

impl Shape {
    /// The type in words: `"boolean"`, `"list of strings"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Boolean => "boolean",
            Shape::Integer => "integer",
            Shape::String => "string",
            Shape::Object => "object",
            Shape::StringList => "list of strings",
            Shape::IntegerList => "list of integers",
            Shape::ObjectList => "list of objects",
        }
    }

    /// Whether the value is a list (its items are addressed by numeric indices).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Shape::StringList | Shape::IntegerList | Shape::ObjectList
        )
    }
}

/// Values a level allows, grouped by the first policy version (`v1.<minor>`) that allows
/// them: a set that grows with the version is a slice of these, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Since {
    /// First policy version (`v1.<minor>`) that allows `values`.
    pub minor: u32,
    /// The values, as written in a manifest (exact, case-sensitive).
    pub values: &'static [&'static str],
}

/// The values of `groups` allowed at policy version `v1.<minor>`, in table order.
pub fn allowed_at(groups: &[Since], minor: u32) -> Vec<&'static str> {
    groups
        .iter()
        .filter(|g| g.minor <= minor)
        .flat_map(|g| g.values.iter().copied())
        .collect()
}

/// What one Pod Security Admission check allows in one field.
///
/// Source: `shared/corpus/psa/CHECKS.md` (PSA `policy/check_<check>.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldRule {
    /// The level of the check (a restricted check applies at restricted only; a baseline
    /// check at both, unless a restricted check overrides it: see
    /// [`crate::rules::PssInfo::replaced_in_restricted_since`]).
    pub level: Level,
    /// The PSA check ID, e.g. `"capabilities_baseline"`.
    pub check: &'static str,
    /// First policy version (`v1.<minor>`) at which the check reads this field. It can be
    /// later than the check's own first version: `seccompProfile_baseline` reads
    /// annotations before v1.19 and the fields from v1.19.
    pub since: u32,
    /// What the check allows in the field (markdown, one phrase). `{values}` stands for
    /// [`FieldRule::values`], formatted with the versions that add to them.
    pub allows: &'static str,
    /// The values the check allows, when it allows a list of them (empty otherwise).
    pub values: &'static [Since],
}

/// The documentation of one `securityContext` field: a row of [`FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldDoc {
    /// The keys below `securityContext`, e.g. `["seccompProfile", "type"]`; empty for the
    /// `securityContext` object itself.
    pub path: &'static [&'static str],
    /// Which `securityContext` objects have the field.
    pub scopes: Scopes,
    /// The type of its value.
    pub shape: Shape,
    /// The values the API accepts, for a string field with a fixed set (empty otherwise).
    pub values: &'static [&'static str],
    /// For a [`Shape::ObjectList`], the keys of its items (they resolve to this field).
    pub item_keys: &'static [&'static str],
    /// What the field does (markdown, one or two sentences; from the API reference).
    pub what: &'static str,
    /// What the Pod Security Standards checks allow in it (empty: no check reads it).
    pub pss: &'static [FieldRule],
    /// kube-secctx rules outside the Pod Security Standards about it (hardening rules and
    /// input diagnostics), by rule ID.
    pub rules: &'static [&'static str],
}

impl FieldDoc {
    /// The field's path below `securityContext`, dotted: `"seccompProfile.type"`.
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

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

/// The safe sysctls of the baseline level, by the version that added them (PSA `sysctls`:
/// variants v1.0, v1.27, v1.29, v1.32, v1.37).
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

/// The SELinux types the baseline level allows in `seLinuxOptions.type` besides unset and
/// empty (PSA `seLinuxOptions`: variants v1.0 and v1.31).
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

/// `RuntimeDefault` and `Localhost`: the seccomp and AppArmor profile types the Pod
/// Security Standards allow (`Unconfined` is the one they forbid).
const CONFINED: &[Since] = &[Since {
    minor: 0,
    values: &["RuntimeDefault", "Localhost"],
}];
const NET_BIND_SERVICE: &[Since] = &[Since {
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
/// is still found by [`lookup`], which says where it belongs.
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
        rules: &["pod-security-context-missing", "invalid-field-type"],
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
        rules: &["container-security-context-missing", "invalid-field-type"],
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

/// The row of [`FIELDS`] for `path` (keys below `securityContext`) in a `securityContext`
/// at `scope`: the row documented for that scope, else the row of the other scope (a
/// field in the wrong `securityContext`; check [`Scopes::contains`]). `None` for an
/// unknown field.
///
/// Numeric keys right after a list field are its items' indices and are skipped
/// (`["capabilities", "add", "0"]` is `capabilities.add`), and an item key of a list of
/// objects resolves to the list (`["sysctls", "0", "name"]` is `sysctls`). Nothing below
/// an item's value resolves.
pub fn lookup(scope: Scope, path: &[&str]) -> Option<&'static FieldDoc> {
    /// Where the walk is: at a field, in an item of a list field, or at an item's key.
    #[derive(Clone, Copy)]
    enum At {
        Field(&'static FieldDoc),
        Item(&'static FieldDoc),
        ItemKey(&'static FieldDoc),
    }
    let mut key: Vec<&str> = Vec::with_capacity(path.len());
    let mut at = At::Field(row(scope, &key)?);
    for &seg in path {
        at = match at {
            At::Field(doc) if doc.shape.is_list() && is_index(seg) => At::Item(doc),
            At::Field(doc) | At::Item(doc)
                if doc.shape == Shape::ObjectList && doc.item_keys.contains(&seg) =>
            {
                At::ItemKey(doc)
            }
            At::Field(_) => {
                key.push(seg);
                At::Field(row(scope, &key)?)
            }
            At::Item(_) | At::ItemKey(_) => return None,
        };
    }
    match at {
        At::Field(doc) | At::Item(doc) | At::ItemKey(doc) => Some(doc),
    }
}

/// The row for exactly `path`, preferring the one documented for `scope`.
fn row(scope: Scope, path: &[&str]) -> Option<&'static FieldDoc> {
    let mut rows = FIELDS.iter().filter(|f| f.path == path);
    let first = rows.next()?;
    if first.scopes.contains(scope) {
        return Some(first);
    }
    Some(rows.find(|f| f.scopes.contains(scope)).unwrap_or(first))
}

/// A list item's index: ASCII digits only.
fn is_index(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// The kube-secctx rule that runs PSA check `check` (its own check or its `also`), from
/// [`crate::rules::RULES`].
fn rule_for_check(check: &str) -> Option<&'static Rule> {
    rules::RULES
        .iter()
        .copied()
        .find(|r| r.psa_checks().iter().any(|&(_, c, _)| c == check))
}

/// Markdown documentation of the `securityContext` field at `path` (the keys below
/// `securityContext`, as [`lookup`] resolves them) in a `securityContext` at `scope`,
/// for an editor's hover. `None` for an unknown field.
///
/// Shape: a heading line (`**securityContext.runAsNonRoot** (pod) · *boolean*`), a
/// paragraph on what the field does, then **Pod Security Standards**: one bullet for
/// what `baseline` allows and one for `restricted`, each naming its PSA check ID and the
/// kube-secctx rule ID and the first policy version when it is not v1.0 (or one line "No
/// Pod Security Standards check reads this field"), then the kube-secctx hardening rules
/// and input diagnostics about the field. An empty `path` gives an overview of the
/// `securityContext` at `scope`: its fields and the checks that read them. A field of the
/// other scope (`fsGroup` in a container) says where it belongs and that it has no effect
/// here.
pub fn security_context_doc(scope: Scope, path: &[&str]) -> Option<String> {
    let doc = lookup(scope, path)?;
    let mut out = heading(doc, scope);
    if doc.path.is_empty() {
        overview(doc, scope, &mut out);
    } else if doc.scopes.contains(scope) {
        out.push_str(doc.what);
        out.push_str("\n\n");
        out.push_str(&pss_section(doc));
        other_rules(doc, &mut out);
    } else {
        let (level, home, here) = match scope {
            Scope::Container => (
                "pod-level",
                "the pod's `spec.securityContext`",
                "a container's `securityContext`",
            ),
            Scope::Pod => (
                "container-level",
                "each container's `securityContext`",
                "the pod's `spec.securityContext`",
            ),
        };
        out.push_str(&format!(
            "`{}` is a {level} field: it belongs in {home} and has no effect in {here} (the \
             API server drops an unknown field, or rejects it under strict field \
             validation). No Pod Security Standards check reads it here.\n\n{}",
            doc.dotted(),
            doc.what
        ));
    }
    Some(out)
}

/// `**securityContext.x.y** (pod) · *string*, one of `A`, `B``.
fn heading(doc: &FieldDoc, scope: Scope) -> String {
    let mut out = String::from("**securityContext");
    for key in doc.path {
        out.push('.');
        out.push_str(key);
    }
    out.push_str(&format!(
        "** ({}) · *{}*",
        scope.as_str(),
        doc.shape.as_str()
    ));
    if doc.path.is_empty() {
        out.push_str(match scope {
            Scope::Pod => " (`PodSecurityContext`)",
            Scope::Container => " (`SecurityContext`)",
        });
    }
    if !doc.values.is_empty() {
        out.push_str(", one of ");
        out.push_str(&code_list(doc.values));
    }
    if !doc.item_keys.is_empty() {
        out.push_str(" (");
        out.push_str(&code_list(doc.item_keys));
        out.push(')');
    }
    out.push_str("\n\n");
    out
}

/// The overview of a `securityContext` object: its fields, the PSS checks that read them,
/// and the rules about the object itself.
fn overview(doc: &FieldDoc, scope: Scope, out: &mut String) {
    out.push_str(doc.what);
    let fields: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.scopes.contains(scope))
        .filter_map(|f| match f.path {
            [one] => Some(*one),
            _ => None,
        })
        .collect();
    out.push_str("\n\nFields: ");
    out.push_str(&code_list(&fields));
    out.push_str(".\n\n");
    let mut checks: Vec<(Level, &str)> = FIELDS
        .iter()
        .filter(|f| f.scopes.contains(scope))
        .flat_map(|f| f.pss.iter().map(|r| (r.level, r.check)))
        .collect();
    checks.sort_unstable();
    checks.dedup();
    out.push_str("**Pod Security Standards** checks reading them:");
    for level in [Level::Baseline, Level::Restricted] {
        let ids: Vec<&str> = checks
            .iter()
            .filter(|c| c.0 == level)
            .map(|c| c.1)
            .collect();
        out.push_str(&format!(" {} {};", level.as_str(), code_list(&ids)));
    }
    out.push_str(" hover a field for what each level allows in it.");
    other_rules(doc, out);
}

/// The **Pod Security Standards** part of a field's doc.
fn pss_section(doc: &FieldDoc) -> String {
    let baseline: Vec<&FieldRule> = doc
        .pss
        .iter()
        .filter(|r| r.level == Level::Baseline)
        .collect();
    let restricted: Vec<&FieldRule> = doc
        .pss
        .iter()
        .filter(|r| r.level == Level::Restricted)
        .collect();
    if baseline.is_empty() && restricted.is_empty() {
        return "No Pod Security Standards check reads this field: baseline and restricted \
                allow any value."
            .to_string();
    }
    let mut out = String::from("**Pod Security Standards**\n- **baseline**: ");
    if baseline.is_empty() {
        out.push_str("any value");
    } else {
        let parts: Vec<String> = baseline.iter().map(|r| field_rule(r, &[])).collect();
        out.push_str(&parts.join("; "));
    }
    out.push_str("\n- **restricted**: ");
    if restricted.is_empty() {
        out.push_str(if baseline.is_empty() {
            "any value"
        } else {
            "as baseline"
        });
    } else {
        let parts: Vec<String> = restricted
            .iter()
            .map(|r| field_rule(r, &baseline))
            .collect();
        out.push_str(&parts.join("; "));
    }
    out
}

/// One check's phrase: `from v1.N: <allows>; before v1.N, as baseline — PSA check `c`,
/// rule `r``. `baseline` are the field's baseline rules, for a restricted rule that
/// starts after one of them (it replaces it from then on).
fn field_rule(rule: &FieldRule, baseline: &[&FieldRule]) -> String {
    let mut out = String::new();
    if rule.since > 0 {
        out.push_str(&format!("from v1.{}: ", rule.since));
    }
    out.push_str(
        &rule
            .allows
            .replace("{values}", &values_text(rule.values, rule.since)),
    );
    if rule.since > 0 && baseline.iter().any(|b| b.since < rule.since) {
        out.push_str(&format!("; before v1.{}, as baseline", rule.since));
    }
    out.push_str(&format!(" — PSA check `{}`", rule.check));
    if let Some(r) = rule_for_check(rule.check) {
        out.push_str(&format!(", rule `{}`", r.id));
    }
    out
}

/// `` `a` or `b` (v1.27 adds `c`; v1.29 adds `d` or `e`) ``: the values allowed from `since`, and
/// the later versions' additions.
fn values_text(groups: &[Since], since: u32) -> String {
    let base = allowed_at(groups, since);
    let mut out = or_list(&base);
    let later: Vec<String> = groups
        .iter()
        .filter(|g| g.minor > since)
        .map(|g| format!("v1.{} adds {}", g.minor, or_list(g.values)))
        .collect();
    if !later.is_empty() {
        out.push_str(&format!(" ({})", later.join("; ")));
    }
    out
}

/// The kube-secctx rules outside PSS about a field: `kube-secctx: rule `id` (hardening):
/// Title.`
fn other_rules(doc: &FieldDoc, out: &mut String) {
    let parts: Vec<String> = doc
        .rules
        .iter()
        .filter_map(|id| rules::rule(id))
        .map(|r| {
            let kind = match r.category {
                Category::Pss => "Pod Security Standards",
                Category::Hardening => "hardening",
                Category::Diagnostic => "input diagnostic",
            };
            format!("rule `{}` ({kind}): {}", r.id, r.title)
        })
        .collect();
    if !parts.is_empty() {
        out.push_str("\n\nkube-secctx ");
        out.push_str(&parts.join("; "));
        out.push('.');
    }
}

/// `` `a`, `b` or `c` ``.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or `{last}`", code_list(rest)),
        _ => code_list(items),
    }
}

/// `` `a`, `b`, `c` ``.
fn code_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{Options, PssVersion, LATEST_MINOR};

    fn doc(scope: Scope, path: &[&str]) -> String {
        security_context_doc(scope, path).unwrap_or_else(|| panic!("no doc for {path:?}"))
    }

    /// The bullet of `level` in a field's doc.
    fn level_line(text: &str, level: &str) -> String {
        let prefix = format!("- **{level}**: ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {level} line in:\n{text}"))
            .to_string()
    }

    #[test]
    fn run_as_non_root_restricted_true() {
        for scope in [Scope::Pod, Scope::Container] {
            let d = doc(scope, &["runAsNonRoot"]);
            assert!(
                d.starts_with(&format!(
                    "**securityContext.runAsNonRoot** ({}) · *boolean*",
                    scope.as_str()
                )),
                "{d}"
            );
            assert_eq!(level_line(&d, "baseline"), "any value");
            let r = level_line(&d, "restricted");
            assert!(
                r.starts_with("must be `true` at pod level or in every container"),
                "{r}"
            );
            assert!(r.contains("from v1.35 any value when `spec.hostUsers: false`"));
            assert!(r.contains("PSA check `runAsNonRoot`, rule `may-run-as-root`"));
            assert!(!r.contains("from v1.0"), "{r}");
        }
    }

    #[test]
    fn run_as_user_restricted_not_zero_from_v1_23() {
        let d = doc(Scope::Pod, &["runAsUser"]);
        assert_eq!(level_line(&d, "baseline"), "any value");
        let r = level_line(&d, "restricted");
        assert!(r.starts_with("from v1.23: unset or not `0`"), "{r}");
        assert!(r.contains("PSA check `runAsUser`, rule `run-as-root-user`"));
        // No baseline check on the field: nothing "as baseline" before v1.23.
        assert!(!r.contains("as baseline"), "{r}");
    }

    #[test]
    fn allow_privilege_escalation_restricted_false() {
        let d = doc(Scope::Container, &["allowPrivilegeEscalation"]);
        assert_eq!(level_line(&d, "baseline"), "any value");
        let r = level_line(&d, "restricted");
        assert!(
            r.starts_with("from v1.8: must be set to `false` in every container"),
            "{r}"
        );
        assert!(r.contains("exempt from v1.25"));
        assert!(r.contains("rule `privilege-escalation-allowed`"));
    }

    #[test]
    fn capabilities_add_default_set_and_net_bind_service() {
        const FROM_CHECKS_MD: &str = "`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, \
            `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, \
            `SETUID` or `SYS_CHROOT`";
        let d = doc(Scope::Container, &["capabilities", "add"]);
        let b = level_line(&d, "baseline");
        assert!(
            b.starts_with(&format!(
                "each entry must be one of {FROM_CHECKS_MD} (exact"
            )),
            "{b}"
        );
        assert!(b.contains("PSA check `capabilities_baseline`, rule `non-default-capabilities`"));
        let r = level_line(&d, "restricted");
        assert!(r.starts_with("from v1.22: only `NET_BIND_SERVICE`;"), "{r}");
        assert!(r.contains("before v1.22, as baseline"), "{r}");
        assert!(r.contains("rule `unrestricted-capabilities`"));
        // An index into the list is the list.
        assert_eq!(doc(Scope::Container, &["capabilities", "add", "0"]), d);
        assert_eq!(
            security_context_doc(Scope::Container, &["capabilities", "add", "0", "x"]),
            None
        );
    }

    #[test]
    fn capabilities_drop_must_include_all() {
        let d = doc(Scope::Container, &["capabilities", "drop"]);
        assert_eq!(level_line(&d, "baseline"), "any value");
        let r = level_line(&d, "restricted");
        assert!(r.starts_with("from v1.22: must contain `ALL`"), "{r}");
        assert!(!r.contains("as baseline"), "{r}");
        let parent = doc(Scope::Container, &["capabilities"]);
        assert!(level_line(&parent, "restricted").contains("`drop` must contain `ALL`"));
    }

    #[test]
    fn seccomp_type_baseline_and_restricted() {
        for scope in [Scope::Pod, Scope::Container] {
            let d = doc(scope, &["seccompProfile", "type"]);
            assert!(d.contains("one of `RuntimeDefault`, `Localhost`, `Unconfined`"));
            let b = level_line(&d, "baseline");
            assert!(
                b.starts_with(
                    "from v1.19: if set, `type` must be `RuntimeDefault` or `Localhost` (`Unconfined` fails)"
                ),
                "{b}"
            );
            assert!(b.contains("rule `unconfined-seccomp-profile`"));
            let r = level_line(&d, "restricted");
            assert!(
                r.starts_with(
                    "from v1.19: `type` must be `RuntimeDefault` or `Localhost`, set at pod level"
                ),
                "{r}"
            );
            assert!(r.contains("rule `missing-seccomp-profile`"));
            assert!(!r.contains("as baseline"), "{r}");
        }
    }

    #[test]
    fn selinux_type_list() {
        let d = doc(Scope::Pod, &["seLinuxOptions", "type"]);
        let b = level_line(&d, "baseline");
        assert!(
            b.starts_with(
                "unset, empty or one of `container_t`, `container_init_t` or `container_kvm_t` \
                 (v1.31 adds `container_engine_t`)"
            ),
            "{b}"
        );
        assert_eq!(level_line(&d, "restricted"), "as baseline");
        assert_eq!(
            allowed_at(SELINUX_TYPES, 30),
            ["container_t", "container_init_t", "container_kvm_t"]
        );
        assert_eq!(allowed_at(SELINUX_TYPES, 31).len(), 4);
        let level = doc(Scope::Container, &["seLinuxOptions", "level"]);
        assert!(level.contains("No Pod Security Standards check reads this field"));
    }

    #[test]
    fn proc_mount_default() {
        let d = doc(Scope::Container, &["procMount"]);
        let b = level_line(&d, "baseline");
        assert!(
            b.starts_with("unset or `Default` (`Unmasked` fails)"),
            "{b}"
        );
        assert!(b.contains("PSA check `procMount`, rule `unmasked-proc-mount`"));
        let r = level_line(&d, "restricted");
        assert!(
            r.starts_with("from v1.35: unset or `Default`, even when `spec.hostUsers: false`; before v1.35, as baseline"),
            "{r}"
        );
        assert!(r.contains("PSA check `procMount_restricted`, rule `unmasked-proc-mount`"));
    }

    #[test]
    fn sysctls_safe_set_per_version() {
        let d = doc(Scope::Pod, &["sysctls"]);
        let b = level_line(&d, "baseline");
        assert!(
            b.contains(
                "`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, \
                 `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range` or \
                 `net.ipv4.ip_unprivileged_port_start` (v1.27 adds \
                 `net.ipv4.ip_local_reserved_ports`; v1.29 adds `net.ipv4.tcp_keepalive_time`, \
                 `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl` or \
                 `net.ipv4.tcp_keepalive_probes`; v1.32 adds `net.ipv4.tcp_rmem` or \
                 `net.ipv4.tcp_wmem`; v1.37 adds `net.ipv4.tcp_slow_start_after_idle` or \
                 `net.ipv4.tcp_notsent_lowat`)"
            ),
            "{b}"
        );
        assert!(b.contains("rule `unsafe-sysctl`"));
        assert_eq!(level_line(&d, "restricted"), "as baseline");
        assert_eq!(allowed_at(SAFE_SYSCTLS, 0).len(), 5);
        assert_eq!(allowed_at(SAFE_SYSCTLS, 26).len(), 5);
        assert_eq!(allowed_at(SAFE_SYSCTLS, 27).len(), 6);
        assert_eq!(allowed_at(SAFE_SYSCTLS, 29).len(), 10);
        assert_eq!(allowed_at(SAFE_SYSCTLS, 32).len(), 12);
        assert_eq!(allowed_at(SAFE_SYSCTLS, 37).len(), 14);
        // Items and their keys resolve to the list.
        for path in [
            &["sysctls", "0"][..],
            &["sysctls", "0", "name"],
            &["sysctls", "3", "value"],
            &["sysctls", "name"],
        ] {
            assert_eq!(doc(Scope::Pod, path), d, "{path:?}");
        }
        assert_eq!(
            security_context_doc(Scope::Pod, &["sysctls", "0", "other"]),
            None
        );
        assert_eq!(
            security_context_doc(Scope::Pod, &["sysctls", "0", "name", "x"]),
            None
        );
    }

    #[test]
    fn privileged_baseline_false() {
        let d = doc(Scope::Container, &["privileged"]);
        let b = level_line(&d, "baseline");
        assert!(b.starts_with("unset or `false`; `true` fails"), "{b}");
        assert!(b.contains("PSA check `privileged`, rule `privileged-container`"));
        assert_eq!(level_line(&d, "restricted"), "as baseline");
    }

    #[test]
    fn apparmor_and_host_process_from_v1_0() {
        for path in [&["appArmorProfile"][..], &["appArmorProfile", "type"]] {
            let d = doc(Scope::Container, path);
            let b = level_line(&d, "baseline");
            assert!(
                b.starts_with("if set, `type` must be `RuntimeDefault` or `Localhost`"),
                "{b}"
            );
            assert!(b.contains("rule `forbidden-apparmor-profile`"));
        }
        let d = doc(Scope::Pod, &["windowsOptions", "hostProcess"]);
        let b = level_line(&d, "baseline");
        assert!(b.starts_with("`hostProcess` unset or `false`"), "{b}");
        assert!(b.contains("PSA check `windowsHostProcess`, rule `windows-host-process`"));
    }

    #[test]
    fn wrong_scope_says_where_it_belongs() {
        let d = doc(Scope::Container, &["fsGroup"]);
        assert!(
            d.starts_with("**securityContext.fsGroup** (container) · *integer*"),
            "{d}"
        );
        assert!(d.contains("`fsGroup` is a pod-level field"), "{d}");
        assert!(
            d.contains("has no effect in a container's `securityContext`"),
            "{d}"
        );
        let d = doc(Scope::Container, &["sysctls", "0", "name"]);
        assert!(d.contains("`sysctls` is a pod-level field"), "{d}");
        let d = doc(Scope::Pod, &["capabilities", "add"]);
        assert!(
            d.contains("`capabilities.add` is a container-level field"),
            "{d}"
        );
        let d = doc(Scope::Pod, &["readOnlyRootFilesystem"]);
        assert!(d.contains("is a container-level field"), "{d}");
    }

    #[test]
    fn readonly_root_names_its_hardening_rule() {
        let d = doc(Scope::Container, &["readOnlyRootFilesystem"]);
        assert!(d.contains("No Pod Security Standards check reads this field"));
        assert!(
            d.contains("rule `writable-root-filesystem` (hardening)"),
            "{d}"
        );
    }

    #[test]
    fn unknown_fields_are_none() {
        for (scope, path) in [
            (Scope::Pod, &["nope"][..]),
            (Scope::Container, &["runAsUser", "x"]),
            (Scope::Container, &["capabilities", "nope"]),
            (Scope::Pod, &["0"]),
            (Scope::Pod, &["runAsUser", "0"]),
            (Scope::Container, &["seccompProfile", "typ"]),
        ] {
            assert_eq!(security_context_doc(scope, path), None, "{path:?}");
        }
    }

    #[test]
    fn overview_lists_the_scope_fields() {
        let pod = doc(Scope::Pod, &[]);
        assert!(pod.starts_with("**securityContext** (pod) · *object* (`PodSecurityContext`)"));
        for f in [
            "fsGroup",
            "fsGroupChangePolicy",
            "runAsGroup",
            "runAsNonRoot",
            "runAsUser",
            "seLinuxChangePolicy",
            "seLinuxOptions",
            "seccompProfile",
            "appArmorProfile",
            "supplementalGroups",
            "supplementalGroupsPolicy",
            "sysctls",
            "windowsOptions",
        ] {
            assert!(pod.contains(&format!("`{f}`")), "{f}: {pod}");
        }
        assert!(!pod.contains("`privileged`"));
        assert!(pod.contains("rule `pod-security-context-missing` (hardening)"));
        let c = doc(Scope::Container, &[]);
        assert!(c.contains("rule `container-security-context-missing` (hardening)"));
        assert!(c.contains("`capabilities_restricted`"));
        assert!(!c.contains("`fsGroup`"));
    }

    /// The API's fields: 13 in `PodSecurityContext`, 12 in `SecurityContext`.
    #[test]
    fn every_api_field_is_documented() {
        let count = |scope: Scope| {
            FIELDS
                .iter()
                .filter(|f| f.path.len() == 1 && f.scopes.contains(scope))
                .count()
        };
        assert_eq!(count(Scope::Pod), 13);
        assert_eq!(count(Scope::Container), 12);
        // One row per path and scope; every sub-field has its parent.
        for (i, f) in FIELDS.iter().enumerate() {
            for g in FIELDS.iter().skip(i + 1) {
                assert!(
                    !(f.path == g.path
                        && [Scope::Pod, Scope::Container]
                            .iter()
                            .any(|&s| f.scopes.contains(s) && g.scopes.contains(s))),
                    "{:?} twice",
                    f.path
                );
            }
            if let Some((_, parent)) = f.path.split_last() {
                assert!(
                    FIELDS
                        .iter()
                        .any(|p| p.path == parent && (parent.is_empty() || p.scopes == f.scopes)),
                    "{:?} has no parent",
                    f.path
                );
            }
        }
    }

    /// Every field rule names a PSA check that a kube-secctx rule runs, at the level and
    /// no earlier than the version the rule table gives; `{values}` is used iff there are
    /// values; the other rules exist.
    #[test]
    fn the_table_agrees_with_the_rule_table() {
        for f in FIELDS {
            for r in f.pss {
                let rule = rule_for_check(r.check)
                    .unwrap_or_else(|| panic!("no rule runs check {}", r.check));
                let (level, _, since) = rule
                    .psa_checks()
                    .into_iter()
                    .find(|c| c.1 == r.check)
                    .unwrap();
                assert_eq!(level, r.level, "{}", r.check);
                assert!(r.since >= since, "{}", r.check);
                assert_eq!(
                    r.allows.contains("{values}"),
                    !r.values.is_empty(),
                    "{}",
                    r.check
                );
            }
            for id in f.rules {
                let rule = rules::rule(id).unwrap_or_else(|| panic!("no rule {id}"));
                assert_ne!(rule.category, Category::Pss, "{id}");
            }
        }
    }

    /// Every rule whose documentation is about a `securityContext` field is named by some
    /// field's doc.
    #[test]
    fn every_security_context_rule_is_mentioned() {
        let mut all = String::new();
        for f in FIELDS {
            for scope in [Scope::Pod, Scope::Container] {
                all.push_str(&security_context_doc(scope, f.path).unwrap());
            }
        }
        let mut n = 0;
        for rule in rules::RULES {
            if rule.docs.contains("securityContext") {
                n += 1;
                assert!(all.contains(&format!("rule `{}`", rule.id)), "{}", rule.id);
            }
        }
        assert!(n >= 17, "{n}");
    }

    /// The value lists give the engine's verdicts: each value allowed at a version passes
    /// the rule, the values of later versions fail it.
    #[test]
    fn the_value_lists_match_the_checks() {
        fn findings(rule: &str, minor: u32, level: Level, sc: &str, csc: &str) -> usize {
            let yaml = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {sc}\n  containers:\n  - name: c\n    image: i\n    securityContext: {csc}\n"
            );
            let opts = Options {
                level: Some(level),
                pss_version: PssVersion::V1(minor),
                select: vec![rule.to_string()],
                ..Options::default()
            };
            let report = crate::check("t.yaml", &yaml, &opts).unwrap();
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            report.findings.iter().filter(|f| f.rule == rule).count()
        }
        for minor in 0..=LATEST_MINOR {
            for group in SAFE_SYSCTLS {
                for name in group.values {
                    let sc = format!("{{sysctls: [{{name: {name}, value: '1'}}]}}");
                    let want = usize::from(group.minor > minor);
                    assert_eq!(
                        findings("unsafe-sysctl", minor, Level::Baseline, &sc, "{}"),
                        want,
                        "{name} at v1.{minor}"
                    );
                }
            }
            for group in SELINUX_TYPES {
                for t in group.values {
                    let sc = format!("{{seLinuxOptions: {{type: {t}}}}}");
                    let want = usize::from(group.minor > minor);
                    assert_eq!(
                        findings(
                            "forbidden-selinux-options",
                            minor,
                            Level::Baseline,
                            &sc,
                            "{}"
                        ),
                        want,
                        "{t} at v1.{minor}"
                    );
                }
            }
        }
        let pss_sc = "{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}";
        for cap in BASELINE_CAPABILITIES {
            let csc = format!("{{capabilities: {{add: [{cap}]}}}}");
            assert_eq!(
                findings(
                    "non-default-capabilities",
                    LATEST_MINOR,
                    Level::Baseline,
                    "{}",
                    &csc
                ),
                0,
                "{cap}"
            );
            let csc = format!(
                "{{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL], add: [{cap}]}}}}"
            );
            let n = findings(
                "unrestricted-capabilities",
                LATEST_MINOR,
                Level::Restricted,
                pss_sc,
                &csc,
            );
            let allowed = allowed_at(NET_BIND_SERVICE, LATEST_MINOR).contains(cap);
            assert_eq!(n == 0, allowed, "{cap}: {n}");
        }
        for bad in ["NET_RAW", "CAP_CHOWN", "chown"] {
            let csc = format!("{{capabilities: {{add: [{bad}]}}}}");
            assert_eq!(
                findings(
                    "non-default-capabilities",
                    LATEST_MINOR,
                    Level::Baseline,
                    "{}",
                    &csc
                ),
                1,
                "{bad}"
            );
        }
        // runAsUser: 0 passes before v1.23 and fails from it.
        for (minor, want) in [(22, 0), (23, 1)] {
            assert_eq!(
                findings(
                    "run-as-root-user",
                    minor,
                    Level::Restricted,
                    "{runAsUser: 0}",
                    "{}"
                ),
                want
            );
        }
    }
}
