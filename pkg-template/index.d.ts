// Types of the npm package kube-secctx: one declaration file for every entry point
// (browser and bundlers: web/index.mjs; Node.js: node/index.mjs and node/index.cjs).
//
// Positions in a Report are for JavaScript strings: `line` and `column` are 1-based,
// `column` and `offset` count UTF-16 code units, so `text.slice(start.offset, end.offset)`
// is exactly the node a finding is about. (The CLI's JSON counts characters and bytes.)
//
// The tests check this file against what the module returns, key by key.

/** The package version, e.g. `"0.1.0"` (the same as `Report.version`). */
export declare const version: string;

/**
 * Instantiates the WebAssembly module. Browsers and bundlers: call it once and wait for
 * it before the first `check()` or `rules()`. Without an argument it fetches
 * `kube_secctx_bg.wasm` next to the package's `web/index.mjs` (after bundling: next to
 * the bundle); pass a URL, a `Response`, the bytes or a compiled `WebAssembly.Module` to
 * load it from elsewhere. Later calls resolve at once. In Node.js it does nothing.
 */
export declare function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/**
 * Instantiates the WebAssembly module synchronously from the bytes of
 * `kube_secctx_bg.wasm` or a compiled `WebAssembly.Module` (browsers: where `await` is
 * not possible, e.g. in a worker that already has the bytes). In Node.js it does nothing.
 */
export declare function initSync(module: SyncInitInput): void;

/**
 * Checks one manifest text (multi-document YAML): the report `kube-secctx check
 * --format json` prints for it, with the same findings in the same order, and positions
 * for JavaScript strings (see `Position`).
 *
 * `text` is the manifest as a string, or a file's bytes as a `Uint8Array` (a Node.js
 * `Buffer` is one: `check(readFileSync(path))`), read as the CLI reads a file: UTF-8,
 * each byte of an invalid sequence read as one `?` (its document is an `errors` entry,
 * the other documents are checked), a file that starts with a UTF-16 byte order mark one
 * `errors` entry. Positions are then in the text the engine read: for valid UTF-8,
 * `Buffer.toString('utf8')` (or `new TextDecoder('utf-8', {ignoreBOM: true})`) of the
 * bytes. Bytes skip turning the text into a string and back: the cheaper call for a
 * file read from disk, and much cheaper for a large text with characters beyond
 * Latin-1 (V8 keeps those strings two bytes a character).
 *
 * Invalid YAML is not an exception: it is an `errors` entry with its position, and the
 * other documents are still checked.
 *
 * @throws {Error} when `text` is neither a string nor a `Uint8Array`, or an option is
 *   unknown or has a bad value; the message names the option and its allowed values (a
 *   `TypeError` for a value of the wrong type). Browsers: also before `init()` has
 *   finished.
 */
export declare function check(text: string | Uint8Array, options?: CheckOptions): Report;

/**
 * Applies the fixes of one manifest text: the smallest edits that remove the findings,
 * keeping comments, indentation, flow or block style, line endings and JSON (see the
 * README's "Fixes"). Each fix is verified before it is applied (the text parsed again:
 * the object is the original plus the intended change, no other finding appears).
 * Safe fixes only, unless `unsafe: true`.
 *
 * @throws {Error} as `check`.
 */
export declare function applyFixes(text: string, options?: ApplyFixesOptions): AppliedFixes;

/**
 * Every rule, in the registry's order (Pod Security Standards checks in Pod Security
 * Admission's order, then the hardening rules, then the input diagnostics), with its
 * docs in markdown: what an editor shows on hover. The same objects as
 * `kube-secctx rules --format json`.
 */
export declare function rules(): RuleInfo[];

