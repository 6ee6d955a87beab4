// Small models for the tests: a config in one call, and its parameters built and initialized.
#pragma once
#include <cstdint>
#include <cstring>
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

// n images of uniform random intensities (n x 784), from `seed`: training data for the trainer's tests.
inline Mat random_images(int n, uint64_t seed) {
  Rng rng(seed);
  Mat X(n, 784);
  for (float& x : X.reshaped()) x = rng.uniform();
  return X;
}

// The same floats bit for bit (the determinism tests' notion of equal).
inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
