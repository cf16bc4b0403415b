// The four admission builds, each loaded in a host written by others, behind one
// interface: `await build.validate(request, settings)` → {accepted, message, code,
// warnings, violations}.
//
// - kubewarden       @wapc/host (waPC), operations protocol_version / validate /
//                    validate_settings
// - kubewarden-wasi  node:wasi, called as Kubewarden's evaluator does: a fresh instance
//                    per call, argv ["policy.wasm", "validate" | "validate-settings"],
//                    the JSON on stdin, the response read from stdout, exit code 0
// - gatekeeper       @open-policy-agent/opa-wasm, entrypoint kube_secctx/violation with
//                    {"review": request, "parameters": settings}
// - opa              @open-policy-agent/opa-wasm, entrypoint kube_secctx/response with
//                    {"request": request} and data = settings
//
// Every answer but Gatekeeper's also has `audit` (the audit annotations, or null).
import { readFileSync, writeFileSync, openSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
import v8 from "node:v8";
import vm from "node:vm";
import { instantiate as wapcInstantiate } from "@wapc/host";
import { loadPolicy } from "@open-policy-agent/opa-wasm";

export const DIST = new URL("../../dist/policy/", import.meta.url).pathname;
export const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

export function wasmPath(build) {
  return join(DIST, `kube-secctx.${build}.wasm`);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** waPC: @wapc/host. */
export async function loadWapc() {
  const host = await wapcInstantiate(readFileSync(wasmPath("kubewarden")));
  const call = async (op, payload) =>
    dec.decode(await host.invoke(op, typeof payload === "string" ? enc.encode(payload) : payload));
  return {
    name: "kubewarden (waPC, @wapc/host)",
    host,
    call,
    async validateSettings(settings) {
      return JSON.parse(await call("validate_settings", JSON.stringify(settings)));
    },
    async validateRaw(bytes) {
      return fromValidationResponse(JSON.parse(await call("validate", bytes)));
    },
    async validate(request, settings) {
      return this.validateRaw(JSON.stringify({ request, settings }));
    },
  };
}

// Node 20 crashes (SIGSEGV, in node itself) once some 70 node:wasi instances wait for
// garbage collection; collecting every few runs avoids it. (Kubewarden runs the WASI
// module in wasmtime; this is a quirk of the test host only.)
v8.setFlagsFromString("--expose-gc");
// Node's WASI functions are V8 "fast API calls", and one that allocates can start a
// garbage collection in the middle of the call, which destroys the WASI instance in use
// and aborts the process (nodejs/node#46777; seen here as a SIGABRT of modules.test.mjs,
// whose WASI runs read a 2 MB input). The npm package's launcher sets the same flag.
v8.setFlagsFromString("--no-turbo-fast-api-calls");
const collectGarbage = vm.runInNewContext("gc");

/** Kubewarden WASI mode: node:wasi, one instance per call, as Kubewarden runs it. */
export async function loadWasi() {
  const module = await WebAssembly.compile(readFileSync(wasmPath("kubewarden-wasi")));
  const dir = mkdtempSync(join(tmpdir(), "kube-secctx-wasi-"));
  let n = 0;
  function run(args, stdin) {
    if (n % 8 === 7) collectGarbage();
    const inPath = join(dir, `in-${n}`);
    const outPath = join(dir, `out-${n}`);
    const errPath = join(dir, `err-${n++}`);
    writeFileSync(inPath, stdin);
    writeFileSync(outPath, "");
    writeFileSync(errPath, "");
    const fds = [openSync(inPath, "r"), openSync(outPath, "w"), openSync(errPath, "w")];
    try {
      const wasi = new WASI({
        version: "preview1",
        args: ["policy.wasm", ...args],
        env: {},
        stdin: fds[0],
        stdout: fds[1],
        stderr: fds[2],
        returnOnExit: true,
      });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject());
      const exitCode = wasi.start(instance);
      return {
        exitCode,
        stdout: readFileSync(outPath, "utf8"),
        stderr: readFileSync(errPath, "utf8"),
      };
    } finally {
      fds.forEach(closeSync);
      for (const p of [inPath, outPath, errPath]) rmSync(p, { force: true });
    }
  }
  function answer(r) {
    if (r.exitCode !== 0) throw new Error(`exit code ${r.exitCode}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }
  return {
    name: "kubewarden-wasi (node:wasi)",
    module,
    run,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    async validateSettings(settings) {
      return answer(run(["validate-settings"], JSON.stringify(settings)));
    },
    async validateRaw(bytes) {
      return fromValidationResponse(answer(run(["validate"], bytes)));
    },
    async validate(request, settings) {
      return this.validateRaw(JSON.stringify({ request, settings }));
    },
  };
}

/** Gatekeeper contract: @open-policy-agent/opa-wasm, kube_secctx/violation. */
export async function loadGatekeeper() {
  const policy = await loadPolicy(readFileSync(wasmPath("gatekeeper")));
  return {
    name: "gatekeeper (@open-policy-agent/opa-wasm)",
    policy,
    async validate(request, settings) {
      const rs = policy.evaluate({ review: request, parameters: settings }, "kube_secctx/violation");
      const violations = rs[0].result;
      return {
        accepted: violations.length === 0,
        message: violations.map((v) => v.msg).join(", "),
        violations,
        warnings: [],
        gatekeeper: true,
      };
    },
  };
}

/** OPA response contract: @open-policy-agent/opa-wasm, kube_secctx/response. */
export async function loadOpa() {
  const policy = await loadPolicy(readFileSync(wasmPath("opa")));
  return {
    name: "opa (@open-policy-agent/opa-wasm)",
    policy,
    async validate(request, settings) {
      policy.setData(settings ?? {});
      const rs = policy.evaluate({ request }, "kube_secctx/response");
      const r = rs[0].result.response;
      return {
        accepted: r.allowed,
        message: r.status?.message ?? null,
        code: r.status?.code ?? null,
        warnings: r.warnings ?? [],
        audit: r.auditAnnotations ?? null,
        uid: r.uid,
      };
    },
  };
}

function fromValidationResponse(r) {
  for (const k of ["accepted", "message", "code", "warnings", "audit_annotations"]) {
    if (!(k in r)) throw new Error(`ValidationResponse without ${k}: ${JSON.stringify(r)}`);
  }
  return {
    accepted: r.accepted,
    message: r.message,
    code: r.code,
    warnings: r.warnings ?? [],
    audit: r.audit_annotations ?? null,
    raw: r,
  };
}

export async function loadAll() {
  return [await loadWapc(), await loadWasi(), await loadGatekeeper(), await loadOpa()];
}
