//! A document written as one JSON value (RFC 8259, strictly), read into the parser events
//! the YAML parser gives for the same text, with the same byte spans, one event at a time.
//!
//! JSON is YAML (1.2), and the YAML parser reads it correctly, but its scanner keeps every
//! token of a flow collection queued until the collection closes (until then the
//! collection could still turn out to be a mapping key), so a JSON document is held whole
//! as tokens before its first event. This scanner holds only the stack of open brackets.
//!
//! Events and spans are those of `saphyr-parser` for JSON (the tests compare them on every
//! JSON document of the corpus and on edge cases): strings are double-quoted scalars
//! spanning their quotes (and, as the YAML parser's, the blanks after them on their line),
//! numbers, `true`, `false` and `null` plain scalars (resolved later
//! as YAML 1.1, as the YAML path resolves them), a collection starts at its opening
//! bracket and its end event is its closing bracket (and the blanks after it). Anything that is not strict JSON
//! (comments inside, a YAML-only escape, a control character in a string, trailing text)
//! ends the iteration with an error; the caller then reads the document as YAML. A
//! surrogate pair is its character and a lone surrogate U+FFFD, as the API server's Go
//! decoder reads them (YAML rejects both).

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use super::build::Spanned;
use super::{Span, YamlError};

/// What the next token must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The stream's first events.
    Start,
    /// A value.
    Value,
    /// After `[`: a value or `]`.
    ValueOrClose,
    /// After `{`: a key or `}`.
    KeyOrClose,
    /// After `,` in an object: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a value inside a collection: `,` or the closing bracket.
    CommaOrClose,
    /// After the top-level value: only the trailer (whitespace, comments, `...`).
    End,
    /// Everything was given.
    Done,
}

/// The events of one JSON document (see the module docs).
pub(super) struct JsonEvents<'a> {
    src: &'a str,
    base: usize,
    pos: usize,
    /// The open collections: `true` for an object.
    stack: Vec<bool>,
    expect: Expect,
}

impl<'a> JsonEvents<'a> {
    /// The events of `src` (a document's text starting at byte `base` of the stream), if
    /// its content starts with `{` or `[` after blank lines, comment lines and a `---`
    /// line; `None` otherwise.
    pub(super) fn new(src: &'a str, base: usize) -> Option<Self> {
        let mut pos = 0;
        let mut marker_seen = false;
        loop {
            let rest = src.get(pos..)?;
            let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = rest.get(..line_len)?;
            let content = line.trim_start_matches([' ', '\t']);
            let indent = line.len() - content.len();
            let bare = content.trim_end_matches(['\n', '\r', ' ', '\t']);
            if bare.is_empty() || bare.starts_with('#') {
                if line_len == 0 {
                    return None;
                }
                pos += line_len;
            } else if !marker_seen && indent == 0 && is_marker(bare, "---") {
                marker_seen = true;
                pos += line_len;
            } else if content.starts_with(['{', '[']) {
                return Some(JsonEvents {
                    src,
                    base,
                    pos: pos + indent,
                    stack: Vec::new(),
                    expect: Expect::Start,
                });
            } else {
                return None;
            }
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn fail(&mut self) -> Option<Spanned<'a>> {
        self.expect = Expect::Done;
        let at = self.base + self.pos;
        Some(Err(YamlError {
            document: 0,
            message: "not JSON".to_string(),
            span: Span::new(at, at),
        }))
    }

    fn event(&self, event: Event<'a>, start: usize, end: usize) -> Option<Spanned<'a>> {
        Some(Ok((event, self.base + start, self.base + end)))
    }

    /// Where the span of a token that ends at `pos` ends: as the YAML parser's spans of
    /// quoted scalars and closing brackets, after the blanks that follow it on its line.
    fn blanks_after(&self) -> usize {
        let mut end = self.pos;
        while matches!(self.bytes().get(end), Some(b' ' | b'\t')) {
            end += 1;
        }
        end
    }

    /// After a value: the top level is over, or a collection goes on.
    fn after_value(&mut self) {
        self.expect = if self.stack.is_empty() {
            Expect::End
        } else {
            Expect::CommaOrClose
        };
    }

    /// A value at `pos` (whitespace skipped).
    fn value(&mut self) -> Option<Spanned<'a>> {
        let start = self.pos;
        match self.peek() {
            Some(open @ (b'{' | b'[')) => {
                self.pos += 1;
                let object = open == b'{';
                self.stack.push(object);
                self.expect = if object {
                    Expect::KeyOrClose
                } else {
                    Expect::ValueOrClose
                };
                let event = if object {
                    Event::MappingStart(0, None)
                } else {
                    Event::SequenceStart(0, None)
                };
                self.event(event, start, start + 1)
            }
            Some(b'"') => {
                let Some(text) = self.string() else {
                    return self.fail();
                };
                self.after_value();
                let end = self.blanks_after();
                self.event(
                    Event::Scalar(text, ScalarStyle::DoubleQuoted, 0, None),
                    start,
                    end,
                )
            }
            Some(b'-' | b'0'..=b'9') => {
                if !self.number() {
                    return self.fail();
                }
                self.plain(start)
            }
            Some(b't') => self.literal(start, "true"),
            Some(b'f') => self.literal(start, "false"),
            Some(b'n') => self.literal(start, "null"),
            _ => self.fail(),
        }
    }

    fn literal(&mut self, start: usize, word: &str) -> Option<Spanned<'a>> {
        if !self.src.get(start..).is_some_and(|r| r.starts_with(word)) {
            return self.fail();
        }
        self.pos = start + word.len();
        self.plain(start)
    }

