// The importance-weighted estimate of log p(x): a bound at least the ELBO, rising with k.
#include <catch2/catch.hpp>

#include <numeric>

#include "fixtures.h"
#include "model/iwae.h"
#include "model_gradcheck.h"

namespace {
double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
}  // namespace

TEST_CASE("importance-weighted bound is at least the ELBO on average and does not drop as k grows", "[iwae]") {
  const VaeConfig c = tiny_config(20, {16}, 4);
  Rng rng(17);
  const VaeParams p = tiny_model(c, rng);
  const int N = 40;
  Mat X(N, c.input);
  for (float& x : X.reshaped()) x = rng.uniform() < 0.3f ? 1.0f : 0.0f;
  VaeWork w;
  w.resize(p, 64);
  // the ELBO, with many samples of the reconstruction term so it is nearly exact
  Rng r0(1);
  const double elbo = -vae_evaluate(w, p, X, r0, 200).neg_elbo;
  double previous = -1e30;
  for (int k : {1, 10, 100, 1000}) {
    Rng r(2);
    const double bound = mean(vae_log_px(w, p, X, k, r));
    INFO("k = " << k << ": " << bound << " vs ELBO " << elbo);
    if (k == 1)
      CHECK(bound == Approx(elbo).epsilon(0.02));  // k = 1 is an unbiased sample of the ELBO
    else
      CHECK(bound > elbo);
    CHECK(bound >= previous);
    previous = bound;
  }
}

TEST_CASE("importance-weighted estimate is the same with chunks of any size", "[iwae]") {
  Rng rng(3);
  const VaeParams p = tiny_model(tiny_config(10, {8}, 2), rng);
  Mat X = Mat::Ones(2, 10);
  VaeWork small, large;
  small.resize(p, 7);
  large.resize(p, 100);
  Rng r1(4), r2(4);
  std::vector<double> a = vae_log_px(small, p, X, 50, r1), b = vae_log_px(large, p, X, 50, r2);
  CHECK(a[0] == Approx(b[0]).epsilon(1e-5));
  CHECK(a[1] == Approx(b[1]).epsilon(1e-5));
}

TEST_CASE("IWAE bound gradient matches finite differences for every tensor (K = 4)", "[iwae][grad]") {
  VaeConfig c = tiny_config(12, {7}, 3, Activation::tanh);
  c.objective = Objective::iwae;
  c.iwae_k = 4;
  check_all_tensors(c, 1, 1e-2);
}

TEST_CASE("IWAE bound gradient matches finite differences for a conditional Gaussian model with the seed's options",
          "[iwae][grad]") {
  VaeConfig c = tiny_config(12, {8, 6}, 3, Activation::elu, 3);
  c.objective = Objective::iwae;
  c.iwae_k = 3;
  c.likelihood = Likelihood::gaussian;
  c.posterior_scale = PosteriorScale::softplus;
  c.dropout = 0.2f;
  // h = 1e-2, as for the other IWAE check: at 1e-3 the loss's float roundoff over 2h reached the
  // floor on an AVX2 build (AMD EPYC, Zen 3: decoder.2.weight 0.0208 > 2e-2); at 1e-2 the largest
  // error there is 7.9e-4
  check_all_tensors(c, 1, 1e-2, true);
}

TEST_CASE("IWAE with K = 1 has the ELBO's gradient: the decoder's on the same draws, the encoder's on average",
          "[iwae]") {
  // K = 1: log w = log p(x|z) + log p(z) - log q(z|x), the ELBO with its KL estimated from the same
  // draw instead of in closed form. The decoder's gradient sees only log p(x|z): equal draw by draw.
  // The encoder's differs by the KL estimate's noise, zero on average: equal over many draws.
  VaeConfig c = tiny_config(16, {10}, 3, Activation::tanh);
  Rng rng(21);
  const VaeParams p = tiny_model(c, rng);
  const int B = 4;
  const Mat X = random_binary(B, c.input, rng);
  VaeWork we, wi;
  we.resize(p, B);
  wi.resize(p, B, 1);
  const size_t decoder_begin = p.decoder.front().w_offset, P = p.size();
  Eigen::VectorXd sum_elbo = Eigen::VectorXd::Zero(P), sum_iwae = Eigen::VectorXd::Zero(P);
  const int draws = 20000;
  for (int d = 0; d < draws; ++d) {
    Rng r1(1000 + d), r2(1000 + d);
    vae_forward_backward(we, p, X, no_labels(B), r1, 1, true);
    iwae_forward_backward(wi, p, X, no_labels(B), r2, 1, true);
    const ConstVecMap ge(we.grad.data(), P), gi(wi.grad.data(), P);
    if (d < 5) {
      // the same draw: the same decoder gradient
      const double diff = (ge.tail(P - decoder_begin) - gi.tail(P - decoder_begin)).cwiseAbs().maxCoeff();
      INFO("draw " << d << ": max |decoder gradient difference| " << diff);
      CHECK(diff <= 1e-6 * ge.tail(P - decoder_begin).cwiseAbs().maxCoeff());
    }
    sum_elbo += ge.cast<double>();
    sum_iwae += gi.cast<double>();
  }
  const Eigen::VectorXd encoder_elbo = sum_elbo.head(decoder_begin) / draws;
  const Eigen::VectorXd encoder_iwae = sum_iwae.head(decoder_begin) / draws;
  const double relative = (encoder_elbo - encoder_iwae).norm() / encoder_elbo.norm();
  INFO("mean encoder gradient, |ELBO - IWAE(K=1)| / |ELBO| = " << relative);
  CHECK(relative < 0.02);
  // and one draw alone is not the same (the closed-form KL is not the one-sample estimate)
  Rng r1(7), r2(7);
  vae_forward_backward(we, p, X, no_labels(B), r1, 1, true);
  iwae_forward_backward(wi, p, X, no_labels(B), r2, 1, true);
  CHECK((ConstVecMap(we.grad.data(), P) - ConstVecMap(wi.grad.data(), P)).head(decoder_begin).norm() > 1e-4);
}

TEST_CASE("the IWAE bound is at least the ELBO and grows with K on a fixed model", "[iwae]") {
  const VaeConfig c = tiny_config(20, {16}, 4);
  Rng rng(31);
  VaeParams p = tiny_model(c, rng);
  // a posterior wider than it should be, so the bounds are nats apart
  p.b(p.logvar).array() += 2.0f;
  const int B = 40;
  const Mat X = random_binary(B, c.input, rng);
  VaeWork we;
  we.resize(p, B);
  Rng r0(1);
  const double elbo = -vae_evaluate(we, p, X, r0, 2000).neg_elbo;
  double previous = -1e30;
  for (int K : {1, 5, 50}) {
    VaeWork w;
    w.resize(p, B, K);
    double sum = 0;
    const int reps = 200;
    for (int i = 0; i < reps; ++i) {
      Rng r(500 + i);
      sum -= iwae_forward_backward(w, p, X, no_labels(B), r, K, false).neg_elbo;
    }
    const double bound = sum / reps;
    INFO("K = " << K << ": IWAE bound " << bound << ", ELBO " << elbo);
    if (K == 1)
      CHECK(bound == Approx(elbo).epsilon(0.01));  // K = 1 is an unbiased estimate of the ELBO
    else
      CHECK(bound > elbo + 0.5);
    CHECK(bound > previous);
    previous = bound;
  }
}
