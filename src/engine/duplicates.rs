//! `duplicate-key` over a whole document: the per-document pass of the input diagnostic.
//!
//! A duplicated key is a problem of the text, wherever it stands: in a workload, in a
//! Service, a ConfigMap, a `kind: List`'s own keys (`items:` or `kind:` twice) or in a
//! document that is not a Kubernetes object at all. So this pass runs once per document,
//! beside the per-resource rules ([`super::judge`]), over every duplicate the parser
//! recorded ([`Document::duplicates`]), and reports each one once, attributed to the
//! innermost resource that holds it:
//!
//! - the workload ([`Workload`]) whose root holds it, with its [`ResourceRef`] and, for a
//!   key inside a container's item, the container's name;
//! - else the `List` item (`/items/N`, nested Lists included) that holds it;
//! - else the document, named by its own `apiVersion`, `kind` and `metadata`
//!   ([`MatchedBy::None`]; `""` for an `apiVersion` or `kind` it does not set).
//!
//! The rule stays a rule like any other: `select`, `ignore`, per-file ignores, the
//! baseline, and `kube-secctx.io/ignore` on the metadata of the resource that holds the
//! key (for a workload, also on its pod template's metadata, as for every rule).
//!
//! The walk visits each node once, in source order (an alias's node is attributed where
//! it is first written, its anchor), so the pass is linear in the document; pointers are
//! built only for the mappings that hold a duplicate. A duplicate inside the value a
//! duplicate hides is not reported: that value is dropped whole. Each resource's
//! `duplicate-key` findings are bounded by the same budgets as its rules'
//! ([`crate::Limits::max_findings_per_resource`],
//! [`crate::Limits::max_finding_bytes_per_resource`]); past them, an error entry at the
//! resource says so.

use crate::hash::{HashMap, HashSet};
use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::{Batch, Checker};
use crate::options::{Modes, Options};
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding, MatchedBy, ResourceRef};
use crate::rules::{Rule, DUPLICATE_KEY};
use crate::workload::{annotations, child_pointer, is_list, Workload};
use crate::yaml::{Document, NodeId, Span, Value};

use super::judge::IGNORE_ANNOTATION;

/// How the walk reached a node: by a key of a mapping or an index of a sequence.
#[derive(Clone, Copy)]
enum Edge<'k> {
    Key(&'k str),
    Index(usize),
}

/// A resource that may own duplicates: the document, a `List` item, or a workload.
struct Owner<'w> {
    root: NodeId,
    resource: Arc<ResourceRef>,
    workload: Option<&'w Workload>,
    /// The rule IDs its `kube-secctx.io/ignore` annotations name.
    ignored: HashSet<String>,
    /// Findings and bytes still allowed, and whether the budget was passed.
    findings_left: usize,
    bytes_left: usize,
    full: bool,
}

/// What the walk knows of a visited node.
#[derive(Clone, Copy)]
struct Visit<'k> {
    reached_by: Option<(NodeId, Edge<'k>)>,
    owner: usize,
}

/// What a node on the walk's stack starts: nothing, the items of a `List` (its `items`
/// sequence), or a resource of its own (one of those items).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Starts {
    Nothing,
    ListItems,
    Resource,
}

/// A node on the walk's stack: the node, how it was reached, the owner of its parent,
/// and what it starts.
struct Step<'k> {
    id: NodeId,
    reached_by: Option<(NodeId, Edge<'k>)>,
    parent_owner: usize,
    starts: Starts,
}

