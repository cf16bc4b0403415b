'use strict';
// kube-secctx for Node.js, CommonJS (the "node" + "require" and "require" conditions).
//
// Built on wasm-bindgen's `nodejs` target (./kube_secctx.cjs), which compiles and
// instantiates the WebAssembly module synchronously when first required: init() and
// initSync() are no-ops here, exported so one import line works in every environment.
// node/index.mjs re-exports this file for `import`. The types are in ../index.d.ts.
const glue = require('./kube_secctx.cjs');
const { boundary, plainOptions, plainText, unpack } = require('./boundary.cjs');

const call = boundary(() => glue.__wbg_reset_state(), () => true);

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
  return unpack(call(glue.__checkPacked, plainText(text), plainOptions(options)));
}

/** Applies a manifest's fixes: see index.d.ts. */
function applyFixes(text, options) {
  return unpack(call(glue.__applyFixesPacked, text, plainOptions(options)));
}

/** Every rule's metadata and docs: see index.d.ts. */
function rules() {
  return call(glue.rules);
}

module.exports = { version, init, initSync, check, applyFixes, rules };
