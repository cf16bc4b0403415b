//! Byte offsets of the core ↔ LSP positions (0-based line, 0-based character in the
//! negotiated encoding), through [`LineIndex`].

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::position::{LineCol, LineIndex, Unit};
use crate::yaml::Span;

/// The negotiated `positionEncoding`: UTF-8 when the client offers it (the core's own
/// unit, nothing to count), else UTF-16, the protocol's default that every client
/// supports.
pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Unit {
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Unit::Byte,
        _ => Unit::Utf16,
    }
}

/// The protocol's name of `unit`.
pub(crate) fn encoding_kind(unit: Unit) -> PositionEncodingKind {
    match unit {
        Unit::Byte => PositionEncodingKind::UTF8,
        Unit::Char => PositionEncodingKind::UTF32,
        Unit::Utf16 => PositionEncodingKind::UTF16,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The width of a leading byte order mark in `unit`, 0 without one. The core's
/// [`LineIndex`] counts no column for it (as a report's columns should not), but in LSP
/// the client's text is the text: a BOM it sent is a character of line 0, which its
/// positions count.
fn bom(li: &LineIndex<'_>, unit: Unit) -> usize {
    if !li.text().starts_with('\u{feff}') {
        return 0;
    }
    match unit {
        Unit::Byte => '\u{feff}'.len_utf8(),
        Unit::Char | Unit::Utf16 => 1,
    }
}

/// The position of byte `offset`.
pub(crate) fn position(li: &LineIndex<'_>, offset: usize, unit: Unit) -> Position {
    let mut at = li.line_col(offset, unit);
    if at.line == 0 && li.clamp(offset) > 0 {
        at.column += bom(li, unit);
    }
    Position::new(to_u32(at.line), to_u32(at.column))
}

/// The range of byte span `span`.
pub(crate) fn range(li: &LineIndex<'_>, span: Span, unit: Unit) -> Range {
    Range::new(
        position(li, span.start, unit),
        position(li, span.end.max(span.start), unit),
    )
}

/// The byte offset of `pos`: a line past the last is the end of the text, a character
/// past the end of its line is the line's end (as the protocol says), a character inside
/// a UTF-16 surrogate pair or a UTF-8 sequence is that character's start.
pub(crate) fn offset(li: &LineIndex<'_>, pos: Position, unit: Unit) -> usize {
    let bom = bom(li, unit);
    if pos.line == 0 && bom > 0 {
        // Before the BOM, or inside its UTF-8 sequence: the text's start.
        let Some(column) = (pos.character as usize).checked_sub(bom) else {
            return 0;
        };
        return li.byte_offset(LineCol { line: 0, column }, unit);
    }
    li.byte_offset(
        LineCol {
            line: pos.line as usize,
            column: pos.character as usize,
        },
        unit,
    )
}

/// The byte span of `range` (its end moved to its start if it comes before it).
pub(crate) fn span(li: &LineIndex<'_>, r: Range, unit: Unit) -> Span {
    let start = offset(li, r.start, unit);
    let end = offset(li, r.end, unit).max(start);
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_each_encoding() {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 UTF-16 units.
        let text = "a: é😀x\nb: 1\n";
        let li = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(position(&li, x, Unit::Byte), Position::new(0, 9));
        assert_eq!(position(&li, x, Unit::Utf16), Position::new(0, 6));
        assert_eq!(offset(&li, Position::new(0, 6), Unit::Utf16), x);
        assert_eq!(offset(&li, Position::new(0, 9), Unit::Byte), x);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(offset(&li, Position::new(0, 5), Unit::Utf16), x - 4);
        // Past the end of a line: the line's end; past the last line: the text's end.
        assert_eq!(
            offset(&li, Position::new(1, 99), Unit::Utf16),
            text.len() - 1
        );
        assert_eq!(offset(&li, Position::new(9, 0), Unit::Utf16), text.len());
    }

    #[test]
    fn a_bom_is_a_character_of_line_0() {
        let text = "\u{feff}a: é\nb: 1\n";
        let li = LineIndex::new(text);
        let a = 3;
        let e = text.find('é').unwrap();
        assert_eq!(position(&li, 0, Unit::Utf16), Position::new(0, 0));
        assert_eq!(position(&li, a, Unit::Utf16), Position::new(0, 1));
        assert_eq!(position(&li, e, Unit::Utf16), Position::new(0, 4));
        assert_eq!(position(&li, e, Unit::Byte), Position::new(0, 6));
        assert_eq!(offset(&li, Position::new(0, 0), Unit::Utf16), 0);
        assert_eq!(offset(&li, Position::new(0, 1), Unit::Utf16), a);
        assert_eq!(offset(&li, Position::new(0, 4), Unit::Utf16), e);
        assert_eq!(offset(&li, Position::new(0, 2), Unit::Byte), 0);
        assert_eq!(offset(&li, Position::new(0, 6), Unit::Byte), e);
        // Other lines are as without a BOM.
        let b = text.find('b').unwrap();
        assert_eq!(position(&li, b, Unit::Utf16), Position::new(1, 0));
        assert_eq!(offset(&li, Position::new(1, 0), Unit::Utf16), b);
    }

    #[test]
    fn negotiation_prefers_utf8() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(negotiate(Some(&both)), Unit::Byte);
        assert_eq!(negotiate(Some(&[PositionEncodingKind::UTF32])), Unit::Utf16);
        assert_eq!(negotiate(None), Unit::Utf16);
    }
}
