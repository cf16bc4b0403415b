//! A minimal LSP client for the protocol tests: runs `kube-secctx server` as a process and
//! speaks JSON-RPC with `Content-Length` framing over its stdin and stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received and not yet taken.
    pub notifications: Vec<Value>,
    /// Requests the server sent us (answered automatically).
    pub server_requests: Vec<Value>,
    /// What to answer `workspace/configuration` with (one item).
    pub configuration: Value,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    /// Starts the server and sends `initialize` with `capabilities` and
    /// `initializationOptions`; returns the client and the `InitializeResult`.
    pub fn start(capabilities: Value, init_options: Value) -> (Client, Value) {
        Client::start_in(Value::Null, capabilities, init_options)
    }

    /// [`Client::start`] with `rootUri` (a `file://` URI, or `null`).
    pub fn start_in(root_uri: Value, capabilities: Value, init_options: Value) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kube-secctx server");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            rx,
            next_id: 0,
            notifications: Vec::new(),
            server_requests: Vec::new(),
            configuration: Value::Null,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// Writes `bytes` to the server's input as they are (framing included).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|v| v.get("id") == Some(&json!(id)) && v.get("method").is_none())
    }

    /// Sends a request and returns its `result` (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.request_raw(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The next message matching `pred`; notifications and server requests seen on the
    /// way are kept (requests answered).
    fn wait(&mut self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = match self.rx.recv_timeout(left) {
                Ok(v) => v,
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for the server"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
            if pred(&v) {
                return v;
            }
            if v.get("method").is_some() && v.get("id").is_some() {
                let result = match v["method"].as_str() {
                    Some("workspace/configuration") => json!([self.configuration.clone()]),
                    _ => Value::Null,
                };
                let id = v["id"].clone();
                self.server_requests.push(v);
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
            } else if v.get("method").is_some() {
                self.notifications.push(v);
            }
        }
    }

    /// The next notification `method` whose params satisfy `pred` (one received earlier
    /// and not yet taken counts).
    pub fn notification(&mut self, method: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method && pred(&n["params"]))
        {
            return self.notifications.remove(i)["params"].clone();
        }
        self.wait(|v| v["method"] == method && v.get("id").is_none() && pred(&v["params"]))
            ["params"]
            .clone()
    }

    /// The diagnostics pushed for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// No message arrives within `wait` (other than answers to server requests).
    pub fn quiet_for(&mut self, wait: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        let deadline = Instant::now() + wait;
        while let Ok(v) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            got.push(v);
        }
        got
    }

    /// `shutdown`, `exit`, and the exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        self.stdin.take();
        self.child.wait().unwrap()
    }

    /// Closes the server's input; its output can still be read.
    pub fn close_input(&mut self) {
        self.stdin.take();
    }

    /// Closes the server's input without `shutdown`, and its exit status.
    pub fn hang_up(mut self) -> ExitStatus {
        self.stdin.take();
        self.child.wait().unwrap()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` with LSP `edits` (`[{range, newText}]`, positions in `unit`: "utf-8" or
/// "utf-16") applied, as an editor applies them.
pub fn apply(text: &str, edits: &[Value], unit: &str) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let ch = pos["character"].as_u64().unwrap() as usize;
        let mut start = 0;
        for _ in 0..line {
            start += text[start..]
                .find('\n')
                .map(|i| i + 1)
                .unwrap_or(text.len() - start);
        }
        let rest = &text[start..];
        let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let mut units = 0;
        for (i, c) in line_text.char_indices() {
            if units >= ch {
                return start + i;
            }
            units += if unit == "utf-8" {
                c.len_utf8()
            } else {
                c.len_utf16()
            };
        }
        start + line_text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

/// The edits of a code action's workspace edit for `uri` (`changes` or `documentChanges`).
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit["changes"].get(uri) {
        return changes.as_array().unwrap().clone();
    }
    let mut out = Vec::new();
    for dc in edit["documentChanges"].as_array().into_iter().flatten() {
        if dc["textDocument"]["uri"] == uri {
            out.extend(dc["edits"].as_array().unwrap().iter().cloned());
        }
    }
    out
}
