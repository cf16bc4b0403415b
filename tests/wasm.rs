//! The JS API (`src/js/`) inside a real JavaScript engine: `wasm-bindgen-test`, run by
//! `make test-wasm` twice, in Node.js and in headless Chromium (the same suite; the
//! runner picks the engine from `WASM_BINDGEN_USE_BROWSER`).
//!
//! Each test calls the exported functions with JavaScript values and reads the result
//! back as JSON. The expected values come from the core ([`kube_secctx::check`], byte
//! offsets and character columns) converted to UTF-16 here, independently of the adapter.
//! Also: option errors are thrown `Error`s naming the option, invalid YAML is an `errors`
//! entry, hostile inputs return reports, and the module keeps working after every error.
#![cfg(all(target_arch = "wasm32", feature = "js"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use js_sys::{Array, JsString, Object, Reflect};
use kube_secctx::js;
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NGINX: &str = include_str!("../examples/nginx-deployment.yaml");

/// A manifest with an emoji (outside the BMP: two UTF-16 code units), CJK and a combining
/// mark before findings, some on the finding's own line.
const UNICODE: &str = "\
# 部署 😀 — a comment with CJK and an emoji
apiVersion: v1
kind: Pod
metadata:
  name: 网站
  labels: {app: \"😀😀\", team: \"é\u{301}quipe\"}
spec:
  hostNetwork: true
  containers:
  - name: 容器😀
    image: nginx
    securityContext: {seLinuxOptions: {user: \"用户😀\"}, privileged: true, runAsUser: 0}
";

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

/// `check(text, options)` as JavaScript calls it, read back as JSON.
fn check(text: &str, options: JsValue) -> Value {
    let v = js::check(JsValue::from_str(text), options)
        .unwrap_or_else(|e| panic!("check threw: {}", message(&e)));
    serde_wasm_bindgen::from_value(v).unwrap()
}

/// The message of a thrown `Error` (and that it is one).
fn message(e: &JsValue) -> String {
    let err = e
        .dyn_ref::<js_sys::Error>()
        .unwrap_or_else(|| panic!("thrown value is not an Error: {e:?}"));
    String::from(err.message())
}

/// Byte offset -> UTF-16 offset.
fn units(text: &str, byte: usize) -> usize {
    text[..byte].encode_utf16().count()
}

/// The CLI's JSON report of `text` (compact): columns in characters, offsets in bytes.
fn cli_json(file: &str, text: &str, opts: &kube_secctx::Options) -> String {
    use kube_secctx::render::json::{JsonReport, Positions};
    let report = kube_secctx::check(file, text, opts).unwrap();
    let sources = |_: &str| Some(text);
    serde_json::to_string(&JsonReport::new(
        &report,
        &sources,
        Positions::CharsAndBytes,
    ))
    .unwrap()
}

/// The CLI's JSON report with positions converted to UTF-16 here: the expected value of
/// the JS API's `check`.
fn expected(text: &str, opts: &kube_secctx::Options, file: &str) -> Value {
    to_utf16(
        serde_json::from_str(&cli_json(file, text, opts)).unwrap(),
        text,
    )
}

/// A CLI JSON report of `text` (columns in characters, offsets in bytes) with its
/// positions in UTF-16 code units of `text`.
fn to_utf16(mut v: Value, text: &str) -> Value {
    let convert = |p: &mut Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let column = p["column"].as_u64().unwrap() as usize;
        let offset = p["offset"].as_u64().unwrap() as usize;
        // The line's text from its first character (a BOM is no column), then
        // `column - 1` characters of it in UTF-16.
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_text = text[line_start..].trim_start_matches('\u{feff}');
        let col16: usize = line_text
            .chars()
            .take(column - 1)
            .map(char::len_utf16)
            .sum();
        assert!(line >= 1);
        p["column"] = json!(col16 + 1);
        p["offset"] = json!(units(text, offset));
    };
    for list in ["findings", "errors"] {
        for item in v[list].as_array_mut().unwrap() {
            convert(&mut item["range"]["start"]);
            convert(&mut item["range"]["end"]);
        }
    }
    v
}

/// The benchmarks' generated workloads (issue 16), for a report of many findings.
#[allow(dead_code)]
#[path = "../benches/common/workloads.rs"]
mod workloads;

/// A large report comes back whole (issue 16): hundreds of findings, the report still the
/// CLI's, every finding in order, with `check`, `check` with fixes, and `applyFixes`'
/// `remaining`.
#[wasm_bindgen_test]
fn a_large_report_comes_back_whole() {
    let text = workloads::generate(100);
    let opts = kube_secctx::Options::default();
    let want = expected(&text, &opts, "<stdin>");
    let n = want["findings"].as_array().unwrap().len();
    assert!(n > 500, "{n} findings");
    assert_eq!(check(&text, JsValue::UNDEFINED), want);
    let with_fixes = check(&text, obj(&[("fixes", JsValue::TRUE)]));
    assert_eq!(with_fixes["findings"].as_array().unwrap().len(), n);
    let remaining = js::apply_fixes(JsValue::from_str(&text), obj(&[("rules", strings(&[]))]))
        .unwrap_or_else(|e| panic!("applyFixes threw: {}", message(&e)));
    let remaining: Value = serde_wasm_bindgen::from_value(remaining).unwrap();
    assert_eq!(remaining["text"], json!(text));
    assert_eq!(remaining["remaining"], want["findings"]);
}

/// `check(bytes)`: a `Uint8Array` is a file's bytes, checked as the CLI checks a file
/// (`Checker::check_bytes`), its positions in UTF-16 code units of the text the engine
/// read.
#[wasm_bindgen_test]
fn bytes_are_checked_as_the_cli_checks_a_file() {
    let check_bytes = |bytes: &[u8], options: JsValue| -> Value {
        let v = js::check(js_sys::Uint8Array::from(bytes).into(), options)
            .unwrap_or_else(|e| panic!("check threw: {}", message(&e)));
        serde_wasm_bindgen::from_value(v).unwrap()
    };
    // UTF-8: the report of the same text as a string, with fixes too.
    for text in [NGINX, UNICODE] {
        assert_eq!(
            check_bytes(text.as_bytes(), JsValue::UNDEFINED),
            check(text, JsValue::UNDEFINED)
        );
        let fixes = || obj(&[("fixes", JsValue::TRUE)]);
        assert_eq!(check_bytes(text.as_bytes(), fixes()), check(text, fixes()));
    }
    // A byte that is not UTF-8 (Latin-1 `é`): its document is an error entry at it, the
    // next document is checked; the byte is one `?` of the text positions count in.
    let mut bad = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xE9\n---\n".to_vec();
    bad.extend(UNICODE.as_bytes());
    let got = check_bytes(&bad, JsValue::UNDEFINED);
    let mut checker = kube_secctx::Checker::new(&Default::default()).unwrap();
    checker.check_bytes("<stdin>", &bad);
    let report = checker.finish();
    let decoded = kube_secctx::engine::decode(&bad);
    let sources = |_: &str| Some(decoded.text.as_ref());
    let cli = serde_json::to_value(kube_secctx::render::json::JsonReport::new(
        &report,
        &sources,
        kube_secctx::render::json::Positions::CharsAndBytes,
    ))
    .unwrap();
    assert_eq!(got, to_utf16(cli, &decoded.text));
    assert_eq!(got["errors"].as_array().unwrap().len(), 1, "{got}");
    let error = &got["errors"][0];
    assert_eq!(
        error["message"],
        "this document is not valid UTF-8 (byte 0xE9) and was not checked: manifests must be UTF-8"
    );
    assert_eq!(
        error["range"]["start"],
        json!({"line": 4, "column": 12, "offset": 52})
    );
    assert!(!got["findings"].as_array().unwrap().is_empty());
    assert!(got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["document"] == 1));
    // A UTF-16 file (byte order mark `FF FE`): one error entry, nothing checked, nothing
    // to fix.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(NGINX.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for options in [JsValue::UNDEFINED, obj(&[("fixes", JsValue::TRUE)])] {
        let got = check_bytes(&utf16, options);
        assert_eq!(got["findings"], json!([]));
        assert_eq!(got["errors"].as_array().unwrap().len(), 1, "{got}");
        assert_eq!(
            got["errors"][0]["message"],
            "the file is UTF-16 (it starts with a UTF-16 byte order mark): convert it to UTF-8"
        );
    }
    // Empty bytes: an empty report, as an empty string gives.
    assert_eq!(
        check_bytes(&[], JsValue::UNDEFINED),
        check("", JsValue::UNDEFINED)
    );
}

