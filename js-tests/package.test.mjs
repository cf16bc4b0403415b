// The npm package as users get it: `npm pack`, installed into a temporary project,
// loaded with `import` and with `require`. The nginx example gives the CLI's rules and
// lines; positions are UTF-16 (`text.slice(start.offset, end.offset)` is the node, with
// an emoji and CJK before findings); bad options throw Errors naming the option; invalid
// YAML is an `errors` entry; after any error, even a trap, the module keeps working.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { join } from 'node:path';
import { test } from 'node:test';

import {
  NGINX_PATH, PKG, cliReportToUtf16, importPackage, nativeBin, projectDir, read,
  requirePackage, run,
} from './helpers.mjs';

const NGINX = read(NGINX_PATH);

/** Emoji (two UTF-16 code units), CJK and a combining mark before findings, some on their line. */
const UNICODE = `# 部署 😀 — a comment with CJK and an emoji
apiVersion: v1
kind: Pod
metadata:
  name: 网站
  labels: {app: "😀😀", team: "e\u0301quipe"}
spec:
  hostNetwork: true
  containers:
  - name: 容器😀
    image: nginx
    securityContext: {seLinuxOptions: {user: "用户😀"}, privileged: true, runAsUser: 0}
`;

/** The native CLI's JSON report of a text (given on standard input). */
function cliReport(text, args = [], name = '<stdin>') {
  const r = run(nativeBin(), ['check', '--format', 'json', '--stdin-filename', name, ...args, '-'], {
    input: text,
  });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout);
}

test('the tarball installs and both entries load: ESM import and CommonJS require', async () => {
  const esm = await importPackage();
  const cjs = requirePackage();
  for (const api of [esm, cjs]) {
    assert.deepEqual(Object.keys(api).sort(), ['applyFixes', 'check', 'init', 'initSync', 'rules', 'version']);
    assert.equal(typeof api.check, 'function');
    assert.equal(typeof api.applyFixes, 'function');
    assert.equal(typeof api.rules, 'function');
    assert.equal(typeof api.init, 'function');
    assert.equal(typeof api.initSync, 'function');
  }
  const pkgJson = JSON.parse(readFileSync(join(projectDir(), 'node_modules/kube-secctx/package.json'), 'utf8'));
  assert.equal(esm.version, pkgJson.version);
  assert.equal(cjs.version, pkgJson.version);
  assert.equal(esm.check('').version, esm.version, 'the module and the package agree');
  // init() and initSync() are no-ops in Node.js, so the browser's import line works here.
  assert.equal(await esm.init(), undefined);
  assert.equal(await cjs.init(new URL('file:///nowhere.wasm')), undefined);
  assert.equal(esm.initSync(new Uint8Array([0, 1, 2])), undefined);
  // The entries resolve to the nodejs target files, the browser condition to the web ones.
  const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.exports['.'].node, { import: './node/index.mjs', require: './node/index.cjs' });
  assert.equal(manifest.exports['.'].browser, './web/index.mjs');
  assert.equal(manifest.exports['.'].types, './index.d.ts');
});

test('nginx example: the same rules and lines as the CLI (the whole report, in fact)', async () => {
  const { check } = await importPackage();
  const { check: checkCjs } = requirePackage();
  const js = check(NGINX, { fileName: 'examples/nginx-deployment.yaml' });
  const cli = cliReport(NGINX, [], 'examples/nginx-deployment.yaml');
  const key = (f) => `${f.rule}:${f.range.start.line}`;
  assert.deepEqual(js.findings.map(key), cli.findings.map(key));
  assert.ok(js.findings.length >= 5);
  assert.deepEqual(js, cli, 'ASCII text: every field, position included, is the CLI\'s');
  assert.deepEqual(checkCjs(NGINX, { fileName: 'examples/nginx-deployment.yaml' }), js);
  assert.equal(JSON.stringify(js, null, 2) + '\n',
    run(nativeBin(), ['check', '--format', 'json', 'examples/nginx-deployment.yaml']).stdout,
    'JSON.stringify(report, null, 2) is the CLI\'s --format json output');
});

