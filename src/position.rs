//! Byte offsets to lines and columns, in the unit each front end needs.
//!
//! The core works in **byte offsets** into the UTF-8 text (every span of the YAML layer,
//! every finding and error entry). Front ends show positions in their own units, and each
//! converts once, at its edge, with a [`LineIndex`]:
//!
//! | front end | line | column | offset |
//! |---|---|---|---|
//! | CLI text and JSON report | 1-based | 1-based, [`Unit::Char`] | bytes |
//! | JS API | 1-based | 1-based, [`Unit::Utf16`] | [`Unit::Utf16`] |
//! | SARIF | 1-based | 1-based, [`Unit::Utf16`] | — |
//! | language server | 0-based | 0-based, [`Unit::Utf16`] or [`Unit::Byte`] | — |
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as in YAML. A UTF-8 byte order mark at the
//! start of the text belongs to no column: the first line starts after it (offsets still
//! count it).
//!
//! Every conversion costs O(log lines) plus at most [`BLOCK`] bytes of counting, whatever
//! the length of the line, so a one-line minified manifest is as cheap as a pretty one.

/// How columns and offsets are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// UTF-8 bytes.
    Byte,
    /// Unicode scalar values (Rust `char`s).
    Char,
    /// UTF-16 code units (JavaScript strings, SARIF's `utf16CodeUnits`, LSP's default).
    Utf16,
}

/// A 0-based line and a 0-based column counted in some [`Unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    /// Line, 0-based.
    pub line: usize,
    /// Column from the start of the line, 0-based, in the unit asked for.
    pub column: usize,
}

/// Bytes per block of the counting table: a conversion counts at most this many bytes.
pub const BLOCK: usize = 512;

/// Maps byte offsets of one text to lines and columns (see the module docs).
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset where each line starts; `starts[0]` is 0, or 3 after a BOM.
    starts: Vec<usize>,
    /// For text that is not ASCII: `(chars, utf16 units)` before byte `i * BLOCK`. Empty
    /// for ASCII text, where all three units agree.
    blocks: Vec<(usize, usize)>,
}

/// A text's [`LineIndex`], built on first use: what the engine hands the checks that may
/// name a line in a message (a duplicate key's hidden lines, a near miss's line), so a
/// text whose messages name none is never indexed. Shared by the threads that check the
/// documents of one text (`OnceLock`: the first to need the index builds it).
#[derive(Debug, Clone)]
// `OnceLock` is disallowed for statics (the OPA host resets the heap between calls);
// this one lives in a value on the stack of one check.
#[allow(clippy::disallowed_types)]
pub struct Lines<'t> {
    text: &'t str,
    index: std::sync::OnceLock<LineIndex<'t>>,
}

impl<'t> Lines<'t> {
    /// The lines of `text`, not indexed yet.
    #[allow(clippy::disallowed_types)]
    pub fn new(text: &'t str) -> Self {
        Lines {
            text,
            index: std::sync::OnceLock::new(),
        }
    }

    /// The text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The index, built on the first call ([`LineIndex::new`]).
    pub fn index(&self) -> &LineIndex<'t> {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }

    /// The 0-based line of byte `offset` ([`LineIndex::line`]).
    pub fn line(&self, offset: usize) -> usize {
        self.index().line(offset)
    }
}

/// Characters and UTF-16 code units in `bytes`, which need not start or end on a character
/// boundary: a character is counted at its first byte (every byte but the continuation
/// bytes `0b10xx_xxxx`), and a four-byte character (lead byte `0xF0` and up) is two UTF-16
/// code units. So any split of a text adds up to the text's counts.
fn count(bytes: &[u8]) -> (usize, usize) {
    if bytes.is_ascii() {
        return (bytes.len(), bytes.len());
    }
    let mut chars = 0;
    let mut astral = 0;
    for &b in bytes {
        chars += usize::from((b as i8) >= -0x40);
        astral += usize::from(b >= 0xF0);
    }
    (chars, chars + astral)
}

