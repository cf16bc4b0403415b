//! The JavaScript API (feature `js`): what the npm package `kube-secctx` exports, built for
//! `wasm32-unknown-unknown` with wasm-bindgen (`make wasm`).
//!
//! An adapter only: it converts JavaScript values to [`Options`], runs the core
//! ([`Checker`]) and converts the report back through the JSON report's view
//! ([`JsonReport`]) with `serde-wasm-bindgen`'s [`Serializer::json_compatible`], so every
//! object is a plain object and every missing value is `null`, exactly as in the CLI's
//! JSON report. No rule logic lives here.
//!
//! **The hand-over** (issue 16). Building the objects across the boundary field by field
//! ([`check`], [`apply_fixes`]) was measured in Node.js against the report's JSON text
//! made in Rust and parsed by `JSON.parse` (whole, and in slices): the same CPU time
//! within the machine's noise, and one JSON text doubles the peak memory. What the
//! package calls instead is [`check_packed`] / [`apply_fixes_packed`]: the same values
//! written by one serde serializer into a string and an array of words (`src/js/tape.rs`), two
//! values across the boundary whatever the report's size, and the objects built in
//! JavaScript by `unpack()` (`pkg-template/boundary.js`), equal to [`check`]'s, key order
//! included (`js-tests/packed.test.mjs`): a check of 1,000 generated workloads (7,575
//! findings) about 10% faster in Node.js (README "The JS boundary"). The text comes in
//! by one `TextEncoder.encode` and one copy (`src/js/input.rs`).
//!
//! **Positions.** The CLI's JSON counts columns in characters and offsets in bytes of the
//! UTF-8 file. JavaScript strings are UTF-16, so [`check`] counts both in UTF-16 code
//! units ([`Positions::Utf16`]), converting the core's byte spans once:
//!
//! - `line`: 1-based, unchanged;
//! - `column`: 1-based, counted in **UTF-16 code units** from the start of the line (a
//!   byte order mark at the start of the text is not counted, as in the CLI);
//! - `offset`: 0-based, in **UTF-16 code units** from the start of the string, so that
//!   `text.slice(start.offset, end.offset)` is exactly the node the finding is about.
//!
//! **Errors.** Bad arguments throw a JavaScript `Error` (a `TypeError` for a value of the
//! wrong type) whose message names the option and its allowed values. Invalid YAML is
//! never an exception: it is an `errors` entry with its position, as in the CLI. Nothing
//! here panics (the crate denies `unwrap`, `expect`, `panic` and indexing), so no call
//! ends in a wasm trap. Properties are read with `catch`ing imports (`Reflect`), so a
//! throwing getter becomes the thrown value instead of unwinding through the module; the
//! package's entry points also copy the options to a plain object in JavaScript first.
//!
//! The package's `kube-secctx` command (`npx kube-secctx`) is not built from this file: it
//! is the native command line ([`crate::cli`]) built for `wasm32-wasip1` and run by Node's
//! `node:wasi`.

mod input;
mod tape;

use js_sys::{Array, Reflect};
use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;

use crate::fix::{fix_text, FixSelection};
use crate::render::fixes::FixTable;
use crate::render::{self, json::JsonReport, json::Positions};
use crate::rules::{self, RULES};
use crate::{Checker, KubeVersion, Level, Options, PssVersion};

/// The file name a report gives the text when the `fileName` option is absent: the CLI's
/// name for standard input.
pub const DEFAULT_FILE_NAME: &str = "<stdin>";

/// The option names `check` accepts, in the order the messages list them.
const OPTION_NAMES: &[&str] = &[
    "level",
    "pssVersion",
    "kubeVersion",
    "select",
    "ignore",
    "fileName",
    "fixes",
];

/// The option names `applyFixes` accepts.
const APPLY_OPTION_NAMES: &[&str] = &[
    "level",
    "pssVersion",
    "kubeVersion",
    "select",
    "ignore",
    "fileName",
    "unsafe",
    "rules",
];

