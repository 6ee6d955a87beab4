// One image through the VAE: q(z|x), z = mu + sigma * eps, the ELBO's two terms and log p(x).
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "model/inspect.h"
#include "model/iwae.h"
#include "model/likelihood.h"

namespace {
Mat random_binary(Rng& rng, Eigen::Index n, int d, float p = 0.3f) {
  Mat X(n, d);
  for (float& x : X.reshaped()) x = rng.uniform() < p ? 1.0f : 0.0f;
  return X;
}
}  // namespace

TEST_CASE("the one-image posterior is the encoder's mean and log-variance, with sigma = exp(logvar / 2)", "[inspect]") {
  const VaeConfig c = tiny_config(30, {16}, 5);
  Rng rng(1);
  const VaeParams p = tiny_model(c, rng);
  const Mat x = random_binary(rng, 1, c.input);
  VaeWork w;
  w.resize(p, 8);
  const Posterior q = vae_posterior(w, p, x, no_labels(1));
  VaeWork w2;
  w2.resize(p, 1);
  vae_encode(w2, p, x);
  for (int j = 0; j < c.latent; ++j) {
    CHECK(q.mu[j] == w2.heads(0, j));
    CHECK(q.logvar[j] == w2.heads(0, c.latent + j));
    CHECK(q.sigma[j] == Approx(std::exp(0.5 * w2.heads(0, c.latent + j))).epsilon(1e-6));
  }
}

TEST_CASE("the KL per dimension sums to the closed-form KL of q(z|x) from N(0, I)", "[inspect]") {
  Posterior q;
  q.mu = Vec(3);
  q.logvar = Vec(3);
  q.mu << 0.0f, 1.5f, -2.0f;
  q.logvar << 0.0f, -1.0f, 0.7f;
  q.sigma = (0.5f * q.logvar.array()).exp();
  const Vec kl = kl_per_dim(q);
  // KL_j = 1/2 (mu^2 + sigma^2 - 1 - log sigma^2), by hand
  CHECK(kl[0] == Approx(0.0).margin(1e-7));
  CHECK(kl[1] == Approx(0.5 * (2.25 + std::exp(-1.0) - 1 + 1)).epsilon(1e-6));
  CHECK(kl[2] == Approx(0.5 * (4.0 + std::exp(0.7) - 1 - 0.7)).epsilon(1e-6));
  Vec total(1);
  kl_forward(total, q.mu.transpose(), q.logvar.transpose());
  CHECK(kl.sum() == Approx(total[0]).epsilon(1e-6));
}

TEST_CASE("reparameterized draws are mu + sigma * eps", "[inspect]") {
  Posterior q;
  q.mu = Vec::LinSpaced(4, -1.0f, 2.0f);
  q.logvar = Vec::LinSpaced(4, -2.0f, 1.0f);
  q.sigma = (0.5f * q.logvar.array()).exp();
  Mat eps(3, 4), z(3, 4);
  Rng rng(5);
  for (float& e : eps.reshaped()) e = rng.normal();
  reparameterize(z, q, eps);
  for (int r = 0; r < 3; ++r)
    for (int j = 0; j < 4; ++j) CHECK(z(r, j) == Approx(q.mu[j] + q.sigma[j] * eps(r, j)).epsilon(1e-6));
}

TEST_CASE("the reconstruction estimate's pixel costs sum to minus the reconstruction term and agree with the ELBO's",
          "[inspect]") {
  const VaeConfig c = tiny_config(40, {12}, 3);
  Rng rng(2);
  const VaeParams p = tiny_model(c, rng);
  const Mat x = random_binary(rng, 1, c.input);
  VaeWork w;
  w.resize(p, 64);
  const Posterior q = vae_posterior(w, p, x, no_labels(1));
  Rng r1(3);
  const ReconEstimate est = vae_recon_estimate(w, p, x, no_labels(1), q, 4000, r1);
  CHECK(est.samples == 4000);
  CHECK(est.recon <= 0);
  CHECK(est.pixel_cost.size() == c.input);
  CHECK((est.pixel_cost.array() >= 0).all());
  CHECK(-est.pixel_cost.cast<double>().sum() == Approx(est.recon).epsilon(1e-5));
  // the trainer's estimate of the same term (its own draws): both converge to E_q[log p(x|z)]
  Rng r2(4);
  const VaeLoss loss = vae_evaluate(w, p, x, r2, 4000);
  CHECK(est.recon == Approx(-loss.bce).epsilon(0.01));
}

