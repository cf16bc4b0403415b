//! The outcome of one admission request ([`Verdict`]), its violations in Pod Security
//! Admission's order and words, and the audit annotations.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::settings::{Mode, Settings, SettingsError};
use crate::options::Level;
use crate::report::Finding;
use crate::rules;

/// The audit annotation that summarises the violations (see [`Verdict::audit_annotations`]).
pub const AUDIT_VIOLATIONS: &str = "kube-secctx-violations";

/// The audit annotation that summarises what the `kube-secctx.io/ignore` annotation
/// suppressed.
pub const AUDIT_SUPPRESSED: &str = "kube-secctx-suppressed";

/// The audit annotation that lists what the policy changed in a mutated object (setting
/// `mutate`).
pub const AUDIT_MUTATED: &str = "kube-secctx-mutated";

/// One violation of the policy, in Gatekeeper's shape (`{"msg", "details"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The violation in Pod Security Admission's style:
    /// `privileged (container "app" must not set securityContext.privileged=true; check:
    /// privileged; field: spec.containers[0].securityContext.privileged)`.
    pub msg: String,
    /// The same, as data.
    pub details: ViolationDetails,
}

/// The data of a [`Violation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationDetails {
    /// The rule ID (`privileged-container`), or `invalid-request` / `invalid-settings` /
    /// `insufficient-memory` (the OPA builds, when the host caps memory too low).
    pub rule: String,
    /// The PSA check ID (`privileged`), for Pod Security Standards violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
    /// The policy evaluated, PSA-style (`restricted:latest`), for PSS violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The container's name, for container violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The field, as a path (`spec.containers[0].securityContext.privileged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field as a JSON pointer into the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The resource (`kind`, `apiVersion`, `name`, `namespace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'static str>,
}

/// The resource a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (or `metadata.generateName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of the request (or `metadata.namespace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The outcome of one admission request, before it is shaped for a host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `request.uid` (empty when missing).
    pub uid: String,
    /// Whether the request is admitted.
    pub accepted: bool,
    /// Why it was rejected (PSA's style), when it was.
    pub message: Option<String>,
    /// The HTTP code of a rejection: 403 for violations, 400 for a malformed request,
    /// 500 for bad settings (and, in the OPA builds, for a request the host's memory cap
    /// does not leave room to evaluate). Gatekeeper's contract has no codes.
    pub code: Option<u16>,
    /// Warnings for the client: in `warn` mode one per violation; in both modes one per
    /// violation the `kube-secctx.io/ignore` annotation suppressed.
    pub warnings: Vec<String>,
    /// The violations (for a rejected malformed request or bad settings: one entry that
    /// says so). Empty in `warn` mode.
    pub violations: Vec<Violation>,
    /// Audit annotations, in both modes: [`AUDIT_VIOLATIONS`] when there are violations
    /// and [`AUDIT_SUPPRESSED`] when the annotation suppressed some, each a compact
    /// summary (`check field, check field`); with a mutated object, also
    /// [`AUDIT_MUTATED`].
    pub audit_annotations: BTreeMap<String, String>,
    /// The object with the fixes of the setting `mutate` applied, when the request is
    /// accepted because those fixes make it pass (Kubewarden's `mutated_object`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutated_object: Option<Value>,
}

impl Verdict {
    pub(super) fn accept(uid: String) -> Verdict {
        Verdict {
            uid,
            accepted: true,
            message: None,
            code: None,
            warnings: Vec::new(),
            violations: Vec::new(),
            audit_annotations: BTreeMap::new(),
            mutated_object: None,
        }
    }

    pub(super) fn error(uid: String, rule: &str, code: u16, message: String) -> Verdict {
        Verdict {
            uid,
            accepted: false,
            message: Some(message.clone()),
            code: Some(code),
            warnings: Vec::new(),
            violations: vec![Violation {
                msg: message,
                details: ViolationDetails {
                    rule: rule.to_string(),
                    check: None,
                    policy: None,
                    container: None,
                    field: None,
                    path: None,
                    resource: None,
                    fix: None,
                },
            }],
            audit_annotations: BTreeMap::new(),
            mutated_object: None,
        }
    }

    pub(super) fn bad_request(uid: String, message: String) -> Verdict {
        Verdict::error(uid, "invalid-request", 400, message)
    }

    /// The module cannot evaluate the request within the memory its host allows (the OPA
    /// builds check this before parsing; see `crate::opa`).
    pub fn out_of_memory(message: String) -> Verdict {
        Verdict::error(String::new(), "insufficient-memory", 500, message)
    }

    pub(super) fn bad_settings(uid: String, e: &SettingsError) -> Verdict {
        Verdict::error(
            uid,
            "invalid-settings",
            500,
            format!("invalid settings: {e}"),
        )
    }
}

/// `/spec/containers/0/securityContext` → `spec.containers[0].securityContext`; keys that
/// are not identifiers are quoted: `metadata.annotations["a.b/c"]`.
pub fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let is_index = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
        let is_ident = token
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if is_index {
            let _ = write!(out, "[{token}]");
        } else if is_ident {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            let _ = write!(out, "[{token:?}]");
        }
    }
    out
}

