// The VAE's training step as Kingma & Welling 2014 write it (algorithm 1, the estimator of section
// 2.3 with the reparameterization of 2.4, the closed-form KL of appendix B, the MLPs of appendix
// C.2), in plain Eigen top to bottom: the clean reference that the fast step is tested against.
#pragma once
#include <vector>

#include "core/optim.h"
#include "model/vae.h"

// The configurations the reference computes: the ELBO with one z per image, a Bernoulli or Gaussian
// decoder (either variance), any hidden sizes and activation, q's log sigma^2 head. Not: a
// conditional model, dropout, a softplus sigma, the IWAE objective (vae_elbo.cpp and iwae.cpp only).
bool vae_reference_supports(const VaeConfig& config);

// The forward pass's values, kept for the backward pass (B rows each).
struct VaeReferenceActivations {
  Mat x;                   // B x D: the observed batch
  std::vector<Mat> enc_h;  // B x H_i: encoder hidden layer i after its activation
  Mat mu, logvar, sigma;   // B x Z: q(z|x) = N(mu, diag(sigma^2)), log sigma^2, sigma
  Mat eps, z;              // B x Z: eps ~ N(0, I) as given, z = mu + sigma * eps
  std::vector<Mat> dec_h;  // B x H_i: decoder hidden layer i after its activation
  Mat logits;              // B x D: p(x|z)'s means are sigmoid(logits)
  Mat dec_logvar;          // B x D: a Gaussian decoder's log sigma_x^2 (0 x 0 for Bernoulli)
};

// The negative ELBO of a batch X (B x D) with one z per image, z = mu + sigma * eps (eps: B x Z);
// the batch means of -log p(x|z), of KL(q(z|x) || p(z)) and of their sum.
VaeLoss vae_reference_forward(VaeReferenceActivations& a, const VaeParams& p, const ConstMatRef& X,
                              const ConstMatRef& eps);
// grad (P, the layout of p.data) = the gradient of 1/B sum_b [-log p(x_b|z_b) + beta KL_b], from the
// forward pass's values a (beta = 1: the -ELBO; the trainer's --beta and KL warm-up set it).
void vae_reference_backward(std::vector<float>& grad, const VaeReferenceActivations& a, const VaeParams& p,
                            float beta);
// One step of algorithm 1 on the batch X (B x D) and eps (B x Z): forward, backward into grad (P),
// then the optimizer's update of p.data with it. Returns the forward pass's loss.
VaeLoss vae_reference_step(VaeParams& p, Optimizer& optimizer, std::vector<float>& grad, const ConstMatRef& X,
                           const ConstMatRef& eps, float beta);
