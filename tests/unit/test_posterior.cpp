// The true posterior on a grid, importance samples, and the best Gaussian q of one image.
#include <catch2/catch.hpp>
#include <cmath>

#include "fixtures.h"
#include "model/aggregate.h"
#include "model/posterior.h"

namespace {
struct OneImageCase {
  VaeParams p;
  Mat x;
  Posterior q;
  VaeWork w;
};

// a Z = 2 model and one binary image of 30 pixels
OneImageCase z2_case(uint64_t seed) {
  OneImageCase c;
  Rng rng(seed);
  c.p = tiny_model(tiny_config(30, {16}, 2), rng);
  c.x.resize(1, 30);
  for (float& v : c.x.reshaped()) v = rng.uniform() < 0.3f ? 1.0f : 0.0f;
  c.w.resize(c.p, 256);
  c.q = vae_posterior(c.w, c.p, c.x, no_labels(1));
  return c;
}

double log_mean_exp(const Vec& v) {
  const double m = v.maxCoeff();
  return m + std::log((v.cast<double>().array() - m).exp().mean());
}
}  // namespace

TEST_CASE("the grid's log p(x) agrees with importance sampling's", "[posterior]") {
  OneImageCase c = z2_case(3);
  const PosteriorGrid g = vae_true_posterior(c.w, c.p, c.x, no_labels(1), c.q, 64);
  REQUIRE(g.n == 64);
  CHECK(g.mass.sum() == Approx(1.0).epsilon(1e-4));
  LogPxAccumulator acc;
  Rng rng(7);
  vae_log_px_add(&acc, c.w, c.p, c.x, no_labels(1), c.q, 20000, rng);
  CHECK(g.log_px == Approx(acc.value()).margin(0.02));
  CHECK(g.extent[0] < g.mean[0]);
  CHECK(g.mean[0] < g.extent[1]);
  CHECK(g.cov[0][0] > 0);
  CHECK(g.cov[0][1] == Approx(g.cov[1][0]));
  CHECK(g.modes >= 1);
}

TEST_CASE("the grid's mean is the importance-weighted mean of z", "[posterior]") {
  OneImageCase c = z2_case(4);
  const PosteriorGrid g = vae_true_posterior(c.w, c.p, c.x, no_labels(1), c.q, 64);
  Mat z;
  Vec log_w;
  Rng rng(9);
  vae_importance_samples(&z, &log_w, c.w, c.p, c.x, no_labels(1), c.q, 20000, rng);
  // E_p(z|x)[z] = sum_i w_i z_i / sum_i w_i
  const Eigen::ArrayXd wt = (log_w.cast<double>().array() - log_w.maxCoeff()).exp();
  for (int j = 0; j < 2; ++j)
    CHECK((wt * z.col(j).cast<double>().array()).sum() / wt.sum() == Approx(g.mean[j]).margin(0.02));
}

TEST_CASE("importance samples give vae_log_px_add's estimate from the same stream", "[posterior]") {
  OneImageCase c = z2_case(5);
  Mat z;
  Vec log_w;
  Rng a(11), b(11);
  vae_importance_samples(&z, &log_w, c.w, c.p, c.x, no_labels(1), c.q, 1000, a);
  LogPxAccumulator acc;
  vae_log_px_add(&acc, c.w, c.p, c.x, no_labels(1), c.q, 1000, b);
  CHECK(log_mean_exp(log_w) == Approx(acc.value()).margin(1e-3));
  REQUIRE(z.rows() == 1000);
}

TEST_CASE("fitting q alone climbs the image's ELBO from the encoder's q", "[posterior]") {
  OneImageCase c = z2_case(6);
  FitQ fit;
  Rng rng(2);
  fit_q_start(&fit, c.p, c.x, no_labels(1), c.q, rng, 32, 200);
  fit_q_step(&fit, c.p, 1);
  const double first = fit.objective;
  fit_q_step(&fit, c.p, 1000);
  CHECK(fit.done());
  CHECK(fit.steps == 200);
  CHECK(fit.path.size() == 201u);
  CHECK(fit.objective > first);
  // the encoder's q is untouched: the start is still its mean
  CHECK(fit.start.mu.isApprox(c.q.mu));
}