TEST_CASE("log p(x) accumulated in pieces is the estimate made in one go", "[inspect]") {
  const VaeConfig c = tiny_config(24, {10}, 2);
  Rng rng(6);
  const VaeParams p = tiny_model(c, rng);
  const Mat x = random_binary(rng, 1, c.input);
  VaeWork w;
  w.resize(p, 50);
  Rng whole_rng(9);
  const double whole = vae_log_px(w, p, x, 300, whole_rng)[0];
  const Posterior q = vae_posterior(w, p, x, no_labels(1));
  LogPxAccumulator acc;
  Rng pieces_rng(9);
  for (int n : {1, 49, 50, 100, 100}) vae_log_px_add(&acc, w, p, x, no_labels(1), q, n, pieces_rng);
  CHECK(acc.count == 300);
  CHECK(acc.value() == Approx(whole).epsilon(1e-6));
}

TEST_CASE("log p(x) minus the ELBO is the non-negative gap KL(q(z|x) || p(z|x)) and shrinks as k grows", "[inspect]") {
  const VaeConfig c = tiny_config(20, {16}, 3);
  Rng rng(11);
  VaeParams p = tiny_model(c, rng);
  // a posterior much wider than it should be (sigma ~ 4.5), so the gap is several nats
  p.b(p.logvar).array() += 3.0f;
  p.W(p.mu) *= 4.0f;
  const Mat x = random_binary(rng, 1, c.input);
  VaeWork w;
  w.resize(p, 100);
  const Posterior q = vae_posterior(w, p, x, no_labels(1));
  Rng r(12);
  const double elbo = vae_recon_estimate(w, p, x, no_labels(1), q, 20000, r).recon - kl_per_dim(q).sum();
  // the running estimate at k = 10, 100, 1000, 10000, averaged over independent streams
  double at[4] = {0, 0, 0, 0};
  const int streams = 20;
  for (int s = 0; s < streams; ++s) {
    Rng stream = log_px_stream(100, s);
    LogPxAccumulator acc;
    long long k = 0;
    for (int i = 0; i < 4; ++i) {
      const long long next = k == 0 ? 10 : k * 10;
      vae_log_px_add(&acc, w, p, x, no_labels(1), q, next - k, stream);
      k = next;
      at[i] += acc.value() / streams;
    }
  }
  INFO("ELBO " << elbo << ", log p(x) at k = 10..10^4: " << at[0] << " " << at[1] << " " << at[2] << " " << at[3]);
  CHECK(at[0] > elbo);
  for (int i = 1; i < 4; ++i) CHECK(at[i] > at[i - 1]);
  CHECK(at[3] - elbo > 0.5);
}

TEST_CASE("dimensions the encoder leaves at the prior are inactive, the others ranked by their KL", "[inspect]") {
  const VaeConfig c = tiny_config(16, {8}, 4);
  Rng rng(7);
  VaeParams p = tiny_model(c, rng);
  // dimension 1 and 3: mu = 0 and logvar = 0 for every x, so q = N(0, 1) = the prior there
  for (int j : {1, 3}) {
    p.W(p.mu).row(j).setZero();
    p.b(p.mu)[j] = 0;
    p.W(p.logvar).row(j).setZero();
    p.b(p.logvar)[j] = 0;
  }
  // dimension 2 far from the prior, dimension 0 a little
  p.b(p.mu)[2] = 3;
  p.W(p.mu).row(0) *= 0.1f;
  p.b(p.mu)[0] = 0.5f;
  const Mat X = random_binary(rng, 50, c.input);
  VaeWork w;
  w.resize(p, 16);
  const Vec kl = vae_kl_per_dim_mean(w, p, X, no_labels(X.rows()));
  CHECK(kl[1] == Approx(0).margin(1e-7));
  CHECK(kl[3] == Approx(0).margin(1e-7));
  CHECK(active_dims(kl) == 2);
  int first = -1, second = -1;
  two_most_active(kl, &first, &second);
  CHECK(first == 2);
  CHECK(second == 0);
}

