// How the model learns, in headless Chromium: one training step in slow motion opened by a link at a
// stage, its codes and the two forces on each against the native core's on the same batch and eps
// (tests/cli/step_check), the update applied at the last stage and taken back by Back, beta scaling
// the pull; the true posterior and q fitted to one image against `vae-eval --image N --posterior
// --fit-q`; the weights as pictures redrawn by an update; the decoder as a distribution; the new
// views at 1280x800 and 1920x1080 with no console error.
//   node tests/web/learning.mjs --site build-web/site --artifacts DIR --native build
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { allClose, checker, click, close, frames, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv, { native: 'build' });
const { check, finish } = checker('web.learning');
const shot = (page, name) => page.screenshot({ path: join(args.artifacts, name) });
const weights = join(args.site, 'weights', 'mnist-z2.safetensors');

function native(program, argv, input) {
  const r = spawnSync(program, argv, { encoding: 'utf8', input, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${program} ${argv.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function open(page, url, hash, what, pred) {
  await page.goto(`${url}${hash}`);
  await page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 60000 });
  return waitFor(page, what, pred, 90000);
}

// #view=step&step=backward: the batch at the backward stage; its numbers are the core's
async function stepAtBackward(page, url) {
  let s = await open(page, url, '#model=mnist-z2&view=step&step=backward', 'the step at its backward stage',
                     (x) => x.model.name === 'mnist-z2' && x.step.active && x.step.stage === 'backward');
  const st = s.step, B = st.batch, Z = 2;
  check('step=backward opens the One step view at that stage with a batch of 12', s.view === 'One step' && B === 12 &&
        st.images.length === 12 && !st.updated, `${s.view}, batch ${B}, updated ${st.updated}`);
  const z = st.mu.map((m, i) => m + st.sigma[i] * st.eps[i]);
  check('each code is z = mu + sigma * eps', allClose(st.z, z, 1e-5));
  check('the KL\'s pull on each code is -beta mu', allClose(st.grad_mu_kl, st.mu.map((m) => -st.beta * m), 1e-6) && st.beta === 1,
        `beta ${st.beta}`);
  const n = native(join(args.native, 'tests', 'step_check'), [weights], JSON.stringify({ x: st.x, eps: st.eps, beta: st.beta, batch: B }));
  check('mu and sigma are the native core\'s for the same batch', allClose(st.mu, n.mu, 1e-4) && allClose(st.sigma, n.sigma, 1e-4));
  check('the reconstruction push on each code is the native core\'s backward pass on the same batch and eps',
        allClose(st.grad_mu_recon, n.grad_mu_recon, 2e-3),
        `page ${st.grad_mu_recon.slice(0, 4).map((v) => v.toFixed(3))}, native ${n.grad_mu_recon.slice(0, 4).map((v) => v.toFixed(3))}`);
  check('each image\'s log p(x|z) and KL are the native core\'s', allClose(st.recon, n.recon, 1e-4) && allClose(st.kl, n.kl, 1e-4));
  check('the push is not zero: the decoder pulls codes somewhere',
        st.grad_mu_recon.reduce((a, v) => a + Math.abs(v), 0) / (B * Z) > 1e-3);
  check('the step\'s diagram has its boxes on the screen', s.rects.step_boxes.length >= 9 && s.rects.step_codes[2] > 100,
        `${s.rects.step_boxes.length} boxes, codes plot ${Math.round(s.rects.step_codes[2])} px`);
  await frames(page, 4);
  await shot(page, '40-step-backward-1280x800.png');
  return s;
}

async function updateAndBack(page) {
  let s = await state(page);
  const weightsBefore = s.weights.checksum, steps = s.train.steps;
  await click(page, s.rects.step_next);
  s = await waitFor(page, 'the update stage', (x) => x.step.stage === 'update' && x.step.updated);
  const moved = s.step.mu_after.some((v, i) => Math.abs(v - s.step.mu[i]) > 1e-6);
  check('Next from backward applies the update: one more training step, the codes re-encoded move',
        s.train.steps === steps + 1 && moved, `steps ${steps} -> ${s.train.steps}`);
  const run = s.train.runs[s.train.runs.length - 1];
  check('the step starts a labelled trace in the rate-distortion plot', run && run.label.startsWith('β 1.00') && run.points === 1 &&
        close(run.last[1], s.step.loss.kl, 1e-4), JSON.stringify(run));
  s = await waitFor(page, 'the weights redrawn', (x) => x.weights.version === x.model.version, 10000).catch(() => state(page));
  check('the weights view redraws the updated weights', s.weights.checksum !== weightsBefore,
        `checksum ${weightsBefore} -> ${s.weights.checksum}`);
  await frames(page, 4);
  await shot(page, '41-step-update-1280x800.png');
  await click(page, s.rects.step_back);
  s = await waitFor(page, 'back at backward', (x) => x.step.stage === 'backward');
  check('Back from the update restores the weights and the step count', s.train.steps === steps && !s.step.updated,
        `steps ${s.train.steps}`);
  s = await waitFor(page, 'the weights redrawn', (x) => x.weights.version === x.model.version, 10000).catch(() => state(page));
  check('... and the weights view shows them as they were', s.weights.checksum === weightsBefore);
}

async function betaScalesThePull(page, url) {
  const s = await open(page, url, '#model=mnist-z2&view=step&step=backward&beta=3', 'the step with beta 3',
                       (x) => x.step.active && x.step.stage === 'backward' && x.step.beta === 3);
  const st = s.step;
  check('beta=3 in the link makes the pull -3 mu, the push unchanged in kind',
        allClose(st.grad_mu_kl, st.mu.map((m) => -3 * m), 1e-6), `first pull ${st.grad_mu_kl[0].toFixed(3)}, mu ${st.mu[0].toFixed(3)}`);
}

async function stagesFromLinks(page, url) {
  for (const stage of ['encode', 'eps', 'decode', 'cost']) {
    const s = await open(page, url, `#model=mnist-z2&view=step&step=${stage}`, `the step at ${stage}`,
                         (x) => x.step.active && x.step.stage === stage);
    check(`step=${stage} pauses the walk at that stage, nothing updated`, !s.step.updated && s.train.steps === 0 &&
          s.link.includes(`step=${stage}`), s.link);
    if (stage === 'eps') await shot(page, '42-step-eps-1280x800.png');
  }
}

// #digit=3&posterior=1&fitq=1: the grid and the fitted q are vae-eval's
async function posteriorAndFit(page, url) {
  const s = await open(page, url, '#model=mnist-z2&digit=3&posterior=1&fitq=1', 'the posterior and the fitted q',
                       (x) => x.model.name === 'mnist-z2' && x.posterior.ready && x.fit_q.done);
  const n = native(join(args.native, 'vae-eval'), [weights, '--image', '3', '--posterior', '--fit-q']);
  const p = s.posterior, f = s.fit_q;
  check('the posterior grid\'s extent, mean, covariance and log p(x) are vae-eval --posterior\'s',
        allClose(p.extent, n.posterior.extent, 1e-4) && allClose(p.mean, n.posterior.mean, 1e-3) &&
        allClose(p.cov.flat(), n.posterior.cov.flat(), 1e-3) && close(p.log_px, n.posterior.log_px, 1e-3),
        `page mean ${p.mean.map((v) => v.toFixed(4))} log p(x) ${p.log_px.toFixed(3)}; native ${n.posterior.mean.map((v) => v.toFixed(4))} ${n.posterior.log_px.toFixed(3)}`);
  check('its mass sums to 1 and the importance weights too', close(p.mass_sum, 1, 1e-4) && close(p.weight_sum, 1, 1e-4) &&
        p.samples === 200);
  check('the fitted ELBO is never below the encoder\'s nor above log p(x)',
        f.elbo_encoder <= f.elbo_fit && f.elbo_fit <= f.log_px,
        `${f.elbo_encoder.toFixed(3)} <= ${f.elbo_fit.toFixed(3)} <= ${f.log_px.toFixed(3)}`);
  check('the fitted q and the gap split are vae-eval --fit-q\'s', close(f.elbo_encoder, n.fit_q.elbo_encoder, 1e-5) &&
        close(f.elbo_fit, n.fit_q.elbo_fit, 2e-4) && close(f.log_px, n.fit_q.log_px, 2e-4) &&
        allClose(f.mu, n.fit_q.mu, 2e-3),
        `page ${f.amortization_gap.toFixed(3)} + ${f.approximation_gap.toFixed(3)}, native ${n.fit_q.amortization_gap.toFixed(3)} + ${n.fit_q.approximation_gap.toFixed(3)}`);
  check('the two gaps add up to log p(x) - ELBO of the encoder\'s q',
        close(f.amortization_gap + f.approximation_gap, f.log_px - f.elbo_encoder, 1e-9));
  check('the link says posterior=1 and fitq=1', s.link.includes('posterior=1') && s.link.includes('fitq=1'), s.link);
  await frames(page, 3);
  await shot(page, '43-posterior-fitq-1280x800.png');
}

// decoder=sample: the sample grid shows draws x ~ p(x|z): every pixel black or white
async function decoderAsDistribution(page, url) {
  let s = await open(page, url, '#model=mnist-z2&view=explore&decoder=sample', 'samples as draws',
                     (x) => x.model.name === 'mnist-z2' && x.decoder === 'sample' && x.sample_version >= 0);
  await frames(page, 3);
  s = await state(page);
  check('decoder=sample draws the pixels: no grey in the grid', s.sample_grey === 0, `grey share ${s.sample_grey}`);
  await shot(page, '44-decoder-sample-1280x800.png');
  await click(page, s.rects.decoder_sample);
  s = await waitFor(page, 'the mean again', (x) => x.decoder === 'mean' && x.sample_grey > 0.01);
  check('the toggle goes back to the mean image (grey levels)', s.sample_grey > 0.01, `grey share ${s.sample_grey.toFixed(3)}`);
}

// holes=1: the autoencoder leaves most of the prior's bulk in holes, the VAE little of it
async function holes(page, url) {
  const share = {};
  for (const model of ['mnist-ae-z2', 'mnist-z2']) {
    const s = await open(page, url, `#model=${model}&view=explore&holes=1`, `${model}'s holes`,
                         (x) => x.model.name === model && x.holes.on && x.holes.ready && x.holes.version === x.model.version);
    await frames(page, 4);
    share[model] = (await state(page)).holes.share;
    if (model === 'mnist-ae-z2') await shot(page, '46-holes-1280x800.png');
  }
  check('the autoencoder leaves far more of the prior in holes than the VAE', share['mnist-ae-z2'] > 0.5 &&
        share['mnist-z2'] < 0.2, `mnist-ae-z2 ${(100 * share['mnist-ae-z2']).toFixed(1)}%, mnist-z2 ${(100 * share['mnist-z2']).toFixed(1)}%`);
}

async function largeScreen() {
  const app = await start(args, { viewport: { width: 1920, height: 1080 } });
  try {
    for (const [hash, name, pred] of [
      ['#model=mnist-z2&view=step&step=backward', 'step-backward', (x) => x.step.stage === 'backward'],
      ['#model=mnist-z2&view=step&step=update', 'step-update', (x) => x.step.stage === 'update'],
      ['#model=mnist-z2&digit=3&posterior=1&fitq=1', 'posterior-fitq', (x) => x.fit_q.done]]) {
      const s = await open(app.page, app.url, hash, name, (x) => x.model.name === 'mnist-z2' && pred(x));
      await frames(app.page, 4);
      const over = s.overflow.map((o, i) => [i, o]).filter(([, o]) => o[0] > 1 || o[1] > 1);
      check(`1920x1080, ${name}: every panel's content fits`, over.length === 0, JSON.stringify(over));
      await shot(app.page, `45-${name}-1920x1080.png`);
    }
    check('1920x1080: no console error or warning', app.errors.length === 0, app.errors.join(' | '));
  } finally {
    await app.close();
  }
}

const app = await start(args);
try {
  await stepAtBackward(app.page, app.url);
  await updateAndBack(app.page);
  await betaScalesThePull(app.page, app.url);
  await stagesFromLinks(app.page, app.url);
  await posteriorAndFit(app.page, app.url);
  await decoderAsDistribution(app.page, app.url);
  await holes(app.page, app.url);
  const s = await state(app.page);
  const over = s.overflow.map((o, i) => [i, o]).filter(([, o]) => o[0] > 1 || o[1] > 1);
  check('1280x800: every panel\'s content fits', over.length === 0, JSON.stringify(over));
  check('1280x800: no console error or warning', app.errors.length === 0, app.errors.join(' | '));
} catch (e) {
  check('the learning views ran to the end', false, e.stack.slice(0, 1500));
} finally {
  await app.close();
}
await largeScreen();
finish();
