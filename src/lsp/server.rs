//! The protocol without I/O: [`Server`] takes the client's messages and returns its own.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, ConfigurationItem, ConfigurationParams, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentDiagnosticParams, HoverParams, MessageType, ShowMessageParams, Uri,
};
use serde_json::Value;

use super::actions;
use super::capabilities::Client;
use super::config::{self, Workspace};
use super::convert;
use super::diagnostics;
use super::document::Doc;
use super::hover;
use super::settings::Settings;
use crate::position::{LineIndex, Unit};

/// The code action kind of "fix all safe fixes": editors run it on save
/// (`editor.codeActionsOnSave: {"source.fixAll": ...}` and the like).
pub const FIX_ALL_KIND: &str = "source.fixAll.kube-secctx";

/// The language server's state: the client's capabilities, the settings, the open
/// documents. Messages go in through [`Server::handle`], and what the server sends comes
/// out; [`Server::flush`] pushes the diagnostics of documents that changed. No I/O.
#[derive(Debug)]
pub struct Server {
    /// Column unit of every position (the negotiated `positionEncoding`).
    unit: Unit,
    /// The client pulls diagnostics (`textDocument/diagnostic`); nothing is pushed.
    pull: bool,
    /// The client takes `workspace/diagnostic/refresh` (pull mode, settings changed).
    refresh: bool,
    /// The client answers `workspace/configuration`.
    configuration: bool,
    /// The client takes `documentChanges` (versioned edits) in a workspace edit.
    document_changes: bool,
    /// Settings from `initializationOptions`; later configuration is laid over them.
    base: Settings,
    /// The client's settings in force (each document's configuration file lies under
    /// them).
    settings: Settings,
    /// The `initializationOptions` taken (`null` when they were not valid settings) and
    /// the last configuration taken: laid in this order over each configuration file.
    client: [Value; 2],
    /// The client registers the configuration files' watcher
    /// (`workspace.didChangeWatchedFiles.dynamicRegistration`).
    watch: bool,
    /// The configuration files (`.kube-secctx.yaml`) of the documents.
    workspace: Workspace,
    /// Bumped when the settings change: part of each pull report's `resultId`.
    generation: u64,
    /// Open documents by URI.
    docs: HashMap<String, Doc>,
    /// Documents whose diagnostics are to be pushed (push mode).
    dirty: BTreeSet<String>,
    /// Documents closed since the last flush, whose diagnostics are to be cleared.
    closed: Vec<Uri>,
    /// IDs of our `workspace/configuration` requests still unanswered.
    asked: Vec<RequestId>,
    /// The next ID for a request to the client.
    next_id: i32,
    /// Messages to send once the client has been answered.
    pending: Vec<Message>,
}

impl Server {
    /// Answers `initialize`: the server for the client's `InitializeParams` (as JSON) and
    /// the `InitializeResult` to send back. The parameters are read leniently: a
    /// capability missing or of the wrong type is one the client does not have, and
    /// `initializationOptions` that are not valid settings (see [`Settings::merged`]) leave
    /// the defaults in force ([`Server::initialized`] tells the user).
    ///
    /// # Errors
    /// Only when the result cannot be written as JSON (which does not happen).
    pub fn initialize(params: Value) -> Result<(Server, Value), String> {
        let client = Client::of(&params);
        // Bad initialization options do not stop the server: the user is told once it
        // is initialized, and the defaults apply.
        let mut pending = Vec::new();
        let given = params
            .get("initializationOptions")
            .filter(|v| !is_empty(v))
            .unwrap_or(&Value::Null);
        let (base, taken) = match Settings::default().merged(given) {
            Ok(s) => (s, given.clone()),
            Err(e) => {
                pending.push(show_message(
                    MessageType::ERROR,
                    format!("kube-secctx: initializationOptions: {e}; the defaults apply"),
                ));
                (Settings::default(), Value::Null)
            }
        };
        let result = client.initialize_result();
        let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
        let server = Server {
            unit: client.unit,
            pull: client.pull,
            refresh: client.refresh,
            configuration: client.configuration,
            document_changes: client.document_changes,
            settings: base.clone(),
            base,
            client: [taken, Value::Null],
            watch: client.watch,
            workspace: Workspace::new(&params),
            generation: 0,
            docs: HashMap::new(),
            dirty: BTreeSet::new(),
            closed: Vec::new(),
            asked: Vec::new(),
            next_id: 0,
            pending,
        };
        Ok((server, result))
    }