/** What `check` runs. Every field is optional; `undefined` and `null` mean the default. */
export interface CheckOptions {
  /**
   * `"baseline"` or `"restricted"`: the Pod Security Standards at that level, and the
   * input diagnostics (`category: "diagnostic"`, `pss: null`: a value the API server
   * would reject decides what it admits), without the hardening rules. Absent (the
   * default profile): PSS restricted, the hardening rules and the input diagnostics:
   * every rule. `select` and `ignore` choose among them either way.
   */
  level?: Level | null;
  /** The Pod Security Standards policy version: `"latest"` (the default) or `"v1.N"`. */
  pssVersion?: PssVersion;
  /**
   * The cluster's Kubernetes version, which decides which API fields exist (the
   * `unknown-field` check): `"latest"` (the default: the newest the field table knows),
   * `"v1.N"`, `"1.N"` or `"v1.N.P"` (N from 17; a later N is checked as the newest). Not
   * the Pod Security Standards version: a v1.37 cluster can enforce `v1.29` policies.
   */
  kubeVersion?: KubeVersion;
  /** Only these rules (default: all). */
  select?: readonly RuleId[];
  /** Never these rules (default: none). */
  ignore?: readonly RuleId[];
  /** The name findings carry in `file` (default `"<stdin>"`, as the CLI names standard input). */
  fileName?: string;
  /**
   * Give each finding its fix (`fixes`, with ranges in UTF-16 code units of `text`) or
   * the reason it has none (`noFix`). Default `false`: a plain check costs less.
   */
  fixes?: boolean | null;
}

/** What `applyFixes` runs: `check`'s options (but `fixes`), and which fixes. */
export interface ApplyFixesOptions extends Omit<CheckOptions, "fixes"> {
  /** Apply the unsafe fixes too (they can stop a workload from starting). Default `false`. */
  unsafe?: boolean | null;
  /** Apply only these rules' fixes (default: every rule's). */
  rules?: readonly RuleId[] | null;
}

/** What `applyFixes` returns. */
export interface AppliedFixes {
  /** The fixed text (the input when nothing was applied). */
  text: string;
  /** The findings of the input that the applied fixes removed. */
  applied: AppliedFix[];
  /** The findings left in the fixed text, as `check` reports them (positions in `text`). */
  remaining: Finding[];
}

/** A finding that a fix removed. */
export interface AppliedFix {
  /** The finding's rule. */
  rule: RuleId;
  /** What the fix did, e.g. `set allowPrivilegeEscalation: false`. */
  title: string;
  /** `"safe"` or `"unsafe"`. */
  applicability: Applicability;
  /** The finding's JSON pointer in the input. */
  path: string;
  /** The finding's message. */
  message: string;
}

/** `"safe"`: the workload keeps running for any ordinary image; `"unsafe"`: it may not. */
export type Applicability = "safe" | "unsafe";

/** A fix of one finding (with `check(text, {fixes: true})`). */
export interface Fix {
  /** What it does. */
  title: string;
  /** Safe or unsafe. */
  applicability: Applicability;
  /** Its edits, over the checked text, sorted and apart. */
  edits: TextEdit[];
}

/** Replace `range` (empty for an insertion) of the text by `newText`. */
export interface TextEdit {
  /** What is replaced: positions in UTF-16 code units, as the findings'. */
  range: Range;
  /** The new text. */
  newText: string;
}

/** What `init` accepts: a URL, a fetch `Response`, the bytes or a compiled module. */
export type InitInput = string | GlobalURL | GlobalRequest | GlobalResponse | SyncInitInput;

/** What `initSync` accepts: the bytes of `kube_secctx_bg.wasm` or a compiled module. */
export type SyncInitInput = ArrayBuffer | ArrayBufferView | WasmModule;

/** A Pod Security Standards level. */
export type Level = "baseline" | "restricted";

/** A Pod Security Standards policy version as an option: `"latest"` or `"v1.N"`. */
export type PssVersion = "latest" | `v1.${number}`;

/** A Pod Security Standards policy version as reported: `"v1.N"`. */
export type ResolvedPssVersion = `v1.${number}`;

/**
 * A Kubernetes version as an option: `"latest"`, `"v1.N"`, `"1.N"`, `"v1.N.P"` or
 * `"1.N.P"` (the patch release is ignored).
 */
export type KubeVersion =
  | "latest"
  | `v1.${number}`
  | `1.${number}`
  | `v1.${number}.${number}`
  | `1.${number}.${number}`;

/** A Kubernetes version as reported: `"v1.N"`. */
export type ResolvedKubeVersion = `v1.${number}`;

/** How serious a finding is. */
export type Severity = "error" | "warning";

