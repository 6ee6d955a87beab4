// What q(z|x) approximates and how well (Kingma & Welling 2014, section 2.2; Cremer et al. 2018,
// "Inference Suboptimality in Variational Autoencoders"): the true posterior p(z|x) = p(x|z) p(z) /
// p(x) of a two-dimensional latent space on a grid, and the best Gaussian q for one image alone,
// fitted by gradient steps on its mu and log sigma^2 with the encoder untouched. The gap
// log p(x) - ELBO then splits into the amortization gap (what the encoder loses by serving every
// image with one network) and the approximation gap (what a Gaussian cannot fit).
#pragma once
#include <vector>

#include "core/optim.h"
#include "model/inspect.h"

// p(z|x) on an n x n grid (Z = 2): cell (r, c) is at z = (extent[0] + (c + 1/2) hx, extent[2] + (r + 1/2) hy).
struct PosteriorGrid {
  int n = 0;
  float extent[4] = {0, 0, 0, 0};  // z_0 from, to; z_1 from, to
  Vec log_joint;                   // n * n, row r = z_1's index: log p(x|z) + log N(z; 0, I), nats
  Vec mass;                        // n * n: p(z|x) times the cell's area (sums to 1)
  double mean[2] = {0, 0};         // E_p(z|x)[z]
  double cov[2][2] = {{0, 0}, {0, 0}};  // Cov_p(z|x)[z]
  double log_px = 0;  // log p(x) = log of the sum over cells of p(x|z) p(z) times the area (quadrature)
  int modes = 0;      // local maxima of p(z|x) on the grid holding at least 1% of the mass each
};

// The grid, in two passes: n x n over the square [-R, R]^2 that holds the prior's bulk and q (R =
// max(4, |mu| + 5 sigma)), then n x n over the box of the cells within kPosteriorSpan nats of the
// largest (one coarse cell of margin), so a narrow posterior gets fine cells. Needs Z = 2.
constexpr double kPosteriorSpan = 14;
PosteriorGrid vae_true_posterior(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                                 const Posterior& q, int n = 64);

// n importance samples z_i ~ q(z|x) (rows of z, n x Z) and their log w_i = log p(x|z_i) + log p(z_i) -
// log q(z_i|x) (n), the terms of vae_log_px_add's estimate, drawn from the same stream.
void vae_importance_samples(Mat* z, Vec* log_w, VaeWork& w, const VaeParams& p, const ConstMatRef& x,
                            const ConstMatRef& y, const Posterior& q, int n, Rng& rng);

// Gradient ascent on one image's ELBO over q's own mu and log sigma^2 (2Z numbers; the decoder and
// encoder fixed), by Adam from the encoder's q, on `samples` draws of eps kept for the whole fit (so
// each step climbs the same surface and the path is smooth), the learning rate falling from
// kFitQLr to 0 over the steps (half a cosine).
struct FitQ {
  Posterior q;           // now
  Posterior start;       // the encoder's
  std::vector<Vec> path;  // mu after each step (the first is the encoder's)
  Mat eps;               // samples x Z
  Mat x_rep, y_rep;      // the image (and label) in every row
  VaeWork work;          // sized for `samples` rows
  std::vector<WeightGrad> skipped;  // the decoder's output-layer weight gradient, not needed here
  Optimizer adam;
  int steps = 0, total_steps = 0;
  double objective = 0;  // the last step's ELBO on the kept eps (nats)
  bool done() const { return steps >= total_steps; }
};
constexpr int kFitQSamples = 32;
constexpr int kFitQSteps = 200;
constexpr float kFitQLr = 0.05f;

void fit_q_start(FitQ* fit, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y, const Posterior& start,
                 Rng& rng, int samples = kFitQSamples, int total_steps = kFitQSteps);
// The stream of the fit's kept eps for test image i (-1: a drawing), so the page and
// `vae-eval --image N --fit-q` fit the same q.
Rng fit_q_stream(long long image);
// Up to `steps` more steps (fewer at the end).
void fit_q_step(FitQ* fit, const VaeParams& p, int steps);

// The gap's split for one image, every ELBO from the same kReconSamples draws of the recon stream
// (common random numbers) and the closed-form KL: the encoder's, the fitted q's (the encoder's own when
// the fit did not beat it on these draws: the best q found), and log p(x) by importance sampling with
// k samples from the fitted q (a closer proposal than the encoder's, so a tighter estimate).
struct GapSplit {
  Posterior q_fit;
  bool kept_encoder = false;  // the fit did not improve on the encoder's q
  double elbo_encoder = 0, elbo_fit = 0, log_px = 0;
  double amortization_gap = 0;   // elbo_fit - elbo_encoder >= 0
  double approximation_gap = 0;  // log_px - elbo_fit
};
GapSplit vae_gap_split(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                       const Posterior& encoder_q, const Posterior& fitted_q, Rng recon_rng, long long k,
                       Rng log_px_rng);

// The ELBO of q for x: the reconstruction term from `samples` draws of rng, minus the closed-form KL.
double vae_elbo_of(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y, const Posterior& q,
                   int samples, Rng rng);
