//! The GitHub Actions job summary of `kube-secctx check --format github`: every finding
//! and error entry as a row of a markdown table, then the summary line.
//!
//! GitHub shows at most ten annotations of each kind per step, so the annotations of
//! [`super::github`] alone would hide most findings of a large repository. The CLI appends
//! this markdown to the file named by `GITHUB_STEP_SUMMARY` (the runner sets it for each
//! step and renders what the step appended on the run's summary page), as GitHub documents
//! for job summaries: appended, never truncated, so what other tools wrote stays.
//!
//! ```markdown
//! ### kube-secctx
//!
//! | File:line | Rule | Severity | Message | Resource |
//! |---|---|---|---|---|
//! | deploy.yaml:21 | `privileged-container` | error | privileged: container "nginx" must ... | Deployment default/web |
//!
//! **Found 1 finding (1 error) in 1 file (1 resource checked).**
//! ```
//!
//! Table cells are escaped for GitHub-flavoured markdown (`|`, backslash, backticks,
//! emphasis and link characters, `<`, `>` and `&`; line breaks become spaces), so a
//! manifest's names and values cannot change the table or add markup. A job summary may
//! hold 1 MiB per step ([`SUMMARY_LIMIT`]): rows past that budget are left out and
//! counted in a last line.

use super::entries::{of_batch, Entry};
use super::plural;
use crate::position::{LineIndex, Unit};
use crate::report::{ErrorEntry, Finding, ResourceRef};

/// The most a step's summary may hold, in bytes: GitHub refuses a larger
/// `GITHUB_STEP_SUMMARY` file ("supports content up to a size of 1024k").
pub const SUMMARY_LIMIT: u64 = 1024 * 1024;

/// Bytes kept free under the limit for the last lines (the summary line, the count of
/// rows left out).
const RESERVE: u64 = 2048;

/// Escapes a markdown table cell: backslash-escapes the characters GitHub-flavoured
/// markdown gives meaning to inside a cell, writes `<`, `>`, `&` as entities, and turns
/// line breaks into spaces.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A resource as the summary names it: `Kind namespace/name`, `Kind name` without a
/// namespace, `Kind` without a name.
pub fn resource_label(r: &ResourceRef) -> String {
    match (&r.namespace, &r.name) {
        (Some(ns), Some(name)) => format!("{} {ns}/{name}", r.kind),
        (None, Some(name)) => format!("{} {name}", r.kind),
        (_, None) => r.kind.clone(),
    }
}

/// `file:line` (1-based), or `file` without the text.
fn location(file: &str, li: Option<&LineIndex<'_>>, offset: usize) -> String {
    match li {
        Some(li) => format!("{file}:{}", li.line_col(offset, Unit::Char).line + 1),
        None => file.to_string(),
    }
}

/// The table row of a finding (ending with a line break).
pub fn finding_row(f: &Finding, li: Option<&LineIndex<'_>>) -> String {
    format!(
        "| {} | `{}` | {} | {} | {} |\n",
        md_cell(&location(&f.file, li, f.span.start)),
        f.rule,
        f.severity.as_str(),
        md_cell(&match &f.admission {
            Some(a) => format!("{} ({a})", f.message),
            None => f.message.clone(),
        }),
        md_cell(&resource_label(&f.resource)),
    )
}

/// The table row of an error entry: rule `input error`, severity `error`, no resource.
pub fn error_row(e: &ErrorEntry, li: Option<&LineIndex<'_>>) -> String {
    format!(
        "| {} | input error | error | {} | — |\n",
        md_cell(&location(&e.file, li, e.span.start)),
        md_cell(&e.message),
    )
}

/// One document's rows (its findings and error entries, see [`StepSummary::batch`]), in
/// position order, findings before error entries at the same position; `li` indexes the
/// file's text (`None`: no lines).
pub fn batch_rows(
    findings: &[Finding],
    errors: &[ErrorEntry],
    li: Option<&LineIndex<'_>>,
) -> Vec<String> {
    of_batch(findings, errors)
        .into_iter()
        .map(|entry| match entry {
            Entry::Finding(f) => finding_row(f, li),
            Entry::Error(e) => error_row(e, li),
        })
        .collect()
}

const HEADING: &str = "### kube-secctx\n\n";
const TABLE_HEAD: &str =
    "| File:line | Rule | Severity | Message | Resource |\n|---|---|---|---|---|\n";

/// Writes the job summary as the check goes: [`StepSummary::batch`] for each document,
/// then [`StepSummary::finish`]. The heading is written at once, the table's head before
/// its first row.
pub struct StepSummary<W: std::io::Write> {
    out: W,
    /// Bytes the summary may still take (the budget under [`SUMMARY_LIMIT`]).
    budget: u64,
    rows: usize,
    left_out: usize,
}

impl<W: std::io::Write> StepSummary<W> {
    /// Whether a summary that already holds `existing` bytes (what earlier commands of
    /// the step appended) has room for this one's heading and last lines under
    /// [`SUMMARY_LIMIT`]: when it has not, nothing should be added (GitHub would refuse
    /// the whole step's summary).
    pub fn has_room(existing: u64) -> bool {
        existing.saturating_add(HEADING.len() as u64 + RESERVE) <= SUMMARY_LIMIT
    }