/// The PSA-style text of one finding: `reason (detail; check: id; field: path)`; for a
/// finding outside the Pod Security Standards, `rule (message; field: path)`.
pub(super) fn violation_text(f: &Finding) -> String {
    let field = field_path(&f.path);
    match &f.pss {
        Some(pss) => {
            let (reason, detail) = f
                .message
                .split_once(": ")
                .unwrap_or((pss.check, f.message.as_str()));
            format!("{reason} ({detail}; check: {}; field: {field})", pss.check)
        }
        None => format!("{} ({}; field: {field})", f.rule, f.message),
    }
}

/// One finding per [`crate::report::Group`]: the findings a check gives per offending
/// entry of a list (two unsafe sysctls, three host ports of a container) become the one
/// violation Pod Security Admission answers with for the check, per pod or container,
/// with the group's message and field; the first finding of each group takes its place.
/// Every other finding is kept as it is.
pub(super) fn merge_groups(findings: &mut Vec<Finding>) {
    if findings.iter().all(|f| f.group.is_none()) {
        return;
    }
    let mut seen: HashSet<(&'static str, String)> = HashSet::new();
    findings.retain_mut(|f| {
        let Some(group) = f.group.take() else {
            return true;
        };
        if !seen.insert((f.rule, group.pointer.clone())) {
            return false;
        }
        f.message.clone_from(&group.message);
        f.path.clone_from(&group.pointer);
        f.group = Some(group);
        true
    });
}

/// At most this many violations in a verdict (Gatekeeper's results); one more entry
/// counts the rest, so a response stays small whatever the object.
pub const MAX_VIOLATIONS: usize = 100;
/// At most this many violations named in a rejection message (per part: PSS, rules) and
/// this many warnings; the rest are counted (`and N more`).
pub const MAX_LISTED: usize = 50;

/// The verdict for the (sorted) findings and the findings the annotation suppressed.
///
/// Its size is bounded: [`MAX_VIOLATIONS`] violations, [`MAX_LISTED`] entries per part of
/// the message and warnings, and the audit annotations' own cap; what is left out is
/// counted.
pub(super) fn verdict(
    uid: String,
    settings: &Settings,
    resource: &ResourceId,
    findings: &[Finding],
    suppressed: &[Finding],
) -> Verdict {
    let policy = settings.policy_label();
    let mut violations: Vec<Violation> = findings
        .iter()
        .take(MAX_VIOLATIONS)
        .map(|f| Violation {
            msg: violation_text(f),
            details: ViolationDetails {
                rule: f.rule.to_string(),
                check: f.pss.as_ref().map(|p| p.check),
                policy: f.pss.as_ref().map(|_| policy.clone()),
                container: f.container.clone(),
                field: Some(field_path(&f.path)),
                path: Some(f.path.clone()),
                resource: Some(resource.clone()),
                fix: Some(f.fix),
            },
        })
        .collect();
    if findings.len() > MAX_VIOLATIONS {
        let more = findings.len() - MAX_VIOLATIONS;
        violations.push(Violation {
            msg: format!("and {more} more violations (the audit annotation counts them too)"),
            details: ViolationDetails {
                rule: "more-violations".to_string(),
                check: None,
                policy: None,
                container: None,
                field: None,
                path: None,
                resource: Some(resource.clone()),
                fix: None,
            },
        });
    }
    let mut audit_annotations = BTreeMap::new();
    if !findings.is_empty() {
        audit_annotations.insert(
            AUDIT_VIOLATIONS.to_string(),
            audit_summary(&policy, findings),
        );
    }
    if !suppressed.is_empty() {
        audit_annotations.insert(
            AUDIT_SUPPRESSED.to_string(),
            audit_summary(&policy, suppressed),
        );
    }
    let suppressed_warning = |f: &Finding| {
        format!(
            "{} suppressed: {}",
            crate::engine::IGNORE_ANNOTATION,
            violation_text(f)
        )
    };
    if findings.is_empty() {
        return Verdict {
            warnings: capped(suppressed.iter().map(suppressed_warning), suppressed.len()),
            audit_annotations,
            ..Verdict::accept(uid)
        };
    }
    match settings.mode {
        Mode::Warn => {
            let warnings = findings
                .iter()
                .map(|f| match f.pss {
                    Some(_) => format!(
                        "would violate PodSecurity {policy:?}: {}",
                        violation_text(f)
                    ),
                    None => format!("would violate kube-secctx rule {}", violation_text(f)),
                })
                .chain(suppressed.iter().map(suppressed_warning));
            Verdict {
                warnings: capped(warnings, findings.len() + suppressed.len()),
                audit_annotations,
                ..Verdict::accept(uid)
            }
        }
        Mode::Deny => Verdict {
            uid,
            accepted: false,
            message: Some(rejection_message(resource, &policy, findings)),
            code: Some(403),
            warnings: capped(suppressed.iter().map(suppressed_warning), suppressed.len()),
            violations,
            audit_annotations,
            mutated_object: None,
        },
    }
}

/// The first [`MAX_LISTED`] of `total` warnings, and one that counts the rest.
pub(super) fn capped(warnings: impl Iterator<Item = String>, total: usize) -> Vec<String> {
    let mut out: Vec<String> = warnings.take(MAX_LISTED).collect();
    if total > MAX_LISTED {
        out.push(format!(
            "and {} more warnings (the audit annotations count them too)",
            total - MAX_LISTED
        ));
    }
    out
}

/// At most this many entries in an audit annotation; the rest are counted.
pub(super) const AUDIT_MAX_ENTRIES: usize = 50;

/// `PodSecurity "restricted:latest": privileged spec.containers[0].securityContext.privileged,
/// ...; kube-secctx rules: writable-root-filesystem spec.containers[0]...`.
fn audit_summary(policy: &str, findings: &[Finding]) -> String {
    let entry = |f: &Finding| {
        let name = f.pss.as_ref().map_or(f.rule, |p| p.check);
        format!("{name} {}", field_path(&f.path))
    };
    let part = |pss: bool| -> Option<String> {
        let list: Vec<&Finding> = findings.iter().filter(|f| f.pss.is_some() == pss).collect();
        if list.is_empty() {
            return None;
        }
        let mut out: Vec<String> = list
            .iter()
            .take(AUDIT_MAX_ENTRIES)
            .map(|f| entry(f))
            .collect();
        if list.len() > AUDIT_MAX_ENTRIES {
            out.push(format!("and {} more", list.len() - AUDIT_MAX_ENTRIES));
        }
        let head = if pss {
            format!("PodSecurity {policy:?}")
        } else {
            "kube-secctx rules".to_string()
        };
        Some(format!("{head}: {}", out.join(", ")))
    };
    [part(true), part(false)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

/// PSA's order of findings: per `List` item; then by check as PSA runs them (baseline
/// check IDs sorted, then restricted check IDs sorted; hardening rules after, in the
/// registry's order); within a check, pod-level fields first, then containers in PSA's
/// visiting order (init, regular, ephemeral) by index; then by field, indexes compared
/// as numbers.
pub(super) fn psa_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let item = |f: &Finding| -> Option<u64> {
        f.path
            .strip_prefix("/items/")?
            .split('/')
            .next()?
            .parse()
            .ok()
    };
    let check = |f: &Finding| match &f.pss {
        Some(p) => (0, p.level, p.check, 0),
        None => (
            1,
            Level::Baseline,
            "",
            rules::RULES
                .iter()
                .position(|r| r.id == f.rule)
                .unwrap_or(usize::MAX),
        ),
    };
    item(a)
        .cmp(&item(b))
        .then_with(|| check(a).cmp(&check(b)))
        .then_with(|| container_position(&a.path).cmp(&container_position(&b.path)))
        .then_with(|| natural_pointer_cmp(&a.path, &b.path))
}

/// Where a field's container is in PSA's visiting order: `None` for pod-level fields
/// (they sort first), else (init 0 / regular 1 / ephemeral 2, index).
fn container_position(pointer: &str) -> Option<(u8, u64)> {
    let mut tokens = pointer.split('/').peekable();
    while let Some(token) = tokens.next() {
        let list = match token {
            "initContainers" => 0,
            "containers" => 1,
            "ephemeralContainers" => 2,
            _ => continue,
        };
        if let Some(index) = tokens.peek().and_then(|t| t.parse::<u64>().ok()) {
            return Some((list, index));
        }
    }
    None
}

/// JSON pointers compared token by token, numeric tokens as numbers (`/10` after `/2`).
fn natural_pointer_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let mut ta = a.split('/');
    let mut tb = b.split('/');
    loop {
        match (ta.next(), tb.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if ord.is_ne() {
                    return ord;
                }
            }
        }
    }
}

