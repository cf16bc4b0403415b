//! `check`'s inputs: the paths given (files, directories walked, `-`) to the bytes of
//! each file to check, files that are not Kubernetes manifests skipped (see `skip`), in
//! the order they are reported.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use super::args::CheckArgs;
use super::io::{self, canonical, display_path, io_message, read_capped};
use super::skip::{by_text, Skipped};
use super::walk::{walk, Filters};
use crate::detect::Skip;
use crate::engine::map_in_order;
use crate::render::sarif;
use crate::yaml::Limits;

/// One input to check.
pub(super) enum Input {
    Stdin,
    /// A file: the path shown (as given or as walked) and the path it is read from (the
    /// same for a file given; the canonical path for a file found by walking).
    File {
        shown: PathBuf,
        real: PathBuf,
        /// For a file found by walking a directory, the index of that directory among the
        /// paths given (such a file is skipped when it is not a Kubernetes manifest).
        walked: Option<usize>,
    },
}

/// The inputs read.
pub(super) struct Gathered {
    /// Each input to check: its name (as shown), its bytes, and the path it was read from
    /// (`None` for standard input); in the order given, each directory's files sorted.
    pub(super) read: Vec<(String, Vec<u8>, Option<PathBuf>)>,
    /// SARIF's URIs of the file names that are not UTF-8 (shown with escaped bytes).
    pub(super) uris: BTreeMap<String, String>,
    /// Whether a path could not be read (reported on standard error; exit 2).
    pub(super) unreadable: bool,
    /// How many inputs could not be read.
    pub(super) unread: usize,
    /// How many files were skipped as not Kubernetes manifests.
    pub(super) skipped: usize,
    /// The directories given (walked), as given.
    pub(super) dirs: Vec<PathBuf>,
}

