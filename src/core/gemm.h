// The project's own float32 matrix product for x86-64 (AVX2 + FMA, AVX-512), packed panels and a
// register-blocked kernel in the manner of BLIS (Van Zee & van de Geijn 2015). Every element of C is
// one FMA chain over k = 0 .. K-1 from zero, then the old C (accumulate) or the bias is added, so
// its bits depend neither on the kernel's width, nor on the blocking, nor on the threads.
// Elsewhere (WebAssembly, other CPUs) gemm() returns false and the caller uses Eigen's product.
#pragma once
#include <vector>

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

// The 1s of a binary matrix (rows x cols, row-major with row stride ld), by row and by column, for
// the products that read it (gemm_binary_rows, gemm_binary_cols): made once for a matrix that
// several products read (the first layer's input, forward and in its weight gradient). The vectors
// grow to the largest matrix and are kept, so indexing allocates nothing after the first time.
struct BinaryOperand {
  const float* p = nullptr;
  long ld = 0;
  int rows = 0, cols = 0;
  bool binary = false;          // as index() found it
  std::vector<int> row_start;   // rows + 1: row r's 1s at columns row_cols[row_start[r] .. row_start[r + 1])
  std::vector<int> row_cols;
  std::vector<int> col_start;   // cols + 1: column c's 1s at rows col_rows[col_start[c] .. col_start[c + 1])
  std::vector<int> col_rows;    // (each list ascending)
  std::vector<int> fill;        // cols: room for making the columns' lists
  // Indexes the matrix; true (binary) if every element is 0 or 1 and at most half are 1, and
  // gemm_binary_runs() (the products below would decline otherwise).
  bool index(const float* p, long ld, int rows, int cols);
};
// Whether BinaryOperand::index looks for binary matrices at all (default on); process-wide, set
// before work starts (a benchmark or a test comparing the products with and without).
void gemm_set_binary(bool on);
bool gemm_binary();
// Whether the binary products run now: switched on and the project's kernel in use (with Eigen's,
// every product is Eigen's; WebAssembly has only Eigen's).
bool gemm_binary_runs();
// C (M x N, M = X.rows) = X B [+ C] [+ 1 bias^T], X binary: row m of C is the sum of B's rows k
// where X(m, k) = 1, in k order (the bits of gemm()). B: K x N with K = X.cols, rows or columns
// contiguous (B.cs = 1 or B.rs = 1). Returns false (C untouched) when X is not binary or the
// binary products do not run (gemm_binary_runs).
bool gemm_binary_rows(float* C, long ldc, const BinaryOperand& X, StridedMat B, int N, bool accumulate,
                      const float* bias);
// C (M x N, N = X.cols) = A X [+ C] [+ 1 bias^T], X binary (K x N, K = X.rows): column n of C is the
// sum of A's columns k where X(k, n) = 1, in k order (the bits of gemm()). A: M x K with its columns
// contiguous (A.rs = 1). Returns false (C untouched) as gemm_binary_rows does.
bool gemm_binary_cols(float* C, long ldc, StridedMat A, const BinaryOperand& X, int M, bool accumulate,
                      const float* bias);
