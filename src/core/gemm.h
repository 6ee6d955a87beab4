// The project's own float32 matrix product for x86-64 (AVX2 + FMA, AVX-512), packed panels and a
// register-blocked kernel in the manner of BLIS (Van Zee & van de Geijn 2015). Every element of C is
// one FMA chain over k = 0 .. K-1 from zero, then the old C (accumulate) or the bias is added, so
// its bits depend neither on the kernel's width, nor on the blocking, nor on the threads.
// Elsewhere (WebAssembly, other CPUs) gemm() returns false and the caller uses Eigen's product.
#pragma once

// A matrix in memory: element (r, c) at p[r * rs + c * cs] (row-major: cs = 1; transposed: swap).
struct StridedMat {
  const float* p;
  long rs, cs;
};

enum class GemmKernel { automatic, eigen, avx2, avx512 };
const char* gemm_kernel_name(GemmKernel k);
bool gemm_kernel_parse(const char* name, GemmKernel* out);
// Whether this CPU and build can run kernel k (eigen and automatic: always).
bool gemm_kernel_available(GemmKernel k);
// The kernel gemm() uses (default automatic: the widest this CPU runs); process-wide, set before
// any work starts (a benchmark's choice). Returns false (and changes nothing) if k is not available.
bool gemm_set_kernel(GemmKernel k);
// The kernel gemm() runs now: avx512, avx2 or eigen (automatic resolved).
GemmKernel gemm_kernel();

// C (M x N, row stride ldc) = A (M x K) B (K x N) [+ C, if accumulate] [+ 1 bias^T, if bias (N)],
// with up to `threads` threads over column panels for large products. Returns false (C untouched)
// when the kernel in use is eigen: the caller computes the product itself.
bool gemm(float* C, long ldc, StridedMat A, StridedMat B, int M, int N, int K, bool accumulate,
          const float* bias, int threads = 1);
// dst[c ldd + r] = src[r lds + c] (r < rows, c < cols): a transposed copy, in the kernel's registers.
// Returns false (dst untouched) when the kernel in use is eigen, as gemm() does.
bool gemm_transpose(float* dst, long ldd, const float* src, long lds, int rows, int cols);
