//! Findings and error entries as LSP diagnostics.

use lsp_server::{Message, Notification};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentDiagnosticReport,
    DocumentDiagnosticReportResult, FullDocumentDiagnosticReport, Location, NumberOrString,
    PublishDiagnosticsParams, RelatedFullDocumentDiagnosticReport,
    RelatedUnchangedDocumentDiagnosticReport, UnchangedDocumentDiagnosticReport, Uri,
};

use super::analysis::{Analysis, Related};
use super::convert;
use super::document::Doc;
use crate::position::{LineIndex, Unit};
use crate::render::display_end;
use crate::report::{ErrorEntry, Finding, Severity};
use crate::yaml::Span;

/// The `source` of every diagnostic.
pub(crate) const SOURCE: &str = "kube-secctx";

/// Every diagnostic of `analysis` (of the text `li` indexes): its findings, then its error
/// entries. None for a text that holds no Kubernetes object.
pub(crate) fn diagnostics(
    uri: &Uri,
    li: &LineIndex<'_>,
    analysis: &Analysis,
    unit: Unit,
) -> Vec<Diagnostic> {
    if !analysis.kubernetes {
        return Vec::new();
    }
    let mut out: Vec<Diagnostic> = analysis
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let related = analysis.related.get(i).map(Vec::as_slice).unwrap_or(&[]);
            finding(uri, li, f, related, unit)
        })
        .collect();
    out.extend(analysis.errors.iter().map(|e| error(li, e, unit)));
    out
}

/// Where a finding is shown: its span, without the trailing lines a block node's span
/// runs over.
pub(crate) fn shown_span(li: &LineIndex<'_>, span: Span) -> Span {
    Span::new(span.start, display_end(li, span))
}

/// The diagnostic of one finding: range, severity, `code` = the rule ID, `source`, the
/// message, and `relatedInformation` when there is any.
pub(crate) fn finding(
    uri: &Uri,
    li: &LineIndex<'_>,
    f: &Finding,
    related: &[Related],
    unit: Unit,
) -> Diagnostic {
    let related_information = (!related.is_empty()).then(|| {
        related
            .iter()
            .map(|r| DiagnosticRelatedInformation {
                location: Location {
                    uri: uri.clone(),
                    range: convert::range(li, shown_span(li, r.span), unit),
                },
                message: r.message.clone(),
            })
            .collect()
    });
    Diagnostic {
        range: convert::range(li, shown_span(li, f.span), unit),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.to_string())),
        source: Some(SOURCE.to_string()),
        message: match &f.admission {
            Some(admission) => format!("{} [{admission}]", f.message),
            None => f.message.clone(),
        },
        related_information,
        ..Diagnostic::default()
    }
}

fn error(li: &LineIndex<'_>, e: &ErrorEntry, unit: Unit) -> Diagnostic {
    Diagnostic {
        range: convert::range(li, shown_span(li, e.span), unit),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: e.message.clone(),
        ..Diagnostic::default()
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
    }
}

/// The diagnostics of `doc` under its options (analysed now if its text or the settings
/// changed).
pub(crate) fn of(doc: &mut Doc, unit: Unit) -> Vec<Diagnostic> {
    let uri = doc.uri.clone();
    let (text, analysis) = doc.analyzed();
    let li = LineIndex::new(text);
    diagnostics(&uri, &li, analysis, unit)
}

/// A `textDocument/publishDiagnostics` notification.
pub(crate) fn publish(uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> Message {
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
    .into()
}

/// The answer to `textDocument/diagnostic` for `doc` (`None`: not open, an empty report).
/// Its `resultId` is the settings' generation and the document's version: a client that
/// sends it back as `previous` gets `unchanged` while both are the same.
pub(crate) fn pull_report(
    doc: Option<&mut Doc>,
    previous: Option<&str>,
    generation: u64,
    unit: Unit,
) -> DocumentDiagnosticReportResult {
    let full = |items, result_id| {
        DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
            },
        ))
    };
    let Some(doc) = doc else {
        return full(Vec::new(), None);
    };
    let result_id = format!("{generation}.{}", doc.version);
    if previous == Some(result_id.as_str()) {
        return DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
            RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            },
        ));
    }
    full(of(doc, unit), Some(result_id))
}
