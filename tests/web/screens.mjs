// The page on any screen, shared and guided, in headless Chromium with the screen the size of the
// window: the canvas's backing store is the window times devicePixelRatio at five sizes, with no
// console error or warning and no panel whose text runs past its edges; the UI scale control; focus;
// touch drawing and a touch slider; a copied link opens the same view; the tour sets the state of
// each step; and a check for each defect of issue 9 (status after Pause, images/s after a model
// switch, the probe of a previous model or plane, the principal plane while codes arrive, download
// names and the card of weights trained further, the card's ELBO in the Train panel, the A marker and
// the input's label at the map's edge, the status line in the menu bar, numbers in the metadata, μ
// for an empty pad, the input panel's name on Fashion-MNIST, a conditional model to Fashion-MNIST).
//   node tests/web/screens.mjs --site build-web/site --artifacts DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { center, checker, click, frames, parseArgs, start, state, waitFor } from './harness.mjs';

const args = parseArgs(process.argv);
const results = {};
const { check, finish } = checker('web.screens');
const shot = (page, name) => page.screenshot({ path: join(args.artifacts, name) });
const PANELS = ['sample', 'interpolate', 'map', 'input', 'train', 'models', 'encoder', 'reparam', 'elbo', 'compare',
                'step', 'weights', 'posterior'];
const VIEWS = ['Explore', 'Inside one image', 'Train & compare', 'One step'];
const VIEW_KEYS = ['explore', 'inside', 'train', 'step'];
const inside = (r, box, slack = 0.5) => r[2] > 0 && r[0] >= box[0] - slack && r[1] >= box[1] - slack &&
  r[0] + r[2] <= box[0] + box[2] + slack && r[1] + r[3] <= box[1] + box[3] + slack;

async function open(page, url, hash, what, pred = () => true) {
  await page.goto(`${url}${hash}`);
  await page.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 60000 });
  await waitFor(page, what, (x) => x.data.test === 10000 && x.model.pending < 0 && pred(x), 60000);
  await frames(page, 4);  // the layout settles (a link's scale, a model's panels)
  return state(page);
}

async function setHash(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await frames(page, 3);
}

// ---- 1. any screen: backing store, no errors, no overflowing panel, a screenshot of every view
async function screens() {
  const sizes = [[1024, 640, 1], [1280, 800, 1], [1920, 1080, 1], [2560, 1440, 1], [1280, 800, 2]];
  results.screens = [];
  for (const [w, h, dpr] of sizes) {
    const name = `${w}x${h}@${dpr}`;
    const app = await start(args, { viewport: { width: w, height: h }, deviceScaleFactor: dpr });
    try {
      await open(app.page, app.url, '#digit=4&view=explore', `the page at ${name}`, (x) => x.one_image.ready);
      const canvas = await app.page.evaluate(() => {
        const c = document.querySelector('canvas'), r = c.getBoundingClientRect();
        return { width: c.width, height: c.height, css: [r.width, r.height], window: [innerWidth, innerHeight],
                 screen: [screen.width, screen.height], dpr: devicePixelRatio };
      });
      check(`${name}: the canvas's backing store is the window times devicePixelRatio`,
            canvas.width === w * dpr && canvas.height === h * dpr && canvas.css[0] === w && canvas.css[1] === h &&
            canvas.screen[0] === w && canvas.dpr === dpr,
            `${canvas.width}x${canvas.height} for a ${canvas.css.join('x')} CSS canvas, window ${canvas.window.join('x')}, screen ${canvas.screen.join('x')}, dpr ${canvas.dpr}`);
      for (let v = 0; v < VIEWS.length; ++v) {
        await setHash(app.page, `#view=${VIEW_KEYS[v]}`);
        await frames(app.page, 6);
        const s = await state(app.page);
        const over = s.overflow.map((o, i) => [PANELS[i], o]).filter(([, o]) => o[0] > 1 || o[1] > 1);
        check(`${name}, ${VIEWS[v]}: every panel's content fits it (no clipped text)`, s.view === VIEWS[v] && over.length === 0,
              over.length ? JSON.stringify(over) : `${s.display.points.map(Math.round).join('x')} points at scale ${s.display.scale.toFixed(2)}, text ${s.display.text_css_px.toFixed(1)} CSS px`);
        await shot(app.page, `30-screen-${w}x${h}-dpr${dpr}-${VIEW_KEYS[v]}.png`);
        if (v === 0) results.screens.push({ name, canvas, points: s.display.points, scale: s.display.scale, text_css_px: s.display.text_css_px });
      }
      check(`${name}: no console error or warning`, app.errors.length === 0, app.errors.join(' | '));
    } finally {
      await app.close();
    }
  }
}

