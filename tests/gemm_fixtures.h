// Helpers of the matrix-product tests (test_gemm.cpp, test_gemm_binary.cpp).
#pragma once
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
