//! A mutator that knows YAML: half the time libFuzzer's own byte-level mutation, half the
//! time an edit a person (or an attacker) makes to a manifest: re-indent a line, duplicate
//! or swap lines, add an anchor and an alias, a merge key, a tag, an edge value of YAML 1.1
//! (`yes`, `0644`, `~`, `.inf`, a quoted `"true"`), a document marker.

/// Values that Kubernetes' YAML 1.1 reading turns into something else than they look.
const EDGE_VALUES: &[&str] = &[
    "yes",
    "on",
    "y",
    "NO",
    "off",
    "~",
    "null",
    "0644",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "-0",
    "1e3",
    ".inf",
    "-.Inf",
    ".nan",
    "\"true\"",
    "'0'",
    "[]",
    "{}",
    "\"\"",
    "true",
    "false",
    "0",
    "-1",
    "9223372036854775808",
    "😀",
    "\"\\u0000\"",
    "|\n  a\n  b",
    ">-\n  folded",
    "!!str 1",
    "!!int \"7\"",
    "!!bool yes",
    "&x 1",
    "*x",
    "[*x, *x]",
];

/// Lines an attacker adds.
const EDGE_LINES: &[&str] = &[
    "---",
    "...",
    "<<: *a0",
    "<<: [*a0, *a1]",
    "? k\n: v",
    "privileged: true",
    "securityContext: {privileged: true, runAsUser: 0}",
    "hostPID: true",
    "kind: List",
    "items: [*a0, *a0, *a0]",
    "%YAML 1.1",
    "# comment 😀",
    "\u{feff}",
    "\t",
];

/// A small deterministic generator (xorshift), seeded by libFuzzer.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.next() as usize % n
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

/// Mutates `data[..size]` in place (at most `max_size` bytes) and returns the new size.
pub fn yaml(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> usize {
    let mut rng = Rng(seed | 1);
    if rng.next() % 2 == 0 {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let text = String::from_utf8_lossy(data.get(..size).unwrap_or_default()).into_owned();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let n = lines.len();
    let i = rng.below(n);
    let j = rng.below(n);
    match rng.below(8) {
        // Re-indent a line by two spaces either way.
        0 => {
            if let Some(l) = lines.get_mut(i) {
                if rng.next() % 2 == 0 {
                    l.insert_str(0, "  ");
                } else if let Some(rest) = l.strip_prefix("  ") {
                    *l = rest.to_string();
                }
            }
        }
        // Duplicate a line (a duplicate key, most of the time).
        1 => {
            if let Some(l) = lines.get(i).cloned() {
                lines.insert(j.min(lines.len()), l);
            }
        }
        // Swap two lines.
        2 => lines.swap(i.min(n.saturating_sub(1)), j.min(n.saturating_sub(1))),
        // Anchor a value and alias it elsewhere.
        3 => {
            let name = format!("a{}", rng.below(2));
            if let Some(l) = lines.get_mut(i) {
                if let Some(at) = l.find(": ") {
                    l.insert_str(at + 2, &format!("&{name} "));
                }
            }
            if let Some(l) = lines.get_mut(j) {
                if let Some(at) = l.find(": ") {
                    l.truncate(at + 2);
                    l.push_str(&format!("*{name}"));
                }
            }
        }
        // An edge value for a key's value.
        4 | 5 => {
            let v = rng.pick(EDGE_VALUES);
            if let Some(l) = lines.get_mut(i) {
                match l.find(": ") {
                    Some(at) => {
                        l.truncate(at + 2);
                        l.push_str(v);
                    }
                    None => l.push_str(v),
                }
            }
        }
        // A line an attacker adds, at the indentation of its neighbour.
        6 => {
            let indent: String = lines
                .get(i)
                .map(|l| l.chars().take_while(|c| *c == ' ').collect())
                .unwrap_or_default();
            let line = format!("{indent}{}", rng.pick(EDGE_LINES));
            lines.insert(i.min(lines.len()), line);
        }
        // Delete a line.
        _ => {
            if i < lines.len() && lines.len() > 1 {
                lines.remove(i);
            }
        }
    }
    let out = lines.join("\n");
    let len = out.len().min(max_size).min(data.len());
    if let (Some(dst), Some(src)) = (data.get_mut(..len), out.as_bytes().get(..len)) {
        dst.copy_from_slice(src);
    }
    len
}
