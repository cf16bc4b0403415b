//! The engine: one API under every front end.
//!
//! A [`Checker`] is made once from validated [`Options`]; each input goes through one of
//! its `check_*` methods (text, bytes as read from a file, or a decoded JSON object); each
//! returns what that input gave ([`Checked`]: findings, the findings an annotation
//! suppressed, error entries); [`Checker::finish`] returns the whole [`Report`]. The CLI,
//! the JS API, the admission policies and the language server all call it the same way,
//! and convert byte spans to their own positions at their edge
//! ([`crate::position::LineIndex`]).
//!
//! Per input: parse ([`crate::yaml`]) → workloads ([`crate::workload`]) → the document's
//! duplicated keys, attributed to the resource that holds each (`duplicates.rs`), and the
//! ignore annotation's typos of the resources without a pod template (`ignore_typos.rs`)
//! → for each workload, the rules its policies call for ([`judge`]) → spans for pointers
//! ([`span`]) → findings sorted by document, position and rule.

mod admission;
mod document;
mod duplicates;
mod ignore_typos;
mod judge;
mod near_miss;
mod parallel;
pub mod span;

use std::borrow::Cow;
use std::sync::Arc;

use crate::baseline::Matcher;
use crate::options::{Options, OptionsError};
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding, Report, ReportOptions, Summary};

use crate::yaml::{document_from_json, split_stream, Document, Parsed, Span, Split};

pub use judge::IGNORE_ANNOTATION;
pub use near_miss::{near_miss, NearMiss, INHERITED, NEAR_MISS_MARK};
#[cfg(feature = "cli")]
pub(crate) use parallel::{for_each_in_order, map_in_order};
pub use parallel::{Input, Parallel, Render, AHEAD, MAX_THREADS, UNIT_BYTES};

/// A file's bytes as text that keeps every byte offset: valid UTF-8 as it is, each byte of
/// an invalid sequence replaced by `?` (one byte, so the offsets after it do not move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'b> {
    /// The text (borrowed when the bytes are UTF-8).
    pub text: Cow<'b, str>,
    /// `(offset, original byte)` of each replaced byte, ascending.
    pub invalid: Vec<(usize, u8)>,
}

impl Decoded<'_> {
    /// Whether the bytes started with a UTF-16 byte order mark (`FF FE` or `FE FF`, read
    /// from the bytes the decoding replaced): such a file is one error entry
    /// ([`utf16_batch`]), nothing in it is checked.
    pub fn is_utf16(&self) -> bool {
        matches!(
            self.invalid.get(..2),
            Some([(0, 0xFF), (1, 0xFE)] | [(0, 0xFE), (1, 0xFF)])
        )
    }
}

/// The batch of a UTF-16 file ([`Decoded::is_utf16`]): its one error entry.
fn utf16_batch(file: &str) -> Batch {
    Batch {
        document: 0,
        errors: vec![ErrorEntry {
            file: file.to_string(),
            document: 0,
            message: "the file is UTF-16 (it starts with a UTF-16 byte order mark): \
                      convert it to UTF-8"
                .to_string(),
            span: Span::new(0, 0),
        }],
        ..Batch::default()
    }
}

/// Decodes a file's bytes keeping every offset (see [`Decoded`]): what
/// [`Checker::check_bytes`] checks, and what a front end shows (code frames, positions).
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            invalid: Vec::new(),
        };
    }
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &b in chunk.invalid() {
            invalid.push((text.len(), b));
            text.push('?');
        }
    }
    Decoded {
        text: Cow::Owned(text),
        invalid,
    }
}

/// What one `check_*` call gave: views into the checker's report, in report order.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'c> {
    /// The findings.
    pub findings: &'c [Finding],
    /// The findings a `kube-secctx.io/ignore` annotation suppressed.
    pub suppressed: &'c [Finding],
    /// The error entries (documents or items that could not be checked).
    pub errors: &'c [ErrorEntry],
}

/// What one document of an input gave, handed to the sink of the `check_*_with` methods
/// as soon as the document is checked (its tree is dropped before the next one is
/// built). Batches come in document order, so their concatenation is the report's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Document index in the stream, 0-based.
    pub document: usize,
    /// The findings, by position (start, then end), then rule and message.
    pub findings: Vec<Finding>,
    /// The findings a `kube-secctx.io/ignore` annotation suppressed, in the same order.
    pub suppressed: Vec<Finding>,
    /// The error entries, by position.
    pub errors: Vec<ErrorEntry>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.suppressed.is_empty() && self.errors.is_empty()
    }
}

