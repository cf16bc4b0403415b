//! The mutating policy (setting `mutate`, Kubewarden waPC and WASI builds): a request
//! the policy would reject or warn about is answered with the object its listed fixes
//! make pass, or not at all.
//!
//! The fixes are the CLI's: [`crate::fix::plan`] per finding of a listed rule, on the
//! request's object (not on text), the ops of every plan deduplicated and applied to a
//! copy with [`ops::apply`]. The copy is checked again with the same settings; only when
//! nothing is left that the policy reports is the request accepted with the copy as
//! Kubewarden's `mutated_object`. Otherwise nothing is mutated and the answer is the
//! validating one, for what the fixes leave (see [`Outcome::Leaves`]).
//!
//! When ([`may_mutate`]): on `CREATE`, and on `UPDATE` of a workload whose pod template
//! changed; never a Pod `UPDATE` (a pod's `securityContext` cannot change after it is
//! created), never a subresource request, never a ReplicaSet that a controller owns (the
//! Deployment or Rollout that owns it finds its ReplicaSet by comparing pod templates, and
//! would create new ones without end if the template it wrote were changed: the owner
//! is mutated instead).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::Value;

use super::memory::reserve_for_mutation;
use super::settings::Settings;
use super::verdict::{field_path, AUDIT_MAX_ENTRIES};
use super::{check, is_core_pod, pod_templates_unchanged, pointer_within, Request};
use crate::fix::{ops, plan, Op};
use crate::report::Finding;
use crate::workload::extract;
use crate::yaml::{document_from_json, Document};

/// Whether this request may be answered with a mutated object: `CREATE`, or the
/// `UPDATE` of a workload (not a Pod) whose pod template changed; not a subresource, not
/// a ReplicaSet a controller owns.
pub(super) fn may_mutate(req: &Request<'_>, doc: &Document<'_>, object: &Value) -> bool {
    if req.sub_resource.is_some() || controlled_replica_set(object) {
        return false;
    }
    match req.operation {
        Some("CREATE") => true,
        Some("UPDATE") => {
            let pod = is_core_pod(object) || req.resource == Some("pods");
            !pod && req
                .old_object
                .is_some_and(|old| !pod_templates_unchanged(doc, object, old))
        }
        _ => false,
    }
}

/// A ReplicaSet with an owner reference marked `controller: true` (a Deployment's, an
/// Argo Rollout's).
fn controlled_replica_set(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("ReplicaSet")
        && object
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|owners| {
                owners
                    .iter()
                    .any(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
            })
}

/// One change of the mutated object and the rules whose fixes asked for it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Change {
    op: Op,
    rules: Vec<&'static str>,
}

impl Change {
    /// `set spec.securityContext.runAsNonRoot=true`, `added ALL to
    /// spec.containers[0].securityContext.capabilities.drop`, `removed
    /// spec.containers[0].ports[0].hostPort`.
    fn summary(&self) -> String {
        let scalar = ops::shown;
        match &self.op {
            Op::Set { value, .. } => {
                format!("set {}={}", field_path(&self.op.pointer()), scalar(value))
            }
            Op::Append { value, .. } => format!(
                "added {} to {}",
                scalar(value),
                field_path(&self.op.pointer())
            ),
            Op::Remove { .. } => format!("removed {}", field_path(&self.op.pointer())),
            Op::Rename { to, .. } => {
                format!("renamed {} to {to}", field_path(&self.op.pointer()))
            }
            Op::Move { to, .. } => format!(
                "moved {} to {}",
                field_path(&self.op.pointer()),
                field_path(&ops::to_pointer(to))
            ),
        }
    }

    /// The warning for the client: `kube-secctx set spec...runAsNonRoot=true (fix of
    /// may-run-as-root)`.
    pub(super) fn warning(&self) -> String {
        format!(
            "kube-secctx {} (fix of {})",
            self.summary(),
            self.rules.join(", ")
        )
    }
}

/// What mutating a request's object came to.
#[derive(Debug)]
pub(super) enum Outcome {
    /// No finding of a listed rule has a fix here that may be applied: the answer is the
    /// validating one, as without `mutate`.
    NothingToFix,
    /// The fixed object passes: accept it, mutated.
    Passes {
        /// The object with the fixes applied.
        object: Value,
        /// What changed, in the order of the findings.
        changes: Vec<Change>,
    },
    /// The fixed object still has findings the policy reports: these (where a finding
    /// was already on the request's object, as it is there, so its field is the one the
    /// author wrote; else as on the fixed object). Nothing is mutated.
    Leaves {
        /// The findings left.
        left: Vec<Finding>,
        /// How many findings' fixes were held back because they would also fix a
        /// finding of a rule not listed (see [`mutate`]).
        held_back: usize,
    },
    /// The fixes could not be tried (they do not apply to the object, or the module's
    /// memory is too small): why. Nothing is mutated.
    Failed(String),
}

