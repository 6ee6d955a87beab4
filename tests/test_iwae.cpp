// The importance-weighted estimate of log p(x): a bound at least the ELBO, rising with k.
#include <catch2/catch.hpp>

#include <numeric>

#include "fixtures.h"
#include "model/iwae.h"

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
