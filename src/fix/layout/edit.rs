//! The edits themselves: keys inserted into a mapping (block, flow, JSON) or in place
//! of a `null`, items appended, entries and items removed, scalars replaced.

use super::moves::{self, Moved};
use super::*;

impl Layout<'_, '_> {
    pub(super) fn insert(
        &self,
        node: NodeId,
        target: Target,
        fields: &Map<String, J>,
        moved: &[Moved],
        emptied: bool,
    ) -> Result<Edit, String> {
        let eol = self.eol();
        // Every value, for the writers that do not move text (and to find conflicts).
        let all = moves::with_moved(fields, moved)?;
        let moved: Vec<(&[String], &Moved)> =
            moved.iter().map(|m| (m.path.as_slice(), m)).collect();
        match target {
            Target::Null(key) => {
                let s = self.span(node);
                let written = self.text.get(s.start..s.end).unwrap_or("").trim();
                if !written.is_empty() || self.is_json() {
                    // `key: null`, `key: ~`, `key: &a`: the mapping in flow style.
                    return self.set_inline(node, key, self.flow(&J::Object(all)));
                }
                // `key:` with nothing after it: block lines under the key.
                let key = key.ok_or("a null list item")?;
                if !self.first_on_line(key.start) && !self.dash_line(key.start) {
                    return Err("a key in a flow mapping".into());
                }
                let style = self.style();
                let indent = self.column(key.start) + style.0;
                let (at, crlf) = self.after_line(key.end);
                let eol = if crlf { "\r\n" } else { eol };
                let mut out = String::new();
                if at == self.text.len() && !self.text.ends_with('\n') {
                    out.push_str(eol);
                }
                self.block(fields, &moved, indent, style, eol, &mut out);
                Ok(Edit::new(Span::new(at, at), out))
            }
            Target::Map if self.is_flow(node) => self.insert_flow(node, &all, emptied),
            Target::Map => {
                let entries = self.doc.map(node).unwrap_or(&[]);
                let first = entries
                    .iter()
                    .filter(|e| !e.is_merged())
                    .map(|e| e.key_span().start)
                    .min()
                    .ok_or("an empty mapping")?;
                // Every key starts its line (after blanks, or a list item's `- `): an
                // explicit key (`? key`) or a complex one is not edited.
                let plain_keys = entries.iter().filter(|e| !e.is_merged()).all(|e| {
                    let k = e.key_span().start;
                    (self.first_on_line(k) || self.dash_line(k))
                        && self.column(k) == self.column(first)
                });
                if !plain_keys {
                    return Err(
                        "the mapping has an explicit (`?`) or misaligned key: edit it by hand"
                            .into(),
                    );
                }
                let indent = self.column(first);
                let end = self.content_end(node);
                let (at, crlf) = self.after_line(end);
                let at = self.past_deeper_comments(at, indent);
                let eol = if crlf || (at == self.text.len() && eol == "\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let mut out = String::new();
                if at == self.text.len() && !self.text.ends_with('\n') {
                    out.push_str(eol);
                }
                self.block(fields, &moved, indent, self.style(), eol, &mut out);
                Ok(Edit::new(Span::new(at, at), out))
            }
        }
    }

    /// A list in place of a `null` (`drop: ~` → `drop: [ALL]`).
    pub(super) fn insert_list(
        &self,
        node: NodeId,
        list: &J,
        key: Option<Span>,
    ) -> Result<Edit, String> {
        self.set_inline(node, key, self.flow(list))
    }

    /// Keys added to a flow mapping (YAML `{a: b}` or a JSON object): after its last
    /// entry, or inside `{}`. `emptied`: another edit removes every entry
    /// ([`Layout::remove`]): the keys are written where the first one starts.
    pub(super) fn insert_flow(
        &self,
        node: NodeId,
        fields: &Map<String, J>,
        emptied: bool,
    ) -> Result<Edit, String> {
        let entries = self.doc.map(node).unwrap_or(&[]);
        let s = self.span(node);
        if let Some(first) = entries
            .iter()
            .map(|e| e.key_span().start)
            .min()
            .filter(|_| emptied)
        {
            let new = if self.is_json() {
                self.json_members(fields, "", "", "")
            } else {
                fields
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.key(k), self.flow(v)))
                    .collect()
            };
            return Ok(self.in_place_of_first(s.start, first, &new));
        }
        let Some(last_end) = entries.iter().map(|e| self.entry_end(e)).max() else {
            let open = s.start
                + self
                    .text
                    .get(s.start..s.end)
                    .unwrap_or("")
                    .find('{')
                    .ok_or("no `{`")?
                + 1;
            let new = if self.is_json() {
                self.json_members(fields, "", "", "").join(", ")
            } else {
                fields
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.key(k), self.flow(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Ok(Edit::new(Span::new(open, open), new));
        };
        // Never past the closing `}`.
        let last_end = last_end.min(self.content_end(node).saturating_sub(1));
        if self.is_json() {
            let last_key = entries
                .iter()
                .map(|e| e.key_span().start)
                .max()
                .unwrap_or(s.start);
            let multiline = self.line_start(last_key) > s.start;
            if multiline {
                let indent = " ".repeat(self.column(last_key));
                let open_col = self.column(self.line_start(s.start) + self.indent_len(s.start));
                let unit = " ".repeat(self.column(last_key).saturating_sub(open_col).max(1));
                let eol = self.eol();
                let members = self.json_members(fields, &indent, &unit, eol);
                return Ok(Edit::new(
                    Span::new(last_end, last_end),
                    format!(",{eol}{}", members.join(&format!(",{eol}"))),
                ));
            }
            let members = self.json_members(fields, "", "", "");
            return Ok(Edit::new(
                Span::new(last_end, last_end),
                format!(", {}", members.join(", ")),
            ));
        }
        let new: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}: {}", self.key(k), self.flow(v)))
            .collect();
        Ok(Edit::new(
            Span::new(last_end, last_end),
            format!(", {}", new.join(", ")),
        ))
    }

