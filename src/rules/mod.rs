//! The rule registry: every rule's metadata, docs and check, declared once per file.
//!
//! A rule's check sees one pod spec through [`Ctx`] and reports [`Hit`]s: a JSON pointer
//! (of the field the finding is about, even a missing one) and a message. The engine
//! (`crate::engine`) turns pointers into spans, applies levels, versions, selection and
//! suppression, and builds findings.

use crate::options::Level;
use std::sync::Arc;

use crate::position::Lines;
use crate::report::{Group, Severity};
use crate::workload::{Container, Workload};
use crate::yaml::{Document, Entry, NodeId, Resolved, Span, Style};

/// Declares a rule: doc comment (the rule's documentation, markdown) plus metadata.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            title: $title:literal,
            severity: $sev:ident,
            category: $cat:ident,
            pss: $pss:expr,
            fix: $fix:literal,
            check: $check:path $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            title: $title,
            severity: $crate::report::Severity::$sev,
            category: $crate::rules::Category::$cat,
            pss: $pss,
            fix: $fix,
            docs: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

mod allow_privilege_escalation;
mod apparmor;
mod capabilities_baseline;
mod capabilities_restricted;
mod container_security_context;
mod duplicate_key;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes;
mod invalid_field_type;
mod pod_security_context;
mod privileged;
mod proc_mount;
mod read_only_root;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod seccomp_baseline;
mod seccomp_restricted;
mod selinux;
mod sysctls;
mod unknown_field;
mod unknown_ignored_rule;
mod windows_host_process;

pub use capabilities_baseline::BASELINE_CAPABILITIES;
pub(crate) use duplicate_key::DUPLICATE_KEY;
pub use selinux::SELINUX_TYPES;
pub use sysctls::SAFE_SYSCTLS;
pub(crate) use unknown_field::UNKNOWN_FIELD;
pub(crate) use unknown_ignored_rule::unknown_ids as unknown_ignored_ids;
pub(crate) use unknown_ignored_rule::unknown_in as unknown_ignored_in;
pub(crate) use unknown_ignored_rule::UNKNOWN_IGNORED_RULE;

/// Values a level allows, grouped by the first policy version (`v1.<minor>`) that allows
/// them: a set that grows with the version is a slice of these, oldest first
/// ([`SAFE_SYSCTLS`], [`SELINUX_TYPES`]). The checks read them with [`is_allowed_at`];
/// [`crate::fields`] shows them.
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

/// Whether `value` is one of the values of `groups` allowed at policy version
/// `v1.<minor>` (exact, case-sensitive).
pub fn is_allowed_at(groups: &[Since], minor: u32, value: &str) -> bool {
    groups
        .iter()
        .any(|g| g.minor <= minor && g.values.contains(&value))
}

/// What kind of rule this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A Pod Security Standards check, with PSA's semantics.
    Pss,
    /// A hardening rule beyond PSS.
    Hardening,
    /// An input diagnostic: the manifest is ambiguous or the API server would reject it.
    Diagnostic,
}

/// How a Pod Security Standards rule maps to Pod Security Admission checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssInfo {
    /// The level of the PSA check.
    pub level: Level,
    /// The PSA check ID.
    pub check: &'static str,
    /// First policy version (`v1.N` minor) the check applies to.
    pub since: u32,
    /// From this minor version on, the restricted level replaces this baseline check
    /// with a stricter one (`OverrideCheckIDs` in PSA).
    pub replaced_in_restricted_since: Option<u32>,
    /// A second PSA check the same rule runs as: `(level, check ID, first minor version)`.
    /// Only `unmasked-proc-mount` has one (`procMount_restricted`, restricted, v1.35+).
    pub also: Option<(Level, &'static str, u32)>,
}

