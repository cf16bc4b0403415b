//! Protocol tests of `kube-secctx server`: the binary run as a process and driven over its
//! stdio, as an editor drives it (Language Server Protocol 3.17).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod client;

use std::time::Duration;

use client::{action_edits, apply, Client};
use serde_json::{json, Value};

const URI: &str = "file:///work/nginx-deployment.yaml";

fn nginx() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/nginx-deployment.yaml"
    ))
    .unwrap()
}

/// Capabilities of a push-model client taking versioned workspace edits.
fn push_caps() -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true}, "configuration": false}})
}

fn open(c: &mut Client, uri: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
}

fn change(c: &mut Client, uri: &str, version: i64, changes: Value) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn range(d: &Value) -> [u64; 4] {
    let r = &d["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

fn codes(ds: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = ds
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

fn find<'a>(ds: &'a [Value], code: &str) -> &'a Value {
    ds.iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {ds:#?}"))
}

/// Applies a code action's edits to `text` the way an editor does, and tells the server
/// with an incremental change per edit (the last edit first, so every range is valid).
fn apply_action(c: &mut Client, text: &str, action: &Value, version: i64) -> String {
    let edits = action_edits(action, URI);
    assert!(!edits.is_empty(), "{action:#}");
    let mut sorted = edits.clone();
    sorted.sort_by_key(|e| {
        std::cmp::Reverse((
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        ))
    });
    let changes: Vec<Value> = sorted
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    change(c, URI, version, Value::Array(changes));
    apply(text, &edits, "utf-16")
}

fn code_actions(
    c: &mut Client,
    range: Value,
    diagnostics: Value,
    only: Option<Value>,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": diagnostics});
    if let Some(only) = only {
        context["only"] = only;
    }
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": context}),
    );
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn initialize_declares_what_the_server_does() {
    let (c, init) = Client::start(push_caps(), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.kube-secctx"])
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push model: {caps}"
    );
    assert_eq!(init["serverInfo"]["name"], "kube-secctx");
    assert!(c.shutdown().success());

    let (c, init) = Client::start(
        json!({"general": {"positionEncodings": ["utf-16", "utf-8"]},
               "textDocument": {"diagnostic": {}}}),
        Value::Null,
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "kube-secctx"
    );
    assert!(c.shutdown().success());
    // A capability of the wrong type is one the client does not have: not a failure.
    let (c, init) = Client::start(
        json!({"general": {"positionEncodings": "utf-8"}, "workspace": {"configuration": "yes"}}),
        Value::Null,
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert!(c.shutdown().success());
}

/// The seven findings of the nginx Deployment from the Kubernetes docs, each at its range
/// (the same lines and columns as `kube-secctx check --format json`, 0-based here).
#[test]
fn nginx_example_gives_seven_diagnostics_at_their_ranges() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    open(&mut c, URI, &nginx());
    let ds = c.diagnostics(URI, 1);
    assert_eq!(ds.len(), 7, "{ds:#?}");
    let expected = [
        // `spec:` of the pod template (line 16), which has no securityContext.
        ("pod-security-context-missing", [15, 4, 15, 8], 2),
        // The container's first key, `name` (line 18).
        ("container-security-context-missing", [17, 8, 17, 12], 2),
        ("may-run-as-root", [17, 8, 17, 12], 1),
        ("missing-seccomp-profile", [17, 8, 17, 12], 1),
        ("privilege-escalation-allowed", [17, 8, 17, 12], 1),
        ("unrestricted-capabilities", [17, 8, 17, 12], 1),
        ("writable-root-filesystem", [17, 8, 17, 12], 2),
    ];
    for (code, r, severity) in expected {
        let d = find(&ds, code);
        assert_eq!(range(d), r, "{code}");
        assert_eq!(d["severity"], severity, "{code}");
        assert_eq!(d["source"], "kube-secctx");
    }
    assert_eq!(
        find(&ds, "may-run-as-root")["message"],
        "runAsNonRoot != true: pod or container \"nginx\" must set securityContext.runAsNonRoot=true"
    );
    assert!(c.shutdown().success());
}

#[test]
fn typing_a_privileged_security_context_reports_it_at_the_value() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    // Typed in three steps at the end of the container (line 22, 0-based 21), in one
    // notification, then one more keystroke.
    let at = |ch: u64| json!({"start": {"line": 21, "character": ch}, "end": {"line": 21, "character": ch}});
    change(
        &mut c,
        URI,
        2,
        json!([
            {"range": at(0), "text": "        securityContext: "},
            {"range": at(25), "text": "{privileged: tru}"},
            {"range": at(41), "text": "e"},
        ]),
    );
    let ds = c.diagnostics(URI, 2);
    let d = find(&ds, "privileged-container");
    // `        securityContext: {privileged: true}`: `true` is at columns 38..42.
    assert_eq!(range(d), [21, 38, 21, 42]);
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["message"],
        "privileged: container \"nginx\" must not set securityContext.privileged=true"
    );
    // The container has a securityContext now.
    assert!(!codes(&ds).contains(&"container-security-context-missing".to_string()));
    assert!(c.shutdown().success());
}

