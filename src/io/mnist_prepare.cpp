// Scale to a 20x20 box and centre by the centre of mass, as MNIST's digits were (mnist_prepare.h).
#include "io/mnist_prepare.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// Bilinear sample of the image at (x, y) in pixel units (pixel centres at i + 0.5); outside is 0.
static float sample(const float* in, int side, float x, float y) {
  const float fx = x - 0.5f, fy = y - 0.5f;
  const int x0 = static_cast<int>(std::floor(fx)), y0 = static_cast<int>(std::floor(fy));
  const float ax = fx - x0, ay = fy - y0;
  auto at = [&](int xi, int yi) { return xi < 0 || yi < 0 || xi >= side || yi >= side ? 0.0f : in[yi * side + xi]; };
  return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) + ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
}

bool mnist_prepare(float* out, const float* in, int side, int box) {
  // the ink's bounding box [x_lo, x_hi) x [y_lo, y_hi) and its centre of mass (cx, cy)
  int x_lo = side, x_hi = 0, y_lo = side, y_hi = 0;
  double mass = 0, mx = 0, my = 0;
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const float v = in[y * side + x];
      if (v <= kInkThreshold) continue;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x + 1);
      y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y + 1);
      mass += v, mx += v * (x + 0.5), my += v * (y + 0.5);
    }
  if (mass == 0) {
    std::memcpy(out, in, sizeof(float) * side * side);
    return false;
  }
  // scale s: the longer side of the box becomes `box` pixels (the aspect ratio is kept)
  const float s = static_cast<float>(box) / std::max(x_hi - x_lo, y_hi - y_lo);
  const float cx = static_cast<float>(mx / mass), cy = static_cast<float>(my / mass);
  // out(u) = in(c + (u - centre) / s): the centre of mass lands on the image's centre. Each output
  // pixel averages 4 x 4 samples (anti-aliasing when shrinking, as MNIST's grey levels come from).
  const int n = 4;
  const float centre = side * 0.5f;
  for (int v = 0; v < side; ++v)
    for (int u = 0; u < side; ++u) {
      float sum = 0;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
          const float ou = u + (i + 0.5f) / n, ov = v + (j + 0.5f) / n;
          sum += sample(in, side, cx + (ou - centre) / s, cy + (ov - centre) / s);
        }
      out[v * side + u] = std::clamp(sum / (n * n), 0.0f, 1.0f);
    }
  return true;
}
