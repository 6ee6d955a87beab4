// The importance-weighted bound (Burda, Grosse & Salakhutdinov 2016, eq. 8; Kingma & Welling 2014,
// appendix D): log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x). A lower bound on log p(x) that
// rises towards it as k grows; k = 1 gives an unbiased sample of the ELBO. Used two ways: to
// estimate log p(x) of a trained model (k = 5000), and as a training objective (IWAE, k = K).
#pragma once
#include <vector>

#include "core/rng.h"
#include "model/vae.h"

// log p(x) estimate (nats) for each row of X (N x D, as the likelihood observes it), with k samples
// per image, drawn in chunks of w.batch rows. Returns N values. For a conditional model, log p(x|y)
// with Y (N x C) one-hot; without Y the model must be unconditional.
std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, int k,
                               Rng& rng);
inline std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, int k, Rng& rng) {
  return vae_log_px(w, p, X, no_labels(X.rows()), k, rng);
}

// The IWAE training objective on a batch X (B x D) with K = k samples per image (w sized with
// resize(p, B, k)): the negative bound, batch mean of
//   -log (1/K) sum_k w_bk,   log w_bk = log p(x_b|z_bk) + log p(z_bk) - log q(z_bk|x_b),
//   z_bk = mu_b + sigma_b eps_bk,
// and, when want_grad, its gradient in w.grad (overwritten), through the normalized importance
// weights wn_bk = w_bk / sum_k' w_bk' (Burda et al., eq. 14):
//   d/dtheta = -1/B sum_b sum_k wn_bk d log w_bk / dtheta.
// kl_weight scales log p(z) - log q(z|x) inside log w for the gradient (warm-up; 1 = the bound);
// the returned loss is always the true bound: neg_elbo = -bound, bce = mean -log p(x|z) over the
// draws, kl = mean log q(z|x) - log p(z) over the draws. dropout: drop hidden units (training).
VaeLoss iwae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                              int k, bool want_grad, float kl_weight = 1.0f, bool dropout = false);
