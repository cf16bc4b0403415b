//! The language server: `kube-secctx server`, the Language Server Protocol 3.17 over
//! standard input and output, on the same core as the CLI.
//!
//! - **Diagnostics**: one per finding and per error entry of the open document (range,
//!   severity, `code` = rule ID, `source` = `kube-secctx`, related information for a
//!   pod-level setting a container inherits and for the hidden duplicate key). Pulled
//!   (`textDocument/diagnostic`) when the client declares `textDocument.diagnostic`,
//!   pushed (`textDocument/publishDiagnostics`) otherwise, never both.
//! - **Hover**: the rule's documentation over a finding (the text of `kube-secctx
//!   explain`), and over a `securityContext` field what it does and which values each
//!   Pod Security Standards level allows ([`crate::fields`]).
//! - **Code actions**: each verified fix as a `quickfix` (safe ones preferred), every safe
//!   fix at once as `source.fixAll.kube-secctx`, and "Ignore RULE for this resource"
//!   ([`crate::fix::ignore_fix`]).
//! - **Which documents**: only text that holds Kubernetes objects (a document with
//!   `apiVersion` and `kind`); other YAML (CI workflows, compose files, Helm values),
//!   Helm templates and kustomization files get no diagnostics at all ([`analysis`], on
//!   [`crate::detect`], which the CLI's directory walk uses too).
//! - **Settings**: the client's ([`Settings`]) over the nearest `.kube-secctx.yaml` upward
//!   from each document (`config`: its `perFileIgnores` and `exclude` apply too), read
//!   again when it changes.
//! - **Positions**: `positionEncoding` is negotiated: UTF-8 when the client offers it,
//!   else UTF-16 (LSP's default). Every conversion goes through
//!   [`crate::position::LineIndex`].
//!
//! The protocol crates are rust-analyzer's own: `lsp-server` (a synchronous scaffold:
//! messages over channels, no async runtime; its stdio threads are replaced by
//! `transport`'s, which read on past a bad message) and `lsp-types`.
//! A check is a few milliseconds of pure computation, so one thread serving requests in
//! order is all a server of this size needs; `tower-lsp-server` would bring tokio for
//! nothing. [`Server`] is the protocol without I/O (messages in, messages out), which is
//! what the benchmark and the unit tests drive; [`run`] connects it to stdio.

mod actions;
pub mod analysis;
mod capabilities;
mod config;
mod convert;
mod diagnostics;
mod document;
mod hover;
mod server;
mod settings;
mod transport;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Response};

pub use server::Server;
pub use settings::Settings;

/// How long the client must send nothing before diagnostics are pushed: keystrokes a
/// few milliseconds apart, or a burst the reader thread is still handing over on a busy
/// machine, are checked once, after the last of them.
const QUIET: Duration = Duration::from_millis(25);

/// The longest a changed document waits for its diagnostics while the client keeps
/// sending (typing faster than [`QUIET`], requests on every mouse move): they are pushed
/// this long after its first change not yet pushed.
const LATEST: Duration = Duration::from_millis(250);

/// Runs the server on standard input and output until the client sends `exit` (logs go to
/// standard error). Returns exit code 0 after `shutdown` then `exit`, 1 when the client
/// exits without `shutdown` or the connection closes, even before `initialize` (as the
/// protocol says). Nothing the client sends ends it otherwise: a body that is not a
/// message is answered and skipped (`transport`).
///
/// # Errors
/// When a message cannot be written, or the client stops reading (the messages left are
/// given up once nothing has been taken for two seconds after `exit`).
pub fn run() -> anyhow::Result<ExitCode> {
    let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
    let (connection, writer) = transport::connect(input, std::io::stdout());
    let code = serve(&connection);
    drop(connection);
    // Every message is written before the process ends (an error response included),
    // unless the client has stopped reading.
    let written = writer.finish();
    let code = code?;
    written?;
    Ok(code)
}

