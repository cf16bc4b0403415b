//! The block reader's scalars and flow values: plain scalars (folded over lines), quoted
//! scalars (escapes; folded over lines), literal and folded block scalars, `{}` and
//! one-line flow sequences, each read as the YAML parser (`saphyr-parser`'s scanner)
//! reads it, with its spans.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use super::{Bail, BlockEvents, Step};

impl<'a> BlockEvents<'a> {
    /// A value that starts at `at` on its line, in a collection at column `parent`.
    pub(super) fn value(&mut self, at: usize, end: usize, parent: usize) -> Step {
        match self.byte(at) {
            q @ (b'"' | b'\'') => {
                let (text, close, line_end) = self.quoted(at, end, q, Some(parent))?;
                let after = self.after_token(close, line_end)?;
                self.emit(Event::Scalar(text, quoted_style(q), 0, None), at, after);
                self.pos = self.next_line(line_end);
                Ok(())
            }
            b'|' | b'>' => self.block_scalar(at, end, parent),
            b'[' => self.flow_seq(at, end),
            b'{' => {
                let close = self.spaces(at + 1, end);
                if self.byte(close) != b'}' {
                    return Err(Bail);
                }
                let after = self.after_token(close + 1, end)?;
                self.emit(Event::MappingStart(0, None), at, close);
                self.emit(Event::MappingEnd, close, after);
                self.pos = self.next_line(end);
                Ok(())
            }
            c if can_start_plain(c, self.byte(at + 1)) => self.plain(at, end, parent),
            _ => Err(Bail),
        }
    }

    /// After a token that ends at `at`: its blanks and comment to the end of its line,
    /// which must hold nothing else. Returns where the token's span ends (the line's
    /// end, as the YAML parser's spans of quoted scalars and flow ends).
    fn after_token(&self, at: usize, end: usize) -> Result<usize, Bail> {
        let p = self.spaces(at, end);
        if p == end || (self.byte(p) == b'#' && p > at) {
            Ok(end)
        } else {
            Err(Bail)
        }
    }

    /// A quoted scalar opening with `q` at `at` on the line ending at `end`: its text,
    /// the offset after its closing quote and the end of that quote's line. With
    /// `parent` (the column of the collection it is a value of) it may go on over more
    /// indented lines, folded as the YAML parser folds them (`scan_flow_scalar`: a line
    /// break is a space, each blank line a `\n`, the blanks around a break dropped).
    fn quoted(
        &self,
        at: usize,
        end: usize,
        q: u8,
        parent: Option<usize>,
    ) -> Result<(Cow<'a, str>, usize, usize), Bail> {
        let mut owned: Option<String> = None;
        if let Some(close) = self.quoted_run(at + 1, end, q, &mut owned)? {
            let text = match owned {
                Some(s) => Cow::Owned(s),
                None => Cow::Borrowed(self.text(at + 1, close)?),
            };
            return Ok((text, close + 1, end));
        }
        let parent = parent.ok_or(Bail)?;
        let mut s = owned.unwrap_or_default();
        let mut line = self.next_line(end);
        loop {
            // (The text may not end inside the scalar.)
            let (breaks, found) = self.after_blank_lines(line);
            let Some((start, a, e)) = found else {
                return Err(Bail);
            };
            line = start;
            if a - line <= parent || self.byte(a) == b'\t' {
                return Err(Bail);
            }
            if breaks == 0 {
                s.push(' ');
            } else {
                s.extend(std::iter::repeat_n('\n', breaks));
            }
            let mut out = Some(s);
            let closed = self.quoted_run(a, e, q, &mut out)?;
            s = out.unwrap_or_default();
            if let Some(close) = closed {
                return Ok((Cow::Owned(s), close + 1, e));
            }
            line = self.next_line(e);
        }
    }

