//! Which change fixes a finding: one [`Plan`] per rule, read from the finding's JSON
//! pointer and the document, or the reason there is none ([`describe`] says it per rule
//! for the docs and `kube-secctx explain`).

use serde_json::{json, Value};

use super::ops::{tokens, Op};
use super::Applicability;
use crate::report::Finding;
use crate::workload::{Container, Workload};
use crate::yaml::{Document, NodeId, Resolved};

/// What a finding's fix changes, before it is written as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What the fix does, e.g. `set allowPrivilegeEscalation: false`.
    pub title: String,
    /// Safe or unsafe (see [`Applicability`]).
    pub applicability: Applicability,
    /// The changes, on the document's object.
    pub ops: Vec<Op>,
}

/// Why a finding has no automatic fix.
pub type NoFix = String;

/// Per rule: the fixes it offers, their class and why (markdown), shown by
/// `kube-secctx explain` and in the README.
pub fn describe(rule: &str) -> &'static str {
    match rule {
        "privilege-escalation-allowed" => "**safe** when the field is missing: sets `allowPrivilegeEscalation: false` in the container's `securityContext` (creating it). No ordinary image needs setuid binaries to gain privileges. **Unsafe** when the author wrote another value, and when the container is `privileged: true` or adds `SYS_ADMIN` (the API server rejects `allowPrivilegeEscalation: false` with either, so the fix also sets `privileged: false` or removes `SYS_ADMIN`).",
        "missing-seccomp-profile" => "**safe**: sets `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext` when the pod sets none (every container without its own inherits it), else in the container's. The runtime's default profile only blocks system calls ordinary images do not make. **Unsafe** when it overrides a profile the author wrote.",
        "pod-security-context-missing" => "**safe**: adds a pod `securityContext` holding only `seccompProfile: {type: RuntimeDefault}`. None for a Windows pod (the API server rejects seccomp there).",
        "container-security-context-missing" => "**safe**: adds a container `securityContext` holding only `allowPrivilegeEscalation: false`. None in a Windows pod.",
        "may-run-as-root" => "**unsafe**: sets `runAsNonRoot: true` in the pod's `securityContext` (or in the container's, where the container sets `false`). The kubelet then refuses to start an image whose user is root, such as `nginx:1.14.2`: check the image's `USER` first. None where a container it reaches runs as `runAsUser: 0` (the kubelet refuses that pair: choose a user first).",
        "unrestricted-capabilities" => "**unsafe**: adds `ALL` to `capabilities.drop` (creating the list), and removes each `capabilities.add` entry other than `NET_BIND_SERVICE`. A process that needs a capability (binding a port below 1024 without `NET_BIND_SERVICE`, changing file owners) fails.",
        "non-default-capabilities" => "**unsafe**: removes the capability from `capabilities.add`. The workload may need it.",
        "writable-root-filesystem" => "**unsafe**: sets `readOnlyRootFilesystem: true`. A process that writes outside its volumes fails; mount an `emptyDir` where it writes.",
        "privileged-container" => "**unsafe**: sets `privileged: false`. A workload that needs the host's devices stops working.",
        "host-namespaces" => "**unsafe**: sets `hostNetwork`, `hostPID` or `hostIPC` to `false`. A workload that needs the host's namespace stops working.",
        "host-port" => "**unsafe**: removes the `hostPort`. Clients that reach the pod on the node's port must use a Service instead.",
        "unsafe-sysctl" => "**unsafe**: removes the sysctl. A workload that needs it must get it from the node instead.",
        "unmasked-proc-mount" => "**unsafe**: sets `procMount: Default`.",
        "unconfined-seccomp-profile" => "**unsafe**: sets the profile to `RuntimeDefault` (`runtime/default` in an annotation). A workload that makes system calls the default profile blocks fails.",
        "forbidden-apparmor-profile" => "**unsafe**: sets the profile to `RuntimeDefault` (`runtime/default` in an annotation).",
        "windows-host-process" => "**unsafe**: sets `hostProcess: false`. A HostProcess container's image does not run without it.",
        "probe-or-lifecycle-host" => "**unsafe**: removes the container's probe and lifecycle `host` fields, so they reach the pod's own IP.",
        "host-path-volume" => "None: the pod reads or writes the node's files; replacing the volume (an `emptyDir`, a PersistentVolumeClaim, a ConfigMap) needs a person.",
        "forbidden-volume-type" => "None: which volume type replaces this one needs a person.",
        "run-as-root-user" => "None: which non-zero user ID the image can run as needs a person.",
        "forbidden-selinux-options" => "None: which SELinux options the workload needs is a person's call.",
        "duplicate-key" => "None: which of the two keys was meant needs a person (the later one is what Kubernetes reads).",
        "invalid-field-type" => "None: which value was meant needs a person.",
        "unknown-field" => "**unsafe**: renames a misspelled key to the field it resembles (the first \"did you mean\"; only the key's text changes), or moves an entry written at the wrong level to where the message says it belongs (its lines move, comments inside them included, re-indented; the mappings on the way are created). Unsafe because the field then takes effect. None when the mapping already has that field, when it belongs in each item of a list with several (`privileged` in a pod's `securityContext` with two containers), when the field there is already set, or when the field exists only in other Kubernetes versions (use a Kubernetes version that has it, or remove it).",
        "unknown-ignored-rule" => "**unsafe**: replaces the unknown ID with the closest rule ID (the first \"did you mean\"), when the annotation names only one unknown ID, a rule ID is close to it, and the value is not a block scalar (`|`, `>`). Unsafe because the corrected ID then suppresses that rule's findings for the resource: check it is the rule you meant to accept.",
        _ => "None.",
    }
}

