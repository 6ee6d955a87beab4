// Helpers of the matrix-product tests (test_gemm.cpp, test_gemm_binary.cpp).
#pragma once
#include <cmath>
#include <cstring>
#include <vector>

#include "core/gemm.h"
#include "core/rng.h"

inline std::vector<float> normals(size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.normal();
  return v;
}

inline bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// The kernels of gemm.h this CPU and build run (none in WebAssembly)
inline std::vector<GemmKernel> own_kernels() {
  std::vector<GemmKernel> out;
  for (GemmKernel k : {GemmKernel::avx2, GemmKernel::avx512})
    if (gemm_kernel_available(k)) out.push_back(k);
  return out;
}

// Restores the kernel in use and the binary products' switch when a test case ends
struct KernelScope {
  GemmKernel kernel = gemm_kernel();
  bool binary = gemm_binary();
  ~KernelScope() {
    gemm_set_kernel(kernel);
    gemm_set_binary(binary);
  }
};

// C = A B [+ C] [+ bias] as gemm.h defines it: fma over k in order from +0, then + C, then + bias
inline std::vector<float> reference(const StridedMat& a, const StridedMat& b, int M, int N, int K,
                                    const std::vector<float>& C0, bool accumulate, const float* bias) {
  std::vector<float> want = C0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int k = 0; k < K; ++k) acc = std::fma(a.p[i * a.rs + k * a.cs], b.p[k * b.rs + j * b.cs], acc);
      if (accumulate) acc = C0[size_t(i) * N + j] + acc;
      if (bias) acc = acc + bias[j];
      want[size_t(i) * N + j] = acc;
    }
  return want;
}
