//! The command line's I/O, the same natively and under WASI: reading inputs, writing
//! output, canonical paths, and I/O errors worded as on Linux.
//!
//! Under WASI (the npm package's command run by Node's `node:wasi`), three things differ
//! from a native process and are made equal here:
//!
//! - the working directory: WASI has none; the launcher passes the real one in `PWD` and
//!   preopens `/`, and [`enter_working_directory`] makes relative paths resolve against it;
//! - canonical paths: `std::fs::canonicalize` is not available, so [`canonical`] resolves
//!   symbolic links itself;
//! - error numbers: WASI's are not Linux's, so [`io_message`] words an error as glibc and
//!   Rust do on Linux (`No such file or directory (os error 2)`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::render::sarif;

/// Under WASI, makes the launcher's working directory (`PWD`) the current one. Natively,
/// nothing to do.
///
/// # Errors
/// Under WASI, when `PWD` is missing or is not a directory the module can enter (the
/// launcher's working directory was deleted, or its name is not UTF-8): WASI's default,
/// `/`, must not stand in for it.
pub(super) fn enter_working_directory() -> Result<(), String> {
    #[cfg(target_os = "wasi")]
    {
        let Some(pwd) = std::env::var_os("PWD") else {
            return Err("the working directory is not available (PWD is not set)".to_string());
        };
        if let Err(e) = std::env::set_current_dir(&pwd) {
            return Err(format!(
                "cannot enter the working directory {}: {}",
                display_path(Path::new(&pwd)),
                io_message(&e)
            ));
        }
    }
    Ok(())
}

/// The path to open, stat or list for `path`. Natively the path itself. Under WASI its
/// canonical path: Node's WASI resolves `..` after a symbolic link by text (`link/..`
/// is not the link target's parent there), so the module resolves every link itself and
/// hands WASI only real paths. A path that does not exist is returned as given (opening
/// it then fails as natively).
///
/// # Errors
/// Under WASI, what resolving the path met: a component that is not a directory (`a.yaml/..`),
/// too many links.
pub(super) fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    #[cfg(target_os = "wasi")]
    match realpath(path) {
        Ok(real) => return Ok(real),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    Ok(path.to_path_buf())
}

/// The variable by which the npm launcher says that standard input is a directory: WASI
/// preview1 cannot tell (there is no `fd_dup` to stat it with), and Node's WASI reads a
/// directory as empty.
#[cfg(target_os = "wasi")]
const STDIN_IS_DIRECTORY: &str = "KUBE_SECCTX_STDIN_IS_DIRECTORY";

/// Under WASI, an error if the launcher says standard input is a directory (reading it
/// natively fails with `Is a directory`). Natively nothing: the read itself fails.
pub(super) fn check_stdin() -> std::io::Result<()> {
    #[cfg(target_os = "wasi")]
    if std::env::var_os(STDIN_IS_DIRECTORY).is_some() {
        // WASI's EISDIR, worded as Linux's by `io_message`.
        return Err(std::io::Error::from_raw_os_error(31));
    }
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(super) fn write_stdout(s: &str) -> anyhow::Result<()> {
    write_stdout_bytes(s.as_bytes())
}

/// Writes bytes to stdout as they are (`check --fix -` passes a file that is not UTF-8
/// through unchanged); a closed pipe is not an error.
pub(super) fn write_stdout_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = Stdout::new();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .or_else(closed_pipe_is_fine)
}

/// Standard output, buffered, for output written as it is made (a large report is never
/// one string in memory). Implements `std::io::Write`, and `std::fmt::Write` for the text
/// renderer (an I/O error is kept and returned by [`Stdout::finish`]).
pub(super) struct Stdout {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    error: Option<std::io::Error>,
}

impl Stdout {
    pub(super) fn new() -> Stdout {
        Stdout {
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
            error: None,
        }
    }

    /// Flushes; the first error met (a closed pipe is not one).
    pub(super) fn finish(mut self, written: std::io::Result<()>) -> anyhow::Result<()> {
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => written.and_then(|()| self.out.flush()),
        };
        result.or_else(closed_pipe_is_fine)
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl std::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.out.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

/// A closed pipe (`| head`) is not an error; any other write error is, in Linux's words.
pub(super) fn closed_pipe_is_fine(e: std::io::Error) -> anyhow::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "cannot write to standard output: {}",
        io_message(&e)
    ))
}

