//! The `kube-secctx` command line: `check`, `rules`, `explain`.
//!
//! Behaviour worth knowing (also in `--help`):
//!
//! - **Inputs.** `check` takes files, directories (searched recursively for `*.yaml` and
//!   `*.yml`, hidden entries below the given directory skipped, symlinks followed, files
//!   in sorted order) and `-` for standard input. Files named explicitly are checked
//!   whatever their extension. With no PATH it is a usage error (exit 2): standard input
//!   is read only when asked for with `-`, so an empty file list in a script never passes
//!   silently.
//! - **Exit codes.** 0: nothing found. 1: findings or input errors (documents that could
//!   not be checked). 2: a usage error (bad option, unknown rule) or a file that could not
//!   be read (reported as `error: <path>: <reason>` on stderr; the other files are still
//!   checked and reported). `--exit-zero` turns 1 into 0, never 2 into 0.
//! - **Non-UTF-8 files** are read but not checked: each is an input error (exit 1) at the
//!   first byte that is not UTF-8, shown with its code frame like any other input error.
//! - **Color** (text format only): `--color auto` (the default) colors when stdout is a
//!   terminal, `NO_COLOR` is unset or empty and `TERM` is not `dumb`; `--color always`,
//!   `--color never` and `--no-color` override it.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use kube_secctx::engine::{check_bytes_into, new_report};
use kube_secctx::render::{self, sarif, text};
use kube_secctx::{rules, Level, Options, PssVersion};

#[derive(Debug, Parser)]
#[command(
    name = "kube-secctx",
    version,
    about = "Find insecure Kubernetes securityContext settings and Pod Security Standards \
             violations in manifests, each pinned to its line and column",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check manifests (files, directories, or `-` for standard input).
    #[command(after_long_help = CHECK_AFTER_HELP)]
    Check(CheckArgs),
    /// List the rules.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Print a rule's documentation (markdown).
    Explain {
        /// The rule ID, e.g. `privileged-container`.
        rule: String,
    },
}

const CHECK_AFTER_HELP: &str = "\
Directories are searched recursively for *.yaml and *.yml files (hidden entries below the \
given directory are skipped; files are checked in sorted order). Standard input is read \
only for `-`.

Exit codes:
  0  nothing found
  1  findings, or input errors (a document that is not valid YAML, goes past a parser \
limit or has no kind; a file that is not UTF-8)
  2  usage error (bad option, unknown rule, no PATH) or a file that could not be read

Suppress rules for one resource with the annotation kube-secctx.io/ignore: \"rule-id,...\".";

#[derive(Debug, Args)]
struct CheckArgs {
    /// Files, directories, or `-` for standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Run the Pod Security Standards alone, at this level. Without it, the default profile
    /// runs everything: PSS restricted, the hardening rules and the input diagnostics.
    #[arg(long, value_enum)]
    level: Option<LevelArg>,

    /// The Pod Security Standards policy version: `latest` or `v1.N`.
    #[arg(long, value_name = "VERSION", default_value = "latest", value_parser = parse_pss_version)]
    pss_version: PssVersion,

    /// Only these rules (comma-separated IDs; see `kube-secctx rules`).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    select: Vec<String>,

    /// Never these rules (comma-separated IDs).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    ignore: Vec<String>,

    /// Output format: text (with code frames), the JSON report, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Exit 0 even when findings or input errors are reported (unreadable files still
    /// exit 2).
    #[arg(long)]
    exit_zero: bool,

    /// When to color text output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,

    /// Never color (same as `--color never`).
    #[arg(long)]
    no_color: bool,

    /// The file name to report for standard input.
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    stdin_filename: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LevelArg {
    /// PSS baseline: known privilege escalations.
    Baseline,
    /// PSS restricted: current pod hardening best practice (includes baseline).
    Restricted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Findings with code frames, and a summary line.
    Text,
    /// The JSON report (documented in the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    /// An aligned table.
    Table,
    /// The markdown table of the README.
    Markdown,
    /// Every rule's metadata and docs as JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    /// Color when stdout is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

fn parse_pss_version(s: &str) -> Result<PssVersion, String> {
    s.parse::<PssVersion>().map_err(|e| e.to_string())
}

/// Exit status 2: usage errors and unreadable files.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Rules { format } => {
            let out = match format {
                RulesFormat::Table => render::rules_table(),
                RulesFormat::Markdown => render::rules_markdown(),
                RulesFormat::Json => render::rules_json() + "\n",
            };
            write_stdout(&out).map(|()| ExitCode::SUCCESS)
        }
        Command::Explain { rule } => run_explain(&rule),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// ` (did you mean `a`, `b`?)` or nothing.
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
            write_stdout(&render::explain_markdown(rule))?;
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

/// One input to check.
enum Input {
    Stdin,
    File(PathBuf),
}

fn run_check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let opts = Options {
        level: args.level.map(|l| match l {
            LevelArg::Baseline => Level::Baseline,
            LevelArg::Restricted => Level::Restricted,
        }),
        pss_version: args.pss_version,
        select: clean_ids(&args.select),
        ignore: clean_ids(&args.ignore),
        ..Options::default()
    };
    if let Err(e) = opts.validate() {
        let bad = opts
            .select
            .iter()
            .chain(&opts.ignore)
            .find(|id| rules::rule(id).is_none())
            .map(|id| did_you_mean(id))
            .unwrap_or_default();
        eprintln!("error: {e}{bad}");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    for why in kube_secctx::engine::inactive_selected(&opts) {
        eprintln!("warning: {why}");
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
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            if seen.insert(PathBuf::from("-")) {
                inputs.push(Input::Stdin);
            }
        } else if path.is_dir() {
            let before = inputs.len();
            unreadable |= walk(path, &mut inputs, &mut seen);
            if inputs.len() == before {
                eprintln!(
                    "warning: {}: no *.yaml or *.yml files found",
                    path.display()
                );
            }
        } else if seen.insert(canonical(path)) {
            inputs.push(Input::File(path.clone()));
        }
    }

