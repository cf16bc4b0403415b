//! Directories to the candidate manifest files under them.
//!
//! Depth first, each directory's entries in byte order of their names, hidden entries
//! (names starting with `.`) below the given directory skipped, symbolic links followed,
//! a link back to a directory being walked reported as a loop, and every directory walked
//! once however many links lead to it (so the walk is linear in the directories, never
//! exponential in the links). Written on `std::fs` alone, so the native binary and the
//! WASI build walk alike: walkdir, and so `ignore::WalkBuilder`, detects loops with
//! `same-file` handles, which on wasm32-wasip1 (not `unix`) are "not supported on this
//! platform", so following links fails there. The file system is read through canonical paths,
//! which Node's WASI resolves where it fails on chains of relative links; paths are shown
//! as walked.
//!
//! Candidates are `*.yaml`, `*.yml` and `*.json` files (any case) that neither
//! `--exclude` nor an ignore file excludes; which of them are Kubernetes manifests is
//! decided later (`super::skip`, on [`crate::detect`]). Excluded entries are not
//! candidates at all (an excluded directory is not entered) and are not counted.
//!
//! Ignore files, read with ripgrep's matchers (the `ignore` crate): `.gitignore` and
//! `.ignore` in the walked directory and every directory below it (patterns relative to
//! the directory of the file; `.ignore` wins over `.gitignore` in one directory, a deeper
//! file over a shallower one), those of the directories above it up to the root of the
//! git repository it is in (the nearest one holding `.git`), and that repository's
//! `.git/info/exclude`. Unlike ripgrep, `.gitignore` is read outside a git repository
//! too (a checkout without `.git`, an unpacked archive): the file says what is not part
//! of the project either way. A pattern that is not a valid glob is a warning naming the
//! file and is left out.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::inputs::Input;
use super::io::{canonical, display_path, io_message};

/// What a walk excludes.
pub(super) struct Filters {
    /// The `--exclude` globs, gitignore syntax, matched against each entry's path
    /// relative to the walked directory (so a glob without `/` matches a name at any
    /// depth); `None` when there are none.
    pub(super) exclude: Option<Gitignore>,
    /// Whether ignore files are read (not with `--no-ignore`).
    pub(super) ignore_files: bool,
    /// The config file's `exclude` (when no `--exclude` replaces it), matched against
    /// each entry's canonical path (its globs are relative to the config file's
    /// directory).
    pub(super) config: Option<crate::config::PathGlobs>,
}

impl Filters {
    /// The filters of `--exclude GLOB...`, `--no-ignore` and the config file's `exclude`.
    ///
    /// # Errors
    /// A glob that is not valid: the `ignore` crate's message, which names it.
    pub(super) fn new(
        exclude: &[String],
        no_ignore: bool,
        config: Option<crate::config::PathGlobs>,
    ) -> Result<Filters, String> {
        let exclude = if exclude.is_empty() {
            None
        } else {
            let mut builder = GitignoreBuilder::new("");
            for glob in exclude {
                builder
                    .add_line(None, glob)
                    .map_err(|e| format!("--exclude: {}", glob_error(&e)))?;
            }
            Some(builder.build().map_err(|e| format!("--exclude: {e}"))?)
        };
        Ok(Filters {
            exclude,
            ignore_files: !no_ignore,
            config,
        })
    }
}

impl Filters {
    /// Whether a file named on the command line (`path` as given, `real` its canonical
    /// path) is excluded (`--force-exclude`): by an `--exclude` glob matched against the
    /// path as given (without a leading `./`) or one of its parent directories, or by the
    /// config file's `exclude`. Ignore files do not apply to named files.
    pub(super) fn excludes_named(&self, path: &Path, real: &Path) -> bool {
        if self.config.as_ref().is_some_and(|g| g.is_match(real)) {
            return true;
        }
        let Some(g) = &self.exclude else {
            return false;
        };
        let rel = path.strip_prefix(".").unwrap_or(path);
        let mut dir = rel.parent();
        if g.matched(rel, false).is_ignore() {
            return true;
        }
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if g.matched(d, true).is_ignore() {
                return true;
            }
            dir = d.parent();
        }
        false
    }
}

