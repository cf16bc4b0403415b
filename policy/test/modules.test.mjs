// The built modules themselves: imports and exports, the OPA ABI, the Kubewarden metadata
// custom section, and how each host's calling convention behaves (protocol_version,
// WASI argv, OPA entrypoints by name and by default, repeated calls, a 2 MB input, the
// ABI 1.1 path Kubewarden's evaluator uses, malformed input and recovery afterwards).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { sections, SECTION } from "../tools/finish.mjs";
import { loadWapc, loadWasi, loadGatekeeper, loadOpa, wasmPath, DIST, FIXTURES } from "../lib/hosts.mjs";

const BUILDS = {
  kubewarden: "kubewarden-wapc",
  "kubewarden-wasi": "wasi",
  gatekeeper: "gatekeeper",
  opa: "opa",
};

const fixture = (name) => JSON.parse(readFileSync(`${FIXTURES}${name}.json`, "utf8"));
const violating = fixture("deployment-violations").request;
const clean = fixture("deployment-restricted-ok").request;

function moduleOf(build) {
  return new WebAssembly.Module(readFileSync(wasmPath(build)));
}

/** The memory imports of a module with their limits, read from the import section. */
function memoryImports(bytes) {
  const sec = sections(bytes).find((s) => s.id === 2);
  if (!sec) return [];
  let pos = sec.start + 1;
  const leb = () => {
    let r = 0, shift = 0, b;
    do {
      b = bytes[pos++];
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return r;
  };
  leb(); // section size
  const name = () => {
    const n = leb();
    const s = bytes.subarray(pos, pos + n).toString("utf8");
    pos += n;
    return s;
  };
  const out = [];
  for (let i = leb(); i > 0; i--) {
    const module = name(), field = name(), kind = bytes[pos++];
    if (kind === 0) leb(); // function: type index
    else if (kind === 1) { pos++; const flags = bytes[pos++]; leb(); if (flags & 1) leb(); } // table
    else if (kind === 2) {
      const flags = bytes[pos++];
      const initial = leb();
      const maximum = flags & 1 ? leb() : undefined;
      out.push({ module, field, initial, maximum, shared: !!(flags & 2) });
    } else if (kind === 3) pos += 2; // global
    else throw new Error(`unknown import kind ${kind}`);
  }
  return out;
}

let wapc, wasi;
before(async () => {
  wapc = await loadWapc();
  wasi = await loadWasi();
});
after(() => wasi?.cleanup());

test("waPC module imports nothing but the wapc functions (no WASI: @wapc/host offers only three)", () => {
  const m = moduleOf("kubewarden");
  const imports = WebAssembly.Module.imports(m);
  const allowed = new Set(["__guest_request", "__guest_response", "__guest_error", "__host_call",
    "__host_response_len", "__host_response", "__host_error_len", "__host_error", "__console_log"]);
  assert.ok(imports.length > 0);
  for (const i of imports) {
    assert.equal(i.module, "wapc", `import ${i.module}.${i.name}`);
    assert.ok(allowed.has(i.name), `import wapc.${i.name}`);
    assert.equal(i.kind, "function");
  }
  const exports = WebAssembly.Module.exports(m).map((e) => e.name);
  for (const e of ["__guest_call", "wapc_init", "memory"]) assert.ok(exports.includes(e), e);
});

test("WASI module is a wasi_snapshot_preview1 command", () => {
  const m = moduleOf("kubewarden-wasi");
  for (const i of WebAssembly.Module.imports(m)) assert.equal(i.module, "wasi_snapshot_preview1", i.name);
  const exports = WebAssembly.Module.exports(m).map((e) => e.name);
  assert.ok(exports.includes("_start") && exports.includes("memory"), exports.join());
});

for (const build of ["gatekeeper", "opa"]) {
  test(`${build}: OPA ABI 1.2 — imports only env.memory (<= 5 pages), exports the ABI`, async () => {
    const bytes = readFileSync(wasmPath(build));
    const m = new WebAssembly.Module(bytes);
    assert.deepEqual(
      WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}:${i.kind}`),
      ["env.memory:memory"],
    );
    const [mem] = memoryImports(bytes);
    assert.ok(mem.initial <= 5, `initial ${mem.initial} pages`);
    assert.equal(mem.maximum, undefined);
    assert.equal(mem.shared, false);
    const exports = new Map(WebAssembly.Module.exports(m).map((e) => [e.name, e.kind]));
    for (const f of ["opa_eval", "opa_eval_ctx_new", "opa_eval_ctx_set_input", "opa_eval_ctx_set_data",
      "opa_eval_ctx_set_entrypoint", "opa_eval_ctx_get_result", "eval", "entrypoints", "builtins",
      "opa_malloc", "opa_free", "opa_json_parse", "opa_json_dump", "opa_value_dump", "opa_value_parse",
      "opa_heap_ptr_get", "opa_heap_ptr_set"]) {
      assert.equal(exports.get(f), "function", f);
    }
    for (const g of ["opa_wasm_abi_version", "opa_wasm_abi_minor_version"]) assert.equal(exports.get(g), "global", g);
    const memory = new WebAssembly.Memory({ initial: 5 });
    const { exports: x } = await WebAssembly.instantiate(m, { env: { memory } });
    assert.equal(x.opa_wasm_abi_version.value, 1);
    assert.equal(x.opa_wasm_abi_minor_version.value, 2);
  });
}

for (const [build, mode] of Object.entries(BUILDS)) {
  test(`${build}: ${SECTION} custom section read back from the built file`, () => {
    const bytes = readFileSync(wasmPath(build));
    const found = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), SECTION);
    assert.equal(found.length, 1, "exactly one metadata section");
    const meta = JSON.parse(Buffer.from(found[0]).toString("utf8"));
    assert.equal(meta.executionMode, mode);
    assert.equal(meta.protocolVersion, "v1");
    // The waPC and WASI builds can mutate (setting `mutate`); the OPA contracts cannot.
    assert.equal(meta.mutating, mode === "kubewarden-wapc" || mode === "wasi");
    const resources = meta.rules.flatMap((r) => r.resources);
    for (const r of ["pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
      "replicationcontrollers", "podtemplates"]) assert.ok(resources.includes(r), r);
    for (const r of meta.rules) assert.deepEqual(r.operations, ["CREATE", "UPDATE"]);
    for (const a of ["title", "description", "source", "license", "version"]) {
      assert.ok(meta.annotations[`io.kubewarden.policy.${a}`], a);
    }
    // The same data as dist/policy/<build>.metadata.yml, and exactly one such section
    // in the raw section list too.
    const yml = YAML.parse(readFileSync(`${DIST}kube-secctx.${build}.metadata.yml`, "utf8"));
    assert.deepEqual(meta, yml);
    assert.equal(sections(bytes).filter((s) => s.id === 0 && s.name === SECTION).length, 1);
  });
}

test("waPC: protocol_version, validate_settings, validate; unknown operation is a waPC error", async () => {
  assert.equal(await wapc.call("protocol_version", ""), '"v1"');
  assert.deepEqual(await wapc.validateSettings({ level: "baseline" }), { valid: true, message: null });
  const bad = await wapc.validateSettings({ level: "strict" });
  assert.equal(bad.valid, false);
  assert.match(bad.message, /setting `level`: expected "baseline" or "restricted", got "strict"/);
  await assert.rejects(wapc.call("mutate", "{}"), /unknown waPC operation "mutate"/);
  // The module keeps answering after errors and malformed payloads.
  for (const payload of ["", "{", "[1,2]", '{"request": 5}', "\u00ff\u00fe"]) {
    const r = await wapc.validateRaw(payload);
    assert.equal(r.accepted, false, payload);
    assert.equal(r.code, 400, payload);
    assert.ok(r.message.length > 10, payload);
  }
  assert.equal((await wapc.validate(clean, {})).accepted, true);
  assert.equal((await wapc.validate(violating, {})).accepted, false);
});

test("waPC and WASI: a request too large for the module's memory is a clean rejection, then small ones work", async () => {
  // 150,000 tiny containers: about 2 MB, and far more than 4 GiB by the evaluation's
  // memory estimate (a violation object per check and container).
  const containers = Array.from({ length: 150000 }, (_, i) => ({ name: `c${i}`, image: "i" }));
  const huge = { uid: "u-huge", operation: "CREATE", object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers } } };
  for (const host of [wapc, wasi]) {
    const r = await host.validate(huge, { level: "baseline" });
    assert.equal(r.accepted, false, host.name);
    assert.equal(r.code, 500, host.name);
    assert.match(r.message, /^kube-secctx cannot evaluate this request: its input \(\d+ bytes\) needs up to about \d+ bytes of memory/, host.name);
    assert.equal((await host.validate(violating, {})).accepted, false, host.name);
    assert.equal((await host.validate(clean, {})).accepted, true, host.name);
  }
});

test("waPC: a 200 MB request is answered, not a trap, then small ones work", async () => {
  // Far beyond the API server's 3 MB request limit: a 200 MB annotation value on a Pod
  // with a privileged container. The guest takes the payload into its own memory (waPC's
  // __guest_request), finds it within its memory estimate, and judges it.
  const big = "a".repeat(200_000_000);
  const request = `{"uid":"u-200mb","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"${big}"}},"spec":{"containers":[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}`;
  const r = await wapc.validateRaw(`{"request":${request},"settings":{"level":"baseline"}}`);
  assert.equal(r.accepted, false);
  assert.match(r.message, /^Pod "p" violates PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext.privileged=true; check: privileged; field: spec.containers\[0\].securityContext.privileged\)$/);
  assert.equal((await wapc.validate(violating, {})).accepted, false);
  assert.equal((await wapc.validate(clean, {})).accepted, true);
});

test("WASI: argv and exit codes as Kubewarden's evaluator uses them", async () => {
  const ok = wasi.run(["validate-settings"], '{"level": "baseline"}');
  assert.equal(ok.exitCode, 0);
  assert.deepEqual(JSON.parse(ok.stdout), { valid: true, message: null });
  const bad = wasi.run(["validate-settings"], '{"mode": 3}');
  assert.equal(bad.exitCode, 0);
  assert.match(JSON.parse(bad.stdout).message, /setting `mode` must be a string/);
  const v = wasi.run(["validate"], JSON.stringify({ request: violating, settings: {} }));
  assert.equal(v.exitCode, 0);
  assert.equal(JSON.parse(v.stdout).accepted, false);
  const garbage = wasi.run(["validate"], "not json");
  assert.equal(garbage.exitCode, 0);
  assert.match(JSON.parse(garbage.stdout).message, /not valid JSON/);
  const usage = wasi.run(["mutate"], "{}");
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /usage: kube-secctx-policy validate\|validate-settings/);
  assert.equal(wasi.run([], "{}").exitCode, 2);
});

test("OPA SDK: entrypoints by name, by number and by default; repeated calls", async () => {
  const gk = await loadGatekeeper();
  const opa = await loadOpa();
  assert.deepEqual(gk.policy.entrypoints, { "kube_secctx/violation": 0, "kube_secctx/response": 1 });
  assert.deepEqual(opa.policy.entrypoints, { "kube_secctx/response": 0, "kube_secctx/violation": 1 });

  // Default entrypoint (0), as Kubewarden's evaluator calls it.
  const violations = gk.policy.evaluate({ review: violating, parameters: { level: "baseline" } });
  assert.equal(violations[0].result.length, 2);
  opa.policy.setData({ level: "baseline" });
  const response = opa.policy.evaluate({ request: violating });
  assert.equal(response[0].result.response.allowed, false);
  assert.equal(response[0].result.response.uid, violating.uid);
  assert.match(response[0].result.response.status.message, /^Deployment "web" in namespace "shop" violates PodSecurity "baseline:latest": /);

  // The other entrypoint of each file, by name and by number.
  opa.policy.setData({});
  const byName = opa.policy.evaluate({ review: violating, parameters: { level: "baseline" } }, "kube_secctx/violation");
  const byNumber = opa.policy.evaluate({ review: violating, parameters: { level: "baseline" } }, 1);
  assert.deepEqual(byName, violations);
  assert.deepEqual(byNumber, violations);
  gk.policy.setData({ level: "baseline", mode: "warn" });
  const warned = gk.policy.evaluate({ request: violating }, "kube_secctx/response")[0].result.response;
  assert.equal(warned.allowed, true);
  assert.equal(warned.warnings.length, 2);
  assert.throws(() => gk.policy.evaluate({}, "kube_secctx/nope"), /not valid/);
  assert.deepEqual(gk.policy.evaluate({}, 7), []);

  // Repeated calls: same answers, and memory stays bounded (the heap is reset per call).
  const before = gk.policy.mem.buffer.byteLength;
  for (let i = 0; i < 300; i++) {
    const req = i % 2 ? violating : clean;
    const rs = gk.policy.evaluate({ review: req, parameters: {} });
    assert.equal(rs[0].result.length === 0, i % 2 === 0, `call ${i}`);
  }
  assert.ok(gk.policy.mem.buffer.byteLength - before < 4 << 20, "memory grows with calls");
});

test("OPA SDK: a 2 MB input, then small ones again", async () => {
  for (const loader of [loadGatekeeper, loadOpa]) {
    const b = await loader();
    const big = structuredClone(violating);
    big.object.metadata.annotations = { "example.com/blob": "x".repeat(2 << 20) };
    big.object.spec.template.spec.containers.push(
      ...Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, image: "nginx", env: [{ name: "A", value: "y".repeat(100) }] })),
    );
    assert.ok(JSON.stringify(big).length > 2 << 20);
    for (let round = 0; round < 3; round++) {
      const a = await b.validate(big, { level: "baseline" });
      assert.equal(a.accepted, false, b.name);
      assert.match(a.message, /privileged \(container "app"/);
      assert.equal((await b.validate(clean, {})).accepted, true, b.name);
      assert.equal((await b.validate(violating, { level: "baseline" })).accepted, false, b.name);
    }
  }
});