    let mut unread = 0usize;
    let mut report = new_report(&opts);
    let mut texts: HashMap<String, String> = HashMap::new();
    for input in inputs {
        let (name, bytes) = match input {
            Input::Stdin => {
                let mut buf = Vec::new();
                match read_capped(
                    std::io::stdin().lock(),
                    &mut buf,
                    opts.limits.max_input_bytes,
                ) {
                    Ok(_) => (args.stdin_filename.clone(), buf),
                    Err(e) => {
                        eprintln!("error: {}: {e}", args.stdin_filename);
                        unreadable = true;
                        unread += 1;
                        continue;
                    }
                }
            }
            Input::File(path) => {
                let name = display_path(&path);
                let mut buf = Vec::new();
                let read = std::fs::File::open(&path)
                    .and_then(|f| read_capped(f, &mut buf, opts.limits.max_input_bytes));
                match read {
                    Ok(()) => (name, buf),
                    Err(e) => {
                        eprintln!("error: {name}: {e}");
                        unreadable = true;
                        unread += 1;
                        continue;
                    }
                }
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
        let text = check_bytes_into(&mut report, &name, bytes, &opts);
        texts.insert(name, text);
    }

    let sources = |file: &str| texts.get(file).map(String::as_str);
    let out = match args.format {
        Format::Text => {
            let color = match (args.no_color, args.color) {
                (true, _) | (_, ColorWhen::Never) => false,
                (false, ColorWhen::Always) => true,
                (false, ColorWhen::Auto) => auto_color(),
            };
            let opts = text::TextOptions {
                color,
                ..text::TextOptions::default()
            };
            // Nothing was read: a "no problems found" summary would mislead.
            let mut out = if report.files.is_empty() && unread > 0 {
                String::new()
            } else {
                text::render(&report, &sources, &opts)
            };
            if unread > 0 {
                let (files, were) = if unread == 1 {
                    ("file", "was")
                } else {
                    ("files", "were")
                };
                out.push_str(&format!(
                    "{unread} {files} could not be read and {were} not checked (see the errors above).\n"
                ));
            }
            out
        }
        Format::Json => report.to_json() + "\n",
        Format::Sarif => {
            let opts = sarif::SarifOptions {
                src_root: std::env::current_dir()
                    .ok()
                    .map(|d| dir_uri(&d.to_string_lossy())),
            };
            sarif::render(&report, &sources, &opts) + "\n"
        }
    };
    write_stdout(&out)?;

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

/// Color for `--color auto`: stdout is a terminal, `NO_COLOR` unset or empty, `TERM` not
/// `dumb`.
fn auto_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// A directory as a `file://` URI ending in `/`.
fn dir_uri(dir: &str) -> String {
    let mut uri = sarif::path_to_uri(dir);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A path as shown in the report: as given, with `/` separators on every platform.
fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Reads at most `limit + 1` bytes: enough for the engine to report an input over the
/// size limit as an error entry, without holding an unbounded input (`/dev/zero`, an
/// endless pipe) in memory.
fn read_capped(reader: impl Read, buf: &mut Vec<u8>, limit: usize) -> std::io::Result<()> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(cap).read_to_end(buf).map(|_| ())
}

/// The path used to check each file once (`./a.yaml` and `a.yaml` are one file).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Adds the `*.yaml`/`*.yml` files under `dir` to `inputs`, sorted; returns whether an
/// entry could not be read (reported on stderr).
fn walk(dir: &Path, inputs: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) -> bool {
    let mut failed = false;
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) => {
                let is_yaml = e.path().extension().is_some_and(|x| {
                    x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml")
                });
                if e.file_type().is_file() && is_yaml && seen.insert(canonical(e.path())) {
                    inputs.push(Input::File(e.into_path()));
                }
            }
            Err(e) => {
                let path = e.path().map_or_else(|| display_path(dir), display_path);
                let reason = match e.io_error() {
                    Some(io) => io.to_string(),
                    None => e.to_string(),
                };
                eprintln!("error: {path}: {reason}");
                failed = true;
            }
        }
    }
    failed
}
