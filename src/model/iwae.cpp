// log p(x) ~= logsumexp_i [log p(x|z_i) + log p(z_i) - log q(z_i|x)] - log k, streamed over chunks
// (the accumulator and the chunks are in inspect.cpp, shared with the page's one-image view); and
// the IWAE objective with its gradient through the normalized importance weights.
#include "model/iwae.h"

#include <cassert>
#include <cmath>

#include "model/inspect.h"
#include "model/likelihood.h"

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

VaeLoss iwae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                              int K, bool want_grad, float kl_weight, bool dropout) {
  const int B = w.batch, Z = p.config.latent;
  const Likelihood lik = p.config.likelihood;
  assert(K >= 1 && w.rows == B * K && X.rows() == B && X.cols() == p.config.input);
  vae_encode_train(w, p, X, Y, rng, dropout);
  auto mu = w.heads.leftCols(Z);
  const ConstMatRef logvar = vae_posterior_logvar(w, p, B);
  // K draws of every image, in blocks of B rows (row k B + b: draw k of image b), with its label
  for (Eigen::Index r = 0; r < w.eps.rows(); ++r)
    for (int j = 0; j < Z; ++j) w.eps(r, j) = rng.normal();
  for (int k = 0; k < K; ++k) {
    // z_bk = mu_b + exp(logvar_b / 2) * eps_bk
    w.z.middleRows(k * B, B) = mu + (0.5f * logvar.array()).exp().matrix().cwiseProduct(w.eps.middleRows(k * B, B));
    if (K > 1) w.y_rep.middleRows(k * B, B) = Y;
  }
  vae_decode_train(w, p, w.z, K > 1 ? ConstMatRef(w.y_rep) : Y, rng, dropout);
  // log p(z) - log q(z|x) = -1/2 |z|^2 + 1/2 (|eps|^2 + sum_j logvar_j): the (2 pi)^(-Z/2) cancel
  w.half_sum_logvar = 0.5f * logvar.rowwise().sum();
  for (int k = 0; k < K; ++k) {
    // -log p(x_b|z_bk), each draw against its image
    likelihood_nll(w.nll.segment(k * B, B), lik, w.logits.middleRows(k * B, B), w.dec_logvar.middleRows(k * B, B), X);
    w.log_ratio.segment(k * B, B) = -0.5f * w.z.middleRows(k * B, B).rowwise().squaredNorm() +
                                    0.5f * w.eps.middleRows(k * B, B).rowwise().squaredNorm() + w.half_sum_logvar;
  }
  // log w = log p(x|z) + log p(z) - log q(z|x);  the gradient's weights use kl_weight on the second part
  w.log_w = -w.nll + w.log_ratio;
  w.weights = -w.nll + kl_weight * w.log_ratio;
  double bound_sum = 0;
  for (int b = 0; b < B; ++b) {
    // bound_b = log (1/K) sum_k exp(log w_bk), as max + log sum exp(log w - max)
    double max_log_w = -INFINITY, max_weighted = -INFINITY;
    for (int k = 0; k < K; ++k) {
      max_log_w = std::max(max_log_w, static_cast<double>(w.log_w[k * B + b]));
      max_weighted = std::max(max_weighted, static_cast<double>(w.weights[k * B + b]));
    }
    double sum = 0, sum_weighted = 0;
    for (int k = 0; k < K; ++k) {
      sum += std::exp(w.log_w[k * B + b] - max_log_w);
      sum_weighted += std::exp(w.weights[k * B + b] - max_weighted);
    }
    bound_sum += max_log_w + std::log(sum) - std::log(static_cast<double>(K));
    // wn_bk / B = softmax_k(log w_bk) / B: each draw's share of image b's gradient, over the batch
    for (int k = 0; k < K; ++k)
      w.weights[k * B + b] =
          static_cast<float>(std::exp(w.weights[k * B + b] - max_weighted) / sum_weighted / w.grad_rows());
  }
  VaeLoss loss;
  loss.neg_elbo = -bound_sum / B;
  loss.bce = w.nll.cast<double>().sum() / w.rows;
  loss.kl = -w.log_ratio.cast<double>().sum() / w.rows;
  if (!want_grad) return loss;

  if (!w.grad_zero) std::fill(w.grad.begin(), w.grad.end(), 0.0f);
  w.grad_zero = false;
  // d(-log p(x|z))/dlogits of every draw, then times its weight wn / B (row by row)
  for (int k = 0; k < K; ++k)
    likelihood_nll_backward(w.d_logits.middleRows(k * B, B), w.d_dec_logvar.middleRows(k * B, B), lik,
                            w.logits.middleRows(k * B, B), w.dec_logvar.middleRows(k * B, B), X, 1.0f);
  w.d_logits.array().colwise() *= w.weights.array();
  if (lik == Likelihood::gaussian) w.d_dec_logvar.array().colwise() *= w.weights.array();
  vae_decoder_backward(w, p, dropout);
  // -log p(z) = |z|^2 / 2 + const: dL/dz += kl_weight (wn / B) z
  w.d_z.array() += (kl_weight * w.z.array()).colwise() * w.weights.array();
  w.d_heads.setZero();
  for (int k = 0; k < K; ++k) {
    // dz/dmu = 1;  dz/dlogvar = eps exp(logvar / 2) / 2, summed over the K draws of each image
    w.d_heads.leftCols(Z) += w.d_z.middleRows(k * B, B);
    w.d_heads.rightCols(Z).array() +=
        w.d_z.middleRows(k * B, B).array() * w.eps.middleRows(k * B, B).array() * (0.5f * logvar.array()).exp() * 0.5f;
  }
  // log q(z|x) = -1/2 sum_j (eps_j^2 + logvar_j) + const at fixed eps: dL/dlogvar += -kl_weight / (2 B)
  // (sum_k wn_bk = 1)
  w.d_heads.rightCols(Z).array() -= 0.5f * kl_weight / static_cast<float>(w.grad_rows());
  vae_encoder_backward(w, p, X, dropout);
  return loss;
}
