//! The block reader (`src/yaml/block_text/`) against the YAML parser: every document it
//! takes is read to the same tree, node for node and span for span (both `Debug`-printed),
//! and it takes the documents real manifests are made of. The `block` fuzz target checks
//! the same on any input.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use kube_secctx::yaml::{block_and_yaml_readings, split_stream, Limits};

#[path = "../benches/common/workloads.rs"]
mod workloads;

/// Each document of `text`, and of `text` with Windows line endings (`\r\n`): whether
/// the block reader took it (and then agreed). It takes the same documents either way.
fn documents_taken(text: &str, what: &str) -> (usize, usize, usize, usize) {
    let lf = documents_taken_as_is(text, what);
    if !text.contains('\r') {
        let crlf = text.replace('\n', "\r\n");
        let taken = documents_taken_as_is(&crlf, &format!("{what} with \\r\\n"));
        assert_eq!((taken.0, taken.1), (lf.0, lf.1), "{what} with \\r\\n");
    }
    lf
}

fn documents_taken_as_is(text: &str, what: &str) -> (usize, usize, usize, usize) {
    let split = split_stream(text, &Limits::default());
    let (mut taken, mut left, mut taken_bytes, mut all_bytes) = (0, 0, 0, 0);
    for i in 0..split.len() {
        let span = split.span(i).unwrap();
        let doc = &text[span.start..span.end];
        all_bytes += doc.len();
        match block_and_yaml_readings(doc) {
            Some((block, yaml)) => {
                assert_eq!(block, yaml, "{what}, document {i}:\n{doc}");
                taken += 1;
                taken_bytes += doc.len();
            }
            None => left += 1,
        }
    }
    (taken, left, taken_bytes, all_bytes)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}

/// The constructs of the subset, one at a time and together: each is taken and agrees.
#[test]
fn the_subset_is_read_as_the_yaml_parser_reads_it() {
    let taken = [
        "apiVersion: v1\nkind: Pod   # comment\nmetadata:\n  name: x\n  labels: {}\n",
        "---\na: 1\n...\n# after\n",
        "--- # a comment on the marker\na: 1\n",
        "# leading comment\n\n---\na: b\n",
        "a:\n- x\n- y\nb: z\n",
        "a:\n  - x\n  -\nc:",
        "a:\n- a # comment\n- # comment\n-   \n-\n- k:\n  l:   # c\n  m:  \nb: x\n  y\n",
        "spec:\n  containers:\n  - name: a\n    args: [\"a\", b, 'c d']\n    e: [ ]\n  - - nested\n    - x\n",
        "a: 'q'  # c\nb: \"d\"  \nc: 'it''s'\nd: \"t\\tab \\\"q\\\" \\u00e9 \\/\"\n",
        "\"quoted key\": 1\n'single': 2\n",
        "g: |\n  lit\n# comment\nh: >\n  fold\n\n  more\n    ind\n  end\n\n# c2\ni: |+\n  keep\n\nj: |-\n  strip\n\nk: x\n",
        "a: |\n  no final line break",
        "a: >-\n  one\n  two\n\n\n  three\n",
        "z: multi\n  line\n\n  plain\n",
        "description:\n  On the next line,\n  and over two.\nnext: x\n",
        "description: 'single\n  over lines'\nd2: \"double\n\n  with a blank line \\\"and\\\" escapes\"\n",
        "list:\n  -\n    nested: map\n  - - a\n    - b\n",
        "url: http://example.com:8080/a#frag\nkey:with:colons: v\n",
        "a: x\n  y # comment ends it\nb: c\n",
        "empty:\n",
        "m:\n  {}\nn:\n  []\n",
        "<<: {}\nnull: ~\ntrue: yes\n1: 0x1F\n",
        "k8s: \u{e9}t\u{e9} \u{4e2d}\u{6587} \u{1f600}\n",
        "a:\n  b:\n    c:\n      d: deep\n  e: f\n",
        // Found by a hostile tester: a space an escape writes at the end of a line of a
        // double-quoted scalar stays (only the blanks before the break are dropped).
        "k: \"\\ \n \"",
        "k: \"\\u0020\n \"",
        "- \"\\ \n \"",
        "k: \"a\\ \n  b\"\n",
        "k: \"a\\ \n\n  b\"\n",
        "- \"a\\u0020 \n  b\"\n",
        "k: 'a  \n  b '\n",
    ];
    for text in taken {
        // Each also with Windows line endings, and with both kinds of line ends.
        let crlf = text.replace('\n', "\r\n");
        let mixed = crlf.replacen("\r\n", "\n", 2);
        for text in [text, &crlf, &mixed] {
            match block_and_yaml_readings(text) {
                Some((block, yaml)) => assert_eq!(block, yaml, "{text:?}"),
                None => panic!("not taken: {text:?}"),
            }
        }
    }
    // Left to the YAML parser (each reads as it does there).
    let left: [&str; 26] = [
        "a: &x 1\nb: *x\n",
        "a:\n- # an indentless sequence whose first item is empty\n- b\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "? complex\n: key\n",
        "a:\tb\n",
        // A lone `\r` is a line break for YAML too; only `\r\n` is read here.
        "a: 1\rb: 2\r\n",
        "a: 1\r\nb: 2\r",
        "a: 'x\r  y'\r\n",
        "\u{feff}a: 1\n",
        "a: {b: c}\n",
        "a: [b, [c]]\n",
        "a: [b,\n  c]\n",
        // Found by the fuzz target: saphyr refuses a `-` before `]` in a flow collection.
        "apip: [A\"N 2  -]\n",
        // Keys are at most 1,024 characters up to their `:` for the YAML parser.
        &format!("k{}: v\n", " ".repeat(1100)),
        &format!("'{}': v\n", "q".repeat(1100)),
        "a: |2\n   x\n",
        "a: |\nb: c\n",
        "a: b: c\n",
        "a: x\n# comment\n  y\n",
        "just a scalar\n",
        "- a\n- b\n# a root sequence is read, a root scalar is not\n---\n",
        "a: 'unterminated\n",
        "a: \"\\x41\"\n",
        "",
        "# only a comment\n",
    ];
    for text in left {
        if let Some((block, yaml)) = block_and_yaml_readings(text) {
            assert_eq!(block, yaml, "{text:?}");
        }
    }
    for text in [
        "a: &x 1\n",
        "a: !!str 1\n",
        "a: 1\rb: 2\n",
        "a: 1\r",
        "\u{feff}a: 1\n",
        "a: {b: c}\n",
        "a: |2\n   x\n",
        "a: b: c\n",
        "just a scalar\n",
        "",
    ] {
        assert!(block_and_yaml_readings(text).is_none(), "taken: {text:?}");
    }
}