#[test]
fn code_actions_fix_the_finding_they_are_asked_about() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let mut text = nginx();
    open(&mut c, URI, &text);
    let ds = c.diagnostics(URI, 1);
    let root = find(&ds, "may-run-as-root").clone();
    let on_line: Vec<Value> = ds
        .iter()
        .filter(|d| d["range"] == root["range"])
        .cloned()
        .collect();
    let actions = code_actions(&mut c, root["range"].clone(), Value::Array(on_line), None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    // Safe fixes first and preferred; unsafe ones say so; an ignore per rule; fix all.
    assert_eq!(
        titles,
        [
            "Add securityContext with allowPrivilegeEscalation: false",
            "Set seccompProfile: {type: RuntimeDefault} in the pod's securityContext",
            "Set allowPrivilegeEscalation: false",
            "Set runAsNonRoot: true in the pod's securityContext (unsafe fix)",
            "Add ALL to capabilities.drop (unsafe fix)",
            "Set readOnlyRootFilesystem: true (unsafe fix)",
            "Ignore container-security-context-missing for this resource",
            "Ignore may-run-as-root for this resource",
            "Ignore missing-seccomp-profile for this resource",
            "Ignore privilege-escalation-allowed for this resource",
            "Ignore unrestricted-capabilities for this resource",
            "Ignore writable-root-filesystem for this resource",
            "Fix all safe kube-secctx findings (4 findings)",
        ],
        "{actions:#?}"
    );
    let preferred: Vec<&Value> = actions
        .iter()
        .filter(|a| a["isPreferred"] == true)
        .collect();
    assert_eq!(preferred.len(), 3);
    assert_eq!(preferred[0]["kind"], "quickfix");
    assert_eq!(
        preferred[0]["diagnostics"][0]["code"],
        "container-security-context-missing"
    );
    // The preferred fix: its diagnostic is gone (and privilege-escalation-allowed with
    // it), and nothing new appears.
    text = apply_action(&mut c, &text, preferred[0], 2);
    assert!(
        text.contains("        securityContext:\n          allowPrivilegeEscalation: false\n"),
        "{text}"
    );
    let ds = c.diagnostics(URI, 2);
    assert_eq!(
        codes(&ds),
        [
            "may-run-as-root",
            "missing-seccomp-profile",
            "pod-security-context-missing",
            "unrestricted-capabilities",
            "writable-root-filesystem",
        ]
    );

    // Asked about may-run-as-root alone: its (unsafe) fix and its ignore.
    let root = find(&ds, "may-run-as-root").clone();
    let actions = code_actions(
        &mut c,
        root["range"].clone(),
        json!([root]),
        Some(json!(["quickfix"])),
    );
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set runAsNonRoot: true in the pod's securityContext (unsafe fix)",
            "Ignore may-run-as-root for this resource",
        ]
    );
    assert_eq!(actions[0]["isPreferred"], false);
    text = apply_action(&mut c, &text, &actions[0], 3);
    let ds = c.diagnostics(URI, 3);
    assert!(
        !codes(&ds).contains(&"may-run-as-root".to_string()),
        "{ds:#?}"
    );
    assert!(
        text.ends_with("      securityContext:\n        runAsNonRoot: true\n"),
        "{text}"
    );

    // "Ignore RULE for this resource" writes the annotation; the finding is suppressed.
    let wr = find(&ds, "writable-root-filesystem").clone();
    let actions = code_actions(&mut c, wr["range"].clone(), json!([wr]), None);
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore writable-root-filesystem for this resource")
        .unwrap();
    text = apply_action(&mut c, &text, ignore, 4);
    assert!(
        text.starts_with(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-deployment\n  labels:\n    app: nginx\n  annotations:\n    kube-secctx.io/ignore: writable-root-filesystem\n"
        ),
        "{text}"
    );
    let ds = c.diagnostics(URI, 4);
    assert_eq!(
        codes(&ds),
        ["missing-seccomp-profile", "unrestricted-capabilities"],
        "{ds:#?}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn fix_all_applies_every_safe_fix_as_check_fix_does() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    let text = nginx();
    open(&mut c, URI, &text);
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    // An automatic request (the cursor moved) that names no kind gets no fix-all: it
    // would send the whole document's edits on every move.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI},
               "range": {"start": {"line": 17, "character": 8}, "end": {"line": 17, "character": 8}},
               "context": {"diagnostics": [], "triggerKind": 2}}),
    );
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] == "quickfix"),
        "{r:#}"
    );
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let actions = code_actions(
        &mut c,
        whole.clone(),
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.kube-secctx");
    assert!(
        actions[0]["edit"].get("changes").is_some(),
        "no documentChanges capability"
    );
    let fixed = apply_action(&mut c, &text, &actions[0], 2);
    // The same text `kube-secctx check --fix` writes.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
        .args(["check", "--fix", "-", "--exit-zero"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut p| {
            use std::io::Write;
            p.stdin.take().unwrap().write_all(text.as_bytes())?;
            p.wait_with_output()
        })
        .unwrap();
    assert_eq!(fixed, String::from_utf8(cli.stdout).unwrap());
    assert!(
        fixed.contains(
            "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n"
        ),
        "{fixed}"
    );
    let ds = c.diagnostics(URI, 2);
    assert_eq!(
        codes(&ds),
        [
            "may-run-as-root",
            "unrestricted-capabilities",
            "writable-root-filesystem"
        ]
    );
    // Nothing safe is left: no fix-all action.
    let actions = code_actions(
        &mut c,
        whole,
        json!([]),
        Some(json!(["source.fixAll.kube-secctx"])),
    );
    assert!(actions.is_empty(), "{actions:#?}");
    // `only` of another kind gives nothing.
    let r = json!({"start": {"line": 17, "character": 8}, "end": {"line": 17, "character": 8}});
    assert!(code_actions(&mut c, r, json!([]), Some(json!(["refactor"]))).is_empty());
    assert!(c.shutdown().success());
}

#[test]
fn hover_shows_rule_docs_and_security_context_fields() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}\n      readOnlyRootFilesystem: true\n";
    open(&mut c, URI, text);
    let ds = c.diagnostics(URI, 1);
    assert_eq!(codes(&ds), ["privileged-container"]);
    let hover = |c: &mut Client, line: u64, ch: u64| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": ch}}),
        )
    };
    // Over the finding (`true` of `privileged: true`): the rule's documentation.
    let h = hover(&mut c, 11, 19);
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("# privileged-container\n"), "{md}");
    assert!(md.contains("## Automatic fix"), "{md}");
    assert_eq!(range(&json!({"range": h["range"]})), [11, 18, 11, 22]);
    // Over a securityContext field: what it does and what each level allows.
    let h = hover(&mut c, 5, 6);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("runAsNonRoot"), "{md}");
    assert!(md.contains("restricted"), "{md}");
    assert_eq!(range(&json!({"range": h["range"]})), [5, 4, 5, 16]);
    let h = hover(&mut c, 13, 30);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("drop"), "{md}");
    // Elsewhere: nothing.
    assert_eq!(hover(&mut c, 9, 5), Value::Null);
    // Several findings at one place: what each says first, then each rule's docs.
    change(&mut c, URI, 2, json!([{"text": nginx()}]));
    c.diagnostics(URI, 2);
    let h = hover(&mut c, 17, 9);
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**6 findings here:**\n\n- `container-security-context-missing`: container \"nginx\" has no securityContext\n- `may-run-as-root`: runAsNonRoot != true"),
        "{md}"
    );
    assert_eq!(md.matches("## Automatic fix").count(), 6);
    assert!(c.shutdown().success());
}

