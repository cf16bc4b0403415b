//! The settings in force: defaults, then the configuration file, then a front end's own
//! (the CLI's flags, the language server's client settings), each value with where it
//! came from.

use std::path::{Path, PathBuf};

use super::{ConfigFile, FailOn, Located, PathGlobs, PerFileIgnore};
use crate::options::{KubeVersion, Level, Options, PssVersion};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Nobody set it.
    Default,
    /// The configuration file, at this 1-based line.
    File {
        /// The file, as shown.
        path: PathBuf,
        /// The line of the key, 1-based.
        line: usize,
    },
    /// A command-line flag (`--ignore`).
    Flag(&'static str),
}

impl std::fmt::Display for Origin {
    /// `default`, `path:line`, or the flag (`--ignore`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => write!(f, "{}:{line}", super::display(path)),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

/// A value and its [`Origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value in force.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default_of(value: T) -> Setting<T> {
        Setting {
            value,
            origin: Origin::Default,
        }
    }

    /// Replaces the value, recording where the new one came from.
    pub fn set(&mut self, value: T, origin: Origin) {
        self.value = value;
        self.origin = origin;
    }

    fn set_from_file(&mut self, path: &Path, located: Option<&Located<T>>)
    where
        T: Clone,
    {
        if let Some(l) = located {
            self.set(
                l.value.clone(),
                Origin::File {
                    path: path.to_path_buf(),
                    line: l.line,
                },
            );
        }
    }
}

/// Every setting in force, with its origin ([`Resolved::new`] lays a configuration file
/// over the defaults; a front end then lays its own values over them with
/// [`Setting::set`]: the CLI's flags, which replace the file's values, lists included).
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The configuration file read, as shown; `None` when there is none.
    pub config: Option<PathBuf>,
    /// `level` (`None`: the default profile).
    pub level: Setting<Option<Level>>,
    /// `pssVersion`.
    pub pss_version: Setting<PssVersion>,
    /// `kubernetesVersion` (default `latest`: the newest version of the field table).
    pub kube_version: Setting<KubeVersion>,
    /// `select` (empty: every rule).
    pub select: Setting<Vec<String>>,
    /// `ignore`.
    pub ignore: Setting<Vec<String>>,
    /// `exclude`: globs relative to [`Resolved::base`].
    pub exclude: Setting<Vec<String>>,
    /// `perFileIgnores`: globs relative to [`Resolved::base`] and their rule IDs.
    pub per_file_ignores: Setting<Vec<PerFileIgnore>>,
    /// `namespaces`: files (the file's paths resolved against its directory).
    pub namespaces: Setting<Vec<PathBuf>>,
    /// `admissionConfig`: a file (resolved against the configuration file's directory).
    pub admission_config: Setting<Option<PathBuf>>,
    /// `failOn` (default `warning`).
    pub fail_on: Setting<FailOn>,
    /// The absolute, canonical directory the globs are relative to: the configuration
    /// file's; the working directory without a file.
    pub base: PathBuf,
    /// `per_file_ignores` compiled (relative to `base`).
    per_file: Option<PathGlobs>,
}

impl Resolved {
    /// The defaults, with the values `file` sets laid over them. `base` is the absolute,
    /// canonical directory of the file (the working directory when there is no file):
    /// the globs' base.
    pub fn new(file: Option<&ConfigFile>, base: &Path) -> Resolved {
        let mut out = Resolved {
            config: None,
            level: Setting::default_of(None),
            pss_version: Setting::default_of(PssVersion::Latest),
            kube_version: Setting::default_of(KubeVersion::Latest),
            select: Setting::default_of(Vec::new()),
            ignore: Setting::default_of(Vec::new()),
            exclude: Setting::default_of(Vec::new()),
            per_file_ignores: Setting::default_of(Vec::new()),
            namespaces: Setting::default_of(Vec::new()),
            admission_config: Setting::default_of(None),
            fail_on: Setting::default_of(FailOn::Warning),
            base: base.to_path_buf(),
            per_file: None,
        };
        if let Some(f) = file {
            let p = f.path.as_path();
            out.config = Some(f.path.clone());
            out.level.set_from_file(p, f.level.as_ref());
            out.pss_version.set_from_file(p, f.pss_version.as_ref());
            out.kube_version.set_from_file(p, f.kube_version.as_ref());
            out.select.set_from_file(p, f.select.as_ref());
            out.ignore.set_from_file(p, f.ignore.as_ref());
            out.exclude.set_from_file(p, f.exclude.as_ref());
            out.per_file_ignores
                .set_from_file(p, f.per_file_ignores.as_ref());
            out.namespaces.set_from_file(p, f.namespaces.as_ref());
            if let Some(a) = &f.admission_config {
                out.admission_config.set(
                    Some(a.value.clone()),
                    Origin::File {
                        path: p.to_path_buf(),
                        line: a.line,
                    },
                );
            }
            out.fail_on.set_from_file(p, f.fail_on.as_ref());
            let patterns: Vec<String> = out
                .per_file_ignores
                .value
                .iter()
                .map(|e| e.pattern.clone())
                .collect();
            // The globs were checked when the file was parsed.
            out.per_file = PathGlobs::new(base, &patterns).ok();
        }
        out
    }

    /// The core's options: level, PSS version, Kubernetes version, select and ignore.
    pub fn options(&self) -> Options {
        Options {
            level: self.level.value,
            pss_version: self.pss_version.value,
            kube_version: self.kube_version.value,
            select: self.select.value.clone(),
            ignore: self.ignore.value.clone(),
            ..Options::default()
        }
    }

    /// The rules `perFileIgnores` turns off for the file at `path` (absolute and
    /// canonical, like [`Resolved::base`]): those of every matching glob, in the file's
    /// order, each once. For [`crate::Checker::set_file_ignore`].
    pub fn file_ignores(&self, path: &Path) -> Vec<String> {
        let Some(globs) = &self.per_file else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for i in globs.matching(path) {
            if let Some(entry) = self.per_file_ignores.value.get(i) {
                for id in &entry.rules {
                    if !out.contains(id) {
                        out.push(id.clone());
                    }
                }
            }
        }
        out
    }

    /// `exclude` compiled against [`Resolved::base`] (`None` when empty): whether a path
    /// is excluded is `globs.is_match(path)` with the path absolute and canonical.
    pub fn exclude_globs(&self) -> Option<PathGlobs> {
        if self.exclude.value.is_empty() {
            return None;
        }
        PathGlobs::new(&self.base, &self.exclude.value).ok()
    }
}
