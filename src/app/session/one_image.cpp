// The one-image figures (one_image.h): the input's q(z|x), a draw z = mu + sigma * eps and a cloud of
// them, the ELBO's two terms and log p(x), all computed by the core (model/inspect.h) and refreshed
// when the input, eps or the model change; log p(x)'s k samples are spread over frames.
#include "app/session/one_image.h"

#include <algorithm>

#include "app/session/session.h"
#include "io/mnist_prepare.h"

void one_image_show_test(Session& s, int index) {
  OneImage& o = s.one_image;
  o.source = InputSource::test;
  o.test_index = std::max(0, index);
  o.dirty = true;
}

void one_image_show_drawing(Session& s) {
  s.one_image.source = InputSource::drawing;
  s.one_image.dirty = true;
}

void one_image_set_drawing(Session& s, const std::vector<float>& pad, bool has_ink, bool prepare, int cls) {
  OneImage& o = s.one_image;
  o.pad = pad;
  o.pad_has_ink = has_ink;
  o.prepare = prepare;
  o.pad_class = cls;
  o.dirty = o.dirty || o.source == InputSource::drawing;
}

void one_image_draw_eps(Session& s) {
  ++s.one_image.eps_seed;
  s.one_image.eps_dirty = true;
}

// The input x (and y) of the current source; false when there is none yet (test set loading, an
// empty pad, a test index past the end).
static bool read_input(Session& s, OneImage& o) {
  const int C = session_classes(s), D = s.trainer.params.config.input;
  if (o.source == InputSource::test) {
    if (s.test_binary.rows() == 0 || s.test_binary.cols() != D) return false;
    if (o.test_index >= s.test_binary.rows()) {
      session_set_status(s, "There is no test image #" + std::to_string(o.test_index) + ": the test set has " +
                                std::to_string(s.test_binary.rows()) + "; showing the last", true);
      o.test_index = static_cast<int>(s.test_binary.rows()) - 1;
    }
    o.x = s.test_binary.row(o.test_index);
    o.label = s.test.labels[static_cast<size_t>(o.test_index)];
    o.test_class = o.label < 10 ? o.label : 0;
    o.what = "test image #" + std::to_string(o.test_index) + " (" + (s.dataset == "mnist" ? "a " : "") +
             session_class_name(s, o.label) + ")";
  } else {
    if (!o.pad_has_ink || D != kSide * kSide || o.pad.size() != static_cast<size_t>(D)) return false;
    o.x.resize(1, D);
    // the encoder reads the drawing prepared as MNIST's digits were (or as drawn, when switched off)
    if (o.prepare)
      mnist_prepare(o.x.data(), o.pad.data(), kSide);
    else
      std::copy(o.pad.begin(), o.pad.end(), o.x.data());
    o.label = C > 0 ? o.pad_class : -1;
    o.what = o.prepare ? "your drawing (prepared)" : "your drawing (as drawn)";
  }
  o.y = class_rows(o.label, 1, C);
  return true;
}

// The figures of x that do not depend on eps: q(z|x), the KL per dimension, the reconstruction term.
static void posterior_figures(Session& s, OneImage& o) {
  const VaeParams& p = s.trainer.params;
  o.q = vae_posterior(o.work, p, o.x, o.y);
  ++o.q_serial;
  o.kl = kl_per_dim(o.q);
  Rng rng = recon_stream(one_image_stream_index(o));
  o.recon = vae_recon_estimate(o.work, p, o.x, o.y, o.q, kReconSamples, rng);
  // ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))
  o.elbo = o.recon.recon - o.kl.cast<double>().sum();
  // the decoder's mean image of mu: sigmoid(logits(mu))
  const Mat mu = o.q.mu.transpose();
  o.decoded_mu.resize(1, p.config.input);
  decode_probs(o.decoded_mu, s.inf, p, mu, o.y);
}

// eps ~ N(0, I) from the eps seed, z = mu + sigma * eps, their images, and the cloud of samples.
static void eps_figures(Session& s, OneImage& o) {
  const VaeParams& p = s.trainer.params;
  const int Z = p.config.latent;
  Rng rng = eps_stream(o.eps_seed);
  o.eps.resize(1, Z);
  for (float& e : o.eps.reshaped()) e = rng.normal();
  o.z.resize(1, Z);
  reparameterize(o.z, o.q, o.eps);
  o.decoded_z.resize(1, p.config.input);
  decode_probs(o.decoded_z, s.inf, p, o.z, o.y);
  Rng cloud_rng(o.eps_seed, 31);
  Mat eps(kCloud, Z);
  for (float& e : eps.reshaped()) e = cloud_rng.normal();
  o.cloud_z.resize(kCloud, Z);
  reparameterize(o.cloud_z, o.q, eps);
  o.cloud.resize(kCloudStrip, p.config.input);
  decode_probs(o.cloud, s.inf, p, o.cloud_z.topRows(kCloudStrip), o.y.replicate(kCloudStrip, 1));
  o.eps_dirty = false;
  ++o.serial;
}

