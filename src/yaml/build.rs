//! Parser events to a [`Document`]: scalars resolved ([`super::resolve`]), anchors,
//! aliases and merge keys applied, duplicate keys recorded, limits enforced.
//!
//! Its parts: [`read`] (which reading takes a document's text, JSON or YAML, and the
//! events it gives), this file (the builder), [`mapping`] (a mapping finished: merges,
//! duplicates) and [`skim`] (the values no check reads, not built).

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use super::{
    resolve_plain, Document, Entry, Limits, Node, NodeId, Resolved, Scalar, Span, Style, Value,
    YamlError,
};

mod mapping;
mod read;
mod skim;

pub(super) use read::{build_block, build_document, build_json, build_yaml};

pub use skim::Skim;
use skim::Skimmer;

/// Why a build stopped before its document was done.
pub(super) enum Halt {
    /// A syntax error or a limit: the document's error.
    Error(YamlError),
    /// Skimming met something it does not read as the full reading does (see [`skim`]):
    /// the document is built again without skimming.
    Skim,
}

impl From<YamlError> for Halt {
    fn from(e: YamlError) -> Self {
        Halt::Error(e)
    }
}

/// An open collection. Its items are on the builder's stacks from `from` on (each
/// collection closes before its parent takes another item), so that a finished
/// collection is one allocation of its exact size.
enum Frame<'a> {
    Seq {
        id: NodeId,
        start: usize,
        /// Where its items start in [`Builder::seq_items`].
        from: usize,
    },
    Map {
        id: NodeId,
        start: usize,
        /// Where its entries start in [`Builder::entries`].
        from: usize,
        /// Where its merge keys start in [`Builder::merges`].
        merges_from: usize,
        pending_key: Option<(Cow<'a, str>, Span, bool)>,
    },
}

struct Builder<'a> {
    doc: Document<'a>,
    /// The document's text (byte `base` of the stream).
    src: &'a str,
    /// Which documents may be skimmed (see [`skim`]); `None`: none.
    skim: Option<Skim>,
    /// The value being skimmed, if any.
    skimmer: Option<Skimmer<'a>>,
    stack: Vec<Frame<'a>>,
    /// The items of the open sequences, innermost last.
    seq_items: Vec<NodeId>,
    /// The `key: value` entries of the open mappings as written, innermost last.
    entries: Vec<Entry<'a>>,
    /// The merge keys `<<` of the open mappings: the index in [`Builder::entries`] of the
    /// entry written after it, the merged node, the `<<` key's span.
    merges: Vec<(usize, NodeId, Span)>,
    anchors: crate::hash::HashMap<usize, NodeId>,
    expansions: usize,
    base: usize,
    limits: Limits,
}

fn error_at(document: usize, at: usize, message: String) -> YamlError {
    YamlError {
        document,
        message,
        span: Span::new(at, at),
    }
}

/// One parser event and its span in bytes of the stream.
pub(super) type Spanned<'a> = Result<(Event<'a>, usize, usize), YamlError>;

