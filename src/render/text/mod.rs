//! Human-readable output in the rustc/ruff style.
//!
//! Each finding is a header line, a code frame and the fix:
//!
//! ```text
//! deploy.yaml:21:23: privileged-container [PSS baseline] privileged: container "nginx" must not set securityContext.privileged=true
//!    |
//! 21 |           privileged: true
//!    |                       ^^^^
//!    |
//!    = fix: remove `privileged: true` from the container's securityContext (or set it to false)
//! ```
//!
//! Above the first finding of each resource, a line names it: its kind, its namespace
//! (when the manifest sets one) and name, and its file, e.g.
//! `Deployment prod/web (deploy.yaml)`, so that a file of many resources (a `kubectl get
//! pods -A -o yaml` dump, a `List`, a multi-document stream) reads resource by resource,
//! as kube-score's output does. A resource without findings gets no line.
//!
//! The header is `path:line:column: rule [tag] message`, where line and column are
//! **1-based** and the column counts **characters** (Unicode scalar values), as in the
//! JSON report. The tag is `PSS baseline` or `PSS restricted` (the PSA check's own level)
//! for Pod Security Standards findings, `hardening` or `diagnostic` for the others. An error
//! entry (a document that could not be checked) is `path:line:column: error: message`
//! with its frame, and belongs to no resource (the finding after it names its resource
//! again). Entries are grouped by file, in position order, and the output ends with a
//! summary line.

use std::collections::HashMap;
use std::sync::Arc;

use annotate_snippets::renderer::{AnsiColor, DecorStyle, Effects, Style};
use annotate_snippets::{Level, Renderer};

mod frame;

use frame::{frame, render_group};

use super::entries::{of_batch, of_report, Entry};
use super::fixes::FixTable;
use super::{index_for, plural, Sources};
use crate::fix::{Applicability, Offer};
use crate::position::{LineIndex, Unit};
use crate::psa::Note;
use crate::report::{ErrorEntry, Finding, Report, ResourceRef, Severity};
use crate::rules::{self, Category};
use crate::yaml::Span;

/// How to render text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextOptions {
    /// Emit ANSI colors (the caller decides: a terminal, `NO_COLOR`, `--color`).
    pub color: bool,
    /// Show code frames (when the file's text is available).
    pub frames: bool,
}

impl Default for TextOptions {
    /// No color, with frames.
    fn default() -> Self {
        TextOptions {
            color: false,
            frames: true,
        }
    }
}

/// ANSI styles, or none (shared with [`super::concise`]).
pub(super) struct Paint {
    pub(super) on: bool,
}

