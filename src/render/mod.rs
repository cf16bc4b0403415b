//! Renderers: the report as text with code frames ([`text`]), one line per finding
//! ([`concise`]), as the JSON report ([`json`]), as SARIF ([`sarif`]) or as GitHub
//! Actions workflow commands ([`github`], with the job summary of [`step_summary`]), and
//! the rule registry as tables and docs
//! ([`rules_markdown`], [`rules_table`], [`rules_json`], [`explain_markdown`]).
//!
//! This is an edge of the house: the report holds byte spans, and each renderer turns
//! them into positions in its own units with [`LineIndex`], once.
//!
//! Renderers do no I/O and never panic. They take the [`Report`](crate::Report) and a way
//! to look up each file's text by the name it has in the report (a [`Sources`]), so the
//! same output can be produced natively or from wasm. Every function returns a `String`;
//! the caller decides where it goes.

pub mod concise;
mod entries;
pub mod fixes;
pub mod github;
pub mod json;
mod pretty;
pub mod sarif;
pub mod step_summary;
pub mod text;

use serde::Serialize;
use serde_json::Value;

pub(crate) use pretty::{append_pretty, pretty, write_pretty};

use crate::options::Level;
use crate::position::LineIndex;
use crate::report::Severity;
use crate::rules::{Category, Rule, RULES};
use crate::yaml::Span;

/// A streaming writer of the JSON report or the SARIF log ([`json::JsonWriter`],
/// [`sarif::SarifWriter`]): findings are written as they come, error entries kept for
/// the end of the report (both formats list them after every finding).
pub trait EntryWriter {
    /// Writes one finding; `li` indexes its file's text (`None`: no positions).
    ///
    /// # Errors
    /// The first error the output returns.
    fn finding(
        &mut self,
        f: &crate::report::Finding,
        li: Option<&LineIndex<'_>>,
    ) -> std::io::Result<()>;

    /// Keeps one error entry, with its position, for the end of the report.
    fn error(&mut self, e: &crate::report::ErrorEntry, li: Option<&LineIndex<'_>>);

    /// One document's findings and error entries ([`crate::Batch`]), of the file `li`
    /// indexes.
    ///
    /// # Errors
    /// The first error the output returns.
    fn batch(
        &mut self,
        findings: &[crate::report::Finding],
        errors: &[crate::report::ErrorEntry],
        li: Option<&LineIndex<'_>>,
    ) -> std::io::Result<()> {
        for f in findings {
            self.finding(f, li)?;
        }
        for e in errors {
            self.error(e, li);
        }
        Ok(())
    }
}

/// Error entries a streaming writer keeps until the end of its report (JSON and SARIF
/// list them after every finding), held compactly: the file name and the message are
/// shared with the entry before when they are the same (a file's entries, a message
/// repeated document after document), and the position is converted when kept (`P`),
/// since the file's text is gone by the end.
pub(crate) struct KeptErrors<P> {
    entries: Vec<KeptError<P>>,
}

/// One kept error entry.
pub(crate) struct KeptError<P> {
    pub(crate) file: std::sync::Arc<str>,
    pub(crate) document: usize,
    pub(crate) message: std::sync::Arc<str>,
    pub(crate) at: P,
}

impl<P> KeptErrors<P> {
    pub(crate) fn new() -> Self {
        KeptErrors {
            entries: Vec::new(),
        }
    }

