// One training step in slow motion: the stages' numbers and the two forces on each code.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/optim.h"
#include "fixtures.h"
#include "model/likelihood.h"
#include "model/step_trace.h"

namespace {
Mat binary_batch(Rng& rng, int n, int d) {
  Mat X(n, d);
  for (float& v : X.reshaped()) v = rng.uniform() < 0.3f ? 1.0f : 0.0f;
  return X;
}

// log p(x_b|z_b) of row b for codes z (B x Z), in double for a finite difference
double log_px_given_z(VaeWork& w, const VaeParams& p, const Mat& X, const Mat& z, int b) {
  vae_decode(w.logits, w, p, z, no_labels(z.rows()));
  Vec nll(z.rows());
  likelihood_nll(nll, p.config.likelihood, w.logits, w.dec_logvar, X);
  return -double(nll[b]);
}
}  // namespace

TEST_CASE("the step's stages are z = mu + sigma * eps with the ELBO's terms per image", "[step]") {
  Rng rng(1);
  const VaeParams p = tiny_model(tiny_config(30, {16}, 3), rng);
  const Mat X = binary_batch(rng, 8, 30);
  VaeWork w;
  w.resize(p, 8);
  StepTrace t;
  Rng r(5);
  vae_step_trace(&t, w, p, X, no_labels(8), r, 1.0f);
  CHECK(t.z.isApprox(t.mu + t.sigma.cwiseProduct(t.eps)));
  CHECK(t.pixel_cost.minCoeff() >= 0);
  // the batch's mean terms are the per-image ones, averaged
  CHECK(-t.recon.cast<double>().mean() == Approx(t.loss.bce).epsilon(1e-5));
  CHECK(t.kl.cast<double>().mean() == Approx(t.loss.kl).epsilon(1e-5));
  StepStage s;
  CHECK(step_stage_parse("backward", &s));
  CHECK(s == StepStage::backward);
  CHECK_FALSE(step_stage_parse("sideways", &s));
}

TEST_CASE("the reconstruction force on each code is the gradient of log p(x|z) with respect to mu", "[step]") {
  Rng rng(2);
  const VaeParams p = tiny_model(tiny_config(30, {16}, 2, Activation::tanh), rng);
  const Mat X = binary_batch(rng, 4, 30);
  VaeWork w;
  w.resize(p, 4);
  StepTrace t;
  Rng r(6);
  vae_step_trace(&t, w, p, X, no_labels(4), r, 1.0f);
  VaeWork v;
  v.resize(p, 4);
  const double h = 1e-2;
  for (int b = 0; b < 4; ++b)
    for (int j = 0; j < 2; ++j) {
      // central difference in mu_j with eps fixed: z moves with mu one for one
      Mat zp = t.z, zm = t.z;
      zp(b, j) += h;
      zm(b, j) -= h;
      const double fd = (log_px_given_z(v, p, X, zp, b) - log_px_given_z(v, p, X, zm, b)) / (2 * h);
      CHECK(t.grad_mu_recon(b, j) == Approx(fd).margin(2e-3));
    }
}

TEST_CASE("the KL's pull on each code is -beta mu, and beta scales it", "[step]") {
  Rng rng(3);
  const VaeParams p = tiny_model(tiny_config(30, {16}, 2), rng);
  const Mat X = binary_batch(rng, 4, 30);
  VaeWork w;
  w.resize(p, 4);
  StepTrace a, b;
  Rng r1(7), r2(7);
  vae_step_trace(&a, w, p, X, no_labels(4), r1, 1.0f);
  vae_step_trace(&b, w, p, X, no_labels(4), r2, 4.0f);
  CHECK(a.grad_mu_kl.isApprox(-a.mu));
  CHECK(b.grad_mu_kl.isApprox(4.0f * a.grad_mu_kl));
  CHECK(b.grad_mu_recon.isApprox(a.grad_mu_recon));
}

TEST_CASE("the step's parameter gradient is the training pass's on the same eps, and the update moves the codes",
          "[step]") {
  Rng rng(4);
  VaeParams p = tiny_model(tiny_config(30, {16}, 2), rng);
  const Mat X = binary_batch(rng, 8, 30);
  VaeWork w, v;
  w.resize(p, 8);
  v.resize(p, 8);
  StepTrace t;
  Rng r1(8), r2(8);
  vae_step_trace(&t, w, p, X, no_labels(8), r1, 1.0f);
  const VaeLoss loss = vae_forward_backward(v, p, X, no_labels(8), r2, 1, true, 1.0f, false);
  CHECK(loss.neg_elbo == Approx(t.loss.neg_elbo).epsilon(1e-6));
  CHECK(same_bits(w.grad, v.grad));
  Optimizer opt;
  opt.reset(p.size());
  opt.lr = 1e-2f;
  opt.update(p.data.data(), w.grad.data(), p.size());
  vae_step_trace_after(&t, w, p, no_labels(8));
  CHECK_FALSE(t.mu_after.isApprox(t.mu));
  REQUIRE(t.sigma_after.rows() == 8);
}