/// The options beyond the checker's.
#[derive(Debug, Default)]
struct Extra {
    /// `check`: each finding's fixes.
    fixes: bool,
    /// `applyFixes`: the unsafe fixes too.
    unsafe_fixes: bool,
    /// `applyFixes`: only these rules' fixes.
    rules: Option<Vec<String>>,
}

/// Checks one manifest text (multi-document YAML) and returns the report: the CLI's JSON
/// report (`kube-secctx check --format json`) with the same findings in the same order,
/// its positions re-expressed for JavaScript strings (see the module docs: 1-based
/// `line`, 1-based `column` in UTF-16 code units, `offset` in UTF-16 code units).
///
/// `text` is a string, or a `Uint8Array` holding a file's bytes, checked as the CLI
/// checks a file ([`crate::Checker::check_bytes`]: UTF-8, each byte of an invalid
/// sequence read as one `?` and its document an error entry, a UTF-16 file one error
/// entry); positions are then in UTF-16 code units of that decoded text.
///
/// `options` is `undefined`, `null` or an object with `level` (`"baseline"` or
/// `"restricted"`: the Pod Security Standards at that level and the input diagnostics,
/// no hardening rules; absent: every rule), `pssVersion` (`"latest"` or `"v1.N"`),
/// `kubeVersion` (the cluster's Kubernetes version, which decides which API fields exist
/// for `unknown-field`: `"latest"`, `"v1.N"`, `"1.N"` or `"v1.N.P"`; not the PSS version),
/// `select` and `ignore` (arrays of rule IDs) and `fileName` (default `"<stdin>"`).
///
/// # Errors
/// Throws an `Error` naming the option and its allowed values when `text` is neither a
/// string nor a `Uint8Array`, or an option is unknown, of the wrong type or has a bad
/// value.
#[wasm_bindgen(js_name = check, skip_typescript)]
pub fn check(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    check_as(text, options, Out::Objects)
}

/// [`check`], its report packed for the package's `unpack()` (`boundary.js`), which
/// rebuilds exactly the objects [`check`] returns: `[text, words]`, a string and a
/// `Uint32Array` (see `src/js/tape.rs`). What the npm package's `check()` calls: two values cross
/// the boundary instead of a call per field. Internal: not re-exported by the package.
///
/// # Errors
/// As [`check`].
#[wasm_bindgen(js_name = __checkPacked, skip_typescript)]
pub fn check_packed(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    check_as(text, options, Out::Packed)
}

/// How a result crosses to JavaScript.
#[derive(Debug, Clone, Copy)]
enum Out {
    /// Objects built field by field (`serde-wasm-bindgen`).
    Objects,
    /// Packed (`src/js/tape.rs`), for `unpack()` in JavaScript.
    Packed,
}

fn check_as(text: JsValue, options: JsValue, out: Out) -> Result<JsValue, JsValue> {
    let Some(manifest) = input::manifest_of(&text) else {
        return Err(type_error(format!(
            "check(): text must be a string (the manifest's YAML) or a Uint8Array (a \
             file's bytes), got {}",
            describe(&text)
        )));
    };
    let (opts, file_name, extra) = parse_options(&options, "check", OPTION_NAMES)?;
    let mut checker = Checker::new(&opts).map_err(|e| error(format!("check(): {e}")))?;
    let decoded = manifest.decoded();
    checker.check_decoded(&file_name, &decoded);
    let report = checker.finish();
    let text: &str = &decoded.text;
    let sources = |_: &str| Some(text);
    let view = JsonReport::new(&report, &sources, Positions::Utf16);
    if !extra.fixes {
        return convert(&view, out);
    }
    // Bytes that are not UTF-8 are not fixed (as the CLI's --show-fixes and --fix):
    // every finding says so.
    if !decoded.invalid.is_empty() {
        let table = FixTable::not_fixed(crate::render::fixes::NOT_UTF8);
        #[allow(clippy::let_and_return)]
        let js = convert(&view.with_fixes(&table), out);
        return js;
    }
    let every = FixSelection {
        unsafe_fixes: true,
        rules: None,
    };
    let fixed = fix_text(&opts, &file_name, text, &every, true)
        .map_err(|e| error(format!("check(): {e}")))?;
    let table = FixTable::new(fixed);
    #[allow(clippy::let_and_return)]
    let js = convert(&view.with_fixes(&table), out);
    js
}