// ---- the UI scale control changes the text size; focus enlarges one panel
async function uiScaleAndFocus(page, url) {
  let s = await open(page, url, '#view=explore', 'the page');
  const auto = s.display.text_css_px;
  const pick = async (item, what) => {
    await click(page, s.rects.view_menu);
    s = await waitFor(page, 'the View menu', (x) => x.rects.scale_menu[2] > 0, 5000);
    // (the submenu's row: its rect as ImGui reports it may have no height)
    await page.mouse.move(center(s.rects.scale_menu).x, s.rects.scale_menu[1] + Math.max(s.rects.scale_menu[3], 16) / 2);
    s = await waitFor(page, 'the UI scale menu', (x) => x.rects.scale_items.length >= 7, 5000);
    await click(page, s.rects.scale_items[item]);
    await frames(page, 4);
    s = await state(page);
    return s.display.text_css_px;
  };
  const projector = await pick(1, 'Projector');
  check('View > UI scale > Projector enlarges the text', s.display.scale_mode === 1 && projector > auto * 1.1,
        `text ${auto.toFixed(1)} -> ${projector.toFixed(1)} CSS px`);
  const fixed = await pick(2, '100%');
  check('View > UI scale > 100% sets the text back to its base size', s.display.scale_mode === 2 && fixed < projector,
        `${fixed.toFixed(1)} CSS px`);
  await shot(page, '31-ui-scale.png');
  await pick(0, 'Auto');
  // focus: the map fills the view; Esc leaves
  await setHash(page, '#view=explore');
  s = await waitFor(page, 'the map in Explore', (x) => x.view === 'Explore' && x.rects.focus[2][2] > 0, 5000);
  await click(page, s.rects.focus[2]);
  s = await waitFor(page, 'the map focused', (x) => x.display.focus === 2, 5000);
  await frames(page, 3);
  s = await state(page);
  const map = s.rects.panels[2];
  check('the focus button enlarges its panel to the whole view', map[2] > s.display.points[0] * 0.95 && map[3] > s.display.points[1] * 0.85,
        `map panel ${map.map(Math.round).join(',')} in ${s.display.points.map(Math.round).join('x')}`);
  await shot(page, '32-focus-map.png');
  // (held for two frames: Dear ImGui 1.86 polls the keys once a frame, as a person's press is seen)
  await page.keyboard.down('Escape');
  await frames(page, 2);
  await page.keyboard.up('Escape');
  s = await waitFor(page, 'the focus left', (x) => x.display.focus === -1, 5000);
  check('Esc leaves the focus', s.display.focus === -1);
}

// ---- touch: drawing on the pad and dragging a slider with a finger
async function touch(args_) {
  const app = await start(args_, { viewport: { width: 1280, height: 800 }, hasTouch: true });
  try {
    let s = await open(app.page, app.url, '#view=explore', 'the page');
    const cdp = await app.page.context().newCDPSession(app.page);
    const swipe = async (from, to, steps = 12) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y }] });
      for (let i = 1; i <= steps; ++i) {
        const x = from.x + (to.x - from.x) * i / steps, y = from.y + (to.y - from.y) * i / steps;
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
        await frames(app.page, 1);
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await frames(app.page, 3);
    };
    await click(app.page, s.rects.draw_clear);
    s = await waitFor(app.page, 'an empty pad', (x) => !x.draw.has_ink, 5000);
    const pad = s.rects.draw_pad;
    await swipe({ x: pad[0] + pad[2] * 0.5, y: pad[1] + pad[3] * 0.2 }, { x: pad[0] + pad[2] * 0.5, y: pad[1] + pad[3] * 0.8 });
    s = await waitFor(app.page, 'ink from the touch', (x) => x.draw.has_ink, 5000).catch(() => state(app.page));
    check('a finger draws on the pad', s.draw.has_ink && s.draw.pad_mean > 0.01, `ink ${s.draw.has_ink}, mean ${s.draw.pad_mean.toFixed(3)}`);
    const r = s.rects.interp_slider, t0 = s.interp.t;
    await swipe({ x: r[0] + r[2] * 0.5, y: r[1] + r[3] / 2 }, { x: r[0] + r[2] * 0.9, y: r[1] + r[3] / 2 });
    s = await state(app.page);
    check('a finger drags the interpolation slider', s.interp.t > t0 + 0.2, `t ${t0.toFixed(2)} -> ${s.interp.t.toFixed(2)}`);
    await shot(app.page, '33-touch.png');
    check('touch: no console error or warning', app.errors.length === 0, app.errors.join(' | '));
  } finally {
    await app.close();
  }
}

