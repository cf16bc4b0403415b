// kube-secctx for browsers and bundlers (the "browser" and "import" conditions).
//
// Built on wasm-bindgen's `web` target (./kube_secctx.mjs): the module must be
// instantiated once with `await init()` (fetches ./kube_secctx_bg.wasm beside this
// file, or what you pass) or `initSync(bytes)` before the first check() or rules().
// The types are in ../index.d.ts.
import wasmInit, {
  initSync as wasmInitSync,
  check as wasmCheck,
  rules as wasmRules,
  __wbg_reset_state as resetState,
} from './kube_secctx.mjs';

/** The package version (the same as the Rust crate's, and as `check(...).version`). */
export const version = '@VERSION@';

let ready = false;
let pending;

/**
 * Instantiates the WebAssembly module: once, before the first check() or rules().
 * Without an argument it fetches `kube_secctx_bg.wasm` next to this file (bundlers:
 * copy it beside the bundle, or pass its URL); a URL, a Response, the bytes or a
 * compiled WebAssembly.Module work too. Later calls resolve at once.
 */
export function init(input) {
  if (ready) return Promise.resolve();
  if (pending === undefined) {
    pending = Promise.resolve(input)
      .then((resolved) =>
        wasmInit(resolved === undefined ? undefined : { module_or_path: resolved }))
      .then(
        () => { ready = true; },
        (e) => { pending = undefined; throw e; },
      );
  }
  return pending;
}

/** Instantiates the module synchronously from its bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  if (ready) return;
  if (module === undefined || module === null) {
    throw new TypeError(
      'kube-secctx: initSync(bytes) needs the bytes of kube_secctx_bg.wasm ' +
      '(a BufferSource) or a compiled WebAssembly.Module');
  }
  wasmInitSync({ module });
  ready = true;
}

/** Checks a manifest: see index.d.ts. */
export function check(text, options) {
  return call(wasmCheck, text, plainOptions(options));
}

/** Every rule's metadata and docs: see index.d.ts. */
export function rules() {
  return call(wasmRules);
}

// The boundary. Options are copied into a plain object in JavaScript (getters and
// proxies run here, not inside the module); the module validates every value. A wasm
// trap cannot come from the API (the engine never panics), but if one did, the module
// is re-instantiated and the caller gets an Error instead of a poisoned instance.
function call(fn, ...args) {
  if (!ready) {
    throw new Error(
      'kube-secctx: the WebAssembly module is not initialized: ' +
      'call `await init()` (or `initSync(bytes)`) once before check() or rules()');
  }
  try {
    return fn(...args);
  } catch (e) {
    throw recover(e);
  }
}

function recover(e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return e;
  resetState();
  return new Error(
    `kube-secctx: internal error: the WebAssembly module trapped (${e.message}); ` +
    'it has been re-instantiated and can be used again. Please report this with the input.',
    { cause: e });
}

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
