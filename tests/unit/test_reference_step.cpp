// The fast training step against the reference step (model/vae_reference.h): the trainer's step as
// training runs it (packed kernels, W^T buffers, binary operands, held-back weight gradients, one or
// two threads) and the paper's algorithm in plain Eigen, on the same batch with the same eps, give the
// same loss, the same gradient of every parameter tensor and the same parameters after one update.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "gemm_fixtures.h"
#include "gradcheck.h"
#include "model/vae_reference.h"
#include "train/trainer.h"

namespace {

// Gradients agree to this fraction of each tensor's largest element. Both sides compute in float32
// (unit roundoff 6e-8) but sum in different orders: the kernels' FMA chains, the binary products'
// sums over the 1s, Eigen's blocked products, two row blocks added at the end. Through products of
// up to 784 terms and the backward pass's layers that moves an element by a few float ulps of the
// tensor's scale: 3.9e-7 of it at worst here (the elu model's decoder.0; the default model's worst
// 3.5e-7; an AVX-512 machine, the project's kernels and Eigen's alike). A real difference (a term
// left out, a wrong scale, eps on another row) moves a tensor by more than 1e-2 of it (the KL's
// gradient left out: 0.09 to 0.21). 1e-4 leaves 250x headroom for other vector widths and compilers.
constexpr float kGradTolerance = 1e-4f;
// Losses agree to this relative difference: float32 sums of 784 pixels (or Z latents) per image in
// other orders, and sigma^2 against exp(log sigma^2) (measured worst: 6.2e-7, the KL).
constexpr double kLossTolerance = 1e-5;
constexpr int kBatch = 16;  // blocks of 8 and 8 rows in the trainer

// One configuration of the fast step: the product kernel, binary operands, threads.
struct FastPath {
  GemmKernel kernel;
  bool binary;
  int threads;
};

std::string describe(const FastPath& f) {
  return std::string(gemm_kernel_name(f.kernel)) + (f.binary ? ", binary operands" : "") + ", " +
         std::to_string(f.threads) + " thread" + (f.threads > 1 ? "s" : "");
}

// The configurations this CPU and build run: each kernel of gemm.h (AVX-512, AVX2, Eigen's), binary
// operands on and off where they can run (the project's kernels), blocks in turn on 1 thread (which
// reads W^T buffers) or side by side on 2.
std::vector<FastPath> fast_paths() {
  KernelScope scope;
  std::vector<FastPath> out;
  for (GemmKernel k : {GemmKernel::avx512, GemmKernel::avx2, GemmKernel::eigen}) {
    if (!gemm_set_kernel(k)) continue;
    gemm_set_binary(true);
    const bool can_binary = gemm_binary_runs();
    for (int threads : {1, 2}) {
      if (can_binary) out.push_back({k, true, threads});
      out.push_back({k, false, threads});
    }
  }
  return out;
}

// n images of D pixels, each 0 or 1 (a sixth of them 1, as thin as digits): binarization keeps them
// as they are, and the binary products take them (at most half 1s).
Mat binary_images(int n, int D, uint64_t seed) {
  Rng rng(seed);
  Mat X(n, D);
  for (float& x : X.reshaped()) x = rng.uniform() < 1.0f / 6.0f ? 1.0f : 0.0f;
  return X;
}

// One step of each from the same parameters and optimizer: the trainer's on kBatch images (one
// step takes them all), the reference's on the batch and eps the trainer's blocks used.
struct Comparison {
  VaeLoss fast, reference;
  std::vector<float> fast_grad, reference_grad;  // P
  VaeParams before, fast_params, reference_params;
  bool transposed = false, binary = false, held_back = false, two_threads = false;  // what the fast step ran
};

// Eigen's products on the calling thread, as vae-train runs them (a block's products stay on its
// thread) and as the reference has them (no threads); the previous count restored after
struct EigenThreadsScope {
  int was = Eigen::nbThreads();
  EigenThreadsScope() { Eigen::setNbThreads(1); }
  ~EigenThreadsScope() { Eigen::setNbThreads(was); }
};

Comparison compare_steps(const VaeConfig& c, const FastPath& f, float beta = 1.0f) {
  KernelScope scope;
  EigenThreadsScope one_thread;
  REQUIRE(gemm_set_kernel(f.kernel));
  gemm_set_binary(f.binary);
  TrainOptions o;
  o.batch = kBatch;
  o.seed = 17;
  o.beta = beta;
  Trainer t;
  t.start(c, o);
  t.threads = f.threads;
  Comparison r;
  r.before = t.params;
  Optimizer optimizer = t.optimizer;
  r.fast = t.step(binary_images(kBatch, c.input, 5));
  r.fast_params = t.params;
  // the batch as the blocks observed it (binarized, or dequantized for a Gaussian) and their eps
  Mat X(kBatch, c.input), eps(kBatch, c.latent);
  for (const TrainShard& sh : t.shards) {
    X.middleRows(sh.first, sh.rows) = sh.x;
    eps.middleRows(sh.first, sh.rows) = sh.work.eps;
  }
  // the step's gradient g, held back in pieces and never stored: Adam's first m is (1 - beta1) g
  r.fast_grad.resize(t.params.size());
  for (size_t j = 0; j < r.fast_grad.size(); ++j) r.fast_grad[j] = t.optimizer.m[j] / (1.0f - t.optimizer.beta1);
  r.transposed = !t.weights_t.empty();
  r.binary = t.shards[0].work.x_ones.binary && t.shards[1].work.x_ones.binary;
  r.held_back = t.shards[0].deferred.size() == 2 && t.shards[1].deferred.size() == 2;
  r.two_threads = t.side != nullptr;
  r.reference_params = r.before;
  r.reference = vae_reference_step(r.reference_params, optimizer, r.reference_grad, X, eps, beta);
  return r;
}

// max |a - b| over [lo, hi), relative to max |b| there
float relative_difference(const std::vector<float>& a, const std::vector<float>& b, size_t lo, size_t hi) {
  float diff = 0, scale = 0;
  for (size_t j = lo; j < hi; ++j) {
    diff = std::max(diff, std::fabs(a[j] - b[j]));
    scale = std::max(scale, std::fabs(b[j]));
  }
  return scale > 0 ? diff / scale : diff;
}

void check_loss(const Comparison& r) {
  CHECK(r.fast.bce == Approx(r.reference.bce).epsilon(kLossTolerance));
  CHECK(r.fast.kl == Approx(r.reference.kl).epsilon(kLossTolerance));
  CHECK(r.fast.neg_elbo == Approx(r.reference.neg_elbo).epsilon(kLossTolerance));
}

// Each weight and bias tensor as [lo, hi) of the parameters
std::vector<std::pair<size_t, size_t>> tensors(const VaeParams& p) {
  std::vector<std::pair<size_t, size_t>> out;
  for (const LinearSlot* s : p.slots()) {
    const size_t weights = static_cast<size_t>(s->out) * static_cast<size_t>(s->in);
    if (weights > 0) out.emplace_back(s->w_offset, s->w_offset + weights);  // (a shared log-variance: a bias alone)
    out.emplace_back(s->b_offset, s->b_offset + static_cast<size_t>(s->out));
  }
  return out;
}

std::string tensor_name(const VaeParams& p, size_t lo) {
  for (const LinearSlot* s : p.slots())
    if (lo == s->w_offset || lo == s->b_offset) return s->name + (lo == s->b_offset ? ".bias" : ".weight");
  return "?";
}

// Each tensor: the gradients agree to kGradTolerance of the tensor's largest element
void check_gradients(const Comparison& r) {
  for (const auto& [lo, hi] : tensors(r.before)) {
    INFO(tensor_name(r.before, lo));
    CHECK(std::any_of(r.reference_grad.begin() + long(lo), r.reference_grad.begin() + long(hi),
                      [](float g) { return g != 0.0f; }));
    CHECK(relative_difference(r.fast_grad, r.reference_grad, lo, hi) <= kGradTolerance);
  }
}

}  // namespace

