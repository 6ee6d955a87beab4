// classifier_parse (vae-eval --classifier) on any bytes: never crashes; what it accepts is sized
// by its config.
#include "fuzz_check.h"
#include "train/classifier_train.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ClassifierParams p;
  if (!classifier_parse(data, size, "classifier", &p).ok) return 0;
  FUZZ_CHECK(p.layers.size() == p.hidden.size() + 1 && p.layers.back().out == p.classes);
  FUZZ_CHECK(p.layers.back().b_offset + static_cast<size_t>(p.classes) == p.data.size());
  return 0;
}
