// The boundary between JavaScript and the WebAssembly module, shared by the package's two
// entries. This one source becomes web/boundary.mjs (an ES module) and node/boundary.cjs
// (CommonJS) when scripts/build-wasm.sh assembles the package: it adds the one export
// line each module kind needs.
//
// Options are copied into a plain object in JavaScript (getters and proxies run here, not
// inside the module); the module validates every value. A wasm trap cannot come from the
// API (the engine never panics), but if one did, the module is re-instantiated and the
// caller gets an Error instead of a poisoned instance.

/**
 * `call(fn, ...args)` for a module: `resetState` re-instantiates it (wasm-bindgen's
 * `__wbg_reset_state`), `isReady` says whether it may be called yet.
 */
function boundary(resetState, isReady) {
  function recover(e) {
    if (!(e instanceof WebAssembly.RuntimeError)) return e;
    resetState();
    return new Error(
      `kube-secctx: internal error: the WebAssembly module trapped (${e.message}); ` +
      'it has been re-instantiated and can be used again. Please report this with the input.',
      { cause: e });
  }

  return function call(fn, ...args) {
    if (!isReady()) {
      throw new Error(
        'kube-secctx: the WebAssembly module is not initialized: ' +
        'call `await init()` (or `initSync(bytes)`) once before check() or rules()');
    }
    try {
      return fn(...args);
    } catch (e) {
      throw recover(e);
    }
  };
}

// The getters of every typed array (%TypedArray%.prototype): they read a view's own
// internal slots, so they answer for a view from any realm (a Buffer made in Jest's
// environment) and cannot be shadowed by properties the caller defines on the view.
const TypedArray = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (key) => Object.getOwnPropertyDescriptor(TypedArray, key).get;
const typedArrayName = intrinsic(Symbol.toStringTag);
const bufferOf = intrinsic('buffer');
const byteOffsetOf = intrinsic('byteOffset');
const byteLengthOf = intrinsic('byteLength');

/**
 * `check`'s text as the module takes it: a `Uint8Array` of any realm (a `Buffer` too) as
 * a fresh view of this realm over the same bytes, sized from its internal slots (a
 * detached buffer, or a view its resizable buffer no longer covers, has none: empty), so
 * that copying it into the module runs none of the caller's code and cannot throw;
 * anything else as it is (the module takes a string and rejects the rest).
 */
function plainText(text) {
  if (typedArrayName.call(text) !== 'Uint8Array') return text;
  const length = byteLengthOf.call(text);
  if (length === 0) return new Uint8Array(0);
  return new Uint8Array(bufferOf.call(text), byteOffsetOf.call(text), length);
}

/** A plain copy of `check`'s options (arrays copied too); anything else as it is. */
function plainOptions(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return options;
  }
  const out = {};
  for (const key of Object.keys(options)) {
    const value = options[key];
    out[key] = Array.isArray(value) ? Array.from(value) : value;
  }
  return out;
}

/**
 * The objects of a packed result (`[text, words]` from the module's `__checkPacked` or
 * `__applyFixesPacked`): the same keys in the same order and the same values as the
 * module's objects built field by field (src/js/tape.rs documents the words). The module
 * hands over two values whatever the report's size; the objects are built here, where
 * building them is cheap.
 */
function unpack(packed) {
  const text = packed[0];
  const words = packed[1];
  const keys = [];
  const strings = [];
  const scratch = new DataView(new ArrayBuffer(8));
  let at = 0; // next word
  let pos = 0; // next UTF-16 code unit of `text`

  function str(len) {
    const s = text.slice(pos, pos + len);
    pos += len;
    return s;
  }
  function key(id) {
    if (id < keys.length) return keys[id];
    const k = str(words[at++]);
    keys.push(k);
    return k;
  }
  function value() {
    const w = words[at++];
    const payload = w >>> 3;
    switch (w & 7) {
      case 0: return payload;
      case 1: return str(payload);
      case 3: {
        const o = {};
        for (;;) {
          const k = words[at++];
          const tag = k & 7;
          if (tag === 5) return o;
          // A key: KEY id, or CONST 5 then the key as a value.
          o[tag === 2 ? key(k >>> 3) : value()] = value();
        }
      }
      case 4: {
        const a = [];
        while ((words[at] & 7) !== 5) a.push(value());
        at++;
        return a;
      }
      case 6:
        switch (payload) {
          case 0: return null;
          case 1: return false;
          case 2: return true;
          case 3:
            scratch.setUint32(0, words[at++], true);
            scratch.setUint32(4, words[at++], true);
            return scratch.getFloat64(0, true);
          case 4: return str(words[at++]);
          case 6: {
            const s = str(words[at++]);
            strings.push(s);
            return s;
          }
          default: break;
        }
        break;
      case 7:
        if (payload < strings.length) return strings[payload];
        break;
      default: break;
    }
    throw new Error(`kube-secctx: internal error: bad packed word ${w} at ${at - 1}`);
  }
  return value();
}
