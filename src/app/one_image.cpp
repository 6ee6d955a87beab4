// The one-image view's figures: the inspected input's q(z|x), a draw z = mu + sigma * eps and a
// cloud of them, the ELBO's two terms and log p(x), all computed by the core (model/inspect.h) and
// refreshed when the input, eps or the model change; log p(x)'s k samples are spread over frames.
#include <algorithm>

#include "app/app.h"
#include "app/platform.h"
#include "io/mnist_prepare.h"

int test_index_of_class(const Dataset& test, int label, int occurrence) {
  std::vector<int> hits;
  for (size_t i = 0; i < test.labels.size(); ++i)
    if (test.labels[i] == label) hits.push_back(static_cast<int>(i));
  if (hits.empty()) return -1;
  const int n = static_cast<int>(hits.size());
  return hits[static_cast<size_t>(((occurrence % n) + n) % n)];
}

void inspect_test_image(AppState& app, int index) {
  OneImagePanel& o = app.inspect;
  o.source = InputSource::test;
  o.test_index = std::max(0, index);
  o.dirty = true;
}

void inspect_drawing(AppState& app) {
  app.inspect.source = InputSource::drawing;
  app.inspect.dirty = true;
}

void inspect_load_into_pad(AppState& app, int index) {
  if (index < 0 || index >= app.test.images.rows()) return;
  const RowVec x = app.test.images.row(index);
  std::copy(x.data(), x.data() + x.size(), app.draw.pad.begin());
  app.draw.dirty = true;
  inspect_drawing(app);
}

void inspect_draw_eps(AppState& app) {
  ++app.inspect.eps_seed;
  app.inspect.eps_dirty = true;
}

// The input x (and y) of the current source; false when there is none yet (test set loading, an
// empty pad, a test index past the end).
static bool read_input(AppState& app, OneImagePanel& o) {
  const int C = app_classes(app), D = app.trainer.params.config.input;
  if (o.source == InputSource::test) {
    if (app.test_binary.rows() == 0 || app.test_binary.cols() != D) return false;
    if (o.test_index >= app.test_binary.rows()) {
      app_set_status(app, "There is no test image #" + std::to_string(o.test_index) + ": the test set has " +
                              std::to_string(app.test_binary.rows()) + "; showing the last", true);
      o.test_index = static_cast<int>(app.test_binary.rows()) - 1;
    }
    o.x = app.test_binary.row(o.test_index);
    o.label = app.test.labels[static_cast<size_t>(o.test_index)];
    o.test_class = o.label < 10 ? o.label : 0;
    o.what = "test image #" + std::to_string(o.test_index) + " (" + (app.dataset == "mnist" ? "a " : "") +
             app_class_name(app, o.label) + ")";
  } else {
    const DrawPanel& d = app.draw;
    if (!d.has_ink || D != kSide * kSide) return false;
    o.x.resize(1, D);
    // the encoder reads the drawing prepared as MNIST's digits were (or as drawn, when switched off)
    if (d.prepare)
      mnist_prepare(o.x.data(), d.pad.data(), kSide);
    else
      std::copy(d.pad.begin(), d.pad.end(), o.x.data());
    o.label = C > 0 ? d.cls : -1;
    o.what = d.prepare ? "your drawing (prepared)" : "your drawing (as drawn)";
  }
  o.y = class_rows(o.label, 1, C);
  return true;
}

// The figures of x that do not depend on eps: q(z|x), the KL per dimension, the reconstruction term.
static void posterior_figures(AppState& app, OneImagePanel& o) {
  const VaeParams& p = app.trainer.params;
  o.q = vae_posterior(o.work, p, o.x, o.y);
  o.kl = kl_per_dim(o.q);
  Rng rng = recon_stream(o.source == InputSource::test ? o.test_index : -1);
  o.recon = vae_recon_estimate(o.work, p, o.x, o.y, o.q, kReconSamples, rng);
  // ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))
  o.elbo = o.recon.recon - o.kl.cast<double>().sum();
  o.input.probs = o.x;
  tile_images(&o.input.pixels, o.x, 1, 1);
  texture_upload(&o.input.texture, o.input.pixels, kSide, kSide);
  o.decoded_mu.z = o.q.mu.transpose();
  o.decoded_mu.y = o.y;
  grid_decode(app, &o.decoded_mu, 1, 1);
}

