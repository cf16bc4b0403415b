//! The server's standard input and output: LSP's base protocol (`Content-Length` headers,
//! a JSON-RPC body) read and written by two threads, messages over unbounded channels.
//!
//! `lsp-server`'s own stdio transport ends the process on the first body that is not a
//! message (a parse error ends its reader thread), allocates whatever `Content-Length`
//! says before reading it (a huge one aborts), and hands messages over a channel of
//! capacity zero, on which "has the client stopped sending?" (`is_empty`) is always
//! true, so a burst of changes was checked once per change. This one reads on: a body
//! that is not JSON or not a message is answered (an error response when it has an `id`,
//! else a `window/showMessage`) and skipped, an oversized body is skipped without being
//! held, header lines that are not headers are skipped, and messages queue up while the
//! server is busy.

use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

use lsp_server::{Connection, ErrorCode, Message, Notification, RequestId, Response};
use lsp_types::{MessageType, ShowMessageParams};
use serde_json::Value;

/// The largest message body read (bytes): a document of the CLI's 64 MiB input limit
/// with every character escaped in JSON fits.
pub(crate) const MAX_BODY: usize = 512 << 20;

/// The longest header line kept (bytes); longer ones are not headers.
const MAX_HEADER_LINE: usize = 4096;

/// A connection over `input` and `output`: the server's end, and the writer thread (join
/// it once the server's end is dropped, so every message is written). The reader thread
/// ends at the end of the input, after `exit`, or when the server's end is dropped.
pub(crate) fn connect<R, W>(input: R, output: W) -> (Connection, JoinHandle<io::Result<()>>)
where
    R: BufRead + Send + 'static,
    W: Write + Send + 'static,
{
    let (server, client) = Connection::memory();
    let to_client = server.sender.clone();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    let reader = move || {
        let mut input = input;
        loop {
            let message = match read_message(&mut input) {
                Ok(Some(Incoming::Message(m))) => m,
                Ok(Some(Incoming::Invalid(reply))) => {
                    if to_client.send(reply).is_err() {
                        return;
                    }
                    continue;
                }
                // The end of the input, or it cannot be read: the connection is closed.
                Ok(None) | Err(_) => return,
            };
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if to_server.send(message).is_err() || exit {
                return;
            }
        }
    };
    // A thread that cannot be started: no input, the server sees a closed connection.
    let _detached = thread::Builder::new()
        .name("kube-secctx-lsp-reader".into())
        .spawn(reader);
    let writer = thread::Builder::new()
        .name("kube-secctx-lsp-writer".into())
        .spawn(move || {
            let mut output = output;
            for message in from_server {
                message.write(&mut output)?;
            }
            output.flush()
        });
    let writer = match writer {
        Ok(w) => w,
        Err(e) => thread::spawn(move || Err(e)),
    };
    (server, writer)
}

/// What was read.
#[derive(Debug)]
enum Incoming {
    /// A message for the server.
    Message(Message),
    /// A body that is not a message, and the reply to it.
    Invalid(Message),
}

/// Reads one message: `Ok(None)` at the end of the input.
fn read_message(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let Some(length) = read_headers(input)? else {
        return Ok(None);
    };
    if length > MAX_BODY {
        // Skipped as it arrives, never held.
        let skipped = io::copy(&mut (&mut *input).take(length as u64), &mut io::sink())?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Ok(Some(Incoming::Invalid(show_error(format!(
            "kube-secctx: a message of {length} bytes (the limit is {MAX_BODY}) was not read"
        )))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(parse(&body)))
}

/// A body as a message, or the reply to a body that is not one.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Invalid(show_error(format!(
                "kube-secctx: a message that is not JSON was skipped ({e})"
            )))
        }
    };
    let id = value.get("id").cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => {
            let id = match id {
                Some(Value::Number(n)) => n
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .map(RequestId::from),
                Some(Value::String(s)) => Some(RequestId::from(s)),
                _ => None,
            };
            let message = format!("kube-secctx: not a JSON-RPC message, skipped ({e})");
            match id {
                Some(id) => Incoming::Invalid(
                    Response::new_err(id, ErrorCode::InvalidRequest as i32, message).into(),
                ),
                None => Incoming::Invalid(show_error(message)),
            }
        }
    }
}

/// Reads a header block and returns its `Content-Length`, or `None` at the end of the
/// input. Lines that are not headers (and blocks without a length) are skipped, so the
/// reader finds the next message after garbage; `\n` alone ends a line too.
fn read_headers(input: &mut impl BufRead) -> io::Result<Option<usize>> {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if !read_line(input, &mut line)? {
            return Ok(None);
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if line.is_empty() {
            if let Some(n) = length {
                return Ok(Some(n));
            }
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let Some((name, value)) = text.split_once(':') else {
            eprintln!("kube-secctx server: skipped a line that is not a header: {text:?}");
            continue;
        };
        // After a body shorter than its length said, the next header follows the rest of
        // it on the same line.
        let name = name.trim().as_bytes();
        let tail = name.len().saturating_sub(b"content-length".len());
        if name
            .get(tail..)
            .is_some_and(|n| n.eq_ignore_ascii_case(b"content-length"))
        {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => eprintln!("kube-secctx server: skipped a bad Content-Length: {text:?}"),
            }
        }
    }
}

/// Reads a line (through `\n`) into `line`, keeping at most [`MAX_HEADER_LINE`] bytes of
/// it. `false` at the end of the input.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<bool> {
    let mut any = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let (n, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        line.extend(buf.iter().take(n.min(room)));
        input.consume(n);
        if done {
            return Ok(true);
        }
    }
}

fn show_error(message: String) -> Message {
    eprintln!("{message}");
    Notification::new(
        "window/showMessage".into(),
        ShowMessageParams {
            typ: MessageType::ERROR,
            message,
        },
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<Incoming> {
        let mut r = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(m) = read_message(&mut r).unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn reads_on_after_bodies_that_are_not_messages() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            frame("hello"),
            frame("[]"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":3}"#),
            "garbage line\r\nContent-Length: x\r\n\r\n".to_string(),
            format!("Content-Length: {}\n\n{ok}", ok.len()),
            frame(ok),
        ]
        .concat();
        let got = read_all(&input);
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(matches!(
            &got[0],
            Incoming::Invalid(Message::Notification(_))
        ));
        assert!(matches!(
            &got[1],
            Incoming::Invalid(Message::Notification(_))
        ));
        assert!(
            matches!(&got[2], Incoming::Invalid(Message::Response(r)) if r.id == RequestId::from(7))
        );
        assert!(matches!(
            &got[3],
            Incoming::Message(Message::Notification(_))
        ));
        assert!(matches!(
            &got[4],
            Incoming::Message(Message::Notification(_))
        ));
    }

    #[test]
    fn an_oversized_body_is_skipped_not_allocated() {
        let input = "Content-Length: 18446744073709551615\r\n\r\n{}";
        let got = read_all(input);
        // The input ends inside the body: nothing more to read.
        assert!(got.is_empty(), "{got:?}");
        let mut r = io::Cursor::new(format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1));
        assert!(read_message(&mut r).unwrap().is_none());
    }
}
