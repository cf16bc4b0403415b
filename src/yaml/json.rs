//! A decoded JSON value (an admission request's `object`) to the same document tree the
//! YAML loader builds, without going through text: the rules see a JSON object exactly as
//! they see its YAML form.

use std::borrow::Cow;

use serde_json::Value;

use super::{Document, Entry, Node, NodeId, Resolved, Scalar, Span, Style, Value as YValue};

/// The core's document tree for a decoded JSON value, without going through text: JSON
/// strings are quoted scalars, numbers, booleans and `null` plain ones with their JSON
/// types. Every span is empty (positions are not meaningful; JSON pointers are). Strings
/// and keys are borrowed from `v`, not copied.
pub fn document_from_json(v: &Value) -> Document<'_> {
    // Sized up front: in the OPA builds' bump allocator a growing Vec that is not the
    // last allocation is copied and the old block is not reused.
    let mut nodes = Vec::with_capacity(count_values(v));
    let root = push_node(&mut nodes, v);
    Document {
        index: 0,
        span: Span::default(),
        nodes,
        root: Some(root),
        duplicates: Vec::new(),
        json: true,
        aliased: Vec::new(),
        merging: Vec::new(),
        alias_in_anchor: false,
        skimmed: false,
    }
}

/// The number of JSON values in `v` (itself included).
fn count_values(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_values).sum(),
        Value::Object(map) => map.values().map(count_values).sum(),
        _ => 0,
    }
}

fn push_node<'v>(nodes: &mut Vec<Node<'v>>, v: &'v Value) -> NodeId {
    let scalar = |text: Cow<'v, str>, style: Style, resolved: Resolved| {
        YValue::Scalar(Scalar::new(text, style, resolved))
    };
    let value = match v {
        Value::Null => scalar(Cow::Borrowed("null"), Style::Plain, Resolved::Null),
        Value::Bool(b) => scalar(
            Cow::Borrowed(if *b { "true" } else { "false" }),
            Style::Plain,
            Resolved::Bool(*b),
        ),
        Value::Number(n) => {
            let resolved = match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Resolved::Int(i),
                (None, Some(f)) => Resolved::Float(f),
                (None, None) => Resolved::Str,
            };
            scalar(Cow::Owned(n.to_string()), Style::Plain, resolved)
        }
        Value::String(s) => scalar(Cow::Borrowed(s), Style::Quoted, Resolved::Str),
        Value::Array(items) => YValue::Seq(items.iter().map(|i| push_node(nodes, i)).collect()),
        Value::Object(map) => YValue::Map(
            map.iter()
                .map(|(k, v)| Entry::new(Cow::Borrowed(k), Span::default(), push_node(nodes, v)))
                .collect(),
        ),
    };
    let id = NodeId::try_from(nodes.len()).unwrap_or(NodeId::MAX);
    nodes.push(Node::new(value, Span::default()));
    id
}
