//! The protocol's life cycle and transport: initialize and the capabilities declared,
//! settings, shutdown and exit, and messages that are not what they should be.

use super::*;

#[test]
fn initialize_declares_what_the_server_does() {
    let (c, init) = Client::start(push_caps(), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(
        caps["textDocumentSync"]["save"], true,
        "a saved config file is read again"
    );
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

/// With a level the input diagnostics still run, as in the CLI: a quoted `"true"` the
/// API server would reject is shown beside the PSS finding, at its range, as an error.
#[test]
fn a_level_still_shows_input_diagnostics() {
    let (mut c, _) = Client::start(push_caps(), json!({"level": "baseline"}));
    let text = nginx().replace(
        "        image: nginx:1.14.2\n",
        "        image: nginx:1.14.2\n        securityContext:\n          privileged: \"true\"\n",
    );
    open(&mut c, URI, &text);
    let ds = c.diagnostics(URI, 1);
    assert_eq!(
        codes(&ds),
        ["invalid-field-type", "privileged-container"],
        "{ds:#?}"
    );
    for d in &ds {
        assert_eq!(d["severity"], 1, "an error: {d}");
        assert_eq!(
            d["range"],
            json!({"start": {"line": 20, "character": 22}, "end": {"line": 20, "character": 28}}),
            "{d}"
        );
    }
    // `ignore` chooses it as any rule.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ignore": ["invalid-field-type"]}}),
    );
    assert_eq!(codes(&c.diagnostics(URI, 1)), ["privileged-container"]);
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
fn changes_and_closes_right_before_shutdown_are_pushed() {
    // Within the server's 25 ms pause before pushing: what waits is pushed before the
    // answer to `shutdown`, as the input's end pushes it too.
    const OTHER: &str = "file:///work/other.yaml";
    for end in ["shutdown", "hang up"] {
        let (mut c, _) = Client::start(push_caps(), Value::Null);
        open(&mut c, URI, &nginx());
        open(&mut c, OTHER, &nginx());
        c.diagnostics(URI, 1);
        c.diagnostics(OTHER, 1);
        change(
            &mut c,
            URI,
            2,
            json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "#\n"}]),
        );
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": OTHER}}),
        );
        if end == "shutdown" {
            assert_eq!(c.request("shutdown", Value::Null), Value::Null);
            // Received before the answer (kept by the client on the way).
            let pushed: Vec<Value> = c.notifications.drain(..).collect();
            assert_eq!(pushed.len(), 2, "{pushed:#?}");
            c.notify("exit", Value::Null);
            assert_eq!(c.hang_up().code(), Some(0));
            for p in &pushed {
                assert_eq!(p["method"], "textDocument/publishDiagnostics");
            }
            assert_eq!(pushed[0]["params"]["uri"], OTHER);
            assert_eq!(pushed[0]["params"]["diagnostics"], json!([]));
            assert_eq!(pushed[1]["params"]["uri"], URI);
            assert_eq!(pushed[1]["params"]["version"], 2);
            assert_eq!(
                pushed[1]["params"]["diagnostics"].as_array().unwrap().len(),
                7
            );
        } else {
            c.close_input();
            assert_eq!(
                c.notification("textDocument/publishDiagnostics", |p| p["uri"] == OTHER)
                    ["diagnostics"],
                json!([])
            );
            assert_eq!(c.diagnostics(URI, 2).len(), 7);
            assert_eq!(c.hang_up().code(), Some(1));
        }
    }
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
    stdin.write_all(input.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // The server publishes once its input is drained: give it time to, so that the pipe
    // fills (read all at once, the opens would be published after the exit, never).
    std::thread::sleep(Duration::from_secs(2));
    let mut end = framed(&json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}).to_string());
    end.push_str(&framed(
        &json!({"jsonrpc": "2.0", "method": "exit"}).to_string(),
    ));
    stdin.write_all(end.as_bytes()).unwrap();
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
