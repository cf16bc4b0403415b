//! Where things are in the document's text: walking a pointer, the ends of nodes and
//! entries, lines and columns, the document's indentation style.

use super::*;

/// A path walked as far as the document has it.
pub(super) struct Walked<'p> {
    /// The nodes from the root to the deepest that exists.
    pub(super) nodes: Vec<NodeId>,
    /// The key span of the entry that leads to the deepest node (when it is a mapping
    /// value).
    pub(super) key: Option<Span>,
    /// The tokens past it.
    pub(super) missing: &'p [String],
}

impl Walked<'_> {
    pub(super) fn last(&self) -> NodeId {
        self.nodes.last().copied().unwrap_or_default()
    }
    pub(super) fn parent(&self) -> Option<NodeId> {
        self.nodes
            .len()
            .checked_sub(2)
            .and_then(|i| self.nodes.get(i).copied())
    }
    pub(super) fn key_span(&self) -> Option<Span> {
        self.key
    }
}

impl Layout<'_, '_> {
    pub(super) fn walk<'p>(&self, path: &'p [String]) -> Result<Walked<'p>, String> {
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

    pub(super) fn check_shared(&self, node: NodeId) -> Result<(), String> {
        if self.doc.aliased.binary_search(&node).is_ok() {
            return Err("the field is in an anchored node (`&name`) that an alias (`*name`) also uses: edit it by hand".into());
        }
        Ok(())
    }

    pub(super) fn span(&self, node: NodeId) -> Span {
        self.doc.node(node).map(|n| n.span()).unwrap_or_default()
    }

    pub(super) fn byte(&self, at: usize) -> u8 {
        self.text.as_bytes().get(at).copied().unwrap_or(0)
    }

    /// Whether a collection is written in flow style (`{...}` / `[...]`).
    pub(super) fn is_flow(&self, node: NodeId) -> bool {
        let s = self.span(node);
        let t = self.text.get(s.start..s.end).unwrap_or("");
        let t = skip_properties(t);
        t.starts_with('{') || t.starts_with('[')
    }

    /// Where a scalar's or a flow collection's text ends (trailing blanks excluded),
    /// or a block collection's last content: the end of the text a person would see as
    /// the node's.
    pub(super) fn content_end(&self, node: NodeId) -> usize {
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
    pub(super) fn keeps_trailing_lines(&self, node: NodeId) -> bool {
        let Some((_, header)) = self.block_header(node) else {
            return false;
        };
        header
            .rfind(['|', '>'])
            .and_then(|i| header.get(i + 1..))
            .is_some_and(|h| {
                h.contains('+')
                    && h.chars()
                        .all(|c| c == '+' || c == '-' || c.is_ascii_digit())
            })
    }

    /// A block scalar's header line: where that line starts, and its text up to the end
    /// of the indicator (`key: |-`, before any comment and trailing blanks). `None` for
    /// any other node. The header is on the line before the scalar's text; a block
    /// scalar without text lines lies at the end of its header's line (see
    /// `yaml::build::block_scalar_span`).
    pub(super) fn block_header(&self, node: NodeId) -> Option<(usize, &str)> {
        let is_block =
            matches!(self.doc.scalar(node), Some(sc) if sc.style() == crate::yaml::Style::Block);
        if !is_block {
            return None;
        }
        let span = self.span(node);
        let (line, end) = if span.start == span.end {
            (self.line_start(span.start), span.start)
        } else {
            let prev = self.line_start(span.start).checked_sub(1)?;
            (self.line_start(prev), prev)
        };
        let header = self.text.get(line..end).unwrap_or("");
        Some((line, header.split(" #").next().unwrap_or("").trim_end()))
    }

    /// From `end` (a line's text end), past the blank lines that follow: the end of the
    /// last blank line's text (before its line break).
    pub(super) fn past_blank_lines(&self, mut end: usize) -> usize {
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
    pub(super) fn entry_end(&self, e: &crate::yaml::Entry<'_>) -> usize {
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

    pub(super) fn line_start(&self, at: usize) -> usize {
        self.text
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// The offset just after the end of the line holding `at` (its comment and line break
    /// included), and whether that line ends in `\r\n`; at the end of a text without a
    /// final line break, the text's end.
    pub(super) fn after_line(&self, at: usize) -> (usize, bool) {
        match self.text.get(at..).and_then(|t| t.find('\n')) {
            Some(i) => (at + i + 1, at + i > 0 && self.byte(at + i - 1) == b'\r'),
            None => (self.text.len(), false),
        }
    }

    pub(super) fn eol(&self) -> &'static str {
        let first = self.text.find('\n');
        match first {
            Some(i) if i > 0 && self.byte(i - 1) == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    /// The column (characters from the line start) of `at`, and whether only blanks and
    /// `- ` indicators come before it on its line.
    pub(super) fn column(&self, at: usize) -> usize {
        let start = self.line_start(at);
        self.text.get(start..at).map_or(0, |t| t.chars().count())
    }

    pub(super) fn first_on_line(&self, at: usize) -> bool {
        let start = self.line_start(at);
        self.text
            .get(start..at)
            .is_some_and(|t| t.chars().all(|c| c == ' ' || c == '\t'))
    }

    /// The document's indentation step, and the indentation of a block list's `- ` under
    /// its key (0 for flush lists), read from the first examples in the document.
    pub(super) fn style(&self) -> (usize, usize) {
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
    pub(super) fn dash_before(&self, item: NodeId) -> Option<usize> {
        let start = self.span(item).start;
        let before = self.text.get(..start)?;
        let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
        trimmed.ends_with('-').then(|| trimmed.len() - 1)
    }

    pub(super) fn is_json(&self) -> bool {
        self.doc.json
    }

    /// From `at` (a line start), past the comment lines indented deeper than `indent`
    /// (and the blank lines among them): they belong to what comes before (a comment
    /// under a container's last key stays with the container, not with a new key of the
    /// pod after it).
    pub(super) fn past_deeper_comments(&self, mut at: usize, indent: usize) -> usize {
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
    pub(super) fn after_colon(&self, key: Span) -> Result<usize, String> {
        let rest = self.text.get(key.end..).unwrap_or("");
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if !rest.get(blanks..).is_some_and(|r| r.starts_with(':')) {
            return Err("an empty value without `:`".into());
        }
        Ok(key.end + blanks + 1)
    }

    pub(super) fn dash_line(&self, at: usize) -> bool {
        let start = self.line_start(at);
        self.text
            .get(start..at)
            .is_some_and(|t| t.chars().all(|c| c == ' ' || c == '-'))
    }

    /// The length of the blanks that start the line of `at`.
    pub(super) fn indent_len(&self, at: usize) -> usize {
        let start = self.line_start(at);
        self.text
            .get(start..)
            .map_or(0, |t| t.len() - t.trim_start_matches([' ', '\t']).len())
    }
}

/// The text after a node's anchor (`&a`) and tag (`!t`) properties.
pub(super) fn skip_properties(mut t: &str) -> &str {
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