#[test]
fn files_that_are_not_kubernetes_objects_get_nothing() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let files = [
        (
            "file:///repo/.github/workflows/ci.yaml",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n",
        ),
        (
            "file:///repo/compose.yaml",
            "services:\n  web:\n    image: nginx\n    privileged: true\n    cap_add: [SYS_ADMIN]\n",
        ),
        ("file:///repo/chart/values.yaml", "image:\n  repository: nginx\nsecurityContext: {}\n"),
        (
            "file:///repo/chart/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"x.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: \"{{ .Values.image }}\"\n        securityContext:\n          {{- toYaml .Values.securityContext | nindent 10 }}\n",
        ),
        ("file:///repo/broken.yaml", "a: [\nb: {\n"),
    ];
    for (uri, text) in files {
        open(&mut c, uri, text);
        assert_eq!(c.diagnostics(uri, 1), Vec::<Value>::new(), "{uri}");
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}},
                   "context": {"diagnostics": []}}),
        );
        assert_eq!(r, json!([]), "{uri}");
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 6}}),
        );
        assert_eq!(h, Value::Null, "{uri}");
    }
    assert!(c.shutdown().success());
}

/// A line with CJK text and an emoji before the finding: `名前` is 2 UTF-16 units and 6
/// bytes, `😀` is 2 UTF-16 units (a surrogate pair) and 4 bytes.
const WIDE: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - {name: \"名前😀\", image: x, securityContext: {privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}\n";

#[test]
fn positions_are_exact_in_utf16_and_utf8() {
    let line = WIDE.lines().nth(6).unwrap();
    let at = line.find("true").unwrap();
    assert_eq!(at, 65, "bytes before `true`");
    assert_eq!(
        line[..at].encode_utf16().count(),
        59,
        "UTF-16 units before `true`"
    );
    for (offered, unit, col) in [
        (json!(["utf-16"]), "utf-16", 59),
        (json!(["utf-8", "utf-16"]), "utf-8", 65),
    ] {
        let (mut c, init) = Client::start(
            json!({"general": {"positionEncodings": offered}}),
            Value::Null,
        );
        assert_eq!(init["capabilities"]["positionEncoding"], unit);
        open(&mut c, URI, WIDE);
        let ds = c.diagnostics(URI, 1);
        assert_eq!(codes(&ds), ["privileged-container"], "{unit}");
        assert_eq!(range(&ds[0]), [6, col, 6, col + 4], "{unit}");
        // Replace `true` by `false` with a range in this encoding: the finding goes.
        let r = ds[0]["range"].clone();
        change(&mut c, URI, 2, json!([{"range": r, "text": "false"}]));
        assert_eq!(c.diagnostics(URI, 2), Vec::<Value>::new(), "{unit}");
        // A fix's edit comes back in this encoding too: type `true` again, take the fix.
        let r = json!({"start": {"line": 6, "character": col}, "end": {"line": 6, "character": col + 5}});
        change(&mut c, URI, 3, json!([{"range": r, "text": "true"}]));
        let ds = c.diagnostics(URI, 3);
        assert_eq!(range(&ds[0]), [6, col, 6, col + 4], "{unit}");
        let r = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": ds[0]["range"], "context": {"diagnostics": ds}}),
        );
        let fix = &r[0];
        assert_eq!(fix["title"], "Set privileged: false (unsafe fix)", "{r:#}");
        let fixed = apply(WIDE, &action_edits(fix, URI), unit);
        assert_eq!(
            fixed,
            WIDE.replace("privileged: true", "privileged: false"),
            "{unit}"
        );
        assert!(c.shutdown().success());
    }
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let (mut c, _) = Client::start(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        Value::Null,
    );
    open(&mut c, URI, &nginx());
    // Nothing is pushed.
    let got = c.quiet_for(Duration::from_millis(500));
    assert!(got.is_empty(), "{got:#?}");
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"].as_array().unwrap().len(), 7);
    let id = r["resultId"].clone();
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": id}),
    );
    assert_eq!(r["kind"], "unchanged");
    change(
        &mut c,
        URI,
        2,
        json!([{"text": "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  containers: []\n"}]),
    );
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": URI}, "previousResultId": id}),
    );
    assert_eq!(r["kind"], "full");
    assert!(codes(r["items"].as_array().unwrap()).contains(&"host-namespaces".to_string()));
    assert!(c.shutdown().success());
}

