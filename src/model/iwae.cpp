// log p(x) ~= logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k, streamed over chunks
// (the accumulator and the chunks are in inspect.cpp, shared with the page's one-image view).
#include "model/iwae.h"

#include "model/inspect.h"

std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, int k,
                               Rng& rng) {
  std::vector<double> out(static_cast<size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Posterior q = vae_posterior(w, p, X.row(i), Y.row(i));
    LogPxAccumulator acc;
    vae_log_px_add(&acc, w, p, X.row(i), Y.row(i), q, k, rng);
    out[static_cast<size_t>(i)] = acc.value();
  }
  return out;
}
