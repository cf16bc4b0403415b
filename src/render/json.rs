//! The JSON report: what `kube-secctx check --format json` prints and the JS API's
//! `check()` returns (the shape is documented in the README and `index.d.ts`).
//!
//! The core's findings carry byte spans; here each becomes a `range` of two positions,
//! `{line, column, offset}`, with `end` exclusive. Lines and columns are **1-based**. How
//! columns and offsets are counted is the caller's choice ([`Positions`]): the CLI counts
//! columns in characters and offsets in bytes of the UTF-8 file; the JS API counts both in
//! UTF-16 code units, so that `text.slice(start.offset, end.offset)` in JavaScript is the
//! node a finding is about.

use std::collections::HashMap;

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use super::fixes::{offer_json, FixJson, FixTable};
use super::{append_pretty, pretty, write_pretty, EntryWriter, KeptErrors, Sources};
use crate::position::{LineIndex, Unit};
use crate::psa::Note;
use crate::report::{
    ErrorEntry, Finding, PssRef, Report, ReportOptions, ResourceRef, Severity, Summary,
};
use crate::yaml::Span;

/// How the positions of the JSON report are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positions {
    /// Columns in characters (Unicode scalar values), offsets in bytes: the CLI.
    CharsAndBytes,
    /// Columns and offsets in UTF-16 code units: the JS API.
    Utf16,
}

impl Positions {
    fn units(self) -> (Unit, Unit) {
        match self {
            Positions::CharsAndBytes => (Unit::Char, Unit::Byte),
            Positions::Utf16 => (Unit::Utf16, Unit::Utf16),
        }
    }
}

/// A position: 1-based line, 1-based column, 0-based offset from the start of the text
/// (units per [`Positions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based.
    pub column: usize,
    /// Offset from the start of the text, 0-based.
    pub offset: usize,
}

/// A range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Range {
    /// First character.
    pub start: Position,
    /// One past the last character.
    pub end: Position,
}

/// The position of byte `offset` of `li`'s text.
pub fn position(li: &LineIndex<'_>, offset: usize, positions: Positions) -> Position {
    let (column, offsets) = positions.units();
    let at = li.line_col(offset, column);
    Position {
        line: at.line + 1,
        column: at.column + 1,
        offset: li.offset(offset, offsets),
    }
}

/// The range of a byte span of `li`'s text.
pub fn range(li: &LineIndex<'_>, span: Span, positions: Positions) -> Range {
    Range {
        start: position(li, span.start, positions),
        end: position(li, span.end.max(span.start), positions),
    }
}

/// The report as JSON, serializable (with `serde_json`, or `serde-wasm-bindgen` for the JS
/// API) without copying it. Each file's text comes from `sources`; a finding whose file's
/// text is not available has `"range": null`.
pub struct JsonReport<'r, 's> {
    report: &'r Report,
    indexes: HashMap<&'r str, LineIndex<'s>>,
    positions: Positions,
    fixes: Option<&'r FixTable>,
}

impl<'r, 's> JsonReport<'r, 's> {
    /// The JSON view of `report`, indexing once the text of each file that has a finding
    /// or an error entry (a clean file needs no positions).
    pub fn new(report: &'r Report, sources: &Sources<'s>, positions: Positions) -> Self {
        let mut indexes = HashMap::new();
        let files = report.findings.iter().map(|f| &*f.file);
        let notes = report.notes.iter().filter_map(|n| n.file.as_deref());
        for file in files
            .chain(report.errors.iter().map(|e| e.file.as_str()))
            .chain(notes)
        {
            if !indexes.contains_key(file) {
                if let Some(text) = sources(file) {
                    indexes.insert(file, LineIndex::new(text));
                }
            }
        }
        JsonReport {
            report,
            indexes,
            positions,
            fixes: None,
        }
    }

    /// Shows each finding's fix (or why it has none) from `table`, as `fixes` and `noFix`
    /// (the JS API's `check(text, {fixes: true})`; one table, so one file).
    pub fn with_fixes(mut self, table: &'r FixTable) -> Self {
        self.fixes = Some(table);
        self
    }

    /// The report's `findings` array alone.
    pub fn findings(&self) -> impl Serialize + '_ {
        Findings(self)
    }

    fn finding(&self, f: &'r Finding) -> FindingJson<'r> {
        let mut json = finding_json(f, self.range(&f.file, f.span));
        if let Some(table) = self.fixes {
            let li = self.indexes.get(&*f.file);
            let (fixes, no_fix) = match table.get(f) {
                Some(o) => offer_json(o, li, self.positions),
                None => (Vec::new(), Some(table.missing())),
            };
            json.fixes = Some(fixes);
            json.no_fix = Some(no_fix);
        }
        json
    }

    fn range(&self, file: &str, span: Span) -> Option<Range> {
        self.indexes
            .get(file)
            .map(|li| range(li, span, self.positions))
    }
}

