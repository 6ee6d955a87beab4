// The page's server (web/serve.mjs, as tools/run.sh starts it: its own process) under a bounded batch
// of malformed requests sent byte for byte over TCP: bad percent escapes, paths that try to leave the
// site (.., %2e%2e, backslashes, NUL bytes), very long paths, other methods, garbage. Each gets its
// 4xx (405 for methods), nothing outside the site is ever sent, HEAD answers without a body, and the
// server keeps serving: afterwards the page still loads from it in headless Chromium, cross-origin
// isolated (COOP/COEP), with no console error.
//   node tests/web/server.mjs [--site build-web/site] [--artifacts build-web/e2e-artifacts]
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checker, parseArgs, start, waitFor } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseArgs(process.argv);
const { check, finish } = checker('web.server');

// Starts `node web/serve.mjs 0 DIR`; resolves with its URL, port and process once it listens.
function startServer(dir) {
  const child = spawn(process.execPath, [join(root, 'web', 'serve.mjs'), '0', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/ at (http:\/\/127\.0\.0\.1:(\d+)\/)/);
      if (m) ok({ child, url: m[1], port: Number(m[2]), log: () => out });
    });
    child.on('exit', (code) => fail(new Error(`serve.mjs exited ${code} before listening: ${out}`)));
  });
}

// Sends raw bytes and reads until the server closes (or 5 s pass): { status, headers, body, raw }.
function raw(port, bytes) {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n\r\n')[0];
      const status = Number((head.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
      ok({ status, head, body: text.slice(head.length + 4), raw: text });
    };
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', done);
    socket.write(bytes);
  });
}
const request = (port, line, extra = '') => raw(port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);

// ---- 1. a site in a temporary folder, beside a secret file that must never be sent
const tmp = mkdtempSync(join(tmpdir(), 'vae-server-test-'));
mkdirSync(join(tmp, 'site', 'sub'), { recursive: true });
writeFileSync(join(tmp, 'site', 'index.html'), '<!doctype html><title>t</title>INDEX\n');
writeFileSync(join(tmp, 'site', 'sub', 'a.json'), '{"a":1}\n');
const SECRET = 'SECRET-OUTSIDE-THE-SITE';
writeFileSync(join(tmp, 'secret.txt'), SECRET + '\n');

