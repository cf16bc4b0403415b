//! The manifest text from JavaScript into the module: the string encoded to UTF-8 by the
//! engine's own `TextEncoder.encode`, then copied into the module's memory in one go; or,
//! for `check()`, a file's bytes as a `Uint8Array`, copied as they are (no text made in
//! JavaScript, none encoded: a fifth of a `check()` of a large string with non-Latin-1
//! characters, which V8 keeps two bytes a character, went to `encode`).
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

use js_sys::{ArrayBuffer, JsString, Uint8Array};
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

/// A manifest as `check()` takes it.
#[derive(Debug)]
pub enum Manifest {
    /// A string: the text itself.
    Text(String),
    /// A `Uint8Array` (a Node.js `Buffer` is one): a file's bytes, read as the CLI reads
    /// a file ([`crate::engine::decode`]).
    Bytes(Vec<u8>),
}

impl Manifest {
    /// The text the engine reads: a string as it is; bytes decoded as UTF-8 with each
    /// byte of an invalid sequence as one `?` (so every byte offset stays the file's;
    /// such a document is an error entry), a UTF-16 file flagged.
    pub fn decoded(&self) -> crate::engine::Decoded<'_> {
        match self {
            Manifest::Text(text) => crate::engine::Decoded {
                text: text.as_str().into(),
                invalid: Vec::new(),
            },
            Manifest::Bytes(bytes) => crate::engine::decode(bytes),
        }
    }
}

/// `value` as a manifest: a string, or the bytes of a `Uint8Array` (copied into the
/// module's memory in one go, no text decoded or encoded in JavaScript); `None` for
/// anything else (a proxy of a `Uint8Array` too: `ArrayBuffer.isView` looks at the
/// object's own slots). The package's `check()` hands over a `Uint8Array` of any realm
/// as a fresh view of this one (`plainText` in `boundary.js`), so that the copy reads
/// no property the caller defined on it.
pub fn manifest_of(value: &JsValue) -> Option<Manifest> {
    if ArrayBuffer::is_view(value) {
        return value
            .dyn_ref::<Uint8Array>()
            .map(|bytes| Manifest::Bytes(bytes.to_vec()));
    }
    text_of(value).map(Manifest::Text)
}

/// `value` as a Rust string, or `None` when it is not a string.
pub fn text_of(value: &JsValue) -> Option<String> {
    let js = value.dyn_ref::<JsString>()?;
    let bytes = TextEncoder::new().encode(js).to_vec();
    // `encode` gives UTF-8; should a host give anything else, wasm-bindgen's own copy.
    String::from_utf8(bytes).ok().or_else(|| value.as_string())
}