/// The `ignore` crate's message for a bad glob, without the file and line it may carry.
fn glob_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithPath { err, .. } => {
            glob_error(err)
        }
        other => other.to_string(),
    }
}

/// Adds the candidate files under `dir` to `inputs` (each file once, by its canonical
/// path in `seen`; `origin` is the index of `dir` among the paths given, kept in each
/// input); returns whether an entry could not be read (reported on stderr as
/// `error: <path>: <reason>`).
pub(super) fn walk(
    dir: &Path,
    origin: usize,
    filters: &Filters,
    inputs: &mut Vec<Input>,
    seen: &mut HashSet<PathBuf>,
) -> bool {
    let real = canonical(dir);
    let mut walker = Walker {
        inputs,
        seen,
        origin,
        filters,
        visited: HashSet::from([real.clone()]),
        ancestors: vec![(real.clone(), dir.to_path_buf())],
        ignores: Vec::new(),
        failed: false,
    };
    if filters.ignore_files {
        walker.ignores = walker.outer_ignores(&real);
    }
    walker.visit(dir, &real, Path::new(""));
    walker.failed
}

struct Walker<'a> {
    inputs: &'a mut Vec<Input>,
    seen: &'a mut HashSet<PathBuf>,
    origin: usize,
    filters: &'a Filters,
    /// Every directory walked so far, by canonical path.
    visited: HashSet<PathBuf>,
    /// The directories being walked, outermost first: `(canonical path, path as walked)`.
    ancestors: Vec<(PathBuf, PathBuf)>,
    /// The ignore matchers in force, lowest precedence first: `.git/info/exclude`, then
    /// the directories above the walked one, then each directory being walked. Each is
    /// rooted at its directory's path as the walk sees it (the walked directory's
    /// canonical path joined with the path walked below it), the paths it is asked about.
    ignores: Vec<Gitignore>,
    failed: bool,
}