    pub(crate) fn keep(&mut self, e: &crate::report::ErrorEntry, at: P) {
        let last = self.entries.last();
        let file = match last {
            Some(k) if *k.file == *e.file => std::sync::Arc::clone(&k.file),
            _ => std::sync::Arc::from(e.file.as_str()),
        };
        let message = match last {
            Some(k) if *k.message == *e.message => std::sync::Arc::clone(&k.message),
            _ => std::sync::Arc::from(e.message.as_str()),
        };
        self.entries.push(KeptError {
            file,
            document: e.document,
            message,
            at,
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn into_iter(self) -> impl Iterator<Item = KeptError<P>> {
        self.entries.into_iter()
    }
}

/// The line index of `file`, built once per file.
pub(crate) fn index_for<'m, 'r, 's>(
    cache: &'m mut std::collections::HashMap<&'r str, Option<LineIndex<'s>>>,
    sources: &Sources<'s>,
    file: &'r str,
) -> &'m Option<LineIndex<'s>> {
    cache
        .entry(file)
        .or_insert_with(|| sources(file).map(LineIndex::new))
}

/// Looks up a file's text by the name it has in the report (`Finding::file`).
///
/// `None` means the text is not available: renderers then leave out what needs it (the
/// position and code frame in [`text`], the range in [`json`]) or fall back as documented
/// (byte regions in [`sarif`]).
///
/// A closure works: `&|file: &str| files.get(file).map(String::as_str)`.
pub type Sources<'s> = dyn Fn(&str) -> Option<&'s str> + 's;

/// A [`Sources`] that knows no file: renders without code frames.
pub fn no_sources(_file: &str) -> Option<&'static str> {
    None
}

/// `"baseline"`/`"restricted"` for PSS rules, `"hardening"` or `"diagnostic"` otherwise:
/// the word shown in brackets after the rule ID in text output.
pub fn category_word(rule: &Rule) -> &'static str {
    match (rule.category, rule.pss) {
        (Category::Pss, Some(pss)) => pss.level.as_str(),
        (Category::Pss, None) => "pss",
        (Category::Hardening, _) => "hardening",
        (Category::Diagnostic, _) => "diagnostic",
    }
}

/// The first paragraph of the rule's "What it checks" section, as one line of text
/// (the rule title when the docs have no such section).
pub fn rule_summary(rule: &Rule) -> String {
    let md = rule.markdown();
    let mut lines = md.lines().skip_while(|l| l.trim() != "## What it checks");
    if lines.next().is_none() {
        return rule.title.to_string();
    }
    let text = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        rule.title.to_string()
    } else {
        text
    }
}

/// The full documentation of a rule as markdown: a heading with the ID, a line with its
/// title, level, PSA check and severity, then the docs from the rule's source.
///
/// This is what `kube-secctx explain RULE` prints and what SARIF carries as `help.markdown`.
pub fn explain_markdown(rule: &Rule) -> String {
    let what = match (rule.category, rule.pss) {
        (Category::Pss, Some(pss)) => format!(
            "Pod Security Standards **{}**, PSA check {}",
            pss.level.as_str(),
            checks_label(rule, "`")
        ),
        (Category::Pss, None) => "Pod Security Standards".to_string(),
        (Category::Hardening, _) => "Hardening rule beyond the Pod Security Standards".into(),
        (Category::Diagnostic, _) => "Input diagnostic".to_string(),
    };
    format!(
        "# {id}\n\n**{title}.** {what}; severity `{sev}`.\n\n{docs}\n\n## Automatic fix\n{autofix}\n",
        id = rule.id,
        title = rule.title,
        sev = rule.severity.as_str(),
        docs = rule.markdown().trim_end(),
        autofix = crate::fix::describe(rule.id),
    )
}

/// The PSA check IDs of a rule, joined: `procMount, procMount_restricted (restricted, v1.35+)`.
/// Each ID is wrapped in `quote` (a backtick for markdown, nothing for plain text).
pub fn checks_label(rule: &Rule, quote: &str) -> String {
    let Some(pss) = rule.pss else {
        return String::new();
    };
    let mut out = format!("{quote}{}{quote}", pss.check);
    if let Some((level, check, since)) = pss.also {
        out.push_str(&format!(
            ", {quote}{check}{quote} ({}, v1.{since}+)",
            level.as_str()
        ));
    }
    out
}

