// The page's upload path on any bytes: weights_check_head (from the first bytes, as the page calls
// it: 8 bytes, then as many as it asks for) and weights_parse. Never crashes; the check from the
// first bytes gives the same answer as from the whole file; whatever parses as weights passes the
// check, and within the page's limits it loads.
#include <algorithm>

#include "fuzz_check.h"
#include "io/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const WeightsLimits page = {uint64_t(1) << 22, uint64_t(1) << 20};
  uint64_t need = 0, need_full = 0;
  const Status whole = weights_check_head(data, size, size, "upload", page, &need_full);
  FUZZ_CHECK(!whole.ok || need_full == 0);
  // the page's steps: the first 8 bytes, then the header
  Status step = weights_check_head(data, std::min<size_t>(size, 8), size, "upload", page, &need);
  for (int i = 0; step.ok && need > 0 && i < 3; ++i) {
    FUZZ_CHECK(need <= size);
    step = weights_check_head(data, static_cast<size_t>(need), size, "upload", page, &need);
  }
  FUZZ_CHECK(step.ok == whole.ok && need == 0 && step.message == whole.message);

  VaeParams params;
  Metadata meta;
  const Status parsed = weights_parse(data, size, "upload", &params, &meta);
  if (parsed.ok) {
    FUZZ_CHECK(params.size() == params.config.param_count() && params.config.validate().ok);
    const WeightsLimits loose;
    FUZZ_CHECK(weights_check_head(data, size, size, "upload", loose, &need).ok && need == 0);
  }
  return 0;
}
