//! Directories to the manifest files under them.
//!
//! Depth first, each directory's entries in byte order of their names, hidden entries
//! (names starting with `.`) below the given directory skipped, symbolic links followed,
//! a link back to a directory being walked reported as a loop, and every directory walked
//! once however many links lead to it (so the walk is linear in the directories, never
//! exponential in the links). Written on `std::fs` alone, so the native binary and the
//! WASI build walk alike (walkdir detects loops with file handles, which WASI does not
//! offer). The file system is read through canonical paths, which Node's WASI resolves
//! where it fails on chains of relative links; paths are shown as walked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::check::Input;
use super::io::{canonical, display_path, io_message};

/// Adds the `*.yaml`/`*.yml` files under `dir` to `inputs` (each file once, by its
/// canonical path in `seen`); returns whether an entry could not be read (reported on
/// stderr as `error: <path>: <reason>`).
pub(super) fn walk(dir: &Path, inputs: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) -> bool {
    let real = canonical(dir);
    let mut walker = Walker {
        inputs,
        seen,
        visited: HashSet::from([real.clone()]),
        ancestors: vec![(real.clone(), dir.to_path_buf())],
        failed: false,
    };
    walker.visit(dir, &real);
    walker.failed
}

struct Walker<'a> {
    inputs: &'a mut Vec<Input>,
    seen: &'a mut HashSet<PathBuf>,
    /// Every directory walked so far, by canonical path.
    visited: HashSet<PathBuf>,
    /// The directories being walked, outermost first: `(canonical path, path as walked)`.
    ancestors: Vec<(PathBuf, PathBuf)>,
    failed: bool,
}

impl Walker<'_> {
    fn fail(&mut self, path: &Path, reason: &str) {
        eprintln!("error: {}: {reason}", display_path(path));
        self.failed = true;
    }

    /// Walks directory `dir` (as shown), whose canonical path is `real`.
    fn visit(&mut self, dir: &Path, real: &Path) {
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
        for (name, file_type) in children {
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let child = dir.join(&name);
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
                    self.fail(&child, &io_message(&e));
                    continue;
                }
            };
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
                self.visit(&child, &child_real);
                self.ancestors.pop();
            } else if kind.is_file() && is_manifest(&child) && self.seen.insert(child_real.clone())
            {
                self.inputs.push(Input::File {
                    shown: child,
                    real: child_real,
                });
            }
        }
    }
}

/// `*.yaml` or `*.yml`, in any case.
fn is_manifest(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
}
