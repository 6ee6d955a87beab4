// vae-eval: the test ELBO and the importance-weighted estimate of log p(x) of a weights file,
// as JSON lines, on the README's test protocol (test set binarized once with a fixed seed).
#include <omp.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "io/weights.h"
#include "model/iwae.h"
#include "train/trainer.h"

namespace {
const char* kProgram = "vae-eval";
}

int main(int argc, char** argv) {
  std::string weights_path, data = default_data_dir();
  int k = 5000, threads = 0, chunk = 500;
  long n = 0;
  uint64_t seed = 1;
  CLI::App app{"Evaluate VAE weights on the MNIST test set: ELBO and log p(x) (importance-weighted, k samples).",
               kProgram};
  app.add_option("weights", weights_path, "weights file (safetensors)")->required();
  app.add_option("--data", data, "directory of the MNIST IDX files")->capture_default_str();
  app.add_option("--k", k, "importance samples per image for log p(x) (0 = skip)")->capture_default_str()->check(CLI::Range(0, 1000000));
  app.add_option("--n", n, "use the first N test images (0 = all 10000)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "seed of the eps streams of log p(x)")->capture_default_str();
  app.add_option("--threads", threads, "threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 256));
  app.add_option("--chunk", chunk, "samples decoded per GEMM")->capture_default_str()->check(CLI::Range(1, 100000));
  cli_parse(app, argc, argv);
  set_threads(threads);

  VaeParams p;
  Metadata meta;
  Status st = weights_load(weights_path, &p, &meta);
  if (!st) cli_fail(kProgram, st.message);
  Dataset test = load_split_or_exit(kProgram, data, "test", n);
  if (p.config.input != test.images.cols())
    cli_fail(kProgram, weights_path + ": model input " + std::to_string(p.config.input) + " != image size 784");
  const Mat X = binarize_fixed(test.images);
  const long N = static_cast<long>(X.rows());

  auto t0 = std::chrono::steady_clock::now();
  const VaeLoss loss = test_set_loss(p, X);
  nlohmann::ordered_json line;
  line["metric"] = "test_elbo";
  line["weights"] = weights_path;
  line["model"] = p.config.describe();
  line["n"] = N;
  line["value"] = -loss.neg_elbo;
  line["reconstruction"] = -loss.bce;
  line["kl"] = loss.kl;
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;
  if (k == 0) return 0;

  // log p(x): images in parallel, each with its own stream (seed, image), so any thread count
  // gives the same numbers
  t0 = std::chrono::steady_clock::now();
  std::vector<double> log_px(static_cast<size_t>(N));
  Progress bar("log p(x), k=" + std::to_string(k), N, k);
  long done = 0;
  Eigen::setNbThreads(1);
#pragma omp parallel
  {
    VaeWork local;
    local.resize(p, chunk);
#pragma omp for schedule(dynamic, 4)
    for (long i = 0; i < N; ++i) {
      Rng r(seed + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL, 13);
      log_px[static_cast<size_t>(i)] = vae_log_px(local, p, X.row(i), k, r)[0];
#pragma omp atomic
      ++done;
      if (omp_get_thread_num() == 0) bar.update(done);
    }
  }
  bar.finish();
  double sum = 0;
  for (double v : log_px) sum += v;
  line = nlohmann::ordered_json();
  line["metric"] = "log_px";
  line["weights"] = weights_path;
  line["k"] = k;
  line["n"] = N;
  line["value"] = sum / N;
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;
  return 0;
}
