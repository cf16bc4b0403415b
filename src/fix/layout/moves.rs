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
}

/// An entry's text as written: from its key to the end of its last line (a comment on
/// that line included, the line break not).
#[derive(Debug, Clone)]
pub(super) struct MovedText {
    text: String,
    /// The key's column: the lines after the first keep their indentation relative to it.
    column: usize,
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
        Some(MovedText {
            text: self.text.get(start..end)?.to_string(),
            column: self.column(start),
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

/// `ops` without the [`Op::Set`]s that set a field to the value a rename or a move puts
/// there (`privilege-escalation-allowed` sets `allowPrivilegeEscalation: false` where the
/// rename of `allowPrivilegedEscalation: false` brings it): the rename writes it.
pub(super) fn absorb(doc: &Document<'_>, ops: &[Op]) -> Vec<Op> {
    let arriving: Vec<(Vec<String>, J)> = ops
        .iter()
        .filter_map(|op| {
            let dest = op.destination()?;
            let node = doc
                .root
                .and_then(|r| doc.pointer(r, &to_pointer(op.path())))?;
            Some((dest, doc.to_json(node)))
        })
        .collect();
    ops.iter()
        .filter(|op| match op {
            Op::Set { path, value } => !arriving.iter().any(|(d, v)| d == path && v == value),
            _ => true,
        })
        .cloned()
        .collect()
}

/// Refuses ops of which one renames or moves a field another op reaches (the same field,
/// a field inside it, or a mapping on its way): their edits would not compose.
pub(super) fn check_moves_apart(ops: &[Op]) -> Result<(), String> {
    let touched = |op: &Op| -> Vec<Vec<String>> {
        let mut out = vec![op.path().to_vec()];
        out.extend(op.destination());
        out
    };
    let within = |a: &[String], b: &[String]| a.get(..b.len()) == Some(b);
    for (i, op) in ops.iter().enumerate() {
        if op.destination().is_none() {
            continue;
        }
        let mine = touched(op);
        for (j, other) in ops.iter().enumerate() {
            if i == j {
                continue;
            }
            for a in &mine {
                for b in touched(other) {
                    if within(a, &b) || within(&b, a) {
                        return Err(format!(
                            "two changes of {}: fix them one at a time",
                            to_pointer(a)
                        ));
                    }
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
