// gunzip on any bytes with a small output cap: never crashes, never returns more than the cap.
#include <vector>

#include "fuzz_check.h"
#include "io/gzip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t cap = 1 << 20;
  std::vector<uint8_t> out;
  const Status st = gunzip(std::vector<uint8_t>(data, data + size), &out, cap);
  FUZZ_CHECK(st.ok ? out.size() <= cap : out.empty());
  return 0;
}