TEST_CASE("the gap splits into amortization and approximation, each at least zero", "[posterior]") {
  OneImageCase c = z2_case(8);
  FitQ fit;
  Rng rng(2);
  fit_q_start(&fit, c.p, c.x, no_labels(1), c.q, rng);
  fit_q_step(&fit, c.p, kFitQSteps);
  const GapSplit s = vae_gap_split(c.w, c.p, c.x, no_labels(1), c.q, fit.q, Rng(3, 19), 5000, Rng(4, 13));
  CHECK(s.elbo_fit >= s.elbo_encoder);
  CHECK(s.log_px >= s.elbo_fit);
  CHECK(s.amortization_gap + s.approximation_gap == Approx(s.log_px - s.elbo_encoder).margin(1e-9));
  // the split's log p(x) agrees with the grid's
  const PosteriorGrid g = vae_true_posterior(c.w, c.p, c.x, no_labels(1), c.q, 64);
  CHECK(s.log_px == Approx(g.log_px).margin(0.05));
}

TEST_CASE("a q worse than the encoder's is not reported as the fit", "[posterior]") {
  OneImageCase c = z2_case(9);
  Posterior worse = c.q;
  worse.mu.array() += 3.0f;
  const GapSplit s = vae_gap_split(c.w, c.p, c.x, no_labels(1), c.q, worse, Rng(3, 19), 1000, Rng(4, 13));
  CHECK(s.kept_encoder);
  CHECK(s.amortization_gap == 0);
  CHECK(s.q_fit.mu.isApprox(c.q.mu));
}

TEST_CASE("the aggregate posterior is a density: it integrates to 1 over the plane", "[aggregate]") {
  Mat means(3, 2), vars(3, 2);
  means << 0, 0, 1, -1, -2, 0.5f;
  vars << 0.2f, 0.3f, 0.5f, 0.5f, 0.1f, 0.4f;
  const int n = 200;
  const float lo = -6, h = 12.0f / n;
  Mat points(n * n, 2);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) points(r * n + c, 0) = lo + (c + 0.5f) * h, points(r * n + c, 1) = lo + (r + 0.5f) * h;
  const Vec q = aggregate_density(means, vars, points);
  CHECK(q.cast<double>().sum() * h * h == Approx(1.0).epsilon(1e-3));
}

namespace {
// The share of the prior in holes for codes drawn by `draw`, on a grid over [-3, 3]^2.
template <typename Draw>
double holes_of(Draw draw) {
  Rng rng(12);
  Mat means(2000, 2), vars = Mat::Constant(2000, 2, 0.05f);
  for (int i = 0; i < 2000; ++i) draw(rng, means.row(i));
  const int n = 60;
  const float h = 6.0f / n;
  Mat points(n * n, 2);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) points(r * n + c, 0) = -3 + (c + 0.5f) * h, points(r * n + c, 1) = -3 + (r + 0.5f) * h;
  const float m0[2] = {0, 0}, v0[2] = {1, 1};
  return find_holes(means, vars, points, Vec::Constant(n * n, h * h), m0, v0).share;
}
}  // namespace

TEST_CASE("codes that fill the prior leave no holes, codes in two far clusters leave most of it empty", "[aggregate]") {
  // m ~ N(0, (1 - 0.05) I), v = 0.05: the aggregate is N(0, I) itself
  const double filled = holes_of([](Rng& rng, auto row) { row << 0.975f * rng.normal(), 0.975f * rng.normal(); });
  // two tight clusters at (+-2.5, 2.5), outside the prior's bulk
  const double clusters = holes_of([](Rng& rng, auto row) {
    row << (rng.uniform() < 0.5f ? -2.5f : 2.5f) + 0.1f * rng.normal(), 2.5f + 0.1f * rng.normal();
  });
  CHECK(filled < 0.02);
  CHECK(clusters > 0.9);
}