#[test]
fn settings_from_initialization_options_and_configuration() {
    let (mut c, _) = Client::start(push_caps(), json!({"level": "baseline"}));
    open(&mut c, URI, &nginx());
    // PSS baseline alone: the nginx Deployment passes.
    assert_eq!(c.diagnostics(URI, 1), Vec::<Value>::new());
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kube-secctx": {"level": null, "ignore": ["writable-root-filesystem"]}}}),
    );
    let ds = c.diagnostics(URI, 1);
    assert_eq!(ds.len(), 6, "{ds:#?}");
    // A bad setting is shown, and the settings in force are kept.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"level": "strict"}}),
    );
    let m = c.notification("window/showMessage", |_| true);
    assert_eq!(m["type"], 1);
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .starts_with("kube-secctx: setting level: invalid level \"strict\""),
        "{m}"
    );
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 17, "character": 9}}),
    );
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("# may-run-as-root"));
    assert!(c.shutdown().success());

    // Empty initialization options (Neovim sends an empty Lua table as `[]`): defaults,
    // no message.
    let (mut c, _) = Client::start(push_caps(), json!([]));
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    assert!(c.notifications.is_empty(), "{:?}", c.notifications);
    assert!(c.shutdown().success());

    // Bad initialization options: the server starts with the defaults and says why.
    let (mut c, _) = Client::start(push_caps(), json!({"select": ["no-such-rule"]}));
    let m = c.notification("window/showMessage", |_| true);
    assert_eq!(
        m["message"],
        "kube-secctx: initializationOptions: settings: unknown rule \"no-such-rule\" in select; the defaults apply"
    );
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    assert!(c.shutdown().success());

    // A client that answers workspace/configuration.
    let (mut c, _) = Client::start(json!({"workspace": {"configuration": true}}), Value::Null);
    c.configuration = json!({"select": ["may-run-as-root"]});
    open(&mut c, URI, &nginx());
    // The first push may come before the answer is read; the one after it has one finding.
    let mut ds = c.diagnostics(URI, 1);
    if ds.len() != 1 {
        ds = c.diagnostics(URI, 1);
    }
    assert_eq!(codes(&ds), ["may-run-as-root"]);
    assert_eq!(
        c.server_requests[0]["params"]["items"][0]["section"],
        "kube-secctx"
    );
    assert!(c.shutdown().success());
}

