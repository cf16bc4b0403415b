//! `unknown-ignored-rule` — input diagnostic.
use super::Ctx;
use crate::engine::IGNORE_ANNOTATION;
use crate::position::Lines;
use crate::suggest::{did_you_mean, or_list};
use crate::workload::child_pointer;
use crate::yaml::{Document, NodeId, Span, Style};

declare_rule! {
    /// ## What it checks
    /// The `kube-secctx.io/ignore` annotation of a resource, or of its pod template,
    /// names a rule ID that does not exist (a typo, or a rule that was renamed). One
    /// finding per unknown ID, with the closest rule IDs ("did you mean"). Every
    /// resource's annotation is read: a workload's and its pod template's, and that of a
    /// resource without a pod template (a Service, a ConfigMap, a `List` item, a `List`),
    /// whose annotation suppresses its `duplicate-key` findings (the engine's
    /// per-document pass reports those, with the same unsafe fix).
    ///
    /// ## Why it matters
    /// The annotation suppresses the rules it names for that resource. An ID that names
    /// no rule suppresses nothing: `privileged-containr` leaves the finding it was
    /// meant to accept in the report, and after a reviewer "fixes" that by silencing the
    /// whole run, real findings go unseen. kube-secctx treats the typo as an error, as
    /// ruff treats an unknown code in `# noqa` and ESLint an unknown rule in a
    /// `eslint-disable` comment. The reason is kube-secctx's own, not the API server's:
    /// annotations are free-form strings, which the API server stores whatever they say
    /// (unlike an unknown or duplicated field in a request body, which its strict field
    /// validation rejects); the error is that the annotation silences nothing the author
    /// meant to silence. An ID of a rule that exists is never reported, whether or not the rule
    /// fired on the resource.
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `error`, `pss` is `null`): an input diagnostic about
    /// kube-secctx's own annotation (`metadata.annotations["kube-secctx.io/ignore"]`, a
    /// comma-separated list of rule IDs; spaces around an ID and empty items are
    /// allowed). The finding points at the unknown ID itself when the value is written
    /// on one line, plain or quoted without escapes; else at the whole value.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: example
    ///   annotations:
    ///     kube-secctx.io/ignore: "host-prot"
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     ports: [{containerPort: 8080, hostPort: 8080}]
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: example
    ///   annotations:
    ///     kube-secctx.io/ignore: "host-port"
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     ports: [{containerPort: 8080, hostPort: 8080}]
    /// ```
    ///
    /// ## Fix
    /// Correct the ID (`kube-secctx rules` lists them all), or remove it from the list.
    ///
    /// ## References
    /// - The README, "Suppressing a rule for one resource"; `kube-secctx rules`
    UNKNOWN_IGNORED_RULE {
        id: "unknown-ignored-rule",
        title: "Unknown rule ID in the ignore annotation",
        severity: Error,
        category: Diagnostic,
        pss: None,
        fix: "write the rule ID as `kube-secctx rules` lists it, or remove it from the annotation",
        check: check,
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    let w = ctx.workload;
    // A Pod's metadata is its pod template's: read it once.
    let pod_metadata = w.pod_metadata.filter(|&m| Some(m) != w.metadata);
    let places = [
        (w.metadata, format!("{}/metadata", w.root_pointer)),
        (pod_metadata, w.pod_metadata_pointer.clone()),
    ];
    for (meta, meta_pointer) in places {
        for (pointer, at, message) in unknown_in(ctx.doc, ctx.lines, meta, &meta_pointer) {
            ctx.report_at(pointer, at, message);
        }
    }
}

/// The unknown IDs of the `kube-secctx.io/ignore` annotation of the `metadata` node
/// `meta` (at `meta_pointer`), as `(pointer of the annotation, span, message)`: the
/// span of the ID itself when the value is written as is on one line (see
/// [`value_start`]), else of the whole value. `lines` indexes the text (`None` for an
/// object checked without text). The rule calls it for a workload's metadata and its pod
/// template's; the engine for the metadata of a resource without a pod template (a
/// Service, a `List` item, a `List`), whose annotation suppresses its `duplicate-key`.
pub(crate) fn unknown_in(
    doc: &Document<'_>,
    lines: Option<&Lines<'_>>,
    meta: Option<NodeId>,
    meta_pointer: &str,
) -> Vec<(String, Option<Span>, String)> {
    let Some(annotations) = meta.and_then(|m| doc.get(m, "annotations")) else {
        return Vec::new();
    };
    let Some(value) = doc.get(annotations, IGNORE_ANNOTATION) else {
        return Vec::new();
    };
    let Some(text) = doc.str(value) else {
        return Vec::new();
    };
    let base = value_start(doc, lines, value, text);
    let span = doc.node(value).map(|n| n.span());
    let pointer = child_pointer(
        &child_pointer(meta_pointer, "annotations"),
        IGNORE_ANNOTATION,
    );
    let mut hits = Vec::new();
    for (offset, id) in unknown_ids(text) {
        let close = did_you_mean(id, super::RULES.iter().map(|r| r.id));
        let message = if close.is_empty() {
            format!(
                "{IGNORE_ANNOTATION} names {id:?}, which is not a rule ID: it suppresses \
                 nothing (`kube-secctx rules` lists the rules)"
            )
        } else {
            format!(
                "{IGNORE_ANNOTATION} names {id:?}, which is not a rule ID: did you mean {}?",
                or_list(&close)
            )
        };
        let at = base
            .map(|b| Span::new(b + offset, b + offset + id.len()))
            .or(span);
        hits.push((pointer.clone(), at, message));
    }
    hits
}

/// The IDs of a `kube-secctx.io/ignore` value that name no rule, with their byte
/// offsets in the value.
pub(crate) fn unknown_ids(value: &str) -> Vec<(usize, &str)> {
    items(value)
        .into_iter()
        .filter(|(_, id)| super::rule(id).is_none())
        .collect()
}

/// The IDs of an annotation value with their byte offsets in it: split at commas,
/// trimmed, empty items left out (as the engine reads the annotation).
fn items(value: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    for part in value.split(',') {
        let trimmed = part.trim_start();
        let lead = part.len() - trimmed.len();
        let id = trimmed.trim_end();
        if !id.is_empty() {
            out.push((from + lead, id));
        }
        from += part.len() + 1;
    }
    out
}

/// Where the value's text starts in the file, when every byte of it is written as is:
/// a plain scalar, or a single- or double-quoted one without escapes, on one line.
/// `None` otherwise (block and folded scalars, escapes, objects checked without text).
fn value_start(
    doc: &Document<'_>,
    lines: Option<&Lines<'_>>,
    value: NodeId,
    text: &str,
) -> Option<usize> {
    let node = doc.node(value)?;
    let scalar = doc.scalar(value)?;
    let span = node.span();
    let raw = lines?.text().get(span.start..span.end)?;
    if raw.contains(['\n', '\r']) {
        return None;
    }
    match scalar.style() {
        Style::Plain if raw == text => Some(span.start),
        Style::Quoted => {
            let inner = raw
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))?;
            (inner == text).then_some(span.start + 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::items;

    #[test]
    fn items_keep_their_offsets() {
        assert_eq!(items("a, b ,,c"), [(0, "a"), (3, "b"), (7, "c")]);
        assert_eq!(items(""), []);
        assert_eq!(items(" , "), []);
    }
}
