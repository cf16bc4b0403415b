//! `check --baseline FILE` and `--write-baseline FILE`: the baseline file read and
//! written, file names made relative, and what the report says about stale entries. The
//! fingerprints and the matching are the core's ([`crate::baseline`]).

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::args::CheckArgs;
use super::io::{display_path, io_message};
use crate::baseline::{Baseline, Fingerprint, Matcher};

/// At most this many stale entries are listed one a line in text; the rest are counted.
const STALE_LINES: usize = 20;

/// The baseline a run applies, from `--baseline` (read) or `--write-baseline` (record);
/// its [`Matcher`] goes to the checker.
pub(super) struct Plan {
    /// The file, as given.
    pub(super) path: PathBuf,
    /// Recording (`--write-baseline`) rather than comparing.
    pub(super) write: bool,
    /// With `--write-baseline`, the baseline the file held (when it held one): the
    /// entries of files this run does not check are kept.
    pub(super) previous: Option<Baseline>,
}

/// The baseline of `args`, if any, and the matcher to give the checker.
///
/// # Errors
/// The message of a usage error (exit 2): the `--baseline` file cannot be read, or is not
/// a baseline, with its `file:line:column`.
pub(super) fn plan(args: &CheckArgs) -> Result<Option<(Plan, Matcher)>, String> {
    if let Some(path) = &args.write_baseline {
        // Checked before the run, whose findings the baseline accepts as they come: a
        // file that cannot be written is a usage error, not a report of nothing found.
        let shown = display_path(path);
        // Only a regular file (or none yet) is replaced: never a device, a FIFO or a
        // symbolic link that leads nowhere (renaming over it would replace the link).
        let target = match std::fs::canonicalize(path) {
            Ok(t) if !t.is_file() => {
                return Err(format!(
                    "{shown}: the baseline cannot be written there: not a regular file"
                ))
            }
            Ok(t) => t,
            Err(_) if std::fs::symlink_metadata(path).is_ok() => {
                return Err(format!(
                    "{shown}: the baseline cannot be written there: a symbolic link that \
                     leads to no file"
                ))
            }
            Err(_) => path.clone(),
        };
        match super::io::create_beside(&target, "baseline") {
            Ok((tmp, file)) => {
                drop(file);
                let _ = std::fs::remove_file(tmp);
            }
            Err(e) => {
                return Err(format!(
                    "{shown}: the baseline cannot be written there: {}",
                    io_message(&e)
                ))
            }
        }
        // An existing file is replaced only when it is a baseline (or empty): never a
        // manifest given by mistake, or any other file.
        let previous = match std::fs::read_to_string(&target) {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => match Baseline::parse(&text) {
                Ok(b) => Some(b),
                Err(e) => {
                    return Err(format!(
                        "{shown}: exists and is not a kube-secctx baseline ({}:{}: {}): \
                         refusing to replace it",
                        e.line, e.column, e.message
                    ))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(format!(
                    "{shown}: exists and is not a kube-secctx baseline ({}): refusing to \
                     replace it",
                    io_message(&e)
                ))
            }
        };
        let plan = Plan {
            path: path.clone(),
            write: true,
            previous,
        };
        return Ok(Some((plan, Matcher::record())));
    }
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    let shown = display_path(path);
    // A regular file, read up to the inputs' limit (64 MiB): not /dev/zero, not a FIFO.
    let limit = crate::Limits::default().max_input_bytes;
    let text = super::io::read_regular_file(path, limit)
        .map_err(|e| format!("{shown}: cannot read the baseline: {}", io_message(&e)))?;
    if text.len() > limit {
        return Err(format!(
            "{shown}: the baseline is larger than {} MiB",
            limit >> 20
        ));
    }
    let text =
        String::from_utf8(text).map_err(|_| format!("{shown}: the baseline file is not UTF-8"))?;
    let baseline = Baseline::parse(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: not a kube-secctx baseline: {}",
            e.line, e.column, e.message
        )
    })?;
    let plan = Plan {
        path: path.clone(),
        write: false,
        previous: None,
    };
    Ok(Some((plan, baseline.matcher())))
}

/// How fingerprints name the file the report shows as `shown`: an absolute path below
/// the working directory relative to it, `.` segments dropped (`./a/./b.yaml` →
/// `a/b.yaml`); anything else as shown.
pub(super) fn relative_name(shown: &str) -> String {
    let path = Path::new(shown);
    if path.is_absolute() {
        if let Some(rel) = std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        {
            let parts: Vec<String> = rel
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                    Component::ParentDir => Some("..".to_string()),
                    _ => None,
                })
                .collect();
            return parts.join("/");
        }
    }
    crate::baseline::normalize_file(shown)
}

