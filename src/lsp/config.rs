//! The configuration file in the editor: each document's settings from the nearest
//! `.kube-secctx.yaml` (or `.yml`) upward from its directory ([`crate::config`]), with the
//! client's settings laid over it.
//!
//! - **Which file**: the nearest one upward from the document's own directory, as the
//!   CLI finds it from its working directory, so a monorepo's subprojects each get
//!   theirs; a document that is not a `file://` URI (an unsaved buffer) gets the one of
//!   the workspace root (`rootUri`, else the first of `workspaceFolders`, else
//!   `rootPath`), or none.
//! - **What applies**: `level`, `pssVersion`, `kubernetesVersion` (the setting
//!   `kubeVersion`), `select` and `ignore` of the file, with the
//!   keys the client's settings give (`initializationOptions`, then
//!   `workspace/didChangeConfiguration` or `workspace/configuration`) replacing the
//!   file's; `perFileIgnores` turns rules off in the matching documents; a document that
//!   `exclude` matches gets no diagnostics. `namespaces`, `admissionConfig` and `failOn`
//!   do not apply to an editor.
//! - **When it is read**: once per directory, then again when it changes: on
//!   `workspace/didChangeWatchedFiles` when the client can register the watcher
//!   dynamically; else every open document's when a configuration file is saved in the
//!   editor (`textDocument/didSave`), and a document's own whenever it is opened.
//! - **A bad file** is shown once (`window/showMessage`, until it changes), and its
//!   documents get the client's settings alone.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::settings::Settings;
use crate::config::{self, ConfigFile, Resolved};
use crate::options::Options;

/// What applies to one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocConfig {
    /// The options of its check.
    pub(crate) options: Options,
    /// `exclude` matches it: no diagnostics.
    pub(crate) excluded: bool,
}

/// A configuration file read, or why it could not be.
#[derive(Debug)]
enum Loaded {
    Good(Box<Resolved>),
    Bad(String),
}

/// The configuration files of the workspace, read on demand and kept until they change.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// The workspace root, for documents without a path.
    root: Option<PathBuf>,
    /// By the directory a search started from: the file found (`None`: none).
    found: HashMap<PathBuf, Option<Arc<Loaded>>>,
    /// Errors shown to the user, each once until the files change.
    shown: HashSet<String>,
}

impl Workspace {
    /// The workspace of `initialize`'s parameters: its root from `rootUri`, else the first
    /// of `workspaceFolders`, else `rootPath`.
    pub(crate) fn new(params: &Value) -> Workspace {
        let root = params
            .get("rootUri")
            .and_then(Value::as_str)
            .and_then(file_path)
            .or_else(|| {
                params
                    .pointer("/workspaceFolders/0/uri")
                    .and_then(Value::as_str)
                    .and_then(file_path)
            })
            .or_else(|| {
                params
                    .get("rootPath")
                    .and_then(Value::as_str)
                    .map(PathBuf::from)
            });
        Workspace {
            root,
            ..Workspace::default()
        }
    }

    /// Forgets the files read (they will be read again); with `changed`, also which
    /// errors were shown (a file that changed and is still bad is shown again).
    pub(crate) fn forget(&mut self, changed: bool) {
        self.found.clear();
        if changed {
            self.shown.clear();
        }
    }

    /// What applies to the document `uri`, with `client` (the client's settings in force,
    /// each a value [`Settings::merged`] took) laid over its file; and the messages to
    /// show (a bad configuration file, once).
    pub(crate) fn for_doc(&mut self, uri: &str, client: &[&Value]) -> (DocConfig, Vec<String>) {
        let path = file_path(uri);
        let start = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| self.root.clone());
        let loaded = start.and_then(|dir| self.load(&dir));
        let mut messages = Vec::new();
        let mut settings = Settings::default();
        let mut resolved = None;
        match loaded.as_deref() {
            Some(Loaded::Good(r)) => {
                settings = Settings {
                    level: r.level.value,
                    pss_version: r.pss_version.value,
                    kube_version: r.kube_version.value,
                    select: r.select.value.clone(),
                    ignore: r.ignore.value.clone(),
                };
                resolved = Some(r);
            }
            Some(Loaded::Bad(message)) if self.shown.insert(message.clone()) => {
                messages.push(message.clone());
            }
            Some(Loaded::Bad(_)) | None => {}
        }
        for value in client {
            // Each was taken by `merged` when the client sent it, so this cannot fail.
            if let Ok(s) = settings.merged(value) {
                settings = s;
            }
        }
        let mut options = settings.options();
        let mut excluded = false;
        if let (Some(r), Some(path)) = (resolved, path) {
            let real = std::fs::canonicalize(&path).unwrap_or(path);
            options.ignore.extend(r.file_ignores(&real));
            excluded = r.exclude_globs().is_some_and(|g| g.is_match(&real));
        }
        (DocConfig { options, excluded }, messages)
    }

    /// The configuration file for documents in `dir`, read now if not known.
    fn load(&mut self, dir: &Path) -> Option<Arc<Loaded>> {
        if let Some(known) = self.found.get(dir) {
            return known.clone();
        }
        let loaded = match config::discover(dir) {
            Ok(None) => None,
            Ok(Some(path)) => Some(Arc::new(match ConfigFile::load(&path) {
                Ok(file) => {
                    let base = std::fs::canonicalize(&file.dir).unwrap_or(file.dir.clone());
                    Loaded::Good(Box::new(Resolved::new(Some(&file), &base)))
                }
                Err(errors) => Loaded::Bad(bad_file(&errors)),
            })),
            Err(e) => Some(Arc::new(Loaded::Bad(bad_file(&[e])))),
        };
        self.found.insert(dir.to_path_buf(), loaded.clone());
        loaded
    }
}

