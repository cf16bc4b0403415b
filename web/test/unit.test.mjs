// The page's pure helpers, in Node: share links and rule-doc sections.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeShare, encodeShare, fromBase64Url, toBase64Url } from '../src/share.js';
import { docSections } from '../src/markdown.js';

test('share links: base64url of UTF-8, no padding, round trip', () => {
  for (const text of ['', 'a', 'ab', 'abc', 'kind: Pod\n', '# ü 🚀 日本語\r\nx: "\u0000"\n', 'x'.repeat(100_000)]) {
    const enc = toBase64Url(text);
    assert.match(enc, /^[A-Za-z0-9_-]*$/);
    assert.equal(enc, Buffer.from(text, 'utf8').toString('base64url'));
    assert.equal(fromBase64Url(enc), text);
    assert.equal(fromBase64Url(Buffer.from(text, 'utf8').toString('base64')), text, 'padded base64 is read too');
  }
});

test('share links: the fragment, defaults left out', () => {
  assert.equal(encodeShare('a: b\n', '', 'latest'), 'yaml=YTogYgo');
  assert.equal(encodeShare('a: b\n', 'baseline', 'v1.25'), 'yaml=YTogYgo&level=baseline&pss=v1.25');
  assert.deepEqual(decodeShare('yaml=YTogYgo&level=restricted&pss=v1.30'), { yaml: 'a: b\n', level: 'restricted', pss: 'v1.30' });
  assert.deepEqual(decodeShare('level=baseline'), { level: 'baseline' });
  assert.deepEqual(decodeShare('findings-title'), {});
  assert.ok(decodeShare('yaml=%%%').error);
  assert.ok(decodeShare('yaml=A').error, 'a truncated encoding');
  assert.ok(decodeShare(`yaml=${Buffer.from([0xff, 0xfe]).toString('base64url')}`).error, 'not UTF-8');
});

test('rule docs: sections by heading, code fences skipped', () => {
  const md = '## What it checks\nA.\n\n## Why it matters\nB `x`.\nC.\n\n## Example\n```yaml\n## not a heading\n```\n\n## Fix\nD.\n';
  const s = docSections(md);
  assert.deepEqual(Object.keys(s), ['What it checks', 'Why it matters', 'Example', 'Fix']);
  assert.equal(s['Why it matters'], 'B `x`.\nC.');
  assert.equal(s.Fix, 'D.');
});