/// `Deployment "web" in namespace "prod" violates PodSecurity "restricted:latest": a, b;
/// and kube-secctx rules: c`, each part naming at most [`MAX_LISTED`] violations and
/// counting the rest (`..., and 12 more`).
fn rejection_message(resource: &ResourceId, policy: &str, findings: &[Finding]) -> String {
    let mut out = resource.kind.clone();
    if let Some(name) = &resource.name {
        let _ = write!(out, " {name:?}");
    }
    if let Some(ns) = &resource.namespace {
        let _ = write!(out, " in namespace {ns:?}");
    }
    let list = |pss: bool| -> String {
        let part = || findings.iter().filter(|f| f.pss.is_some() == pss);
        let total = part().count();
        let mut names: Vec<String> = part().take(MAX_LISTED).map(violation_text).collect();
        if total > MAX_LISTED {
            names.push(format!("and {} more", total - MAX_LISTED));
        }
        names.join(", ")
    };
    let (pss, other) = (list(true), list(false));
    if !pss.is_empty() {
        let _ = write!(out, " violates PodSecurity {policy:?}: {pss}");
    }
    if !other.is_empty() {
        let and = if pss.is_empty() { "" } else { ";" };
        let _ = write!(out, "{and} violates kube-secctx rules: {other}");
    }
    out
}
