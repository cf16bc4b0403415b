//! The findings and error entries of a report in the order the formats for people (text,
//! concise) list them: by file (the order of `report.files`), then document and position,
//! findings before error entries at one position.

use std::collections::HashMap;

use crate::report::{ErrorEntry, Finding, Report};
use crate::yaml::Span;

/// One entry of the output: a finding or an error entry.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry<'r> {
    Finding(&'r Finding),
    Error(&'r ErrorEntry),
}

impl<'r> Entry<'r> {
    /// The file it is in, as reported.
    pub(crate) fn file(&self) -> &'r str {
        match self {
            Entry::Finding(f) => &f.file,
            Entry::Error(e) => &e.file,
        }
    }

    /// Where, in bytes of the file's text.
    pub(crate) fn span(&self) -> Span {
        match self {
            Entry::Finding(f) => f.span,
            Entry::Error(e) => e.span,
        }
    }

    /// Within a file: by document and position, findings before error entries.
    pub(crate) fn order(&self) -> (usize, usize, u8) {
        match self {
            Entry::Finding(f) => (f.document, f.span.start, 0),
            Entry::Error(e) => (e.document, e.span.start, 1),
        }
    }
}

/// One document's findings and error entries, in [`Entry::order`].
pub(crate) fn of_batch<'r>(findings: &'r [Finding], errors: &'r [ErrorEntry]) -> Vec<Entry<'r>> {
    let mut entries: Vec<Entry<'r>> = findings
        .iter()
        .map(Entry::Finding)
        .chain(errors.iter().map(Entry::Error))
        .collect();
    entries.sort_by_key(Entry::order);
    entries
}

/// The whole report's findings and error entries: by file in the order of
/// `report.files` (a file it does not list last), then in [`Entry::order`].
pub(crate) fn of_report(report: &Report) -> Vec<Entry<'_>> {
    let file_order: HashMap<&str, usize> = report
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let mut entries: Vec<Entry<'_>> = report
        .findings
        .iter()
        .map(Entry::Finding)
        .chain(report.errors.iter().map(Entry::Error))
        .collect();
    entries.sort_by_key(|e| {
        let file = file_order.get(e.file()).copied().unwrap_or(usize::MAX);
        (file, e.order())
    });
    entries
}
