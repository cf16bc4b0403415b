// The budgets of the npm package, printed by `make bench-wasm` (figures, not timed tests):
//
//   size        web/kube_secctx_bg.wasm after wasm-opt, gzip -9      budget <= 150 KB
//   cold start  a fresh Node.js process: require the package (read, compile and
//               instantiate the module) + the first check of the nginx example
//                                                                    budget <= 30 ms
//   throughput  check() in Node.js, every finding touched, beside the native figure
//               (benches/node/native.rs, same files, same make run)  goal >= 0.8 native;
//               the text as a string, and as the file's bytes (a Buffer)
//               on ../shared/corpus/real/bench-large.yaml and the generated workloads
//               (1,000 and 10,000: target/bench/gen/w1000.yaml, w10000.yaml)
//   whole       a fresh `node` per run: read the file, require the package, check, touch
//               every finding; throughput must not fall with file size
//   Monokle     @monokle/validation (benches/node/monokle.mjs) with its Pod Security
//               Standards plugin, every rule on, against check(text, {level:
//               'restricted'}) (the same standards), findings of both counted, interleaved
//               in this process; whole processes beside       goal >= 20x Monokle
//
//   node benches/node/bench.mjs [--pkg pkg] [--native native.json] [--json out.json]
//        [--files 'a.yaml b.yaml'] [--no-monokle]   (--files: separated by spaces or commas)
//
// MB = 10^6 bytes. Medians; the spread is printed too, since the machines are shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
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
const FILES = arg('--files', [BIG, join(ROOT, 'target', 'bench', 'gen', 'w1000.yaml'),
  join(ROOT, 'target', 'bench', 'gen', 'w10000.yaml')].join(',')).split(/[,\s]+/).filter(Boolean)
  .map((f) => resolve(f));
const MONOKLE = !process.argv.includes('--no-monokle');
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

// --- throughput, in this process ----------------------------------------------------------
const require = createRequire(import.meta.url);
const { check } = require(join(PKG, 'node', 'index.cjs'));
const { touch } = require('./touch.cjs');
const native = NATIVE ? JSON.parse(readFileSync(NATIVE, 'utf8')) : undefined;
const nativeOf = (file) => native?.files?.find((f) => resolve(ROOT, f.path) === file);

/** Times `fn` at least `minRuns` times and for at least `minMs`; seconds per run. */
function timeRuns(fn, minRuns, minMs) {
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return times;
}
const stats = (bytes, times) => ({
  bytes,
  runs: times.length,
  seconds: median(times),
  mbPerS: bytes / median(times) / 1e6,
  best: bytes / Math.min(...times) / 1e6,
  worst: bytes / Math.max(...times) / 1e6,
});

const texts = new Map(FILES.map((f) => [f, readFileSync(f, 'utf8')]));
const inProcess = [];
for (const [file, text] of texts) {
  const bytes = Buffer.byteLength(text);
  let findings = 0;
  const run = () => {
    const report = check(text);
    touch(report);
    findings = report.findings.length;
  };
  run();
  const measured = { file, findings, ...stats(bytes, timeRuns(run, 5, 4000)) };
  // The same file as its bytes (`check(readFileSync(file))`: no string made, none
  // encoded), in turn with the string's runs above.
  const buffer = readFileSync(file);
  const runBytes = () => touch(check(buffer));
  runBytes();
  measured.fromBytes = stats(bytes, timeRuns(runBytes, 5, 4000));
  inProcess.push(measured);
}

// --- whole processes --------------------------------------------------------------------
const WHOLE = join(ROOT, 'benches', 'node', 'whole.cjs');
/** Wall seconds of `node ARGS` (and its stdout as JSON), `runs` times. */
function wholeRuns(args, runs) {
  const times = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    times.push((performance.now() - t) / 1000);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')}: ${r.stderr}`);
    out = JSON.parse(r.stdout);
  }
  return { times, out };
}
const whole = [];
for (const [file, text] of texts) {
  const { times, out } = wholeRuns([WHOLE, PKG, file], 5);
  whole.push({ file, findings: out.findings, ...stats(Buffer.byteLength(text), times) });
}

