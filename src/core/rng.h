// The project's own seeded generator: PCG32 (O'Neill 2014) for uniforms and Box-Muller for
// normals, so one seed gives the same numbers natively and in WebAssembly (std::*_distribution
// differs between libstdc++ and libc++).
#pragma once
#include <cmath>
#include <cstdint>

struct Rng {
  uint64_t state = 0;
  uint64_t inc = 1;
  // Box-Muller makes normals in pairs; the second waits here.
  bool has_spare = false;
  float spare = 0.0f;

  explicit Rng(uint64_t seed = 42, uint64_t stream = 54) { reseed(seed, stream); }

  void reseed(uint64_t seed, uint64_t stream = 54) {
    state = 0;
    inc = (stream << 1u) | 1u;
    has_spare = false;
    spare = 0.0f;
    next_u32();
    state += seed;
    next_u32();
  }

  uint32_t next_u32() {
    uint64_t old = state;
    state = old * 6364136223846793005ULL + inc;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform in [0, 1) with 24 random bits: exactly representable as float.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

  // Uniform integer in [0, n), unbiased (Lemire's rejection on the low bits).
  uint32_t below(uint32_t n) {
    uint32_t threshold = (0u - n) % n;
    for (;;) {
      uint32_t r = next_u32();
      if (r >= threshold) return r % n;
    }
  }

  // Standard normal by Box-Muller, computed in double so both platforms round alike.
  float normal() {
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    double u1 = (static_cast<double>(next_u32()) + 1.0) * (1.0 / 4294967296.0);  // (0, 1]
    double u2 = static_cast<double>(next_u32()) * (1.0 / 4294967296.0);          // [0, 1)
    double r = std::sqrt(-2.0 * std::log(u1));
    double theta = 6.283185307179586 * u2;
    spare = static_cast<float>(r * std::sin(theta));
    has_spare = true;
    return static_cast<float>(r * std::cos(theta));
  }
};
