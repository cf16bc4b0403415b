//! The report written as the checker produces it, in the chosen format: each document's
//! findings go to standard output as soon as it is checked, so memory follows the
//! largest document, not the report (see `crate::engine::Batch`).

use std::collections::HashMap;
use std::io::Write as _;

use super::args::{CheckArgs, ColorWhen, Format};
use super::baseline::{self, Plan};
use super::io;
use crate::baseline::Matcher;
use crate::position::LineIndex;
use crate::render::fixes::FixTable;
use crate::render::{concise, github, json, sarif, step_summary, text, EntryWriter};
use crate::{Batch, Report};

/// One format's writer over standard output.
pub(super) enum Output<'o> {
    Text(text::TextWriter<'o, io::Stdout>),
    Concise(concise::ConciseWriter<'o, io::Stdout>),
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
        report: &Report,
        files: &[String],
        uris: std::collections::BTreeMap<String, String>,
        texts: &HashMap<String, &str>,
    ) -> std::io::Result<Output<'o>> {
        let (version, options) = (report.version, &report.options);
        Ok(match args.format {
            Format::Text => Output::Text(text::TextWriter::new(out, &text_options(args))),
            Format::Concise => {
                Output::Concise(concise::ConciseWriter::new(out, &text_options(args)))
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
                    baseline: args.baseline.is_some(),
                    notes: report
                        .notes
                        .iter()
                        .map(|n| {
                            let li = note_index(n, texts);
                            sarif::SarifNote::new(n, li.as_ref())
                        })
                        .collect(),
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
            // One line per finding: no fixes shown.
            Output::Concise(_) => {}
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
            Output::Concise(w) => w
                .entries(&batch.findings, &batch.errors, Some(li))
                .map_err(|_| std::io::Error::other("cannot write")),
            Output::Json(w) => w.batch(&batch.findings, &batch.errors, Some(li)),
            Output::Sarif(w) => w.batch(&batch.findings, &batch.errors, Some(li)),
            Output::Github(w) => w.batch(batch, li),
        }
    }

    /// Writes one document's batch as a worker rendered it ([`render_step`]); `None`
    /// (nothing written) when this format does not take that rendering.
    pub(super) fn rendered(
        &mut self,
        rendered: &Rendered,
        batch: &Batch,
    ) -> Option<std::io::Result<()>> {
        let cannot = |_| std::io::Error::other("cannot write");
        Some(match (rendered, self) {
            (Rendered::Json(r), Output::Json(w)) => w.rendered(r, &batch.errors),
            (Rendered::Sarif(r), Output::Sarif(w)) => w.rendered(r, &batch.errors),
            (Rendered::Github(annotations, rows), Output::Github(w)) => {
                w.rendered(annotations, rows.as_deref())
            }
            (Rendered::Text(t), Output::Text(w)) => w.rendered(t).map_err(cannot),
            (Rendered::Text(t), Output::Concise(w)) => w.raw(t).map_err(cannot),
            _ => return None,
        })
    }

    /// Ends the report (`report` gives the summary and the notes; its findings are not
    /// read). The notes (the cluster's) come before the summary line (SARIF has them from
    /// `begin`); `texts` holds the text of each file a note may point into. For text and
    /// concise, `unread` files that could not be read are counted after the summary line;
    /// when nothing was read at all, only that is written. With a baseline (`ending`), its
    /// stale entries come before the summary line in text and concise, the JSON report
    /// has its `baseline` field, and SARIF (whose results are findings) leaves them to
    /// standard error.
    pub(super) fn finish(
        mut self,
        report: &Report,
        unread: usize,
        ending: Option<(&Plan, &Matcher)>,
        texts: &HashMap<String, &str>,
    ) -> std::io::Result<()> {
        let cannot = |_| std::io::Error::other("cannot write");
        for n in &report.notes {
            let li = note_index(n, texts);
            match &mut self {
                Output::Text(w) => w.note(n, li.as_ref()).map_err(cannot)?,
                Output::Concise(w) => w.note(n, li.as_ref()).map_err(cannot)?,
                Output::Json(w) => w.note(n, li.as_ref()),
                Output::Github(w) => w.note(n, li.as_ref())?,
                Output::Sarif(_) => {}
            }
        }
        // Nothing was read: a "no problems found" summary would mislead.
        let nothing_read = report.files.is_empty() && unread > 0;
        let stale = ending.map(|(plan, matcher)| baseline::stale_text(plan, matcher));
        let written = match self {
            Output::Text(mut w) => (|| {
                w.raw(stale.as_deref().unwrap_or(""))?;
                let out = if nothing_read {
                    w.into_inner()
                } else {
                    w.finish(report)?
                };
                write_unread(out, unread)
            })(),
            Output::Concise(mut w) => (|| {
                w.raw(stale.as_deref().unwrap_or(""))?;
                let out = if nothing_read {
                    w.into_inner()
                } else {
                    w.finish(report)?
                };
                write_unread(out, unread)
            })(),
            Output::Json(w) => {
                let extra: Vec<_> = ending
                    .map(|(plan, matcher)| ("baseline", baseline::json_field(plan, matcher)))
                    .into_iter()
                    .collect();
                return w.finish_with(&report.summary, &extra)?.write_all(b"\n");
            }
            Output::Github(w) => return w.finish(report, unread, stale.as_deref()),
            Output::Sarif(w) => {
                if let Some(stale) = stale.as_deref().filter(|s| !s.is_empty()) {
                    eprintln!("{}", stale.trim_end_matches('\n'));
                }
                return w.finish()?.write_all(b"\n");
            }
        };
        written.map_err(|_| std::io::Error::other("cannot write"))
    }
}

/// What a worker thread makes of a batch it checked, for the formats whose batches do
/// not depend on what came before them (see `Checker::check_all_rendered`).
pub(super) enum Rendered {
    /// The JSON report's findings.
    Json(json::RenderedBatch),
    /// The text or concise format's lines.
    Text(String),
    /// The SARIF log's results (their fingerprints' occurrences are the writer's).
    Sarif(sarif::RenderedResults),
    /// GitHub's annotations, and the job summary's rows when it is written.
    Github(String, Option<Vec<String>>),
}

/// The render step of `args.format` when batches can be rendered on the worker threads:
/// JSON, and the other formats on more than one thread (SARIF's results without their
/// fingerprints' occurrences, which the writer counts in order; GitHub's annotations
/// and job summary rows, whose byte budget the writer keeps), without `--show-fixes`
/// (the offers are the calling thread's); `output` is the writer begun (SARIF's results
/// take its options and indentation; GitHub's rows are made when it writes a summary).
/// `None` without a writer: the calling thread renders the batches.
///
/// Text on the workers (issue 16's thirteenth session): with `--threads 2` on 40 files
/// the calling thread had 42% of the process's CPU samples (`perf`), rendering code
/// frames while two workers checked, so a check could never be more than about 2.4
/// times as fast as on one thread whatever the cores; now it has 2%. On one thread a
/// batch rendered apart is only a copy more (5% slower as a whole process): the
/// calling thread renders text there itself.
pub(super) fn render_step(
    args: &CheckArgs,
    show_fixes: bool,
    output: Option<&Output<'_>>,
) -> Option<impl Fn(&LineIndex<'_>, &Batch) -> Rendered + Sync> {
    let format = args.format;
    let opts = text_options(args);
    let sarif = match output {
        Some(Output::Sarif(w)) => Some((w.options().clone(), w.indent())),
        _ => None,
    };
    let summary_rows = matches!(output, Some(Output::Github(w)) if w.summarizes());
    let renders = output.is_some()
        && match format {
            Format::Json => true,
            Format::Text | Format::Concise => args.thread_count() > 1,
            Format::Sarif => sarif.is_some() && args.thread_count() > 1,
            Format::Github => args.thread_count() > 1,
        };
    (renders && !show_fixes).then_some(move |li: &LineIndex<'_>, batch: &Batch| {
        let (findings, errors) = (&batch.findings, &batch.errors);
        match (format, &sarif) {
            (Format::Json, _) => Rendered::Json(json::RenderedBatch::new(
                li,
                batch,
                json::Positions::CharsAndBytes,
            )),
            (Format::Sarif, Some((opts, indent))) => {
                Rendered::Sarif(sarif::RenderedResults::new(li, batch, opts, *indent))
            }
            (Format::Github, _) => Rendered::Github(
                github::batch(findings, errors, Some(li)),
                summary_rows.then(|| step_summary::batch_rows(findings, errors, Some(li))),
            ),
            (Format::Concise, _) => {
                Rendered::Text(concise::batch_text(&opts, findings, errors, Some(li)))
            }
            (Format::Text, _) => {
                Rendered::Text(text::batch_text(&opts, findings, errors, Some(li)))
            }
            // (Not rendered on the workers without the SARIF writer's options; a
            // rendering the writer does not take is rendered by the calling thread.)
            (Format::Sarif, None) => Rendered::Text(String::new()),
        }
    })
}

/// The text format's options from `--color` and `--no-color` (also the concise
/// format's).
fn text_options(args: &CheckArgs) -> text::TextOptions {
    let color = match (args.no_color, args.color) {
        (true, _) | (_, ColorWhen::Never) => false,
        (false, ColorWhen::Always) => true,
        (false, ColorWhen::Auto) => io::auto_color(),
    };
    text::TextOptions {
        color,
        ..text::TextOptions::default()
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

/// Writes [`unread_line`] (and its line break) when there is one.
fn write_unread(out: &mut io::Stdout, unread: usize) -> std::fmt::Result {
    match unread_line(unread) {
        Some(line) => std::fmt::Write::write_fmt(out, format_args!("{line}\n")),
        None => Ok(()),
    }
}

/// The line index of the file a note names, from the texts kept for notes.
fn note_index<'t>(
    note: &crate::psa::Note,
    texts: &'t HashMap<String, &str>,
) -> Option<LineIndex<'t>> {
    note.file
        .as_deref()
        .and_then(|f| texts.get(f))
        .map(|t| LineIndex::new(t))
}
