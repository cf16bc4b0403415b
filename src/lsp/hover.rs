//! Hover: a rule's documentation over its findings, and over a `securityContext` field
//! what it does and which values each Pod Security Standards level allows.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::analysis::Analysis;
use super::convert;
use super::diagnostics::shown_span;
use crate::fields::{security_context_doc, Scope};
use crate::options::Options;
use crate::position::{LineIndex, Unit};
use crate::render::explain_markdown;
use crate::report::Finding;
use crate::rules;
use crate::yaml::{for_documents_where, Document, NodeId, Parsed, Span, Value};

/// The hover at byte `offset` of the text `li` indexes, or `None` (nothing to say there,
/// or a text that holds no Kubernetes object). Over findings (their range, ends
/// included): the documentation of each of their rules, as `kube-secctx explain` prints
/// it, after a list of what each finding says when there are several. Elsewhere over a key or value below a `securityContext`: that field's
/// documentation ([`crate::fields`]).
pub(crate) fn hover(
    li: &LineIndex<'_>,
    analysis: &Analysis,
    offset: usize,
    unit: Unit,
) -> Option<Hover> {
    if !analysis.kubernetes {
        return None;
    }
    let mut here: Vec<&Finding> = Vec::new();
    let mut range: Option<Span> = None;
    for f in &analysis.findings {
        let s = shown_span(li, f.span);
        if s.start <= offset && offset <= s.end && !here.iter().any(|g| g.rule == f.rule) {
            here.push(f);
            range.get_or_insert(s);
        }
    }
    let (markdown, span) = if let Some(span) = range {
        let docs: Vec<String> = here
            .iter()
            .filter_map(|f| rules::rule(f.rule))
            .map(explain_markdown)
            .collect();
        let mut md = String::new();
        // Several rules here: first what each says, then each rule's documentation.
        if here.len() > 1 {
            md.push_str(&format!("**{} findings here:**\n\n", here.len()));
            for f in &here {
                md.push_str(&format!("- `{}`: {}\n", f.rule, f.message));
            }
            md.push_str("\n---\n\n");
        }
        md.push_str(&docs.join("\n---\n\n"));
        (md, span)
    } else {
        field_doc(li.text(), offset)?
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(convert::range(li, span, unit)),
    })
}

/// The documentation of the `securityContext` field at `offset`, and the span of its key
/// (or of the value under the cursor).
fn field_doc(text: &str, offset: usize) -> Option<(String, Span)> {
    let mut found = None;
    // Only the document under the cursor is parsed.
    let under = |_, span: Span| span.start <= offset && offset <= span.end;
    for_documents_where(text, &Options::default().limits, &[], under, |p| {
        if let Parsed::Document(doc) = p {
            if found.is_none() {
                found = path_at(&doc, offset);
            }
        }
    });
    let (path, span) = found?;
    let at = path.iter().rposition(|k| k == "securityContext")?;
    let scope = match at.checked_sub(2).and_then(|i| path.get(i..at)) {
        Some([list, index])
            if matches!(
                list.as_str(),
                "containers" | "initContainers" | "ephemeralContainers"
            ) && index.parse::<usize>().is_ok() =>
        {
            Scope::Container
        }
        _ if at > 0 && path.get(at - 1).is_some_and(|k| k == "spec") => Scope::Pod,
        _ => return None,
    };
    let rest: Vec<&str> = path.get(at + 1..)?.iter().map(String::as_str).collect();
    Some((security_context_doc(scope, &rest)?, span))
}

/// The keys and indices from the root of `doc` to the key or scalar at `offset`, and its
/// span. Merge keys' entries are not followed (their text is elsewhere).
fn path_at(doc: &Document<'_>, offset: usize) -> Option<(Vec<String>, Span)> {
    let contains = |s: Span| s.start <= offset && offset <= s.end;
    let mut path = Vec::new();
    let mut cur: NodeId = doc.root?;
    // Depth is bounded by the parser's limit; the bound here only guards a cycle.
    for _ in 0..=doc.nodes.len() {
        let node = doc.node(cur)?;
        match &node.value {
            Value::Map(entries) => {
                let entries = entries.iter().filter(|e| !e.is_merged());
                let mut next = None;
                for e in entries {
                    if contains(e.key_span()) {
                        path.push(e.key.to_string());
                        return Some((path, e.key_span()));
                    }
                    if next.is_none() && doc.node(e.value).is_some_and(|n| contains(n.span())) {
                        next = Some(e);
                    }
                }
                let e = next?;
                path.push(e.key.to_string());
                cur = e.value;
            }
            Value::Seq(items) => {
                let (i, &item) = items
                    .iter()
                    .enumerate()
                    .find(|(_, &item)| doc.node(item).is_some_and(|n| contains(n.span())))?;
                path.push(i.to_string());
                cur = item;
            }
            Value::Scalar(_) => return Some((path, node.span())),
        }
    }
    None
}
