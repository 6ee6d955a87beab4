// The project's matrix-product kernels (src/core/gemm.h) against the arithmetic they promise, bit
// for bit: one FMA chain per element over k in order, then + C (accumulate) or + bias; the same
// bits on 1 and 2 threads; the transposed copies of the weights that products read in place; and
// Rng::uniforms against uniform() one at a time.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"
#include "model/vae.h"
#include "gemm_fixtures.h"
#include "model_gradcheck.h"

TEST_CASE("gemm: every kernel this CPU runs gives each element one FMA chain over k, then + C or + bias, bit for bit",
          "[gemm]") {
  KernelScope scope;
  const std::vector<GemmKernel> kernels = own_kernels();
  if (kernels.empty()) {
    // WebAssembly or another CPU: gemm() must decline and leave C alone (the caller uses Eigen)
    WARN("no kernel of gemm.h on this CPU/build: checking that gemm() declines");
    std::vector<float> A(6, 1.0f), B(6, 1.0f), C(4, 7.0f);
    CHECK_FALSE(gemm(C.data(), 2, {A.data(), 3, 1}, {B.data(), 2, 1}, 2, 2, 3, false, nullptr));
    CHECK(C == std::vector<float>(4, 7.0f));
    return;
  }
  Rng rng(11);
  // tails of every blocking: rows past 6, 8, 10 and 12, columns past 16, 32 and 48 (the last panel
  // one, two or three vectors wide), k past 8 and 16
  const int shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {50, 400, 20}, {13, 49, 33}, {25, 17, 64}, {100, 40, 400}, {9, 80, 7}, {11, 784, 3}};
  for (GemmKernel kernel : kernels) {
    REQUIRE(gemm_set_kernel(kernel));
    for (const auto& s : shapes) {
      const int M = s[0], N = s[1], K = s[2];
      const std::vector<float> A = normals(size_t(M) * K, rng), B = normals(size_t(K) * N, rng),
                               C0 = normals(size_t(M) * N, rng), bias = normals(size_t(N), rng);
      for (int layout = 0; layout < 4; ++layout) {
        const bool a_t = layout & 1, b_t = layout & 2;  // stored transposed
        const StridedMat a = a_t ? StridedMat{A.data(), 1, M} : StridedMat{A.data(), K, 1};
        const StridedMat b = b_t ? StridedMat{B.data(), 1, K} : StridedMat{B.data(), N, 1};
        for (int mode = 0; mode < 3; ++mode) {  // plain, + C, + bias
          const bool accumulate = mode == 1;
          const float* bia = mode == 2 ? bias.data() : nullptr;
          const std::vector<float> want = reference(a, b, M, N, K, C0, accumulate, bia);
          std::vector<float> got = C0;
          REQUIRE(gemm(got.data(), N, a, b, M, N, K, accumulate, bia));
          INFO(gemm_kernel_name(kernel) << " M " << M << " N " << N << " K " << K << " A^T " << a_t << " B^T " << b_t
                                        << " mode " << mode);
          CHECK(same_floats(got, want));
        }
      }
    }
  }
}

TEST_CASE("gemm: a product large enough for two threads gives the same bits on one and on two, in every kernel",
          "[gemm]") {
  KernelScope scope;
  Rng rng(12);
  const int M = 200, N = 300, K = 150;  // 9e6 multiply-adds: over the threads' threshold
  const std::vector<float> A = normals(size_t(M) * K, rng), B = normals(size_t(N) * K, rng);
  for (GemmKernel kernel : own_kernels()) {
    REQUIRE(gemm_set_kernel(kernel));
    std::vector<float> one(size_t(M) * N), two(size_t(M) * N, 1.0f);
    REQUIRE(gemm(one.data(), N, {A.data(), K, 1}, {B.data(), 1, K}, M, N, K, false, nullptr, 1));
    REQUIRE(gemm(two.data(), N, {A.data(), K, 1}, {B.data(), 1, K}, M, N, K, false, nullptr, 2));
    INFO(gemm_kernel_name(kernel));
    CHECK(same_floats(one, two));
  }
  if (own_kernels().size() == 2) {
    // and the same bits whatever the vector width
    std::vector<float> c2(size_t(M) * N), c512(size_t(M) * N);
    gemm_set_kernel(GemmKernel::avx2);
    gemm(c2.data(), N, {A.data(), K, 1}, {B.data(), 1, K}, M, N, K, false, nullptr, 1);
    gemm_set_kernel(GemmKernel::avx512);
    gemm(c512.data(), N, {A.data(), K, 1}, {B.data(), 1, K}, M, N, K, false, nullptr, 1);
    CHECK(same_floats(c2, c512));
  }
}

TEST_CASE("gemm kernels: names parse back, eigen is always available and gemm() declines with it", "[gemm]") {
  KernelScope scope;
  for (GemmKernel k : {GemmKernel::automatic, GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512}) {
    GemmKernel back = GemmKernel::eigen;
    REQUIRE(gemm_kernel_parse(gemm_kernel_name(k), &back));
    CHECK(back == k);
  }
  GemmKernel unused;
  CHECK_FALSE(gemm_kernel_parse("avx1024", &unused));
  REQUIRE(gemm_set_kernel(GemmKernel::eigen));
  CHECK(gemm_kernel() == GemmKernel::eigen);
  std::vector<float> A(4, 1.0f), B(4, 1.0f), C(4, 3.0f);
  CHECK_FALSE(gemm(C.data(), 2, {A.data(), 2, 1}, {B.data(), 2, 1}, 2, 2, 2, false, nullptr));
  CHECK(C == std::vector<float>(4, 3.0f));
  // automatic resolves to a kernel that runs here
  REQUIRE(gemm_set_kernel(GemmKernel::automatic));
  CHECK(gemm_kernel() != GemmKernel::automatic);
  CHECK(gemm_kernel_available(gemm_kernel()));
}

