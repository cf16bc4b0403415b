// Bundler smoke test: esbuild bundles small browser entries that import the installed
// package (the "browser" condition: wasm-bindgen's web target), and the bundles run in
// headless Chromium (Debian's, driven by playwright-core) from a server on 127.0.0.1:
// `await init()` fetching the .wasm copied beside the bundle, and `initSync(bytes)`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';

import { NGINX_PATH, nativeBin, projectDir, read, run } from './helpers.mjs';

const require = createRequire(import.meta.url);
const esbuild = require('esbuild');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic', '--no-first-run',
];

const ENTRY_ASYNC = `
import { check, init, rules, version } from 'kube-secctx';
const text = ${JSON.stringify(read(NGINX_PATH))} + '# 部署 😀\\n';
let before;
try { check(text); before = 'no error'; } catch (e) { before = e.message; }
await init();
await init();
const report = check(text, { fileName: 'nginx.yaml' });
let bad;
try { check(text, { level: 'privileged' }); } catch (e) { bad = e instanceof Error ? e.message : 'not an Error'; }
window.__result = {
  before, bad, version, rules: rules().length,
  report: check(text, { fileName: 'nginx.yaml' }),
  same: JSON.stringify(report) === JSON.stringify(check(text, { fileName: 'nginx.yaml' })),
  slices: report.findings.map((f) => text.slice(f.range.start.offset, f.range.end.offset)),
};
`;

const ENTRY_SYNC = `
import { check, initSync } from 'kube-secctx';
const bytes = await (await fetch('./kube_secctx_bg.wasm')).arrayBuffer();
initSync(bytes);
initSync(bytes);
window.__result = { findings: check('apiVersion: v1\\nkind: Pod\\nspec: {hostPID: true, containers: [{name: a, image: b}]}\\n').findings.map((f) => f.rule) };
`;

let server;
let origin;
let browser;
let outDir;

before(async () => {
  const project = projectDir();
  outDir = join(project, 'dist');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(project, 'entry-async.mjs'), ENTRY_ASYNC);
  writeFileSync(join(project, 'entry-sync.mjs'), ENTRY_SYNC);
  await esbuild.build({
    absWorkingDir: project,
    entryPoints: ['entry-async.mjs', 'entry-sync.mjs'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: outDir,
    logLevel: 'error',
  });
  // What a bundler user does: the .wasm beside the bundle, where `init()` looks for it.
  copyFileSync(join(project, 'node_modules', 'kube-secctx', 'web', 'kube_secctx_bg.wasm'),
    join(outDir, 'kube_secctx_bg.wasm'));
  for (const name of ['async', 'sync']) {
    writeFileSync(join(outDir, `${name}.html`),
      `<!doctype html><meta charset="utf-8"><script type="module" src="./entry-${name}.js"></script>`);
  }
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  server = createServer((req, res) => {
    const path = normalize(join(outDir, new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(outDir)) { res.writeHead(403).end(); return; }
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function runPage(name) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${origin}/${name}.html`);
    await page.waitForFunction(() => window.__result !== undefined || null, null, { timeout: 30_000 })
      .catch(() => assert.fail(`the bundle did not finish: ${errors.join('; ')}`));
    assert.deepEqual(errors, []);
    return await page.evaluate(() => window.__result);
  } finally {
    await page.close();
  }
}

test('the bundle runs in Chromium: init(), then the CLI\'s findings with UTF-16 positions', async () => {
  const r = await runPage('async');
  assert.match(r.before, /not initialized: call `await init\(\)`/);
  assert.match(r.bad, /option level/);
  assert.equal(r.version, JSON.parse(read(join(projectDir(), 'node_modules/kube-secctx/package.json'))).version);
  assert.ok(r.rules > 20);
  assert.ok(r.same);
  const text = `${read(NGINX_PATH)}# 部署 😀\n`;
  const cli = JSON.parse(run(nativeBin(), ['check', '--format', 'json', '--stdin-filename', 'nginx.yaml', '-'], { input: text }).stdout);
  assert.deepEqual(r.report, cli, 'the browser report is the CLI\'s (ASCII before every finding)');
  assert.ok(r.slices.every((s) => s.length > 0));
});

test('the bundle runs in Chromium: initSync(bytes)', async () => {
  const r = await runPage('sync');
  assert.ok(r.findings.includes('host-namespaces'), JSON.stringify(r));
});

test('the bundle resolved the web target, not the Node.js one', () => {
  const bundle = read(join(outDir, 'entry-async.js'));
  assert.ok(bundle.includes('kube_secctx_bg.wasm'));
  assert.ok(!bundle.includes("require('fs')") && !bundle.includes('readFileSync'), 'no Node.js glue in the bundle');
});
