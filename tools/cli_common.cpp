// Shared plumbing of the native programs.
#include "cli_common.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include <Eigen/Core>

#include "io/files.h"
#include "io/numbers.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__SSE__) && !defined(__EMSCRIPTEN__)
#include <xmmintrin.h>
#endif

void cli_parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) std::exit(app.exit(e));
    std::cerr << app.get_name() << ": " << e.what() << " (see --help)\n";
    std::exit(2);
  }
}

void cli_fail(const std::string& program, const std::string& message) {
  std::cerr << program << ": " << message << "\n";
  std::exit(1);
}

CLI::Validator real_in(double lo, double hi, bool lo_open) {
  return CLI::Validator(
      [=](std::string& text) {
        double v;
        const Status st = parse_real(text, lo, hi, &v, lo_open);
        return st ? std::string() : st.message;
      },
      "REAL", "real_in");
}

CLI::Validator integer_in(long long lo, long long hi) {
  return CLI::Validator(
      [=](std::string& text) {
        long long v;
        const Status st = parse_integer(text, lo, hi, &v);
        return st ? std::string() : st.message;
      },
      "INT", "integer_in");
}

CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& text) {
        uint64_t v;
        const Status st = parse_u64(text, &v);
        return st ? std::string() : st.message;
      },
      "UINT64", "seed_value");
}

void prepare_output(const std::string& program, const std::string& path) {
  Status st = file_check_writable_dir(path);
  if (!st) cli_fail(program, st.message);
  std::vector<std::string> removed;
  st = file_remove_stale_temps(path, &removed);
  for (const std::string& file : removed)
    std::cerr << program << ": removed " << file << ", a temporary file left by a process that is gone\n";
  if (!st) cli_fail(program, st.message);
}

void check_work_size(const std::string& program, const VaeConfig& config, int batch, const std::string& flag) {
  const uint64_t floats = config.work_floats(batch);
  if (floats > kMaxWorkFloats)
    cli_fail(program, flag + " " + std::to_string(batch) + " with the model " + config.describe() + " needs " +
                          std::to_string(floats / (1 << 20)) + " Mi floats of work buffers, more than " +
                          std::to_string(kMaxWorkFloats / (1 << 20)) + " Mi");
}

std::string default_data_dir() { return std::string(VAE_SOURCE_DIR) + "/.deps/mnist"; }

std::string dataset_dir(const std::string& program, const std::string& name) {
  if (name == "mnist") return default_data_dir();
  if (name == "fashion") return "/usr/share/datasets/fashion-mnist";
  cli_fail(program, "unknown dataset '" + name + "' (mnist or fashion)");
}
std::string default_weights_dir() { return std::string(VAE_SOURCE_DIR) + "/weights"; }

int hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void set_threads(int threads) {
  const int n = threads > 0 ? threads : hardware_threads();
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
  Eigen::setNbThreads(n);  // without OpenMP (WebAssembly) Eigen stays on one thread
#if defined(__SSE__) && !defined(__EMSCRIPTEN__)
  // Flush denormals to zero in every thread: Adam's moments of rarely active units decay into
  // denormal range, where x86 arithmetic is ~100x slower (training fell from 23,600 to 9,500
  // samples/s after the first epoch without this). OpenMP reuses these threads. WebAssembly has
  // no such mode (Emscripten maps SSE to SIMD128 but not the MXCSR).
#pragma omp parallel num_threads(n)
  _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ
#endif
}

Dataset load_split_or_exit(const std::string& program, const std::string& dir, const std::string& split, long limit) {
  Dataset d;
  Status st = mnist_load(dir, split, &d);
  if (!st) cli_fail(program, st.message + (dir == default_data_dir() || dir == dataset_dir(program, "fashion")
                                                 ? " (run tools/setup.sh to install the datasets)"
                                                 : ""));
  if (d.images.rows() == 0) cli_fail(program, "the " + split + " split in " + dir + " holds no images");
  if (limit > 0 && limit < d.images.rows()) {
    d.images.conservativeResize(limit, Eigen::NoChange);
    d.labels.resize(static_cast<size_t>(limit));
  }
  return d;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Progress::Progress(std::string label, long long total, long long unit_per_step)
    : label_(std::move(label)), total_(total), unit_(unit_per_step), tty_(isatty(STDERR_FILENO)) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(long long done) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total_ && std::chrono::duration<double>(now - last_).count() < 0.1) return;
  last_ = now;
  const double elapsed = seconds_since(start_);
  const double rate = elapsed > 0 ? done * unit_ / elapsed : 0;
  const double eta = done > 0 ? elapsed * (total_ - done) / done : 0;
  const int width = 30, filled = static_cast<int>(width * done / std::max(1LL, total_));
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) bar += '>' + std::string(static_cast<size_t>(width - filled - 1), ' ');
  std::fprintf(stderr, "\r%s [%s] %lld/%lld  %.0f samples/s  ETA %.1fs ", label_.c_str(), bar.c_str(), done, total_,
               rate, eta);
  std::fflush(stderr);
}

void Progress::finish() {
  if (!tty_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}
