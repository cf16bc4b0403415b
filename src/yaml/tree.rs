//! The spanned document tree: nodes in an arena, each with the byte span of its value
//! (and, for mapping entries, of its key), and the lookups the rules use.

use std::borrow::Cow;

use super::Resolved;

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

/// Unescapes a JSON pointer token (RFC 6901: `~1` → `/`, `~0` → `~`).
pub fn unescape_pointer(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~").into()
    } else {
        token.into()
    }
}
