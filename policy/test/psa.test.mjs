// Every Pod Security Admission fixture of ../shared/corpus/psa at v1.37 (baseline and
// restricted), wrapped as a CREATE AdmissionRequest, gets its expected verdict in all four
// builds (settings: level = the fixture's level, pssVersion v1.37), and a rejection
// contains upstream's fail-reason substring.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import YAML from "yaml";
import { loadAll } from "../lib/hosts.mjs";

const CORPUS = new URL("../../../shared/corpus/psa/", import.meta.url).pathname;

function rows() {
  assert.ok(existsSync(CORPUS + "INDEX.tsv"), `the PSA corpus is missing: ${CORPUS}INDEX.tsv`);
  const [header, ...lines] = readFileSync(CORPUS + "INDEX.tsv", "utf8").trim().split("\n");
  assert.equal(header, "path\tlevel\tversion\texpected\tfixture_group\tcheck_id\tfail_reason_substring");
  return lines
    .map((l) => l.split("\t"))
    .filter((c) => c[2] === "v1.37")
    .map(([path, level, , expected, , check, reason]) => ({ path, level, fail: expected === "fail", check, reason }));
}

let builds;
before(async () => {
  builds = await loadAll();
});
after(() => builds?.forEach((b) => b.cleanup?.()));

test("PSA corpus v1.37 as CREATE requests, in all four builds", async () => {
  const all = rows();
  assert.equal(all.length, 148, "49 baseline + 99 restricted fixtures at v1.37");
  let checked = 0;
  for (const [i, r] of all.entries()) {
    // Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml over go-yaml).
    const pod = YAML.parse(readFileSync(CORPUS + r.path, "utf8"), { version: "1.1" });
    const request = {
      uid: `psa-${i}`,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      operation: "CREATE",
      namespace: "psa",
      name: pod.metadata?.name,
      userInfo: { username: "psa-conformance" },
      object: pod,
    };
    const settings = { level: r.level, pssVersion: "v1.37" };
    for (const build of builds) {
      const a = await build.validate(request, settings);
      const ctx = `${r.path} in ${build.name}: ${a.message}`;
      assert.equal(a.accepted, !r.fail, ctx);
      if (r.fail) assert.ok(a.message.includes(r.reason), `${ctx}\nlacks ${r.reason}`);
      checked++;
    }
  }
  assert.equal(checked, 148 * 4);
});