    /// The new elements (written) of a flow collection that opens at `open` and loses
    /// every element to another edit, at `first`, where its first element starts: one
    /// per line in a JSON collection written over several lines, else `, `-separated.
    fn in_place_of_first(&self, open: usize, first: usize, new: &[String]) -> Edit {
        let sep = if self.is_json() && self.line_start(first) > open {
            format!(",{}{}", self.eol(), " ".repeat(self.column(first)))
        } else {
            ", ".to_string()
        };
        Edit::new(Span::new(first, first), new.join(&sep))
    }

    /// Items added at the end of a list. `emptied`: another edit removes every item
    /// ([`Layout::remove`]): in a flow list the items are written where the first one
    /// starts.
    pub(super) fn append(&self, node: NodeId, items: &[J], emptied: bool) -> Result<Edit, String> {
        let list = self.doc.seq(node).ok_or("not a list")?;
        let s = self.span(node);
        if self.is_flow(node) {
            let new: Vec<String> = items.iter().map(|v| self.flow(v)).collect();
            if let Some(&first) = list.first().filter(|_| emptied) {
                return Ok(self.in_place_of_first(s.start, self.span(first).start, &new));
            }
            let Some(&last) = list.last() else {
                let open = s.start
                    + self
                        .text
                        .get(s.start..s.end)
                        .unwrap_or("")
                        .find('[')
                        .ok_or("no `[`")?
                    + 1;
                return Ok(Edit::new(Span::new(open, open), new.join(", ")));
            };
            let end = self.content_end(last);
            if self.is_json() && self.line_start(self.span(last).start) > s.start {
                let indent = " ".repeat(self.column(self.span(last).start));
                let eol = self.eol();
                let lines: Vec<String> = new.iter().map(|v| format!("{indent}{v}")).collect();
                return Ok(Edit::new(
                    Span::new(end, end),
                    format!(",{eol}{}", lines.join(&format!(",{eol}"))),
                ));
            }
            return Ok(Edit::new(
                Span::new(end, end),
                format!(", {}", new.join(", ")),
            ));
        }
        let last = *list.last().ok_or("an empty list")?;
        let dash = self.dash_before(last).ok_or("a list item without `-`")?;
        if !self.first_on_line(dash) {
            return Err("a nested list on one line".into());
        }
        let indent = " ".repeat(self.column(dash));
        let (at, crlf) = self.after_line(self.content_end(node));
        let eol = if crlf { "\r\n" } else { self.eol() };
        let mut out = String::new();
        if at == self.text.len() && !self.text.ends_with('\n') {
            out.push_str(eol);
        }
        for v in items {
            out.push_str(&format!("{indent}- {}{eol}", self.flow(v)));
        }
        Ok(Edit::new(Span::new(at, at), out))
    }

