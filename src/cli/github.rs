//! `check --format github`: the annotations of [`crate::render::github`] to standard
//! output, document by document, and every finding appended to the job summary
//! ([`crate::render::step_summary`]) when `GITHUB_STEP_SUMMARY` names a file.
//!
//! The runner of GitHub Actions sets `GITHUB_STEP_SUMMARY` for each step, so the summary is
//! written in the Action (`action.yml`) and in any workflow step that runs the command;
//! elsewhere the variable is unset and nothing is written. Set it empty
//! (`GITHUB_STEP_SUMMARY= kube-secctx check ...`) to leave the summary alone. A summary
//! that cannot be written is a warning on standard error, never a failure of the check.

use std::fs::File;
use std::io::{BufWriter, Write as _};

use super::io;
use crate::position::LineIndex;
use crate::render::{github, step_summary::StepSummary, text};
use crate::{Batch, Report};

/// The job summary being written, and where (for messages).
struct Summary {
    path: String,
    writer: StepSummary<BufWriter<File>>,
}

/// The `github` format's writer: annotations to standard output, rows to the summary.
pub(super) struct GithubOutput<'o> {
    out: &'o mut io::Stdout,
    summary: Option<Summary>,
}

impl<'o> GithubOutput<'o> {
    /// Starts writing; opens `$GITHUB_STEP_SUMMARY` (appending) when it is set and not empty.
    pub(super) fn begin(out: &'o mut io::Stdout) -> GithubOutput<'o> {
        let summary = std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|p| !p.is_empty())
            .and_then(|path| {
                let shown = std::path::Path::new(&path).display().to_string();
                let opened = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&path)
                    .and_then(|file| {
                        let existing = file.metadata().map_or(0, |m| m.len());
                        if !StepSummary::<BufWriter<File>>::has_room(existing) {
                            return Ok(Err(existing));
                        }
                        StepSummary::begin(BufWriter::new(file), existing).map(Ok)
                    });
                match opened {
                    Ok(Ok(writer)) => Some(Summary {
                        path: shown,
                        writer,
                    }),
                    Ok(Err(existing)) => {
                        eprintln!(
                            "warning: the job summary {shown} (GITHUB_STEP_SUMMARY) already \
                             holds {existing} bytes, and a step summary holds at most 1 MiB: \
                             nothing is added to it (the annotations list every finding)"
                        );
                        None
                    }
                    Err(e) => {
                        warn(&shown, &e);
                        None
                    }
                }
            });
        GithubOutput { out, summary }
    }

    /// One document's annotations, and its rows in the summary.
    pub(super) fn batch(&mut self, batch: &Batch, li: &LineIndex<'_>) -> std::io::Result<()> {
        if let Some(s) = self.summary.as_mut() {
            if let Err(e) = s.writer.batch(&batch.findings, &batch.errors, Some(li)) {
                warn(&s.path, &e);
                self.summary = None;
            }
        }
        self.out
            .write_all(github::batch(&batch.findings, &batch.errors, Some(li)).as_bytes())
    }

    /// Whether the job summary is being written (a worker then renders its rows too:
    /// see `output::render_step`).
    pub(super) fn summarizes(&self) -> bool {
        self.summary.is_some()
    }

    /// One document's annotations and summary rows as a worker rendered them
    /// ([`github::batch`], [`step_summary::batch_rows`](crate::render::step_summary::batch_rows)):
    /// what [`GithubOutput::batch`] writes for it. `rows` is `None` when the summary was
    /// not being written when the check began.
    pub(super) fn rendered(
        &mut self,
        annotations: &str,
        rows: Option<&[String]>,
    ) -> std::io::Result<()> {
        if let (Some(s), Some(rows)) = (self.summary.as_mut(), rows) {
            if let Err(e) = s.writer.rows(rows) {
                warn(&s.path, &e);
                self.summary = None;
            }
        }
        self.out.write_all(annotations.as_bytes())
    }

    /// One note, as a `::notice` annotation.
    pub(super) fn note(
        &mut self,
        note: &crate::psa::Note,
        li: Option<&LineIndex<'_>>,
    ) -> std::io::Result<()> {
        self.out
            .write_all(github::note_annotation(note, li).as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// The summary line (and `unread` files, as the text format says it), to standard
    /// output and to the job summary, after `stale` (the baseline's entries that no
    /// longer match, as the text format lists them). When nothing was read at all, only
    /// the unread line.
    pub(super) fn finish(
        self,
        report: &Report,
        unread: usize,
        stale: Option<&str>,
    ) -> std::io::Result<()> {
        if let Some(stale) = stale {
            self.out.write_all(stale.as_bytes())?;
        }
        let mut lines = Vec::new();
        if !(report.files.is_empty() && unread > 0) {
            lines.push(text::summary_line(report));
        }
        lines.extend(super::output::unread_line(unread));
        if let Some(s) = self.summary {
            let done = s.writer.finish(&lines).and_then(|mut w| w.flush());
            if let Err(e) = done {
                warn(&s.path, &e);
            }
        }
        for line in lines {
            self.out.write_all(line.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn warn(path: &str, e: &std::io::Error) {
    eprintln!(
        "warning: cannot write the job summary to {path} (GITHUB_STEP_SUMMARY): {}",
        io::io_message(e)
    );
}
