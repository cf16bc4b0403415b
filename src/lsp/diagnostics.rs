//! Findings and error entries as LSP diagnostics.

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use super::analysis::{Analysis, Related};
use super::convert;
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
        message: f.message.clone(),
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
