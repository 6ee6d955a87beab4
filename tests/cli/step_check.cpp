// The page tests' native reference for one slow-motion step: reads the page's batch (x), eps and
// beta as JSON on stdin, runs the core's stages on them with WEIGHTS, and prints the codes, each
// image's terms and the two forces on each code as JSON (model/step_trace.h).
//   step_check WEIGHTS < {"x": [B*D], "eps": [B*Z], "beta": b, "batch": B}
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "io/weights.h"
#include "model/step_trace.h"

static std::vector<float> flat(const Mat& m) {
  std::vector<float> v;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v.push_back(m(i, j));
  return v;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: step_check WEIGHTS < batch.json\n");
    return 2;
  }
  VaeParams p;
  Metadata meta;
  const Status st = weights_load(argv[1], &p, &meta);
  if (!st) {
    std::fprintf(stderr, "step_check: %s\n", st.message.c_str());
    return 1;
  }
  const nlohmann::json in = nlohmann::json::parse(std::cin, nullptr, false);
  const bool shaped = !in.is_discarded() && in.is_object() && in.contains("batch") && in["batch"].is_number_integer() &&
                      in.contains("x") && in["x"].is_array() && in.contains("eps") && in["eps"].is_array() &&
                      in.contains("beta") && in["beta"].is_number();
  if (!shaped || p.config.classes != 0 || in["batch"].get<int>() < 1 || in["batch"].get<int>() > 4096) {
    std::fprintf(stderr, "step_check: expected {x, eps, beta, batch} for an unconditional model\n");
    return 1;
  }
  const int B = in["batch"], D = p.config.input, Z = p.config.latent;
  const std::vector<float> x = in["x"], eps = in["eps"];
  if (static_cast<int>(x.size()) != B * D || static_cast<int>(eps.size()) != B * Z) {
    std::fprintf(stderr, "step_check: x has %zu values, eps %zu; expected %d and %d\n", x.size(), eps.size(), B * D, B * Z);
    return 1;
  }
  const Mat X = Eigen::Map<const Mat>(x.data(), B, D), E = Eigen::Map<const Mat>(eps.data(), B, Z);
  VaeWork w;
  w.resize(p, B);
  StepTrace t;
  vae_step_forces(&t, w, p, X, no_labels(B), E, in["beta"].get<float>());
  nlohmann::json out = {{"mu", flat(t.mu)}, {"sigma", flat(t.sigma)}, {"z", flat(t.z)},
                        {"recon", std::vector<float>(t.recon.data(), t.recon.data() + B)},
                        {"kl", std::vector<float>(t.kl.data(), t.kl.data() + B)},
                        {"grad_mu_recon", flat(t.grad_mu_recon)}, {"grad_mu_kl", flat(t.grad_mu_kl)}};
  std::cout << out.dump() << std::endl;
  return 0;
}