/// The report as pretty JSON, positions as the CLI counts them (characters and bytes).
pub fn render(report: &Report, sources: &Sources<'_>) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail; the JSON is UTF-8.
    let _ = write(&mut out, report, sources);
    String::from_utf8(out).unwrap_or_else(|_| "{}".to_string())
}

/// [`render`], written to `out` finding by finding with a [`JsonWriter`] (the CLI
/// streams it to standard output, so a large report is never one string).
///
/// # Errors
/// The first error `out` returns.
pub fn write<W: std::io::Write>(
    out: W,
    report: &Report,
    sources: &Sources<'_>,
) -> std::io::Result<()> {
    let view = JsonReport::new(report, sources, Positions::CharsAndBytes);
    let mut w = JsonWriter::begin(
        out,
        report.version,
        &report.options,
        &report.files,
        Positions::CharsAndBytes,
    )?;
    for f in &report.findings {
        w.finding(f, view.indexes.get(&*f.file))?;
    }
    for e in &report.errors {
        w.error(e, view.indexes.get(e.file.as_str()));
    }
    w.finish(&report.summary).map(drop)
}

/// The pretty JSON report written as the checker produces it (see [`crate::Batch`]):
/// [`JsonWriter::begin`] with what the report starts with, the findings and error
/// entries of each document ([`JsonWriter::batch`]), then [`JsonWriter::finish`] with the
/// summary. Findings are written as they come; error entries (which the report lists
/// after every finding) are kept, rendered, until the end. The output is what
/// `serde_json::to_writer_pretty` makes of the whole report, byte for byte.
pub struct JsonWriter<W: std::io::Write> {
    out: W,
    positions: Positions,
    findings: usize,
    /// The error entries, for the `errors` array at the end.
    errors: KeptErrors<Option<Range>>,
    /// The fixes of the file being written, when the report shows them.
    fixes: Option<FixTable>,
    /// The notes, for the `notes` array at the end (omitted when empty).
    notes: Vec<NoteJson>,
}

impl<W: std::io::Write> JsonWriter<W> {
    /// Keeps a note for the `notes` array (written by [`JsonWriter::finish`]).
    pub fn note(&mut self, note: &Note, li: Option<&LineIndex<'_>>) {
        self.notes.push(NoteJson::new(note, li, self.positions));
    }

    /// Writes the report's head (`version`, `options`, `files`) and opens `findings`.
    ///
    /// # Errors
    /// The first error `out` returns.
    pub fn begin(
        mut out: W,
        version: &str,
        options: &ReportOptions,
        files: &[String],
        positions: Positions,
    ) -> std::io::Result<Self> {
        out.write_all(b"{\n  \"version\": ")?;
        out.write_all(&pretty(&version, 1))?;
        out.write_all(b",\n  \"options\": ")?;
        out.write_all(&pretty(options, 1))?;
        out.write_all(b",\n  \"files\": ")?;
        out.write_all(&pretty(&files, 1))?;
        out.write_all(b",\n  \"findings\": [")?;
        Ok(JsonWriter {
            out,
            positions,
            findings: 0,
            errors: KeptErrors::new(),
            fixes: None,
            notes: Vec::new(),
        })
    }

    /// Shows the fixes of `table` (a file's offers) with the findings written next, or
    /// none (`None`).
    pub fn set_fixes(&mut self, table: Option<FixTable>) {
        self.fixes = table;
    }

    /// Closes `findings`, writes `errors` and `summary`, and returns the output.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish(self, summary: &Summary) -> std::io::Result<W> {
        self.finish_with::<()>(summary, &[])
    }

    /// [`JsonWriter::finish`] with more top-level fields, written in order between
    /// `errors` and `summary` (the command line's `baseline`). With none, the same bytes
    /// as [`JsonWriter::finish`].
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish_with<T: Serialize>(
        mut self,
        summary: &Summary,
        extra: &[(&str, T)],
    ) -> std::io::Result<W> {
        let close = |n: usize| -> &'static [u8] {
            if n == 0 {
                b"]"
            } else {
                b"\n  ]"
            }
        };
        self.out.write_all(close(self.findings))?;
        self.out.write_all(b",\n  \"errors\": [")?;
        let count = self.errors.len();
        for (i, e) in self.errors.into_iter().enumerate() {
            let json = ErrorJson {
                file: &e.file,
                document: e.document,
                message: &e.message,
                range: e.at,
            };
            self.out
                .write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            write_pretty(&mut self.out, &json, 2)?;
        }
        self.out.write_all(close(count))?;
        for (key, value) in extra {
            self.out.write_all(b",\n  ")?;
            self.out.write_all(&pretty(key, 1))?;
            self.out.write_all(b": ")?;
            self.out.write_all(&pretty(value, 1))?;
        }
        if !self.notes.is_empty() {
            self.out.write_all(b",\n  \"notes\": ")?;
            self.out.write_all(&pretty(&self.notes, 1))?;
        }
        self.out.write_all(b",\n  \"summary\": ")?;
        self.out.write_all(&pretty(summary, 1))?;
        self.out.write_all(b"\n}")?;
        Ok(self.out)
    }
}

