// The packed product C = A B (gemm.h) for one vector width V (AVX2 or AVX-512, included by
// gemm_avx2.cpp and gemm_avx512.cpp, each compiled for its own instructions): A is packed into
// blocks of MR rows (k-major), B into panels of NR = NV * W columns (k-major), and an MR x NR block
// of C lives in MR * NV registers while k runs from 0 to K - 1.
#pragma once
#include "core/gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace gemm_detail {

inline int min_int(int a, int b) { return a < b ? a : b; }

// rows and columns the packing buffers need at most: M + kPadRows for A, N + kPadCols for B
constexpr int kPadRows = 16, kPadCols = 64;

// dst[c ldd + r] = src[r lds + c] for r < rows, c < cols: W x W blocks transposed in registers, the
// edges one by one
template <class V>
void transpose_copy(float* dst, long ldd, const float* src, long lds, int rows, int cols) {
  constexpr int W = V::W;
  const int rb = rows / W * W, cb = cols / W * W;
  for (int r0 = 0; r0 < rb; r0 += W)
    for (int c0 = 0; c0 < cb; c0 += W) V::transpose(src + r0 * lds + c0, lds, dst + c0 * ldd + r0, ldd);
  for (int r = 0; r < rows; ++r)
    for (int c = r < rb ? cb : 0; c < cols; ++c) dst[c * ldd + r] = src[r * lds + c];
}

template <class V, int MR, int NV>
struct Packed {
  static constexpr int W = V::W, NR = NV * W;

  // Ap[k MR + i] = A(m0 + i, k), rows past mr zero; read along A's contiguous direction, in chunks
  // of 16 k that stay in L1
  static void pack_A(float* Ap, const StridedMat& A, int m0, int mr, int K) {
    if (A.rs == 1) {
      for (int k = 0; k < K; ++k) {
        const float* a = A.p + k * A.cs + m0;
        float* o = Ap + k * MR;
        for (int i = 0; i < mr; ++i) o[i] = a[i];
        for (int i = mr; i < MR; ++i) o[i] = 0.0f;
      }
      return;
    }
    if (A.cs == 1) {
      // A's rows contiguous (a row-major activation): W values of k at a time, the MR rows copied
      // into a W x W tile (rows past mr zero), transposed in registers, then MR floats per k
      // written out; one element at a time this was ~6% of a training step (perf, Zen 5)
      static_assert(MR <= W, "one W x W tile holds a block's rows");
      alignas(64) float src[W * W] = {}, dst[W * W];
      for (int k0 = 0; k0 < K; k0 += W) {
        const int kw = min_int(W, K - k0);
        for (int i = 0; i < mr; ++i) {
          const float* a = A.p + (m0 + i) * A.rs + k0;
          if (kw == W)
            V::store(src + i * W, V::load(a));
          else
            for (int c = 0; c < kw; ++c) src[i * W + c] = a[c];
        }
        V::transpose(src, W, dst, W);  // dst[c W + i] = src[i W + c]
        for (int c = 0; c < kw; ++c)
          for (int i = 0; i < MR; ++i) Ap[(k0 + c) * MR + i] = dst[c * W + i];
      }
      return;
    }
    for (int k0 = 0; k0 < K; k0 += 16) {
      const int k1 = min_int(K, k0 + 16);
      for (int i = 0; i < MR; ++i) {
        const float* a = A.p + (m0 + i) * A.rs;
        for (int k = k0; k < k1; ++k) Ap[k * MR + i] = i < mr ? a[k * A.cs] : 0.0f;
      }
    }
  }

  // Bp[k NR + c] = B(k, n0 + c), columns past nr zero; read along B's contiguous direction, in
  // chunks of 16 k that stay in L1
  static void pack_B(float* Bp, const StridedMat& B, int n0, int nr, int K) {
    if (B.cs == 1) {
      for (int k = 0; k < K; ++k) {
        const float* b = B.p + k * B.rs + n0;
        float* o = Bp + k * NR;
        for (int c = 0; c < nr; ++c) o[c] = b[c];
        for (int c = nr; c < NR; ++c) o[c] = 0.0f;
      }
      return;
    }
    if (B.rs == 1) {
      // B (k, n) = B.p[n cs] (B's columns contiguous: a transposed weight matrix): the panel's
      // columns are B's columns n0 .. n0 + nr - 1 transposed
      transpose_copy<V>(Bp, NR, B.p + n0 * B.cs, B.cs, nr, K);
    } else {
      // any other strides: one by one, in chunks of 16 k that stay in L1
      for (int k0 = 0; k0 < K; k0 += 16) {
        const int k1 = min_int(K, k0 + 16);
        for (int c = 0; c < nr; ++c)
          for (int k = k0; k < k1; ++k) Bp[k * NR + c] = B.p[(n0 + c) * B.cs + k * B.rs];
      }
    }
    // the columns past nr zero, row by row (contiguous; column by column it was ~1.5% of a step)
    for (int k = 0; k < K && nr < NR; ++k)
      for (int c = nr; c < NR; ++c) Bp[k * NR + c] = 0.0f;
  }

