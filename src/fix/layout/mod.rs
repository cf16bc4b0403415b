//! [`Op`]s to text edits that keep the document's layout: its indentation width, flush or
//! indented `- ` sequences, block or flow style, JSON for a JSON document, its line
//! endings, and every comment. Several ops on one mapping make one insertion.
//!
//! Edits never go through an alias, into an anchored node an alias uses, or into a
//! mapping that merges another (`<<`): such an op is refused with the reason.
//!
//! A renamed key keeps its quoting; a moved entry's lines move, re-indented, with the
//! comments inside them (see [`moves`] for when the value is written instead).

mod compose;
mod edit;
mod moves;
mod text;
mod write;

use moves::Moved;

use text::skip_properties;
pub(super) use write::json_text;

use std::collections::BTreeMap;

use serde_json::{Map, Value as J};

use super::ops::{to_pointer, Op};
use super::Edit;
use crate::yaml::{Document, NodeId, Resolved, Span, Value};

/// How the refusals of two ops that cannot be written together begin ("two changes of
/// …"): each op alone can be.
pub(super) const CLASH: &str = "two changes of";

/// The text edits for `ops` on document `doc` of `text` (the whole stream), sorted and
/// non-overlapping.
///
/// # Errors
/// Why the ops cannot be written: an alias, an anchor or a merge key on the way, a
/// path through a scalar, a layout this module does not edit, or two ops whose edits
/// overlap.
pub(crate) fn edits(doc: &Document<'_>, text: &str, ops: &[Op]) -> Result<Vec<Edit>, String> {
    let l = Layout { doc, text };
    if doc.alias_in_anchor {
        return Err(
            "an alias stands inside its own anchor's node (`&a` … `*a`): edit the document by hand"
                .into(),
        );
    }
    // YAML breaks lines at a carriage return alone too (classic Mac OS): such a text is
    // not edited (no manifest tool writes one).
    let body = text.get(doc.span.start..doc.span.end).unwrap_or("");
    let bytes = body.as_bytes();
    if memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
        return Err(
            "the document breaks lines with a carriage return alone (CR): edit it by hand".into(),
        );
    }
    let composed = compose::compose(doc, ops)?;
    let ops = &composed.ops[..];
    compose::check_moves_apart(ops)?;
    let mut p = Pending::default();
    for op in ops {
        let walked = l.walk(op.path())?;
        p.depth.insert(walked.last(), walked.nodes.len());
        match op {
            Op::Set { value, .. } | Op::Append { value, .. } => {
                let is_append = matches!(op, Op::Append { .. });
                match walked.missing {
                    [] if is_append => {
                        let list = walked.last();
                        if l.doc.is_null(list) {
                            merge_insert(
                                &mut p.inserts,
                                list,
                                Target::Null(walked.key_span()),
                                &[],
                                J::Array(vec![value.clone()]),
                            )?;
                        } else if let Some(items) = l.doc.seq(list) {
                            // The values appended are scalars: an item that expands
                            // to more than a few nodes is not one of them.
                            let present = items
                                .iter()
                                .any(|&i| l.doc.json_within(i, 64).as_ref() == Some(value));
                            if !present {
                                p.appends.entry(list).or_default().push(value.clone());
                            }
                        } else {
                            return Err(format!("{} is not a list", op.pointer()));
                        }
                    }
                    [] => {
                        let node = walked.last();
                        if l.doc.scalar(node).is_none() {
                            return Err(format!("{} is not a scalar", op.pointer()));
                        }
                        p.keys.insert(node, walked.key_span());
                        if p.replaces
                            .insert(node, value.clone())
                            .is_some_and(|v| v != *value)
                        {
                            return Err(format!("two values for {}", op.pointer()));
                        }
                    }
                    missing => {
                        let at = walked.last();
                        let new = if is_append {
                            J::Array(vec![value.clone()])
                        } else {
                            value.clone()
                        };
                        let target = if l.doc.map(at).is_some() {
                            if l.doc.merging.binary_search(&at).is_ok() {
                                return Err(
                                    "the mapping uses a merge key `<<`: edit it by hand".into()
                                );
                            }
                            Target::Map
                        } else if l.doc.is_null(at) {
                            Target::Null(walked.key_span())
                        } else {
                            return Err(format!(
                                "{} is not a mapping",
                                to_pointer(
                                    op.path()
                                        .get(..op.path().len() - missing.len())
                                        .unwrap_or(&[])
                                )
                            ));
                        };
                        merge_insert(&mut p.inserts, at, target, missing, new)?;
                    }
                }
            }
            Op::Remove { path } => {
                if !walked.missing.is_empty() {
                    continue;
                }
                let parent = walked.parent().ok_or("cannot remove the root")?;
                removal(&l, &mut p.removals, parent, path)?;
            }
            Op::Rename { path, to } => l.rename_op(&mut p, &walked, path, to)?,
            Op::Move { from, to } => l.move_op(&mut p, &composed, &walked, from, to)?,
        }
    }
    let mut out = Vec::new();
    let mut points: Vec<(Edit, usize)> = Vec::new();
    // The collections that lose every element (new ones are written where the first
    // was) and those that get new elements (a removal that empties one keeps its lines
    // for them).
    let emptied: std::collections::BTreeSet<NodeId> = p
        .removals
        .iter()
        .filter(|(node, gone)| {
            let count = l.doc.map(**node).map(<[_]>::len);
            let count = count.or_else(|| l.doc.seq(**node).map(<[_]>::len));
            count.is_some_and(|n| gone.len() >= n)
        })
        .map(|(node, _)| *node)
        .collect();
    let refilled: std::collections::BTreeSet<NodeId> = p
        .inserts
        .iter()
        .filter(|(_, (target, _))| *target == Target::Map)
        .map(|(node, _)| *node)
        .chain(p.appends.keys().copied())
        .collect();
    for (node, (target, value)) in p.inserts {
        let moved = p.moved_in.remove(&node).unwrap_or_default();
        let edit = match value {
            J::Object(fields) => {
                l.insert(node, target, &fields, &moved, emptied.contains(&node))?
            }
            _ if !moved.is_empty() => return Err("conflicting changes".into()),
            list => l.insert_list(
                node,
                &list,
                match target {
                    Target::Null(key) => key,
                    Target::Map => None,
                },
            )?,
        };
        points.push((edit, p.depth.get(&node).copied().unwrap_or(0)));
    }
    for (node, items) in p.appends {
        points.push((
            l.append(node, &items, emptied.contains(&node))?,
            p.depth.get(&node).copied().unwrap_or(0),
        ));
    }
    // One insertion per offset, the deepest node's text first.
    points.sort_unstable_by(|a, b| {
        (a.0.span.start, a.0.span.end, std::cmp::Reverse(a.1)).cmp(&(
            b.0.span.start,
            b.0.span.end,
            std::cmp::Reverse(b.1),
        ))
    });
    for (edit, _) in points {
        match out.last_mut() {
            Some(Edit { span, new_text }) if span.start == span.end && *span == edit.span => {
                // At the end of a text without a final line break, only the first
                // insertion starts with one.
                let more = if span.start == text.len() && !text.ends_with('\n') {
                    edit.new_text.trim_start_matches(['\r', '\n'])
                } else {
                    &edit.new_text
                };
                new_text.push_str(more)
            }
            _ => out.push(edit),
        }
    }
    for (node, mut gone) in p.removals {
        gone.sort_unstable();
        out.extend(l.remove(node, &gone, refilled.contains(&node))?);
    }
    for (node, value) in p.replaces {
        out.push(l.replace(node, &value, p.keys.get(&node).copied().flatten())?);
    }
    out.extend(p.renames);
    // A text without a final line break keeps it so: an insertion at its end starts with
    // one and does not end with one.
    if !text.ends_with('\n') {
        for e in &mut out {
            if e.span.start == text.len() {
                let kept = e.new_text.trim_end_matches(['\r', '\n']).len();
                e.new_text.truncate(kept);
            }
        }
    }
    out.sort_unstable_by_key(|e| (e.span.start, e.span.end));
    for pair in out.windows(2) {
        if let [a, b] = pair {
            if b.span.start < a.span.end || (b.span.start == a.span.start && a.span == b.span) {
                return Err(format!("{CLASH} the same text"));
            }
        }
    }
    Ok(out)
}

