// Forward and backward of the VAE's building blocks: linear layers, activations, dropout, the
// Bernoulli log-likelihood from logits, the Gaussian log-likelihood (appendix C.2), the closed-form
// Gaussian KL (Kingma & Welling 2014, appendix B) and the softplus scale of q(z|x).
#include "core/layers.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "core/gemm.h"

namespace {
constexpr float kLog2Pi = 1.8378770664093453f;  // log(2 pi)

// A row-major matrix and its transpose as gemm() reads them
StridedMat as_is(const ConstMatRef& M) { return {M.data(), M.outerStride(), 1}; }
StridedMat transposed(const ConstMatRef& M) { return {M.data(), 1, M.outerStride()}; }
int rows(const ConstMatRef& M) { return static_cast<int>(M.rows()); }
int cols(const ConstMatRef& M) { return static_cast<int>(M.cols()); }
}  // namespace

const char* activation_name(Activation a) {
  return a == Activation::relu ? "relu" : a == Activation::tanh ? "tanh" : "elu";
}

bool activation_parse(const std::string& name, Activation* out) {
  if (name == "relu") { *out = Activation::relu; return true; }
  if (name == "tanh") { *out = Activation::tanh; return true; }
  if (name == "elu") { *out = Activation::elu; return true; }
  return false;
}

// Whether `ones` indexes X as it is now (the same matrix, indexed since it was last written)
[[maybe_unused]] static bool indexes(const BinaryOperand* ones, const float* X, long ld, Eigen::Index r, Eigen::Index c) {
  return !ones || (ones->p == X && ones->ld == ld && ones->rows == r && ones->cols == c);
}

void linear_forward(MatRef Y, const ConstMatRef& X, const ConstMatRef& W, const ConstVecRef& b, const float* Wt,
                    const BinaryOperand* ones) {
  assert(X.cols() == W.cols() && Y.cols() == W.rows() && Y.rows() == X.rows() && b.size() == W.rows());
  assert(indexes(ones, X.data(), X.outerStride(), X.rows(), X.cols()));
  // Y = X W^T + 1 b^T (the project's kernel where this CPU has one, else Eigen's; a binary X: the
  // sum of W^T's rows at X's 1s)
  const StridedMat Bt = Wt ? StridedMat{Wt, W.rows(), 1} : transposed(W);
  if (ones && gemm_binary_rows(Y.data(), Y.outerStride(), *ones, Bt, rows(W), false, b.data())) return;
  if (gemm(Y.data(), Y.outerStride(), as_is(X), Bt, rows(X), rows(W), cols(X), false, b.data(), Eigen::nbThreads()))
    return;
  Y.noalias() = X * W.transpose();
  Y.rowwise() += b.transpose();
}

// A held-back weight gradient's pieces: about kWeightGradPieces blocks of a multiple of 16 rows
constexpr int kWeightGradPieces = 7;

WeightGrad WeightGrad::of(MatRef dW, const ConstMatRef& dY, const ConstMatRef& X, const BinaryOperand* ones) {
  assert(indexes(ones, X.data(), X.outerStride(), X.rows(), X.cols()));
  const int out = static_cast<int>(dY.cols()), in = static_cast<int>(X.cols()), batch = static_cast<int>(X.rows());
  WeightGrad g{dW.data(), dW.outerStride(), dY.data(), dY.outerStride(), X.data(), X.outerStride(), out, in, batch, 0, 0,
               ones};
  g.step = ((out + kWeightGradPieces - 1) / kWeightGradPieces + 15) / 16 * 16;
  g.count = (out + g.step - 1) / g.step;
  return g;
}

void WeightGrad::block(int first, int len, int threads) const {
  assert(first >= 0 && len > 0 && first + len <= out);
  product(dW + first * ld_dW, ld_dW, first, len, true, threads);
}

void WeightGrad::piece_to(int k, float* C, long ldC, bool add) const {
  assert(k >= 0 && k < count);
  product(C, ldC, piece_first(k), piece_len(k), add, 1);
}

