//! One line per finding, in the shape compilers print (`--format concise`).
//!
//! ```text
//! deploy.yaml:21:23: error: privileged: container "nginx" must not set securityContext.privileged=true [privileged-container]
//! deploy.yaml:16:5: warning: pod has no securityContext [pod-security-context-missing]
//! bad.yaml:5:1: error: document has no `apiVersion`
//! Found 2 findings (1 error, 1 warning) and 1 input error in 2 files (1 resource checked).
//! ```
//!
//! A finding is `path:line:column: severity: message [rule-id]`; an error entry (a
//! document that could not be checked) is `path:line:column: error: message`, without a
//! rule. This is GCC's shape (`file:line:col: warning: message [-Wflag]`), which editors
//! and CI log viewers already read: Vim's default `errorformat` and its quickfix list,
//! Emacs' `compilation-mode`, VS Code's `$gcc` problem matcher, and GitLab/Jenkins
//! warning parsers take the file, position, severity and message from it. Line and
//! column are **1-based**, the column in **characters**, as in the text format and the
//! JSON report; without the file's text the line is `path: severity: message [rule-id]`.
//!
//! Entries come in the text format's order (by file, document and position, findings
//! before error entries at the same position), with no code frame, fix or resource line.
//! The last line is the text format's summary line, as ruff's concise format and
//! ESLint's `compact` formatter end with their count; it matches none of the shapes
//! above, so a parser skips it. Colors (`--color`) are the text format's: the location
//! bold, the severity red or yellow, the rule ID dim.

use std::collections::HashMap;

use super::entries::{of_batch, of_report, Entry};
use super::text::{location, note_line, summary_line, Paint, TextOptions};
use super::{index_for, Sources};
use crate::position::LineIndex;
use crate::report::{ErrorEntry, Finding, Report, Severity};

/// Renders the whole report, one line per finding and error entry, then the summary
/// line. `opts.frames` is not read (no frames); `opts.color` colors as the text format.
/// A file whose text `sources` cannot give is written without positions.
pub fn render(report: &Report, sources: &Sources<'_>, opts: &TextOptions) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write(&mut out, report, sources, opts);
    out
}

/// [`render`], written to `out` line by line.
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
    let mut writer = ConciseWriter::new(out, opts);
    for entry in entries {
        let index = index_for(&mut indexes, sources, entry.file());
        writer.entry(&entry, index.as_ref())?;
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
/// [`ConciseWriter`] with `opts` writes them, rendered apart: the text a worker thread
/// makes of a batch it checked, written in order by [`ConciseWriter::raw`]. `li`
/// indexes the file's text (`None`: no positions).
pub fn batch_text(
    opts: &TextOptions,
    findings: &[Finding],
    errors: &[ErrorEntry],
    li: Option<&LineIndex<'_>>,
) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = ConciseWriter::new(&mut text, opts).entries(findings, errors, li);
    text
}

/// Concise output written as the checker produces it (see [`crate::Batch`]): each
/// document's lines with [`ConciseWriter::entries`], then the summary line with
/// [`ConciseWriter::finish`]. What [`write`] prints for the same report, byte for byte.
pub struct ConciseWriter<'o, W: std::fmt::Write + ?Sized> {
    out: &'o mut W,
    paint: Paint,
}

impl<'o, W: std::fmt::Write + ?Sized> ConciseWriter<'o, W> {
    /// A writer to `out`; `opts.color` colors it.
    pub fn new(out: &'o mut W, opts: &TextOptions) -> Self {
        ConciseWriter {
            out,
            paint: Paint { on: opts.color },
        }
    }

    /// Writes the findings and error entries of one document of one file, in position
    /// order. `li` indexes the file's text (`None`: no positions).
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn entries(
        &mut self,
        findings: &[Finding],
        errors: &[ErrorEntry],
        li: Option<&LineIndex<'_>>,
    ) -> std::fmt::Result {
        for entry in &of_batch(findings, errors) {
            self.entry(entry, li)?;
        }
        Ok(())
    }

