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
    split_with(s, Markers::new(s.as_bytes()))
}

fn split_with(s: &str, mut markers: Markers<'_>) -> Vec<Chunk> {
    let bytes = s.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut explicit = false;
    let mut content = false;
    let mut pos = 0usize;
    while pos < s.len() {
        if explicit || content {
            // Inside a document only a marker line changes anything: go to the next line
            // that may be one.
            match markers.next_candidate(pos) {
                Some(line) => pos = line,
                None => break,
            }
        }
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

/// Finds the lines that may be document markers, for [`split_documents`] inside a
/// document: those that begin with `---`, `...` or a BOM. A line starts after a `\n`, or
/// after a `\r` not followed by one, so that is a search for those three after a line
/// break, which skips the lines between markers without looking at each (a call per
/// line costs more than the search: ~2% of a check). The patterns that cannot match are
/// left out: a BOM's only when the text holds none, a lone `\r`'s when it holds none.
struct Markers<'a> {
    bytes: &'a [u8],
    /// Take every line in turn instead (the tests compare both ways).
    each_line: bool,
    /// For each pattern, where its next match starts (at or after the last search's
    /// position), or `None` when there is none; searched again once the position reaches
    /// it (at first, 0: searched on the first call).
    next: Vec<Option<usize>>,
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl<'a> Markers<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let bom = "\u{feff}";
        let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'));
        let any_bom = memchr::memmem::find(bytes, bom.as_bytes()).is_some();
        let breaks: &[&str] = if lone_cr { &["\n", "\r"] } else { &["\n"] };
        let markers: &[&str] = if any_bom {
            &["---", "...", bom]
        } else {
            &["---", "..."]
        };
        let finders: Vec<memchr::memmem::Finder<'static>> = breaks
            .iter()
            .flat_map(|b| markers.iter().map(move |m| format!("{b}{m}")))
            .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
            .collect();
        Markers {
            bytes,
            each_line: false,
            next: vec![Some(0); finders.len()],
            finders,
        }
    }

    /// The start of the first line at or after `line_start` (a line's first byte) that
    /// may be a marker, or `None` when no later line is one. `line_start` never goes
    /// back between calls.
    fn next_candidate(&mut self, line_start: usize) -> Option<usize> {
        if self.each_line || matches!(self.bytes.get(line_start), Some(b'-' | b'.' | 0xEF)) {
            return Some(line_start);
        }
        let mut first: Option<usize> = None;
        for (next, finder) in self.next.iter_mut().zip(&self.finders) {
            if next.is_some_and(|at| at <= line_start) {
                *next = self
                    .bytes
                    .get(line_start..)
                    .and_then(|rest| finder.find(rest))
                    .map(|i| line_start + i);
            }
            if let Some(at) = *next {
                first = Some(first.map_or(at, |f| f.min(at)));
            }
        }
        // After the line break.
        first.map(|at| at + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks' ranges, with every line taken in turn and with the searches.
    type Ranges = Vec<(usize, usize)>;

    fn both(s: &str) -> (Ranges, Ranges) {
        let ranges = |c: Vec<Chunk>| c.iter().map(|c| (c.start, c.end)).collect::<Vec<_>>();
        let each_line = Markers {
            each_line: true,
            ..Markers::new(s.as_bytes())
        };
        (ranges(split_with(s, each_line)), ranges(split_documents(s)))
    }

    #[test]
    fn the_searches_cut_where_each_line_cuts() {
        let cases = [
            "",
            "a: 1\n",
            "---\n",
            "---",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n---\nb: 2\n...\n# c\n---\nc: 3",
            "a: 1\n----\n--- \nb: 2\n---\tc\n...x\n... \nd: 1\n",
            "- a\n- b\n---\n- c\n.5\n...\n",
            "a: |\n  ---\n---\n\u{feff}---\nb: 1\n\u{feff}...\n",
            "# only a comment\n%YAML 1.2\n---\na: 1\n\n\n---\n\n",
            "x: 1\n---\n---\n---\n",
            "x\n\n\n\n---",
            "x\n.\n-\n\u{feff}\n---\ny\n",
            "a: 1\r---\rb: 2\r...\rc\r",
            "a: 1\r\n---\r\nb: 2\r\n--- \r\n\r\n...\r\n",
            "a: 1\n---\rb: 2\r\n---\nc: \"x\r\"\r\u{feff}---\r",
            "a: 1\r\r\r---\r\n\r...\n---",
        ];
        for case in cases {
            let (lines, searched) = both(case);
            assert_eq!(lines, searched, "{case:?}");
        }
        assert_eq!(both("a: 1\n---\nb: 2\n").1, vec![(0, 5), (5, 14)]);
    }

    #[test]
    fn the_searches_cut_the_real_corpus_where_each_line_cuts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                let (lines, searched) = both(&text);
                assert_eq!(lines, searched, "{}", entry.path().display());
                n += 1;
            }
        }
        assert!(n > 10, "{n} files");
    }
}
