// The products with a binary operand (gemm.h): the index of a binary matrix's 1s, and which
// width's sums (gemm_binary.h) run: AVX-512 or AVX2, with the project's kernel of that width.
#include <cstddef>
#include <vector>

#include "core/aligned.h"
#include "core/gemm.h"

using OnesFn = int (*)(const float* x, int cols, int* out, bool* other);
using RowsFn = void (*)(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb, int M, int N,
                        bool accumulate, const float* bias);
using ColsFn = void (*)(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, int N,
                        bool accumulate, const float* bias);

// Each width's: the columns of row x's 1s into out (room for 16 ints past them), their count
// returned, *other: whether an element was neither 0 nor 1; C = X B over X's rows' 1s; C = A X over
// X's columns' 1s
#define VAE_BINARY_KERNELS(w)                                                                                  \
  int gemm_ones_##w(const float* x, int cols, int* out, bool* other);                                          \
  void gemm_binary_rows_##w(float* C, long ldc, const int* start, const int* cols, const float* Bt, long ldb,  \
                            int M, int N, bool accumulate, const float* bias);                                 \
  void gemm_binary_cols_##w(float* C, long ldc, const StridedMat& A, const int* start, const int* rows, int M, \
                            int N, bool accumulate, const float* bias);
#if defined(VAE_OWN_GEMM)
VAE_BINARY_KERNELS(avx2)
VAE_BINARY_KERNELS(avx512)
#endif

namespace {
bool g_binary = true;

struct BinaryKernels {
  OnesFn ones;
  RowsFn rows;
  ColsFn cols;
};

// The sums that run now, or nullptr: switched off, Eigen's kernel chosen (every product is then
// Eigen's), or no kernel of the project's (WebAssembly, other CPUs)
const BinaryKernels* binary_kernels() {
  if (!g_binary) return nullptr;
#if defined(VAE_OWN_GEMM)
  static const BinaryKernels k2{gemm_ones_avx2, gemm_binary_rows_avx2, gemm_binary_cols_avx2};
  static const BinaryKernels k512{gemm_ones_avx512, gemm_binary_rows_avx512, gemm_binary_cols_avx512};
  return gemm_kernel() == GemmKernel::avx512 ? &k512 : gemm_kernel() == GemmKernel::avx2 ? &k2 : nullptr;
#else
  return nullptr;
#endif
}
}  // namespace

void gemm_set_binary(bool on) { g_binary = on; }
bool gemm_binary() { return g_binary; }
bool gemm_binary_runs() { return binary_kernels() != nullptr; }

bool BinaryOperand::index(const float* data, long stride, int r, int c) {
  p = data, ld = stride, rows = r, cols = c, binary = false;
  const BinaryKernels* k = binary_kernels();
  if (!k || rows <= 0 || cols <= 0) return false;
  if (row_start.size() < std::size_t(rows) + 1) row_start.resize(std::size_t(rows) + 1);
  if (row_cols.size() < std::size_t(rows) * std::size_t(cols) + 16) row_cols.resize(std::size_t(rows) * std::size_t(cols) + 16);
  int n = 0;
  for (int i = 0; i < rows; ++i) {
    row_start[std::size_t(i)] = n;
    bool other = false;
    n += k->ones(p + i * ld, cols, row_cols.data() + n, &other);
    if (other) return false;  // (a dense matrix is told after its first row)
  }
  row_start[std::size_t(rows)] = n;
  // more than half 1s: the packed product's register blocks are then the faster
  if (2L * n > long(rows) * cols) return false;
  // the same 1s column by column (a counting sort by column, rows ascending within each)
  col_start.assign(std::size_t(cols) + 1, 0);
  for (int t = 0; t < n; ++t) ++col_start[std::size_t(row_cols[std::size_t(t)]) + 1];
  for (int j = 0; j < cols; ++j) col_start[std::size_t(j) + 1] += col_start[std::size_t(j)];
  fill.assign(col_start.begin(), col_start.end() - 1);
  if (col_rows.size() < std::size_t(n)) col_rows.resize(std::size_t(n));
  for (int i = 0; i < rows; ++i)
    for (int t = row_start[std::size_t(i)]; t < row_start[std::size_t(i) + 1]; ++t) col_rows[std::size_t(fill[std::size_t(row_cols[std::size_t(t)])]++)] = i;
  binary = true;
  return true;
}

bool gemm_binary_rows(float* C, long ldc, const BinaryOperand& X, StridedMat B, int N, bool accumulate,
                      const float* bias) {
  const BinaryKernels* k = binary_kernels();
  if (!k || !X.binary || (B.cs != 1 && B.rs != 1)) return false;
  const float* Bt = B.p;
  long ldb = B.rs;
  if (B.cs != 1) {
    // B's rows strided (W^T read through W): a contiguous copy first, grown once per thread
    thread_local AlignedFloats copy;
    if (copy.size() < std::size_t(X.cols) * std::size_t(N)) copy.resize(std::size_t(X.cols) * std::size_t(N));
    // copy[k N + n] = B(k, n) = B.p[n cs + k], in the kernel's registers
    gemm_transpose(copy.data(), N, B.p, B.cs, N, X.cols);
    Bt = copy.data(), ldb = N;
  }
  k->rows(C, ldc, X.row_start.data(), X.row_cols.data(), Bt, ldb, X.rows, N, accumulate, bias);
  return true;
}

bool gemm_binary_cols(float* C, long ldc, StridedMat A, const BinaryOperand& X, int M, bool accumulate,
                      const float* bias) {
  const BinaryKernels* k = binary_kernels();
  if (!k || !X.binary || A.rs != 1) return false;
  k->cols(C, ldc, A, X.col_start.data(), X.col_rows.data(), M, X.cols, accumulate, bias);
  return true;
}