/// The changes of [`edits`] per node, before they are written.
#[derive(Default)]
struct Pending {
    /// Per target node: the new keys of a mapping (or of a `null` that becomes one).
    inserts: BTreeMap<NodeId, (Target, J)>,
    /// The entries moved into each inserted node (paths below it).
    moved_in: BTreeMap<NodeId, Vec<Moved>>,
    /// How deep each insertion's node is: insertions at one offset go deepest first (a
    /// container's new keys before its pod's, which follow the container's last line).
    depth: BTreeMap<NodeId, usize>,
    /// The new items of a list.
    appends: BTreeMap<NodeId, Vec<J>>,
    /// The entries or items removed.
    removals: BTreeMap<NodeId, Vec<usize>>,
    /// The scalar replaced.
    replaces: BTreeMap<NodeId, J>,
    /// The key span of each replaced value's entry (an empty value is written after it).
    keys: BTreeMap<NodeId, Option<Span>>,
    /// Renamed keys: one edit each.
    renames: Vec<Edit>,
}

/// How new keys reach a node: into a mapping, or by replacing a `null` (the key span of
/// its entry, for its indentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Map,
    Null(Option<Span>),
}

pub(super) fn merge_insert(
    inserts: &mut BTreeMap<NodeId, (Target, J)>,
    node: NodeId,
    target: Target,
    path: &[String],
    value: J,
) -> Result<(), String> {
    let slot = inserts
        .entry(node)
        .or_insert_with(|| (target, J::Object(Map::new())));
    let mut at = &mut slot.1;
    let Some((last, parents)) = path.split_last() else {
        // A list for a `null` (Append on a null list).
        return match value {
            J::Array(_) => {
                *at = value;
                Ok(())
            }
            _ => Err("a value for a null".into()),
        };
    };
    for t in parents {
        let J::Object(m) = at else {
            return Err("conflicting changes".into());
        };
        at = m.entry(t.clone()).or_insert_with(|| J::Object(Map::new()));
    }
    let J::Object(m) = at else {
        return Err("conflicting changes".into());
    };
    match (m.get_mut(last.as_str()), value) {
        (Some(J::Array(items)), J::Array(more)) => {
            for v in more {
                if !items.contains(&v) {
                    items.push(v);
                }
            }
        }
        (Some(old), v) if *old != v => return Err("conflicting changes".into()),
        (Some(_), _) => {}
        (None, v) => {
            m.insert(last.clone(), v);
        }
    }
    Ok(())
}

