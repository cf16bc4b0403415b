//! The YAML layer through its entry point, [`super::parse_stream`].

use super::*;

fn parse(s: &str) -> Stream<'_> {
    parse_stream(s, &Limits::default())
}

fn text_at(s: &str, span: Span) -> &str {
    s.get(span.start..span.end).unwrap_or("<bad span>")
}

#[test]
fn document_numbering() {
    let s = parse("---\na: 1\n---\n# only a comment\n---\nb: 2\n");
    assert_eq!(s.document_count, 3);
    assert_eq!(s.documents.len(), 3);
    assert!(s.documents[1].root.is_none());
    let s = parse("# Source: chart/templates/a.yaml\na: 1\n---\nb: 2\n---\n");
    assert_eq!(s.document_count, 3);
    let s = parse("# just a comment\n");
    assert_eq!(s.document_count, 0);
    let s = parse("a: 1\n...\n# trailing\n");
    assert_eq!(s.document_count, 1);
    let s = parse("%YAML 1.1\n---\na: 1\n");
    assert_eq!(s.document_count, 1);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
}

#[test]
fn spans_of_keys_and_values() {
    let src = "---\nspec:\n  privileged: true\n  name: \"web\"\n";
    let s = parse(src);
    let d = &s.documents[0];
    let root = d.root.unwrap();
    let spec = d.get(root, "spec").unwrap();
    let e = d.entry(spec, "privileged").unwrap();
    assert_eq!(text_at(src, e.key_span()), "privileged");
    assert_eq!(text_at(src, d.nodes[e.value as usize].span()), "true");
    let n = d.get(spec, "name").unwrap();
    assert_eq!(text_at(src, d.nodes[n as usize].span()), "\"web\"");
    assert_eq!(d.str(n), Some("web"));
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let src = "# héllo 😀\na: ü\nb: yes\n";
    let s = parse(src);
    let d = &s.documents[0];
    let b = d.entry(d.root.unwrap(), "b").unwrap();
    assert_eq!(text_at(src, b.key_span()), "b");
    assert_eq!(text_at(src, d.nodes[b.value as usize].span()), "yes");
    assert_eq!(d.scalar(b.value).unwrap().resolved(), Resolved::Bool(true));
}

#[test]
fn collection_spans() {
    let src = "v:\n- name: a\n  hostPath:\n    path: /x\n    type: Socket\n- name: b\n  f: {p: 1, q: [1, 2]}\n";
    let s = parse(src);
    let d = &s.documents[0];
    let root = d.root.unwrap();
    let hp = d.pointer(root, "/v/0/hostPath").unwrap();
    assert_eq!(
        text_at(src, d.nodes[hp as usize].span()),
        "path: /x\n    type: Socket"
    );
    let f = d.pointer(root, "/v/1/f").unwrap();
    assert_eq!(
        text_at(src, d.nodes[f as usize].span()),
        "{p: 1, q: [1, 2]}"
    );
    let q = d.pointer(root, "/v/1/f/q").unwrap();
    assert_eq!(text_at(src, d.nodes[q as usize].span()), "[1, 2]");
}

#[test]
fn block_scalar_span_ends_at_its_text() {
    let src = "a: |\n  line one\n  line two\n\nb: 1\n";
    let s = parse(src);
    let d = &s.documents[0];
    let a = d.get(d.root.unwrap(), "a").unwrap();
    assert_eq!(
        text_at(src, d.nodes[a as usize].span()),
        "line one\n  line two"
    );
}

#[test]
fn lone_cr_and_bom_per_document() {
    let src = "a: 1\r---\rb: 2\r\u{feff}---\nc: 3\n";
    let s = parse(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.document_count, 3);
    let d = &s.documents[2];
    let c = d.entry(d.root.unwrap(), "c").unwrap();
    assert_eq!(text_at(src, c.key_span()), "c");
}

#[test]
fn bom_and_crlf() {
    let src = "\u{feff}a: 1\r\nb: on\r\n";
    let s = parse(src);
    assert!(s.errors.is_empty());
    let d = &s.documents[0];
    let b = d.entry(d.root.unwrap(), "b").unwrap();
    assert_eq!(text_at(src, b.key_span()), "b");
    assert_eq!(text_at(src, d.nodes[b.value as usize].span()), "on");
}

