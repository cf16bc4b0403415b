//! "Ignore RULE for this resource": the edit that adds a rule to the resource's
//! `kube-secctx.io/ignore` annotation, written and verified as fixes are.

use std::sync::Arc;

use serde_json::Value;

use super::ops::{tokens, Op};
use super::plan::{workload_of, Plan};
use super::verify::DocFix;
use super::{layout, Applicability, Fix};
use crate::engine::{Checker, IGNORE_ANNOTATION};
use crate::options::Options;
use crate::position::Lines;
use crate::report::{Finding, MatchedBy};
use crate::workload::{extract, is_list, Workload};
use crate::yaml::{for_documents_where, Document, NodeId, Parsed};

/// The edit that suppresses `finding` by naming its rule in the
/// [`kube-secctx.io/ignore`](crate::engine::IGNORE_ANNOTATION) annotation of the resource
/// it belongs to: the annotation the engine reads (a comma-separated list of rule IDs on
/// the resource's `metadata` or its pod template's `metadata`), so the finding moves to
/// the report's `suppressed` findings. An editor offers it as a code action.
///
/// `finding` is one of the findings a check of `text` (named `file`) with `opts`
/// reported: its `document` index, `path` and `rule` identify it, and `text` is checked
/// again to find it. The resource is the one whose root is the longest prefix of the
/// finding's path (a `List` item, or the document); for a resource without a pod template
/// (a `duplicate-key` finding in a Service, a ConfigMap, a `List`'s own keys), the
/// innermost `List` item or document the path goes into. The annotation extended is the
/// resource's own when its `metadata.annotations` has one, else the pod template's when
/// only that has one, else it is added to the resource's `metadata.annotations`
/// (creating `annotations`, and `metadata`). An existing value keeps its entries and its
/// separator (`, ` when the author wrote one, else `,`); the rule is appended.
///
/// The result is one [`Op::Set`] of the annotation, written as text edits that keep the
/// layout as every fix does (comments, indentation, block or flow style, JSON, line
/// endings, a BOM), and verified as fixes are: the edited document parses, its object is
/// the original's with the op applied, the finding is gone (suppressed) and no other
/// finding or error entry appears. The edits are in bytes of `text` (the whole stream),
/// sorted and non-overlapping, to be applied with [`super::apply_edits`].
///
/// The fix is [`Applicability::Safe`]: the workload runs as before (on a pod template,
/// the changed annotation makes its controller roll the pods once). It hides a
/// finding, which is a person's choice: [`super::fix_text`] (`--fix`, "fix all") never
/// applies it; only a caller that asks for it here gets it.
///
/// # Errors
/// A sentence saying why there is no such edit: the options are invalid, the document
/// does not parse, a new check does not report the finding (or reports it suppressed
/// already: the rule is ignored for the resource), the annotation's value is not a
/// string, the edit cannot be written (an alias, an anchor an alias uses, or a merge key
/// `<<` on the way; a layout the fixes do not edit), or it does not pass verification.
pub fn ignore_fix(
    opts: &Options,
    file: &str,
    text: &str,
    finding: &Finding,
) -> Result<Fix, String> {
    let mut checker = Checker::new(opts).map_err(|e| format!("invalid options: {e}"))?;
    let file_name: Arc<str> = Arc::from(file);
    let limits = opts.limits;
    let mut out: Option<Result<Fix, String>> = None;
    // Only the finding's document is parsed.
    let wanted = |index: usize, _| index == finding.document;
    for_documents_where(text, &limits, &[], wanted, |parsed| {
        if out.is_some() {
            return;
        }
        match parsed {
            Parsed::Error(e) if e.document == finding.document => {
                out = Some(Err(format!("the document does not parse: {}", e.message)));
            }
            Parsed::Document(doc) if doc.index == finding.document => {
                out = Some(in_document(&mut checker, &file_name, &doc, text, finding));
            }
            _ => {}
        }
    });
    out.unwrap_or_else(|| {
        Err(format!(
            "the text has no document {} to find the finding in",
            finding.document
        ))
    })
}