    /// Writes the summary line (from `report.summary`, as the text format) and returns
    /// the output.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish(self, report: &Report) -> Result<&'o mut W, std::fmt::Error> {
        self.out
            .write_str(&self.paint.bold(&summary_line(report)))?;
        self.out.write_char('\n')?;
        Ok(self.out)
    }

    /// Writes `text` as it is (lines a front end adds before the summary line).
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn raw(&mut self, text: &str) -> std::fmt::Result {
        self.out.write_str(text)
    }

    /// Writes one note (`path:line:column: note: message`, `path: note: message`, or
    /// `note: message` for a note about the run); `li` indexes the note's file's text.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn note(
        &mut self,
        note: &crate::psa::Note,
        li: Option<&LineIndex<'_>>,
    ) -> std::fmt::Result {
        let line = note_line(&self.paint, note, li, &one_line(&note.message));
        self.out.write_str(&line)
    }

    /// The output, without a summary line.
    pub fn into_inner(self) -> &'o mut W {
        self.out
    }

    fn entry(&mut self, entry: &Entry<'_>, li: Option<&LineIndex<'_>>) -> std::fmt::Result {
        let paint = &self.paint;
        let line = match entry {
            Entry::Finding(f) => format!(
                "{}: {} {}{} {}\n",
                paint.bold(&location(&f.file, li, f.span)),
                paint.severity(f.severity, &format!("{}:", f.severity.as_str())),
                one_line(&f.message),
                f.admission
                    .as_deref()
                    .map_or_else(String::new, |a| format!("; {a}")),
                paint.dim(&format!("[{}]", f.rule)),
            ),
            Entry::Error(e) => format!(
                "{}: {} {}\n",
                paint.bold(&location(&e.file, li, e.span)),
                paint.severity(Severity::Error, "error:"),
                one_line(&e.message),
            ),
        };
        self.out.write_str(&line)
    }
}

/// A message on one line: line breaks (none of the rules' messages has one; a YAML
/// error's may) become spaces, so that every entry is one line.
fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    if message.contains(['\n', '\r']) {
        let spaced = message.replace("\r\n", " ").replace(['\n', '\r'], " ");
        super::printable(&spaced).into_owned().into()
    } else {
        super::printable(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Options};

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}\n";

    #[test]
    fn one_line_per_finding_then_the_summary() {
        let report = check("pod.yaml", POD, &Options::default()).unwrap();
        let out = render(&report, &|_| Some(POD), &TextOptions::default());
        let expected = "\
pod.yaml:4:1: warning: pod has no securityContext [pod-security-context-missing]
pod.yaml:8:5: error: runAsNonRoot != true: pod or container \"app\" must set securityContext.runAsNonRoot=true [may-run-as-root]
pod.yaml:8:5: error: seccompProfile: pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\" [missing-seccomp-profile]
pod.yaml:8:5: error: allowPrivilegeEscalation != false: container \"app\" must set securityContext.allowPrivilegeEscalation=false [privilege-escalation-allowed]
pod.yaml:8:5: error: unrestricted capabilities: container \"app\" must set securityContext.capabilities.drop=[\"ALL\"] [unrestricted-capabilities]
pod.yaml:8:5: warning: container \"app\" does not set securityContext.readOnlyRootFilesystem=true [writable-root-filesystem]
pod.yaml:8:35: error: privileged: container \"app\" must not set securityContext.privileged=true [privileged-container]
Found 7 findings (5 errors, 2 warnings) in 1 file (1 resource checked).
";
        assert_eq!(out, expected);
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn errors_and_no_sources() {
        let text = "apiVersion: v1\nkind: Pod\nspec: {a: [\n";
        let report = check("bad.yaml", text, &Options::default()).unwrap();
        let out = render(&report, &|_| Some(text), &TextOptions::default());
        assert!(out.starts_with("bad.yaml:"), "{out}");
        assert!(out.lines().next().unwrap().contains(": error: "), "{out}");
        let report = check("p.yaml", POD, &Options::default()).unwrap();
        let out = render(&report, &super::super::no_sources, &TextOptions::default());
        assert!(out.starts_with("p.yaml: "), "{out}");
        assert_eq!(one_line("a\r\nb\nc"), "a b c");
    }

    #[test]
    fn colors_only_when_asked() {
        let report = check("pod.yaml", POD, &Options::default()).unwrap();
        let opts = TextOptions {
            color: true,
            frames: true,
        };
        assert!(render(&report, &|_| Some(POD), &opts).contains('\u{1b}'));
    }
}