#[test]
fn duplicate_keys_last_wins() {
    let src = "a: 1\nb: 2\na: 3\n";
    let s = parse(src);
    let d = &s.documents[0];
    let a = d.get(d.root.unwrap(), "a").unwrap();
    assert_eq!(d.scalar(a).unwrap().resolved(), Resolved::Int(3));
    assert_eq!(d.duplicates.len(), 1);
    assert_eq!(d.duplicates[0].hidden.start, 0);
    assert_eq!(d.duplicates[0].winner.start, 10);
}

#[test]
fn anchors_aliases_merge() {
    let src = "base: &b {p: 1, q: 2}\nc:\n  <<: *b\n  q: 3\nd: *b\ny: 4\n";
    let s = parse(src);
    let d = &s.documents[0];
    let root = d.root.unwrap();
    let c = d.get(root, "c").unwrap();
    let q = d.get(c, "q").unwrap();
    assert_eq!(d.scalar(q).unwrap().resolved(), Resolved::Int(3));
    let p = d.get(c, "p").unwrap();
    assert_eq!(d.scalar(p).unwrap().resolved(), Resolved::Int(1));
    assert!(d.duplicates.is_empty());
    assert_eq!(d.pointer(root, "/d/p"), Some(p));
    // YAML 1.1: the key `y` is the boolean true, so JSON sees "true".
    assert!(d.get(root, "true").is_some());
    assert!(d.get(root, "y").is_none());
}

#[test]
fn merge_order_is_go_yaml_v2() {
    let get = |src: &str, path: &str| {
        let s = parse_stream(src, &Limits::default());
        let d = &s.documents[0];
        let n = d.pointer(d.root.unwrap(), path).unwrap();
        d.scalar(n).unwrap().text.to_string()
    };
    // A merge overwrites the keys written before it ...
    assert_eq!(
        get(
            "sc: {privileged: false, <<: {privileged: true}}\n",
            "/sc/privileged"
        ),
        "true"
    );
    // ... and keys written after it overwrite the merged ones.
    assert_eq!(
        get(
            "sc: {<<: {privileged: true}, privileged: false}\n",
            "/sc/privileged"
        ),
        "false"
    );
    // Two merge keys: the later one wins.
    assert_eq!(
        get(
            "sc:\n  <<: {privileged: true}\n  <<: {privileged: false}\n",
            "/sc/privileged"
        ),
        "false"
    );
    // A list of merged maps: the earlier map wins.
    assert_eq!(
        get("a: &a {p: 1}\nb: &b {p: 2}\nc: {<<: [*a, *b]}\n", "/c/p"),
        "1"
    );
}

#[test]
fn many_duplicates_are_linear() {
    let mut src = String::from("m:\n");
    for i in 0..20_000 {
        src.push_str(&format!("  k{i}: 1\n  k{i}: 2\n"));
    }
    let s = parse(&src);
    assert_eq!(s.documents[0].duplicates.len(), 20_000);
}

#[test]
fn errors_keep_other_documents() {
    let src = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
    let s = parse(src);
    assert_eq!(s.document_count, 3);
    assert_eq!(s.documents.len(), 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].document, 1);
    assert!(s.errors[0].span.start >= 9);
}