/// Applies the fixes of one manifest text and returns `{text, applied, remaining}`: the
/// fixed text (the input when nothing applied), the findings fixed (`rule`, `title`,
/// `applicability`, `path`, `message`), and the findings left in the fixed text (as
/// `check()` reports them: positions in UTF-16 code units of the fixed text).
///
/// `options` takes `check`'s (but `fixes`), plus `unsafe` (a boolean: apply the unsafe
/// fixes too; default `false`) and `rules` (an array of rule IDs: only their fixes).
///
/// # Errors
/// As [`check`].
#[wasm_bindgen(js_name = applyFixes, skip_typescript)]
pub fn apply_fixes(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    apply_fixes_as(text, options, Out::Objects)
}

/// [`apply_fixes`], its result packed as [`check_packed`]'s. Internal: not re-exported by
/// the package.
///
/// # Errors
/// As [`check`].
#[wasm_bindgen(js_name = __applyFixesPacked, skip_typescript)]
pub fn apply_fixes_packed(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    apply_fixes_as(text, options, Out::Packed)
}

fn apply_fixes_as(text: JsValue, options: JsValue, out: Out) -> Result<JsValue, JsValue> {
    let Some(text) = input::text_of(&text) else {
        return Err(type_error(format!(
            "applyFixes(): text must be a string (the manifest's YAML), got {}",
            describe(&text)
        )));
    };
    let (opts, file_name, extra) = parse_options(&options, "applyFixes", APPLY_OPTION_NAMES)?;
    let select = FixSelection {
        unsafe_fixes: extra.unsafe_fixes,
        rules: extra.rules,
    };
    let fixed = fix_text(&opts, &file_name, &text, &select, false)
        .map_err(|e| error(format!("applyFixes(): {e}")))?;
    let applied: Vec<Applied<'_>> = fixed
        .applied
        .iter()
        .filter_map(|&i| Some((fixed.findings.get(i)?, fixed.planned.get(i)?.as_ref()?)))
        .map(|(f, (title, applicability))| Applied {
            rule: f.rule,
            title,
            applicability: *applicability,
            path: &f.path,
            message: &f.message,
        })
        .collect();
    let mut checker = Checker::new(&opts).map_err(|e| error(format!("applyFixes(): {e}")))?;
    checker.check_text(&file_name, &fixed.text);
    let report = checker.finish();
    let sources = |_: &str| Some(fixed.text.as_str());
    let view = JsonReport::new(&report, &sources, Positions::Utf16);
    let result = AppliedFixes {
        text: &fixed.text,
        applied,
        remaining: view.findings(),
    };
    // Bound first: the view borrows what this function owns.
    #[allow(clippy::let_and_return)]
    let js = convert(&result, out);
    js
}

/// What `applyFixes` returns.
#[derive(Serialize)]
struct AppliedFixes<'a, F: Serialize> {
    text: &'a str,
    applied: Vec<Applied<'a>>,
    remaining: F,
}

/// A finding that a fix removed.
#[derive(Serialize)]
struct Applied<'a> {
    rule: &'a str,
    title: &'a str,
    applicability: crate::fix::Applicability,
    path: &'a str,
    message: &'a str,
}