    /// Removes entries (of a mapping) or items (of a list) `gone` (ascending indices).
    /// `refilled`: other edits write new elements into this collection, so one that loses
    /// every element does not become `{}` or `[]`: a block collection loses their lines
    /// (the new lines follow its last one), a flow collection the text from its first
    /// element to the end of its last (the new ones are written where the first starts).
    pub(super) fn remove(
        &self,
        node: NodeId,
        gone: &[usize],
        refilled: bool,
    ) -> Result<Vec<Edit>, String> {
        // Each element's start (key or item) and content end, in source order.
        let elements: Vec<(usize, usize)> = match &self.doc.node(node).ok_or("no node")?.value {
            Value::Map(entries) => {
                if entries.iter().any(|e| e.is_merged()) {
                    return Err("the mapping uses a merge key `<<`".into());
                }
                entries
                    .iter()
                    .map(|e| (e.key_span().start, self.entry_end(e)))
                    .collect()
            }
            Value::Seq(items) => items
                .iter()
                .map(|&i| (self.span(i).start, self.content_end(i)))
                .collect(),
            Value::Scalar(_) => return Err("not a collection".into()),
        };
        let is_map = self.doc.map(node).is_some();
        let mut order: Vec<usize> = (0..elements.len()).collect();
        order.sort_unstable_by_key(|&i| elements.get(i).map(|e| e.0));
        let at = |i: usize| elements.get(i).copied().unwrap_or_default();
        let empty = if is_map { "{}" } else { "[]" };
        if gone.len() >= elements.len() && refilled && self.is_flow(node) {
            let first = order.first().map(|&i| at(i).0);
            let last = elements.iter().map(|e| e.1).max();
            if let (Some(first), Some(last)) = (first, last) {
                return Ok(vec![Edit::new(Span::new(first, last), String::new())]);
            }
        }
        if gone.len() >= elements.len() && !refilled {
            // Everything goes: an empty collection in its place.
            let s = self.span(node);
            if self.is_flow(node) {
                let t = self.text.get(s.start..s.end).unwrap_or("");
                let props = t.len() - skip_properties(t).len();
                return Ok(vec![Edit::new(
                    Span::new(s.start + props, self.content_end(node)),
                    empty.to_string(),
                )]);
            }
            let first = order.first().map(|&i| at(i).0).unwrap_or(s.start);
            let start = if is_map {
                first
            } else {
                self.dash_before(*self.doc.seq(node).and_then(|s| s.first()).ok_or("empty")?)
                    .ok_or("no `-`")?
            };
            // A block collection under its key: `key: []` or `key: {}` on the key's line.
            {
                let before = self
                    .text
                    .get(..start)
                    .unwrap_or("")
                    .trim_end_matches([' ', '\t', '\r', '\n']);
                // `!tag:` or `&anchor:` ends in a colon too, but the colon is the
                // property's own character, not a key's indicator.
                let property = before
                    .rsplit('\n')
                    .next()
                    .and_then(|line| line.split_whitespace().last())
                    .is_some_and(|t| t.starts_with(['!', '&', '*']));
                if property {
                    return Err(
                        "the emptied collection carries a tag or an anchor: edit it by hand".into(),
                    );
                }
                if before.ends_with(':') && !before.ends_with("::") {
                    return Ok(vec![Edit::new(
                        Span::new(before.len(), self.content_end(node)),
                        format!(" {empty}"),
                    )]);
                }
            }
            return Ok(vec![Edit::new(
                Span::new(start, self.content_end(node)),
                empty.to_string(),
            )]);
        }
        // Positions in source order.
        let rank: Vec<usize> = {
            let mut r = vec![0; elements.len()];
            for (pos, &i) in order.iter().enumerate() {
                if let Some(slot) = r.get_mut(i) {
                    *slot = pos;
                }
            }
            r
        };
        let mut gone_pos: Vec<usize> = gone.iter().filter_map(|&i| rank.get(i).copied()).collect();
        gone_pos.sort_unstable();
        let el = |pos: usize| at(order.get(pos).copied().unwrap_or(0));
        let mut edits = Vec::new();
        if self.is_flow(node) {
            // Runs of removed elements, with the separator before them (or after, for a
            // run at the start).
            let mut k = 0;
            while let Some(&a) = gone_pos.get(k) {
                let mut b = a;
                while gone_pos.get(k + 1) == Some(&(b + 1)) {
                    b += 1;
                    k += 1;
                }
                k += 1;
                let span = if a > 0 {
                    Span::new(el(a - 1).1, el(b).1)
                } else {
                    Span::new(el(a).0, el(b + 1).0)
                };
                edits.push(Edit::new(span, String::new()));
            }
            return Ok(edits);
        }
        for pos in gone_pos {
            let (start, end) = el(pos);
            let start = if is_map {
                start
            } else {
                self.dash_before(
                    *self
                        .doc
                        .seq(node)
                        .and_then(|s| s.get(order.get(pos).copied().unwrap_or(0)))
                        .ok_or("no item")?,
                )
                .ok_or("no `-`")?
            };
            if self.first_on_line(start) {
                let (after, _) = self.after_line(end);
                let mut from = self.line_start(start);
                // The last line of a text without a final line break: the break before
                // it goes with it (the text keeps ending without one; an insertion there
                // brings its own).
                if after == self.text.len() && !self.text.ends_with('\n') && from > 0 {
                    from -= 1;
                    if from > 0 && self.byte(from - 1) == b'\r' {
                        from -= 1;
                    }
                }
                edits.push(Edit::new(Span::new(from, after), String::new()));
            } else if is_map && self.dash_line(start) {
                // The first key of a list item (`- key: v`): the next key moves up.
                let next = if pos + 1 < elements.len() {
                    Some(el(pos + 1).0)
                } else {
                    None
                };
                let next = next.ok_or("the last key of a list item")?;
                if gone
                    .iter()
                    .filter_map(|&i| rank.get(i))
                    .any(|&p| p == pos + 1)
                {
                    return Err("two keys of a list item's first line".into());
                }
                edits.push(Edit::new(Span::new(start, next), String::new()));
            } else {
                return Err("an element that shares its line".into());
            }
        }
        // Removals that meet (the last line's break taken with it, above) are one.
        edits.sort_unstable_by_key(|e| e.span.start);
        let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
        for e in edits {
            match merged.last_mut() {
                Some(last) if e.span.start <= last.span.end => {
                    last.span = Span::new(last.span.start, last.span.end.max(e.span.end));
                }
                _ => merged.push(e),
            }
        }
        Ok(merged)
    }

