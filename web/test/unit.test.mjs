// The page's pure helpers, in Node: share links, rule-doc sections, fixes (labels, diff).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { decodeShare, encodeShare, fromBase64Url, toBase64Url } from '../src/share.js';
import { docSections } from '../src/markdown.js';
import { UNSAFE_REASON, applyChanges, fixLabel, hunkHeader, textChanges, unifiedDiff } from '../src/fixes.js';

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

// --- fixes.js: the Fix buttons' reasons, the diff of "Fix all", its changes -----------------
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('fix labels: what the fix does; unsafe ones say so and why', () => {
  const unsafe = fixLabel({ title: "set runAsNonRoot: true in the pod's securityContext", applicability: 'unsafe' }, 'may-run-as-root');
  assert.equal(unsafe.text, "Fix: set runAsNonRoot: true in the pod's securityContext Unsafe: the kubelet refuses an image whose user is root");
  assert.equal(unsafe.short, 'Fix (unsafe)');
  assert.ok(unsafe.long.startsWith(unsafe.short), 'the visible label starts the accessible name');
  const safe = fixLabel({ title: 'set allowPrivilegeEscalation: false', applicability: 'safe' }, 'privilege-escalation-allowed');
  assert.deepEqual([safe.text, safe.short, safe.long],
    ['Fix: set allowPrivilegeEscalation: false Safe', 'Fix', 'Fix: set allowPrivilegeEscalation: false (safe)']);
  assert.match(fixLabel({ title: 'x', applicability: 'unsafe' }, 'a-rule-of-tomorrow').why, /^Unsafe: it may stop the workload from starting$/);
});

test('every rule with an unsafe fix (kube-secctx explain) has a reason for its button', () => {
  // The package's CLI (make wasm builds it): each rule's "## Automatic fix" section.
  const cli = join(ROOT, 'pkg', 'bin', 'kube-secctx.cjs');
  const ids = JSON.parse(execFileSync(process.execPath, [cli, 'rules', '--format', 'json'], { encoding: 'utf8' })).map((r) => r.id);
  assert.ok(ids.length > 20);
  const missing = [];
  for (const id of ids) {
    const md = execFileSync(process.execPath, [cli, 'explain', id], { encoding: 'utf8' });
    const section = md.split('## Automatic fix')[1] ?? '';
    if (/\*\*unsafe\*\*/i.test(section) && !UNSAFE_REASON[id]) missing.push(id);
  }
  assert.deepEqual(missing, []);
  for (const id of Object.keys(UNSAFE_REASON)) assert.ok(ids.includes(id), `UNSAFE_REASON names no rule: ${id}`);
});

const PAIRS = [
  ['a\nb\nc\n', 'a\nb\nx\nc\n'],
  ['', 'kind: Pod\n'],
  ['kind: Pod\n', ''],
  ['a\nb', 'a\nb\n'],
  ['a\nb\n', 'a\nc'],
  ['x: {privileged: true}\n', 'x: {privileged: true, allowPrivilegeEscalation: false}\n'],
  [Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n',
    Array.from({ length: 40 }, (_, i) => (i === 3 ? 'three' : i === 30 ? 'thirty\nand more' : `line ${i}`)).join('\n') + '\n'],
  ['🚀 a\n日本 b\n', '🚀 a\n  new: 🚀\n日本 b\n'],
];

test('textChanges: the smallest changes (UTF-16 offsets) that turn one text into the other', () => {
  for (const [a, b] of PAIRS) {
    const changes = textChanges(a, b);
    assert.equal(applyChanges(a, changes), b, JSON.stringify([a, b]));
    for (let i = 1; i < changes.length; i += 1) assert.ok(changes[i - 1].to < changes[i].from, 'sorted and apart');
  }
  assert.deepEqual(textChanges(PAIRS[5][0], PAIRS[5][1]), [{ from: 20, to: 20, insert: ', allowPrivilegeEscalation: false' }]);
  assert.deepEqual(textChanges('same\n', 'same\n'), []);
});

test('unifiedDiff: the hunks and lines of diff -u', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-secctx-diff-'));
  try {
    for (const [a, b] of PAIRS) {
      writeFileSync(join(dir, 'a'), a);
      writeFileSync(join(dir, 'b'), b);
      let expected = '';
      try {
        execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
      } catch (e) {
        expected = e.stdout; // exit 1: the files differ
      }
      const ours = unifiedDiff(a, b).flatMap((h) => [hunkHeader(h),
        ...h.lines.flatMap((l) => [`${l.kind}${l.text}`, ...(l.noNewline ? ['\\ No newline at end of file'] : [])])]);
      assert.deepEqual(ours, expected.split('\n').slice(2, -1), JSON.stringify([a, b]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
