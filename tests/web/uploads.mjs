// Uploads that are not what they claim, through the page's file input in headless Chromium: an empty
// file, 200 MB of random bytes, a PNG renamed .safetensors, a valid safetensors file of a model too
// large for the page (hidden 16384: 26.7 million parameters, 107 MB), a valid model conditional on 3
// classes. Each gets a message naming the file, the current model stays, the page keeps drawing
// frames, and the WebAssembly heap does not grow (the core checks each file from its first bytes,
// before it is copied in: that memory is never given back). A valid small model still loads after.
//   node tests/web/uploads.mjs [--site build-web/site] [--artifacts build-web/e2e-artifacts]
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checker, frames, parseArgs, start, state, waitFor } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseArgs(process.argv);
const { check, finish } = checker('web.uploads');

// A safetensors file of a VAE config (PyTorch nn.Linear names, F32), its values from fill(i), written
// in 1 MiB chunks (a large one never sits in memory whole).
function writeModel(path, config, fill = () => 0) {
  const C = config.classes || 0, layers = [];
  let n = config.input + C;
  config.hidden.forEach((h, i) => { layers.push([`encoder.${i}`, h, n]); n = h; });
  layers.push(['encoder.mu', config.latent, n], ['encoder.logvar', config.latent, n]);
  n = config.latent + C;
  [...config.hidden].reverse().concat([config.input]).forEach((h, i) => { layers.push([`decoder.${i}`, h, n]); n = h; });
  const header = { __metadata__: { config: JSON.stringify(config) } };
  let offset = 0;
  for (const [name, out, inp] of layers)
    for (const [suffix, count, shape] of [['weight', out * inp, [out, inp]], ['bias', out, [out]]]) {
      header[`${name}.${suffix}`] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * count] };
      offset += 4 * count;
    }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const fd = openSync(path, 'w');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeSync(fd, len);
  writeSync(fd, Buffer.from(json));
  const chunk = new Float32Array(1 << 18);
  for (let done = 0; done < offset / 4; done += chunk.length) {
    const n = Math.min(chunk.length, offset / 4 - done);
    for (let i = 0; i < n; ++i) chunk[i] = fill(done + i);
    writeSync(fd, Buffer.from(chunk.buffer, 0, 4 * n));
  }
  closeSync(fd);
  return { path, params: offset / 4 };
}

function writeRandom(path, bytes) {
  const fd = openSync(path, 'w'), chunk = Buffer.alloc(1 << 20);
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, bytes - done));
  closeSync(fd);
  return path;
}

const heap = (page) => page.evaluate(() => vaeApp.heapBytes());
const checksum = (page) => page.evaluate(() => Module._vae_param_checksum());
// frames drawn per second over `ms` (a figure, printed; the test only asks that frames come)
async function frameRate(page, ms = 2000) {
  const f0 = (await state(page)).frame, t0 = Date.now();
  await page.waitForTimeout(ms);
  return ((await state(page)).frame - f0) / ((Date.now() - t0) / 1000);
}

const tmp = mkdtempSync(join(tmpdir(), 'vae-uploads-'));
const files = {
  empty: writeRandom(join(tmp, 'empty.safetensors'), 0),
  random: writeRandom(join(tmp, 'random-200MB.safetensors'), 200 << 20),
  png: join(tmp, 'screenshot.safetensors'),
  large: writeModel(join(tmp, 'hidden16384.safetensors'), { input: 784, hidden: [16384], latent: 20, activation: 'relu' }),
  classes3: writeModel(join(tmp, 'classes3.safetensors'), { input: 784, hidden: [32], latent: 2, activation: 'relu', classes: 3 },
                       (i) => ((i * 7919) % 1000) / 20000 - 0.025),
  small: writeModel(join(tmp, 'small.safetensors'), { input: 784, hidden: [64], latent: 2, activation: 'tanh' },
                    (i) => ((i * 7919) % 1000) / 5000 - 0.1),
};
copyFileSync(join(root, 'web', 'screenshot.png'), files.png);

const { page, url, errors, close } = await start(args);
try {
  await page.goto(url);
  let s = await waitFor(page, 'the first digits', (x) => x.first_digits && x.has_model, 30000);
  // the data arrives after the first frame and grows the heap: measure from when it is all in
  s = await waitFor(page, 'the data', (x) => x.data.test === 10000 && x.data.train === 60000, 120000);
  await frames(page, 5);
  const model0 = s.model.config, sum0 = await checksum(page), heap0 = await heap(page);
  const rate0 = await frameRate(page);
  console.log(`before: model ${model0}, WebAssembly heap ${(heap0 / 2 ** 20).toFixed(1)} MiB, ${rate0.toFixed(1)} frames/s`);

  const refused = [
    ['an empty file', files.empty, /empty\.safetensors: safetensors: file is 0 bytes/],
    ['200 MB of random bytes', files.random, /random-200MB\.safetensors: safetensors: header length \d+ exceeds the 209715192 bytes after the 8-byte length prefix \(file size 209715200\)/],
    ['a PNG renamed .safetensors', files.png, /screenshot\.safetensors: safetensors: header length \d+ exceeds the \d+ bytes after the 8-byte length prefix/],
    [`a valid model too large for the page (${files.large.params.toLocaleString('en')} parameters)`, files.large.path,
     /hidden16384\.safetensors: .*(has 26\d{6} parameters; at most 4194304|bytes of tensors, more than)/],
    ['a valid model conditional on 3 classes', files.classes3.path, /classes3\.safetensors: the model is conditional on 3 classes, the data has 10/],
  ];
  for (const [what, path, message] of refused) {
    const name = path.replace(/^.*\//, '');
    const before = await state(page);
    await page.setInputFiles('#weights-file', path);
    s = await waitFor(page, `the message for ${what}`, (x) => x.status_error && x.status.includes(name), 60000);
    check(`${what}: refused with a message naming the file`, message.test(s.status) && s.status.startsWith('Not loaded'), s.status);
    check(`${what}: the model stays`, (await checksum(page)) === sum0 && s.model.config === model0 && s.has_model);
    await frames(page, 10);
    check(`${what}: the page keeps drawing`, (await state(page)).frame >= before.frame + 10);
    const grown = (await heap(page)) - heap0;
    check(`${what}: the WebAssembly heap did not grow`, grown === 0, `${(grown / 2 ** 20).toFixed(1)} MiB more`);
  }
  const rate1 = await frameRate(page);
  console.log(`after the refused uploads: WebAssembly heap ${((await heap(page)) / 2 ** 20).toFixed(1)} MiB, ${rate1.toFixed(1)} frames/s`);

  await page.setInputFiles('#weights-file', files.small.path);
  s = await waitFor(page, 'the small model', (x) => !x.status_error && x.model.config === '784-64-2-64-784 tanh', 30000);
  check('a valid small model still loads after them', (await checksum(page)) !== sum0, s.status);
  await frames(page, 5);
  check('no console error', errors.length === 0, errors.join(' | '));
  await page.screenshot({ path: join(args.artifacts, 'uploads.png') });
} finally {
  await close();
  rmSync(tmp, { recursive: true, force: true });
}
finish();
