//! The report: findings, error entries and the summary, with positions.
//!
//! This is the stable JSON shape the CLI prints with `--format json` and the JS API
//! returns (documented in the README). Positions are computed once, here, from byte spans:
//! lines and columns are **1-based**, columns count **Unicode scalar values** (characters),
//! offsets are **bytes** into the file, and `end` is exclusive.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::yaml::Span;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Should be fixed, but Pod Security Admission would not reject it (hardening rules,
    /// duplicate keys).
    Warning,
    /// Pod Security Admission rejects it at the level checked, or the API server rejects
    /// the manifest (`invalid-field-type`).
    Error,
}

impl Severity {
    /// `"warning"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A Pod Security Standards level (the PSA levels other than `privileged`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// PSS baseline: prevents known privilege escalations.
    Baseline,
    /// PSS restricted: current pod hardening best practice (includes baseline).
    Restricted,
}

impl Level {
    /// `"baseline"` or `"restricted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// The Pod Security Standards part of a finding: the level of the PSA check and its ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PssRef {
    /// The check's own level.
    pub level: Level,
    /// The PSA check ID, e.g. `privileged`, `capabilities_restricted`.
    pub check: &'static str,
}

/// A position in a file: 1-based line, 1-based column in characters, 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based, counted in Unicode characters.
    pub column: usize,
    /// Byte offset from the start of the file.
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

/// The resource a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name`, if any.
    pub name: Option<String>,
    /// `metadata.namespace`, if any.
    pub namespace: Option<String>,
    /// `"kind"` for the built-in workload kinds Pod Security Admission knows, `"shape"` for
    /// other resources that carry a pod template at `spec.template.spec.containers`.
    pub matched_by: MatchedBy,
}

/// How a resource was recognised as carrying a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    /// By API group and kind (Pod, Deployment, CronJob, ...).
    Kind,
    /// By shape: `spec.template.spec.containers` (Argo Rollout, Knative Service, ...).
    Shape,
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The file, as given (or `"<stdin>"`).
    pub file: String,
    /// Document index in the YAML stream, 0-based.
    pub document: usize,
    /// The resource.
    pub resource: ResourceRef,
    /// The container's `name`, or `null` for a pod-level finding.
    pub container: Option<String>,
    /// The rule ID, e.g. `privileged-container`.
    pub rule: &'static str,
    /// Level and PSA check for Pod Security Standards rules; `null` otherwise.
    pub pss: Option<PssRef>,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// JSON pointer of the field the finding is about (even when that field is missing).
    pub path: String,
    /// Where the finding points (see the README for missing fields).
    pub range: Range,
    /// How to fix it.
    pub fix: &'static str,
    /// Byte span of `range` (not serialized; front ends convert it).
    #[serde(skip)]
    pub span: Span,
}

/// A document that could not be checked: invalid YAML, a limit, a missing `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorEntry {
    /// The file.
    pub file: String,
    /// Document index in the YAML stream, 0-based.
    pub document: usize,
    /// What went wrong.
    pub message: String,
    /// Where.
    pub range: Range,
    /// Byte span of `range` (not serialized).
    #[serde(skip)]
    pub span: Span,
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// YAML documents read (empty ones included).
    pub documents: usize,
    /// Resources with a pod spec that were checked.
    pub resources: usize,
    /// Findings reported.
    pub findings: usize,
    /// Error entries.
    pub errors: usize,
    /// Findings dropped by a `kube-secctx.io/ignore` annotation.
    pub suppressed: usize,
    /// Findings per rule ID.
    pub by_rule: BTreeMap<String, usize>,
    /// Findings per severity.
    pub by_severity: BTreeMap<String, usize>,
}

/// The options a report was produced with, echoed in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOptions {
    /// `"baseline"`, `"restricted"`, or `null` for the default profile (every rule).
    pub level: Option<Level>,
    /// The Pod Security Standards version used, `"v1.N"` (`latest` resolved).
    pub pss_version: String,
    /// Rule IDs selected (empty = all).
    pub select: Vec<String>,
    /// Rule IDs ignored.
    pub ignore: Vec<String>,
}

/// The full report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The tool version.
    pub version: &'static str,
    /// The options used.
    pub options: ReportOptions,
    /// Paths checked, in order.
    pub files: Vec<String>,
    /// Findings, by file, then document, then position, then rule.
    pub findings: Vec<Finding>,
    /// Error entries, by file, then position.
    pub errors: Vec<ErrorEntry>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Recomputes `summary.findings`, `errors`, `files`, `byRule`, `bySeverity` from the lists.
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        s.files = self.files.len();
        s.findings = self.findings.len();
        s.errors = self.errors.len();
        s.by_rule.clear();
        s.by_severity.clear();
        for f in &self.findings {
            *s.by_rule.entry(f.rule.to_string()).or_default() += 1;
            *s.by_severity
                .entry(f.severity.as_str().to_string())
                .or_default() += 1;
        }
    }

    /// Whether anything was found (findings or errors): the CLI exits 1 then.
    pub fn has_problems(&self) -> bool {
        !self.findings.is_empty() || !self.errors.is_empty()
    }

    /// The report as pretty JSON (never fails: every field is plain data).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// Maps byte offsets of one file to lines and columns.
///
/// A UTF-8 BOM at the start is not counted as a column.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text`. Lines end at `\n`, `\r\n` or a lone `\r`.
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![if text.starts_with('\u{feff}') { 3 } else { 0 }];
        let bytes = text.as_bytes();
        // Lines end at `\n`, `\r\n` or a lone `\r`, as in YAML.
        starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&i| !(bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n')))
                .map(|i| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The text this index was built from.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The 0-based line index holding byte `offset` (clamped to the text).
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &'t str {
        let start = self.line_start(line.saturating_sub(1));
        let end = self
            .starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
            .max(start);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Clamps `offset` to the text and back to a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The position of byte `offset`: 1-based line, 1-based column in characters.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Position {
            line: line + 1,
            column,
            offset,
        }
    }

    /// The 1-based column of byte `offset` counted in UTF-16 code units (SARIF, JS).
    pub fn utf16_column(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        let start = self.line_start(self.line_of(offset)).min(offset);
        self.text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum::<usize>())
            + 1
    }

    /// The range of a byte span.
    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end.max(span.start)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let t = "a: 1\nb: 😀 x\r\nc: 3";
        let li = LineIndex::new(t);
        assert_eq!(
            li.position(0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        let x = t.find('x').unwrap();
        assert_eq!(li.position(x).line, 2);
        assert_eq!(li.position(x).column, 6);
        assert_eq!(li.utf16_column(x), 7);
        assert_eq!(li.position(t.find('c').unwrap()).line, 3);
        assert_eq!(li.line_text(2), "b: 😀 x");
        let bom = "\u{feff}a: 1";
        assert_eq!(LineIndex::new(bom).position(3).column, 1);
    }
}