/// Writes the recorded baseline to `path`: to a new file beside it, renamed over it (a
/// reader never sees half a file); an existing file keeps its permissions, and a
/// symbolic link is followed (its target is replaced).
///
/// # Errors
/// What the file system said.
pub(super) fn write(path: &Path, baseline: &Baseline) -> std::io::Result<()> {
    let text = baseline.to_json(&format!("kube-secctx {}", crate::VERSION));
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let (tmp, mut file) = super::io::create_beside(&target, "baseline")?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            if let Some(p) = permissions {
                let _ = std::fs::set_permissions(&tmp, p);
            }
            std::fs::rename(&tmp, &target)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// `Deployment shop/web container "app": privileged-container at /securityContext/privileged`.
fn describe(fp: &Fingerprint) -> String {
    let container = fp
        .container
        .as_ref()
        .map(|c| format!(" container {c:?}"))
        .unwrap_or_default();
    let at = if fp.path.is_empty() {
        String::new()
    } else {
        format!(" at {}", fp.path)
    };
    format!(
        "{}: {}{container}: {}{at}",
        fp.file,
        fp.resource_label(),
        fp.rule
    )
}

/// The text printed before the summary line about stale entries (empty when there are
/// none): a line per entry (at most [`STALE_LINES`]), then how many and how to drop them.
pub(super) fn stale_text(plan: &Plan, matcher: &Matcher) -> String {
    let stale = matcher.stale();
    if stale.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let total: usize = stale.iter().map(|(_, n)| n).sum();
    for (fp, n) in stale.iter().take(STALE_LINES) {
        let times = if *n > 1 {
            format!(" ({n} findings)")
        } else {
            String::new()
        };
        // Names come from manifests: escaped, so that none starts a line of its own.
        let described = describe(fp);
        let described = crate::render::printable(&described);
        out.push_str(&format!("fixed: {described}{times}\n"));
    }
    if stale.len() > STALE_LINES {
        out.push_str(&format!(
            "fixed: ... and {} more entries\n",
            stale.len() - STALE_LINES
        ));
    }
    let path = display_path(&plan.path);
    let (findings, are, them) = if total == 1 {
        ("finding", "is", "it")
    } else {
        ("findings", "are", "them")
    };
    out.push_str(&format!(
        "{total} baseline {findings} {are} no longer found (fixed): run with \
         --write-baseline {path} to drop {them}.\n\n"
    ));
    out
}

/// The JSON report's `baseline` field: the file, whether it was written, how many findings
/// it accepted, and its entries that matched nothing (`fixed`, each an entry of the file
/// with its `count`).
pub(super) fn json_field<'m>(plan: &Plan, matcher: &'m Matcher) -> BaselineJson<'m> {
    BaselineJson {
        file: display_path(&plan.path),
        written: plan.write,
        accepted: matcher.accepted(),
        fixed: matcher
            .stale()
            .into_iter()
            .map(|(fingerprint, count)| StaleJson { fingerprint, count })
            .collect(),
    }
}

/// The JSON report's `baseline` field (see [`json_field`]).
#[derive(Serialize)]
pub(super) struct BaselineJson<'m> {
    file: String,
    written: bool,
    accepted: usize,
    fixed: Vec<StaleJson<'m>>,
}

/// A stale entry: the fingerprint's fields, then `count`.
#[derive(Serialize)]
struct StaleJson<'m> {
    #[serde(flatten)]
    fingerprint: &'m Fingerprint,
    count: usize,
}

/// After the check with `--write-baseline`: writes the file (not when an input could not
/// be read: its findings would be missing) and says so on standard error. Returns
/// whether it failed (exit 2).
pub(super) fn finish_write(plan: &Plan, matcher: Option<&Matcher>, unreadable: bool) -> bool {
    let shown = display_path(&plan.path);
    let Some(baseline) = matcher.and_then(Matcher::recorded) else {
        return false;
    };
    if unreadable {
        eprintln!(
            "error: {shown}: the baseline was not written, as some inputs could not be read \
             (see above)"
        );
        return true;
    }
    // A run over some files keeps the entries the file held for the others.
    let merged;
    let mut kept = 0;
    let baseline = match (&plan.previous, matcher) {
        (Some(previous), Some(m)) => {
            let mut b = baseline.clone();
            kept = b.keep_uncovered(previous, m);
            merged = b;
            &merged
        }
        _ => baseline,
    };
    match write(&plan.path, baseline) {
        Ok(()) => {
            let n = baseline.findings();
            let findings = if n == 1 { "finding" } else { "findings" };
            let entries = if baseline.len() == 1 {
                "entry"
            } else {
                "entries"
            };
            let kept = if kept > 0 {
                format!("; {kept} of them kept for files this run did not check")
            } else {
                String::new()
            };
            eprintln!(
                "wrote {shown}: {n} {findings} accepted ({} {entries}{kept})",
                baseline.len()
            );
            false
        }
        Err(e) => {
            eprintln!(
                "error: {shown}: the baseline was not written: {}",
                io_message(&e)
            );
            true
        }
    }
}
