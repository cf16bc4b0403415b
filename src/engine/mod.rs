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
//! Per input: parse ([`crate::yaml`]) → workloads ([`crate::workload`]) → for each
//! resource, the rules its policies call for ([`judge`]) → spans for pointers ([`span`])
//! → findings sorted by document, position and rule.

mod judge;
pub mod span;

use std::borrow::Cow;

use crate::options::{Options, OptionsError};
use crate::position::LineIndex;
use crate::report::{ErrorEntry, Finding, Report, ReportOptions, Summary};
use crate::workload::{extract, Extracted};
use crate::yaml::{
    document_from_json, parse_stream, parse_stream_decoded, Document, Span, Stream, YamlError,
};

pub use judge::IGNORE_ANNOTATION;

/// A file's bytes as text that keeps every byte offset: valid UTF-8 as it is, each byte of
/// an invalid sequence replaced by `?` (one byte, so the offsets after it do not move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'b> {
    /// The text (borrowed when the bytes are UTF-8).
    pub text: Cow<'b, str>,
    /// `(offset, original byte)` of each replaced byte, ascending.
    pub invalid: Vec<(usize, u8)>,
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

/// Checks inputs with one set of options and gathers one [`Report`].
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
            report: Report {
                version: crate::VERSION,
                options: ReportOptions {
                    level: opts.level,
                    pss_version: opts.pss_version.resolved(),
                    select: opts.select.clone(),
                    ignore: opts.ignore.clone(),
                },
                files: Vec::new(),
                findings: Vec::new(),
                suppressed: Vec::new(),
                errors: Vec::new(),
                summary: Summary::default(),
            },
            opts: opts.clone(),
        })
    }

    /// The options this checker runs with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
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
        let stream = parse_stream(text, &self.opts.limits);
        self.check_stream(file, text, &stream)
    }

    /// Checks one file's bytes, as read. A document that is not UTF-8 is an error entry
    /// at its first invalid byte, and the other documents are checked as
    /// [`Checker::check_text`] checks them; a file that starts with a UTF-16 byte order
    /// mark is one error entry. Front ends show the file as [`decode`] gives it, which
    /// keeps every byte offset.
    pub fn check_bytes(&mut self, file: &str, bytes: &[u8]) -> Checked<'_> {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            let mut file_check = self.begin(file, 0);
            file_check.errors.push(ErrorEntry {
                file: file.to_string(),
                document: 0,
                message: "the file is UTF-16 (it starts with a UTF-16 byte order mark): \
                          convert it to UTF-8"
                    .to_string(),
                span: Span::new(0, 0),
            });
            return file_check.end();
        }
        let decoded = decode(bytes);
        let stream = parse_stream_decoded(&decoded.text, &self.opts.limits, &decoded.invalid);
        self.check_stream(file, &decoded.text, &stream)
    }

    fn check_stream(&mut self, file: &str, text: &str, stream: &Stream<'_>) -> Checked<'_> {
        // Only the duplicate-key diagnostic names lines: index them when it will.
        let lines = stream
            .documents
            .iter()
            .any(|d| !d.duplicates.is_empty())
            .then(|| LineIndex::new(text));
        // An error at the very end ("unexpected end of input") points at the end of the
        // last line, not at a line after it that editors and SARIF do not have.
        let eof = text.trim_end_matches(['\n', '\r']).len();
        let mut file_check = self.begin(file, stream.document_count);
        file_check.yaml_errors(&stream.errors, eof);
        for doc in &stream.documents {
            file_check.document(doc, lines.as_ref());
        }
        file_check.end()
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
        let mut file_check = self.begin(file, 1);
        file_check.document(doc, None);
        file_check.end()
    }

    fn begin<'c>(&'c mut self, file: &str, documents: usize) -> FileCheck<'c> {
        self.report.files.push(file.to_string());
        self.report.summary.files += 1;
        self.report.summary.documents += documents;
        FileCheck {
            file: file.to_string(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
            checker: self,
        }
    }
}

/// One input being checked: what it gave so far, added to the report by [`FileCheck::end`].
struct FileCheck<'c> {
    checker: &'c mut Checker,
    file: String,
    findings: Vec<Finding>,
    suppressed: Vec<Finding>,
    errors: Vec<ErrorEntry>,
}

impl<'c> FileCheck<'c> {
    fn yaml_errors(&mut self, errors: &[YamlError], eof: usize) {
        for e in errors {
            let span = if e.span.start > eof {
                Span::new(eof, eof)
            } else {
                e.span
            };
            self.errors.push(ErrorEntry {
                file: self.file.clone(),
                document: e.document,
                message: e.message.clone(),
                span,
            });
        }
    }

    fn document(&mut self, doc: &Document<'_>, lines: Option<&LineIndex<'_>>) {
        let Extracted { workloads, errors } = extract(doc);
        for (message, span) in errors {
            self.errors.push(ErrorEntry {
                file: self.file.clone(),
                document: doc.index,
                message,
                span: Span::new(span.start, span.start),
            });
        }
        let checker = &mut *self.checker;
        for w in &workloads {
            let Some(spec) = w.spec else { continue };
            checker.report.summary.resources += 1;
            let judged = judge::judge(
                &checker.opts,
                &mut checker.plans,
                &judge::Resource {
                    file: &self.file,
                    doc,
                    workload: w,
                    spec,
                    lines,
                },
            );
            self.findings.extend(judged.findings);
            self.suppressed.extend(judged.suppressed);
        }
    }

    fn end(self) -> Checked<'c> {
        let FileCheck {
            checker,
            mut findings,
            mut suppressed,
            mut errors,
            ..
        } = self;
        let order = |a: &Finding, b: &Finding| {
            (a.document, a.span.start, a.span.end, a.rule, &a.message).cmp(&(
                b.document,
                b.span.start,
                b.span.end,
                b.rule,
                &b.message,
            ))
        };
        findings.sort_by(order);
        suppressed.sort_by(order);
        errors.sort_by_key(|e| (e.document, e.span.start));
        let report = &mut checker.report;
        let s = &mut report.summary;
        s.errors += errors.len();
        s.findings += findings.len();
        s.suppressed += suppressed.len();
        for f in &findings {
            *s.by_rule.entry(f.rule.to_string()).or_default() += 1;
            *s.by_severity
                .entry(f.severity.as_str().to_string())
                .or_default() += 1;
        }
        let starts = (
            report.findings.len(),
            report.suppressed.len(),
            report.errors.len(),
        );
        report.findings.append(&mut findings);
        report.suppressed.append(&mut suppressed);
        report.errors.append(&mut errors);
        let report: &'c Report = &checker.report;
        Checked {
            findings: report.findings.get(starts.0..).unwrap_or_default(),
            suppressed: report.suppressed.get(starts.1..).unwrap_or_default(),
            errors: report.errors.get(starts.2..).unwrap_or_default(),
        }
    }
}
