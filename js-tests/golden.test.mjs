// The native CLI's and the JS API's JSON reports over the real corpus and the examples
// are byte for byte the golden ones (tests/golden/, written by golden.mjs before issue 10
// moved positions out of the core): the documented shapes and values do not change.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PROFILES, cliReport, inputs, jsReport, readGolden } from './golden.mjs';
import { nativeBin, requirePackage } from './helpers.mjs';

/** The first line where two texts differ, for a readable failure. */
function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i < 0 ? Math.min(x.length, y.length) : i;
  return `line ${at + 1}:\n  saved: ${y[at]}\n  now:   ${x[at]}`;
}

test('the golden files cover every input', () => {
  for (const profile of Object.keys(PROFILES)) {
    for (const frontEnd of ['cli', 'js']) {
      assert.deepEqual(readGolden(frontEnd, profile).map((e) => e.path), inputs(), `${frontEnd}-${profile}`);
    }
  }
});

for (const profile of Object.keys(PROFILES)) {
  test(`CLI JSON reports are the golden ones (${profile})`, () => {
    for (const saved of readGolden('cli', profile)) {
      const now = cliReport(nativeBin(), saved.path, profile);
      assert.equal(now.code, saved.code, `${saved.path}: exit code`);
      assert.equal(now.stderr, saved.stderr, `${saved.path}: stderr`);
      assert.ok(now.stdout === saved.stdout, `${saved.path}: ${firstDifference(now.stdout, saved.stdout)}`);
    }
  });

  test(`JS API reports are the golden ones (${profile})`, () => {
    const { check } = requirePackage();
    for (const saved of readGolden('js', profile)) {
      const now = jsReport(check, saved.path, profile);
      assert.ok(now.report === saved.report, `${saved.path}: ${firstDifference(now.report, saved.report)}`);
    }
  });
}
