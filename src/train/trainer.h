// Minibatch stochastic-gradient training of the VAE (Kingma & Welling 2014, algorithm 1) on the
// data protocol of the README: each training image is binarized afresh, pixel ~ Bernoulli(intensity)
// (a Bernoulli decoder), or dequantized afresh, (pixel + u) / 256 with u ~ U(0, 1) (a Gaussian
// decoder), every time it is drawn (once per epoch), in a fresh random order each epoch. The
// objective is the model's: the ELBO, or the IWAE bound with K samples.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/optim.h"
#include "core/rng.h"
#include "core/side_thread.h"
#include "core/tensor.h"
#include "model/vae.h"
#include "train/thread_choice.h"

struct TrainOptions {
  int batch = 100;
  int samples = 1;  // L: samples of z per image
  OptimizerKind optimizer = OptimizerKind::adam;
  float lr = 1e-3f;
  uint64_t seed = 1;
  // schedules, both a function of the epoch so a resumed run follows them exactly
  float lr_final = 0;        // > 0: lr decays exponentially from lr to lr_final over `epochs`
  int epochs = 0;            // the run's length, for the schedule
  float kl_warmup = 0;       // > 0: the KL gradient's weight rises linearly from 0 to 1 over this many epochs
  float beta = 1;            // the KL term's weight: 0 a plain autoencoder, 1 the VAE, > 1 a beta-VAE (Higgins et al. 2017)
};

// The learning rate and KL weight (beta times the warm-up's factor) at a point of training (epoch +
// fraction done of it).
float scheduled_lr(const TrainOptions& o, double epoch);
float scheduled_kl_weight(const TrainOptions& o, double epoch);

// The minibatch is always split into kShards row blocks (of ceil(B/2) and floor(B/2) rows): each
// block observes its images, draws its eps and dropout masks from its own stream (seeded from the
// one stream once per step) and computes its rows' terms of the gradient of the batch mean; the
// step's gradient is their sum. The blocks run one after the other on one thread or side by side on
// two, with the same numbers bit for bit either way. Each block's two largest weight gradients (the
// encoder's first layer, the decoder's output layer: about 38% of its arithmetic) are held back:
// the optimizer's step takes them in pieces of rows (both blocks' products, summed), and updates
// those weights with each piece at once, while it is in cache, so these gradients (96% of the
// parameters) never go through memory. The threads take the pieces, and chunks of the other
// parameters, as they come free.
constexpr int kShards = 2;

struct TrainShard {
  int first = 0, rows = 0;  // rows [first, first + rows) of the batch
  VaeWork work;             // sized for `rows`
  Mat x;                    // rows x D: its images as the model observes them (binarized or dequantized)
  Mat y;                    // rows x C: their one-hot labels (conditional models; rows x 0 otherwise)
  Rng rng;                  // this step's stream of the block: binarization, eps, dropout
  VaeLoss loss;
  std::vector<WeightGrad> deferred;  // its largest weight gradients, held back by the pass to be shared
};

// One item of a step's update, taken by whichever thread comes free: piece `piece` of the blocks'
// held-back weight gradient `layer` (its weights at [lo, ..) of the parameters), or, layer < 0, the
// other parameters [lo, hi).
struct UpdateItem {
  int layer, piece;
  size_t lo, hi;
};

struct Trainer {
  TrainOptions options;
  VaeParams params;
  Optimizer optimizer;
  Rng rng;                     // the one stream behind init, shuffling and each step's block streams
  int threads = 1;             // 1 or 2: the blocks in turn or side by side (the numbers do not depend on it)
  ThreadChoice choice;         // with threads = 2: whether each step runs side by side, as measured faster
  std::vector<TrainShard> shards;      // the batch's row blocks (one when B = 1)
  std::unique_ptr<SideThread> side;    // the second thread, started by the first step with threads = 2
  TransposedWeights weights_t;         // W^T of the layers, made at the start of a one-thread step for both blocks
  std::vector<UpdateItem> items;        // this step's update, in items
  std::unique_ptr<std::atomic<int>> taken;  // items taken so far
  std::vector<std::pair<size_t, size_t>> held_ranges;  // the held-back gradients' [lo, hi) in the parameters
  std::vector<float> scratch[kShards];  // each thread's room for a piece of a held-back gradient
  std::vector<uint32_t> perm;  // N: this epoch's order of the training images
  long long epoch = 0;         // completed epochs
  long long cursor = 0;        // batches taken in the current epoch
  double epoch_loss_sum = 0;   // sum of batch losses in the current epoch
  double train_seconds = 0;    // wall time spent training so far, kept across resumes (the caller adds)

  // Fresh model: parameters initialized from options.seed.
  void start(const VaeConfig& config, const TrainOptions& options);
  // Resize buffers after params/optimizer/rng were restored (from a checkpoint).
  void prepare();
  // Becomes `from` as a training state (model, optimizer, streams, schedule, epoch and order; not its
  // threads, which belong to where it runs): this one's steps then go on bit for bit as `from`'s would
  // (the page's training thread).
  void copy_state(const Trainer& from);
  long long steps_per_epoch(long long num_images) const { return num_images / options.batch; }
  // One gradient step on the next batch of `images` (N x D intensities in [0, 1]) with their
  // `labels` (N; used by conditional models, may be null otherwise); starts a new epoch (fresh
  // order) when the previous one ended. Returns that batch's loss.
  VaeLoss step(const ConstMatRef& images, const uint8_t* labels);
  VaeLoss step(const ConstMatRef& images) { return step(images, nullptr); }
  bool at_epoch_start() const { return cursor == 0; }

 private:
  void plan_update();        // this step's items, after the blocks' passes
  void update(int thread);   // takes items until none is left
};

// x_b ~ Bernoulli(intensity): dynamic binarization of rows of intensities into out (same shape).
void binarize(MatRef out, const ConstMatRef& intensities, Rng& rng);
// x = (pixel + u) / 256, pixel = 255 intensity (an 8-bit value), u ~ U(0, 1): uniform dequantization
// of rows of intensities into out (same shape), values in [0, 1).
void dequantize(MatRef out, const ConstMatRef& intensities, Rng& rng);
// What a model with this likelihood observes of an image: binarized (Bernoulli) or dequantized (Gaussian).
void observe(MatRef out, const ConstMatRef& intensities, Likelihood likelihood, Rng& rng);

// The test set is binarized (or dequantized) once, with this fixed seed, so every reported figure
// uses the same values.
constexpr uint64_t kTestBinarizationSeed = 20140101;
Mat binarize_fixed(const ConstMatRef& intensities, uint64_t seed = kTestBinarizationSeed);
Mat dequantize_fixed(const ConstMatRef& intensities, uint64_t seed = kTestBinarizationSeed);
// The test images as a model with this likelihood observes them: binarize_fixed or dequantize_fixed.
Mat observe_fixed(const ConstMatRef& intensities, Likelihood likelihood);

// The test-set negative ELBO as every program reports it: one z per image from a fixed stream, so
// the trainer's figure and vae-eval's agree for the same weights. test_observed: observe_fixed's.
VaeLoss test_set_loss(const VaeParams& params, const ConstMatRef& test_observed, const uint8_t* labels = nullptr);
