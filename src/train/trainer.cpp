// The training loop's single step, shared by the native trainer and the web page.
#include "train/trainer.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <numeric>

#include "model/iwae.h"

float scheduled_lr(const TrainOptions& o, double epoch) {
  if (o.lr_final <= 0 || o.epochs <= 0) return o.lr;
  // lr_t = lr (lr_final / lr)^(t / epochs)
  const double t = std::min(1.0, epoch / o.epochs);
  return static_cast<float>(o.lr * std::pow(static_cast<double>(o.lr_final) / o.lr, t));
}

float scheduled_kl_weight(const TrainOptions& o, double epoch) {
  if (o.kl_warmup <= 0) return o.beta;
  // beta * min(1, epoch / warm-up epochs)
  return static_cast<float>(o.beta * std::min(1.0, epoch / o.kl_warmup));
}

// The rows' uniforms in chunks (Rng::uniforms: the same numbers as one uniform() per pixel, in order)
template <class PerPixel>
static void with_uniforms(MatRef out, const ConstMatRef& intensities, Rng& rng, const PerPixel& per_pixel) {
  assert(out.rows() == intensities.rows() && out.cols() == intensities.cols());
  constexpr int kChunk = 256;
  float u[kChunk];
  for (Eigen::Index r = 0; r < out.rows(); ++r)
    for (Eigen::Index c0 = 0; c0 < out.cols(); c0 += kChunk) {
      const int n = static_cast<int>(std::min<Eigen::Index>(kChunk, out.cols() - c0));
      rng.uniforms(u, n);
      float* o = out.data() + r * out.outerStride() + c0;
      const float* x = intensities.data() + r * intensities.outerStride() + c0;
      for (int i = 0; i < n; ++i) o[i] = per_pixel(x[i], u[i]);
    }
}

void binarize(MatRef out, const ConstMatRef& intensities, Rng& rng) {
  // x ~ Bernoulli(intensity): 1 where u < intensity
  with_uniforms(out, intensities, rng, [](float p, float u) { return u < p ? 1.0f : 0.0f; });
}

void dequantize(MatRef out, const ConstMatRef& intensities, Rng& rng) {
  with_uniforms(out, intensities, rng, [](float p, float u) {
    // x = (pixel + u) / 256, pixel = round(255 intensity) in 0..255
    const float pixel = std::round(p * 255.0f);
    return (pixel + u) * (1.0f / 256.0f);
  });
}

void observe(MatRef out, const ConstMatRef& intensities, Likelihood likelihood, Rng& rng) {
  if (likelihood == Likelihood::gaussian)
    dequantize(out, intensities, rng);
  else
    binarize(out, intensities, rng);
}

void Trainer::start(const VaeConfig& config, const TrainOptions& opts) {
  options = opts;
  rng.reseed(opts.seed);
  params.build(config);
  params.init(rng);
  optimizer = Optimizer();
  optimizer.kind = opts.optimizer;
  optimizer.lr = opts.lr;
  optimizer.reset(params.size());
  epoch = 0;
  cursor = 0;
  epoch_loss_sum = 0;
  train_seconds = 0;
  prepare();
}

void Trainer::prepare() {
  const VaeConfig& c = params.config;
  const int B = options.batch, count = std::min(kShards, B);
  shards.resize(static_cast<size_t>(count));
  if (!taken) taken = std::make_unique<std::atomic<int>>(0);
  for (int s = 0, first = 0; s < count; ++s) {
    TrainShard& sh = shards[static_cast<size_t>(s)];
    sh.first = first;
    sh.rows = B / count + (s < B % count ? 1 : 0);
    first += sh.rows;
    sh.work.resize(params, sh.rows, c.objective == Objective::iwae ? c.iwae_k : 1);
    sh.work.mean_rows = B;  // its rows' terms of the batch mean: the blocks' gradients sum to the step's
    sh.x.resize(sh.rows, c.input);
    sh.y.resize(sh.rows, c.classes);
  }
}

void Trainer::copy_state(const Trainer& from) {
  options = from.options;
  params = from.params;
  optimizer = from.optimizer;
  rng = from.rng;
  perm = from.perm;
  epoch = from.epoch;
  cursor = from.cursor;
  epoch_loss_sum = from.epoch_loss_sum;
  train_seconds = from.train_seconds;
  prepare();
}

// Both threads' share of `job` (s = 0 here, s = 1 on the side thread), or both in turn on one.
template <class Job>
static void run_split(Trainer& t, bool two, int count, const Job& job) {
  if (two && count > 1) {
    if (!t.side) t.side = std::make_unique<SideThread>();
    t.side->post([&job] { job(1); });
    job(0);
    t.side->wait();
  } else {
    for (int s = 0; s < count; ++s) job(s);
  }
}

// The update's items: each held-back weight gradient's pieces (the same in every block), then the
// other parameters in chunks of kUpdateChunk
constexpr size_t kUpdateChunk = 4096;

