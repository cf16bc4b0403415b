// make demo-web: how to open the page that `make web` built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

import { encodeShare } from './src/share.js';

const WEB = fileURLToPath(new URL('.', import.meta.url));
const DIST = join(WEB, 'dist');
const i = process.argv.indexOf('--port');
const port = i > 0 ? process.argv[i + 1] : '8088';
if (!existsSync(join(DIST, 'index.html'))) {
  console.error('demo-web: web/dist/index.html is missing: run `make web`');
  process.exit(1);
}
const files = readdirSync(DIST).sort().map((f) => `${f} (${Math.round(statSync(join(DIST, f)).size / 1024)} KiB)`);
const base = `http://127.0.0.1:${port}/`;
const pod = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata: {name: debug}',
  'spec:',
  '  hostPID: true',
  '  containers:',
  '  - name: shell',
  '    image: busybox:1.36',
  '    securityContext: {privileged: true}',
  '',
].join('\n');
const rule = '='.repeat(80);
console.log(`
${rule}
 The web checker: ${relative(join(WEB, '..'), DIST)}/ — a static page; manifests never leave it
${rule}

 Files: ${files.join(', ')}

 Serve it on 127.0.0.1 and open it in a browser:

   make serve            then open ${base}

 Any static web server works (it is plain files), e.g.
   python3 -m http.server --bind 127.0.0.1 --directory web/dist ${port}
 Opening index.html as a file:// URL does not work: browsers load neither ES modules
 nor WebAssembly from file://.

 A share link opens a manifest at once, e.g. a privileged debug Pod at PSS baseline:

   ${base}#${encodeShare(pod, 'baseline', 'latest')}
`);