/// The message of a configuration file with errors.
fn bad_file(errors: &[config::ConfigError]) -> String {
    let list: Vec<String> = errors
        .iter()
        .map(|e| e.to_string().replace("\n  ", " ("))
        .map(|s| {
            if s.contains(" (did you mean") {
                s + ")"
            } else {
                s
            }
        })
        .collect();
    format!(
        "kube-secctx: {}; the configuration file is not used until it is fixed",
        list.join("; ")
    )
}

/// Whether `uri` names a configuration file (by its name).
pub(crate) fn is_config_uri(uri: &str) -> bool {
    let name = uri.rsplit('/').next().unwrap_or("");
    config::FILE_NAMES.contains(&name)
}

/// The path of a `file://` URI (percent-escapes decoded), or `None` for another scheme.
pub(crate) fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path`: only the local host.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|&c| char::from(c).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).ok()?;
    Some(PathBuf::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_uris_to_paths() {
        assert_eq!(
            file_path("file:///work/a%20b/pod.yaml"),
            Some(PathBuf::from("/work/a b/pod.yaml"))
        );
        assert_eq!(file_path("untitled:Untitled-1"), None);
        assert!(is_config_uri("file:///w/.kube-secctx.yml"));
        assert!(!is_config_uri("file:///w/kube-secctx.yaml"));
    }

    #[test]
    fn nearest_file_with_client_settings_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("legacy")).unwrap();
        std::fs::write(
            root.join(".kube-secctx.yaml"),
            "level: baseline\nignore: [host-namespaces]\nexclude: [vendor]\n\
             perFileIgnores: {\"legacy/**\": [privileged-container]}\n",
        )
        .unwrap();
        let uri = |p: &str| format!("file://{}/{p}", root.display());
        let mut ws = Workspace::new(&json!({"rootUri": uri("")}));
        let (c, msgs) = ws.for_doc(&uri("legacy/pod.yaml"), &[]);
        assert!(msgs.is_empty());
        assert_eq!(c.options.level, Some(crate::Level::Baseline));
        assert_eq!(
            c.options.ignore,
            ["host-namespaces", "privileged-container"]
        );
        assert!(!c.excluded);
        assert!(ws.for_doc(&uri("vendor/x/pod.yaml"), &[]).0.excluded);
        // The client's keys replace the file's; the others stay.
        let client = json!({"level": null});
        let (c, _) = ws.for_doc(&uri("pod.yaml"), &[&client]);
        assert_eq!(c.options.level, None);
        assert_eq!(c.options.ignore, ["host-namespaces"]);
        // An unsaved buffer gets the root's file.
        assert_eq!(
            ws.for_doc("untitled:1", &[]).0.options.level,
            Some(crate::Level::Baseline)
        );
        // A bad file: shown once, and not used.
        std::fs::write(root.join(".kube-secctx.yaml"), "levle: baseline\n").unwrap();
        ws.forget(true);
        let (c, msgs) = ws.for_doc(&uri("pod.yaml"), &[]);
        assert_eq!(c.options, Options::default());
        assert_eq!(msgs.len(), 1);
        assert!(
            msgs[0].contains(".kube-secctx.yaml:1:1: unknown key \"levle\""),
            "{msgs:?}"
        );
        assert!(msgs[0].ends_with(
            "(did you mean `level`?); the configuration file is not used until it is fixed"
        ));
        ws.forget(false);
        assert!(ws.for_doc(&uri("pod.yaml"), &[]).1.is_empty(), "shown once");
    }
}
