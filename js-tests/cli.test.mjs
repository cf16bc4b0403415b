// `npx kube-secctx ...` (the package's bin, on the wasm module) against the native CLI:
// the same standard output byte for byte, the same exit code and the same standard
// error, for text, JSON and SARIF, options, directories, standard input, unreadable,
// non-UTF-8 and invalid files, usage errors, `rules`, `explain` and the help texts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';

import { CORPUS, ROOT, nativeBin, npmBin, projectDir, read, run } from './helpers.mjs';

/** A directory of awkward inputs, relative to the repository (both CLIs run there). */
function fixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'kube-secctx-cli-'));
  const nginx = read(join(ROOT, 'examples', 'nginx-deployment.yaml'));
  writeFileSync(join(dir, 'b.yaml'), nginx);
  writeFileSync(join(dir, 'a.yml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: "😀 x"}\nspec:\n  containers:\n  - {name: 容器, image: x, securityContext: {privileged: true}}\n');
  writeFileSync(join(dir, 'invalid.yaml'), 'kind: Pod\nspec: [\n');
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('kind: Pod\nmetadata: {name: caf\xe9}\n', 'latin1'));
  writeFileSync(join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: Pod\n', 'utf16le')]));
  writeFileSync(join(dir, 'bom.yaml'), `\uFEFF${nginx}`);
  writeFileSync(join(dir, 'notes.txt'), 'not yaml');
  writeFileSync(join(dir, '.hidden.yaml'), nginx);
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, '.git', 'x.yaml'), nginx);
  writeFileSync(join(dir, 'sub', 'Z.YAML'), nginx);
  writeFileSync(join(dir, 'sub', 'deeper', 'c.yaml'), 'apiVersion: v1\nkind: Pod\nspec: {hostNetwork: true, containers: [{name: a, image: b}]}\n');
  symlinkSync(join(dir, 'sub'), join(dir, 'link'));
  // A link back to the walked directory: a loop, reported and skipped by both.
  symlinkSync(dir, join(dir, 'sub', 'deeper', 'up'));
  // A chain of relative links (x/l1 -> ../y, y/l2 -> ../z) and two links to one
  // directory (a diamond): found once, through the first path.
  for (const d of ['chain/x', 'chain/y', 'chain/z', 'diamond/t']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'chain', 'z', 'f.yaml'), nginx);
  symlinkSync('../y', join(dir, 'chain', 'x', 'l1'));
  symlinkSync('../z', join(dir, 'chain', 'y', 'l2'));
  writeFileSync(join(dir, 'diamond', 't', 'f.yaml'), nginx);
  symlinkSync('t', join(dir, 'diamond', 'a'));
  symlinkSync('t', join(dir, 'diamond', 'b'));
  // `..` after a link is the link target's parent (envs/prod -> ../app, whose file is a
  // link to ../base/d.yaml), not a step back in the text of the path.
  for (const d of ['kustom/base', 'kustom/app', 'kustom/envs']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'kustom', 'base', 'd.yaml'), nginx);
  symlinkSync('../base/d.yaml', join(dir, 'kustom', 'app', 'd.yaml'));
  symlinkSync('../app', join(dir, 'kustom', 'envs', 'prod'));
  symlinkSync(join(dir, 'missing-target.yaml'), join(dir, 'dangling.yaml'));
  return relative(ROOT, dir);
}

function same(args, { input, env } = {}) {
  const native = run(nativeBin(), args, { input, env });
  const wasm = run(npmBin(), args, { input, env });
  const what = `kube-secctx ${args.join(' ')}`;
  assert.equal(wasm.stdout, native.stdout, `${what}: stdout`);
  assert.equal(wasm.code, native.code, `${what}: exit code`);
  assert.equal(wasm.stderr, native.stderr, `${what}: stderr`);
  return native;
}

