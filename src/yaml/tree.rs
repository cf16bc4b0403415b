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

/// A byte offset of the tree, stored in 32 bits (inputs are limited to less than 4 GiB).
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn offset(offset: u32) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

/// A scalar: its text (after unescaping/folding), style and resolved YAML 1.1 type. The
/// style and the resolved value are packed (a tree holds one per node): read them with
/// [`Scalar::style`] and [`Scalar::resolved`].
#[derive(Clone)]
pub struct Scalar<'a> {
    /// The scalar's content.
    pub text: Cow<'a, str>,
    style: Style,
    kind: Kind,
    /// The integer's, float's or boolean's bits, per `kind`.
    bits: u64,
}

/// Which [`Resolved`] a scalar holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

impl<'a> Scalar<'a> {
    /// A scalar with its text, how it was written, and its resolved type: for plain
    /// scalars per [`super::resolve_plain`] (or a core-schema tag), [`Resolved::Str`] for
    /// quoted and block scalars.
    pub fn new(text: Cow<'a, str>, style: Style, resolved: Resolved) -> Self {
        let (kind, bits) = match resolved {
            Resolved::Null => (Kind::Null, 0),
            Resolved::Bool(b) => (Kind::Bool, u64::from(b)),
            Resolved::Int(i) => (Kind::Int, u64::from_ne_bytes(i.to_ne_bytes())),
            Resolved::Float(f) => (Kind::Float, f.to_bits()),
            Resolved::Str => (Kind::Str, 0),
        };
        Scalar {
            text,
            style,
            kind,
            bits,
        }
    }

    /// How it was written.
    pub fn style(&self) -> Style {
        self.style
    }

    /// The resolved type and value.
    pub fn resolved(&self) -> Resolved {
        match self.kind {
            Kind::Null => Resolved::Null,
            Kind::Bool => Resolved::Bool(self.bits != 0),
            Kind::Int => Resolved::Int(i64::from_ne_bytes(self.bits.to_ne_bytes())),
            Kind::Float => Resolved::Float(f64::from_bits(self.bits)),
            Kind::Str => Resolved::Str,
        }
    }
}

impl std::fmt::Debug for Scalar<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scalar")
            .field("text", &self.text)
            .field("style", &self.style)
            .field("resolved", &self.resolved())
            .finish()
    }
}

/// One `key: value` pair of a mapping.
#[derive(Clone)]
pub struct Entry<'a> {
    /// The key as the JSON conversion sees it (a YAML 1.1 boolean key `on` becomes `"true"`).
    pub key: Cow<'a, str>,
    key_start: u32,
    key_end: u32,
    /// The value node.
    pub value: NodeId,
    merged: bool,
}

impl<'a> Entry<'a> {
    /// An entry: its key, the key node's span, its value.
    pub fn new(key: Cow<'a, str>, key_span: Span, value: NodeId) -> Self {
        Entry {
            key,
            key_start: offset32(key_span.start),
            key_end: offset32(key_span.end),
            value,
            merged: false,
        }
    }

    /// Whether the entry came into its mapping through a merge key `<<` (its spans are
    /// those of the merged mapping, written elsewhere).
    pub fn is_merged(&self) -> bool {
        self.merged
    }

    /// Marks the entry as set by a merge key `<<`.
    pub(crate) fn set_merged(&mut self) {
        self.merged = true;
    }

    /// Span of the key node.
    pub fn key_span(&self) -> Span {
        Span::new(offset(self.key_start), offset(self.key_end))
    }
}

impl std::fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("key_span", &self.key_span())
            .field("value", &self.value)
            .finish()
    }
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

/// A node with the span of its value (stored in 32 bits: read it with [`Node::span`]).
#[derive(Clone)]
pub struct Node<'a> {
    /// Content.
    pub value: Value<'a>,
    start: u32,
    end: u32,
}

impl<'a> Node<'a> {
    /// A node: its content and where the value is written (for an alias, the anchored
    /// node's span).
    pub fn new(value: Value<'a>, span: Span) -> Self {
        Node {
            value,
            start: offset32(span.start),
            end: offset32(span.end),
        }
    }

    /// Where the value is written, in bytes of the stream.
    pub fn span(&self) -> Span {
        Span::new(offset(self.start), offset(self.end))
    }