    /// The quoted text from `from` to the line's `end`, up to a closing quote `q`: the
    /// offset of that quote, or `None` when the line ends first (then `out` holds the
    /// text so far, without the line's trailing blanks). The text is added to `out`, which is made as soon as it differs from
    /// the source (an escape) or the line ends; while `out` is `None` the text is the
    /// source's, from `from`.
    pub(super) fn quoted_run(
        &self,
        from: usize,
        end: usize,
        q: u8,
        out: &mut Option<String>,
    ) -> Result<Option<usize>, Bail> {
        let mut run = from;
        let mut i = from;
        while i < end {
            match self.byte(i) {
                b'\'' if q == b'\'' && self.byte(i + 1) == b'\'' && i + 1 < end => {
                    out.get_or_insert_with(String::new)
                        .push_str(self.text(run, i + 1)?);
                    i += 2;
                    run = i;
                }
                c if c == q => {
                    if let Some(s) = out {
                        s.push_str(self.text(run, i)?);
                    }
                    return Ok(Some(i));
                }
                b'\\' if q == b'"' => {
                    let s = out.get_or_insert_with(String::new);
                    s.push_str(self.text(run, i)?);
                    let (c, len) = match self.byte(i + 1) {
                        _ if i + 1 >= end => return Err(Bail),
                        b'\\' => ('\\', 2),
                        b'"' => ('"', 2),
                        b'/' => ('/', 2),
                        b'n' => ('\n', 2),
                        b't' => ('\t', 2),
                        b'r' => ('\r', 2),
                        b'b' => ('\u{8}', 2),
                        b'f' => ('\u{c}', 2),
                        b'0' => ('\0', 2),
                        b'a' => ('\u{7}', 2),
                        b'v' => ('\u{b}', 2),
                        b'e' => ('\u{1b}', 2),
                        b' ' => (' ', 2),
                        b'u' if i + 6 <= end => {
                            let hex = self.text(i + 2, i + 6)?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return Err(Bail);
                            }
                            let n = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
                            (char::from_u32(n).ok_or(Bail)?, 6)
                        }
                        _ => return Err(Bail),
                    };
                    s.push(c);
                    i += len;
                    run = i;
                }
                b'\t' => return Err(Bail),
                _ => i += 1,
            }
        }
        // The blanks before a line break are dropped (the fold stands for them), but not
        // a space an escape wrote (`\ `, `\u0020`), which is already in `out`.
        out.get_or_insert_with(String::new)
            .push_str(self.text(run, end)?.trim_end_matches(' '));
        Ok(None)
    }

    /// A plain scalar at `at`, in a collection at column `parent`, and the lines that
    /// continue it.
    fn plain(&mut self, at: usize, end: usize, parent: usize) -> Step {
        let (mut text_end, mut commented) = self.plain_line(at, end)?;
        let mut owned: Option<String> = None;
        let len = self.bytes().len();
        let mut next = self.next_line(end);
        let stop;
        loop {
            let (breaks, found) = self.after_blank_lines(next);
            let Some((line, a, e)) = found else {
                stop = len;
                break;
            };
            next = line;
            let c = self.byte(a);
            if c == b'\t' {
                return Err(Bail);
            }
            if a - next <= parent {
                stop = next;
                break;
            }
            // A more indented line: it goes on with the scalar, which a comment may not
            // interrupt.
            if commented || c == b'#' {
                return Err(Bail);
            }
            let (line_end, line_comment) = self.plain_line(a, e)?;
            commented = line_comment;
            let s = match &mut owned {
                Some(s) => s,
                None => owned.insert(self.text(at, text_end)?.to_string()),
            };
            if breaks == 0 {
                s.push(' ');
            } else {
                s.extend(std::iter::repeat_n('\n', breaks));
            }
            s.push_str(self.text(a, line_end)?);
            text_end = line_end;
            next = self.next_line(e);
        }
        let text = match owned {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(self.text(at, text_end)?),
        };
        self.emit(
            Event::Scalar(text, ScalarStyle::Plain, 0, None),
            at,
            text_end,
        );
        self.pos = stop;
        Ok(())
    }

    /// One line of a plain scalar from `at` to `end`: where its text ends (blanks
    /// after it excluded), and whether a comment follows it.
    fn plain_line(&self, at: usize, end: usize) -> Result<(usize, bool), Bail> {
        let mut i = at;
        let mut cut = end;
        let mut commented = false;
        while i < end {
            match self.byte(i) {
                b':' if i + 1 == end || self.byte(i + 1) == b' ' => return Err(Bail),
                b'#' if i > at && self.byte(i - 1) == b' ' => {
                    cut = i;
                    commented = true;
                    break;
                }
                b'\t' => return Err(Bail),
                _ => {}
            }
            i += 1;
        }
        while cut > at && self.byte(cut - 1) == b' ' {
            cut -= 1;
        }
        Ok((cut, commented))
    }

    /// A block scalar whose header is at `at`, in a collection at column `parent`, read
    /// as the YAML parser reads it (`scan_block_scalar`).
    fn block_scalar(&mut self, at: usize, end: usize, parent: usize) -> Step {
        let literal = self.byte(at) == b'|';
        let mut p = at + 1;
        let chomp = self.byte(p);
        let (strip, keep) = match chomp {
            b'-' => (true, false),
            b'+' => (false, true),
            _ => (false, false),
        };
        if strip || keep {
            p += 1;
        }
        let q = self.spaces(p, end);
        if !(q == end || (self.byte(q) == b'#' && q > p)) {
            return Err(Bail);
        }
        let len = self.bytes().len();
        let mut ln = self.next_line(end);
        if ln >= len || end >= len {
            return Err(Bail);
        }
        let first_end = self.line_end(ln);
        let first = self.spaces(ln, first_end);
        let indent = first - ln;
        if first == first_end || indent <= parent || self.byte(first) == b'\t' {
            return Err(Bail);
        }
        let start_mark = first;
        let mut string = String::new();
        let mut leading_break = false;
        let mut trailing_breaks = 0usize;
        let mut leading_blank = false;
        let mut at_eof_after_text = false;
        // The offset of the current line's first character after its indentation.
        let mut cur = first;
        let mut cur_line = ln;
        loop {
            // `cur` is at column `indent` of a content line.
            let e = self.line_end(cur_line);
            let trailing_blank = matches!(self.byte(cur), b' ' | b'\t');
            if !literal && leading_break && !leading_blank && !trailing_blank {
                string.extend(std::iter::repeat_n('\n', trailing_breaks));
                if trailing_breaks == 0 {
                    string.push(' ');
                }
            } else {
                if leading_break {
                    string.push('\n');
                }
                string.extend(std::iter::repeat_n('\n', trailing_breaks));
            }
            leading_break = false;
            trailing_breaks = 0;
            leading_blank = trailing_blank;
            string.push_str(self.text(cur, e)?);
            if e >= len {
                at_eof_after_text = true;
                cur = len;
                break;
            }
            leading_break = true;
            ln = self.next_line(e);
            // The indentation and the empty lines after it.
            loop {
                if ln >= len {
                    cur = len;
                    break;
                }
                let le = self.line_end(ln);
                let mut s = ln;
                while s < le && s - ln < indent && self.byte(s) == b' ' {
                    s += 1;
                }
                if s == le {
                    if le >= len {
                        // Spaces at the end of the text, without a line break.
                        return Err(Bail);
                    }
                    trailing_breaks += 1;
                    ln = self.next_line(le);
                    continue;
                }
                cur = s;
                break;
            }
            if cur >= len || cur - ln != indent {
                break;
            }
            cur_line = ln;
        }
        if !strip {
            if leading_break {
                string.push('\n');
            }
            if at_eof_after_text {
                string.push('\n');
            }
        }
        if keep {
            string.extend(std::iter::repeat_n('\n', trailing_breaks));
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.emit(
            Event::Scalar(Cow::Owned(string), style, 0, None),
            start_mark,
            cur,
        );
        self.pos = if cur >= len { len } else { ln };
        Ok(())
    }

    /// A flow sequence of scalars on one line, `[` at `at`.
    fn flow_seq(&mut self, at: usize, end: usize) -> Step {
        let mut p = self.spaces(at + 1, end);
        self.emit(Event::SequenceStart(0, None), at, p);
        let mut first = true;
        loop {
            match self.byte(p) {
                b']' if first => break,
                q @ (b'"' | b'\'') => {
                    let (text, close, _) = self.quoted(p, end, q, None)?;
                    let after = self.spaces(close, end);
                    self.emit(Event::Scalar(text, quoted_style(q), 0, None), p, after);
                    p = after;
                }
                c if can_start_plain(c, self.byte(p + 1)) && !matches!(c, b':' | b'-' | b'?') => {
                    let item = p;
                    let mut e = p;
                    while e < end && !matches!(self.byte(e), b',' | b']') {
                        // (In a flow collection the YAML parser also refuses a `-`
                        // before `,` or `]`.)
                        if matches!(self.byte(e), b'[' | b'{' | b'}' | b'#' | b':' | b'\t')
                            || (self.byte(e) == b'-' && matches!(self.byte(e + 1), b',' | b']'))
                        {
                            return Err(Bail);
                        }
                        e += 1;
                    }
                    let after = e;
                    while e > item && self.byte(e - 1) == b' ' {
                        e -= 1;
                    }
                    self.emit(
                        Event::Scalar(
                            Cow::Borrowed(self.text(item, e)?),
                            ScalarStyle::Plain,
                            0,
                            None,
                        ),
                        item,
                        e,
                    );
                    p = after;
                }
                _ => return Err(Bail),
            }
            first = false;
            match self.byte(p) {
                b',' => {
                    p = self.spaces(p + 1, end);
                    if self.byte(p) == b']' {
                        return Err(Bail);
                    }
                }
                b']' => break,
                _ => return Err(Bail),
            }
        }
        let after = self.after_token(p + 1, end)?;
        self.emit(Event::SequenceEnd, p, after);
        self.pos = self.next_line(end);
        Ok(())
    }
}

pub(super) fn quoted_style(q: u8) -> ScalarStyle {
    if q == b'"' {
        ScalarStyle::DoubleQuoted
    } else {
        ScalarStyle::SingleQuoted
    }
}

/// Whether a plain scalar may start with `c` (followed by `next`) in block context:
/// not an indicator, except `-`, `?` and `:` before a non-blank.
pub(super) fn can_start_plain(c: u8, next: u8) -> bool {
    match c {
        b'-' | b'?' | b':' => !matches!(next, b' ' | b'\t' | b'\n' | b'\r'),
        b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' | b' ' | b'\t' => false,
        _ => true,
    }
}
