// Inference for the app on the core's encoder and decoder, without sampling: the decoder's mean
// image sigmoid(logits(z)) and the encoder's mean mu(x), in batches of kInferBatch rows; plus the
// 8-bit images the app uploads as textures.
#pragma once
#include <cstdint>
#include <vector>

#include "core/layers.h"
#include "model/vae.h"

constexpr int kInferBatch = 256;
constexpr int kSide = 28;  // MNIST images are kSide x kSide = D pixels

struct Inference {
  VaeWork work;  // sized for kInferBatch rows of the current model
  Mat logits;    // kInferBatch x D
  Mat probs;     // kInferBatch x D: one batch of pixel probabilities
  void resize(const VaeParams& p);
};

// Y below is the labels a conditional model (C classes) reads, one row per code or image: one-hot
// rows (N x C), or soft ones for a path between two classes. A Y of any other shape (an unconditional
// model: N x 0) gives zero rows ("no class"), so a mismatch never reads out of bounds.

// probs (N x D) = sigmoid(decoder(z, y)), z (N x Z): the mean of p(x|z) or p(x|z,y)
void decode_probs(MatRef probs, Inference& inf, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y);
// x (N x D) ~ p(x|z, y): a draw of the decoder's distribution for each code (likelihood_sample), from rng
void decode_draw(MatRef x, Inference& inf, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y, Rng& rng);
// mu (N x Z) = encoder mean of X (N x D intensities): of q(z|x) or q(z|x,y)
void encode_mu(MatRef mu, Inference& inf, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
// ... and sigma (N x Z) of q(z|x) beside it
void encode_mu_sigma(MatRef mu, MatRef sigma, Inference& inf, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
inline void decode_probs(MatRef probs, Inference& inf, const VaeParams& p, const ConstMatRef& z) {
  decode_probs(probs, inf, p, z, Mat(z.rows(), 0));
}
inline void encode_mu(MatRef mu, Inference& inf, const VaeParams& p, const ConstMatRef& X) {
  encode_mu(mu, inf, p, X, Mat(X.rows(), 0));
}

// Y (n x C): row i one-hot for labels[i]; a label outside 0..C-1 (or -1) gives a zero row.
Mat label_rows(const uint8_t* labels, Eigen::Index n, int classes);
// Y (n x C): every row one-hot for `label` (a zero row when it is outside 0..C-1).
Mat class_rows(int label, Eigen::Index n, int classes);

// Tiles rows of probs (N x 784) into a cols x rows grid of 28x28 8-bit images (row-major, cell i at
// column i % cols, row i / cols); cells past N stay black. out is (cols*28) x (rows*28) bytes.
void tile_images(std::vector<uint8_t>* out, const ConstMatRef& probs, int cols, int rows);
// Mean of all values in [0, 1]: the "how much ink" figure the browser test reads.
double mean_intensity(const std::vector<uint8_t>& pixels);
// FNV-1a of the bytes: tells the browser test whether an image changed.
uint32_t checksum(const std::vector<uint8_t>& pixels);
