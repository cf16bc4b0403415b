//! Code actions: each finding's verified fix (`quickfix`), "Ignore RULE for this
//! resource" (`quickfix`), and every safe fix at once ([`FIX_ALL_KIND`]).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionTriggerKind,
    Diagnostic, DocumentChanges, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::analysis::Analysis;
use super::convert;
use super::diagnostics::{finding as finding_diagnostic, shown_span, SOURCE};
use super::document::Doc;
use super::server::FIX_ALL_KIND;
use crate::fix::{Applicability, Edit, Offer};
use crate::position::{LineIndex, Unit};
use crate::report::Finding;

/// What code actions need from the server.
pub(crate) struct Ctx {
    /// The negotiated column unit.
    pub(crate) unit: Unit,
    /// Whether the client takes versioned `documentChanges`.
    pub(crate) document_changes: bool,
}

/// The code actions for `p.range` of `doc`, of the kinds `p.context.only` asks for (all
/// when it asks for none): for each finding asked about (those of the kube-secctx
/// diagnostics in `p.context.diagnostics`, else those whose range meets `p.range`), its
/// fix (safe ones preferred, an unsafe one titled so) and "Ignore RULE for this
/// resource"; then "Fix all safe kube-secctx findings" for the whole document (unless
/// the request is an automatic one, `triggerKind` 2, that names no kind).
pub(crate) fn code_actions(
    ctx: &Ctx,
    doc: &mut Doc,
    p: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let uri = doc.uri.clone();
    let version = doc.version;
    let opts = doc.config.options.clone();
    let (text, analysis) = doc.analyzed();
    if !analysis.kubernetes {
        return Vec::new();
    }
    let want = |kind: &str| match &p.context.only {
        None => true,
        Some(only) => only.iter().any(|o| {
            let o = o.as_str();
            // `""` is `CodeActionKind.Empty`, the root of every kind.
            o.is_empty() || kind == o || kind.strip_prefix(o).is_some_and(|r| r.starts_with('.'))
        }),
    };
    let li = LineIndex::new(text);
    let asked = convert::span(&li, p.range, ctx.unit);
    // The findings asked about: those of the diagnostics the client names (ours, by code
    // and range), else every finding whose range meets the range asked.
    let named: Vec<&Diagnostic> = p
        .context
        .diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some(SOURCE))
        .collect();
    let hits: Vec<usize> = if want(CodeActionKind::QUICKFIX.as_str()) {
        analysis
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                let s = shown_span(&li, f.span);
                if named.is_empty() {
                    return s.start <= asked.end && asked.start <= s.end;
                }
                let range = convert::range(&li, s, ctx.unit);
                named.iter().any(|d| {
                    d.range == range
                        && matches!(&d.code, Some(NumberOrString::String(c)) if c == f.rule)
                })
            })
            .map(|(i, _)| i)
            .collect()
    } else {
        Vec::new()
    };
    // Fix-all edits the whole document: offered when asked for by kind, or in a request
    // the user made, not in the automatic ones an editor sends as the cursor moves.
    let fix_all = match &p.context.only {
        Some(_) => want(FIX_ALL_KIND),
        None => p.context.trigger_kind != Some(CodeActionTriggerKind::AUTOMATIC),
    };
    if hits.is_empty() && !fix_all {
        return Vec::new();
    }
    // One "ignore" per rule and resource: the first finding of each.
    let firsts: Vec<usize> = hits
        .iter()
        .enumerate()
        .filter(|&(k, &i)| {
            let (Some(f), Some(earlier)) = (analysis.findings.get(i), hits.get(..k)) else {
                return false;
            };
            !earlier
                .iter()
                .filter_map(|&j| analysis.findings.get(j))
                .any(|g| g.rule == f.rule && g.document == f.document && g.resource == f.resource)
        })
        .map(|(_, &i)| i)
        .collect();
    analysis.compute_fixes(uri.as_str(), text, &opts);
    analysis.compute_ignores(uri.as_str(), text, &opts, &firsts);
    let analysis: &Analysis = analysis;
    let Some(fixed) = analysis.fixed() else {
        return Vec::new();
    };
    let edit = |edits: &[Edit]| workspace_edit(ctx, &li, &uri, version, edits);
    let mut fixes = Vec::new();
    let mut ignores = Vec::new();
    for &i in &hits {
        let Some(f) = analysis.findings.get(i) else {
            continue;
        };
        let related = analysis.related.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let diagnostic = finding_diagnostic(&uri, &li, f, related, ctx.unit);
        let offer = fixed
            .findings
            .iter()
            .position(|g| same(f, g))
            .and_then(|j| fixed.offers.get(j));
        if let Some(Offer::Fix(fix)) = offer {
            let safe = fix.applicability == Applicability::Safe;
            let title = if safe {
                capitalized(&fix.title)
            } else {
                format!("{} (unsafe fix)", capitalized(&fix.title))
            };
            let edit = Some(edit(&fix.edits));
            // The same edit for several findings (each container's "set it in the pod's
            // securityContext", a container and its alias): one action for them all.
            match fixes
                .iter_mut()
                .find(|a: &&mut CodeAction| a.title == title && a.edit == edit)
            {
                Some(a) => a
                    .diagnostics
                    .get_or_insert_with(Vec::new)
                    .push(diagnostic.clone()),
                None => fixes.push(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit,
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }),
            }
        }
        if let Some(fix) = firsts.contains(&i).then(|| analysis.ignore(i)).flatten() {
            ignores.push(CodeAction {
                title: format!("Ignore {} for this resource", f.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(edit(&fix.edits)),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
    }
    // Safe fixes first: an editor's "apply the preferred fix" takes the first preferred.
    fixes.sort_by_key(|a| a.is_preferred != Some(true));
    let mut out: Vec<CodeActionOrCommand> = fixes
        .into_iter()
        .chain(ignores)
        .map(CodeActionOrCommand::CodeAction)
        .collect();
    if fix_all && !fixed.edits.is_empty() {
        let n = fixed.applied.len();
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!(
                "Fix all safe kube-secctx findings ({n} {})",
                if n == 1 { "finding" } else { "findings" }
            ),
            kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
            edit: Some(edit(&fixed.edits)),
            ..CodeAction::default()
        }));
    }
    out
}

/// The same finding, from two checks of the same text.
fn same(a: &Finding, b: &Finding) -> bool {
    a.document == b.document && a.rule == b.rule && a.span == b.span && a.path == b.path
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `edits` (bytes of the text `li` indexes) as a workspace edit of the document `uri` at
/// `version`: versioned `documentChanges` when the client takes them (a stale edit is then
/// refused by the client), else `changes`.
fn workspace_edit(
    ctx: &Ctx,
    li: &LineIndex<'_>,
    uri: &Uri,
    version: i32,
    edits: &[Edit],
) -> WorkspaceEdit {
    let edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| TextEdit {
            range: convert::range(li, e.span, ctx.unit),
            new_text: e.new_text.clone(),
        })
        .collect();
    if ctx.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}
