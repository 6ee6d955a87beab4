// A tiny static file server for the built page (no npm dependencies), on 127.0.0.1 only.
//   node web/serve.mjs [PORT] [DIR]     PORT 0 = any free port (default 8080); DIR default build-web/site
// Prints "serving DIR at URL" once listening. Every response says no-cache, so a rebuilt page is
// always fetched afresh.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.gz': 'application/gzip',
  '.safetensors': 'application/octet-stream',
};

export function serve(root, port = 0) {
  root = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');
    let info;
    try {
      info = statSync(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = statSync(file);
      }
    } catch {
      return send(res, 404, `not found: ${path}`);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(text + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const port = process.argv[2] === undefined ? 8080 : Number(process.argv[2]);
  const root = process.argv[3] || join(here, '..', 'build-web', 'site');
  try {
    statSync(join(root, 'index.html'));
  } catch {
    console.error(`serve: ${root}/index.html not found (build the page first: tools/build-web.sh)`);
    process.exit(1);
  }
  const { url } = await serve(root, port);
  console.log(`serving ${resolve(root)} at ${url}`);
}
