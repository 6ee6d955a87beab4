// The model family in headless Chromium: the shipped Gaussian-decoder models (Fashion-MNIST and
// MNIST: grey levels, their means drawn), the seed network (ELU, dropout, softplus sigma) and the
// IWAE-trained model open from a link and draw; their one-image figures are the core's, equal to
// what `vae-eval --image N` prints natively; a Gaussian model trains in the page on dequantized
// images, and Reset keeps its decoder.
//   node tests/web/family.mjs --site build-web/site --artifacts DIR --native build
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allClose, checker, click, close, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv, { native: 'build' });
const results = {};

const { check, finish } = checker('web.family');
let loads = 0;

// `vae-eval WEIGHTS --image N` of the native build.
function nativeFigures(name, dataset, image) {
  const weights = join(args.site, 'weights', `${name}.safetensors`);
  const r = spawnSync(join(args.native, 'vae-eval'), [weights, '--dataset', dataset, '--image', String(image)],
                      { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vae-eval ${name} --image ${image} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// A fresh page load of the link (a new document each time: the query string differs).
async function openLink(page, url, hash, what, pred, errors) {
  await page.goto(`${url}?load=${++loads}${hash}`);
  await page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 60000 })
    .catch((e) => { throw new Error(`the page did not start: ${e.message}; errors ${errors.join(' | ')}`); });
  return waitFor(page, what, pred, 90000);
}

// The one-image view of test image 3 under a shipped model: the page's figures are vae-eval's.
async function oneImage(page, url, errors, name, dataset, detail) {
  const s = await openLink(page, url, `#model=${name}&digit=3`, `${name} with test image 3 inspected`,
                           (x) => x.model.name === name && x.data.test === 10000 && x.one_image.ready &&
                                  x.one_image.k >= 5000, errors);
  await page.screenshot({ path: join(args.artifacts, `30-family-${name}.png`) });
  const o = s.one_image, n = nativeFigures(name, dataset, 3);
  results[name] = { config: s.model.config, page: { mu: o.mu, sigma: o.sigma, elbo: o.elbo, log_px: o.log_px }, native: n };
  check(`${name}: opens from a link on ${dataset}, its config read from the file (${detail})`,
        s.data.name === (dataset === 'fashion' ? 'fashion-mnist' : 'mnist') && !s.status_error && s.model.config.includes(detail),
        `${s.model.config}; data ${s.data.name}; ${s.status}`);
  check(`${name}: mu and sigma of test image 3 are vae-eval's`, allClose(o.mu, n.mu, 1e-5) && allClose(o.sigma, n.sigma, 1e-5),
        `page sigma ${o.sigma.slice(0, 3).map((v) => v.toFixed(5))}, native ${n.sigma.slice(0, 3).map((v) => v.toFixed(5))}`);
  check(`${name}: the reconstruction term, KL, ELBO and log p(x) are vae-eval's`,
        close(o.recon, n.recon, 1e-5) && close(o.kl, n.kl, 1e-5) && close(o.elbo, n.elbo, 1e-5) &&
        close(o.log_px, n.log_px, 1e-5) && o.k === n.k,
        `page ${o.recon.toFixed(3)} - ${o.kl.toFixed(3)} = ${o.elbo.toFixed(3)}, log p(x) ${o.log_px.toFixed(3)}; ` +
        `native ${n.recon.toFixed(3)} - ${n.kl.toFixed(3)} = ${n.elbo.toFixed(3)}, log p(x) ${n.log_px.toFixed(3)}`);
  check(`${name}: log p(x) >= ELBO and the pixel costs sum to -recon`, o.log_px >= o.elbo && close(o.pixel_cost_sum, -o.recon, 1e-4),
        `${o.log_px} vs ${o.elbo}`);
  // the sample grid is in the Explore view (the link above opens Inside one image)
  const e = await openLink(page, url, `#model=${name}&view=explore`, `${name}'s sample grid`,
                           (x) => x.model.name === name && x.sample.mean > 0, errors);
  check(`${name}: the sample grid draws the decoder's means`, e.sample.mean > 0.05, `mean ${e.sample.mean.toFixed(3)}`);
  return s;
}

async function gaussianInput(s, name) {
  // a Gaussian decoder reads the test image dequantized: grey levels (pixel + u) / 256, not bits
  const x = s.one_image.x, grey = x.filter((v) => v > 0.01 && v < 0.99).length;
  check(`${name}: the encoder reads the test image dequantized, (pixel + u) / 256 in [0, 1)`,
        x.length === 784 && x.every((v) => v >= 0 && v < 1) && grey > 20 && x.every((v) => v > 0),
        `${grey} grey pixels, min ${Math.min(...x).toFixed(5)}, max ${Math.max(...x).toFixed(5)}`);
  check(`${name}: the reconstruction term is a density (nats can be positive)`, s.one_image.recon > 0, `${s.one_image.recon}`);
}

// Training a Gaussian model in the page: steps of the core's Trainer on dequantized images, the loss
// close to the card's test ELBO (binarized inputs would give a very different figure), Reset keeping
// the Gaussian decoder.
async function trainGaussian(page, url, errors) {
  const name = 'mnist-gauss';
  let s = await openLink(page, url, `#model=${name}&view=train`, `${name} with the training images`,
                         (x) => x.model.name === name && x.data.train === 60000 && x.sample.mean > 0, errors);
  const card = Number((await page.evaluate(() => vaeApp.state())).models.find((m) => m.name === name).summary
    .match(/test ELBO (-?[0-9.]+)/)[1]);
  await click(page, s.rects.train_start);
  s = await waitFor(page, 'training to start', (x) => x.train.running, 5000);
  s = await waitFor(page, '30 training steps', (x) => x.train.steps >= 30, 90000);
  await click(page, s.rects.train_start);
  s = await waitFor(page, 'training to pause', (x) => !x.train.running, 5000);
  results.train = { ...s.train, card_test_elbo: card };
  check(`${name}: trains in the page, its batch ELBO near the card's test ELBO (dequantized images)`,
        s.train.steps >= 30 && Number.isFinite(s.train.elbo_last) && Math.abs(s.train.elbo_last - card) < 0.1 * Math.abs(card),
        `${s.train.steps} steps, batch ELBO ${s.train.elbo_first.toFixed(1)} -> ${s.train.elbo_last.toFixed(1)}, card ${card}`);
  check(`${name}: the samples are still drawn`, s.sample.mean > 0.05, `${s.sample.mean}`);
  await click(page, s.rects.train_reset);
  s = await waitFor(page, 'the question before Reset', (x) => x.confirm === 1 && x.rects.confirm_discard[2] > 0, 5000);
  await click(page, s.rects.confirm_discard);
  s = await waitFor(page, 'new random weights', (x) => x.model.source.startsWith('new random weights'), 5000);
  check('Reset on a Gaussian model makes a new Gaussian model', s.model.config.includes('gaussian decoder'), s.model.config);
}

const app = await start(args);
try {
  const fashion = await oneImage(app.page, app.url, app.errors, 'fashion-gauss', 'fashion', 'gaussian decoder');
  await gaussianInput(fashion, 'fashion-gauss');
  const mnist = await oneImage(app.page, app.url, app.errors, 'mnist-gauss', 'mnist', 'gaussian decoder');
  await gaussianInput(mnist, 'mnist-gauss');
  await oneImage(app.page, app.url, app.errors, 'mnist-seed', 'mnist', 'elu, sigma = softplus + 1e-6, dropout');
  await oneImage(app.page, app.url, app.errors, 'mnist-iwae', 'mnist', 'iwae k=');
  await trainGaussian(app.page, app.url, app.errors);
  check('no errors in the page', app.errors.length === 0, app.errors.join(' | '));
} catch (e) {
  check('test ran to the end', false, e.stack);
  await app.page.screenshot({ path: join(args.artifacts, 'family-failure.png') }).catch(() => {});
} finally {
  await app.close();
}
writeFileSync(join(args.artifacts, 'family-results.json'), JSON.stringify(results, null, 1));
finish();