/// Builds the document from its events: on native targets the builder is compiled for
/// each source of events (the YAML parser, the JSON scanner), in wasm it takes them as a
/// trait object, one copy for both that keeps the modules small (see
/// `read::events_for_build`).
fn build<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
    skim: Option<Skim>,
    events: impl Iterator<Item = Spanned<'a>>,
) -> Result<Document<'a>, Halt> {
    let mut b = Builder {
        src,
        skim,
        skimmer: None,
        doc: Document {
            index,
            span: Span::new(base, base + src.len()),
            nodes: Vec::new(),
            root: None,
            duplicates: Vec::new(),
            json: false,
            aliased: Vec::new(),
            merging: Vec::new(),
            alias_in_anchor: false,
            skimmed: false,
        },
        stack: Vec::new(),
        seq_items: Vec::new(),
        entries: Vec::new(),
        merges: Vec::new(),
        anchors: crate::hash::HashMap::default(),
        expansions: 0,
        base,
        limits: *limits,
    };
    let mut documents_seen = 0usize;
    // Any error of a document that was skimmed may come from what was not built: the
    // full reading gives it.
    let run = (|| -> Result<(), Halt> {
        for ev in events {
            let (event, start, end) = match ev {
                Ok(ev) => ev,
                Err(e) => return Err(Halt::Error(e)),
            };
            if b.skimmer.is_some() {
                if let Some((id, span)) = b.skim_event(event, start, end)? {
                    b.add(id, span, index)?;
                }
                continue;
            }
            match event {
                Event::DocumentStart(_) => {
                    documents_seen += 1;
                    if documents_seen > 1 {
                        return Err(Halt::Error(error_at(
                            index,
                            start,
                            "invalid YAML: a second document starts without a `---` line"
                                .to_string(),
                        )));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let text = borrow_from_source(
                        text,
                        src,
                        start.saturating_sub(b.base),
                        end.saturating_sub(b.base),
                        style,
                    );
                    let scalar = make_scalar(text, style, tag.as_deref());
                    let (start, end) = if scalar.style() == Style::Block {
                        block_scalar_span(src, b.base, start, end, &scalar.text)
                    } else {
                        (start, end)
                    };
                    // Fast path: an unanchored scalar key becomes the pending key directly,
                    // without a node of its own.
                    if anchor == 0 {
                        if let Some(Frame::Map {
                            pending_key: pending @ None,
                            ..
                        }) = b.stack.last_mut()
                        {
                            let merge = scalar.style() == Style::Plain && scalar.text == "<<";
                            *pending =
                                Some((key_string_owned(scalar), Span::new(start, end), merge));
                            continue;
                        }
                    }
                    let id = b.push(Value::Scalar(scalar), Span::new(start, end));
                    b.anchor(anchor, id);
                    b.add(id, Span::new(start, end), index)?;
                }
                Event::Alias(anchor) => {
                    // It may name a node that was skimmed.
                    if b.doc.skimmed {
                        return Err(Halt::Skim);
                    }
                    b.expansions += 1;
                    if b.expansions > b.limits.max_alias_expansions {
                        return Err(Halt::Error(error_at(
                            index,
                            start,
                            format!(
                                "too many alias expansions (limit {})",
                                b.limits.max_alias_expansions
                            ),
                        )));
                    }
                    let Some(&id) = b.anchors.get(&anchor) else {
                        return Err(Halt::Error(error_at(
                            index,
                            start,
                            "invalid YAML: unknown anchor".into(),
                        )));
                    };
                    b.doc.aliased.push(id);
                    // An alias inside its own anchor's node (`&a {<<: *a}`) sees it unfinished.
                    b.doc.alias_in_anchor |= b.stack.iter().any(|f| match f {
                        Frame::Seq { id: open, .. } | Frame::Map { id: open, .. } => *open == id,
                    });
                    b.add(id, Span::new(start, end), index)?;
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if b.stack.len() >= b.limits.max_depth {
                        return Err(Halt::Error(error_at(
                            index,
                            start,
                            format!("nesting deeper than {} levels", b.limits.max_depth),
                        )));
                    }
                    let is_map = matches!(event, Event::MappingStart(..));
                    if b.start_skim(is_map, start) {
                        continue;
                    }
                    let placeholder = if is_map {
                        Value::Map(Vec::new())
                    } else {
                        Value::Seq(Vec::new())
                    };
                    let id = b.push(placeholder, Span::new(start, end));
                    b.anchor(anchor, id);
                    b.stack.push(if is_map {
                        Frame::Map {
                            id,
                            start,
                            from: b.entries.len(),
                            merges_from: b.merges.len(),
                            pending_key: None,
                        }
                    } else {
                        Frame::Seq {
                            id,
                            start,
                            from: b.seq_items.len(),
                        }
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    // Collections are kept at their exact size: a tree of many small
                    // mappings would otherwise hold room for entries it never gets.
                    let (id, value, node_start, last_end) = match b.stack.pop() {
                        Some(Frame::Seq { id, start, from }) => {
                            let items: Vec<NodeId> = b.seq_items.drain(from..).collect();
                            let last = items
                                .last()
                                .and_then(|&i| b.doc.node(i))
                                .map_or(end, |n| n.span().end);
                            (id, Value::Seq(items), start, last)
                        }
                        Some(Frame::Map {
                            id,
                            start,
                            from,
                            merges_from,
                            ..
                        }) => {
                            let end_of = |id: NodeId| b.doc.node(id).map(|n| n.span().end);
                            let written = b.entries.get(from..).unwrap_or_default();
                            let merges = b.merges.get(merges_from..).unwrap_or_default();
                            let last = written
                                .iter()
                                .filter_map(|e| end_of(e.value))
                                .chain(merges.iter().filter_map(|&(_, source, _)| end_of(source)))
                                .max()
                                .unwrap_or(end);
                            let mut entries = b.finish_map(id, from, merges_from, index)?;
                            entries.shrink_to_fit();
                            (id, Value::Map(entries), start, last)
                        }
                        None => continue,
                    };
                    // Flow collections end at their closing bracket (the end event covers it);
                    // block ones at their last child (the end event is empty, at the next token).
                    let span_end = if end > start {
                        end
                    } else {
                        last_end.max(node_start)
                    };
                    let span = Span::new(node_start, span_end);
                    if let Some(n) = b.doc.nodes.get_mut(id as usize) {
                        n.value = value;
                        n.set_span(span);
                    }
                    b.add(id, span, index)?;
                }
                Event::StreamEnd => break,
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(())
    })();
    if let Err(halt) = run {
        return Err(if b.doc.skimmed { Halt::Skim } else { halt });
    }
    if b.doc.skimmed && (b.skimmer.is_some() || !skim::root_is_plain(&b.doc)) {
        return Err(Halt::Skim);
    }
    b.doc.nodes.shrink_to_fit();
    b.doc.aliased.sort_unstable();
    b.doc.aliased.dedup();
    b.doc.merging.sort_unstable();
    // An empty document (or a lone `null`) has nothing to check.
    if let Some(root) = b.doc.root {
        if b.doc.is_null(root) {
            b.doc.root = None;
        }
    }
    Ok(b.doc)
}

/// A block scalar's span (`start`, `end`: saphyr's, in bytes of the stream; `base`:
/// where `src` starts in it): from its text (the header is on the line before) to its
/// last content line, not after the line breaks that follow it nor at the indentation
/// of the next line. One without text lines (`key: |-` before a less indented key: its
/// `value` is "" or, kept with `|+`, only line breaks), which saphyr puts where the next
/// token starts, is placed at the end of its header's line instead, so that it lies
/// inside its mapping (the blank lines a `|+` keeps follow it).
fn block_scalar_span(
    src: &str,
    base: usize,
    start: usize,
    end: usize,
    value: &str,
) -> (usize, usize) {
    let before = |i: usize| src_byte(src, i - base - 1);
    if value.bytes().all(|c| c == b'\n') {
        let mut at = start;
        while at > base && matches!(before(at), b' ' | b'\t' | b'\n' | b'\r') {
            at -= 1;
        }
        // To the end of that line (at the end of the text saphyr puts one at its
        // indicator), before any blanks.
        let rel = at.saturating_sub(base);
        let line_end = src
            .get(rel..)
            .and_then(|rest| rest.find(['\n', '\r']))
            .map_or(src.len(), |i| rel + i);
        let mut at = base + line_end;
        while at > base && matches!(before(at), b' ' | b'\t') {
            at -= 1;
        }
        return (at, at);
    }
    let mut end = end;
    loop {
        let mut k = end;
        while k > start && matches!(before(k), b' ' | b'\t') {
            k -= 1;
        }
        if !(k > start && matches!(before(k), b'\n' | b'\r')) {
            return (start, end);
        }
        while k > start && matches!(before(k), b'\n' | b'\r') {
            k -= 1;
        }
        end = k;
    }
}

fn src_byte(src: &str, i: usize) -> u8 {
    src.as_bytes().get(i).copied().unwrap_or(b'\n')
}

/// The scalar's text as a slice of the source when the source holds it as it is (a plain
/// scalar on one line, a quoted one without escapes): the parser's own copy is dropped,
/// so a document's tree holds no second copy of its ordinary values. `start..end` is the
/// scalar's span in `src`.
fn borrow_from_source<'a>(
    text: Cow<'a, str>,
    src: &'a str,
    start: usize,
    end: usize,
    style: ScalarStyle,
) -> Cow<'a, str> {
    let Cow::Owned(owned) = &text else {
        return text;
    };
    let inner = match style {
        ScalarStyle::Plain => src.get(start..end),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            src.get(start.saturating_add(1)..end.saturating_sub(1))
        }
        _ => None,
    };
    match inner {
        Some(slice) if slice == owned.as_str() => Cow::Borrowed(slice),
        _ => text,
    }
}

fn make_scalar<'a>(
    text: Cow<'a, str>,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
) -> Scalar<'a> {
    let style = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
        _ => Style::Block,
    };
    let mut resolved = if style == Style::Plain {
        resolve_plain(&text)
    } else {
        Resolved::Str
    };
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        resolved = match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Resolved::Str,
            "null" => Resolved::Null,
            "bool" | "int" | "float" => match resolve_plain(&text) {
                r @ (Resolved::Bool(_) | Resolved::Int(_) | Resolved::Float(_)) => r,
                _ => Resolved::Str,
            },
            _ => resolved,
        };
    }
    Scalar::new(text, style, resolved)
}

