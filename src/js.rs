//! The JavaScript API (feature `js`): what the npm package `kube-secctx` exports, built for
//! `wasm32-unknown-unknown` with wasm-bindgen (`make wasm`).
//!
//! An adapter only: it converts JavaScript values to [`Options`], runs the core
//! ([`crate::engine`]) and converts the [`Report`] back, with `serde-wasm-bindgen`'s
//! [`Serializer::json_compatible`] so every object is a plain object and every missing
//! value is `null`, exactly as in the CLI's JSON report. No rule logic lives here.
//!
//! **Positions.** The CLI's JSON counts columns in characters and offsets in bytes of the
//! UTF-8 file. JavaScript strings are UTF-16, so [`check`] re-expresses every
//! `range.start`/`range.end`:
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
//! With the feature `js-cli`, [`cli`] adds what the package's `kube-secctx` command (`npx
//! kube-secctx check FILE...`) needs to print exactly what the native CLI prints, from the
//! same renderers ([`crate::render`]). That is a second module, built apart so the one
//! browsers load stays small; the package's entry points do not expose it.

use js_sys::{Array, Reflect};
use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;

use crate::engine::{check_into, new_report};
use crate::render;
use crate::report::{LineIndex, Position, Report};
use crate::rules::{self, RULES};
use crate::{Level, Options, PssVersion};

/// The file name a report gives the text when the `fileName` option is absent: the CLI's
/// name for standard input.
pub const DEFAULT_FILE_NAME: &str = "<stdin>";

/// The option names `check` accepts, in the order the messages list them.
const OPTION_NAMES: [&str; 5] = ["level", "pssVersion", "select", "ignore", "fileName"];

/// Checks one manifest text (multi-document YAML) and returns the report: the CLI's JSON
/// report (`kube-secctx check --format json`) with the same findings in the same order,
/// its positions re-expressed for JavaScript strings (see the module docs: 1-based
/// `line`, 1-based `column` in UTF-16 code units, `offset` in UTF-16 code units).
///
/// `options` is `undefined`, `null` or an object with `level` (`"baseline"` or
/// `"restricted"`; absent: every rule), `pssVersion` (`"latest"` or `"v1.N"`), `select`
/// and `ignore` (arrays of rule IDs) and `fileName` (default `"<stdin>"`).
///
/// # Errors
/// Throws an `Error` naming the option and its allowed values when `text` is not a string
/// or an option is unknown, of the wrong type or has a bad value.
#[wasm_bindgen(js_name = check, skip_typescript)]
pub fn check(text: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(type_error(format!(
            "check(): text must be a string (the manifest's YAML), got {}",
            describe(&text)
        )));
    };
    let (opts, file_name) = parse_options(&options)?;
    let mut report = new_report(&opts);
    check_into(&mut report, &file_name, &text, &opts);
    to_utf16_positions(&mut report, &text);
    to_js(&report)
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

/// Re-expresses every position of `report` for a JavaScript string: `column` and `offset`
/// in UTF-16 code units instead of characters and bytes (`line` stays 1-based).
///
/// `text` must be the one text every finding and error entry of `report` was computed
/// from (a report of one [`check_into`] call).
pub fn to_utf16_positions(report: &mut Report, text: &str) {
    if text.is_ascii() {
        // One byte, one character, one UTF-16 code unit: nothing changes.
        return;
    }
    let mut offsets: Vec<usize> = report
        .findings
        .iter()
        .map(|f| f.range)
        .chain(report.errors.iter().map(|e| e.range))
        .flat_map(|r| [r.start.offset, r.end.offset])
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let units = utf16_offsets(text.as_bytes(), &offsets);
    let convert = |p: &mut Position| {
        p.column = utf16_column(text, p.offset);
        p.offset = offsets
            .binary_search(&p.offset)
            .ok()
            .and_then(|i| units.get(i).copied())
            .unwrap_or(p.offset);
    };
    for range in report
        .findings
        .iter_mut()
        .map(|f| &mut f.range)
        .chain(report.errors.iter_mut().map(|e| &mut e.range))
    {
        convert(&mut range.start);
        convert(&mut range.end);
    }
}

/// The UTF-16 offset of each byte offset in `sorted` (ascending), in one pass over the
/// UTF-8 bytes.
fn utf16_offsets(bytes: &[u8], sorted: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(sorted.len());
    let (mut at, mut units) = (0usize, 0usize);
    for &target in sorted {
        let target = target.min(bytes.len());
        if target > at {
            units += utf16_len(bytes.get(at..target).unwrap_or_default());
            at = target;
        }
        out.push(units);
    }
    out
}

