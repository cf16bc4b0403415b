//! The configuration file, `.kube-secctx.yaml`: what to check for a repository, read by
//! `kube-secctx check` and the language server.
//!
//! - **Names.** `.kube-secctx.yaml` or `.kube-secctx.yml` ([`FILE_NAMES`]); both in one
//!   directory is an error (which one holds the settings would be a guess).
//! - **Discovery** ([`discover`]): the nearest ancestor of the starting directory that
//!   holds one, the starting directory included, up to the file system root, as ruff
//!   finds `ruff.toml`. The search does not stop at a repository root (a `.git`
//!   directory), as ruff's does not: a file in a parent directory (a monorepo's root, a
//!   home directory) applies below it; `--config FILE` or `--no-config` pin or turn it off.
//! - **Keys** ([`ConfigFile`]): `level`, `pssVersion`, `select`, `ignore` (named as the
//!   JSON report's options), `kubernetesVersion` (the JSON report's `kubeVersion`), `exclude`, `perFileIgnores`, `namespaces`, `admissionConfig`,
//!   `failOn`. Paths and globs are relative to the file's directory.
//! - **Errors** ([`ConfigError`]): every unknown key and bad value, each at its 1-based
//!   line and column, with "did you mean" for a key or value close to a known one. A
//!   front end reports them all and checks nothing (the CLI exits 2).
//!
//! The file is parsed by the crate's own YAML layer ([`crate::yaml`], YAML 1.1 as
//! Kubernetes reads it, with spans), so a position is exact and a duplicated key is
//! caught.

mod globs;
mod parse;
mod resolved;

use std::io::Read as _;
use std::path::{Path, PathBuf};

pub use globs::PathGlobs;
pub use parse::KEYS;
pub use resolved::{Origin, Resolved, Setting};

use crate::options::{KubeVersion, Level, PssVersion};

/// The names of the configuration file, in the order they are looked for.
pub const FILE_NAMES: [&str; 2] = [".kube-secctx.yaml", ".kube-secctx.yml"];

/// The largest configuration file read, in bytes (1 MiB): a config file is a few lines.
pub const MAX_BYTES: u64 = 1 << 20;

/// A value with where it is written in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// The line of its key, 1-based.
    pub line: usize,
    /// The column of its key, 1-based, in characters.
    pub column: usize,
}

/// The severity at or above which a finding fails the run (`failOn`; the CLI's
/// `--fail-on`): the exit rule's own type.
pub use crate::fail_on::FailOn;

/// One entry of `perFileIgnores`: files matching the glob do not get the rules' findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerFileIgnore {
    /// The glob as written (see [`PathGlobs`] for how it matches).
    pub pattern: String,
    /// The rule IDs (each one exists).
    pub rules: Vec<String>,
}

/// What a configuration file says: each key it sets, with its position. Keys it does not
/// set are `None`.
///
/// The file is a YAML mapping (an empty file sets nothing):
///
/// ```yaml
/// level: baseline            # baseline | restricted | default (null): the default profile
/// pssVersion: v1.29          # latest | v1.N
/// kubernetesVersion: v1.33   # latest | v1.N | v1.N.P: which API fields exist
/// select: [privileged-container, host-namespaces]   # only these rules
/// ignore: [writable-root-filesystem]                 # never these rules
/// exclude: ["charts/**", "vendor"]                   # globs of files not checked
/// perFileIgnores:
///   "legacy/**": [may-run-as-root]
/// namespaces: cluster/namespaces.yaml                # a path, or a list of paths
/// admissionConfig: cluster/admission.yaml
/// failOn: error                                      # error | warning | none
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigFile {
    /// The file, as shown to the user (as given with `--config`, or relative to the
    /// working directory when discovered: `.kube-secctx.yaml`, `../.kube-secctx.yaml`).
    pub path: PathBuf,
    /// The directory paths in the file are resolved against: the file's directory, in the
    /// same form as `path` (`.` for a file in the working directory).
    pub dir: PathBuf,
    /// `level`: `Some(None)` is the default profile (`default` or `null`).
    pub level: Option<Located<Option<Level>>>,
    /// `pssVersion`.
    pub pss_version: Option<Located<PssVersion>>,
    /// `kubernetesVersion`: the Kubernetes version whose API fields exist
    /// (`unknown-field`), never the PSS version.
    pub kube_version: Option<Located<KubeVersion>>,
    /// `select`: rule IDs.
    pub select: Option<Located<Vec<String>>>,
    /// `ignore`: rule IDs.
    pub ignore: Option<Located<Vec<String>>>,
    /// `exclude`: globs (valid ones), as written.
    pub exclude: Option<Located<Vec<String>>>,
    /// `perFileIgnores`, in the file's order.
    pub per_file_ignores: Option<Located<Vec<PerFileIgnore>>>,
    /// `namespaces`: files, resolved against [`ConfigFile::dir`].
    pub namespaces: Option<Located<Vec<PathBuf>>>,
    /// `admissionConfig`: a file, resolved against [`ConfigFile::dir`].
    pub admission_config: Option<Located<PathBuf>>,
    /// `failOn`.
    pub fail_on: Option<Located<FailOn>>,
}

