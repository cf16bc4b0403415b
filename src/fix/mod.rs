//! Fixes: for each finding that has one, the exact text edits that remove it and keep
//! everything else (comments, indentation, flow or block style, line endings, JSON).
//!
//! A fix is data ([`Fix`]): a title, an [`Applicability`] and non-overlapping [`Edit`]s
//! over the original text, in bytes. It is planned on the object first ([`plan`]: which
//! field changes, from the rule's PSS page and PSA check), then written as text
//! ([`layout`]), and **verified before it is offered**: the document with the fixes
//! applied is parsed again, its object must equal the original object with exactly the
//! planned changes ([`ops::apply`], compared as JSON), the fixed findings must be gone and
//! no other finding may appear. A document's fixes are verified together; only when that
//! fails is each tried on its own, and one that still fails is not offered.
//!
//! Fixes are computed only when asked for ([`fix_text`]); a plain check does not pay
//! for them.

mod ignore;
mod layout;
pub mod ops;
pub mod plan;
mod unknown;
mod verify;

use std::sync::Arc;

use serde::Serialize;

use crate::engine::Checker;
use crate::options::{Options, OptionsError};
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding};
use crate::workload::extract;
use crate::yaml::{for_each_document, Parsed, Span};
use verify::DocFix;

pub use ignore::ignore_fix;
pub use ops::Op;
pub use plan::{describe, Plan};

/// How sure a fix is to keep the workload running, as in ruff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The workload keeps running as before for any ordinary image:
    /// `allowPrivilegeEscalation: false`, `seccompProfile: {type: RuntimeDefault}`, and a
    /// new `securityContext` holding only those. `--fix` applies these.
    Safe,
    /// It can stop a workload from starting or working (`runAsNonRoot: true` with an image
    /// whose user is root, `capabilities: {drop: [ALL]}`, `readOnlyRootFilesystem: true`,
    /// and every change to a value the author wrote): a person's judgement is needed.
    /// `--unsafe-fixes` adds these.
    Unsafe,
}

impl Applicability {
    /// `"safe"` or `"unsafe"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One text edit: replace the bytes `span` of the original text by `new_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced, `[start, end)` into the whole text (empty for an insertion).
    pub span: Span,
    /// The new text.
    pub new_text: String,
}

impl Edit {
    /// An edit.
    pub fn new(span: Span, new_text: String) -> Self {
        Edit { span, new_text }
    }
}

/// A fix of one finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// What it does, e.g. `set allowPrivilegeEscalation: false`.
    pub title: String,
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// The edits of this fix alone, sorted, over the original text. Several fixes applied
    /// together may be written as fewer edits (one insertion per `securityContext`).
    pub edits: Vec<Edit>,
    /// The planned change of the object.
    pub ops: Vec<Op>,
}

/// What a finding is offered.
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    /// A verified fix.
    Fix(Fix),
    /// No automatic fix, and why (a sentence).
    None(String),
}

/// Which fixes to apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixSelection {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Apply only the fixes of these rules (`None`: every rule).
    pub rules: Option<Vec<String>>,
}

impl FixSelection {
    fn takes(&self, rule: &str, a: Applicability) -> bool {
        (a == Applicability::Safe || self.unsafe_fixes)
            && self
                .rules
                .as_ref()
                .is_none_or(|r| r.iter().any(|x| x == rule))
    }
}

/// What [`fix_text`] did to one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixed {
    /// The text with the selected fixes applied (the input when none was).
    pub text: String,
    /// The findings of the input, as a check reports them.
    pub findings: Vec<Finding>,
    /// For each finding (same index), its fix or why it has none: filled when
    /// [`fix_text`] was asked to describe every fix, else empty.
    pub offers: Vec<Offer>,
    /// Indices into `findings` of those whose fix was applied.
    pub applied: Vec<usize>,
    /// For each finding (same index), its planned fix's title and class, or `None`.
    pub planned: Vec<Option<(String, Applicability)>>,
    /// The edits that were applied, sorted, in bytes of the input (the selected fixes
    /// written together: one insertion per mapping).
    pub edits: Vec<Edit>,
    /// Findings with a planned fix that was not applied (not selected, or it did not pass
    /// verification), with the fix's class: indices into `findings`.
    pub left: Vec<(usize, Applicability)>,
    /// The input's error entries (documents that could not be checked are not fixed).
    pub errors: Vec<ErrorEntry>,
}