/// What goes before a finding in the report's `findings` array when `written` findings
/// came before it.
fn separator(written: usize) -> &'static [u8] {
    if written == 0 {
        b"\n    "
    } else {
        b",\n    "
    }
}

/// A batch's findings and error positions as [`JsonWriter`] writes them, made apart from
/// the writer (on the thread that checked the batch: see
/// [`crate::Checker::check_all_rendered`]) by [`RenderedBatch::new`], then written in
/// order by [`JsonWriter::rendered`]. The same bytes as [`JsonWriter`]'s own, for a
/// report that shows no fixes.
pub struct RenderedBatch {
    /// The findings, each as `finding` writes it, joined by its separator (none before
    /// the first).
    findings: Vec<u8>,
    count: usize,
    /// The range of each error entry, in order.
    errors: Vec<Range>,
}

impl RenderedBatch {
    /// `batch`'s findings and error positions, with positions in `positions` from `li`
    /// (the index of the batch's file).
    pub fn new(li: &LineIndex<'_>, batch: &crate::Batch, positions: Positions) -> Self {
        let mut findings = Vec::with_capacity(batch.findings.len() * 512);
        for (i, f) in batch.findings.iter().enumerate() {
            if i > 0 {
                findings.extend_from_slice(separator(i));
            }
            let json = finding_json(f, Some(range(li, f.span, positions)));
            // Into a `Vec`: nothing to fail.
            let _ = append_pretty(&mut findings, &json, 2);
        }
        RenderedBatch {
            findings,
            count: batch.findings.len(),
            errors: batch
                .errors
                .iter()
                .map(|e| range(li, e.span, positions))
                .collect(),
        }
    }
}

impl<W: std::io::Write> JsonWriter<W> {
    /// Writes a batch rendered apart ([`RenderedBatch::new`], with this writer's
    /// positions and no fixes shown) whose error entries are `errors`: the same bytes as
    /// [`EntryWriter::batch`] with the batch.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn rendered(
        &mut self,
        rendered: &RenderedBatch,
        errors: &[ErrorEntry],
    ) -> std::io::Result<()> {
        if rendered.count > 0 {
            self.out.write_all(separator(self.findings))?;
            self.out.write_all(&rendered.findings)?;
            self.findings += rendered.count;
        }
        for (e, at) in errors.iter().zip(&rendered.errors) {
            self.errors.keep(e, Some(*at));
        }
        Ok(())
    }
}

impl<W: std::io::Write> EntryWriter for JsonWriter<W> {
    /// Writes one finding.
    ///
    /// # Errors
    /// The first error the output returns.
    fn finding(&mut self, f: &Finding, li: Option<&LineIndex<'_>>) -> std::io::Result<()> {
        let range = li.map(|li| range(li, f.span, self.positions));
        self.out.write_all(separator(self.findings))?;
        self.findings += 1;
        let mut json = finding_json(f, range);
        if let Some(table) = self.fixes.as_ref() {
            let (fixes, no_fix) = match table.get(f) {
                Some(o) => offer_json(o, li, self.positions),
                None => (Vec::new(), Some(table.missing())),
            };
            json.fixes = Some(fixes);
            json.no_fix = Some(no_fix);
        }
        write_pretty(&mut self.out, &json, 2)
    }

    fn error(&mut self, e: &ErrorEntry, li: Option<&LineIndex<'_>>) {
        let range = li.map(|li| range(li, e.span, self.positions));
        self.errors.keep(e, range);
    }
}

fn finding_json(f: &Finding, range: Option<Range>) -> FindingJson<'_> {
    FindingJson {
        file: &f.file,
        document: f.document,
        resource: &f.resource,
        container: f.container.as_deref(),
        rule: f.rule,
        pss: f.pss.as_ref(),
        severity: f.severity,
        admission: f.admission.as_deref(),
        message: &f.message,
        path: &f.path,
        range,
        fix: f.fix,
        fixes: None,
        no_fix: None,
    }
}

