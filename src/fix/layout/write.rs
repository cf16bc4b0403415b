//! New text as the document writes it: plain or quoted scalars, flow and block YAML,
//! JSON members and values.

use super::moves::Moved;
use super::*;

impl Layout<'_, '_> {
    /// A new scalar as this document writes it.
    pub(super) fn scalar(&self, v: &J) -> String {
        match v {
            J::String(s) if !self.is_json() && plain_ok(s) => s.clone(),
            other => json_text(other),
        }
    }

    pub(super) fn key(&self, k: &str) -> String {
        if !self.is_json() && plain_ok(k) {
            k.to_string()
        } else {
            json_text(&J::String(k.to_string()))
        }
    }

    /// A value in flow style: `{a: b, c: [d]}` (YAML), or one-line JSON in a JSON
    /// document (its keys and scalars are JSON there).
    pub(super) fn flow(&self, v: &J) -> String {
        let sep = ": ";
        match v {
            J::Object(m) => {
                let inner: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}{sep}{}", self.key(k), self.flow(v)))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            J::Array(items) => {
                let inner: Vec<String> = items.iter().map(|v| self.flow(v)).collect();
                format!("[{}]", inner.join(", "))
            }
            s => self.scalar(s),
        }
    }

    /// Block-style lines for `fields` at indentation `indent`, then the entries `moved`
    /// (paths below this level) whose key is at this level: their own text re-indented,
    /// or their value written as the other fields.
    pub(super) fn block(
        &self,
        fields: &Map<String, J>,
        moved: &[(&[String], &Moved)],
        indent: usize,
        style: (usize, usize),
        eol: &str,
        out: &mut String,
    ) {
        for (k, v) in fields {
            let below: Vec<(&[String], &Moved)> = moved
                .iter()
                .filter_map(|(p, m)| match p.split_first() {
                    Some((head, rest)) if head == k && !rest.is_empty() => Some((rest, *m)),
                    _ => None,
                })
                .collect();
            self.field(k, v, &below, indent, style, eol, out);
        }
        for (p, m) in moved {
            let [key] = p else { continue };
            match &m.text {
                Some(text) => {
                    text.reindented(indent, eol, out);
                    let child = indent + text.child.unwrap_or(style.0);
                    self.block(&m.extra, &[], child, style, eol, out);
                }
                None => self.field(key, &m.value, &[], indent, style, eol, out),
            }
        }
    }

    /// One field's block-style lines (see [`Layout::block`]).
    #[allow(clippy::too_many_arguments)]
    fn field(
        &self,
        k: &str,
        v: &J,
        moved: &[(&[String], &Moved)],
        indent: usize,
        style: (usize, usize),
        eol: &str,
        out: &mut String,
    ) {
        let (unit, seq) = style;
        out.push_str(&" ".repeat(indent));
        out.push_str(&self.key(k));
        match v {
            J::Object(m) if !m.is_empty() || !moved.is_empty() => {
                out.push(':');
                out.push_str(eol);
                self.block(m, moved, indent + unit, style, eol, out);
            }
            J::Array(items) if !items.is_empty() => {
                out.push(':');
                out.push_str(eol);
                for item in items {
                    out.push_str(&" ".repeat(indent + seq));
                    out.push_str("- ");
                    out.push_str(&self.flow(item));
                    out.push_str(eol);
                }
            }
            other => {
                out.push_str(": ");
                out.push_str(&self.flow(other));
                out.push_str(eol);
            }
        }
    }

    /// JSON members for `fields`, one per line at `indent`, nested objects likewise.
    pub(super) fn json_members(
        &self,
        fields: &Map<String, J>,
        indent: &str,
        unit: &str,
        eol: &str,
    ) -> Vec<String> {
        fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{indent}{}: {}",
                    json_text(&J::String(k.clone())),
                    self.json_value(v, indent, unit, eol)
                )
            })
            .collect()
    }

    pub(super) fn json_value(&self, v: &J, indent: &str, unit: &str, eol: &str) -> String {
        match v {
            J::Object(m) if !m.is_empty() => {
                let inner = format!("{indent}{unit}");
                let members = self.json_members(m, &inner, unit, eol);
                // On one line (no `eol`): a space after each `,`, as `json_text` writes.
                let sep = if eol.is_empty() {
                    ", ".to_string()
                } else {
                    format!(",{eol}")
                };
                format!("{{{eol}{}{eol}{indent}}}", members.join(&sep))
            }
            other => json_text(other),
        }
    }
}

/// Whether a string can be written as a plain YAML scalar that reads back as that string.
pub(super) fn plain_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !s.starts_with('-')
        && crate::yaml::resolve_plain(s) == Resolved::Str
}

/// A JSON value on one line, with a space after each `:` and `,` (as people write it).
/// Our own, small: the browser module does not carry `serde_json`'s writer. The values of
/// fixes are booleans, integers, strings, and lists and mappings of them.
pub(in crate::fix) fn json_text(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => if *b { "true" } else { "false" }.into(),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => "null".into(),
        },
        J::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        J::Array(items) => {
            let inner: Vec<String> = items.iter().map(json_text).collect();
            format!("[{}]", inner.join(", "))
        }
        J::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", json_text(&J::String(k.clone())), json_text(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}
