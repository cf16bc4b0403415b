//! The ops of one fix set composed with the renames and moves among them, before they
//! are written ([`compose`]), and the combinations that cannot be ([`check_moves_apart`]).

use super::*;

/// `ops` as the layout writes them, and what other ops change in each moved value.
pub(super) struct Composed {
    /// The ops to write: the renames and moves, and the others not absorbed into a
    /// moved value (rerouted under a renamed key as it is written).
    pub(super) ops: Vec<Op>,
    /// The moved values other ops change.
    pub(super) moves: Vec<Changed>,
}

/// A moved value that other ops change.
pub(super) struct Changed {
    /// The path the move takes it from.
    pub(super) from: Vec<String>,
    /// The value with the changes.
    pub(super) value: J,
    /// When every change adds a key the value does not have (a mapping): those keys,
    /// written after the moved text.
    pub(super) extra: Option<Map<String, J>>,
}

/// Composes the other ops with the renames and moves whose destination they reach (a
/// rename of `securityContex` and `allowPrivilegeEscalation: false` set in the
/// `securityContext` it becomes; a block moved from under `resources:` and
/// `capabilities.drop` appended to it), as [`super::super::ops::apply`] does (renames
/// and moves first):
///
/// - a rename inside what another op removes is dropped (it leaves with it);
/// - a `Set` of the value the moved or renamed value already holds there, or an `Append`
///   of an item its list already has, is dropped (the value is written as it is);
/// - into a renamed key's value: the op goes to the same field under the key as written
///   (its edits and the key's are apart);
/// - into a moved value: when it adds a key the value does not have, that key is written
///   after the moved text, indented as the value's own keys; otherwise the op is applied
///   to the value, which is then written by the writer instead of moving as text (its
///   comments are not kept).
///
/// # Errors
/// An op that does not apply to a moved value.
pub(super) fn compose(doc: &Document<'_>, ops: &[Op]) -> Result<Composed, String> {
    let arriving: Vec<(usize, Vec<String>, J)> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let dest = op.destination()?;
            let node = doc
                .root
                .and_then(|r| doc.pointer(r, &to_pointer(op.path())))?;
            Some((i, dest, doc.to_json(node)))
        })
        .collect();
    let mut out = Composed {
        ops: Vec::with_capacity(ops.len()),
        moves: Vec::new(),
    };
    // A rename inside a list item or entry another op removes (a misspelled key of a
    // sysctl the `unsafe-sysctl` fix removes) leaves with it: not written.
    let removed: std::collections::HashSet<&[String]> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Remove { path } => Some(path.as_slice()),
            _ => None,
        })
        .collect();
    let gone = |p: &[String]| (0..p.len()).any(|n| p.get(..n).is_some_and(|a| removed.contains(a)));
    for op in ops {
        if matches!(op, Op::Rename { path, .. } if gone(path)) {
            continue;
        }
        let hit = (op.destination().is_none())
            .then(|| {
                arriving.iter().find_map(|(i, dest, value)| {
                    let rest = op.path().strip_prefix(dest.as_slice())?;
                    Some((*i, rest, value))
                })
            })
            .flatten();
        let Some((i, rest, value)) = hit else {
            out.ops.push(op.clone());
            continue;
        };
        let there = rest.iter().try_fold(value, |v, t| match v {
            J::Object(m) => m.get(t.as_str()),
            J::Array(items) => items.get(t.parse::<usize>().ok()?),
            _ => None,
        });
        let held = match op {
            Op::Set { value, .. } => there == Some(value),
            Op::Append { value, .. } => {
                matches!(there, Some(J::Array(items)) if items.contains(value))
            }
            _ => false,
        };
        if held {
            continue;
        }
        let Some(mover) = ops.get(i) else { continue };
        match mover {
            Op::Rename { path: from, .. } => {
                let mut rerouted = op.clone();
                let path = match &mut rerouted {
                    Op::Set { path, .. } | Op::Append { path, .. } | Op::Remove { path } => path,
                    _ => return Err("conflicting changes".into()),
                };
                let mut p = from.clone();
                p.extend(rest.iter().cloned());
                *path = p;
                out.ops.push(rerouted);
            }
            _ => {
                let from = mover.path();
                let slot = match out.moves.iter().position(|c| c.from == from) {
                    Some(k) => k,
                    None => {
                        out.moves.push(Changed {
                            from: from.to_vec(),
                            value: value.clone(),
                            extra: Some(Map::new()),
                        });
                        out.moves.len() - 1
                    }
                };
                let Some(c) = out.moves.get_mut(slot) else {
                    continue;
                };
                let in_value = |path: &mut Vec<String>| {
                    let mut p = vec!["v".to_string()];
                    p.extend(rest.iter().cloned());
                    *path = p;
                };
                let mut inner = op.clone();
                match &mut inner {
                    Op::Set { path, .. } | Op::Append { path, .. } | Op::Remove { path } => {
                        in_value(path)
                    }
                    _ => return Err("conflicting changes".into()),
                }
                // A key the moved mapping does not have: written after its text.
                let new_key = matches!(op, Op::Set { .. } | Op::Append { .. })
                    && matches!((value, rest.first()), (J::Object(m), Some(k)) if !m.contains_key(k.as_str()));
                c.extra = match (c.extra.take(), new_key) {
                    (Some(extra), true) => {
                        let mut root =
                            J::Object(Map::from_iter([("v".to_string(), J::Object(extra))]));
                        super::super::ops::apply(&mut root, std::slice::from_ref(&inner))?;
                        match root {
                            J::Object(mut m) => match m.remove("v") {
                                Some(J::Object(e)) => Some(e),
                                _ => None,
                            },
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let mut root = J::Object(Map::from_iter([("v".to_string(), c.value.take())]));
                super::super::ops::apply(&mut root, &[inner])?;
                c.value = match root {
                    J::Object(mut m) => m.remove("v").unwrap_or(J::Null),
                    _ => J::Null,
                };
            }
        }
    }
    Ok(out)
}

/// Refuses ops of which one renames or moves a field another op also reaches: the same
/// field or a mapping on its way; for a move, a field inside the entry it takes (which
/// leaves with it); for both, a destination another op also writes.
pub(super) fn check_moves_apart(ops: &[Op]) -> Result<(), String> {
    // Every path an op changes (its field, and a mover's destination), with the ops that
    // change it: looked up by prefix, so a document's thousand renames are checked in
    // about linear time, not each against each.
    let mut owners: std::collections::BTreeMap<&[String], Vec<usize>> =
        std::collections::BTreeMap::new();
    let dests: Vec<Option<Vec<String>>> = ops.iter().map(Op::destination).collect();
    for (j, op) in ops.iter().enumerate() {
        owners.entry(op.path()).or_default().push(j);
        if let Some(Some(d)) = dests.get(j) {
            owners.entry(d.as_slice()).or_default().push(j);
        }
    }
    let clash = |b: &[String]| {
        Err(format!(
            "{} {}: fix them one at a time",
            super::CLASH,
            to_pointer(b)
        ))
    };
    // A path of another op than `i` at `p` or on its way (`p` within it).
    let on_the_way = |i: usize, p: &[String]| {
        (0..=p.len()).find_map(|n| {
            let b = p.get(..n)?;
            owners
                .get(b)
                .filter(|o| o.iter().any(|&j| j != i))
                .map(|_| b.to_vec())
        })
    };
    // A path of another op than `i` inside `p` (within it, `p` itself excluded: found by
    // `on_the_way`).
    let inside = |i: usize, p: &[String]| {
        owners
            .range::<[String], _>((std::ops::Bound::Excluded(p), std::ops::Bound::Unbounded))
            .take_while(|(b, _)| b.starts_with(p))
            .find(|(_, o)| o.iter().any(|&j| j != i))
            .map(|(b, _)| b.to_vec())
    };
    for (i, op) in ops.iter().enumerate() {
        let Some(Some(dest)) = dests.get(i) else {
            continue;
        };
        let from = op.path();
        let found = on_the_way(i, from)
            .or_else(|| on_the_way(i, dest))
            .or_else(|| inside(i, dest))
            .or_else(|| {
                matches!(op, Op::Move { .. })
                    .then(|| inside(i, from))
                    .flatten()
            });
        if let Some(b) = found {
            return clash(&b);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn path(p: &str) -> Vec<String> {
        super::super::super::ops::tokens(p)
    }

    /// A rename or move clashes with an op on the field it takes, inside it (for a
    /// move), on the way to its destination or inside it; ops apart do not clash.
    #[test]
    fn moves_and_renames_clash_with_what_they_reach() {
        let rename = Op::Rename {
            path: path("/spec/sc/runAsNonroot"),
            to: "runAsNonRoot".into(),
        };
        let moved = Op::Move {
            from: path("/spec/c/0/sc/fsGroup"),
            to: path("/spec/sc/fsGroup"),
        };
        let set = |p: &str| Op::Set {
            path: path(p),
            value: J::Bool(true),
        };
        assert_eq!(check_moves_apart(&[rename.clone(), moved.clone()]), Ok(()));
        assert_eq!(
            check_moves_apart(&[rename.clone(), set("/spec/sc/x")]),
            Ok(())
        );
        for (other, at) in [
            (set("/spec/sc/runAsNonroot"), "/spec/sc/runAsNonroot"),
            (set("/spec/sc/runAsNonRoot"), "/spec/sc/runAsNonRoot"),
            (set("/spec/sc/fsGroup/x"), "/spec/sc/fsGroup/x"),
            (set("/spec/c/0/sc/fsGroup/x"), "/spec/c/0/sc/fsGroup/x"),
            (set("/spec"), "/spec"),
        ] {
            let both = [rename.clone(), moved.clone(), other];
            assert_eq!(
                check_moves_apart(&both),
                Err(format!("two changes of {at}: fix them one at a time")),
                "{at}"
            );
        }
    }
}
