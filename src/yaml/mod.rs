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
//!
//! The layer's files: [`tree`] (the node arena and its lookups), [`split`] (documents),
//! [`build`] (parser events to a tree), [`resolve`] (YAML 1.1 scalars), [`json`] (a decoded
//! JSON value to the same tree, for admission requests).

mod block_text;
mod build;
mod chars;
pub mod json;
mod json_text;
pub mod resolve;
mod split;
pub mod tree;

pub use build::Skim;
pub use json::document_from_json;
pub use resolve::{resolve_plain, Resolved};
pub use tree::{
    escape_pointer, unescape_pointer, Document, DuplicateKey, Entry, Node, NodeId, Scalar, Span,
    Style, Value,
};

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

/// Limits that keep parsing and checking bounded. Exceeding a parser limit is a
/// [`YamlError`] at the position where it happened; exceeding a resource's budget is an
/// error entry at the resource (see `crate::engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 64 MiB.
    pub max_input_bytes: usize,
    /// Deepest nesting of mappings and sequences. Default 200 (the event parser
    /// itself stops at 255).
    pub max_depth: usize,
    /// Most alias uses plus entries copied by merge keys, per document. Default 100,000.
    pub max_alias_expansions: usize,
    /// Most findings one resource (a document, or one item of a `List`) may give, over
    /// every rule and policy, suppressed ones included. Default 10,000: a pod with ten
    /// containers gives fewer than 100.
    pub max_findings_per_resource: usize,
    /// Most bytes of JSON pointers plus messages the findings of one resource may hold.
    /// Default 4 MiB: the findings of an ordinary pod hold a few KB.
    pub max_finding_bytes_per_resource: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * 1024 * 1024,
            max_depth: 200,
            max_alias_expansions: 100_000,
            max_findings_per_resource: 10_000,
            max_finding_bytes_per_resource: 4 << 20,
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

/// Parses a multi-document YAML stream into documents, with limits.
///
/// `text` is the whole stream; a leading UTF-8 BOM is skipped (spans still count its
/// 3 bytes). Never panics; every problem is a [`YamlError`] in [`Stream::errors`].
pub fn parse_stream<'a>(text: &'a str, limits: &Limits) -> Stream<'a> {
    parse_stream_decoded(text, limits, &[])
}

/// As [`parse_stream`], for a text decoded from bytes that were not all UTF-8, each
/// invalid byte replaced by one ASCII character so that every offset is the original's:
/// `invalid` lists `(offset, original byte)` of the replaced bytes, ascending. A document
/// holding one is not parsed but is an error at its first invalid byte (and so is an
/// invalid byte outside every document, in a comment before the first); the other
/// documents are parsed as they are.
pub fn parse_stream_decoded<'a>(
    text: &'a str,
    limits: &Limits,
    invalid: &[(usize, u8)],
) -> Stream<'a> {
    let mut stream = Stream::default();
    stream.document_count = for_each_document(text, limits, invalid, |parsed| match parsed {
        Parsed::Document(doc) => stream.documents.push(doc),
        Parsed::Error(e) => stream.errors.push(e),
    });
    stream
}

/// One step of [`for_each_document`]: a document that parsed, or the error of one that
/// did not (or of the text around documents).
#[derive(Debug)]
pub enum Parsed<'a> {
    /// A document's tree.
    Document(Document<'a>),
    /// A syntax error, a limit, or bytes that are not UTF-8.
    Error(YamlError),
}

/// As [`parse_stream_decoded`], handing each document to `each` as soon as it is parsed,
/// in stream order, so that a caller can check it and drop its tree before the next one
/// is built (memory then follows the largest document, not the stream). An error comes
/// before the document it belongs to would; one after the last document (invalid bytes
/// in a trailing comment) carries the last document's index. Returns the number of
/// documents in the stream, parsed or not.
pub fn for_each_document<'a>(
    text: &'a str,
    limits: &Limits,
    invalid: &[(usize, u8)],
    each: impl FnMut(Parsed<'a>),
) -> usize {
    for_documents_where(text, limits, invalid, |_, _| true, each)
}

/// As [`for_each_document`], building only the documents `wanted` takes: it is asked with
/// each document's index and byte span (of the whole text, from its `---` marker) before
/// the document is parsed, and a document it declines costs only the split. For a front
/// end that needs one document of a stream (the one a finding is in, the one under the
/// cursor).
pub fn for_documents_where<'a>(
    text: &'a str,
    limits: &Limits,
    invalid: &[(usize, u8)],
    wanted: impl FnMut(usize, Span) -> bool,
    each: impl FnMut(Parsed<'a>),
) -> usize {
    let stream = split_stream(text, limits);
    stream.parse_where(0..stream.len(), limits, invalid, None, wanted, each);
    stream.len()
}

/// A stream cut into documents at its marker lines, before anything is parsed
/// ([`split_stream`]): its documents, or any run of them, can then be parsed on their own
/// ([`Split::parse`]), in any order or on other threads, and give what
/// [`for_each_document`] gives for them.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    /// The stream after a leading BOM.
    body: &'a str,
    /// The BOM's length (0 or 3 bytes): spans count from the stream's start.
    base: usize,
    /// The documents' byte ranges in `body`.
    chunks: Vec<split::Chunk>,
    /// The text is larger than [`Limits::max_input_bytes`]: no document is read.
    too_large: bool,
}