/// Escapes a markdown table cell (`|` and line breaks).
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The rules as a markdown table (`Rule | PSS level | PSA check | Severity | Title`),
/// ending with a newline.
///
/// The README holds this table between `<!-- rules:start -->` and `<!-- rules:end -->`;
/// `kube-secctx rules --format markdown` prints it, and `tests/readme_rules.rs` fails when
/// the README's copy is stale.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "| Rule | PSS level | PSA check | Severity | Title |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let (level, check) = match rule.pss {
            Some(pss) => (pss.level.as_str().to_string(), checks_label(rule, "`")),
            None => (format!("— ({})", category_word(rule)), "—".to_string()),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            rule.id,
            level,
            check,
            rule.severity.as_str(),
            md_cell(rule.title)
        ));
    }
    out
}

/// The rules as an aligned plain-text table (`RULE  LEVEL  PSA CHECK  SEVERITY  TITLE`),
/// one rule a line, ending with a newline. Non-PSS rules show `hardening` or `diagnostic`
/// as their level and `-` as their check.
pub fn rules_table() -> String {
    let checks: Vec<String> = RULES
        .iter()
        .map(|r| {
            r.psa_checks()
                .iter()
                .map(|c| c.1)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let rows: Vec<[&str; 5]> = RULES
        .iter()
        .zip(&checks)
        .map(|(r, c)| {
            [
                r.id,
                category_word(r),
                if c.is_empty() { "-" } else { c.as_str() },
                r.severity.as_str(),
                r.title,
            ]
        })
        .collect();
    let header = ["RULE", "LEVEL", "PSA CHECK", "SEVERITY", "TITLE"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One rule's metadata and docs: an element of `kube-secctx rules --format json`, and of
/// the JS API's `rules()`, which serializes it directly (no [`Value`] in between, so the
/// wasm module carries no JSON tree code). Fields are in alphabetical order, the order
/// the JSON has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// `pss`, `hardening` or `diagnostic`.
    pub category: &'static str,
    /// The documentation (markdown).
    pub docs: String,
    /// How to fix a finding.
    pub fix: &'static str,
    /// The rule ID.
    pub id: &'static str,
    /// The Pod Security Admission mapping, `null` for rules outside the PSS.
    pub pss: Option<RuleInfoPss>,
    /// The severity of its findings.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
}

/// The `pss` part of a [`RuleInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfoPss {
    /// A second PSA check the rule runs as, or `null`.
    pub also: Option<RuleInfoAlso>,
    /// The PSA check ID.
    pub check: &'static str,
    /// The level of the PSA check.
    pub level: Level,
    /// `v1.N` from which restricted replaces this check, or `null`.
    pub replaced_in_restricted_since: Option<String>,
    /// The first policy version, `v1.N`.
    pub since: String,
}

/// The `pss.also` part of a [`RuleInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfoAlso {
    /// The PSA check ID.
    pub check: &'static str,
    /// Its level.
    pub level: Level,
    /// The first policy version, `v1.N`.
    pub since: String,
}

/// One rule's metadata and docs (see [`RuleInfo`]).
pub fn rule_info(rule: &Rule) -> RuleInfo {
    RuleInfo {
        category: match rule.category {
            Category::Pss => "pss",
            Category::Hardening => "hardening",
            Category::Diagnostic => "diagnostic",
        },
        docs: rule.markdown(),
        fix: rule.fix,
        id: rule.id,
        pss: rule.pss.map(|p| RuleInfoPss {
            also: p.also.map(|(level, check, since)| RuleInfoAlso {
                check,
                level,
                since: format!("v1.{since}"),
            }),
            check: p.check,
            level: p.level,
            replaced_in_restricted_since: p.replaced_in_restricted_since.map(|v| format!("v1.{v}")),
            since: format!("v1.{}", p.since),
        }),
        severity: rule.severity,
        title: rule.title,
    }
}

/// One rule's metadata as JSON (used by [`rules_json`]): [`rule_info`] as a [`Value`].
pub fn rule_json(rule: &Rule) -> Value {
    serde_json::to_value(rule_info(rule)).unwrap_or(Value::Null)
}

/// Every rule's metadata as a pretty JSON array: `id`, `title`, `category`
/// (`pss`/`hardening`/`diagnostic`), `severity`, `pss` (`level`, `check`, `since`,
/// `replacedInRestrictedSince`, `also` (a second PSA check the rule runs as, or `null`),
/// or `null`), `fix`, `docs` (markdown).
pub fn rules_json() -> String {
    let all: Vec<Value> = RULES.iter().map(|r| rule_json(r)).collect();
    serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".to_string())
}

/// `s` for one line of a report for people: each control character (line breaks, escape
/// sequences) written as Rust escapes it (`\n`, `\r`, `\u{1b}`), so a name or message
/// taken from a manifest cannot start a line of its own (a GitHub Actions `::error::`
/// command in a CI log) or drive a terminal. Borrowed when there is none.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Rule IDs close to `unknown`, best first, at most three: for "did you mean" hints
/// ([`crate::suggest::did_you_mean`] over the rule IDs).
pub fn suggest_rules(unknown: &str) -> Vec<&'static str> {
    crate::suggest::did_you_mean(unknown, RULES.iter().map(|r| r.id))
}

