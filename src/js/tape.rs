//! The packed hand-over of a report to JavaScript: any `Serialize` value written as one
//! string and one array of 32-bit words (a "tape"), rebuilt into plain objects by
//! `unpack()` in the package's `boundary.js`, with the same keys in the same order and the
//! same values as [`serde_wasm_bindgen::Serializer::json_compatible`] gives.
//!
//! Why: building the report's objects field by field across the boundary costs a call
//! from wasm into JavaScript per field and per string (and a UTF-8 decode per string); on
//! 1,000 generated workloads (7,575 findings) that was about a fifth of a `check()` in
//! Node.js. Here the module makes two values, whatever the report's size: the text of
//! every string and key, in order (decoded once), and the tape (copied once); JavaScript
//! then builds the objects itself (README "The JS boundary").
//!
//! **The tape.** Each word is `tag | payload << 3` (payload: 29 bits):
//!
//! | tag | meaning | payload |
//! |---|---|---|
//! | 0 `NUM` | a number 0 ≤ n < 2^29 | n |
//! | 1 `STR` | a string: the next `len` UTF-16 code units of the text | len |
//! | 2 `KEY` | an object key: key number `id`; a new one (`id` = keys so far) is followed by a word, its length in UTF-16 code units, and is the next text | id |
//! | 3 `OBJ` | an object: (`KEY` or `DYNKEY`, value) pairs until `END` | 0 |
//! | 4 `ARR` | an array: values until `END` | 0 |
//! | 5 `END` | the end of an object or an array | 0 |
//! | 6 `CONST` | `null` (0), `false` (1), `true` (2), a number in the next two words (3: an f64's low, high 32 bits), a long string (4: its length in the next word), a map key (5: the next value is the key), a string to remember (6: its length in the next word; it gets the next string number) | which |
//! | 7 `REF` | a string remembered before | its number |
//!
//! Strings of at most 256 bytes are sent once (`CONST` 6) and then by number (`REF`), and
//! JavaScript reuses the same string: less text to decode, fewer strings to allocate.
//!
//! What `json_compatible` does, this does: `None`, `()` and unit structs are `null`, maps
//! are objects (their keys: the key value, as a property name), numbers are JavaScript
//! numbers (a `u64` or `i64` beyond 2^53 loses precision, as there), a unit variant is its
//! name, other variants `{name: value}`. Bytes become an array of numbers (serde-wasm-bindgen
//! makes a `Uint8Array`; no report holds bytes).

use std::fmt;

use serde::ser::{self, Serialize};

/// The word tags (the low 3 bits).
const NUM: u32 = 0;
const STR: u32 = 1;
const KEY: u32 = 2;
const OBJ: u32 = 3;
const ARR: u32 = 4;
const END: u32 = 5;
const CONST: u32 = 6;
const REF: u32 = 7;

/// `CONST` payloads.
const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
const F64: u32 = 3;
const LONG_STR: u32 = 4;
const DYN_KEY: u32 = 5;
const NEW_REF: u32 = 6;

/// Strings up to this many bytes are sent once and then by number ([`REF`]): a report
/// repeats its rule IDs, severities, file and kind names, fix hints, pointers and most
/// messages, finding after finding.
const SHARED_MAX: usize = 256;

/// The largest payload (29 bits).
const MAX_PAYLOAD: u32 = (1 << 29) - 1;

/// A value packed for `unpack()`: the text of its strings and keys, in tape order, and
/// the tape (see the module docs).
#[derive(Debug, Default)]
pub struct Tape {
    /// Every string and every new key, one after another.
    pub text: String,
    /// The words.
    pub words: Vec<u32>,
    /// Struct field names seen so far, by address and length (they are `&'static str`,
    /// so an address is never reused for another name), with their key numbers.
    keys: crate::hash::HashMap<(usize, usize), u32>,
    /// The last key number seen in each of 32 slots chosen by a key's address, looked at
    /// before `keys` (a report names a handful of field names over and over: a finding's
    /// dozen keys were 3% of a `check()` of 1,000 generated workloads in Node.js through
    /// the map alone).
    recent: [(usize, usize, u32); 32],
    /// Short strings sent so far, with their numbers.
    strings: crate::hash::HashMap<Box<str>, u32>,
}