impl Paint {
    pub(super) fn paint(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
    pub(super) fn bold(&self, text: &str) -> String {
        self.paint(Style::new().effects(Effects::BOLD), text)
    }
    pub(super) fn severity(&self, severity: Severity, text: &str) -> String {
        let color = match severity {
            Severity::Error => AnsiColor::BrightRed,
            Severity::Warning => AnsiColor::Yellow,
        };
        self.paint(color.on_default().effects(Effects::BOLD), text)
    }
    pub(super) fn dim(&self, text: &str) -> String {
        self.paint(AnsiColor::Cyan.on_default(), text)
    }
}

/// Renders the whole report: every finding and error entry, then the summary line.
///
/// Entries are in file order (the order of `report.files`), then by document and position;
/// at the same position, findings come before error entries. Each entry is followed by a
/// blank line. Never panics; a file whose text `sources` cannot give is rendered without
/// positions (`path: rule ...`) and without frames.
pub fn render(report: &Report, sources: &Sources<'_>, opts: &TextOptions) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write(&mut out, report, sources, opts);
    out
}

/// [`render`], written to `out` entry by entry (the CLI streams it to standard output, so
/// a large report is never one string).
///
/// # Errors
/// The first error `out` returns.
pub fn write<W: std::fmt::Write + ?Sized>(
    out: &mut W,
    report: &Report,
    sources: &Sources<'_>,
    opts: &TextOptions,
) -> std::fmt::Result {
    let mut indexes: HashMap<&str, Option<LineIndex<'_>>> = HashMap::new();
    let entries = of_report(report);
    let mut writer = TextWriter::new(out, opts);
    for entry in entries {
        let index = index_for(&mut indexes, sources, entry.file());
        writer.entry(entry, index.as_ref())?;
    }
    for note in &report.notes {
        let index = match note.file.as_deref() {
            Some(file) => index_for(&mut indexes, sources, file).as_ref(),
            None => None,
        };
        writer.note(note, index)?;
    }
    writer.finish(report).map(drop)
}

/// One document's findings and error entries (a [`Batch`](crate::Batch)'s), as a
/// [`TextWriter`] with `opts` and no fixes shown writes them, rendered apart: the text
/// a worker thread makes of a batch it checked (the CLI's `check` on `--threads`
/// threads), written in order by [`TextWriter::rendered`]. `li` indexes the file's
/// text (`None`: no positions, no frames).
pub fn batch_text(
    opts: &TextOptions,
    findings: &[Finding],
    errors: &[ErrorEntry],
    li: Option<&LineIndex<'_>>,
) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = TextWriter::new(&mut text, opts).entries(findings, errors, li);
    text
}

/// Text output written as the checker produces it (see [`crate::Batch`]): the entries of
/// each document with [`TextWriter::entries`], then the summary line with
/// [`TextWriter::finish`]. What [`write`] prints for the same report, byte for byte.
pub struct TextWriter<'o, W: std::fmt::Write + ?Sized> {
    out: &'o mut W,
    paint: Paint,
    renderer: Renderer,
    frames: bool,
    fixes: Option<FixTable>,
    /// The resource whose line was written last, with its file and document; `None`
    /// at the start and after an error entry.
    resource: Option<(Arc<str>, usize, Arc<ResourceRef>)>,
}

