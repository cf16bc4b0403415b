#!/usr/bin/env node
'use strict';
// `npx kube-secctx ...`: the kube-secctx command line, for users who have Node.js but no
// Rust toolchain.
//
// This is not a second implementation: ../cli/kube-secctx.wasm is the native command
// line itself (the crate's src/cli/, argument parsing, help texts, file walking, messages
// and exit codes included), built for wasm32-wasip1, and this file only runs it with
// Node's WASI: the arguments, the environment, the real working directory (as PWD) and
// the file system (preopened at /, so relative and absolute paths mean what they mean
// to the native binary). Standard input, output and error are the process's own. The
// module is read and compiled here, on demand: the package's library entry points never
// load it.

const { fstatSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

// Node's WASI functions are V8 "fast API calls", and one that allocates can start a
// garbage collection in the middle of the call, which destroys the WASI instance in use
// and aborts the process (nodejs/node#46777, still open; seen here on Node 20 reading an
// 8 MB file). Calls from the module through the regular path are safe; this must be set
// before the module is compiled.
require('node:v8').setFlagsFromString('--no-turbo-fast-api-calls');

// Loading node:wasi prints an ExperimentalWarning; the command's standard error must be
// the native binary's, so that one warning (and only it) is not shown.
const emitWarning = process.emitWarning;
process.emitWarning = function quietWasiWarning(warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  if (type === 'ExperimentalWarning' && /\bWASI\b/.test(String(warning))) return undefined;
  return emitWarning.call(process, warning, ...rest);
};
const { WASI } = require('node:wasi');
process.emitWarning = emitWarning;

function cwd() {
  try {
    return process.cwd();
  } catch {
    return undefined; // a deleted working directory: the command says so and exits 2
  }
}

function main() {
  const here = cwd();
  const env = { ...process.env };
  if (here === undefined) delete env.PWD;
  else env.PWD = here;
  // WASI cannot stat standard input, and Node's WASI reads a directory as empty: say so.
  delete env.KUBE_SECCTX_STDIN_IS_DIRECTORY;
  try {
    if (fstatSync(0).isDirectory()) env.KUBE_SECCTX_STDIN_IS_DIRECTORY = '1';
  } catch {
    // no standard input at all: reading it fails in the module, as natively
  }
  const wasi = new WASI({
    version: 'preview1',
    args: ['kube-secctx', ...process.argv.slice(2)],
    env,
    preopens: { '/': '/' },
    returnOnExit: true,
  });
  const module = new WebAssembly.Module(readFileSync(join(__dirname, '..', 'cli', 'kube-secctx.wasm')));
  const imports = typeof wasi.getImportObject === 'function'
    ? wasi.getImportObject()
    : { wasi_snapshot_preview1: wasi.wasiImport };
  const instance = new WebAssembly.Instance(module, imports);
  try {
    return wasi.start(instance);
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    // A panic: Rust has printed its message on standard error; exit as a native panic does.
    process.stderr.write(`kube-secctx: internal error (the WebAssembly module trapped: ${e.message}); please report this with the input\n`);
    return 101;
  }
}

process.exitCode = main();
