// Minibatch stochastic-gradient training of the VAE (Kingma & Welling 2014, algorithm 1) on the
// data protocol of the README: each training image is binarized afresh, pixel ~ Bernoulli(intensity),
// every time it is drawn (once per epoch), in a fresh random order each epoch.
#pragma once
#include <cstdint>
#include <vector>

#include "core/optim.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "model/vae.h"

struct TrainOptions {
  int batch = 100;
  int samples = 1;  // L: samples of z per image
  OptimizerKind optimizer = OptimizerKind::adam;
  float lr = 1e-3f;
  uint64_t seed = 1;
};

struct Trainer {
  TrainOptions options;
  VaeParams params;
  Optimizer optimizer;
  Rng rng;                     // the one stream behind init, shuffling, binarization and eps
  VaeWork work;                // sized for options.batch
  Mat xb;                      // B x D: the current binarized batch
  std::vector<uint32_t> perm;  // N: this epoch's order of the training images
  long long epoch = 0;         // completed epochs
  long long cursor = 0;        // batches taken in the current epoch
  double epoch_loss_sum = 0;   // sum of batch losses in the current epoch

  // Fresh model: parameters initialized from options.seed.
  void start(const VaeConfig& config, const TrainOptions& options);
  // Resize buffers after params/optimizer/rng were restored (from a checkpoint).
  void prepare();
  long long steps_per_epoch(long long num_images) const { return num_images / options.batch; }
  // One gradient step on the next batch of `images` (N x D intensities in [0, 1]); starts a new
  // epoch (fresh order) when the previous one ended. Returns that batch's loss.
  VaeLoss step(const ConstMatRef& images);
  bool at_epoch_start() const { return cursor == 0; }
};

// x_b ~ Bernoulli(intensity): dynamic binarization of rows of intensities into out (same shape).
void binarize(MatRef out, const ConstMatRef& intensities, Rng& rng);

// The test set is binarized once, with this fixed seed, so every reported figure uses the same bits.
constexpr uint64_t kTestBinarizationSeed = 20140101;
Mat binarize_fixed(const ConstMatRef& intensities, uint64_t seed = kTestBinarizationSeed);
