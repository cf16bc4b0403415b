//! One document's pass: its workloads extracted, its duplicated keys and ignore
//! annotation typos reported, each workload judged (and a workload whose pod template is
//! misspelled checked for unknown fields), and the batch it gives sorted, counted and
//! handed to the sink.

use std::sync::Arc;

use super::{append, duplicates, ignore_typos, judge, Batch, Checker, Sink};
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding};
use crate::workload::{extract, Extracted};
use crate::yaml::{Document, NodeId, Span};

impl Checker {
    /// One parsed document: its workloads judged, into `batch`.
    pub(super) fn document<'t>(
        &mut self,
        file: &Arc<str>,
        doc: &Document<'t>,
        lines: Option<&Lines<'t>>,
        batch: &mut Batch,
    ) {
        let Extracted { workloads, errors } = extract(doc);
        // A Namespace's invalid Pod Security labels: the API server rejects it
        // (PSA's ValidateNamespace), and PSA evaluates its pods as `PolicyToEvaluate` says.
        for e in crate::psa::label_errors(doc) {
            batch.errors.push(ErrorEntry {
                file: file.to_string(),
                document: doc.index,
                message: e.describe(),
                span: e.span,
            });
        }
        for (message, span) in errors {
            batch.errors.push(ErrorEntry {
                file: file.to_string(),
                document: doc.index,
                message,
                span: Span::new(span.start, span.start),
            });
        }
        // Duplicated keys, in every resource of the document (not only workloads), and
        // the ignore annotation's typos of the resources that are not workloads.
        duplicates::report(self, file, doc, &workloads, lines, batch);
        ignore_typos::report(self, file, doc, &workloads, lines, batch);
        for w in &workloads {
            let Some(spec) = w.spec else { continue };
            self.report.summary.resources += 1;
            self.judge_into(file, doc, w, (spec, true), lines, batch);
        }
        // A workload without a pod spec (`spec.tempalte`, a template's `sepc`) whose
        // keys the field table still describes (`schema::start`: its whole object, or
        // its template): they are checked against the API's fields, and nothing else
        // runs (`judge::WITHOUT_POD_SPEC`). Not counted in `summary.resources`: no pod
        // is judged.
        for w in workloads.iter().filter(|w| w.spec.is_none()) {
            if crate::schema::start(doc, w).is_some() {
                self.judge_into(file, doc, w, (w.root, false), lines, batch);
            }
        }
    }

    /// Judges workload `w` at `spec` (`(node, whether it is the pod spec)`, see
    /// `judge::Resource`) into `batch`.
    fn judge_into<'t>(
        &mut self,
        file: &Arc<str>,
        doc: &Document<'t>,
        w: &crate::workload::Workload,
        (spec, pod_spec): (NodeId, bool),
        lines: Option<&Lines<'t>>,
        batch: &mut Batch,
    ) {
        let judged = judge::judge(
            &self.opts,
            &mut self.plans,
            &self.file_ignore,
            &judge::Resource {
                file,
                doc,
                workload: w,
                spec,
                pod_spec,
                lines,
            },
        );
        append(&mut batch.findings, judged.findings);
        append(&mut batch.suppressed, judged.suppressed);
        if let Some((message, span)) = judged.over_budget {
            batch.errors.push(ErrorEntry {
                file: file.to_string(),
                document: doc.index,
                message,
                span,
            });
        }
    }

    /// Checks one parsed document of a text (`lines`: the text's, see [`Lines`]) and returns its batch in report order, without adding it to
    /// the report: for the fix planner ([`crate::fix`]), which checks a document before
    /// and after its fixes.
    pub(crate) fn check_parsed<'t>(
        &mut self,
        file: &Arc<str>,
        doc: &Document<'t>,
        lines: Option<&Lines<'t>>,
    ) -> Batch {
        let mut batch = Batch {
            document: doc.index,
            ..Batch::default()
        };
        self.document(file, doc, lines, &mut batch);
        sort_batch(&mut batch);
        batch
    }

    /// Sorts a document's batch, counts it in the summary and hands it to `sink`.
    pub(super) fn flush(&mut self, mut batch: Batch, sink: &mut Sink<'_>) {
        if batch.is_empty() {
            return;
        }
        sort_batch(&mut batch);
        let s = &mut self.report.summary;
        if let Some(matcher) = self.baseline.as_mut() {
            let before = batch.findings.len();
            batch.findings.retain(|f| !matcher.accepts(f));
            s.baselined += before - batch.findings.len();
        }
        s.errors += batch.errors.len();
        s.findings += batch.findings.len();
        s.suppressed += batch.suppressed.len();
        // Counted per rule and severity here (a batch names a few), then added to the
        // summary's maps once each.
        let mut by_rule: Vec<(&'static str, usize)> = Vec::new();
        let mut by_severity: Vec<(&'static str, usize)> = Vec::new();
        for f in &batch.findings {
            tally(&mut by_rule, f.rule);
            tally(&mut by_severity, f.severity.as_str());
        }
        for (counts, map) in [(by_rule, &mut s.by_rule), (by_severity, &mut s.by_severity)] {
            for (name, k) in counts {
                match map.get_mut(name) {
                    Some(n) => *n += k,
                    None => {
                        map.insert(name.to_string(), k);
                    }
                }
            }
        }
        sink(batch);
    }
}

/// Counts one more `name` in `counts`.
fn tally(counts: &mut Vec<(&'static str, usize)>, name: &'static str) {
    match counts.iter_mut().find(|(n, _)| *n == name) {
        Some((_, k)) => *k += 1,
        None => counts.push((name, 1)),
    }
}

/// Sorts a batch into report order: findings by position (start, then end), rule and
/// message; error entries by position.
pub(super) fn sort_batch(batch: &mut Batch) {
    let order = |a: &Finding, b: &Finding| {
        (a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    };
    batch.findings.sort_by(order);
    batch.suppressed.sort_by(order);
    batch.errors.sort_by_key(|e| e.span.start);
}
