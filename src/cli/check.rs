//! `kube-secctx check`: inputs → one [`Checker`] → the report, rendered.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use super::args::CheckArgs;
use super::fix;
use super::io::{self, canonical, display_path, io_message, read_capped};
use super::output::Output;
use super::walk::walk;
use super::{inactive_warning, options_error, EXIT_USAGE};
use crate::engine::decode;
use crate::position::LineIndex;
use crate::render::sarif;
use crate::{Checker, Options};

/// One input to check.
pub(super) enum Input {
    Stdin,
    /// A file: the path shown (as given or as walked) and the path it is read from (the
    /// same for a file given; the canonical path for a file found by walking).
    File {
        shown: PathBuf,
        real: PathBuf,
    },
}

/// One input read: its name, its bytes (fixed with --fix), and with --show-fixes its
/// findings' fixes.
type Read = (String, Vec<u8>, Option<crate::render::fixes::FixTable>);

/// Runs `check` with its arguments.
///
/// # Errors
/// Only when standard output cannot be written (a closed pipe is not an error).
pub(super) fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let opts = Options {
        level: args.level.map(Into::into),
        pss_version: args.pss_version,
        select: clean_ids(&args.select),
        ignore: clean_ids(&args.ignore),
        ..Options::default()
    };
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

    let mut unreadable = false;
    let mut unread = 0usize;
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            if seen.insert(PathBuf::from("-")) {
                inputs.push(Input::Stdin);
            }
            continue;
        }
        let real = match io::resolve(path) {
            Ok(real) => real,
            Err(e) => {
                eprintln!("error: {}: {}", display_path(path), io_message(&e));
                unreadable = true;
                unread += 1;
                continue;
            }
        };
        if real.is_dir() {
            let before = inputs.len();
            unreadable |= walk(path, &mut inputs, &mut seen);
            if inputs.len() == before {
                eprintln!(
                    "warning: {}: no *.yaml or *.yml files found",
                    display_path(path)
                );
            }
        } else if seen.insert(canonical(path)) {
            inputs.push(Input::File {
                shown: path.clone(),
                real,
            });
        }
    }

    // Read every input first: the report starts with the list of files checked. Each
    // file's bytes are then checked document by document, written out as they are, and
    // dropped.
    let limit = opts.limits.max_input_bytes;
    let mut read: Vec<(String, Vec<u8>, Option<PathBuf>)> = Vec::new();
    // SARIF's URIs of the file names that are not UTF-8 (shown with escaped bytes).
    let mut uris = std::collections::BTreeMap::new();
    for input in inputs {
        let is_stdin = matches!(input, Input::Stdin);
        let real_path = match &input {
            Input::Stdin => None,
            Input::File { real, .. } => Some(real.clone()),
        };
        let (name, bytes) = match input {
            Input::Stdin => (
                args.stdin_filename.clone(),
                io::check_stdin().and_then(|()| read_capped(std::io::stdin().lock(), limit, 0)),
            ),
            Input::File { shown, real } => (
                {
                    let name = display_path(&shown);
                    if shown.to_str().is_none() {
                        let bytes = shown.as_os_str().as_encoded_bytes();
                        uris.insert(name.clone(), sarif::path_bytes_to_uri(bytes));
                    }
                    name
                },
                std::fs::File::open(&real).and_then(|f| {
                    let size = f.metadata().map_or(0, |m| m.len());
                    read_capped(f, limit, size)
                }),
            ),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: {name}: {}", io_message(&e));
                unreadable = true;
                unread += 1;
                continue;
            }
        };
        // Two files may show the same name (`a\xFE.yaml` written out, and a name with
        // the byte 0xFE): each is checked and written on its own. Only
        // `--stdin-filename` can make standard input take a file's name, which is
        // refused, as the user asked for a name that is taken.
        if is_stdin && read.iter().any(|(n, _, _)| *n == name) {
            // Only `--stdin-filename` can give two inputs one name: findings could not be
            // told apart, nor shown with the right code frames.
            eprintln!("error: {name}: two inputs have this name (see --stdin-filename); the second was not checked");
            unreadable = true;
            unread += 1;
            continue;
        }
        read.push((name, bytes, real_path));
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
    let mut fixes = fix::FixSummary::default();
    // With --diff in JSON or SARIF, each file's fixes, from the run that fixed it.
    let mut diff_tables = Vec::new();
    if args.fix || args.diff {
        for (name, bytes, real) in &mut read {
            let target = real.as_deref().filter(|_| args.fix);
            let fixing = fix::fix_input(&opts, args, name, bytes, target, &mut fixes);
            if let Some(new) = fixing.new {
                *bytes = new;
            }
            diff_tables.push(fixing.table);
        }
        unreadable |= fixes.unwritten > 0;
    }
    if stdin_fix {
        // The fixed text to standard output, what is left to standard error.
        let mut shown = String::new();
        if let Some((name, bytes, _)) = read.first() {
            io::write_stdout_bytes(bytes)?;
            checker.check_bytes(name, bytes);
            shown = decode(bytes).text.into_owned();
        }
        let report = checker.finish();
        let sources = |_: &str| Some(shown.as_str());
        let rendered = match args.format {
            super::args::Format::Text => {
                crate::render::text::render(&report, &sources, &Default::default())
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
        return Ok(exit_code(unreadable, report.has_problems(), args.exit_zero));
    }
    if args.diff && args.format == super::args::Format::Text {
        // The diffs are the output.
        eprintln!("{}", fix::summary_line(&fixes, 0, true, args.unsafe_fixes));
        let code = if unreadable {
            ExitCode::from(EXIT_USAGE)
        } else if fixes.files > 0 && !args.exit_zero {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        };
        return Ok(code);
    }
    // --show-fixes: each file's offers (every fix, safe and unsafe) on the text reported
    // (with --diff, the run above made them).
    let files: Vec<String> = read.iter().map(|(name, _, _)| name.clone()).collect();
    let mut diff_tables = diff_tables.into_iter();
    let read: Vec<Read> = read
        .into_iter()
        .map(|(name, bytes, _)| {
            let fixes = if args.diff {
                diff_tables.next().flatten()
            } else if args.show_fixes {
                fix::fix_table(&opts, &name, &bytes)
            } else {
                None
            };
            (name, bytes, fixes)
        })
        .collect();
    let mut out = io::Stdout::new();
    let written = check_and_write(&mut checker, &mut out, args, &files, uris, read, unread);
    let report = checker.finish();
    if args.fix {
        let line = fix::summary_line(&fixes, report.summary.findings, false, args.unsafe_fixes);
        if args.format == super::args::Format::Text && written.is_ok() {
            use std::io::Write as _;
            let _ = writeln!(out, "{line}");
        } else {
            eprintln!("{line}");
        }
    }
    out.finish(written)?;
    let diff_found = args.diff && fixes.files > 0;
    Ok(exit_code(
        unreadable,
        report.has_problems() || diff_found,
        args.exit_zero,
    ))
}

fn exit_code(unreadable: bool, problems: bool, exit_zero: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(EXIT_USAGE)
    } else if problems && !exit_zero {
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
    files: &[String],
    uris: std::collections::BTreeMap<String, String>,
    read: Vec<Read>,
    unread: usize,
) -> std::io::Result<()> {
    let report = checker.report();
    let (mut output, mut failed) =
        match Output::begin(out, args, report.version, &report.options, files, uris) {
            Ok(output) => (Some(output), None),
            Err(e) => (None, Some(e)),
        };
    for (name, bytes, table) in read {
        if let Some(output) = output.as_mut() {
            output.set_fixes(table);
        }
        // The text of positions and code frames: the file itself, or with its invalid
        // bytes replaced one for one (every offset of the report is the file's).
        let decoded = decode(&bytes);
        let li = LineIndex::new(&decoded.text);
        checker.check_decoded_with(&name, &decoded, &mut |batch| {
            if let (None, Some(output)) = (&failed, output.as_mut()) {
                failed = output.batch(&batch, &li).err();
            }
        });
    }
    match (failed, output) {
        (Some(e), _) => Err(e),
        (None, Some(output)) => output.finish(checker.report(), unread),
        (None, None) => Ok(()),
    }
}

/// Rule IDs as given, trimmed, empty ones dropped (`--select a,,b`).
fn clean_ids(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
