// models_from_manifest (the page's list of shipped models, fetched with it) on any text: never
// crashes; every entry it lists has a file and a valid config's sizes.
#include <string>

#include "app/session/models.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (const ModelEntry& e : models_from_manifest(std::string(reinterpret_cast<const char*>(data), size)))
    FUZZ_CHECK(e.latent >= 1 && e.latent <= 4096 && e.classes >= 0 && e.classes <= 256 && !e.summary.empty());
  return 0;
}