/// Where a span ends for display: a span whose last lines hold nothing of it but
/// whitespace (a block node's span runs on to the next token, over line breaks and
/// indentation) ends at the end of its last line with text instead. Returns a byte offset,
/// never before the span's (clamped) start.
pub(crate) fn display_end(li: &LineIndex<'_>, span: Span) -> usize {
    let start = li.clamp(span.start);
    let mut end = li.clamp(span.end).max(start);
    let first = li.line(start);
    let mut line = li.line(end).max(first);
    while line > first {
        let text = li.line_text(line);
        let upto = end.saturating_sub(li.line_start(line)).min(text.len());
        let before = text.get(..upto).unwrap_or(text);
        if !before.trim().is_empty() {
            break;
        }
        line -= 1;
        end = li.line_end(line);
    }
    end.max(start)
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_table_has_every_rule() {
        let md = rules_markdown();
        assert_eq!(md.lines().count(), RULES.len() + 2);
        assert!(md.contains("| `privileged-container` | baseline | `privileged` | error | Container runs privileged |"));
        assert!(md.contains("| `pod-security-context-missing` | — (hardening) | — | warning |"));
    }

    #[test]
    fn plain_table_aligned() {
        let t = rules_table();
        let mut lines = t.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("RULE "));
        let col = header.find("LEVEL").unwrap();
        for l in lines {
            assert_eq!(l.chars().nth(col - 1), Some(' '), "{l}");
        }
    }

    #[test]
    fn display_end_trims_trailing_lines() {
        let text = "a:\n  b:\n    c: 1\n    d: 2\n  \n  e: 3\n";
        let li = LineIndex::new(text);
        let start = text.find("c: 1").unwrap();
        let next = text.find("e: 3").unwrap();
        assert_eq!(
            display_end(&li, Span::new(start, next)),
            text.find("d: 2").unwrap() + 4
        );
        assert_eq!(display_end(&li, Span::new(start, start + 4)), start + 4);
        assert_eq!(display_end(&li, Span::new(next, next)), next);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest_rules("privileged-containr"),
            vec!["privileged-container"]
        );
        assert_eq!(
            suggest_rules("host-namespace").first(),
            Some(&"host-namespaces")
        );
        assert!(suggest_rules("zzzzzzzzzz").is_empty());
    }

    #[test]
    fn summary_and_explain() {
        let r = crate::rules::rule("privileged-container").unwrap();
        assert!(rule_summary(r).starts_with("A container (init, regular or ephemeral) sets"));
        let md = explain_markdown(r);
        assert!(md.starts_with("# privileged-container\n\n**Container runs privileged.** Pod Security Standards **baseline**, PSA check `privileged`; severity `error`.\n\n## What it checks\n"));
        let v: Value = serde_json::from_str(&rules_json()).unwrap();
        assert_eq!(v.as_array().unwrap().len(), RULES.len());
    }
}
