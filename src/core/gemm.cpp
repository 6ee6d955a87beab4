// Which matrix-product kernel runs (gemm.h): the widest this CPU has, unless a benchmark chose.
#include "core/gemm.h"

#include <cstring>
#include <vector>

#if defined(VAE_OWN_GEMM)
void gemm_run_avx2(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                   bool accumulate, const float* bias, int threads, float* Ap, float* Bp);
void gemm_run_avx512(float* C, long ldc, const StridedMat& A, const StridedMat& B, int M, int N, int K,
                     bool accumulate, const float* bias, int threads, float* Ap, float* Bp);
void gemm_transpose_avx2(float* dst, long ldd, const float* src, long lds, int rows, int cols);
void gemm_transpose_avx512(float* dst, long ldd, const float* src, long lds, int rows, int cols);
void gemm_binary_rows_avx2(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M, int N,
                           bool accumulate, const float* bias);
void gemm_binary_rows_avx512(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M,
                             int N, bool accumulate, const float* bias);
void gemm_binary_cols_avx2(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                           bool accumulate, const float* bias);
void gemm_binary_cols_avx512(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                             bool accumulate, const float* bias);
// the columns of row x's 1s into out (16 ints of room past them), their count returned; *other:
// whether an element was neither 0 nor 1
int gemm_ones_avx2(const float* x, int cols, int* out, bool* other);
int gemm_ones_avx512(const float* x, int cols, int* out, bool* other);
#endif

namespace {
GemmKernel resolve(GemmKernel k) {
  if (k != GemmKernel::automatic) return k;
  if (gemm_kernel_available(GemmKernel::avx512)) return GemmKernel::avx512;
  if (gemm_kernel_available(GemmKernel::avx2)) return GemmKernel::avx2;
  return GemmKernel::eigen;
}
GemmKernel g_kernel = resolve(GemmKernel::automatic);
bool own_kernel() { return g_kernel == GemmKernel::avx512 || g_kernel == GemmKernel::avx2; }
bool g_binary = true;
}  // namespace

void gemm_set_binary(bool on) { g_binary = on; }
bool gemm_binary() { return g_binary; }

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
    thread_local std::vector<float> ap, bp;
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

bool BinaryOperand::index(const float* data, long stride, int r, int c) {
  p = data, ld = stride, rows = r, cols = c, binary = false;
  if (!own_kernel() || !g_binary || rows <= 0 || cols <= 0) return false;
  if (row_start.size() < size_t(rows) + 1) row_start.resize(size_t(rows) + 1);
#if defined(VAE_OWN_GEMM)
  if (row_cols.size() < size_t(rows) * size_t(cols) + 16) row_cols.resize(size_t(rows) * size_t(cols) + 16);
  int n = 0;
  for (int i = 0; i < rows; ++i) {
    row_start[size_t(i)] = n;
    bool other = false;
    n += (g_kernel == GemmKernel::avx512 ? gemm_ones_avx512 : gemm_ones_avx2)(p + i * ld, cols, row_cols.data() + n,
                                                                             &other);
    if (other) return false;  // (a dense matrix is told after its first row)
  }
#else
  const int n = 0;
  return false;  // (no own kernel: told above)
#endif
  row_start[size_t(rows)] = n;
  // more than half 1s: the packed product's register blocks are then the faster
  if (2L * n > long(rows) * cols) return false;
  // the same 1s column by column (a counting sort by column, rows ascending within each)
  col_start.assign(size_t(cols) + 1, 0);
  for (int t = 0; t < n; ++t) ++col_start[size_t(row_cols[size_t(t)]) + 1];
  for (int j = 0; j < cols; ++j) col_start[size_t(j) + 1] += col_start[size_t(j)];
  fill.assign(col_start.begin(), col_start.end() - 1);
  if (col_rows.size() < size_t(n)) col_rows.resize(size_t(n));
  for (int i = 0; i < rows; ++i)
    for (int t = row_start[size_t(i)]; t < row_start[size_t(i) + 1]; ++t) col_rows[size_t(fill[size_t(row_cols[size_t(t)])]++)] = i;
  binary = true;
  return true;
}

bool gemm_binary_rows(float* C, long ldc, const BinaryOperand& X, StridedMat B, int N, bool accumulate,
                      const float* bias) {
#if defined(VAE_OWN_GEMM)
  if (own_kernel() && X.binary && (B.cs == 1 || B.rs == 1)) {
    const float* Bt = B.p;
    long ldb = B.rs;
    if (B.cs != 1) {
      // B's rows strided (W^T read through W): a contiguous copy first, grown once per thread
      thread_local std::vector<float> copy;
      if (copy.size() < size_t(X.cols) * size_t(N)) copy.resize(size_t(X.cols) * size_t(N));
      gemm_transpose(copy.data(), N, B.p, B.cs, N, X.cols);  // copy[k N + n] = B(k, n) = B.p[n cs + k]
      Bt = copy.data(), ldb = N;
    }
    (g_kernel == GemmKernel::avx512 ? gemm_binary_rows_avx512 : gemm_binary_rows_avx2)(
        C, ldc, X.row_start.data(), X.row_cols.data(), Bt, ldb, X.rows, N, accumulate, bias);
    return true;
  }
#endif
  (void)C, (void)ldc, (void)X, (void)B, (void)N, (void)accumulate, (void)bias;
  return false;
}

bool gemm_binary_cols(float* C, long ldc, StridedMat A, const BinaryOperand& X, int M, bool accumulate,
                      const float* bias) {
#if defined(VAE_OWN_GEMM)
  if (own_kernel() && X.binary && A.rs == 1) {
    (g_kernel == GemmKernel::avx512 ? gemm_binary_cols_avx512 : gemm_binary_cols_avx2)(
        C, ldc, A, X.col_start.data(), X.col_rows.data(), M, X.cols, accumulate, bias);
    return true;
  }
#endif
  (void)C, (void)ldc, (void)A, (void)X, (void)M, (void)accumulate, (void)bias;
  return false;
}
