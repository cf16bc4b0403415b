// The mutating policy (setting `mutate`) in the two builds that can mutate, each in a host
// written by others: the waPC module in @wapc/host and the WASI command in node:wasi (a
// fresh instance per call, as Kubewarden's evaluator runs it). The AdmissionReview
// fixtures of policy/fixtures/mutate/ say what both must answer; a mutated object must
// change exactly the fields listed and pass when checked again (by the same build
// without `mutate`, and by the Gatekeeper build in the OPA SDK). The Gatekeeper and OPA
// builds refuse `mutate`: their contracts have no mutated object.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { loadWapc, loadWasi, loadGatekeeper, loadOpa, FIXTURES } from "../lib/hosts.mjs";

const DIR = join(FIXTURES, "mutate");
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ""), ...JSON.parse(readFileSync(join(DIR, f), "utf8")) }));

let builds, gatekeeper, opa;
before(async () => {
  builds = [await loadWapc(), await loadWasi()];
  gatekeeper = await loadGatekeeper();
  opa = await loadOpa();
});
after(() => builds?.forEach((b) => b.cleanup?.()));

/** The leaves of a JSON value by JSON pointer: scalars, and lists of scalars as one leaf. */
function leaves(v, at = "", out = new Map()) {
  if (v !== null && typeof v === "object" && !(Array.isArray(v) && v.every((i) => i === null || typeof i !== "object"))) {
    for (const [k, x] of Object.entries(v)) leaves(x, `${at}/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`, out);
  } else {
    out.set(at, v);
  }
  return out;
}

/** What `after` adds or changes ({pointer: leaf}) and removes ([pointer]) of `before`. */
function diff(before, after) {
  const b = leaves(before), a = leaves(after);
  const changed = {};
  for (const [k, v] of a) if (!b.has(k) || JSON.stringify(b.get(k)) !== JSON.stringify(v)) changed[k] = v;
  return { changed, removed: [...b.keys()].filter((k) => !a.has(k)) };
}

const validating = (settings) => {
  const { mutate: _, ...rest } = settings;
  return rest;
};

test("the fixture set is complete", () => {
  assert.ok(fixtures.length >= 10, `${fixtures.length} fixtures`);
  for (const want of ["nginx-deployment-create", "privileged-pod-not-listed", "pod-update", "pod-subresource-create",
    "pod-ephemeralcontainers", "deployment-update-template-unchanged", "deployment-update-template-changed"]) {
    assert.ok(fixtures.some((f) => f.name === want), want);
  }
});

test("the nginx fixture is examples/nginx-deployment.yaml", () => {
  const yaml = YAML.parse(readFileSync(new URL("../../examples/nginx-deployment.yaml", import.meta.url), "utf8"));
  const f = fixtures.find((x) => x.name === "nginx-deployment-create");
  assert.deepEqual(f.request.object, yaml);
  assert.deepEqual(f.settings.mutate.sort(),
    ["may-run-as-root", "missing-seccomp-profile", "privilege-escalation-allowed", "unrestricted-capabilities"]);
  assert.equal(f.settings.level, "restricted");
});

