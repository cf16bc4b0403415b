// `make serve`'s program (serve.mjs): binds 127.0.0.1, serves web/dist with the right
// types, nothing outside it; a taken port falls back to a free one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const WEB = fileURLToPath(new URL('..', import.meta.url));

/** Starts `node serve.mjs ARGS`; resolves to { url, child, lines } once it prints its URL. */
async function startServe(args) {
  const child = spawn(process.execPath, ['serve.mjs', ...args], { cwd: WEB, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buf = '';
  const url = await new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(buf);
      if (m) ok(m[1]);
    });
    child.stderr.on('data', (d) => { buf += d; });
    child.once('exit', (code) => fail(new Error(`serve.mjs exited (${code}): ${buf}`)));
  });
  lines.push(...buf.split('\n'));
  return { url, child, lines };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

test('serve.mjs serves web/dist on 127.0.0.1', async () => {
  const { url, child } = await startServe(['--port', '0']);
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await page.text(), /Content-Security-Policy/);
    const wasm = await fetch(new URL('kube_secctx_bg.wasm', url));
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())));
    assert.equal((await fetch(new URL('app.js', url))).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await fetch(new URL('nope.js', url))).status, 404);
    assert.equal((await fetch(new URL('/%2e%2e/package.json', url))).status, 404); // normalized to /package.json
    assert.equal((await fetch(`${url}%2F..%2Fpackage.json`)).status, 403); // web/package.json stays out
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  } finally {
    await stop(child);
  }
});

test('serve.mjs uses a free port when the one asked for is taken', async () => {
  const blocker = createServer();
  await new Promise((ok) => blocker.listen(0, '127.0.0.1', ok));
  const taken = blocker.address().port;
  try {
    const { url, child, lines } = await startServe(['--port', String(taken)]);
    try {
      assert.notEqual(new URL(url).port, String(taken));
      assert.ok(lines.some((l) => l.includes(`port ${taken} is taken`)), lines.join('\n'));
      assert.equal((await fetch(url)).status, 200);
    } finally {
      await stop(child);
    }
  } finally {
    blocker.close();
  }
});
