// The whole model's gradient against finite differences, shared by the ELBO and IWAE tests: for the
// weight and bias of every layer, the analytic directional derivative of the loss against central
// differences along a random direction (the same eps, and dropout masks, on both sides: the
// stream is reseeded).
#pragma once
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.h"
#include "gradcheck.h"
#include "model/iwae.h"
#include "model/vae.h"


inline Mat random_binary(int rows, int cols, Rng& rng) {
  Mat X(rows, cols);
  for (float& x : X.reshaped()) x = rng.uniform() < 0.4f ? 1.0f : 0.0f;
  return X;
}

// Observations as the model's likelihood sees them: bits, or grey levels in [0, 1) for a Gaussian.
inline Mat random_observed(const VaeConfig& c, int rows, Rng& rng) {
  if (c.likelihood == Likelihood::bernoulli) return random_binary(rows, c.input, rng);
  Mat X(rows, c.input);
  for (float& x : X.reshaped()) x = rng.uniform();
  return X;
}


// Checks d(-ELBO)/d(tensor) (or the IWAE bound's, with iwae_k draws) for the weight and bias of every
// layer of a small model (conditional models get random labels). Dropout masks are drawn from the
// reseeded stream, so the same units are dropped at theta and at theta +- h d.
inline void check_all_tensors(const VaeConfig& config, int samples, double h, bool dropout = false) {
  VaeParams p;
  p.build(config);
  Rng init(7);
  p.init(init);
  const int B = 3, K = config.objective == Objective::iwae ? config.iwae_k : 1;
  Rng data_rng(8);
  Mat X = random_observed(config, B, data_rng);
  std::vector<uint8_t> labels(B);
  for (uint8_t& y : labels) y = static_cast<uint8_t>(data_rng.below(std::max(1, config.classes)));
  const Mat Y = config.classes > 0 ? one_hot(labels.data(), B, config.classes) : no_labels(B);
  auto loss = [&](VaeWork& w, const VaeParams& q, Rng& r, bool want_grad) {
    return config.objective == Objective::iwae
               ? iwae_forward_backward(w, q, X, Y, r, K, want_grad, 1.0f, dropout).neg_elbo
               : vae_forward_backward(w, q, X, Y, r, samples, want_grad, 1.0f, dropout).neg_elbo;
  };
  VaeWork w;
  w.resize(p, B, K);
  Rng eps_rng(9);
  loss(w, p, eps_rng, true);
  const std::vector<float> grad = w.grad;
  auto loss_at = [&](const std::vector<float>& theta) {
    VaeParams q = p;
    q.data = theta;
    VaeWork wq;
    wq.resize(q, B, K);
    Rng r(9);
    return loss(wq, q, r, false);
  };
  for (const LinearSlot* s : p.slots()) {
    const size_t w_size = static_cast<size_t>(s->out) * s->in;
    REQUIRE((s->in > 0 || s->out == 1));  // only a shared log-variance is a bias alone
    if (s->in > 0) {
      GradCheck cw = directional_check(loss_at, p.data, grad, s->w_offset, s->w_offset + w_size, 100 + s->w_offset, h);
      INFO(s->name << ".weight analytic " << cw.analytic << " numeric " << cw.numeric);
      CHECK(std::fabs(cw.analytic) > 1e-6);
      CHECK(cw.relative_error(noise_floor(h)) < 2e-2);
    }
    GradCheck cb = directional_check(loss_at, p.data, grad, s->b_offset, s->b_offset + s->out, 200 + s->b_offset, h);
    INFO(s->name << ".bias analytic " << cb.analytic << " numeric " << cb.numeric);
    CHECK(std::fabs(cb.analytic) > 1e-6);
    CHECK(cb.relative_error(noise_floor(h)) < 2e-2);
  }
}

