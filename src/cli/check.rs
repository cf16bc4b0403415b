//! `kube-secctx check`: inputs → one [`Checker`] → the report, rendered.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{CheckArgs, ColorWhen, Format};
use super::io::{self, canonical, display_path, io_message, read_capped};
use super::walk::walk;
use super::{inactive_warning, options_error, EXIT_USAGE};
use crate::engine::decode;
use crate::render::{json, sarif, text};
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
                    path.display()
                );
            }
        } else if seen.insert(canonical(path)) {
            inputs.push(Input::File {
                shown: path.clone(),
                real,
            });
        }
    }

    let limit = opts.limits.max_input_bytes;
    let mut texts: HashMap<String, String> = HashMap::new();
    for input in inputs {
        let (name, read) = match input {
            Input::Stdin => (
                args.stdin_filename.clone(),
                io::check_stdin().and_then(|()| read_capped(std::io::stdin().lock(), limit)),
            ),
            Input::File { shown, real } => (
                display_path(&shown),
                std::fs::File::open(&real).and_then(|f| read_capped(f, limit)),
            ),
        };
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("error: {name}: {}", io_message(&e));
                unreadable = true;
                unread += 1;
                continue;
            }
        };
        if texts.contains_key(&name) {
            // Only `--stdin-filename` can give two inputs one name: findings could not be
            // told apart, nor shown with the right code frames.
            eprintln!("error: {name}: two inputs have this name (see --stdin-filename); the second was not checked");
            unreadable = true;
            unread += 1;
            continue;
        }
        checker.check_bytes(&name, &bytes);
        // The text of positions and code frames: the file itself, or with its invalid
        // bytes replaced one for one (every offset of the report is the file's).
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => decode(e.as_bytes()).text.into_owned(),
        };
        texts.insert(name, text);
    }
    let report = checker.finish();

    let sources = |file: &str| texts.get(file).map(String::as_str);
    let mut out = io::Stdout::new();
    let written = match args.format {
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
            // Nothing was read: a "no problems found" summary would mislead.
            let mut written = if report.files.is_empty() && unread > 0 {
                Ok(())
            } else {
                text::write(&mut out, &report, &sources, &opts)
            };
            if unread > 0 {
                let (files, were) = if unread == 1 {
                    ("file", "was")
                } else {
                    ("files", "were")
                };
                written = written.and_then(|()| {
                    std::fmt::Write::write_fmt(
                        &mut out,
                        format_args!(
                            "{unread} {files} could not be read and {were} not checked (see the errors above).\n"
                        ),
                    )
                });
            }
            // An I/O error behind the formatting error is kept by `out`.
            written.or(Ok(()))
        }
        Format::Json => {
            json::write(&mut out, &report, &sources).and_then(|()| out.write_all(b"\n"))
        }
        Format::Sarif => {
            let opts = sarif::SarifOptions {
                src_root: std::env::current_dir()
                    .ok()
                    .map(|d| io::dir_uri(&d.to_string_lossy())),
            };
            sarif::write(&mut out, &report, &sources, &opts).and_then(|()| out.write_all(b"\n"))
        }
    };
    out.finish(written)?;

    Ok(if unreadable {
        ExitCode::from(EXIT_USAGE)
    } else if report.has_problems() && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rule IDs as given, trimmed, empty ones dropped (`--select a,,b`).
fn clean_ids(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
