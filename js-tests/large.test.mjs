// A large report comes back whole: on 1,000 generated workloads (3.1 MB, about 7,600
// findings; benches/common/workloads.rs), the JS API's `check()` gives exactly the native
// CLI's JSON report (the file is ASCII, so UTF-16 positions equal the CLI's character
// columns and byte offsets), in the default profile and at a level: nothing is lost or
// changed on the way across the JS boundary (src/js/), at a size where a truncation or
// a drift in positions would show.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT, importPackage, nativeBin, read, run } from './helpers.mjs';

/** The generated file: KUBE_SECCTX_W1000, else target/bench/gen/w1000.yaml (made if missing). */
function w1000() {
  const path = process.env.KUBE_SECCTX_W1000 || join(ROOT, 'target', 'bench', 'gen', 'w1000.yaml');
  if (!existsSync(path)) {
    const r = run('cargo', ['run', '--quiet', '--example', 'gen-workloads', '--', '1000', path]);
    assert.equal(r.code, 0, r.stderr);
  }
  return path;
}

for (const level of [undefined, 'restricted']) {
  test(`1,000 generated workloads: check() is the CLI's JSON report${level ? ` at level ${level}` : ''}`, async () => {
    const { check } = await importPackage();
    const path = w1000();
    const text = read(path);
    assert.ok(/^[\x00-\x7f]*$/.test(text), 'the generated file is ASCII');
    const args = ['check', '--format', 'json', '--no-namespace-labels', ...(level ? ['--level', level] : []), path];
    const r = run(nativeBin(), args);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const cli = JSON.parse(r.stdout);
    const js = check(text, { fileName: path, level });
    assert.ok(cli.findings.length > (level ? 3000 : 7000), `${cli.findings.length} findings`);
    assert.equal(js.findings.length, cli.findings.length);
    assert.equal(js.findings.at(-1).range.end.offset, cli.findings.at(-1).range.end.offset);
    assert.deepEqual(js, cli);
  });
}
