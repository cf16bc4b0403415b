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
    // A pointer into the container's item is walked from the item (the pod spec's way to
    // it is where the container was found), else from the root.
    let found = match container.and_then(|c| below_container(w, c, pointer)) {
        // `""`: the item itself, no token.
        Some((c, rest)) => walk(
            doc,
            c.node,
            rest.split('/').skip(usize::from(rest.is_empty())),
        ),
        None => pointer
            .strip_prefix('/')
            .and_then(|rest| walk(doc, root, rest.split('/'))),
    };
    if let Some(found) = found {
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

/// The rest of `pointer` below container `c`'s item (`""` for the item itself, else
/// `a/b` without the leading `/`), when `pointer` is the item's pointer or one inside it.
fn below_container<'c, 'p>(
    w: &Workload,
    c: &'c Container,
    pointer: &'p str,
) -> Option<(&'c Container, &'p str)> {
    let rest = pointer
        .strip_prefix(w.spec_pointer.as_str())?
        .strip_prefix('/')?
        .strip_prefix(c.kind.field())?
        .strip_prefix('/')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (position, rest) = rest.split_at_checked(digits)?;
    // The position as `Container::pointer` writes it (no leading zeros, no sign).
    if position.parse::<usize>().ok()? != c.position || position.len() != decimal_len(c.position) {
        return None;
    }
    match rest.strip_prefix('/') {
        Some(below) => Some((c, below)),
        None if rest.is_empty() => Some((c, "")),
        None => None,
    }
}

/// How many decimal digits `n` is written with.
fn decimal_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Walks a JSON pointer's raw (escaped) `tokens` from `from` (the root, or a sequence's
/// item); the span of the value, or of the key when the value is `null`, a mapping or a
/// sequence (an item of a sequence: the item). `None` when a step is missing.
fn walk<'p>(
    doc: &Document<'_>,
    from: NodeId,
    tokens: impl Iterator<Item = &'p str>,
) -> Option<Span> {
    let mut cur = from;
    let mut key_span = None;
    for raw in tokens {
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
