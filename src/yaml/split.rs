//! Cutting a YAML stream into documents at `---` and `...` marker lines, before parsing,
//! so that a document that does not parse leaves the others readable.

/// One document's byte range in the stream (after a leading BOM).
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk {
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Whether `line` (without its line break) is a document marker (`---` or `...`).
fn marker(line: &str, m: &str) -> bool {
    line.strip_prefix(m)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Cuts the stream into documents the way a YAML parser counts them: a `---` line opens a
/// document (an empty one counts), a `...` line closes one, and text before the first
/// `---` is a document only when it holds content (not only comments, directives and
/// blank lines).
pub(super) fn split_documents(s: &str) -> Vec<Chunk> {
    let bytes = s.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut explicit = false;
    let mut content = false;
    let mut pos = 0usize;
    while pos < s.len() {
        // A line ends at `\n`, `\r\n` or a lone `\r` (YAML line breaks).
        let line_end = bytes
            .get(pos..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
            .map_or(s.len(), |i| pos + i);
        let next = match bytes.get(line_end) {
            Some(b'\r') if bytes.get(line_end + 1) == Some(&b'\n') => line_end + 2,
            Some(_) => line_end + 1,
            None => line_end,
        };
        let line = s.get(pos..line_end).unwrap_or("");
        // A BOM may open any document of a stream (YAML 1.2, 5.2).
        let bare = line.strip_prefix('\u{feff}').unwrap_or(line);
        if marker(bare, "---") {
            if explicit || content {
                chunks.push(Chunk { start, end: pos });
                start = pos;
            }
            explicit = true;
            content = false;
        } else if marker(bare, "...") {
            if explicit || content {
                chunks.push(Chunk { start, end: next });
            }
            start = next;
            explicit = false;
            content = false;
        } else if !(explicit || content) {
            let t = bare.trim_start_matches([' ', '\t']);
            let directive = bare.starts_with('%');
            if !(t.is_empty() || t.starts_with('#') || directive) {
                content = true;
            }
        }
        pos = next;
    }
    if explicit || content {
        chunks.push(Chunk {
            start,
            end: s.len(),
        });
    }
    chunks
}
