//! The report written as the checker produces it, in the chosen format: each document's
//! findings go to standard output as soon as it is checked, so memory follows the
//! largest document, not the report (see `crate::engine::Batch`).

use std::io::Write as _;

use super::args::{CheckArgs, ColorWhen, Format};
use super::io;
use crate::position::LineIndex;
use crate::render::fixes::FixTable;
use crate::render::{json, sarif, text, EntryWriter};
use crate::report::ReportOptions;
use crate::{Batch, Report};

/// One format's writer over standard output.
pub(super) enum Output<'o> {
    Text(text::TextWriter<'o, io::Stdout>),
    Json(json::JsonWriter<&'o mut io::Stdout>),
    Sarif(sarif::SarifWriter<&'o mut io::Stdout>),
    Github(super::github::GithubOutput<'o>),
}

impl<'o> Output<'o> {
    /// Starts the report: for JSON and SARIF, what comes before the findings (`files`
    /// is every input that will be checked, in order; `uris`, SARIF's URIs of the names
    /// shown with escaped bytes).
    pub(super) fn begin(
        out: &'o mut io::Stdout,
        args: &CheckArgs,
        version: &str,
        options: &ReportOptions,
        files: &[String],
        uris: std::collections::BTreeMap<String, String>,
    ) -> std::io::Result<Output<'o>> {
        Ok(match args.format {
            Format::Text => {
                let color = match (args.no_color, args.color) {
                    (true, _) | (_, ColorWhen::Never) => false,
                    (false, ColorWhen::Always) => true,
                    (false, ColorWhen::Auto) => io::auto_color(),
                };
                let opts = text::TextOptions {
                    color,
                    ..text::TextOptions::default()
                };
                Output::Text(text::TextWriter::new(out, &opts))
            }
            Format::Json => Output::Json(json::JsonWriter::begin(
                out,
                version,
                options,
                files,
                json::Positions::CharsAndBytes,
            )?),
            Format::Sarif => {
                let opts = sarif::SarifOptions {
                    src_root: std::env::current_dir().ok().map(|d| io::dir_uri(&d)),
                    uris,
                };
                Output::Sarif(sarif::SarifWriter::begin(out, options, &opts)?)
            }
            Format::Github => Output::Github(super::github::GithubOutput::begin(out)),
        })
    }

    /// Shows the fixes of `table` (the offers for the next file's findings) in the
    /// report, or none.
    pub(super) fn set_fixes(&mut self, table: Option<FixTable>) {
        match self {
            Output::Text(w) => w.set_fixes(table),
            Output::Json(w) => w.set_fixes(table),
            Output::Sarif(w) => w.set_fixes(table),
            // Annotations carry each rule's fix advice.
            Output::Github(_) => drop(table),
        }
    }

    /// Writes one document's findings and error entries; `li` indexes its file's text.
    pub(super) fn batch(&mut self, batch: &Batch, li: &LineIndex<'_>) -> std::io::Result<()> {
        match self {
            // A formatting error stands for the I/O error `Stdout` keeps.
            Output::Text(w) => w
                .entries(&batch.findings, &batch.errors, Some(li))
                .map_err(|_| std::io::Error::other("cannot write")),
            Output::Json(w) => w.batch(&batch.findings, &batch.errors, Some(li)),
            Output::Sarif(w) => w.batch(&batch.findings, &batch.errors, Some(li)),
            Output::Github(w) => w.batch(batch, li),
        }
    }

    /// Ends the report (`report` gives the summary; its findings are not read). For text,
    /// `unread` files that could not be read are counted after the summary line; when
    /// nothing was read at all, only that is written.
    pub(super) fn finish(self, report: &Report, unread: usize) -> std::io::Result<()> {
        match self {
            Output::Text(w) => {
                let written = (|| {
                    // Nothing was read: a "no problems found" summary would mislead.
                    let out = if report.files.is_empty() && unread > 0 {
                        w.into_inner()
                    } else {
                        w.finish(report)?
                    };
                    if let Some(line) = unread_line(unread) {
                        std::fmt::Write::write_fmt(out, format_args!("{line}\n"))?;
                    }
                    Ok::<(), std::fmt::Error>(())
                })();
                written.map_err(|_| std::io::Error::other("cannot write"))
            }
            Output::Json(w) => w.finish(&report.summary)?.write_all(b"\n"),
            Output::Sarif(w) => w.finish()?.write_all(b"\n"),
            Output::Github(w) => w.finish(report, unread),
        }
    }
}

/// `N files could not be read and were not checked (see the errors above).`, the line
/// after the summary when some files could not be read; `None` when all were.
pub(super) fn unread_line(unread: usize) -> Option<String> {
    let (files, were) = match unread {
        0 => return None,
        1 => ("file", "was"),
        _ => ("files", "were"),
    };
    Some(format!(
        "{unread} {files} could not be read and {were} not checked (see the errors above)."
    ))
}