/// Records the removal of the entry or item at `path` (a child of `parent`).
pub(super) fn removal(
    l: &Layout<'_, '_>,
    removals: &mut BTreeMap<NodeId, Vec<usize>>,
    parent: NodeId,
    path: &[String],
) -> Result<(), String> {
    let last = path.last().map(String::as_str).unwrap_or("");
    written_once(l, parent, last)?;
    let at = match (l.doc.map(parent), l.doc.seq(parent)) {
        (Some(entries), _) => entries.iter().position(|e| e.key == last),
        (_, Some(_)) => last.parse().ok(),
        _ => None,
    };
    let at = at.ok_or_else(|| format!("no field {}", to_pointer(path)))?;
    let list = removals.entry(parent).or_default();
    if !list.contains(&at) {
        list.push(at);
    }
    Ok(())
}

/// Refuses to take away a key written twice in `map`: removing or renaming the key that
/// wins would bring back the one it hides.
pub(super) fn written_once(l: &Layout<'_, '_>, map: NodeId, key: &str) -> Result<(), String> {
    if l.doc
        .duplicates
        .iter()
        .any(|d| d.map == map && d.key == key)
    {
        return Err(format!(
            "`{key}` is written twice in its mapping: remove the duplicate first"
        ));
    }
    Ok(())
}

pub(super) struct Layout<'l, 'd> {
    doc: &'l Document<'d>,
    text: &'l str,
}