/** A rule ID. */
export type RuleId =
  | "host-namespaces"
  | "privileged-container"
  | "non-default-capabilities"
  | "host-path-volume"
  | "host-port"
  | "forbidden-apparmor-profile"
  | "forbidden-selinux-options"
  | "unmasked-proc-mount"
  | "unconfined-seccomp-profile"
  | "unsafe-sysctl"
  | "windows-host-process"
  | "probe-or-lifecycle-host"
  | "forbidden-volume-type"
  | "may-run-as-root"
  | "privilege-escalation-allowed"
  | "missing-seccomp-profile"
  | "unrestricted-capabilities"
  | "run-as-root-user"
  | "pod-security-context-missing"
  | "container-security-context-missing"
  | "writable-root-filesystem"
  | "duplicate-key"
  | "invalid-field-type"
  | "unknown-ignored-rule"
  | "unknown-field";

/** A Pod Security Admission check ID. */
export type PsaCheckId =
  | "hostNamespaces"
  | "privileged"
  | "capabilities_baseline"
  | "hostPathVolumes"
  | "hostPorts"
  | "appArmorProfile"
  | "seLinuxOptions"
  | "procMount"
  | "procMount_restricted"
  | "seccompProfile_baseline"
  | "sysctls"
  | "windowsHostProcess"
  | "hostProbesAndHostLifecycle"
  | "restrictedVolumes"
  | "runAsNonRoot"
  | "allowPrivilegeEscalation"
  | "seccompProfile_restricted"
  | "capabilities_restricted"
  | "runAsUser";

/** The report of one `check`: the CLI's JSON report, positions for JavaScript strings. */
export interface Report {
  /** The package version. */
  version: string;
  /** The options used, defaults filled in. */
  options: ReportOptions;
  /** The file checked: `[fileName]`. */
  files: string[];
  /** Findings, by document, then position, then rule. */
  findings: Finding[];
  /** Documents that could not be checked (invalid YAML, a parser limit, no `kind`), by position. */
  errors: ErrorEntry[];
  /** Counts. */
  summary: Summary;
}

/** The options a report was produced with. */
export interface ReportOptions {
  /** The level, or `null` for the default profile (every rule). */
  level: Level | null;
  /** The policy version used (`latest` resolved to the newest version known). */
  pssVersion: ResolvedPssVersion;
  /**
   * The Kubernetes version whose API fields were checked, when the `kubeVersion` option
   * was given and is not `"latest"` (a later version than the newest known resolved to
   * it); absent otherwise.
   */
  kubeVersion?: ResolvedKubeVersion;
  /** Rules selected (empty: all). */
  select: RuleId[];
  /** Rules ignored. */
  ignore: RuleId[];
}

/** One violation. */
export interface Finding {
  /** The `fileName` option. */
  file: string;
  /** The document's index in the YAML stream, 0-based. */
  document: number;
  /** The resource the finding belongs to. */
  resource: ResourceRef;
  /** The container's `name`, or `null` for a pod-level finding. */
  container: string | null;
  /** The rule. */
  rule: RuleId;
  /** Level and PSA check for Pod Security Standards rules; `null` for the others. */
  pss: PssRef | null;
  /** `"error"`: Pod Security Admission (or the API server) would reject it; `"warning"` otherwise. */
  severity: Severity;
  /** What is wrong. */
  message: string;
  /** JSON pointer of the field the finding is about (even when the field is missing). */
  path: string;
  /** Where the finding points: the field's value, or for a missing field the nearest node that exists. */
  range: Range;
  /** How to fix it. */
  fix: string;
  /** With `check(text, {fixes: true})`: its fix (one at most), or `[]`. */
  fixes?: Fix[];
  /** With `check(text, {fixes: true})`: why it has no fix, or `null` when it has one. */
  noFix?: string | null;
}

/** A document that could not be checked. */
export interface ErrorEntry {
  /** The `fileName` option. */
  file: string;
  /** The document's index in the YAML stream, 0-based. */
  document: number;
  /** What went wrong. */
  message: string;
  /** Where. */
  range: Range;
}