const small = await startServer(join(tmp, 'site'));
const long = 'a'.repeat(5000), huge = 'b'.repeat(20000);
const cases = [
  // [what, request line, expected statuses]
  ['the issue\'s cut escape %E0%A4%A', 'GET /%E0%A4%A HTTP/1.1', [400]],
  ['a lone %', 'GET /% HTTP/1.1', [400]],
  ['a bad escape %zz', 'GET /%zz HTTP/1.1', [400]],
  ['escapes of invalid UTF-8', 'GET /%ff%fe HTTP/1.1', [400]],
  ['../', 'GET /../secret.txt HTTP/1.1', [400]],
  ['../ deeper', 'GET /sub/../../secret.txt HTTP/1.1', [400]],
  ['%2e%2e', 'GET /%2e%2e/secret.txt HTTP/1.1', [400]],
  ['%2E%2E%2F', 'GET /%2E%2E%2Fsecret.txt HTTP/1.1', [400]],
  ['..%2f', 'GET /..%2fsecret.txt HTTP/1.1', [400]],
  ['.%2e', 'GET /.%2e/secret.txt HTTP/1.1', [400]],
  ['a backslash', 'GET /..\\secret.txt HTTP/1.1', [400]],
  ['%5c backslashes', 'GET /%5c..%5csecret.txt HTTP/1.1', [400]],
  ['an encoded NUL', 'GET /index.html%00.png HTTP/1.1', [400]],
  ['a control byte', 'GET /index%0a.html HTTP/1.1', [400]],
  ['an absolute-form target', 'GET http://127.0.0.1/../secret.txt HTTP/1.1', [400]],
  ['a relative target', 'GET secret.txt HTTP/1.1', [400]],
  ['a 5,000-byte path', `GET /${long} HTTP/1.1`, [400]],
  ['a 20,000-byte path (past node\'s header limit)', `GET /${huge} HTTP/1.1`, [400, 431]],
  ['a path to nothing', 'GET /nothing-here.js HTTP/1.1', [404]],
  ['a path through a file', 'GET /index.html/x HTTP/1.1', [404]],
  ['POST', 'POST / HTTP/1.1', [405], 'Content-Length: 5\r\n\r\nhello'],
  ['PUT', 'PUT /index.html HTTP/1.1', [405], 'Content-Length: 1\r\n\r\nx'],
  ['DELETE', 'DELETE /index.html HTTP/1.1', [405]],
  ['PATCH', 'PATCH / HTTP/1.1', [405]],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1', [405]],
  ['TRACE', 'TRACE / HTTP/1.1', [405]],
  ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1', [405]],
  ['an upgrade to websocket', 'GET / HTTP/1.1', [405], 'Upgrade: websocket\r\nConnection: Upgrade\r\n'],
  ['an unknown method', 'BREW / HTTP/1.1', [400, 405]],
];
for (const [what, line, want, extra] of cases) {
  const r = extra && extra.includes('\r\n\r\n')
    ? await raw(small.port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}`)
    : await request(small.port, line, extra || '');
  check(`${what}: ${want.join(' or ')}`, want.includes(r.status), `got ${r.status || 'no answer'}`);
  check(`${what}: nothing from outside the site`, !r.raw.includes(SECRET));
}
for (const [what, bytes] of [['garbage bytes', '\x00\x01\x02 hello\r\n\r\n'], ['a header line without a colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n'],
                              ['HTTP/9.9', 'GET / HTTP/9.9\r\n\r\n']]) {
  const r = await raw(small.port, bytes);
  check(`${what}: 400 or 505`, r.status === 400 || r.status === 505, `got ${r.status || 'no answer'}`);
}
// a client that sends half a request and leaves
await new Promise((ok) => {
  const s = connect(small.port, '127.0.0.1', () => { s.write('GET /index.ht'); s.destroy(); ok(); });
  s.on('error', ok);
});
const head = await request(small.port, 'HEAD /index.html HTTP/1.1');
const get = await request(small.port, 'GET /index.html HTTP/1.1');
const length = Number((get.head.match(/content-length: (\d+)/i) || [])[1]);
check('GET of a file: 200 with its bytes', get.status === 200 && get.body.includes('INDEX') && length === get.body.length);
check('HEAD: 200, the same Content-Length, no body', head.status === 200 && head.body === '' &&
      Number((head.head.match(/content-length: (\d+)/i) || [])[1]) === length);
check('GET / is the index', (await request(small.port, 'GET / HTTP/1.1')).body.includes('INDEX'));
check('a query string is ignored', (await request(small.port, 'GET /sub/a.json?x=../../secret.txt HTTP/1.1')).body.includes('"a"'));
check('COOP and COEP are sent', /cross-origin-opener-policy: same-origin/i.test(get.head) &&
      /cross-origin-embedder-policy: require-corp/i.test(get.head));
check('the server is still running', small.child.exitCode === null, small.log());
small.child.kill();
rmSync(tmp, { recursive: true, force: true });

// ---- 2. the built page: the same batch at its server, then it still loads in Chromium
const site = await startServer(args.site);
let answered = 0;
for (const [, line, want, extra] of cases) {
  const r = extra && extra.includes('\r\n\r\n')
    ? await raw(site.port, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}`)
    : await request(site.port, line, extra || '');
  answered += want.includes(r.status) ? 1 : 0;
}
check(`the page's server answered all ${cases.length} malformed requests as expected`, answered === cases.length,
      `${answered} of ${cases.length}`);
const browser = await start(args);
try {
  await browser.page.goto(site.url);
  const s = await waitFor(browser.page, 'the first digits', (x) => x.first_digits, 30000);
  check('the page loads from the same server afterwards and draws digits', s.first_digits && s.has_model);
  check('the page is cross-origin isolated', await browser.page.evaluate(() => self.crossOriginIsolated === true));
  check('no console error', browser.errors.length === 0, browser.errors.join(' | '));
  check('the server is still running', site.child.exitCode === null, site.log());
} finally {
  await browser.close();
  site.child.kill();
}
finish();