    /// What to send once the client has been answered: an error message when the
    /// `initializationOptions` were not valid settings, a `workspace/configuration`
    /// request when the client takes one, and the registration of a watcher of the
    /// configuration files (`.kube-secctx.yaml`, `.kube-secctx.yml`) when the client
    /// registers `workspace/didChangeWatchedFiles` dynamically.
    pub fn initialized(&mut self) -> Vec<Message> {
        let mut out = std::mem::take(&mut self.pending);
        out.extend(self.ask_configuration());
        if self.watch {
            let id = self.request_id();
            let params = serde_json::json!({"registrations": [{
                "id": "kube-secctx-config-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [
                    {"globPattern": "**/.kube-secctx.{yaml,yml}"}
                ]},
            }]});
            out.push(Request::new(id, "client/registerCapability".into(), params).into());
        }
        out
    }

    /// The column unit the server and the client agreed on.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Handles one message from the client and returns the messages to send: the response
    /// to a request (an error response when the request fails, even by a bug: the server
    /// keeps serving), notifications and requests of its own. Pushed diagnostics wait for
    /// [`Server::flush`].
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let outcome = catch_unwind(AssertUnwindSafe(|| self.request(req)));
                let response = match outcome {
                    Ok(Ok(value)) => Response::new_ok(id, value),
                    Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
                    Err(panic) => Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!(
                            "kube-secctx failed while handling {method}: {}",
                            panic_message(&panic)
                        ),
                    ),
                };
                vec![response.into()]
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                match catch_unwind(AssertUnwindSafe(|| self.notification(n))) {
                    Ok(out) => out,
                    Err(panic) => vec![show_message(
                        MessageType::ERROR,
                        format!(
                            "kube-secctx failed while handling {method}: {}",
                            panic_message(&panic)
                        ),
                    )],
                }
            }
            Message::Response(r) => self.response(r),
        }
    }

    /// Whether [`Server::flush`] has anything to push: a document changed or closed since
    /// the last flush (push mode).
    pub fn has_pushes(&self) -> bool {
        !self.dirty.is_empty() || !self.closed.is_empty()
    }

    /// The diagnostics to push now (push mode): one `textDocument/publishDiagnostics` for
    /// each document that changed since the last flush, and an empty one for each closed
    /// document. Nothing in pull mode.
    pub fn flush(&mut self) -> Vec<Message> {
        let mut out = Vec::new();
        for uri in std::mem::take(&mut self.closed) {
            out.push(diagnostics::publish(uri, Vec::new(), None));
        }
        for key in std::mem::take(&mut self.dirty) {
            let Some(doc) = self.docs.get_mut(&key) else {
                continue;
            };
            let diagnostics = catch_unwind(AssertUnwindSafe(|| diagnostics::of(doc, self.unit)));
            match diagnostics {
                Ok(d) => out.push(diagnostics::publish(doc.uri.clone(), d, Some(doc.version))),
                Err(panic) => out.push(show_message(
                    MessageType::ERROR,
                    format!(
                        "kube-secctx failed while checking {}: {}",
                        doc.uri.as_str(),
                        panic_message(&panic)
                    ),
                )),
            }
        }
        out
    }

    fn request(&mut self, req: Request) -> Result<Value, (ErrorCode, String)> {
        match req.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(req.params)?;
                let pos = p.text_document_position_params;
                let Some(doc) = self.docs.get_mut(pos.text_document.uri.as_str()) else {
                    return Ok(Value::Null);
                };
                let (text, analysis) = doc.analyzed();
                let li = LineIndex::new(text);
                let offset = convert::offset(&li, pos.position, self.unit);
                let h = hover::hover(&li, analysis, offset, self.unit);
                to_json(&h)
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req.params)?;
                let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
                    return Ok(Value::Array(Vec::new()));
                };
                let ctx = actions::Ctx {
                    unit: self.unit,
                    document_changes: self.document_changes,
                };
                to_json(&actions::code_actions(&ctx, doc, &p))
            }
            "textDocument/diagnostic" => {
                let p: DocumentDiagnosticParams = params(req.params)?;
                let report = diagnostics::pull_report(
                    self.docs.get_mut(p.text_document.uri.as_str()),
                    p.previous_result_id.as_deref(),
                    self.generation,
                    self.unit,
                );
                to_json(&report)
            }
            "shutdown" => Ok(Value::Null),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("kube-secctx does not handle {other}"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let d = p.text_document;
                let key = d.uri.as_str().to_string();
                // Without a watcher, the document's configuration file is read again on
                // each open (the other documents' on a save of a configuration file).
                if !self.watch {
                    self.workspace.forget(false);
                }
                let client = [&self.client[0], &self.client[1]];
                let (config, messages) = self.workspace.for_doc(&key, &client);
                self.docs.insert(
                    key.clone(),
                    Doc::new(d.uri, d.version, d.language_id, d.text, config),
                );
                self.touched(key);
                show_all(messages)
            }
            "textDocument/didSave" => {
                let uri = n
                    .params
                    .pointer("/textDocument/uri")
                    .and_then(Value::as_str);
                if uri.is_some_and(config::is_config_uri) {
                    self.workspace.forget(true);
                    return self.reconfigure();
                }
                Vec::new()
            }
            "workspace/didChangeWatchedFiles" => {
                self.workspace.forget(true);
                self.reconfigure()
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str().to_string();
                if let Some(doc) = self.docs.get_mut(&key) {
                    doc.change(p.text_document.version, p.content_changes, self.unit);
                    self.touched(key);
                }
                Vec::new()
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str();
                if self.docs.remove(key).is_some() && !self.pull {
                    self.dirty.remove(key);
                    self.closed.push(p.text_document.uri);
                }
                Vec::new()
            }
            "workspace/didChangeConfiguration" => {
                let settings = serde_json::from_value::<DidChangeConfigurationParams>(n.params)
                    .map(|p| p.settings)
                    .unwrap_or(Value::Null);
                if is_empty(&settings) && self.configuration {
                    return self.ask_configuration().into_iter().collect();
                }
                self.configure(&settings)
            }
            _ => Vec::new(),
        }
    }

    fn response(&mut self, r: Response) -> Vec<Message> {
        let Some(i) = self.asked.iter().position(|id| *id == r.id) else {
            return Vec::new();
        };
        self.asked.remove(i);
        // `workspace/configuration` answers one item per section asked: ours.
        match r.response_result {
            Ok(Value::Array(mut items)) if !items.is_empty() => {
                let settings = items.swap_remove(0);
                self.configure(&settings)
            }
            _ => Vec::new(),
        }
    }

    /// Lays `value` over the initialization options. Bad settings are shown to the user
    /// and the settings in force are kept.
    fn configure(&mut self, value: &Value) -> Vec<Message> {
        let value = if is_empty(value) { &Value::Null } else { value };
        let settings = match self.base.merged(value) {
            Ok(s) => s,
            Err(e) => {
                return vec![show_message(
                    MessageType::ERROR,
                    format!("kube-secctx: {e}; the previous settings are kept"),
                )]
            }
        };
        // A key given with its default value still replaces the file's: what changed is
        // known once each document's options are worked out again.
        self.client[1] = value.clone();
        self.settings = settings;
        self.reconfigure()
    }

    /// Works out again what applies to each open document (the client's settings or a
    /// configuration file changed); the documents whose options changed are checked
    /// again: pushed (push mode) or refreshed (`workspace/diagnostic/refresh`, pull mode).
    /// Returns the messages to send: a bad configuration file (once), the refresh.
    fn reconfigure(&mut self) -> Vec<Message> {
        let client = [&self.client[0], &self.client[1]];
        let mut messages = Vec::new();
        let mut changed = Vec::new();
        for (key, doc) in &mut self.docs {
            let (config, shown) = self.workspace.for_doc(key, &client);
            messages.extend(shown);
            if doc.configure(config) {
                changed.push(key.clone());
            }
        }
        let mut out = show_all(messages);
        if changed.is_empty() {
            return out;
        }
        self.generation += 1;
        if self.pull {
            if self.refresh {
                let id = self.request_id();
                out.push(Request::new(id, "workspace/diagnostic/refresh".into(), ()).into());
            }
            return out;
        }
        self.dirty.extend(changed);
        out
    }

    fn touched(&mut self, key: String) {
        if !self.pull {
            self.dirty.insert(key);
        }
    }

    fn request_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId::from(format!("kube-secctx-{}", self.next_id))
    }

    fn ask_configuration(&mut self) -> Option<Message> {
        if !self.configuration {
            return None;
        }
        let id = self.request_id();
        self.asked.push(id.clone());
        let params = ConfigurationParams {
            items: vec![ConfigurationItem {
                scope_uri: None,
                section: Some("kube-secctx".to_string()),
            }],
        };
        Some(Request::new(id, "workspace/configuration".into(), params).into())
    }
}

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, (ErrorCode, String)> {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// Each message as an error shown to the user.
fn show_all(messages: Vec<String>) -> Vec<Message> {
    messages
        .into_iter()
        .map(|m| show_message(MessageType::ERROR, m))
        .collect()
}

/// `null`, `{}` and `[]` (Neovim sends an empty Lua table as `[]`): no settings.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A `window/showMessage` notification, also written to standard error (the server's
/// log).
pub(crate) fn show_message(typ: MessageType, message: String) -> Message {
    eprintln!("{message}");
    Notification::new(
        "window/showMessage".into(),
        ShowMessageParams { typ, message },
    )
    .into()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".to_string())
}