impl<'o, W: std::fmt::Write + ?Sized> TextWriter<'o, W> {
    /// A writer to `out`.
    pub fn new(out: &'o mut W, opts: &TextOptions) -> Self {
        let renderer = if opts.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        }
        .decor_style(DecorStyle::Ascii);
        TextWriter {
            out,
            paint: Paint { on: opts.color },
            renderer,
            frames: opts.frames,
            fixes: None,
            resource: None,
        }
    }

    /// Shows the fixes of `table` (a file's offers) under the findings written next: the
    /// automatic fix and its class, or why there is none. `None` shows the rules' advice.
    pub fn set_fixes(&mut self, table: Option<FixTable>) {
        self.fixes = table;
    }

    /// Writes the findings and error entries of one document of one file, in position
    /// order. `li` indexes the file's text (`None`: no positions, no frames). The first
    /// finding gets its resource line whatever came before: another document's resource
    /// is never continued, not even one of another file shown by the same name (a name
    /// with `\xFF` written in it, and a name with that byte, are both shown `\xFF`), so
    /// that a batch rendered apart ([`batch_text`]) is the same text.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn entries(
        &mut self,
        findings: &[Finding],
        errors: &[ErrorEntry],
        li: Option<&LineIndex<'_>>,
    ) -> std::fmt::Result {
        self.resource = None;
        for entry in of_batch(findings, errors) {
            self.entry(entry, li)?;
        }
        Ok(())
    }

    /// Writes a batch's entries rendered apart ([`batch_text`], with this writer's
    /// options and no fixes shown): the same text as [`TextWriter::entries`] with the
    /// batch (which never continues the resource line of the batch before it).
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn rendered(&mut self, text: &str) -> std::fmt::Result {
        self.resource = None;
        self.out.write_str(text)
    }

    /// Writes the summary line (from `report.summary`; the report's findings are not
    /// read, so the report of a streamed check serves) and returns the output.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish(self, report: &Report) -> Result<&'o mut W, std::fmt::Error> {
        self.out
            .write_str(&self.paint.bold(&summary_line(report)))?;
        self.out.write_char('\n')?;
        Ok(self.out)
    }

    /// Writes `text` as it is (a front end's own lines before the summary line, e.g. the
    /// command line's stale baseline entries).
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn raw(&mut self, text: &str) -> std::fmt::Result {
        self.out.write_str(text)
    }

    /// Writes one note (`path:line:column: note: message`, or `note: message` for a
    /// note about the run); `li` indexes the note's file's text.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn note(&mut self, note: &Note, li: Option<&LineIndex<'_>>) -> std::fmt::Result {
        // Namespace names come from manifests: no control character gets through.
        let message = super::printable(&note.message);
        self.out
            .write_str(&note_line(&self.paint, note, li, &message))
    }

    /// The output, without a summary line.
    pub fn into_inner(self) -> &'o mut W {
        self.out
    }

    fn entry(&mut self, entry: Entry<'_>, index: Option<&LineIndex<'_>>) -> std::fmt::Result {
        match entry {
            Entry::Finding(f) => {
                let same = self.resource.as_ref().is_some_and(|(file, doc, r)| {
                    *file == f.file
                        && *doc == f.document
                        && (Arc::ptr_eq(r, &f.resource) || **r == *f.resource)
                });
                if !same {
                    let line = resource_line(&f.resource, &f.file);
                    self.out.write_str(&self.paint.bold(&line))?;
                    self.out.write_char('\n')?;
                    self.resource =
                        Some((Arc::clone(&f.file), f.document, Arc::clone(&f.resource)));
                }
            }
            Entry::Error(_) => self.resource = None,
        }
        let paint = &self.paint;
        let out = &mut *self.out;
        let frame = if self.frames {
            index.and_then(|li| frame(li, entry.span()))
        } else {
            None
        };
        match entry {
            Entry::Finding(f) => {
                let tag = match (&f.pss, rules::rule(f.rule).map(|r| r.category)) {
                    (Some(pss), _) => format!("PSS {}", pss.level.as_str()),
                    (None, Some(Category::Hardening)) => "hardening".to_string(),
                    _ => "diagnostic".to_string(),
                };
                out.write_str(&format!(
                    "{}: {} {} {}\n",
                    paint.bold(&location(&f.file, index, f.span)),
                    paint.severity(f.severity, f.rule),
                    paint.dim(&format!("[{tag}]")),
                    f.message
                ))?;
                let level = match f.severity {
                    Severity::Error => Level::ERROR,
                    Severity::Warning => Level::WARNING,
                };
                let advice = match self.fixes.as_ref().map(|t| t.get(f)) {
                    None => f.fix.to_string(),
                    Some(Some(Offer::Fix(fix))) => {
                        let flag = match fix.applicability {
                            Applicability::Safe => "--fix",
                            Applicability::Unsafe => "--fix --unsafe-fixes",
                        };
                        format!("{} ({}: {flag})", fix.title, fix.applicability.as_str())
                    }
                    Some(Some(Offer::None(why))) => {
                        format!("{} (no automatic fix: {why})", f.fix)
                    }
                    Some(None) => match self.fixes.as_ref().and_then(|t| t.unfixed()) {
                        Some(why) => format!("{} (no automatic fix: {why})", f.fix),
                        None => f.fix.to_string(),
                    },
                };
                // What Pod Security Admission would do, for a resource judged as the
                // cluster judges it.
                let mut notes: Vec<(&str, &str)> = Vec::new();
                if let Some(admission) = &f.admission {
                    notes.push(("admission", admission));
                }
                notes.push(("fix", &advice));
                out.write_str(&render_group(&self.renderer, level, frame.as_ref(), &notes))?;
            }
            Entry::Error(e) => {
                out.write_str(&format!(
                    "{}: {} {}\n",
                    paint.bold(&location(&e.file, index, e.span)),
                    paint.severity(Severity::Error, "error:"),
                    e.message
                ))?;
                out.write_str(&render_group(
                    &self.renderer,
                    Level::ERROR,
                    frame.as_ref(),
                    &[],
                ))?;
            }
        }
        out.write_char('\n')
    }
}

