//! The command line's arguments (clap): the subcommands, their options and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::fail_on::FailOn;
use crate::options::{KubeVersion, Level, PssVersion};

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
    Check(Box<CheckArgs>),
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
(initializationOptions or workspace/didChangeConfiguration): level, pssVersion, \
kubeVersion, select, ignore; they override the nearest .kube-secctx.yaml upward from each document. See the README for Neovim, Helix and Emacs. The native binary only: the npm \
package's command (WASI) cannot serve it.";

const CHECK_AFTER_HELP: &str = "\
Directories are searched recursively for *.yaml, *.yml and *.json files (hidden entries \
below the given directory are skipped; files are checked in sorted order). Files found \
this way that are not Kubernetes manifests are skipped and counted (--show-skipped names \
them): Chart.yaml, values*.yaml, kustomization.yaml, Helm templates (text with `{{`), and \
files with no document holding both apiVersion and kind, and the patches a \
kustomization names. Entries that .gitignore, .ignore or .git/info/exclude list (unless \
--no-ignore) or that --exclude matches are not walked. A file named on the command line \
is always checked (unless --force-exclude). Standard input is read only for `-`.

Exit codes:
  2  a usage error (bad option, unknown rule, no PATH, a bad config, --baseline, \
--namespaces or --admission-config file) or a file that could not be read
  1  otherwise, when anything at or above --fail-on remains after fixes and the baseline
  0  otherwise

--fail-on warning (the default) fails on any finding or input error; error on findings \
of severity error and input errors; none on nothing. Input errors (a document that is not \
valid YAML or not UTF-8, has no kind, or goes past a limit or a budget) count as error. \
Skipped files, notes, findings the baseline accepts, stale baseline entries and \
suppressed findings never fail. \
--exit-zero is --fail-on none. --fix exits on what remains after its fixes; --diff (text) \
prints only the diff and exits 1 when it is not empty.

Accepted findings: --write-baseline FILE records today's findings (after --fix); \
--baseline FILE then reports only the findings it does not hold, and its entries that no \
longer match as fixed.

Suppress rules for one resource with the annotation kube-secctx.io/ignore: \"rule-id,...\" \
(an ID that names no rule is an error, unknown-ignored-rule).

Formats: text names each resource (Kind namespace/name (file)) above its findings; concise \
prints one line per finding, path:line:col: severity: message [rule], then the summary line.

Settings also come from a config file, .kube-secctx.yaml (or .kube-secctx.yml), found in \
the working directory or its nearest ancestor that has one, or named by --config: level, \
pssVersion, kubernetesVersion, select, ignore, exclude, perFileIgnores, namespaces, \
admissionConfig, failOn (see the README). Flags override the file; --show-settings prints what is in force.

Namespaces: a resource whose namespace is described (a Namespace in the files, or \
--namespaces FILE) is judged as Pod Security Admission would judge it, by the \
namespace's pod-security.kubernetes.io labels: failing enforce is an error, failing only \
warn or audit a warning. --admission-config FILE gives defaults and exemptions. --level \
overrides both.";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("fixing").args(["fix", "diff"])))]
pub(super) struct CheckArgs {
    /// Files, directories, or `-` for standard input.
    #[arg(value_name = "PATH")]
    pub(super) paths: Vec<PathBuf>,

    /// Run the Pod Security Standards at this level, and the input diagnostics (a value
    /// the API server would reject decides what it admits), without the hardening rules.
    /// Without it (or with `default`), the default profile runs everything: PSS
    /// restricted, the hardening rules and the input diagnostics. Overrides the config
    /// file's `level`.
    #[arg(long, value_enum)]
    pub(super) level: Option<LevelArg>,

    /// The Pod Security Standards policy version: `latest` (the default) or `v1.N`.
    /// Not the cluster's Kubernetes version (--kube-version). Overrides the config file's
    /// `pssVersion`.
    #[arg(long, value_name = "VERSION", value_parser = parse_pss_version)]
    pub(super) pss_version: Option<PssVersion>,

    /// The cluster's Kubernetes version, which decides which API fields exist (the
    /// `unknown-field` check): `latest` (the default: the newest the field table knows),
    /// `v1.N`, `1.N` or `v1.N.P`. Not the Pod Security Standards version: a v1.37 cluster
    /// can run namespaces pinned to `enforce-version: v1.29` (--pss-version). Overrides the
    /// config file's `kubernetesVersion`.
    #[arg(long, value_name = "VERSION", value_parser = parse_kube_version)]
    pub(super) kube_version: Option<KubeVersion>,

    /// Namespaces as the cluster has them (e.g. `kubectl get namespaces -o yaml`):
    /// resources in them are judged by their Pod Security labels, as Pod Security
    /// Admission would. Repeatable. Namespace objects in the checked files count too.
    #[arg(long = "namespaces", value_name = "FILE")]
    pub(super) namespaces: Vec<PathBuf>,

    /// Judge every resource by the level and version alone, as if no namespace were
    /// described: the Namespace objects of the inputs, --namespaces and
    /// --admission-config are not read (a repository's own Namespace labelled
    /// `privileged` cannot quiet the check).
    #[arg(long)]
    pub(super) no_namespace_labels: bool,

    /// The API server's admission configuration (an AdmissionConfiguration with a
    /// PodSecurity plugin, or a PodSecurityConfiguration): its defaults judge resources
    /// in namespaces without labels or not described, and its exemptions apply.
    #[arg(long, value_name = "FILE")]
    pub(super) admission_config: Option<PathBuf>,

    /// Only these rules (comma-separated IDs; see `kube-secctx rules`). Replaces the
    /// config file's `select` (`--select ''` clears it).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub(super) select: Option<Vec<String>>,

