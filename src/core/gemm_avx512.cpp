// The packed product (gemm_kernel.h) with AVX-512: 16 floats per register, an 8 x 48 block of C in
// 24 of the 32 registers, or 10 x 32 in 20 where that fits the rows better (a half batch of 50).
// Measured here (Zen 5, one core, 256 x 400 x 784): 8 x 48 177-179 GFLOP/s, 10 x 32 171-178,
// 12 x 32 171-173, 6 x 64 164-170; at 50 x 784 x 400: 10 x 32 135, 8 x 48 121, 12 x 32 114.
// Compiled with -mavx512f -mfma; run only where the CPU has them (gemm.cpp).
#include <immintrin.h>

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