/// A rule: metadata, docs and its check.
pub struct Rule {
    /// Kebab-case ID naming the bad pattern.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// PSS, hardening or diagnostic.
    pub category: Category,
    /// PSA mapping for PSS rules.
    pub pss: Option<PssInfo>,
    /// How to fix a finding.
    pub fix: &'static str,
    /// The documentation (markdown, from the rule's doc comment).
    pub docs: &'static str,
    /// The check.
    pub check: fn(&mut Ctx<'_, '_, '_>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

impl Rule {
    /// The rule's docs with the doc-comment indentation removed.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// Every PSA check this rule implements, as `(level, check ID, first minor version)`.
    pub fn psa_checks(&self) -> Vec<(Level, &'static str, u32)> {
        self.pss
            .map(|p| {
                std::iter::once((p.level, p.check, p.since))
                    .chain(p.also)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether this PSS rule runs at `level` and minor version `version`, and if so which
    /// PSA check ID it runs as. Non-PSS rules return `None`.
    pub fn pss_check_at(&self, level: Level, version: u32) -> Option<&'static str> {
        let pss = self.pss?;
        if pss.level > level || version < pss.since {
            return None;
        }
        if level == Level::Restricted {
            if let Some(since) = pss.replaced_in_restricted_since {
                if version >= since {
                    return None;
                }
            }
        }
        Some(pss.check)
    }
}

/// Every rule, PSS rules first in PSA's order (baseline checks, then restricted), then
/// the hardening rules, then the input diagnostics.
pub static RULES: &[&Rule] = &[
    &host_namespaces::HOST_NAMESPACES,
    &privileged::PRIVILEGED_CONTAINER,
    &capabilities_baseline::NON_DEFAULT_CAPABILITIES,
    &host_path_volumes::HOST_PATH_VOLUME,
    &host_ports::HOST_PORT,
    &apparmor::FORBIDDEN_APPARMOR_PROFILE,
    &selinux::FORBIDDEN_SELINUX_OPTIONS,
    &proc_mount::UNMASKED_PROC_MOUNT,
    &seccomp_baseline::UNCONFINED_SECCOMP_PROFILE,
    &sysctls::UNSAFE_SYSCTL,
    &windows_host_process::WINDOWS_HOST_PROCESS,
    &host_probes::PROBE_OR_LIFECYCLE_HOST,
    &restricted_volumes::FORBIDDEN_VOLUME_TYPE,
    &run_as_non_root::MAY_RUN_AS_ROOT,
    &allow_privilege_escalation::PRIVILEGE_ESCALATION_ALLOWED,
    &seccomp_restricted::MISSING_SECCOMP_PROFILE,
    &capabilities_restricted::UNRESTRICTED_CAPABILITIES,
    &run_as_user::RUN_AS_ROOT_USER,
    &pod_security_context::POD_SECURITY_CONTEXT_MISSING,
    &container_security_context::CONTAINER_SECURITY_CONTEXT_MISSING,
    &read_only_root::WRITABLE_ROOT_FILESYSTEM,
    &duplicate_key::DUPLICATE_KEY,
    &invalid_field_type::INVALID_FIELD_TYPE,
    &unknown_field::UNKNOWN_FIELD,
    &unknown_ignored_rule::UNKNOWN_IGNORED_RULE,
];

/// The rule with this ID.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// What a check reports: the pointer of the field, a message, and optionally the
/// PSA check that ran (when one rule covers two checks), an exact span, or the
/// [`Group`] of a finding per entry.
#[derive(Debug, Clone)]
pub struct Hit {
    /// JSON pointer of the field (absolute, from the document root).
    pub pointer: String,
    /// The container's name, for container findings.
    pub container: Option<String>,
    /// The container's index in [`Workload::containers`], for container findings
    /// ([`Hit::container`] is then that container's name: the engine takes it as is).
    pub container_index: Option<usize>,
    /// The message.
    pub message: String,
    /// The PSA check that ran, when it differs from the rule's own.
    pub check: Option<(Level, &'static str)>,
    /// An exact span, when the finding is about a key rather than a value.
    pub span: Option<Span>,
    /// The one admission violation this hit is part of, for a check that reports each
    /// offending entry of a list (see [`Group`]).
    pub group: Option<Arc<Group>>,
}

/// What a check sees: one workload's pod spec, the level and version being evaluated.
pub struct Ctx<'w, 'd, 'a> {
    /// The document.
    pub doc: &'d Document<'a>,
    /// The workload.
    pub workload: &'w Workload,
    /// The pod spec node.
    pub spec: NodeId,
    /// Level being evaluated (restricted for the default profile).
    pub level: Level,
    /// Policy version, as the minor of `v1.N` (latest resolved).
    pub version: u32,
    /// The Kubernetes version whose API fields exist, as the minor of `v1.N`
    /// ([`crate::options::KubeVersion::minor`]; `unknown-field`).
    pub kube_minor: u32,
    /// Line index of the text (for messages that name a line); `None` for objects
    /// checked without text.
    pub(crate) lines: Option<&'d Lines<'a>>,
    pub(crate) hits: Vec<Hit>,
    /// What the resource's budgets still allow (see [`Room`]).
    pub(crate) room: Room,
    /// The resource's keys that are not fields, when the engine walked them for the
    /// resource (it does when `unknown-field` runs: the near miss of every finding reads
    /// them too); `None`: the rule walks them itself.
    pub(crate) unknown: Option<&'w [crate::schema::Unknown<'d>]>,
}

/// The keys of workload `w` of `doc` that are not fields in Kubernetes v1.`minor`, in
/// document order (empty when the table does not describe the workload).
pub(crate) fn unknown_fields_of<'d>(
    doc: &'d Document<'_>,
    w: &Workload,
    minor: u32,
) -> Vec<crate::schema::Unknown<'d>> {
    let mut found = Vec::new();
    if let Some(start) = crate::schema::start(doc, w) {
        crate::schema::unknown_fields(doc, &start, minor, &mut |u| found.push(u));
    }
    found
}

/// What a resource may still report: findings, and bytes of their JSON pointers and
/// messages ([`crate::Limits::max_findings_per_resource`],
/// [`crate::Limits::max_finding_bytes_per_resource`]). A hit past either is dropped and
/// `full` is set; the engine then runs no more rules on the resource and reports an
/// error entry naming the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Room {
    pub(crate) findings: usize,
    pub(crate) bytes: usize,
    pub(crate) full: bool,
}

