// The products with a binary operand (src/core/gemm_binary.h) against the arithmetic gemm()
// promises, bit for bit: one FMA chain per element over k in order from zero, then + C or + bias;
// BinaryOperand's index of the 1s; and the VAE's passes, which index a binary input, against the
// same passes without.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "model/vae.h"
#include "gemm_fixtures.h"
#include "model_gradcheck.h"
#include "train/trainer.h"

namespace {

// 0 or 1, 1 with probability p
std::vector<float> bits(size_t n, float p, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform() < p ? 1.0f : 0.0f;
  return v;
}

// 15% 1s (an MNIST digit's density), at most half of them in a matrix of very few elements (more
// are left to the packed product)
std::vector<float> sparse_bits(size_t n, Rng& rng) {
  std::vector<float> v = bits(n, 0.15f, rng);
  size_t ones = 0;
  for (float x : v) ones += x == 1.0f;
  for (float& x : v)
    if (2 * ones > n && x == 1.0f) x = 0.0f, --ones;
  return v;
}

// The kernels with which the binary products run: the project's own (with Eigen's, every product
// is Eigen's; WebAssembly has no other)
std::vector<GemmKernel> binary_kernels() {
  std::vector<GemmKernel> out;
  const GemmKernel was = gemm_kernel();
  for (GemmKernel k : {GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512})
    if (gemm_set_kernel(k) && gemm_binary_runs()) out.push_back(k);
  gemm_set_kernel(was);
  if (out.empty()) WARN("no kernel of gemm.h on this CPU/build (WebAssembly): no binary product runs to be checked");
  return out;
}

// M x N x K: the tails of each width (vectors of 8 and 16, groups of 64 columns or rows), the
// first layer's shapes (a block of 50 images, 784 pixels, 400 units; a piece of 64 rows)
const int kShapes[][3] = {{1, 1, 1}, {7, 13, 5}, {50, 400, 784}, {13, 49, 33}, {64, 784, 50}, {67, 70, 20}, {3, 200, 9}};

}  // namespace

TEST_CASE("gemm_binary_rows: a binary X times B gives gemm()'s bits in every kernel, B's rows or columns contiguous",
          "[gemm]") {
  KernelScope scope;
  Rng rng(31);
  const std::vector<GemmKernel> kernels = binary_kernels();
  for (GemmKernel kernel : kernels) {
    REQUIRE(gemm_set_kernel(kernel));
    for (const auto& s : kShapes) {
      const int M = s[0], N = s[1], K = s[2];
      const std::vector<float> X = sparse_bits(size_t(M) * K, rng), B = normals(size_t(K) * N, rng),
                               C0 = normals(size_t(M) * N, rng), bias = normals(size_t(N), rng);
      BinaryOperand ones;
      REQUIRE(ones.index(X.data(), K, M, K));
      for (int b_t = 0; b_t < 2; ++b_t) {
        const StridedMat b = b_t ? StridedMat{B.data(), 1, K} : StridedMat{B.data(), N, 1};
        for (int mode = 0; mode < 3; ++mode) {  // plain, + C, + bias
          const bool accumulate = mode == 1;
          const float* bia = mode == 2 ? bias.data() : nullptr;
          const std::vector<float> want = reference({X.data(), K, 1}, b, M, N, K, C0, accumulate, bia);
          std::vector<float> got = C0;
          REQUIRE(gemm_binary_rows(got.data(), N, ones, b, N, accumulate, bia));
          INFO(gemm_kernel_name(kernel) << " M " << M << " N " << N << " K " << K << " B^T " << b_t << " mode " << mode);
          CHECK(same_floats(got, want));
        }
      }
    }
  }
  // switched off, or with Eigen's kernel, nothing is indexed and the products decline, C untouched
  const std::vector<float> X = {1, 0, 0, 1}, B = {1, 2, 3, 4};
  for (GemmKernel kernel : {GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512})
    for (const bool on : {true, false}) {
      if (!gemm_set_kernel(kernel)) continue;  // (not on this CPU/build)
      gemm_set_binary(on);
      if (gemm_binary_runs()) continue;  // (checked above)
      std::vector<float> C(4, 7.0f);
      BinaryOperand ones;
      INFO(gemm_kernel_name(kernel) << " switched " << (on ? "on" : "off"));
      CHECK_FALSE(ones.index(X.data(), 2, 2, 2));
      CHECK_FALSE(gemm_binary_rows(C.data(), 2, ones, {B.data(), 2, 1}, 2, false, nullptr));
      CHECK_FALSE(gemm_binary_cols(C.data(), 2, {B.data(), 1, 2}, ones, 2, false, nullptr));
      CHECK(C == std::vector<float>(4, 7.0f));
    }
}

TEST_CASE("gemm_binary_cols: A times a binary X gives gemm()'s bits in every kernel (dY^T X, the weight gradient)",
          "[gemm]") {
  KernelScope scope;
  Rng rng(32);
  for (GemmKernel kernel : binary_kernels()) {
    REQUIRE(gemm_set_kernel(kernel));
    for (const auto& s : kShapes) {
      const int M = s[0], N = s[1], K = s[2];
      // A (M x K) with its columns contiguous: A(m, k) = At[k M + m], as dY^T is read
      const std::vector<float> At = normals(size_t(K) * M, rng), X = sparse_bits(size_t(K) * N, rng),
                               C0 = normals(size_t(M) * N, rng), bias = normals(size_t(N), rng);
      BinaryOperand ones;
      REQUIRE(ones.index(X.data(), N, K, N));
      for (int mode = 0; mode < 3; ++mode) {
        const bool accumulate = mode == 1;
        const float* bia = mode == 2 ? bias.data() : nullptr;
        const StridedMat a{At.data(), 1, M};
        const std::vector<float> want = reference(a, {X.data(), N, 1}, M, N, K, C0, accumulate, bia);
        std::vector<float> got = C0;
        REQUIRE(gemm_binary_cols(got.data(), N, a, ones, M, accumulate, bia));
        INFO(gemm_kernel_name(kernel) << " M " << M << " N " << N << " K " << K << " mode " << mode);
        CHECK(same_floats(got, want));
      }
    }
  }
}