#[test]
fn half_typed_yaml_and_bad_requests_never_stop_the_server() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    open(&mut c, URI, "");
    let text = nginx();
    // The nginx example typed one character at a time, each its own change.
    let mut version = 1;
    let (mut line, mut ch) = (0u64, 0u64);
    for t in text.chars() {
        version += 1;
        let at = json!({"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch}});
        change(
            &mut c,
            URI,
            version,
            json!([{"range": at, "text": t.to_string()}]),
        );
        if t == '\n' {
            line += 1;
            ch = 0;
        } else {
            ch += t.len_utf16() as u64;
        }
    }
    let ds = c.diagnostics(URI, version);
    assert_eq!(ds.len(), 7);
    // Bad parameters: an error answer, and the server goes on.
    let r = c.request_raw("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request_raw("textDocument/definition", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // A document never opened: nothing, not an error.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r, Value::Null);
    // Positions past the end are clamped.
    change(
        &mut c,
        URI,
        version + 1,
        json!([{"range": {"start": {"line": 99, "character": 0}, "end": {"line": 99, "character": 9}}, "text": "---\n{\n"}]),
    );
    let ds = c.diagnostics(URI, version + 1);
    assert_eq!(ds.len(), 8, "an invalid second document: {ds:#?}");
    assert!(c.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.hang_up().code(), Some(1));
    let (c, _) = Client::start(json!({}), Value::Null);
    assert_eq!(c.hang_up().code(), Some(1));
    // Input closed before `initialize` (Ctrl-D in a terminal): the same.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
        .arg("server")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "kube-secctx server: the client closed the connection before initialize\n"
    );
}

fn framed(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn malformed_messages_are_answered_and_skipped() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    // Not JSON, a batch (not in LSP), a message with a bad method, a header line that is
    // not a header and a bad length: each skipped, the server reads on.
    let garbage = [
        framed("hello"),
        framed("[]"),
        framed(r#"{"jsonrpc":"2.0","id":"bad","method":3}"#),
        "what is this\r\nContent-Length: lots\r\n\r\n".to_string(),
    ]
    .concat();
    c.send_raw(garbage.as_bytes());
    let got = c.quiet_for(Duration::from_millis(300));
    assert!(
        got.iter().any(|m| m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("not JSON")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|m| m["id"] == "bad" && m["error"]["code"] == -32600),
        "{got:#?}"
    );
    let r = c.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["result"], Value::Null, "{r}");
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    assert!(c.shutdown().success());
}

#[test]
fn a_huge_content_length_is_not_allocated() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    // What lsp-server's reader allocated at once (and aborted on): the body is skipped
    // as it arrives; here it never does, and the server simply waits.
    c.send_raw(b"Content-Length: 18446744073709551615\r\n\r\n{}");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(c.hang_up().code(), Some(1));
}

