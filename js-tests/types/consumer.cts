// The same package from a CommonJS TypeScript module (the "node" + "require" condition).
import kube = require('kube-secctx');

const report: kube.Report = kube.check('kind: Pod\n', { level: 'restricted' });
const first: kube.Finding | undefined = report.findings[0];
const column: number | undefined = first?.range.start.column;
const ids: kube.RuleId[] = kube.rules().map((r) => r.id);
void kube.init().then(() => kube.version);
// @ts-expect-error: not a level
kube.check('', { level: 'privileged' });
export { column, ids };
