// Drawings prepared as MNIST's digits were: fitted to a 20x20 box, centred by the centre of mass.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.h"
#include "io/idx.h"
#include "io/mnist_prepare.h"
#include "io/weights.h"

namespace {
// The centre of mass (x, y) of a 28x28 image, in pixel units.
void centre_of_mass(const float* img, double* cx, double* cy) {
  double m = 0, sx = 0, sy = 0;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x) m += img[y * 28 + x], sx += img[y * 28 + x] * (x + 0.5), sy += img[y * 28 + x] * (y + 0.5);
  *cx = sx / m;
  *cy = sy / m;
}

// The bounding box width and height of the pixels above `level`.
void ink_box(const float* img, float level, int* w, int* h) {
  int x0 = 28, x1 = 0, y0 = 28, y1 = 0;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if (img[y * 28 + x] > level) x0 = std::min(x0, x), x1 = std::max(x1, x + 1), y0 = std::min(y0, y), y1 = std::max(y1, y + 1);
  *w = x1 - x0;
  *h = y1 - y0;
}

// `digit` shrunk to half its size (2x2 means) and put in the top-left corner of an empty image.
RowVec small_in_corner(const RowVec& digit) {
  RowVec out = RowVec::Zero(784);
  for (int y = 0; y < 14; ++y)
    for (int x = 0; x < 14; ++x)
      out[y * 28 + x] = 0.25f * (digit[(2 * y) * 28 + 2 * x] + digit[(2 * y) * 28 + 2 * x + 1] +
                                 digit[(2 * y + 1) * 28 + 2 * x] + digit[(2 * y + 1) * 28 + 2 * x + 1]);
  return out;
}
}  // namespace

TEST_CASE("a drawing is scaled to fit 20x20 and its centre of mass moved to the image's centre", "[prepare]") {
  // a 6 x 3 block of ink near a corner
  RowVec in = RowVec::Zero(784), out(784);
  for (int y = 1; y < 7; ++y)
    for (int x = 2; x < 5; ++x) in[y * 28 + x] = 1.0f;
  REQUIRE(mnist_prepare(out.data(), in.data()));
  // at half intensity (the scaled edges are soft ramps): 6 rows scaled by 20/6, 3 columns by the same
  int w, h;
  ink_box(out.data(), 0.5f, &w, &h);
  CHECK(h >= 19);
  CHECK(h <= 21);
  CHECK(w >= 9);
  CHECK(w <= 11);
  double cx, cy;
  centre_of_mass(out.data(), &cx, &cy);
  CHECK(cx == Approx(14.0).margin(0.3));
  CHECK(cy == Approx(14.0).margin(0.3));
}

TEST_CASE("an empty pad is left as it is", "[prepare]") {
  RowVec in = RowVec::Constant(784, 0.05f), out(784);
  CHECK_FALSE(mnist_prepare(out.data(), in.data()));
  CHECK(out == in);
}

TEST_CASE("a small digit drawn in a corner is encoded as its centred version", "[prepare][mnist]") {
  Dataset test;
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  VaeParams p;
  REQUIRE(weights_load(std::string(VAE_WEIGHTS_DIR) + "/mnist-z20.safetensors", &p, nullptr).ok);
  VaeWork w;
  w.resize(p, 1);
  auto mu_of = [&](const RowVec& x) {
    vae_encode(w, p, x);
    return RowVec(w.heads.row(0).leftCols(p.config.latent));
  };
  double worst_ratio = 0;
  for (int i = 0; i < 20; ++i) {
    const RowVec digit = test.images.row(i);
    const RowVec corner = small_in_corner(digit);
    RowVec centred(784), prepared_corner(784);
    mnist_prepare(centred.data(), digit.data());
    mnist_prepare(prepared_corner.data(), corner.data());
    // prepared, the corner drawing's code is close to the centred one's; unprepared it is far off
    const double prepared = (mu_of(prepared_corner) - mu_of(centred)).norm();
    const double raw = (mu_of(corner) - mu_of(centred)).norm();
    INFO("test digit " << i << ": |mu(corner, prepared) - mu(centred)| = " << prepared << ", unprepared " << raw);
    CHECK(prepared < 0.5 * raw);
    worst_ratio = std::max(worst_ratio, prepared / raw);
  }
  INFO("worst ratio " << worst_ratio);
  CHECK(worst_ratio < 0.5);
}
