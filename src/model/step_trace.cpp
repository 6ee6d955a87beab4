// One training step kept stage by stage, with the two forces on each code.
#include "model/step_trace.h"

#include <cassert>
#include <cmath>

#include "model/likelihood.h"

namespace {
const char* const kStageNames[kStepStages] = {"encode", "eps", "decode", "cost", "backward", "update"};
}

const char* step_stage_name(StepStage s) { return kStageNames[static_cast<int>(s)]; }

bool step_stage_parse(const std::string& text, StepStage* out) {
  for (int i = 0; i < kStepStages; ++i)
    if (text == kStageNames[i]) {
      *out = static_cast<StepStage>(i);
      return true;
    }
  return false;
}

void vae_step_forces(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y,
                     const ConstMatRef& eps, float beta) {
  const int B = w.batch, Z = p.config.latent;
  assert(X.rows() == B && w.rows == B && eps.rows() == B && eps.cols() == Z);
  t->beta = beta;
  t->x = X;
  // encode: [mu | a] = encoder(x), sigma = exp(logvar / 2)
  vae_encode(w, p, X, Y);
  t->mu = w.heads.leftCols(Z);
  const Mat logvar = vae_posterior_logvar(w, p, B);
  t->sigma = (0.5f * logvar.array()).exp();
  // draw eps: given
  t->eps = eps;
  // z = mu + sigma * eps
  t->z = t->mu + t->sigma.cwiseProduct(t->eps);
  // decode: logits of p(x|z), means sigmoid(logits)
  vae_decode(w.logits, w, p, t->z, Y);
  t->mean = (1.0f + (-w.logits.array()).exp()).inverse();
  // cost: -log p(x_j|z) per pixel, log p(x|z) and KL per image
  t->pixel_cost.resize(B, p.config.input);
  likelihood_nll_pixels(t->pixel_cost, p.config.likelihood, w.logits, w.dec_logvar, X);
  t->recon = -t->pixel_cost.rowwise().sum();
  kl_forward(w.kl, t->mu, logvar);
  t->kl = w.kl;
  // backward, per image: d log p(x|z) / dmu = -d nll / dz (dz/dmu = 1), through the decoder
  likelihood_nll_backward(w.d_logits, w.d_dec_logvar, p.config.likelihood, w.logits, w.dec_logvar, X, 1.0f);
  std::vector<WeightGrad> skipped;  // the output layer's weight gradient: not needed for dz
  w.defer = &skipped;
  vae_decoder_backward(w, p, false, true);
  w.defer = nullptr;
  t->grad_mu_recon = -w.d_z;
  // d (-beta KL) / dmu = -beta mu   (KL = 1/2 sum (mu^2 + sigma^2 - 1 - log sigma^2))
  t->grad_mu_kl = -beta * t->mu;
}

void vae_step_trace(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y,
                    Rng& rng, float beta) {
  const int B = w.batch, Z = p.config.latent;
  const Rng start = rng;  // the update's pass draws the same eps
  // eps ~ N(0, I), row by row as the training pass draws it
  Mat eps(B, Z);
  for (int r = 0; r < B; ++r)
    for (int j = 0; j < Z; ++j) eps(r, j) = rng.normal();
  vae_step_forces(t, w, p, X, Y, eps, beta);
  // the parameters' gradient of the batch mean, on the same eps
  Rng again = start;
  w.grad_zero = false;
  t->loss = vae_forward_backward(w, p, X, Y, again, 1, true, beta, false);
}

void vae_step_trace_after(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& Y) {
  const int B = w.batch, Z = p.config.latent;
  vae_encode(w, p, t->x, Y);
  t->mu_after = w.heads.leftCols(Z);
  t->sigma_after = (0.5f * vae_posterior_logvar(w, p, B).array()).exp();
}
