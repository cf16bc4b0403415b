//! `check`'s settings: the defaults, the configuration file ([`crate::config`]) laid over
//! them, the flags over both; and `--show-settings`, which prints them with where each
//! came from.
//!
//! Flags replace the file's values, lists included (`--ignore a` drops the file's
//! `ignore`; `--ignore ''` clears it), as ruff's `--select` replaces `select`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::args::{CheckArgs, Format};
use super::io::{canonical, display_path};
use super::options_error;
use crate::config::{self, ConfigFile, FailOn, Origin, Resolved, Setting, FILE_NAMES};
use crate::{Checker, Options};

/// Why no configuration file is in force, or which one is.
#[derive(Debug, Clone)]
pub(super) enum Source {
    /// `--no-config`.
    Disabled,
    /// None in the working directory (shown) or above.
    NotFound(PathBuf),
    /// This one (as shown), named by `--config` or found.
    File(PathBuf),
}

/// The settings in force for `check`.
#[derive(Debug, Clone)]
pub(super) struct Loaded {
    pub(super) source: Source,
    pub(super) resolved: Resolved,
}

/// Reads the configuration file and lays the flags over it.
///
/// # Errors
/// Every problem, printed on standard error (`error: path:line:col: ...`); the caller
/// exits 2: a configuration file that cannot be read or has an error, a directory with
/// both file names, an unknown rule in `--select` or `--ignore`.
pub(super) fn load(args: &CheckArgs) -> Result<Loaded, ()> {
    let cwd = std::env::current_dir()
        .map(|d| canonical(&d))
        .map_err(|e| {
            eprintln!(
                "error: the working directory: {}",
                super::io::io_message(&e)
            )
        })?;
    let report = |errors: Vec<config::ConfigError>| {
        for e in errors {
            eprintln!("error: {e}");
        }
    };
    let (source, file) = if args.no_config {
        (Source::Disabled, None)
    } else if let Some(path) = &args.config {
        let file = ConfigFile::load(path).map_err(report)?;
        (Source::File(path.clone()), Some(file))
    } else {
        match config::discover(&cwd).map_err(|e| report(vec![e]))? {
            None => (Source::NotFound(cwd.clone()), None),
            Some(found) => {
                let shown = config::relative_to(&found, &cwd);
                let file = ConfigFile::load(&shown).map_err(report)?;
                (Source::File(shown), Some(file))
            }
        }
    };
    let base = file
        .as_ref()
        .map_or_else(|| cwd.clone(), |f| canonical(&f.dir));
    let mut resolved = Resolved::new(file.as_ref(), &base);
    if let Some(level) = args.level {
        resolved.level.set(level.level(), Origin::Flag("--level"));
    }
    if let Some(version) = args.pss_version {
        resolved
            .pss_version
            .set(version, Origin::Flag("--pss-version"));
    }
    if let Some(version) = args.kube_version {
        resolved
            .kube_version
            .set(version, Origin::Flag("--kube-version"));
    }
    if let Some(select) = &args.select {
        resolved
            .select
            .set(clean_ids(select), Origin::Flag("--select"));
    }
    if let Some(ignore) = &args.ignore {
        resolved
            .ignore
            .set(clean_ids(ignore), Origin::Flag("--ignore"));
    }
    if let Some(fail_on) = args.fail_on_arg() {
        let flag = if args.exit_zero {
            "--exit-zero"
        } else {
            "--fail-on"
        };
        resolved.fail_on.set(fail_on, Origin::Flag(flag));
    }
    if !args.exclude.is_empty() {
        // `--exclude` replaces the file's `exclude` (its globs are relative to each
        // directory walked, the file's to the file's directory).
        resolved
            .exclude
            .set(args.exclude.clone(), Origin::Flag("--exclude"));
    }
    if !args.namespaces.is_empty() {
        resolved
            .namespaces
            .set(args.namespaces.clone(), Origin::Flag("--namespaces"));
    }
    if let Some(file) = &args.admission_config {
        resolved
            .admission_config
            .set(Some(file.clone()), Origin::Flag("--admission-config"));
    }
    if args.no_namespace_labels {
        if !args.namespaces.is_empty() || args.admission_config.is_some() {
            eprintln!(
                "warning: --no-namespace-labels: the namespaces and the admission \
                 configuration given are ignored"
            );
        }
        let flag = Origin::Flag("--no-namespace-labels");
        resolved.namespaces.set(Vec::new(), flag.clone());
        resolved.admission_config.set(None, flag);
    }
    if let Err(e) = resolved.options().validate() {
        eprintln!("error: {}", options_error(&e));
        return Err(());
    }
    Ok(Loaded { source, resolved })
}

