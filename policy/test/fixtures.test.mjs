// The AdmissionReview fixtures of policy/fixtures/ in all four builds, each in a host
// written by others (see hosts.mjs). Every fixture says what every build must answer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll, FIXTURES } from "../lib/hosts.mjs";

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ""), ...JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) }));

let builds;
before(async () => {
  builds = await loadAll();
});
after(() => builds?.forEach((b) => b.cleanup?.()));

test("the fixture set is complete", () => {
  assert.ok(fixtures.length >= 25, `${fixtures.length} fixtures`);
  for (const want of ["deployment-violations", "cronjob-violations", "pod-update-image", "pod-delete",
    "warn-mode", "exempt-namespace", "exempt-username", "exempt-runtimeclass", "malformed-no-object",
    "malformed-object-not-resource", "bad-settings"]) {
    assert.ok(fixtures.some((f) => f.name === want), want);
  }
});

/** Each part appears in `text`, in this order. */
function assertInOrder(ctx, text, parts) {
  let from = 0;
  for (const part of parts ?? []) {
    const at = text.indexOf(part, from);
    assert.ok(at >= 0, `${ctx}\n${JSON.stringify(part)} not found (in order) after ${from}`);
    from = at + part.length;
  }
}

function checkAnswer(build, f, a) {
  const e = f.expect;
  const ctx = `${f.name} in ${build.name}: ${JSON.stringify(a).slice(0, 600)}`;
  assert.equal(a.accepted, e.accepted, ctx);
  const message = a.message ?? "";
  for (const part of e.message ?? []) assert.ok(message.includes(part), `${ctx}\nlacks ${part}`);
  assertInOrder(ctx, message, e.messageInOrder);
  if (a.gatekeeper) {
    // Gatekeeper's contract: the set of violations, one per finding; no header, no code.
    if (e.violations !== undefined) assert.equal(a.violations.length, e.violations, ctx);
    for (const v of a.violations) {
      assert.equal(typeof v.msg, "string", ctx);
      assert.equal(typeof v.details, "object", ctx);
    }
    return;
  }
  for (const part of e.header ?? []) assert.ok(message.includes(part), `${ctx}\nlacks ${part}`);
  if (e.code !== undefined) assert.equal(a.code, e.code, ctx);
  assert.equal(a.warnings.length, e.warnings ?? 0, ctx);
  for (const part of e.warningText ?? []) {
    assert.ok(a.warnings.some((w) => w.includes(part)), `${ctx}\nno warning with ${part}`);
  }
  // `audit`: exactly these audit annotation keys, each value containing its parts.
  if (e.audit !== undefined) {
    const got = a.audit ?? {};
    assert.deepEqual(Object.keys(got).sort(), Object.keys(e.audit).sort(), `${ctx}\naudit annotations`);
    for (const [key, parts] of Object.entries(e.audit)) {
      for (const part of parts) assert.ok(got[key].includes(part), `${ctx}\naudit ${key} lacks ${part}`);
    }
  }
}

for (const f of fixtures) {
  test(`fixture ${f.name}: ${f.description}`, async () => {
    for (const build of builds) {
      checkAnswer(build, f, await build.validate(f.request, f.settings));
      if (build.validateSettings) {
        const s = await build.validateSettings(f.settings);
        assert.equal(s.valid, f.expect.settingsValid, `${f.name} validate_settings in ${build.name}: ${JSON.stringify(s)}`);
        if (!s.valid) assert.ok(s.message.includes(f.expect.settingsMessage ?? "setting `level`"), `${f.name}: ${s.message}`);
      }
    }
  });
}
