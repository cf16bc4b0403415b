//! GitHub Actions workflow commands: one annotation per finding and error entry, then the
//! summary line (`kube-secctx check --format github`).
//!
//! ```text
//! ::error file=deploy.yaml,line=21,col=23,endLine=21,endColumn=26,title=privileged-container::privileged: container "nginx" must not set securityContext.privileged=true [PSS baseline]%0Afix: remove `privileged: true` ...
//! ```
//!
//! The runner turns each line that starts with `::error` or `::warning` into an annotation
//! on the file and line, shown on the pull request's diff and on the run's summary page.
//!
//! - **Command**: `error` for findings of severity `error` and for error entries (input
//!   errors), `warning` for findings of severity `warning`.
//! - **Properties**, in this order: `file` (the path as reported: relative to the working
//!   directory, so run from the repository root), `line`, `col`, `endLine`, `endColumn`,
//!   `title` (the rule ID; `input error` for error entries). Lines are **1-based**;
//!   columns are **1-based and count characters** (Unicode scalar values), as in the text
//!   output, and `endColumn` is the column of the span's last character (inclusive: GitHub's
//!   toolkit documents that `endColumn` defaults to `startColumn`, a one-character
//!   annotation). GitHub's documentation gives no unit for columns ("column number,
//!   starting at 1"); for the ASCII of almost every manifest all units agree.
//!   When the span covers several lines, `col` and `endColumn` are left out: the runner
//!   drops them then (actions/runner `ValidateLinesAndColumns`: "'col' and 'endColumn'
//!   cannot be set if 'line' and 'endLine' are different values"). Without the file's text
//!   only `file` and `title` are given.
//! - **Escaping**, as GitHub's toolkit (`actions/toolkit`, `packages/core/src/command.ts`,
//!   `escapeData` and `escapeProperty`) and the runner's parser (`ActionCommand.cs`, the
//!   inverse) do: in the message `%` → `%25`, CR → `%0D`, LF → `%0A`; in property values
//!   also `:` → `%3A` and `,` → `%2C`.
//! - **Message**: the finding's message, its PSS tag (`[PSS baseline]`, `[hardening]`,
//!   ...) and, on a second line, the fix.
//!
//! GitHub shows at most ten annotations of each kind per step (and fifty per job); the
//! rest are only in the log. The step summary ([`super::step_summary`]) lists every
//! finding.

use super::entries::{of_batch, Entry};
use super::{display_end, index_for, Sources};
use crate::position::{LineIndex, Unit};
use crate::report::{ErrorEntry, Finding, Report, Severity};
use crate::rules::{self, Category};
use crate::yaml::Span;

/// Escapes a workflow command's message (its data, after the second `::`): `%`, CR and LF,
/// as `escapeData` in GitHub's toolkit (`packages/core/src/command.ts`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a workflow command's property value: `%`, CR, LF, `:` and `,`, as
/// `escapeProperty` in GitHub's toolkit (`packages/core/src/command.ts`).
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Where an annotation points: 1-based lines; 1-based columns in characters (`None` when
/// the span covers several lines, see the module docs); `end_column` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// First line, 1-based.
    pub line: usize,
    /// Last line, 1-based.
    pub end_line: usize,
    /// First and last column (1-based, characters, inclusive) when on one line.
    pub columns: Option<(usize, usize)>,
}

/// The [`Place`] of a byte span of the text `li` indexes: from its start to its displayed
/// end (trailing lines of whitespace left out, as the text output's frames do).
pub fn place(li: &LineIndex<'_>, span: Span) -> Place {
    let start = li.clamp(span.start);
    let end = display_end(li, span);
    let from = li.line_col(start, Unit::Char);
    let to = li.line_col(end, Unit::Char);
    if from.line != to.line {
        return Place {
            line: from.line + 1,
            end_line: to.line + 1,
            columns: None,
        };
    }
    // `to.column` (0-based) of the end is the 1-based column of the last character.
    let first = from.column + 1;
    Place {
        line: from.line + 1,
        end_line: to.line + 1,
        columns: Some((first, to.column.max(first))),
    }
}

