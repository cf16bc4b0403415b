//! Files found by walking a directory that are not Kubernetes manifests: skipped,
//! counted, and with `--show-skipped` named on standard error, each with its reason.
//!
//! The decision is the core's ([`crate::detect`], which the language server uses too):
//! by name before a file is read, then by its text once read (a byte scan; only texts
//! the scan cannot decide are parsed before the check). A file named on the command line
//! is never skipped (except with `--force-exclude`, which treats it as walked): it is
//! checked, and a file that is not a manifest is an input error.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::inputs::Input;
use super::io::{canonical, display_path, read_regular_file};
use crate::detect::{kustomize_patches, skip_by_name, skip_by_text, Skip};
use crate::engine::decode;
use crate::yaml::Limits;

/// The files skipped so far, in walk order, and how many were kept.
#[derive(Debug, Default)]
pub(super) struct Skipped {
    /// `(index of the directory given, file name shown, why)`.
    files: Vec<(usize, String, Skip)>,
    /// The files kept (to be checked) under each directory given, by its index.
    kept: std::collections::HashMap<usize, usize>,
    /// The kustomize patches the walked kustomizations name, by canonical path.
    patches: HashSet<PathBuf>,
}

impl Skipped {
    /// Reads the kustomizations of the directories of the walked `inputs` (and of
    /// `--force-exclude`'s named files), and of their parent directories up to the working
    /// directory (or the root, for files outside it), for the patch files they name ([`kustomize_patches`]), which
    /// [`Skipped::by_name`] then skips. As `kustomize build` (its default load
    /// restrictor), a patch must be inside the kustomization's directory: a path that
    /// leaves it (`../prod/deploy.yaml`, an absolute path elsewhere) names no patch. A
    /// kustomization that cannot be read or parsed names none.
    pub(super) fn find_patches(&mut self, inputs: &[Input], limits: &Limits) {
        let cwd = std::env::current_dir().map(|d| canonical(&d)).ok();
        let mut seen: HashSet<PathBuf> = HashSet::new();
        for input in inputs {
            let Input::File {
                real,
                walked: Some(_),
                ..
            } = input
            else {
                continue;
            };
            let file = canonical(real);
            let mut dir = file.parent();
            while let Some(d) = dir {
                if !seen.insert(d.to_path_buf()) {
                    break;
                }
                self.read_kustomizations(d, limits);
                // Up to the working directory when the file is below it, else up to the
                // root (each directory is read once).
                if cwd.as_deref() == Some(d) {
                    break;
                }
                dir = d.parent();
            }
        }
    }

    /// The patches of the kustomization files (kustomize's three names) in `dir`.
    fn read_kustomizations(&mut self, dir: &Path, limits: &Limits) {
        for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
            let Ok(bytes) = read_regular_file(&dir.join(name), limits.max_input_bytes) else {
                continue;
            };
            for patch in kustomize_patches(&decode(&bytes).text, limits) {
                let patch = canonical(&dir.join(patch));
                if patch.starts_with(dir) {
                    self.patches.insert(patch);
                }
            }
        }
    }

    /// Whether the file `shown` (read from `real`), found by walking the directory given
    /// at index `origin` (`None`: named itself, never skipped), is skipped by its name or
    /// as a kustomize patch, and why (recorded by the caller with [`Skipped::skip`]).
    pub(super) fn by_name(&self, origin: Option<usize>, shown: &Path, real: &Path) -> Option<Skip> {
        origin?;
        if !self.patches.is_empty() && self.patches.contains(&canonical(real)) {
            return Some(Skip::KustomizePatch);
        }
        skip_by_name(&display_path(shown))
    }

    /// Records the file `name` (as shown), found by walking the directory given at index
    /// `origin`, as skipped ([`Skipped::by_name`]'s or [`by_text`]'s verdict), in the
    /// inputs' order.
    pub(super) fn skip(&mut self, origin: usize, name: &str, skip: Skip) {
        self.files.push((origin, name.to_string(), skip));
    }

    /// Counts a file that is checked, found by walking the directory given at index
    /// `origin` (`None`: named itself, not counted).
    pub(super) fn kept(&mut self, origin: Option<usize>) {
        if let Some(origin) = origin {
            *self.kept.entry(origin).or_default() += 1;
        }
    }

    /// How many files were skipped.
    pub(super) fn count(&self) -> usize {
        self.files.len()
    }

    /// How many files found by walking the directory given at index `origin` were skipped.
    fn count_from(&self, origin: usize) -> usize {
        self.files.iter().filter(|(o, _, _)| *o == origin).count()
    }

    /// Writes to standard error, with `show` (`--show-skipped`) a note per skipped file,
    /// `note: <file>: skipped: <reason>`, then a warning for each directory given (`dirs`:
    /// `(index among the paths given, path)`) under which no file is left to check.
    pub(super) fn tell(&self, show: bool, dirs: &[(usize, &Path)]) {
        if show {
            for (_, name, skip) in &self.files {
                let name = crate::render::printable(name);
                eprintln!("note: {name}: skipped: {}", skip.reason());
            }
        }
        for &(origin, dir) in dirs {
            if self.kept.get(&origin).is_some_and(|&n| n > 0) {
                continue;
            }
            let skipped = self.count_from(origin);
            let why = match skipped {
                0 => String::new(),
                1 => " (1 file skipped: not a Kubernetes manifest; see --show-skipped)".into(),
                n => format!(" ({n} files skipped: not Kubernetes manifests; see --show-skipped)"),
            };
            eprintln!(
                "warning: {}: no Kubernetes manifests (*.yaml, *.yml, *.json) found{why}",
                display_path(dir)
            );
        }
    }
}

/// Whether the file `name` (as shown), found by walking the directory given at index
/// `origin` (`None`: named itself, never skipped), is skipped by its `bytes`, and why.
/// Reads nothing else: it runs on the threads that read the files (see `inputs.rs`); the
/// caller records the verdict with [`Skipped::skipped_by_text`], in the inputs' order.
pub(super) fn by_text(
    origin: Option<usize>,
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Option<Skip> {
    origin?;
    // A UTF-16 file is checked, to be reported as one (its words are not ASCII bytes).
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    // Bytes that are not UTF-8 are decided on the text the check reads (each such
    // byte replaced by `?`): a manifest with a Latin-1 byte is checked, and reported.
    skip_by_text(name, &decode(bytes).text, limits)
}
