// One training step of the VAE in slow motion (Kingma & Welling 2014, algorithm 1, for one
// minibatch): every stage's numbers kept for a page to show them one at a time. The encoder gives
// q(z|x) = N(mu, sigma^2), eps ~ N(0, I) is drawn, z = mu + sigma * eps is decoded, each pixel's cost
// and each image's KL are summed into the ELBO, the backward pass gives each code the two forces
// on it (the reconstruction term pushing mu to where x decodes well, the KL pulling it to the prior),
// and the update moves the weights, so the re-encoded codes move.
#pragma once
#include "model/vae.h"

enum class StepStage { encode, eps, decode, cost, backward, update };
constexpr int kStepStages = 6;
const char* step_stage_name(StepStage s);  // "encode", "eps", "decode", "cost", "backward", "update"
bool step_stage_parse(const std::string& text, StepStage* out);

struct StepTrace {
  float beta = 1;                 // the KL term's weight
  Mat x;                          // B x D: the batch as the model observes it
  Mat mu, sigma, eps, z;          // B x Z: q(z|x) and the draw z = mu + sigma * eps
  Mat mean;                       // B x D: the decoder's mean image of z (sigmoid(logits))
  Mat pixel_cost;                 // B x D: -log p(x_j|z), nats
  Vec recon, kl;                  // B: log p(x|z) and KL(q(z|x) || N(0, I)) of each image
  Mat grad_mu_recon, grad_mu_kl;  // B x Z: d log p(x|z) / dmu and d (-beta KL) / dmu (ascent directions)
  Mat mu_after, sigma_after;      // B x Z: q(z|x) re-encoded after the update
  VaeLoss loss;                   // the batch's mean terms
};

// The forward stages for the rows of X (B = w.batch, labels Y) with eps drawn from rng, the forces
// on each mu, and in w.grad the gradient of the batch's mean of -(log p(x|z) - beta KL) with respect
// to every parameter: vae_forward_backward's on the same eps (the update's gradient).
void vae_step_trace(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y,
                    Rng& rng, float beta);
// The same stages for a given eps (B x Z), without the parameters' gradient: what vae_step_trace
// computes before it, for a check from outside (the page's batch and eps, natively).
void vae_step_forces(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y,
                     const ConstMatRef& eps, float beta);
// The codes after the update: X re-encoded with the new parameters.
void vae_step_trace_after(StepTrace* t, VaeWork& w, const VaeParams& p, const ConstMatRef& Y);
