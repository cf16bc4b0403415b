//! Admission control: the policy settings, and `AdmissionRequest` → object → findings →
//! Kubewarden `ValidationResponse`, Gatekeeper violations or an OPA admission response.
//!
//! Every admission build (the Kubewarden waPC module, the Kubewarden WASI command, the two
//! OPA-ABI modules) calls the functions here and only converts bytes; the behaviour lives
//! in one place. No I/O, no panics: a malformed request, an object that is not a
//! Kubernetes resource or bad settings give a clear message, never a trap.
//!
//! # What is checked
//!
//! - `CREATE` and `UPDATE` (and any other operation that carries an object): the new
//!   `request.object`, with the Pod Security Standards at the configured `level` and
//!   `pssVersion`, plus any hardening `rules` asked for. Every workload kind the core knows
//!   is checked (Pod, Deployment, CronJob, ..., and resources with a pod template by shape).
//! - `DELETE` and `CONNECT` are accepted.
//! - Subresources, as Pod Security Admission does: for `pods`, the subresources PSA
//!   ignores ([`IGNORED_POD_SUBRESOURCES`]: `exec`, `attach`, `binding`, `eviction`,
//!   `log`, `portforward`, `proxy`, `status`) are accepted and every other one
//!   (`ephemeralcontainers`, `resize`, one added in a later Kubernetes) is checked; for
//!   every other resource (`deployments/scale`, `replicasets/status`, ...) a subresource
//!   request is accepted.
//! - `UPDATE`s that cannot make a pre-existing violation worse are accepted, so that
//!   objects admitted before the policy (or a stricter setting) keep working:
//!   - a Pod `UPDATE` that changes nothing PSA considers significant (its
//!     `isSignificantPodUpdate`: the set of containers, an image, an added ephemeral
//!     container, the pod or per-container seccomp annotations), e.g. a relabel;
//!   - a workload `UPDATE` (Deployment, ReplicaSet, CronJob, ... any kind with a pod
//!     template) whose pod templates (`metadata` and `spec`, compared as JSON values) are
//!     unchanged: scaling (the deployment controller scales ReplicaSets by `UPDATE`),
//!     pausing, relabelling the workload, finalizer removal during a foreground delete.
//!     Any change to a template is checked in full.
//! - The `kube-secctx.io/ignore` annotation works as in the CLI, unless the setting
//!   `honorIgnoreAnnotation` is `false`. What it suppresses is never silent: each
//!   suppressed violation is returned as a warning (`kube-secctx.io/ignore suppressed:
//!   ...`) and recorded in the audit annotation `kube-secctx-suppressed`.
//! - Exemptions (`namespaces`, `usernames`, `runtimeClassNames`) are those of Pod Security
//!   Admission's configuration.
//! - Input diagnostics run under the level, as everywhere, and are warnings that never
//!   reject unless `rules` lists them (`diagnostics.rs` says why: an object from the API
//!   server has no wrong types, duplicate keys or unknown fields left; a typo in the
//!   `kube-secctx.io/ignore` annotation can still be there).
//!
//! # Mutating (setting `mutate`, Kubewarden waPC and WASI builds)
//!
//! With rule IDs in `mutate`, a request the policy would reject or warn about gets the
//! CLI's fixes of those rules applied to a copy of its object; when the copy passes, the
//! answer accepts it with the copy as `mutated_object`, else nothing is mutated and the
//! request is answered for the violations the fixes leave. Only on `CREATE`, and on
//! `UPDATE` of a workload whose pod template changed; never a Pod `UPDATE`, a
//! subresource request or a ReplicaSet a controller owns. See `mutate.rs`.
//!
//! # One violation per check, order and audit annotations
//!
//! The core gives one finding per offending entry of a list (each unsafe sysctl, host
//! port, added capability: a fix needs each at its place); admission answers with Pod
//! Security Admission's one violation per check, for the pod or per container: the
//! findings that share a [`crate::report::Group`] are merged into one, with the group's
//! message (naming every entry) and field (the first entry's), before anything else
//! (`verdict::merge_groups`).
//!
//! Violations are listed in PSA's order: the checks as PSA runs them (baseline check IDs
//! sorted, then restricted check IDs sorted), then hardening rules; within a check the
//! pod-level fields first, then the containers in PSA's visiting order (init, regular,
//! ephemeral; by index). Every verdict with violations or suppressed violations carries
//! audit annotations: `kube-secctx-violations` and `kube-secctx-suppressed`, compact
//! summaries (`check field, ...`). The keys have no `/`: the API server prefixes a
//! webhook's audit annotation keys with the webhook name and a `/`, and drops a key that
//! then has two.
//!
//! # Positions
//!
//! The decoded `request.object` is checked with [`Checker::check_object`], without going
//! through text, so findings have no line or column (every span is empty). Each violation
//! names its field by path instead (`spec.containers[0].securityContext.privileged`) and
//! by JSON pointer.
//!
//! # Files
//!
//! This file holds Pod Security Admission's request semantics (operations,
//! subresources, updates, exemptions); [`settings`] the policy settings; [`verdict`] the
//! outcome of a request and its violations in PSA's order and words; [`response`] the
//! shapes each host wants (Kubewarden's `ValidationResponse`, Gatekeeper's violations,
//! the OPA admission response); [`memory`] what an evaluation needs in the OPA builds;
//! `mutate.rs` the setting `mutate`; `diagnostics.rs` the input diagnostics.

