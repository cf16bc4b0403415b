//! A document in the common block style of Kubernetes manifests, read into the parser
//! events the YAML parser (`saphyr-parser`) gives for the same text, with the same byte
//! spans, a line at a time, several times faster than the general scanner.
//!
//! What it reads: block mappings with plain or quoted keys on one line (at most 1,024
//! bytes up to the `:`), block sequences (also "indentless" ones at their key's column,
//! and compact `- key: value` / `- - x` items), plain scalars (also over several lines,
//! folded), single- and double-quoted scalars (the common escapes; also over several
//! lines, folded), literal and folded block scalars (`|`, `>`, with `-` or `+`), empty
//! values, `{}`, and flow sequences of scalars on one line; comments, blank lines, a
//! `---` line before the content and a `...` line after it; lines end in `\n` or
//! `\r\n` (Windows line endings, also mixed). Anything else (anchors,
//! aliases, tags, directives, complex keys, tabs in the structure, a carriage return
//! that is not part of a `\r\n` line break, a BOM or NUL, nested or multi-line flow collections, a root scalar, block scalars with
//! an indentation indicator or without text lines, a comment where a plain scalar could
//! go on, an indentless sequence whose first item is empty, and every syntax error) ends
//! the iteration with an error, after which the caller reads the document with the YAML
//! parser from its start: errors and edge cases are always the YAML parser's.
//!
//! The spans follow the parser's, quirks included (the tests compare the trees built
//! from both, node for node and span for span, on every document of the corpus, the
//! PSA fixtures, generated workloads and edge cases; the `block` fuzz target on any
//! input): a block collection starts at its first key or `-` (empty span) and ends,
//! empty, where the next token starts; a plain scalar spans its text without the blanks
//! after it, a quoted scalar its quotes and the blanks (and a comment) after them on its
//! line; a block scalar starts at its first text character; an empty value is an empty
//! plain scalar at its key's colon, or, after a lone `-`, at the end of that line; an
//! "indentless" sequence (at its key's column) starts at its first item's content.

use std::borrow::Cow;
use std::collections::VecDeque;

use saphyr_parser::{Event, ScalarStyle};

use super::build::Spanned;
use super::{Span, YamlError};

mod scalars;

use scalars::{can_start_plain, quoted_style};

/// Deeper than this the document is left to the YAML parser (its own limit is 255
/// levels; the builder's default is 200).
const MAX_DEPTH: usize = 240;

/// The longest implicit key read here, in bytes up to its `:`: the YAML parser allows
/// at most 1,024 characters.
const MAX_KEY: usize = 1000;

/// An open block collection: a mapping or a sequence, and its column.
#[derive(Debug, Clone, Copy)]
struct Open {
    map: bool,
    indent: usize,
}

/// A key or `-` whose value has not been seen on its line.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// After `key:`: the colon's offset.
    Value { colon: usize },
    /// After a lone `-`: where its line's content (and comment) ends.
    Item { eol: usize },
}

/// Why the reading stopped: the text is not in the subset read here.
struct Bail;

type Step = Result<(), Bail>;

/// The events of one block-style document (see the module docs).
pub(super) struct BlockEvents<'a> {
    src: &'a str,
    base: usize,
    /// Where the next line starts.
    pos: usize,
    stack: Vec<Open>,
    pending: Option<Pending>,
    queue: VecDeque<(Event<'a>, usize, usize)>,
    /// The content has started (a root collection was opened).
    started: bool,
    /// A `---` line was read.
    marker_seen: bool,
    /// Everything was given (or the reading bailed).
    done: bool,
    bailed: bool,
}

impl<'a> BlockEvents<'a> {
    /// The events of `src`, one document's text starting at byte `base` of the stream,
    /// or `None` when it holds a byte this reader leaves to the YAML parser anywhere (a
    /// carriage return outside a `\r\n` line break, NUL, or a byte-order mark).
    pub(super) fn new(src: &'a str, base: usize) -> Option<Self> {
        let bytes = src.as_bytes();
        if memchr::memchr3(b'\r', 0, 0xEF, bytes).is_some() {
            // 0xEF starts the BOM (EF BB BF), but also other characters of U+F000–U+FFFF:
            // only the BOM is refused. A `\r` is read only as the first byte of a `\r\n`
            // line break (Windows line endings); a lone one (a line break too, for YAML)
            // is left to the YAML parser.
            if memchr::memchr(0, bytes).is_some()
                || memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'))
                || memchr::memmem::find(bytes, "\u{FEFF}".as_bytes()).is_some()
            {
                return None;
            }
        }
        let mut queue = VecDeque::with_capacity(8);
        queue.push_back((Event::StreamStart, 0, 0));
        Some(BlockEvents {
            src,
            base,
            pos: 0,
            stack: Vec::new(),
            pending: None,
            queue,
            started: false,
            marker_seen: false,
            done: false,
            bailed: false,
        })
    }