/// One workflow command line (without its line break): `::KIND props::message`, escaped.
fn command(kind: &str, file: &str, place: Option<Place>, title: &str, message: &str) -> String {
    let mut props = vec![format!("file={}", escape_property(file))];
    if let Some(p) = place {
        props.push(format!("line={}", p.line));
        if let Some((col, _)) = p.columns {
            props.push(format!("col={col}"));
        }
        props.push(format!("endLine={}", p.end_line));
        if let Some((_, end)) = p.columns {
            props.push(format!("endColumn={end}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{kind} {}::{}", props.join(","), escape_data(message))
}

/// The tag the text output shows after the rule ID: `PSS baseline`, `PSS restricted`,
/// `hardening` or `diagnostic`.
fn tag(f: &Finding) -> String {
    match (&f.pss, rules::rule(f.rule).map(|r| r.category)) {
        (Some(pss), _) => format!("PSS {}", pss.level.as_str()),
        (None, Some(Category::Hardening)) => "hardening".to_string(),
        _ => "diagnostic".to_string(),
    }
}

/// The annotation of a finding: `::error` or `::warning` by its severity, titled with
/// its rule ID; `li` indexes its file's text (`None`: no position).
pub fn finding_annotation(f: &Finding, li: Option<&LineIndex<'_>>) -> String {
    let kind = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let admission = f
        .admission
        .as_deref()
        .map_or_else(String::new, |a| format!("\nadmission: {a}"));
    let message = format!("{} [{}]{admission}\nfix: {}", f.message, tag(f), f.fix);
    command(
        kind,
        &f.file,
        li.map(|li| place(li, f.span)),
        f.rule,
        &message,
    )
}

/// The annotation of an error entry (a document that could not be checked): `::error`,
/// titled `input error`.
pub fn error_annotation(e: &ErrorEntry, li: Option<&LineIndex<'_>>) -> String {
    let place = li.map(|li| place(li, e.span));
    command("error", &e.file, place, "input error", &e.message)
}

/// The annotation of a note (a namespace the cluster enforces nothing in, a setting that
/// cannot apply to files): `::notice`, titled `note`, at its place when it has one.
pub fn note_annotation(note: &crate::psa::Note, li: Option<&LineIndex<'_>>) -> String {
    match &note.file {
        Some(file) => {
            let place = note.span.zip(li).map(|(span, li)| place(li, span));
            command("notice", file, place, "note", &note.message)
        }
        None => format!("::notice title=note::{}", escape_data(&note.message)),
    }
}

/// The annotations of one document's findings and error entries, in position order
/// (findings before error entries at the same position), each ending with a line break.
pub fn batch(findings: &[Finding], errors: &[ErrorEntry], li: Option<&LineIndex<'_>>) -> String {
    let mut out = String::new();
    for entry in of_batch(findings, errors) {
        out.push_str(&match entry {
            Entry::Finding(f) => finding_annotation(f, li),
            Entry::Error(e) => error_annotation(e, li),
        });
        out.push('\n');
    }
    out
}

/// The whole report: every annotation, by file (the order of `report.files`), document
/// and position, then the summary line of the text output
/// ([`super::text::summary_line`]). Files whose text `sources` cannot give are annotated
/// without positions.
pub fn render(report: &Report, sources: &Sources<'_>) -> String {
    let mut indexes = std::collections::HashMap::new();
    let mut out = String::new();
    for file in &report.files {
        let findings: Vec<Finding> = report
            .findings
            .iter()
            .filter(|f| *f.file == **file)
            .cloned()
            .collect();
        let errors: Vec<ErrorEntry> = report
            .errors
            .iter()
            .filter(|e| e.file == *file)
            .cloned()
            .collect();
        let li = index_for(&mut indexes, sources, file);
        out.push_str(&batch(&findings, &errors, li.as_ref()));
    }
    out.push_str(&super::text::summary_line(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Options};

    /// The toolkit's escaping (actions/toolkit packages/core/src/command.ts): `escapeData`
    /// replaces `%`, `\r`, `\n`; `escapeProperty` also `:` and `,`; `%` first, so an
    /// escape is never escaped again.
    #[test]
    fn escaping_as_the_toolkit() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(
            escape_property("100%\r\nok: a,b"),
            "100%25%0D%0Aok%3A a%2Cb"
        );
        assert_eq!(escape_property("%3A"), "%253A");
        assert_eq!(escape_data("日本 😀"), "日本 😀");
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: \"日本\"\n    image: x\n    securityContext: {privileged: true}\n";

    #[test]
    fn annotation_of_a_finding() {
        let opts = Options {
            select: vec!["privileged-container".into()],
            ..Options::default()
        };
        let report = check("dir,1/p:od.yaml", POD, &opts).unwrap();
        let li = LineIndex::new(POD);
        let f = report.findings.first().unwrap();
        let line = finding_annotation(f, Some(&li));
        // `privileged: true` at line 9: `true` is at characters 35..38 of the line.
        assert_eq!(
            line,
            format!(
                "::error file=dir%2C1/p%3Aod.yaml,line=9,col=35,endLine=9,endColumn=38,\
                 title=privileged-container::{} [PSS baseline]%0Afix: {}",
                f.message, f.fix
            )
        );
        assert!(!line.contains('\n'));
        assert_eq!(
            finding_annotation(f, None),
            format!(
                "::error file=dir%2C1/p%3Aod.yaml,title=privileged-container::{} [PSS baseline]%0Afix: {}",
                f.message, f.fix
            )
        );
    }

    #[test]
    fn columns_count_characters_and_multiline_spans_drop_them() {
        let text = "a: \"日本😀\"\nb:\n  c: 1\n  d: 2\n\n";
        let li = LineIndex::new(text);
        let start = text.find('"').unwrap();
        let end = text.find('\n').unwrap();
        assert_eq!(
            place(&li, Span::new(start, end)),
            Place {
                line: 1,
                end_line: 1,
                columns: Some((4, 8)),
            }
        );
        // An empty span: a one-character annotation at its column.
        assert_eq!(place(&li, Span::new(start, start)).columns, Some((4, 4)));
        // A block mapping's span runs on over blank lines: it ends at `d: 2`.
        let b = text.find("c:").unwrap();
        assert_eq!(
            place(&li, Span::new(b, text.len())),
            Place {
                line: 3,
                end_line: 4,
                columns: None,
            }
        );
        let at = command(
            "warning",
            "f",
            Some(place(&li, Span::new(b, text.len()))),
            "t",
            "m",
        );
        assert_eq!(at, "::warning file=f,line=3,endLine=4,title=t::m");
    }

    #[test]
    fn error_entries_and_render() {
        let text = "apiVersion: v1\nkind: Pod\nspec: {a: [\n";
        let report = check("bad.yaml", text, &Options::default()).unwrap();
        let out = render(&report, &|_| Some(text));
        let first = out.lines().next().unwrap();
        assert!(first.starts_with("::error file=bad.yaml,line="), "{out}");
        assert!(first.contains(",title=input error::"), "{out}");
        assert!(
            out.ends_with("1 input error in 1 file (0 resources checked).\n"),
            "{out}"
        );
    }
}
