//! The configuration file in the editor: the nearest `.kube-secctx.yaml` upward from each
//! document, the client's settings over it, `exclude` and `perFileIgnores`, and reading
//! it again when it changes (a watcher registered dynamically, or a save).

use super::*;

/// A temporary workspace with `files`, and the `file://` URI of a path in it.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(files: &[(&str, &str)]) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let w = Workspace { dir };
        for (path, text) in files {
            w.write(path, text);
        }
        w
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn uri(&self, path: &str) -> String {
        let root = std::fs::canonicalize(self.dir.path()).unwrap();
        format!("file://{}/{path}", root.display())
    }
}

/// Opens `path` of the workspace (its text as on disk) and returns its URI.
fn open_file(c: &mut Client, w: &Workspace, path: &str) -> String {
    let uri = w.uri(path);
    let text = std::fs::read_to_string(w.dir.path().join(path)).unwrap();
    open(c, &uri, &text);
    uri
}

#[test]
fn the_nearest_file_applies_and_client_settings_override_it() {
    let w = Workspace::new(&[
        (".kube-secctx.yaml", "ignore: [writable-root-filesystem]\n"),
        ("apps/.kube-secctx.yml", "level: baseline\n"),
        ("web.yaml", &nginx()),
        ("apps/web.yaml", &nginx()),
    ]);
    let (mut c, _) = Client::start_in(json!(w.uri("")), push_caps(), Value::Null);
    let top = open_file(&mut c, &w, "web.yaml");
    let ds = c.diagnostics(&top, 1);
    assert_eq!(ds.len(), 6, "the root's file ignores one rule: {ds:#?}");
    assert!(!codes(&ds).contains(&"writable-root-filesystem".to_string()));
    // apps/ has its own file: PSS baseline alone, which nginx passes.
    let app = open_file(&mut c, &w, "apps/web.yaml");
    assert_eq!(c.diagnostics(&app, 1), Vec::<Value>::new());
    // The client's keys replace the file's (and only those).
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"ignore": []}}}),
    );
    assert_eq!(c.diagnostics(&top, 1).len(), 7);
    assert!(c.notifications.is_empty(), "{:?}", c.notifications);
    assert!(c.shutdown().success());

    // Initialization options override the file too.
    let (mut c, _) = Client::start_in(json!(w.uri("")), push_caps(), json!({"level": null}));
    let app = open_file(&mut c, &w, "apps/web.yaml");
    assert_eq!(c.diagnostics(&app, 1).len(), 7);
    assert!(c.shutdown().success());
}

#[test]
fn exclude_and_per_file_ignores() {
    let w = Workspace::new(&[
        (
            ".kube-secctx.yaml",
            "exclude: [vendor]\nperFileIgnores:\n  \"legacy/**\": [may-run-as-root, \
             writable-root-filesystem]\n",
        ),
        ("vendor/web.yaml", &nginx()),
        ("legacy/old/web.yaml", &nginx()),
    ]);
    let (mut c, _) = Client::start_in(json!(w.uri("")), push_caps(), Value::Null);
    let vendored = open_file(&mut c, &w, "vendor/web.yaml");
    assert_eq!(c.diagnostics(&vendored, 1), Vec::<Value>::new());
    let legacy = open_file(&mut c, &w, "legacy/old/web.yaml");
    assert_eq!(
        codes(&c.diagnostics(&legacy, 1)),
        [
            "container-security-context-missing",
            "missing-seccomp-profile",
            "pod-security-context-missing",
            "privilege-escalation-allowed",
            "unrestricted-capabilities"
        ]
    );
    assert!(c.shutdown().success());
}

#[test]
fn a_watched_file_is_read_again_when_it_changes() {
    let w = Workspace::new(&[
        (".kube-secctx.yaml", "level: baseline\n"),
        ("web.yaml", &nginx()),
    ]);
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut c, _) = Client::start_in(json!(w.uri("")), caps, Value::Null);
    let uri = open_file(&mut c, &w, "web.yaml");
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    let reg = c
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("the watcher is registered")
        .clone();
    assert_eq!(
        reg["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/.kube-secctx.{yaml,yml}"
    );
    w.write(".kube-secctx.yaml", "level: restricted\n");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": w.uri(".kube-secctx.yaml"), "type": 2}]}),
    );
    assert_eq!(
        codes(&c.diagnostics(&uri, 1)),
        [
            "may-run-as-root",
            "missing-seccomp-profile",
            "privilege-escalation-allowed",
            "unrestricted-capabilities"
        ]
    );
    assert!(c.shutdown().success());
}

#[test]
fn a_bad_file_is_shown_once_and_read_again_on_save() {
    let w = Workspace::new(&[
        (".kube-secctx.yaml", "# team settings\nlevle: baseline\n"),
        ("a.yaml", &nginx()),
        ("b.yaml", &nginx()),
    ]);
    let (mut c, _) = Client::start_in(json!(w.uri("")), push_caps(), Value::Null);
    let a = open_file(&mut c, &w, "a.yaml");
    let m = c.notification("window/showMessage", |_| true);
    assert_eq!(m["type"], 1);
    let message = m["message"].as_str().unwrap();
    assert!(
        message.starts_with("kube-secctx: /")
            && message.contains("/.kube-secctx.yaml:2:1: unknown key \"levle\""),
        "{message}"
    );
    assert!(
        message.ends_with(
            "(did you mean `level`?); the configuration file is not used until it is fixed"
        ),
        "{message}"
    );
    // The file is not used: the defaults apply.
    assert_eq!(c.diagnostics(&a, 1).len(), 7);
    // Opening another document reads the file again, but the same error is not shown
    // again.
    let b = open_file(&mut c, &w, "b.yaml");
    assert_eq!(c.diagnostics(&b, 1).len(), 7);
    assert!(
        !c.notifications
            .iter()
            .any(|n| n["method"] == "window/showMessage"),
        "{:?}",
        c.notifications
    );
    // Fixed and saved in the editor: every open document follows it.
    w.write(".kube-secctx.yaml", "level: baseline\n");
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": w.uri(".kube-secctx.yaml")}}),
    );
    assert_eq!(c.diagnostics(&a, 1), Vec::<Value>::new());
    assert_eq!(c.diagnostics(&b, 1), Vec::<Value>::new());
    assert!(c.shutdown().success());
}