#[test]
fn after_shutdown_requests_are_refused_until_exit() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    let r = c.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    open(&mut c, URI, &nginx());
    assert!(c.quiet_for(Duration::from_millis(200)).is_empty());
    c.notify("exit", Value::Null);
    assert_eq!(c.hang_up().code(), Some(0));
}

#[test]
fn a_second_initialize_is_refused_and_the_server_goes_on() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let r = c.request_raw("initialize", json!({"capabilities": {}}));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    assert!(c.shutdown().success());
}

#[test]
fn a_burst_of_changes_is_checked_once() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let text = nginx();
    open(&mut c, URI, &text);
    c.diagnostics(URI, 1);
    // 50 keystrokes in one write: the server reads them all before it checks.
    let mut burst = String::new();
    for v in 2..=51 {
        let change = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": v},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "#\n"}],
        }});
        burst.push_str(&framed(&change.to_string()));
    }
    c.send_raw(burst.as_bytes());
    assert_eq!(c.diagnostics(URI, 51).len(), 7);
    let pushed = c
        .quiet_for(Duration::from_millis(200))
        .into_iter()
        .chain(c.notifications.drain(..))
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    assert!(pushed <= 3, "{pushed} checks for one burst");
    assert!(c.shutdown().success());
}

#[test]
fn a_byte_order_mark_the_client_sends_is_a_character() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    let text = nginx();
    open(&mut c, URI, &format!("\u{feff}{text}"));
    let with_bom = c.diagnostics(URI, 1);
    // The client deletes its first character, the BOM: the text is the nginx example.
    change(
        &mut c,
        URI,
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": ""}]),
    );
    let without = c.diagnostics(URI, 2);
    assert_eq!(without.len(), 7, "{without:#?}");
    assert_eq!(codes(&with_bom), codes(&without));
    // On line 0, columns count the BOM.
    let json_text = "\u{feff}{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"hostPID\": true, \"containers\": []}}";
    let uri = "file:///work/pod.json";
    open(&mut c, uri, json_text);
    let ds = c.diagnostics(uri, 1);
    let d = find(&ds, "host-namespaces");
    let start = json_text.find("true").unwrap() - 3 + 1; // UTF-16: the BOM is one unit
    assert_eq!(range(d), [0, start as u64, 0, start as u64 + 4], "{d:#}");
    assert!(c.shutdown().success());
}

#[test]
fn after_a_body_shorter_than_its_length_the_next_messages_are_read() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    // A client that counts characters, not bytes: the length is short by the bytes of
    // the non-ASCII text, and the next header follows the rest of the body (JSON, with
    // colons of its own) on the same line. Every message after it must still be read.
    let text = format!("# 日本語のコメント: {}\n{}", "ü".repeat(40), nginx());
    let body = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": text}}})
    .to_string();
    let short = format!(
        "Content-Length: {}\r\n\r\n{body}",
        body.chars().count() - 100
    );
    let uri = "file:///work/pod.yaml";
    let next = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": nginx()}}});
    // A negative length: that message is lost, the next are read.
    let negative = format!("Content-Length: -5\r\n\r\n{body}");
    c.send_raw(format!("{short}{negative}{}", framed(&next.to_string())).as_bytes());
    assert_eq!(c.diagnostics(uri, 1).len(), 7);
    let r = c.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(r.get("result").is_some(), "{r}");
    assert!(c.shutdown().success());
}

