// Browser benchmarks of the page in headless Chromium, printed as JSON: decoded images/s (one
// thread, batch 256), training samples/s (batch 100), the 16x16 latent-map redraw (decode, tiles,
// texture upload), navigation to first digits, and the module's size. The exported C++ functions
// (src/app/web_api.cpp) run inside the page, so this is the wasm build as a visitor runs it. The
// figures are for the shipped comparison model mnist-z20; first digits for the page's default model.
//   node tests/web/bench.mjs [--site build-web/site] [--artifacts build-web/e2e-artifacts]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, start, waitFor } from './harness.mjs';

const args = parseArgs(process.argv);
const app = await start(args);
const page = app.page;
const out = {};
try {
  // the first page of a fresh browser pays once for the browser's WebGL start: open it twice
  const open = async (query) => {
    await page.goto(app.url + query);
    await page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 30000 });
    return page.evaluate(() => vaeApp.firstDigitsMs);
  };
  out.first_digits_ms_fresh_browser = Math.round(await open(''));
  const runs = [];
  for (let i = 0; i < 3; ++i) runs.push(await open(`?run=${i}`));
  out.first_digits_ms = Math.round(runs.sort((a, b) => a - b)[1]);  // median of 3
  out.first_digits_ms_runs = runs.map(Math.round);
  await waitFor(page, 'the training set', (s) => s.data.train === 60000, 60000);
  out.data_loaded_ms = Math.round(await page.evaluate(() => vaeApp.dataLoadedMs));
  // the figures are for the comparison model (784-400-20-400-784), whichever model the page opens with
  await page.evaluate(() => vaeApp.fetchModel('weights/mnist-z20.safetensors'));
  await waitFor(page, 'the comparison model mnist-z20', (s) => s.model.name === 'mnist-z20');
  // each figure: the best of a few runs, after a warm-up (the browser compiles hot wasm code again, optimized)
  const best = (expr, reps, better) => page.evaluate(([expr, reps, better]) => {
    const values = [];
    for (let i = 0; i < reps; ++i) values.push(eval(expr));
    return better === 'max' ? Math.max(...values.slice(1)) : Math.min(...values.slice(1));
  }, [expr, reps, better]);
  out.decode_images_per_s = Math.round(await best('Module._vae_bench_decode(256, 20)', 5, 'max'));
  out.train_samples_per_s = Math.round(await best('Module._vae_bench_train(100, 20)', 4, 'max'));
  out.latent_map_16x16_ms = +(await best('Module._vae_bench_map(16, 10)', 5, 'min')).toFixed(2);
  const size = (f) => statSync(join(args.site, f)).size;
  out.wasm_bytes = size('vae-app.wasm');
  out.js_bytes = size('vae-app.js');
  out.wasm_plus_js_bytes = out.wasm_bytes + out.js_bytes;
  out.model = (await page.evaluate(() => vaeApp.state())).model.config;
  out.browser = await app.browser.version();
} finally {
  await app.close();
}
console.log(JSON.stringify(out, null, 1));
