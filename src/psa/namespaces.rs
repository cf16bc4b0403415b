//! Namespace objects in a parsed document: a `v1` `Namespace` at the root, or the items
//! of a `v1` `List` or `NamespaceList` (what `kubectl get namespaces -o yaml` writes).

use crate::yaml::{Document, NodeId, Span};

/// One Namespace object of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceObject {
    /// `metadata.name`; `None` when it has none (the API server would reject it).
    pub name: Option<String>,
    /// The span of the object's first key (where a note about it points).
    pub at: Span,
    /// Its `metadata.labels` node, if any.
    pub labels: Option<NodeId>,
}

/// Whether `text` may hold a Namespace (a byte search, before any parsing): the
/// CLI's cheap pre-scan.
pub fn may_hold_namespace(text: &[u8]) -> bool {
    memchr::memmem::find(text, b"Namespace").is_some()
}

/// The Namespace objects of `doc`, in document order.
pub fn namespaces(doc: &Document<'_>) -> Vec<NamespaceObject> {
    let mut out = Vec::new();
    let Some(root) = doc.root else {
        return out;
    };
    let kind = |node: NodeId| doc.get(node, "kind").and_then(|k| doc.str(k));
    let api_version = |node: NodeId| doc.get(node, "apiVersion").and_then(|k| doc.str(k));
    match (api_version(root), kind(root)) {
        (Some("v1"), Some("List" | "NamespaceList")) => {
            let items = doc.get(root, "items").and_then(|i| doc.seq(i));
            for &item in items.unwrap_or_default() {
                if api_version(item) == Some("v1") && kind(item) == Some("Namespace") {
                    out.push(object(doc, item));
                }
            }
        }
        (Some("v1"), Some("Namespace")) => out.push(object(doc, root)),
        _ => {}
    }
    out
}

fn object(doc: &Document<'_>, node: NodeId) -> NamespaceObject {
    let metadata = doc.get_set(node, "metadata");
    let at = doc
        .map(node)
        .and_then(|e| e.first())
        .map(|e| e.key_span())
        .or_else(|| doc.node(node).map(|n| n.span()))
        .unwrap_or_default();
    NamespaceObject {
        name: metadata
            .and_then(|m| doc.get(m, "name"))
            .and_then(|n| doc.str(n))
            .map(str::to_string),
        at,
        labels: metadata.and_then(|m| doc.get_set(m, "labels")),
    }
}