/// One problem of a configuration file, at its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as shown.
    pub path: PathBuf,
    /// 1-based line, 0 when the error is about the whole file (it cannot be read).
    pub line: usize,
    /// 1-based column in characters, 0 with `line`.
    pub column: usize,
    /// What is wrong: `unknown key "levle"`, `level: invalid level "strict": ...`.
    pub message: String,
    /// Close known keys or values, for "did you mean".
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for ConfigError {
    /// `path:line:col: message` (`path: message` without a position), then
    /// `\n  did you mean `a` or `b`?` when there are suggestions.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = display(&self.path);
        if self.line == 0 {
            write!(f, "{path}: {}", self.message)?;
        } else {
            write!(f, "{path}:{}:{}: {}", self.line, self.column, self.message)?;
        }
        if !self.suggestions.is_empty() {
            let list: Vec<String> = self.suggestions.iter().map(|s| format!("`{s}`")).collect();
            write!(f, "\n  did you mean {}?", list.join(" or "))?;
        }
        Ok(())
    }
}

impl ConfigFile {
    /// Parses the text of a configuration file shown as `path`. Never panics.
    ///
    /// # Errors
    /// Every problem found, in the file's order: YAML that does not parse, more than one
    /// document, a root that is not a mapping, a duplicated key, an unknown key, a value
    /// of the wrong type, a bad level, version, severity or glob, an unknown rule ID.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, Vec<ConfigError>> {
        parse::parse(path, text)
    }

    /// Reads and parses the configuration file at `path` (as shown).
    ///
    /// # Errors
    /// The file cannot be read (one error without a position), is larger than
    /// [`MAX_BYTES`] or is not UTF-8, or [`ConfigFile::parse`]'s errors.
    pub fn load(path: &Path) -> Result<ConfigFile, Vec<ConfigError>> {
        let whole = |message: String| {
            vec![ConfigError {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message,
                suggestions: Vec::new(),
            }]
        };
        let bytes = std::fs::metadata(path)
            .and_then(|m| {
                if m.is_dir() {
                    Err(std::io::Error::other(
                        "is a directory, not a configuration file",
                    ))
                } else {
                    // Read at most one byte past the limit (a device or a pipe has no
                    // length to check first).
                    let mut bytes = Vec::new();
                    std::fs::File::open(path)?
                        .take(MAX_BYTES + 1)
                        .read_to_end(&mut bytes)?;
                    if bytes.len() as u64 > MAX_BYTES {
                        return Err(std::io::Error::other(format!(
                            "larger than {MAX_BYTES} bytes: not a configuration file"
                        )));
                    }
                    Ok(bytes)
                }
            })
            .map_err(|e| whole(format!("cannot read the configuration file: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            whole("cannot read the configuration file: it is not UTF-8".to_string())
        })?;
        ConfigFile::parse(path, &text)
    }
}

/// Where the configuration file for `start` (an absolute directory) is: the first of
/// [`FILE_NAMES`] found in `start` or the nearest ancestor that holds one, or `None`.
///
/// # Errors
/// A directory holding both names (a [`ConfigError`] naming both, without a position).
pub fn discover(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    for dir in start.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => return Ok(Some(one.clone())),
            [first, ..] => {
                return Err(ConfigError {
                    path: first.clone(),
                    line: 0,
                    column: 0,
                    message: format!(
                        "{} and {} are both here: keep one",
                        FILE_NAMES[0], FILE_NAMES[1]
                    ),
                    suggestions: Vec::new(),
                })
            }
        }
    }
    Ok(None)
}

/// `path` as `from` (an absolute directory) would name it: relative when `path` is
/// `from` or below one of its ancestors (`.kube-secctx.yaml`, `../../.kube-secctx.yaml`),
/// else `path` itself.
pub fn relative_to(path: &Path, from: &Path) -> PathBuf {
    let mut up = PathBuf::new();
    for dir in from.ancestors() {
        if let Ok(rest) = path.strip_prefix(dir) {
            if dir.parent().is_none() && !up.as_os_str().is_empty() {
                // Only the root in common: the absolute path reads better.
                return path.to_path_buf();
            }
            return up.join(rest);
        }
        up.push("..");
    }
    path.to_path_buf()
}

/// A path as shown in messages: `/` separators, lossy UTF-8.
pub(crate) fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests;
