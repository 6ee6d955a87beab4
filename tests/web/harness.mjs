// Shared by the browser test and the browser benchmark: serve the built page on 127.0.0.1 (a free
// port), launch Debian's Chromium headless through playwright-core, and read the app's state.
// Fails loudly when Chromium or playwright-core is missing: never skips.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { serve } from '../../web/serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.VAE_CHROMIUM || '/usr/bin/chromium';

// A test's checks: check() prints ok/FAIL for each, finish() prints the verdict and exits 1 on any
// failure. Values compare relative to their size: |a - b| <= tol max(1, |b|).
export function checker(name) {
  let failures = 0;
  return {
    check(what, ok, detail = '') {
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
      if (!ok) ++failures;
    },
    finish() {
      console.log(failures === 0 ? `${name}: all checks passed` : `${name}: ${failures} check(s) FAILED`);
      process.exit(failures === 0 ? 0 : 1);
    },
  };
}
export const close = (a, b, tol) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
export const allClose = (a, b, tol) => a.length === b.length && a.every((v, i) => close(v, b[i], tol));

// --site DIR --artifacts DIR (defaults: build-web/site, build-web/e2e-artifacts)
export function parseArgs(argv, defaults = {}) {
  const args = { site: join(root, 'build-web', 'site'), artifacts: join(root, 'build-web', 'e2e-artifacts'), ...defaults };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete flag ${argv[i]}`);
    args[key] = argv[i + 1];
  }
  return args;
}

function loadPlaywright() {
  const require = createRequire(import.meta.url);
  const places = [join(root, '.deps', 'node_modules', 'playwright-core'), 'playwright-core'];
  for (const place of places) {
    try {
      return require(place);
    } catch {}
  }
  throw new Error(`playwright-core not found (looked in ${places.join(', ')}): run tools/setup.sh`);
}

// The page in a fresh browser. The screen is the window's size (as with F11 or a kiosk: Emscripten's
// GLFW once mistook such a window for a fullscreen request); deviceScaleFactor is devicePixelRatio.
// isolated: served with the cross-origin isolation headers (the page's two-thread build), or as a
// static host without them serves it (the single-thread build).
export async function start(args, { viewport = { width: 1280, height: 800 }, deviceScaleFactor = 1, hasTouch = false,
                                    isolated = true } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
  if (!existsSync(join(args.site, 'index.html'))) throw new Error(`${args.site}/index.html missing: build the page first`);
  mkdirSync(args.artifacts, { recursive: true });
  const { chromium } = loadPlaywright();
  const { server, url } = await serve(args.site, 0, { isolated });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport, screen: viewport, deviceScaleFactor, hasTouch, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  const close = async () => { await browser.close(); server.close(); };
  return { browser, page, url, errors, close };
}

// The app's state (src/app/state_json.cpp, read through app_state_json).
export async function state(page) {
  return page.evaluate(() => vaeApp.state());
}

// Waits until pred(state) holds, polling; throws with the last state after timeoutMs.
export async function waitFor(page, what, pred, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let s = null;
  for (;;) {
    try { s = await state(page); } catch { s = null; }
    if (s && pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(s)}`);
    await page.waitForTimeout(50);
  }
}

// Resolves after n more frames have been drawn.
export async function frames(page, n = 2) {
  const f0 = (await state(page)).frame;
  await waitFor(page, `${n} frames`, (s) => s.frame >= f0 + n, 10000);
}

export const center = (r) => ({ x: r[0] + r[2] / 2, y: r[1] + r[3] / 2 });

// A mouse drag that the app sees step by step (ImGui reads the mouse once per frame).
export async function drag(page, from, to, steps, button = 'left') {
  await page.mouse.move(from.x, from.y);
  await frames(page, 1);
  await page.mouse.down({ button });
  await frames(page, 2);
  for (let i = 1; i <= steps; ++i) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
    await frames(page, 1);
  }
  await page.mouse.up({ button });
  await frames(page, 2);
}

// A click at the centre of rect [x, y, w, h], a frame for each of move, press and release.
export async function click(page, rect) {
  const c = center(rect);
  await page.mouse.move(c.x, c.y);
  await frames(page, 1);
  await page.mouse.down();
  await frames(page, 1);
  await page.mouse.up();
  await frames(page, 2);
}

// Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium's screenshots are) to
// { width, height, channels, data }.
export function decodePng(buf) {
  let pos = 8, width = 0, height = 0, colorType = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4); colorType = body[9];
      if (body[8] !== 8 || body[12] !== 0 || (colorType !== 2 && colorType !== 6)) throw new Error('unsupported PNG');
    } else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const channels = colorType === 6 ? 4 : 3, stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat)), data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; ++y) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? data[y * stride + x - channels] : 0, b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      data[y * stride + x] = v & 255;
    }
  }
  return { width, height, channels, data };
}

// Mean gray level (0..1) and the fraction of bright pixels (> 128) inside rect [x, y, w, h].
export function regionStats(png, rect) {
  const [x0, y0, w, h] = rect.map(Math.round);
  let sum = 0, bright = 0, n = 0;
  for (let y = y0; y < y0 + h; ++y)
    for (let x = x0; x < x0 + w; ++x) {
      const i = (y * png.width + x) * png.channels;
      const g = (png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3;
      sum += g; bright += g > 128 ? 1 : 0; ++n;
    }
  return { mean: sum / n / 255, bright: bright / n };
}