void Trainer::plan_update() {
  const TrainShard& lead = shards[0];
  const float* g0 = lead.work.grad.data();
  items.clear();
  held_ranges.clear();
  size_t largest = 0;
  for (size_t l = 0; l < lead.deferred.size(); ++l) {
    const WeightGrad& g = lead.deferred[l];
    assert(g.ld_dW == g.in);
    for ([[maybe_unused]] const TrainShard& sh : shards)
      assert(sh.deferred.size() == lead.deferred.size() && sh.deferred[l].dW - sh.work.grad.data() == g.dW - g0);
    const size_t at = static_cast<size_t>(g.dW - g0);
    held_ranges.emplace_back(at, at + static_cast<size_t>(g.out) * g.in);
    for (int k = 0; k < g.pieces(); ++k) items.push_back({static_cast<int>(l), k, at, 0});
    largest = std::max(largest, static_cast<size_t>(g.step) * static_cast<size_t>(g.in));
  }
  std::sort(held_ranges.begin(), held_ranges.end());
  size_t lo = 0;
  auto chunks = [&](size_t hi) {
    for (; lo < hi; lo = std::min(hi, lo + kUpdateChunk)) items.push_back({-1, 0, lo, std::min(hi, lo + kUpdateChunk)});
  };
  for (const auto& r : held_ranges) {
    chunks(r.first);
    lo = r.second;
  }
  chunks(params.size());
  // each thread's room for a piece (allocated by the first step only)
  for (std::vector<float>& s : scratch)
    if (s.size() < largest) s.resize(largest);
}

void Trainer::update(int thread) {
  const bool both = shards.size() > 1;  // two blocks (one when B = 1)
  float* p = params.data.data();
  float* g0 = shards[0].work.grad.data();
  float* g1 = both ? shards[1].work.grad.data() : nullptr;
  float* room = scratch[static_cast<size_t>(thread)].data();
  for (int i; (i = taken->fetch_add(1, std::memory_order_relaxed)) < static_cast<int>(items.size());) {
    const UpdateItem& it = items[static_cast<size_t>(i)];
    if (it.layer < 0) {
      // a chunk of the other parameters: g = g_0 + g_1 in a buffer that stays in L1 for the update,
      // then the blocks' gradients cleared for the next step while their lines are in cache (a
      // separate pass over them, memset, was 5% of a step: Intel Xeon, 1 thread)
      alignas(64) float sum[kUpdateChunk];
      const float* g = g0 + it.lo;
      if (both) {
        for (size_t j = it.lo; j < it.hi; ++j) sum[j - it.lo] = g0[j] + g1[j];
        g = sum;
      }
      optimizer.apply(p, g, it.lo, it.hi);
      std::fill(g0 + it.lo, g0 + it.hi, 0.0f);
      if (both) std::fill(g1 + it.lo, g1 + it.hi, 0.0f);
      continue;
    }
    // rows of a held-back weight gradient: g = dY_0^T X_0 + dY_1^T X_1 in this thread's room, and
    // the update of those weights with it while it is in cache (it never goes to memory, nor is
    // read back, nor cleared)
    const WeightGrad& first_block = shards[0].deferred[static_cast<size_t>(it.layer)];
    first_block.piece_to(it.piece, room, first_block.in);
    if (both) shards[1].deferred[static_cast<size_t>(it.layer)].piece_to(it.piece, room, first_block.in, true);
    const size_t in = static_cast<size_t>(first_block.in);
    const size_t row0 = it.lo + static_cast<size_t>(first_block.piece_first(it.piece)) * in;
    optimizer.apply(p, room, row0, row0 + static_cast<size_t>(first_block.piece_len(it.piece)) * in);
  }
}