    /// A plain scalar from `start` to `pos` (a number or a literal).
    fn plain(&mut self, start: usize) -> Option<Spanned<'a>> {
        let Some(text) = self.src.get(start..self.pos) else {
            return self.fail();
        };
        self.after_value();
        self.event(
            Event::Scalar(Cow::Borrowed(text), ScalarStyle::Plain, 0, None),
            start,
            self.pos,
        )
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `pos`; moves past it.
    fn number(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return false,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return false;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return false;
            }
            self.digits();
        }
        true
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// A string at `pos` (its opening quote): its content, borrowed when it has no
    /// escapes; `None` when it is not a JSON string. Moves past the closing quote.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let bytes = self.bytes();
        let start = self.pos + 1;
        let mut i = start;
        let mut owned: Option<String> = None;
        loop {
            let run = bytes.get(i..)?;
            let n = run
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            let chunk = self.src.get(i..i + n)?;
            i += n;
            match bytes.get(i)? {
                b'"' => {
                    self.pos = i + 1;
                    return Some(match owned {
                        Some(mut s) => {
                            s.push_str(chunk);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(self.src.get(start..i)?),
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(chunk);
                    let (ch, len) = escape(bytes.get(i + 1..)?)?;
                    s.push(ch);
                    i += 1 + len;
                }
                // A control character: not JSON.
                _ => return None,
            }
        }
    }
}

/// The character of the escape after a backslash (`rest` starts after it) and how many
/// bytes it takes (a lone surrogate is U+FFFD, as Go's decoder reads it); `None` for
/// what JSON does not allow.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let ch = match rest.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let first = hex4(rest.get(1..5)?)?;
            if (0xD800..0xE000).contains(&first) {
                if (0xD800..0xDC00).contains(&first) && rest.get(5..7) == Some(b"\\u") {
                    if let Some(low) = rest.get(7..11).and_then(hex4) {
                        if (0xDC00..0xE000).contains(&low) {
                            let c = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
                            return Some((char::from_u32(c)?, 11));
                        }
                    }
                }
                // A lone surrogate: Go's JSON decoder, and so the API server, reads it
                // as U+FFFD.
                return Some(('\u{FFFD}', 5));
            }
            return Some((char::from_u32(first)?, 5));
        }
        _ => return None,
    };
    Some((ch, 1))
}

fn hex4(digits: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(digits).ok()?;
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Whether `line` is the document marker `m`, alone or before a comment.
fn is_marker(line: &str, m: &str) -> bool {
    line.strip_prefix(m).is_some_and(|rest| {
        rest.is_empty()
            || (rest.starts_with([' ', '\t'])
                && matches!(
                    rest.trim_start_matches([' ', '\t']).chars().next(),
                    None | Some('#')
                ))
    })
}

/// Whether what follows the top-level value is only blank space, comment lines and `...`
/// marker lines. (A comment on the value's last line is left to the YAML reading: its
/// spans would differ.)
fn trailer_ok(rest: &str) -> bool {
    let (first, others) = rest.split_once('\n').unwrap_or((rest, ""));
    if !first.trim_end_matches([' ', '\t', '\r']).is_empty() {
        return false;
    }
    others.split('\n').all(|line| {
        let line = line.trim_end_matches('\r');
        let content = line.trim_start_matches([' ', '\t']);
        content.is_empty()
            || content.starts_with('#')
            || (content.len() == line.len() && is_marker(content, "..."))
    })
}

impl<'a> Iterator for JsonEvents<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        loop {
            match self.expect {
                Expect::Done => return None,
                Expect::Start => {
                    self.expect = Expect::Value;
                    let at = self.pos;
                    return self.event(Event::DocumentStart(false), at, at + 1);
                }
                Expect::End => {
                    self.expect = Expect::Done;
                    let rest = self.src.get(self.pos..).unwrap_or("");
                    if !trailer_ok(rest) {
                        return self.fail();
                    }
                    let end = self.src.len();
                    return self.event(Event::StreamEnd, end, end);
                }
                Expect::Value => {
                    self.skip_whitespace();
                    return self.value();
                }
                Expect::ValueOrClose | Expect::KeyOrClose | Expect::CommaOrClose => {
                    self.skip_whitespace();
                    let object = self.stack.last().copied().unwrap_or(false);
                    let close = if object { b'}' } else { b']' };
                    let at = self.pos;
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        self.stack.pop();
                        self.after_value();
                        let event = if object {
                            Event::MappingEnd
                        } else {
                            Event::SequenceEnd
                        };
                        let end = self.blanks_after();
                        return self.event(event, at, end);
                    }
                    self.expect = match (self.expect, object) {
                        (Expect::ValueOrClose, _) => Expect::Value,
                        (Expect::KeyOrClose, _) => Expect::Key,
                        _ if self.peek() == Some(b',') => {
                            self.pos += 1;
                            if object {
                                Expect::Key
                            } else {
                                Expect::Value
                            }
                        }
                        _ => return self.fail(),
                    };
                }
                Expect::Key => {
                    self.skip_whitespace();
                    let start = self.pos;
                    if self.peek() != Some(b'"') {
                        return self.fail();
                    }
                    let Some(text) = self.string() else {
                        return self.fail();
                    };
                    self.expect = Expect::Colon;
                    let end = self.blanks_after();
                    return self.event(
                        Event::Scalar(text, ScalarStyle::DoubleQuoted, 0, None),
                        start,
                        end,
                    );
                }
                Expect::Colon => {
                    self.skip_whitespace();
                    if self.peek() != Some(b':') {
                        return self.fail();
                    }
                    self.pos += 1;
                    self.expect = Expect::Value;
                }
            }
        }
    }
}