impl Walker<'_> {
    fn fail(&mut self, path: &Path, reason: &str) {
        eprintln!("error: {}: {reason}", display_path(path));
        self.failed = true;
    }

    /// The matchers of the repository `real` (canonical) is in: `.git/info/exclude` and
    /// the ignore files of the directories above `real` up to the repository's root.
    /// None outside a git repository.
    fn outer_ignores(&mut self, real: &Path) -> Vec<Gitignore> {
        let Some(root) = real.ancestors().find(|a| a.join(".git").exists()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let exclude = root.join(".git").join("info").join("exclude");
        if exclude.is_file() {
            out.extend(self.matcher(root, &[exclude]));
        }
        let mut above: Vec<&Path> = real.ancestors().skip(1).collect();
        above.retain(|a| a.starts_with(root));
        for dir in above.into_iter().rev() {
            out.extend(self.matcher(dir, &ignore_files(dir)));
        }
        out
    }

    /// A matcher rooted at `root` from `files` (those that exist), or `None` when none
    /// does. Bad patterns are warnings.
    fn matcher(&mut self, root: &Path, files: &[PathBuf]) -> Option<Gitignore> {
        let mut builder = GitignoreBuilder::new(root);
        let mut any = false;
        for file in files.iter().filter(|f| f.is_file()) {
            any = true;
            if let Some(e) = builder.add(file) {
                eprintln!("warning: {}: {e}", display_path(file));
            }
        }
        if !any {
            return None;
        }
        match builder.build() {
            Ok(g) => Some(g),
            Err(e) => {
                eprintln!("warning: {}: {e}", display_path(root));
                None
            }
        }
    }

    /// Whether the entry at `rel` (below the walked directory, as walked; `real` its
    /// canonical path) is excluded: by `--exclude`, the config file's `exclude`, or the
    /// deepest ignore matcher that has a say.
    fn excluded(&self, rel: &Path, real: &Path, is_dir: bool) -> bool {
        if let Some(g) = &self.filters.exclude {
            if g.matched(rel, is_dir).is_ignore() {
                return true;
            }
        }
        if self
            .filters
            .config
            .as_ref()
            .is_some_and(|g| g.is_match(real))
        {
            return true;
        }
        let Some((root, _)) = self.ancestors.first() else {
            return false;
        };
        let seen_as = root.join(rel);
        for g in self.ignores.iter().rev() {
            match g.matched(&seen_as, is_dir) {
                Match::None => continue,
                m => return m.is_ignore(),
            }
        }
        false
    }

    /// Walks directory `dir` (as shown), whose canonical path is `real` and whose path
    /// below the walked directory is `rel`.
    fn visit(&mut self, dir: &Path, real: &Path, rel: &Path) {
        let entries = match std::fs::read_dir(real) {
            Ok(entries) => entries,
            Err(e) => return self.fail(dir, &io_message(&e)),
        };
        let mut children = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => children.push((e.file_name(), e.file_type())),
                Err(e) => self.fail(dir, &io_message(&e)),
            }
        }
        children.sort_by(|a, b| a.0.cmp(&b.0));
        // This directory's ignore files, for the entries below it.
        let pushed = if self.filters.ignore_files {
            let root = self.ancestors.first().map(|(r, _)| r.join(rel));
            let files = ignore_files(real);
            match root.and_then(|root| self.matcher(&root, &files)) {
                Some(g) => {
                    self.ignores.push(g);
                    true
                }
                None => false,
            }
        } else {
            false
        };
        for (name, file_type) in children {
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let child = dir.join(&name);
            let child_rel = rel.join(&name);
            let link = file_type.as_ref().map_or(true, |t| t.is_symlink());
            // What the entry is, following a symbolic link, and where it really is.
            let (kind, child_real) = if link {
                let target = canonical(&real.join(&name));
                (std::fs::metadata(&target).map(|m| m.file_type()), target)
            } else {
                (file_type, real.join(&name))
            };
            let kind = match kind {
                Ok(k) => k,
                Err(e) => {
                    if !self.excluded(&child_rel, &child_real, false) {
                        self.fail(&child, &io_message(&e));
                    }
                    continue;
                }
            };
            if self.excluded(&child_rel, &child_real, kind.is_dir()) {
                continue;
            }
            if kind.is_dir() {
                if link {
                    if let Some((_, ancestor)) =
                        self.ancestors.iter().find(|(r, _)| *r == child_real)
                    {
                        let reason = format!(
                            "File system loop found: {} points to an ancestor {}",
                            display_path(&child),
                            display_path(ancestor)
                        );
                        self.fail(&child, &reason);
                        continue;
                    }
                }
                // Reached before through another link: its files are in already.
                if !self.visited.insert(child_real.clone()) {
                    continue;
                }
                self.ancestors.push((child_real.clone(), child.clone()));
                self.visit(&child, &child_real, &child_rel);
                self.ancestors.pop();
            } else if kind.is_file() && is_candidate(&child) && self.seen.insert(child_real.clone())
            {
                self.inputs.push(Input::File {
                    shown: child,
                    real: child_real,
                    walked: Some(self.origin),
                });
            }
        }
        if pushed {
            self.ignores.pop();
        }
    }
}

/// The ignore files of directory `dir`, lowest precedence first.
fn ignore_files(dir: &Path) -> [PathBuf; 2] {
    [dir.join(".gitignore"), dir.join(".ignore")]
}

/// `*.yaml`, `*.yml` or `*.json`, in any case.
fn is_candidate(path: &Path) -> bool {
    path.extension().is_some_and(|x| {
        ["yaml", "yml", "json"]
            .iter()
            .any(|e| x.eq_ignore_ascii_case(e))
    })
}
