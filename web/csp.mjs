// The Content-Security-Policy of the page (its meta tag): only the page's own files; the
// WebAssembly module compiled from 'self'; inline styles (CodeMirror writes its own); no
// eval, no inline scripts, no connections anywhere. Used by build.mjs and the tests.
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";