/// Reads at most `limit + 1` bytes: enough for the engine to report an input over the
/// size limit as an error entry, without holding an unbounded input (`/dev/zero`, an
/// endless pipe) in memory.
///
/// `size_hint` (the file's length, when known) sizes the buffer once.
pub(super) fn read_capped(
    reader: impl Read,
    limit: usize,
    size_hint: u64,
) -> std::io::Result<Vec<u8>> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let hint = usize::try_from(size_hint.min(cap)).unwrap_or(0);
    let mut buf = Vec::with_capacity(hint.saturating_add(1));
    reader.take(cap).read_to_end(&mut buf)?;
    Ok(buf)
}

/// A file's bytes, read with [`read_capped`] (at most `limit + 1` bytes, the buffer
/// sized from the file's length). Any file that opens is read: a FIFO too, as
/// `<(helm template ...)` gives one.
///
/// # Errors
/// What the file system said.
pub(super) fn read_file(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let size = f.metadata().map_or(0, |m| m.len());
    read_capped(f, limit, size)
}

/// A regular file's bytes, read with [`read_capped`]. Its type is looked at before it is
/// opened (opening a FIFO would wait for a writer; a device may never end).
///
/// # Errors
/// `not a regular file`, or what the file system said.
pub(super) fn read_regular_file(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    read_capped(std::fs::File::open(path)?, limit, meta.len())
}

/// Color for `--color auto`: stdout is a terminal, `NO_COLOR` unset or empty, `TERM` not
/// `dumb`.
pub(super) fn auto_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && !no_color && !dumb
}

/// A directory as a `file://` URI ending in `/` (by its bytes: a name that is not UTF-8
/// is percent-encoded as it is).
pub(super) fn dir_uri(dir: &Path) -> String {
    let mut uri = match dir.to_str() {
        Some(s) => sarif::path_to_uri(s),
        None => sarif::path_bytes_to_uri(dir.as_os_str().as_encoded_bytes()),
    };
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A path as shown in the report: as given, with `/` separators on every platform. Bytes
/// that are not UTF-8 (a name from another encoding) are shown as `\xFE`, so that two
/// names that differ only there stay two names.
pub(super) fn display_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut s = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        if std::path::MAIN_SEPARATOR == '\\' {
            s.push_str(&chunk.valid().replace('\\', "/"));
        } else {
            s.push_str(chunk.valid());
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
}

/// The path used to check each file once (`./a.yaml` and `a.yaml` are one file): the
/// canonical path, or the path as given when it cannot be resolved.
pub(super) fn canonical(path: &Path) -> PathBuf {
    #[cfg(not(target_os = "wasi"))]
    let resolved = std::fs::canonicalize(path);
    #[cfg(target_os = "wasi")]
    let resolved = realpath(path);
    resolved.unwrap_or_else(|_| path.to_path_buf())
}

/// `realpath(3)`: the absolute path of `path` with `.`, `..` and every symbolic link
/// resolved, for WASI, where `std::fs::canonicalize` is not available.
#[cfg(any(target_os = "wasi", test))]
fn realpath(path: &Path) -> std::io::Result<PathBuf> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    use std::path::Component;

    /// As many links as Linux follows before `ELOOP`.
    const MAX_LINKS: usize = 40;
    enum Part {
        Root,
        Parent,
        Name(OsString),
    }
    fn parts(p: &Path) -> impl Iterator<Item = Part> + '_ {
        p.components().filter_map(|c| match c {
            Component::RootDir | Component::Prefix(_) => Some(Part::Root),
            Component::ParentDir => Some(Part::Parent),
            Component::Normal(n) => Some(Part::Name(n.to_os_string())),
            Component::CurDir => None,
        })
    }
    let absolute = std::env::current_dir()?.join(path);
    let mut todo: VecDeque<Part> = parts(&absolute).collect();
    let mut out = PathBuf::from("/");
    let mut links = 0;
    while let Some(part) = todo.pop_front() {
        match part {
            Part::Root => out = PathBuf::from("/"),
            Part::Parent => {
                out.pop();
            }
            Part::Name(name) => {
                let next = out.join(&name);
                let meta = std::fs::symlink_metadata(&next)?;
                if !meta.is_dir() && !meta.file_type().is_symlink() && !todo.is_empty() {
                    // `a.yaml/..`, `a.yaml/b`: not a directory, as the system says.
                    return Err(not_a_directory());
                }
                if meta.file_type().is_symlink() {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(std::io::Error::other("too many levels of symbolic links"));
                    }
                    let target = std::fs::read_link(&next)?;
                    for p in parts(&target).collect::<Vec<_>>().into_iter().rev() {
                        todo.push_front(p);
                    }
                } else {
                    out = next;
                }
            }
        }
    }
    Ok(out)
}

