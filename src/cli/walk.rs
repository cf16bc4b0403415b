//! Directories to the manifest files under them.
//!
//! Depth first, each directory's entries in byte order of their names, hidden entries
//! (names starting with `.`) below the given directory skipped, symbolic links followed,
//! a link back to a directory being walked reported as a loop. Written on `std::fs`
//! alone, so the native binary and the WASI build walk alike (walkdir detects loops with
//! file handles, which WASI does not offer).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::check::Input;
use super::io::{canonical, display_path, io_message};

/// Adds the `*.yaml`/`*.yml` files under `dir` to `inputs` (each file once, by its
/// canonical path in `seen`); returns whether an entry could not be read (reported on
/// stderr as `error: <path>: <reason>`).
pub(super) fn walk(dir: &Path, inputs: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) -> bool {
    let mut walker = Walker {
        inputs,
        seen,
        ancestors: vec![(canonical(dir), dir.to_path_buf())],
        failed: false,
    };
    walker.visit(dir);
    walker.failed
}

struct Walker<'a> {
    inputs: &'a mut Vec<Input>,
    seen: &'a mut HashSet<PathBuf>,
    /// The directories being walked, outermost first: `(canonical path, path as walked)`.
    ancestors: Vec<(PathBuf, PathBuf)>,
    failed: bool,
}

impl Walker<'_> {
    fn fail(&mut self, path: &Path, reason: &str) {
        eprintln!("error: {}: {reason}", display_path(path));
        self.failed = true;
    }

    fn visit(&mut self, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
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
            // What the entry is, following a symbolic link.
            let kind = if link {
                std::fs::metadata(&child).map(|m| m.file_type())
            } else {
                file_type
            };
            let kind = match kind {
                Ok(k) => k,
                Err(e) => {
                    self.fail(&child, &io_message(&e));
                    continue;
                }
            };
            if kind.is_dir() {
                let real = canonical(&child);
                if link {
                    if let Some((_, ancestor)) = self.ancestors.iter().find(|(r, _)| *r == real) {
                        let reason = format!(
                            "File system loop found: {} points to an ancestor {}",
                            child.display(),
                            ancestor.display()
                        );
                        self.fail(&child, &reason);
                        continue;
                    }
                }
                self.ancestors.push((real, child.clone()));
                self.visit(&child);
                self.ancestors.pop();
            } else if kind.is_file() && is_manifest(&child) && self.seen.insert(canonical(&child)) {
                self.inputs.push(Input::File(child));
            }
        }
    }
}

/// `*.yaml` or `*.yml`, in any case.
fn is_manifest(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
}