/// The first mapping on the way to `path` (from the root) that `doc` does not have, as a
/// JSON pointer: what a move or a rename to `path` creates; `None` when every mapping
/// up to `path`'s parent is there.
pub(crate) fn created_on_the_way(
    doc: &crate::yaml::Document<'_>,
    root: crate::yaml::NodeId,
    path: &[String],
) -> Option<String> {
    (1..path.len()).find_map(|n| {
        let prefix = ops::to_pointer(path.get(..n)?);
        doc.pointer(root, &prefix).is_none().then_some(prefix)
    })
}

/// At most this many passes of [`fix_until_settled`].
pub const MAX_PASSES: usize = 8;

/// What [`fix_until_settled`] did to one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settled {
    /// The text once no selected fix applies any more (or after [`MAX_PASSES`]).
    pub text: String,
    /// Fixes applied, over every pass.
    pub applied: usize,
    /// Passes that applied a fix (0 when the text was left as it was).
    pub passes: usize,
    /// The last pass: the findings of the final text, with what is [`Fixed::left`].
    pub last: Fixed,
}

/// Applies the selected fixes to `text` again and again until a pass applies none, as
/// ruff's `--fix` does: a fix can make Kubernetes read what it had not read before (an
/// `unknown-field` rename of `spec.tempalte`, a `privileged: true` moved into the
/// container), whose own findings then have fixes. At most [`MAX_PASSES`] passes; each
/// is [`fix_text`] on the previous pass's text, verified as it is. The selected safe
/// fixes alone settle in one pass over every fixture of this repository (the fix
/// property of `tests/fixes.rs`).
///
/// # Errors
/// [`OptionsError`] when `opts` names a rule that does not exist.
pub fn fix_until_settled(
    opts: &Options,
    file: &str,
    text: &str,
    select: &FixSelection,
) -> Result<Settled, OptionsError> {
    let mut out = Settled {
        text: text.to_string(),
        ..Settled::default()
    };
    loop {
        let fixed = fix_text(opts, file, &out.text, select, false)?;
        if fixed.applied.is_empty() || fixed.text == out.text || out.passes == MAX_PASSES {
            out.last = fixed;
            return Ok(out);
        }
        out.applied += fixed.applied.len();
        out.passes += 1;
        out.text.clone_from(&fixed.text);
    }
}

