// kube-secctx for Node.js, ES modules (the "node" + "import" condition): the same
// instance as the CommonJS entry (./index.cjs, built on wasm-bindgen's `nodejs` target).
// The types are in ../index.d.ts.
import cjs from './index.cjs';

export const { version, init, initSync, check, applyFixes, rules } = cjs;
