// Which matrix-product kernel runs (gemm.h): the widest this CPU has, unless a benchmark chose.
#include "core/gemm.h"

#include <cstring>
#include <vector>

#include "core/aligned.h"

#if defined(VAE_OWN_GEMM)
void gemm_run_avx2(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                   bool accumulate, const float* bias, int threads, float* Ap, float* Bp);
void gemm_run_avx512(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                     bool accumulate, const float* bias, int threads, float* Ap, float* Bp);
void gemm_transpose_avx2(float* dst, long ldd, const float* src, long lds, int rows, int cols);
void gemm_transpose_avx512(float* dst, long ldd, const float* src, long lds, int rows, int cols);
#endif

namespace {
GemmKernel resolve(GemmKernel k) {
  if (k != GemmKernel::automatic) return k;
  if (gemm_kernel_available(GemmKernel::avx512)) return GemmKernel::avx512;
  if (gemm_kernel_available(GemmKernel::avx2)) return GemmKernel::avx2;
  return GemmKernel::eigen;
}
GemmKernel g_kernel = resolve(GemmKernel::automatic);
[[maybe_unused]] bool own_kernel() { return g_kernel == GemmKernel::avx512 || g_kernel == GemmKernel::avx2; }
}  // namespace

const char* gemm_kernel_name(GemmKernel k) {
  switch (k) {
    case GemmKernel::automatic: return "auto";
    case GemmKernel::eigen: return "eigen";
    case GemmKernel::avx2: return "avx2";
    case GemmKernel::avx512: return "avx512";
  }
  return "?";
}

bool gemm_kernel_parse(const char* name, GemmKernel* out) {
  for (GemmKernel k : {GemmKernel::automatic, GemmKernel::eigen, GemmKernel::avx2, GemmKernel::avx512})
    if (std::strcmp(name, gemm_kernel_name(k)) == 0) {
      *out = k;
      return true;
    }
  return false;
}

bool gemm_kernel_available(GemmKernel k) {
  switch (k) {
    case GemmKernel::automatic:
    case GemmKernel::eigen: return true;
#if defined(VAE_OWN_GEMM)
    // (before main, as g_kernel's initializer runs, the CPU's features must be read first)
    case GemmKernel::avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmKernel::avx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f");
#else
    default: return false;
#endif
  }
  return false;
}

bool gemm_set_kernel(GemmKernel k) {
  if (!gemm_kernel_available(k)) return false;
  g_kernel = resolve(k);
  return true;
}

GemmKernel gemm_kernel() { return g_kernel; }

bool gemm(float* C, long ldc, StridedMat A, StridedMat B, int M, int N, int K, bool accumulate, const float* bias,
          int threads) {
#if defined(VAE_OWN_GEMM)
  if (own_kernel()) {
    // the packed copies of A and B, grown once per calling thread (then the training step allocates
    // nothing). Here, not in the kernels' files: those are compiled for other instructions.
    // From a cache line: a panel's row of 16 floats (AVX2) is then one line, not two
    thread_local AlignedFloats ap, bp;
    const size_t a_size = size_t(M + 16) * K, b_size = size_t(N + 64) * K;
    if (ap.size() < a_size) ap.resize(a_size);
    if (bp.size() < b_size) bp.resize(b_size);
    (g_kernel == GemmKernel::avx512 ? gemm_run_avx512 : gemm_run_avx2)(C, ldc, A, B, M, N, K, accumulate, bias,
                                                                      threads, ap.data(), bp.data());
    return true;
  }
#endif
  (void)C, (void)ldc, (void)A, (void)B, (void)M, (void)N, (void)K, (void)accumulate, (void)bias, (void)threads;
  return false;
}

bool gemm_transpose(float* dst, long ldd, const float* src, long lds, int rows, int cols) {
#if defined(VAE_OWN_GEMM)
  if (own_kernel()) {
    (g_kernel == GemmKernel::avx512 ? gemm_transpose_avx512 : gemm_transpose_avx2)(dst, ldd, src, lds, rows, cols);
    return true;
  }
#endif
  (void)dst, (void)ldd, (void)src, (void)lds, (void)rows, (void)cols;
  return false;
}
