// Forward and backward of the VAE's building blocks: linear layers, activations, the Bernoulli
// log-likelihood from logits and the closed-form Gaussian KL (Kingma & Welling 2014, appendix B).
#include "core/layers.h"

#include <cassert>
#include <cmath>

const char* activation_name(Activation a) { return a == Activation::relu ? "relu" : "tanh"; }

bool activation_parse(const std::string& name, Activation* out) {
  if (name == "relu") { *out = Activation::relu; return true; }
  if (name == "tanh") { *out = Activation::tanh; return true; }
  return false;
}

void linear_forward(MatRef Y, const ConstMatRef& X, const ConstMatRef& W, const ConstVecRef& b) {
  assert(X.cols() == W.cols() && Y.cols() == W.rows() && Y.rows() == X.rows() && b.size() == W.rows());
  // Y = X W^T + 1 b^T
  Y.noalias() = X * W.transpose();
  Y.rowwise() += b.transpose();
}

void linear_backward(MatRef dX, MatRef dW, VecRef db, const ConstMatRef& dY, const ConstMatRef& X,
                     const ConstMatRef& W) {
  assert(dY.rows() == X.rows() && dY.cols() == W.rows() && X.cols() == W.cols());
  // dL/dW = dY^T X
  dW.noalias() += dY.transpose() * X;
  // dL/db = sum over the batch of dY, row by row: one fixed order per element, whatever the
  // alignment of db (a vectorized colwise().sum() rounds differently in its unaligned head)
  for (Eigen::Index r = 0; r < dY.rows(); ++r) db += dY.row(r).transpose();
  // dL/dX = dY W
  if (dX.size() > 0) dX.noalias() = dY * W;
}

void activation_forward(MatRef H, const ConstMatRef& A, Activation act) {
  if (act == Activation::relu)
    H = A.cwiseMax(0.0f);
  else
    H = A.array().tanh();
}

void activation_backward(MatRef dA, const ConstMatRef& dH, const ConstMatRef& H, Activation act) {
  if (act == Activation::relu)
    // relu'(a) = [a > 0] = [h > 0]
    dA = (H.array() > 0.0f).select(dH, 0.0f);
  else
    // tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
    dA = dH.array() * (1.0f - H.array().square());
}

void bce_logits_forward(VecRef loss, const ConstMatRef& logits, const ConstMatRef& X) {
  assert(logits.rows() == X.rows() && logits.cols() == X.cols() && loss.size() == X.rows());
  // bce = max(l, 0) - l x + log1p(exp(-|l|)), summed over pixels
  loss = (logits.array().max(0.0f) - logits.array() * X.array() + (-logits.array().abs()).exp().log1p())
             .rowwise()
             .sum();
}

void bce_logits_pixels(MatRef cost, const ConstMatRef& logits, const ConstMatRef& X) {
  assert(logits.rows() == X.rows() && logits.cols() == X.cols() && cost.rows() == X.rows() && cost.cols() == X.cols());
  // bce = max(l, 0) - l x + log1p(exp(-|l|)), each pixel
  cost = logits.array().max(0.0f) - logits.array() * X.array() + (-logits.array().abs()).exp().log1p();
}

void sigmoid_forward(MatRef P, const ConstMatRef& logits) { P = logits.array().logistic(); }

void bce_logits_backward(MatRef dlogits, const ConstMatRef& logits, const ConstMatRef& X, float scale) {
  // d bce / d l = sigmoid(l) - x
  dlogits = scale * (logits.array().logistic() - X.array());
}

void kl_forward(VecRef kl, const ConstMatRef& mu, const ConstMatRef& logvar) {
  // KL = -1/2 sum (1 + logvar - mu^2 - exp(logvar))
  kl = -0.5f * (1.0f + logvar.array() - mu.array().square() - logvar.array().exp()).rowwise().sum();
}

void kl_backward(MatRef dmu, MatRef dlogvar, const ConstMatRef& mu, const ConstMatRef& logvar, float scale) {
  // dKL/dmu = mu
  dmu.array() += scale * mu.array();
  // dKL/dlogvar = (exp(logvar) - 1) / 2
  dlogvar.array() += (0.5f * scale) * (logvar.array().exp() - 1.0f);
}

void softmax_ce_forward(VecRef loss, const ConstMatRef& logits, const uint8_t* labels) {
  for (Eigen::Index b = 0; b < logits.rows(); ++b) {
    const float m = logits.row(b).maxCoeff();
    // logsumexp(l) = m + log sum exp(l - m)
    const float lse = m + std::log((logits.row(b).array() - m).exp().sum());
    loss[b] = lse - logits(b, labels[b]);
  }
}

void softmax_ce_backward(MatRef dlogits, const ConstMatRef& logits, const uint8_t* labels, float scale) {
  for (Eigen::Index b = 0; b < logits.rows(); ++b) {
    const float m = logits.row(b).maxCoeff();
    dlogits.row(b) = (logits.row(b).array() - m).exp();
    // d ce / d l = softmax(l) - onehot(y)
    dlogits.row(b) *= scale / dlogits.row(b).sum();
    dlogits(b, labels[b]) -= scale;
  }
}
