// The page's two builds in headless Chromium. Served with the cross-origin isolation headers (as
// web/serve.mjs serves it) the page loads vae-app-mt and trains on two threads of its own while the
// frames go on, within the frame budget; served without them (a static host) it loads the
// single-thread vae-app, says so, and trains in its frames. Both: the ELBO improves, pausing keeps
// every step, no console error or warning; each build's module (.wasm + .js, + the pthreads' worker
// script) is at most 1.1 MB.
//   node tests/web/threads.mjs [--site build-web/site] [--artifacts build-web/e2e-artifacts]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { checker, click, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv);
const { check, finish } = checker('web.threads');
// Training's share of the main thread's work per frame: the single-thread build spends the Train
// panel's budget (10 ms by default) on steps in every frame; on its own threads training must cost
// the frame a tenth of that at most (taking the newest parameters and the steps' figures).
const TRAIN_FRAME_BUDGET_MS = 1;
// 1 MiB until the learning views (one step in slow motion, the true posterior and the fitted q, the
// weights, the holes in the prior: about 75 KB of code, 8%); 1.1 MB since
const MODULE_LIMIT = 1.1e6;

async function trainSome(page, name) {
  let s = await waitFor(page, 'the training images', (x) => x.data.train === 60000, 60000);
  await click(page, s.rects.views[2]);
  s = await waitFor(page, 'the Train & compare view', (x) => x.view === 'Train & compare' && x.rects.train_start[2] > 0, 5000);
  await click(page, s.rects.train_reset);  // from random weights, so the ELBO has room to improve
  s = await waitFor(page, 'new random weights', (x) => x.model.source.startsWith('new random weights'), 5000);
  await click(page, s.rects.train_start);
  s = await waitFor(page, 'training to start', (x) => x.train.running, 5000);
  const f0 = s.frame, t0 = Date.now();
  s = await waitFor(page, '60 training steps', (x) => x.train.steps >= 60, 90000);
  await page.waitForTimeout(2000);  // the frame figures below cover training alone
  s = await state(page);
  const fps = (s.frame - f0) / ((Date.now() - t0) / 1000);
  await click(page, s.rects.train_start);
  const paused = await waitFor(page, 'training to pause', (x) => !x.train.running, 5000);
  check(`${name}: trained, and the ELBO improved`, paused.train.elbo_last > paused.train.elbo_first + 50,
        `${paused.train.steps} steps, ${paused.train.elbo_first.toFixed(1)} -> ${paused.train.elbo_last.toFixed(1)} nats, ` +
        `${paused.train.samples_per_s.toFixed(0)} samples/s while stepping`);
  check(`${name}: pausing kept every step on the plot`, paused.train.curve === paused.train.steps,
        `${paused.train.curve} points, ${paused.train.steps} steps`);
  await page.waitForTimeout(500);
  const after = await state(page);
  check(`${name}: paused means paused`, after.train.steps === paused.train.steps, `${paused.train.steps} -> ${after.train.steps}`);
  return { fps, frame_ms: s.frame_ms };
}

for (const isolated of [true, false]) {
  const name = isolated ? 'isolated (two threads)' : 'static host (one thread)';
  const app = await start(args, { isolated });
  try {
    await app.page.goto(app.url);
    await app.page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.started, null, { timeout: 30000 });
    const build = await app.page.evaluate(() => vaeApp.build);
    const coi = await app.page.evaluate(() => self.crossOriginIsolated);
    let s = await waitFor(app.page, 'the first digits', (x) => x.first_digits, 30000);
    check(`${name}: the page picked its build`, coi === isolated && build === (isolated ? 'vae-app-mt' : 'vae-app') &&
          s.train.threads === (isolated ? 2 : 1), `crossOriginIsolated ${coi}, ${build}, training threads ${s.train.threads}`);
    check(`${name}: the status line shows the threads`, s.rects.threads[2] > 0 && s.rects.threads[0] < s.rects.status[0],
          JSON.stringify({ threads: s.rects.threads, status: s.rects.status }));
    // the training benchmark asks for what the build has: 2 threads only where there are
    const refused = await app.page.evaluate(() => Module._vae_bench_train_start(50, 2, 3));
    const two = await app.page.evaluate(() => Module._vae_bench_train_start(50, 2, 2));
    if (isolated) {
      let v = -1;
      for (const end = Date.now() + 60000; v < 0 && Date.now() < end;) {
        await app.page.waitForTimeout(50);
        v = await app.page.evaluate(() => Module._vae_bench_train_result());
      }
      check(`${name}: the training benchmark runs on 2 threads`, refused === 0 && two === 1 && v > 0, `${v.toFixed(0)} samples/s`);
    } else {
      check(`${name}: no 2-thread benchmark in the single-thread build`, refused === 0 && two === 0, `start returned ${two}`);
    }
    const t = await trainSome(app.page, name);
    const frames = `training's part of the frame p50 ${t.frame_ms.train_p50.toFixed(2)} ms, p95 ${t.frame_ms.train_p95.toFixed(2)} ms; ` +
                   `the whole frame's work p50 ${t.frame_ms.p50.toFixed(1)} ms, p95 ${t.frame_ms.p95.toFixed(1)} ms; ${t.fps.toFixed(1)} frames/s`;
    if (isolated)
      check(`${name}: the frames go on while training, training's part within ${TRAIN_FRAME_BUDGET_MS} ms`,
            t.frame_ms.train_p95 <= TRAIN_FRAME_BUDGET_MS && t.fps > 1, frames);
    else
      check(`${name}: the frames go on while training (steps in each frame)`, t.fps > 1 && t.frame_ms.train_p95 > 0, frames);
    const files = isolated ? ['vae-app-mt.wasm', 'vae-app-mt.js', 'vae-app-mt.worker.js'] : ['vae-app.wasm', 'vae-app.js'];
    const bytes = files.reduce((a, f) => a + statSync(join(args.site, f)).size, 0);
    check(`${name}: the module is at most 1.1 MB`, bytes <= MODULE_LIMIT, `${files.join(' + ')} = ${bytes} bytes`);
    check(`${name}: no console error or warning`, app.errors.length === 0, app.errors.join(' | '));
  } finally {
    await app.close();
  }
}
finish();