TEST_CASE("one image under a Gaussian decoder with a softplus sigma: sigma = softplus(a) + 1e-6, the pixel costs and the "
          "ELBO are the Gaussian's", "[inspect][family]") {
  VaeConfig c = tiny_config(30, {16}, 4, Activation::elu);
  c.likelihood = Likelihood::gaussian;
  c.posterior_scale = PosteriorScale::softplus;
  Rng rng(8);
  const VaeParams p = tiny_model(c, rng);
  Mat x(1, c.input);
  for (float& v : x.reshaped()) v = rng.uniform();
  VaeWork w;
  w.resize(p, 64);
  const Posterior q = vae_posterior(w, p, x, no_labels(1));
  VaeWork w2;
  w2.resize(p, 1);
  vae_encode(w2, p, x);
  for (int j = 0; j < c.latent; ++j) {
    const double a = w2.heads(0, c.latent + j);
    CHECK(q.sigma[j] == Approx(std::log1p(std::exp(a)) + 1e-6).epsilon(1e-5));
  }
  // KL per dimension: 1/2 (mu^2 + sigma^2 - 1 - log sigma^2)
  const Vec kl = kl_per_dim(q);
  for (int j = 0; j < c.latent; ++j)
    CHECK(kl[j] == Approx(0.5 * (q.mu[j] * q.mu[j] + q.sigma[j] * q.sigma[j] - 1 - 2 * std::log(q.sigma[j]))).epsilon(1e-4));
  Rng r1(3);
  const ReconEstimate est = vae_recon_estimate(w, p, x, no_labels(1), q, 4000, r1);
  CHECK(-est.pixel_cost.cast<double>().sum() == Approx(est.recon).epsilon(1e-5));
  Rng r2(4);
  const VaeLoss loss = vae_evaluate(w, p, x, r2, 4000);
  CHECK(est.recon == Approx(-loss.bce).epsilon(0.01));
  CHECK(kl.sum() == Approx(loss.kl).epsilon(1e-4));
  // the pixel cost of one draw is the direct Gaussian formula, mean sigmoid(logits), variance exp(logvar)
  w.z.topRows(1) = q.mu.transpose();
  vae_decode(w.logits.topRows(1), w, p, w.z.topRows(1));
  Mat cost(1, c.input);
  likelihood_nll_pixels(cost, c.likelihood, w.logits.topRows(1), w.dec_logvar.topRows(1), x);
  const double m = 1 / (1 + std::exp(-double(w.logits(0, 5)))), s2 = std::exp(double(w.dec_logvar(0, 5)));
  CHECK(cost(0, 5) == Approx(0.5 * std::log(2 * M_PI * s2) + (x(0, 5) - m) * (x(0, 5) - m) / (2 * s2)).epsilon(1e-5));
  // log p(x) >= ELBO on average, with the Gaussian's log w
  Rng r3(5);
  const double log_px = vae_log_px(w, p, x, 2000, r3)[0];
  CHECK(log_px > est.recon - kl.sum());
}

TEST_CASE("active units (Burda et al.): dimensions whose posterior mean does not vary with x are inactive",
          "[inspect][family]") {
  const VaeConfig c = tiny_config(16, {8}, 4);
  Rng rng(9);
  VaeParams p = tiny_model(c, rng);
  // dimension 1: mu = 3 for every x (far from the prior, but constant: inactive by this definition);
  // dimension 3: mu barely moves with x; dimensions 0 and 2 move
  p.W(p.mu).row(1).setZero();
  p.b(p.mu)[1] = 3;
  p.W(p.mu).row(3) *= 1e-3f;
  p.W(p.mu).row(0) *= 20.0f;
  p.W(p.mu).row(2) *= 20.0f;
  const Mat X = random_binary(rng, 200, c.input, 0.5f);
  VaeWork w;
  w.resize(p, 64);
  const Vec var = vae_posterior_mean_variance(w, p, X, no_labels(X.rows()));
  // against the covariance computed directly from the encoded means
  VaeWork all;
  all.resize(p, 200);
  vae_encode(all, p, X);
  const Eigen::MatrixXd mu = all.heads.leftCols(c.latent).cast<double>();
  for (int j = 0; j < c.latent; ++j) {
    const double mean = mu.col(j).mean();
    const double direct = (mu.col(j).array() - mean).square().mean();
    CHECK(var[j] == Approx(direct).epsilon(1e-4).margin(1e-9));
  }
  CHECK(var[1] == Approx(0).margin(1e-9));
  CHECK(var[3] < 0.01);
  CHECK(var[0] > 0.01);
  CHECK(var[2] > 0.01);
  CHECK(active_units(var) == 2);
  // the mean-KL definition the page uses calls dimension 1 active: it is far from the prior for every x
  CHECK(vae_kl_per_dim_mean(w, p, X, no_labels(X.rows()))[1] > 4);
}

TEST_CASE("bits per dimension: -log p(x) / (D ln 2), plus 8 bits for a density of dequantized 8-bit pixels",
          "[inspect][family]") {
  VaeConfig c;
  CHECK(bits_per_dim(-784 * std::log(2.0), c) == Approx(1.0));
  c.likelihood = Likelihood::gaussian;
  // a uniform density on [0, 1]^784 (log p = 0) is 8 bits per pixel: each 8-bit value has probability 1/256
  CHECK(bits_per_dim(0.0, c) == Approx(8.0));
  CHECK(bits_per_dim(784 * std::log(256.0) / 2, c) == Approx(4.0));
}