#[wasm_bindgen_test]
fn nginx_is_the_cli_report() {
    let got = check(NGINX, JsValue::UNDEFINED);
    assert_eq!(
        got,
        expected(NGINX, &kube_secctx::Options::default(), "<stdin>")
    );
    // ASCII: the positions are the CLI's own.
    let cli: Value =
        serde_json::from_str(&cli_json("<stdin>", NGINX, &Default::default())).unwrap();
    assert_eq!(got, cli);
    let rules: Vec<&str> = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"may-run-as-root"), "{rules:?}");
    assert_eq!(got["options"]["level"], Value::Null);
    assert_eq!(got["files"], json!(["<stdin>"]));
}

#[wasm_bindgen_test]
fn utf16_positions_slice_the_node() {
    let got = check(UNICODE, JsValue::UNDEFINED);
    assert_eq!(
        got,
        expected(UNICODE, &kube_secctx::Options::default(), "<stdin>")
    );
    let core = kube_secctx::check("<stdin>", UNICODE, &kube_secctx::Options::default()).unwrap();
    let js_text = JsString::from(UNICODE);
    let findings = got["findings"].as_array().unwrap();
    assert_eq!(findings.len(), core.findings.len());
    let mut after_emoji_on_line = 0;
    for (f, c) in findings.iter().zip(&core.findings) {
        let (s, e) = (
            f["range"]["start"]["offset"].as_u64().unwrap() as u32,
            f["range"]["end"]["offset"].as_u64().unwrap() as u32,
        );
        // text.slice(start.offset, end.offset) is the node, in JavaScript.
        let sliced = String::from(js_text.slice(s, e));
        assert_eq!(sliced, &UNICODE[c.span.start..c.span.end], "{}", f["rule"]);
        // The column counts the UTF-16 code units of the line before the node.
        let line_start = UNICODE[..c.span.start].rfind('\n').map_or(0, |i| i + 1);
        let before = &UNICODE[line_start..c.span.start];
        let col = f["range"]["start"]["column"].as_u64().unwrap() as usize;
        assert_eq!(col, before.encode_utf16().count() + 1, "{}", f["rule"]);
        if before.contains('😀') {
            after_emoji_on_line += 1;
            assert!(
                col > before.chars().count() + 1,
                "the emoji counts two units"
            );
        }
    }
    assert!(
        after_emoji_on_line >= 2,
        "findings after an emoji on their own line"
    );
    assert!(findings.iter().any(|f| f["rule"] == "privileged-container"));
}

