// Shared by the node:test suites in js-tests/: where things are, and small tools.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { setupProject } from './setup-project.mjs';

/** The repository's root. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The built package (make wasm). */
export const PKG = join(ROOT, 'pkg');
/** The shared corpus of real manifests. */
export const CORPUS = resolve(ROOT, '..', 'shared', 'corpus', 'real');
/** The nginx example of the README. */
export const NGINX_PATH = join(ROOT, 'examples', 'nginx-deployment.yaml');

let project;
/** The temporary project the packed tarball is installed into (see setup-project.mjs). */
export function projectDir() {
  if (project === undefined) {
    if (!existsSync(join(PKG, 'package.json'))) {
      throw new Error(`${PKG} is missing: run \`make wasm\` first`);
    }
    project = process.env.KUBE_SECCTX_PROJECT || setupProject(PKG);
  }
  return project;
}

/** The package as `require('kube-secctx')` gives it in the consumer project. */
export function requirePackage() {
  return createRequire(join(projectDir(), 'cjs.cjs'))('./cjs.cjs');
}

/** The package as `import ... from 'kube-secctx'` gives it in the consumer project. */
export function importPackage() {
  return import(pathToFileURL(join(projectDir(), 'esm.mjs')).href);
}

/** The native CLI (built by make: target/debug/kube-secctx unless KUBE_SECCTX_NATIVE says). */
export function nativeBin() {
  const bin = process.env.KUBE_SECCTX_NATIVE || join(ROOT, 'target', 'debug', 'kube-secctx');
  if (!existsSync(bin)) throw new Error(`the native CLI ${bin} is missing: cargo build --bin kube-secctx`);
  return bin;
}

/** The package's command as installed: node_modules/.bin/kube-secctx. */
export function npmBin() {
  return join(projectDir(), 'node_modules', '.bin', 'kube-secctx');
}

/** Runs a program; returns { code, stdout, stderr } (strings). */
export function run(cmd, args, { cwd = ROOT, input, env } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    input,
    env: { ...process.env, NO_COLOR: '', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The manifests of the real corpus (*.yaml, *.yml), sorted. */
export function corpusFiles() {
  if (!existsSync(CORPUS)) throw new Error(`the real corpus is missing: ${CORPUS}`);
  return readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort();
}

export function read(path) {
  return readFileSync(path, 'utf8');
}

/** Per text: its UTF-8 bytes and known (byte offset, UTF-16 offset) points, sorted. */
const converters = new Map();

/** Byte offset -> UTF-16 offset in `text`, decoding only from the nearest known point. */
function utf16Offset(text, byteOffset) {
  let c = converters.get(text);
  if (c === undefined) {
    if (converters.size >= 4) converters.clear();
    c = { bytes: Buffer.from(text, 'utf8'), points: [[0, 0]] };
    converters.set(text, c);
  }
  const { bytes, points } = c;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid][0] <= byteOffset) lo = mid; else hi = mid - 1;
  }
  const [b, u] = points[lo];
  const units = u + bytes.subarray(b, byteOffset).toString('utf8').length;
  if (b !== byteOffset) points.splice(lo + 1, 0, [byteOffset, units]);
  return units;
}

/**
 * Converts a CLI JSON position (1-based line, 1-based column in characters, byte offset)
 * into the JS API's (1-based line, 1-based column and offset in UTF-16 code units), for
 * the text the CLI read. Independent of the module: plain JavaScript string handling.
 */
export function cliPositionToUtf16(text, pos) {
  const offset = utf16Offset(text, pos.offset);
  const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
  let line = text.slice(lineStart, lineStart + 2 * pos.column + 4);
  if (lineStart === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
  // `column - 1` characters (code points) of the line, in UTF-16 code units.
  const chars = Array.from(line).slice(0, pos.column - 1).join('');
  return { line: pos.line, column: chars.length + 1, offset };
}

/** The CLI's JSON report of one file with positions converted (cliPositionToUtf16). */
export function cliReportToUtf16(report, text) {
  const conv = (r) => ({ start: cliPositionToUtf16(text, r.start), end: cliPositionToUtf16(text, r.end) });
  return {
    ...report,
    findings: report.findings.map((f) => ({ ...f, range: conv(f.range) })),
    errors: report.errors.map((e) => ({ ...e, range: conv(e.range) })),
  };
}