// eps ~ N(0, I) from the eps seed, z = mu + sigma * eps, their images, and the cloud of samples.
static void eps_figures(AppState& app, OneImagePanel& o) {
  const int Z = app.trainer.params.config.latent;
  Rng rng = eps_stream(o.eps_seed);
  o.eps.resize(1, Z);
  for (float& e : o.eps.reshaped()) e = rng.normal();
  o.z.resize(1, Z);
  reparameterize(o.z, o.q, o.eps);
  o.decoded_z.z = o.z;
  o.decoded_z.y = o.y;
  grid_decode(app, &o.decoded_z, 1, 1);
  Rng cloud_rng(o.eps_seed, 31);
  Mat eps(kCloud, Z);
  for (float& e : eps.reshaped()) e = cloud_rng.normal();
  o.cloud_z.resize(kCloud, Z);
  reparameterize(o.cloud_z, o.q, eps);
  o.cloud.z = o.cloud_z.topRows(kCloudStrip);
  o.cloud.y = o.y.replicate(kCloudStrip, 1);
  grid_decode(app, &o.cloud, kCloudStrip, 1);
  o.eps_dirty = false;
}

// A new log p(x) estimate of x on a copy of the current weights.
static void log_px_start(AppState& app, OneImagePanel& o) {
  o.log_px_params = app.trainer.params;
  o.log_px_q = o.q;
  o.log_px_x = o.x;
  o.log_px_y = o.y;
  o.log_px = LogPxAccumulator();
  o.log_px_rng = log_px_stream(1, o.source == InputSource::test ? o.test_index : -1);
  o.log_px_by_k.clear();
  o.log_px_version = app.version;
  o.log_px_started_at = app.now;
}

// More samples of the log p(x) estimate, for about `budget` seconds; the running estimate is kept
// at k = 1, 10, 100, ... on the way (it rises towards log p(x) as k grows).
static void log_px_advance(OneImagePanel& o, double budget) {
  const double start = now_seconds();
  while (o.log_px.count < kLogPxK && now_seconds() - start < budget) {
    long long next = 1;
    while (next <= o.log_px.count) next *= 10;
    const long long n = std::min({next - o.log_px.count, kLogPxK - o.log_px.count, 100LL});
    vae_log_px_add(&o.log_px, o.work, o.log_px_params, o.log_px_x, o.log_px_y, o.log_px_q, n, o.log_px_rng);
    if (o.log_px.count == next || o.log_px.count == kLogPxK) o.log_px_by_k.push_back({o.log_px.count, o.log_px.value()});
  }
}

void inspect_update(AppState& app) {
  OneImagePanel& o = app.inspect;
  if (!app.has_model) return;
  const bool model_changed = o.version != app.version;
  const bool due = o.dirty || (model_changed && refresh_due(app, o.version, o.drawn_at, 0.5));
  if (due) {
    const bool input_changed = o.dirty;
    o.dirty = false;
    o.ready = read_input(app, o);
    if (!o.ready) {
      o.version = app.version;
      o.log_px = LogPxAccumulator();
      o.log_px_by_k.clear();
      return;
    }
    // the buffers follow the model's shape (the input may have waited for data across a switch of model)
    const std::string shape = app.trainer.params.config.describe();
    if (o.work_shape != shape) o.work.resize(app.trainer.params, 250), o.work_shape = shape;
    posterior_figures(app, o);
    eps_figures(app, o);
    o.version = app.version;
    o.drawn_at = app.now;
    // a new estimate for a new input at once; for a model in training at most every second
    if (input_changed || o.log_px_version < 0 || o.log_px_params.size() != app.trainer.params.size() ||
        (model_changed && (!app.train_panel.running || app.now - o.log_px_started_at >= 1.0)))
      log_px_start(app, o);
  } else if (o.ready && o.eps_dirty) {
    eps_figures(app, o);
  }
  if (o.ready) log_px_advance(o, app.train_panel.running ? 0.002 : 0.004);
}

void activity_update(AppState& app) {
  Activity& a = app.activity;
  const VaeParams& p = app.trainer.params;
  const Eigen::Index n = std::min<Eigen::Index>(kActivityImages, app.test_binary.rows());
  if (!app.has_model || n == 0 || app.test_binary.cols() != p.config.input) return;
  const bool shape_changed = a.kl.size() != p.config.latent;
  if (!shape_changed && (a.version == app.version || (app.train_panel.running && app.now - a.at < 1.0))) return;
  const Mat Y = label_rows(app.test.labels.data(), n, app_classes(app));
  a.kl = vae_kl_per_dim_mean(app.inf.work, p, app.test_binary.topRows(n), Y);
  a.active = active_dims(a.kl);
  if (p.config.latent >= 2) two_most_active(a.kl, &a.first, &a.second);
  a.version = app.version;
  a.at = app.now;
  // the training plot's active-dimension curve
  if (!app.train_panel.curve.empty() && app.train_panel.running) app.train_panel.curve.back().active = a.active;
  // a model just loaded: its "two axes" plane opens on its two most active dimensions
  LatentMapPanel& m = app.map;
  if (m.axes_auto && p.config.latent >= 2) {
    m.axis0 = a.first;
    m.axis1 = a.second;
    m.axes_auto = false;
  }
}