    /// Sets the span (a collection's, once its end is known).
    pub fn set_span(&mut self, span: Span) {
        self.start = offset32(span.start);
        self.end = offset32(span.end);
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("value", &self.value)
            .field("span", &self.span())
            .finish()
    }
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
    /// Whether the document was read as one JSON value (by the JSON scanner), so that
    /// an edit of its text must be JSON too.
    pub json: bool,
    /// The anchored nodes (`&name`) that an alias (`*name`) or a merge key uses, ascending:
    /// they stand at more than one place of the tree, so an edit of their text would change
    /// every place.
    pub aliased: Vec<NodeId>,
    /// The mappings that hold a merge key `<<`, ascending.
    pub merging: Vec<NodeId>,
    /// Whether an alias stands inside its own anchor's node (`&a {<<: *a}`): it reads
    /// the node unfinished, so the document's text and tree do not map one to one.
    pub alias_in_anchor: bool,
    /// Whether values were skimmed (the checker's own reading, [`super::Split::parse_skimming`]):
    /// the values of the root's keys other than `apiVersion`, `kind` and `metadata` of a
    /// resource that cannot hold a pod template stand as empty mappings or sequences with
    /// their spans. A document read any other way has its whole tree.
    pub skimmed: bool,
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
        matches!(self.scalar(id), Some(s) if s.resolved() == Resolved::Null)
    }

    /// The string a Kubernetes string field would receive: any non-null scalar's text.
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let s = self.scalar(id)?;
        (s.resolved() != Resolved::Null).then_some(s.text.as_ref())
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

impl Document<'_> {
    /// The JSON of `id` ([`Document::to_json`]) when its subtree, aliases expanded, has
    /// at most `cap` nodes ([`Document::expanded_size`]); `None` when it has more. The
    /// way to compare a node from others' text with a value.
    pub fn json_within(&self, id: NodeId, cap: usize) -> Option<serde_json::Value> {
        (self.expanded_size(id, cap) <= cap).then(|| self.to_json(id))
    }

    /// How many nodes the subtree of `id` has once every alias is expanded (each alias
    /// counts its anchored node's whole subtree again), or a number past `cap` as soon as
    /// it is more than `cap`. Linear in the distinct nodes (an aliased subtree is counted
    /// once and remembered), so it is the cheap test before [`Document::to_json`], whose
    /// output grows with the expanded size: nine levels of nine aliases are a few hundred
    /// nodes and 9⁹ expanded.
    pub fn expanded_size(&self, id: NodeId, cap: usize) -> usize {
        fn walk(
            doc: &Document<'_>,
            id: NodeId,
            cap: usize,
            memo: &mut crate::hash::HashMap<NodeId, usize>,
        ) -> usize {
            if let Some(&n) = memo.get(&id) {
                return n;
            }
            let mut n: usize = 1;
            let children: Vec<NodeId> = match doc.node(id).map(|node| &node.value) {
                Some(Value::Map(entries)) => entries.iter().map(|e| e.value).collect(),
                Some(Value::Seq(items)) => items.clone(),
                _ => Vec::new(),
            };
            for child in children {
                n = n.saturating_add(walk(doc, child, cap, memo));
                if n > cap {
                    break;
                }
            }
            memo.insert(id, n);
            n
        }
        walk(self, id, cap, &mut crate::hash::HashMap::default())
    }

    /// The node `id` and everything under it as the JSON the API server would decode
    /// (YAML 1.1 scalars resolved, merge keys applied, the last of duplicated keys);
    /// a float that JSON cannot hold (`.nan`, `.inf`) is `null`. Aliases are expanded:
    /// test [`Document::expanded_size`] first on text from others.
    pub fn to_json(&self, id: NodeId) -> serde_json::Value {
        use serde_json::Value as J;
        match self.node(id).map(|n| &n.value) {
            Some(Value::Map(entries)) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), self.to_json(e.value)))
                    .collect(),
            ),
            Some(Value::Seq(items)) => J::Array(items.iter().map(|&i| self.to_json(i)).collect()),
            Some(Value::Scalar(s)) => match s.resolved() {
                Resolved::Null => J::Null,
                Resolved::Bool(b) => J::Bool(b),
                Resolved::Int(i) => J::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
                Resolved::Str => J::String(s.text.to_string()),
            },
            None => J::Null,
        }
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