    /// Whether the reading stopped because the text is not in its subset (the caller
    /// then reads it with the YAML parser).
    pub(super) fn bailed(&self) -> bool {
        self.bailed
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn byte(&self, i: usize) -> u8 {
        self.bytes().get(i).copied().unwrap_or(b'\n')
    }

    fn emit(&mut self, event: Event<'a>, start: usize, end: usize) {
        self.queue.push_back((event, start, end));
    }

    fn text(&self, start: usize, end: usize) -> Result<&'a str, Bail> {
        self.src.get(start..end).ok_or(Bail)
    }

    /// Where the content of the line starting at `start` ends: its line break (`\n`, or
    /// the `\r` of a `\r\n`), or the end of the text.
    fn line_end(&self, start: usize) -> usize {
        let bytes = self.bytes();
        match bytes
            .get(start..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        {
            Some(i) => {
                let lf = start + i;
                if i > 0 && bytes.get(lf - 1) == Some(&b'\r') {
                    lf - 1
                } else {
                    lf
                }
            }
            None => bytes.len(),
        }
    }

    /// The start of the line after the one whose content ends at `end` (after its `\n`
    /// or `\r\n`).
    fn next_line(&self, end: usize) -> usize {
        let step = if self.byte(end) == b'\r' { 2 } else { 1 };
        (end + step).min(self.bytes().len().max(end))
    }

    /// The spaces from `at` on (not past `end`).
    fn spaces(&self, mut at: usize, end: usize) -> usize {
        while at < end && self.byte(at) == b' ' {
            at += 1;
        }
        at
    }

    /// From the line that starts at `line`: how many blank lines (spaces only) come
    /// first, and the next line with content, as (its start, its content's offset, its
    /// end), or `None` at the end of the text.
    fn after_blank_lines(&self, mut line: usize) -> (usize, Option<(usize, usize, usize)>) {
        let len = self.bytes().len();
        let mut blank = 0;
        while line < len {
            let e = self.line_end(line);
            let a = self.spaces(line, e);
            if a != e {
                return (blank, Some((line, a, e)));
            }
            blank += 1;
            line = self.next_line(e);
        }
        (blank, None)
    }

    /// A `-` at `at` that starts a sequence item (followed by a space or the line's end).
    fn is_dash(&self, at: usize, end: usize) -> bool {
        self.byte(at) == b'-' && (at + 1 == end || self.byte(at + 1) == b' ')
    }

    /// Reads lines until an event is queued or the document is over.
    fn fill(&mut self) -> Step {
        let len = self.bytes().len();
        while self.queue.is_empty() {
            if self.pos >= len {
                return self.finish(len);
            }
            let start = self.pos;
            let end = self.line_end(start);
            let at = self.spaces(start, end);
            let col = at - start;
            match self.byte(at) {
                _ if at == end => {
                    self.pos = self.next_line(end);
                    continue;
                }
                b'#' => {
                    self.pos = self.next_line(end);
                    continue;
                }
                b'\t' => return Err(Bail),
                _ => {}
            }
            let line = self.text(at, end)?;
            if col == 0 && is_marker(line, "---") {
                if self.started
                    || self.marker_seen
                    || !is_blank_or_comment(line.get(3..).unwrap_or(""))
                {
                    return Err(Bail);
                }
                self.marker_seen = true;
                self.pos = self.next_line(end);
                continue;
            }
            if col == 0 && is_marker(line, "...") {
                if !self.started || !is_blank_or_comment(line.get(3..).unwrap_or("")) {
                    return Err(Bail);
                }
                // Only comments and blank lines may follow.
                let mut p = self.next_line(end);
                while p < len {
                    let e = self.line_end(p);
                    let a = self.spaces(p, e);
                    if a != e && self.byte(a) != b'#' {
                        return Err(Bail);
                    }
                    p = self.next_line(e);
                }
                self.finish(start)?;
                // The DocumentEnd of an explicit end covers its `...`.
                if let Some(last) = self.queue.iter_mut().rev().nth(1) {
                    if matches!(last.0, Event::DocumentEnd) {
                        last.2 = start + 3;
                    }
                }
                return Ok(());
            }
            if col == 0 && line.starts_with('%') {
                return Err(Bail);
            }
            self.content_line(start, at, end)?;
        }
        Ok(())
    }

    /// The document is over at `at`: the pending value, the open collections, the end.
    fn finish(&mut self, at: usize) -> Step {
        if !self.started {
            return Err(Bail);
        }
        if let Some(p) = self.pending.take() {
            let pos = match p {
                Pending::Value { colon } => colon,
                Pending::Item { eol } => eol,
            };
            self.empty(pos);
        }
        while let Some(open) = self.stack.pop() {
            self.end(open, at);
        }
        self.emit(Event::DocumentEnd, at, at);
        self.emit(Event::StreamEnd, at, at);
        self.done = true;
        Ok(())
    }

    fn empty(&mut self, at: usize) {
        self.emit(
            Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None),
            at,
            at,
        );
    }