/// Every rule's metadata and docs, in the registry's order: `id`, `title`, `category`
/// (`"pss"`, `"hardening"` or `"diagnostic"`), `severity`, `pss` (`level`, `check` (the
/// PSA check ID), `since`, `replacedInRestrictedSince`, `also`; `null` for rules outside
/// the Pod Security Standards), `fix` and `docs` (markdown) — the same objects as
/// `kube-secctx rules --format json`.
///
/// # Errors
/// None in practice; a conversion failure would be thrown as an `Error`.
#[wasm_bindgen(js_name = rules, skip_typescript)]
pub fn rules_js() -> Result<JsValue, JsValue> {
    let all: Vec<render::RuleInfo> = RULES.iter().map(|r| render::rule_info(r)).collect();
    to_js(&all)
}

/// Executes the wasm `unreachable` instruction: a trap on purpose, so the tests can prove
/// that the package's entry points turn a trap into an `Error` and re-instantiate the
/// module (no code path of the API can trap). Internal: not re-exported by the package.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = __trapForTesting, skip_typescript)]
pub fn trap_for_testing() {
    core::arch::wasm32::unreachable()
}

/// Reads the options object of `func` (`check` or `applyFixes`), which takes `names`.
fn parse_options(
    value: &JsValue,
    func: &str,
    names: &[&str],
) -> Result<(Options, String, Extra), JsValue> {
    let mut opts = Options::default();
    let mut file_name = DEFAULT_FILE_NAME.to_string();
    let mut extra = Extra::default();
    if value.is_undefined() || value.is_null() {
        return Ok((opts, file_name, extra));
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(type_error(format!(
            "{func}(): options must be an object with any of {} (or undefined), got {}",
            names.join(", "),
            describe(value)
        )));
    }
    for key in Reflect::own_keys(value)?.iter() {
        // Symbol keys are not options.
        let Some(name) = key.as_string() else {
            continue;
        };
        if !names.contains(&name.as_str()) {
            return Err(error(format!(
                "{func}(): unknown option {name:?}: the options are {}",
                names.join(", ")
            )));
        }
        let v = Reflect::get(value, &key)?;
        // `undefined` and `null` mean the default, so `check(text, report.options)` works.
        if v.is_undefined() || v.is_null() {
            continue;
        }
        match name.as_str() {
            "level" => {
                let s = expect_string(&v, func, "level", "\"baseline\" or \"restricted\"")?;
                let level = s
                    .parse::<Level>()
                    .map_err(|e| error(format!("{func}(): option level: {e}")))?;
                opts.level = Some(level);
            }
            "pssVersion" => {
                let s = expect_string(&v, func, "pssVersion", "\"latest\" or \"v1.N\"")?;
                opts.pss_version = s
                    .parse::<PssVersion>()
                    .map_err(|e| error(format!("{func}(): option pssVersion: {e}")))?;
            }
            "kubeVersion" => {
                let s = expect_string(&v, func, "kubeVersion", "\"latest\" or \"v1.N\"")?;
                opts.kube_version = s
                    .parse::<KubeVersion>()
                    .map_err(|e| error(format!("{func}(): option kubeVersion: {e}")))?;
            }
            "select" => opts.select = rule_ids(&v, func, "select")?,
            "ignore" => opts.ignore = rule_ids(&v, func, "ignore")?,
            "rules" => extra.rules = Some(rule_ids(&v, func, "rules")?),
            "fixes" => extra.fixes = expect_bool(&v, func, "fixes")?,
            "unsafe" => extra.unsafe_fixes = expect_bool(&v, func, "unsafe")?,
            _ => file_name = expect_string(&v, func, "fileName", "a file name")?,
        }
    }
    Ok((opts, file_name, extra))
}

/// A boolean option's value, or a `TypeError`.
fn expect_bool(v: &JsValue, func: &str, option: &str) -> Result<bool, JsValue> {
    v.as_bool().ok_or_else(|| {
        type_error(format!(
            "{func}(): option {option}: expected true or false, got {}",
            describe(v)
        ))
    })
}