test("OPA SDK: malformed inputs are violations / rejections that say so, and the module keeps answering", async () => {
  const gk = await loadGatekeeper();
  const cases = [
    ["hello", /must be a JSON object with `review`, got a string/],
    [{}, /has no `review`/],
    [{ review: { operation: "CREATE" } }, /has no object to check/],
    [{ review: violating, parameters: { level: 3 } }, /invalid settings: setting `level` must be a string/],
    [new TextEncoder().encode('{"review": ').buffer, /not valid JSON/],
    [new TextEncoder().encode("[".repeat(100000)).buffer, /not valid JSON.*recursion limit/],
  ];
  for (const [input, want] of cases) {
    const rs = gk.policy.evaluate(input);
    assert.equal(rs[0].result.length, 1, JSON.stringify(rs));
    assert.match(rs[0].result[0].msg, want);
    assert.equal(rs[0].result[0].details.rule === "invalid-settings" || rs[0].result[0].details.rule === "invalid-request", true);
    assert.equal(gk.policy.evaluate({ review: clean, parameters: {} })[0].result.length, 0);
  }
  // No input at all.
  const none = gk.policy.evaluate(undefined);
  assert.match(none[0].result[0].msg, /input is empty/);
  const opa = await loadOpa();
  opa.policy.setData({ levle: "baseline" });
  const r = opa.policy.evaluate({ request: clean })[0].result.response;
  assert.equal(r.allowed, false);
  assert.match(r.status.message, /unknown setting "levle"/);
  assert.equal(r.status.code, 500);
});