TEST_CASE("the reference step's loss is the fast step's: the same reconstruction and KL terms", "[reference]") {
  for (const FastPath& f : fast_paths()) {
    INFO(describe(f));
    check_loss(compare_steps(VaeConfig(), f));
  }
}

TEST_CASE("the reference gradient is the fast step's for every tensor, on every kernel, binary operands on and off, "
          "1 and 2 threads", "[reference]") {
  for (const FastPath& f : fast_paths()) {
    INFO(describe(f));
    check_gradients(compare_steps(VaeConfig(), f));
  }
}

TEST_CASE("one reference update with the trainer's optimizer gives the fast step's parameters", "[reference]") {
  for (const FastPath& f : fast_paths()) {
    INFO(describe(f));
    const Comparison r = compare_steps(VaeConfig(), f);
    const float lr = TrainOptions().lr, eps = Optimizer().eps;
    float moved = 0, worst = 0;
    for (const auto& [lo, hi] : tensors(r.before)) {
      // the gradient's difference that kGradTolerance allows in this tensor
      float scale = 0;
      for (size_t j = lo; j < hi; ++j) scale = std::max(scale, std::fabs(r.reference_grad[j]));
      const float dg = kGradTolerance * scale;
      for (size_t j = lo; j < hi; ++j) {
        moved = std::max(moved, std::fabs(r.reference_params.data[j] - r.before.data[j]));
        // Adam's first step moves theta by lr g / (|g| + eps) (m_hat = g, v_hat = g^2): gradients a and
        // b, |a - b| <= dg, move it apart by at most 2 lr dg / (|a| + |b| + eps); plus 1e-4 lr for the
        // rounding of theta (a few ulps of |theta| < 0.25). Measured: at most 1.5% of that allowance
        const float a = r.fast_grad[j], b = r.reference_grad[j];
        const float allowed = 2 * lr * dg / (std::fabs(a) + std::fabs(b) + eps) + 1e-4f * lr;
        worst = std::max(worst, std::fabs(r.fast_params.data[j] - r.reference_params.data[j]) / allowed);
      }
    }
    // each parameter moved by about lr, the two steps' parameters within what the gradients' tolerance allows
    CHECK(moved == Approx(lr).epsilon(1e-2));
    CHECK(worst <= 1.0f);
  }
}

