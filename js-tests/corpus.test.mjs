// On every file of ../shared/corpus/real, the native CLI (`--format json`) and the JS API
// report the same findings: same rule, path (JSON pointer), line, and the same columns
// and offsets once the CLI's characters and bytes are converted to UTF-16 code units; the
// rest of each finding, the errors and the summary are equal too.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { CORPUS, cliPositionToUtf16, corpusFiles, importPackage, nativeBin, read, run } from './helpers.mjs';

const files = corpusFiles();

test('the corpus is there', () => {
  assert.ok(files.length >= 20, `${files.length} files in ${CORPUS}`);
});

for (const name of files) {
  test(`CLI and JS agree: ${name}`, async () => {
    const { check } = await importPackage();
    const path = join(CORPUS, name);
    const text = read(path);
    // The JS API judges every resource by its level (it reads no Namespace labels): so
    // does the CLI with --no-namespace-labels (seven corpus files hold Namespaces).
    const r = run(nativeBin(), ['check', '--format', 'json', '--no-namespace-labels', path]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const cli = JSON.parse(r.stdout);
    const js = check(text, { fileName: path });
    assert.equal(js.findings.length, cli.findings.length);
    js.findings.forEach((f, i) => {
      const c = cli.findings[i];
      const where = `${name} finding ${i} (${c.rule} at ${c.range.start.line}:${c.range.start.column})`;
      assert.equal(f.rule, c.rule, where);
      assert.equal(f.path, c.path, where);
      assert.equal(f.range.start.line, c.range.start.line, where);
      assert.equal(f.range.end.line, c.range.end.line, where);
      assert.deepEqual(f.range.start, cliPositionToUtf16(text, c.range.start), where);
      assert.deepEqual(f.range.end, cliPositionToUtf16(text, c.range.end), where);
      assert.deepEqual({ ...f, range: null }, { ...c, range: null }, where);
    });
    assert.deepEqual(js.errors.map((e) => ({ ...e, range: null })), cli.errors.map((e) => ({ ...e, range: null })));
    assert.deepEqual(js.summary, cli.summary);
    assert.deepEqual(js.options, cli.options);
  });
}

test('the corpus has non-ASCII text, and findings after it are shifted', async () => {
  const { check } = await importPackage();
  const nonAscii = files.filter((f) => /[^\x00-\x7f]/.test(read(join(CORPUS, f))));
  assert.ok(nonAscii.length >= 1, 'at least one file exercises the conversion');
  const shifted = nonAscii.some((f) => {
    const text = read(join(CORPUS, f));
    return check(text).findings.some((x) => Buffer.byteLength(text.slice(0, x.range.start.offset)) !== x.range.start.offset);
  });
  assert.ok(shifted, 'UTF-16 offsets differ from byte offsets after non-ASCII text');
});