    fn end(&mut self, open: Open, at: usize) {
        let event = if open.map {
            Event::MappingEnd
        } else {
            Event::SequenceEnd
        };
        self.emit(event, at, at);
    }

    /// A line with content at `at` (column `at - start`), ending at `end`.
    fn content_line(&mut self, start: usize, at: usize, end: usize) -> Step {
        let col = at - start;
        let dash = self.is_dash(at, end);
        if !self.started {
            self.started = true;
            self.emit(Event::DocumentStart(self.marker_seen), 0, 0);
            return self.open_at(start, at, end, None);
        }
        if let Some(p) = self.pending.take() {
            let parent = *self.stack.last().ok_or(Bail)?;
            if col > parent.indent {
                return self.open_at(start, at, end, Some(parent.indent));
            }
            match p {
                Pending::Value { .. } if col == parent.indent && dash => {
                    // An indentless sequence, the value of the key above: the YAML
                    // parser starts it at its first item's content.
                    let first = self.spaces(at + 1, end);
                    if first == end || self.byte(first) == b'#' {
                        return Err(Bail);
                    }
                    self.open(false, col, first)?;
                    return self.seq_item(start, at, end);
                }
                Pending::Value { colon } => self.empty(colon),
                Pending::Item { eol } => self.empty(eol),
            }
        }
        // Close what this line is not inside of.
        while let Some(&top) = self.stack.last() {
            let indentless_over = !top.map
                && top.indent == col
                && !dash
                && self
                    .stack
                    .len()
                    .checked_sub(2)
                    .and_then(|i| self.stack.get(i))
                    .is_some_and(|parent| parent.map && parent.indent == col);
            if top.indent > col || indentless_over {
                self.stack.pop();
                self.end(top, at);
            } else {
                break;
            }
        }
        let top = *self.stack.last().ok_or(Bail)?;
        if top.indent != col {
            return Err(Bail);
        }
        if top.map {
            self.map_entry(start, at, end)
        } else if dash {
            self.seq_item(start, at, end)
        } else {
            Err(Bail)
        }
    }

