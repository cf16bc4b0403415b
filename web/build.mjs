// Builds web/dist/: the static kube-secctx web checker (run by `make web`).
//
//   node build.mjs [--pkg DIR] [--out DIR]
//
// Inputs: web/src/ (page, app, styles), the npm package `make wasm` built in ../pkg
// (resolved through its package.json "exports" with the "browser" condition, exactly as a
// bundler resolves the published package), and ../examples/*.yaml (the examples menu,
// embedded in the bundle at build time).
//
// Output (everything the page loads; no CDN, nothing outside the folder):
//   index.html            the page, with the Content-Security-Policy meta tag
//   app.js                one ES module: the app, CodeMirror 6, the package's glue
//   app.css               the page's styles
//   kube_secctx_bg.wasm   the engine, fetched from 'self' by init(URL)
//
// The build fails when the bundle contains `eval` or `new Function` (the CSP forbids
// them), or when a file the page needs is missing.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CSP } from './csp.mjs';

const WEB = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(WEB, '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : fallback;
}
const PKG = arg('--pkg', process.env.KUBE_SECCTX_PKG ? resolve(process.env.KUBE_SECCTX_PKG) : join(ROOT, 'pkg'));
const OUT = arg('--out', join(WEB, 'dist'));
const EXAMPLES = join(ROOT, 'examples');


function die(msg) {
  console.error(`web: error: ${msg}`);
  process.exit(1);
}

// --- the package built by `make wasm` ---------------------------------------------------
const pkgJsonPath = join(PKG, 'package.json');
if (!existsSync(pkgJsonPath)) die(`${relative(ROOT, PKG) || PKG}/package.json is missing: run \`make wasm\` first`);
const pkgJson = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
if (pkgJson.name !== 'kube-secctx') die(`${pkgJsonPath} is not the kube-secctx package`);
const rootExport = pkgJson.exports?.['.'];
const browserEntry = typeof rootExport === 'object' ? rootExport.browser : undefined;
if (typeof browserEntry !== 'string') die(`${pkgJsonPath}: exports["."].browser is missing`);
const entryPath = join(PKG, browserEntry);
const wasmPath = join(dirname(entryPath), 'kube_secctx_bg.wasm');
for (const f of [entryPath, wasmPath]) {
  if (!existsSync(f)) die(`${relative(ROOT, f)} is missing: run \`make wasm\` first`);
}

// --- the examples menu: examples/*.yaml, the three of the issue first -------------------
const FIRST = ['nginx-deployment.yaml', 'privileged-daemonset.yaml', 'restricted-deployment.yaml'];
const TITLES = {
  'nginx-deployment.yaml': 'nginx Deployment without securityContext',
  'privileged-daemonset.yaml': 'Privileged DaemonSet (fails baseline)',
  'restricted-deployment.yaml': 'Deployment that passes restricted',
  'cronjob.yaml': 'CronJob running as root (fails restricted)',
};
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort((a, b) => {
    const ia = FIRST.indexOf(a) < 0 ? FIRST.length : FIRST.indexOf(a);
    const ib = FIRST.indexOf(b) < 0 ? FIRST.length : FIRST.indexOf(b);
    return ia - ib || a.localeCompare(b);
  });
for (const f of FIRST) if (!exampleFiles.includes(f)) die(`examples/${f} is missing`);
const examples = exampleFiles.map((file) => ({
  id: file.replace(/\.ya?ml$/, ''),
  file,
  title: TITLES[file] || file,
  text: readFileSync(join(EXAMPLES, file), 'utf8'),
}));

// Virtual modules: `kube-secctx` is the package as its "browser" export says;
// `virtual:examples` is the examples above.
const resolvePlugin = {
  name: 'kube-secctx-web',
  setup(b) {
    b.onResolve({ filter: /^kube-secctx$/ }, () => ({ path: entryPath }));
    b.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: 'examples', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, () => ({
      contents: `export default ${JSON.stringify(examples)};`,
      loader: 'js',
    }));
  },
};

// --- build -------------------------------------------------------------------------------
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const result = await build({
  entryPoints: { app: join(WEB, 'src', 'main.js') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  outdir: OUT,
  metafile: true,
  logLevel: 'warning',
  plugins: [resolvePlugin],
});
await build({
  entryPoints: { app: join(WEB, 'src', 'style.css') },
  bundle: true,
  minify: true,
  outdir: OUT,
  logLevel: 'warning',
});
copyFileSync(wasmPath, join(OUT, 'kube_secctx_bg.wasm'));

const html = readFileSync(join(WEB, 'src', 'index.html'), 'utf8')
  .replaceAll('@CSP@', CSP)
  .replaceAll('@VERSION@', pkgJson.version);
if (html.includes('@')) {
  const m = html.match(/@[A-Z_]+@/);
  if (m) die(`index.html: placeholder ${m[0]} left`);
}
writeFileSync(join(OUT, 'index.html'), html);

// --- checks on the output -----------------------------------------------------------------
const bundle = readFileSync(join(OUT, 'app.js'), 'utf8');
for (const [what, re] of [
  ['eval(', /(^|[^\w$.])eval\s*\(/],
  ['new Function', /new\s+Function\s*\(/],
  ['Function(...) constructor', /(^|[^\w$.])Function\s*\(\s*["'`]/],
]) {
  if (re.test(bundle)) die(`app.js contains ${what}: the page's CSP forbids it`);
}
for (const re of [/https?:\/\/(?!www\.w3\.org\/)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(m?js|css|wasm)\b/i]) {
  const m = bundle.match(re);
  if (m) die(`app.js refers to a remote resource: ${m[0]}`);
}
if (!html.includes(`content="${CSP}"`)) die('index.html lacks the CSP meta tag');

const files = readdirSync(OUT).sort();
const sizes = files.map((f) => {
  const s = statSync(join(OUT, f)).size;
  return `${f} ${(s / 1024).toFixed(1)} KiB`;
});
const inputs = Object.keys(result.metafile.inputs);
const cm = inputs.filter((p) => p.includes('@codemirror/')).length;
const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 12);
console.log(`web: built ${relative(process.cwd(), OUT) || OUT}/ (kube-secctx ${pkgJson.version}, ` +
  `${examples.length} examples, ${cm} CodeMirror modules, app.js sha256 ${hash}): ${sizes.join(', ')}`);