void WeightGrad::product(float* C, long ldC, int first, int len, bool accumulate, int threads) const {
  // C (+)= dY[:, first : first + len]^T X: rows first .. of dW
  const float* A = dY + first;
  // a binary X: the sum of dY^T's columns at X's 1s
  if (ones && gemm_binary_cols(C, ldC, StridedMat{A, 1, ld_dY}, *ones, len, accumulate, nullptr)) return;
  if (gemm(C, ldC, StridedMat{A, 1, ld_dY}, StridedMat{X, ld_X, 1}, len, in, rows, accumulate, nullptr, threads))
    return;
  using Strided = Eigen::Map<Mat, 0, Eigen::OuterStride<>>;
  using ConstStrided = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
  Strided out_C(C, len, in, Eigen::OuterStride<>(ldC));
  const auto dYt = ConstStrided(A, rows, len, Eigen::OuterStride<>(ld_dY)).transpose();
  const ConstStrided Xs(X, rows, in, Eigen::OuterStride<>(ld_X));
  if (accumulate)
    out_C.noalias() += dYt * Xs;
  else
    out_C.noalias() = dYt * Xs;
}

void linear_backward(MatRef dX, MatRef dW, VecRef db, const ConstMatRef& dY, const ConstMatRef& X,
                     const ConstMatRef& W, std::vector<WeightGrad>* defer, const BinaryOperand* ones) {
  assert(dY.rows() == X.rows() && dY.cols() == W.rows() && X.cols() == W.cols());
  // dL/dW = dY^T X, now or held back
  const WeightGrad g = WeightGrad::of(dW, dY, X, ones);
  if (defer)
    defer->push_back(g);
  else
    g.all(Eigen::nbThreads());
  // dL/db = sum over the batch of dY, row by row: one fixed order per element, whatever the
  // alignment of db (a vectorized colwise().sum() rounds differently in its unaligned head)
  for (Eigen::Index r = 0; r < dY.rows(); ++r) db += dY.row(r).transpose();
  // dL/dX = dY W
  if (dX.size() > 0 && !gemm(dX.data(), dX.outerStride(), as_is(dY), as_is(W), rows(dY), cols(W), cols(dY), false,
                             nullptr, Eigen::nbThreads()))
    dX.noalias() = dY * W;
}

void activation_forward(MatRef H, const ConstMatRef& A, Activation act) {
  if (act == Activation::relu)
    H = A.cwiseMax(0.0f);
  else if (act == Activation::tanh)
    H = A.array().tanh();
  else
    // elu(a) = a for a > 0, exp(a) - 1 otherwise (Clevert et al. 2016, alpha = 1)
    H = (A.array() > 0.0f).select(A, A.array().expm1());
}

void activation_backward(MatRef dA, const ConstMatRef& dH, const ConstMatRef& H, Activation act) {
  if (act == Activation::relu)
    // relu'(a) = [a > 0] = [h > 0]
    dA = (H.array() > 0.0f).select(dH, 0.0f);
  else if (act == Activation::tanh)
    // tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
    dA = dH.array() * (1.0f - H.array().square());
  else
    // elu'(a) = 1 for a > 0, exp(a) = h + 1 otherwise
    dA = (H.array() > 0.0f).select(dH, dH.array() * (H.array() + 1.0f));
}

void dropout_mask(MatRef mask, float P, Rng& rng) {
  assert(P >= 0.0f && P < 1.0f);
  const float keep_scale = 1.0f / (1.0f - P);
  // m = 0 with probability P, else 1 / (1 - P); row by row, one draw per unit
  for (Eigen::Index r = 0; r < mask.rows(); ++r)
    for (Eigen::Index c = 0; c < mask.cols(); ++c) mask(r, c) = rng.uniform() < P ? 0.0f : keep_scale;
}

void dropout_forward(MatRef H, const ConstMatRef& mask) {
  assert(H.rows() == mask.rows() && H.cols() == mask.cols());
  // h = act(a) * m
  H.array() *= mask.array();
}

