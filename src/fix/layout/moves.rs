//! Renamed keys and moved entries ([`Op::Rename`], [`Op::Move`]): the key's text
//! rewritten in its own quoting style, and an entry's own lines (comments inside it
//! included) taken from where they are and written, re-indented, where they belong.
//!
//! An entry's text moves when it is written in block style (its key starts its line, or
//! follows a list item's `- `) and the place it goes is a block mapping (or a new block
//! under one). Otherwise (a flow mapping `{...}` on either side, a JSON document, a
//! `null` written in place of the field) the value is written by the writer of the other
//! fixes ([`Layout::block`], [`Layout::flow`]): the same object, without the comments
//! inside the value. The same when other fixes of the run change a key the moved value
//! has; keys they add to it are written after its text ([`super::compose`]). An entry
//! whose value holds an anchor an alias uses, or an alias, is not moved (the alias could
//! come before its anchor).

use super::compose::Composed;
use super::text;
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

impl Layout<'_, '_> {
    /// [`Op::Rename`] of the key at `path` (walked) to `to`: the key's edit.
    pub(super) fn rename_op(
        &self,
        p: &mut Pending,
        walked: &text::Walked<'_>,
        path: &[String],
        to: &str,
    ) -> Result<(), String> {
        if !walked.missing.is_empty() {
            return Err(format!("no field {}", to_pointer(path)));
        }
        let parent = walked.parent().ok_or("cannot rename the root")?;
        let last = path.last().map(String::as_str).unwrap_or("");
        if self.doc.get(parent, to).is_some() {
            return Err(format!(
                "`{to}` is already in the mapping: merge them by hand"
            ));
        }
        written_once(self, parent, last)?;
        let key = walked.key_span().ok_or("not a mapping entry")?;
        p.renames.push(self.rename(key, last, to)?);
        Ok(())
    }

    /// [`Op::Move`] of the entry at `from` (walked) to `to`: its removal, and its text
    /// (or value) among the new keys of the mapping it goes to.
    pub(super) fn move_op(
        &self,
        p: &mut Pending,
        composed: &Composed,
        walked: &text::Walked<'_>,
        from: &[String],
        to: &[String],
    ) -> Result<(), String> {
        if !walked.missing.is_empty() {
            return Err(format!("no field {}", to_pointer(from)));
        }
        let parent = walked.parent().ok_or("cannot move the root")?;
        let node = walked.last();
        self.check_subtree(node)?;
        // A mapping written with a tag or an anchor before its first key (`!t` / `&a`):
        // what is left of it after the move is not written by this module.
        let props = self.span(parent);
        if self
            .text
            .get(props.start..props.end)
            .is_some_and(|t| t.starts_with(['!', '&']))
        {
            return Err("the mapping it leaves carries a tag or an anchor: move it by hand".into());
        }
        let last = from.last().map(String::as_str).unwrap_or("");
        let entry = self.doc.entry(parent, last).ok_or("not a mapping entry")?;
        // In a block mapping the entry's lines move: its key must start its line (after
        // blanks or a list item's `- `), not follow a `?` (an explicit key).
        let k = entry.key_span().start;
        if !self.is_flow(parent) && !self.first_on_line(k) && !self.dash_line(k) {
            return Err("the key is explicit (`?`) or shares its line: move it by hand".into());
        }
        removal(self, &mut p.removals, parent, from)?;
        // Changed by other ops (see `moves::compose`): written by the writer.
        let (value, text, extra) = match composed.moves.iter().find(|c| c.from == *from) {
            None => (
                self.doc.to_json(node),
                self.moved_text(parent, entry),
                Map::new(),
            ),
            Some(c) => match (&c.extra, self.moved_text(parent, entry)) {
                (Some(extra), Some(t)) if t.child.is_some() => {
                    (c.value.clone(), Some(t), extra.clone())
                }
                _ => (c.value.clone(), None, Map::new()),
            },
        };
        let dest = self.walk(to)?;
        let at = dest.last();
        p.depth.insert(at, dest.nodes.len());
        match dest.missing {
            [] if !self.doc.is_null(at) => {
                return Err(format!("{} is already set", to_pointer(to)));
            }
            // A `null` in place of the field: its value is written there.
            [] => match value {
                J::Object(fields) => {
                    for (k, v) in fields {
                        merge_insert(
                            &mut p.inserts,
                            at,
                            Target::Null(dest.key_span()),
                            std::slice::from_ref(&k),
                            v,
                        )?;
                    }
                }
                other => {
                    if self.doc.scalar(at).is_none() {
                        return Err(format!("{} is not a scalar", to_pointer(to)));
                    }
                    p.keys.insert(at, dest.key_span());
                    if p.replaces.insert(at, other).is_some() {
                        return Err(format!("two values for {}", to_pointer(to)));
                    }
                }
            },
            missing => {
                let target = if self.doc.map(at).is_some() {
                    if self.doc.merging.binary_search(&at).is_ok() {
                        return Err("the mapping uses a merge key `<<`: edit it by hand".into());
                    }
                    Target::Map
                } else if self.doc.is_null(at) {
                    Target::Null(dest.key_span())
                } else {
                    return Err(format!(
                        "{} is not a mapping",
                        to_pointer(to.get(..to.len() - missing.len()).unwrap_or(&[]))
                    ));
                };
                // The mappings on the way, created empty; the entry itself is
                // written beside the other new p.keys.
                let (_, parents) = missing.split_last().ok_or("no field")?;
                let slot = p
                    .inserts
                    .entry(at)
                    .or_insert_with(|| (target, J::Object(Map::new())));
                let mut cur = &mut slot.1;
                for t in parents {
                    let J::Object(m) = cur else {
                        return Err("conflicting changes".into());
                    };
                    cur = m.entry(t.clone()).or_insert_with(|| J::Object(Map::new()));
                }
                p.moved_in.entry(at).or_default().push(Moved {
                    path: missing.to_vec(),
                    value,
                    text,
                    extra,
                });
            }
        }
        Ok(())
    }
}
