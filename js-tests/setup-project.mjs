// Packs pkg/ with `npm pack` and installs the tarball into a new temporary project, as a
// user would; prints the project's directory. `make test-wasm` runs it once and hands the
// directory to the tests in KUBE_SECCTX_PROJECT; helpers.mjs runs it when that is unset.
//
//   node js-tests/setup-project.mjs [PKG_DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function setupProject(pkgDir) {
  const project = mkdtempSync(join(tmpdir(), 'kube-secctx-npm-'));
  const npm = (args, cwd) =>
    execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  npm(['pack', '--silent', '--pack-destination', project, resolve(pkgDir)], project);
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${project}`);
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'kube-secctx-consumer',
    private: true,
    version: '1.0.0',
  }, null, 2));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--silent', `./${tarball}`], project);
  // Entry files that resolve the package as a consumer's code does: by name, through
  // the "exports" conditions of an ES module and of a CommonJS module.
  writeFileSync(join(project, 'esm.mjs'), "export * from 'kube-secctx';\n");
  writeFileSync(join(project, 'cjs.cjs'), "module.exports = require('kube-secctx');\n");
  return project;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  process.stdout.write(setupProject(process.argv[2] ?? join(here, '..', 'pkg')) + '\n');
}
