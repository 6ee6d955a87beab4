// What the VAE does with one image x (Kingma & Welling 2014, sections 2.2-2.4 and appendix B): the
// encoder's Gaussian q(z|x) = N(mu, diag(sigma^2)), draws z = mu + sigma * eps, the ELBO's two terms
// (a Monte Carlo estimate of E_q[log p(x|z)] with its cost per pixel, the closed-form KL with its
// split per dimension) and log p(x) by importance sampling, accumulated in pieces so a page can
// spread it over frames. The gap log p(x) - ELBO is KL(q(z|x) || p(z|x)) (equation 1 of the paper).
#pragma once
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "model/vae.h"

// q(z|x) of one image: mu, log sigma^2 and sigma (Z each); sigma = exp(logvar / 2) for either
// scale head (for a softplus head logvar = 2 log(softplus(a) + 1e-6)).
struct Posterior {
  Vec mu, logvar, sigma;
};

// q(z|x, y) of x (1 x D), with y (1 x C) for a conditional model (1 x 0 otherwise).
Posterior vae_posterior(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y);

// KL(N(mu, sigma^2) || N(0, 1)) of each dimension (Z); their sum is the KL of q(z|x) from the prior.
Vec kl_per_dim(const Posterior& q);

// z (n x Z) = mu + sigma * eps, row by row, for eps (n x Z).
void reparameterize(MatRef z, const Posterior& q, const ConstMatRef& eps);

// E_q[log p(x|z)] estimated from `samples` draws z_s = mu + sigma * eps_s, eps_s ~ N(0, I) from rng.
struct ReconEstimate {
  double recon = 0;  // (1/S) sum_s log p(x|z_s), nats, <= 0
  Vec pixel_cost;    // D: (1/S) sum_s -log p(x_j|z_s), nats per pixel; sums to -recon
  int samples = 0;
};
ReconEstimate vae_recon_estimate(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                                 const Posterior& q, int samples, Rng& rng);

// log p(x) ~= log (1/k) sum_i w_i, w_i = p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x), kept as a running
// logsumexp so the k samples can be drawn in pieces.
struct LogPxAccumulator {
  double max_log_w = -INFINITY;
  double sum_exp = 0;  // sum_i exp(log w_i - max_log_w)
  long long count = 0;  // k so far
  void add(double log_w);
  // the estimate from the samples so far (-inf before any)
  double value() const { return count == 0 ? -INFINITY : max_log_w + std::log(sum_exp) - std::log(double(count)); }
};

// The samples of one image's log p(x) estimate in the page and `vae-eval --image N`.
constexpr long long kLogPxK = 5000;

// Draws n more samples z_i ~ q(z|x) (in chunks of w.batch rows) and adds their log w_i to *acc.
void vae_log_px_add(LogPxAccumulator* acc, VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                    const Posterior& q, long long n, Rng& rng);

// The streams of the one-image figures, so the page and `vae-eval --image N` draw the same numbers:
// the reconstruction term's kReconSamples draws for image i (-1: a drawing), and the "draw eps"
// button's eps for a seed.
constexpr int kReconSamples = 100;
Rng recon_stream(long long image);
Rng eps_stream(uint64_t seed);

// The eps stream of image i's log p(x) estimate (vae-eval's, so one image's figure is the same
// whether it is evaluated alone or with the whole test set).
Rng log_px_stream(uint64_t seed, long long image);

// Mean KL per latent dimension over the rows of X (N x D, with labels Y): how much each dimension
// is used. A dimension is active when its mean KL exceeds kActiveKl nats.
Vec vae_kl_per_dim_mean(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
constexpr double kActiveKl = 0.01;
int active_dims(const Vec& kl_per_dim_mean);
// Indices of the two dimensions with the largest mean KL, largest first (Z >= 2).
void two_most_active(const Vec& kl_per_dim_mean, int* first, int* second);

// Active units as Burda et al. (2016, section 5.2) define them: dimension j is active when the
// variance over the rows of X of E_q[z_j | x] = mu_j(x) exceeds kActiveUnitVariance.
// vae_posterior_mean_variance gives Cov_x(mu_j(x)) for each j (Z).
Vec vae_posterior_mean_variance(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
constexpr double kActiveUnitVariance = 0.01;
int active_units(const Vec& variance);