    /// Never these rules (comma-separated IDs). Replaces the config file's `ignore`
    /// (`--ignore ''` clears it).
    #[arg(long, value_name = "RULE,...", value_delimiter = ',')]
    pub(super) ignore: Option<Vec<String>>,

    /// The config file to read, instead of the `.kube-secctx.yaml` (or `.yml`) found in
    /// the working directory or its nearest ancestor that has one.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(super) config: Option<PathBuf>,

    /// Read no config file.
    #[arg(long)]
    pub(super) no_config: bool,

    /// Print the settings in force and where each came from (default, the config file
    /// and its line, or a flag), then exit 0 without checking. Text, or JSON with
    /// `--format json`.
    #[arg(long)]
    pub(super) show_settings: bool,

    /// Output format: text (with code frames), concise (one line per finding), the JSON
    /// report, SARIF 2.1.0, or GitHub Actions annotations (`github`, which also writes
    /// `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(super) format: Format,

    /// Exit 0 even when findings or input errors are reported: `--fail-on none`
    /// (unreadable files and usage errors still exit 2).
    #[arg(long, conflicts_with = "fail_on")]
    pub(super) exit_zero: bool,

    /// Exit 1 when a finding of this severity or above remains after fixes and the
    /// baseline (input errors count as error); `none` never exits 1 [default: warning]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(super) fail_on: Option<FailOn>,

    /// Report only the findings this baseline file does not hold (written by
    /// --write-baseline); its entries that no longer match are reported as fixed.
    #[arg(long, value_name = "FILE")]
    pub(super) baseline: Option<PathBuf>,

    /// Record every finding (after --fix) in FILE, replacing it atomically, and accept
    /// them: they are counted in the summary, not reported, and do not fail the run.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "diff"])]
    pub(super) write_baseline: Option<PathBuf>,

    /// When to color text and concise output.
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

    /// Leave out files and directories that match GLOB when walking a directory
    /// (repeatable). Globs are gitignore patterns, matched against the path below the
    /// walked directory: `*.gen.yaml` or `vendor/` at any depth, `/deploy/old` at the top
    /// only, `**/tmp/*.yaml`. A path named on the command line is always checked.
    #[arg(long, value_name = "GLOB")]
    pub(super) exclude: Vec<String>,

    /// When walking a directory, do not read `.gitignore`, `.ignore` and
    /// `.git/info/exclude` (they are read by default).
    #[arg(long)]
    pub(super) no_ignore: bool,

    /// Print each file skipped while walking a directory, and why (`note:` lines on
    /// standard error): Helm charts, values and templates, kustomization files, and files
    /// without a Kubernetes object.
    #[arg(long)]
    pub(super) show_skipped: bool,

    /// Treat the files named on the command line as files found by walking: leave out
    /// those `--exclude` or the config file's `exclude` match, and skip those that are not
    /// Kubernetes manifests (as ruff's `--force-exclude`). For tools that pass file names,
    /// such as the pre-commit hook.
    #[arg(long)]
    pub(super) force_exclude: bool,

    /// The file name to report for standard input.
    #[arg(long, value_name = "PATH", default_value = "<stdin>")]
    pub(super) stdin_filename: String,

    /// Check on N threads: files (and their fixes with --fix, --diff, --show-fixes), and
    /// the documents of a large file, across cores; the output is the same, byte for
    /// byte, whatever N is. 0 or absent: one per core
    /// (the npm package's command always uses one). At most 256, and no more than there
    /// are runs of about 256 KiB of documents to check.
    #[arg(short = 'j', long, value_name = "N")]
    pub(super) threads: Option<usize>,
}

impl CheckArgs {
    /// The threads to check on: `--threads`, else (or with 0) the cores the process may
    /// use ([`std::thread::available_parallelism`]), else 1.
    pub(super) fn thread_count(&self) -> usize {
        match self.threads {
            Some(n) if n > 0 => n,
            _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum LevelArg {
    /// The default profile: PSS restricted, the hardening rules and the input
    /// diagnostics (to override a config file's `level`).
    Default,
    /// PSS baseline: known privilege escalations.
    Baseline,
    /// PSS restricted: current pod hardening best practice (includes baseline).
    Restricted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// Findings with code frames under a line naming each resource, and a summary line.
    Text,
    /// One line per finding, `path:line:col: severity: message [rule]` (GCC's shape, which
    /// editors and CI log viewers link), and the summary line.
    Concise,
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

impl CheckArgs {
    /// The exit threshold from the command line: `--exit-zero` is `--fail-on none`;
    /// `None` when neither is given (then a config file's `failOn`, else
    /// [`FailOn::Warning`]).
    pub(super) fn fail_on_arg(&self) -> Option<FailOn> {
        if self.exit_zero {
            Some(FailOn::None)
        } else {
            self.fail_on
        }
    }
}

impl Format {
    /// Text or concise: the formats for people, where `--diff` prints the diff itself and
    /// `--fix` its summary line on standard output.
    pub(super) fn is_human(self) -> bool {
        matches!(self, Format::Text | Format::Concise)
    }
}

fn parse_pss_version(s: &str) -> Result<PssVersion, String> {
    s.parse::<PssVersion>().map_err(|e| e.to_string())
}

fn parse_kube_version(s: &str) -> Result<KubeVersion, String> {
    s.parse::<KubeVersion>().map_err(|e| e.to_string())
}

impl LevelArg {
    /// The core's level: `None` for the default profile.
    pub(super) fn level(self) -> Option<Level> {
        match self {
            LevelArg::Default => None,
            LevelArg::Baseline => Some(Level::Baseline),
            LevelArg::Restricted => Some(Level::Restricted),
        }
    }
}
