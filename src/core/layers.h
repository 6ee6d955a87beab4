// Layers as forward/backward pairs of free functions over batch-major matrices (B x D).
// Outputs first, then inputs. Backward functions ACCUMULATE into parameter gradients
// (cleared once per step) and OVERWRITE input gradients.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "core/tensor.h"

using MatRef = Eigen::Ref<Mat>;
using ConstMatRef = Eigen::Ref<const Mat>;
using VecRef = Eigen::Ref<Vec>;
using ConstVecRef = Eigen::Ref<const Vec>;

enum class Activation { relu, tanh, elu };
const char* activation_name(Activation a);
bool activation_parse(const std::string& name, Activation* out);

// Y (B x out) = X (B x in) W^T (out x in) + b (out). Wt, where the caller keeps one: W^T itself
// (in x out, row-major), which the project's kernel reads in place instead of transposing W into
// its panels on every call; the same bits either way.
// ones, where the caller indexed X (gemm.h): if it found X binary, the product sums W^T's rows over
// X's 1s.
void linear_forward(MatRef Y, const ConstMatRef& X, const ConstMatRef& W, const ConstVecRef& b,
                    const float* Wt = nullptr, const BinaryOperand* ones = nullptr);
// A linear layer's weight gradient dW (out x in) += dY^T X (dY: rows x out, X: rows x in, all
// row-major), held back to be computed in pieces: blocks of dW's rows, each the same bits whichever
// thread computes it, so two threads can share a minibatch's pieces as they come free. dY and X
// must stay as they are until every piece is done.
struct WeightGrad {
  float* dW;
  long ld_dW;
  const float* dY;
  long ld_dY;
  const float* X;
  long ld_X;
  int out, in, rows;
  int step, count;  // count pieces of step rows, the last one shorter
  const BinaryOperand* ones;  // X's index (gemm.h), where the caller made one, else nullptr
  static WeightGrad of(MatRef dW, const ConstMatRef& dY, const ConstMatRef& X, const BinaryOperand* ones = nullptr);
  int pieces() const { return count; }
  int piece_first(int k) const { return k * step; }  // k < pieces(): its first row of dW
  int piece_len(int k) const { return std::min(step, out - k * step); }
  void all(int threads) const { block(0, out, threads); }  // every piece in one product
  // dW[first : first + len, :] += dY[:, first : first + len]^T X
  void block(int first, int len, int threads) const;
  // Piece k's product (piece_len(k) x in) written to C (row stride ldC), or added to it, instead of
  // added to dW: for a caller that uses it at once, while it is in cache (the trainer's optimizer).
  // Written, the same bits as block() adds to a dW of zeros.
  void piece_to(int k, float* C, long ldC, bool add = false) const;

 private:
  void product(float* C, long ldC, int first, int len, bool accumulate, int threads) const;
};

// dW (out x in) += dY^T X;  db (out) += sum_b dY;  dX (B x in) = dY W  (skipped when dX is empty).
// With `defer`, dW's product is appended to it instead (dY and X must be matrices that outlive it).
// ones: X's 1s, as linear_forward takes them.
void linear_backward(MatRef dX, MatRef dW, VecRef db, const ConstMatRef& dY, const ConstMatRef& X,
                     const ConstMatRef& W, std::vector<WeightGrad>* defer = nullptr,
                     const BinaryOperand* ones = nullptr);

// H = act(A), in place allowed (H may alias A)
void activation_forward(MatRef H, const ConstMatRef& A, Activation act);
// dA = dH * act'(A), given the output H (relu: H > 0; tanh: 1 - H^2; elu: 1 if H > 0, else H + 1);
// dA may alias dH
void activation_backward(MatRef dA, const ConstMatRef& dH, const ConstMatRef& H, Activation act);

// Dropout (Srivastava et al. 2014), inverted: a mask (B x H) of 0 (dropped, probability P) or
// 1 / (1 - P) (kept), drawn from rng, so the expected output is the input and evaluation needs no
// scaling. Forward H = H * mask, in place.
void dropout_mask(MatRef mask, float P, Rng& rng);
void dropout_forward(MatRef H, const ConstMatRef& mask);
// dH = dH * mask; and H (the dropped-out output) back to act(A) where the unit was kept (the
// activation's derivative reads it; dropped units get no gradient whatever H holds there).
void dropout_backward(MatRef dH, MatRef H, const ConstMatRef& mask, float P);

