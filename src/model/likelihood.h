// The decoder's p(x|z) (Kingma & Welling 2014, appendix C): Bernoulli on binarized pixels from the
// logits, or Gaussian on dequantized grey levels with mean sigmoid(logits) and a log-variance; and
// bits per dimension, the usual unit of image likelihoods.
#pragma once
#include "model/vae.h"

// -log p(x|z) per row (n) from the decoder's logits (n x D) and, for a Gaussian, its log sigma^2
// (n x D; a Bernoulli decoder's is n x 0 and unused), for observations X (n x D).
void likelihood_nll(VecRef nll, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar,
                    const ConstMatRef& X);
// The same per pixel (n x D), nats.
void likelihood_nll_pixels(MatRef cost, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar,
                           const ConstMatRef& X);
// dlogits (n x D) = scale * d nll / d logits; dlogvar (n x D, Gaussian only) = scale * d nll / d logvar.
void likelihood_nll_backward(MatRef dlogits, MatRef dlogvar, Likelihood likelihood, const ConstMatRef& logits,
                             const ConstMatRef& logvar, const ConstMatRef& X, float scale);
// Both, as a training step needs them (the Bernoulli's in one pass over the pixels).
void likelihood_nll_forward_backward(VecRef nll, MatRef dlogits, MatRef dlogvar, Likelihood likelihood,
                                     const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X,
                                     float scale);

// x ~ p(x|z) (n x D), the decoder as a distribution rather than its mean: Bernoulli pixels
// x_j ~ Bernoulli(sigmoid(logit_j)), or Gaussian x_j = sigmoid(logit_j) + exp(logvar_j / 2) eps_j clamped
// to [0, 1] (the grey levels' range), eps_j ~ N(0, 1); row by row from rng.
void likelihood_sample(MatRef x, Likelihood likelihood, const ConstMatRef& logits, const ConstMatRef& logvar, Rng& rng);

// Bits per dimension of log p(x) (nats per image of D pixels). Bernoulli: of the binarized pixels,
// -log p(x) / (D ln 2). Gaussian: a density on x = (pixel + u) / 256 in [0, 1]^D gives the 8-bit
// image a probability of at least exp(log p(x) - D ln 256) (its bin has volume 256^-D), so
// bits/dim = (-log p(x) + D ln 256) / (D ln 2) = -log p(x) / (D ln 2) + 8.
double bits_per_dim(double log_px, const VaeConfig& config);
