//! The manifest text from JavaScript into the module: the string encoded to UTF-8 by the
//! engine's own `TextEncoder.encode`, then copied into the module's memory in one go.
//!
//! wasm-bindgen's own string argument (`JsValue::as_string`) copies a string's leading
//! ASCII characters one at a time in a JavaScript loop before it calls `encodeInto` for
//! the rest: right for short strings, but a manifest is megabytes of ASCII, and that loop
//! was about 3% of a `check()` of 1,000 generated workloads in Node.js (README
//! "Budgets"). `TextEncoder.encode` does the same work natively, and the copy of its bytes
//! into the module (`Uint8Array::to_vec`, a `TypedArray.set`) is a memory copy. The
//! result is the same string: `encode` writes exactly what wasm-bindgen's path writes
//! (UTF-8, a lone surrogate as U+FFFD). The encoded bytes live in a JavaScript array
//! until the next garbage collection: the input's size once more, briefly.

use js_sys::{JsString, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder` (Node.js and every browser have it).
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    /// `encoder.encode(text)`: the UTF-8 bytes of `text` (a lone surrogate as U+FFFD).
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsString) -> Uint8Array;
}

/// `value` as a Rust string, or `None` when it is not a string.
pub fn text_of(value: &JsValue) -> Option<String> {
    let js = value.dyn_ref::<JsString>()?;
    let bytes = TextEncoder::new().encode(js).to_vec();
    // `encode` gives UTF-8; should a host give anything else, wasm-bindgen's own copy.
    String::from_utf8(bytes).ok().or_else(|| value.as_string())
}