mod diagnostics;
mod memory;
mod mutate;
pub mod response;
pub mod settings;
pub mod verdict;

use serde_json::Value;

use crate::report::Finding;
use crate::workload::extract;
use crate::yaml::{document_from_json, Document};
use crate::{Checker, Options};

pub use memory::{evaluation_memory_estimate, reserve_for_evaluation};
pub use response::{
    kubewarden_insufficient_memory, kubewarden_validate, kubewarden_validate_settings,
    opa_evaluate, opa_insufficient_memory, Entrypoint, SettingsValidationResponse,
    ValidationResponse,
};
pub use settings::{
    fixable_rule_ids, hardening_rule_ids, Exemptions, Mode, Settings, SettingsError, SETTING_NAMES,
};
pub use verdict::{
    field_path, ResourceId, Verdict, Violation, ViolationDetails, AUDIT_MUTATED, AUDIT_SUPPRESSED,
    AUDIT_VIOLATIONS,
};

use mutate::{may_mutate, mutate, Change, Outcome};
use settings::json_type;
use verdict::{capped, merge_groups, psa_order, verdict};

/// The pod subresources Pod Security Admission never evaluates (its
/// `ignoredPodSubresources`); any other pod subresource is checked.
pub const IGNORED_POD_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// A parsed `AdmissionRequest`: the fields the policy reads.
struct Request<'v> {
    uid: String,
    operation: Option<&'v str>,
    sub_resource: Option<&'v str>,
    /// `request.resource.resource` (`pods`, `deployments`, ...).
    resource: Option<&'v str>,
    namespace: Option<&'v str>,
    username: Option<&'v str>,
    object: Option<&'v Value>,
    old_object: Option<&'v Value>,
}

pub(super) fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Reads the fields of an `AdmissionRequest`, or says why it is not one.
fn parse_request(v: &Value) -> Result<Request<'_>, String> {
    let Value::Object(map) = v else {
        return Err(format!(
            "the request is not an AdmissionRequest: expected an object, got {}",
            json_type(v)
        ));
    };
    let present = |key: &str| map.get(key).filter(|v| !v.is_null());
    Ok(Request {
        uid: str_at(v, "uid").unwrap_or_default().to_string(),
        operation: str_at(v, "operation"),
        sub_resource: str_at(v, "subResource"),
        resource: v.get("resource").and_then(|r| str_at(r, "resource")),
        namespace: str_at(v, "namespace"),
        username: v.get("userInfo").and_then(|u| str_at(u, "username")),
        object: present("object"),
        old_object: present("oldObject"),
    })
}