#[test]
fn limits() {
    let deep = "[".repeat(1000) + &"]".repeat(1000);
    let s = parse(&deep);
    assert_eq!(s.errors.len(), 1);
    assert!(s.errors[0].message.contains("nesting"));
    let mut lol = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for c in 'b'..='k' {
        lol.push_str(&format!(
            "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = c;
    }
    let s = parse(&lol);
    // Aliases share nodes, so a "billion laughs" costs only its text.
    assert!(s.errors.is_empty());
    let limits = Limits {
        max_alias_expansions: 50,
        ..Limits::default()
    };
    let s = parse_stream(&lol, &limits);
    assert!(s.errors[0].message.contains("alias"));
    let s = parse_stream(
        "a: 1\n",
        &Limits {
            max_input_bytes: 3,
            ..Limits::default()
        },
    );
    assert_eq!(s.errors.len(), 1);
}

#[test]
fn yaml11_keys_and_tags() {
    let src = "on: 1\nv: !!str 0644\nw: 0644\n";
    let s = parse(src);
    let d = &s.documents[0];
    let root = d.root.unwrap();
    assert!(d.get(root, "true").is_some());
    assert_eq!(
        d.scalar(d.get(root, "v").unwrap()).unwrap().resolved(),
        Resolved::Str
    );
    assert_eq!(
        d.scalar(d.get(root, "w").unwrap()).unwrap().resolved(),
        Resolved::Int(420)
    );
}

#[test]
fn invalid_bytes_stop_only_their_document() {
    // `?` stands where the original bytes were not UTF-8.
    let text = "# caf? comment\na: 1\n---\nb: ?x?\n---\nc: 3\n# trailing ?\n";
    let at = |n: usize| text.match_indices('?').nth(n).unwrap().0;
    let invalid = [(at(0), 0xE9), (at(1), 0xFF), (at(2), 0xFE), (at(3), 0x80)];
    let s = parse_stream_decoded(text, &Limits::default(), &invalid);
    assert_eq!(s.document_count, 3);
    // Comments belong to the document they stand in (the leading one to the first, the
    // trailing one to the last): here every document holds an invalid byte.
    assert!(s.documents.is_empty());
    let errors: Vec<(usize, usize)> = s
        .errors
        .iter()
        .map(|e| (e.document, e.span.start))
        .collect();
    assert_eq!(errors, [(0, at(0)), (1, at(1)), (2, at(3))]);
    assert!(
        s.errors[1].message.contains("byte 0xFF"),
        "{}",
        s.errors[1].message
    );
    // Without invalid bytes, the same text parses into three documents.
    assert_eq!(parse(text).documents.len(), 3);
    // The documents without one are parsed.
    let text = "a: 1\n---\nb: ?\n---\nc: 3\n";
    let s = parse_stream_decoded(text, &Limits::default(), &[(text.find('?').unwrap(), 0xE9)]);
    let docs: Vec<usize> = s.documents.iter().map(|d| d.index).collect();
    assert_eq!(docs, [0, 2]);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].document, 1);
}

/// The JSON reading gives the tree the YAML reading gives, node for node and span for
/// span (both `Debug`-printed), or is not taken.
fn assert_json_reading_agrees(text: &str) {
    let limits = Limits::default();
    // The readings differ only in the flag that says which one read the text.
    let json = build::build_document(text, 0, 0, &limits, None).map(|mut d| {
        d.json = false;
        d
    });
    let yaml = build::build_yaml(text, 0, 0, &limits);
    assert_eq!(format!("{json:?}"), format!("{yaml:?}"), "{text}");
}