/// [`ignore_fix`] in the finding's document `doc` of `text`.
fn in_document(
    checker: &mut Checker,
    file: &Arc<str>,
    doc: &Document<'_>,
    text: &str,
    finding: &Finding,
) -> Result<Fix, String> {
    let rule = finding.rule;
    let lines = Lines::new(text);
    let batch = checker.check_parsed(file, doc, Some(&lines));
    let same = |f: &Finding| f.rule == rule && f.path == finding.path;
    let Some(index) = batch.findings.iter().position(same) else {
        if batch.suppressed.iter().any(same) {
            return Err(format!(
                "{rule} is already ignored for this resource (annotation {IGNORE_ANNOTATION})"
            ));
        }
        return Err(format!(
            "a new check of the text does not report {rule} at {}",
            finding.path
        ));
    };
    // Past a findings budget, the check reports only some findings: the others would
    // appear in the verification.
    if batch
        .errors
        .iter()
        .any(|e| e.message.contains("than the budget"))
    {
        return Err("the resource is past a findings budget: edit it by hand".into());
    }
    let workloads = extract(doc).workloads;
    let places = match workload_of(&workloads, &finding.path) {
        Some(w) => workload_places(w),
        // A resource without a pod template (a Service's duplicated key): its own
        // metadata, as the engine reads it.
        None if finding.resource.matched_by == MatchedBy::None => {
            resource_places(doc, &finding.path)
        }
        None => return Err("the finding belongs to no resource with a pod template".into()),
    };
    let (path, value) = target(doc, places, rule)?;
    let op = Op::Set {
        path,
        value: Value::String(value),
    };
    let plan = Plan {
        title: format!("ignore {rule} for this resource"),
        applicability: Applicability::Safe,
        ops: vec![op],
    };
    // The layout's own refusal (an alias, a merge key) is the reason given.
    let edits = layout::edits(doc, text, &plan.ops)?;
    let mut doc_fix = DocFix {
        checker,
        file,
        doc,
        text,
        findings: &batch.findings,
        errors: &batch.errors,
    };
    // Plans are indexed as the findings are: only this finding's is verified.
    let plans: Vec<Result<Plan, String>> = (0..batch.findings.len())
        .map(|i| {
            if i == index {
                Ok(plan.clone())
            } else {
                Err(String::new())
            }
        })
        .collect();
    let (kept, _, dropped) = doc_fix.accept(&plans, &[index]);
    if !kept.contains(&index) {
        let why = dropped
            .into_iter()
            .map(|(_, why)| why)
            .next()
            .unwrap_or_default();
        return Err(format!("the edit did not pass verification: {why}"));
    }
    Ok(Fix {
        title: plan.title,
        applicability: plan.applicability,
        edits,
        ops: plan.ops,
    })
}

/// A `metadata` node (if the resource has one) and its path (unescaped tokens from the
/// document's root), in the order the annotation is looked for.
type Places = Vec<(Option<NodeId>, Vec<String>)>;

/// A workload's `metadata`, then its pod template's.
fn workload_places(w: &Workload) -> Places {
    let mut own = tokens(&w.root_pointer);
    own.push("metadata".into());
    let mut places = vec![(w.metadata, own)];
    if w.pod_metadata != w.metadata {
        places.push((w.pod_metadata, tokens(&w.pod_metadata_pointer)));
    }
    places
}

