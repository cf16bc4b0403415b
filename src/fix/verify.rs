//! Verification: a document's fixes written together, parsed and checked again; the
//! object must be the original's with exactly the planned changes, the fixed findings
//! gone and no other finding or error entry new (but for what a rename or a move makes
//! Kubernetes read: see [`DocFix::landed`]). When the set fails, halving finds the
//! fixes that fail, within a budget of verifications.

use crate::hash::HashSet;
use std::sync::Arc;

use super::{apply_edits, layout, ops, Edit, Op, Plan};
use crate::engine::Checker;
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding};
use crate::yaml::{for_each_document, Document, Parsed, Span};

/// At most this many verifications per document when its fixes do not verify together
/// (each parses and checks the document again); the fixes not decided by then are not
/// applied, and say so.
pub(super) const MAX_VERIFICATIONS: usize = 64;

/// The state of [`DocFix::bisect`]: the plans kept and dropped so far, and the
/// verifications left.
struct Search {
    kept: Vec<usize>,
    dropped: Vec<(usize, String)>,
    budget: usize,
}

/// One document's fixes being verified.
pub(super) struct DocFix<'f, 'd, 'a> {
    pub(super) checker: &'f mut Checker,
    pub(super) file: &'f Arc<str>,
    pub(super) doc: &'f Document<'d>,
    pub(super) text: &'a str,
    pub(super) findings: &'f [Finding],
    /// The document's error entries (a `List` item without `kind`): the fixed document
    /// may have these, and no other.
    pub(super) errors: &'f [ErrorEntry],
}