/// Whether a Pod UPDATE changes anything Pod Security Admission looks at (PSA's
/// `isSignificantPodUpdate`): the pod seccomp annotation, the number of containers or
/// init containers, an image, an added ephemeral container, or a per-container seccomp
/// annotation.
fn is_significant_pod_update(new: &Value, old: &Value) -> bool {
    fn list<'p>(pod: &'p Value, field: &str) -> &'p [Value] {
        pod.get("spec")
            .and_then(|s| s.get(field))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    fn annotation<'p>(pod: &'p Value, key: &str) -> Option<&'p str> {
        pod.get("metadata")?.get("annotations")?.get(key)?.as_str()
    }
    let seccomp = |pod: &Value, container: &Value| -> Option<String> {
        let name = container.get("name")?.as_str()?;
        annotation(
            pod,
            &format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
        )
        .map(str::to_string)
    };
    const POD_SECCOMP: &str = "seccomp.security.alpha.kubernetes.io/pod";
    if annotation(new, POD_SECCOMP) != annotation(old, POD_SECCOMP) {
        return true;
    }
    let container_changed = |c: &Value, o: &Value| {
        c.get("image") != o.get("image") || seccomp(new, c) != seccomp(old, o)
    };
    for field in ["containers", "initContainers"] {
        let (n, o) = (list(new, field), list(old, field));
        if n.len() != o.len() || n.iter().zip(o).any(|(c, oc)| container_changed(c, oc)) {
            return true;
        }
    }
    let old_ephemeral = list(old, "ephemeralContainers");
    list(new, "ephemeralContainers").iter().any(|c| {
        let name = c.get("name");
        match old_ephemeral.iter().find(|o| o.get("name") == name) {
            Some(o) => container_changed(c, o),
            None => true,
        }
    })
}

/// Whether a workload UPDATE leaves every pod template as it was: for each resource with
/// a pod spec in the new object, its template's `spec` and `metadata` are equal (as JSON
/// values) to the old object's at the same place. Then the UPDATE cannot create a pod
/// that differs from the ones the workload already has (scaling, pausing, relabelling,
/// finalizers, status). `false` when the new object has no pod template.
fn pod_templates_unchanged(doc: &Document<'_>, new: &Value, old: &Value) -> bool {
    let workloads = extract(doc).workloads;
    let mut any = false;
    for w in workloads.iter().filter(|w| w.spec.is_some()) {
        any = true;
        for pointer in [&w.spec_pointer, &w.pod_metadata_pointer] {
            if new.pointer(pointer) != old.pointer(pointer) {
                return false;
            }
        }
    }
    any
}

