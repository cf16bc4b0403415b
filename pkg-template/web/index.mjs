// kube-secctx for browsers and bundlers (the "browser" and "import" conditions).
//
// Built on wasm-bindgen's `web` target (./kube_secctx.mjs): the module must be
// instantiated once with `await init()` (fetches ./kube_secctx_bg.wasm beside this
// file, or what you pass) or `initSync(bytes)` before the first check() or rules().
// The types are in ../index.d.ts.
import wasmInit, {
  initSync as wasmInitSync,
  __checkPacked as wasmCheck,
  __applyFixesPacked as wasmApplyFixes,
  rules as wasmRules,
  __wbg_reset_state as resetState,
} from './kube_secctx.mjs';
import { boundary, plainOptions, plainText, unpack } from './boundary.mjs';

/** The package version (the same as the Rust crate's, and as `check(...).version`). */
export const version = '@VERSION@';

let ready = false;
let pending;
const call = boundary(resetState, () => ready);

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
  return unpack(call(wasmCheck, plainText(text), plainOptions(options)));
}

/** Applies a manifest's fixes: see index.d.ts. */
export function applyFixes(text, options) {
  return unpack(call(wasmApplyFixes, text, plainOptions(options)));
}

/** Every rule's metadata and docs: see index.d.ts. */
export function rules() {
  return call(wasmRules);
}
