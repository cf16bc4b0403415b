//! Where a finding points: from the JSON pointer a rule reports to a byte span of the
//! text (DESIGN: rules report pointers, never spans).

use crate::workload::{Container, Workload};
use crate::yaml::{unescape_pointer, Document, NodeId, Span, Value};

/// Where a finding about `pointer` points.
///
/// - The field exists and its value is a scalar: the value.
/// - The field's value is a mapping or a sequence (`hostPath: {path: /}`,
///   `capabilities: {drop: [NET_RAW]}`): its key, not the first key or item inside it.
///   An item of a sequence has no key: the item itself.
/// - The field is `null`: its key.
/// - A missing container field: the container's `securityContext:` key if it has one,
///   else the first key of the container's item (`- name:` or `- image:`), or the item
///   itself when it has no key (`- {}`).
/// - A missing pod field: the pod's `securityContext:` key if present, else the pod
///   spec's key (`spec:`).
///
/// `container` is the container the finding is in, if any.
pub fn resolve_span(
    doc: &Document<'_>,
    w: &Workload,
    container: Option<&Container>,
    pointer: &str,
) -> Span {
    let Some(root) = doc.root else {
        return Span::default();
    };
    if let Some(found) = walk(doc, root, pointer) {
        return found;
    }
    let key_of = |node: NodeId, key: &str| doc.entry(node, key).map(|e| e.key_span());
    if let Some(c) = container {
        if let Some(s) = key_of(c.node, "securityContext") {
            return s;
        }
        return match doc.node(c.node).map(|n| &n.value) {
            // An empty mapping (`- {}`) has no key: the mapping itself.
            Some(Value::Map(entries)) => entries
                .iter()
                .map(|e| e.key_span())
                .min()
                .or_else(|| doc.node(c.node).map(|n| n.span()))
                .unwrap_or_default(),
            Some(_) => doc.node(c.node).map(|n| n.span()).unwrap_or_default(),
            None => Span::default(),
        };
    }
    if let Some(spec) = w.spec {
        if let Some(s) = key_of(spec, "securityContext") {
            return s;
        }
    }
    w.spec_key
}

/// Walks `pointer` from `root`; the span of the value, or of the key when the value is
/// `null`, a mapping or a sequence (an item of a sequence: the item). `None` when a step
/// is missing.
fn walk(doc: &Document<'_>, root: NodeId, pointer: &str) -> Option<Span> {
    let mut cur = root;
    let mut key_span = None;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = unescape_pointer(raw);
        match &doc.node(cur)?.value {
            Value::Map(entries) => {
                let e = entries.iter().find(|e| e.key == token)?;
                key_span = Some(e.key_span());
                cur = e.value;
            }
            Value::Seq(items) => {
                cur = *items.get(token.parse::<usize>().ok()?)?;
                key_span = None;
            }
            Value::Scalar(_) => return None,
        }
    }
    if doc.is_null(cur) {
        return key_span;
    }
    let node = doc.node(cur)?;
    match (&node.value, key_span) {
        (Value::Map(_) | Value::Seq(_), Some(key)) => Some(key),
        _ => Some(node.span()),
    }
}
