//! Globs of paths relative to a directory (the configuration file's): `exclude` and
//! `perFileIgnores`.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Globs matched against paths relative to a base directory, with the gitignore-like
/// rules users expect of `exclude` and ruff's `per-file-ignores`:
///
/// - a glob with a `/` inside (`legacy/*.yaml`, `charts/**`) or at its start (`/vendor`)
///   is anchored at the base directory; one without (`*.generated.yaml`, `vendor`)
///   matches at any depth, also outside the base directory;
/// - a glob that matches a directory matches every file below it (`legacy` and `legacy/`
///   are `legacy/**`);
/// - `*`, `?` and `[...]` do not cross a `/`; `**` does; `{a,b}` is either; a leading
///   `./` is dropped.
///
/// Matching is by the path's text (no file system access).
#[derive(Debug, Clone)]
pub struct PathGlobs {
    base: PathBuf,
    patterns: Vec<String>,
    /// Globs matched against the path relative to `base`, and the pattern of each.
    anchored: (GlobSet, Vec<usize>),
    /// Globs matched against the path relative to `base`, or the whole path when it is
    /// outside `base`, and the pattern of each.
    floating: (GlobSet, Vec<usize>),
}

/// A pattern cleaned: whether it is anchored, and its text without `./`, the leading and
/// the trailing `/`.
fn clean(pattern: &str) -> (bool, &str) {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let rooted = p.starts_with('/');
    let p = p.trim_matches('/');
    (rooted || p.contains('/'), p)
}

fn glob(text: &str) -> Result<Glob, String> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

impl PathGlobs {
    /// Checks one glob.
    ///
    /// # Errors
    /// `invalid glob "[a": <why>`, or an empty glob.
    pub fn check(pattern: &str) -> Result<(), String> {
        let (_, p) = clean(pattern);
        if p.is_empty() {
            return Err(format!("invalid glob {pattern:?}: it matches nothing"));
        }
        glob(p)
            .map(|_| ())
            .map_err(|e| format!("invalid glob {pattern:?}: {e}"))
    }

    /// The matcher of `patterns`, relative to `base` (an absolute directory, canonical
    /// so that canonical file paths can be compared with it).
    ///
    /// # Errors
    /// The first invalid glob, as [`PathGlobs::check`] words it.
    pub fn new(base: &Path, patterns: &[String]) -> Result<PathGlobs, String> {
        let mut anchored = (GlobSetBuilder::new(), Vec::new());
        let mut floating = (GlobSetBuilder::new(), Vec::new());
        for (i, pattern) in patterns.iter().enumerate() {
            PathGlobs::check(pattern)?;
            let (is_anchored, p) = clean(pattern);
            let (set, owners) = if is_anchored {
                (&mut anchored.0, &mut anchored.1)
            } else {
                (&mut floating.0, &mut floating.1)
            };
            let texts = if is_anchored {
                [p.to_string(), format!("{p}/**")]
            } else {
                [format!("**/{p}"), format!("**/{p}/**")]
            };
            for text in texts {
                set.add(glob(&text).map_err(|e| format!("invalid glob {pattern:?}: {e}"))?);
                owners.push(i);
            }
        }
        let build = |(b, owners): (GlobSetBuilder, Vec<usize>)| {
            b.build()
                .map(|set| (set, owners))
                .map_err(|e| e.kind().to_string())
        };
        Ok(PathGlobs {
            base: base.to_path_buf(),
            patterns: patterns.to_vec(),
            anchored: build(anchored)?,
            floating: build(floating)?,
        })
    }

    /// The base directory.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether any pattern matches `path` (absolute, canonical; see
    /// [`PathGlobs::matching`]).
    pub fn is_match(&self, path: &Path) -> bool {
        !self.matching(path).is_empty()
    }

    /// The indices of the patterns that match `path` (an absolute path, canonical like
    /// the base), ascending.
    pub fn matching(&self, path: &Path) -> Vec<usize> {
        let mut out = Vec::new();
        let inside = path.strip_prefix(&self.base).ok();
        if let Some(rel) = inside {
            for g in self.anchored.0.matches(rel) {
                out.extend(self.anchored.1.get(g).copied());
            }
        }
        // Outside the base, the floating globs see the path without its root.
        let whole: PathBuf = path
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        for g in self.floating.0.matches(inside.unwrap_or(&whole)) {
            out.extend(self.floating.1.get(g).copied());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
