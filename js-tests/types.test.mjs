// index.d.ts: TypeScript consumers type-check with `tsc --noEmit` (the pinned typescript
// of js-tests/package.json), in ESM and CommonJS under Node.js resolution and in a
// bundler/browser setup; and the declared types describe exactly what the module returns:
// every key of every object, no more, no fewer, with matching values.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { CORPUS, NGINX_PATH, PKG, ROOT, corpusFiles, importPackage, projectDir, read } from './helpers.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const TSC = join(ROOT, 'js-tests', 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(configName, config) {
  const dir = projectDir();
  writeFileSync(join(dir, configName), JSON.stringify(config, null, 2));
  try {
    execFileSync(process.execPath, [TSC, '-p', join(dir, configName)], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc -p ${configName} failed:\n${e.stdout}${e.stderr}`);
  }
}

test('the typescript package is the pinned version', () => {
  const pinned = JSON.parse(read(join(ROOT, 'js-tests', 'package.json'))).devDependencies.typescript;
  assert.equal(ts.version, pinned);
});

test('tsc --noEmit: ESM and CommonJS consumers under Node.js resolution (no DOM types)', () => {
  const dir = projectDir();
  for (const f of ['consumer.mts', 'consumer.cts']) copyFileSync(join(ROOT, 'js-tests', 'types', f), join(dir, f));
  tsc('tsconfig.node.json', {
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'],
      types: [], strict: true, noEmit: true, skipLibCheck: false, noUnusedLocals: true,
      exactOptionalPropertyTypes: false,
    },
    files: ['consumer.mts', 'consumer.cts'],
  });
});

test('tsc --noEmit: a bundler/browser consumer (moduleResolution bundler, lib dom)', () => {
  const dir = projectDir();
  copyFileSync(join(ROOT, 'js-tests', 'types', 'consumer-web.ts'), join(dir, 'consumer-web.ts'));
  tsc('tsconfig.web.json', {
    compilerOptions: {
      module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'],
      types: [], strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true,
    },
    files: ['consumer-web.ts'],
  });
});

/** The declarations of index.d.ts, through the compiler API. */
function declarations() {
  const file = join(PKG, 'index.d.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, lib: ['lib.es2022.d.ts'], types: [] });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.deepEqual(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
  const typeOf = (name) => {
    const s = exports.get(name);
    assert.ok(s, `index.d.ts exports ${name}`);
    return s.flags & ts.SymbolFlags.Value ? checker.getTypeOfSymbol(s) : checker.getDeclaredTypeOfSymbol(s);
  };
  return { checker, exports, typeOf };
}

/** Mismatches between a runtime value and a declared type ([] when it conforms). */
function conform(checker, value, type, path) {
  const F = ts.TypeFlags;
  if (type.isUnion()) {
    const tries = type.types.map((t) => conform(checker, value, t, path));
    if (tries.some((t) => t.length === 0)) return [];
    return [`${path}: ${JSON.stringify(value)?.slice(0, 80)} matches no member of ${checker.typeToString(type)} (${tries.flat().join('; ')})`];
  }
  const literal = (t) => checker.isTypeAssignableTo(t, type);
  if (value === null) return type.flags & F.Null ? [] : [`${path}: null is not ${checker.typeToString(type)}`];
  if (value === undefined) return type.flags & F.Undefined ? [] : [`${path}: undefined is not ${checker.typeToString(type)}`];
  switch (typeof value) {
    case 'string':
      return literal(checker.getStringLiteralType(value)) ? [] : [`${path}: ${JSON.stringify(value)} is not ${checker.typeToString(type)}`];
    case 'number':
      return literal(checker.getNumberLiteralType(value)) ? [] : [`${path}: ${value} is not ${checker.typeToString(type)}`];
    case 'boolean':
      return literal(value ? checker.getTrueType() : checker.getFalseType()) ? [] : [`${path}: ${value} is not ${checker.typeToString(type)}`];
    default:
  }
  if (Array.isArray(value)) {
    if (!checker.isArrayType(type)) return [`${path}: an array is not ${checker.typeToString(type)}`];
    const [element] = checker.getTypeArguments(type);
    return value.flatMap((v, i) => conform(checker, v, element, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return [`${path}: not a plain object`];
  }
  if (!(type.flags & F.Object)) return [`${path}: an object is not ${checker.typeToString(type)}`];
  const props = new Map(checker.getPropertiesOfType(type).map((p) => [p.name, p]));
  const out = [];
  for (const key of Object.keys(value)) {
    if (!props.has(key)) out.push(`${path}.${key}: returned but not declared in ${checker.typeToString(type)}`);
  }
  for (const [name, prop] of props) {
    const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
    if (!(name in value)) {
      if (!optional) out.push(`${path}.${name}: declared but not returned`);
      continue;
    }
    out.push(...conform(checker, value[name], checker.getTypeOfSymbol(prop), `${path}.${name}`));
  }
  return out;
}

test('index.d.ts describes exactly what the module returns (reports, rules, version)', async () => {
  const api = await importPackage();
  const { checker, exports, typeOf } = declarations();
  assert.deepEqual(
    [...exports.values()].filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name).sort(),
    Object.keys(api).sort(),
    'the declared values are the exports');
  const reports = [
    api.check(read(NGINX_PATH)),
    api.check(read(NGINX_PATH), { level: 'baseline', pssVersion: 'v1.24', select: ['host-port'], ignore: ['host-path-volume'], fileName: 'x' }),
    api.check(read(NGINX_PATH), { kubeVersion: 'v1.29.3' }),
    api.check('kind: [\n'),
    api.check('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, image: b, securityContext: {runAsUser: "0", privileged: true, capabilities: {add: [SYS_ADMIN]}}}\n'),
    ...['a: 1\na: 2\n', 'just a string\n', ''].map((t) => api.check(t)),
    api.check(read(NGINX_PATH), { fixes: true }),
    api.check(read(NGINX_PATH.replace('nginx-deployment', 'privileged-daemonset')), { fixes: true }),
    ...corpusFiles().map((f) => api.check(read(join(CORPUS, f)), { fileName: f })),
  ];
  const returnOf = (name) => checker.getSignaturesOfType(typeOf(name), ts.SignatureKind.Call)[0].getReturnType();
  const reportType = returnOf('check');
  assert.equal(checker.typeToString(reportType), 'Report');
  for (const [i, r] of reports.entries()) {
    assert.deepEqual(conform(checker, r, reportType, `report${i}`), []);
  }
  // Every optional shape was exercised at least once.
  const findings = reports.flatMap((r) => r.findings);
  assert.ok(findings.some((f) => f.pss === null) && findings.some((f) => f.pss !== null));
  assert.ok(findings.some((f) => f.container === null) && findings.some((f) => f.container !== null));
  assert.ok(findings.some((f) => f.resource.name === null || f.resource.namespace === null));
  assert.ok(reports.some((r) => r.errors.length > 0));
  assert.ok(reports.some((r) => 'kubeVersion' in r.options) && reports.some((r) => !('kubeVersion' in r.options)));

  assert.ok(findings.some((f) => f.fixes?.length) && findings.some((f) => typeof f.noFix === 'string'));
  const applyType = returnOf('applyFixes');
  assert.equal(checker.typeToString(applyType), 'AppliedFixes');
  for (const [i, r] of [api.applyFixes(read(NGINX_PATH)), api.applyFixes(read(NGINX_PATH), { unsafe: true })].entries()) {
    assert.deepEqual(conform(checker, r, applyType, `applyFixes${i}`), []);
  }

  assert.equal(checker.typeToString(returnOf('rules')), 'RuleInfo[]');
  assert.deepEqual(conform(checker, api.rules(), returnOf('rules'), 'rules()'), []);
  assert.deepEqual(conform(checker, api.version, typeOf('version'), 'version'), []);

  // The unions of IDs are exact: every rule ID and PSA check ID, and nothing else.
  const members = (name) => typeOf(name).types.map((t) => t.value).sort();
  const all = api.rules();
  assert.deepEqual(members('RuleId'), all.map((r) => r.id).sort());
  const checks = new Set(all.flatMap((r) => (r.pss ? [r.pss.check, ...(r.pss.also ? [r.pss.also.check] : [])] : [])));
  assert.deepEqual(members('PsaCheckId'), [...checks].sort());
});

test('the package ships one index.d.ts and it is the one package.json names', () => {
  const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  assert.equal(manifest.types, './index.d.ts');
  assert.equal(manifest.exports['.'].types, './index.d.ts');
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', PKG], { encoding: 'utf8', cwd: projectDir() });
  const files = JSON.parse(out)[0].files.map((f) => f.path);
  assert.deepEqual(files.filter((f) => f.endsWith('.d.ts')), ['index.d.ts']);
});
