// What q(z|x) approximates, for the one-image view (model/posterior.h): the true posterior p(z|x) on
// a grid with the importance samples of log p(x), and q fitted to this image alone, stepped a few
// milliseconds per frame so the view can show it moving, then the gap's split.
#include "app/session/session.h"

void one_image_truth_update(Session& s) {
  OneImage& o = s.one_image;
  const VaeParams& p = s.trainer.params;
  if (!o.ready || !s.has_model) {
    o.posterior.n = 0;
    return;
  }
  const long long index = one_image_stream_index(o);
  if (!o.posterior_on || p.config.latent != 2) {
    o.posterior.n = 0;
    o.posterior_serial = -1;
  } else if (o.posterior_serial != o.q_serial) {
    o.posterior = vae_true_posterior(o.work, p, o.x, o.y, o.q);
    // the first importance samples of the log p(x) estimate (its stream), weights normalized
    Rng rng = log_px_stream(1, index);
    Vec log_w;
    vae_importance_samples(&o.is_z, &log_w, o.work, p, o.x, o.y, o.q, kImportanceDots, rng);
    // w_i / sum_j w_j = exp(log w_i - max) / sum_j exp(log w_j - max)
    o.is_weight = (log_w.array() - log_w.maxCoeff()).exp().matrix();
    o.is_weight /= o.is_weight.sum();
    o.posterior_serial = o.q_serial;
  }
  if (!o.fit_on) {
    o.fit_serial = -1;
    o.split_ready = false;
    return;
  }
  if (o.fit_serial != o.q_serial) {
    Rng rng = fit_q_stream(index);
    fit_q_start(&o.fit, p, o.x, o.y, o.q, rng);
    o.fit_serial = o.q_serial;
    o.split_ready = false;
  }
  // a few steps a frame, so the ellipse is seen moving
  const double start = session_clock();
  while (!o.fit.done() && session_clock() - start < 0.006) fit_q_step(&o.fit, p, 2);
  if (o.fit.done() && !o.split_ready) {
    o.split = vae_gap_split(o.work, p, o.x, o.y, o.q, o.fit.q, recon_stream(index), kLogPxK, log_px_stream(1, index));
    o.split_ready = true;
  }
}
