// Golden reports: the JSON reports of the native CLI (`kube-secctx check --format json`)
// and of the JS API (`check()`), over ../shared/corpus/real and examples/, in the default
// profile and at `--level baseline`, saved in tests/golden/ before the core's API was
// reshaped (issue 10: byte spans in the core, positions at the edges) and compared byte
// for byte since. golden.test.mjs compares; this file also writes them:
//
//   node js-tests/golden.mjs --native target/debug/kube-secctx --pkg pkg
//
// (run from the repository's root; rewrite them only for an intended change of output,
// and say so in the commit).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

/** The repository's root. */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Where the golden files are. */
export const GOLDEN = join(ROOT, 'tests', 'golden');

/** The profiles: CLI flags and JS options. */
export const PROFILES = {
  default: { flags: [], options: {} },
  baseline: { flags: ['--level', 'baseline'], options: { level: 'baseline' } },
};

/** The inputs, as paths relative to the repository's root (the reports carry them). */
export function inputs() {
  const list = (dir) => readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
  return [...list('../shared/corpus/real'), ...list('examples')];
}

/** The CLI's answer for one input: `{path, code, stdout, stderr}`. */
export function cliReport(bin, path, profile) {
  const r = spawnSync(bin, ['check', '--format', 'json', ...PROFILES[profile].flags, path], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '' },
  });
  if (r.error) throw r.error;
  return { path, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JS API's report for one input, as pretty JSON: `{path, report}`. */
export function jsReport(check, path, profile) {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const report = check(text, { ...PROFILES[profile].options, fileName: path });
  return { path, report: `${JSON.stringify(report, null, 2)}\n` };
}

/** The golden file of a front end (`cli` or `js`) and profile. */
export function goldenPath(frontEnd, profile) {
  return join(GOLDEN, `${frontEnd}-${profile}.jsonl.gz`);
}

/** The saved entries of a golden file, one per input. */
export function readGolden(frontEnd, profile) {
  return gunzipSync(readFileSync(goldenPath(frontEnd, profile)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
}

function writeGolden(frontEnd, profile, entries) {
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
  writeFileSync(goldenPath(frontEnd, profile), gzipSync(text, { level: 9 }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || i + 1 >= process.argv.length) throw new Error(`usage: golden.mjs --native BIN --pkg DIR`);
    return resolve(process.argv[i + 1]);
  };
  const bin = arg('--native');
  const { check } = createRequire(import.meta.url)(join(arg('--pkg'), 'node', 'index.cjs'));
  for (const profile of Object.keys(PROFILES)) {
    writeGolden('cli', profile, inputs().map((p) => cliReport(bin, p, profile)));
    writeGolden('js', profile, inputs().map((p) => jsReport(check, p, profile)));
    console.log(`golden: wrote cli-${profile} and js-${profile} (${inputs().length} inputs)`);
  }
}
