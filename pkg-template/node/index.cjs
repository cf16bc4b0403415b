'use strict';
// kube-secctx for Node.js, CommonJS (the "node" + "require" and "require" conditions).
//
// Built on wasm-bindgen's `nodejs` target (./kube_secctx.cjs), which compiles and
// instantiates the WebAssembly module synchronously when first required: init() and
// initSync() are no-ops here, exported so one import line works in every environment.
// node/index.mjs re-exports this file for `import`. The types are in ../index.d.ts.
const glue = require('./kube_secctx.cjs');

/** The package version (the same as the Rust crate's, and as `check(...).version`). */
const version = '@VERSION@';

/** A no-op in Node.js (the module is ready when required). */
function init(_input) {
  return Promise.resolve();
}

/** A no-op in Node.js (the module is ready when required). */
function initSync(_module) {}

/** Checks a manifest: see index.d.ts. */
function check(text, options) {
  return call('check', text, plainOptions(options));
}

/** Every rule's metadata and docs: see index.d.ts. */
function rules() {
  return call('rules');
}

// The boundary. Options are copied into a plain object in JavaScript (getters and
// proxies run here, not inside the module); the module validates every value. A wasm
// trap cannot come from the API (the engine never panics), but if one did, the module
// is re-instantiated and the caller gets an Error instead of a poisoned instance.
function call(name, ...args) {
  try {
    return glue[name](...args);
  } catch (e) {
    throw recover(e);
  }
}

function recover(e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return e;
  glue.__wbg_reset_state();
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

module.exports = { version, init, initSync, check, rules };