/// Reports every duplicated key of `doc` into `batch` (see the module docs), unless
/// [`DUPLICATE_KEY`] does not run (the checker's options, or its per-file ignores).
/// `workloads` are the document's, as [`crate::workload::extract`] found them; `lines`
/// indexes the text (messages name the lines of the keys a key hides).
pub(super) fn report(
    checker: &Checker,
    file: &Arc<str>,
    doc: &Document<'_>,
    workloads: &[Workload],
    lines: Option<&Lines<'_>>,
    batch: &mut Batch,
) {
    let (opts, skip) = (&checker.opts, &checker.file_ignore);
    let rule: &'static Rule = &DUPLICATE_KEY;
    if doc.duplicates.is_empty() || !opts.runs_other(rule) || skip.contains(&rule.id) {
        return;
    }
    let Some(root) = doc.root else { return };
    let by_root: HashMap<NodeId, &Workload> = workloads.iter().map(|w| (w.root, w)).collect();
    let limits = &opts.limits;
    let new_owner = |id: NodeId| -> Owner<'_> {
        let workload = by_root.get(&id).copied();
        let (resource, ignored) = match workload {
            Some(w) => (
                w.resource.clone(),
                ignored_ids(doc, &[w.metadata, w.pod_metadata]),
            ),
            None => {
                let metadata = doc.get_set(id, "metadata");
                (
                    resource_of(doc, id, metadata),
                    ignored_ids(doc, &[metadata]),
                )
            }
        };
        Owner {
            root: id,
            resource: Arc::new(resource),
            workload,
            ignored,
            findings_left: limits.max_findings_per_resource,
            bytes_left: limits.max_finding_bytes_per_resource,
            full: false,
        }
    };
    // The walk: each node once, in source order (children pushed in reverse).
    let mut owners: Vec<Owner<'_>> = Vec::new();
    let mut visits: HashMap<NodeId, Visit<'_>> = HashMap::default();
    let mut stack: Vec<Step<'_>> = vec![Step {
        id: root,
        reached_by: None,
        parent_owner: 0,
        starts: Starts::Resource,
    }];
    while let Some(Step {
        id,
        reached_by,
        parent_owner,
        starts,
    }) = stack.pop()
    {
        let Entry::Vacant(slot) = visits.entry(id) else {
            continue;
        };
        let owner = if starts == Starts::Resource {
            owners.push(new_owner(id));
            owners.len() - 1
        } else {
            parent_owner
        };
        slot.insert(Visit { reached_by, owner });
        match doc.node(id).map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                // A resource that is a `List`: its items are resources of their own.
                let list = starts == Starts::Resource
                    && {
                        let field = |k| doc.get_set(id, k).and_then(|v| doc.str(v));
                        matches!((field("apiVersion"), field("kind")), (Some(a), Some(k)) if is_list(a, k))
                    };
                stack.extend(entries.iter().rev().map(|e| {
                    let starts = if list && e.key == "items" {
                        Starts::ListItems
                    } else {
                        Starts::Nothing
                    };
                    Step {
                        id: e.value,
                        reached_by: Some((id, Edge::Key(e.key.as_ref()))),
                        parent_owner: owner,
                        starts,
                    }
                }));
            }
            Some(Value::Seq(items)) => {
                let starts = if starts == Starts::ListItems {
                    Starts::Resource
                } else {
                    Starts::Nothing
                };
                stack.extend(items.iter().enumerate().rev().map(|(i, &item)| Step {
                    id: item,
                    reached_by: Some((id, Edge::Index(i))),
                    parent_owner: owner,
                    starts,
                }));
            }
            _ => {}
        }
    }
    let pointer_of = |mut id: NodeId| {
        let mut edges = Vec::new();
        while let Some(Visit {
            reached_by: Some((up, edge)),
            ..
        }) = visits.get(&id)
        {
            edges.push(*edge);
            id = *up;
        }
        let mut out = String::new();
        for edge in edges.iter().rev() {
            match edge {
                Edge::Key(k) => out = child_pointer(&out, k),
                Edge::Index(i) => out.push_str(&format!("/{i}")),
            }
        }
        out
    };
    // One finding per winning key, naming the line of every key it hides.
    struct Dup<'k> {
        key: &'k str,
        map: NodeId,
        owner: usize,
        winner: Span,
        hidden: Vec<usize>,
    }
    let line_of = |offset: usize| lines.map_or(0, |l| l.line(offset)) + 1;
    let mut dups: Vec<Dup<'_>> = Vec::new();
    let mut by_winner: HashMap<Span, usize> = HashMap::default();
    for d in &doc.duplicates {
        // Not visited: inside a value that a duplicate hides (dropped whole).
        let Some(visit) = visits.get(&d.map) else {
            continue;
        };
        let line = line_of(d.hidden.start);
        match by_winner.get(&d.winner).and_then(|&i| dups.get_mut(i)) {
            Some(x) => x.hidden.push(line),
            None => {
                by_winner.insert(d.winner, dups.len());
                dups.push(Dup {
                    key: &d.key,
                    map: d.map,
                    owner: visit.owner,
                    winner: d.winner,
                    hidden: vec![line],
                });
            }
        }
    }
    for mut d in dups {
        let Some(owner) = owners.get_mut(d.owner) else {
            continue;
        };
        if owner.full {
            continue;
        }
        let path = child_pointer(&pointer_of(d.map), d.key);
        d.hidden.sort_unstable();
        let message = message(d.key, &d.hidden);
        let bytes = path.len() + message.len();
        if owner.findings_left == 0 || owner.bytes_left < bytes {
            owner.full = true;
            batch.errors.push(over_budget(file, doc, owner, opts));
            continue;
        }
        owner.findings_left -= 1;
        owner.bytes_left -= bytes;
        let container = owner
            .workload
            .and_then(|w| w.container_at(&path))
            .and_then(|c| c.name.clone());
        let finding = Finding {
            file: Arc::clone(file),
            document: doc.index,
            resource: Arc::clone(&owner.resource),
            container,
            rule: rule.id,
            modes: Modes::NONE,
            pss: None,
            severity: rule.severity,
            admission: None,
            message,
            path,
            span: d.winner,
            fix: rule.fix,
            group: None,
        };
        if owner.ignored.contains(rule.id) {
            batch.suppressed.push(finding);
        } else {
            batch.findings.push(finding);
        }
    }
}

