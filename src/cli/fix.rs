//! `check --fix`, `--diff` and `--show-fixes`: the fixes of [`crate::fix`] applied to the
//! files read, written back atomically, or shown as a unified diff or in the report.

use std::io::Write as _;
use std::path::Path;

use super::args::CheckArgs;
use crate::fix::{fix_text, fix_until_settled, Applicability, FixSelection};
use crate::options::Options;
use crate::render::fixes::FixTable;

/// What fixing the inputs did.
#[derive(Debug, Default)]
pub(super) struct FixSummary {
    /// Findings fixed (or, with --diff, that would be).
    pub(super) fixed: usize,
    /// Files changed (or that would be).
    pub(super) files: usize,
    /// Findings left whose fix is unsafe and was not applied.
    pub(super) unsafe_left: usize,
    /// Files that could not be written.
    pub(super) unwritten: usize,
    /// With --diff in a human format: the error that stopped writing the diffs to
    /// standard output (a closed pipe, a full disk); no file after it is fixed.
    pub(super) stdout_error: Option<std::io::Error>,
}

/// The selection of `--fix`/`--diff` (`--unsafe-fixes` adds the unsafe ones).
pub(super) fn selection(args: &CheckArgs) -> FixSelection {
    FixSelection {
        unsafe_fixes: args.unsafe_fixes,
        rules: None,
    }
}

/// What fixing one input gave: its fixed bytes, when they changed, and with --diff in
/// JSON or SARIF its findings' fixes (for the report of the unchanged text).
#[derive(Default)]
pub(super) struct Fixing {
    pub(super) new: Option<Vec<u8>>,
    pub(super) table: Option<FixTable>,
}

/// What fixing one input's text gave, before anything is printed, written or counted:
/// made on the worker threads ([`plan_input`]), taken in the inputs' order on the
/// calling thread ([`fix_input`]), so that messages, diffs and writes come in the same
/// order on any number of threads. Only what the calling thread needs is kept.
pub(super) enum Planned {
    /// The input is not UTF-8: it is not fixed.
    NotUtf8,
    /// The fixes could not be computed (the options were refused): nothing to do.
    Nothing,
    /// Fixes were computed: what they changed.
    Fixed(Box<Outcome>),
}

/// One input's fixes (see [`Planned::Fixed`]).
pub(super) struct Outcome {
    /// Whether the text changed.
    changed: bool,
    /// Findings fixed (over every pass).
    applied: usize,
    /// Findings left whose fix is unsafe and was not applied.
    unsafe_left: usize,
    /// With --fix: the fixed text, when it changed.
    text: Option<String>,
    /// With --diff in a human format: the unified diff, when the text changed.
    patch: Option<String>,
    /// With --diff in JSON or SARIF: every finding's fixes, for the report.
    table: Option<FixTable>,
}

/// Plans the fixes of one input (`name`, its `bytes`) under `opts`: the work of
/// `--fix`/`--diff` that needs no order, run on the `--threads` threads.
pub(super) fn plan_input(opts: &Options, args: &CheckArgs, name: &str, bytes: &[u8]) -> Planned {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Planned::NotUtf8;
    };
    let sel = selection(args);
    // --diff in JSON or SARIF shows every finding's fixes: one run plans them and
    // applies the selected ones.
    if args.diff && !args.format.is_human() {
        let Ok(fixed) = fix_text(opts, name, text, &sel, true) else {
            return Planned::Nothing;
        };
        return Planned::Fixed(Box::new(Outcome {
            changed: fixed.text != text,
            applied: fixed.applied.len(),
            unsafe_left: unsafe_left(&fixed),
            text: None,
            patch: None,
            table: Some(FixTable::new(fixed)),
        }));
    }
    // Otherwise the fixes are applied until none applies (see `fix_until_settled`).
    let Ok(settled) = fix_until_settled(opts, name, text, &sel) else {
        return Planned::Nothing;
    };
    let changed = settled.text != text;
    let patch = (args.diff && changed).then(|| {
        similar::TextDiff::from_lines(text, &settled.text)
            .unified_diff()
            .context_radius(3)
            .header(name, name)
            .to_string()
    });
    Planned::Fixed(Box::new(Outcome {
        changed,
        applied: settled.applied,
        unsafe_left: unsafe_left(&settled.last),
        text: (changed && !args.diff).then_some(settled.text),
        patch,
        table: None,
    }))
}

