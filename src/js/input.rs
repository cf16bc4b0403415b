//! The manifest text from JavaScript into the module: the string encoded to UTF-8 by the
//! engine's own `TextEncoder.encodeInto`, straight into a buffer of the module's memory.
//!
//! wasm-bindgen's own string argument (`JsValue::as_string`) copies a string's leading
//! ASCII characters one at a time in a JavaScript loop before it calls `encodeInto` for
//! the rest: right for short strings, but a manifest is megabytes of ASCII, and that loop
//! was about 3% of a `check()` of 1,000 generated workloads in Node.js (README
//! "Budgets"); one `encodeInto` does the same work natively. The result is the same
//! string: `encodeInto` writes exactly what wasm-bindgen's path writes (UTF-8, a lone
//! surrogate as U+FFFD).

use js_sys::{JsString, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder` (Node.js and every browser have it).
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    /// `encoder.encodeInto(text, dest)`: `{read, written}` (UTF-16 code units read, bytes
    /// written); stops when `dest` is full, never in the middle of a character.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode(this: &TextEncoder, text: &JsString, dest: &Uint8Array) -> JsValue;
}

/// `value` as a Rust string, or `None` when it is not a string.
pub fn text_of(value: &JsValue) -> Option<String> {
    let js = value.dyn_ref::<JsString>()?;
    let units = js.length();
    let encoder = TextEncoder::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut done = 0; // code units encoded
    let mut rest = js.clone();
    // ASCII first (one byte per code unit); what is left, if any, at most 3 bytes a unit.
    let mut room = units as usize;
    for _ in 0..2 {
        let start = buf.len();
        buf.resize(start.saturating_add(room), 0);
        let (read, written) = encode_into(&encoder, &rest, buf.get_mut(start..)?)?;
        buf.truncate(start.saturating_add(written));
        done += read;
        if done >= units {
            return String::from_utf8(buf).ok();
        }
        // `encodeInto` stops between characters, so `done` is a character boundary.
        rest = js.slice(done, units);
        room = ((units - done) as usize).saturating_mul(3);
    }
    // Not reached (3 bytes a code unit always fit); wasm-bindgen's own copy then.
    value.as_string()
}

/// Encodes `js` into `dest` with `encodeInto`: (code units read, bytes written), or `None`
/// when the host's answer is not what it should be.
fn encode_into(encoder: &TextEncoder, js: &JsString, dest: &mut [u8]) -> Option<(u32, usize)> {
    // SAFETY: the view covers `dest`, which outlives it. It is used only by the
    // `encodeInto` call below, during which no Rust code runs (so nothing reads `dest`,
    // and nothing allocates and grows the memory, which would detach the view: then
    // `encodeInto` writes nothing, and the caller sees that too little was read), and it is
    // dropped before `dest` is read.
    #[allow(unsafe_code)]
    let view = unsafe { Uint8Array::view_mut_raw(dest.as_mut_ptr(), dest.len()) };
    let result = encoder.encode(js, &view);
    drop(view);
    let count = |name: &str| {
        Reflect::get(&result, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_f64())
    };
    let read = count("read")? as u32;
    let written = count("written")? as usize;
    (written <= dest.len()).then_some((read, written))
}