/// The UTF-16 length of UTF-8 bytes: one code unit per character (every byte but the
/// continuation bytes `0b10xx_xxxx`), two for a character of four bytes (lead byte
/// `0xF0` and up). Counting byte by byte, any split of the bytes adds up the same.
fn utf16_len(bytes: &[u8]) -> usize {
    bytes
        .chunks(4096)
        .map(|chunk| {
            if chunk.is_ascii() {
                chunk.len()
            } else {
                chunk
                    .iter()
                    .map(|&b| usize::from((b as i8) >= -0x40) + usize::from(b >= 0xF0))
                    .sum()
            }
        })
        .sum()
}

/// The 1-based UTF-16 column of byte `offset` (a character boundary): the core's
/// [`LineIndex::utf16_column`] over the offset's line alone (a byte order mark at the
/// start of the text is not counted).
fn utf16_column(text: &str, offset: usize) -> usize {
    let start = text
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    text.get(start..offset)
        .map_or(1, |line| LineIndex::new(line).utf16_column(line.len()))
}

/// Reads the `check` options object.
fn parse_options(value: &JsValue) -> Result<(Options, String), JsValue> {
    let mut opts = Options::default();
    let mut file_name = DEFAULT_FILE_NAME.to_string();
    if value.is_undefined() || value.is_null() {
        return Ok((opts, file_name));
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(type_error(format!(
            "check(): options must be an object with any of {} (or undefined), got {}",
            OPTION_NAMES.join(", "),
            describe(value)
        )));
    }
    for key in Reflect::own_keys(value)?.iter() {
        // Symbol keys are not options.
        let Some(name) = key.as_string() else {
            continue;
        };
        if !OPTION_NAMES.contains(&name.as_str()) {
            return Err(error(format!(
                "check(): unknown option {name:?}: the options are {}",
                OPTION_NAMES.join(", ")
            )));
        }
        let v = Reflect::get(value, &key)?;
        // `undefined` and `null` mean the default, so `check(text, report.options)` works.
        if v.is_undefined() || v.is_null() {
            continue;
        }
        match name.as_str() {
            "level" => {
                let s = expect_string(&v, "level", "\"baseline\" or \"restricted\"")?;
                let level = s
                    .parse::<Level>()
                    .map_err(|e| error(format!("check(): option level: {e}")))?;
                opts.level = Some(level);
            }
            "pssVersion" => {
                let s = expect_string(&v, "pssVersion", "\"latest\" or \"v1.N\"")?;
                opts.pss_version = s
                    .parse::<PssVersion>()
                    .map_err(|e| error(format!("check(): option pssVersion: {e}")))?;
            }
            "select" => opts.select = rule_ids(&v, "select")?,
            "ignore" => opts.ignore = rule_ids(&v, "ignore")?,
            _ => file_name = expect_string(&v, "fileName", "a file name")?,
        }
    }
    Ok((opts, file_name))
}

/// A string option's value, or a `TypeError` naming the option and what it takes.
fn expect_string(v: &JsValue, option: &str, allowed: &str) -> Result<String, JsValue> {
    v.as_string().ok_or_else(|| {
        type_error(format!(
            "check(): option {option}: expected {allowed}, got {}",
            describe(v)
        ))
    })
}