impl<'t> LineIndex<'t> {
    /// Indexes `text`: one pass for the line starts, and one more over text that is not
    /// ASCII for the counting table (about 1/32 of the text's size).
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![if text.starts_with('\u{feff}') { 3 } else { 0 }];
        starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&i| !(bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n')))
                .map(|i| i + 1),
        );
        starts.shrink_to_fit();
        let mut blocks = Vec::new();
        if !text.is_ascii() {
            blocks.reserve(bytes.len() / BLOCK + 1);
            let (mut chars, mut units) = (0, 0);
            for chunk in bytes.chunks(BLOCK) {
                blocks.push((chars, units));
                let (c, u) = count(chunk);
                chars += c;
                units += u;
            }
            // The end of the text too: a text whose length is a multiple of BLOCK has no
            // block starting at its end.
            blocks.push((chars, units));
        }
        LineIndex {
            text,
            starts,
            blocks,
        }
    }

    /// The text this index was built from.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// How many lines the text has (at least 1; a text ending in a line break has an
    /// empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The 0-based line holding byte `offset` (clamped to the text). Offsets inside a
    /// leading byte order mark are on line 0.
    pub fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based `line` starts (the text's length past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Byte offset where 0-based `line` ends, before its line break.
    pub fn line_end(&self, line: usize) -> usize {
        let start = self.line_start(line);
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len())
            .max(start);
        let bytes = self.text.as_bytes();
        let mut end = next;
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        end
    }

    /// The text of 0-based `line`, without its line break (`""` past the last line).
    pub fn line_text(&self, line: usize) -> &'t str {
        let start = self.line_start(line);
        self.text.get(start..self.line_end(line)).unwrap_or("")
    }

    /// `(chars, utf16 units)` before byte `offset` (a character boundary).
    fn counts_before(&self, offset: usize) -> (usize, usize) {
        if self.blocks.is_empty() {
            return (offset, offset);
        }
        let block = offset / BLOCK;
        let (chars, units) = self.blocks.get(block).copied().unwrap_or_default();
        let from = block * BLOCK;
        let (c, u) = count(self.text.as_bytes().get(from..offset).unwrap_or_default());
        (chars + c, units + u)
    }

    /// How many `unit`s there are from byte `from` to byte `to` (both clamped, `to` not
    /// before `from`).
    pub fn measure(&self, from: usize, to: usize, unit: Unit) -> usize {
        let from = self.clamp(from);
        let to = self.clamp(to).max(from);
        match unit {
            Unit::Byte => to - from,
            Unit::Char => self.counts_before(to).0 - self.counts_before(from).0,
            Unit::Utf16 => self.counts_before(to).1 - self.counts_before(from).1,
        }
    }

    /// Byte `offset` re-expressed in `unit` from the start of the text (a byte order mark
    /// counts: it is one character and one UTF-16 code unit of a JavaScript string).
    pub fn offset(&self, offset: usize, unit: Unit) -> usize {
        self.measure(0, offset, unit)
    }

    /// The 0-based line and 0-based column (in `unit`) of byte `offset`, clamped to the
    /// text and to a character boundary.
    pub fn line_col(&self, offset: usize, unit: Unit) -> LineCol {
        let offset = self.clamp(offset);
        let line = self.line(offset);
        let start = self.line_start(line).min(offset);
        LineCol {
            line,
            column: self.measure(start, offset, unit),
        }
    }

    /// The byte offset of a 0-based line and column counted in `unit`, the inverse of
    /// [`LineIndex::line_col`]. A line past the last is the end of the text; a column past
    /// the end of its line is the line's end; a column inside a character (a UTF-16
    /// column between the two halves of a surrogate pair) is that character's start.
    pub fn byte_offset(&self, at: LineCol, unit: Unit) -> usize {
        if at.line >= self.starts.len() {
            return self.text.len();
        }
        let start = self.line_start(at.line);
        let line = self.line_text(at.line);
        match unit {
            Unit::Byte => self.clamp(start + at.column.min(line.len())),
            Unit::Char | Unit::Utf16 => {
                let mut left = at.column;
                for (i, ch) in line.char_indices() {
                    let width = if unit == Unit::Char {
                        1
                    } else {
                        ch.len_utf16()
                    };
                    if left < width {
                        return start + i;
                    }
                    left -= width;
                }
                start + line.len()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_in_each_unit() {
        let t = "a: 1\nb: 😀 x\r\nc: 3";
        let li = LineIndex::new(t);
        assert_eq!(li.line_count(), 3);
        let x = t.find('x').unwrap();
        assert_eq!(li.line_col(x, Unit::Byte), LineCol { line: 1, column: 8 });
        assert_eq!(li.line_col(x, Unit::Char), LineCol { line: 1, column: 5 });
        assert_eq!(li.line_col(x, Unit::Utf16), LineCol { line: 1, column: 6 });
        assert_eq!(li.offset(x, Unit::Utf16), 11);
        assert_eq!(li.offset(x, Unit::Char), 10);
        assert_eq!(li.line_text(1), "b: 😀 x");
        assert_eq!(li.line_text(2), "c: 3");
        assert_eq!(li.line_text(9), "");
        assert_eq!(li.line(t.find('c').unwrap()), 2);
        // Inside the emoji: clamped back to its first byte.
        assert_eq!(li.line_col(t.find('😀').unwrap() + 2, Unit::Char).column, 3);
    }

    #[test]
    fn bom_is_no_column_but_an_offset() {
        let t = "\u{feff}a: é";
        let li = LineIndex::new(t);
        assert_eq!(li.line_col(3, Unit::Char), LineCol { line: 0, column: 0 });
        assert_eq!(li.line_col(0, Unit::Char), LineCol { line: 0, column: 0 });
        assert_eq!(li.offset(3, Unit::Utf16), 1);
        assert_eq!(li.offset(t.len(), Unit::Utf16), 5);
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let li = LineIndex::new("a\rb\r\nc\n");
        assert_eq!(li.line_count(), 4);
        assert_eq!(li.line_text(0), "a");
        assert_eq!(li.line_text(1), "b");
        assert_eq!(li.line_text(2), "c");
        assert_eq!(li.line_text(3), "");
    }

    #[test]
    fn long_lines_count_by_blocks() {
        // Block boundaries fall inside multi-byte characters: counts still add up.
        let mut t = String::from("k: ");
        for i in 0..5000 {
            t.push(if i % 3 == 0 { '😀' } else { 'é' });
            t.push('a');
        }
        let li = LineIndex::new(&t);
        for (i, _) in t.char_indices().step_by(97) {
            let before = t.get(..i).unwrap();
            assert_eq!(li.offset(i, Unit::Char), before.chars().count());
            assert_eq!(li.offset(i, Unit::Utf16), before.encode_utf16().count());
            let lc = li.line_col(i, Unit::Utf16);
            assert_eq!(li.byte_offset(lc, Unit::Utf16), i);
            let lc = li.line_col(i, Unit::Char);
            assert_eq!(li.byte_offset(lc, Unit::Char), i);
        }
    }

    #[test]
    fn the_end_of_a_text_of_whole_blocks() {
        // Found by the fuzzer: a non-ASCII text whose length is a multiple of BLOCK.
        for len in [BLOCK, 2 * BLOCK, 3 * BLOCK + 1] {
            let mut t = "é".repeat(5);
            t.push_str(&"x".repeat(len - t.len()));
            let li = LineIndex::new(&t);
            assert_eq!(li.offset(t.len(), Unit::Char), t.chars().count(), "{len}");
            assert_eq!(li.offset(t.len(), Unit::Utf16), t.encode_utf16().count());
            assert_eq!(li.measure(3, t.len(), Unit::Char), t.chars().count() - 1);
        }
    }

    #[test]
    fn byte_offset_clamps() {
        let t = "ab\n😀c\n";
        let li = LineIndex::new(t);
        let at = |line, column, unit| li.byte_offset(LineCol { line, column }, unit);
        assert_eq!(at(1, 1, Unit::Utf16), 3, "inside the surrogate pair");
        assert_eq!(at(1, 2, Unit::Utf16), 7);
        assert_eq!(at(1, 99, Unit::Char), 8);
        assert_eq!(at(0, 99, Unit::Byte), 2);
        assert_eq!(at(7, 0, Unit::Byte), t.len());
    }
}