    fn open(&mut self, map: bool, indent: usize, at: usize) -> Step {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Bail);
        }
        self.stack.push(Open { map, indent });
        let event = if map {
            Event::MappingStart(0, None)
        } else {
            Event::SequenceStart(0, None)
        };
        self.emit(event, at, at);
        Ok(())
    }

    /// The node that starts a line at `at`, more indented than the collection at column
    /// `parent` whose value it is (`None`: the root): a sequence at a `-`, a mapping at
    /// a key, else a scalar or flow value (not at the root).
    fn open_at(&mut self, start: usize, at: usize, end: usize, parent: Option<usize>) -> Step {
        let col = at - start;
        if self.is_dash(at, end) {
            self.open(false, col, at)?;
            self.seq_item(start, at, end)
        } else if let Some(key) = self.find_key(at, end)? {
            self.open(true, col, at)?;
            self.entry(start, at, end, key)
        } else {
            self.value(at, end, parent.ok_or(Bail)?)
        }
    }

    /// `- ...` at `at`.
    fn seq_item(&mut self, start: usize, at: usize, end: usize) -> Step {
        let indent = at - start;
        let p = self.spaces(at + 1, end);
        if p == end || self.byte(p) == b'#' {
            self.pending = Some(Pending::Item { eol: end });
            self.pos = self.next_line(end);
            return Ok(());
        }
        if self.byte(p) == b'\t' {
            return Err(Bail);
        }
        if self.is_dash(p, end) {
            self.open(false, p - start, p)?;
            return self.seq_item(start, p, end);
        }
        if let Some(key) = self.find_key(p, end)? {
            self.open(true, p - start, p)?;
            return self.entry(start, p, end, key);
        }
        self.value(p, end, indent)
    }

    /// `key: ...` at `at`.
    fn map_entry(&mut self, start: usize, at: usize, end: usize) -> Step {
        let key = self.find_key(at, end)?.ok_or(Bail)?;
        self.entry(start, at, end, key)
    }

    /// [`Self::map_entry`] with its key found (a line that opens a mapping found it
    /// to decide so: it is not searched twice).
    fn entry(&mut self, start: usize, at: usize, end: usize, key: Key<'a>) -> Step {
        let indent = at - start;
        self.emit(
            Event::Scalar(key.text, key.style, 0, None),
            at,
            key.span_end,
        );
        let p = self.spaces(key.colon + 1, end);
        if p == end || self.byte(p) == b'#' {
            self.pending = Some(Pending::Value { colon: key.colon });
            self.pos = self.next_line(end);
            return Ok(());
        }
        if self.byte(p) == b'\t' {
            return Err(Bail);
        }
        self.value(p, end, indent)
    }

    /// The key that starts at `at`, if the line holds `key:` there; `Ok(None)` when it
    /// holds another node.
    fn find_key(&self, at: usize, end: usize) -> Result<Option<Key<'a>>, Bail> {
        match self.byte(at) {
            q @ (b'"' | b'\'') => {
                // A quoted key is on one line: one that goes on is a value.
                let mut owned = None;
                let Some(close) = self.quoted_run(at + 1, end, q, &mut owned)? else {
                    return Ok(None);
                };
                let text = match owned {
                    Some(s) => Cow::Owned(s),
                    None => Cow::Borrowed(self.text(at + 1, close)?),
                };
                let after = self.spaces(close + 1, end);
                if after - at > MAX_KEY {
                    return Err(Bail);
                }
                if self.byte(after) == b':' && (after + 1 == end || self.byte(after + 1) == b' ') {
                    let style = quoted_style(q);
                    return Ok(Some(Key {
                        text,
                        style,
                        span_end: after,
                        colon: after,
                    }));
                }
                Ok(None)
            }
            c if !can_start_plain(c, self.byte(at + 1)) => Ok(None),
            _ => {
                let mut i = at;
                while i < end {
                    match self.byte(i) {
                        b':' if i + 1 == end || self.byte(i + 1) == b' ' => {
                            let mut e = i;
                            while e > at && self.byte(e - 1) == b' ' {
                                e -= 1;
                            }
                            if i - at > MAX_KEY {
                                return Err(Bail);
                            }
                            return Ok(Some(Key {
                                text: Cow::Borrowed(self.text(at, e)?),
                                style: ScalarStyle::Plain,
                                span_end: e,
                                colon: i,
                            }));
                        }
                        b'#' if self.byte(i - 1) == b' ' => return Ok(None),
                        b'\t' => return Err(Bail),
                        _ => {}
                    }
                    i += 1;
                }
                Ok(None)
            }
        }
    }
}

/// A key found on a line.
struct Key<'a> {
    text: Cow<'a, str>,
    style: ScalarStyle,
    /// Where the key's span ends.
    span_end: usize,
    /// The `:` after it.
    colon: usize,
}

/// Whether `line` (from column 0) is the marker `m` (`---` or `...`) alone or before a
/// blank.
fn is_marker(line: &str, m: &str) -> bool {
    line.strip_prefix(m)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Whether `rest` holds only blanks and a comment.
fn is_blank_or_comment(rest: &str) -> bool {
    let t = rest.trim_start_matches([' ', '\t']);
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

impl<'a> Iterator for BlockEvents<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        if self.queue.is_empty() {
            if self.done {
                return None;
            }
            if self.fill().is_err() {
                self.done = true;
                self.bailed = true;
                self.queue.clear();
                let at = self.base + self.pos;
                return Some(Err(YamlError {
                    document: 0,
                    message: "not in the block subset".to_string(),
                    span: Span::new(at, at),
                }));
            }
        }
        let (event, start, end) = self.queue.pop_front()?;
        Some(Ok((event, self.base + start, self.base + end)))
    }
}