test('npx runs the package command', () => {
  const r = run('npm', ['exec', '--offline', '--no', '--', 'kube-secctx', '--version'], { cwd: projectDir() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^kube-secctx \d+\.\d+\.\d+\n$/);
  same(['--version']);
});

test('check: text, JSON and SARIF are the native CLI\'s, with its exit codes', () => {
  const dir = fixtures();
  const inputs = [
    ['examples/nginx-deployment.yaml'],
    ['examples/'],
    ['examples', 'examples/nginx-deployment.yaml', 'examples'],
    [dir],
    [`${dir}/a.yml`, `${dir}/invalid.yaml`, `${dir}/latin1.yaml`, `${dir}/utf16.yaml`, `${dir}/bom.yaml`, `${dir}/notes.txt`],
    [`${dir}/nope.yaml`, 'examples/cronjob.yaml'],
    [`${dir}/nope.yaml`],
    [`${dir}/empty`],
    [`./${dir}/a.yml`, `${dir}/a.yml`, `${dir}/sub/../a.yml`, `${dir}/link/Z.YAML`],
    [`${dir}/chain/x`],
    [`${dir}/kustom/envs`],
    [`${dir}/kustom/envs/prod/../base/d.yaml`],
    [`${dir}/b.yaml/..`],
    [`${dir}/chain/x/l1/l2/f.yaml`],
    [`${dir}/diamond`],
    [join(CORPUS, 'calico-v3-manifest.yaml'), join(CORPUS, 'istio-bookinfo.yaml')],
  ];
  const codes = new Set();
  for (const paths of inputs) {
    for (const format of ['text', 'concise', 'json', 'sarif']) {
      codes.add(same(['check', '--format', format, ...paths]).code);
    }
  }
  assert.deepEqual([...codes].sort(), [0, 1, 2], 'every exit code was compared');
});

test('check: options, colors, standard input', () => {
  const nginx = read(join(ROOT, 'examples', 'nginx-deployment.yaml'));
  const cases = [
    ['check', '--level', 'baseline', 'examples/'],
    ['check', '--level=restricted', '--pss-version', 'v1.24', 'examples/'],
    ['check', '--select', 'may-run-as-root,host-namespaces', '--select', 'privileged-container', 'examples/'],
    ['check', '--ignore', 'may-run-as-root,,writable-root-filesystem', '--format', 'json', 'examples/'],
    ['check', '--level', 'baseline', '--select', 'writable-root-filesystem', 'examples/'],
    ['check', '--exit-zero', 'examples/'],
    ['check', '--color', 'always', 'examples/'],
    ['check', '--color', 'always', '--no-color', 'examples/'],
    ['check', '--color', 'never', '--format', 'sarif', 'examples/'],
    ['check', '--', 'examples/cronjob.yaml'],
    // Fixes: the diff, and the reports with each finding's fixes.
    ['check', '--diff', 'examples/'],
    ['check', '--diff', '--unsafe-fixes', 'examples/'],
    ['check', '--show-fixes', 'examples/'],
    ['check', '--show-fixes', '--format', 'json', 'examples/'],
    ['check', '--show-fixes', '--format', 'sarif', 'examples/'],
  ];
  for (const args of cases) same(args);
  same(['check', '-'], { input: nginx });
  same(['check', '--fix', '-'], { input: nginx });
  same(['check', '--fix', '--unsafe-fixes', '--format', 'json', '-'], { input: nginx });
  // --fix in place: the same file, through a symbolic link too.
  const fixed = {};
  for (const [which, bin] of [['native', nativeBin()], ['wasm', npmBin()]]) {
    const dir = mkdtempSync(join(tmpdir(), 'kube-secctx-fix-'));
    try {
      writeFileSync(join(dir, 'nginx.yaml'), nginx);
      symlinkSync('nginx.yaml', join(dir, 'link.yaml'));
      const r = run(bin, ['check', '--fix', '--no-color', 'link.yaml'], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(lstatSync(join(dir, 'link.yaml')).isSymbolicLink(), `${which}: the link stays`);
      fixed[which] = [r.stdout, readFileSync(join(dir, 'nginx.yaml'), 'utf8'), readdirSync(dir).sort()];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(fixed.wasm, fixed.native);
  assert.match(fixed.native[1], /allowPrivilegeEscalation: false/);
  same(['check', '--stdin-filename', 'piped.yaml', '--format', 'sarif', '-', '-'], { input: nginx });
  same(['check', '--format', 'json', '-'], { input: 'kind: [\n' });
  // Standard input that is a directory is an error, not an empty input.
  const dirIn = openSync(ROOT, 'r');
  try {
    const r = (cmd) => spawnSync(cmd, ['check', '-'], { cwd: ROOT, stdio: [dirIn, 'pipe', 'pipe'], encoding: 'utf8' });
    const native = r(nativeBin());
    const wasm = r(npmBin());
    assert.equal(native.status, 2);
    assert.match(native.stderr, /^error: <stdin>: Is a directory \(os error 21\)\n/);
    assert.equal(wasm.stderr, native.stderr);
    assert.equal(wasm.stdout, native.stdout);
    assert.equal(wasm.status, native.status);
  } finally {
    closeSync(dirIn);
  }
});

test('an output that cannot be written: the same message and exit code', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const runFull = (cmd) => spawnSync(cmd, ['check', 'examples/'], {
      cwd: ROOT, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '' },
    });
    const native = runFull(nativeBin());
    const wasm = runFull(npmBin());
    assert.match(native.stderr, /^error: cannot write to standard output: No space left on device \(os error 28\)\n$/);
    assert.equal(wasm.stderr, native.stderr);
    assert.equal(wasm.status, native.status);
  } finally {
    closeSync(full);
  }
});

test('a working directory that is gone: an error, never the whole file system', () => {
  const gone = mkdtempSync(join(tmpdir(), 'kube-secctx-gone-'));
  const r = spawnSync('sh', ['-c', `cd "${gone}" && rmdir "${gone}" && exec "${npmBin()}" check .`], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stdout.slice(0, 300));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: the working directory is not available|^error: cannot enter the working directory/);
});