// --- Monokle, in this process and as whole processes ------------------------------------
const MONOKLE_DIR = join(ROOT, 'benches', 'node');
let monokle;
if (MONOKLE) {
  const { createMonokle } = await import(join(MONOKLE_DIR, 'monokle.mjs'));
  const version = JSON.parse(readFileSync(
    join(MONOKLE_DIR, 'node_modules', '@monokle', 'validation', 'package.json'), 'utf8')).version;
  const validator = await createMonokle();
  const restricted = { level: 'restricted' };
  const rows = [];
  for (const [file, text] of texts) {
    const bytes = Buffer.byteLength(text);
    // Interleaved rounds (kube-secctx, Monokle, kube-secctx, ...): Monokle takes seconds a
    // megabyte, so fewer rounds on the large file; a warm-up round first on the others.
    const rounds = bytes > 10e6 ? 1 : 3;
    const ks = [];
    const mk = [];
    let ksFindings = 0;
    let mkFindings = 0;
    const ksRun = () => {
      const report = check(text, restricted);
      touch(report);
      ksFindings = report.findings.length;
    };
    if (rounds > 1) {
      ksRun();
      mkFindings = await validator.check(text, file);
    }
    for (let i = 0; i < rounds; i++) {
      ks.push(...timeRuns(ksRun, 3, 0));
      const t = performance.now();
      mkFindings = await validator.check(text, file);
      mk.push((performance.now() - t) / 1000);
    }
    const ksWhole = wholeRuns([WHOLE, PKG, file, JSON.stringify(restricted)], rounds);
    const mkWhole = wholeRuns([join(MONOKLE_DIR, 'monokle.mjs'), file], rounds);
    rows.push({
      file,
      ks: { findings: ksFindings, ...stats(bytes, ks) },
      monokle: { findings: mkFindings, ...stats(bytes, mk) },
      ksWhole: stats(bytes, ksWhole.times),
      monokleWhole: stats(bytes, mkWhole.times),
    });
  }
  monokle = { version, rows };
}

