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
