//! Multi-document YAML to a spanned node tree, read the way Kubernetes reads it.
//!
//! Events come from [`saphyr_parser`]; the tree, the scalar resolution
//! ([`resolve`], YAML 1.1 as go-yaml v2 does it), anchors, aliases, merge keys (`<<`),
//! duplicate keys (the last wins, as in go-yaml) and the limits are ours.
//!
//! Every span is a pair of **byte offsets** into the whole input stream, end exclusive.
//!
//! The stream is first cut into documents at `---` and `...` marker lines (a marker is
//! only valid at column 0, and it ends any scalar it stands in, so the cut is exact);
//! each document is then parsed on its own. A document that does not parse therefore
//! becomes one [`YamlError`] and the other documents are still read.

pub mod resolve;

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub use resolve::{resolve_plain, Resolved};

/// Index of a node in [`Document::nodes`].
pub type NodeId = u32;

/// A byte range `[start, end)` in the input stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte (inclusive).
    pub start: usize,
    /// One past the last byte (exclusive).
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// How a scalar was written. Only plain scalars are resolved to non-string types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'single'` or `"double"` quoted.
    Quoted,
    /// `|` or `>` block scalar.
    Block,
}

/// A scalar: its text (after unescaping/folding), style and resolved YAML 1.1 type.
#[derive(Debug, Clone)]
pub struct Scalar<'a> {
    /// The scalar's content.
    pub text: Cow<'a, str>,
    /// How it was written.
    pub style: Style,
    /// The resolved type: for plain scalars per [`resolve_plain`] (or a core-schema tag),
    /// [`Resolved::Str`] for quoted and block scalars.
    pub resolved: Resolved,
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The key as the JSON conversion sees it (a YAML 1.1 boolean key `on` becomes `"true"`).
    pub key: Cow<'a, str>,
    /// Span of the key node.
    pub key_span: Span,
    /// The value node.
    pub value: NodeId,
}

/// A node's content.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// A scalar.
    Scalar(Scalar<'a>),
    /// A sequence of nodes.
    Seq(Vec<NodeId>),
    /// A mapping, after merge keys are applied and duplicate keys are removed (last wins).
    Map(Vec<Entry<'a>>),
}

/// A node with the span of its value.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// Content.
    pub value: Value<'a>,
    /// Where the value is written. For an alias, the anchored node's span.
    pub span: Span,
}

/// A duplicated key: `winner` is the key that is kept (the last), `hidden` the one it hides.
#[derive(Debug, Clone)]
pub struct DuplicateKey {
    /// The mapping that holds the key.
    pub map: NodeId,
    /// The key text.
    pub key: String,
    /// Span of the key that wins (the later one).
    pub winner: Span,
    /// Span of the key that is hidden (the earlier one).
    pub hidden: Span,
}

/// One YAML document of the stream.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Position of the document in the stream, 0-based, as YAML parsers count them.
    pub index: usize,
    /// Byte span of the document's text in the stream (markers included).
    pub span: Span,
    /// The node arena.
    pub nodes: Vec<Node<'a>>,
    /// The root node; `None` for an empty or comment-only document.
    pub root: Option<NodeId>,
    /// Duplicated keys found in this document, in source order.
    pub duplicates: Vec<DuplicateKey>,
}

/// A YAML syntax error or a limit that was exceeded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Document index in the stream.
    pub document: usize,
    /// Human-readable message.
    pub message: String,
    /// Where the error is (bytes into the stream). Often empty (`start == end`).
    pub span: Span,
}

/// Limits that keep parsing bounded. Exceeding one is a [`YamlError`] at the position
/// where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 64 MiB.
    pub max_input_bytes: usize,
    /// Deepest nesting of mappings and sequences. Default 200 (the event parser
    /// itself stops at 255).
    pub max_depth: usize,
    /// Most alias uses plus entries copied by merge keys, per document. Default 100,000.
    pub max_alias_expansions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * 1024 * 1024,
            max_depth: 200,
            max_alias_expansions: 100_000,
        }
    }
}

/// The parsed stream: every document that parsed, and an error per document that did not.
#[derive(Debug, Clone, Default)]
pub struct Stream<'a> {
    /// Documents in stream order (those that failed are absent).
    pub documents: Vec<Document<'a>>,
    /// Errors, in stream order.
    pub errors: Vec<YamlError>,
    /// Number of documents in the stream, parsed or not.
    pub document_count: usize,
}