/// A string option's value, or a `TypeError` naming the option and what it takes.
fn expect_string(v: &JsValue, func: &str, option: &str, allowed: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        type_error(format!(
            "{func}(): option {option}: expected {allowed}, got {}",
            describe(v)
        ))
    })
}

/// A `select`/`ignore` option: an array of known rule IDs (trimmed, empty ones dropped,
/// as the CLI does with `--select a,,b`).
fn rule_ids(v: &JsValue, func: &str, option: &str) -> Result<Vec<String>, JsValue> {
    let ids_list = || RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ");
    if !Array::is_array(v) {
        return Err(type_error(format!(
            "{func}(): option {option}: expected an array of rule IDs ({}), got {}",
            ids_list(),
            describe(v)
        )));
    }
    let len = Reflect::get(v, &JsValue::from_str("length"))?
        .as_f64()
        .unwrap_or(0.0) as u32;
    let mut out = Vec::new();
    for i in 0..len {
        let item = Reflect::get_u32(v, i)?;
        let Some(id) = item.as_string() else {
            return Err(type_error(format!(
                "{func}(): option {option}[{i}]: expected a rule ID string, got {}",
                describe(&item)
            )));
        };
        let id = id.trim();
        if id.is_empty() {
            continue;
        }
        if rules::rule(id).is_none() {
            let close = render::suggest_rules(id);
            let hint = if close.is_empty() {
                String::new()
            } else {
                let quoted: Vec<String> = close.iter().map(|c| format!("{c:?}")).collect();
                format!(" (did you mean {}?)", quoted.join(" or "))
            };
            return Err(error(format!(
                "{func}(): option {option}: unknown rule {id:?}{hint}; the rule IDs are {} \
                 (see rules())",
                ids_list()
            )));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

/// `a string`, `a number`, `null`, `an array`, ... for messages.
fn describe(v: &JsValue) -> String {
    if v.is_null() {
        return "null".into();
    }
    if v.is_undefined() {
        return "undefined".into();
    }
    if Array::is_array(v) {
        return "an array".into();
    }
    if js_sys::ArrayBuffer::is_view(v) {
        return "a typed array or DataView that is not a Uint8Array".into();
    }
    if v.is_instance_of::<js_sys::ArrayBuffer>() {
        return "an ArrayBuffer (pass new Uint8Array(buffer))".into();
    }
    match v.js_typeof().as_string().as_deref() {
        Some("object") => "an object".into(),
        Some("function") => "a function".into(),
        Some("symbol") => "a symbol".into(),
        Some("bigint") => "a bigint".into(),
        Some("boolean") => "a boolean".into(),
        Some("number") => "a number".into(),
        Some("string") => format!("a string ({:?})", v.as_string().unwrap_or_default()),
        _ => "a value of another type".into(),
    }
}

/// A JavaScript `Error` with this message.
fn error(message: String) -> JsValue {
    js_sys::Error::new(&message).into()
}

/// A JavaScript `TypeError` (an `Error`) with this message.
fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// Converts as `out` says: objects ([`to_js`]), or `[text, words]` (`src/js/tape.rs`).
fn convert<T: Serialize + ?Sized>(value: &T, out: Out) -> Result<JsValue, JsValue> {
    match out {
        Out::Objects => to_js(value),
        Out::Packed => {
            let packed = tape::pack(value)
                .map_err(|e| error(format!("kube-secctx: cannot convert the result: {e}")))?;
            let words = js_sys::Uint32Array::from(packed.words.as_slice());
            Ok(Array::of2(&JsValue::from_str(&packed.text), &words).into())
        }
    }
}

/// Converts to plain JavaScript objects, `null` for `None`, as `JSON.parse` of the CLI's
/// JSON would give.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&Serializer::json_compatible())
        .map_err(|e| error(format!("kube-secctx: cannot convert the result: {e}")))
}
