//! [`Op`]s to text edits that keep the document's layout: its indentation width, flush or
//! indented `- ` sequences, block or flow style, JSON for a JSON document, its line
//! endings, and every comment. Several ops on one mapping make one insertion.
//!
//! Edits never go through an alias, into an anchored node an alias uses, or into a
//! mapping that merges another (`<<`): such an op is refused with the reason.

use std::collections::BTreeMap;

use serde_json::{Map, Value as J};

use super::ops::{to_pointer, Op};
use super::Edit;
use crate::yaml::{Document, NodeId, Resolved, Span, Value};

/// The text edits for `ops` on document `doc` of `text` (the whole stream), sorted and
/// non-overlapping.
///
/// # Errors
/// Why the ops cannot be written: an alias, an anchor or a merge key on the way, a
/// path through a scalar, a layout this module does not edit, or two ops whose edits
/// overlap.
pub(crate) fn edits(doc: &Document<'_>, text: &str, ops: &[Op]) -> Result<Vec<Edit>, String> {
    let l = Layout { doc, text };
    // YAML breaks lines at a carriage return alone too (classic Mac OS): such a text is
    // not edited (no manifest tool writes one).
    let body = text.get(doc.span.start..doc.span.end).unwrap_or("");
    let bytes = body.as_bytes();
    if memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
        return Err(
            "the document breaks lines with a carriage return alone (CR): edit it by hand".into(),
        );
    }
    // Per target node: the new keys of a mapping (or of a `null` that becomes one), the
    // new items of a list, the entries or items removed, the scalar replaced.
    let mut inserts: BTreeMap<NodeId, (Target, J)> = BTreeMap::new();
    // How deep each insertion's node is: insertions at one offset go deepest first (a
    // container's new keys before its pod's, which follow the container's last line).
    let mut depth: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut appends: BTreeMap<NodeId, Vec<J>> = BTreeMap::new();
    let mut removals: BTreeMap<NodeId, Vec<usize>> = BTreeMap::new();
    let mut replaces: BTreeMap<NodeId, J> = BTreeMap::new();
    // The key span of each replaced value's entry (an empty value is written after it).
    let mut keys: BTreeMap<NodeId, Option<Span>> = BTreeMap::new();
    for op in ops {
        let walked = l.walk(op.path())?;
        depth.insert(walked.last(), walked.nodes.len());
        match op {
            Op::Set { value, .. } | Op::Append { value, .. } => {
                let is_append = matches!(op, Op::Append { .. });
                match walked.missing {
                    [] if is_append => {
                        let list = walked.last();
                        if l.doc.is_null(list) {
                            merge_insert(
                                &mut inserts,
                                list,
                                Target::Null(walked.key_span()),
                                &[],
                                J::Array(vec![value.clone()]),
                            )?;
                        } else if let Some(items) = l.doc.seq(list) {
                            let present = items.iter().any(|&i| l.doc.to_json(i) == *value);
                            if !present {
                                appends.entry(list).or_default().push(value.clone());
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
                        keys.insert(node, walked.key_span());
                        if replaces
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
                        merge_insert(&mut inserts, at, target, missing, new)?;
                    }
                }
            }
            Op::Remove { path } => {
                if !walked.missing.is_empty() {
                    continue;
                }
                let parent = walked.parent().ok_or("cannot remove the root")?;
                let last = path.last().map(String::as_str).unwrap_or("");
                let at = match (l.doc.map(parent), l.doc.seq(parent)) {
                    (Some(entries), _) => entries.iter().position(|e| e.key == last),
                    (_, Some(_)) => last.parse().ok(),
                    _ => None,
                };
                let at = at.ok_or_else(|| format!("no field {}", op.pointer()))?;
                let list = removals.entry(parent).or_default();
                if !list.contains(&at) {
                    list.push(at);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut points: Vec<(Edit, usize)> = Vec::new();
    for (node, (target, value)) in inserts {
        let edit = match value {
            J::Object(fields) => l.insert(node, target, &fields)?,
            list => l.insert_list(
                node,
                &list,
                match target {
                    Target::Null(key) => key,
                    Target::Map => None,
                },
            )?,
        };
        points.push((edit, depth.get(&node).copied().unwrap_or(0)));
    }
    for (node, items) in appends {
        points.push((
            l.append(node, &items)?,
            depth.get(&node).copied().unwrap_or(0),
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
    for (node, mut gone) in removals {
        gone.sort_unstable();
        out.extend(l.remove(node, &gone)?);
    }
    for (node, value) in replaces {
        out.push(l.replace(node, &value, keys.get(&node).copied().flatten())?);
    }
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
                return Err("two changes of the same text".into());
            }
        }
    }
    Ok(out)
}

/// How new keys reach a node: into a mapping, or by replacing a `null` (the key span of
/// its entry, for its indentation).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Map,
    Null(Option<Span>),
}

fn merge_insert(
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

struct Layout<'l, 'd> {
    doc: &'l Document<'d>,
    text: &'l str,
}

/// A path walked as far as the document has it.
struct Walked<'p> {
    /// The nodes from the root to the deepest that exists.
    nodes: Vec<NodeId>,
    /// The key span of the entry that leads to the deepest node (when it is a mapping
    /// value).
    key: Option<Span>,
    /// The tokens past it.
    missing: &'p [String],
}

impl Walked<'_> {
    fn last(&self) -> NodeId {
        self.nodes.last().copied().unwrap_or_default()
    }
    fn parent(&self) -> Option<NodeId> {
        self.nodes
            .len()
            .checked_sub(2)
            .and_then(|i| self.nodes.get(i).copied())
    }
    fn key_span(&self) -> Option<Span> {
        self.key
    }
}

impl Layout<'_, '_> {
    fn walk<'p>(&self, path: &'p [String]) -> Result<Walked<'p>, String> {
        let root = self.doc.root.ok_or("an empty document")?;
        let mut w = Walked {
            nodes: vec![root],
            key: None,
            missing: path,
        };
        self.check_shared(root)?;
        for (i, t) in path.iter().enumerate() {
            let cur = w.last();
            let next = match &self.doc.node(cur).ok_or("no node")?.value {
                Value::Map(entries) => match entries.iter().find(|e| e.key == *t) {
                    Some(e) if e.is_merged() => {
                        return Err(format!(
                            "{} comes from a merge key `<<`: edit it by hand",
                            to_pointer(path.get(..=i).unwrap_or(&[]))
                        ))
                    }
                    Some(e) => {
                        w.key = Some(e.key_span());
                        Some(e.value)
                    }
                    None => None,
                },
                Value::Seq(items) => {
                    w.key = None;
                    t.parse::<usize>().ok().and_then(|n| items.get(n).copied())
                }
                Value::Scalar(_) => None,
            };
            match next {
                Some(n) => {
                    self.check_shared(n)?;
                    w.nodes.push(n);
                }
                None => {
                    w.missing = path.get(i..).unwrap_or(&[]);
                    return Ok(w);
                }
            }
        }
        w.missing = &[];
        Ok(w)
    }

    fn check_shared(&self, node: NodeId) -> Result<(), String> {
        if self.doc.aliased.binary_search(&node).is_ok() {
            return Err("the field is in an anchored node (`&name`) that an alias (`*name`) also uses: edit it by hand".into());
        }
        Ok(())
    }

    fn span(&self, node: NodeId) -> Span {
        self.doc.node(node).map(|n| n.span()).unwrap_or_default()
    }

    fn byte(&self, at: usize) -> u8 {
        self.text.as_bytes().get(at).copied().unwrap_or(0)
    }

    /// Whether a collection is written in flow style (`{...}` / `[...]`).
    fn is_flow(&self, node: NodeId) -> bool {
        let s = self.span(node);
        let t = self.text.get(s.start..s.end).unwrap_or("");
        let t = skip_properties(t);
        t.starts_with('{') || t.starts_with('[')
    }

    /// Where a scalar's or a flow collection's text ends (trailing blanks excluded),
    /// or a block collection's last content: the end of the text a person would see as
    /// the node's.
    fn content_end(&self, node: NodeId) -> usize {
        let s = self.span(node);
        match self.doc.node(node).map(|n| &n.value) {
            Some(Value::Map(entries)) if !self.is_flow(node) => entries
                .iter()
                .filter(|e| !e.is_merged())
                .map(|e| self.entry_end(e))
                .max()
                .unwrap_or(s.start),
            Some(Value::Seq(items)) if !self.is_flow(node) => items
                .iter()
                .map(|&i| self.content_end(i))
                .max()
                .unwrap_or(s.start),
            _ => {
                let t = self.text.get(s.start..s.end).unwrap_or("");
                let end = s.start + t.trim_end_matches([' ', '\t', '\r', '\n']).len();
                if self.keeps_trailing_lines(node) {
                    self.past_blank_lines(end)
                } else {
                    end
                }
            }
        }
    }

    /// Whether a node is a block scalar with keep chomping (`|+`, `>+`, `|2+`): the blank
    /// lines after its text are part of its value, so new keys go after them.
    fn keeps_trailing_lines(&self, node: NodeId) -> bool {
        let is_block =
            matches!(self.doc.scalar(node), Some(sc) if sc.style() == crate::yaml::Style::Block);
        if !is_block {
            return false;
        }
        // The header is on the line before the text (the span starts at the text).
        let start = self.line_start(self.span(node).start);
        let Some(prev) = start.checked_sub(1) else {
            return false;
        };
        let header = self.text.get(self.line_start(prev)..prev).unwrap_or("");
        let header = header.split(" #").next().unwrap_or("").trim_end();
        header
            .rfind(['|', '>'])
            .and_then(|i| header.get(i + 1..))
            .is_some_and(|h| {
                h.contains('+')
                    && h.chars()
                        .all(|c| c == '+' || c == '-' || c.is_ascii_digit())
            })
    }

    /// From `end` (a line's text end), past the blank lines that follow: the end of the
    /// last blank line's text (before its line break).
    fn past_blank_lines(&self, mut end: usize) -> usize {
        loop {
            let (next, _) = self.after_line(end);
            if next >= self.text.len() {
                return end;
            }
            let line = self.text.get(next..).unwrap_or("");
            let line = line.split('\n').next().unwrap_or("");
            if !line.trim().is_empty() {
                return end;
            }
            end = next + line.trim_end_matches('\r').len();
        }
    }

    /// Where an entry's text ends: its value's, or its key's when the value is an empty
    /// `null` (`key:` with nothing after it, whose span may lie at the next token).
    fn entry_end(&self, e: &crate::yaml::Entry<'_>) -> usize {
        let v = self.span(e.value);
        let empty = self.doc.is_null(e.value)
            && self
                .text
                .get(v.start..v.end)
                .is_none_or(|t| t.trim().is_empty());
        if empty {
            // The key and its `:`.
            let end = e.key_span().end;
            let rest = self.text.get(end..).unwrap_or("");
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if rest.get(blanks..).is_some_and(|r| r.starts_with(':')) {
                end + blanks + 1
            } else {
                end
            }
        } else {
            e.key_span().end.max(self.content_end(e.value))
        }
    }

    fn line_start(&self, at: usize) -> usize {
        self.text
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// The offset just after the end of the line holding `at` (its comment and line break
    /// included), and whether that line ends in `\r\n`; at the end of a text without a
    /// final line break, the text's end.
    fn after_line(&self, at: usize) -> (usize, bool) {
        match self.text.get(at..).and_then(|t| t.find('\n')) {
            Some(i) => (at + i + 1, at + i > 0 && self.byte(at + i - 1) == b'\r'),
            None => (self.text.len(), false),
        }
    }

    fn eol(&self) -> &'static str {
        let first = self.text.find('\n');
        match first {
            Some(i) if i > 0 && self.byte(i - 1) == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// The column (characters from the line start) of `at`, and whether only blanks and
    /// `- ` indicators come before it on its line.
    fn column(&self, at: usize) -> usize {
        let start = self.line_start(at);
        self.text.get(start..at).map_or(0, |t| t.chars().count())
    }

    fn first_on_line(&self, at: usize) -> bool {
        let start = self.line_start(at);
        self.text
            .get(start..at)
            .is_some_and(|t| t.chars().all(|c| c == ' ' || c == '\t'))
    }

    /// The document's indentation step, and the indentation of a block list's `- ` under
    /// its key (0 for flush lists), read from the first examples in the document.
    fn style(&self) -> (usize, usize) {
        let mut unit = None;
        let mut seq = None;
        let mut stack: Vec<NodeId> = self.doc.root.into_iter().collect();
        let mut seen = 0;
        while let Some(node) = stack.pop() {
            seen += 1;
            if (unit.is_some() && seq.is_some()) || seen > 10_000 {
                break;
            }
            match self.doc.node(node).map(|n| &n.value) {
                Some(Value::Map(entries)) if !self.is_flow(node) => {
                    for e in entries.iter().rev() {
                        let key_col = self.column(e.key_span().start);
                        match self.doc.node(e.value).map(|n| &n.value) {
                            Some(Value::Map(inner)) if !self.is_flow(e.value) => {
                                if let Some(first) = inner.iter().find(|i| !i.is_merged()) {
                                    if unit.is_none() && self.first_on_line(first.key_span().start)
                                    {
                                        let c = self.column(first.key_span().start);
                                        if c > key_col {
                                            unit = Some(c - key_col);
                                        }
                                    }
                                }
                            }
                            Some(Value::Seq(items)) if !self.is_flow(e.value) => {
                                if let (None, Some(&first)) = (seq, items.first()) {
                                    if let Some(dash) = self.dash_before(first) {
                                        seq = Some(self.column(dash).saturating_sub(key_col));
                                    }
                                }
                            }
                            _ => {}
                        }
                        stack.push(e.value);
                    }
                }
                Some(Value::Seq(items)) if !self.is_flow(node) => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
        (unit.unwrap_or(2).clamp(1, 8), seq.unwrap_or(0).min(8))
    }

    /// The `-` indicator before a block list item.
    fn dash_before(&self, item: NodeId) -> Option<usize> {
        let start = self.span(item).start;
        let before = self.text.get(..start)?;
        let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
        trimmed.ends_with('-').then(|| trimmed.len() - 1)
    }

    fn is_json(&self) -> bool {
        self.doc.json
    }

    /// A new scalar as this document writes it.
    fn scalar(&self, v: &J) -> String {
        match v {
            J::String(s) if !self.is_json() && plain_ok(s) => s.clone(),
            other => json_text(other),
        }
    }

    fn key(&self, k: &str) -> String {
        if !self.is_json() && plain_ok(k) {
            k.to_string()
        } else {
            json_text(&J::String(k.to_string()))
        }
    }

    /// A value in flow style: `{a: b, c: [d]}` (YAML) or JSON.
    fn flow(&self, v: &J) -> String {
        let sep = ": ";
        match v {
            J::Object(m) => {
                let inner: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}{sep}{}", self.key(k), self.flow(v)))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            J::Array(items) => {
                let inner: Vec<String> = items.iter().map(|v| self.flow(v)).collect();
                format!("[{}]", inner.join(", "))
            }
            s => self.scalar(s),
        }
    }

    /// Block-style lines for `fields` at indentation `indent`.
    fn block(
        &self,
        fields: &Map<String, J>,
        indent: usize,
        style: (usize, usize),
        eol: &str,
        out: &mut String,
    ) {
        let (unit, seq) = style;
        for (k, v) in fields {
            out.push_str(&" ".repeat(indent));
            out.push_str(&self.key(k));
            match v {
                J::Object(m) if !m.is_empty() => {
                    out.push(':');
                    out.push_str(eol);
                    self.block(m, indent + unit, style, eol, out);
                }
                J::Array(items) if !items.is_empty() => {
                    out.push(':');
                    out.push_str(eol);
                    for item in items {
                        out.push_str(&" ".repeat(indent + seq));
                        out.push_str("- ");
                        out.push_str(&self.flow(item));
                        out.push_str(eol);
                    }
                }
                other => {
                    out.push_str(": ");
                    out.push_str(&self.flow(other));
                    out.push_str(eol);
                }
            }
        }
    }

    /// JSON members for `fields`, one per line at `indent`, nested objects likewise.
    fn json_members(
        &self,
        fields: &Map<String, J>,
        indent: &str,
        unit: &str,
        eol: &str,
    ) -> Vec<String> {
        fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{indent}{}: {}",
                    json_text(&J::String(k.clone())),
                    self.json_value(v, indent, unit, eol)
                )
            })
            .collect()
    }

    fn json_value(&self, v: &J, indent: &str, unit: &str, eol: &str) -> String {
        match v {
            J::Object(m) if !m.is_empty() => {
                let inner = format!("{indent}{unit}");
                let members = self.json_members(m, &inner, unit, eol);
                format!("{{{eol}{}{eol}{indent}}}", members.join(&format!(",{eol}")))
            }
            other => json_text(other),
        }
    }

    fn insert(
        &self,
        node: NodeId,
        target: Target,
        fields: &Map<String, J>,
    ) -> Result<Edit, String> {
        let eol = self.eol();
        match target {
            Target::Null(key) => {
                let s = self.span(node);
                let written = self.text.get(s.start..s.end).unwrap_or("").trim_end();
                if !written.is_empty() && skip_properties(written).is_empty() {
                    // `key: &a` or `key: !!map`: the mapping after the properties.
                    let value = J::Object(fields.clone());
                    let end = s.start + written.len();
                    return Ok(Edit::new(
                        Span::new(end, end),
                        format!(" {}", self.flow(&value)),
                    ));
                }
                if !written.is_empty() || self.is_json() {
                    // `key: null` / `key: ~`: the mapping in flow style, in its place.
                    let end = s.start + written.len();
                    let value = J::Object(fields.clone());
                    let new = if self.is_json() {
                        self.json_like_flow(&value)
                    } else {
                        self.flow(&value)
                    };
                    return Ok(Edit::new(Span::new(s.start, end), new));
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
                self.block(fields, indent, style, eol, &mut out);
                Ok(Edit::new(Span::new(at, at), out))
            }
            Target::Map if self.is_flow(node) => self.insert_flow(node, fields),
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
                self.block(fields, indent, self.style(), eol, &mut out);
                Ok(Edit::new(Span::new(at, at), out))
            }
        }
    }

    /// A list in place of a `null` (`drop: ~` → `drop: [ALL]`).
    fn insert_list(&self, node: NodeId, list: &J, key: Option<Span>) -> Result<Edit, String> {
        let s = self.span(node);
        let written = self.text.get(s.start..s.end).unwrap_or("").trim_end();
        let flow = if self.is_json() {
            json_text(list)
        } else {
            self.flow(list)
        };
        if written.is_empty() {
            // `key:` with nothing after it: ` [item]` after the colon.
            let colon = self.after_colon(key.ok_or("a null list item")?)?;
            return Ok(Edit::new(Span::new(colon, colon), format!(" {flow}")));
        }
        if skip_properties(written).is_empty() {
            // `key: &a` or `key: !!seq`: after the properties.
            let end = s.start + written.len();
            return Ok(Edit::new(Span::new(end, end), format!(" {flow}")));
        }
        Ok(Edit::new(Span::new(s.start, s.start + written.len()), flow))
    }

    /// From `at` (a line start), past the comment lines indented deeper than `indent`
    /// (and the blank lines among them): they belong to what comes before (a comment
    /// under a container's last key stays with the container, not with a new key of the
    /// pod after it).
    fn past_deeper_comments(&self, mut at: usize, indent: usize) -> usize {
        let mut probe = at;
        while probe < self.text.len() {
            let line = self.text.get(probe..).unwrap_or("");
            let line = line.split('\n').next().unwrap_or("");
            let body = line.trim_start_matches([' ', '\t']);
            let next = self.after_line(probe).0;
            if body.trim_end().is_empty() {
                probe = next;
                continue;
            }
            if body.starts_with('#') && line.len() - body.len() > indent {
                probe = next;
                at = next;
                continue;
            }
            break;
        }
        at
    }

    /// Just after the `:` that follows a key.
    fn after_colon(&self, key: Span) -> Result<usize, String> {
        let rest = self.text.get(key.end..).unwrap_or("");
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if !rest.get(blanks..).is_some_and(|r| r.starts_with(':')) {
            return Err("an empty value without `:`".into());
        }
        Ok(key.end + blanks + 1)
    }

    fn dash_line(&self, at: usize) -> bool {
        let start = self.line_start(at);
        self.text
            .get(start..at)
            .is_some_and(|t| t.chars().all(|c| c == ' ' || c == '-'))
    }

    /// A JSON value in one line.
    fn json_like_flow(&self, v: &J) -> String {
        json_text(v)
    }

    /// Keys added to a flow mapping (YAML `{a: b}` or a JSON object): after its last
    /// entry, or inside `{}`.
    fn insert_flow(&self, node: NodeId, fields: &Map<String, J>) -> Result<Edit, String> {
        let entries = self.doc.map(node).unwrap_or(&[]);
        let s = self.span(node);
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

    /// The length of the blanks that start the line of `at`.
    fn indent_len(&self, at: usize) -> usize {
        let start = self.line_start(at);
        self.text
            .get(start..)
            .map_or(0, |t| t.len() - t.trim_start_matches([' ', '\t']).len())
    }

    fn append(&self, node: NodeId, items: &[J]) -> Result<Edit, String> {
        let list = self.doc.seq(node).ok_or("not a list")?;
        let s = self.span(node);
        if self.is_flow(node) {
            let new: Vec<String> = items.iter().map(|v| self.flow(v)).collect();
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
    fn remove(&self, node: NodeId, gone: &[usize]) -> Result<Vec<Edit>, String> {
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
        if gone.len() >= elements.len() {
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
            // A block list under its key: `key: []` on the key's line.
            if !is_map {
                let before = self
                    .text
                    .get(..start)
                    .unwrap_or("")
                    .trim_end_matches([' ', '\t', '\r', '\n']);
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
                edits.push(Edit::new(
                    Span::new(self.line_start(start), after),
                    String::new(),
                ));
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
        Ok(edits)
    }

    /// Replaces a scalar's text (keeping its anchor); an empty value (`key:` or
    /// `key: &a`) gets the new one after its key's colon or its anchor.
    fn replace(&self, node: NodeId, value: &J, key: Option<Span>) -> Result<Edit, String> {
        let s = self.span(node);
        let t = self.text.get(s.start..s.end).unwrap_or("");
        let content = skip_properties(t);
        let start = s.start + (t.len() - content.len());
        let end = self.content_end(node);
        let new = self.scalar(value);
        if content.trim().is_empty() {
            if start > s.start {
                // After the anchor or tag.
                let props = s.start + t.trim_end().len();
                return Ok(Edit::new(Span::new(props, props), format!(" {new}")));
            }
            let colon = self.after_colon(key.ok_or("an empty list item")?)?;
            return Ok(Edit::new(Span::new(colon, colon), format!(" {new}")));
        }
        if start > end {
            return Err("an empty value".into());
        }
        Ok(Edit::new(Span::new(start, end), new))
    }
}

/// The text after a node's anchor (`&a`) and tag (`!t`) properties.
fn skip_properties(mut t: &str) -> &str {
    loop {
        let trimmed = t.trim_start_matches([' ', '\t']);
        if trimmed.starts_with('&') || trimmed.starts_with('!') {
            let end = trimmed
                .find([' ', '\t', '\n', '\r'])
                .unwrap_or(trimmed.len());
            t = trimmed.get(end..).unwrap_or("");
            t = t.trim_start_matches([' ', '\t', '\r', '\n']);
        } else {
            return trimmed;
        }
    }
}

/// Whether a string can be written as a plain YAML scalar that reads back as that string.
fn plain_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !s.starts_with('-')
        && crate::yaml::resolve_plain(s) == Resolved::Str
}

/// A JSON value on one line, with a space after each `:` and `,` (as people write it).
/// Our own, small: the browser module does not carry `serde_json`'s writer. The values of
/// fixes are booleans, integers, strings, and lists and mappings of them.
pub(super) fn json_text(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => if *b { "true" } else { "false" }.into(),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => "null".into(),
        },
        J::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        J::Array(items) => {
            let inner: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", inner.join(", "))
        }
        J::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", json_text(&J::String(k.clone())), json_text(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}