TEST_CASE("the fast step compared runs its machinery: W^T on one thread, binary operands, held-back gradients, "
          "two threads", "[reference]") {
  for (const FastPath& f : fast_paths()) {
    INFO(describe(f));
    const Comparison r = compare_steps(VaeConfig(), f);
    const bool own_kernel = f.kernel != GemmKernel::eigen;
    // W^T buffers where the project's kernel runs the blocks in turn on one thread
    CHECK(r.transposed == (own_kernel && f.threads == 1));
    // the binary products on the binarized images where they are switched on
    CHECK(r.binary == f.binary);
    // both blocks held back the encoder's first and the decoder's last weight gradient
    CHECK(r.held_back);
    CHECK(r.two_threads == (f.threads == 2));
  }
}

TEST_CASE("tanh and elu hidden layers, two of them: the reference's loss and gradient are the fast step's",
          "[reference]") {
  for (const Activation act : {Activation::tanh, Activation::elu})
    for (const FastPath& f : fast_paths()) {
      INFO(activation_name(act) << ", " << describe(f));
      const Comparison r = compare_steps(tiny_config(784, {96, 48}, 8, act), f);
      check_loss(r);
      check_gradients(r);
    }
}

TEST_CASE("a Gaussian decoder, log-variance per pixel or shared: the reference's loss and gradient are the fast "
          "step's", "[reference]") {
  for (const DecoderVariance variance : {DecoderVariance::per_pixel, DecoderVariance::shared})
    for (const FastPath& f : fast_paths()) {
      INFO(decoder_variance_name(variance) << ", " << describe(f));
      VaeConfig c = tiny_config(784, {64}, 8);
      c.likelihood = Likelihood::gaussian;
      c.variance = variance;
      const Comparison r = compare_steps(c, f);
      check_loss(r);
      check_gradients(r);
    }
}

TEST_CASE("beta weights the KL term's gradient only: at beta = 4 the gradients agree, the loss is the -ELBO",
          "[reference]") {
  for (const FastPath& f : fast_paths()) {
    INFO(describe(f));
    const Comparison r = compare_steps(VaeConfig(), f, 4.0f);
    check_loss(r);
    check_gradients(r);
    // and beta changed the gradient: the heads' differ from beta = 1's
    const Comparison one = compare_steps(VaeConfig(), f, 1.0f);
    const size_t heads = r.before.mu.w_offset, heads_end = r.before.logvar.b_offset + r.before.logvar.out;
    CHECK(relative_difference(r.reference_grad, one.reference_grad, heads, heads_end) > 1e-2f);
  }
}

TEST_CASE("the reference gradient matches finite differences for every tensor (its own check, beside the fast step)",
          "[reference]") {
  VaeConfig c = tiny_config(12, {7}, 3, Activation::tanh);
  Rng rng(3);
  const VaeParams p = tiny_model(c, rng);
  const Mat X = binary_images(4, 12, 8);
  Mat eps(4, 3);
  for (float& e : eps.reshaped()) e = rng.normal();
  VaeReferenceActivations a;
  vae_reference_forward(a, p, X, eps);
  std::vector<float> grad;
  vae_reference_backward(grad, a, p, 1.0f);
  auto loss_at = [&](const std::vector<float>& theta) {
    VaeParams q = p;
    q.data = theta;
    VaeReferenceActivations b;
    return vae_reference_forward(b, q, X, eps).neg_elbo;
  };
  const double h = 1e-2;
  for (const LinearSlot* s : p.slots())
    for (const bool weight : {true, false}) {
      const size_t lo = weight ? s->w_offset : s->b_offset;
      const size_t hi = weight ? lo + static_cast<size_t>(s->out) * static_cast<size_t>(s->in) : lo + s->out;
      const GradCheck g = directional_check(loss_at, p.data, grad, lo, hi, 100 + lo, h);
      INFO(s->name << (weight ? ".weight" : ".bias") << " analytic " << g.analytic << " numeric " << g.numeric);
      CHECK(std::fabs(g.analytic) > 1e-6);
      CHECK(g.relative_error(noise_floor(h)) < 2e-2);
    }
}