for (const f of fixtures) {
  test(`mutate ${f.name}: ${f.description}`, async () => {
    const e = f.expect;
    for (const build of builds) {
      const a = await build.validate(f.request, f.settings);
      const ctx = `${f.name} in ${build.name}: ${JSON.stringify(a.raw).slice(0, 800)}`;
      assert.equal(a.accepted, e.accepted, ctx);
      const message = a.message ?? "";
      for (const part of e.message ?? []) assert.ok(message.includes(part), `${ctx}\nlacks ${part}`);
      for (const part of e.messageExcludes ?? []) assert.ok(!message.includes(part), `${ctx}\nhas ${part}`);
      if (e.code !== undefined) assert.equal(a.code, e.code, ctx);
      assert.equal(a.warnings.length, e.warnings, ctx);
      for (const part of e.warningText ?? []) {
        assert.ok(a.warnings.some((w) => w.includes(part)), `${ctx}\nno warning with ${part}`);
      }
      for (const [key, parts] of Object.entries(e.audit ?? {})) {
        for (const part of parts) assert.ok((a.audit?.[key] ?? "").includes(part), `${ctx}\naudit ${key} lacks ${part}`);
      }
      // `mutated_object` only on a mutation; absent (not null) otherwise.
      assert.equal("mutated_object" in a.raw, e.mutated, ctx);
      assert.equal(Boolean(a.audit?.["kube-secctx-mutated"]), e.mutated, ctx);
      const s = await build.validateSettings(f.settings);
      assert.equal(s.valid, e.settingsValid, `${ctx}\nvalidate_settings ${JSON.stringify(s)}`);
      if (!e.mutated) continue;
      const mutated = a.raw.mutated_object;
      // Exactly the fields listed were added or changed, nothing removed.
      const { changed, removed } = diff(f.request.object, mutated);
      assert.deepEqual(changed, e.changes, `${ctx}\nchanges`);
      assert.deepEqual(removed, [], `${ctx}\nremoved`);
      // Checked again without `mutate`: the same build and the Gatekeeper build accept it.
      const again = { ...f.request, object: mutated };
      const second = await build.validate(again, validating(f.settings));
      assert.equal(second.accepted, true, `${ctx}\nagain: ${JSON.stringify(second.raw)}`);
      assert.deepEqual(second.warnings, [], ctx);
      const gk = await gatekeeper.validate(again, validating(f.settings));
      assert.deepEqual(gk.violations, [], ctx);
    }
  });
}

test("nginx: the fields the restricted fixes add, as a person reads them", async () => {
  const f = fixtures.find((x) => x.name === "nginx-deployment-create");
  for (const build of builds) {
    const a = await build.validate(f.request, f.settings);
    const spec = a.raw.mutated_object.spec.template.spec;
    assert.equal(spec.securityContext.runAsNonRoot, true, build.name);
    assert.deepEqual(spec.securityContext.seccompProfile, { type: "RuntimeDefault" }, build.name);
    const [c] = spec.containers;
    assert.equal(c.securityContext.allowPrivilegeEscalation, false, build.name);
    assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] }, build.name);
    // Everything else as the request had it.
    assert.equal(c.image, "nginx:1.14.2");
    assert.deepEqual(c.ports, [{ containerPort: 80 }]);
    assert.equal(a.raw.mutated_object.spec.replicas, 2);
  }
});

test("mutate: unknown rules and rules without a fix are settings errors in validate_settings", async () => {
  for (const build of builds) {
    let s = await build.validateSettings({ mutate: ["privileged"] });
    assert.equal(s.valid, false, build.name);
    assert.ok(s.message.includes('setting `mutate`: unknown rule "privileged"'), s.message);
    s = await build.validateSettings({ mutate: ["run-as-root-user"] });
    assert.equal(s.valid, false, build.name);
    assert.ok(s.message.includes('"run-as-root-user" has no automatic fix'), s.message);
    s = await build.validateSettings({ level: "baseline", mutate: ["may-run-as-root"] });
    assert.equal(s.valid, false, build.name);
    assert.ok(s.message.includes("it is a restricted check, and `level` is baseline"), s.message);
    s = await build.validateSettings({ mutate: [] });
    assert.equal(s.valid, true, build.name);
  }
});

test("the Gatekeeper and OPA builds refuse mutate: their contracts have no mutated object", async () => {
  const f = fixtures.find((x) => x.name === "nginx-deployment-create");
  const gk = await gatekeeper.validate(f.request, f.settings);
  assert.equal(gk.accepted, false);
  assert.equal(gk.violations.length, 1);
  assert.equal(gk.violations[0].details.rule, "invalid-settings");
  assert.ok(gk.message.includes("setting `mutate`: this build cannot mutate"), gk.message);
  const r = await opa.validate(f.request, f.settings);
  assert.equal(r.accepted, false);
  assert.equal(r.code, 500);
  assert.ok(r.message.includes("use kube-secctx.kubewarden.wasm"), r.message);
});