fn is_core_pod(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Pod")
        && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Whether a subresource request is accepted unchecked, as PSA does: a `pods`
/// subresource in [`IGNORED_POD_SUBRESOURCES`], or any subresource of another resource
/// (PSA's `ValidatePodController` skips them all). Without `request.resource`, the
/// object's kind decides whether it is a pod request.
fn is_unchecked_subresource(req: &Request<'_>) -> bool {
    let Some(sub) = req.sub_resource else {
        return false;
    };
    let pod_request = match req.resource {
        Some(resource) => resource == "pods",
        None => req.object.is_some_and(is_core_pod),
    };
    !pod_request || IGNORED_POD_SUBRESOURCES.contains(&sub)
}

/// Evaluates one `AdmissionRequest` with validated settings.
pub fn review(request: &Value, settings: &Settings) -> Verdict {
    let req = match parse_request(request) {
        Ok(r) => r,
        Err(e) => return Verdict::bad_request(String::new(), e),
    };
    let uid = req.uid.clone();
    let operation = req.operation.unwrap_or("");
    if matches!(operation, "DELETE" | "CONNECT") || is_unchecked_subresource(&req) {
        return Verdict::accept(uid);
    }
    let Some(object) = req.object else {
        let op = if operation.is_empty() {
            String::new()
        } else {
            format!(" ({operation})")
        };
        return Verdict::bad_request(
            uid,
            format!("the request{op} has no object to check: request.object is missing or null"),
        );
    };
    let Value::Object(obj) = object else {
        return Verdict::bad_request(
            uid,
            format!(
                "request.object is not a Kubernetes resource: expected an object with \
                 apiVersion and kind, got {}",
                json_type(object)
            ),
        );
    };
    let api_version = obj.get("apiVersion").and_then(Value::as_str);
    let kind = obj.get("kind").and_then(Value::as_str);
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        let missing = match (api_version, kind) {
            (None, None) => "apiVersion and kind",
            (None, _) => "apiVersion",
            _ => "kind",
        };
        return Verdict::bad_request(
            uid,
            format!("request.object is not a Kubernetes resource: it has no {missing} (strings)"),
        );
    };
    let metadata = obj.get("metadata");
    let meta_str = |key: &str| metadata.and_then(|m| str_at(m, key));
    let namespace = req.namespace.or_else(|| meta_str("namespace"));
    let ex = &settings.exemptions;
    if namespace.is_some_and(|n| ex.namespaces.iter().any(|e| e == n))
        || req
            .username
            .is_some_and(|u| ex.usernames.iter().any(|e| e == u))
    {
        return Verdict::accept(uid);
    }
    // The object as the core's tree, built once for what follows.
    let doc = document_from_json(object);
    if operation == "UPDATE" {
        if let Some(old) = req.old_object {
            let unchanged = if is_core_pod(object) {
                !is_significant_pod_update(object, old)
            } else {
                pod_templates_unchanged(&doc, object, old)
            };
            if unchanged {
                return Verdict::accept(uid);
            }
        }
    }
    let resource = ResourceId {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta_str("name")
            .map(str::to_string)
            .or_else(|| meta_str("generateName").map(|g| format!("{g}*"))),
        namespace: namespace.map(str::to_string),
    };
    let Checked {
        mut findings,
        mut suppressed,
        notices,
        budget,
    } = match check(&doc, settings) {
        Ok(f) => f,
        Err(e) => {
            return Verdict::bad_request(uid, format!("request.object could not be read: {e}"))
        }
    };
    if !settings.honor_ignore_annotation {
        findings.append(&mut suppressed);
    }
    if findings.is_empty() && suppressed.is_empty() {
        return diagnostics::warn(Verdict::accept(uid), &notices);
    }
    // The setting `mutate`: a request the policy would reject or warn about, answered
    // with the object its listed fixes make pass (see `mutate`), or validated as usual.
    let mut not_mutated = None;
    if !findings.is_empty()
        && !settings.mutate.is_empty()
        && budget.is_none()
        && may_mutate(&req, &doc, object)
    {
        match mutate(&doc, object, &findings, &suppressed, settings) {
            Outcome::NothingToFix => {}
            Outcome::Passes { object, changes } => {
                merge_groups(&mut suppressed);
                suppressed.sort_by(psa_order);
                let mut v = verdict(uid, settings, &resource, &[], &suppressed);
                let mut warnings = capped(changes.iter().map(Change::warning), changes.len());
                warnings.append(&mut v.warnings);
                v.warnings = warnings;
                v.audit_annotations
                    .insert(AUDIT_MUTATED.to_string(), mutate::audit_summary(&changes));
                v.mutated_object = Some(object);
                return diagnostics::warn(v, &notices);
            }
            Outcome::Leaves { left, held_back } => {
                let violations = |f: &[Finding]| {
                    let mut f = f.to_vec();
                    merge_groups(&mut f);
                    f.len()
                };
                let (total, remaining) = (violations(&findings), violations(&left));
                let then = match settings.mode {
                    Mode::Deny => format!(
                        "it is rejected for the {remaining} they leave, and mutated once \
                         those are gone"
                    ),
                    Mode::Warn => "it is admitted unchanged".to_string(),
                };
                let held = match held_back {
                    0 => String::new(),
                    n => format!(
                        " ({n} {} held back: {} also change the field of a violation \
                         whose rule `mutate` does not list, or that the \
                         kube-secctx.io/ignore annotation suppressed)",
                        if n == 1 { "fix" } else { "fixes" },
                        if n == 1 { "it would" } else { "each would" },
                    ),
                };
                not_mutated = Some(format!(
                    "kube-secctx did not mutate the object: the fixes of the setting `mutate` \
                     remove {} of its {total} violations, not all{held}, so {then}",
                    total.saturating_sub(remaining)
                ));
                if settings.mode == Mode::Deny {
                    findings = left;
                }
            }
            Outcome::Failed(why) => {
                not_mutated = Some(format!("kube-secctx did not mutate the object: {why}"));
            }
        }
    }
    merge_groups(&mut findings);
    merge_groups(&mut suppressed);
    findings.sort_by(psa_order);
    suppressed.sort_by(psa_order);
    let mut v = verdict(uid, settings, &resource, &findings, &suppressed);
    if let Some(note) = not_mutated {
        v.warnings.insert(0, note);
    }
    let mut v = diagnostics::warn(v, &notices);
    if let Some(budget) = budget {
        // The counts of the verdict are lower bounds: say so.
        v.warnings.push(budget);
    }
    v
}

