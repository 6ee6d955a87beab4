// idx_parse_labels on any bytes: never crashes; what it accepts is one label 0..9 per byte.
#include "fuzz_check.h"
#include "io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> labels;
  if (!idx_parse_labels(data, size, &labels).ok) return 0;
  FUZZ_CHECK(labels.size() + 8 == size);
  for (uint8_t label : labels) FUZZ_CHECK(label <= 9);
  return 0;
}
