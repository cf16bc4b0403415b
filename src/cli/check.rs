//! `kube-secctx check`: inputs → one [`Checker`] → the report, rendered.

use std::ops::ControlFlow;
use std::process::ExitCode;

use super::args::CheckArgs;
use super::baseline;
use super::inputs::{gather, Gathered};
use super::io;
use super::output::{self, Output};
use super::settings::{self, file_ignores, set_file_ignore, with_ignored};
use super::walk::Filters;
use super::{cluster, fix};
use super::{inactive_warning, options_error, EXIT_USAGE};
use crate::engine::decode;
use crate::engine::{for_each_in_order, map_in_order};
use crate::engine::{Input, Parallel, Render};
use crate::fail_on::FailOn;
use crate::position::LineIndex;
use crate::Checker;

/// The text of each file a note names (see `cluster::Loaded::texts`).
type NoteTexts = std::collections::HashMap<String, String>;

/// [`NoteTexts`] borrowed, with the inputs' own texts for the inputs the notes name
/// that it does not hold.
type NoteSources<'t> = std::collections::HashMap<String, &'t str>;

/// One input read: its name, its bytes (fixed with --fix), with --show-fixes its
/// findings' fixes, and the rules the config file's `perFileIgnores` turn off in it.
type Read = (
    String,
    Vec<u8>,
    Option<crate::render::fixes::FixTable>,
    Vec<String>,
);

