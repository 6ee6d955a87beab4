// vae-sample: decodes samples z ~ N(0, temperature^2 I) with a weights file: a PNG grid, or JSON
// lines of z, the decoder's means (pixel probabilities, or a Gaussian decoder's means), log p(x|z) of
// that mean image and the encoder's q(z|x) of it (for comparing with other implementations).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "io/png.h"
#include "io/weights.h"
#include "model/likelihood.h"

namespace {
const char* kProgram = "vae-sample";
}

int main(int argc, char** argv) {
  std::string weights_path, out_png;
  int n = 100, columns = 10, label = -1;
  float temperature = 1.0f;
  uint64_t seed = 1;
  bool json = false;
  CLI::App app{"Decode samples from the prior of a VAE weights file.", kProgram};
  app.add_option("weights", weights_path, "weights file (safetensors)")->required();
  app.add_option("--n", n, "how many samples")->capture_default_str()->check(integer_in(1, 100000));
  app.add_option("--seed", seed, "seed of z")->capture_default_str()->check(seed_value());
  app.add_option("--temperature", temperature, "scale of the prior's spread")->capture_default_str()->check(real_in(0, 10));
  app.add_option("--out", out_png, "write a PNG grid here");
  app.add_option("--columns", columns, "grid width")->capture_default_str()->check(integer_in(1, 1000));
  app.add_option("--class", label, "conditional models: the class of every sample (-1 = sample i shows class i mod C)")
      ->capture_default_str()->check(integer_in(-1, 255));
  app.add_flag("--json", json, "print one JSON line per sample: z, the decoder's means p (and a Gaussian decoder's "
               "log-variance), and mu and sigma of q(z|p)");
  cli_parse(app, argc, argv);
  set_threads(1);
  if (out_png.empty() && !json) cli_fail(kProgram, "nothing to do: give --out PNG and/or --json");

  VaeParams p;
  Metadata meta;
  Status st = weights_load(weights_path, &p, &meta);
  if (!st) cli_fail(kProgram, st.message);
  const int C = p.config.classes;
  if (label >= 0 && label >= C)
    cli_fail(kProgram, "--class " + std::to_string(label) + ": " + weights_path +
                           (C > 0 ? " knows classes 0.." + std::to_string(C - 1) : std::string(" is not a conditional model")));
  if (!out_png.empty() && p.config.input != 28 * 28)
    cli_fail(kProgram, weights_path + ": the model's input is " + std::to_string(p.config.input) +
                           " values, not a 28x28 image: use --json");
  check_work_size(kProgram, p.config, n, "--n");
  if (!out_png.empty()) prepare_output(kProgram, out_png);
  Rng rng(seed, 3);
  Mat z(n, p.config.latent), logits(n, p.config.input), probs(n, p.config.input);
  for (float& v : z.reshaped()) v = temperature * rng.normal();
  VaeWork w;
  w.resize(p, n);
  // a conditional model decodes [z | y]: every sample with --class, else sample i with class i mod C
  std::vector<uint8_t> labels(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = static_cast<uint8_t>(label >= 0 ? label : C > 0 ? i % C : 0);
  const Mat Y = C > 0 ? one_hot(labels.data(), n, C) : no_labels(n);
  vae_decode(logits, w, p, z, Y);
  // the decoder's means: Bernoulli probabilities, or a Gaussian decoder's means, both sigmoid(logits)
  sigmoid_forward(probs, logits);
  const Mat logvar = w.dec_logvar;  // n x D for a Gaussian decoder (n x 0 otherwise)
  // log p(x|z) of the mean image itself, x = p: the likelihood's formula, for comparison
  Vec nll(n);
  likelihood_nll(nll, p.config.likelihood, logits, logvar, probs);
  if (json) {
    // q(z|x) of each decoded image: mu, and sigma = exp(logvar / 2)
    vae_encode(w, p, probs, Y);
    const Mat mu = w.heads.leftCols(p.config.latent);
    const Mat sigma = (0.5f * vae_posterior_logvar(w, p, n).array()).exp();
    for (int i = 0; i < n; ++i) {
      nlohmann::json line;
      line["z"] = std::vector<float>(z.row(i).data(), z.row(i).data() + z.cols());
      line["p"] = std::vector<float>(probs.row(i).data(), probs.row(i).data() + probs.cols());
      line["log_p_given_z"] = -nll[i];
      line["mu"] = std::vector<float>(mu.row(i).data(), mu.row(i).data() + mu.cols());
      line["sigma"] = std::vector<float>(sigma.row(i).data(), sigma.row(i).data() + sigma.cols());
      // a Gaussian decoder's log sigma^2 per pixel (of z; the encoding above reused the work buffers' encoder half)
      if (p.config.likelihood == Likelihood::gaussian)
        line["logvar"] = std::vector<float>(logvar.row(i).data(), logvar.row(i).data() + logvar.cols());
      std::cout << line.dump() << "\n";
    }
  }
  if (!out_png.empty()) {
    st = png_write_grid(out_png, ConstMatMap(probs.data(), n, probs.cols()), 28, 28, columns);
    if (!st) cli_fail(kProgram, st.message);
    std::cerr << kProgram << ": wrote " << out_png << "\n";
  }
  return 0;
}
