// Products with a binary operand (every element 0 or 1: the dynamically binarized images that the
// first layer reads forward and its weight gradient reads back) for one vector width V, included by
// gemm_avx2.cpp and gemm_avx512.cpp. They give the bits of gemm_kernel.h's FMA chains with the
// terms whose binary factor is 0 left out:
//   fma(1, b, c) = b + c (one rounding, the same one) and fma(0, b, c) = c + (+-0) = c, as c is
//   never -0 (a chain starts at +0, and a sum is -0 only for -0 + -0),
// so summing the other factor over the 1s, in k order, is the same chain (for a finite other factor:
// the chain's 0 x inf is NaN, a term left out here). At the density of an MNIST
// digit (13% of its pixels are 1) that is about an eighth of the multiply-adds.
#pragma once
#include "core/gemm.h"

namespace gemm_detail {

// The finish of one element, as Packed::block does it: + C (accumulate), then + bias
inline float finish_one(float acc, const float* c, bool accumulate, const float* bias) {
  if (accumulate) acc = *c + acc;
  if (bias) acc = acc + *bias;
  return acc;
}

// The columns of the 1s among x[j .. cols) appended to out at n (each column written, kept where it
// is a 1); the new count returned, *other set if an element was neither 0 nor 1. The tail of each
// width's vectorized index (gemm_ones_avx2, gemm_ones_avx512).
inline int ones_tail(const float* x, int j, int cols, int* out, int n, bool* other) {
  for (; j < cols; ++j) {
    out[n] = j;
    n += x[j] == 1.0f;
    *other = *other || (x[j] != 0.0f && x[j] != 1.0f);
  }
  return n;
}

template <class V>
struct Binary {
  static constexpr int W = V::W;

  // NV vectors of row m's columns n0 .. n0 + NV W - 1: c = sum over k in ks[0 .. nk) of Bt's row k
  template <int NV>
  static void row_group(float* c, const int* ks, int nk, const float* Bt, long ldb, int n0, bool accumulate,
                        const float* bias) {
    typename V::T acc[NV];
    for (int j = 0; j < NV; ++j) acc[j] = V::zero();
    for (int t = 0; t < nk; ++t) {
      const float* b = Bt + ks[t] * ldb + n0;
      for (int j = 0; j < NV; ++j) acc[j] = V::add(acc[j], V::load(b + j * W));  // c += B(k, n) where A(m, k) = 1
    }
    for (int j = 0; j < NV; ++j) {
      float* o = c + n0 + j * W;
      typename V::T v = acc[j];
      if (accumulate) v = V::add(V::load(o), v);
      if (bias) v = V::add(v, V::load(bias + n0 + j * W));
      V::store(o, v);
    }
  }

  // C (M x N) = A B [+ C] [+ bias], A binary given by its 1s row by row (row m: k = cols[start[m]
  // .. start[m + 1]), ascending), B's rows contiguous (B(k, n) = Bt[k ldb + n]). A slab of 64 of
  // B's columns at a time for every row, which stays in L2 (784 x 64 floats, 200 KB; all of a W^T,
  // 1.25 MB at 784 x 400, did not: 1 thread, Zen 5, 44,476 -> 46,522 samples/s; slabs of 128
  // columns 47,053, of 32 or 64 47,743 and 47,727)
  static void rows_times(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M,
                         int N, bool accumulate, const float* bias) {
    constexpr int kGroup = 64 / W;  // 4 or 8 accumulators and their loads in registers
    const int vectors = N / W;
    for (int j = 0; j < vectors;) {
      const int nv = vectors - j >= kGroup ? kGroup : 1;
      for (int m = 0; m < M; ++m) {
        const int* ks = cols + start[m];
        const int nk = start[m + 1] - start[m];
        if (nv == kGroup)
          row_group<kGroup>(C + m * ldc, ks, nk, Bt, ldb, j * W, accumulate, bias);
        else
          row_group<1>(C + m * ldc, ks, nk, Bt, ldb, j * W, accumulate, bias);
      }
      j += nv;
    }
    for (int m = 0; m < M; ++m) {
      const int* ks = cols + start[m];
      const int nk = start[m + 1] - start[m];
      for (int n = vectors * W; n < N; ++n) {
        float acc = 0.0f;
        for (int t = 0; t < nk; ++t) acc = acc + Bt[ks[t] * ldb + n];
        C[m * ldc + n] = finish_one(acc, C + m * ldc + n, accumulate, bias ? bias + n : nullptr);
      }
    }
  }