/// `ENOTDIR` of the platform the module runs on.
#[cfg(any(target_os = "wasi", test))]
fn not_a_directory() -> std::io::Error {
    #[cfg(target_os = "wasi")]
    return std::io::Error::from_raw_os_error(54);
    #[cfg(not(target_os = "wasi"))]
    return std::io::Error::from_raw_os_error(20);
}

/// An I/O error as Rust words it on Linux: `No such file or directory (os error 2)`.
/// Natively that is its own wording; under WASI the error number is WASI's and is mapped
/// to Linux's, so that the npm command prints what the native one prints.
pub(super) fn io_message(e: &std::io::Error) -> String {
    #[cfg(target_os = "wasi")]
    if let Some((code, text)) = e.raw_os_error().and_then(linux_errno) {
        return format!("{text} (os error {code})");
    }
    e.to_string()
}

/// The Linux error number and glibc's `strerror` text of a WASI error number
/// (`wasi_snapshot_preview1`'s `errno`), for the errors opening, reading and listing
/// files and writing the output can meet.
#[cfg(any(target_os = "wasi", test))]
fn linux_errno(wasi: i32) -> Option<(i32, &'static str)> {
    Some(match wasi {
        2 => (13, "Permission denied"),
        6 => (11, "Resource temporarily unavailable"),
        8 => (9, "Bad file descriptor"),
        10 => (16, "Device or resource busy"),
        19 => (122, "Disk quota exceeded"),
        22 => (27, "File too large"),
        28 => (22, "Invalid argument"),
        29 => (5, "Input/output error"),
        31 => (21, "Is a directory"),
        32 => (40, "Too many levels of symbolic links"),
        33 => (24, "Too many open files"),
        37 => (36, "File name too long"),
        41 => (23, "Too many open files in system"),
        43 => (19, "No such device"),
        20 => (17, "File exists"),
        44 => (2, "No such file or directory"),
        48 => (12, "Cannot allocate memory"),
        51 => (28, "No space left on device"),
        52 => (38, "Function not implemented"),
        54 => (20, "Not a directory"),
        55 => (39, "Directory not empty"),
        58 => (95, "Operation not supported"),
        60 => (6, "No such device or address"),
        61 => (75, "Value too large for defined data type"),
        63 => (1, "Operation not permitted"),
        64 => (32, "Broken pipe"),
        69 => (30, "Read-only file system"),
        70 => (29, "Illegal seek"),
        74 => (26, "Text file busy"),
        76 => (1, "Operation not permitted"),
        _ => return None,
    })
}

/// A new file beside `target` for an atomic replacement (written, then renamed over
/// `target`): `.<name>.kube-secctx-<tag>.<nanoseconds>.<n>` in `target`'s directory,
/// created exclusively (the clock's nanoseconds, as WASI has no process ID, and a counter
/// when that name is taken). Returns its path and the open file.
///
/// # Errors
/// What the file system said (after 100 names taken).
pub(super) fn create_beside(target: &Path, tag: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut n = 0u32;
    loop {
        let tmp = dir.join(format!(".{name}.kube-secctx-{tag}.{stamp}.{n}"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realpath_resolves_links_like_the_system() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(base.join("a/b")).unwrap();
        std::fs::write(base.join("a/b/f.yaml"), "x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a/b", base.join("rel")).unwrap();
            std::os::unix::fs::symlink(base.join("a"), base.join("abs")).unwrap();
            std::os::unix::fs::symlink("../..", base.join("a/b/up")).unwrap();
            std::os::unix::fs::symlink("loop", base.join("loop")).unwrap();
            for p in [
                "rel/f.yaml",
                "abs/b/f.yaml",
                "a/b/up/a/./b/f.yaml",
                "abs/../rel",
            ] {
                let p = base.join(p);
                assert_eq!(
                    realpath(&p).unwrap(),
                    std::fs::canonicalize(&p).unwrap(),
                    "{}",
                    p.display()
                );
            }
            assert!(realpath(&base.join("loop")).is_err());
            // A file followed by `..` is not a directory, as the system says.
            let file_dot_dot = base.join("a/b/f.yaml/..");
            assert_eq!(
                realpath(&file_dot_dot).unwrap_err().raw_os_error(),
                std::fs::canonicalize(&file_dot_dot)
                    .unwrap_err()
                    .raw_os_error()
            );
        }
        assert!(realpath(&base.join("missing")).is_err());
    }

    #[test]
    fn wasi_errors_read_as_linux() {
        assert_eq!(linux_errno(44), Some((2, "No such file or directory")));
        assert_eq!(linux_errno(2), Some((13, "Permission denied")));
        let native = std::io::Error::from_raw_os_error(2).to_string();
        assert_eq!(native, "No such file or directory (os error 2)");
    }
}
