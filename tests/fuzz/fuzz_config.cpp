// config_from_json (a weights file's "config") on any text: never crashes; an accepted config is
// valid and survives config_to_json -> config_from_json unchanged.
#include <string>

#include "fuzz_check.h"
#include "io/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  VaeConfig c;
  if (!config_from_json(std::string(reinterpret_cast<const char*>(data), size), &c).ok) return 0;
  FUZZ_CHECK(c.validate().ok && c.param_count() <= kMaxParams);
  VaeConfig back;
  FUZZ_CHECK(config_from_json(config_to_json(c), &back).ok);
  FUZZ_CHECK(back.input == c.input && back.hidden == c.hidden && back.latent == c.latent &&
             back.activation == c.activation && back.classes == c.classes);
  return 0;
}