/// A report of nothing yet, with `opts` in its header.
fn empty_report(opts: &Options) -> Report {
    Report {
        version: crate::VERSION,
        options: ReportOptions {
            level: opts.level,
            pss_version: opts.pss_version.resolved(),
            kube_version: (opts.kube_version != crate::KubeVersion::Latest)
                .then(|| opts.kube_version.resolved()),
            select: opts.select.clone(),
            ignore: opts.ignore.clone(),
        },
        files: Vec::new(),
        findings: Vec::new(),
        suppressed: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
        summary: Summary::default(),
    }
}

/// Appends `more` to `to`, moving it whole when `to` is empty (one resource per document
/// is the common case: no copy, no second buffer).
fn append<T>(to: &mut Vec<T>, mut more: Vec<T>) {
    if to.is_empty() {
        *to = more;
    } else {
        to.append(&mut more);
    }
}

/// One text being checked, as the document ranges of [`Checker::check_range`] read it.
#[derive(Clone, Copy)]
struct Stream<'s, 't> {
    /// The file's name, shared by its findings.
    file: &'s Arc<str>,
    /// The text cut into documents.
    split: &'s Split<'t>,
    /// The replaced bytes of the text ([`Decoded::invalid`]).
    invalid: &'s [(usize, u8)],
    /// The text and its line index, built when a message first names a line.
    lines: &'s Lines<'t>,
}

/// Where the `check_*_with` methods hand each document's [`Batch`].
pub type Sink<'s> = dyn FnMut(Batch) + 's;

/// Checks inputs with one set of options and gathers one [`Report`].
///
/// The `check_*` methods keep what each input gave in the report (and return a view of
/// it); the `check_*_with` methods hand it to a sink document by document and keep only
/// the file names and the summary, so a front end can render a report of any size
/// without holding it (the CLI does).
///
/// ```
/// use kube_secctx::{Checker, Options};
/// let mut checker = Checker::new(&Options::default())?;
/// let pod = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, image: b, securityContext: {privileged: true}}\n";
/// let checked = checker.check_text("pod.yaml", pod);
/// let f = checked.findings.iter().find(|f| f.rule == "privileged-container").unwrap();
/// assert_eq!(&pod[f.span.start..f.span.end], "true");
/// let report = checker.finish();
/// assert_eq!(report.summary.files, 1);
/// # Ok::<(), kube_secctx::OptionsError>(())
/// ```
#[derive(Debug)]
pub struct Checker {
    opts: Options,
    plans: judge::Plans,
    report: Report,
    /// The accepted findings, when a baseline applies (see [`Checker::set_baseline`]).
    baseline: Option<Matcher>,
    /// Rules not run in the inputs checked now, beside [`Options::ignore`]
    /// ([`Checker::set_file_ignore`]).
    file_ignore: Vec<&'static str>,
}

impl Checker {
    /// A checker for `opts`.
    ///
    /// # Errors
    /// [`OptionsError::UnknownRule`] when `select`, `ignore` or `also` names a rule that
    /// does not exist.
    pub fn new(opts: &Options) -> Result<Checker, OptionsError> {
        opts.validate()?;
        Ok(Checker {
            plans: judge::Plans::new(opts),
            report: empty_report(opts),
            opts: opts.clone(),
            baseline: None,
            file_ignore: Vec::new(),
        })
    }

    /// Rules not to run in the inputs checked from now on, beside [`Options::ignore`],
    /// until the next call (an empty list ends it): a configuration file's per-file
    /// ignores (`perFileIgnores`), which the CLI sets before each file. A rule named here
    /// is not run at all, as if it were in `ignore`: its findings are neither reported
    /// nor counted (not even as suppressed), and the report's options are unchanged.
    ///
    /// # Errors
    /// [`OptionsError::UnknownRule`] (list [`crate::options::RuleList::Ignore`]) for an ID
    /// that is not a rule; the list in force is then unchanged.
    ///
    /// ```
    /// use kube_secctx::{Checker, Options};
    /// let pod = "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  containers:\n  - {name: a, image: b, securityContext: {privileged: true}}\n";
    /// let opts = Options { level: Some(kube_secctx::Level::Baseline), ..Options::default() };
    /// let mut checker = Checker::new(&opts)?;
    /// checker.set_file_ignore(&["privileged-container".to_string()])?;
    /// let rules: Vec<_> = checker.check_text("legacy/pod.yaml", pod).findings.iter().map(|f| f.rule).collect();
    /// assert_eq!(rules, ["host-namespaces"]);
    /// checker.set_file_ignore(&[])?;
    /// assert_eq!(checker.check_text("pod.yaml", pod).findings.len(), 2);
    /// let report = checker.finish();
    /// assert_eq!((report.summary.findings, report.summary.suppressed), (3, 0));
    /// assert!(report.options.ignore.is_empty());
    /// # Ok::<(), kube_secctx::OptionsError>(())
    /// ```
    pub fn set_file_ignore(&mut self, ids: &[String]) -> Result<(), OptionsError> {
        let mut rules = Vec::with_capacity(ids.len());
        for id in ids {
            match crate::rules::rule(id) {
                Some(rule) => rules.push(rule.id),
                None => {
                    return Err(OptionsError::UnknownRule {
                        id: id.clone(),
                        list: crate::options::RuleList::Ignore,
                    })
                }
            }
        }
        self.file_ignore = rules;
        Ok(())
    }