/// The line above a resource's findings: `Kind namespace/name (file)`, the namespace only
/// when the manifest sets one (`Deployment web (deploy.yaml)`), `(no name)` for a
/// resource without `metadata.name`, `(no kind)` for a document without `kind` (whose
/// duplicated keys are still reported).
pub fn resource_line(r: &ResourceRef, file: &str) -> String {
    let name = r.name.as_deref().unwrap_or("(no name)");
    let kind = if r.kind.is_empty() {
        "(no kind)"
    } else {
        r.kind.as_str()
    };
    let line = match r.namespace.as_deref() {
        Some(ns) => format!("{kind} {ns}/{name} ({file})"),
        None => format!("{kind} {name} ({file})"),
    };
    super::printable(&line).into_owned()
}

/// A note's line, as text and concise write it: `path:line:column: note: MESSAGE`,
/// `path: note: MESSAGE` without a place, `note: MESSAGE` for a note about the run
/// (`message` is the note's message as the format shows it).
pub(super) fn note_line(
    paint: &Paint,
    note: &Note,
    li: Option<&LineIndex<'_>>,
    message: &str,
) -> String {
    let label = paint.dim("note:");
    match (&note.file, note.span) {
        (Some(file), Some(span)) => format!(
            "{}: {label} {message}\n",
            paint.bold(&location(file, li, span))
        ),
        (Some(file), None) => format!(
            "{}: {label} {message}\n",
            paint.bold(&super::printable(file))
        ),
        _ => format!("{label} {message}\n"),
    }
}

/// `path:line:column` (1-based, the column in characters), or just `path` without the
/// file's text.
pub(super) fn location(file: &str, li: Option<&LineIndex<'_>>, span: Span) -> String {
    match li {
        Some(li) => {
            let at = li.line_col(span.start, Unit::Char);
            format!(
                "{}:{}:{}",
                super::printable(file),
                at.line + 1,
                at.column + 1
            )
        }
        None => super::printable(file).into_owned(),
    }
}

