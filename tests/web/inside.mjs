// The VAE from the inside, in headless Chromium: a link opens a model with a test image inspected;
// the page's one-image figures (q(z|x), eps, z, the ELBO's terms, log p(x)) are the core's, equal to
// what `vae-eval --image N` prints natively; "draw eps" redraws eps and z but not q(z|x); the map
// draws q(z|x)'s ellipse around mu; log p(x) bounds the ELBO and tightens with k; a small drawing in
// a corner is read as its centred version; the autoencoder (beta = 0) vs VAE comparison, shipped and
// trained live; the KL weight control.
//   node tests/web/inside.mjs --site build-web/site --artifacts DIR --native build
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allClose, checker, click, close, drag, frames, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv, { native: 'build' });
const results = {};

const { check, finish } = checker('web.inside');
const shot = (page, name) => page.screenshot({ path: join(args.artifacts, name) });
const dist = (a, b) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

// The inspected test image's figures, once log p(x) has all its samples.
async function inspected(page, what, pred = () => true) {
  return waitFor(page, what, (x) => x.one_image.ready && x.one_image.k >= 5000 && pred(x), 60000);
}

// `vae-eval WEIGHTS --image N` of the native build: the same figures, computed outside the browser.
function nativeFigures(weights, image, epsSeed = 1) {
  const r = spawnSync(join(args.native, 'vae-eval'), [weights, '--image', String(image), '--eps-seed', String(epsSeed)],
                      { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vae-eval --image ${image} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function linkOpensModelAndDigit(page, url, errors) {
  await page.goto(`${url}#model=mnist-z2&digit=3`);
  await page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 60000 })
    .catch(async (e) => {
      const timeline = await page.evaluate(() => typeof vaeApp === 'undefined' ? null : vaeApp.timeline).catch(() => null);
      throw new Error(`the page did not start: ${e.message}; timeline ${JSON.stringify(timeline)}; errors ${errors.join(' | ')}`);
    });
  const s = await inspected(page, 'mnist-z2 with test image 3', (x) => x.model.name === 'mnist-z2');
  check('#model=mnist-z2&digit=3 opens that model with test image 3 inspected', s.model.name === 'mnist-z2' &&
        s.one_image.source === 'test' && s.one_image.test_index === 3 && s.view === 'Inside one image',
        `${s.model.name}, ${s.one_image.what}, view ${s.view}`);
  await frames(page, 3);
  await shot(page, '20-inside-mnist-z2-digit3.png');
  return s;
}

async function figuresAreTheCores(page, s) {
  const o = s.one_image;
  const n = nativeFigures(join(args.site, 'weights', 'mnist-z2.safetensors'), 3);
  results.native_image_3 = n;
  results.page_image_3 = { mu: o.mu, sigma: o.sigma, recon: o.recon, kl: o.kl, elbo: o.elbo, log_px: o.log_px, k: o.k };
  check('mu and sigma are the encoder\'s (vae-eval --image 3)', allClose(o.mu, n.mu, 1e-5) && allClose(o.sigma, n.sigma, 1e-5),
        `page mu ${o.mu.map((v) => v.toFixed(5))}, native ${n.mu.map((v) => v.toFixed(5))}`);
  check('the reconstruction term, KL, ELBO and log p(x) are vae-eval\'s', close(o.recon, n.recon, 1e-5) &&
        close(o.kl, n.kl, 1e-5) && close(o.elbo, n.elbo, 1e-5) && close(o.log_px, n.log_px, 1e-5) && o.k === n.k,
        `page ${o.recon.toFixed(4)} - ${o.kl.toFixed(4)} = ${o.elbo.toFixed(4)}, log p(x) ${o.log_px.toFixed(4)}; ` +
        `native ${n.recon.toFixed(4)} - ${n.kl.toFixed(4)} = ${n.elbo.toFixed(4)}, log p(x) ${n.log_px.toFixed(4)}`);
  check('eps and z of the first draw are vae-eval\'s', allClose(o.eps, n.eps, 1e-6) && allClose(o.z, n.z, 1e-5));
  // the closed form, from the reported mu and sigma: KL = 1/2 sum (mu^2 + sigma^2 - 1 - log sigma^2)
  const klClosed = o.mu.reduce((a, m, j) => a + 0.5 * (m * m + o.sigma[j] ** 2 - 1 - 2 * Math.log(o.sigma[j])), 0);
  check('kl is the closed form of mu and sigma, split per dimension', close(o.kl, klClosed, 1e-5) &&
        close(o.kl_per_dim.reduce((a, b) => a + b, 0), o.kl, 1e-5), `${o.kl} vs ${klClosed}`);
  check('elbo = recon - kl, recon <= 0, kl >= 0, and the pixel costs sum to -recon',
        close(o.elbo, o.recon - o.kl, 1e-9) && o.recon <= 0 && o.kl >= 0 && close(o.pixel_cost_sum, -o.recon, 1e-4),
        `${o.elbo} = ${o.recon} - ${o.kl}`);
  check('x is the 784 values the encoder read (the binarized test image)', o.x.length === 784 &&
        o.x.every((v) => v === 0 || v === 1) && o.x.some((v) => v === 1));
  check('log p(x) >= ELBO for this image', o.log_px >= o.elbo, `${o.log_px} vs ${o.elbo}`);
}

async function ellipseAroundMu(page) {
  const s = await state(page);
  const [cx, cy] = s.map.ellipse_centre, [mx, my] = s.map.mu_screen, m = s.rects.latent_map;
  check('the ellipse of q(z|x) is drawn centred on mu', Math.hypot(cx - mx, cy - my) < 3 && s.map.ellipse[2] > 0 &&
        mx > m[0] && mx < m[0] + m[2] && my > m[1] && my < m[1] + m[3],
        `ellipse centre (${cx.toFixed(1)}, ${cy.toFixed(1)}), mu at (${mx.toFixed(1)}, ${my.toFixed(1)})`);
}

async function drawEps(page) {
  const before = await state(page);
  await click(page, before.rects.draw_eps);
  const after = await waitFor(page, 'a new eps', (x) => x.one_image.eps_seed === before.one_image.eps_seed + 1 &&
                              x.one_image.ready, 10000);
  const a = after.one_image, b = before.one_image;
  check('"draw eps" changes eps, z and the image decoded from z', dist(a.eps, b.eps) > 0 && dist(a.z, b.z) > 0 &&
        a.decoded_z_checksum !== b.decoded_z_checksum && a.cloud_checksum !== b.cloud_checksum);
  check('"draw eps" leaves mu and sigma as they were', allClose(a.mu, b.mu, 0) && allClose(a.sigma, b.sigma, 0));
  check('z = mu + sigma * eps', a.z.every((z, j) => Math.abs(z - (a.mu[j] + a.sigma[j] * a.eps[j])) < 1e-5));
  const n = nativeFigures(join(args.site, 'weights', 'mnist-z2.safetensors'), 3, a.eps_seed);
  check(`draw #${a.eps_seed} is vae-eval --eps-seed ${a.eps_seed}'s`, allClose(a.eps, n.eps, 1e-6));
  await shot(page, '21-draw-eps.png');
}

// Over several test images: log p(x) >= ELBO on average, and the estimate rises with k.
async function boundTightens(page) {
  const rows = [];
  for (const digit of [0, 1, 2, 4, 5, 7]) {
    await page.evaluate((d) => { location.hash = `#digit=${d}`; }, digit);
    // (the figures describe the new image once its name is shown: test_index changes with the link,
    // the figures a frame later, and until then k and log_px_by_k are the last image's)
    const s = await inspected(page, `test image ${digit}`, (x) => x.one_image.test_index === digit &&
                              x.one_image.what.startsWith(`test image #${digit} `) && x.one_image.log_px_by_k.length >= 5);
    const byK = Object.fromEntries(s.one_image.log_px_by_k);
    rows.push({ digit, elbo: s.one_image.elbo, k1: byK[1], k100: byK[100], k5000: byK[5000] });
  }
  results.bound_by_k = rows;
  const m = (key) => mean(rows.map((r) => r[key]));
  check('log p(x) >= ELBO on average', m('k5000') > m('elbo'), `${m('k5000').toFixed(3)} vs ${m('elbo').toFixed(3)}`);
  check('the estimate tightens as k grows (mean over 6 images at k = 1, 100, 5000)', m('k1') < m('k100') && m('k100') < m('k5000'),
        `${m('k1').toFixed(3)} < ${m('k100').toFixed(3)} < ${m('k5000').toFixed(3)}`);
}

// The same stroke, large in the middle and small in a corner: prepared as MNIST, the encoder reads
// both alike; as drawn, the corner one is far off.
async function centring(page) {
  let s = await state(page);
  const pad = s.rects.draw_pad, at = (u, v) => ({ x: pad[0] + pad[2] * u, y: pad[1] + pad[3] * v });
  const stroke = async (x0, y0, x1, y1) => {
    await click(page, (await state(page)).rects.draw_clear);
    await drag(page, at(x0, y0), at(x1, y1), 10);
    return waitFor(page, 'the drawing inspected', (x) => x.one_image.source === 'drawing' && x.one_image.ready && x.draw.has_ink, 10000);
  };
  const big = (await stroke(0.5, 0.18, 0.42, 0.82)).one_image.mu;
  const small = (await stroke(0.2, 0.05, 0.16, 0.45)).one_image.mu;
  await shot(page, '22-small-in-corner-prepared.png');
  await click(page, (await state(page)).rects.prepare);
  s = await waitFor(page, 'the raw drawing inspected', (x) => !x.draw.prepare && x.one_image.ready, 10000);
  const raw = s.one_image.mu;
  await shot(page, '23-small-in-corner-raw.png');
  await click(page, s.rects.prepare);
  results.centring = { big, small, raw };
  check('a small digit drawn in a corner is encoded as its centred version', dist(small, big) < 0.5 * dist(raw, big),
        `|mu(corner, prepared) - mu(centre)| = ${dist(small, big).toFixed(3)}, as drawn ${dist(raw, big).toFixed(3)}`);
  await click(page, (await state(page)).rects.load_into_pad);
  s = await waitFor(page, 'a test image in the pad', (x) => x.one_image.source === 'drawing' && x.draw.pad_mean > 0.05, 10000);
  check('"Test image in" loads the test image into the pad', s.draw.has_ink && s.one_image.ready, `pad mean ${s.draw.pad_mean}`);
}

// mnist-best: the "two axes" plane opens on its two most active dimensions.
async function activeAxes(page) {
  await page.evaluate(() => { location.hash = '#model=mnist-best&digit=3'; });
  const s = await waitFor(page, 'mnist-best and its activity', (x) => x.model.name === 'mnist-best' &&
                          x.activity.kl.length === 32 && x.activity.version === x.model.version && x.one_image.ready, 60000);
  const kl = s.activity.kl, order = kl.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0]);
  check('the "two axes" plane defaults to the two most active dimensions', s.map.axis0 === order[0][1] &&
        s.map.axis1 === order[1][1] && kl[s.map.axis0] > 0.01, `axes ${s.map.axis0}, ${s.map.axis1}; ` +
        `${s.activity.active} of 32 active; mean KL ${kl[s.map.axis0].toFixed(2)}, ${kl[s.map.axis1].toFixed(2)}`);
  await frames(page, 3);
  await shot(page, '24-inside-mnist-best.png');
}