impl<'w, 'd, 'a> Ctx<'w, 'd, 'a> {
    /// Containers in PSA order: init, regular, ephemeral.
    pub fn containers(&self) -> &'w [Container] {
        &self.workload.containers
    }

    /// The value of `key` under `node`, `null` treated as absent.
    pub fn get(&self, node: Option<NodeId>, key: &str) -> Option<NodeId> {
        self.doc.get_set(node?, key)
    }

    /// Walks several keys.
    pub fn path(&self, node: Option<NodeId>, keys: &[&str]) -> Option<NodeId> {
        keys.iter().try_fold(node?, |n, k| self.doc.get_set(n, k))
    }

    /// The 1-based line of byte `offset` of the text (1 without text).
    pub fn line_number(&self, offset: usize) -> usize {
        self.lines.map_or(0, |l| l.line(offset)) + 1
    }

    /// The pod's volumes that are mappings, with their index in `spec.volumes` and their
    /// entries (PSA's `hostPathVolumes` and `restrictedVolumes` walk them alike).
    pub fn volumes(&self) -> impl Iterator<Item = (usize, NodeId, &'d [Entry<'a>])> + '_ {
        self.get(Some(self.spec), "volumes")
            .and_then(|v| self.doc.seq(v))
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter_map(|(i, &v)| self.doc.map(v).map(|entries| (i, v, entries)))
    }

    /// The pod-level `spec.securityContext`, if set.
    pub fn pod_sc(&self) -> Option<NodeId> {
        // The workload's, found once, when `spec` is its pod spec.
        match self.workload.spec {
            Some(spec) if spec == self.spec => self.workload.pod_security_context,
            _ => self.doc.get_set(self.spec, "securityContext"),
        }
    }

    /// A container's `securityContext`, if set.
    pub fn sc(&self, c: &Container) -> Option<NodeId> {
        c.security_context
    }

    /// A boolean field as the API would decode it. A quoted `"true"`/`"false"` is read as
    /// the boolean (the `invalid-field-type` rule reports it), anything else as unset.
    pub fn bool(&self, node: Option<NodeId>) -> Option<bool> {
        let s = self.doc.scalar(node?)?;
        match s.resolved() {
            Resolved::Bool(b) => Some(b),
            Resolved::Str if s.style() != Style::Plain => match s.text.as_ref() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An integer field; a quoted integer is read as the integer (see [`Ctx::bool`]).
    /// A float without a fractional part (`0.0`, `1e3`) is that integer: the YAML→JSON
    /// conversion writes it as `0` or `1000`, which the API decodes into an integer field.
    pub fn int(&self, node: Option<NodeId>) -> Option<i64> {
        let s = self.doc.scalar(node?)?;
        match s.resolved() {
            Resolved::Int(i) => Some(i),
            Resolved::Float(f) => integral(f),
            Resolved::Str if s.style() != Style::Plain => s.text.trim().parse().ok(),
            _ => None,
        }
    }

    /// A string field: any non-null scalar's text.
    pub fn str(&self, node: Option<NodeId>) -> Option<&'d str> {
        self.doc.str(node?)
    }

    /// The string items of a sequence field; a `null` item is `""`, as the API decodes it
    /// into a `[]string`.
    pub fn strs(&self, node: Option<NodeId>) -> Vec<(usize, &'d str)> {
        node.and_then(|n| self.doc.seq(n))
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, &n)| {
                        if self.doc.is_null(n) {
                            return Some((i, ""));
                        }
                        Some((i, self.doc.str(n)?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `spec.os.name == "windows"` (PSA's Windows relaxation).
    pub fn is_windows(&self) -> bool {
        self.str(self.path(Some(self.spec), &["os", "name"])) == Some("windows")
    }

    /// `spec.hostUsers` is explicitly `false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.bool(self.get(Some(self.spec), "hostUsers")) == Some(false)
    }

    /// The absolute pointer of a pod spec field, e.g. `pod_pointer("securityContext/runAsUser")`.
    pub fn pod_pointer(&self, rel: &str) -> String {
        let spec = self.workload.spec_pointer.as_str();
        let mut out = String::with_capacity(spec.len() + 1 + rel.len());
        out.push_str(spec);
        out.push('/');
        out.push_str(rel);
        out
    }

    /// The JSON pointer of container `c`.
    pub fn container_pointer(&self, c: &Container) -> String {
        c.pointer(&self.workload.spec_pointer)
    }

    /// `container "name"` for messages (PSA's wording), or `container /spec/containers/N`
    /// without a name.
    pub fn container_label(&self, c: &Container) -> String {
        match &c.name {
            // What `{n:?}` writes, without the formatting machinery, for a name it writes
            // as is (printable ASCII other than `"` and `\`: every valid container name).
            Some(n)
                if n.bytes()
                    .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') =>
            {
                let mut out = String::with_capacity(n.len() + 12);
                out.push_str("container \"");
                out.push_str(n);
                out.push('"');
                out
            }
            Some(n) => format!("container {n:?}"),
            None => format!(
                "{} {}",
                c.kind.field().trim_end_matches('s'),
                self.container_pointer(c)
            ),
        }
    }

    /// Reports a pod-level finding at `spec/<rel>`.
    pub fn report_pod(&mut self, rel: &str, message: String) {
        let pointer = self.pod_pointer(rel);
        self.report_at(pointer, None, message);
    }

    /// Reports a finding on container `c` at `<container>/<rel>`.
    pub fn report_container(&mut self, c: &Container, rel: &str, message: String) {
        self.report_container_in(c, rel, message, None);
    }

    /// [`Ctx::report_container`] for one finding of `group` (a finding per entry).
    pub fn report_container_in(
        &mut self,
        c: &Container,
        rel: &str,
        message: String,
        group: Option<&Arc<Group>>,
    ) {
        let spec = self.workload.spec_pointer.as_str();
        let field = c.kind.field();
        let mut pointer = String::with_capacity(spec.len() + field.len() + rel.len() + 8);
        // `Container::pointer`, then `/rel`, in one allocation.
        c.push_pointer(spec, &mut pointer);
        pointer.push('/');
        pointer.push_str(rel);
        self.push(Hit {
            pointer,
            container: c.name.clone(),
            container_index: Some(c.index),
            message,
            check: None,
            span: None,
            group: group.cloned(),
        });
    }

    /// Reports a finding at an absolute pointer (pod-level).
    pub fn report_at(&mut self, pointer: String, span: Option<Span>, message: String) {
        self.report_at_in(pointer, span, message, None);
    }

    /// [`Ctx::report_at`] for one finding of `group` (a finding per entry).
    pub fn report_at_in(
        &mut self,
        pointer: String,
        span: Option<Span>,
        message: String,
        group: Option<&Arc<Group>>,
    ) {
        self.push(Hit {
            pointer,
            container: None,
            container_index: None,
            message,
            check: None,
            span,
            group: group.cloned(),
        });
    }

    /// The [`Group`] of the findings a check gives, one per offending entry: PSA's one
    /// `message` for them all, naming the field at `pointer` (absolute).
    pub fn group(pointer: String, message: String) -> Arc<Group> {
        Arc::new(Group { message, pointer })
    }

    /// Keeps `hit` if the resource's budgets have room for it (see [`Room`]). The hit that
    /// passes the bytes budget is kept with its message cut to the room left (ending in
    /// `...`), so that the check that failed still has its finding (an admission policy
    /// rejects for it); it is dropped only when its pointer alone does not fit.
    fn push(&mut self, mut hit: Hit) {
        const CUT: &str = "...";
        let bytes = hit.pointer.len() + hit.message.len();
        let room = &mut self.room;
        if room.full || room.findings == 0 {
            room.full = true;
            return;
        }
        if bytes > room.bytes {
            room.full = true;
            let Some(keep) = room
                .bytes
                .checked_sub(hit.pointer.len() + CUT.len())
                .filter(|&k| k > 0)
            else {
                return;
            };
            let mut at = keep.min(hit.message.len());
            while !hit.message.is_char_boundary(at) {
                at -= 1;
            }
            hit.message.truncate(at);
            hit.message.push_str(CUT);
            room.findings -= 1;
            room.bytes = 0;
            self.hits.push(hit);
            return;
        }
        room.findings -= 1;
        room.bytes -= bytes;
        self.hits.push(hit);
    }

    /// Whether a budget of the resource was reached: later hits are dropped.
    pub fn is_full(&self) -> bool {
        self.room.full
    }

    /// Sets the PSA check of the last hit (for rules that cover two checks).
    pub fn set_last_check(&mut self, level: Level, check: &'static str) {
        if let Some(h) = self.hits.last_mut() {
            h.check = Some((level, check));
        }
    }
}

/// The integer a float stands for when it has no fractional part and fits an `i64`.
pub(crate) fn integral(f: f64) -> Option<i64> {
    // 2^63 as f64; `as` saturates, so keep strictly inside the range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < LIMIT).then_some(f as i64)
}

/// Joins quoted names: `"a", "b"`.
pub fn quoted_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    items
        .into_iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::{check, Options};

    /// The label's fast path writes what `{:?}` writes, for plain names and for names
    /// with characters it escapes.
    #[test]
    fn container_labels_are_debug_quoted() {
        for name in [
            "app",
            "a b~!",
            "quo\\\"te",
            "back\\\\slash",
            "tab\\tx",
            "é-ü",
            "\\x7fx",
        ] {
            let text = format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: \"{name}\"\n    image: x\n"
            );
            let report = check("p.yaml", &text, &Options::default()).unwrap();
            let f = report
                .findings
                .iter()
                .find(|f| f.rule == "writable-root-filesystem")
                .unwrap();
            let decoded = f.container.clone().unwrap();
            assert_eq!(
                f.message,
                format!("container {decoded:?} does not set securityContext.readOnlyRootFilesystem=true")
            );
        }
    }
}