TEST_CASE("BinaryOperand: lists exactly the 1s by row and by column, and declines other values, dense or switched off",
          "[gemm]") {
  KernelScope scope;
  Rng rng(33);
  for (GemmKernel kernel : binary_kernels()) {
    REQUIRE(gemm_set_kernel(kernel));
    const int rows = 9, cols = 37, ld = 40;  // a row stride past the columns
    std::vector<float> X = bits(size_t(rows) * ld, 0.3f, rng);
    BinaryOperand ones;
    REQUIRE(ones.index(X.data(), ld, rows, cols));
    CHECK(ones.binary);
    std::vector<std::vector<int>> by_row(rows), by_col(cols);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j)
        if (X[size_t(i) * ld + j] == 1.0f) by_row[size_t(i)].push_back(j), by_col[size_t(j)].push_back(i);
    for (int i = 0; i < rows; ++i)
      CHECK(std::vector<int>(ones.row_cols.begin() + ones.row_start[size_t(i)],
                             ones.row_cols.begin() + ones.row_start[size_t(i) + 1]) == by_row[size_t(i)]);
    for (int j = 0; j < cols; ++j)
      CHECK(std::vector<int>(ones.col_rows.begin() + ones.col_start[size_t(j)],
                             ones.col_rows.begin() + ones.col_start[size_t(j) + 1]) == by_col[size_t(j)]);
    // any other value, in the last row's last column (the scalar tail) or among the first 16
    for (const float other : {0.5f, -1.0f, NAN, 2.0f})
      for (const size_t at : {size_t(rows - 1) * ld + cols - 1, size_t(3)}) {
        std::vector<float> Y = X;
        Y[at] = other;
        INFO(gemm_kernel_name(kernel) << " value " << other << " at " << at);
        CHECK_FALSE(ones.index(Y.data(), ld, rows, cols));
        CHECK_FALSE(ones.binary);
      }
    // more than half 1s: the packed product is the faster
    const std::vector<float> dense = bits(size_t(rows) * cols, 0.9f, rng);
    CHECK_FALSE(ones.index(dense.data(), cols, rows, cols));
    gemm_set_binary(false);
    CHECK_FALSE(ones.index(X.data(), ld, rows, cols));
    gemm_set_binary(true);
  }
}

TEST_CASE("the VAE's passes on a binary input index its 1s and give the bits of the packed products", "[gemm][vae]") {
  KernelScope scope;
  Rng rng(34);
  for (const int classes : {0, 3}) {  // a conditional model's input [x | y] is binary too
    VaeConfig c = tiny_config(37, {33, 20}, 5);
    c.classes = classes;
    VaeParams p = tiny_model(c, rng);
    const Mat X = random_binary(11, 37, rng);
    Mat Y = Mat::Zero(11, classes);
    for (int r = 0; r < 11 && classes > 0; ++r) Y(r, r % classes) = 1.0f;
    for (GemmKernel kernel : binary_kernels()) {
      REQUIRE(gemm_set_kernel(kernel));
      VaeWork with, without;
      with.resize(p, 11);
      without.resize(p, 11);
      Rng r1(5), r2(5);
      gemm_set_binary(true);
      const VaeLoss a = vae_forward_backward(with, p, X, Y, r1, 1, true, 1.0f, true);
      CHECK(with.x_ones.binary);
      gemm_set_binary(false);
      const VaeLoss b = vae_forward_backward(without, p, X, Y, r2, 1, true, 1.0f, true);
      CHECK_FALSE(without.x_ones.binary);
      INFO(gemm_kernel_name(kernel) << " classes " << classes);
      CHECK(a.neg_elbo == b.neg_elbo);
      CHECK(same_floats(with.grad, without.grad));
      // grey levels are not binary: indexed as such, they take the packed products
      gemm_set_binary(true);
      Mat grey = X * 0.5f;
      vae_encode(with, p, grey, Y);
      CHECK_FALSE(with.x_ones.binary);
    }
  }
}

TEST_CASE("training steps with the binary products give the weights of steps without, on 1 and 2 threads",
          "[gemm][train]") {
  // the trainer binarizes its images: the first layer's forward product and its held-back weight
  // gradient's pieces take the binary products where the project's kernel runs
  KernelScope scope;
  const Mat X = random_images(200, 7);
  TrainOptions o;
  o.batch = 50;
  o.seed = 9;
  for (GemmKernel kernel : binary_kernels())
    for (int threads : {1, 2}) {
      REQUIRE(gemm_set_kernel(kernel));
      Trainer with, without;
      with.start(tiny_config(784, {32}, 4), o);
      without.start(tiny_config(784, {32}, 4), o);
      with.threads = without.threads = threads;
      for (int i = 0; i < 6; ++i) {
        gemm_set_binary(true);
        with.step(X);
        gemm_set_binary(false);
        without.step(X);
      }
      CHECK(with.shards[0].work.x_ones.binary);
      CHECK_FALSE(without.shards[0].work.x_ones.binary);
      INFO(gemm_kernel_name(kernel) << " threads " << threads);
      CHECK(same_bits(with.params.data, without.params.data));
    }
}