/// Applies the fixes of the rules `settings.mutate` lists for `findings` (of `object`,
/// whose tree is `doc`) to a copy of it, and checks the copy again. `suppressed`: what
/// the `kube-secctx.io/ignore` annotation suppressed (when it is honoured).
///
/// A finding whose rule is not listed is never fixed, not even as a side effect of a
/// listed rule's fix: a fix is applied only when none of its changes reaches the field of
/// such a finding (or of a suppressed one), and every value the author wrote that it
/// changes or removes is the field of a listed rule's finding. So
/// `allowPrivilegeEscalation: false` on a `privileged: true` container (the API server
/// then requires `privileged: false`) is applied only when `privileged-container` is
/// listed too, and removing an added capability only when every rule that reports it is.
pub(super) fn mutate(
    doc: &Document<'_>,
    object: &Value,
    findings: &[Finding],
    suppressed: &[Finding],
    settings: &Settings,
) -> Outcome {
    let listed = |f: &Finding| settings.mutate.iter().any(|r| r == f.rule);
    // The fields of the findings no fix may reach, and of those the fixes are for.
    let protected: BTreeSet<&str> = findings
        .iter()
        .filter(|f| !listed(f))
        .chain(suppressed)
        .map(|f| f.path.as_str())
        .collect();
    let covered: BTreeSet<&str> = findings
        .iter()
        .filter(|f| listed(f))
        .map(|f| f.path.as_str())
        .collect();
    let allowed = |op: &Op| {
        let at = op.pointer();
        if any_within(&protected, &at) {
            return false;
        }
        let written = object.pointer(&at).is_some_and(|v| !v.is_null());
        !written || any_within(&covered, &at)
    };
    let workloads = extract(doc).workloads;
    let mut changes: Vec<Change> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut held_back = 0;
    for f in findings.iter().filter(|f| listed(f)) {
        // A finding whose fix the core cannot plan here (in a Windows pod, say) is left
        // for the answer to name.
        // The request's object is judged at the default Kubernetes version (see `check`).
        let kube_minor = crate::options::KubeVersion::default().minor();
        let Ok(p) = plan::plan(doc, &workloads, f, kube_minor) else {
            continue;
        };
        if !p.ops.iter().all(allowed) {
            held_back += 1;
            continue;
        }
        for op in p.ops {
            let key = format!("{op:?}");
            match index.get(&key).and_then(|&i| changes.get_mut(i)) {
                Some(c) => {
                    if !c.rules.contains(&f.rule) {
                        c.rules.push(f.rule);
                    }
                }
                None => {
                    index.insert(key, changes.len());
                    changes.push(Change {
                        op,
                        rules: vec![f.rule],
                    });
                }
            }
        }
    }
    if changes.is_empty() {
        if held_back == 0 {
            return Outcome::NothingToFix;
        }
        return Outcome::Leaves {
            left: findings.to_vec(),
            held_back,
        };
    }
    if let Err(e) = reserve_for_mutation(doc.nodes.len()) {
        return Outcome::Failed(e);
    }
    let ops: Vec<Op> = changes.iter().map(|c| c.op.clone()).collect();
    let mut fixed = object.clone();
    if let Err(e) = ops::apply(&mut fixed, &ops) {
        return Outcome::Failed(format!("its fixes do not apply to it: {e}"));
    }
    let fixed_doc = document_from_json(&fixed);
    // The input diagnostics of the fixed object are not violations: they do not stop it.
    let super::Checked {
        findings: mut left,
        mut suppressed,
        budget,
        ..
    } = match check(&fixed_doc, settings) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(format!("the fixed object could not be checked: {e}")),
    };
    if !settings.honor_ignore_annotation {
        left.append(&mut suppressed);
    }
    if left.is_empty() && budget.is_none() {
        drop(fixed_doc);
        return Outcome::Passes {
            object: fixed,
            changes,
        };
    }
    // Each finding left as it is on the request's object, when it was there already.
    let mut before: HashMap<(&str, String), &Finding> = HashMap::new();
    for o in findings {
        if let Some(p) = ops::moved_pointer(&o.path, &ops) {
            before.entry((o.rule, p)).or_insert(o);
        }
    }
    let left = left
        .into_iter()
        .map(|f| match before.get(&(f.rule, f.path.clone())) {
            Some(o) => (*o).clone(),
            None => f,
        })
        .collect();
    Outcome::Leaves { left, held_back }
}

/// Whether one of `pointers` is `at` or inside it.
fn any_within(pointers: &BTreeSet<&str>, at: &str) -> bool {
    pointers
        .range(at..)
        .take_while(|p| p.starts_with(at))
        .any(|p| pointer_within(p, at))
}

/// The audit annotation [`super::AUDIT_MUTATED`]: `set spec...runAsNonRoot=true, added
/// ALL to spec...drop, ...`, at most [`AUDIT_MAX_ENTRIES`] entries and a count of the
/// rest.
pub(super) fn audit_summary(changes: &[Change]) -> String {
    let mut out = String::new();
    for (i, c) in changes.iter().take(AUDIT_MAX_ENTRIES).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&c.summary());
    }
    if changes.len() > AUDIT_MAX_ENTRIES {
        let _ = write!(out, ", and {} more", changes.len() - AUDIT_MAX_ENTRIES);
    }
    out
}