/// What checking the request's object gave.
struct Checked {
    /// The violations.
    findings: Vec<Finding>,
    /// The violations the `kube-secctx.io/ignore` annotation suppressed.
    suppressed: Vec<Finding>,
    /// The input diagnostics `rules` does not list: warnings, not violations (see
    /// `diagnostics.rs`).
    notices: Vec<Finding>,
    /// The message of the findings budget, when the object went past it.
    budget: Option<String>,
}

/// Runs the core on the object's tree: the PSS checks at the settings' level and version,
/// the hardening `rules` and the input diagnostics, in one pass, minus runtime-class
/// exemptions; or says why the object could not be checked.
fn check(doc: &Document<'_>, settings: &Settings) -> Result<Checked, String> {
    let opts = Options {
        level: Some(settings.level),
        pss_version: settings.version(),
        also: settings.rules.clone(),
        ignore: settings.ignore.clone(),
        ..Options::default()
    };
    // Settings were validated: every rule ID exists.
    let mut checker = Checker::new(&opts).map_err(|e| e.to_string())?;
    checker.check_document(FILE, doc);
    let report = checker.finish();
    // An object that could not be checked gives no findings; one that gave findings and
    // an error entry went past its findings budget (a pod with thousands of violating
    // containers), and is judged by the findings within it: rejected either way.
    let budget = match report.errors.first() {
        Some(e) if report.findings.is_empty() && report.suppressed.is_empty() => {
            return Err(e.message.clone())
        }
        Some(e) => Some(format!("kube-secctx: {}", e.message)),
        None => None,
    };
    let (mut findings, mut suppressed) = (report.findings, report.suppressed);
    let exempt = &settings.exemptions.runtime_class_names;
    let anything = !findings.is_empty() || !suppressed.is_empty();
    if anything && !exempt.is_empty() {
        let roots = exempt_roots(doc, exempt);
        let kept = |f: &Finding| !roots.iter().any(|root| pointer_within(&f.path, root));
        findings.retain(kept);
        suppressed.retain(kept);
    }
    let notices = diagnostics::set_apart(&mut findings, &mut suppressed, settings);
    Ok(Checked {
        findings,
        suppressed,
        notices,
        budget,
    })
}

/// Whether JSON pointer `pointer` is `root` or inside it: `/items/1/spec` is inside
/// `/items/1`, `/items/10/spec` is not.
fn pointer_within(pointer: &str, root: &str) -> bool {
    pointer
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The file name findings carry.
const FILE: &str = "request.object";

/// The JSON pointers of the workloads (the object itself, or `List` items) whose pod
/// spec has an exempt `runtimeClassName`.
fn exempt_roots(doc: &Document<'_>, names: &[String]) -> Vec<String> {
    extract(doc)
        .workloads
        .into_iter()
        .filter(|w| {
            w.spec
                .and_then(|s| doc.get_set(s, "runtimeClassName"))
                .and_then(|n| doc.str(n))
                .is_some_and(|c| names.iter().any(|n| n == c))
        })
        .map(|w| w.root_pointer)
        .collect()
}