test('UTF-16 positions: text.slice(start.offset, end.offset) is the node', async () => {
  const { check } = await importPackage();
  const js = check(UNICODE);
  const cli = cliReport(UNICODE);
  assert.deepEqual(js, cliReportToUtf16(cli, UNICODE));
  const bytes = Buffer.from(UNICODE, 'utf8');
  let afterEmojiOnLine = 0;
  assert.ok(js.findings.length >= 5);
  js.findings.forEach((f, i) => {
    const c = cli.findings[i];
    const node = bytes.subarray(c.range.start.offset, c.range.end.offset).toString('utf8');
    assert.equal(UNICODE.slice(f.range.start.offset, f.range.end.offset), node, f.rule);
    const lineText = UNICODE.split('\n')[f.range.start.line - 1];
    const before = lineText.slice(0, f.range.start.column - 1);
    assert.ok(lineText.slice(f.range.start.column - 1).startsWith(node.split('\n')[0]), f.rule);
    if (before.includes('😀')) {
      afterEmojiOnLine += 1;
      assert.ok(f.range.start.column > Array.from(before).length + 1, 'the emoji counts two');
    }
  });
  assert.ok(afterEmojiOnLine >= 2, 'findings after an emoji on their own line');
  const p = js.findings.find((f) => f.rule === 'privileged-container');
  assert.equal(UNICODE.slice(p.range.start.offset, p.range.end.offset), 'true');
});

test('options: the CLI defaults, level, pssVersion, select, ignore, fileName', async () => {
  const { check } = await importPackage();
  const d = check(NGINX);
  assert.deepEqual(d.options, { level: null, pssVersion: 'v1.37', select: [], ignore: [] });
  assert.deepEqual(d.files, ['<stdin>']);
  assert.deepEqual(check(NGINX, {}), d);
  assert.deepEqual(check(NGINX, undefined), d);
  assert.deepEqual(check(NGINX, { level: null, select: undefined }), d);
  const args = ['--level', 'restricted', '--pss-version', 'v1.24', '--ignore', 'may-run-as-root'];
  const js = check(NGINX, {
    level: 'restricted', pssVersion: 'v1.24', ignore: ['may-run-as-root'], fileName: 'x.yaml',
  });
  assert.deepEqual(js, cliReport(NGINX, args, 'x.yaml'));
  assert.deepEqual(check(NGINX, { level: 'baseline' }).findings, []);
  // Input diagnostics run under a level too (not PSS findings: `pss` is null), as the CLI.
  const quoted = NGINX.replace('        image: nginx:1.14.2\n',
    '        image: nginx:1.14.2\n        securityContext:\n          privileged: "true"\n');
  const atLevel = check(quoted, { level: 'baseline' });
  assert.deepEqual(atLevel.findings.map((f) => [f.rule, f.pss?.check ?? null, f.severity]), [
    ['invalid-field-type', null, 'error'], ['privileged-container', 'privileged', 'error'],
  ]);
  assert.deepEqual(atLevel, cliReport(quoted, ['--level', 'baseline']));
  assert.deepEqual(
    check(quoted, { level: 'baseline', ignore: ['invalid-field-type'] }).findings.map((f) => f.rule),
    ['privileged-container']);
  assert.deepEqual(
    check(NGINX, { select: ['may-run-as-root'] }).findings.map((f) => f.rule),
    ['may-run-as-root']);
  // A report's options, passed back, reproduce it.
  assert.deepEqual(check(NGINX, { ...js.options, fileName: 'x.yaml' }), js);
  // Getters and array-likes are read once, in JavaScript.
  let reads = 0;
  const opts = { get level() { reads += 1; return 'baseline'; } };
  assert.deepEqual(check(NGINX, opts).options.level, 'baseline');
  assert.equal(reads, 1);
});

