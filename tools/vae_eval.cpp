// vae-eval: the test ELBO and the importance-weighted estimate of log p(x) of a weights file,
// as JSON lines, on the README's test protocol (test set binarized once with a fixed seed).
#include <omp.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "io/weights.h"
#include "model/iwae.h"
#include "train/classifier_train.h"
#include "train/trainer.h"

namespace {
const char* kProgram = "vae-eval";
}

int main(int argc, char** argv) {
  std::string weights_path, data, dataset = "mnist", classifier_path;
  int k = 5000, threads = 0, chunk = 500;
  long n = 0;
  uint64_t seed = 1;
  CLI::App app{"Evaluate VAE weights on the MNIST test set: ELBO and log p(x) (importance-weighted, k samples).",
               kProgram};
  app.add_option("weights", weights_path, "weights file (safetensors)")->required();
  app.add_option("--dataset", dataset, "mnist or fashion")->capture_default_str()->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--data", data, "directory of the IDX files [default: the dataset's installed folder]");
  app.add_option("--classifier", classifier_path, "conditional models: the share of samples of each class this classifier (vae-classifier) agrees with");
  app.add_option("--k", k, "importance samples per image for log p(x) (0 = skip)")->capture_default_str()->check(CLI::Range(0, 1000000));
  app.add_option("--n", n, "use the first N test images (0 = all 10000)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "seed of the eps streams of log p(x)")->capture_default_str();
  app.add_option("--threads", threads, "threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 256));
  app.add_option("--chunk", chunk, "samples decoded per GEMM")->capture_default_str()->check(CLI::Range(1, 100000));
  cli_parse(app, argc, argv);
  set_threads(threads);
  if (data.empty()) data = dataset_dir(kProgram, dataset);

  VaeParams p;
  Metadata meta;
  Status st = weights_load(weights_path, &p, &meta);
  if (!st) cli_fail(kProgram, st.message);
  Dataset test = load_split_or_exit(kProgram, data, "test", n);
  if (p.config.input != test.images.cols())
    cli_fail(kProgram, weights_path + ": model input " + std::to_string(p.config.input) + " != image size 784");
  const Mat X = binarize_fixed(test.images);
  const long N = static_cast<long>(X.rows());
  const int C = p.config.classes;
  const Mat Y = C > 0 ? one_hot(test.labels.data(), N, C) : no_labels(N);

  auto t0 = std::chrono::steady_clock::now();
  const VaeLoss loss = test_set_loss(p, X, test.labels.data());
  nlohmann::ordered_json line;
  line["metric"] = C > 0 ? "test_elbo_conditional" : "test_elbo";
  line["weights"] = weights_path;
  line["model"] = p.config.describe();
  line["n"] = N;
  line["value"] = -loss.neg_elbo;
  line["reconstruction"] = -loss.bce;
  line["kl"] = loss.kl;
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;

  if (!classifier_path.empty()) {
    if (C == 0) cli_fail(kProgram, "--classifier needs a conditional model; " + weights_path + " is not one");
    ClassifierParams classifier;
    st = classifier_load(classifier_path, &classifier);
    if (!st) cli_fail(kProgram, st.message);
    // per class: 1000 samples z ~ N(0, I) decoded with that label, classified from their Bernoulli means
    const int per_class = 1000;
    VaeWork dw;
    dw.resize(p, per_class);
    Mat z(per_class, p.config.latent), logits(per_class, p.config.input), probs(per_class, p.config.input);
    Rng zr(seed, 17);
    long agree = 0;
    std::vector<double> per_class_share;
    for (int c = 0; c < C; ++c) {
      for (float& v : z.reshaped()) v = zr.normal();
      const std::vector<uint8_t> labels(per_class, static_cast<uint8_t>(c));
      vae_decode(logits, dw, p, z, one_hot(labels.data(), per_class, C));
      sigmoid_forward(probs, logits);
      const double share = classifier_accuracy(classifier, probs, labels.data());
      per_class_share.push_back(share);
      agree += std::lround(share * per_class);
    }
    line = nlohmann::ordered_json();
    line["metric"] = "classifier_agreement";
    line["weights"] = weights_path;
    line["classifier"] = classifier_path;
    line["samples"] = per_class * C;
    line["value"] = static_cast<double>(agree) / (per_class * C);
    line["per_class"] = per_class_share;
    std::cout << line.dump() << std::endl;
  }
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
      log_px[static_cast<size_t>(i)] = vae_log_px(local, p, X.row(i), Y.row(i), k, r)[0];
#pragma omp atomic
      ++done;
      if (omp_get_thread_num() == 0) bar.update(done);
    }
  }
  bar.finish();
  double sum = 0;
  for (double v : log_px) sum += v;
  line = nlohmann::ordered_json();
  line["metric"] = C > 0 ? "log_px_given_y" : "log_px";
  line["weights"] = weights_path;
  line["k"] = k;
  line["n"] = N;
  line["value"] = sum / N;
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;
  return 0;
}