/// [`key_string`] for a scalar that is not kept as a node (no copy of the text).
fn key_string_owned(s: Scalar<'_>) -> Cow<'_, str> {
    match s.resolved() {
        Resolved::Float(_) | Resolved::Str => s.text,
        _ => key_string(&s),
    }
}

/// The string a key becomes in the JSON conversion (`sigs.k8s.io/yaml`).
fn key_string<'a>(s: &Scalar<'a>) -> Cow<'a, str> {
    match s.resolved() {
        Resolved::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Resolved::Int(i) => Cow::Owned(i.to_string()),
        Resolved::Null => Cow::Borrowed("null"),
        Resolved::Float(_) | Resolved::Str => s.text.clone(),
    }
}

impl<'a> Builder<'a> {
    fn push(&mut self, value: Value<'a>, span: Span) -> NodeId {
        let id = NodeId::try_from(self.doc.nodes.len()).unwrap_or(NodeId::MAX);
        self.doc.nodes.push(Node::new(value, span));
        id
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn add(&mut self, id: NodeId, span: Span, index: usize) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                self.doc.root = Some(id);
            }
            Some(Frame::Seq { .. }) => self.seq_items.push(id),
            Some(Frame::Map { pending_key, .. }) => match pending_key.take() {
                None => {
                    let (key, merge) = match self.doc.nodes.get(id as usize).map(|n| &n.value) {
                        Some(Value::Scalar(s)) => {
                            let merge = s.style() == Style::Plain && s.text == "<<";
                            (key_string(s), merge)
                        }
                        _ => (Cow::Borrowed(""), false),
                    };
                    *pending_key = Some((key, span, merge));
                }
                Some((_, key_span, true)) => {
                    self.merges.push((self.entries.len(), id, key_span));
                }
                Some((key, key_span, false)) => {
                    self.entries.push(Entry::new(key, key_span, id));
                }
            },
        }
        let _ = index;
        Ok(())
    }
}
