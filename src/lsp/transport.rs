//! The server's standard input and output: LSP's base protocol (`Content-Length` headers,
//! a JSON-RPC body) read and written by two threads, messages over unbounded channels.
//!
//! `lsp-server`'s own stdio transport ends the process on the first body that is not a
//! message (a parse error ends its reader thread), allocates whatever `Content-Length`
//! says before reading it (a huge one aborts), and hands messages over a channel of
//! capacity zero, on which "has the client stopped sending?" (`is_empty`) is always
//! true, so a burst of changes was checked once per change. This one reads on: a body
//! that is not JSON or not a message is answered (an error response when it has an `id`,
//! else a `window/showMessage`) and skipped, as is a request whose `id` lsp-server cannot
//! take (it would read as a notification, never answered); an oversized body is skipped
//! without being held; header lines that are not headers are skipped, and after a body
//! shorter than its length the header glued to its rest is found, so one bad length
//! costs one or two messages, not the connection; messages queue up while the server is
//! busy; and a client that stops reading does not keep the process after `exit`.

use std::io::{self, BufRead, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, RequestId, Response};
use lsp_types::MessageType;
use serde_json::Value;

use super::server::show_message;

/// The largest message body read (bytes): a document of the CLI's 64 MiB input limit
/// with every character escaped in JSON fits.
pub(crate) const MAX_BODY: usize = 512 << 20;

/// How much of a long line is kept (bytes): its end, where a header glued to the rest of
/// a body is.
const MAX_HEADER_LINE: usize = 4096;

/// How long the writer may make no progress once the server is done (after `exit`, or at
/// the end of the input) before the messages still queued are given up: a client that
/// stopped reading its end (but keeps it open) would otherwise keep the process forever.
const STALLED: Duration = Duration::from_secs(2);

/// The writer thread of a connection.
pub(crate) struct Writer {
    thread: JoinHandle<io::Result<()>>,
    /// Bytes written so far.
    written: Arc<AtomicU64>,
}

impl Writer {
    /// Waits until every message sent is written (the server's end must be dropped), or
    /// until the client has taken nothing for [`STALLED`].
    ///
    /// # Errors
    /// When a message could not be written, or the client stopped reading.
    pub(crate) fn finish(self) -> io::Result<()> {
        let mut seen = self.written.load(Ordering::Relaxed);
        let mut since = Instant::now();
        while !self.thread.is_finished() {
            thread::sleep(Duration::from_millis(5));
            let now = self.written.load(Ordering::Relaxed);
            if now != seen {
                seen = now;
                since = Instant::now();
            } else if since.elapsed() >= STALLED {
                return Err(io::Error::other(
                    "the client stopped reading the server's output; the messages left were \
                     not written",
                ));
            }
        }
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// `W`, counting the bytes written.
struct Counted<W> {
    inner: W,
    written: Arc<AtomicU64>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A connection over `input` and `output`: the server's end, and the writer thread
/// ([`Writer::finish`] it once the server's end is dropped, so every message is written).
/// The reader thread ends at the end of the input, after `exit`, or when the server's end
/// is dropped.
pub(crate) fn connect<R, W>(input: R, output: W) -> (Connection, Writer)
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
    let written = Arc::new(AtomicU64::new(0));
    let mut output = Counted {
        inner: output,
        written: Arc::clone(&written),
    };
    let writer = thread::Builder::new()
        .name("kube-secctx-lsp-writer".into())
        .spawn(move || {
            for message in from_server {
                message.write(&mut output)?;
            }
            output.flush()
        });
    let thread = match writer {
        Ok(w) => w,
        Err(e) => thread::spawn(move || Err(e)),
    };
    (server, Writer { thread, written })
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
        return Ok(Some(Incoming::Invalid(show_message(
            MessageType::ERROR,
            format!(
                "kube-secctx: a message of {length} bytes (the limit is {MAX_BODY}) was not read"
            ),
        ))));
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
            return Incoming::Invalid(show_message(
                MessageType::ERROR,
                format!("kube-secctx: a message that is not JSON was skipped ({e})"),
            ))
        }
    };
    let id = value.get("id").cloned();
    match serde_json::from_value::<Message>(value) {
        // A request whose `id` is neither a string nor an integer that lsp-server takes
        // (1.5, 2^40, an object) reads as a notification: the client would wait for an
        // answer forever.
        Ok(Message::Notification(n)) => match id.filter(|id| !id.is_null()) {
            Some(id) => {
                let mut id = id.to_string();
                if id.len() > 40 {
                    id = format!("{}…", id.chars().take(30).collect::<String>());
                }
                Incoming::Invalid(show_message(
                    MessageType::ERROR,
                    format!(
                        "kube-secctx: a request whose id ({id}) is neither a string nor a 32-bit \
                     integer was skipped: {}",
                        n.method
                    ),
                ))
            }
            None => Incoming::Message(n.into()),
        },
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
                None => Incoming::Invalid(show_message(MessageType::ERROR, message)),
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
        match content_length(&line) {
            Some(Ok(n)) => length = Some(n),
            Some(Err(())) => eprintln!(
                "kube-secctx server: skipped a bad Content-Length: {:?}",
                String::from_utf8_lossy(&line)
            ),
            None if !line.contains(&b':') => eprintln!(
                "kube-secctx server: skipped a line that is not a header: {:?}",
                String::from_utf8_lossy(&line)
            ),
            None => {}
        }
    }
}

/// The value of `line` as a `Content-Length` header: `None` when it is another header or
/// not one, `Some(Err(()))` when the value is not a length. After a body shorter than its
/// length said (a client that counts characters, not bytes), the next header follows the
/// rest of that body on the same line, and the rest is JSON, with colons of its own: the
/// last `Content-Length:` of the line is the header.
fn content_length(line: &[u8]) -> Option<Result<usize, ()>> {
    const NAME: &[u8] = b"content-length";
    let at = line
        .windows(NAME.len())
        .rposition(|w| w.eq_ignore_ascii_case(NAME))?;
    let rest = line.get(at + NAME.len()..)?.trim_ascii_start();
    let value = rest.strip_prefix(b":")?;
    Some(
        std::str::from_utf8(value)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .ok_or(()),
    )
}

/// Reads a line (through `\n`) into `line`, keeping at most its last
/// 2 × [`MAX_HEADER_LINE`] bytes. `false` at the end of the input.
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
        line.extend_from_slice(buf.get(..n).unwrap_or(buf));
        input.consume(n);
        // The end of a line is what matters: a header glued to the rest of a body.
        if line.len() > 2 * MAX_HEADER_LINE {
            line.drain(..line.len() - MAX_HEADER_LINE);
        }
        if done {
            return Ok(true);
        }
    }
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
    fn the_last_content_length_of_a_line_is_the_header() {
        assert_eq!(content_length(b"Content-Length: 12"), Some(Ok(12)));
        assert_eq!(content_length(b"content-length :+012 "), Some(Ok(12)));
        assert_eq!(
            content_length(br#""version":1}}Content-Length: 7"#),
            Some(Ok(7))
        );
        assert_eq!(content_length(b"Content-Length: -1"), Some(Err(())));
        assert_eq!(content_length(b"Content-Type: a; b=c"), None);
        assert_eq!(content_length(b"the content-length"), None);
        // A header after a body longer than a header line: the end of the line is kept.
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(3 * MAX_HEADER_LINE));
        let got = read_all(&format!("{long}{}", frame(ok)));
        assert!(
            matches!(&got[..], [Incoming::Message(Message::Notification(_))]),
            "{got:?}"
        );
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
