// The README's pictures: the page in headless Chromium (tests/web/harness.mjs), each idea's view set up
// as a learner would, saved to web/teach-*.png (whole page or one panel); the page on a 1920x1080
// screen (web/screenshot.png), the Z = 2 manifold (web/screenshot-manifold.png) and a step of the tour
// (web/tour.png).
//   node tools/screenshot_page_docs.mjs [--site build-web/site] [--artifacts web]      (tools/screenshot_page_docs.sh)
import { join } from 'node:path';
import { click, drag, frames, parseArgs, start, state, waitFor } from '../tests/web/harness.mjs';

const args = parseArgs(process.argv, { artifacts: join(process.cwd(), 'web') });
const kPanel = { sample: 0, interpolate: 1, map: 2, input: 3, train: 4, model: 5, encoder: 6, reparam: 7, elbo: 8, compare: 9 };

async function save(page, name, panels) {
  await page.mouse.move(2, 2);
  await frames(page, 4);
  const s = await state(page);
  let clip;
  if (panels) {
    const rects = panels.map((p) => s.rects.panels[kPanel[p]]);
    const x0 = Math.min(...rects.map((r) => r[0])), y0 = Math.min(...rects.map((r) => r[1]));
    const x1 = Math.max(...rects.map((r) => r[0] + r[2])), y1 = Math.max(...rects.map((r) => r[1] + r[3]));
    clip = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }
  await page.screenshot({ path: join(args.artifacts, name), clip });
  console.log(`wrote ${join(args.artifacts, name)}`);
}

const app = await start(args);
const page = app.page;
try {
  // q(z|x), eps and the ELBO of test image 4 under the Z = 2 model: the whole view, then panels
  await page.goto(`${app.url}#model=mnist-z2&digit=4`);
  await waitFor(page, 'test image 4', (x) => x.model.name === 'mnist-z2' && x.one_image.ready && x.one_image.k >= 5000 &&
                x.map.points_ready, 60000);
  await click(page, (await state(page)).rects.draw_eps);
  await waitFor(page, 'log p(x)', (x) => x.one_image.k >= 5000, 30000);
  await save(page, 'teach-inside.png');
  await save(page, 'teach-encoder.png', ['encoder']);
  await save(page, 'teach-reparam.png', ['reparam']);
  await save(page, 'teach-elbo.png', ['elbo']);
  // a small digit in a corner, prepared as MNIST's were, read by the default model
  await page.evaluate(() => { location.hash = '#model=mnist-best&view=inside'; });
  let s = await waitFor(page, 'mnist-best', (x) => x.model.name === 'mnist-best' && x.one_image.ready, 30000);
  const pad = s.rects.draw_pad, at = (u, v) => ({ x: pad[0] + pad[2] * u, y: pad[1] + pad[3] * v });
  // a 7: the bar, then the stroke down
  await drag(page, at(0.1, 0.08), at(0.32, 0.08), 8);
  await drag(page, at(0.32, 0.08), at(0.17, 0.44), 10);
  await waitFor(page, 'the drawing', (x) => x.one_image.source === 'drawing' && x.one_image.ready, 10000);
  await save(page, 'teach-prepare.png', ['input']);
  // autoencoder vs VAE, the shipped pair
  await click(page, s.rects.views[2]);
  await waitFor(page, 'the shipped pair', (x) => x.data.train === 60000 &&
                x.compare.sides.every((d) => d.has_model && d.codes > 0 && d.drawn_version === d.version), 60000);
  await save(page, 'teach-compare.png', ['compare']);
  // training shows both terms: a fresh model of mnist-z20's shape (Z = 20) for 30 seconds
  await page.evaluate(() => { location.hash = '#model=mnist-z20&view=train'; });
  s = await waitFor(page, 'mnist-z20', (x) => x.model.name === 'mnist-z20', 30000);
  await click(page, s.rects.train_reset);
  s = await state(page);
  await click(page, s.rects.train_start);
  await page.waitForTimeout(30000);
  await click(page, s.rects.train_start);
  await waitFor(page, 'paused', (x) => !x.train.running && x.train.active_points > 2, 20000);
  await save(page, 'teach-train.png', ['train']);
  // the Z = 2 model's whole latent space, the map focused
  await page.evaluate(() => { location.hash = '#model=mnist-z2&view=explore&cdf=1&tiles=16&focus=map'; });
  await throwAwayIfAsked(page);
  await waitFor(page, 'mnist-z2', (x) => x.model.name === 'mnist-z2' && x.map.points_ready && x.display.focus === 2, 30000);
  await save(page, 'screenshot-manifold.png');
  // the tour, step 3: eps and the reparameterization trick
  await page.evaluate(() => { location.hash = '#focus=none'; });
  s = await state(page);
  await click(page, s.rects.tour);
  s = await waitFor(page, 'the tour', (x) => x.tour.step === 0 && x.model.name === 'mnist-best', 30000);
  for (let i = 1; i <= 2; ++i) {
    await click(page, s.rects.tour_next);
    s = await waitFor(page, `tour step ${i + 1}`, (x) => x.tour.step === i && x.model.name === 'mnist-z2' && x.one_image.ready, 30000);
  }
  await waitFor(page, 'log p(x)', (x) => x.one_image.k >= 5000, 30000);
  await save(page, 'tour.png');
} finally {
  await app.close();
}

// the page as a 1920x1080 screen shows it (the window the size of the screen)
const wide = await start(args, { viewport: { width: 1920, height: 1080 } });
try {
  await wide.page.goto(`${wide.url}#model=mnist-best&view=explore&digit=4&a=class:1.0&b=class:7.0&t=0.4`);
  await waitFor(wide.page, 'the page', (x) => x.data.test === 10000 && x.map.points_ready && x.one_image.ready, 60000);
  await save(wide.page, 'screenshot.png');
} finally {
  await wide.close();
}

// Answers the question before a model trained here is thrown away, if it was asked.
async function throwAwayIfAsked(p) {
  await frames(p, 2);
  if ((await state(p)).confirm === 0) return;
  const open = await waitFor(p, 'the question', (x) => x.rects.confirm_discard[2] > 0, 5000);
  await click(p, open.rects.confirm_discard);
  await waitFor(p, 'the question to close', (x) => x.confirm === 0, 5000);
}