test("OPA ABI 1.1 path (opa_eval_ctx_*, as Kubewarden's burrego evaluator calls it)", async () => {
  for (const [build, want] of [["gatekeeper", "violation"], ["opa", "response"]]) {
    const memory = new WebAssembly.Memory({ initial: 5 });
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath(build)), { env: { memory } });
    const x = instance.exports;
    const push = (value) => {
      const bytes = new TextEncoder().encode(JSON.stringify(value));
      const addr = x.opa_malloc(bytes.length);
      new Uint8Array(memory.buffer).set(bytes, addr);
      const parsed = x.opa_json_parse(addr, bytes.length);
      assert.notEqual(parsed, 0);
      return parsed;
    };
    const pull = (addr) => {
      const buf = new Uint8Array(memory.buffer);
      let end = x.opa_json_dump(addr);
      const start = end;
      while (buf[end] !== 0) end++;
      return JSON.parse(new TextDecoder().decode(buf.subarray(start, end)));
    };
    const entrypoints = pull(x.entrypoints());
    assert.equal(entrypoints[`kube_secctx/${want}`], 0, build);
    assert.deepEqual(pull(x.builtins()), {});
    const base = x.opa_heap_ptr_get();
    let dataHeap;
    for (let i = 0; i < 20; i++) {
      // burrego: set_data at the base heap pointer each time, then the input above it.
      x.opa_heap_ptr_set(base);
      const dataAddr = push({ level: "baseline" });
      dataHeap ??= x.opa_heap_ptr_get();
      assert.equal(x.opa_heap_ptr_get(), dataHeap, "the heap is reused");
      const input = build === "gatekeeper"
        ? { parameters: { level: "baseline" }, review: i % 2 ? violating : clean }
        : { request: i % 2 ? violating : clean };
      const inputAddr = push(input);
      const ctx = x.opa_eval_ctx_new();
      x.opa_eval_ctx_set_input(ctx, inputAddr);
      x.opa_eval_ctx_set_data(ctx, dataAddr);
      x.opa_eval_ctx_set_entrypoint(ctx, 0);
      assert.equal(x.eval(ctx), 0);
      const result = pull(x.opa_eval_ctx_get_result(ctx));
      const allowed = build === "gatekeeper" ? result[0].result.length === 0 : result[0].result.response.allowed;
      assert.equal(allowed, i % 2 === 0, `${build} call ${i}`);
    }
    // Bad addresses read as null, never trap.
    assert.equal(x.opa_json_parse(0, 10), 0);
    assert.deepEqual(pull(12345), null);
    x.opa_eval_ctx_set_input(99999999, 1);
    assert.equal(x.opa_eval_ctx_get_result(42), 0);
    assert.equal(x.opa_json_parse(memory.buffer.byteLength - 2, 100), 0);
  }
});

