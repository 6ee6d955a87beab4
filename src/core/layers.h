// Layers as forward/backward pairs of free functions over batch-major matrices (B x D).
// Outputs first, then inputs. Backward functions ACCUMULATE into parameter gradients
// (cleared once per step) and OVERWRITE input gradients.
#pragma once
#include <cstdint>
#include <string>

#include "core/tensor.h"

using MatRef = Eigen::Ref<Mat>;
using ConstMatRef = Eigen::Ref<const Mat>;
using VecRef = Eigen::Ref<Vec>;
using ConstVecRef = Eigen::Ref<const Vec>;

enum class Activation { relu, tanh };
const char* activation_name(Activation a);
bool activation_parse(const std::string& name, Activation* out);

// Y (B x out) = X (B x in) W^T (out x in) + b (out)
void linear_forward(MatRef Y, const ConstMatRef& X, const ConstMatRef& W, const ConstVecRef& b);
// dW (out x in) += dY^T X;  db (out) += sum_b dY;  dX (B x in) = dY W  (skipped when dX is empty)
void linear_backward(MatRef dX, MatRef dW, VecRef db, const ConstMatRef& dY, const ConstMatRef& X,
                     const ConstMatRef& W);

// H = act(A), in place allowed (H may alias A)
void activation_forward(MatRef H, const ConstMatRef& A, Activation act);
// dA = dH * act'(A), given the output H (relu: H > 0; tanh: 1 - H^2); dA may alias dH
void activation_backward(MatRef dA, const ConstMatRef& dH, const ConstMatRef& H, Activation act);

// Binary cross-entropy from logits, per sample, summed over pixels (B):
//   bce(l, x) = max(l, 0) - l x + log(1 + exp(-|l|))  ==  -[x log s(l) + (1-x) log(1-s(l))]
void bce_logits_forward(VecRef loss, const ConstMatRef& logits, const ConstMatRef& X);
// The same per pixel (B x D): cost(b, j) = -log p(x_bj | l_bj), nats
void bce_logits_pixels(MatRef cost, const ConstMatRef& logits, const ConstMatRef& X);
// dlogits = scale * (sigmoid(logits) - X): the fused, stable gradient of sigmoid + BCE
void bce_logits_backward(MatRef dlogits, const ConstMatRef& logits, const ConstMatRef& X, float scale);

// KL(N(mu, exp(logvar)) || N(0, I)) per sample (B) = -1/2 sum_j (1 + logvar - mu^2 - exp(logvar))
void kl_forward(VecRef kl, const ConstMatRef& mu, const ConstMatRef& logvar);
// dmu += scale * mu;  dlogvar += scale * (exp(logvar) - 1) / 2
void kl_backward(MatRef dmu, MatRef dlogvar, const ConstMatRef& mu, const ConstMatRef& logvar, float scale);

// Numerically stable sigmoid, elementwise.
void sigmoid_forward(MatRef P, const ConstMatRef& logits);

// Softmax cross-entropy from logits (B x C) against integer labels (B), per sample (B):
//   ce = logsumexp(l) - l_y
void softmax_ce_forward(VecRef loss, const ConstMatRef& logits, const uint8_t* labels);
// dlogits = scale * (softmax(logits) - onehot(y)): the fused, stable gradient of softmax + CE
void softmax_ce_backward(MatRef dlogits, const ConstMatRef& logits, const uint8_t* labels, float scale);
