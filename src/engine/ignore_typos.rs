//! `unknown-ignored-rule` for the resources without a pod template.
//!
//! The rule runs per workload ([`crate::rules`]); but a Service, a ConfigMap, a `List`
//! item or a `List` can carry the `kube-secctx.io/ignore` annotation too, since it
//! suppresses their `duplicate-key` findings ([`super::duplicates`]). A typo there
//! suppresses nothing either, so this pass reports the unknown IDs of the annotation of
//! every document root and `List` item (nested Lists included) that is not a workload,
//! as the rule reports a workload's: at the ID, with "did you mean", attributed to that
//! resource ([`MatchedBy::None`]), suppressed when the same annotation names
//! `unknown-ignored-rule`.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::duplicates::resource_of;
use super::judge::IGNORE_ANNOTATION;
use super::{Batch, Checker};
use crate::options::Modes;
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding};
use crate::rules::{unknown_ignored_in, Rule, UNKNOWN_IGNORED_RULE};
use crate::workload::{annotations, is_list, Workload};
use crate::yaml::{Document, NodeId, Span};

/// Reports the unknown IDs in the ignore annotation of each resource of `doc` that is not
/// one of its `workloads` into `batch`, unless [`UNKNOWN_IGNORED_RULE`] does not run (the
/// checker's options, or its per-file ignores). `lines` indexes the text.
pub(super) fn report(
    checker: &Checker,
    file: &Arc<str>,
    doc: &Document<'_>,
    workloads: &[Workload],
    lines: Option<&Lines<'_>>,
    batch: &mut Batch,
) {
    let rule: &'static Rule = &UNKNOWN_IGNORED_RULE;
    if !checker.opts.runs_other(rule) || checker.file_ignore.contains(&rule.id) {
        return;
    }
    let Some(root) = doc.root else { return };
    let workload_roots: HashSet<NodeId> = workloads.iter().map(|w| w.root).collect();
    // The document's root and its List items, each node once (aliases share nodes).
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut queue: VecDeque<(NodeId, String)> = VecDeque::from([(root, String::new())]);
    while let Some((id, pointer)) = queue.pop_front() {
        if !seen.insert(id) || doc.map(id).is_none() {
            continue;
        }
        let field = |k| doc.get_set(id, k).and_then(|v| doc.str(v));
        if matches!((field("apiVersion"), field("kind")), (Some(a), Some(k)) if is_list(a, k)) {
            let items = doc.get(id, "items").and_then(|s| doc.seq(s)).unwrap_or(&[]);
            queue.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, &item)| (item, format!("{pointer}/items/{i}"))),
            );
        }
        if workload_roots.contains(&id) {
            continue;
        }
        let metadata = doc.get_set(id, "metadata");
        let hits = unknown_ignored_in(doc, lines, metadata, &format!("{pointer}/metadata"));
        if hits.is_empty() {
            continue;
        }
        let resource = Arc::new(resource_of(doc, id, metadata));
        let suppressed = annotations(doc, metadata).iter().any(|(k, v)| {
            *k == IGNORE_ANNOTATION && v.split(',').map(str::trim).any(|r| r == rule.id)
        });
        // The budgets of a resource's findings (an annotation of many typos).
        let limits = &checker.opts.limits;
        let (mut findings_left, mut bytes_left) = (
            limits.max_findings_per_resource,
            limits.max_finding_bytes_per_resource,
        );
        for (path, span, message) in hits {
            let bytes = path.len() + message.len();
            if findings_left == 0 || bytes_left < bytes {
                let at = doc.node(id).map_or(0, |n| n.span().start);
                batch.errors.push(ErrorEntry {
                    file: file.to_string(),
                    document: doc.index,
                    message: format!(
                        "this resource's {IGNORE_ANNOTATION} names more unknown rule IDs than \
                         the budget of {} findings and {} bytes per resource: only the first \
                         ones are reported",
                        limits.max_findings_per_resource, limits.max_finding_bytes_per_resource
                    ),
                    span: Span::new(at, at),
                });
                break;
            }
            findings_left -= 1;
            bytes_left -= bytes;
            let f = Finding {
                file: Arc::clone(file),
                document: doc.index,
                resource: Arc::clone(&resource),
                container: None,
                rule: rule.id,
                modes: Modes::NONE,
                pss: None,
                severity: rule.severity,
                admission: None,
                message,
                path,
                span: span.unwrap_or_default(),
                fix: rule.fix,
                group: None,
            };
            if suppressed {
                batch.suppressed.push(f);
            } else {
                batch.findings.push(f);
            }
        }
    }
}
