// Runs parity_dump (tests/parity/parity_dump.cpp) natively and as WebAssembly under node and compares the numbers they print
// (one per line). Fails when the counts differ or any |native - wasm| exceeds the tolerance times
// max(1, |native|): absolute for values up to 1, relative above (a Gaussian decoder's log-variances
// reach -45, where float32's spacing is 4e-6 and the two builds' summation orders differ by a few).
// Usage: node parity_compare.mjs TOLERANCE NATIVE_BINARY WASM_JS ARGS...
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [tolText, nativeBin, wasmJs, ...args] = process.argv.slice(2);
const tolerance = Number(tolText);
if (!(tolerance >= 0) || !nativeBin || !wasmJs || args.length === 0) {
  console.error('usage: node parity_compare.mjs TOLERANCE NATIVE_BINARY WASM_JS ARGS...');
  process.exit(2);
}
for (const [what, path, hint] of [
  ['native parity_dump', nativeBin, 'build the native tree first (bash tools/build.sh) or point -DVAE_NATIVE_BUILD_DIR at it'],
  ['wasm parity_dump', wasmJs, 'build the web tree (bash tools/build_web.sh)'],
  ['weights file', args[1], 'train it (tools/run.sh) or set -DVAE_PARITY_WEIGHTS=PATH'],
]) {
  if (path !== undefined && !existsSync(path)) {
    console.error(`FAIL: ${what} not found at ${path}: ${hint}`);
    process.exit(1);
  }
}

// The program's standard output goes to a file, not a pipe: the two-thread WebAssembly build's node
// (worker threads) leaves a pipe non-blocking, and writes that meet a full pipe lost line breaks.
function run(label, command, commandArgs) {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'vae-parity-'));
  const fd = openSync(join(dir, 'out'), 'w');
  const r = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  const stdout = readFileSync(join(dir, 'out'), 'utf8');
  rmSync(dir, { recursive: true });
  if (r.error || r.status !== 0) {
    console.error(`FAIL: ${label} (${command} ${commandArgs.join(' ')}) exited ${r.status}: ${r.error ?? r.stderr}`);
    process.exit(1);
  }
  const values = stdout.trim().split('\n').map(Number);
  if (values.some(Number.isNaN)) {
    console.error(`FAIL: ${label} printed something that is not a number`);
    process.exit(1);
  }
  console.log(`${label}: ${values.length} numbers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return values;
}

const native = run('native', nativeBin, args);
const wasm = run('wasm', process.execPath, ['--no-experimental-fetch', wasmJs, ...args]);
if (native.length !== wasm.length || native.length === 0) {
  console.error(`FAIL: native printed ${native.length} numbers, wasm ${wasm.length}`);
  process.exit(1);
}
let maxDiff = 0, at = 0, maxScaled = 0, worst = 0;
for (let i = 0; i < native.length; ++i) {
  const d = Math.abs(native[i] - wasm[i]);
  if (d > maxDiff) [maxDiff, at] = [d, i];
  const scaled = d / Math.max(1, Math.abs(native[i]));
  if (!(scaled <= maxScaled)) [maxScaled, worst] = [scaled, i];
}
console.log(`max |native - wasm| = ${maxDiff.toExponential(3)} (line ${at + 1}: native ${native[at]}, ` +
            `wasm ${wasm[at]}); max |native - wasm| / max(1, |native|) = ${maxScaled.toExponential(3)} ` +
            `(line ${worst + 1}); tolerance ${tolerance}`);
if (!(maxScaled <= tolerance)) {
  console.error(`FAIL: |native - wasm| / max(1, |native|) = ${maxScaled} at line ${worst + 1} exceeds ${tolerance}`);
  process.exit(1);
}
console.log('PASS');