  // Rows m0 .. m0 + NV W - 1 of C's columns n0 .. n0 + nw - 1: for each column, NV vectors of A's
  // rows summed over its 1s (the index read once for all of them), then NV tiles transposed into C
  template <int NV>
  static void cols_block(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int m0, int n0,
                         int nw, bool accumulate, const float* bias) {
    alignas(64) float tile[NV][W * W], out[W * W];
    for (int j = 0; j < nw; ++j) {
      // tile[v][j W + i] = C(m0 + v W + i, n0 + j) = sum over k with B(k, n0 + j) = 1 of A(m0 + v W + i, k)
      typename V::T acc[NV];
      for (int v = 0; v < NV; ++v) acc[v] = V::zero();
      for (int t = start[n0 + j]; t < start[n0 + j + 1]; ++t) {
        const float* a = A.p + rows[t] * A.cs + m0;
        for (int v = 0; v < NV; ++v) acc[v] = V::add(acc[v], V::load(a + v * W));
      }
      for (int v = 0; v < NV; ++v) V::store(tile[v] + j * W, acc[v]);
    }
    for (int v = 0; v < NV; ++v) {
      for (int j = nw; j < W; ++j)
        for (int i = 0; i < W; ++i) tile[v][j * W + i] = 0.0f;  // (columns past nw: read by the transpose only)
      V::transpose(tile[v], W, out, W);  // out[i W + j] = tile[v][j W + i]
      for (int i = 0; i < W; ++i) {
        float* c = C + (m0 + v * W + i) * ldc + n0;
        if (nw == W) {
          typename V::T x = V::load(out + i * W);
          if (accumulate) x = V::add(V::load(c), x);
          if (bias) x = V::add(x, V::load(bias + n0));
          V::store(c, x);
        } else {
          for (int j = 0; j < nw; ++j) c[j] = finish_one(out[i * W + j], c + j, accumulate, bias ? bias + n0 + j : nullptr);
        }
      }
    }
  }

  // C (M x N) = A B [+ C] [+ bias], B binary given by its 1s column by column (column n: k =
  // rows[start[n] .. start[n + 1]), ascending), A's columns contiguous (A(m, k) = A.p[m + k A.cs]):
  // up to 64 rows of C at a time (a piece of a held-back weight gradient is 64 rows), the rows past
  // the last whole vector one by one
  static void times_cols(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                         bool accumulate, const float* bias) {
    constexpr int kGroup = 64 / W;
    const int mv = M / W;
    for (int v = 0; v < mv;) {
      const int nv = mv - v >= kGroup ? kGroup : 1;
      for (int n0 = 0; n0 < N; n0 += W) {
        const int nw = N - n0 < W ? N - n0 : W;
        if (nv == kGroup)
          cols_block<kGroup>(C, ldc, A, start, rows, v * W, n0, nw, accumulate, bias);
        else
          cols_block<1>(C, ldc, A, start, rows, v * W, n0, nw, accumulate, bias);
      }
      v += nv;
    }
    for (int m = mv * W; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        float acc = 0.0f;
        for (int t = start[n]; t < start[n + 1]; ++t) acc = acc + A.p[m + rows[t] * A.cs];
        C[m * ldc + n] = finish_one(acc, C + m * ldc + n, accumulate, bias ? bias + n : nullptr);
      }
  }
};

}  // namespace gemm_detail