// --- report -----------------------------------------------------------------------------
const ok = (b) => (b ? 'ok' : 'UNDER GOAL');
const over = (b) => (b ? 'ok' : 'OVER BUDGET');
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const name = (file) => basename(file).replace(/\.yaml$/, '');
const mb = (bytes) => `${f1(bytes / 1e6)} MB`;
const lines = [
  '',
  `kube-secctx ${JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version} wasm budgets (Node.js ${process.version})`,
  '',
  `  .wasm size (web/kube_secctx_bg.wasm, after wasm-opt -Oz)`,
  `    ${size.bytes} bytes, gzip -9: ${size.gzip} bytes = ${f1(size.gzip / KB)} KB`
    + `   budget <= 150 KB: ${over(size.gzip <= 150 * KB)}`,
  `    (the command's module cli/kube-secctx.wasm, loaded only by npx kube-secctx: ${size.cliBytes} bytes, gzip -9 ${f1(size.cliGzip / KB)} KB)`,
  '',
  `  cold start in Node.js (fresh process: require = read + compile + instantiate, then the first check of the nginx example)`,
  `    median ${f1(cold.total)} ms (require ${f1(cold.load)} ms + first check ${f1(cold.first)} ms;`
    + ` ${cold.runs} runs, ${f1(cold.min)}..${f1(cold.max)} ms)   budget <= 30 ms: ${over(cold.total <= 30)}`,
  '',
  `  npm check() in Node.js vs native kube_secctx::check, in-process on the same text (default profile, every rule;`,
  `  Node.js: the report handed to JS and every finding touched); MB/s of the median run (best run)`,
  `    file              size     findings native / Node.js    native MB/s     Node.js MB/s   Node.js/native   goal >= 0.80`,
];
for (const r of inProcess) {
  const n = nativeOf(r.file);
  const cells = [
    `    ${name(r.file).padEnd(16)} ${mb(r.bytes).padStart(8)}`,
    `${(n ? String(n.findings) : '-').padStart(8)} / ${String(r.findings).padEnd(8)}`,
    n ? `${f1(n.mbPerS).padStart(6)} (${f1(n.bestMbPerS).padStart(5)})` : '   not measured',
    `${f1(r.mbPerS).padStart(6)} (${f1(r.best).padStart(5)})`,
    n ? `${f2(r.mbPerS / n.mbPerS).padStart(6)} (${f2(r.best / n.bestMbPerS)})` : '              ',
    n ? `${ok(r.mbPerS / n.mbPerS >= 0.8)}${n.findings === r.findings ? '' : '  FINDINGS DIFFER'}` : '',
  ];
  lines.push(cells.join('   ') + `   [${n ? `${n.runs}/` : ''}${r.runs} runs]`);
}
lines.push(
  '',
  `  the same with the file's bytes, check(readFileSync(file)) (a Buffer: no string made in JS, none encoded)`,
  `    file              size      Node.js MB/s   Node.js/native   goal >= 0.80`,
);
for (const r of inProcess) {
  const n = nativeOf(r.file);
  const b = r.fromBytes;
  lines.push([
    `    ${name(r.file).padEnd(16)} ${mb(r.bytes).padStart(8)}`,
    `${f1(b.mbPerS).padStart(6)} (${f1(b.best).padStart(5)})`,
    n ? `${f2(b.mbPerS / n.mbPerS).padStart(6)} (${f2(b.best / n.bestMbPerS)})` : '              ',
    n ? ok(b.mbPerS / n.mbPerS >= 0.8) : '',
  ].join('    ') + `   [${b.runs} runs]`);
}
lines.push(
  '',
  `  whole \`node\` processes (read the file, require the package, check, touch every finding), median of ${whole[0]?.runs ?? 0}`,
  `    file              size     findings       seconds     MB/s (best)`,
);
for (const w of whole) {
  lines.push(`    ${name(w.file).padEnd(16)} ${mb(w.bytes).padStart(8)}   ${String(w.findings).padStart(8)}   ${w.seconds.toFixed(3).padStart(9)} s   ${f1(w.mbPerS).padStart(5)} (${f1(w.best)})`);
}
if (whole.length > 1) {
  const last = whole.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const small = whole.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  lines.push(`    ${name(last.file)} / ${name(small.file)} (largest / smallest file) MB/s: ${f2(last.mbPerS / small.mbPerS)}   goal: throughput does not fall with size (>= 0.90): ${ok(last.mbPerS / small.mbPerS >= 0.9)}`);
}
if (monokle) {
  lines.push(
    '',
    `  kube-secctx check(text, {level: 'restricted'}) vs Monokle @monokle/validation ${monokle.version} (Pod Security Standards plugin, every rule on),`,
    `  in this process, interleaved, each report's findings counted; MB/s of the median run; whole processes beside`,
    `    file              size   findings ks / Monokle   kube-secctx MB/s   Monokle MB/s   ratio   goal >= 20x    whole: kube-secctx s   Monokle s   ratio`,
  );
  for (const r of monokle.rows) {
    const ratio = r.ks.mbPerS / r.monokle.mbPerS;
    const wratio = r.monokleWhole.seconds / r.ksWhole.seconds;
    lines.push([
      `    ${name(r.file).padEnd(16)} ${mb(r.ks.bytes).padStart(8)}`,
      `${String(r.ks.findings).padStart(8)} / ${String(r.monokle.findings).padEnd(8)}`,
      `${f1(r.ks.mbPerS).padStart(12)}    `,
      `${f2(r.monokle.mbPerS).padStart(9)}   `,
      `${f1(ratio).padStart(5)}x`,
      `${ok(ratio >= 20).padEnd(10)}`,
      `${r.ksWhole.seconds.toFixed(3).padStart(16)}   ${r.monokleWhole.seconds.toFixed(3).padStart(9)}   ${f1(wratio).padStart(5)}x`,
    ].join('   ') + `   [${r.monokle.runs} rounds]`);
  }
}
lines.push('');
process.stdout.write(lines.join('\n') + '\n');
if (OUT) writeFileSync(OUT, JSON.stringify({ size, cold, inProcess, whole, monokle, native }, null, 2) + '\n');