/// Takes one input's [`Planned`] fixes, in the inputs' order: prints what it says
/// (standard error; with --diff in a human format the diff to standard output), writes
/// the fixed text over `real` (the file to replace, which held `bytes` when it was
/// read; `None` for standard input or with --diff), and counts in `summary`.
pub(super) fn fix_input(
    args: &CheckArgs,
    name: &str,
    bytes: &[u8],
    planned: Planned,
    real: Option<&Path>,
    summary: &mut FixSummary,
) -> Fixing {
    let outcome = match planned {
        Planned::NotUtf8 => {
            eprintln!("warning: {name}: not fixed: the file is not UTF-8");
            return Fixing::default();
        }
        Planned::Nothing => return Fixing::default(),
        Planned::Fixed(outcome) => *outcome,
    };
    summary.unsafe_left += outcome.unsafe_left;
    if outcome.table.is_some() {
        // --diff in JSON or SARIF: the report is of the unchanged text.
        if outcome.changed {
            summary.fixed += outcome.applied;
            summary.files += 1;
        }
        return Fixing {
            new: None,
            table: outcome.table,
        };
    }
    if !outcome.changed {
        return Fixing::default();
    }
    if args.diff {
        summary.fixed += outcome.applied;
        summary.files += 1;
        if let Some(patch) = outcome.patch {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(patch.as_bytes()).and_then(|()| out.flush()) {
                summary.stdout_error = Some(e);
            }
        }
        return Fixing::default();
    }
    let Some(text) = outcome.text else {
        return Fixing::default();
    };
    if let Some(real) = real {
        if let Err(e) = write_fixed(real, bytes, text.as_bytes()) {
            eprintln!(
                "error: {name}: the fixes were not written: {}",
                super::io::io_message(&e)
            );
            summary.unwritten += 1;
            return Fixing::default();
        }
    }
    summary.fixed += outcome.applied;
    summary.files += 1;
    Fixing {
        new: Some(text.into_bytes()),
        table: None,
    }
}

/// The findings whose unsafe fix was not applied.
fn unsafe_left(fixed: &crate::fix::Fixed) -> usize {
    fixed
        .left
        .iter()
        .filter(|(_, a)| *a == Applicability::Unsafe)
        .count()
}

/// The offers for the findings of one input's text (every fix, safe and unsafe), for
/// --show-fixes: a file that is not UTF-8 is not fixed (each finding says so, see
/// [`crate::render::fixes::NOT_UTF8`]); `None` when the fixes cannot be computed.
pub(super) fn fix_table(opts: &Options, name: &str, bytes: &[u8]) -> Option<FixTable> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(FixTable::not_fixed(crate::render::fixes::NOT_UTF8));
    };
    let all = FixSelection {
        unsafe_fixes: true,
        rules: None,
    };
    fix_text(opts, name, text, &all, true)
        .ok()
        .map(FixTable::new)
}

/// Writes the fixed `bytes` over `path`, which held `read` when it was read.
///
/// - A symbolic link is followed: its target is written, the link stays.
/// - A file that changed since it was read, or that is read-only, is not written.
/// - The new text goes to a temporary file beside the target, with the target's
///   permissions (and, where the system allows it, its owner and group), renamed over it:
///   a reader never sees half a file. A file with several hard links is written in
///   place instead, so that every link sees the fix.
fn write_fixed(path: &Path, read: &[u8], bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let meta = std::fs::metadata(&target)?;
    // WASI has no permission bits (every file reads as read-only there): the host's own
    // permissions decide.
    if cfg!(not(target_os = "wasi")) && meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    if std::fs::read(&target)? != read {
        return Err(std::io::Error::other(
            "the file changed since it was read; run again",
        ));
    }
    if links(&meta) > 1 {
        return std::fs::write(&target, bytes);
    }
    let (tmp, mut file) = super::io::create_beside(&target, "fix")?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            // WASI has no permission bits or owners: keep what the system gives there.
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
            keep_owner(&tmp, &meta);
            std::fs::rename(&tmp, &target)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Gives `path` the owner and group of `meta` where the system allows it (root can; a
/// user can keep its own, and a group it is in).
#[cfg(unix)]
fn keep_owner(path: &Path, meta: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &Path, _: &std::fs::Metadata) {}

/// `1 remains`, `3 remain`.
fn remain(n: usize) -> String {
    if n == 1 {
        "1 remains".to_string()
    } else {
        format!("{n} remain")
    }
}

/// The line under the report: how many findings were fixed and how many remain.
pub(super) fn summary_line(
    s: &FixSummary,
    remaining: usize,
    diff: bool,
    unsafe_fixes: bool,
) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut line = if diff {
        format!(
            "{} would be fixed in {} (run with --fix to apply)",
            plural(s.fixed, "finding", "findings"),
            plural(s.files, "file", "files")
        )
    } else if s.fixed == 0 {
        format!("nothing was fixed; {}", remain(remaining))
    } else {
        format!(
            "fixed {} in {}; {}",
            plural(s.fixed, "finding", "findings"),
            plural(s.files, "file", "files"),
            remain(remaining)
        )
    };
    if s.unsafe_left > 0 && !unsafe_fixes {
        line.push_str(&format!(
            "; {} an unsafe fix (add --unsafe-fixes after checking `kube-secctx explain RULE`)",
            if s.unsafe_left == 1 {
                "1 finding has".to_string()
            } else {
                format!("{} findings have", s.unsafe_left)
            }
        ));
    }
    line.push('.');
    line
}
