// Fixes through the npm package as users install it: check(text, {fixes: true}) gives each
// finding its fix with UTF-16 ranges (applying a fix's edits to the JavaScript string is
// what the engine applies), applyFixes() returns {text, applied, remaining}, and the
// results agree with the native CLI's --fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { NGINX_PATH, importPackage, nativeBin, read, requirePackage, run } from './helpers.mjs';

const NGINX = read(NGINX_PATH);

/** `text` with `edits` (sorted, apart; UTF-16 offsets) applied. */
function applyEdits(text, edits) {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.range.start.offset) + e.newText;
    at = e.range.end.offset;
  }
  return out + text.slice(at);
}

test('check(text, {fixes: true}): each finding has its fix or why not, in UTF-16 units', async () => {
  const { check } = await importPackage();
  // An emoji and CJK before the container: UTF-16 offsets differ from bytes and characters.
  const text = `# 部署 😀\n${NGINX}`;
  const plain = check(text);
  assert.ok(plain.findings.every((f) => !('fixes' in f)), 'no fixes unless asked');
  const report = check(text, { fixes: true });
  const ape = report.findings.find((f) => f.rule === 'privilege-escalation-allowed');
  assert.deepEqual(ape.fixes.map((f) => [f.title, f.applicability]), [
    ['set allowPrivilegeEscalation: false', 'safe'],
  ]);
  const fixed = applyEdits(text, ape.fixes[0].edits);
  assert.ok(fixed.includes('        - containerPort: 80\n        securityContext:\n          allowPrivilegeEscalation: false\n'));
  const after = check(fixed).findings.map((f) => f.rule);
  assert.ok(!after.includes('privilege-escalation-allowed'));
  const root = report.findings.find((f) => f.rule === 'may-run-as-root');
  assert.equal(root.fixes[0].applicability, 'unsafe');
  assert.equal(root.fixes[0].title, "set runAsNonRoot: true in the pod's securityContext");
  const volume = check(read(NGINX_PATH.replace('nginx-deployment', 'privileged-daemonset')), {
    fixes: true, level: 'baseline',
  }).findings.find((f) => f.rule === 'host-path-volume');
  assert.deepEqual(volume.fixes, []);
  assert.match(volume.noFix, /node's files/);
});

test('applyFixes: safe by default, unsafe on request, by rule; the text is what the CLI writes', async () => {
  const { applyFixes, check } = await importPackage();
  const safe = applyFixes(NGINX);
  assert.deepEqual(safe.applied.map((a) => [a.rule, a.applicability]).sort(), [
    ['container-security-context-missing', 'safe'],
    ['missing-seccomp-profile', 'safe'],
    ['pod-security-context-missing', 'safe'],
    ['privilege-escalation-allowed', 'safe'],
  ]);
  assert.deepEqual(safe.remaining.map((f) => f.rule), [
    'may-run-as-root', 'unrestricted-capabilities', 'writable-root-filesystem',
  ]);
  // remaining's positions are the fixed text's.
  // (the container's new securityContext, on line 22 of the fixed text: the findings about
  // its missing fields point at its key).
  const r = safe.remaining[0];
  assert.equal(safe.text.slice(r.range.start.offset, r.range.end.offset), 'securityContext');
  assert.equal(r.range.start.line, 22);
  assert.equal(safe.text.split('\n')[21], '        securityContext:');
  const cli = run(nativeBin(), ['check', '--fix', '-'], { input: NGINX });
  assert.equal(cli.stdout, safe.text, 'the same text as `kube-secctx check --fix -`');

  const all = applyFixes(NGINX, { unsafe: true });
  assert.deepEqual(all.remaining, []);
  assert.deepEqual(check(all.text, { level: 'restricted' }).findings, []);
  assert.deepEqual(applyFixes(all.text, { unsafe: true }).applied, [], 'nothing left to fix');

  const one = applyFixes(NGINX, { unsafe: true, rules: ['writable-root-filesystem'] });
  assert.deepEqual(one.applied.map((a) => a.rule), ['writable-root-filesystem']);
  assert.ok(one.text.includes('readOnlyRootFilesystem: true'));
});

test('applyFixes: bad options throw Errors that name them; the module keeps working', () => {
  const { applyFixes } = requirePackage();
  assert.throws(() => applyFixes(NGINX, { unsafe: 'yes' }), { name: 'TypeError', message: /applyFixes\(\): option unsafe: expected true or false/ });
  assert.throws(() => applyFixes(NGINX, { rules: ['nope'] }), /applyFixes\(\): option rules: unknown rule "nope"/);
  assert.throws(() => applyFixes(NGINX, { fixes: true }), /applyFixes\(\): unknown option "fixes"/);
  assert.throws(() => applyFixes(42), /applyFixes\(\): text must be a string/);
  assert.equal(applyFixes('a: [').text, 'a: [', 'invalid YAML is left as it is');
  assert.equal(applyFixes(NGINX).applied.length, 4);
});