/** A range `[start, end)` of the text. */
export interface Range {
  /** The first character. */
  start: Position;
  /** One past the last character. */
  end: Position;
}

/** A position in the text. */
export interface Position {
  /** Line, 1-based. */
  line: number;
  /**
   * Column, 1-based, in UTF-16 code units from the start of the line (a byte order
   * mark at the start of the text is not counted).
   */
  column: number;
  /** Offset from the start of the text, 0-based, in UTF-16 code units (a JavaScript string index). */
  offset: number;
}

/** The resource a finding belongs to. */
export interface ResourceRef {
  /** `apiVersion` as written. */
  apiVersion: string;
  /** `kind` as written. */
  kind: string;
  /** `metadata.name`, or `null`. */
  name: string | null;
  /** `metadata.namespace`, or `null`. */
  namespace: string | null;
  /**
   * `"kind"`: a workload kind Pod Security Admission knows (Pod, Deployment, CronJob,
   * ...); `"shape"`: another resource with a pod template at `spec.template.spec`;
   * `"none"`: a resource without a pod template (a Service, a ConfigMap, a `List`'s own
   * keys, a document that is not a Kubernetes object, whose `apiVersion` and `kind` are
   * then `""`), which only `duplicate-key` findings name.
   */
  matchedBy: "kind" | "shape" | "none";
}

/** The Pod Security Standards part of a finding. */
export interface PssRef {
  /** The level of the PSA check that failed. */
  level: Level;
  /** The PSA check ID. */
  check: PsaCheckId;
}

/** Counts over the report. */
export interface Summary {
  /** Files checked: 1. */
  files: number;
  /** YAML documents read (empty ones included). */
  documents: number;
  /** Resources with a pod spec that were checked. */
  resources: number;
  /** Findings reported. */
  findings: number;
  /** Error entries. */
  errors: number;
  /** Findings dropped by a `kube-secctx.io/ignore` annotation. */
  suppressed: number;
  /** Findings per rule (rules without findings are absent). */
  byRule: Partial<Record<RuleId, number>>;
  /** Findings per severity (severities without findings are absent). */
  bySeverity: Partial<Record<Severity, number>>;
}

/** A rule: metadata and docs. */
export interface RuleInfo {
  /** The rule ID, e.g. `"privileged-container"`. */
  id: RuleId;
  /** One-line title. */
  title: string;
  /** `"pss"`: a Pod Security Standards check; `"hardening"`: beyond PSS; `"diagnostic"`: about the input. */
  category: "pss" | "hardening" | "diagnostic";
  /** The severity of its findings. */
  severity: Severity;
  /** How the rule maps to Pod Security Admission, or `null` for rules outside PSS. */
  pss: RulePss | null;
  /** How to fix a finding. */
  fix: string;
  /** The documentation, markdown: What it checks, Why it matters, Pod Security Standards, Example, Fix, References. */
  docs: string;
}

/** How a Pod Security Standards rule maps to Pod Security Admission checks. */
export interface RulePss {
  /** The level of the PSA check. */
  level: Level;
  /** The PSA check ID. */
  check: PsaCheckId;
  /** The first policy version the check applies to. */
  since: ResolvedPssVersion;
  /** From this version on, the restricted level runs a stricter check instead; or `null`. */
  replacedInRestrictedSince: ResolvedPssVersion | null;
  /** A second PSA check the same rule runs as, or `null`. */
  also: RulePssAlso | null;
}

/** The second PSA check of a rule (`unmasked-proc-mount`: `procMount_restricted`). */
export interface RulePssAlso {
  /** Its level. */
  level: Level;
  /** Its PSA check ID. */
  check: PsaCheckId;
  /** The first policy version it applies to. */
  since: ResolvedPssVersion;
}

// Environment types, resolved from whatever the consumer's project declares (lib "dom",
// @types/node): `never` where it declares none, so this file type-checks everywhere.
type GlobalOf<K extends string> = typeof globalThis extends { [P in K]: { prototype: infer T } }
  ? T
  : never;
type GlobalURL = GlobalOf<"URL">;
type GlobalRequest = GlobalOf<"Request">;
type GlobalResponse = GlobalOf<"Response">;
type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } }
  ? M
  : never;