/// Cuts `text` (a whole stream) into documents (see [`Split`]). Costs one scan for line
/// breaks; nothing is parsed. A text over [`Limits::max_input_bytes`] has no documents,
/// and parsing its range `0..0` gives the one error that says so.
pub fn split_stream<'a>(text: &'a str, limits: &Limits) -> Split<'a> {
    if text.len() > limits.max_input_bytes {
        return Split {
            body: "",
            base: 0,
            chunks: Vec::new(),
            too_large: true,
        };
    }
    let (body, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    };
    Split {
        body,
        base,
        chunks: split::split_documents(body),
        too_large: false,
    }
}

impl<'a> Split<'a> {
    /// The number of documents in the stream, parsed or not.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether the stream has no document.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Document `index`'s byte span in the whole text (from its `---` marker), if any.
    pub fn span(&self, index: usize) -> Option<Span> {
        self.chunks
            .get(index)
            .map(|c| Span::new(self.base + c.start, self.base + c.end))
    }

    /// Parses the documents in `range` (indices, as [`Split::len`] counts them) and hands
    /// each to `each`, with the errors that belong to them, exactly as
    /// [`for_each_document`] hands them for the whole stream: the ranges `0..k`, `k..n`
    /// together give what `0..n` gives. `invalid` is the whole text's (see
    /// [`parse_stream_decoded`]). The range that starts at 0 carries the error of a text
    /// over the size limit and of invalid bytes before the first document; the range that
    /// ends at [`Split::len`], those after the last one.
    pub fn parse(
        &self,
        range: std::ops::Range<usize>,
        limits: &Limits,
        invalid: &[(usize, u8)],
        each: impl FnMut(Parsed<'a>),
    ) {
        self.parse_where(range, limits, invalid, None, |_, _| true, each);
    }

    /// As [`Split::parse`], skimming the values that a check never reads of the documents
    /// whose `apiVersion` and `kind` `skim` takes (resources that cannot hold a pod
    /// template): the values of their root keys other than `apiVersion`, `kind` and
    /// `metadata` are read for their syntax, limits and repeated keys but not built, and
    /// stand as empty collections with their spans ([`Document::skimmed`]). What the
    /// checks read (errors, duplicated keys, spans, the kept keys) is what
    /// [`Split::parse`] gives: skimming that meets anything it does not read exactly
    /// (an alias, a merge key, a repeated key, an error, a `spec.template`) reads the
    /// document again in full.
    pub fn parse_skimming(
        &self,
        range: std::ops::Range<usize>,
        limits: &Limits,
        invalid: &[(usize, u8)],
        skim: Skim,
        each: impl FnMut(Parsed<'a>),
    ) {
        self.parse_where(range, limits, invalid, Some(skim), |_, _| true, each);
    }

    /// As [`Split::parse`], building only the documents `wanted` takes (see
    /// [`for_documents_where`]).
    fn parse_where(
        &self,
        range: std::ops::Range<usize>,
        limits: &Limits,
        invalid: &[(usize, u8)],
        skim: Option<Skim>,
        mut wanted: impl FnMut(usize, Span) -> bool,
        mut each: impl FnMut(Parsed<'a>),
    ) {
        if self.too_large {
            if range.start == 0 {
                each(Parsed::Error(YamlError {
                    document: 0,
                    message: format!(
                        "input is larger than the limit of {} bytes; nothing was checked",
                        limits.max_input_bytes
                    ),
                    span: Span::new(0, 0),
                }));
            }
            return;
        }
        let (body, base) = (self.body, self.base);
        // The invalid bytes the documents before the range (and the text around them)
        // already account for.
        let before = match range.start.checked_sub(1).and_then(|i| self.chunks.get(i)) {
            Some(previous) => base + previous.end,
            None => 0,
        };
        let mut invalid = invalid
            .get(invalid.partition_point(|&(at, _)| at < before)..)
            .unwrap_or_default()
            .iter()
            .peekable();
        let chunks = self.chunks.get(range.clone()).unwrap_or_default();
        for (chunk, index) in chunks.iter().zip(range.clone()) {
            let start = base + chunk.start;
            let end = base + chunk.end;
            // Invalid bytes before this document, outside every document: one error.
            if let Some(&&(at, byte)) = invalid.peek().filter(|&&&(at, _)| at < start) {
                each(Parsed::Error(not_utf8(index, at, byte)));
                while invalid.next_if(|&&(a, _)| a < start).is_some() {}
            }
            // In this document: it is not parsed.
            if let Some(&&(at, byte)) = invalid.peek().filter(|&&&(at, _)| at < end) {
                each(Parsed::Error(not_utf8(index, at, byte)));
                while invalid.next_if(|&&(a, _)| a < end).is_some() {}
                continue;
            }
            if !wanted(index, Span::new(start, end)) {
                continue;
            }
            let src = body.get(chunk.start..chunk.end).unwrap_or("");
            each(
                match build::build_document(src, start, index, limits, skim) {
                    Ok(doc) => Parsed::Document(doc),
                    Err(e) => Parsed::Error(e),
                },
            );
        }
        // Invalid bytes after the last document (a trailing comment).
        if range.end >= self.chunks.len() {
            if let Some(&(at, byte)) = invalid.next() {
                let index = self.chunks.len().saturating_sub(1);
                each(Parsed::Error(not_utf8(index, at, byte)));
            }
        }
    }
}

/// The JSON and the YAML reading of one document's text, `Debug`-printed, when the JSON
/// reading takes it (the text starts like a JSON document): for the `json` fuzz target,
/// which checks that they agree wherever the YAML reading succeeds. Not part of the API.
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn json_and_yaml_readings(
    text: &str,
) -> Option<(Result<String, String>, Result<String, String>)> {
    let limits = Limits::default();
    let print =
        |r: Result<Document<'_>, YamlError>| r.map(|d| format!("{d:?}")).map_err(|e| e.message);
    // The readings differ only in the flag that says which one read the text.
    let json = build::build_json(text, 0, 0, &limits)?.map(|mut d| {
        d.json = false;
        d
    });
    Some((print(json), print(build::build_yaml(text, 0, 0, &limits))))
}

/// The block reading ([`block_text`]) of `text` and the YAML parser's, each printed as
/// `Debug` (or its error message), when the block reading takes the text (`None` when it
/// leaves it to the YAML parser). For the tests and the `block` fuzz target, which check
/// that both are equal. Not part of the API.
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn block_and_yaml_readings(
    text: &str,
) -> Option<(Result<String, String>, Result<String, String>)> {
    let limits = Limits::default();
    let print =
        |r: Result<Document<'_>, YamlError>| r.map(|d| format!("{d:?}")).map_err(|e| e.message);
    let block = build::build_block(text, 0, 0, &limits)?;
    Some((print(block), print(build::build_yaml(text, 0, 0, &limits))))
}

/// The full reading and the checker's skimming reading ([`Split::parse_skimming`] with
/// `skim`) of `text`, item by item, each printed so that the two should be equal: an
/// error or a document that was not skimmed `Debug`-printed whole; a document skimmed in
/// one reading, in both as what the checks read of it (index, spans, JSON flag,
/// duplicated keys, anchors and merges, the root's span and its entries' keys and key and
/// value spans, and the kept values `apiVersion`, `kind` and `metadata` as JSON). Also
/// returns how many documents were skimmed. For `tests/skim.rs` and the `check` fuzz
/// target. Not part of the API.
#[doc(hidden)]
pub fn skim_and_full_readings(text: &str, skim: Skim) -> (Vec<String>, Vec<String>, usize) {
    let limits = Limits::default();
    let split = split_stream(text, &limits);
    let mut full = Vec::new();
    split.parse(0..split.len(), &limits, &[], |p| full.push(p));
    let mut skimmed = Vec::new();
    split.parse_skimming(0..split.len(), &limits, &[], skim, |p| skimmed.push(p));
    let view = |p: &Parsed<'_>, as_skimmed: bool| match p {
        Parsed::Document(d) if as_skimmed => {
            let root = d.root.and_then(|r| d.node(r).map(|n| (r, n.span())));
            let entries: Vec<_> = root
                .and_then(|(r, _)| d.map(r))
                .unwrap_or_default()
                .iter()
                .map(|e| {
                    let value = d.node(e.value).map(Node::span);
                    let kept = ["apiVersion", "kind", "metadata"].contains(&e.key.as_ref());
                    let json = kept.then(|| d.to_json(e.value));
                    (e.key.as_ref(), e.key_span(), value, json)
                })
                .collect();
            format!(
                "document {} {:?} json={} duplicates={:?} aliased={} merging={} \
                 alias_in_anchor={} root={:?} entries={entries:?}",
                d.index,
                d.span,
                d.json,
                d.duplicates,
                d.aliased.len(),
                d.merging.len(),
                d.alias_in_anchor,
                root.map(|(_, span)| span),
            )
        }
        other => format!("{other:?}"),
    };
    let mut count = 0;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..full.len().max(skimmed.len()) {
        let s = skimmed.get(i);
        let as_skimmed = matches!(s, Some(Parsed::Document(d)) if d.skimmed);
        count += usize::from(as_skimmed);
        a.extend(full.get(i).map(|p| view(p, as_skimmed)));
        b.extend(s.map(|p| view(p, as_skimmed)));
    }
    (a, b, count)
}

/// The error of a document (or the text around documents) that holds byte `byte` at
/// `at`, which is not UTF-8.
fn not_utf8(document: usize, at: usize, byte: u8) -> YamlError {
    YamlError {
        document,
        message: format!(
            "this document is not valid UTF-8 (byte 0x{byte:02X}) and was not checked: \
             manifests must be UTF-8"
        ),
        span: Span::new(at, at),
    }
}

#[cfg(test)]
mod tests;