/// The plan for `f`, a finding of `doc` (whose workloads are `workloads`), or why there
/// is none. `kube_minor`: the Kubernetes minor version the finding was judged with
/// ([`crate::Options::kube_version`]), which says which fields exist (`unknown-field`).
pub(crate) fn plan(
    doc: &Document<'_>,
    workloads: &[Workload],
    f: &Finding,
    kube_minor: u32,
) -> Result<Plan, NoFix> {
    // A missing field written misspelled beside (the near miss in the message): setting
    // the field would leave two keys for one setting; the misspelled one's rename
    // (`unknown-field`'s fix) is the fix.
    if f.rule != "unknown-field" && f.message.contains(crate::engine::NEAR_MISS_MARK) {
        return Err(
            "a key spelled like the field is there (see the message): rename it with \
             unknown-field's fix (--fix --unsafe-fixes) instead of adding a second key"
                .into(),
        );
    }
    match workload_of(workloads, &f.path) {
        Some(w) if f.rule == "unknown-field" => super::unknown::plan(doc, w, f, kube_minor),
        Some(w) => plan_for(doc, w, f),
        // A resource without a pod template (a Service's annotation): only the typo in
        // its ignore annotation has a fix, which needs no workload.
        None if f.rule == "unknown-ignored-rule" => ignore_typo(doc, &tokens(&f.path)),
        None => Err("no workload".into()),
    }
}

