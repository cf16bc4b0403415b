//! `duplicate-key` — input diagnostic.
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::Ctx;
use crate::workload::child_pointer;
use crate::yaml::{NodeId, Value};

declare_rule! {
    /// ## What it checks
    /// A mapping in the resource has the same key twice.
    ///
    /// ## Why it matters
    /// YAML parsers disagree on duplicate keys. The API server (go-yaml via
    /// `sigs.k8s.io/yaml`) keeps the last one, so an earlier `privileged: false` can be
    /// silently overridden by a later `privileged: true` — or the reverse, hiding a
    /// setting a reviewer relied on. One finding points at the key that wins, and its
    /// message gives the line of every earlier one that is ignored.
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `warning`, `pss` is `null`): an input diagnostic. The
    /// PSS rules see the value that wins, as the API server does.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     image: registry.example/app:2.0
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:2.0
    /// ```
    ///
    /// ## Fix
    /// Delete the duplicate, keeping the value you mean.
    ///
    /// ## References
    /// - YAML 1.2 §3.2.1.1 (mapping keys are unique); go-yaml v2 decoding (the last wins)
    DUPLICATE_KEY {
        id: "duplicate-key",
        title: "Duplicate mapping key",
        severity: Warning,
        category: Diagnostic,
        pss: None,
        fix: "delete one of the duplicated keys, keeping the value you mean",
        check: check,
    }
}

/// How the walk reached a node: by a key of a mapping or an index of a sequence.
#[derive(Clone, Copy)]
enum Edge<'k> {
    Key(&'k str),
    Index(usize),
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    if ctx.doc.duplicates.is_empty() {
        return;
    }
    // The nodes of this resource, each visited once (aliases and merge keys share nodes,
    // so the walk is linear), with the edge that reached it: its parent and the key or
    // index. Pointers are built only for the mappings that hold a duplicate, so a long
    // key above a large subtree is not copied into every pointer below it.
    let mut parent: HashMap<NodeId, Option<(NodeId, Edge<'_>)>> = HashMap::new();
    let mut stack: Vec<(NodeId, Option<(NodeId, Edge<'_>)>)> = vec![(ctx.workload.root, None)];
    while let Some((id, reached_by)) = stack.pop() {
        match parent.entry(id) {
            Entry::Occupied(_) => continue,
            Entry::Vacant(v) => {
                v.insert(reached_by);
            }
        }
        match ctx.doc.node(id).map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                stack.extend(
                    entries
                        .iter()
                        .map(|e| (e.value, Some((id, Edge::Key(e.key.as_ref()))))),
                );
            }
            Some(Value::Seq(items)) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, &item)| (item, Some((id, Edge::Index(i))))),
                );
            }
            _ => {}
        }
    }
    let pointer_of = |mut id: NodeId| {
        let mut edges = Vec::new();
        while let Some(Some((up, edge))) = parent.get(&id) {
            edges.push(*edge);
            id = *up;
        }
        let mut out = ctx.workload.root_pointer.clone();
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
        pointer: String,
        winner: crate::yaml::Span,
        hidden: Vec<usize>,
    }
    let mut dups: Vec<Dup<'_>> = Vec::new();
    let mut by_winner: std::collections::HashMap<crate::yaml::Span, usize> =
        std::collections::HashMap::new();
    for d in &ctx.doc.duplicates {
        if !parent.contains_key(&d.map) {
            continue;
        }
        let line = ctx.line_number(d.hidden.start);
        match by_winner.get(&d.winner).and_then(|&i| dups.get_mut(i)) {
            Some(x) => x.hidden.push(line),
            None => {
                by_winner.insert(d.winner, dups.len());
                dups.push(Dup {
                    key: &d.key,
                    pointer: child_pointer(&pointer_of(d.map), &d.key),
                    winner: d.winner,
                    hidden: vec![line],
                });
            }
        }
    }
    let hits: Vec<_> = dups
        .into_iter()
        .map(|mut d| {
            d.hidden.sort_unstable();
            let msg = match d.hidden.as_slice() {
                [one] => format!(
                    "duplicate key {:?}: this one wins over the one on line {one}, which is ignored",
                    d.key
                ),
                more => format!(
                    "duplicate key {:?}: this one wins over the ones on lines {}, which are ignored",
                    d.key,
                    more.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            (d.pointer, d.winner, msg)
        })
        .collect();
    for (pointer, span, msg) in hits {
        ctx.report_at(pointer, Some(span), msg);
    }
}