/// Runs `check` with its arguments.
///
/// # Errors
/// Only when standard output cannot be written (a closed pipe is not an error).
pub(super) fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    // The config file and the flags (see settings.rs): what runs, what is walked, the
    // namespaces and admission configuration, the exit threshold.
    let Ok(loaded) = settings::load(args) else {
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    if args.show_settings {
        io::write_stdout(&settings::show(&loaded, args.format))?;
        return Ok(ExitCode::SUCCESS);
    }
    let settings = &loaded.resolved;
    let mut opts = settings.options();
    let mut checker = match Checker::new(&opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}", options_error(&e));
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    for (rule, why) in opts.inactive_selected() {
        eprintln!("warning: {}", inactive_warning(rule, why));
    }
    if args.paths.is_empty() {
        eprintln!(
            "error: no PATH given: name files or directories to check, or `-` for standard \
             input\n\nUsage: kube-secctx check [OPTIONS] [PATH]...\n\nFor more information, \
             try '--help'."
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let fail_on = settings.fail_on.value;
    let (plan, matcher) = match baseline::plan(args) {
        Ok(planned) => planned.unzip(),
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };

    // The config file's `exclude` applies unless `--exclude` replaces it.
    let config_exclude = if args.exclude.is_empty() {
        settings.exclude_globs()
    } else {
        None
    };
    let filters = match Filters::new(&args.exclude, args.no_ignore, config_exclude) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let Gathered {
        mut read,
        uris,
        mut unreadable,
        unread,
        skipped,
        dirs,
    } = gather(args, &filters, &opts.limits);

    // The namespaces the inputs and --namespaces describe, --admission-config.
    let cluster = match cluster::prepare(args, settings, &mut opts, &read) {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    if opts != *checker.options() {
        checker = match Checker::new(&opts) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {}", options_error(&e));
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        };
    }
    for note in &cluster.notes {
        checker.note(note.clone());
    }
    checker.count_skipped(skipped);

    if let Some(mut matcher) = matcher {
        for (name, _, _) in &read {
            matcher.name_file(name, &baseline::relative_name(name));
        }
        for dir in &dirs {
            matcher.name_dir(&baseline::relative_name(&io::display_path(dir)));
        }
        checker.set_baseline(matcher);
    }

    // --fix and --diff: the fixes applied to what was read (and written back with
    // --fix); the report is then of the fixed texts.
    let stdin_fix = args.fix && read.iter().any(|(_, _, real)| real.is_none());
    if stdin_fix && read.len() > 1 {
        eprintln!(
            "error: --fix with `-` writes the fixed text to standard output: give no other PATH"
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    // The rules `perFileIgnores` turns off in each input.
    let file_ignores: Vec<Vec<String>> = read
        .iter()
        .map(|(name, _, real)| file_ignores(settings, name, real.as_deref()))
        .collect();
    let mut fixes = fix::FixSummary::default();
    // With --diff in JSON or SARIF, each file's fixes, from the run that fixed it.
    let mut diff_tables = Vec::new();
    if args.fix || args.diff {
        // Planned on the threads, taken (printed, written, counted) in the inputs' order
        // as they come: the first diffs are printed while the next files are planned.
        let mut fixed = Vec::with_capacity(read.len());
        per_input(
            &read,
            &file_ignores,
            &opts,
            args,
            &|opts, name, bytes| fix::plan_input(opts, args, name, bytes),
            &mut |i, planned| {
                let Some((name, bytes, real)) = read.get(i) else {
                    return ControlFlow::Continue(());
                };
                let target = real.as_deref().filter(|_| args.fix);
                let fixing = fix::fix_input(args, name, bytes, planned, target, &mut fixes);
                fixed.push(fixing.new);
                diff_tables.push(fixing.table);
                // Diffs that cannot be written: the files after are not fixed.
                if fixes.stdout_error.is_some() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        for ((_, bytes, _), new) in read.iter_mut().zip(fixed) {
            if let Some(new) = new {
                *bytes = new;
            }
        }
        unreadable |= fixes.unwritten > 0;
    }
    if stdin_fix {
        // The fixed text to standard output, what is left to standard error.
        let mut shown = String::new();
        if let Some((name, bytes, _)) = read.first() {
            io::write_stdout_bytes(bytes)?;
            set_file_ignore(&mut checker, file_ignores.first());
            checker.check_bytes(name, bytes);
            shown = decode(bytes).text.into_owned();
        }
        // The report goes to standard error here, the stale entries with it.
        if let (Some(plan), Some(matcher)) = (plan.as_ref(), checker.baseline()) {
            eprint!("{}", baseline::stale_text(plan, matcher));
        }
        if let Some(plan) = plan.as_ref().filter(|p| p.write) {
            unreadable |= baseline::finish_write(plan, checker.baseline(), unreadable);
        }
        let report = checker.finish();
        let sources = |_: &str| Some(shown.as_str());
        let rendered = match args.format {
            super::args::Format::Text => {
                crate::render::text::render(&report, &sources, &Default::default())
            }
            super::args::Format::Concise => {
                crate::render::concise::render(&report, &sources, &Default::default())
            }
            super::args::Format::Json => crate::render::json::render(&report, &sources) + "\n",
            super::args::Format::Sarif => {
                crate::render::sarif::render(&report, &sources, &Default::default()) + "\n"
            }
            super::args::Format::Github => crate::render::github::render(&report, &sources),
        };
        eprint!("{rendered}");
        eprintln!(
            "{}",
            fix::summary_line(&fixes, report.summary.findings, false, args.unsafe_fixes)
        );
        return Ok(exit_code(unreadable, fail_on.fails(&report.summary)));
    }
    if args.diff && args.format.is_human() {
        // The diffs are the output. When they could not all be written, the counts are
        // of part of the files: an error (a full disk), or nothing more (a closed pipe,
        // `| head`); a diff was printed, so the exit code is that of a fix to make.
        if let Some(e) = fixes.stdout_error.take() {
            io::closed_pipe_is_fine(e)?;
        } else {
            eprintln!("{}", fix::summary_line(&fixes, 0, true, args.unsafe_fixes));
        }
        let code = if unreadable {
            ExitCode::from(EXIT_USAGE)
        } else if fixes.files > 0 && fail_on != FailOn::None {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
        return Ok(code);
    }
    // --show-fixes: each file's offers (every fix, safe and unsafe) on the text reported
    // (with --diff, the run above made them).
    let files: Vec<String> = read.iter().map(|(name, _, _)| name.clone()).collect();
    let tables = if args.diff {
        diff_tables
    } else if args.show_fixes {
        let mut tables = Vec::with_capacity(read.len());
        per_input(
            &read,
            &file_ignores,
            &opts,
            args,
            &fix::fix_table,
            &mut |_, t| {
                tables.push(t);
                ControlFlow::Continue(())
            },
        );
        tables
    } else {
        Vec::new()
    };
    let mut tables = tables.into_iter();
    let read: Vec<Read> = read
        .into_iter()
        .zip(file_ignores)
        .map(|((name, bytes, _), ignored)| (name, bytes, tables.next().flatten(), ignored))
        .collect();
    let mut out = io::Stdout::new();
    let written = check_and_write(
        &mut checker,
        &mut out,
        args,
        (files.as_slice(), uris, &cluster.texts),
        read,
        unread,
        plan.as_ref(),
    );
    if let Some(plan) = plan.as_ref().filter(|p| p.write) {
        unreadable |= baseline::finish_write(plan, checker.baseline(), unreadable);
    }
    let report = checker.finish();
    if args.fix {
        let line = fix::summary_line(&fixes, report.summary.findings, false, args.unsafe_fixes);
        if args.format.is_human() && written.is_ok() {
            use std::io::Write as _;
            let _ = writeln!(out, "{line}");
        } else {
            eprintln!("{line}");
        }
    }
    out.finish(written)?;
    let diff_found = args.diff && fixes.files > 0 && fail_on != FailOn::None;
    Ok(exit_code(
        unreadable,
        fail_on.fails(&report.summary) || diff_found,
    ))
}

/// `f` of each input read (its name and bytes) under `opts` with the rules its
/// `perFileIgnores` turn off (`ignores`, one per input), on `--threads` threads, and
/// `deliver` of each result (with the input's index) on the calling thread in the
/// inputs' order as they come, a few files per thread ahead at most
/// ([`crate::engine::AHEAD`]): the fixes of `--fix`, `--diff` and `--show-fixes`.
fn per_input<U: Send>(
    read: &[(String, Vec<u8>, Option<std::path::PathBuf>)],
    ignores: &[Vec<String>],
    opts: &crate::Options,
    args: &CheckArgs,
    f: &(dyn Fn(&crate::Options, &str, &[u8]) -> U + Sync),
    deliver: &mut dyn FnMut(usize, U) -> ControlFlow<()>,
) {
    let inputs: Vec<_> = read.iter().zip(ignores).collect();
    for_each_in_order(
        &inputs,
        args.thread_count(),
        crate::engine::AHEAD,
        &|((name, bytes, _), ignored)| f(&with_ignored(opts, ignored), name, bytes),
        deliver,
    );
}

/// The exit rule (see `--help` and [`FailOn`]): 2 when an input could not be read (or
/// the baseline not written), else 1 when the run `fails`, else 0.
fn exit_code(unreadable: bool, fails: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(EXIT_USAGE)
    } else if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Checks each input, writing each document's results as it is checked, then the end
/// of the report. At the first output error (a closed pipe, a full disk) it stops
/// writing but checks every input, so that the exit code still says what was found.
fn check_and_write(
    checker: &mut Checker,
    out: &mut io::Stdout,
    args: &CheckArgs,
    (files, uris, texts): (
        &[String],
        std::collections::BTreeMap<String, String>,
        &NoteTexts,
    ),
    mut read: Vec<Read>,
    unread: usize,
    plan: Option<&baseline::Plan>,
) -> std::io::Result<()> {
    let mut tables: Vec<_> = read
        .iter_mut()
        .map(|(_, _, table, _)| table.take())
        .collect();
    // The text of positions and code frames: each file itself, or with its invalid
    // bytes replaced one for one (every offset of the report is the file's).
    // (Each file's UTF-8 validated on `--threads` threads.)
    let decoded: Vec<_> = map_in_order(&read, args.thread_count(), &|(_, bytes, _, _)| {
        decode(bytes)
    });
    let report = checker.report();
    // The texts the notes point into: those kept for them, else the input's own.
    let mut sources: NoteSources<'_> = texts
        .iter()
        .map(|(name, text)| (name.clone(), text.as_str()))
        .collect();
    for file in report.notes.iter().filter_map(|n| n.file.as_ref()) {
        if sources.contains_key(file) {
            continue;
        }
        let text = read
            .iter()
            .zip(&decoded)
            .find(|((name, _, _, _), _)| name == file)
            .map(|(_, d)| d.text.as_ref());
        if let Some(text) = text {
            sources.insert(file.clone(), text);
        }
    }
    let (mut output, mut failed) = match Output::begin(out, args, report, files, uris, &sources) {
        Ok(output) => (Some(output), None),
        Err(e) => (None, Some(e)),
    };
    let inputs: Vec<Input<'_>> = read
        .iter()
        .zip(&decoded)
        .map(|((name, _, _, ignored), decoded)| Input {
            name,
            decoded,
            ignore: ignored,
        })
        .collect();
    // The batches are rendered on the threads that check them (JSON's on any number of
    // threads, the other formats' on more than one: see `Checker::check_all_rendered`
    // and `output::render_step`), unless fixes are shown (the offers are this
    // thread's); the batches the render step did not take (with a baseline, or on one
    // thread) are rendered here.
    let show_fixes = tables.iter().any(Option::is_some);
    let step = output::render_step(args, show_fixes, output.as_ref());
    let render: Option<&Render<'_, output::Rendered>> =
        step.as_ref().map(|f| f as &Render<'_, output::Rendered>);
    // The file whose batches come now, and its line index when this thread renders.
    let mut current: Option<(usize, Option<LineIndex<'_>>)> = None;
    checker.check_all_rendered(
        &inputs,
        Parallel::threads(args.thread_count()),
        render,
        &mut |input, batch, rendered| {
            let (Some(output), None) = (output.as_mut(), &failed) else {
                return;
            };
            if current.as_ref().is_none_or(|(i, _)| *i != input) {
                output.set_fixes(tables.get_mut(input).and_then(Option::take));
                current = Some((input, None));
            }
            if let Some(written) = rendered.and_then(|r| output.rendered(&r, &batch)) {
                failed = written.err();
                return;
            }
            if let Some((_, li)) = &mut current {
                let li = li.get_or_insert_with(|| {
                    LineIndex::new(decoded.get(input).map_or("", |d| &d.text))
                });
                failed = output.batch(&batch, li).err();
            }
        },
    );
    match (failed, output) {
        (Some(e), _) => Err(e),
        (None, Some(output)) => {
            let ending = plan.zip(checker.baseline());
            output.finish(checker.report(), unread, ending, &sources)
        }
        (None, None) => Ok(()),
    }
}