    /// Replaces a scalar's text (see [`Layout::set_inline`]).
    pub(super) fn replace(
        &self,
        node: NodeId,
        value: &J,
        key: Option<Span>,
    ) -> Result<Edit, String> {
        self.set_inline(node, key, self.scalar(value))
    }

    /// Writes `new` as the value of `node` (a scalar or a `null`; `key` is the span of
    /// its entry's key), on its line and keeping its anchor or tag: after the key's `:`
    /// when nothing is written (`key:`), after the properties when only they are
    /// (`key: &a`, `key: !!map`), else in place of the written value.
    fn set_inline(&self, node: NodeId, key: Option<Span>, new: String) -> Result<Edit, String> {
        let s = self.span(node);
        if let Some((line, head)) = self.block_header(node).filter(|_| s.start == s.end) {
            // A block scalar without text lines (`key: |-`) lies at the end of its header's
            // line: the new value takes the place of its indicator (`|-`, `>+`, `|2`),
            // the last word before any comment.
            let word = head.rfind([' ', '\t']).map_or(0, |i| i + 1);
            if !head.get(word..).is_some_and(|w| w.starts_with(['|', '>'])) {
                return Err("a block scalar's header this module does not edit".into());
            }
            return Ok(Edit::new(Span::new(line + word, line + head.len()), new));
        }
        let t = self.text.get(s.start..s.end).unwrap_or("");
        let content = skip_properties(t);
        if content.trim().is_empty() {
            if t.trim_start().starts_with(['&', '!']) {
                let props = s.start + t.trim_end().len();
                return Ok(Edit::new(Span::new(props, props), format!(" {new}")));
            }
            let colon = self.after_colon(key.ok_or("an empty list item")?)?;
            return Ok(Edit::new(Span::new(colon, colon), format!(" {new}")));
        }
        let start = s.start + (t.len() - content.len());
        let end = self.content_end(node);
        if start > end {
            return Err("an empty value".into());
        }
        Ok(Edit::new(Span::new(start, end), new))
    }
}
