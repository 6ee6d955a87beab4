// The packed product (gemm_kernel.h) with AVX-512: 16 floats per register, an 8 x 48 block of C in
// 24 of the 32 registers, or 10 x 32 in 20 where that fits the rows better (a half batch of 50).
// Measured here (Zen 5, one core, 256 x 400 x 784): 8 x 48 177-179 GFLOP/s, 10 x 32 171-178,
// 12 x 32 171-173, 6 x 64 164-170; at 50 x 784 x 400: 10 x 32 135, 8 x 48 121, 12 x 32 114.
// Compiled with -mavx512f -mfma; run only where the CPU has them (gemm.cpp).
#include <immintrin.h>

#include "core/gemm_binary.h"
#include "core/gemm_kernel.h"

namespace {
struct V512 {
  using T = __m512;
  static constexpr int W = 16;
  static T zero() { return _mm512_setzero_ps(); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static T set1(float a) { return _mm512_set1_ps(a); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  // dst[k ldd + c] = src[c lds + k], c, k < 16: unpack pairs of rows, shuffle within 128-bit lanes
  // (u[4i + j], lane L: column 4L + j of rows 4i..4i+3), then gather the lanes
  static void transpose(const float* src, long lds, float* dst, long ldd) {
    T r[16], t[16], u[16];
    for (int i = 0; i < 16; ++i) r[i] = load(src + i * lds);
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i) {
      u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
      u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
      u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
      u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int j = 0; j < 4; ++j) {
      const T v02 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88), v13 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);
      const T w02 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88), w13 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
      store(dst + (0 + j) * ldd, _mm512_shuffle_f32x4(v02, w02, 0x88));
      store(dst + (8 + j) * ldd, _mm512_shuffle_f32x4(v02, w02, 0xDD));
      store(dst + (4 + j) * ldd, _mm512_shuffle_f32x4(v13, w13, 0x88));
      store(dst + (12 + j) * ldd, _mm512_shuffle_f32x4(v13, w13, 0xDD));
    }
  }
};
}  // namespace

void gemm_run_avx512(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                     bool accumulate, const float* bias, int threads, float* Ap, float* Bp) {
  // the block height that pads the rows least (8 where equal)
  const int pad8 = (M + 7) / 8 * 8 - M, pad10 = (M + 9) / 10 * 10 - M;
  if (pad8 <= pad10)
    gemm_detail::Packed<V512, 8, 3>::run(C, ldc, A, B, M, N, K, accumulate, bias, threads, Ap, Bp);
  else
    gemm_detail::Packed<V512, 10, 2>::run(C, ldc, A, B, M, N, K, accumulate, bias, threads, Ap, Bp);
}

void gemm_transpose_avx512(float* dst, long ldd, const float* src, long lds, int rows, int cols) {
  gemm_detail::transpose_copy<V512>(dst, ldd, src, lds, rows, cols);
}

void gemm_binary_rows_avx512(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M, int N,
                        bool accumulate, const float* bias) {
  gemm_detail::Binary<V512>::rows_times(C, ldc, start, cols, Bt, ldb, M, N, accumulate, bias);
}

void gemm_binary_cols_avx512(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                        bool accumulate, const float* bias) {
  gemm_detail::Binary<V512>::times_cols(C, ldc, A, start, rows, M, N, accumulate, bias);
}

int gemm_ones_avx512(const float* x, int cols, int* out, bool* other) {
  // 16 elements at a time: compare with 1 and with 0, and the columns of the 1s compressed into a
  // register, then stored whole (out has 16 ints of room past the 1s)
  const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
  __m512i col = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int n = 0, j = 0;
  unsigned neither = 0;
  for (; j + 16 <= cols; j += 16) {
    const __m512 v = _mm512_loadu_ps(x + j);
    const __mmask16 is1 = _mm512_cmp_ps_mask(v, one, _CMP_EQ_OQ), is0 = _mm512_cmp_ps_mask(v, zero, _CMP_EQ_OQ);
    neither |= static_cast<unsigned>(~(is1 | is0)) & 0xFFFFu;
    _mm512_storeu_si512(out + n, _mm512_maskz_compress_epi32(is1, col));
    n += __builtin_popcount(is1);
    col = _mm512_add_epi32(col, _mm512_set1_epi32(16));
  }
  *other = neither != 0;
  return gemm_detail::ones_tail(x, j, cols, out, n, other);
}