/// The workload a finding at `pointer` belongs to: the one whose root is the longest
/// prefix of it (a `List` item's, or the document's).
pub(crate) fn workload_of<'w>(workloads: &'w [Workload], pointer: &str) -> Option<&'w Workload> {
    workloads
        .iter()
        .filter(|w| {
            pointer
                .strip_prefix(w.root_pointer.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|w| w.root_pointer.len())
}

/// The plan for `f`, a finding of `doc` about workload `w`.
fn plan_for(doc: &Document<'_>, w: &Workload, f: &Finding) -> Result<Plan, NoFix> {
    let at = Planner {
        doc,
        w,
        path: tokens(&f.path),
    };
    let none = || Err(first_sentence(describe(f.rule)));
    match f.rule {
        "privileged-container" => at.set_value("privileged", json!(false)),
        "host-namespaces" => {
            let field = at.path.last().cloned().unwrap_or_default();
            at.set_value(&field, json!(false))
        }
        "unmasked-proc-mount" => at.set_value("procMount", json!("Default")),
        "windows-host-process" => at.set_value("hostProcess", json!(false)),
        "writable-root-filesystem" => Ok(Plan {
            title: "set readOnlyRootFilesystem: true".into(),
            applicability: Applicability::Unsafe,
            ops: vec![at.set_here(json!(true))],
        }),
        "unconfined-seccomp-profile" | "forbidden-apparmor-profile" => {
            if f.path.contains("/annotations/") {
                let key = at.path.last().cloned().unwrap_or_default();
                Ok(Plan {
                    title: format!("set annotation {key}: runtime/default"),
                    applicability: Applicability::Unsafe,
                    ops: vec![at.set_here(json!("runtime/default"))],
                })
            } else {
                at.set_value("type", json!("RuntimeDefault"))
            }
        }
        "privilege-escalation-allowed" => at.no_privilege_escalation(),
        "container-security-context-missing" => {
            if at.windows() {
                return Err(
                    "a Windows pod takes no allowPrivilegeEscalation (the API server rejects it)"
                        .into(),
                );
            }
            let c = at.container().ok_or("no container")?;
            let mut ops = vec![at.container_set(
                c,
                &["securityContext", "allowPrivilegeEscalation"],
                json!(false),
            )];
            ops.extend(at.privilege_conflicts(c));
            Ok(Plan {
                title: "add securityContext with allowPrivilegeEscalation: false".into(),
                applicability: Applicability::Safe,
                ops,
            })
        }
        "pod-security-context-missing" => {
            if at.windows() {
                return Err(
                    "a Windows pod takes no seccomp profile (the API server rejects it)".into(),
                );
            }
            Ok(Plan {
                title: "add securityContext with seccompProfile: {type: RuntimeDefault}".into(),
                applicability: Applicability::Safe,
                ops: vec![at.pod_set(
                    &["securityContext", "seccompProfile", "type"],
                    json!("RuntimeDefault"),
                )],
            })
        }
        "missing-seccomp-profile" => at.seccomp(),
        "may-run-as-root" => at.run_as_non_root(),
        "unrestricted-capabilities" | "non-default-capabilities" => at.capabilities(),
        "host-port" => {
            let port = at.scalar_here().unwrap_or_default();
            Ok(Plan {
                title: format!("remove hostPort {port}"),
                applicability: Applicability::Unsafe,
                ops: vec![Op::Remove {
                    path: at.path.clone(),
                }],
            })
        }
        "unsafe-sysctl" => {
            // `.../sysctls/N/name` or `.../sysctls/N`.
            let n = at
                .path
                .iter()
                .rposition(|t| t == "sysctls")
                .ok_or("no sysctl")?;
            let item: Vec<String> = at.path.get(..n + 2).ok_or("no sysctl")?.to_vec();
            let name = at
                .node(&item)
                .and_then(|s| doc.get(s, "name"))
                .and_then(|n| doc.str(n))
                .unwrap_or("");
            Ok(Plan {
                title: format!("remove sysctl {name}"),
                applicability: Applicability::Unsafe,
                ops: vec![Op::Remove { path: item }],
            })
        }
        "probe-or-lifecycle-host" => at.probe_hosts(),
        "unknown-ignored-rule" => ignore_typo(doc, &at.path),
        _ => none(),
    }
}

fn first_sentence(s: &str) -> String {
    let s = s.trim_start_matches("None: ");
    s.split(". ")
        .next()
        .unwrap_or(s)
        .trim_end_matches('.')
        .to_string()
}

struct Planner<'p, 'd> {
    doc: &'p Document<'d>,
    w: &'p Workload,
    path: Vec<String>,
}

/// The node at `path` (unescaped tokens from the document's root).
fn node_at(doc: &Document<'_>, path: &[String]) -> Option<NodeId> {
    let mut cur = doc.root?;
    for t in path {
        cur = match doc.map(cur) {
            Some(_) => doc.get(cur, t)?,
            None => *doc.seq(cur)?.get(t.parse::<usize>().ok()?)?,
        };
    }
    Some(cur)
}

/// `unknown-ignored-rule`: the annotation at `path` with its one unknown ID replaced
/// with the closest rule ID.
fn ignore_typo(doc: &Document<'_>, path: &[String]) -> Result<Plan, NoFix> {
    let node = node_at(doc, path).ok_or("no annotation")?;
    let scalar = doc.scalar(node).ok_or("the annotation is not a string")?;
    if scalar.style() == crate::yaml::Style::Block {
        return Err("the annotation is a block scalar: correct it by hand".into());
    }
    let text = scalar.text.to_string();
    let ids = crate::rules::RULES.iter().map(|r| r.id);
    let (at, id) = match crate::rules::unknown_ignored_ids(&text).as_slice() {
        [one] => *one,
        _ => return Err("the annotation names several unknown IDs: correct them by hand".into()),
    };
    let best = crate::suggest::did_you_mean(id, ids)
        .first()
        .copied()
        .ok_or("no rule ID is close to it: correct it by hand")?;
    let (before, after) = (
        text.get(..at).unwrap_or_default(),
        text.get(at + id.len()..).unwrap_or_default(),
    );
    Ok(Plan {
        title: format!("replace {id:?} with {best:?}"),
        applicability: Applicability::Unsafe,
        ops: vec![Op::Set {
            path: path.to_vec(),
            value: json!(format!("{before}{best}{after}")),
        }],
    })
}

impl Planner<'_, '_> {
    fn node(&self, path: &[String]) -> Option<NodeId> {
        node_at(self.doc, path)
    }

    fn scalar_here(&self) -> Option<String> {
        let s = self.doc.scalar(self.node(&self.path)?)?;
        Some(s.text.to_string())
    }

    fn set_here(&self, value: Value) -> Op {
        Op::Set {
            path: self.path.clone(),
            value,
        }
    }

    /// Sets the finding's own field (named `field`) to `value`: a change of a value the
    /// author wrote, so unsafe.
    fn set_value(&self, field: &str, value: Value) -> Result<Plan, NoFix> {
        let shown = super::ops::shown(&value);
        Ok(Plan {
            title: format!("set {field}: {shown}"),
            applicability: Applicability::Unsafe,
            ops: vec![self.set_here(value)],
        })
    }

    fn spec(&self) -> Vec<String> {
        tokens(&self.w.spec_pointer)
    }

    fn container(&self) -> Option<&Container> {
        self.w.container_at(&super::ops::to_pointer(&self.path))
    }

    fn container_path(&self, c: &Container) -> Vec<String> {
        tokens(&c.pointer(&self.w.spec_pointer))
    }

    fn container_set(&self, c: &Container, rel: &[&str], value: Value) -> Op {
        let mut path = self.container_path(c);
        path.extend(rel.iter().map(|s| s.to_string()));
        Op::Set { path, value }
    }

    fn pod_set(&self, rel: &[&str], value: Value) -> Op {
        let mut path = self.spec();
        path.extend(rel.iter().map(|s| s.to_string()));
        Op::Set { path, value }
    }

    fn get(&self, from: Option<NodeId>, keys: &[&str]) -> Option<NodeId> {
        keys.iter().try_fold(from?, |n, k| self.doc.get_set(n, k))
    }

    fn spec_node(&self) -> Option<NodeId> {
        self.w.spec
    }

    fn windows(&self) -> bool {
        self.get(self.spec_node(), &["os", "name"])
            .and_then(|n| self.doc.str(n))
            == Some("windows")
    }

    fn int_at(&self, node: Option<NodeId>) -> Option<i64> {
        match self.doc.scalar(node?)?.resolved() {
            Resolved::Int(i) => Some(i),
            _ => None,
        }
    }

    fn bool_at(&self, node: Option<NodeId>) -> Option<bool> {
        match self.doc.scalar(node?)?.resolved() {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Ops that make `allowPrivilegeEscalation: false` valid in container `c`: the API
    /// server rejects it with `privileged: true` or with `SYS_ADMIN` added.
    fn privilege_conflicts(&self, c: &Container) -> Vec<Op> {
        let sc = self.get(Some(c.node), &["securityContext"]);
        let mut ops = Vec::new();
        if self.bool_at(self.get(sc, &["privileged"])) == Some(true) {
            ops.push(self.container_set(c, &["securityContext", "privileged"], json!(false)));
        }
        if let Some(add) = self
            .get(sc, &["capabilities", "add"])
            .and_then(|a| self.doc.seq(a))
        {
            for (i, &item) in add.iter().enumerate() {
                if matches!(self.doc.str(item), Some("SYS_ADMIN" | "CAP_SYS_ADMIN")) {
                    let mut path = self.container_path(c);
                    path.extend(["securityContext", "capabilities", "add"].map(String::from));
                    path.push(i.to_string());
                    ops.push(Op::Remove { path });
                }
            }
        }
        ops
    }

    fn no_privilege_escalation(&self) -> Result<Plan, NoFix> {
        let c = self.container().ok_or("no container")?;
        let written = self.node(&self.path).is_some_and(|n| !self.doc.is_null(n));
        let conflicts = self.privilege_conflicts(c);
        let unsafe_ = written || !conflicts.is_empty();
        let mut title = "set allowPrivilegeEscalation: false".to_string();
        if !conflicts.is_empty() {
            title.push_str(
                " (and privileged: false / no SYS_ADMIN, which the API server requires with it)",
            );
        }
        let mut ops = vec![self.set_here(json!(false))];
        ops.extend(conflicts);
        Ok(Plan {
            title,
            applicability: if unsafe_ {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
            ops,
        })
    }

    /// `missing-seccomp-profile` on a container: the pod level when the pod sets no
    /// profile, else the container (overriding the pod's profile: unsafe).
    fn seccomp(&self) -> Result<Plan, NoFix> {
        let pod_sc = self.get(self.spec_node(), &["securityContext"]);
        let pod_profile = self.get(pod_sc, &["seccompProfile"]);
        let value = json!("RuntimeDefault");
        // A profile the finding is about, written (a type other than RuntimeDefault or
        // Localhost, or none): set where it is.
        let mut profile = self.path.clone();
        profile.pop();
        if self.node(&profile).is_some_and(|n| !self.doc.is_null(n)) {
            return self.set_value("type", value);
        }
        if pod_profile.is_none() {
            return Ok(Plan {
                title: "set seccompProfile: {type: RuntimeDefault} in the pod's securityContext"
                    .into(),
                applicability: Applicability::Safe,
                ops: vec![self.pod_set(&["securityContext", "seccompProfile", "type"], value)],
            });
        }
        // The pod sets a profile the container inherits, of another type (or none): the
        // pod's is set, as the pod's own finding does; the container inherits it.
        Ok(Plan {
            title: "set seccompProfile.type: RuntimeDefault in the pod's securityContext".into(),
            applicability: Applicability::Unsafe,
            ops: vec![self.pod_set(&["securityContext", "seccompProfile", "type"], value)],
        })
    }

    /// `may-run-as-root`: a `false` the author wrote becomes `true` where it is; a
    /// missing one is set at the pod level (every container that sets none inherits it).
    fn run_as_non_root(&self) -> Result<Plan, NoFix> {
        let value = json!(true);
        let root = || {
            Err(
                "the container runs as user 0 (runAsUser: 0), which runAsNonRoot: true \
                 forbids: choose a non-zero user first"
                    .to_string(),
            )
        };
        let pod_uid = self.int_at(self.get(self.spec_node(), &["securityContext", "runAsUser"]));
        let uid = |c: &Container| {
            self.int_at(self.get(Some(c.node), &["securityContext", "runAsUser"]))
                .or(pod_uid)
        };
        if self.node(&self.path).is_some_and(|n| !self.doc.is_null(n)) {
            // A `false` the author wrote: of this container, or of the pod.
            let zero = match self.container() {
                Some(c) => uid(c) == Some(0),
                None => pod_uid == Some(0),
            };
            if zero {
                return root();
            }
            return Ok(Plan {
                title: "set runAsNonRoot: true".into(),
                applicability: Applicability::Unsafe,
                ops: vec![self.set_here(value)],
            });
        }
        // The pod's setting reaches every container that sets none.
        let inherits = |c: &&Container| {
            self.get(Some(c.node), &["securityContext", "runAsNonRoot"])
                .is_none()
        };
        if self
            .w
            .containers
            .iter()
            .filter(inherits)
            .any(|c| uid(c) == Some(0))
        {
            return root();
        }
        Ok(Plan {
            title: "set runAsNonRoot: true in the pod's securityContext".into(),
            applicability: Applicability::Unsafe,
            ops: vec![self.pod_set(&["securityContext", "runAsNonRoot"], value)],
        })
    }

    /// `capabilities.drop` without `ALL`, or an entry of `capabilities.add`.
    fn capabilities(&self) -> Result<Plan, NoFix> {
        let n = self
            .path
            .iter()
            .rposition(|t| t == "capabilities")
            .ok_or("no capabilities")?;
        let caps: Vec<String> = self.path.get(..=n).ok_or("no capabilities")?.to_vec();
        match self.path.get(n + 1).map(String::as_str) {
            Some("add") if self.path.len() == n + 3 => {
                let name = self.scalar_here().unwrap_or_default();
                Ok(Plan {
                    title: format!("remove {name} from capabilities.add"),
                    applicability: Applicability::Unsafe,
                    ops: vec![Op::Remove {
                        path: self.path.clone(),
                    }],
                })
            }
            _ => {
                // Each added capability is a finding of its own, with its own fix.
                let mut drop = caps.clone();
                drop.push("drop".into());
                Ok(Plan {
                    title: "add ALL to capabilities.drop".into(),
                    applicability: Applicability::Unsafe,
                    ops: vec![Op::Append {
                        path: drop,
                        value: json!("ALL"),
                    }],
                })
            }
        }
    }

    /// Every probe and lifecycle `host` of the finding's container.
    fn probe_hosts(&self) -> Result<Plan, NoFix> {
        let c = self.container().ok_or("no container")?;
        let mut ops = Vec::new();
        for handler in [
            &["livenessProbe"][..],
            &["readinessProbe"],
            &["startupProbe"],
            &["lifecycle", "postStart"],
            &["lifecycle", "preStop"],
        ] {
            for action in ["httpGet", "tcpSocket"] {
                let mut keys: Vec<&str> = handler.to_vec();
                keys.extend([action, "host"]);
                let host = self.get(Some(c.node), &keys).and_then(|h| self.doc.str(h));
                if host.is_some_and(|h| !h.is_empty()) {
                    let mut path = self.container_path(c);
                    path.extend(keys.iter().map(|k| k.to_string()));
                    ops.push(Op::Remove { path });
                }
            }
        }
        if ops.is_empty() {
            return Err("no host field".into());
        }
        Ok(Plan {
            title: "remove the probe and lifecycle host fields".into(),
            applicability: Applicability::Unsafe,
            ops,
        })
    }
}
