//! The command line's arguments (clap): the subcommands, their options and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::options::{Level, PssVersion};

#[derive(Debug, Parser)]
#[command(
    name = "kube-secctx",
    version,
    about = "Find insecure Kubernetes securityContext settings and Pod Security Standards \
             violations in manifests, each pinned to its line and column",
    propagate_version = true
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
    /// Run the language server (LSP over standard input and output) for editors.
    #[command(after_long_help = SERVER_AFTER_HELP)]
    Server {
        /// Accepted for editors' clients that always pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

const SERVER_AFTER_HELP: &str = "\
Speaks the Language Server Protocol on standard input and output (logs go to standard \
error): diagnostics for every finding, hover documentation, and the fixes as code actions \
(quick fixes, source.fixAll.kube-secctx, and \"Ignore RULE for this resource\"). Settings \
(initializationOptions or workspace/didChangeConfiguration): level, pssVersion, select, \
ignore. See the README for Neovim, Helix and Emacs. The native binary only: the npm \
package's command (WASI) cannot serve it.";

const CHECK_AFTER_HELP: &str = "\
Directories are searched recursively for *.yaml and *.yml files (hidden entries below the \
given directory are skipped; files are checked in sorted order). Standard input is read \
only for `-`.

Exit codes:
  0  nothing found
  1  findings, or input errors (a document that is not valid YAML or not UTF-8, has no \
kind, or goes past a limit or a budget)
  2  usage error (bad option, unknown rule, no PATH) or a file that could not be read

Suppress rules for one resource with the annotation kube-secctx.io/ignore: \"rule-id,...\".";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("fixing").args(["fix", "diff"])))]
pub(super) struct CheckArgs {
    /// Files, directories, or `-` for standard input.
    #[arg(value_name = "PATH")]
    pub(super) paths: Vec<PathBuf>,

    /// Run the Pod Security Standards alone, at this level. Without it, the default profile
    /// runs everything: PSS restricted, the hardening rules and the input diagnostics.
    #[arg(long, value_enum)]
    pub(super) level: Option<LevelArg>,

    /// The Pod Security Standards policy version: `latest` or `v1.N`.
    #[arg(long, value_name = "VERSION", default_value = "latest", value_parser = parse_pss_version)]
    pub(super) pss_version: PssVersion,

    /// Only these rules (comma-separated IDs; see `kube-secctx rules`).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub(super) select: Vec<String>,

    /// Never these rules (comma-separated IDs).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub(super) ignore: Vec<String>,

    /// Output format: text (with code frames), the JSON report, SARIF 2.1.0, or GitHub
    /// Actions annotations (`github`, which also writes `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(super) format: Format,

    /// Exit 0 even when findings or input errors are reported (unreadable files still
    /// exit 2).
    #[arg(long)]
    pub(super) exit_zero: bool,

    /// When to color text output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub(super) color: ColorWhen,

    /// Never color (same as `--color never`).
    #[arg(long)]
    pub(super) no_color: bool,

    /// Apply the safe fixes in place (files are replaced atomically and keep their
    /// permissions; files without a fix are not written). With `-`, the fixed text goes
    /// to standard output and the report to standard error.
    #[arg(long)]
    pub(super) fix: bool,

    /// With --fix or --diff, apply the unsafe fixes too (they can stop a workload from
    /// starting: see `kube-secctx explain RULE`).
    #[arg(long, requires = "fixing")]
    pub(super) unsafe_fixes: bool,

    /// Print what --fix would change as a unified diff and write nothing (exit 1 when
    /// there is a diff). With --format json or sarif, the report of the unchanged files
    /// with each finding's fixes.
    #[arg(long, conflicts_with = "fix")]
    pub(super) diff: bool,

    /// Show each finding's fix (or why it has none) in the report: the JSON report's
    /// `fixes`/`noFix`, SARIF's `fixes`, and a line under each finding in text.
    #[arg(long)]
    pub(super) show_fixes: bool,

    /// The file name to report for standard input.
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    pub(super) stdin_filename: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum LevelArg {
    /// PSS baseline: known privilege escalations.
    Baseline,
    /// PSS restricted: current pod hardening best practice (includes baseline).
    Restricted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// Findings with code frames, and a summary line.
    Text,
    /// The JSON report (documented in the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=..,line=..::`), one annotation per
    /// finding, then the summary line; every finding also goes to `$GITHUB_STEP_SUMMARY`
    /// as a markdown table when that variable names a file.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum RulesFormat {
    /// An aligned table.
    Table,
    /// The markdown table of the README.
    Markdown,
    /// Every rule's metadata and docs as JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ColorWhen {
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

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Baseline => Level::Baseline,
            LevelArg::Restricted => Level::Restricted,
        }
    }
}