// A new log p(x) estimate of x on a copy of the current weights.
static void log_px_start(Session& s, OneImage& o) {
  o.log_px_params = s.trainer.params;
  o.log_px_q = o.q;
  o.log_px_x = o.x;
  o.log_px_y = o.y;
  o.log_px = LogPxAccumulator();
  o.log_px_rng = log_px_stream(1, one_image_stream_index(o));
  o.log_px_by_k.clear();
  o.log_px_version = s.version;
  o.log_px_started_at = s.now;
}

// More samples of the log p(x) estimate, for about `budget` seconds; the running estimate is kept
// at k = 1, 10, 100, ... on the way (it rises towards log p(x) as k grows).
static void log_px_advance(OneImage& o, double budget) {
  const double start = session_clock();
  while (o.log_px.count < kLogPxK && session_clock() - start < budget) {
    long long next = 1;
    while (next <= o.log_px.count) next *= 10;
    const long long n = std::min({next - o.log_px.count, kLogPxK - o.log_px.count, 100LL});
    vae_log_px_add(&o.log_px, o.work, o.log_px_params, o.log_px_x, o.log_px_y, o.log_px_q, n, o.log_px_rng);
    if (o.log_px.count == next || o.log_px.count == kLogPxK) o.log_px_by_k.push_back({o.log_px.count, o.log_px.value()});
  }
}

void one_image_update(Session& s) {
  OneImage& o = s.one_image;
  if (!s.has_model) return;
  const bool model_changed = o.version != s.version;
  const bool due = o.dirty || (model_changed && refresh_due(s, o.version, o.drawn_at, 0.5));
  const bool running = s.training.running;
  if (due) {
    const bool input_changed = o.dirty;
    o.dirty = false;
    o.ready = read_input(s, o);
    if (!o.ready) {
      o.version = s.version;
      o.log_px = LogPxAccumulator();
      o.log_px_by_k.clear();
      ++o.serial;
      return;
    }
    // the buffers follow the model's shape (the input may have waited for data across a switch of model)
    const std::string shape = s.trainer.params.config.describe();
    if (o.work_shape != shape) o.work.resize(s.trainer.params, 250), o.work_shape = shape;
    posterior_figures(s, o);
    eps_figures(s, o);
    o.version = s.version;
    o.drawn_at = s.now;
    // a new estimate for a new input at once; for a model in training at most every second
    if (input_changed || o.log_px_version < 0 || o.log_px_params.size() != s.trainer.params.size() ||
        (model_changed && (!running || s.now - o.log_px_started_at >= 1.0)))
      log_px_start(s, o);
  } else if (o.ready && o.eps_dirty) {
    eps_figures(s, o);
  }
  if (o.ready) log_px_advance(o, running ? 0.002 : 0.004);
  one_image_truth_update(s);
}

long long one_image_stream_index(const OneImage& o) { return o.source == InputSource::test ? o.test_index : -1; }

void activity_update(Session& s) {
  Activity& a = s.activity;
  const VaeParams& p = s.trainer.params;
  const Eigen::Index n = std::min<Eigen::Index>(kActivityImages, s.test_binary.rows());
  if (!s.has_model || n == 0 || s.test_binary.cols() != p.config.input) return;
  const bool shape_changed = a.kl.size() != p.config.latent;
  if (!shape_changed && (a.version == s.version || (s.training.running && s.now - a.at < 1.0))) return;
  const Mat Y = label_rows(s.test.labels.data(), n, session_classes(s));
  a.kl = vae_kl_per_dim_mean(s.inf.work, p, s.test_binary.topRows(n), Y);
  a.active = active_dims(a.kl);
  if (p.config.latent >= 2) two_most_active(a.kl, &a.first, &a.second);
  a.version = s.version;
  a.at = s.now;
  // the training plot's active-dimension curve
  if (!s.training.curve.empty() && s.training.running) {
    Training& tr = s.training;
    tr.curve.back().active = a.active;
    // the KL-per-dimension strip: a column now; past kKlStripColumns, every other column goes
    tr.kl_strip.push_back(a.kl);
    tr.kl_strip_images.push_back(tr.curve.back().images);
    if (tr.kl_strip.size() > kKlStripColumns) {
      size_t kept = 0;
      for (size_t i = 0; i < tr.kl_strip.size(); i += 2, ++kept) {
        tr.kl_strip[kept] = tr.kl_strip[i];
        tr.kl_strip_images[kept] = tr.kl_strip_images[i];
      }
      tr.kl_strip.resize(kept);
      tr.kl_strip_images.resize(kept);
    }
  }
}
