// p(x|z) for either decoder, and bits per dimension (likelihood.h).
#include "model/likelihood.h"

#include <algorithm>
#include <cassert>
#include <cmath>

void likelihood_nll(VecRef nll, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar,
                    const ConstMatRef& X) {
  if (likelihood == Likelihood::bernoulli)
    bce_logits_forward(nll, logits, X);
  else
    gaussian_nll_forward(nll, logits, logvar, X);
}

void likelihood_nll_pixels(MatRef cost, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar,
                           const ConstMatRef& X) {
  if (likelihood == Likelihood::bernoulli)
    bce_logits_pixels(cost, logits, X);
  else
    gaussian_nll_pixels(cost, logits, logvar, X);
}

void likelihood_nll_backward(MatRef dlogits, MatRef dlogvar, Likelihood likelihood, const ConstMatRef& logits,
                             const ConstMatRef& logvar, const ConstMatRef& X, float scale) {
  if (likelihood == Likelihood::bernoulli)
    bce_logits_backward(dlogits, logits, X, scale);
  else
    gaussian_nll_backward(dlogits, dlogvar, logits, logvar, X, scale);
}

void likelihood_nll_forward_backward(VecRef nll, MatRef dlogits, MatRef dlogvar, Likelihood likelihood,
                                     const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X,
                                     float scale) {
  if (likelihood == Likelihood::bernoulli) return bce_logits_forward_backward(nll, dlogits, logits, X, scale);
  gaussian_nll_forward(nll, logits, logvar, X);
  gaussian_nll_backward(dlogits, dlogvar, logits, logvar, X, scale);
}

double bits_per_dim(double log_px, const VaeConfig& c) {
  const double D = c.input, ln2 = std::log(2.0);
  // Bernoulli: -log2 p(x) / D
  if (c.likelihood == Likelihood::bernoulli) return -log_px / (D * ln2);
  // Gaussian on [0, 1]-scaled dequantized pixels: (-log p(x) + D ln 256) / (D ln 2)
  return (-log_px + D * std::log(256.0)) / (D * ln2);
}

void likelihood_sample(MatRef x, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar, Rng& rng) {
  assert(x.rows() == logits.rows() && x.cols() == logits.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      // the mean sigmoid(logit): the Bernoulli's probability of a 1, or the Gaussian's mean
      const float mean = 1.0f / (1.0f + std::exp(-logits(r, j)));
      if (likelihood == Likelihood::bernoulli)
        x(r, j) = rng.uniform() < mean ? 1.0f : 0.0f;
      else
        x(r, j) = std::clamp(mean + std::exp(0.5f * logvar(r, j)) * rng.normal(), 0.0f, 1.0f);
    }
}