/// The summary line, e.g. `Found 9 findings (7 errors, 2 warnings) in 1 file (1 resource
/// checked).` or `No problems found in 2 files (3 resources checked).`, followed by
/// ` 4 files skipped (not Kubernetes manifests).` when a directory walk skipped files
/// (`summary.skipped`).
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let count = |sev: &str| s.by_severity.get(sev).copied().unwrap_or(0);
    let mut checked = plural(s.resources, "resource", "resources") + " checked";
    if s.suppressed > 0 {
        checked.push_str(&format!(
            ", {} suppressed",
            plural(s.suppressed, "finding", "findings")
        ));
    }
    if s.baselined > 0 {
        checked.push_str(&format!(
            ", {} accepted by the baseline",
            plural(s.baselined, "finding", "findings")
        ));
    }
    if s.notes > 0 {
        checked.push_str(&format!(", {}", plural(s.notes, "note", "notes")));
    }
    let files = plural(s.files, "file", "files");
    let skipped = match s.skipped {
        0 => String::new(),
        1 => " 1 file skipped (not a Kubernetes manifest).".to_string(),
        n => format!(" {n} files skipped (not Kubernetes manifests)."),
    };
    if s.findings == 0 && s.errors == 0 {
        return format!("No problems found in {files} ({checked}).{skipped}");
    }
    let mut what = Vec::new();
    if s.findings > 0 {
        let mut by = Vec::new();
        for (sev, one, many) in [
            ("error", "error", "errors"),
            ("warning", "warning", "warnings"),
        ] {
            let n = count(sev);
            if n > 0 {
                by.push(plural(n, one, many));
            }
        }
        what.push(format!(
            "{} ({})",
            plural(s.findings, "finding", "findings"),
            by.join(", ")
        ));
    }
    if s.errors > 0 {
        what.push(plural(s.errors, "input error", "input errors"));
    }
    format!(
        "Found {} in {files} ({checked}).{skipped}",
        what.join(" and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Options};

    const NGINX: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-deployment\n  labels:\n    app: nginx\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: nginx\n  template:\n    metadata:\n      labels:\n        app: nginx\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.14.2\n        ports:\n        - containerPort: 80\n";

    fn render_plain(file: &str, text: &str) -> String {
        let report = check(file, text, &Options::default()).unwrap();
        render(&report, &|_| Some(text), &TextOptions::default())
    }

    #[test]
    fn nginx_frames() {
        let out = render_plain("nginx.yaml", NGINX);
        let expected = "nginx.yaml:16:5: pod-security-context-missing [hardening] ";
        assert!(out.contains(expected), "{out}");
        assert!(out.contains("16 |     spec:\n   |     ^^^^\n"), "{out}");
        assert!(
            out.contains("18 |       - name: nginx\n   |         ^^^^\n"),
            "{out}"
        );
        assert!(out.contains("   = fix: "), "{out}");
        assert!(
            out.trim_end().lines().last().unwrap().starts_with("Found "),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn color_only_when_asked() {
        let report = check("n.yaml", NGINX, &Options::default()).unwrap();
        let opts = TextOptions {
            color: true,
            frames: true,
        };
        assert!(render(&report, &|_| Some(NGINX), &opts).contains('\u{1b}'));
    }

    #[test]
    fn without_sources_no_frame() {
        let report = check("n.yaml", NGINX, &Options::default()).unwrap();
        let out = render(&report, &super::super::no_sources, &TextOptions::default());
        assert!(
            out.starts_with(
                "Deployment nginx-deployment (n.yaml)\nn.yaml: pod-security-context-missing"
            ),
            "{out}"
        );
        assert!(!out.contains(" | "), "{out}");
        assert!(out.contains("= fix: "), "{out}");
    }

    #[test]
    fn errors_and_edge_positions() {
        for text in [
            "",
            "\n",
            "kind: [",
            "a: b\nkind: Pod\nmetadata: {name: x}\nspec: [\n",
            "\u{feff}apiVersion: v1\n",
            "apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: \"日本\t😀\"\r\n    securityContext: {privileged: true}\r\n",
            "---\n---\nfoo: [1, 2\n",
            "x",
        ] {
            let out = render_plain("t.yaml", text);
            assert!(out.ends_with(").\n"), "{text:?}: {out}");
        }
        let out = render_plain("bad.yaml", "apiVersion: v1\nkind: Pod\nspec: {a: [\n");
        assert!(out.contains("bad.yaml:"), "{out}");
        assert!(out.contains(": error: "), "{out}");
        assert!(out.contains("1 input error"), "{out}");
    }

    #[test]
    fn summary_wording() {
        let clean = check(
            "ok.yaml",
            "apiVersion: v1\nkind: ConfigMap\n",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(
            summary_line(&clean),
            "No problems found in 1 file (0 resources checked)."
        );
        let mut skipping = clean.clone();
        skipping.summary.skipped = 3;
        assert_eq!(
            summary_line(&skipping),
            "No problems found in 1 file (0 resources checked). 3 files skipped (not \
             Kubernetes manifests)."
        );
        skipping.summary.skipped = 1;
        assert!(summary_line(&skipping).ends_with(" 1 file skipped (not a Kubernetes manifest)."));
        let nginx = check("n.yaml", NGINX, &Options::default()).unwrap();
        let line = summary_line(&nginx);
        assert!(line.starts_with("Found "), "{line}");
        assert!(line.ends_with(" in 1 file (1 resource checked)."), "{line}");
    }
}