VaeLoss Trainer::step(const ConstMatRef& images, const uint8_t* labels) {
  const long long N = images.rows();
  const int B = options.batch, C = params.config.classes;
  assert(N >= B && images.cols() == params.config.input && (C == 0 || labels));
  if (cursor == 0) {
    // a new epoch: a fresh order (Fisher-Yates from the identity, so it depends on rng alone)
    perm.resize(static_cast<size_t>(N));
    std::iota(perm.begin(), perm.end(), 0u);
    for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(static_cast<uint32_t>(i + 1))]);
    epoch_loss_sum = 0;
  }
  const double progress = static_cast<double>(epoch) + static_cast<double>(cursor) / steps_per_epoch(N);
  optimizer.lr = scheduled_lr(options, progress);
  const float kl_weight = scheduled_kl_weight(options, progress);
  const VaeConfig& c = params.config;
  // one seed per step for the blocks' streams (stream s + 1 of it for block s)
  const uint64_t step_seed = (static_cast<uint64_t>(rng.next_u32()) << 32) | rng.next_u32();
  const int count = static_cast<int>(shards.size());
  // side by side on two threads, or in turn on one where that is measured faster (a busy core)
  const auto started = std::chrono::steady_clock::now();
  const bool two = threads > 1 && count > 1 && choice.two_threads();
  // W^T of this step's weights, once for both blocks instead of inside each block's every product:
  // measured here (Zen 5, 1 thread) 6% of a step went to those transposes. Only where the project's
  // kernel runs, and only while the blocks run in turn on one thread. Side by side, each block's
  // products transpose W into their own buffers: a W^T shared by two cores costs more than it saves,
  // as each step writes again every line of it that both cores read in the last one. Measured on
  // the AMD EPYC (Zen 5): making it took 174 us of a 2-thread step (each thread half the rows)
  // against 90 us for all of it on one, and 2-thread training went 56,418 -> 63,696 and 57,356 ->
  // 64,759 samples/s without it. The same bits either way.
  const bool transposed = !two && weights_t.prepare(params);
  if (transposed) weights_t.update(params);
  for (TrainShard& sh : shards) sh.deferred.clear();
  run_split(*this, two, count, [&](int s) {
    TrainShard& sh = shards[static_cast<size_t>(s)];
    sh.work.wt = transposed ? &weights_t : nullptr;
    sh.work.defer = &sh.deferred;
    sh.rng.reseed(step_seed, static_cast<uint64_t>(s) + 1);
    // an image in random order is in no cache: ask for the next one's lines while this one is drawn
    auto prefetch_row = [&](int b) {
      if (b >= sh.rows) return;
      const char* row = reinterpret_cast<const char*>(images.row(perm[static_cast<size_t>(cursor * B + sh.first + b)]).data());
      for (Eigen::Index off = 0; off < images.cols() * static_cast<Eigen::Index>(sizeof(float)); off += 64)
        __builtin_prefetch(row + off);
    };
    prefetch_row(0);
    for (int b = 0; b < sh.rows; ++b) {
      prefetch_row(b + 1);
      const uint32_t idx = perm[static_cast<size_t>(cursor * B + sh.first + b)];
      observe(sh.x.row(b), images.row(idx), c.likelihood, sh.rng);
      if (C > 0) {
        sh.y.row(b).setZero();
        sh.y(b, labels[idx]) = 1.0f;
      }
    }
    // the gradient of the model's objective over this block's rows (dropout on: this is training)
    sh.loss = c.objective == Objective::iwae
                  ? iwae_forward_backward(sh.work, params, sh.x, sh.y, sh.rng, c.iwae_k, true, kl_weight, true)
                  : vae_forward_backward(sh.work, params, sh.x, sh.y, sh.rng, options.samples, true, kl_weight, true);
    sh.work.wt = nullptr;  // the optimizer changes the weights next: nothing else may read these
    sh.work.defer = nullptr;
  });
  // the optimizer's step with g = sum_s g_s, in items both threads take as they come free
  optimizer.begin_step();
  plan_update();
  taken->store(0, std::memory_order_relaxed);
  run_split(*this, two, count, [&](int thread) { update(thread); });
  for (TrainShard& sh : shards) sh.work.grad_zero = true;
  VaeLoss loss;
  for (const TrainShard& sh : shards) {
    const double share = static_cast<double>(sh.rows) / B;
    loss.neg_elbo += share * sh.loss.neg_elbo;
    loss.bce += share * sh.loss.bce;
    loss.kl += share * sh.loss.kl;
  }
  epoch_loss_sum += loss.neg_elbo;
  if (++cursor == steps_per_epoch(N)) {
    cursor = 0;
    ++epoch;
  }
  if (threads > 1 && count > 1)
    choice.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return loss;
}

Mat binarize_fixed(const ConstMatRef& intensities, uint64_t seed) {
  Mat out(intensities.rows(), intensities.cols());
  Rng rng(seed, 7);
  binarize(out, intensities, rng);
  return out;
}

Mat dequantize_fixed(const ConstMatRef& intensities, uint64_t seed) {
  Mat out(intensities.rows(), intensities.cols());
  Rng rng(seed, 23);
  dequantize(out, intensities, rng);
  return out;
}

Mat observe_fixed(const ConstMatRef& intensities, Likelihood likelihood) {
  return likelihood == Likelihood::gaussian ? dequantize_fixed(intensities) : binarize_fixed(intensities);
}

VaeLoss test_set_loss(const VaeParams& params, const ConstMatRef& test_binary, const uint8_t* labels) {
  // (test_binary: the test set as observe_fixed gives it, binarized or dequantized)
  VaeWork w;
  w.resize(params, 500);
  Rng rng(kTestBinarizationSeed, 11);
  const int C = params.config.classes;
  assert(C == 0 || labels);
  const Mat Y = C > 0 ? one_hot(labels, test_binary.rows(), C) : no_labels(test_binary.rows());
  return vae_evaluate(w, params, test_binary, Y, rng, 1);
}