/// Walks and reads every path of `args` (each file read up to `limits.max_input_bytes`),
/// reporting what cannot be read, and skipped files with `--show-skipped`, on standard
/// error.
pub(super) fn gather(args: &CheckArgs, filters: &Filters, limits: &Limits) -> Gathered {
    let limit = limits.max_input_bytes;
    let mut unreadable = false;
    let mut unread = 0usize;
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    // The directories given: `(index among the paths, path)`.
    let mut dirs = Vec::new();
    for (index, path) in args.paths.iter().enumerate() {
        if path.as_os_str() == "-" {
            if seen.insert(PathBuf::from("-")) {
                inputs.push(Input::Stdin);
            }
            continue;
        }
        let real = match io::resolve(path) {
            Ok(real) => real,
            Err(e) => {
                eprintln!("error: {}: {}", display_path(path), io_message(&e));
                unreadable = true;
                unread += 1;
                continue;
            }
        };
        if real.is_dir() {
            dirs.push((index, path.as_path()));
            unreadable |= walk(path, index, filters, &mut inputs, &mut seen);
        } else if args.force_exclude && filters.excludes_named(path, &canonical(path)) {
            continue;
        } else if seen.insert(canonical(path)) {
            inputs.push(Input::File {
                shown: path.clone(),
                real,
                // With --force-exclude, skipped as a walked file is (by its own index:
                // no directory warning names it).
                walked: args.force_exclude.then_some(index),
            });
        }
    }

    // Read every input first: the report starts with the list of files checked. Each
    // file's bytes are then checked document by document, written out as they are, and
    // dropped.
    let mut read: Vec<(String, Vec<u8>, Option<PathBuf>)> = Vec::new();
    let mut skipped = Skipped::default();
    skipped.find_patches(&inputs, limits);
    // SARIF's URIs of the file names that are not UTF-8 (shown with escaped bytes).
    let mut uris = std::collections::BTreeMap::new();
    // Each input with the name it is shown by, and whether its name skips it.
    let mut named = Vec::new();
    for input in inputs {
        let (name, skip) = match &input {
            Input::Stdin => (args.stdin_filename.clone(), None),
            Input::File {
                shown,
                real,
                walked,
            } => {
                let skip = skipped.by_name(*walked, shown, real);
                let name = display_path(shown);
                if skip.is_none() && shown.to_str().is_none() {
                    let bytes = shown.as_os_str().as_encoded_bytes();
                    uris.insert(name.clone(), sarif::path_bytes_to_uri(bytes));
                }
                (name, skip)
            }
        };
        named.push((name, input, skip));
    }
    // The files are read, and those found by walking judged by their text, on up to
    // `--threads` threads (a directory of many files is read across cores; reading and
    // judging were a tenth of a whole check of 40 files on two threads, all of it on the
    // calling thread). What they give is taken in the inputs' order below, so the
    // messages and the report are the same whatever the thread count. With standard
    // input among them, all are read in order on the calling thread (`- /dev/stdin`:
    // the first one named reads the text).
    let file_read = |(name, input, skip): &(String, Input, Option<Skip>)| match input {
        Input::File { real, walked, .. } if skip.is_none() => {
            Some(io::read_file(real, limit).map(|bytes| {
                match by_text(*walked, name, &bytes, limits) {
                    // A skipped file's bytes are dropped here, not held with the rest.
                    Some(skip) => (Vec::new(), Some(skip)),
                    None => (bytes, None),
                }
            }))
        }
        Input::Stdin => Some(
            io::check_stdin()
                .and_then(|()| read_capped(std::io::stdin().lock(), limit, 0))
                .map(|bytes| (bytes, None)),
        ),
        Input::File { .. } => None,
    };
    let stdin = named
        .iter()
        .any(|(_, input, _)| matches!(input, Input::Stdin));
    let threads = if stdin { 1 } else { args.thread_count() };
    let files = map_in_order(&named, threads, &file_read);
    // The names of the files checked: standard input may not take one of them.
    let file_names: HashSet<&str> = named
        .iter()
        .zip(&files)
        .filter(|((_, input, skip), file)| {
            matches!(input, Input::File { .. })
                && skip.is_none()
                && matches!(file, Some(Ok((_, None))))
        })
        .map(|((name, _, _), _)| name.as_str())
        .collect();
    let stdin_taken = file_names.contains(args.stdin_filename.as_str());
    for ((name, input, skip), file) in named.into_iter().zip(files) {
        if let (
            Input::File {
                walked: Some(origin),
                ..
            },
            Some(skip),
        ) = (&input, skip)
        {
            skipped.skip(*origin, &name, skip);
            continue;
        }
        let (walked, real_path) = match input {
            Input::Stdin => (None, None),
            Input::File { real, walked, .. } => (walked, Some(real)),
        };
        let bytes = file.unwrap_or_else(|| Err(std::io::Error::other("not read")));
        let (bytes, skip) = match bytes {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: {name}: {}", io_message(&e));
                unreadable = true;
                unread += 1;
                continue;
            }
        };
        // Two files may show the same name (`a\xFE.yaml` written out, and a name with
        // the byte 0xFE): each is checked and written on its own. Only
        // `--stdin-filename` can make standard input take a file's name, which is
        // refused, before or after the file, as the user asked for a name that is taken
        // (findings could not be told apart, nor shown with the right code frames).
        if real_path.is_none() && stdin_taken {
            eprintln!(
                "error: {name}: a file checked has this name too (see --stdin-filename): \
                 standard input was not checked"
            );
            unreadable = true;
            unread += 1;
            continue;
        }
        if let (Some(origin), Some(skip)) = (walked, skip) {
            skipped.skip(origin, &name, skip);
            continue;
        }
        skipped.kept(walked);
        read.push((name, bytes, real_path));
    }
    skipped.tell(args.show_skipped, &dirs);
    Gathered {
        read,
        uris,
        unreadable,
        unread,
        skipped: skipped.count(),
        dirs: dirs.iter().map(|(_, d)| d.to_path_buf()).collect(),
    }
}