/// Plans, verifies and applies fixes to one manifest text.
///
/// With `describe` every finding gets an [`Offer`] (a verified fix with its own edits, or
/// the reason it has none), whatever `select` says; the fixes `select` takes are applied
/// to [`Fixed::text`]. Edits are in bytes of `text`.
///
/// # Errors
/// [`OptionsError`] when `opts` names a rule that does not exist.
pub fn fix_text(
    opts: &Options,
    file: &str,
    text: &str,
    select: &FixSelection,
    describe: bool,
) -> Result<Fixed, OptionsError> {
    let mut checker = Checker::new(opts)?;
    let file_name: Arc<str> = Arc::from(file);
    let mut out = Fixed::default();
    let mut all_edits: Vec<Edit> = Vec::new();
    let lines = Lines::new(text);
    let limits = opts.limits;
    let kube_minor = opts.kube_version.minor();
    for_each_document(text, &limits, &[], |parsed| {
        let doc = match parsed {
            Parsed::Error(e) => {
                out.errors.push(ErrorEntry {
                    file: file.to_string(),
                    document: e.document,
                    message: e.message,
                    span: e.span,
                });
                return;
            }
            Parsed::Document(doc) => doc,
        };
        let batch = checker.check_parsed(&file_name, &doc, Some(&lines));
        let doc_errors = batch.errors;
        let findings = batch.findings;
        if findings.is_empty() {
            out.errors.extend(doc_errors);
            return;
        }
        // A resource past a findings budget reports only some of its findings: fixing
        // those could not be verified (the others would appear).
        if doc_errors
            .iter()
            .any(|e| e.message.contains("than the budget"))
        {
            let why = "the resource is past a findings budget: fix it in parts".to_string();
            out.planned.extend(findings.iter().map(|_| None));
            if describe {
                out.offers
                    .extend(findings.iter().map(|_| Offer::None(why.clone())));
            }
            out.findings.extend(findings);
            out.errors.extend(doc_errors);
            return;
        }
        let ws = extract(&doc).workloads;
        let mut plans: Vec<Result<Plan, String>> = findings
            .iter()
            .map(|f| plan::plan(&doc, &ws, f, kube_minor))
            .collect();
        // Each fix written on its own (to be shown with its own edits): one whose text
        // cannot be written (an alias on the way, a field that is not a mapping) has no
        // fix, and says why.
        let mut own: Vec<Option<Vec<Edit>>> = vec![None; plans.len()];
        if describe {
            for (p, slot) in plans.iter_mut().zip(own.iter_mut()) {
                if let Ok(plan) = p {
                    match layout::edits(&doc, text, &plan.ops) {
                        Ok(edits) => *slot = Some(edits),
                        Err(why) => *p = Err(why),
                    }
                }
            }
        }
        let mut doc_fix = DocFix {
            checker: &mut checker,
            file: &file_name,
            doc: &doc,
            text,
            findings: &findings,
            errors: &doc_errors,
        };
        // What is applied.
        let chosen: Vec<usize> = plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let f = findings.get(i)?;
                p.as_ref()
                    .ok()
                    .filter(|p| select.takes(f.rule, p.applicability))
                    .map(|_| i)
            })
            .collect();
        let (applied, edits, dropped) = doc_fix.accept(&plans, &chosen);
        // What is offered: every plan, verified the same way.
        if describe {
            let every: Vec<usize> = (0..plans.len())
                .filter(|&i| plans.get(i).is_some_and(|p| p.is_ok()))
                .collect();
            let (offered, _, reasons) = if every == chosen {
                (applied.clone(), Vec::new(), dropped)
            } else {
                doc_fix.accept(&plans, &every)
            };
            for (i, p) in plans.iter().enumerate() {
                let offer = match p {
                    Err(why) => Offer::None(why.clone()),
                    Ok(_) if !offered.contains(&i) => Offer::None(
                        reasons
                            .iter()
                            .find(|(j, _)| *j == i)
                            .map(|(_, r)| not_offered(r))
                            .unwrap_or_else(|| "the fix did not pass verification".to_string()),
                    ),
                    Ok(plan) => Offer::Fix(Fix {
                        title: plan.title.clone(),
                        applicability: plan.applicability,
                        edits: own.get_mut(i).and_then(Option::take).unwrap_or_default(),
                        ops: plan.ops.clone(),
                    }),
                };
                out.offers.push(offer);
            }
        }
        let base = out.findings.len();
        out.applied.extend(applied.iter().map(|i| base + i));
        out.planned.extend(
            plans
                .iter()
                .map(|p| p.as_ref().ok().map(|p| (p.title.clone(), p.applicability))),
        );
        out.left
            .extend(plans.iter().enumerate().filter_map(|(i, p)| {
                let p = p.as_ref().ok()?;
                (!applied.contains(&i)).then_some((base + i, p.applicability))
            }));
        all_edits.extend(edits);
        out.findings.extend(findings);
        out.errors.extend(doc_errors);
    });
    out.text = apply_edits(text, &all_edits);
    out.edits = all_edits;
    Ok(out)
}

/// Why a planned fix is not offered with the others of its document: `why` it was
/// dropped. Two fixes that change the same field or text (a move into a mapping another
/// move creates) are refused together by the layout ("two changes of …"); the one kept
/// is applied, the other waits for the next pass of `--fix` ([`fix_until_settled`]),
/// as a linter's fixes that overlap do. A rename or a move that makes Kubernetes read
/// content it rejects is right but not applied ([`verify::REVEALED`]). Anything else
/// failed verification.
fn not_offered(why: &str) -> String {
    if why.starts_with(verify::REVEALED) {
        format!("{why}: correct it by hand")
    } else if why.starts_with(layout::CLASH) {
        format!(
            "another fix of this document changes the same place ({why}): `--fix` applies \
             this one on its next pass"
        )
    } else {
        format!("the fix did not pass verification: {why}")
    }
}

/// `text` with `edits` (sorted, non-overlapping, in bytes of `text`) applied.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.new_text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        if e.span.start < at || e.span.end > text.len() {
            continue;
        }
        out.push_str(text.get(at..e.span.start).unwrap_or(""));
        out.push_str(&e.new_text);
        at = e.span.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}