TEST_CASE("gemm_transpose: every kernel this CPU runs copies a matrix transposed, edges included, nothing else written",
          "[gemm]") {
  KernelScope scope;
  const std::vector<GemmKernel> kernels = own_kernels();
  Rng rng(19);
  if (kernels.empty()) {
    WARN("no kernel of gemm.h on this CPU/build: checking that gemm_transpose() declines");
    std::vector<float> src(6, 1.0f), dst(6, 7.0f);
    CHECK_FALSE(gemm_transpose(dst.data(), 2, src.data(), 3, 2, 3));
    CHECK(dst == std::vector<float>(6, 7.0f));
    return;
  }
  // rows and columns past whole blocks of 8 and 16, and row strides wider than the matrices
  const int shapes[][2] = {{1, 1}, {7, 13}, {16, 16}, {17, 33}, {40, 400}, {31, 784}, {400, 20}};
  for (GemmKernel kernel : kernels) {
    REQUIRE(gemm_set_kernel(kernel));
    for (const auto& s : shapes) {
      const int rows = s[0], cols = s[1];
      const long lds = cols + 3, ldd = rows + 5;
      const std::vector<float> src = normals(size_t(rows) * lds, rng);
      std::vector<float> dst(size_t(cols) * ldd, -7.0f), want = dst;
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) want[size_t(c) * ldd + r] = src[size_t(r) * lds + c];
      REQUIRE(gemm_transpose(dst.data(), ldd, src.data(), lds, rows, cols));
      INFO(gemm_kernel_name(kernel) << " rows " << rows << " cols " << cols);
      CHECK(same_floats(dst, want));
    }
  }
}

TEST_CASE("TransposedWeights: each layer's W^T, and the VAE's passes give the same bits with it",
          "[gemm][vae]") {
  KernelScope scope;
  Rng rng(23);
  VaeConfig c = tiny_config(37, {33, 20}, 5);
  VaeParams p = tiny_model(c, rng);
  const Mat X = random_binary(11, 37, rng);
  REQUIRE(gemm_set_kernel(GemmKernel::eigen));
  TransposedWeights none;
  CHECK_FALSE(none.prepare(p));  // Eigen's product reads W as it is: nothing to keep
  CHECK(none.empty());
  const std::vector<GemmKernel> kernels = own_kernels();
  if (kernels.empty()) WARN("no kernel of gemm.h on this CPU/build: only the Eigen case is checked");
  for (GemmKernel kernel : kernels) {
    REQUIRE(gemm_set_kernel(kernel));
    TransposedWeights whole;
    REQUIRE(whole.prepare(p));
    whole.update(p);
    for (const std::vector<LinearSlot>* stack : {&p.encoder, &p.decoder})
      for (const LinearSlot& s : *stack) {
        const Mat W = p.W(s);
        const ConstMatMap Wt(whole.of(s), s.in, s.out);
        INFO(gemm_kernel_name(kernel) << " layer " << s.out << " x " << s.in);
        CHECK(Wt == W.transpose());
        CHECK(reinterpret_cast<std::uintptr_t>(whole.of(s)) % 64 == 0);  // from a cache line
      }
    // a training pass and a decoding with W^T kept give the bits of the passes that transpose W
    VaeWork plain, kept;
    plain.resize(p, 11);
    kept.resize(p, 11);
    kept.wt = &whole;
    Rng r1(5), r2(5);
    const VaeLoss a = vae_forward_backward(plain, p, X, no_labels(11), r1, 1, true, 1.0f, true);
    const VaeLoss b = vae_forward_backward(kept, p, X, no_labels(11), r2, 1, true, 1.0f, true);
    CHECK(a.neg_elbo == b.neg_elbo);
    CHECK(same_floats(plain.grad, kept.grad));
    Mat z = Mat::Zero(11, 5), l1(11, 37), l2(11, 37);
    for (float& v : z.reshaped()) v = rng.normal();
    vae_decode(l1, plain, p, z);
    vae_decode(l2, kept, p, z);
    CHECK(std::memcmp(l1.data(), l2.data(), sizeof(float) * size_t(l1.size())) == 0);
  }
}

TEST_CASE("Rng::uniforms gives the numbers and the state of as many uniform() calls", "[rng]") {
  for (int n : {0, 1, 7, 8, 9, 255, 256, 784}) {
    Rng one(77, 5), block(77, 5);
    std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + 1, -1.0f);
    for (float& u : want) u = one.uniform();
    block.uniforms(got.data(), n);
    INFO("n " << n);
    CHECK(same_floats(std::vector<float>(got.begin(), got.begin() + n), want));
    CHECK(got[size_t(n)] == -1.0f);  // nothing past n written
    CHECK(block.state == one.state);
    CHECK(block.next_u32() == one.next_u32());
  }
}
