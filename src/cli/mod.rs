//! The `kube-secctx` command line: `check`, `rules`, `explain`, and (native builds)
//! `server`, the language server of [`crate::lsp`].
//!
//! One command line for every way it is run: the native binary (`src/bin/kube-secctx.rs`)
//! calls [`main`], and so does the npm package's command, which is this same code built
//! for `wasm32-wasip1` and run by Node's `node:wasi` with the file system preopened
//! (`pkg-template/bin/kube-secctx.cjs`). Arguments, help texts, file walking, reading,
//! rendering, messages and exit codes are written once, here.
//!
//! Behaviour worth knowing (also in `--help`):
//!
//! - **Inputs.** `check` takes files, directories (searched recursively for `*.yaml` and
//!   `*.yml`, hidden entries below the given directory skipped, symlinks followed, files
//!   in sorted order) and `-` for standard input. Files named explicitly are checked
//!   whatever their extension. With no PATH it is a usage error (exit 2): standard input
//!   is read only when asked for with `-`, so an empty file list in a script never passes
//!   silently.
//! - **Exit codes.** 2: a usage error (bad option, unknown rule, a bad `--baseline`
//!   file) or a file that could not be read (reported as `error: <path>: <reason>` on
//!   stderr; the other files are still checked and reported). Otherwise 1 when anything
//!   at or above `--fail-on` (default `warning`) remains after fixes and the baseline,
//!   input errors counting as `error` ([`crate::fail_on::FailOn`]), else 0.
//!   `--exit-zero` is `--fail-on none`: it never turns 2 into 0.
//! - **Non-UTF-8 text**: a document holding a byte that is not UTF-8 is not checked: it
//!   is an input error (exit 1) at that byte, shown with its code frame (the byte as `?`),
//!   and the file's other documents are checked. A file that starts with a UTF-16 byte
//!   order mark is one input error.
//! - **Configuration file** (`settings`, [`crate::config`]): `.kube-secctx.yaml` (or
//!   `.yml`) of the working directory or its nearest ancestor, or `--config FILE`, or none
//!   with `--no-config`; flags override it (lists replaced, not extended); a bad file is a
//!   usage error (exit 2) at its line and column; `--show-settings` prints what is in
//!   force and where each value came from.
//! - **Color** (text and concise formats only): `--color auto` (the default) colors when stdout is a
//!   terminal, `NO_COLOR` is unset or empty and `TERM` is not `dumb`; `--color always`,
//!   `--color never` and `--no-color` override it.

mod args;
mod baseline;
mod check;
pub(crate) mod cluster;
mod fix;
mod github;
mod inputs;
mod io;
mod output;
mod settings;
mod skip;
mod walk;

use std::process::ExitCode;

/// The memory allocator of the native binaries (`kube-secctx`, and the benches that
/// measure it): mimalloc (its version 2, without transparent huge pages, which held up to
/// twice the peak memory). Each binary declares it as its `#[global_allocator]`; wasm
/// builds keep Rust's own. Why: a parse allocates and frees a string for each scalar
/// (`saphyr-parser` grows it from 32 to 129 bytes with `realloc`), and under glibc's
/// malloc each growth took the allocator's slow path while a document's tree was held:
/// about 15% of a check of `bench-large.yaml`, and two threads contended for its arenas
/// (README, "Performance").
#[cfg(not(target_family = "wasm"))]
pub use mimalloc::MiMalloc as Allocator;

use clap::Parser;

use crate::options::{Inactive, OptionsError};
use crate::render;
use crate::rules::{self, Rule};
use args::{Cli, Command, RulesFormat};

/// Exit status 2: usage errors and unreadable files.
const EXIT_USAGE: u8 = 2;

/// Runs the command line with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    if let Err(e) = io::enter_working_directory() {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Rules { format } => {
            let out = match format {
                RulesFormat::Table => render::rules_table(),
                RulesFormat::Markdown => render::rules_markdown(),
                RulesFormat::Json => render::rules_json() + "\n",
            };
            io::write_stdout(&out).map(|()| ExitCode::SUCCESS)
        }
        Command::Explain { rule } => run_explain(&rule),
        Command::Server { stdio: _ } => run_server(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// `server`: the language server of the native binary.
#[cfg(feature = "lsp")]
fn run_server() -> anyhow::Result<ExitCode> {
    crate::lsp::run()
}

/// `server` in a build without the language server (the npm package's WASI command: the
/// server's standard input and output run on threads, which WASI does not have).
#[cfg(not(feature = "lsp"))]
fn run_server() -> anyhow::Result<ExitCode> {
    eprintln!(
        "error: this build of kube-secctx has no language server: run `kube-secctx server` \
         from the native binary (cargo install, or a release build)"
    );
    Ok(ExitCode::from(EXIT_USAGE))
}

/// `\n  did you mean `a` or `b`?` or nothing.
fn did_you_mean(id: &str) -> String {
    let close = render::suggest_rules(id);
    if close.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
        format!("\n  did you mean {}?", list.join(" or "))
    }
}

fn run_explain(id: &str) -> anyhow::Result<ExitCode> {
    match rules::rule(id) {
        Some(rule) => {
            io::write_stdout(&render::explain_markdown(rule))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!(
                "error: unknown rule {id:?}{}\n  run `kube-secctx rules` for the list",
                did_you_mean(id)
            );
            Ok(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// A bad option, in the command line's words.
fn options_error(e: &OptionsError) -> String {
    match e {
        OptionsError::UnknownRule { id, .. } => {
            format!(
                "{e}: run `kube-secctx rules` for the list{}",
                did_you_mean(id)
            )
        }
        other => other.to_string(),
    }
}

/// Why a selected rule will not run, in the command line's words.
fn inactive_warning(rule: &Rule, why: Inactive) -> String {
    let why = match why {
        Inactive::AlsoIgnored => "it is also in --ignore".to_string(),
        Inactive::NotPss => "it is a hardening rule, and with a level (--level, or the \
                             config file's `level`) only the Pod Security Standards and the \
                             input diagnostics run"
            .to_string(),
        Inactive::AboveLevel { check_level, level } => format!(
            "it is a {} check and the level is {}",
            check_level.as_str(),
            level.as_str()
        ),
        Inactive::NotYet {
            check,
            since,
            version,
        } => format!(
            "its PSA check `{check}` applies from v1.{since}, and the PSS version is v1.{version}"
        ),
        Inactive::Replaced { check, since } => {
            format!("at the restricted level from v1.{since} a stricter restricted check replaces `{check}`")
        }
    };
    format!("rule `{}` will not run: {why}", rule.id)
}
