//! Renamed keys and moved entries ([`Op::Rename`], [`Op::Move`]): the key's text
//! rewritten in its own quoting style, and an entry's own lines (comments inside it
//! included) taken from where they are and written, re-indented, where they belong.
//!
//! An entry's text moves when it is written in block style (its key starts its line, or
//! follows a list item's `- `) and the place it goes is a block mapping (or a new block
//! under one). Otherwise (a flow mapping `{...}` on either side, a JSON document, a
//! `null` written in place of the field) the value is written by the writer of the other
//! fixes ([`Layout::block`], [`Layout::flow`]): the same object, without the comments
//! inside the value. An entry whose value holds an anchor an alias uses, or an alias, is
//! not moved (the alias could come before its anchor).

use super::*;

/// An entry moved into a node, as [`Layout::insert`] writes it.
#[derive(Debug, Clone)]
pub(super) struct Moved {
    /// The path from the node down to the entry's key (the last token).
    pub(super) path: Vec<String>,
    /// The value, for the writer (flow mappings, JSON).
    pub(super) value: J,
    /// The entry's own text, when it can move as text.
    pub(super) text: Option<MovedText>,
    /// Keys other fixes add to the moved mapping, written after its text.
    pub(super) extra: Map<String, J>,
}

/// An entry's text as written: from its key to the end of its last line (a comment on
/// that line included, the line break not).
#[derive(Debug, Clone)]
pub(super) struct MovedText {
    text: String,
    /// The key's column: the lines after the first keep their indentation relative to it.
    column: usize,
    /// How much deeper than the key the value's own keys are, when it is a block mapping
    /// whose keys start their lines.
    pub(super) child: Option<usize>,
}

impl MovedText {
    /// The entry's lines with its key at column `indent`, each ending with `eol`: every
    /// line after the first shifted as much as the key (a comment less indented than the
    /// key keeps its distance, down to column 0); blank lines left empty.
    pub(super) fn reindented(&self, indent: usize, eol: &str, out: &mut String) {
        for (i, line) in self.text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if i == 0 {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
            } else if !line.trim().is_empty() {
                let body = line.trim_start_matches(' ');
                let had = line.len() - body.len();
                let now = if had >= self.column {
                    indent + (had - self.column)
                } else {
                    indent.saturating_sub(self.column - had)
                };
                out.push_str(&" ".repeat(now));
                out.push_str(body);
            }
            out.push_str(eol);
        }
    }
}

impl Layout<'_, '_> {
    /// The edit that renames the key written at `key` (the entry of `old`) to `to`: plain
    /// stays plain (quoted when `to` would not read back as a string), `"..."` and
    /// `'...'` keep their quotes.
    ///
    /// # Errors
    /// A key written another way (a tag, an anchor, escapes, a YAML 1.1 boolean `on`).
    pub(super) fn rename(&self, key: Span, old: &str, to: &str) -> Result<Edit, String> {
        let written = self.text.get(key.start..key.end).unwrap_or("");
        let new = if written == old && !self.is_json() {
            self.key(to)
        } else if written == json_text(&J::String(old.to_string())) {
            json_text(&J::String(to.to_string()))
        } else if written == format!("'{}'", old.replace('\'', "''")) {
            format!("'{}'", to.replace('\'', "''"))
        } else {
            return Err(format!(
                "the key `{old}` is written as `{written}` (a tag, an anchor or escapes): rename it by hand"
            ));
        };
        Ok(Edit::new(key, new))
    }

    /// The text of entry `e` of mapping `map`, when it can move as text (see the module's
    /// documentation).
    pub(super) fn moved_text(&self, map: NodeId, e: &crate::yaml::Entry<'_>) -> Option<MovedText> {
        if self.is_json() || self.is_flow(map) || e.is_merged() {
            return None;
        }
        let start = e.key_span().start;
        if !self.first_on_line(start) && !self.dash_line(start) {
            return None;
        }
        let (after, crlf) = self.after_line(self.entry_end(e));
        let end = if self.text.get(..after).is_some_and(|t| t.ends_with('\n')) {
            after - 1 - usize::from(crlf)
        } else {
            after
        };
        let column = self.column(start);
        let child = self
            .doc
            .map(e.value)
            .filter(|_| !self.is_flow(e.value))
            .and_then(|entries| entries.iter().find(|x| !x.is_merged()))
            .map(|first| first.key_span().start)
            .filter(|&k| self.first_on_line(k) && self.column(k) > column)
            .map(|k| self.column(k) - column);
        Some(MovedText {
            text: self.text.get(start..end)?.to_string(),
            column,
            child,
        })
    }

    /// Refuses a value that holds an anchor an alias uses, or an alias.
    pub(super) fn check_subtree(&self, node: NodeId) -> Result<(), String> {
        let mut stack = vec![node];
        let mut seen = 0usize;
        while let Some(n) = stack.pop() {
            seen += 1;
            if seen > self.doc.nodes.len() {
                break;
            }
            if self.doc.aliased.binary_search(&n).is_ok() {
                return Err(
                    "the value holds an anchor (`&name`) or an alias (`*name`): move it by hand"
                        .into(),
                );
            }
            match self.doc.node(n).map(|x| &x.value) {
                Some(Value::Map(entries)) => stack.extend(entries.iter().map(|e| e.value)),
                Some(Value::Seq(items)) => stack.extend(items.iter().copied()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// `ops` as the layout writes them, and what other ops change in each moved value.
pub(super) struct Composed {
    pub(super) ops: Vec<Op>,
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
    for op in ops {
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
    let within = |a: &[String], b: &[String]| a.get(..b.len()) == Some(b);
    for (i, op) in ops.iter().enumerate() {
        let Some(dest) = op.destination() else {
            continue;
        };
        let from = op.path();
        for (j, other) in ops.iter().enumerate() {
            if i == j {
                continue;
            }
            let mut theirs = vec![other.path().to_vec()];
            theirs.extend(other.destination());
            for b in &theirs {
                let clash = within(from, b)
                    || within(&dest, b)
                    || within(b, &dest)
                    || (matches!(op, Op::Move { .. }) && within(b, from));
                if clash {
                    return Err(format!(
                        "two changes of {}: fix them one at a time",
                        to_pointer(b)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `fields` with the values of `moved` (paths below the same node) added, for a writer
/// that does not move text.
///
/// # Errors
/// A moved entry where another change sets a value.
pub(super) fn with_moved(
    fields: &Map<String, J>,
    moved: &[Moved],
) -> Result<Map<String, J>, String> {
    let mut out = J::Object(fields.clone());
    for m in moved {
        let Some((last, parents)) = m.path.split_last() else {
            return Err("conflicting changes".into());
        };
        let mut at = &mut out;
        for t in parents {
            let J::Object(map) = at else {
                return Err("conflicting changes".into());
            };
            at = map
                .entry(t.clone())
                .or_insert_with(|| J::Object(Map::new()));
        }
        let J::Object(map) = at else {
            return Err("conflicting changes".into());
        };
        if map.insert(last.clone(), m.value.clone()).is_some() {
            return Err("conflicting changes".into());
        }
    }
    match out {
        J::Object(m) => Ok(m),
        _ => Err("conflicting changes".into()),
    }
}