/// Every real manifest, PSA fixture, rule fixture, fuzz regression and 1,000 generated
/// workloads: what the block reader takes agrees, and it takes nearly all of it.
#[test]
fn every_corpus_document_it_takes_agrees() {
    let mut real = Vec::new();
    files(&shared("corpus/real"), &mut real);
    let (mut taken, mut left, mut taken_bytes, mut all_bytes) = (0, 0, 0, 0);
    for path in &real {
        // bench-large.yaml is the other files three times over.
        if path.ends_with("bench-large.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let (t, l, tb, ab) = documents_taken(&text, &path.display().to_string());
        (taken, left, taken_bytes, all_bytes) =
            (taken + t, left + l, taken_bytes + tb, all_bytes + ab);
    }
    // 26 manifests: only documents of comments alone (nothing to read) are left.
    assert!(taken > 250, "{taken} taken, {left} left");
    assert!(
        taken_bytes * 100 > all_bytes * 99,
        "{taken_bytes} of {all_bytes} bytes"
    );

    let mut psa = Vec::new();
    files(&shared("corpus/psa"), &mut psa);
    let mut psa_taken = 0;
    for path in &psa {
        let text = std::fs::read_to_string(path).unwrap();
        psa_taken += documents_taken(&text, &path.display().to_string()).0;
    }
    assert!(psa_taken >= 4_500, "{psa_taken} PSA fixtures taken");

    let mut ours = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    files(&root.join("tests/fixtures"), &mut ours);
    files(&root.join("tests/fuzz-regressions"), &mut ours);
    files(&root.join("examples"), &mut ours);
    for path in &ours {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        documents_taken(&text, &path.display().to_string());
    }

    let generated = workloads::generate(1_000);
    let (t, l, _, _) = documents_taken(&generated, "generated workloads");
    assert_eq!((t, l), (1_000, 0));
}