void dropout_backward(MatRef dH, MatRef H, const ConstMatRef& mask, float P) {
  assert(dH.rows() == mask.rows() && dH.cols() == mask.cols() && H.rows() == mask.rows());
  // dL/d act(a) = dL/dh * m
  dH.array() *= mask.array();
  // act(a) = h (1 - P) where kept (h = 0 where dropped: the gradient there is already 0)
  H *= 1.0f - P;
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

void bce_logits_forward_backward(VecRef loss, MatRef dlogits, const ConstMatRef& logits, const ConstMatRef& X,
                                 float scale) {
  assert(logits.rows() == X.rows() && logits.cols() == X.cols() && loss.size() == X.rows());
  assert(dlogits.rows() == X.rows() && dlogits.cols() == X.cols());
  // e = exp(-|l|), held in dlogits until the gradient overwrites it
  dlogits = (-logits.array().abs()).exp();
  // bce = max(l, 0) - l x + log1p(e), summed over pixels
  loss = (logits.array().max(0.0f) - logits.array() * X.array() + dlogits.array().log1p()).rowwise().sum();
  // d bce / d l = sigmoid(l) - x, sigmoid(l) = 1 / (1 + e) for l >= 0, e / (1 + e) below
  dlogits = scale * ((logits.array() >= 0.0f).select(1.0f, dlogits.array()) / (1.0f + dlogits.array()) - X.array());
}

void gaussian_nll_forward(VecRef loss, const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X) {
  assert(logits.rows() == X.rows() && logits.cols() == X.cols() && logvar.rows() == X.rows() &&
         logvar.cols() == X.cols() && loss.size() == X.rows());
  // nll = 1/2 sum_j [log 2 pi + lv_j + (x_j - sigmoid(l_j))^2 exp(-lv_j)]
  loss = 0.5f * (kLog2Pi + logvar.array() + (X.array() - logits.array().logistic()).square() * (-logvar.array()).exp())
                    .rowwise()
                    .sum();
}

void gaussian_nll_pixels(MatRef cost, const ConstMatRef& logits, const ConstMatRef& logvar, const ConstMatRef& X) {
  assert(logits.rows() == X.rows() && logits.cols() == X.cols() && cost.rows() == X.rows() && cost.cols() == X.cols());
  // nll_j = 1/2 [log 2 pi + lv_j + (x_j - sigmoid(l_j))^2 exp(-lv_j)], each pixel
  cost = 0.5f * (kLog2Pi + logvar.array() + (X.array() - logits.array().logistic()).square() * (-logvar.array()).exp());
}

void gaussian_nll_backward(MatRef dlogits, MatRef dlogvar, const ConstMatRef& logits, const ConstMatRef& logvar,
                           const ConstMatRef& X, float scale) {
  assert(dlogits.rows() == X.rows() && dlogvar.rows() == X.rows() && dlogits.cols() == X.cols());
  // d nll / d l = (m - x) exp(-lv) dm/dl,  m = sigmoid(l),  dm/dl = m (1 - m)
  dlogits = scale * (logits.array().logistic() - X.array()) * (-logvar.array()).exp() * logits.array().logistic() *
            (1.0f - logits.array().logistic());
  // d nll / d lv = (1 - (x - m)^2 exp(-lv)) / 2
  dlogvar = (0.5f * scale) * (1.0f - (X.array() - logits.array().logistic()).square() * (-logvar.array()).exp());
}

void softplus_sigma_forward(MatRef logvar, const ConstMatRef& a) {
  assert(logvar.rows() == a.rows() && logvar.cols() == a.cols());
  // sigma = softplus(a) + 1e-6 = max(a, 0) + log1p(exp(-|a|)) + 1e-6;  logvar = 2 log sigma
  logvar = 2.0f * (a.array().max(0.0f) + (-a.array().abs()).exp().log1p() + kSoftplusSigmaFloor).log();
}

void softplus_sigma_backward(MatRef dlogvar, const ConstMatRef& a) {
  // dlogvar/da = 2 sigma'(a) / sigma = 2 sigmoid(a) / (softplus(a) + 1e-6)
  dlogvar.array() *= 2.0f * a.array().logistic() /
                     (a.array().max(0.0f) + (-a.array().abs()).exp().log1p() + kSoftplusSigmaFloor);
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
