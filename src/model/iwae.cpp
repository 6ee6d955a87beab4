// log p(x) ~= logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k, streamed over chunks.
#include "model/iwae.h"

#include <algorithm>
#include <cmath>

std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, int k,
                               Rng& rng) {
  const int Z = p.config.latent, C = w.batch;
  const Eigen::Index N = X.rows();
  std::vector<double> out(static_cast<size_t>(N));
  Mat x_rep(C, X.cols());  // the image (and its label) repeated over a chunk
  Mat y_rep(C, Y.cols());
  Vec log_w(C);
  for (Eigen::Index i = 0; i < N; ++i) {
    vae_encode(w, p, X.row(i), Y.row(i));
    const RowVec mu = w.heads.row(0).leftCols(Z);
    const RowVec logvar = w.heads.row(0).rightCols(Z);
    const RowVec sigma = (0.5f * logvar.array()).exp();
    x_rep.rowwise() = X.row(i);
    if (Y.cols() > 0) y_rep.rowwise() = Y.row(i);
    double max_log_w = -INFINITY, sum_exp = 0;  // running logsumexp
    for (int done = 0; done < k; done += C) {
      const int n = std::min(C, k - done);
      for (int r = 0; r < n; ++r)
        for (int j = 0; j < Z; ++j) w.eps(r, j) = rng.normal();
      // z = mu + sigma * eps
      w.z.topRows(n) = (w.eps.topRows(n).array().rowwise() * sigma.array()).rowwise() + mu.array();
      vae_decode(w.logits.topRows(n), w, p, w.z.topRows(n), y_rep.topRows(n));
      bce_logits_forward(w.bce.head(n), w.logits.topRows(n), x_rep.topRows(n));
      // log w = log p(x|z) + log p(z) - log q(z|x); the (2 pi)^(-Z/2) factors cancel:
      //   log p(z) = -1/2 |z|^2,  log q(z|x) = -1/2 (|eps|^2 + sum logvar)
      log_w.head(n) = -w.bce.head(n) - 0.5f * w.z.topRows(n).rowwise().squaredNorm() +
                      0.5f * w.eps.topRows(n).rowwise().squaredNorm();
      const double half_sum_logvar = 0.5 * logvar.cast<double>().sum();
      for (int r = 0; r < n; ++r) {
        const double lw = static_cast<double>(log_w[r]) + half_sum_logvar;
        if (lw > max_log_w) {
          sum_exp = sum_exp * std::exp(max_log_w - lw) + 1.0;
          max_log_w = lw;
        } else {
          sum_exp += std::exp(lw - max_log_w);
        }
      }
    }
    out[static_cast<size_t>(i)] = max_log_w + std::log(sum_exp) - std::log(static_cast<double>(k));
  }
  return out;
}
