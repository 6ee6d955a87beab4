// Small models for the tests: a config in one call, and its parameters built and initialized.
#pragma once
#include <utility>
#include <vector>

#include "core/rng.h"
#include "model/vae.h"

inline VaeConfig tiny_config(int input, std::vector<int> hidden, int latent, Activation act = Activation::relu,
                             int classes = 0) {
  VaeConfig c;
  c.input = input;
  c.hidden = std::move(hidden);
  c.latent = latent;
  c.activation = act;
  c.classes = classes;
  return c;
}

// Built for `c` and initialized from `rng` (which the caller may go on drawing from).
inline VaeParams tiny_model(const VaeConfig& c, Rng& rng) {
  VaeParams p;
  p.build(c);
  p.init(rng);
  return p;
}
