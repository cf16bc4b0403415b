// A static file server for web/dist on 127.0.0.1 (make serve; the tests and the bench).
//
//   node serve.mjs [--port N] [--dir DIR]     (default port 8088; 0 = any free port)
//
// Any static server works: the page is plain files. This one only sets the right MIME
// types (application/wasm lets the browser compile the module while it downloads) and
// never serves anything outside DIR.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts serving `dir` on 127.0.0.1:`port`. Resolves to `{ url, server, close() }`;
 * `log(line)` is called for each request when given.
 */
export function serve({ dir, port = 0, log } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    let status = 200;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        status = 405;
        res.writeHead(status, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, pathname));
      if (file !== root && !file.startsWith(root + sep)) {
        status = 403;
        res.writeHead(status).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file).catch(() => null);
      if (body === null) {
        status = 404;
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      status = 400;
      if (!res.headersSent) res.writeHead(status).end();
    } finally {
      log?.(`${req.method} ${req.url} ${status}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({
        url: `http://127.0.0.1:${p}/`,
        server,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

// As a program: serve until interrupted.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
  };
  const dir = arg('--dir', fileURLToPath(new URL('dist/', import.meta.url)));
  const port = Number(arg('--port', process.env.PORT || 8088));
  if (!(await stat(join(dir, 'index.html')).catch(() => null))) {
    console.error(`serve: ${join(dir, 'index.html')} is missing: run \`make web\` first`);
    process.exit(1);
  }
  const log = (l) => console.log(`serve: ${l}`);
  const { url } = await serve({ dir, port, log }).catch((e) => {
    if (e.code !== 'EADDRINUSE' || port === 0) throw e;
    console.log(`serve: port ${port} is taken: using a free one`);
    return serve({ dir, port: 0, log });
  }).catch((e) => {
    console.error(`serve: cannot listen on 127.0.0.1: ${e.message}`);
    process.exit(1);
  });
  console.log(`serve: kube-secctx web checker at ${url} (serving ${dir}; Ctrl-C stops)`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
}
