#!/usr/bin/env node
// Finishes a policy module after wasm-opt (which drops custom sections):
//
//   node policy/tools/finish.mjs --in opt.wasm --out dist/policy/NAME.wasm \
//        --metadata policy/metadata.yml --mode kubewarden-wapc|wasi|gatekeeper|opa \
//        --metadata-out dist/policy/NAME.metadata.yml [--opa-abi]
//
// 1. --opa-abi: adds the exported i32 globals `opa_wasm_abi_version` = 1 and
//    `opa_wasm_abi_minor_version` = 2 that the OPA SDKs read (Rust cannot emit an
//    exported constant global; binaryen's JS API adds them).
// 2. Writes the Kubewarden policy metadata: the template with `executionMode` set (and
//    `mutating` kept only for the waPC and WASI builds), as
//    YAML to --metadata-out, and as JSON into the module's `io.kubewarden.metadata`
//    custom section (an existing one is replaced), as `kwctl annotate` does.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import binaryen from "binaryen";
import YAML from "yaml";

export const SECTION = "io.kubewarden.metadata";
const MODES = ["kubewarden-wapc", "wasi", "gatekeeper", "opa"];
export const MUTATING_MODES = ["kubewarden-wapc", "wasi"];

function fail(msg) {
  console.error(`finish.mjs: ${msg}`);
  process.exit(1);
}

/** Unsigned LEB128. */
function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function readLeb(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    if (pos >= buf.length) throw new Error("truncated LEB128");
    b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

/** The module's sections: {id, start, end, name?} (start/end cover the whole section). */
export function sections(buf) {
  if (buf.length < 8 || buf.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  const out = [];
  let pos = 8;
  while (pos < buf.length) {
    const start = pos;
    const id = buf[pos++];
    let size;
    [size, pos] = readLeb(buf, pos);
    const end = pos + size;
    if (end > buf.length) throw new Error("truncated section");
    let name;
    if (id === 0) {
      const [len, p] = readLeb(buf, pos);
      name = buf.subarray(p, p + len).toString("utf8");
    }
    out.push({ id, start, end, name });
    pos = end;
  }
  return out;
}

/** The module without any custom section called `name`, plus a new one with `data`. */
export function replaceCustomSection(buf, name, data) {
  const parts = [buf.subarray(0, 8)];
  for (const s of sections(buf)) {
    if (!(s.id === 0 && s.name === name)) parts.push(buf.subarray(s.start, s.end));
  }
  const nameBytes = Buffer.from(name, "utf8");
  const payload = Buffer.concat([Buffer.from(leb(nameBytes.length)), nameBytes, data]);
  parts.push(Buffer.from([0, ...leb(payload.length)]), payload);
  return Buffer.concat(parts);
}

function addOpaAbiGlobals(buf) {
  const mod = binaryen.readBinary(new Uint8Array(buf));
  try {
    mod.setFeatures(binaryen.Features.All);
    for (const [name, value] of [["opa_wasm_abi_version", 1], ["opa_wasm_abi_minor_version", 2]]) {
      mod.addGlobal(name, binaryen.i32, false, mod.i32.const(value));
      mod.addGlobalExport(name, name);
    }
    if (!mod.validate()) throw new Error("module does not validate after adding the ABI globals");
    return Buffer.from(mod.emitBinary());
  } finally {
    mod.dispose();
  }
}

function main() {
  const { values } = parseArgs({
    options: {
      in: { type: "string" },
      out: { type: "string" },
      metadata: { type: "string" },
      "metadata-out": { type: "string" },
      mode: { type: "string" },
      "opa-abi": { type: "boolean", default: false },
    },
  });
  for (const k of ["in", "out", "metadata", "metadata-out", "mode"]) {
    if (!values[k]) fail(`--${k} is required`);
  }
  if (!MODES.includes(values.mode)) fail(`--mode must be one of ${MODES.join(", ")}`);
  let wasm = readFileSync(values.in);
  if (values["opa-abi"]) wasm = addOpaAbiGlobals(wasm);
  const metadata = YAML.parse(readFileSync(values.metadata, "utf8"));
  metadata.executionMode = values.mode;
  // Only the Kubewarden builds can answer with a mutated object (waPC and WASI carry a
  // ValidationResponse with `mutated_object`); the OPA contracts cannot.
  metadata.mutating = Boolean(metadata.mutating) && MUTATING_MODES.includes(values.mode);
  const cargo = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
  const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
  if (!version) fail("no version in Cargo.toml");
  metadata.annotations = { ...metadata.annotations, "io.kubewarden.policy.version": version };
  const yamlText =
    `# Kubewarden policy metadata of ${values.out.split("/").pop()}, also embedded in its\n` +
    `# ${SECTION} custom section. Written by policy/tools/finish.mjs from ${values.metadata}.\n` +
    YAML.stringify(metadata);
  wasm = replaceCustomSection(wasm, SECTION, Buffer.from(JSON.stringify(metadata), "utf8"));
  new WebAssembly.Module(wasm); // still a valid module
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, wasm);
  writeFileSync(values["metadata-out"], yamlText);
  console.log(`finish.mjs: ${values.out} (${wasm.length} bytes, executionMode ${values.mode})`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