#[derive(Serialize)]
struct FindingJson<'a> {
    file: &'a str,
    document: usize,
    resource: &'a ResourceRef,
    container: Option<&'a str>,
    rule: &'a str,
    pss: Option<&'a PssRef>,
    severity: Severity,
    /// What Pod Security Admission would do (resources judged as the cluster would).
    #[serde(skip_serializing_if = "Option::is_none")]
    admission: Option<&'a str>,
    message: &'a str,
    path: &'a str,
    range: Option<Range>,
    fix: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<Vec<FixJson<'a>>>,
    /// With fixes shown: why there is no fix, or `null` when there is one.
    #[serde(rename = "noFix", skip_serializing_if = "Option::is_none")]
    no_fix: Option<Option<&'a str>>,
}

/// A note of the report (`notes`, omitted when there is none): its file (`null` for a
/// note about the run), message and range.
#[derive(Debug, Clone, Serialize)]
pub struct NoteJson {
    file: Option<String>,
    message: String,
    range: Option<Range>,
}

impl NoteJson {
    /// A note with the range of its span in `li` (its file's text), if given.
    pub fn new(note: &Note, li: Option<&LineIndex<'_>>, positions: Positions) -> NoteJson {
        NoteJson {
            file: note.file.clone(),
            message: note.message.clone(),
            range: note
                .span
                .and_then(|span| li.map(|li| range(li, span, positions))),
        }
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: &'a str,
    document: usize,
    message: &'a str,
    range: Option<Range>,
}

struct Findings<'v, 'r, 's>(&'v JsonReport<'r, 's>);

impl Serialize for Findings<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        s.collect_seq(
            view.report
                .findings
                .iter()
                .map(|f: &Finding| view.finding(f)),
        )
    }
}

struct Errors<'v, 'r, 's>(&'v JsonReport<'r, 's>);

impl Serialize for Errors<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let view = self.0;
        s.collect_seq(view.report.errors.iter().map(|e: &ErrorEntry| ErrorJson {
            file: &e.file,
            document: e.document,
            message: &e.message,
            range: view.range(&e.file, e.span),
        }))
    }
}

impl Serialize for JsonReport<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.report;
        let mut st = s.serialize_struct("Report", 6)?;
        st.serialize_field("version", r.version)?;
        st.serialize_field("options", &r.options)?;
        st.serialize_field("files", &r.files)?;
        st.serialize_field("findings", &Findings(self))?;
        st.serialize_field("errors", &Errors(self))?;
        if !r.notes.is_empty() {
            let notes: Vec<NoteJson> = r
                .notes
                .iter()
                .map(|n| {
                    let li = n.file.as_deref().and_then(|f| self.indexes.get(f));
                    NoteJson::new(n, li, self.positions)
                })
                .collect();
            st.serialize_field("notes", &notes)?;
        }
        st.serialize_field("summary", &r.summary)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Options};

    #[test]
    fn ranges_in_both_units() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"😀 x\"}\nspec:\n  containers:\n  - {name: 容器, image: x, securityContext: {privileged: true}}\n";
        let report = check("a.yaml", text, &Options::default()).unwrap();
        let sources = |_: &str| Some(text);
        let json: serde_json::Value = serde_json::from_str(&render(&report, &sources)).unwrap();
        let f = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "privileged-container")
            .unwrap();
        let at = text.find("true").unwrap();
        let line_start = text.get(..at).unwrap().rfind('\n').unwrap() + 1;
        let chars = text.get(line_start..at).unwrap().chars().count();
        assert_eq!(
            f["range"]["start"],
            serde_json::json!({"line": 6, "column": chars + 1, "offset": at})
        );
        let view = JsonReport::new(&report, &sources, Positions::Utf16);
        let utf16: serde_json::Value = serde_json::to_value(&view).unwrap();
        let g = utf16["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "privileged-container")
            .unwrap();
        // The emoji is two UTF-16 code units, each CJK character one, on earlier lines
        // and before the value on its line.
        let units = text.get(..at).unwrap().encode_utf16().count();
        assert_eq!(g["range"]["start"]["offset"], units);
        let column = text.get(line_start..at).unwrap().encode_utf16().count();
        assert_eq!(g["range"]["start"]["column"], column + 1);
        let none = |_: &str| None;
        let bare: serde_json::Value = serde_json::from_str(&render(&report, &none)).unwrap();
        assert!(bare["findings"][0]["range"].is_null());
    }
}