    /// Applies a baseline to the inputs checked from now on: each finding `matcher`
    /// accepts is dropped before the summary counts it and before a sink or the report
    /// sees it, and is counted in [`Summary::baselined`](crate::report::Summary) instead
    /// (suppressed findings are not offered to it). See [`crate::baseline`].
    pub fn set_baseline(&mut self, matcher: Matcher) {
        self.baseline = Some(matcher);
    }

    /// The baseline applied, with what it accepted and what is left of it (stale
    /// entries, once every input is checked).
    pub fn baseline(&self) -> Option<&Matcher> {
        self.baseline.as_ref()
    }

    /// The options this checker runs with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Counts `n` files a front end skipped as not Kubernetes manifests
    /// ([`crate::detect`]; the report's `summary.skipped`).
    pub fn count_skipped(&mut self, n: usize) {
        self.report.summary.skipped += n;
    }

    /// Adds a note to the report (counted in `summary.notes`), e.g. one of
    /// [`crate::psa::Cluster::notes`].
    pub fn note(&mut self, note: crate::psa::Note) {
        self.report.notes.push(note);
        self.report.summary.notes += 1;
    }

    /// The whole report.
    pub fn finish(self) -> Report {
        self.report
    }

    /// Checks one manifest text (a multi-document YAML stream, or JSON) under the name
    /// `file`. Never panics: invalid YAML, a limit, a document that is not a Kubernetes
    /// object are error entries with their span, and the other documents are still
    /// checked.
    pub fn check_text(&mut self, file: &str, text: &str) -> Checked<'_> {
        self.keep(|c, sink| c.check_text_with(file, text, sink))
    }

    /// [`Checker::check_text`], handing each document's results to `sink` instead of
    /// keeping them (see [`Batch`]).
    pub fn check_text_with(&mut self, file: &str, text: &str, sink: &mut Sink<'_>) {
        self.check_stream(file, text, &[], sink);
    }

    /// Checks one file's bytes, as read. A document that is not UTF-8 is an error entry
    /// at its first invalid byte, and the other documents are checked as
    /// [`Checker::check_text`] checks them; a file that starts with a UTF-16 byte order
    /// mark is one error entry. Front ends show the file as [`decode`] gives it, which
    /// keeps every byte offset.
    pub fn check_bytes(&mut self, file: &str, bytes: &[u8]) -> Checked<'_> {
        self.keep(|c, sink| c.check_bytes_with(file, bytes, sink))
    }

    /// [`Checker::check_bytes`] for bytes the caller has already [`decode`]d (to show
    /// the text the report's positions are in: the JS API's `check()` of a
    /// `Uint8Array`).
    pub fn check_decoded(&mut self, file: &str, decoded: &Decoded<'_>) -> Checked<'_> {
        self.keep(|c, sink| c.check_decoded_with(file, decoded, sink))
    }

    /// [`Checker::check_bytes`], handing each document's results to `sink` instead of
    /// keeping them (see [`Batch`]).
    pub fn check_bytes_with(&mut self, file: &str, bytes: &[u8], sink: &mut Sink<'_>) {
        self.check_decoded_with(file, &decode(bytes), sink);
    }

    /// [`Checker::check_bytes_with`] for bytes the caller has already [`decode`]d (the
    /// CLI decodes each file once, for the check and for its positions and code frames).
    /// A UTF-16 byte order mark is read from the bytes the decoding replaced.
    pub fn check_decoded_with(&mut self, file: &str, decoded: &Decoded<'_>, sink: &mut Sink<'_>) {
        if decoded.is_utf16() {
            self.begin(file);
            self.flush(utf16_batch(file), sink);
            return;
        }
        self.check_stream(file, &decoded.text, &decoded.invalid, sink);
    }

    /// Parses and checks a stream document by document: each tree is checked and dropped
    /// before the next is built.
    fn check_stream(
        &mut self,
        file: &str,
        text: &str,
        invalid: &[(usize, u8)],
        sink: &mut Sink<'_>,
    ) {
        self.begin(file);
        let file_name: Arc<str> = Arc::from(file);
        let split = split_stream(text, &self.opts.limits);
        // Indexed when a message first names a line.
        let lines = Lines::new(text);
        let stream = Stream {
            file: &file_name,
            split: &split,
            invalid,
            lines: &lines,
        };
        self.check_range(&stream, 0..split.len(), &mut |c, batch| {
            c.flush(batch, sink)
        });
        self.report.summary.documents += split.len();
    }

    /// Checks the documents `range` of a stream and hands `each` one unsorted [`Batch`]
    /// per document that gave anything, in document order (with this checker, so that it
    /// may [`Checker::flush`] them). Reads only the options, the rule plans and the file
    /// ignores, and counts resources: a fork of the checker ([`Checker::fork`]) checks
    /// any range on another thread and gives the same batches.
    fn check_range(
        &mut self,
        stream: &Stream<'_, '_>,
        range: std::ops::Range<usize>,
        each: &mut dyn FnMut(&mut Self, Batch),
    ) {
        let Stream {
            file,
            split,
            invalid,
            lines,
        } = *stream;
        let text = lines.text();
        // An error at the very end ("unexpected end of input") points at the end of the
        // last line, not at a line after it that editors and SARIF do not have.
        let eof = text.trim_end_matches(['\n', '\r']).len();
        let mut batch = Batch {
            document: range.start,
            ..Batch::default()
        };
        let limits = self.opts.limits;
        // Resources that cannot hold a pod template are skimmed: their trees hold only
        // what the checks read (see `yaml::Split::parse_skimming`).
        let skim = crate::workload::skimmable;
        split.parse_skimming(range, &limits, invalid, skim, |parsed| {
            let document = match &parsed {
                Parsed::Document(doc) => doc.index,
                Parsed::Error(e) => e.document,
            };
            if document != batch.document {
                let done = std::mem::take(&mut batch);
                if !done.is_empty() {
                    each(self, done);
                }
                batch.document = document;
            }
            match parsed {
                Parsed::Error(e) => batch.errors.push(ErrorEntry {
                    file: file.to_string(),
                    document: e.document,
                    message: e.message,
                    span: if e.span.start > eof {
                        Span::new(eof, eof)
                    } else {
                        e.span
                    },
                }),
                Parsed::Document(doc) => {
                    self.document(file, &doc, Some(lines), &mut batch);
                }
            }
        });
        if !batch.is_empty() {
            each(self, batch);
        }
    }

    /// Checks a decoded JSON object (an admission request's `object`) as one document,
    /// without text: every span is empty, JSON pointers say where.
    pub fn check_object(&mut self, file: &str, object: &serde_json::Value) -> Checked<'_> {
        self.check_document(file, &document_from_json(object))
    }

    /// Checks one document tree built without text (by [`document_from_json`]), for a
    /// front end that also reads the tree itself: admission builds it once for its own
    /// semantics and for the check.
    pub fn check_document(&mut self, file: &str, doc: &Document<'_>) -> Checked<'_> {
        self.keep(|c, sink| {
            c.begin(file);
            c.report.summary.documents += 1;
            let mut batch = Batch {
                document: doc.index,
                ..Batch::default()
            };
            c.document(&Arc::from(file), doc, None, &mut batch);
            c.flush(batch, sink);
        })
    }

    /// Runs `check` with a sink that keeps every batch in the report, and returns the
    /// view of what it added.
    fn keep(&mut self, check: impl FnOnce(&mut Self, &mut Sink<'_>)) -> Checked<'_> {
        let mut kept = Batch::default();
        // Moved, not copied, where a list is still empty (the first batch; the report's
        // lists before the first check).
        check(self, &mut |b: Batch| {
            append(&mut kept.findings, b.findings);
            append(&mut kept.suppressed, b.suppressed);
            append(&mut kept.errors, b.errors);
        });
        let report = &mut self.report;
        let starts = (
            report.findings.len(),
            report.suppressed.len(),
            report.errors.len(),
        );
        append(&mut report.findings, kept.findings);
        append(&mut report.suppressed, kept.suppressed);
        append(&mut report.errors, kept.errors);
        let report = &self.report;
        Checked {
            findings: report.findings.get(starts.0..).unwrap_or_default(),
            suppressed: report.suppressed.get(starts.1..).unwrap_or_default(),
            errors: report.errors.get(starts.2..).unwrap_or_default(),
        }
    }

    fn begin(&mut self, file: &str) {
        self.report.files.push(file.to_string());
        self.report.summary.files += 1;
    }
}