/// Packs `value`.
///
/// # Errors
/// When `value`'s `Serialize` implementation fails (a custom error).
pub fn pack<T: Serialize + ?Sized>(value: &T) -> Result<Tape, Error> {
    let mut tape = Tape::default();
    value.serialize(&mut tape)?;
    Ok(tape)
}

/// A `Serialize` implementation's error.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// UTF-16 code units of `s` (what `String.prototype.length` says).
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

impl Tape {
    fn op(&mut self, tag: u32, payload: u32) {
        self.words.push(tag | (payload << 3));
    }

    fn num(&mut self, v: f64) {
        if v.is_sign_positive() && v <= f64::from(MAX_PAYLOAD) && v.fract() == 0.0 {
            self.op(NUM, v as u32);
        } else {
            let bits = v.to_bits();
            self.op(CONST, F64);
            self.words.push(bits as u32);
            self.words.push((bits >> 32) as u32);
        }
    }

    fn uint(&mut self, v: u64) {
        match u32::try_from(v) {
            Ok(small) if small <= MAX_PAYLOAD => self.op(NUM, small),
            _ => self.num(v as f64),
        }
    }

    fn str(&mut self, s: &str) {
        if s.len() <= SHARED_MAX {
            if let Some(&id) = self.strings.get(s) {
                self.op(REF, id);
                return;
            }
            if let Ok(id) = u32::try_from(self.strings.len()) {
                if id <= MAX_PAYLOAD {
                    self.strings.insert(s.into(), id);
                    self.op(CONST, NEW_REF);
                    // At most 256 bytes: at most 256 code units.
                    self.words.push(u32::try_from(utf16_len(s)).unwrap_or(0));
                    self.text.push_str(s);
                    return;
                }
            }
        }
        let len = utf16_len(s);
        match u32::try_from(len) {
            Ok(n) if n <= MAX_PAYLOAD => self.op(STR, n),
            _ => {
                self.op(CONST, LONG_STR);
                // A string of 2^32 code units cannot be in a 4 GiB wasm32 memory.
                self.words.push(u32::try_from(len).unwrap_or(u32::MAX));
            }
        }
        self.text.push_str(s);
    }

    fn key(&mut self, key: &'static str) {
        let at = (key.as_ptr() as usize, key.len());
        // Field names lie in static data: their addresses differ in their low bits.
        let slot = (at.0 ^ at.0 >> 5 ^ at.1) % self.recent.len();
        if let Some(&(ptr, len, id)) = self.recent.get(slot) {
            if (ptr, len) == at {
                self.op(KEY, id);
                return;
            }
        }
        let next = u32::try_from(self.keys.len()).unwrap_or(MAX_PAYLOAD);
        let id = *self.keys.entry(at).or_insert(next);
        if let Some(entry) = self.recent.get_mut(slot) {
            *entry = (at.0, at.1, id);
        }
        self.op(KEY, id);
        if id == next {
            self.words
                .push(u32::try_from(utf16_len(key)).unwrap_or(u32::MAX));
            self.text.push_str(key);
        }
    }

    fn null(&mut self) {
        self.op(CONST, NULL);
    }
}

/// An object, array or variant being written; `variant`: a `{name: ...}` to close too.
pub struct Compound<'a> {
    tape: &'a mut Tape,
    variant: bool,
}

impl Compound<'_> {
    fn close(self) {
        self.tape.op(END, 0);
        if self.variant {
            self.tape.op(END, 0);
        }
    }
}

