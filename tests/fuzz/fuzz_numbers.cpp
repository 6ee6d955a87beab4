// The strict number parsers behind every flag (io/numbers.h) on any text: never crash; what they
// accept is finite, in range and written the way it reads back.
#include <cmath>
#include <string>

#include "fuzz_check.h"
#include "io/numbers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  long long i = 0;
  if (parse_integer(text, -1000000, 1000000000, &i).ok) FUZZ_CHECK(i >= -1000000 && i <= 1000000000);
  double r = 0;
  if (parse_real(text, 0, 10, &r, true).ok) FUZZ_CHECK(std::isfinite(r) && r > 0 && r <= 10);
  uint64_t u = 0;
  if (parse_u64(text, &u).ok) {
    const size_t first = text.find_first_not_of('0');
    FUZZ_CHECK(std::to_string(u) == (first == std::string::npos ? "0" : text.substr(first)));
  }
  return 0;
}
