//! Fixes in the reports: the [`FixTable`] a front end fills with each finding's
//! [`Offer`] ([`crate::fix::fix_text`] with `describe`), and their JSON shape
//! (`fixes: [{title, applicability, edits: [{range, newText}]}]`, or `noFix: "why"`).
//! SARIF writes the same offers as `fixes` objects (SARIF 2.1.0 §3.55).

use std::collections::HashMap;

use serde::Serialize;

use super::json::{range, Positions, Range};
use crate::fix::{Applicability, Fixed, Offer};
use crate::position::LineIndex;
use crate::report::Finding;

/// The `noFix` of every finding of a file that is not UTF-8: fixes edit text, and such a
/// file's text is not what the engine read (each invalid byte read as `?`), so it is not
/// fixed (`--fix` says so too).
pub const NOT_UTF8: &str = "the file is not UTF-8: it is not fixed";

/// Each finding's [`Offer`], looked up by the finding (its document, rule, JSON pointer
/// and span), for the writers of the JSON report and of SARIF.
#[derive(Debug, Clone, Default)]
pub struct FixTable {
    offers: HashMap<(usize, &'static str, String, usize, usize), Offer>,
    /// Why the file is not fixed at all ([`FixTable::not_fixed`]), if it is not.
    unfixed: Option<&'static str>,
}

impl FixTable {
    /// The offers [`crate::fix::fix_text`] made for one file (`describe` on).
    pub fn new(fixed: Fixed) -> FixTable {
        let offers = fixed
            .findings
            .into_iter()
            .zip(fixed.offers)
            .map(|(f, o)| ((f.document, f.rule, f.path, f.span.start, f.span.end), o))
            .collect();
        FixTable {
            offers,
            unfixed: None,
        }
    }

    /// The table of a file that is not fixed at all: every finding shows `noFix: reason`
    /// (the CLI's `--show-fixes` and the JS API's `check(bytes, {fixes: true})` for a file
    /// that is not UTF-8, [`NOT_UTF8`]).
    pub fn not_fixed(reason: &'static str) -> FixTable {
        FixTable {
            offers: HashMap::new(),
            unfixed: Some(reason),
        }
    }

    /// Why the file is not fixed at all, if it is not ([`FixTable::not_fixed`]).
    pub fn unfixed(&self) -> Option<&'static str> {
        self.unfixed
    }

    /// Why `f` has no offer when [`FixTable::get`] finds none: the file's reason, else
    /// the fix planner never saw it.
    pub fn missing(&self) -> &'static str {
        self.unfixed.unwrap_or("the finding was not planned")
    }

    /// The offer for `f`, if the table has one.
    pub fn get(&self, f: &Finding) -> Option<&Offer> {
        self.offers
            .get(&(f.document, f.rule, f.path.clone(), f.span.start, f.span.end))
    }
}

/// One fix in the JSON report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixJson<'a> {
    /// What it does.
    pub title: &'a str,
    /// `safe` or `unsafe`.
    pub applicability: Applicability,
    /// Its edits over the reported text.
    pub edits: Vec<EditJson<'a>>,
}

/// One edit in the JSON report: replace `range` by `newText`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditJson<'a> {
    /// What is replaced (empty for an insertion).
    pub range: Range,
    /// The new text.
    pub new_text: &'a str,
}

/// An offer as the JSON report's `fixes` (empty without a fix) and `noFix` (the reason).
pub(crate) fn offer_json<'a>(
    offer: &'a Offer,
    li: Option<&LineIndex<'_>>,
    positions: Positions,
) -> (Vec<FixJson<'a>>, Option<&'a str>) {
    match offer {
        Offer::None(why) => (Vec::new(), Some(why)),
        Offer::Fix(fix) => {
            let Some(li) = li else {
                return (Vec::new(), Some("no positions without the text"));
            };
            let edits = fix
                .edits
                .iter()
                .map(|e| EditJson {
                    range: range(li, e.span, positions),
                    new_text: &e.new_text,
                })
                .collect();
            (
                vec![FixJson {
                    title: &fix.title,
                    applicability: fix.applicability,
                    edits,
                }],
                None,
            )
        }
    }
}
