// A fresh, empty directory under the system temp directory for one test's files, unique to the
// process and the call.
#pragma once
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

inline std::filesystem::path make_temp_dir(const std::string& prefix) {
  static int counter = 0;
  auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (prefix + "_" + std::to_string(long(getpid())) + "_" +
                               std::to_string(ticks) + "_" + std::to_string(counter++));
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  REQUIRE_FALSE(error);
  return dir;
}