#[wasm_bindgen_test]
fn bom_crlf_and_astral_columns() {
    let text = "\u{feff}apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: \"😀\"}\r\nspec:\r\n  containers:\r\n  - {name: \"😀\", image: x, securityContext: {privileged: true}}\r\n";
    let got = check(text, JsValue::UNDEFINED);
    assert_eq!(
        got,
        expected(text, &kube_secctx::Options::default(), "<stdin>")
    );
    let f = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged-container")
        .unwrap();
    let js_text = JsString::from(text);
    let s = f["range"]["start"]["offset"].as_u64().unwrap() as u32;
    let e = f["range"]["end"]["offset"].as_u64().unwrap() as u32;
    assert_eq!(String::from(js_text.slice(s, e)), "true");
    // `  - {name: "😀", image: x, securityContext: {privileged: ` is 57 units before.
    let line6 = "  - {name: \"😀\", image: x, securityContext: {privileged: ";
    assert_eq!(
        f["range"]["start"]["column"],
        json!(line6.encode_utf16().count() + 1)
    );
}

#[wasm_bindgen_test]
fn options_with_the_cli_defaults() {
    let got = check(NGINX, obj(&[]));
    assert_eq!(got, check(NGINX, JsValue::NULL));
    assert_eq!(got["options"]["pssVersion"], json!("v1.37"));
    assert_eq!(got["options"]["select"], json!([]));

    let baseline = check(
        NGINX,
        obj(&[
            ("level", "baseline".into()),
            ("fileName", "deploy/nginx.yaml".into()),
        ]),
    );
    assert_eq!(baseline["findings"], json!([]));
    assert_eq!(baseline["options"]["level"], json!("baseline"));
    assert_eq!(baseline["files"], json!(["deploy/nginx.yaml"]));

    let opts = kube_secctx::Options {
        level: Some(kube_secctx::Level::Restricted),
        pss_version: kube_secctx::PssVersion::V1(24),
        select: vec![],
        ignore: vec!["may-run-as-root".into()],
        ..Default::default()
    };
    let got = check(
        NGINX,
        obj(&[
            ("level", "restricted".into()),
            ("pssVersion", "v1.24".into()),
            ("ignore", strings(&["may-run-as-root", " ", ""])),
            ("fileName", "a.yaml".into()),
        ]),
    );
    assert_eq!(got, expected(NGINX, &opts, "a.yaml"));
    assert_eq!(got["options"]["pssVersion"], json!("v1.24"));

    // The Kubernetes version: echoed only when given, and as the core checks it.
    assert_eq!(got["options"].get("kubeVersion"), None);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    \
               appArmorProfile: {type: RuntimeDefault}\n  containers: [{name: a, image: b}]\n";
    let old = check(pod, obj(&[("kubeVersion", "v1.29.3".into())]));
    assert_eq!(old["options"]["kubeVersion"], json!("v1.29"));
    let at_29 = kube_secctx::Options {
        kube_version: kube_secctx::KubeVersion::V1(29),
        ..Default::default()
    };
    assert_eq!(old, expected(pod, &at_29, "<stdin>"));
    assert!(old["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "unknown-field"));

    let only = check(NGINX, obj(&[("select", strings(&["may-run-as-root"]))]));
    let rules: Vec<&Value> = only["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["rule"])
        .collect();
    assert_eq!(rules, vec![&json!("may-run-as-root")]);

    // A report's options, passed back, give the same report.
    let options = got["options"]
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    Reflect::set(&options, &"fileName".into(), &"a.yaml".into()).unwrap();
    assert_eq!(check(NGINX, options), got);
}

/// Every bad argument throws an `Error` naming the option and its allowed values, and the
/// module works afterwards.
#[wasm_bindgen_test]
fn bad_options_throw_errors_and_the_module_keeps_working() {
    let good = check(NGINX, JsValue::UNDEFINED);
    let cases: Vec<(JsValue, JsValue, &[&str])> = vec![
        (
            NGINX.into(),
            obj(&[("level", "privileged".into())]),
            &["level", "\"privileged\"", "\"baseline\" or \"restricted\""],
        ),
        (
            NGINX.into(),
            obj(&[("level", JsValue::from_f64(1.0))]),
            &["level", "\"baseline\" or \"restricted\"", "a number"],
        ),
        (
            NGINX.into(),
            obj(&[("pssVersion", "1.30".into())]),
            &["pssVersion", "\"latest\" or \"v1.N\""],
        ),
        (
            NGINX.into(),
            obj(&[("pssVersion", JsValue::TRUE)]),
            &["pssVersion", "\"latest\" or \"v1.N\"", "a boolean"],
        ),
        (
            NGINX.into(),
            obj(&[("kubeVersion", "v1.12".into())]),
            &["kubeVersion", "\"v1.12\"", "v1.17 to v1.37"],
        ),
        (
            NGINX.into(),
            obj(&[("kubeVersion", JsValue::from_f64(1.3))]),
            &["kubeVersion", "\"latest\" or \"v1.N\"", "a number"],
        ),
        (
            NGINX.into(),
            obj(&[("select", "privileged-container".into())]),
            &[
                "select",
                "an array of rule IDs",
                "privileged-container",
                "a string",
            ],
        ),
        (
            NGINX.into(),
            obj(&[("ignore", strings(&["privileged-containr"]))]),
            &[
                "ignore",
                "\"privileged-containr\"",
                "did you mean \"privileged-container\"",
                "host-namespaces",
            ],
        ),
        (
            NGINX.into(),
            obj(&[("select", Array::of1(&JsValue::from_f64(3.0)).into())]),
            &["select[0]", "rule ID"],
        ),
        (
            NGINX.into(),
            obj(&[("fileName", JsValue::from_f64(3.0))]),
            &["fileName", "a number"],
        ),
        (
            NGINX.into(),
            obj(&[("levle", "baseline".into())]),
            &[
                "\"levle\"",
                "level, pssVersion, kubeVersion, select, ignore, fileName",
            ],
        ),
        (
            NGINX.into(),
            "baseline".into(),
            &[
                "options",
                "level, pssVersion, kubeVersion, select, ignore, fileName",
                "a string",
            ],
        ),
        (
            NGINX.into(),
            strings(&["baseline"]),
            &["options", "an array"],
        ),
        (
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
            &["text", "undefined"],
        ),
        (
            JsValue::from_f64(1.0),
            JsValue::UNDEFINED,
            &["text", "a number"],
        ),
        (JsValue::NULL, JsValue::UNDEFINED, &["text", "null"]),
    ];
    for (text, options, words) in cases {
        let err = js::check(text, options).expect_err("must throw");
        let msg = message(&err);
        for w in words {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
        assert_eq!(check(NGINX, JsValue::UNDEFINED), good, "after {msg:?}");
    }
}

#[wasm_bindgen_test]
fn invalid_yaml_is_an_error_entry_not_an_exception() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x\nspec: [\n";
    let got = check(text, obj(&[("fileName", "bad.yaml".into())]));
    let errors = got["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{got}");
    assert_eq!(errors[0]["file"], json!("bad.yaml"));
    assert!(errors[0]["message"].as_str().unwrap().contains("YAML"));
    assert!(errors[0]["range"]["start"]["line"].as_u64().unwrap() >= 3);
    assert_eq!(got["summary"]["errors"], json!(1));
    assert_eq!(got, expected(text, &Default::default(), "bad.yaml"));
    // The other documents are still checked.
    let two = format!("{text}---\n{NGINX}");
    let got = check(&two, JsValue::UNDEFINED);
    assert!(!got["errors"].as_array().unwrap().is_empty());
    assert!(!got["findings"].as_array().unwrap().is_empty());
}

/// Inputs built to break parsers return reports (errors where the limits say so), never a
/// trap, and the module works after each.
#[wasm_bindgen_test]
fn hostile_inputs_return_reports() {
    let good = check(NGINX, JsValue::UNDEFINED);
    let deep_flow = "[".repeat(100_000);
    let deep_block: String = (0..2_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    let bomb = {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        s
    };
    let long_line = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {}}}\n",
        "😀".repeat(200_000)
    );
    let cases: Vec<String> = vec![
        String::new(),
        "\u{feff}".into(),
        "\0\0\0".into(),
        "---\n---\n...\n".into(),
        "key: \"unterminated\n".into(),
        "apiVersion: v1\nkind: Pod\nspec: {containers: [{securityContext: {privileged: [1, {a: b}]}}]}\n"
            .into(),
        "kind: [\n".into(),
        "%YAML 1.1\n%TAG ! tag:x,2000:\n--- !foo\na: b\n".into(),
        "a: &x 1\nb: *y\n".into(),
        "\u{fffd}\u{fffd}: \u{10ffff}\n".into(),
        deep_flow,
        deep_block,
        bomb,
        long_line,
        format!("{NGINX}\n---\n{}", "- ".repeat(50_000)),
    ];
    for text in &cases {
        let got = check(text, JsValue::UNDEFINED);
        assert!(got["summary"].is_object());
        for e in got["errors"].as_array().unwrap() {
            let units = text.encode_utf16().count() as u64;
            assert!(e["range"]["end"]["offset"].as_u64().unwrap() <= units);
        }
        assert_eq!(check(NGINX, JsValue::UNDEFINED), good);
    }
    // A JavaScript string with lone surrogates (not valid UTF-16) is read with U+FFFD in
    // their place, one code unit each, so offsets still index the original string.
    let lone = JsString::from_char_code(&[0xD83D, 0x61, 0x3A, 0x20, 0xDE00, 0x0A]);
    let v = js::check(lone.into(), JsValue::UNDEFINED).unwrap();
    let got: Value = serde_wasm_bindgen::from_value(v).unwrap();
    assert_eq!(got, check("\u{fffd}a: \u{fffd}\n", JsValue::UNDEFINED));
    assert_eq!(check(NGINX, JsValue::UNDEFINED), good);
}

#[wasm_bindgen_test]
fn rules_have_metadata_and_docs() {
    let v: Value = serde_wasm_bindgen::from_value(js::rules_js().unwrap()).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), kube_secctx::rules::RULES.len());
    let cli: Value = serde_json::from_str(&kube_secctx::render::rules_json()).unwrap();
    assert_eq!(v, cli, "rules() is `kube-secctx rules --format json`");
    let p = all
        .iter()
        .find(|r| r["id"] == "privileged-container")
        .unwrap();
    assert_eq!(p["severity"], json!("error"));
    assert_eq!(p["pss"]["level"], json!("baseline"));
    assert_eq!(p["pss"]["check"], json!("privileged"));
    assert!(p["docs"].as_str().unwrap().contains("## What it checks"));
    assert!(p["title"].is_string() && p["fix"].is_string());
    let hardening = all
        .iter()
        .find(|r| r["id"] == "writable-root-filesystem")
        .unwrap();
    assert_eq!(hardening["pss"], Value::Null);
}