  // C block (mr x nr at C, row stride ldc) = sum_k Ap[k] Bp[k]^T [+ C] [+ bias], row k of the
  // panel at Bp + k ldb (ldb = NR packed, or B's own row stride where B is read in place)
  static inline void block(int K, const float* Ap, const float* Bp, long ldb, float* C, long ldc, int mr, int nr,
                           bool accumulate, const float* bias) {
    typename V::T acc[MR][NV];
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
    for (int k = 0; k < K; ++k) {
      // B's row k + 16 on its way to L1 (a prefetch never faults, past the end included); measured
      // here: 170-176 -> 177-182 GFLOP/s at 256 x 400 x 784
      for (int j = 0; j < NR; j += 16) __builtin_prefetch(Bp + (k + 16) * ldb + j);
      typename V::T b[NV];
      for (int j = 0; j < NV; ++j) b[j] = V::load(Bp + k * ldb + j * W);
      for (int i = 0; i < MR; ++i) {
        // c_ij = fma(a_ik, b_kj, c_ij): one chain per element, k in order
        const typename V::T a = V::set1(Ap[k * MR + i]);
        for (int j = 0; j < NV; ++j) acc[i][j] = V::fma(a, b[j], acc[i][j]);
      }
    }
    if (mr == MR && nr == NR) {
      for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NV; ++j) {
          float* c = C + i * ldc + j * W;
          typename V::T v = acc[i][j];
          if (accumulate) v = V::add(V::load(c), v);
          if (bias) v = V::add(v, V::load(bias + j * W));
          V::store(c, v);
        }
      return;
    }
    alignas(64) float tile[MR][NR];
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NV; ++j) V::store(&tile[i][j * W], acc[i][j]);
    for (int i = 0; i < mr; ++i)
      for (int c = 0; c < nr; ++c) {
        float v = tile[i][c];
        if (accumulate) v = C[i * ldc + c] + v;
        if (bias) v = v + bias[c];
        C[i * ldc + c] = v;
      }
  }

  // The block with only as many vectors of columns as nr needs: the last panel of N = 400 or 784
  // has 16 columns of 48, and its 32 zero columns would cost as much as the rest (measured here, Zen
  // 5, one core: 256 x 400 x 784 169 -> 179-185 GFLOP/s). The same FMA chain per element either way.
  template <int nv>
  static inline void fitted_block(int K, const float* Ap, const float* Bp, long ldb, float* C, long ldc, int mr, int nr,
                                  bool accumulate, const float* bias) {
    if constexpr (nv > 1)
      if (nr <= (nv - 1) * W) return fitted_block<nv - 1>(K, Ap, Bp, ldb, C, ldc, mr, nr, accumulate, bias);
    Packed<V, MR, nv>::block(K, Ap, Bp, ldb, C, ldc, mr, nr, accumulate, bias);
  }

  // Ap holds (M + kPadRows) K floats, Bp (N + kPadCols) K
  static void run(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                  bool accumulate, const float* bias, int threads, float* Ap, float* Bp) {
    static_assert(MR <= kPadRows && NR <= kPadCols, "the packing buffers' padding");
    const int mb = (M + MR - 1) / MR, nb = (N + NR - 1) / NR;
    // threads only for large products, and none inside a parallel region (as Eigen's product does)
    bool parallel = threads > 1 && double(M) * N * K >= 4e6;
#ifdef _OPENMP
    parallel = parallel && !omp_in_parallel();
#endif
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (parallel)
#endif
    {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
      for (int ib = 0; ib < mb; ++ib) pack_A(Ap + size_t(ib) * MR * K, A, ib * MR, min_int(MR, M - ib * MR), K);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
      for (int jb = 0; jb < nb; ++jb) {
        const int n0 = jb * NR, nr = min_int(NR, N - n0);
        // B's rows are read in place where they are contiguous and the panel is whole, else packed
        const bool in_place = B.cs == 1 && nr == NR;
        float* panel = Bp + size_t(jb) * NR * K;
        if (!in_place) pack_B(panel, B, n0, nr, K);
        const float* b = in_place ? B.p + n0 : panel;
        const long ldb = in_place ? B.rs : NR;
        for (int ib = 0; ib < mb; ++ib) {
          const int m0 = ib * MR;
          fitted_block<NV>(K, Ap + size_t(ib) * MR * K, b, ldb, C + m0 * ldc + n0, ldc, min_int(MR, M - m0), nr,
                           accumulate, bias ? bias + n0 : nullptr);
        }
      }
    }
    (void)parallel;
  }
};

}  // namespace gemm_detail