/// The message of a key that hides the keys on `hidden` (1-based lines, ascending).
fn message(key: &str, hidden: &[usize]) -> String {
    match hidden {
        [one] => format!(
            "duplicate key {key:?}: this one wins over the one on line {one}, which is ignored"
        ),
        more => format!(
            "duplicate key {key:?}: this one wins over the ones on lines {}, which are ignored",
            more.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The identity of a document or `List` item without a pod spec: its `apiVersion` and
/// `kind` when they are strings (else `""`), `metadata.name` and `metadata.namespace`.
pub(super) fn resource_of(
    doc: &Document<'_>,
    root: NodeId,
    metadata: Option<NodeId>,
) -> ResourceRef {
    let field = |node: Option<NodeId>, key: &str| {
        node.and_then(|n| doc.get_set(n, key))
            .and_then(|v| doc.scalar(v).and(doc.str(v)))
    };
    let root = doc.map(root).map(|_| root);
    ResourceRef {
        api_version: field(root, "apiVersion").unwrap_or_default().to_string(),
        kind: field(root, "kind").unwrap_or_default().to_string(),
        name: field(metadata, "name").map(str::to_string),
        namespace: field(metadata, "namespace").map(str::to_string),
        matched_by: MatchedBy::None,
    }
}

/// The rule IDs named by the `kube-secctx.io/ignore` annotations of `metadata` nodes.
fn ignored_ids(doc: &Document<'_>, metadata: &[Option<NodeId>]) -> HashSet<String> {
    let mut out = HashSet::default();
    for &meta in metadata {
        for (k, v) in annotations(doc, meta) {
            if k == IGNORE_ANNOTATION {
                out.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// The error entry of a resource whose duplicated keys passed its budget, at its root.
fn over_budget(file: &str, doc: &Document<'_>, owner: &Owner<'_>, opts: &Options) -> ErrorEntry {
    let at = doc.node(owner.root).map_or(0, |n| n.span().start);
    let limits = &opts.limits;
    ErrorEntry {
        file: file.to_string(),
        document: doc.index,
        message: format!(
            "this resource has more duplicated keys than the budget of {} findings and {} \
             bytes of pointers and messages per resource: only the ones within it are \
             reported",
            limits.max_findings_per_resource, limits.max_finding_bytes_per_resource
        ),
        span: Span::new(at, at),
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn the_message_names_each_hidden_line() {
        assert_eq!(
            message("a", &[3]),
            "duplicate key \"a\": this one wins over the one on line 3, which is ignored"
        );
        assert_eq!(
            message("a", &[3, 5]),
            "duplicate key \"a\": this one wins over the ones on lines 3, 5, which are ignored"
        );
    }
}
