//! Protocol tests of `kube-secctx server`: the binary run as a process and driven over its
//! stdio, as an editor drives it (Language Server Protocol 3.17). The configuration file's
//! tests are in config.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod actions;
mod client;
mod config;
mod kube_version;
mod lifecycle;

use std::time::{Duration, Instant};

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

/// `body` with its `Content-Length` header, as the base protocol frames a message.
fn framed(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
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

/// The diagnostics pushed besides those already taken, counted once the server has
/// been quiet for 200 ms.
fn pushed_more(c: &mut Client) -> usize {
    c.quiet_for(Duration::from_millis(200))
        .into_iter()
        .chain(c.notifications.drain(..))
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count()
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
    let pushed = pushed_more(&mut c);
    assert!(pushed <= 3, "{pushed} checks for one burst");
    // 20 keystrokes written one by one, 2 ms apart (well inside the server's 25 ms quiet
    // window): checked once on an idle machine. A busy one may stretch a gap past the
    // window (or the whole past the server's 250 ms cap): each such pause may push.
    let start = Instant::now();
    let mut last = start;
    let mut pauses = 0;
    for v in 52..=71 {
        change(
            &mut c,
            URI,
            v,
            json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "#\n"}]),
        );
        pauses += usize::from(last.elapsed() >= Duration::from_millis(20));
        last = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
    }
    let capped = (start.elapsed().as_millis() / 250) as usize;
    assert_eq!(c.diagnostics(URI, 71).len(), 7);
    let pushed = pushed_more(&mut c);
    assert!(
        pushed <= 2 + pauses + capped,
        "{pushed} checks for 20 keystrokes 2 ms apart ({pauses} longer pauses)"
    );
    assert!(c.shutdown().success());
}

#[test]
fn diagnostics_come_while_the_client_keeps_typing() {
    let (mut c, _) = Client::start(push_caps(), Value::Null);
    open(&mut c, URI, &nginx());
    c.diagnostics(URI, 1);
    // A keystroke every 10 ms for a second, never the 25 ms pause the server waits for:
    // diagnostics still come while typing (250 ms after the first change not pushed).
    let start = Instant::now();
    let mut version = 1;
    while start.elapsed() < Duration::from_secs(1) {
        version += 1;
        change(
            &mut c,
            URI,
            version,
            json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "#\n"}]),
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(c.diagnostics(URI, version).len(), 7);
    let meanwhile = c
        .notifications
        .drain(..)
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .count();
    assert!(meanwhile >= 1, "no diagnostics during a second of typing");
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
