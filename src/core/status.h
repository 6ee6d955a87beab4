// Status: how bad data (a file, an argument, an upload) is reported. Programmer errors are asserts;
// anything a user can cause returns a Status whose message names the thing and the problem.
#pragma once
#include <string>
#include <utility>

struct Status {
  bool ok = true;
  std::string message;  // empty when ok

  static Status success() { return {}; }
  static Status error(std::string message) { return {false, std::move(message)}; }
  explicit operator bool() const { return ok; }
};