// ---- 2. a copied link opens the same view
async function linkRoundTrip(app) {
  const page = app.page;
  let s = await open(page, app.url, '#model=mnist-z20&digit=17&eps=3&seed=5&T=0.8&a=class:2.1&b=test:40&t=0.3&plane=axes:3,5&tiles=12&scale=1.25',
                     'mnist-z20 from a link', (x) => x.model.name === 'mnist-z20' && x.one_image.ready);
  // changed by hand after the link: a new eps, a new sample seed, the explore view
  await click(page, s.rects.draw_eps);
  s = await waitFor(page, 'a new eps', (x) => x.one_image.eps_seed === 4, 5000);
  await click(page, s.rects.views[0]);
  s = await waitFor(page, 'the explore view', (x) => x.view === 'Explore', 5000);
  await click(page, s.rects.copy_link);
  s = await waitFor(page, 'the link copied', (x) => x.last_link.length > 0, 5000);
  const link = await page.evaluate(() => vaeApp.lastLink);
  results.link = link;
  const want = s;
  const other = await page.context().newPage();
  const errors = [];
  other.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  await other.goto(link);
  await other.waitForFunction(() => typeof vaeApp !== 'undefined' && vaeApp.firstDigitsMs !== null, null, { timeout: 60000 });
  const got = await waitFor(other, 'the linked view', (x) => x.model.name === 'mnist-z20' && x.one_image.ready && x.data.test === 10000 &&
                            x.interp.a.length > 0, 60000);
  await frames(other, 4);
  const g = await state(other);
  const same = {
    model: [want.model.name, g.model.name], view: [want.view, g.view], digit: [want.one_image.test_index, g.one_image.test_index],
    eps: [want.one_image.eps_seed, g.one_image.eps_seed], seed: [want.sample.seed, g.sample.seed],
    T: [want.sample.temperature.toFixed(2), g.sample.temperature.toFixed(2)], a: [want.interp.a, g.interp.a], b: [want.interp.b, g.interp.b],
    t: [want.interp.t.toFixed(2), g.interp.t.toFixed(2)], plane: [`${want.map.kind}:${want.map.axis0},${want.map.axis1}`, `${g.map.kind}:${g.map.axis0},${g.map.axis1}`],
    tiles: [want.map.grid, g.map.grid], scale: [want.display.scale.toFixed(2), g.display.scale.toFixed(2)],
    z: [want.one_image.z.map((v) => v.toFixed(4)).join(), g.one_image.z.map((v) => v.toFixed(4)).join()],
  };
  const differ = Object.entries(same).filter(([, [a, b]]) => a !== b);
  check('Copy link: the link opens the same view (model, view, digit, eps, seeds, spread, endpoints, t, plane, tiles, scale)',
        differ.length === 0 && got.model.name === 'mnist-z20' && same.eps[0] === 4 && same.plane[0] === 'axes:3,5',
        differ.length ? JSON.stringify(differ) : link.replace(/^.*#/, '#'));
  await other.screenshot({ path: join(args.artifacts, '34-linked-view.png') });
  check('the linked page: no console error or warning', errors.length === 0, errors.join(' | '));
  await other.close();
  // a bad link: a message naming the key, nothing else changes
  await setHash(page, '#digit=banana');
  s = await state(page);
  check('a bad link gets a message naming the key, the view stays', s.status_error && /digit/.test(s.status) && s.model.name === 'mnist-z20',
        s.status);
}

// ---- 3. the tour: each step sets the state it names
async function tour(page, url) {
  let s = await open(page, url, '#view=explore', 'the page');
  await click(page, s.rects.tour);
  s = await waitFor(page, 'the tour', (x) => x.tour.step === 0, 5000);
  const expect = [
    (x) => x.model.name === 'mnist-best' && x.view === 'Explore' && x.sample.seed === 1 && x.sample.grid === 8,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Inside one image' && x.one_image.test_index === 4 && x.one_image.eps_seed === 1,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Inside one image' && x.one_image.eps_seed === 2,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Inside one image' && x.one_image.k > 0,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Inside one image' && x.one_image.test_index === 3 && x.posterior.on && x.fit_q.on,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Inside one image' && x.one_image.test_index === 7 && x.tour.ask === 'tap_code' && x.tour.hides_code,
    (x) => x.view === 'Train & compare' && x.compare.sides.length === 2,
    (x) => x.model.name === 'mnist-ae-z2' && x.view === 'Explore' && x.tour.ask === 'pick_beta' && x.decoder === 'mean',
    (x) => x.model.name === 'mnist-z2' && x.view === 'One step' && x.step.stage === 'backward',
    (x) => x.model.name === 'mnist-best' && x.view === 'Explore' && /a 1$/.test(x.interp.a) && /a 7$/.test(x.interp.b) && Math.abs(x.interp.t - 0.5) < 1e-6 && !x.interp.spherical,
    (x) => x.model.name === 'mnist-z2' && x.view === 'Explore' && x.map.cdf && x.map.grid === 16,
    (x) => x.model.name === 'mnist-cvae' && x.view === 'Explore' && x.sample.class === -1 && x.sample.seed === 1,
  ];
  const panels = [0, 6, 7, 8, 12, 2, 9, 0, 10, 1, 2, 0];
  check('the tour has 12 steps', s.tour.steps === 12, `${s.tour.steps}`);
  for (let i = 0; i < expect.length; ++i) {
    s = await waitFor(page, `tour step ${i + 1}`, (x) => x.tour.step === i && x.model.pending < 0 && x.data.test === 10000 && expect[i](x), 60000)
      .catch((e) => { check(`tour step ${i + 1} sets its state`, false, e.message.slice(0, 400)); return null; });
    if (!s) return;
    await frames(page, 4);
    s = await state(page);
    const p = s.rects.panels[s.tour.panel];
    check(`tour step ${i + 1} sets its state (${s.tour.link}) and points at the ${PANELS[s.tour.panel]} panel`,
          s.tour.panel === panels[i] && p[2] > 0, `${s.model.name}, ${s.view}`);
    await shot(page, `35-tour-${i + 1}.png`);
    if (s.tour.ask === 'tap_code') {
      // predict, then see: the code is hidden until the tap; then the distance from mu is the tap's
      await click(page, s.rects.latent_map);
      s = await waitFor(page, 'the tap answered', (x) => x.tour.answered && !x.tour.hides_code, 5000);
      const mu = s.one_image.mu, g = s.tour.guess;
      const d = Math.hypot(g[0] - mu[0], g[1] - mu[1]);
      check('a predict step hides the code until the tap, then says how far the tap was from mu',
            Math.abs(d - s.tour.distance) < 1e-4, `tap (${g.map((v) => v.toFixed(2))}), mu (${mu.map((v) => v.toFixed(2))}), ${s.tour.distance.toFixed(3)}`);
      await frames(page, 3);
      await shot(page, `35-tour-${i + 1}-answered.png`);
    }
    if (s.tour.ask === 'pick_beta') {
      await click(page, s.rects.tour_choices[0]);
      s = await waitFor(page, 'the choice answered', (x) => x.tour.answered, 5000);
      check('"which β made these samples?" takes an answer and says whether it was right', s.tour.choice === 0 && s.tour.correct);
      await frames(page, 3);
      await shot(page, `35-tour-${i + 1}-answered.png`);
    }
    if (i === 3) {
      await click(page, s.rects.tour_back);
      s = await waitFor(page, 'back to step 3', (x) => x.tour.step === 2, 5000);
      check('Back returns to the step before', s.tour.step === 2);
      await click(page, s.rects.tour_next);
      s = await waitFor(page, 'step 4 again', (x) => x.tour.step === 3, 5000);
    }
    if (i + 1 < expect.length) await click(page, s.rects.tour_next);
  }
  await click(page, s.rects.tour_leave);
  s = await waitFor(page, 'the tour left', (x) => x.tour.step === -1, 5000);
  check('the tour can be left at any step', s.tour.step === -1);
}

// ---- 4. the defects
async function defects(app) {
  const page = app.page;
  // training a shipped model: status after Pause; images/s after a model switch; names and cards
  let s = await open(page, app.url, '#model=mnist-z2&view=explore', 'mnist-z2', (x) => x.model.name === 'mnist-z2' && x.data.train === 60000);
  const card = JSON.parse(readFileSync(join(args.site, 'weights', 'manifest.json'), 'utf8')).find((e) => e.file.endsWith('mnist-z2.safetensors'));
  const download = async (dtype) => {
    s = await state(page);
    await click(page, s.rects.dtype[dtype === 'F16' ? 0 : 1]);
    await frames(page, 2);
    s = await state(page);
    const pending = page.waitForEvent('download');
    await click(page, s.rects.download_weights);
    const d = await pending;
    const file = join(args.artifacts, d.suggestedFilename());
    await d.saveAs(file);
    const bytes = readFileSync(file), n = Number(bytes.readBigUInt64LE(0));
    return { name: d.suggestedFilename(), size: bytes.length, meta: JSON.parse(bytes.subarray(8, 8 + n).toString()).__metadata__ };
  };
  const f16 = await download('F16'), f32 = await download('F32');
  check('a shipped model downloads under its own name, F16 and F32 apart', f16.name === 'mnist-z2-f16.safetensors' &&
        f32.name === 'mnist-z2-f32.safetensors' && f32.size > f16.size * 1.8, `${f16.name} (${f16.size} bytes), ${f32.name} (${f32.size} bytes)`);
  check('... and its card is the shipped one', f16.meta.test_elbo === card.metadata.test_elbo && f16.meta.log_px === card.metadata.log_px,
        `test ELBO ${f16.meta.test_elbo}, log p(x) ${f16.meta.log_px}`);
  await click(page, s.rects.views[2]);
  s = await waitFor(page, 'the Train view', (x) => x.view === 'Train & compare' && x.rects.train_start[2] > 0, 5000);
  check('the Train panel shows the card\'s test ELBO of a trained model', s.captions.train_elbo.includes(card.metadata.test_elbo) &&
        !/not trained/.test(s.captions.train_elbo), s.captions.train_elbo);
  await click(page, s.rects.train_start);
  s = await waitFor(page, '30 steps', (x) => x.train.steps >= 30, 60000);
  check('images/s shown while training', s.train.samples_per_s > 0, `${s.train.samples_per_s.toFixed(0)}`);
  await click(page, s.rects.train_start);
  s = await waitFor(page, 'the pause', (x) => !x.train.running, 5000);
  await frames(page, 2);
  s = await state(page);
  check('the status says Paused after Pause', /^Paused after \d+ steps/.test(s.status) && !/Training/.test(s.status), s.status);
  await click(page, s.rects.views[0]);
  s = await waitFor(page, 'explore', (x) => x.view === 'Explore' && x.rects.download_weights[2] > 0, 5000);
  const trained = await download('F16');
  check('weights trained further are named for their steps', trained.name === `mnist-z2-${s.train.steps}steps-f16.safetensors`, trained.name);
  check('... and their card describes them: the shipped figures gone, the test ELBO measured again',
        trained.meta.log_px === undefined && trained.meta.test_elbo !== card.metadata.test_elbo && /after \d+ steps/.test(trained.meta.test_elbo_of || '') &&
        Number(trained.meta.app_train_steps) === s.train.steps, `test ELBO ${trained.meta.test_elbo} (${trained.meta.test_elbo_of}), log p(x) ${trained.meta.log_px}`);

  // the probe ("under the mouse") of the previous model or plane
  s = await state(page);
  const empty = s.map.probe_checksum;
  const m = center(s.rects.latent_map);
  await page.mouse.move(m.x, m.y);
  s = await waitFor(page, 'a probe', (x) => x.map.probe_checksum !== empty, 5000);
  await page.mouse.move(2, 2);
  await setHash(page, '#model=fashion-z20');
  await throwAwayIfAsked(page);
  s = await waitFor(page, 'fashion-z20', (x) => x.model.name === 'fashion-z20' && x.model.pending < 0 && x.data.name === 'fashion-mnist', 60000);
  await frames(page, 3);
  s = await state(page);
  check('the probe of the previous model is forgotten on a model switch', s.map.probe_checksum === empty, `${s.map.probe_checksum} (empty: ${empty})`);
  check('images/s is forgotten on a model switch', s.train.samples_per_s === 0 && s.train.steps === 0, `${s.train.samples_per_s}`);
  check('the input panel is named for Fashion-MNIST', /garment/.test(s.captions.input), s.captions.input);
  await page.mouse.move(m.x, m.y);
  s = await waitFor(page, 'a probe', (x) => x.map.probe_checksum !== empty, 5000);
  await page.mouse.move(2, 2);
  await setHash(page, '#plane=axes:0,1');
  s = await state(page);
  check('the probe of the previous plane is forgotten on a plane change', s.map.probe_checksum === empty && s.map.kind === 'axes');
  await setHash(page, '#model=mnist-best');
  s = await waitFor(page, 'mnist-best', (x) => x.model.name === 'mnist-best' && x.model.pending < 0 && x.data.name === 'mnist', 60000);
  check('the input panel is named for MNIST', /digit/.test(s.captions.input), s.captions.input);

  // μ of an empty pad
  await click(page, s.rects.draw_clear);
  s = await waitFor(page, 'an empty pad', (x) => !x.draw.has_ink, 5000);
  await click(page, s.rects.input_drawing);
  s = await waitFor(page, 'the drawing as input', (x) => x.one_image.source === 'drawing', 5000);
  await frames(page, 3);
  s = await state(page);
  check('an empty pad has no q(z|x): no μ bars', !s.one_image.ready && !(s.one_image.mu && s.one_image.mu.length), `ready ${s.one_image.ready}`);

  // the status line stays in the menu bar; numbers in the metadata stay on one line
  s = await state(page);
  const bar = s.display.points[0] * s.display.scale;  // (rects are in CSS pixels)
  check('the status line stays inside the menu bar', s.rects.status[0] + s.rects.status[2] <= bar + 0.5 && s.rects.status[3] < 40,
        `status ${s.rects.status.map(Math.round).join(',')} in a ${Math.round(bar)}-point-wide bar: "${s.status}"`);
  await click(page, s.rects.meta_header);
  s = await waitFor(page, 'the metadata', (x) => x.rects.meta_values.length > 3, 5000);
  await frames(page, 2);
  s = await state(page);
  const values = s.meta.filter(([k]) => k !== 'config');
  const line = s.rects.meta_header[3];
  const broken = values.map(([k, v], i) => [k, v, s.rects.meta_values[i]]).filter(([, v, r]) => r && !v.includes(' ') && r[3] > line);
  check('numbers in the metadata are not broken across lines', broken.length === 0 && values.length === s.rects.meta_values.length,
        broken.length ? JSON.stringify(broken) : `${values.length} values, each one-word value one line high`);
  await shot(page, '36-metadata.png');
  await click(page, s.rects.meta_header);

  // the A marker and the inspected input's label stay inside the map
  s = await open(page, app.url, '#model=mnist-z2&view=explore&a=z:40,40&b=z:-40,-40&digit=0', 'mnist-z2',
                 (x) => x.model.name === 'mnist-z2' && x.map.points_ready);
  await setHash(page, '#view=explore');
  s = await state(page);
  check('an endpoint off the map is drawn at its edge, whole', inside(s.rects.map_a, s.rects.latent_map) && inside(s.rects.map_b, s.rects.latent_map),
        `A ${s.rects.map_a.map(Math.round)}, B ${s.rects.map_b.map(Math.round)}, map ${s.rects.latent_map.map(Math.round)}`);
  // the test digit whose μ is drawn farthest right, among the first 200
  let best = { x: -1, i: 0 };
  for (let i = 0; i < 200; ++i) {
    await page.evaluate((h) => { location.hash = h; }, `#digit=${i}&view=explore`);
    const t = await waitFor(page, `test image ${i}`, (x) => x.one_image.ready && x.one_image.test_index === i, 10000);
    if (t.map.mu_screen[0] > best.x) best = { x: t.map.mu_screen[0], i };
  }
  await setHash(page, `#digit=${best.i}&view=explore`);
  await frames(page, 3);
  s = await state(page);
  check('the inspected input\'s label stays inside the map at its right edge', inside(s.rects.map_label, s.rects.latent_map),
        `test #${best.i} at x = ${best.x.toFixed(0)}: label ${s.rects.map_label.map(Math.round)}, map ${s.rects.latent_map.map(Math.round)}`);
  await shot(page, '37-markers-at-the-edge.png');

  // a conditional model's one-image view, then Fashion-MNIST (it once aborted in linear_forward)
  s = await open(page, app.url, '#model=mnist-cvae&digit=3', 'mnist-cvae', (x) => x.model.name === 'mnist-cvae' && x.one_image.ready);
  await setHash(page, '#model=fashion-z20');
  s = await waitFor(page, 'fashion-z20 inspected', (x) => x.model.name === 'fashion-z20' && x.model.pending < 0 &&
                    x.data.name === 'fashion-mnist' && x.one_image.ready, 60000).catch((e) => ({ error: e.message }));
  check('a conditional model\'s one-image view survives a switch to Fashion-MNIST', !s.error && s.one_image.mu.length === 20,
        s.error ? s.error.slice(0, 300) : `${s.one_image.what}`);
}

// The principal plane is computed from the first codes once: showing more or fewer codes on the map
// does not turn it.
async function principalPlane(page, url) {
  let s = await open(page, url, '#model=mnist-best&plane=principal&view=explore', 'the principal plane',
                     (x) => x.map.kind === 'principal' && x.map.points_ready && x.map.plane.dir0.length > 0);
  const planes = [[s.map.num_points, s.map.plane]];
  for (const at of [0.98, 0.02]) {
    const r = s.rects.map_points, before = s.map.num_points;
    await page.mouse.click(r[0] + r[2] * at, r[1] + r[3] / 2);
    s = await waitFor(page, 'the codes redrawn', (x) => x.map.num_points !== before && x.map.points_ready, 30000);
    planes.push([s.map.num_points, s.map.plane]);
  }
  const same = (p, q) => p.dir0.every((v, i) => v === q.dir0[i]) && p.dir1.every((v, i) => v === q.dir1[i]) &&
    p.origin.every((v, i) => v === q.origin[i]);
  check('the principal plane does not re-orient when the number of codes shown changes',
        planes.length === 3 && same(planes[0][1], planes[1][1]) && same(planes[0][1], planes[2][1]),
        planes.map(([n, p]) => `${n} codes: dir0[0..2] ${p.dir0.slice(0, 3).map((v) => v.toFixed(4))}`).join('; '));
}

async function throwAwayIfAsked(page) {
  await frames(page, 2);
  const s = await state(page);
  if (s.confirm === 0) return;
  const open_ = await waitFor(page, 'the question', (x) => x.rects.confirm_discard[2] > 0, 5000);
  await click(page, open_.rects.confirm_discard);
  await waitFor(page, 'the question to close', (x) => x.confirm === 0, 5000);
}

try {
  await screens();
  await touch(args);
  const app = await start(args);
  try {
    await uiScaleAndFocus(app.page, app.url);
    await linkRoundTrip(app);
    await tour(app.page, app.url);
    await principalPlane(app.page, app.url);
    await defects(app);
    check('no console error or warning in the page', app.errors.length === 0, app.errors.join(' | '));
  } finally {
    await app.close();
  }
} catch (e) {
  check('test ran to the end', false, e.stack);
}
writeFileSync(join(args.artifacts, 'screens.json'), JSON.stringify(results, null, 1));
finish();
