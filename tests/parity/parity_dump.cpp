// Prints numbers that the native and the WebAssembly builds of the core must agree on, one per
// line, for tests/parity/parity_compare.mjs:
//   parity_dump decode WEIGHTS        64 z ~ N(0, I) from the project's Rng (seed 2014), decoded:
//                                     64 x D decoder means sigmoid(logits), row by row (then a Gaussian
//                                     decoder's 64 x D log-variances); then the encoder's mu and sigma
//                                     (64 x Z each) of those mean images
//   parity_dump train WEIGHTS MNIST [MAX_HIDDEN]
//                                     the training loss (negative ELBO, or IWAE bound) of each of 50
//                                     Trainer steps (default options, seed 1, two threads where there are) on the first 2000 training
//                                     images, model config of WEIGHTS (hidden sizes capped at MAX_HIDDEN)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "io/idx.h"
#include "io/weights.h"
#include "train/trainer.h"

namespace {

constexpr int kDecodeSamples = 64;
constexpr uint64_t kDecodeSeed = 2014;
constexpr long kTrainImages = 2000;
constexpr int kTrainSteps = 50;

int fail(const std::string& message) {
  std::fprintf(stderr, "parity_dump: %s\n", message.c_str());
  return 1;
}

void print_decoded(const VaeParams& params) {
  const VaeConfig& c = params.config;
  Rng rng(kDecodeSeed);
  Mat z(kDecodeSamples, c.latent), logits(kDecodeSamples, c.input), probs(kDecodeSamples, c.input);
  for (float& v : z.reshaped()) v = rng.normal();
  VaeWork w;
  w.resize(params, kDecodeSamples);
  vae_decode(logits, w, params, z);
  sigmoid_forward(probs, logits);
  for (float p : probs.reshaped()) std::printf("%.9g\n", p);
  if (c.likelihood == Likelihood::gaussian)
    for (float v : w.dec_logvar.reshaped()) std::printf("%.9g\n", v);
  // q(z|x) of the decoded means: mu, and sigma = exp(logvar / 2) (a log-variance or a softplus head)
  vae_encode(w, params, probs);
  const Mat mu = w.heads.leftCols(c.latent);
  const Mat sigma = (0.5f * vae_posterior_logvar(w, params, kDecodeSamples).array()).exp();
  for (float v : mu.reshaped()) std::printf("%.9g\n", v);
  for (float v : sigma.reshaped()) std::printf("%.9g\n", v);
}

int print_training(VaeConfig config, const std::string& mnist_dir, int max_hidden) {
  for (int& h : config.hidden) h = std::min(h, max_hidden);
  Dataset train;
  Status st = mnist_load(mnist_dir, "train", &train);
  if (!st) return fail(st.message);
  train.images.conservativeResize(kTrainImages, Eigen::NoChange);
  Trainer t;
  t.start(config, TrainOptions());
  t.threads = 2;  // the batch's two blocks side by side where there are threads (the numbers are the same)
  for (int i = 0; i < kTrainSteps; ++i) std::printf("%.17g\n", t.step(train.images).neg_elbo);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "decode" && argc == 3) || (mode == "train" && (argc == 4 || argc == 5))))
    return fail("usage: parity_dump decode WEIGHTS | parity_dump train WEIGHTS MNIST_DIR [MAX_HIDDEN]");
  // one thread natively too: the figures do not depend on it, but the comparison should not either
  Eigen::setNbThreads(1);
  VaeParams params;
  Metadata meta;
  Status st = weights_load(argv[2], &params, &meta);
  if (!st) return fail(st.message);
  if (mode == "decode") {
    print_decoded(params);
    return 0;
  }
  const int max_hidden = argc == 5 ? std::atoi(argv[4]) : 1 << 20;
  if (max_hidden <= 0) return fail(std::string("MAX_HIDDEN must be a positive integer: ") + argv[4]);
  return print_training(params.config, argv[3], max_hidden);
}
