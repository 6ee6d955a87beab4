// The packed product (gemm_kernel.h) with AVX2 + FMA: 8 floats per register, a 6 x 16 block of C in
// 12 of the 16 registers. Compiled with -mavx2 -mfma (no AVX-512, even where -march=native has it).
#include <immintrin.h>

#include "core/gemm_binary.h"
#include "core/gemm_kernel.h"

namespace {
struct V256 {
  using T = __m256;
  static constexpr int W = 8;
  static T zero() { return _mm256_setzero_ps(); }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static T set1(float a) { return _mm256_set1_ps(a); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  // dst[k ldd + c] = src[c lds + k], c, k < 8: unpack pairs of rows, shuffle within 128-bit lanes
  // (u[4i + j], lane L: column 4L + j of rows 4i..4i+3), then join the lanes
  static void transpose(const float* src, long lds, float* dst, long ldd) {
    T r[8], t[8], u[8];
    for (int i = 0; i < 8; ++i) r[i] = load(src + i * lds);
    for (int i = 0; i < 4; ++i) {
      t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i) {
      u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
      u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
      u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
      u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int j = 0; j < 4; ++j) {
      store(dst + j * ldd, _mm256_permute2f128_ps(u[j], u[4 + j], 0x20));
      store(dst + (4 + j) * ldd, _mm256_permute2f128_ps(u[j], u[4 + j], 0x31));
    }
  }
};
}  // namespace

void gemm_run_avx2(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                   bool accumulate, const float* bias, int threads, float* Ap, float* Bp) {
  gemm_detail::Packed<V256, 6, 2>::run(C, ldc, A, B, M, N, K, accumulate, bias, threads, Ap, Bp);
}

void gemm_transpose_avx2(float* dst, long ldd, const float* src, long lds, int rows, int cols) {
  gemm_detail::transpose_copy<V256>(dst, ldd, src, lds, rows, cols);
}

void gemm_binary_rows_avx2(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M, int N,
                        bool accumulate, const float* bias) {
  gemm_detail::Binary<V256>::rows_times(C, ldc, start, cols, Bt, ldb, M, N, accumulate, bias);
}

void gemm_binary_cols_avx2(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                        bool accumulate, const float* bias) {
  gemm_detail::Binary<V256>::times_cols(C, ldc, A, start, rows, M, N, accumulate, bias);
}

int gemm_ones_avx2(const float* x, int cols, int* out, bool* other) {
  // 8 elements at a time: compare with 1 and with 0, then the 1s' columns from the mask's bits
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  int n = 0, j = 0;
  int neither = 0;
  for (; j + 8 <= cols; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    const int is1 = _mm256_movemask_ps(_mm256_cmp_ps(v, one, _CMP_EQ_OQ));
    const int is0 = _mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_EQ_OQ));
    neither |= ~(is1 | is0) & 0xFF;
    for (unsigned bits = static_cast<unsigned>(is1); bits; bits &= bits - 1) out[n++] = j + __builtin_ctz(bits);
  }
  *other = neither != 0;
  return gemm_detail::ones_tail(x, j, cols, out, n, other);
}
