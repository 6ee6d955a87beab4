// vae-bench: training samples/s and decoded images/s of a model (default: the comparison model
// 784-400-20-400-784 ReLU, batch 100, Adam), as JSON. A benchmark, not a test.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/gemm.h"
#include "train/trainer.h"

// The WebAssembly build must run Eigen's SSE kernels (Emscripten maps them to SIMD128; flags in
// web/web.cmake), not its scalar fallback, which is 3-4x slower.
#if defined(__EMSCRIPTEN__) && !(defined(EIGEN_VECTORIZE_SSE2) && defined(EIGEN_VECTORIZE_SSE4_2))
#error "Eigen is not vectorized in this WebAssembly build: compile with -msimd128 -msse4.2"
#endif

namespace {

const char* kProgram = "vae-bench";

// Runs fn repeatedly for at least `seconds` after `warmup` calls (fewer if they take over a third
// of `seconds`: a large model's steps); returns calls per second.
template <class Fn>
double rate(Fn&& fn, int warmup, double seconds) {
  const auto w0 = std::chrono::steady_clock::now();
  for (int i = 0; i < warmup && (i == 0 || seconds_since(w0) < seconds / 3); ++i) fn();
  long calls = 0;
  auto t0 = std::chrono::steady_clock::now();
  do {
    fn();
    ++calls;
  } while (seconds_since(t0) < seconds);
  return calls / seconds_since(t0);
}

// Multiply-adds of one training sample, as FLOP: every layer's forward (2 in out) and its weight
// gradient (2 in out), and the input gradient (2 in out) of every layer but the first, whose input
// is the data (a bias alone, in = 0, counts nothing). Elementwise work is not counted: this is
// the work a GEMM limit bounds.
double training_flop_per_sample(const VaeParams& p) {
  double flop = 0;
  for (const LinearSlot* s : p.slots()) {
    flop += 4.0 * s->in * s->out;
    if (s != &p.encoder[0]) flop += 2.0 * s->in * s->out;
  }
  return flop;
}

// A float32 GEMM of this build, C = A B at 1024^3 and at the shapes of one training step of the
// comparison model, on Eigen's threads as set: GFLOP/s, as tools/bench_gemm.py prints OpenBLAS's.
// `kernel`: Eigen's own product, or the project's (gemm.h) with that kernel.
nlohmann::ordered_json gemm_rates(GemmKernel kernel, double seconds) {
  nlohmann::ordered_json j;
  j["threads"] = Eigen::nbThreads();
  if (kernel == GemmKernel::eigen)
    j["blas"] = "eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                std::to_string(EIGEN_MINOR_VERSION) + " (" + Eigen::SimdInstructionSetsInUse() + ")";
  else
    j["blas"] = std::string("vae gemm ") + gemm_kernel_name(kernel);
  const struct { const char* name; int m, k, n; } shapes[] = {
      {"1024^3", 1024, 1024, 1024}, {"100x784x400", 100, 784, 400}, {"100x400x784", 100, 400, 784},
      {"400x100x784", 400, 100, 784}};
  for (const auto& s : shapes) {
    Mat A(s.m, s.k), B(s.k, s.n), C(s.m, s.n);
    Rng rng(3);
    for (float& v : A.reshaped()) v = rng.normal();
    for (float& v : B.reshaped()) v = rng.normal();
    const StridedMat a{A.data(), A.outerStride(), 1}, b{B.data(), B.outerStride(), 1};
    const double calls =
        kernel == GemmKernel::eigen
            ? rate([&] { C.noalias() = A * B; }, 3, seconds)
            : rate([&] { gemm(C.data(), C.outerStride(), a, b, s.m, s.n, s.k, false, nullptr, Eigen::nbThreads()); }, 3,
                   seconds);
    j[std::string("gflops_") + s.name] = std::round(2.0 * s.m * s.k * s.n * calls / 1e8) / 10;
  }
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = default_data_dir();
  std::vector<int> hidden = {400};
  int latent = 20, batch = 100, decode_batch = 256, threads = 0;
  double seconds = 3.0;
  bool train_only = false, gemm_only = false, no_binary = false;
  std::string kernel_name = "auto";
  CLI::App app{"Measure training samples/s and decoded images/s of the VAE core.", kProgram};
  app.add_option("--data", data, "MNIST directory (training images to train on)")->capture_default_str();
  app.add_option("--hidden", hidden, "hidden sizes")->delimiter(',')->capture_default_str()->check(integer_in(1, 16384));
  app.add_option("--latent", latent, "latent size Z")->capture_default_str()->check(integer_in(1, 4096));
  app.add_option("--batch", batch, "training batch size")->capture_default_str()->check(integer_in(1, 60000));
  app.add_option("--decode-batch", decode_batch, "images decoded per call")->capture_default_str()->check(integer_in(1, 100000));
  app.add_option("--threads", threads, "threads for training (0 = all cores; with 2, a step runs on one while that is measured faster)")->capture_default_str()->check(integer_in(0, 256));
  app.add_option("--seconds", seconds, "time per measurement")->capture_default_str()->check(real_in(0, 3600, true));
  app.add_flag("--train-only", train_only, "measure training only (no decoding figures)");
  app.add_option("--gemm", kernel_name,
                 "matrix-product kernel: auto (the widest this CPU has), eigen, avx2 or avx512 (x86-64 only)")
      ->capture_default_str();
  app.add_flag("--no-binary", no_binary,
               "the first layer's products as dense ones (by default, with the project's kernels, they sum over the "
               "binarized images' 1s: the same bits, fewer operations)");
  app.add_flag("--gemm-only", gemm_only,
               "measure the float32 GEMMs only (Eigen's and each of the project's kernels this CPU runs; 1024^3 and "
               "the training's shapes, --threads): a JSON array, one object each");
  cli_parse(app, argc, argv);
  set_threads(threads);
  GemmKernel kernel;
  if (!gemm_kernel_parse(kernel_name.c_str(), &kernel))
    cli_fail(kProgram, "--gemm " + kernel_name + ": not a kernel (auto, eigen, avx2, avx512)");
  if (!gemm_set_kernel(kernel))
    cli_fail(kProgram, "--gemm " + kernel_name + ": this CPU or build cannot run it");
  gemm_set_binary(!no_binary);
  if (gemm_only) {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (GemmKernel k : {GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512})
      if (k == GemmKernel::eigen || gemm_kernel_available(k)) {
        gemm_set_kernel(k);
        all.push_back(gemm_rates(k, seconds / 4));
      }
    std::cout << all.dump() << std::endl;
    return 0;
  }
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  if (threads > 1) cli_fail(kProgram, "--threads " + std::to_string(threads) + ": this WebAssembly build has no threads (vae-bench-mt.js has)");
  const int train_threads = 1;
#else
  // the training threads (natively also Eigen's and OpenMP's, which set_threads set)
  const int train_threads = threads > 0 ? threads : hardware_threads();
#endif
  VaeConfig c;
  c.hidden = hidden;
  c.latent = latent;
  const Status valid = c.validate();
  if (!valid) cli_fail(kProgram, valid.message);
  check_work_size(kProgram, c, batch, "--batch");
  check_work_size(kProgram, c, decode_batch, "--decode-batch");

  Dataset train = load_split_or_exit(kProgram, data, "train", 0);
  if (train.images.rows() < batch)
    cli_fail(kProgram, "the training set (" + std::to_string(train.images.rows()) + " images) is smaller than --batch " +
                           std::to_string(batch));
  TrainOptions o;
  o.batch = batch;
  Trainer t;
  t.start(c, o);
  t.threads = std::min(train_threads, kShards);  // the batch's row blocks side by side (trainer.h)
  Eigen::setNbThreads(1);
  const double steps_per_s = rate([&] { t.step(train.images); }, 20, seconds);
  const long recorded = t.choice.steps_recorded(), on_two = t.choice.steps_on_two();

  const double flop = training_flop_per_sample(t.params);
  nlohmann::ordered_json j;
  j["model"] = c.describe();
  j["batch"] = batch;
  j["threads"] = train_threads;
  j["simd"] = Eigen::SimdInstructionSetsInUse();
  j["gemm"] = gemm_kernel_name(gemm_kernel());
  // whether the first layer's products summed over the binary input's 1s (the project's kernels only)
  j["binary_products"] = gemm_binary_runs();
  j["train_samples_per_s"] = std::round(steps_per_s * batch);
  j["train_seconds_per_epoch"] = 60000.0 / (steps_per_s * batch);
  j["train_flop_per_sample"] = flop;
  j["train_gflops"] = std::round(steps_per_s * batch * flop / 1e8) / 10;
  // with 2 threads, the share of the steps (warm-up included) the thread choice ran side by side
  if (recorded > 0) j["train_steps_on_two_threads"] = std::round(1000.0 * on_two / recorded) / 1000;
  if (train_only) {
    std::cout << j.dump(2) << std::endl;
    return 0;
  }

  // decoding: z ~ N(0, I) to Bernoulli means, single thread and all threads
  VaeWork w;
  w.resize(t.params, decode_batch);
  // W^T of the model's layers, made once for every batch (a model decodes many batches between
  // weight changes; the page's training thread hands out new weights, it does not change them)
  TransposedWeights wt;
  if (wt.prepare(t.params)) {
    wt.update(t.params);
    w.wt = &wt;
  }
  Mat z(decode_batch, latent), logits(decode_batch, c.input), probs(decode_batch, c.input);
  Rng rng(5);
  for (float& v : z.reshaped()) v = rng.normal();
  auto decode = [&] {
    vae_decode(logits, w, t.params, z);
    sigmoid_forward(probs, logits);
  };
  Eigen::setNbThreads(1);
  const double decode_1 = rate(decode, 5, seconds) * decode_batch;
  Eigen::setNbThreads(train_threads);
  const double decode_n = rate(decode, 5, seconds) * decode_batch;

  j["decode_batch"] = decode_batch;
  j["decode_images_per_s_1_thread"] = std::round(decode_1);
  j["decode_images_per_s"] = std::round(decode_n);
  std::cout << j.dump(2) << std::endl;
  return 0;
}
