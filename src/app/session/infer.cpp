// Batched decoding and encoding for the panels, and turning pixel probabilities into 8-bit tiles.
#include "app/session/infer.h"

#include <algorithm>
#include <cassert>

#include "model/likelihood.h"

void Inference::resize(const VaeParams& p) {
  work.resize(p, kInferBatch);
  logits.resize(kInferBatch, p.config.input);
  probs.resize(kInferBatch, p.config.input);
}

// Y itself when it fits the model (rows x C), else zero rows of the right shape in `fallback`.
static ConstMatRef fitted_labels(Mat& fallback, const ConstMatRef& Y, Eigen::Index rows, int classes) {
  if (Y.rows() == rows && Y.cols() == classes) return Y;
  fallback = Mat::Zero(rows, classes);
  return fallback;
}

// logits = decoder([z | y]) in batches of kInferBatch rows, each batch's n rows handed to
// out(start, n) while inf.logits (and a Gaussian's inf.work.dec_logvar) hold them
template <typename Out>
static void decode_batches(Inference& inf, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y_in, Out out) {
  assert(z.cols() == p.config.latent && inf.work.batch == kInferBatch);
  Mat fallback;
  const ConstMatRef Y = fitted_labels(fallback, Y_in, z.rows(), p.config.classes);
  for (Eigen::Index start = 0; start < z.rows(); start += kInferBatch) {
    const Eigen::Index n = std::min<Eigen::Index>(kInferBatch, z.rows() - start);
    vae_decode(inf.logits.topRows(n), inf.work, p, z.middleRows(start, n), Y.middleRows(start, n));
    out(start, n);
  }
}

void decode_probs(MatRef probs, Inference& inf, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y) {
  assert(probs.rows() == z.rows());
  // probs = sigmoid(logits), the Bernoulli means
  decode_batches(inf, p, z, Y, [&](Eigen::Index start, Eigen::Index n) {
    sigmoid_forward(probs.middleRows(start, n), inf.logits.topRows(n));
  });
}

void decode_draw(MatRef x, Inference& inf, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y, Rng& rng) {
  assert(x.rows() == z.rows());
  // x ~ p(x|z, y), from the logits (and a Gaussian's log sigma^2)
  decode_batches(inf, p, z, Y, [&](Eigen::Index start, Eigen::Index n) {
    likelihood_sample(x.middleRows(start, n), p.config.likelihood, inf.logits.topRows(n), inf.work.dec_logvar.topRows(n),
                      rng);
  });
}

void encode_mu(MatRef mu, Inference& inf, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y_in) {
  const int Z = p.config.latent;
  assert(mu.rows() == X.rows() && mu.cols() == Z && inf.work.batch == kInferBatch);
  Mat fallback;
  const ConstMatRef Y = fitted_labels(fallback, Y_in, X.rows(), p.config.classes);
  for (Eigen::Index start = 0; start < X.rows(); start += kInferBatch) {
    const Eigen::Index n = std::min<Eigen::Index>(kInferBatch, X.rows() - start);
    // heads = [mu | logvar] of q(z|[x | y]); keep mu
    vae_encode(inf.work, p, X.middleRows(start, n), Y.middleRows(start, n));
    mu.middleRows(start, n) = inf.work.heads.topRows(n).leftCols(Z);
  }
}

void encode_mu_sigma(MatRef mu, MatRef sigma, Inference& inf, const VaeParams& p, const ConstMatRef& X,
                     const ConstMatRef& Y_in) {
  const int Z = p.config.latent;
  assert(mu.rows() == X.rows() && sigma.rows() == X.rows() && mu.cols() == Z && sigma.cols() == Z);
  Mat fallback;
  const ConstMatRef Y = fitted_labels(fallback, Y_in, X.rows(), p.config.classes);
  for (Eigen::Index start = 0; start < X.rows(); start += kInferBatch) {
    const Eigen::Index n = std::min<Eigen::Index>(kInferBatch, X.rows() - start);
    // heads = [mu | a] of q(z|[x | y]); sigma = exp(logvar / 2)
    vae_encode(inf.work, p, X.middleRows(start, n), Y.middleRows(start, n));
    mu.middleRows(start, n) = inf.work.heads.topRows(n).leftCols(Z);
    sigma.middleRows(start, n) = (0.5f * vae_posterior_logvar(inf.work, p, n).array()).exp();
  }
}

Mat label_rows(const uint8_t* labels, Eigen::Index n, int classes) {
  Mat Y = Mat::Zero(n, std::max(classes, 0));
  for (Eigen::Index i = 0; i < n && classes > 0; ++i)
    if (labels[i] < classes) Y(i, labels[i]) = 1.0f;
  return Y;
}

Mat class_rows(int label, Eigen::Index n, int classes) {
  Mat Y = Mat::Zero(n, std::max(classes, 0));
  if (label >= 0 && label < classes) Y.col(label).setOnes();
  return Y;
}

void tile_images(std::vector<uint8_t>* out, const ConstMatRef& probs, int cols, int rows) {
  const int W = cols * kSide;
  out->assign(static_cast<size_t>(W) * rows * kSide, 0);
  const int n = std::min<int>(static_cast<int>(probs.rows()), cols * rows);
  for (int i = 0; i < n; ++i) {
    const int x0 = (i % cols) * kSide, y0 = (i / cols) * kSide;
    for (int y = 0; y < kSide; ++y)
      for (int x = 0; x < kSide; ++x) {
        const float p = probs(i, y * kSide + x);
        const float v = p > 0 ? std::min(p, 1.0f) : 0.0f;  // NaN (a diverged model) shows black
        (*out)[static_cast<size_t>(y0 + y) * W + x0 + x] = static_cast<uint8_t>(v * 255.0f + 0.5f);
      }
  }
}

double mean_intensity(const std::vector<uint8_t>& pixels) {
  if (pixels.empty()) return 0;
  double sum = 0;
  for (uint8_t v : pixels) sum += v;
  return sum / (255.0 * static_cast<double>(pixels.size()));
}

uint32_t checksum(const std::vector<uint8_t>& pixels) {
  uint32_t h = 2166136261u;
  for (uint8_t v : pixels) h = (h ^ v) * 16777619u;
  return h;
}