/// Serves one client over `connection`: the initialize handshake, then every message until
/// `exit`. See [`run`]. Before `initialize`, requests are answered `ServerNotInitialized`
/// and notifications dropped; a failed `initialize` is answered and another may follow.
/// After `shutdown`, requests are answered `InvalidRequest` until `exit`.
///
/// # Errors
/// When a message cannot be sent.
pub fn serve(connection: &Connection) -> anyhow::Result<ExitCode> {
    let send = |m: Message| {
        connection
            .sender
            .send(m)
            .map_err(|_| anyhow::anyhow!("the connection to the client is closed"))
    };
    let mut server = loop {
        let Ok(message) = connection.receiver.recv() else {
            eprintln!("kube-secctx server: the client closed the connection before initialize");
            return Ok(ExitCode::from(1));
        };
        match message {
            Message::Request(req) if req.method == "initialize" => {
                match Server::initialize(req.params) {
                    Ok((server, result)) => {
                        send(Response::new_ok(req.id, result).into())?;
                        break server;
                    }
                    Err(message) => send(
                        Response::new_err(req.id, ErrorCode::InvalidParams as i32, message).into(),
                    )?,
                }
            }
            Message::Request(req) => send(
                Response::new_err(
                    req.id,
                    ErrorCode::ServerNotInitialized as i32,
                    format!("kube-secctx: {} before initialize", req.method),
                )
                .into(),
            )?,
            Message::Notification(n) if n.method == "exit" => return Ok(ExitCode::from(1)),
            _ => {}
        }
    };
    let mut initialized = false;
    let mut shut_down = false;
    // The next message, when it came while waiting for the client to pause.
    let mut next = None;
    // Since when documents wait for their diagnostics to be pushed.
    let mut waiting: Option<Instant> = None;
    loop {
        let message = match next.take() {
            Some(message) => message,
            None => match connection.receiver.recv() {
                Ok(message) => message,
                Err(_) => break,
            },
        };
        let out = match message {
            Message::Notification(n) if n.method == "exit" => {
                if !shut_down {
                    eprintln!("kube-secctx server: exit without shutdown");
                }
                return Ok(if shut_down {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                });
            }
            Message::Notification(n) if n.method == "initialized" => {
                if std::mem::replace(&mut initialized, true) {
                    Vec::new()
                } else {
                    server.initialized()
                }
            }
            Message::Request(req) if shut_down || req.method == "initialize" => {
                let why = if shut_down {
                    "the server is shut down"
                } else {
                    "the server is already initialized"
                };
                let message = format!("kube-secctx: {}: {why}", req.method);
                vec![Response::new_err(req.id, ErrorCode::InvalidRequest as i32, message).into()]
            }
            Message::Request(req) if req.method == "shutdown" => {
                shut_down = true;
                // What waits for the client's pause is pushed first: a change or a close
                // right before `shutdown` still gets its diagnostics.
                waiting = None;
                let mut out = server.flush();
                out.push(Response::new_ok(req.id, ()).into());
                out
            }
            Message::Notification(_) if shut_down => Vec::new(),
            message => server.handle(message),
        };
        for m in out {
            send(m)?;
        }
        // Diagnostics are pushed once the client has stopped sending for [`QUIET`]: a
        // burst of changes (typing, a paste in several parts, messages the reader thread
        // has not handed over yet) is checked once. A client that never pauses gets them
        // [`LATEST`] after the first change not pushed.
        if shut_down || !server.has_pushes() {
            waiting = None;
            continue;
        }
        let since = *waiting.get_or_insert_with(Instant::now);
        let left = LATEST.saturating_sub(since.elapsed());
        if !left.is_zero() {
            match connection.receiver.recv_timeout(QUIET.min(left)) {
                Ok(message) => {
                    next = Some(message);
                    continue;
                }
                Err(quiet) if quiet.is_timeout() => {}
                // The input has ended: what waits is pushed (the client may still read).
                Err(_closed) => {
                    for m in server.flush() {
                        send(m)?;
                    }
                    break;
                }
            }
        }
        waiting = None;
        for m in server.flush() {
            send(m)?;
        }
    }
    Ok(ExitCode::from(1))
}