/// The result is made of plain objects and arrays, with `null` (not `undefined`) for
/// missing values, as `JSON.parse` of the CLI's output gives.
#[wasm_bindgen_test]
fn plain_objects_and_nulls() {
    let v = js::check(JsValue::from_str(NGINX), JsValue::UNDEFINED).unwrap();
    let proto = Object::get_prototype_of(&v);
    assert_eq!(
        JsValue::from(proto),
        JsValue::from(Object::get_prototype_of(&Object::new()))
    );
    let findings = Reflect::get(&v, &"findings".into()).unwrap();
    assert!(Array::is_array(&findings));
    let first = Reflect::get_u32(&findings, 0).unwrap();
    let pss = Reflect::get(&first, &"container".into()).unwrap();
    let level = Reflect::get(
        &Reflect::get(&v, &"options".into()).unwrap(),
        &"level".into(),
    )
    .unwrap();
    assert!(level.is_null(), "null, not undefined");
    assert!(pss.is_string() || pss.is_null());
    let by_rule = Reflect::get(
        &Reflect::get(&v, &"summary".into()).unwrap(),
        &"byRule".into(),
    )
    .unwrap();
    assert_eq!(
        JsValue::from(Object::get_prototype_of(&by_rule)),
        JsValue::from(Object::get_prototype_of(&Object::new())),
        "maps are plain objects"
    );
    let json = js_sys::JSON::stringify(&v).unwrap();
    let cli = cli_json("<stdin>", NGINX, &Default::default());
    assert_eq!(
        String::from(json),
        cli,
        "JSON.stringify gives the CLI's JSON"
    );
}

#[wasm_bindgen_test]
fn many_calls_do_not_leak_or_drift() {
    let first = check(UNICODE, JsValue::UNDEFINED);
    for _ in 0..200 {
        let _ = js::check(
            JsValue::from_str(UNICODE),
            obj(&[("level", "bogus".into())]),
        );
        assert_eq!(check(UNICODE, JsValue::UNDEFINED), first);
    }
}
