// Browser benchmarks of the page in headless Chromium, both builds in one run, printed as JSON:
// served with the cross-origin isolation headers (the two-thread build vae-app-mt) and without them
// (the single-thread vae-app), each: navigation to first digits, decoded images/s (one thread,
// batch 256), training samples/s of the core's step (batch 100; on 1 and, where there are, 2
// threads), the page's own training as a visitor runs it (Start pressed: samples/s of wall time and
// the main thread's work per frame meanwhile), the 16x16 latent-map redraw, and the module's size.
// The exported C++ functions (src/app/web_exports.cpp) run inside the page. The figures are for the
// shipped comparison model mnist-z20; first digits for the page's default model.
//   node tests/web/bench.mjs [--site build-web/site] [--artifacts build-web/e2e-artifacts] [--seconds 8]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { click, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv, { seconds: '8' });
const seconds = Number(args.seconds);

// The core's training step in the page, `threads` for its batch blocks: the best of `reps` runs
// after a warm-up run (the browser compiles hot wasm code again, optimized). The run is started, then
// polled, with the page's frames paused meanwhile (the single-thread build's run blocks its frames
// anyway; in the two-thread build it runs on the training thread).
async function trainBench(page, threads, reps = 4) {
  const values = [];
  await page.evaluate(() => Module.pauseMainLoop());
  for (let i = 0; i < reps; ++i) {
    const started = await page.evaluate((t) => Module._vae_bench_train_start(100, 100, t), threads);
    if (!started) throw new Error(`the training benchmark did not start (threads ${threads})`);
    // polled inside the page (a look every 50 ms), not over the DevTools protocol, whose round trips
    // take time from the two cores the run is measured on
    const v = await page.evaluate(() => new Promise((resolve) => {
      const end = Date.now() + 120000;
      const look = () => {
        const r = Module._vae_bench_train_result();
        if (r >= 0 || Date.now() > end) resolve(r);
        else setTimeout(look, 50);
      };
      look();
    }));
    values.push(v);
  }
  await page.evaluate(() => Module.resumeMainLoop());
  return Math.round(Math.max(...values.slice(1)));
}

async function measure(isolated) {
  const app = await start(args, { isolated });
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
    out.build = await page.evaluate(() => vaeApp.build);
    out.cross_origin_isolated = await page.evaluate(() => self.crossOriginIsolated);
    await waitFor(page, 'the training set', (s) => s.data.train === 60000, 60000);
    out.data_loaded_ms = Math.round(await page.evaluate(() => vaeApp.dataLoadedMs));
    // the figures are for the comparison model (784-400-20-400-784), whichever model the page opens with
    await page.evaluate(() => vaeApp.fetchModel('weights/mnist-z20.safetensors'));
    let s = await waitFor(page, 'the comparison model mnist-z20', (x) => x.model.name === 'mnist-z20');
    out.training_threads = s.train.threads;
    const best = (expr, reps, better) => page.evaluate(([expr, reps, better]) => {
      const values = [];
      for (let i = 0; i < reps; ++i) values.push(eval(expr));
      return better === 'max' ? Math.max(...values.slice(1)) : Math.min(...values.slice(1));
    }, [expr, reps, better]);
    out.decode_images_per_s = Math.round(await best('Module._vae_bench_decode(256, 20)', 5, 'max'));
    out.train_step_samples_per_s_1_thread = await trainBench(page, 1);
    if (s.train.threads > 1) out.train_step_samples_per_s_2_threads = await trainBench(page, 2);
    out.latent_map_16x16_ms = +(await best('Module._vae_bench_map(16, 10)', 5, 'min')).toFixed(2);

    // the page's own training (the Train panel's Start), as a visitor runs it: wall-time samples/s,
    // the main thread's work per frame (the app's frame_ms) and the gaps between animation frames
    await click(page, s.rects.views[2]);
    s = await waitFor(page, 'the Train & compare view', (x) => x.view === 'Train & compare' && x.rects.train_start[2] > 0, 5000);
    await click(page, s.rects.train_start);
    s = await waitFor(page, 'training to start', (x) => x.train.running && x.train.steps > 0, 20000);
    await page.waitForTimeout(1000);  // past the first steps
    const s0 = await state(page), t0 = Date.now();
    const gaps = await page.evaluate((ms) => new Promise((done) => {
      const gaps = [];
      let last = performance.now();
      const end = last + ms;
      const tick = (now) => {
        gaps.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick); else done(gaps);
      };
      requestAnimationFrame(tick);
    }), seconds * 1000);
    const s1 = await state(page), elapsed = (Date.now() - t0) / 1000;
    await click(page, s1.rects.train_start);  // Pause
    await waitFor(page, 'training to pause', (x) => !x.train.running, 10000);
    gaps.sort((a, b) => a - b);
    out.page_training = {
      samples_per_s: Math.round((s1.train.steps - s0.train.steps) * s1.train.batch / elapsed),
      steps: s1.train.steps - s0.train.steps, seconds: +elapsed.toFixed(1),
      frame_work_ms: s1.frame_ms,  // the last 120 frames' work on the main thread
      frame_gap_ms: { frames: gaps.length, p50: +gaps[gaps.length >> 1].toFixed(1),
                      p95: +gaps[Math.floor(gaps.length * 0.95)].toFixed(1), max: +gaps[gaps.length - 1].toFixed(1) },
    };
    const size = (f) => statSync(join(args.site, f)).size;
    const files = out.build === 'vae-app-mt' ? ['vae-app-mt.wasm', 'vae-app-mt.js', 'vae-app-mt.worker.js']
                                             : ['vae-app.wasm', 'vae-app.js'];
    out.module_bytes = Object.fromEntries(files.map((f) => [f, size(f)]));
    out.module_total_bytes = files.reduce((a, f) => a + size(f), 0);
    out.console_errors = app.errors;
    out.model = s1.model.config;
    out.browser = await app.browser.version();
  } finally {
    await app.close();
  }
  return out;
}

const single = await measure(false);
const threads = await measure(true);
const ratio = (a, b) => +(a / b).toFixed(2);
console.log(JSON.stringify({
  single_thread_build: single,
  two_thread_build: threads,
  ratios: {
    train_step_2_threads_vs_single_build: ratio(threads.train_step_samples_per_s_2_threads, single.train_step_samples_per_s_1_thread),
    page_training_2_threads_vs_single_build: ratio(threads.page_training.samples_per_s, single.page_training.samples_per_s),
  },
}, null, 1));
