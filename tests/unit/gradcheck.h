// Finite-difference checks shared by the gradient tests: the derivative of a scalar function of a
// flat float vector along random directions, by central differences in double, against g . d.
#pragma once
#include <cmath>
#include <functional>
#include <vector>

#include "core/rng.h"

struct GradCheck {
  double analytic = 0, numeric = 0;
  // |analytic - numeric| / (|analytic| + |numeric|); below `floor` the comparison is absolute, for
  // derivatives too small to stand out of the numeric one's roundoff (see noise_floor)
  double relative_error(double floor = 1e-4) const {
    return std::fabs(analytic - numeric) / std::max(floor, std::fabs(analytic) + std::fabs(numeric));
  }
};

// The floor for relative_error of a float32 loss of a few tens of nats differenced over 2h. Its
// roundoff, about 4e-7 nats (float ulps of the summed terms; they move with the kernels' summation
// order from build to build, e.g. under the sanitizers), is 2e-7 / h in the derivative: below
// |analytic| + |numeric| = 2e-5 / h, a tolerance of 2e-2 allows twice that roundoff, 4e-7 / h.
inline double noise_floor(double h) { return 2e-5 / h; }

// f(x) evaluated at x +- h d for a random unit-scale direction d restricted to [begin, end) of x.
inline GradCheck directional_check(const std::function<double(const std::vector<float>&)>& f,
                                   std::vector<float> x, const std::vector<float>& grad, size_t begin, size_t end,
                                   uint64_t seed, double h = 1e-2) {
  Rng rng(seed);
  std::vector<float> d(x.size(), 0.0f);
  for (size_t i = begin; i < end; ++i) d[i] = rng.normal();
  GradCheck c;
  for (size_t i = begin; i < end; ++i) c.analytic += static_cast<double>(grad[i]) * d[i];
  std::vector<float> plus = x, minus = x;
  for (size_t i = begin; i < end; ++i) {
    plus[i] = static_cast<float>(x[i] + h * d[i]);
    minus[i] = static_cast<float>(x[i] - h * d[i]);
  }
  c.numeric = (f(plus) - f(minus)) / (2 * h);
  return c;
}
