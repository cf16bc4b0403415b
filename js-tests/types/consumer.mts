// A TypeScript consumer of kube-secctx (ES module, Node.js resolution: the "node" +
// "import" condition). Type-checked with `tsc --noEmit` by types.test.mjs; every export
// and every type of index.d.ts is used, and misuse must fail (@ts-expect-error).
import {
  applyFixes, check, init, initSync, rules, version,
  type AppliedFix, type AppliedFixes, type Applicability, type ApplyFixesOptions, type Fix,
  type TextEdit, type CheckOptions, type ErrorEntry, type Finding, type KubeVersion, type Level,
  type Position, type PsaCheckId, type PssRef, type PssVersion, type Range, type Report,
  type ReportOptions, type ResolvedKubeVersion, type ResolvedPssVersion, type ResourceRef, type RuleId, type RuleInfo, type RulePss,
  type RulePssAlso, type Severity, type Summary,
} from 'kube-secctx';

await init();
const v: string = version;

const options: CheckOptions = {
  level: 'baseline',
  pssVersion: 'v1.30',
  select: ['privileged-container', 'host-namespaces'],
  ignore: [],
  fileName: 'deploy.yaml',
};
const defaults: CheckOptions = { level: null };
const latest: PssVersion = 'latest';
const report: Report = check('kind: Pod\n', options);
check('kind: Pod\n');
// A file's bytes (a Node.js Buffer is a Uint8Array).
check(new Uint8Array([107, 105, 110, 100, 58, 32, 80, 111, 100]), options).findings.forEach((f: Finding) => f.rule);
check('kind: Pod\n', { ...defaults, pssVersion: latest });
const cluster: KubeVersion = 'v1.29.3';
for (const kubeVersion of [cluster, '1.30', 'v1.31', '1.32.1', 'latest'] as const) {
  const kv: ResolvedKubeVersion | undefined = check('kind: Pod\n', { kubeVersion }).options.kubeVersion;
  void kv;
}
applyFixes('kind: Pod\n', { kubeVersion: 'v1.29' });

const ro: ReportOptions = report.options;
const level: Level | null = ro.level;
const resolved: ResolvedPssVersion = ro.pssVersion;
const selected: RuleId[] = ro.select;
const files: string[] = report.files;
const summary: Summary = report.summary;
const counts: number = summary.files + summary.documents + summary.resources + summary.findings
  + summary.errors + summary.suppressed + (summary.byRule['may-run-as-root'] ?? 0)
  + (summary.bySeverity.error ?? 0);

for (const f of report.findings) {
  const finding: Finding = f;
  const range: Range = finding.range;
  const start: Position = range.start;
  const at: number = start.line + start.column + start.offset + range.end.offset;
  const resource: ResourceRef = finding.resource;
  const name: string | null = resource.name;
  const ns: string | null = resource.namespace;
  const by: 'kind' | 'shape' | 'none' = resource.matchedBy;
  const pss: PssRef | null = finding.pss;
  const check: PsaCheckId | undefined = pss?.check;
  const severity: Severity = finding.severity;
  const rule: RuleId = finding.rule;
  const text: string = finding.message + finding.path + finding.fix + finding.file
    + resource.apiVersion + resource.kind + (finding.container ?? '') + finding.document;
  void [at, name, ns, by, check, severity, rule, text];
}
// Fixes: each finding's, and applied.
for (const f of check('kind: Pod\n', { fixes: true }).findings) {
  const fixes: Fix[] | undefined = f.fixes;
  for (const fix of fixes ?? []) {
    const a: Applicability = fix.applicability;
    const edits: TextEdit[] = fix.edits;
    const t: string = fix.title + edits.map((e) => e.newText + e.range.start.offset).join('');
    void [a, t];
  }
  const why: string | null | undefined = f.noFix;
  void why;
}
const fixOptions: ApplyFixesOptions = { unsafe: true, rules: ['may-run-as-root'], level: 'restricted' };
const fixed: AppliedFixes = applyFixes('kind: Pod\n', fixOptions);
const firstFix: AppliedFix | undefined = fixed.applied[0];
const fixedText: string = fixed.text + (firstFix?.title ?? '') + fixed.remaining.length;
void fixedText;
// @ts-expect-error: fixes is check's option
applyFixes('', { fixes: true });
const errors: ErrorEntry[] = report.errors;
const firstError: string | undefined = errors[0]?.message;

const all: RuleInfo[] = rules();
for (const r of all) {
  const id: RuleId = r.id;
  const category: 'pss' | 'hardening' | 'diagnostic' = r.category;
  const pss: RulePss | null = r.pss;
  const also: RulePssAlso | null | undefined = pss?.also;
  const since: ResolvedPssVersion | undefined = pss?.since;
  const replaced: ResolvedPssVersion | null | undefined = pss?.replacedInRestrictedSince;
  const docs: string = r.docs + r.title + r.fix + r.severity;
  void [id, category, also, since, replaced, docs];
}

// In Node.js initSync is a no-op, but it takes the module's bytes.
initSync(new Uint8Array(8));

// Misuse is a type error:
// @ts-expect-error: not a level
check('', { level: 'privileged' });
// @ts-expect-error: not an option
check('', { levle: 'baseline' });
// @ts-expect-error: not a policy version
check('', { pssVersion: '1.30' });
// @ts-expect-error: not a Kubernetes version
check('', { kubeVersion: 'v2.0' });
// @ts-expect-error: a reported Kubernetes version may be absent
const reportedKube: ResolvedKubeVersion = ro.kubeVersion;
// @ts-expect-error: not a rule ID
check('', { select: ['privileged-containr'] });
// @ts-expect-error: the text is a string or a file's bytes
check(new ArrayBuffer(1));
// @ts-expect-error: applyFixes takes the text as a string
applyFixes(new Uint8Array(1));
// @ts-expect-error: a finding's container may be null
const c: string = report.findings[0].container;
// @ts-expect-error: positions are numbers
const s: string = report.findings[0].range.start.offset;

void [v, level, resolved, reportedKube, selected, files, counts, firstError, c, s];