test("OPA: a host that bounds memory gets a clean error for a request too large to evaluate, not a trap", async () => {
  // 40 pages (2.5 MiB): enough for the host to write a 2 MB input, not to evaluate it.
  const pod = (n) => ({
    uid: "u-mem", operation: "CREATE",
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", annotations: { x: "y".repeat(n) } },
      spec: { containers: [{ name: "c", image: "i", securityContext: { privileged: true } }] } },
  });
  for (const build of ["gatekeeper", "opa"]) {
    const policy = await loadPolicy(readFileSync(wasmPath(build)), { initial: 5, maximum: 40 });
    const run = (n) => {
      if (build === "gatekeeper") return policy.evaluate({ review: pod(n), parameters: { level: "baseline" } })[0].result;
      policy.setData({ level: "baseline" });
      return policy.evaluate({ request: pod(n) })[0].result.response;
    };
    for (let round = 0; round < 3; round++) {
      const small = run(50 << 10);
      const big = run(2 << 20);
      if (build === "gatekeeper") {
        assert.equal(small.length, 1, JSON.stringify(small).slice(0, 300));
        assert.match(small[0].msg, /^privileged \(container "c"/);
        assert.equal(big.length, 1);
        assert.equal(big[0].details.rule, "insufficient-memory");
        assert.match(big[0].msg, /kube-secctx cannot evaluate this request: its input \(\d+ bytes\) needs up to about \d+ bytes of wasm memory.*\(\d+ pages\)\. Raise the memory maximum/);
      } else {
        assert.equal(small.allowed, false);
        assert.equal(small.status.code, 403);
        assert.equal(big.allowed, false);
        assert.equal(big.status.code, 500);
        assert.match(big.status.message, /cannot evaluate this request/);
      }
    }
    assert.ok(policy.mem.buffer.byteLength <= 40 * 65536);
  }

  // The ABI 1.1 path (opa_json_parse + eval), as Kubewarden's evaluator calls it.
  const memory = new WebAssembly.Memory({ initial: 5, maximum: 40 });
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath("gatekeeper")), { env: { memory } });
  const x = instance.exports;
  const base = x.opa_heap_ptr_get();
  const pull = (addr) => {
    const buf = new Uint8Array(memory.buffer);
    let end = x.opa_json_dump(addr);
    const start = end;
    while (buf[end] !== 0) end++;
    return JSON.parse(new TextDecoder().decode(buf.subarray(start, end)));
  };
  for (const [n, want] of [[2 << 20, "insufficient-memory"], [10 << 10, "privileged"], [2 << 20, "insufficient-memory"]]) {
    x.opa_heap_ptr_set(base);
    const bytes = new TextEncoder().encode(JSON.stringify({ review: pod(n), parameters: { level: "baseline" } }));
    const addr = x.opa_malloc(bytes.length);
    assert.notEqual(addr, 0);
    new Uint8Array(memory.buffer).set(bytes, addr);
    const input = x.opa_json_parse(addr, bytes.length);
    assert.notEqual(input, 0);
    // Dumping the host's own text copies it (to add the NUL): for the small input it
    // reads back; for the large one the copy does not fit, and it reads as null.
    if (n < 1 << 20) assert.equal(pull(input).review.uid, "u-mem", "the parsed value reads back");
    else assert.equal(pull(input), null);
    const ctx = x.opa_eval_ctx_new();
    x.opa_eval_ctx_set_input(ctx, input);
    assert.equal(x.eval(ctx), 0);
    const [{ result }] = pull(x.opa_eval_ctx_get_result(ctx));
    assert.equal(result.length, 1);
    assert.equal(want === "insufficient-memory" ? result[0].details.rule : result[0].details.check, want);
  }
  // opa_malloc beyond the maximum is 0, not a trap.
  assert.equal(x.opa_malloc(64 << 20), 0);
});