/// Rule IDs as given, trimmed, empty ones dropped (`--select a,,b`).
fn clean_ids(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The rules the config file's `perFileIgnores` turn off in the input shown as `name`,
/// read from `real` (`None` for standard input, matched by its `--stdin-filename`).
pub(super) fn file_ignores(
    settings: &Resolved,
    name: &str,
    real: Option<&std::path::Path>,
) -> Vec<String> {
    if settings.per_file_ignores.value.is_empty() {
        return Vec::new();
    }
    let path = match real {
        Some(real) => canonical(real),
        None => match std::env::current_dir() {
            Ok(cwd) => normalize(&canonical(&cwd).join(name)),
            Err(_) => return Vec::new(),
        },
    };
    settings.file_ignores(&path)
}

/// `path` with `.` and `..` resolved by text (for `--stdin-filename`, which need not
/// exist).
fn normalize(path: &std::path::Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `opts` with `ignored` added to `ignore`: the options of one file for the fixes
/// (which make their own checker).
pub(super) fn with_ignored(opts: &Options, ignored: &[String]) -> Options {
    let mut out = opts.clone();
    out.ignore.extend(ignored.iter().cloned());
    out
}

/// Sets the checker's per-file ignores (rule IDs the config file's parser checked).
pub(super) fn set_file_ignore(checker: &mut Checker, ignored: Option<&Vec<String>>) {
    let none = Vec::new();
    let _ = checker.set_file_ignore(ignored.unwrap_or(&none));
}

/// `--show-settings`: the settings in force, as text (or JSON with `--format json`).
pub(super) fn show(loaded: &Loaded, format: Format) -> String {
    let rows = rows(&loaded.resolved);
    if format == Format::Json {
        let settings: serde_json::Map<String, Value> = rows
            .iter()
            .map(|(key, value, origin)| {
                let o = match origin {
                    Origin::Default => json!({ "value": value, "source": "default" }),
                    Origin::File { path, line } => json!({
                        "value": value,
                        "source": "file",
                        "file": display_path(path),
                        "line": line,
                    }),
                    Origin::Flag(flag) => json!({ "value": value, "source": "flag", "flag": flag }),
                };
                ((*key).to_string(), o)
            })
            .collect();
        let file = match &loaded.source {
            Source::File(p) => json!(display_path(p)),
            _ => Value::Null,
        };
        let out = json!({ "configFile": file, "settings": settings });
        return serde_json::to_string_pretty(&out).unwrap_or_default() + "\n";
    }
    let mut out = match &loaded.source {
        Source::Disabled => "# config file: none (--no-config)\n".to_string(),
        Source::NotFound(dir) => format!(
            "# config file: none ({} or {} not found in {} or above)\n",
            FILE_NAMES[0],
            FILE_NAMES[1],
            display_path(dir)
        ),
        Source::File(p) => format!("# config file: {}\n", display_path(p)),
    };
    let lines: Vec<(String, String)> = rows
        .iter()
        .map(|(key, value, origin)| {
            // The globs in the file's order (a JSON object's keys are sorted).
            let value = if *key == "perFileIgnores" {
                let entries: Vec<String> = loaded
                    .resolved
                    .per_file_ignores
                    .value
                    .iter()
                    .map(|e| format!("{}: {}", json!(e.pattern), text(&json!(e.rules))))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            } else {
                text(value)
            };
            (format!("{key} = {value}"), origin.to_string())
        })
        .collect();
    // The origins in one column, past which a long value just pushes its own.
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .filter(|&n| n <= ORIGIN_COLUMN)
        .max()
        .unwrap_or(0);
    for (line, origin) in lines {
        let _ = writeln!(out, "{line:<width$}  # {origin}");
    }
    out
}

/// The widest `key = value` whose origin is aligned with the others.
const ORIGIN_COLUMN: usize = 48;

/// Each key with its value (as JSON) and origin, in [`config::KEYS`] order.
fn rows(r: &Resolved) -> Vec<(&'static str, Value, Origin)> {
    fn row<T>(key: &'static str, s: &Setting<T>, value: Value) -> (&'static str, Value, Origin) {
        (key, value, s.origin.clone())
    }
    let paths = |ps: &[PathBuf]| -> Value { ps.iter().map(|p| json!(shown(p))).collect() };
    let per_file: serde_json::Map<String, Value> = r
        .per_file_ignores
        .value
        .iter()
        .map(|e| (e.pattern.clone(), json!(e.rules)))
        .collect();
    vec![
        row(
            "level",
            &r.level,
            json!(r.level.value.map_or("default", |l| l.as_str())),
        ),
        row(
            "pssVersion",
            &r.pss_version,
            json!(match r.pss_version.value {
                crate::PssVersion::Latest => "latest".to_string(),
                crate::PssVersion::V1(n) => format!("v1.{n}"),
            }),
        ),
        row(
            "kubernetesVersion",
            &r.kube_version,
            json!(match r.kube_version.value {
                crate::KubeVersion::Latest => "latest".to_string(),
                crate::KubeVersion::V1(n) => format!("v1.{n}"),
            }),
        ),
        row("select", &r.select, json!(r.select.value)),
        row("ignore", &r.ignore, json!(r.ignore.value)),
        row("exclude", &r.exclude, json!(r.exclude.value)),
        row(
            "perFileIgnores",
            &r.per_file_ignores,
            Value::Object(per_file),
        ),
        row("namespaces", &r.namespaces, paths(&r.namespaces.value)),
        row(
            "admissionConfig",
            &r.admission_config,
            r.admission_config
                .value
                .as_deref()
                .map_or(Value::Null, |p| json!(shown(p))),
        ),
        row(
            "failOn",
            &r.fail_on,
            json!(match r.fail_on.value {
                FailOn::Error => "error",
                FailOn::Warning => "warning",
                FailOn::None => "none",
            }),
        ),
    ]
}

/// A path as shown, without a leading `./`.
fn shown(p: &Path) -> String {
    let s = display_path(p);
    match s.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// A value in the text of `--show-settings`: JSON with a space after each `,` and `:`.
fn text(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(text).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", json!(k), text(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}
