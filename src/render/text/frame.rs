//! Code frames: the lines of a span, cut to a window on a long line, rendered with
//! annotate-snippets.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::position::LineIndex;
use crate::render::display_end;
use crate::yaml::Span;

/// A frame spanning more lines than this shows only its first line.
pub(super) const MAX_FRAME_LINES: usize = 6;
/// A line longer than this (bytes) is shown as a window around what it underlines, so a
/// frame costs the same on a one-line minified manifest as on a pretty one.
pub(super) const MAX_LINE_BYTES: usize = 240;
/// The context a window keeps on each side of what it underlines (bytes, widened to
/// character boundaries).
pub(super) const CONTEXT_BYTES: usize = 80;
/// At most this much of a long line is underlined.
pub(super) const MAX_UNDERLINE_BYTES: usize = 120;
/// What stands for the cut-off parts of a long line.
pub(super) const ELLIPSIS: &str = "...";

/// A code frame: the source lines and the byte range to underline within them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Frame {
    /// The lines shown, joined by `\n` (no line breaks of the file, no BOM).
    source: String,
    /// The 1-based number of the first line shown.
    first_line: usize,
    /// The underlined bytes of `source`.
    span: std::ops::Range<usize>,
}

/// The frame of `span`: its lines (only the first one when it spans more than
/// [`MAX_FRAME_LINES`]), with the span mapped into them. `None` for an empty file.
pub(super) fn frame(li: &LineIndex<'_>, span: Span) -> Option<Frame> {
    let start_offset = li.clamp(span.start);
    let first = li.line(start_offset);
    let mut end_offset = display_end(li, span);
    let mut last = li.line(end_offset).max(first);
    if last - first + 1 > MAX_FRAME_LINES {
        last = first;
        end_offset = li.line_end(first);
    }
    let mut source = String::new();
    let mut start = 0;
    let mut end = 0;
    for line in first..=last {
        let text = li.line_text(line);
        let line_start = li.line_start(line);
        // What this line underlines, relative to the line.
        let from = if line == first {
            start_offset.saturating_sub(line_start).min(text.len())
        } else {
            0
        };
        let to = if line == last {
            end_offset.saturating_sub(line_start).min(text.len())
        } else {
            text.len()
        };
        let (shown, cut, added, to) = window(text, from, to);
        let base = source.len();
        if line == first {
            start = base + from.saturating_sub(cut) + added;
        }
        if line == last {
            end = (base + to.saturating_sub(cut) + added).min(base + shown.len());
        }
        source.push_str(&shown);
        if line != last {
            source.push('\n');
        }
    }
    if source.is_empty() && first == 0 && li.line_text(0).is_empty() && last == 0 {
        // An empty first line is still a line to point at.
        return Some(Frame {
            source,
            first_line: 1,
            span: 0..0,
        });
    }
    let end = end.max(start);
    // Offsets came from char boundaries of the file and line lengths; keep them safe anyway.
    let start = floor_char_boundary(&source, start);
    let end = floor_char_boundary(&source, end);
    Some(Frame {
        source,
        first_line: first + 1,
        span: start..end,
    })
}

/// The part of a line a frame shows: the whole line when it is short; else a window of
/// [`CONTEXT_BYTES`] around `from..to` (cut at [`MAX_UNDERLINE_BYTES`]), with [`ELLIPSIS`]
/// where text was left out. Returns the text, the bytes of the line cut before it and the
/// bytes added before it (to map offsets of the line into it), and `to`, cut.
fn window(text: &str, from: usize, to: usize) -> (std::borrow::Cow<'_, str>, usize, usize, usize) {
    if text.len() <= MAX_LINE_BYTES {
        return (text.into(), 0, 0, to);
    }
    let to = to.max(from).min(from + MAX_UNDERLINE_BYTES);
    let lo = floor_char_boundary(text, from.saturating_sub(CONTEXT_BYTES));
    let hi = ceil_char_boundary(text, to + CONTEXT_BYTES);
    let mut out = String::with_capacity(hi - lo + 2 * ELLIPSIS.len());
    let added = if lo > 0 { ELLIPSIS.len() } else { 0 };
    if lo > 0 {
        out.push_str(ELLIPSIS);
    }
    out.push_str(text.get(lo..hi).unwrap_or(""));
    if hi < text.len() {
        out.push_str(ELLIPSIS);
    }
    (out.into(), lo, added, to)
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The frame and the trailing `= name: text` note, through annotate-snippets.
pub(super) fn render_group(
    renderer: &Renderer,
    level: Level<'static>,
    frame: Option<&Frame>,
    notes: &[(&str, &str)],
) -> String {
    let mut group = Group::with_level(level);
    if let Some(fr) = frame {
        group = group.element(
            Snippet::source(fr.source.as_str())
                .line_start(fr.first_line)
                .fold(false)
                .annotation(AnnotationKind::Primary.span(fr.span.clone())),
        );
    }
    for &(name, text) in notes {
        group = group.element(Level::HELP.with_name(name).message(text));
    }
    if frame.is_none() && notes.is_empty() {
        return String::new();
    }
    let mut s = renderer.render(&[group]);
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::LineIndex;
    use crate::yaml::Span;

    #[test]
    fn frame_ranges() {
        let text = "a:\n  b: 1\n  c: 2\nd: 3\n";
        let li = LineIndex::new(text);
        // A block node from line 2 to the start of line 4.
        let fr = frame(&li, Span::new(5, 17)).unwrap();
        assert_eq!(fr.first_line, 2);
        assert_eq!(fr.source, "  b: 1\n  c: 2");
        assert_eq!(&fr.source[fr.span.clone()], "b: 1\n  c: 2");
        // Past the end of the file.
        let fr = frame(&li, Span::new(100, 200)).unwrap();
        assert_eq!(fr.span, 0..0);
    }

    #[test]
    fn long_lines_show_a_window() {
        let mut text = String::from("{\"a\": [");
        for i in 0..500 {
            text.push_str(&format!("{{\"n\": \"é{i}\"}}, "));
        }
        let at = text.find("é250").unwrap();
        text.push_str("1]}\n");
        let li = LineIndex::new(&text);
        let fr = frame(&li, Span::new(at, at + "é250".len())).unwrap();
        assert!(
            fr.source.starts_with("...") && fr.source.ends_with("..."),
            "{fr:?}"
        );
        assert!(
            fr.source.len() < MAX_LINE_BYTES + 2 * CONTEXT_BYTES,
            "{fr:?}"
        );
        assert_eq!(&fr.source[fr.span.clone()], "é250");
        // A span at the start of the line keeps the line's start; a huge span is cut.
        let fr = frame(&li, Span::new(0, text.len() - 1)).unwrap();
        assert!(!fr.source.starts_with("...") && fr.source.ends_with("..."));
        assert_eq!(fr.span.len(), MAX_UNDERLINE_BYTES);
    }

    #[test]
    fn any_span_renders() {
        let text = "a: \"😀\tx\"\r\n\n  b: [1,\n   2]\r\nc: 日本";
        let li = LineIndex::new(text);
        let bounds: Vec<usize> = (0..=text.len() + 1).collect();
        for &s in &bounds {
            for &e in &bounds {
                let fr = frame(&li, Span::new(s, e)).unwrap();
                assert!(fr.source.get(fr.span.clone()).is_some(), "{s}..{e}");
                for renderer in [Renderer::plain(), Renderer::styled()] {
                    let out = render_group(&renderer, Level::ERROR, Some(&fr), &[("fix", "x")]);
                    assert!(out.contains('|'), "{s}..{e}: {out}");
                }
            }
        }
    }
}
