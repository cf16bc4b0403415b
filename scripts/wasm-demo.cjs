// `make demo-wasm`: the JS API's positions, for JavaScript strings (UTF-16).
//   node scripts/wasm-demo.cjs [PKG_DIR]
const { join, resolve } = require('node:path');

const { check, version } = require(join(resolve(process.argv[2] || 'pkg'), 'node', 'index.cjs'));
const text = '# 😀 部署\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostPID: true\n  containers: [{name: app, image: nginx}]\n';
const report = check(text, { level: 'baseline', fileName: 'pod.yaml' });
console.log(`kube-secctx ${version}, the JS API in Node.js:\n`);
console.log("check(text, { level: 'baseline', fileName: 'pod.yaml' }) on:\n");
console.log(text.replace(/^/gm, '  '));
for (const f of report.findings) {
  const { start, end } = f.range;
  console.log(`${f.file}:${start.line}:${start.column} ${f.rule} [${f.pss ? `PSS ${f.pss.level}` : f.severity}] ${f.message}`);
  console.log(`  column and offset count UTF-16 code units (the emoji is two): text.slice(${start.offset}, ${end.offset}) = ${JSON.stringify(text.slice(start.offset, end.offset))}`);
}
