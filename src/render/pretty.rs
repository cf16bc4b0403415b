//! Pretty JSON at a depth: what the JSON report and the SARIF log write for each finding,
//! one write each, indented as `serde_json`'s pretty printer indents a value
//! that many levels down.

use serde::Serialize;

/// `value` as pretty JSON for a place `depth` levels deep: every line after the first
/// indented by two spaces per level, as `serde_json`'s pretty printer indents it there.
pub(crate) fn pretty<T: Serialize + ?Sized>(value: &T, depth: usize) -> Vec<u8> {
    let mut out = Vec::new();
    if append_pretty(&mut out, value, depth).is_err() {
        out = b"null".to_vec();
    }
    out
}

/// [`pretty`], written to `out` in one `write_all` (the JSON report and the SARIF log
/// write one finding at a time). `serde_json` writes each token on its own (a quote, a
/// key, a colon, an indentation); into a `Vec` that is a copy, into the command line's
/// buffered standard output a call through its layers each time, which cost more than
/// the bytes (10% of a whole `check --format json` of 10,000 generated workloads).
///
/// # Errors
/// The first error `out` returns (serializing the report's types cannot fail).
pub(crate) fn write_pretty<W: std::io::Write, T: Serialize + ?Sized>(
    mut out: W,
    value: &T,
    depth: usize,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    append_pretty(&mut buf, value, depth)?;
    out.write_all(&buf)
}

/// [`pretty`], added to `buf`.
///
/// # Errors
/// None in practice: serializing the report's types into a `Vec` cannot fail.
pub(crate) fn append_pretty<T: Serialize + ?Sized>(
    buf: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(buf, Indented::new(depth));
    value.serialize(&mut ser).map_err(std::io::Error::from)
}

/// `serde_json`'s `PrettyFormatter` (two spaces a level) for a value that starts `base`
/// levels deep: its lines are indented by `base` levels more.
struct Indented {
    base: usize,
    level: usize,
    has_value: bool,
}

impl Indented {
    fn new(base: usize) -> Self {
        Indented {
            base,
            level: 0,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        let mut n = 2 * (self.base + self.level);
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(SPACES.get(..k).unwrap_or_default())?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, b: &[u8]) -> std::io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b)
    }

    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// The same bytes as `serde_json`'s pretty printer, with two spaces per level of
    /// depth after each line break.
    #[test]
    fn indented_is_serde_json_pretty_at_a_depth() {
        let value = serde_json::json!({
            "a": [1, {"b": [], "c": {}, "d": [[], [2, 3]]}, "x\ny"],
            "e": {"f": null, "g": "h"},
            "i": []
        });
        for depth in [0, 1, 2, 5, 40] {
            let flat = serde_json::to_string_pretty(&value).unwrap();
            let expected = flat.replace('\n', &format!("\n{}", " ".repeat(2 * depth)));
            let got = String::from_utf8(super::pretty(&value, depth)).unwrap();
            assert_eq!(got, expected, "depth {depth}");
        }
        assert_eq!(super::pretty(&Vec::<u8>::new(), 3), b"[]");
        assert_eq!(super::pretty(&7, 3), b"7");
    }
}