impl<'a> Document<'a> {
    /// The node with this id. Ids come from this document, so the lookup cannot fail;
    /// a foreign id yields `None`.
    pub fn node(&self, id: NodeId) -> Option<&Node<'a>> {
        self.nodes.get(id as usize)
    }

    /// The entries of a mapping node, or `None` for other nodes.
    pub fn map(&self, id: NodeId) -> Option<&[Entry<'a>]> {
        match &self.node(id)?.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The items of a sequence node, or `None` for other nodes.
    pub fn seq(&self, id: NodeId) -> Option<&[NodeId]> {
        match &self.node(id)?.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar of a scalar node, or `None`.
    pub fn scalar(&self, id: NodeId) -> Option<&Scalar<'a>> {
        match &self.node(id)?.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key` in mapping `map`.
    pub fn entry(&self, map: NodeId, key: &str) -> Option<&Entry<'a>> {
        self.map(map)?.iter().find(|e| e.key == key)
    }

    /// The value of `key` in mapping `map`, or `None` when absent or when `map` is not a
    /// mapping. A present key with a `null` value is returned (see [`Document::is_null`]).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| e.value)
    }

    /// The value of `key`, treating an explicit `null` as absent (as the JSON decoding
    /// into Go pointers does).
    pub fn get_set(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get(map, key).filter(|&v| !self.is_null(v))
    }

    /// Whether the node is a `null` scalar.
    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.scalar(id), Some(s) if s.resolved == Resolved::Null)
    }

    /// The string a Kubernetes string field would receive: any non-null scalar's text.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let s = self.scalar(id)?;
        (s.resolved != Resolved::Null).then_some(s.text.as_ref())
    }

    /// Walks a JSON pointer (`/a/0/b`, RFC 6901 escapes) from `from`.
    pub fn pointer(&self, from: NodeId, pointer: &str) -> Option<NodeId> {
        let mut cur = from;
        if pointer.is_empty() {
            return Some(cur);
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = unescape_pointer(raw);
            cur = match &self.node(cur)?.value {
                Value::Map(entries) => entries.iter().find(|e| e.key == token)?.value,
                Value::Seq(items) => *items.get(token.parse::<usize>().ok()?)?,
                Value::Scalar(_) => return None,
            };
        }
        Some(cur)
    }
}

/// Escapes a JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_pointer(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

fn unescape_pointer(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}

/// Parses a multi-document YAML stream into documents, with limits.
///
/// `text` is the whole stream; a leading UTF-8 BOM is skipped (spans still count its
/// 3 bytes). Never panics; every problem is a [`YamlError`] in [`Stream::errors`].
pub fn parse_stream<'a>(text: &'a str, limits: &Limits) -> Stream<'a> {
    let mut stream = Stream::default();
    if text.len() > limits.max_input_bytes {
        stream.errors.push(YamlError {
            document: 0,
            message: format!(
                "input is larger than the limit of {} bytes; nothing was checked",
                limits.max_input_bytes
            ),
            span: Span::new(0, 0),
        });
        return stream;
    }
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    for chunk in split_documents(body) {
        let index = stream.document_count;
        stream.document_count += 1;
        let start = base + chunk.start;
        let src = body.get(chunk.start..chunk.end).unwrap_or("");
        match build_document(src, start, index, limits) {
            Ok(doc) => stream.documents.push(doc),
            Err(e) => stream.errors.push(e),
        }
    }
    stream
}

#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
}

/// Whether `line` (without its line break) is a document marker (`---` or `...`).
fn marker(line: &str, m: &str) -> bool {
    line.strip_prefix(m)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Cuts the stream into documents the way a YAML parser counts them: a `---` line opens a
/// document (an empty one counts), a `...` line closes one, and text before the first
/// `---` is a document only when it holds content (not only comments, directives and
/// blank lines).
fn split_documents(s: &str) -> Vec<Chunk> {
    let bytes = s.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut explicit = false;
    let mut content = false;
    let mut pos = 0usize;
    while pos < s.len() {
        // A line ends at `\n`, `\r\n` or a lone `\r` (YAML line breaks).
        let line_end = bytes
            .get(pos..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
            .map_or(s.len(), |i| pos + i);
        let next = match bytes.get(line_end) {
            Some(b'\r') if bytes.get(line_end + 1) == Some(&b'\n') => line_end + 2,
            Some(_) => line_end + 1,
            None => line_end,
        };
        let line = s.get(pos..line_end).unwrap_or("");
        // A BOM may open any document of a stream (YAML 1.2, 5.2).
        let bare = line.strip_prefix('\u{feff}').unwrap_or(line);
        if marker(bare, "---") {
            if explicit || content {
                chunks.push(Chunk { start, end: pos });
                start = pos;
            }
            explicit = true;
            content = false;
        } else if marker(bare, "...") {
            if explicit || content {
                chunks.push(Chunk { start, end: next });
            }
            start = next;
            explicit = false;
            content = false;
        } else if !(explicit || content) {
            let t = bare.trim_start_matches([' ', '\t']);
            let directive = bare.starts_with('%');
            if !(t.is_empty() || t.starts_with('#') || directive) {
                content = true;
            }
        }
        pos = next;
    }
    if explicit || content {
        chunks.push(Chunk {
            start,
            end: s.len(),
        });
    }
    chunks
}

/// Maps saphyr's character indices to byte offsets within one document's text.
struct CharMap {
    /// `(char index after a multi-byte char, extra bytes so far)`, ascending.
    steps: Vec<(usize, usize)>,
}

impl CharMap {
    fn new(s: &str) -> Self {
        let mut steps = Vec::new();
        if !s.is_ascii() {
            let mut extra = 0;
            for (ci, ch) in s.chars().enumerate() {
                let l = ch.len_utf8();
                if l > 1 {
                    extra += l - 1;
                    steps.push((ci + 1, extra));
                }
            }
        }
        CharMap { steps }
    }

    fn byte(&self, char_index: usize) -> usize {
        let n = self.steps.partition_point(|&(c, _)| c <= char_index);
        let extra = n
            .checked_sub(1)
            .and_then(|i| self.steps.get(i))
            .map_or(0, |&(_, e)| e);
        char_index + extra
    }
}

enum Frame<'a> {
    Seq {
        id: NodeId,
        start: usize,
        items: Vec<NodeId>,
    },
    Map {
        id: NodeId,
        start: usize,
        /// Keys and merge keys in source order (go-yaml applies them in that order).
        items: Vec<MapItem<'a>>,
        pending_key: Option<(Cow<'a, str>, Span, bool)>,
    },
}

/// One item of a mapping as written: a `key: value` entry or a merge key `<<: source`.
enum MapItem<'a> {
    Entry(Entry<'a>),
    Merge(NodeId, Span),
}

struct Builder<'a> {
    doc: Document<'a>,
    stack: Vec<Frame<'a>>,
    anchors: HashMap<usize, NodeId>,
    expansions: usize,
    base: usize,
    chars: CharMap,
    limits: Limits,
}

fn error_at(document: usize, at: usize, message: String) -> YamlError {
    YamlError {
        document,
        message,
        span: Span::new(at, at),
    }
}

fn build_document<'a>(
    src: &'a str,
    base: usize,
    index: usize,
    limits: &Limits,
) -> Result<Document<'a>, YamlError> {
    let mut b = Builder {
        doc: Document {
            index,
            span: Span::new(base, base + src.len()),
            nodes: Vec::new(),
            root: None,
            duplicates: Vec::new(),
        },
        stack: Vec::new(),
        anchors: HashMap::new(),
        expansions: 0,
        base,
        chars: CharMap::new(src),
        limits: *limits,
    };
    let mut parser = Parser::new_from_str(src);
    let mut documents_seen = 0usize;
    while let Some(ev) = parser.next_event() {
        let (event, span) = match ev {
            Ok(x) => x,
            Err(e) => {
                let at = b.abs(e.marker().index());
                let message = if e.info() == "recursion limit exceeded" {
                    "nesting deeper than the YAML parser's limit of 255 levels".to_string()
                } else {
                    format!("invalid YAML: {}", e.info())
                };
                return Err(error_at(index, at, message));
            }
        };
        let start = b.abs(span.start.index());
        let end = b.abs(span.end.index());
        match event {
            Event::DocumentStart(_) => {
                documents_seen += 1;
                if documents_seen > 1 {
                    return Err(error_at(
                        index,
                        start,
                        "invalid YAML: a second document starts without a `---` line".to_string(),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = make_scalar(text, style, tag.as_deref());
                // A block scalar's span ends at its last content line, not after the
                // line break(s) that follow it.
                let mut end = end;
                if scalar.style == Style::Block {
                    while end > start && matches!(src_byte(src, end - b.base - 1), b'\n' | b'\r') {
                        end -= 1;
                    }
                }
                // Fast path: an unanchored scalar key becomes the pending key directly,
                // without a node of its own.
                if anchor == 0 {
                    if let Some(Frame::Map {
                        pending_key: pending @ None,
                        ..
                    }) = b.stack.last_mut()
                    {
                        let merge = scalar.style == Style::Plain && scalar.text == "<<";
                        *pending = Some((key_string_owned(scalar), Span::new(start, end), merge));
                        continue;
                    }
                }
                let id = b.push(Value::Scalar(scalar), Span::new(start, end));
                b.anchor(anchor, id);
                b.add(id, Span::new(start, end), index)?;
            }
            Event::Alias(anchor) => {
                b.expansions += 1;
                if b.expansions > b.limits.max_alias_expansions {
                    return Err(error_at(
                        index,
                        start,
                        format!(
                            "too many alias expansions (limit {})",
                            b.limits.max_alias_expansions
                        ),
                    ));
                }
                let Some(&id) = b.anchors.get(&anchor) else {
                    return Err(error_at(
                        index,
                        start,
                        "invalid YAML: unknown anchor".into(),
                    ));
                };
                b.add(id, Span::new(start, end), index)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if b.stack.len() >= b.limits.max_depth {
                    return Err(error_at(
                        index,
                        start,
                        format!("nesting deeper than {} levels", b.limits.max_depth),
                    ));
                }
                let is_map = matches!(event, Event::MappingStart(..));
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
                        items: Vec::new(),
                        pending_key: None,
                    }
                } else {
                    Frame::Seq {
                        id,
                        start,
                        items: Vec::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (id, value, node_start, last_end) = match b.stack.pop() {
                    Some(Frame::Seq { id, start, items }) => {
                        let last = items
                            .last()
                            .and_then(|&i| b.doc.node(i))
                            .map_or(end, |n| n.span.end);
                        (id, Value::Seq(items), start, last)
                    }
                    Some(Frame::Map {
                        id, start, items, ..
                    }) => {
                        let last = items
                            .iter()
                            .filter_map(|item| match item {
                                MapItem::Entry(e) => b.doc.node(e.value).map(|n| n.span.end),
                                MapItem::Merge(source, _) => {
                                    b.doc.node(*source).map(|n| n.span.end)
                                }
                            })
                            .max()
                            .unwrap_or(end);
                        let entries = b.finish_map(id, items, index)?;
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
                    n.span = span;
                }
                b.add(id, span, index)?;
            }
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    // An empty document (or a lone `null`) has nothing to check.
    if let Some(root) = b.doc.root {
        if b.doc.is_null(root) {
            b.doc.root = None;
        }
    }
    Ok(b.doc)
}

fn src_byte(src: &str, i: usize) -> u8 {
    src.as_bytes().get(i).copied().unwrap_or(b'\n')
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
    Scalar {
        text,
        style,
        resolved,
    }
}

/// [`key_string`] for a scalar that is not kept as a node (no copy of the text).
fn key_string_owned(s: Scalar<'_>) -> Cow<'_, str> {
    match s.resolved {
        Resolved::Float(_) | Resolved::Str => s.text,
        _ => key_string(&s),
    }
}

/// The string a key becomes in the JSON conversion (`sigs.k8s.io/yaml`).
fn key_string<'a>(s: &Scalar<'a>) -> Cow<'a, str> {
    match s.resolved {
        Resolved::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Resolved::Int(i) => Cow::Owned(i.to_string()),
        Resolved::Null => Cow::Borrowed("null"),
        Resolved::Float(_) | Resolved::Str => s.text.clone(),
    }
}

impl<'a> Builder<'a> {
    fn abs(&self, char_index: usize) -> usize {
        self.base + self.chars.byte(char_index)
    }

    fn push(&mut self, value: Value<'a>, span: Span) -> NodeId {
        let id = NodeId::try_from(self.doc.nodes.len()).unwrap_or(NodeId::MAX);
        self.doc.nodes.push(Node { value, span });
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
            Some(Frame::Seq { items, .. }) => items.push(id),
            Some(Frame::Map {
                items, pending_key, ..
            }) => match pending_key.take() {
                None => {
                    let (key, merge) = match self.doc.nodes.get(id as usize).map(|n| &n.value) {
                        Some(Value::Scalar(s)) => {
                            let merge = s.style == Style::Plain && s.text == "<<";
                            (key_string(s), merge)
                        }
                        _ => (Cow::Borrowed(""), false),
                    };
                    *pending_key = Some((key, span, merge));
                }
                Some((_, key_span, true)) => items.push(MapItem::Merge(id, key_span)),
                Some((key, key_span, false)) => items.push(MapItem::Entry(Entry {
                    key,
                    key_span,
                    value: id,
                })),
            },
        }
        let _ = index;
        Ok(())
    }

    /// Builds a mapping's entries as go-yaml v2 decodes it (`decoder.mapping`): items are
    /// applied in source order and each one sets its key, so a later key wins over an
    /// earlier one — a repeated explicit key (recorded as a [`DuplicateKey`]), a key set
    /// by a merge `<<` before it, or an explicit key before a merge. In a list of merged
    /// maps (`<<: [*a, *b]`) the earlier map wins. Lookups are hashed, so the cost is
    /// linear in the entries written and merged.
    fn finish_map(
        &mut self,
        map: NodeId,
        items: Vec<MapItem<'a>>,
        index: usize,
    ) -> Result<Vec<Entry<'a>>, YamlError> {
        let mut out: Vec<Entry<'a>> = Vec::with_capacity(items.len());
        // Whether out[i] was set by an explicit key (not a merge).
        let mut explicit: Vec<bool> = Vec::with_capacity(items.len());
        let mut slots: HashMap<Cow<'a, str>, usize> = HashMap::new();
        let mut hidden: Vec<(usize, Span)> = Vec::new();
        let merge_error =
            || "invalid YAML: a merge key `<<` needs a mapping or a list of mappings".to_string();
        for item in items {
            match item {
                MapItem::Entry(e) => match slots.get(&e.key).copied() {
                    Some(i) => {
                        if let (Some(slot), Some(was_explicit)) =
                            (out.get_mut(i), explicit.get_mut(i))
                        {
                            if *was_explicit {
                                hidden.push((i, slot.key_span));
                            }
                            *slot = e;
                            *was_explicit = true;
                        }
                    }
                    None => {
                        slots.insert(e.key.clone(), out.len());
                        out.push(e);
                        explicit.push(true);
                    }
                },
                MapItem::Merge(source, span) => {
                    let sources: Vec<NodeId> = match self.doc.node(source).map(|n| &n.value) {
                        Some(Value::Map(_)) => vec![source],
                        // go-yaml steps backwards: earlier maps take precedence.
                        Some(Value::Seq(list)) => list.iter().rev().copied().collect(),
                        _ => return Err(error_at(index, span.start, merge_error())),
                    };
                    for src in sources {
                        let Some(Value::Map(merged)) = self.doc.node(src).map(|n| &n.value) else {
                            return Err(error_at(index, span.start, merge_error()));
                        };
                        self.expansions += merged.len();
                        if self.expansions > self.limits.max_alias_expansions {
                            return Err(error_at(
                                index,
                                span.start,
                                format!(
                                    "too many alias expansions (limit {})",
                                    self.limits.max_alias_expansions
                                ),
                            ));
                        }
                        for m in merged {
                            match slots.get(&m.key).copied() {
                                Some(i) => {
                                    if let (Some(slot), Some(was_explicit)) =
                                        (out.get_mut(i), explicit.get_mut(i))
                                    {
                                        *slot = m.clone();
                                        *was_explicit = false;
                                    }
                                }
                                None => {
                                    slots.insert(m.key.clone(), out.len());
                                    out.push(m.clone());
                                    explicit.push(false);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (i, hidden) in hidden {
            if let Some(winner) = out.get(i) {
                self.doc.duplicates.push(DuplicateKey {
                    map,
                    key: winner.key.to_string(),
                    winner: winner.key_span,
                    hidden,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Stream<'_> {
        parse_stream(s, &Limits::default())
    }

    fn text_at(s: &str, span: Span) -> &str {
        s.get(span.start..span.end).unwrap_or("<bad span>")
    }

    #[test]
    fn document_numbering() {
        let s = parse("---\na: 1\n---\n# only a comment\n---\nb: 2\n");
        assert_eq!(s.document_count, 3);
        assert_eq!(s.documents.len(), 3);
        assert!(s.documents[1].root.is_none());
        let s = parse("# Source: chart/templates/a.yaml\na: 1\n---\nb: 2\n---\n");
        assert_eq!(s.document_count, 3);
        let s = parse("# just a comment\n");
        assert_eq!(s.document_count, 0);
        let s = parse("a: 1\n...\n# trailing\n");
        assert_eq!(s.document_count, 1);
        let s = parse("%YAML 1.1\n---\na: 1\n");
        assert_eq!(s.document_count, 1);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
    }

    #[test]
    fn spans_of_keys_and_values() {
        let src = "---\nspec:\n  privileged: true\n  name: \"web\"\n";
        let s = parse(src);
        let d = &s.documents[0];
        let root = d.root.unwrap();
        let spec = d.get(root, "spec").unwrap();
        let e = d.entry(spec, "privileged").unwrap();
        assert_eq!(text_at(src, e.key_span), "privileged");
        assert_eq!(text_at(src, d.nodes[e.value as usize].span), "true");
        let n = d.get(spec, "name").unwrap();
        assert_eq!(text_at(src, d.nodes[n as usize].span), "\"web\"");
        assert_eq!(d.str(n), Some("web"));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let src = "# héllo 😀\na: ü\nb: yes\n";
        let s = parse(src);
        let d = &s.documents[0];
        let b = d.entry(d.root.unwrap(), "b").unwrap();
        assert_eq!(text_at(src, b.key_span), "b");
        assert_eq!(text_at(src, d.nodes[b.value as usize].span), "yes");
        assert_eq!(d.scalar(b.value).unwrap().resolved, Resolved::Bool(true));
    }

    #[test]
    fn collection_spans() {
        let src = "v:\n- name: a\n  hostPath:\n    path: /x\n    type: Socket\n- name: b\n  f: {p: 1, q: [1, 2]}\n";
        let s = parse(src);
        let d = &s.documents[0];
        let root = d.root.unwrap();
        let hp = d.pointer(root, "/v/0/hostPath").unwrap();
        assert_eq!(
            text_at(src, d.nodes[hp as usize].span),
            "path: /x\n    type: Socket"
        );
        let f = d.pointer(root, "/v/1/f").unwrap();
        assert_eq!(text_at(src, d.nodes[f as usize].span), "{p: 1, q: [1, 2]}");
        let q = d.pointer(root, "/v/1/f/q").unwrap();
        assert_eq!(text_at(src, d.nodes[q as usize].span), "[1, 2]");
    }

    #[test]
    fn block_scalar_span_ends_at_its_text() {
        let src = "a: |\n  line one\n  line two\n\nb: 1\n";
        let s = parse(src);
        let d = &s.documents[0];
        let a = d.get(d.root.unwrap(), "a").unwrap();
        assert_eq!(
            text_at(src, d.nodes[a as usize].span),
            "line one\n  line two"
        );
    }

    #[test]
    fn lone_cr_and_bom_per_document() {
        let src = "a: 1\r---\rb: 2\r\u{feff}---\nc: 3\n";
        let s = parse(src);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.document_count, 3);
        let d = &s.documents[2];
        let c = d.entry(d.root.unwrap(), "c").unwrap();
        assert_eq!(text_at(src, c.key_span), "c");
    }

    #[test]
    fn bom_and_crlf() {
        let src = "\u{feff}a: 1\r\nb: on\r\n";
        let s = parse(src);
        assert!(s.errors.is_empty());
        let d = &s.documents[0];
        let b = d.entry(d.root.unwrap(), "b").unwrap();
        assert_eq!(text_at(src, b.key_span), "b");
        assert_eq!(text_at(src, d.nodes[b.value as usize].span), "on");
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let src = "a: 1\nb: 2\na: 3\n";
        let s = parse(src);
        let d = &s.documents[0];
        let a = d.get(d.root.unwrap(), "a").unwrap();
        assert_eq!(d.scalar(a).unwrap().resolved, Resolved::Int(3));
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(d.duplicates[0].hidden.start, 0);
        assert_eq!(d.duplicates[0].winner.start, 10);
    }

    #[test]
    fn anchors_aliases_merge() {
        let src = "base: &b {p: 1, q: 2}\nc:\n  <<: *b\n  q: 3\nd: *b\ny: 4\n";
        let s = parse(src);
        let d = &s.documents[0];
        let root = d.root.unwrap();
        let c = d.get(root, "c").unwrap();
        let q = d.get(c, "q").unwrap();
        assert_eq!(d.scalar(q).unwrap().resolved, Resolved::Int(3));
        let p = d.get(c, "p").unwrap();
        assert_eq!(d.scalar(p).unwrap().resolved, Resolved::Int(1));
        assert!(d.duplicates.is_empty());
        assert_eq!(d.pointer(root, "/d/p"), Some(p));
        // YAML 1.1: the key `y` is the boolean true, so JSON sees "true".
        assert!(d.get(root, "true").is_some());
        assert!(d.get(root, "y").is_none());
    }

    #[test]
    fn merge_order_is_go_yaml_v2() {
        let get = |src: &str, path: &str| {
            let s = parse_stream(src, &Limits::default());
            let d = &s.documents[0];
            let n = d.pointer(d.root.unwrap(), path).unwrap();
            d.scalar(n).unwrap().text.to_string()
        };
        // A merge overwrites the keys written before it ...
        assert_eq!(
            get(
                "sc: {privileged: false, <<: {privileged: true}}\n",
                "/sc/privileged"
            ),
            "true"
        );
        // ... and keys written after it overwrite the merged ones.
        assert_eq!(
            get(
                "sc: {<<: {privileged: true}, privileged: false}\n",
                "/sc/privileged"
            ),
            "false"
        );
        // Two merge keys: the later one wins.
        assert_eq!(
            get(
                "sc:\n  <<: {privileged: true}\n  <<: {privileged: false}\n",
                "/sc/privileged"
            ),
            "false"
        );
        // A list of merged maps: the earlier map wins.
        assert_eq!(
            get("a: &a {p: 1}\nb: &b {p: 2}\nc: {<<: [*a, *b]}\n", "/c/p"),
            "1"
        );
    }

    #[test]
    fn many_duplicates_are_linear() {
        let mut src = String::from("m:\n");
        for i in 0..20_000 {
            src.push_str(&format!("  k{i}: 1\n  k{i}: 2\n"));
        }
        let s = parse(&src);
        assert_eq!(s.documents[0].duplicates.len(), 20_000);
    }

    #[test]
    fn errors_keep_other_documents() {
        let src = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let s = parse(src);
        assert_eq!(s.document_count, 3);
        assert_eq!(s.documents.len(), 2);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].document, 1);
        assert!(s.errors[0].span.start >= 9);
    }

    #[test]
    fn limits() {
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        let s = parse(&deep);
        assert_eq!(s.errors.len(), 1);
        assert!(s.errors[0].message.contains("nesting"));
        let mut lol = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            lol.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        let s = parse(&lol);
        // Aliases share nodes, so a "billion laughs" costs only its text.
        assert!(s.errors.is_empty());
        let limits = Limits {
            max_alias_expansions: 50,
            ..Limits::default()
        };
        let s = parse_stream(&lol, &limits);
        assert!(s.errors[0].message.contains("alias"));
        let s = parse_stream(
            "a: 1\n",
            &Limits {
                max_input_bytes: 3,
                ..Limits::default()
            },
        );
        assert_eq!(s.errors.len(), 1);
    }

    #[test]
    fn yaml11_keys_and_tags() {
        let src = "on: 1\nv: !!str 0644\nw: 0644\n";
        let s = parse(src);
        let d = &s.documents[0];
        let root = d.root.unwrap();
        assert!(d.get(root, "true").is_some());
        assert_eq!(
            d.scalar(d.get(root, "v").unwrap()).unwrap().resolved,
            Resolved::Str
        );
        assert_eq!(
            d.scalar(d.get(root, "w").unwrap()).unwrap().resolved,
            Resolved::Int(420)
        );
    }
}
