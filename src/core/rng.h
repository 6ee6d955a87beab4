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
    return output(old);
  }

  // PCG's output of a state: xorshift high bits, then a random rotation (XSH RR)
  static uint32_t output(uint64_t old) {
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }

  // Uniform in [0, 1) with 24 random bits: exactly representable as float.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

  // n uniforms: the same numbers as n calls of uniform(), and the same state after, but eight steps
  // of the generator side by side: lane j starts j steps ahead and jumps 8 steps at a time (the
  // LCG's jump ahead, s -> a^8 s + c (a^7 + ... + 1)), so no step waits for the one before.
  void uniforms(float* out, int n) {
    constexpr uint64_t a = 6364136223846793005ULL;
    uint64_t s[8], A8 = 1, C8 = 0;
    s[0] = state;
    for (int j = 1; j < 8; ++j) s[j] = s[j - 1] * a + inc;
    for (int j = 0; j < 8; ++j) {
      A8 *= a;
      C8 = C8 * a + inc;
    }
    int i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) {
        const uint64_t old = s[j];
        s[j] = old * A8 + C8;
        out[i + j] = static_cast<float>(output(old) >> 8) * (1.0f / 16777216.0f);
      }
    state = s[0];  // i steps on
    for (; i < n; ++i) out[i] = uniform();
  }

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