#[test]
fn json_documents_read_as_the_yaml_parser_reads_them() {
    let edge = [
        r#"{"a": [1, "x\n\t\"\\\/\b\f\r", true, false, null, -2.5e3, 0, -0, 1E+2, 1e-2, 0.5]}"#,
        r#"{"u": "\u00e9\u4e2d é 中 😀", "": "", "k": {}, "l": [], "n": [[[]]]}"#,
        "{\"dup\": 1, \"dup\": 2, \"<<\": {\"x\": 1}}",
        "---\n# comment\n  {\"a\":1 ,\"b\":[ ]}\n...\n# after\n",
        "{\"a\": 1} # trailing comment\n",
        "{\"a\"  : \"b\"\t , \"c\"\n : [\"d\"  ]  }",
        "{\"a\": 1}  \n\n# comment\n...\n",
        "[1, 2, {\"a\": \"b\"}]",
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"c\", \"securityContext\": {\"privileged\": true}}]}}\r\n",
        // Not JSON: each is read as YAML.
        "{a: 1}",
        "{\"a\": 1,}",
        "{\"a\": 01}",
        "{\"a\": \"tab\there\"}",
        "{\"a\": 1}#x",
        "{\"a\": 1} extra",
        "{\"a\": [1, 2}",
        "{\"a\": \"\\x41\"}",
        "[",
        "{\"a\": -}",
    ];
    for text in edge {
        assert_json_reading_agrees(text);
    }
    // Where they differ: JSON writes a character beyond the BMP as a surrogate pair
    // (Python's `json.dumps` does), which YAML's escapes do not allow; the API server
    // reads it as the character, and so does the JSON reading.
    let pair = r#"{"name": "\ud83d\ude00"}"#;
    assert!(build::build_yaml(pair, 0, 0, &Limits::default()).is_err());
    let doc = build::build_document(pair, 0, 0, &Limits::default(), None).unwrap();
    assert_eq!(doc.str(1), Some("😀"));
    // And a tab between `:` and a number, `true`, `false` or `null` (JSON whitespace),
    // which saphyr rejects in a flow mapping.
    for (lone, read) in [
        (r#"{"a": "\ud83d"}"#, "\u{FFFD}"),
        (r#"{"a": "x\ude00y"}"#, "x\u{FFFD}y"),
        (r#"{"a": "\ud83d\u0041"}"#, "\u{FFFD}A"),
    ] {
        assert!(build::build_yaml(lone, 0, 0, &Limits::default()).is_err());
        let doc = build::build_document(lone, 0, 0, &Limits::default(), None).unwrap();
        assert_eq!(doc.str(1), Some(read), "{lone}");
    }
    let tab = "{\"privileged\":\ttrue}";
    assert!(build::build_yaml(tab, 0, 0, &Limits::default()).is_err());
    let doc = build::build_document(tab, 0, 0, &Limits::default(), None).unwrap();
    assert_eq!(doc.scalar(1).unwrap().resolved(), Resolved::Bool(true));
    assert_eq!(doc.node(1).unwrap().span(), Span::new(15, 19));

    // Every real manifest, written as JSON both pretty and on one line.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("../shared/corpus/real is missing") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml" && e != "yml")
            || std::fs::metadata(&path).unwrap().len() > 2_000_000
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in parse(&text).documents {
            let Some(root) = doc.root else { continue };
            let value = doc.to_json(root);
            if !value.is_object() {
                continue;
            }
            assert_json_reading_agrees(&serde_json::to_string_pretty(&value).unwrap());
            assert_json_reading_agrees(&serde_json::to_string(&value).unwrap());
            seen += 1;
        }
    }
    assert!(seen > 100, "{seen}");
    // The admission fixtures as written (AdmissionReview JSON, pretty).
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/fixtures");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_json_reading_agrees(&std::fs::read_to_string(path).unwrap());
        }
    }
}

/// saphyr counts a directive's name and parameters in bytes: positions after a directive
/// line with non-ASCII characters were past the text (found by the `check` fuzz target).
#[test]
fn positions_after_a_non_ascii_directive() {
    let text = "%FOO ééé\n%BAR ü\n---\nkind: List é\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let d = &s.documents[0];
    let root = d.node(d.root.unwrap()).unwrap();
    assert_eq!(root.span().start, text.find("kind").unwrap());
    let list = d.get(d.root.unwrap(), "kind").unwrap();
    assert_eq!(text_at(text, d.node(list).unwrap().span()), "List é");
    // Only reserved directives of a prologue are read through the ASCII copy: a `%` line
    // that continues a scalar is content, and `%TAG` keeps its own errors.
    let text = "{kind: List, name: \"c\n%é\"}\n";
    let s = parse(text);
    let d = &s.documents[0];
    assert_eq!(d.str(d.get(d.root.unwrap(), "name").unwrap()), Some("c %é"));
    let s = parse("%TAG !ü! tag:example.com,2000:\n---\nkind: List\n");
    assert_eq!(s.errors.len(), 1, "{:?}", s.documents);
    // A reserved directive followed by content without `---`: an error, inside the text
    // and on a character boundary.
    let text = "%FOO ééé\nkind: List é\n";
    let s = parse(text);
    let e = &s.errors[0];
    assert!(
        e.span.start <= text.len() && text.is_char_boundary(e.span.start),
        "{e:?}"
    );
}

#[test]
fn only_the_wanted_documents_are_built() {
    let text = "a: 1\n---\nb: [\n---\nc: 3\n";
    let mut asked = Vec::new();
    let mut got = Vec::new();
    let count = for_documents_where(
        text,
        &Limits::default(),
        &[],
        |i, span| {
            asked.push((i, &text[span.start..span.end]));
            i == 2
        },
        |p| got.push(p),
    );
    assert_eq!(count, 3);
    assert_eq!(asked.len(), 3);
    // The span runs from the document's `---` marker.
    assert_eq!(asked[2], (2, "---\nc: 3\n"));
    // The broken second document is never parsed: no error for it.
    assert_eq!(got.len(), 1);
    let Parsed::Document(doc) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(doc.index, 2);
}