#[test]
fn a_request_with_an_id_lsp_server_cannot_take_is_not_dropped_silently() {
    let (mut c, _) = Client::start(json!({}), Value::Null);
    // lsp-server reads these as notifications (its ids are strings and 32-bit integers):
    // the client would wait for the answer forever. The user is told.
    for id in ["1.5", "1099511627776", "{\"a\":1}"] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":0,"character":0}}}}}}"#
        );
        c.send_raw(framed(&body).as_bytes());
        let m = c.notification("window/showMessage", |_| true);
        assert!(
            m["message"]
                .as_str()
                .unwrap()
                .contains(&format!("id ({id})")),
            "{m}"
        );
    }
    // A null id is a notification's.
    c.send_raw(
        framed(r#"{"jsonrpc":"2.0","id":null,"method":"textDocument/didClose","params":{}}"#)
            .as_bytes(),
    );
    assert!(c.quiet_for(Duration::from_millis(200)).is_empty());
    assert!(c.shutdown().success());
}

#[test]
fn exit_ends_the_server_when_the_client_has_stopped_reading() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its output is kept open and never read: more diagnostics than a pipe holds.
    let _stdout = child.stdout.take();
    let mut stdin = child.stdin.take().unwrap();
    let mut input = framed(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
            .to_string(),
    );
    input.push_str(&framed(
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}).to_string(),
    ));
    for i in 0..300 {
        let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": format!("file:///work/{i}.yaml"), "languageId": "yaml",
                             "version": 1, "text": nginx()}}});
        input.push_str(&framed(&open.to_string()));
    }
    input.push_str(&framed(
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}).to_string(),
    ));
    input.push_str(&framed(
        &json!({"jsonrpc": "2.0", "method": "exit"}).to_string(),
    ));
    stdin.write_all(input.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server is still running after exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The messages left could not be written: an error exit.
    assert_eq!(status.code(), Some(2));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("stopped reading"), "{err}");
}

#[test]
fn a_client_that_declares_diagnostic_false_gets_pushed_diagnostics() {
    // `textDocument.diagnostic: false` is a client that does not pull: in pull mode it
    // would get no diagnostics at all.
    let (mut c, init) = Client::start(json!({"textDocument": {"diagnostic": false}}), Value::Null);
    assert!(
        init["capabilities"].get("diagnosticProvider").is_none(),
        "{init:#}"
    );
    open(&mut c, URI, &nginx());
    assert_eq!(c.diagnostics(URI, 1).len(), 7);
    assert!(c.shutdown().success());
}

#[test]
fn one_code_action_for_findings_with_the_same_edit() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    // Two containers without seccompProfile: each finding's fix is the same edit of the
    // pod (an editor listed it twice).
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n";
    open(&mut c, URI, text);
    let ds = c.diagnostics(URI, 1);
    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let actions = code_actions(&mut c, all.clone(), json!([]), Some(json!(["quickfix"])));
    for (i, a) in actions.iter().enumerate() {
        assert!(
            !actions[..i]
                .iter()
                .any(|b| b["title"] == a["title"] && b["edit"] == a["edit"]),
            "{actions:#?}"
        );
    }
    let seccomp = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Set seccompProfile")
        })
        .unwrap();
    assert_eq!(
        seccomp["diagnostics"].as_array().unwrap().len(),
        ds.iter()
            .filter(|d| d["code"] == "missing-seccomp-profile")
            .count()
    );
    // `only: [""]` is CodeActionKind.Empty, which every kind is under.
    let empty = code_actions(&mut c, all, json!([]), Some(json!([""])));
    assert_eq!(empty.len(), actions.len() + 1, "{empty:#?}");
    assert!(c.shutdown().success());
}