impl<'a> ser::Serializer for &'a mut Tape {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    // As serde-wasm-bindgen's serializer, so that types which serialize differently for
    // humans give the same values.
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.op(CONST, if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.num(f64::from(v));
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.num(f64::from(v));
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.num(f64::from(v));
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        match u64::try_from(v) {
            Ok(u) => self.uint(u),
            Err(_) => self.num(v as f64),
        }
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.uint(u64::from(v));
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.uint(u64::from(v));
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.uint(u64::from(v));
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.uint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.num(f64::from(v));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.num(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.op(ARR, 0);
        for &b in v {
            self.op(NUM, u32::from(b));
        }
        self.op(END, 0);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.null();
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.null();
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.null();
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.str(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.op(OBJ, 0);
        self.key(variant);
        value.serialize(&mut *self)?;
        self.op(END, 0);
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.op(ARR, 0);
        Ok(Compound {
            tape: self,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.op(OBJ, 0);
        self.key(variant);
        self.op(ARR, 0);
        Ok(Compound {
            tape: self,
            variant: true,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.op(OBJ, 0);
        Ok(Compound {
            tape: self,
            variant: false,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        self.op(OBJ, 0);
        Ok(Compound {
            tape: self,
            variant: false,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.op(OBJ, 0);
        self.key(variant);
        self.op(OBJ, 0);
        Ok(Compound {
            tape: self,
            variant: true,
        })
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.tape.op(CONST, DYN_KEY);
        key.serialize(&mut *self.tape)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.tape.key(key);
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.tape.key(key);
        value.serialize(&mut *self.tape)
    }
    fn end(self) -> Result<(), Error> {
        self.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct S<'a> {
        a: u32,
        b: Option<&'a str>,
        c: Vec<i64>,
    }

    #[test]
    fn words_and_text() {
        let t = pack(&[
            S {
                a: 7,
                b: Some("é𝄞"),
                c: vec![-1, 1 << 40],
            },
            S {
                a: 1 << 29,
                b: None,
                c: vec![],
            },
        ])
        .unwrap();
        // Keys a, b, c spelled out once, each before its first value; then their ids.
        assert_eq!(t.text, "abé𝄞c");
        let w = |tag: u32, p: u32| tag | (p << 3);
        let f = |v: f64| [(v.to_bits()) as u32, (v.to_bits() >> 32) as u32];
        let mut want = vec![w(ARR, 0), w(OBJ, 0), w(KEY, 0), 1, w(NUM, 7)];
        want.extend([
            w(KEY, 1),
            1,
            w(CONST, NEW_REF),
            3,
            w(KEY, 2),
            1,
            w(ARR, 0),
            w(CONST, F64),
        ]);
        want.extend(f(-1.0));
        want.push(w(CONST, F64));
        want.extend(f((1u64 << 40) as f64));
        want.extend([w(END, 0), w(END, 0), w(OBJ, 0), w(KEY, 0), w(CONST, F64)]);
        want.extend(f(f64::from(1u32 << 29)));
        want.extend([w(KEY, 1), w(CONST, NULL), w(KEY, 2), w(ARR, 0), w(END, 0)]);
        want.extend([w(END, 0), w(END, 0)]);
        assert_eq!(t.words, want);
    }

    #[test]
    fn short_strings_once_long_ones_each_time() {
        let long = "x".repeat(SHARED_MAX + 1);
        let t = pack(&["a", "b", "a", long.as_str(), long.as_str(), "b"]).unwrap();
        let w = |tag: u32, p: u32| tag | (p << 3);
        let n = u32::try_from(long.len()).unwrap();
        let want = vec![
            w(ARR, 0),
            w(CONST, NEW_REF),
            1,
            w(CONST, NEW_REF),
            1,
            w(REF, 0),
            w(STR, n),
            w(STR, n),
            w(REF, 1),
            w(END, 0),
        ];
        assert_eq!(t.words, want);
        assert_eq!(t.text, format!("ab{long}{long}"));
    }
}