// appArmorProfile is a field of PodSecurityContext from Kubernetes v1.30 (line 8, column 5).
const APPARMOR_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsNonRoot: true
    appArmorProfile: {type: RuntimeDefault}
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
`;

test('option kubeVersion: which API fields exist, as the CLI\'s --kube-version; never pssVersion', async () => {
  const { check } = await importPackage();
  const d = check(APPARMOR_POD);
  assert.deepEqual(d.findings, []);
  assert.ok(!('kubeVersion' in d.options), 'absent unless asked for');
  for (const kubeVersion of ['v1.29', '1.29', 'v1.29.3']) {
    const r = check(APPARMOR_POD, { kubeVersion, fileName: 'pod.yaml' });
    assert.deepEqual(r.options.kubeVersion, 'v1.29');
    assert.deepEqual(r.findings.map((f) => [f.rule, f.path, f.range.start.line, f.range.start.column]),
      [['unknown-field', '/spec/securityContext/appArmorProfile', 8, 5]]);
    assert.match(r.findings[0].message, /in Kubernetes v1\.29: it is one from Kubernetes v1\.30 on$/);
    assert.deepEqual(r, cliReport(APPARMOR_POD, ['--kube-version', kubeVersion], 'pod.yaml'));
    // A report's options, passed back, reproduce it.
    assert.deepEqual(check(APPARMOR_POD, { ...r.options, fileName: 'pod.yaml' }), r);
  }
  assert.deepEqual(check(APPARMOR_POD, { pssVersion: 'v1.29' }).findings, []);
  assert.deepEqual(check(APPARMOR_POD, { kubeVersion: 'latest' }), d);
  assert.deepEqual(check(APPARMOR_POD, { kubeVersion: null }), d);
  assert.equal(check(APPARMOR_POD, { kubeVersion: 'v1.40' }).options.kubeVersion, 'v1.37');
  const { applyFixes } = await importPackage();
  assert.deepEqual(applyFixes(APPARMOR_POD, { kubeVersion: 'v1.29' }).remaining.map((f) => f.rule),
    ['unknown-field']);
});

test('bad options throw an Error naming the option and its allowed values', async () => {
  const { check } = await importPackage();
  const good = check(NGINX);
  const cases = [
    [{ level: 'privileged' }, /option level.*"privileged".*"baseline" or "restricted"/],
    [{ level: 2 }, /option level.*"baseline" or "restricted"/],
    [{ pssVersion: '1.30' }, /option pssVersion.*"latest" or "v1\.N"/],
    [{ select: 'privileged-container' }, /option select: expected an array of rule IDs \(host-namespaces, /],
    [{ ignore: ['privileged-containr'] }, /option ignore: unknown rule "privileged-containr" \(did you mean "privileged-container"\?\); the rule IDs are host-namespaces, /],
    [{ select: [1] }, /option select\[0\]: expected a rule ID string/],
    [{ fileName: 3 }, /option fileName: expected a file name/],
    [{ kubeVersion: 'v1.12' }, /option kubeVersion: invalid Kubernetes version "v1\.12": expected "latest" or "v1\.N" \(v1\.17 to v1\.37/],
    [{ kubeVersion: 'v2.0' }, /option kubeVersion: invalid Kubernetes version "v2\.0"/],
    [{ kubeVersion: 1.29 }, /option kubeVersion: expected "latest" or "v1\.N", got/],
    [{ levle: 'baseline' }, /unknown option "levle": the options are level, pssVersion, kubeVersion, select, ignore, fileName/],
    ['baseline', /options must be an object with any of level, pssVersion, kubeVersion, select, ignore, fileName/],
    [{ get level() { throw new RangeError('getter'); } }, /getter/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => check(NGINX, options), (e) => {
      assert.ok(e instanceof Error, 'an Error');
      assert.ok(!(e instanceof WebAssembly.RuntimeError), 'not a trap');
      assert.match(e.message, message);
      return true;
    });
    assert.deepEqual(check(NGINX), good, 'the module keeps working');
  }
  for (const text of [undefined, null, 42, {}, new ArrayBuffer(4), [97]]) {
    assert.throws(() => check(text), (e) => e instanceof TypeError
      && /text must be a string \(the manifest's YAML\) or a Uint8Array \(a file's bytes\)/.test(e.message));
  }
  assert.deepEqual(check(NGINX), good);
});

test('check(bytes): a Buffer or Uint8Array is a file\'s bytes, checked as the CLI checks them', async () => {
  const { check } = await importPackage();
  const cjs = requirePackage();
  // UTF-8: the report of the same text as a string, from either entry, a Buffer, a
  // plain Uint8Array, and a view into a larger buffer (its offset respected).
  for (const text of [NGINX, UNICODE]) {
    const options = { fileName: 'a.yaml' };
    const want = check(text, options);
    const bytes = Buffer.from(text, 'utf8');
    assert.deepEqual(check(bytes, options), want);
    assert.deepEqual(cjs.check(new Uint8Array(bytes), options), want);
    assert.deepEqual(check(Buffer.concat([Buffer.from('x: 1\n'), bytes]).subarray(5), options), want);
    assert.deepEqual(check(new TextEncoder().encode(text), { ...options, fixes: true }),
      check(text, { ...options, fixes: true }));
  }
  // Not UTF-8 (a Latin-1 byte): the CLI's report of the same bytes, its positions in the
  // text with the byte read as one `?`; the next document is checked.
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf';
  const tail = `\n---\n${NGINX}`;
  const latin1 = Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
  const got = check(latin1);
  assert.deepEqual(got, cliReportToUtf16(cliReport(latin1), `${head}?${tail}`));
  assert.equal(got.errors.length, 1);
  assert.match(got.errors[0].message, /not valid UTF-8 \(byte 0xE9\)/);
  assert.deepEqual(got.errors[0].range.start, { line: 4, column: 12, offset: head.length });
  assert.ok(got.findings.length > 0 && got.findings.every((f) => f.document === 1));
  // UTF-16 (a byte order mark): one error entry, as the CLI gives.
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NGINX, 'utf16le')]);
  const u = check(utf16, { fixes: true });
  assert.deepEqual(check(utf16), cliReportToUtf16(cliReport(utf16), ''));
  assert.deepEqual(u.findings, []);
  assert.match(u.errors[0].message, /the file is UTF-16/);
  // Not UTF-8 is not fixed: with fixes, each finding says so, as the CLI's --show-fixes.
  const unfixed = check(latin1, { fixes: true });
  assert.ok(unfixed.findings.length > 0);
  for (const f of unfixed.findings) {
    assert.deepEqual(f.fixes, []);
    assert.equal(f.noFix, 'the file is not UTF-8: it is not fixed');
  }
  const shown = run(nativeBin(), ['check', '--format', 'json', '--show-fixes', '-'], { input: latin1 });
  assert.deepEqual(JSON.parse(shown.stdout).findings.map((f) => f.noFix), unfixed.findings.map((f) => f.noFix));
});

test('check(bytes) of hostile views: only the view\'s own bytes are read, the module keeps working', async () => {
  const { check } = await importPackage();
  const cjs = requirePackage();
  const empty = check('');
  const good = check(NGINX);
  const nginx = Buffer.from(NGINX);
  for (const api of [{ check }, cjs]) {
    // A view of a detached buffer: no bytes (never an exception half-way into the
    // module, which would leave its stack behind: ~630 of them used to trap it).
    const buffer = new ArrayBuffer(16);
    const detached = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    for (let i = 0; i < 2000; i++) assert.deepEqual(api.check(detached), empty);
    // A `length` of its own is not the view's length: the module's memory after the
    // bytes is never read (it held the previous call's text).
    api.check(nginx);
    const liar = new Uint8Array(0);
    Object.defineProperty(liar, 'length', { value: nginx.length });
    assert.deepEqual(api.check(liar), empty);
    const huge = new Uint8Array(3);
    Object.defineProperty(huge, 'length', { value: 2 ** 31 });
    assert.deepEqual(api.check(huge), api.check(new Uint8Array(3)));
    // A view its resizable buffer no longer covers: no bytes.
    const resizable = new ArrayBuffer(8, { maxByteLength: 16 });
    const fixed = new Uint8Array(resizable, 0, 8);
    resizable.resize(4);
    assert.deepEqual(api.check(fixed), empty);
    // A Uint8Array of another realm (Jest's environment gives Buffers of one): accepted.
    const other = vm.runInNewContext('(bytes) => new Uint8Array(bytes)')([...nginx]);
    assert.ok(!(other instanceof Uint8Array));
    assert.deepEqual(api.check(other), good);
    // A proxy of one is not a Uint8Array, nor other typed arrays or an ArrayBuffer.
    const cases = [
      [new Proxy(nginx, {}), /got an object/],
      [new Int8Array(4), /got a typed array or DataView that is not a Uint8Array/],
      [new Uint8ClampedArray(4), /got a typed array or DataView that is not a Uint8Array/],
      [new DataView(new ArrayBuffer(4)), /got a typed array or DataView that is not a Uint8Array/],
      [new ArrayBuffer(4), /got an ArrayBuffer \(pass new Uint8Array\(buffer\)\)/],
    ];
    for (let i = 0; i < 700; i++) {
      for (const [value, message] of cases) {
        assert.throws(() => api.check(value), (e) => e instanceof TypeError && message.test(e.message));
      }
    }
    assert.deepEqual(api.check(NGINX), good, 'the module keeps working');
  }
});

test('invalid YAML is an errors entry with its position, not an exception', async () => {
  const { check } = await importPackage();
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: "😀\nspec: [\n';
  const js = check(text, { fileName: 'bad.yaml' });
  assert.equal(js.errors.length, 1);
  assert.equal(js.errors[0].file, 'bad.yaml');
  assert.match(js.errors[0].message, /YAML/);
  assert.deepEqual(js, cliReportToUtf16(cliReport(text, [], 'bad.yaml'), text));
  assert.ok(js.errors[0].range.start.offset <= text.length);
  const mixed = check(`${text}\n---\n${NGINX}`);
  assert.ok(mixed.errors.length >= 1 && mixed.findings.length >= 1, 'the other documents are checked');
});

test('a trap is never surfaced: the module is re-instantiated and keeps working', async () => {
  // No input can make the API trap (the engine never panics); this forces one through
  // the internal __trapForTesting export to prove the entry points' last line of defence.
  const api = requirePackage();
  const { check: esmCheck } = await importPackage();
  const good = api.check(NGINX);
  const glueFile = join(projectDir(), 'node_modules/kube-secctx/node/kube_secctx.cjs');
  const glue = (await import('node:module')).createRequire(glueFile)(glueFile);
  // The package's check() calls the module's packed export (see packed.test.mjs).
  const original = glue.__checkPacked;
  glue.__checkPacked = glue.__trapForTesting;
  try {
    assert.throws(() => api.check(NGINX), (e) => {
      assert.ok(e instanceof Error && !(e instanceof WebAssembly.RuntimeError));
      assert.match(e.message, /internal error: the WebAssembly module trapped \(unreachable\); it has been re-instantiated/);
      assert.ok(e.cause instanceof WebAssembly.RuntimeError);
      return true;
    });
  } finally {
    glue.__checkPacked = original;
  }
  assert.deepEqual(api.check(NGINX), good);
  assert.deepEqual(esmCheck(NGINX), good);
  assert.ok(api.rules().length > 0);
});

test('rules(): id, title, severity, PSS level and check, docs; as `kube-secctx rules --format json`', async () => {
  const { rules } = await importPackage();
  const all = rules();
  const cli = JSON.parse(run(nativeBin(), ['rules', '--format', 'json']).stdout);
  assert.deepEqual(all, cli);
  const p = all.find((r) => r.id === 'privileged-container');
  assert.equal(p.severity, 'error');
  assert.deepEqual([p.pss.level, p.pss.check], ['baseline', 'privileged']);
  assert.match(p.docs, /^## What it checks/m);
  assert.ok(all.every((r) => typeof r.title === 'string' && typeof r.docs === 'string'));
  assert.notEqual(rules(), all, 'a fresh array each call');
});
