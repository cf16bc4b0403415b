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
//!   `apiVersion` and `kind`); other YAML (CI workflows, compose files, Helm values) and
//!   Helm templates get no diagnostics at all ([`analysis`]).
//! - **Positions**: `positionEncoding` is negotiated: UTF-8 when the client offers it,
//!   else UTF-16 (LSP's default). Every conversion goes through
//!   [`crate::position::LineIndex`].
//!
//! The protocol crates are rust-analyzer's own: `lsp-server` (a synchronous scaffold: a
//! reader and a writer thread, messages over channels, no async runtime) and `lsp-types`.
//! A check is a few milliseconds of pure computation, so one thread serving requests in
//! order is all a server of this size needs; `tower-lsp-server` would bring tokio for
//! nothing. [`Server`] is the protocol without I/O (messages in, messages out), which is
//! what the benchmark and the unit tests drive; [`run`] connects it to stdio.

mod actions;
pub mod analysis;
mod convert;
mod diagnostics;
mod document;
mod hover;
mod server;
mod settings;

use std::process::ExitCode;

use lsp_server::{Connection, Message};

pub use server::Server;
pub use settings::Settings;

/// Runs the server on standard input and output until the client sends `exit` (logs go to
/// standard error). Returns exit code 0 after `shutdown` then `exit`, 1 when the client
/// exits without `shutdown` or the connection closes, even before `initialize` (as the
/// protocol says).
///
/// # Errors
/// When the initialize handshake fails (the client sent something that is not a message)
/// or a message cannot be written.
pub fn run() -> anyhow::Result<ExitCode> {
    let (connection, io_threads) = Connection::stdio();
    let code = serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(code)
}

/// Serves one client over `connection`: the initialize handshake, then every message until
/// `exit`. See [`run`].
///
/// # Errors
/// As [`run`].
pub fn serve(connection: &Connection) -> anyhow::Result<ExitCode> {
    let (id, params) = match connection.initialize_start() {
        Ok(started) => started,
        Err(e) if e.channel_is_disconnected() => {
            eprintln!("kube-secctx server: the client closed the connection before initialize");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let (mut server, result) = match Server::initialize(params) {
        Ok(ok) => ok,
        Err(message) => {
            let response = lsp_server::Response::new_err(
                id,
                lsp_server::ErrorCode::InvalidParams as i32,
                message.clone(),
            );
            connection.sender.send(response.into())?;
            anyhow::bail!("initialize: {message}");
        }
    };
    connection.initialize_finish(id, result)?;
    for out in server.initialized() {
        connection.sender.send(out)?;
    }
    while let Ok(message) = connection.receiver.recv() {
        match &message {
            Message::Request(req) if connection.handle_shutdown(req)? => {
                return Ok(ExitCode::SUCCESS);
            }
            Message::Notification(n) if n.method == "exit" => {
                eprintln!("kube-secctx server: exit without shutdown");
                return Ok(ExitCode::from(1));
            }
            _ => {}
        }
        for out in server.handle(message) {
            connection.sender.send(out)?;
        }
        // Diagnostics are pushed once the client has stopped sending: a burst of changes
        // (typing, a paste in several parts) is checked once.
        if connection.receiver.is_empty() {
            for out in server.flush() {
                connection.sender.send(out)?;
            }
        }
    }
    Ok(ExitCode::from(1))
}