// Binary cross-entropy from logits, per sample, summed over pixels (B):
//   bce(l, x) = max(l, 0) - l x + log(1 + exp(-|l|))  ==  -[x log s(l) + (1-x) log(1-s(l))]
void bce_logits_forward(VecRef loss, const ConstMatRef& logits, const ConstMatRef& X);
// The same per pixel (B x D): cost(b, j) = -log p(x_bj | l_bj), nats
void bce_logits_pixels(MatRef cost, const ConstMatRef& logits, const ConstMatRef& X);
// dlogits = scale * (sigmoid(logits) - X): the fused, stable gradient of sigmoid + BCE
void bce_logits_backward(MatRef dlogits, const ConstMatRef& logits, const ConstMatRef& X, float scale);
// Both in one pass, as training needs them: loss as bce_logits_forward, dlogits as
// bce_logits_backward, from one exp(-|l|) per pixel (sigmoid(l) = [l >= 0 ? 1 : e] / (1 + e))
void bce_logits_forward_backward(VecRef loss, MatRef dlogits, const ConstMatRef& logits, const ConstMatRef& X,
                                 float scale);

// Gaussian negative log-likelihood with mean m = sigmoid(logits), as the paper's Gaussian decoder
// constrains its means to (0, 1) (Kingma & Welling 2014, section 5), and a log-variance lv per pixel
// (B x D each), per sample, summed over pixels (B):
//   nll(x | m, lv) = 1/2 sum_j [log(2 pi) + lv_j + (x_j - m_j)^2 exp(-lv_j)]
void gaussian_nll_forward(VecRef loss, const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X);
// The same per pixel (B x D): cost(b, j) = -log N(x_bj; m_bj, exp(lv_bj)), nats
void gaussian_nll_pixels(MatRef cost, const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X);
// dlogits = scale * (m - x) exp(-lv) m (1 - m);  dlogvar = scale * (1 - (x - m)^2 exp(-lv)) / 2
void gaussian_nll_backward(MatRef dlogits, MatRef dlogvar, const ConstMatRef& logits, const ConstMatRef& logvar,
                           const ConstMatRef& X, float scale);

// KL(N(mu, exp(logvar)) || N(0, I)) per sample (B) = -1/2 sum_j (1 + logvar - mu^2 - exp(logvar))
void kl_forward(VecRef kl, const ConstMatRef& mu, const ConstMatRef& logvar);
// dmu += scale * mu;  dlogvar += scale * (exp(logvar) - 1) / 2
void kl_backward(MatRef dmu, MatRef dlogvar, const ConstMatRef& mu, const ConstMatRef& logvar, float scale);

// Numerically stable sigmoid, elementwise.
void sigmoid_forward(MatRef P, const ConstMatRef& logits);

// The encoder's scale head a as q(z|x)'s log-variance, for sigma = softplus(a) + 1e-6 (the seed
// network's parameterization): logvar = 2 log(softplus(a) + 1e-6), softplus(a) = log(1 + exp(a)).
// logvar may not alias a.
constexpr float kSoftplusSigmaFloor = 1e-6f;
void softplus_sigma_forward(MatRef logvar, const ConstMatRef& a);
// da = dlogvar * dlogvar/da = dlogvar * 2 sigmoid(a) / sigma  (in place: dlogvar becomes da)
void softplus_sigma_backward(MatRef dlogvar, const ConstMatRef& a);

// Softmax cross-entropy from logits (B x C) against integer labels (B), per sample (B):
//   ce = logsumexp(l) - l_y
void softmax_ce_forward(VecRef loss, const ConstMatRef& logits, const uint8_t* labels);
// dlogits = scale * (softmax(logits) - onehot(y)): the fused, stable gradient of softmax + CE
void softmax_ce_backward(MatRef dlogits, const ConstMatRef& logits, const uint8_t* labels, float scale);