async function autoencoderVsVae(page) {
  let s = await state(page);
  await click(page, s.rects.views[2]);
  s = await waitFor(page, 'the shipped pair', (x) => x.view === 'Train & compare' && x.data.train === 60000 &&
                    x.compare.sides.every((d) => d.has_model && d.codes > 0 && d.drawn_version === d.version), 60000);
  const [ae, vae] = s.compare.sides;
  check('the shipped pair is there when the view opens: the autoencoder\'s KL is far past the VAE\'s',
        ae.source.includes('mnist-ae-z2') && vae.source.includes('mnist-z2') && ae.kl > 5 * vae.kl &&
        ae.inside_2sigma < vae.inside_2sigma, `KL ${ae.kl.toFixed(1)} vs ${vae.kl.toFixed(1)} nats; inside 2 sigma ` +
        `${(100 * ae.inside_2sigma).toFixed(0)}% vs ${(100 * vae.inside_2sigma).toFixed(0)}%`);
  await frames(page, 3);
  await shot(page, '25-autoencoder-vs-vae-shipped.png');
  await click(page, s.rects.compare_train);
  s = await waitFor(page, '150 live steps of each', (x) => x.compare.live && x.compare.steps >= 150, 180000);
  s = await waitFor(page, 'both sides redrawn', (x) => x.compare.sides.every((d) => d.drawn_version === d.version) ||
                    x.compare.steps >= 150, 10000);
  const [lae, lvae] = s.compare.sides;
  results.compare_live = { steps: s.compare.steps, kl: [lae.kl, lvae.kl], inside_2sigma: [lae.inside_2sigma, lvae.inside_2sigma] };
  check('trained here, beta = 0 drives the codes away from N(0, I): KL well past the VAE\'s', lae.kl > 3 * lvae.kl,
        `after ${s.compare.steps} steps each: KL ${lae.kl.toFixed(1)} vs ${lvae.kl.toFixed(1)} nats`);
  await shot(page, '26-autoencoder-vs-vae-live.png');
  // the KL weight of the Train panel: Ctrl+click types a value into the slider
  const r = s.rects.beta;
  await page.keyboard.down('Control');
  await click(page, r);
  await page.keyboard.up('Control');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await page.keyboard.press('Enter');
  s = await waitFor(page, 'beta = 0', (x) => x.train.beta === 0, 5000).catch(() => state(page));
  check('the KL weight beta can be set to 0 (a plain autoencoder) for training in the page', s.train.beta === 0, `beta ${s.train.beta}`);
}

const app = await start(args);
try {
  const s = await linkOpensModelAndDigit(app.page, app.url, app.errors);
  await figuresAreTheCores(app.page, s);
  await ellipseAroundMu(app.page);
  await drawEps(app.page);
  await boundTightens(app.page);
  await centring(app.page);
  await activeAxes(app.page);
  await autoencoderVsVae(app.page);
  check('no errors or warnings in the page', app.errors.length === 0, app.errors.join(' | '));
} catch (e) {
  check('test ran to the end', false, e.stack);
  await app.page.screenshot({ path: join(args.artifacts, 'inside-failure.png') }).catch(() => {});
} finally {
  await app.close();
}
writeFileSync(join(args.artifacts, 'inside-results.json'), JSON.stringify(results, null, 1));
finish();
