// `make demo-policy`: one violating Deployment through the admission builds, as a cluster
// admin would see it — rejected by the waPC module (Kubewarden), the same request in warn
// mode, and the Gatekeeper violations from the OPA build; then the nginx Deployment of
// examples/ mutated by the waPC module (setting `mutate`).
import { readFileSync } from "node:fs";
import { loadWapc, loadGatekeeper, FIXTURES } from "./lib/hosts.mjs";

const { request } = JSON.parse(readFileSync(`${FIXTURES}deployment-violations.json`, "utf8"));
const wapc = await loadWapc();
const gk = await loadGatekeeper();
const rule = (t) => console.log(`\n${"=".repeat(80)}\n ${t}\n${"=".repeat(80)}\n`);

rule('kube-secctx.kubewarden.wasm in @wapc/host: validate, settings {"level": "restricted"}');
const denied = (await wapc.validate(request, { level: "restricted" })).raw;
console.log(`accepted: ${denied.accepted}, code: ${denied.code}\nmessage: ${denied.message}`);

rule('the same request, settings {"level": "baseline", "mode": "warn"}');
const warned = (await wapc.validate(request, { level: "baseline", mode: "warn" })).raw;
console.log(`accepted: ${warned.accepted}\nwarnings:\n${warned.warnings.map((w) => `  - ${w}`).join("\n")}`);

rule('kube-secctx.gatekeeper.wasm in @open-policy-agent/opa-wasm: kube_secctx/violation, parameters {"level": "baseline"}');
const [{ result }] = gk.policy.evaluate({ review: request, parameters: { level: "baseline" } });
console.log(JSON.stringify(result, null, 2));

const nginx = JSON.parse(readFileSync(`${FIXTURES}mutate/nginx-deployment-create.json`, "utf8"));
rule(`the nginx Deployment of examples/, settings ${JSON.stringify(nginx.settings)}`);
const mutated = (await wapc.validate(nginx.request, nginx.settings)).raw;
console.log(`accepted: ${mutated.accepted}\nwarnings:\n${mutated.warnings.map((w) => `  - ${w}`).join("\n")}`);
console.log(`mutated_object.spec.template.spec:\n${JSON.stringify(mutated.mutated_object.spec.template.spec, null, 2)}`);

rule('validate_settings {"level": "strict", "exemptions": {"namespace": ["x"]}}');
console.log(await wapc.validateSettings({ level: "strict", exemptions: { namespace: ["x"] } }));
