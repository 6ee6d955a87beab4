// The importance-weighted estimate of log p(x) (Burda et al. 2016, eq. 8; Kingma & Welling 2014,
// appendix D): log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x). It is a lower bound that
// rises towards log p(x) as k grows; k = 1 gives an unbiased sample of the ELBO.
#pragma once
#include <vector>

#include "core/rng.h"
#include "model/vae.h"

// log p(x) estimate (nats) for each row of X (N x D, binary), with k samples per image, drawn in
// chunks of w.batch rows. Returns N values. For a conditional model, log p(x|y) with Y (N x C)
// one-hot; without Y the model must be unconditional.
std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, int k,
                               Rng& rng);
inline std::vector<double> vae_log_px(VaeWork& w, const VaeParams& p, const ConstMatRef& X, int k, Rng& rng) {
  return vae_log_px(w, p, X, no_labels(X.rows()), k, rng);
}