/// A `select`/`ignore` option: an array of known rule IDs (trimmed, empty ones dropped,
/// as the CLI does with `--select a,,b`).
fn rule_ids(v: &JsValue, option: &str) -> Result<Vec<String>, JsValue> {
    let ids_list = || RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ");
    if !Array::is_array(v) {
        return Err(type_error(format!(
            "check(): option {option}: expected an array of rule IDs ({}), got {}",
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
                "check(): option {option}[{i}]: expected a rule ID string, got {}",
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
                "check(): option {option}: unknown rule {id:?}{hint}; the rule IDs are {} \
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

/// Converts to plain JavaScript objects, `null` for `None`, as `JSON.parse` of the CLI's
/// JSON would give.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&Serializer::json_compatible())
        .map_err(|e| error(format!("kube-secctx: cannot convert the result: {e}")))
}

/// The `kube-secctx` command of the npm package (feature `js-cli`, a second wasm module
/// that only `bin/kube-secctx.cjs` loads): the native CLI's renderers behind a small API.
///
/// The JavaScript side parses the arguments and reads the files exactly as the native CLI
/// does; everything that decides what is printed runs here, in the same code as the native
/// CLI. Internal: not part of the package's documented API.
#[cfg(feature = "js-cli")]
pub mod cli {
    use std::collections::HashMap;

    use wasm_bindgen::prelude::*;

    use super::error;
    use crate::engine::{self, check_bytes_into, new_report};
    use crate::render::{self, sarif, text};
    use crate::report::Report;
    use crate::rules;
    use crate::{Level, Options, PssVersion};

    /// One run of `kube-secctx check` in the package's command (`bin/kube-secctx.cjs`): the
    /// JavaScript side reads the files and parses the arguments as the native CLI does; this
    /// checks the bytes and renders the report with the native CLI's renderers. Internal.
    #[wasm_bindgen(js_name = CliRun, skip_typescript)]
    pub struct CliRun {
        warnings: Vec<String>,
        opts: Options,
        report: Report,
        texts: HashMap<String, String>,
    }

    #[wasm_bindgen(js_class = CliRun)]
    impl CliRun {
        /// Starts a run with the CLI's options (`level` already checked by the caller to be
        /// `baseline`, `restricted` or absent).
        ///
        /// # Errors
        /// Throws an `Error` with the core's message for a bad level, PSS version or an
        /// unknown rule ID (the message the native CLI prints after `error: `).
        #[wasm_bindgen(constructor)]
        pub fn new(
            level: Option<String>,
            pss_version: String,
            select: Vec<String>,
            ignore: Vec<String>,
        ) -> Result<CliRun, JsValue> {
            let level = level
                .map(|l| l.parse::<Level>())
                .transpose()
                .map_err(|e| error(e.to_string()))?;
            let pss_version = pss_version
                .parse::<PssVersion>()
                .map_err(|e| error(e.to_string()))?;
            let opts = Options {
                level,
                pss_version,
                select,
                ignore,
                ..Options::default()
            };
            opts.validate().map_err(|e| error(e.to_string()))?;
            Ok(CliRun {
                warnings: engine::inactive_selected(&opts),
                report: new_report(&opts),
                opts,
                texts: HashMap::new(),
            })
        }

        /// Why selected rules will not run with these options (the core's sentences, which
        /// the native CLI prints as warnings).
        #[wasm_bindgen(getter)]
        pub fn warnings(&self) -> Vec<String> {
            self.warnings.clone()
        }

        /// Checks one file's bytes (UTF-8, or an input error when not) under the name the
        /// report gives it. Returns `false`, checking nothing, when an input of that name
        /// was already added (two standard inputs named alike).
        pub fn add(&mut self, name: String, bytes: Vec<u8>) -> bool {
            if self.texts.contains_key(&name) {
                return false;
            }
            let text = check_bytes_into(&mut self.report, &name, bytes, &self.opts);
            self.texts.insert(name, text);
            true
        }

        /// The report as the native CLI prints it: `format` is `text`, `json` or `sarif`;
        /// `color` for text; `cwd` (the working directory) for SARIF's `%SRCROOT%`.
        pub fn render(&self, format: &str, color: bool, cwd: Option<String>) -> String {
            let sources = |file: &str| self.texts.get(file).map(String::as_str);
            match format {
                "json" => self.report.to_json() + "\n",
                "sarif" => {
                    let opts = sarif::SarifOptions {
                        src_root: cwd.map(|d| dir_uri(&d)),
                    };
                    sarif::render(&self.report, &sources, &opts) + "\n"
                }
                _ => {
                    let opts = text::TextOptions {
                        color,
                        ..text::TextOptions::default()
                    };
                    text::render(&self.report, &sources, &opts)
                }
            }
        }

        /// How many files were checked (read and added).
        #[wasm_bindgen(getter)]
        pub fn files(&self) -> usize {
            self.report.files.len()
        }

        /// Whether the report has findings or error entries (the CLI then exits 1).
        #[wasm_bindgen(js_name = hasProblems)]
        pub fn has_problems(&self) -> bool {
            self.report.has_problems()
        }
    }

    /// A directory as a `file://` URI ending in `/` (as the native CLI writes `%SRCROOT%`).
    fn dir_uri(dir: &str) -> String {
        let mut uri = sarif::path_to_uri(dir);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// The input size limit in bytes: the CLI reads at most one byte more, so the engine
    /// reports a larger input as an error entry. Internal.
    #[wasm_bindgen(js_name = cliMaxInputBytes, skip_typescript)]
    pub fn cli_max_input_bytes() -> usize {
        Options::default().limits.max_input_bytes
    }

    /// `kube-secctx rules --format FORMAT` output (`table`, `markdown` or `json`). Internal.
    #[wasm_bindgen(js_name = cliRules, skip_typescript)]
    pub fn cli_rules(format: &str) -> String {
        match format {
            "markdown" => render::rules_markdown(),
            "json" => render::rules_json() + "\n",
            _ => render::rules_table(),
        }
    }

    /// `kube-secctx explain RULE` output, or `undefined` for an unknown rule. Internal.
    #[wasm_bindgen(js_name = cliExplain, skip_typescript)]
    pub fn cli_explain(id: &str) -> Option<String> {
        rules::rule(id).map(render::explain_markdown)
    }

    /// Rule IDs close to an unknown one, best first (for "did you mean"). Internal.
    #[wasm_bindgen(js_name = cliSuggestRules, skip_typescript)]
    pub fn cli_suggest_rules(id: &str) -> Vec<String> {
        render::suggest_rules(id)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The core's message for a bad `--pss-version` value, or `undefined` when it is valid.
    /// Internal.
    #[wasm_bindgen(js_name = cliPssVersionError, skip_typescript)]
    pub fn cli_pss_version_error(value: &str) -> Option<String> {
        value.parse::<PssVersion>().err().map(|e| e.to_string())
    }
}