    /// Starts the summary on `out`, which already holds `existing` bytes (what earlier
    /// commands of the step appended; see [`StepSummary::has_room`]).
    ///
    /// # Errors
    /// The first error `out` returns.
    pub fn begin(mut out: W, existing: u64) -> std::io::Result<Self> {
        out.write_all(HEADING.as_bytes())?;
        Ok(StepSummary {
            out,
            budget: SUMMARY_LIMIT
                .saturating_sub(existing)
                .saturating_sub(HEADING.len() as u64)
                .saturating_sub(RESERVE),
            rows: 0,
            left_out: 0,
        })
    }

    /// One document's rows, in position order (findings before error entries at the same
    /// position).
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn batch(
        &mut self,
        findings: &[Finding],
        errors: &[ErrorEntry],
        li: Option<&LineIndex<'_>>,
    ) -> std::io::Result<()> {
        self.rows(&batch_rows(findings, errors, li))
    }

    /// Rows made apart ([`batch_rows`], e.g. on the thread that checked their document),
    /// in order: what [`StepSummary::batch`] writes for that document.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn rows(&mut self, rows: &[String]) -> std::io::Result<()> {
        for row in rows {
            self.row(row)?;
        }
        Ok(())
    }

    fn row(&mut self, row: &str) -> std::io::Result<()> {
        let head = if self.rows == 0 { TABLE_HEAD } else { "" };
        let size = (head.len() + row.len()) as u64;
        if self.left_out > 0 || size > self.budget {
            self.left_out += 1;
            return Ok(());
        }
        self.out.write_all(head.as_bytes())?;
        self.out.write_all(row.as_bytes())?;
        self.budget -= size;
        self.rows += 1;
        Ok(())
    }

    /// Ends the summary: the rows left out (if any), then `lines` (the summary line of the
    /// text output, [`summary_line`](super::text::summary_line), and e.g. the files that could not be read), each a
    /// paragraph in bold. Returns the output.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish(mut self, lines: &[String]) -> std::io::Result<W> {
        let mut tail = String::new();
        if self.left_out > 0 {
            tail.push_str(&format!(
                "\n{} not shown: a step summary holds at most 1 MiB (the annotations in the \
                 log list them all; `--format json` or `--format sarif` gives them as data).\n",
                plural(self.left_out, "more row", "more rows")
            ));
        }
        for line in lines {
            tail.push_str(&format!("\n**{}**\n", md_cell(line)));
        }
        self.out.write_all(tail.as_bytes())?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::summary_line;
    use crate::{check, Options};

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(
            md_cell("a|b <script> & `x` *y* [l](u)\nz"),
            "a\\|b &lt;script&gt; &amp; \\`x\\` \\*y\\* \\[l\\](u) z"
        );
    }

    #[test]
    fn rows_and_summary() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n        securityContext:\n          privileged: true\n";
        let opts = Options {
            select: vec!["privileged-container".into()],
            ..Options::default()
        };
        let report = check("d|1.yaml", text, &opts).unwrap();
        let li = LineIndex::new(text);
        let mut s = StepSummary::begin(Vec::new(), 0).unwrap();
        s.batch(&report.findings, &report.errors, Some(&li))
            .unwrap();
        let out = String::from_utf8(s.finish(&[summary_line(&report)]).unwrap()).unwrap();
        let f = report.findings.first().unwrap();
        assert_eq!(
            out,
            format!(
                "### kube-secctx\n\n{TABLE_HEAD}| d\\|1.yaml:13 | `privileged-container` | error | {} | Deployment prod/web |\n\n**Found 1 finding (1 error) in 1 file (1 resource checked).**\n",
                md_cell(&f.message)
            )
        );
    }

    #[test]
    fn clean_run_has_no_table_and_budget_is_kept() {
        let report = check(
            "ok.yaml",
            "apiVersion: v1\nkind: ConfigMap\n",
            &Options::default(),
        )
        .unwrap();
        let s = StepSummary::begin(Vec::new(), 0).unwrap();
        let out = String::from_utf8(s.finish(&[summary_line(&report)]).unwrap()).unwrap();
        assert_eq!(
            out,
            "### kube-secctx\n\n\n**No problems found in 1 file (0 resources checked).**\n"
        );
        // A step summary already nearly full: no row fits, each is counted.
        let text = "apiVersion: v1\nkind: Pod\nspec: {a: [\n";
        let bad = check("bad.yaml", text, &Options::default()).unwrap();
        let mut s = StepSummary::begin(Vec::new(), SUMMARY_LIMIT - 100).unwrap();
        s.batch(&bad.findings, &bad.errors, None).unwrap();
        s.batch(&bad.findings, &bad.errors, None).unwrap();
        let out = String::from_utf8(s.finish(&[summary_line(&bad)]).unwrap()).unwrap();
        assert!(!out.contains("| File:line |"), "{out}");
        assert!(out.contains("2 more rows not shown"), "{out}");
    }
}
