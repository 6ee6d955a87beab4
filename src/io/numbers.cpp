// Strict decimal parsing: strtoll/strtod accept leading blanks, "nan", "inf" and hexadecimal, and
// clamp on overflow; here the text must be exactly one number that fits.
#include "io/numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace {

std::string quoted(const std::string& text) {
  return "'" + (text.size() > 40 ? text.substr(0, 40) + "..." : text) + "'";
}

std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

bool digits_only(const std::string& text, size_t from) {
  if (from >= text.size()) return false;
  for (size_t i = from; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

}  // namespace

Status parse_integer(const std::string& text, long long lo, long long hi, long long* out) {
  const size_t start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (!digits_only(text, start)) return Status::error(quoted(text) + " is not an integer");
  errno = 0;
  const long long v = std::strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v < lo || v > hi)
    return Status::error(quoted(text) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
  *out = v;
  return Status::success();
}

Status parse_real(const std::string& text, double lo, double hi, double* out, bool lo_open) {
  // decimal only: digits, one sign in front or after an exponent, a point, an exponent
  bool any_digit = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool sign_ok = (c == '-' || c == '+') && (i == 0 || text[i - 1] == 'e' || text[i - 1] == 'E');
    if (c >= '0' && c <= '9') any_digit = true;
    else if (!(sign_ok || c == '.' || c == 'e' || c == 'E')) return Status::error(quoted(text) + " is not a finite number");
  }
  char* end = nullptr;
  const double v = any_digit ? std::strtod(text.c_str(), &end) : 0;
  if (!any_digit || end != text.c_str() + text.size()) return Status::error(quoted(text) + " is not a number");
  if (!std::isfinite(v)) return Status::error(quoted(text) + " is not a finite number");
  if (v < lo || v > hi || (lo_open && v == lo))
    return Status::error(quoted(text) + " is out of range " + (lo_open ? "(" : "[") + number_text(lo) + ", " +
                         number_text(hi) + "]");
  *out = v;
  return Status::success();
}

Status parse_u64(const std::string& text, uint64_t* out) {
  if (!digits_only(text, 0)) return Status::error(quoted(text) + " is not a whole number of decimal digits");
  uint64_t v = 0;
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return Status::error(quoted(text) + " is larger than 2^64 - 1");
    v = v * 10 + digit;
  }
  *out = v;
  return Status::success();
}
