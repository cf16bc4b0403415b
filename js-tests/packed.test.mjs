// The packed hand-over (src/js/tape.rs, `unpack()` in pkg-template/boundary.js): the
// package's check() and applyFixes() take the module's packed result and build the
// objects in JavaScript; they must equal, key order included (compared as JSON text),
// the objects the module builds itself field by field (its own `check`/`applyFixes`
// exports, serde-wasm-bindgen), on the real corpus, the per-rule fixtures, non-ASCII and
// broken texts, every option that changes the report's shape, and 1,000 generated
// workloads. `unpack()` is also fed words for what no report holds (floats, negative
// numbers, long strings, map keys, nested arrays).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { CORPUS, ROOT, corpusFiles, projectDir, read, requirePackage, run } from './helpers.mjs';

/** The installed package's own files (its exports map hides them from `require`). */
function packageFile(...parts) {
  const dir = join(projectDir(), 'node_modules', 'kube-secctx', ...parts);
  return createRequire(join(projectDir(), 'cjs.cjs'))(dir);
}

function fixtureFiles() {
  const root = join(ROOT, 'tests', 'fixtures');
  const out = [];
  for (const rule of readdirSync(root)) {
    for (const kind of ['fail', 'pass']) {
      const dir = join(root, rule, kind);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (/\.ya?ml$/.test(f)) out.push(join(dir, f));
    }
  }
  return out;
}

const SHAPES = [
  undefined,
  { level: 'restricted' },
  { level: 'baseline', fileName: 'a/b.yaml', pssVersion: 'v1.25', kubeVersion: 'v1.29' },
  { fixes: true },
  { select: ['privileged-container'], ignore: [] },
];

const ODD = [
  '',
  'kind: [',
  '\ufeffapiVersion: v1\r\nkind: Pod\r\nmetadata: {name: "é𝄞"}\r\nspec:\r\n  containers:\r\n  - name: "日本"\r\n    image: x\r\n    securityContext: {privileged: true}\r\n',
  'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: "\\0z"}\nspec:\n  containers:\n  - {name: a, image: x, securityContext: {runAsUser: "0"}}\n---\nkind: Pod\nspec: 3\n',
  'a: 1\na: 2\n',
];

function same(a, b, what) {
  assert.equal(JSON.stringify(a), JSON.stringify(b), what);
}

test('check() and applyFixes() unpacked equal the objects the module builds, key order included', () => {
  const { check, applyFixes } = requirePackage();
  const glue = packageFile('node', 'kube_secctx.cjs');
  const texts = [
    ...corpusFiles().filter((f) => f !== 'bench-large.yaml').map((f) => [f, read(join(CORPUS, f))]),
    ...fixtureFiles().map((f) => [f, read(f)]),
    ...ODD.map((t, i) => [`odd ${i}`, t]),
  ];
  let compared = 0;
  for (const [name, text] of texts) {
    for (const options of SHAPES) {
      same(check(text, options), glue.check(text, options), `${name} ${JSON.stringify(options)}`);
      compared++;
    }
    for (const options of [undefined, { unsafe: true }]) {
      same(applyFixes(text, options), glue.applyFixes(text, options), `${name} applyFixes`);
      compared++;
    }
  }
  assert.ok(compared > 1000, `${compared} compared`);
});

test('1,000 generated workloads: unpacked equals the module\'s objects', () => {
  const path = process.env.KUBE_SECCTX_W1000 || join(ROOT, 'target', 'bench', 'gen', 'w1000.yaml');
  if (!existsSync(path)) {
    const r = run('cargo', ['run', '--quiet', '--example', 'gen-workloads', '--', '1000', path]);
    assert.equal(r.code, 0, r.stderr);
  }
  const { check } = requirePackage();
  const glue = packageFile('node', 'kube_secctx.cjs');
  const text = read(path);
  same(check(text), glue.check(text), path);
});

test('unpack() reads every kind of word', () => {
  const { unpack } = packageFile('node', 'boundary.cjs');
  const w = (tag, payload) => (tag | (payload << 3)) >>> 0;
  const f64 = (x) => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x, true);
    return [v.getUint32(0, true), v.getUint32(4, true)];
  };
  const long = 'x'.repeat(5);
  // {k: [-1.5, 2**40, 7, "é𝄞", null, true, false, [], {}], "5": "xxxxx", k: 0}
  const words = [
    w(3, 0), w(2, 0), 1,
    w(4, 0), w(6, 3), ...f64(-1.5), w(6, 3), ...f64(2 ** 40), w(0, 7), w(1, 3),
    w(6, 0), w(6, 2), w(6, 1), w(4, 0), w(5, 0), w(3, 0), w(5, 0), w(5, 0),
    w(6, 5), w(0, 5), w(6, 4), long.length,
    w(2, 0), w(0, 0),
    w(5, 0),
  ];
  const out = unpack(['ké𝄞' + long, Uint32Array.from(words)]);
  same(out, { k: 0, 5: long });
  assert.deepEqual(Object.keys(out), ['5', 'k']);
  const first = unpack(['ké𝄞' + long, Uint32Array.from(words.slice(0, -3).concat([w(5, 0)]))]);
  assert.deepEqual(first.k, [-1.5, 2 ** 40, 7, 'é𝄞', null, true, false, [], {}]);
  assert.throws(() => unpack(['', Uint32Array.from([7])]), /bad packed word/);
});

test('the text crosses whole: long ASCII, then characters of 2, 3 and 4 bytes and lone surrogates', () => {
  const { check } = requirePackage();
  const pod = (name) => `apiVersion: v1\nkind: Pod\nmetadata: {name: "${name}"}\nspec:\n  containers:\n`
    + `  - name: a\n    image: x\n    securityContext:\n      privileged: true\n`;
  for (const [prefix, name] of [
    ['', 'é日𝄞'],
    [`# ${'x'.repeat(100000)}\n`, 'é日𝄞'],
    [`# ${'x'.repeat(70000)}é\n`, '𝄞'.repeat(5000)],
    [`# ${'日'.repeat(30000)}\n`, 'a\uD800b\uDC00c'],
  ]) {
    const text = prefix + pod(name);
    const report = check(text);
    const f = report.findings.find((x) => x.rule === 'privileged-container');
    assert.ok(f, `a finding (${report.errors.map((e) => e.message).join('; ')})`);
    assert.equal(text.slice(f.range.start.offset, f.range.end.offset), 'true');
    assert.equal(f.range.start.line, prefix ? 10 : 9);
    // Lone surrogates read as U+FFFD, as wasm-bindgen's own string copy reads them.
    const fixed = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    same(report, check(fixed), 'lone surrogates');
  }
});