impl DocFix<'_, '_, '_> {
    /// The plans `chosen` (indices) that pass verification, together if they can, else
    /// one by one (each kept if it verifies with those kept before it): the indices kept,
    /// the edits that apply them together, and the reason of each one dropped.
    #[allow(clippy::type_complexity)]
    pub(super) fn accept(
        &mut self,
        plans: &[Result<Plan, String>],
        chosen: &[usize],
    ) -> (Vec<usize>, Vec<Edit>, Vec<(usize, String)>) {
        if chosen.is_empty() {
            return (Vec::new(), Vec::new(), Vec::new());
        }
        let why = match self.try_set(plans, chosen) {
            Ok(edits) => return (chosen.to_vec(), edits, Vec::new()),
            Err(why) => why,
        };
        if let [one] = chosen {
            return (Vec::new(), Vec::new(), vec![(*one, why)]);
        }
        // Find the fixes that fail by halving: about 2·f·log(n/f) verifications for f
        // failing fixes of n, within a budget per document.
        let mut search = Search {
            kept: Vec::new(),
            dropped: Vec::new(),
            budget: MAX_VERIFICATIONS,
        };
        let (a, b) = chosen.split_at(chosen.len() / 2);
        self.bisect(plans, a, &mut search);
        self.bisect(plans, b, &mut search);
        let edits = match self.try_set(plans, &search.kept) {
            Ok(edits) => edits,
            Err(why) => {
                search
                    .dropped
                    .extend(search.kept.drain(..).map(|i| (i, why.clone())));
                Vec::new()
            }
        };
        search.dropped.sort_unstable_by_key(|d| d.0);
        (search.kept, edits, search.dropped)
    }

    /// Keeps the plans of `set` that verify with those kept so far (see [`Search`]).
    fn bisect(&mut self, plans: &[Result<Plan, String>], set: &[usize], search: &mut Search) {
        if set.is_empty() {
            return;
        }
        if search.budget == 0 {
            let why = "not verified: too many of this document's fixes failed".to_string();
            search.dropped.extend(set.iter().map(|&i| (i, why.clone())));
            return;
        }
        search.budget -= 1;
        let mut with = search.kept.clone();
        with.extend_from_slice(set);
        match self.try_set(plans, &with) {
            Ok(_) => search.kept = with,
            Err(why) => match set {
                [one] => search.dropped.push((*one, why)),
                _ => {
                    let (a, b) = set.split_at(set.len() / 2);
                    self.bisect(plans, a, search);
                    self.bisect(plans, b, search);
                }
            },
        }
    }

    /// Writes the plans `set` together and verifies them.
    fn try_set(
        &mut self,
        plans: &[Result<Plan, String>],
        set: &[usize],
    ) -> Result<Vec<Edit>, String> {
        let mut ops: Vec<Op> = Vec::new();
        let mut seen: HashSet<String> = HashSet::default();
        for &i in set {
            if let Some(Ok(p)) = plans.get(i) {
                for op in &p.ops {
                    if seen.insert(format!("{op:?}")) {
                        ops.push(op.clone());
                    }
                }
            }
        }
        let edits = layout::edits(self.doc, self.text, &ops)?;
        self.verify(&ops, &edits, set)?;
        Ok(edits)
    }

    /// Parses the document with `edits` applied: no YAML error, its object is the
    /// original's with `ops` applied, and its findings are the original's that `fixed`
    /// (indices) do not fix, where `ops` left them.
    fn verify(&mut self, ops: &[Op], edits: &[Edit], fixed: &[usize]) -> Result<(), String> {
        let span = self.doc.span;
        let slice = self
            .text
            .get(span.start..span.end)
            .ok_or("no document text")?;
        let shifted: Vec<Edit> = edits
            .iter()
            .map(|e| {
                Edit::new(
                    Span::new(
                        e.span.start.saturating_sub(span.start),
                        e.span.end.saturating_sub(span.start),
                    ),
                    e.new_text.clone(),
                )
            })
            .collect();
        if edits
            .iter()
            .any(|e| e.span.start < span.start || e.span.end > span.end)
        {
            return Err("an edit outside the document".into());
        }
        let new_text = apply_edits(slice, &shifted);
        let limits = self.checker.options().limits;
        let mut expected = match self.doc.root {
            Some(root) => {
                // The comparison expands aliases: a document whose aliases multiply it
                // (nine levels of nine) is not fixed automatically.
                let cap = self
                    .doc
                    .nodes
                    .len()
                    .saturating_add(limits.max_alias_expansions);
                if self.doc.expanded_size(root, cap) > cap {
                    return Err(format!(
                        "the document's aliases expand it past {} nodes: fix it by hand",
                        limits.max_alias_expansions
                    ));
                }
                self.doc.to_json(root)
            }
            None => return Err("an empty document".into()),
        };
        ops::apply(&mut expected, ops)?;
        let mut error = None;
        let mut docs: Vec<Document<'_>> = Vec::new();
        for_each_document(&new_text, &limits, &[], |parsed| match parsed {
            Parsed::Error(e) => {
                error.get_or_insert(e.message);
            }
            Parsed::Document(d) if d.root.is_some() => docs.push(d),
            Parsed::Document(_) => {}
        });
        if let Some(e) = error {
            return Err(format!("the fixed text does not parse: {e}"));
        }
        let [new_doc] = docs.as_slice() else {
            return Err("the fixed text is not one document".into());
        };
        if new_doc.root.map(|r| new_doc.to_json(r)) != Some(expected) {
            return Err("the fixed object is not the original with the planned changes".into());
        }
        let lines = Lines::new(&new_text);
        let batch = self.checker.check_parsed(self.file, new_doc, Some(&lines));
        let allowed: HashSet<(&str, String)> = self
            .findings
            .iter()
            .enumerate()
            .filter(|(i, _)| !fixed.contains(i))
            .filter_map(|(_, f)| Some((f.rule, ops::moved_pointer(&f.path, ops)?)))
            .collect();
        let landed = self.landed(ops);
        // A finding at what a rename or a move writes is allowed (not a duplicated key).
        let landed_at =
            |f: &Finding| f.rule != "duplicate-key" && landed.iter().any(|l| within(&f.path, l));
        if let Some(f) = batch
            .findings
            .iter()
            .find(|f| !allowed.contains(&(f.rule, f.path.clone())) && !landed_at(f))
        {
            return Err(format!("{} remains or appears at {}", f.rule, f.path));
        }
        // A rename or a move may change how an error names its resource (a misspelled
        // `metadata` renamed gives the Pod its name): then no more errors than before.
        let movers = ops.iter().any(|op| op.destination().is_some());
        let as_many = movers && batch.errors.len() <= self.errors.len();
        if let Some(e) = batch
            .errors
            .iter()
            .find(|e| !as_many && !self.errors.iter().any(|o| o.message == e.message))
        {
            // The text is right (the object is the planned one): a rename or a move made
            // Kubernetes read what the key holds, and that is rejected.
            if movers {
                return Err(format!("{REVEALED}: {}", e.message));
            }
            return Err(format!("the fixed document has an error: {}", e.message));
        }
        Ok(())
    }

    /// What the renames and moves of `ops` write where nothing was: for each, the first
    /// mapping or field on the way to its destination that the original document does not
    /// have (the renamed key itself; a new `securityContext` holding a moved field; the
    /// destination itself when it was there as `null`). The
    /// findings there are about the author's own value, which Kubernetes now reads (a
    /// `privileged: true` that was misspelled): they are reported after the fix, not
    /// a reason to refuse it. And the root of each workload without a pod spec, when a
    /// rename or a move may give it one.
    fn landed(&self, ops: &[Op]) -> Vec<String> {
        let Some(root) = self.doc.root else {
            return Vec::new();
        };
        // A workload without a pod spec (`spec.tempalte`, `containers` under `metadata`)
        // is judged for the first time once a rename or a move gives it one: any of its
        // findings may appear.
        let unjudged: Vec<String> = if ops.iter().any(|op| op.destination().is_some()) {
            crate::workload::extract(self.doc)
                .workloads
                .into_iter()
                .filter(|w| w.spec.is_none())
                .map(|w| w.root_pointer)
                .collect()
        } else {
            Vec::new()
        };
        ops.iter()
            .filter_map(Op::destination)
            .map(|dest| {
                // A `null` that was there counts as nothing.
                super::created_on_the_way(self.doc, root, &dest)
                    .unwrap_or_else(|| ops::to_pointer(&dest))
            })
            .chain(unjudged)
            .collect()
    }
}

/// How the refusal of a rename or a move begins when the fixed object is the planned one
/// but has an error the original had not: Kubernetes would then read what the key holds
/// (`spec.tempalte` renamed, its `spec` a string) and reject it. The fix is right; the
/// content needs a person.
pub(super) const REVEALED: &str =
    "renamed or moved, what the key holds would be read by Kubernetes and rejected";

/// Whether JSON pointer `pointer` is `root` or inside it.
fn within(pointer: &str, root: &str) -> bool {
    pointer
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}
