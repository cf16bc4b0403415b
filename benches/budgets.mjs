// Time and peak memory of each class of hostile input (issue 11) at 1x, 4x and 16x its
// size, so growth is visible: linear, or stopped by a budget. Each run is a whole
// process of the release CLI (or the native Kubewarden policy command), measured with
// GNU time (`%e` seconds, `%M` peak resident KB). Printed by `make bench` (`make
// bench-budgets`); not a test: the tests (tests/budgets.rs, tests/admission.rs) assert
// the outcomes.
//
//   node benches/budgets.mjs --cli target/release/kube-secctx --policy target/release/kube-secctx-policy
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`usage: budgets.mjs --cli BIN --policy BIN`);
  return process.argv[i + 1];
};
const cli = arg('--cli');
const policy = arg('--policy');
const dir = mkdtempSync(join(tmpdir(), 'kube-secctx-budgets-'));

const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata: {name: neighbour}\nspec:\n  containers: [{name: n, image: i, securityContext: {privileged: true}}]\n';

/** Each class: how to build its input at scale k, and how to run it. */
const CLASSES = [
  {
    name: '1. aliases that multiply resources (k Lists of 8 levels of 10 aliases)',
    input(k) {
      const docs = [];
      for (let d = 0; d < k; d++) {
        let out = 'apiVersion: v1\nkind: List\nitems:\n- &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i}]}}\n';
        for (let level = 1; level <= 8; level++) {
          out += `- &l${level} {apiVersion: v1, kind: List, items: [${Array(10).fill(`*l${level - 1}`).join(', ')}]}\n`;
        }
        docs.push(out);
      }
      return [PRIVILEGED, ...docs, PRIVILEGED].join('---\n');
    },
    args: ['--format', 'json'],
  },
  {
    name: '2. a duplicate key and a long key above a large collection',
    input(k) {
      const items = Array.from({ length: 5000 * k }, (_, i) => `{v: ${i}}`).join(', ');
      return `apiVersion: v1\nkind: Pod\nmetadata: {name: dup, labels: {a: x, a: y}}\nspec:\n  containers: [{name: c, image: i}]\n? ${'k'.repeat(20000 * k)}\n: [${items}]\n`;
    },
    args: ['--format', 'json'],
  },
  {
    name: '3. text output of a one-line minified manifest (2,000k privileged containers)',
    input(k) {
      const containers = Array.from({ length: 2000 * k }, (_, i) => ({ name: `c${i}`, image: 'x', securityContext: { privileged: true } }));
      return `${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'é' }, spec: { containers } })}\n`;
    },
    args: ['--format', 'text', '--level', 'baseline'],
  },
  {
    name: '4. positions on a long line with non-ASCII text (JSON report)',
    input(k) {
      const containers = Array.from({ length: 2000 * k }, (_, i) => ({ name: `容器${i}`, image: 'x', securityContext: { privileged: true } }));
      return `${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: '😀' }, spec: { containers } })}\n`;
    },
    args: ['--format', 'json', '--level', 'baseline'],
  },
  {
    name: '5. documents that are not UTF-8 between privileged pods (1,000k documents)',
    input(k) {
      const docs = [];
      for (let i = 0; i < 1000 * k; i++) docs.push(i % 2 ? 'apiVersion: v1\nkind: ConfigMap\ndata: {x: "caf\u00e9"}\n' : PRIVILEGED);
      // Latin-1: é is one byte, 0xE9, not UTF-8.
      return Buffer.from(docs.join('---\n'), 'latin1');
    },
    args: ['--format', 'json', '--level', 'baseline'],
  },
  {
    name: '6. many documents (25,000k Pods, default profile, 7 findings each): peak memory / input',
    input(k) {
      const docs = [];
      for (let i = 0; i < 25000 * k; i++) docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n`);
      return docs.join('---\n');
    },
    args: ['--format', 'json'],
  },
  {
    name: '6. one Pod with 25,000k containers (block YAML, default profile): peak memory / input',
    input(k) {
      let out = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n';
      for (let i = 0; i < 25000 * k; i++) out += `  - name: c${i}\n    image: nginx\n    securityContext:\n      privileged: true\n`;
      return out;
    },
    args: ['--format', 'json'],
  },
  {
    name: '7. a Kubewarden validate request with 10,000k violating containers',
    policy: true,
    input(k) {
      const containers = Array.from({ length: 10000 * k }, (_, i) => ({ name: `c${i}`, image: 'i', securityContext: { privileged: true } }));
      const request = { uid: 'u', operation: 'CREATE', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } } };
      return JSON.stringify({ request, settings: { level: 'baseline' } });
    },
  },
];

/** One run: seconds, peak KB, input bytes, output bytes. */
function measure(cls, k) {
  const path = join(dir, `input-${k}`);
  writeFileSync(path, cls.input(k));
  const bytes = statSync(path).size;
  const [cmd, args, input] = cls.policy
    ? [policy, ['validate'], path]
    : [cli, ['check', '--color', 'never', ...cls.args, path], null];
  const outPath = join(dir, `output-${k}`);
  const out = openSync(outPath, 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], {
    stdio: [input === null ? 'ignore' : openSync(input, 'r'), out, 'pipe'],
    maxBuffer: 1 << 26,
  });
  closeSync(out);
  const last = r.stderr.toString().trim().split('\n').pop();
  const [seconds, kb] = last.split(' ').map(Number);
  const written = statSync(outPath).size;
  rmSync(path);
  rmSync(outPath);
  return { seconds, kb, bytes, out: written };
}

const mb = (b) => (b / 1e6).toFixed(2);
console.log('\nkube-secctx: hostile inputs at 1x, 4x, 16x (whole processes; time in s, peak resident memory)');
console.log('  goal for class 6 at 4x (100,000 documents; 100,000 containers): peak at most 10x the input');
for (const cls of CLASSES) {
  console.log(`\n  ${cls.name}`);
  for (const k of [1, 4, 16]) {
    const m = measure(cls, k);
    console.log(`    ${String(k).padStart(2)}x  input ${mb(m.bytes).padStart(7)} MB  ${m.seconds.toFixed(2).padStart(6)} s  peak ${(m.kb / 1024).toFixed(0).padStart(5)} MiB (${(m.kb * 1024 / m.bytes).toFixed(1)}x input)  output ${mb(m.out)} MB`);
  }
}
// Every budget is chosen so that ordinary manifests never reach one: a file just under the
// 64 MiB input limit, of the nginx Deployment from examples/ over and over.
{
  const dep = readFileSync(new URL('../examples/nginx-deployment.yaml', import.meta.url), 'utf8');
  const parts = [];
  let size = 0;
  for (let i = 0; size < 66_000_000; i++) {
    const d = dep.replaceAll('nginx-deployment', `web-${i}`);
    parts.push(d);
    size += d.length + 4;
  }
  const path = join(dir, 'ordinary.yaml');
  writeFileSync(path, parts.join('---\n'));
  const bytes = statSync(path).size;
  // The text report ends with its summary line; the report itself (1.4 million findings)
  // goes to a file.
  const outPath = join(dir, 'ordinary.txt');
  const out = openSync(outPath, 'w');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cli, 'check', '--color', 'never', path], {
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  const [seconds, kb] = r.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
  const fd = openSync(outPath, 'r');
  const tail = Buffer.alloc(400);
  const n = readSync(fd, tail, 0, 400, Math.max(0, statSync(outPath).size - 400));
  closeSync(fd);
  const summary = tail.subarray(0, n).toString().trim().split('\n').pop();
  console.log(`\n  ordinary: ${mb(bytes)} MB of Deployments (the nginx example, renamed), ${seconds.toFixed(2)} s, peak ${(kb / 1024).toFixed(0)} MiB:\n    ${summary}`);
}
rmSync(dir, { recursive: true, force: true });