/// The `metadata` of the innermost resource on the way to `pointer` that is not a
/// workload: the document, or the `List` item (nested Lists included) the pointer goes
/// into, as the engine attributes a duplicated key (`crate::engine`).
fn resource_places(doc: &Document<'_>, pointer: &str) -> Places {
    let path = tokens(pointer);
    let mut root = doc.root;
    let mut at = 0;
    while let Some(node) = root {
        let field = |k| doc.get_set(node, k).and_then(|v| doc.str(v));
        let list =
            matches!((field("apiVersion"), field("kind")), (Some(a), Some(k)) if is_list(a, k));
        let item = match (path.get(at), path.get(at + 1)) {
            (Some(items), Some(i)) if list && items == "items" => {
                i.parse::<usize>().ok().and_then(|i| {
                    doc.get(node, "items")
                        .and_then(|s| doc.seq(s))?
                        .get(i)
                        .copied()
                })
            }
            _ => None,
        };
        match item {
            Some(item) => {
                root = Some(item);
                at += 2;
            }
            None => break,
        }
    }
    let mut own: Vec<String> = path.into_iter().take(at).collect();
    own.push("metadata".into());
    vec![(root.and_then(|r| doc.get_set(r, "metadata")), own)]
}

/// The annotation's path (unescaped tokens from the document's root) and its new value:
/// the existing annotation of the first of `places` that has one, else a new one on the
/// first (the resource's own metadata).
fn target(
    doc: &Document<'_>,
    mut places: Places,
    rule: &str,
) -> Result<(Vec<String>, String), String> {
    for (meta, mut path) in places.iter().cloned() {
        if let Some(existing) = existing(doc, meta) {
            let value = extended(existing?, rule)?;
            path.extend(["annotations".to_string(), IGNORE_ANNOTATION.to_string()]);
            return Ok((path, value));
        }
    }
    if places.is_empty() {
        return Err("the finding belongs to no resource".into());
    }
    let (_, mut path) = places.swap_remove(0);
    path.extend(["annotations".to_string(), IGNORE_ANNOTATION.to_string()]);
    Ok((path, rule.to_string()))
}

/// The value of the ignore annotation in `meta`'s `annotations` as the engine reads it
/// (`""` for a `null`), `None` when there is none, an error when it is not a scalar.
fn existing<'d>(doc: &'d Document<'_>, meta: Option<NodeId>) -> Option<Result<&'d str, String>> {
    let annotations = doc.get(meta?, "annotations")?;
    let value = doc.get(annotations, IGNORE_ANNOTATION)?;
    if doc.is_null(value) {
        return Some(Ok(""));
    }
    Some(doc.str(value).ok_or_else(|| {
        format!("the annotation {IGNORE_ANNOTATION} is not a string: edit it by hand")
    }))
}

/// `existing` with `rule` appended, in the author's separator style (`, ` when the value
/// has one, else `,`); trailing separators and blanks give way to the new entry.
fn extended(existing: &str, rule: &str) -> Result<String, String> {
    if existing.split(',').map(str::trim).any(|r| r == rule) {
        return Err(format!(
            "{rule} is already listed in the annotation {IGNORE_ANNOTATION}"
        ));
    }
    let kept = existing.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
    if kept.trim().is_empty() {
        return Ok(rule.to_string());
    }
    let sep = if existing.contains(", ") { ", " } else { "," };
    Ok(format!("{kept}{sep}{rule}"))
}

#[cfg(test)]
mod tests {
    use super::extended;

    #[test]
    fn extends_in_the_authors_style() {
        assert_eq!(extended("", "r").as_deref(), Ok("r"));
        assert_eq!(extended("a", "r").as_deref(), Ok("a,r"));
        assert_eq!(extended("a,b", "r").as_deref(), Ok("a,b,r"));
        assert_eq!(extended("a, b", "r").as_deref(), Ok("a, b, r"));
        assert_eq!(extended("a, ", "r").as_deref(), Ok("a, r"));
        assert_eq!(extended("a,", "r").as_deref(), Ok("a,r"));
        assert_eq!(extended(" , ", "r").as_deref(), Ok("r"));
        assert!(extended("a, r", "r").is_err());
        assert!(extended("rr,r ", "r").is_err());
    }
}