test('usage errors: exit 2 with the native messages', () => {
  const cases = [
    [],
    ['check'],
    ['check', '--level', 'privileged', 'x'],
    ['check', '--level'],
    ['check', '--pss-version', 'v2', 'x'],
    ['check', '--select', 'privileged-containr', 'examples/'],
    ['check', '--ignore', 'zzzzzzzzzz', 'examples/'],
    ['check', '--level', 'baseline', '--level', 'restricted', 'x'],
    ['check', '--exit-zero', '--exit-zero', 'x'],
    ['check', '--format', 'xml', 'x'],
    ['check', '--bogus'],
    ['bogus'],
    ['--bogus'],
    ['explain'],
    ['explain', 'privileged-containr'],
    ['rules', '--format', 'yaml'],
    // clap's "tip:" lines: a similar subcommand, a similar flag, a value that looks like a flag.
    ['chek', 'examples/'],
    ['check', '--levl', 'baseline', 'examples/'],
    ['check', '--select', '-x', 'examples/'],
    ['check', '--exit-zero=yes', 'examples/'],
  ];
  for (const args of cases) {
    assert.equal(same(args).code, 2, args.join(' '));
  }
});

test('rules, explain, help and version', () => {
  const cases = [
    ['rules'],
    ['rules', '--format', 'markdown'],
    ['rules', '--format', 'json'],
    ['explain', 'privileged-container'],
    ['explain', 'unmasked-proc-mount'],
    ['--help'],
    ['-h'],
    ['help'],
    ['help', 'check'],
    ['check', '--help'],
    ['check', '-h'],
    ['rules', '--help'],
    ['rules', '-h'],
    ['explain', '--help'],
    ['-V'],
    ['check', '--version'],
  ];
  for (const args of cases) {
    assert.equal(same(args).code, 0, args.join(' '));
  }
});

test('the whole real corpus, every format', () => {
  for (const format of ['text', 'concise', 'json', 'sarif']) {
    same(['check', '--format', format, CORPUS]);
  }
});

test('walking a repository: skipped files, --exclude and ignore files as natively', () => {
  // tests/repo: a Helm chart, a kustomization, JSON files, a nested .gitignore.
  const repo = 'tests/repo';
  for (const format of ['text', 'json']) {
    same(['check', '--format', format, '--show-skipped', repo]);
  }
  same(['check', '--format', 'json', '--no-ignore', '--exclude', '*.json', '--exclude', '/chart', repo]);
  same(['check', '--exclude', 'deploy/{a,b', repo]);
});
