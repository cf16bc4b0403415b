// `make bench-policy`: validate latency per request for a typical Deployment
// (bench/typical-deployment.request.json, a 6 KB CREATE request as an API server sends
// it: two containers, an init container, probes, env, managedFields) in the hosts the
// policy runs in. Goal: under 1 ms per request.
//
// Each figure: warm-up (the JIT tiers up), then 7 rounds of N requests; the median round,
// per request, with the host's own overhead included (@wapc/host copies the payload in
// and out; the OPA SDK JSON.stringify()s the input and JSON.parse()s the result).
// Kubewarden's WASI mode starts a fresh instance per request, so its figure includes
// instantiation; it is printed for comparison and has no goal.
import { readFileSync } from "node:fs";
import { loadWapc, loadWasi, loadGatekeeper, loadOpa } from "./lib/hosts.mjs";

const GOAL_US = 1000;
const N = Number(process.env.BENCH_N ?? 2000);
const ROUNDS = 7;

const compliant = JSON.parse(readFileSync(new URL("bench/typical-deployment.request.json", import.meta.url), "utf8"));
const violating = structuredClone(compliant);
const spec = violating.object.spec.template.spec;
delete spec.securityContext;
spec.hostNetwork = true;
spec.containers[1].securityContext = { privileged: true };

async function measure(fn, n = N) {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn(); // warm-up
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    rounds.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[ROUNDS >> 1], min: rounds[0] };
}

const settings = { level: "restricted" };
const wapc = await loadWapc();
const wasi = await loadWasi();
const gk = await loadGatekeeper();
const opa = await loadOpa();
opa.policy.setData(settings);

const rows = [];
for (const [label, req] of [["compliant (accepted)", compliant], ["violating (rejected, 9 violations)", violating]]) {
  const payload = new TextEncoder().encode(JSON.stringify({ request: req, settings }));
  // Sanity: the verdicts are the expected ones.
  const expectAccepted = req === compliant;
  if ((await wapc.validateRaw(payload)).accepted !== expectAccepted) throw new Error(`waPC verdict for ${label}`);
  if ((await gk.validate(req, settings)).accepted !== expectAccepted) throw new Error(`gatekeeper verdict for ${label}`);
  if ((await opa.validate(req, settings)).accepted !== expectAccepted) throw new Error(`opa verdict for ${label}`);
  opa.policy.setData(settings);

  rows.push([label, "@wapc/host  validate (kube-secctx.kubewarden.wasm)", await measure(() => wapc.host.invoke("validate", payload))]);
  rows.push([label, "OPA SDK     kube_secctx/violation (kube-secctx.gatekeeper.wasm)",
    await measure(() => gk.policy.evaluate({ review: req, parameters: settings }))]);
  rows.push([label, "OPA SDK     kube_secctx/response (kube-secctx.opa.wasm)",
    await measure(() => opa.policy.evaluate({ request: req }))]);
  const stdin = JSON.stringify({ request: req, settings });
  rows.push([label, "node:wasi   validate, new instance per request (kube-secctx.kubewarden-wasi.wasm)",
    await measure(() => wasi.run(["validate"], stdin), 200), true]);
}
wasi.cleanup();

const bytes = JSON.stringify(compliant).length;
console.log(`kube-secctx policy validate latency, typical Deployment CREATE request (${(bytes / 1024).toFixed(1)} KB JSON), settings ${JSON.stringify(settings)}`);
console.log(`node ${process.version}; median of ${ROUNDS} rounds after warm-up, per request\n`);
let met = true;
for (const [label, host, { median, min }, noGoal] of rows) {
  const ok = median < GOAL_US;
  if (!noGoal) met &&= ok;
  const mark = noGoal ? "(no goal)" : ok ? "< 1 ms  ok" : ">= 1 ms  MISSED";
  console.log(`${label.padEnd(36)} ${host.padEnd(84)} ${median.toFixed(1).padStart(8)} µs  (min ${min.toFixed(1)})  ${mark}`);
}
console.log(`\ngoal (validate under 1 ms per request in @wapc/host and the OPA SDK): ${met ? "met" : "MISSED"}`);
