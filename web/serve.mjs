// A small static file server for the built page (no npm dependencies), on 127.0.0.1 only.
//   node web/serve.mjs [PORT] [DIR]     PORT 0 = any free port (default 8080); DIR default build-web/site
// Prints "serving DIR at URL" once listening. It answers GET and HEAD for regular files under DIR and
// nothing else: a request it cannot read (bad percent escapes, a path that would leave DIR through
// "..", an encoded "%2e%2e" or a backslash, a NUL or control byte, an over-long path) gets 400, another
// method 405, and no request can stop it (every handler error becomes a 500 for that request alone).
// Every response says no-cache, so a rebuilt page is always fetched afresh, and carries the
// cross-origin isolation headers (COOP same-origin, COEP require-corp) that WebAssembly threads
// need; the page fetches only from its own origin, so they change nothing else.
import { createServer } from 'node:http';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
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

export const MAX_PATH = 1024;  // bytes of the request target; the site's longest is ~50

const HEADERS = {
  'Cache-Control': 'no-cache',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

// The file a request target names under root, or { status, text } when it names none: the
// target must be an absolute path whose decoded segments are plain names (a query is ignored).
export function resolveTarget(root, target) {
  if (typeof target !== 'string' || target.length > MAX_PATH) return { status: 400, text: 'bad request: path too long' };
  if (!target.startsWith('/')) return { status: 400, text: 'bad request: not an absolute path' };
  const raw = target.split('?')[0].split('#')[0];
  let path;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { status: 400, text: 'bad request: malformed percent escape' };
  }
  // control bytes (NUL included) and backslashes are never part of a name here
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return { status: 400, text: 'bad request: forbidden character in path' };
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return { status: 400, text: 'bad request: path leaves the site' };
  const file = join(root, ...segments);
  if (file !== root && !file.startsWith(root + sep)) return { status: 400, text: 'bad request: path leaves the site' };
  return { file, path };
}

// The regular file to send for `file` (a folder's index.html), checked to be inside root after
// symbolic links are followed; null when there is none.
function regularFile(root, file) {
  const stat = (path) => { try { return statSync(path); } catch { return null; } };  // ENOENT, ENOTDIR, ...
  let info = stat(file);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = stat(file);
  }
  if (!info?.isFile()) return null;
  const real = realpathSync(file);
  if (real !== root && !real.startsWith(root + sep)) return null;
  return { file: real, size: info.size };
}

function handle(root, req, res, headers) {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, `method ${String(req.method).slice(0, 20)} not allowed`, { Allow: 'GET, HEAD' }, headers);
  const target = resolveTarget(root, req.url);
  if (target.status) return send(res, target.status, target.text, {}, headers);
  const found = regularFile(root, target.file);
  if (!found) return send(res, 404, `not found: ${target.path.slice(0, 200)}`, {}, headers);
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(found.file)] || 'application/octet-stream',
                       'Content-Length': found.size });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());  // e.g. the file was removed by a rebuild meanwhile
  stream.pipe(res);
}

// isolated = false leaves the cross-origin isolation headers out, as a plain static host would (the
// tests' view of such a host: the page then runs its single-thread build).
export function serve(root, port = 0, { isolated = true } = {}) {
  root = realpathSync(resolve(root));
  const headers = isolated ? HEADERS : Object.fromEntries(Object.entries(HEADERS).filter(([k]) => !k.startsWith('Cross-Origin')));
  const server = createServer((req, res) => {
    try {
      handle(root, req, res, headers);
    } catch (e) {
      if (!res.headersSent) send(res, 500, 'internal error', {}, headers);
      else res.destroy();
      console.error(`serve: ${req.method} ${String(req.url).slice(0, 200)}: ${e.message}`);
    }
  });
  // CONNECT and protocol upgrades are not for a file server: 405, and close
  const refuse = (req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n' +
                                             'Connection: close\r\nContent-Length: 0\r\n\r\n');
  server.on('connect', refuse);
  server.on('upgrade', refuse);
  // a request node cannot parse (a bad method, a header too large, garbage): 400 and close
  server.on('clientError', (e, socket) => {
    if (socket.writable && !socket.destroyed)
      socket.end(`HTTP/1.1 ${e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
                 'Connection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

function send(res, status, text, extra = {}, headers = HEADERS) {
  res.writeHead(status, { ...headers, ...extra, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const portText = process.argv[2] === undefined ? '8080' : process.argv[2];
  const port = Number(portText);
  if (!/^[0-9]{1,5}$/.test(portText) || port > 65535) {
    console.error(`serve: bad port '${portText}' (0 to 65535; 0 = any free port)`);
    process.exit(2);
  }
  const root = process.argv[3] || join(here, '..', 'build-web', 'site');
  if (!statSync(join(root, 'index.html'), { throwIfNoEntry: false })?.isFile()) {
    console.error(`serve: ${root}/index.html not found (build the page first: tools/build_web.sh)`);
    process.exit(1);
  }
  const { url } = await serve(root, port).catch((e) => {
    console.error(`serve: cannot listen on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  });
  console.log(`serving ${resolve(root)} at ${url}`);
}
