// checkpoint_parse (what vae-train --resume reads) on any bytes: never crashes, and what it accepts
// is a trainer whose every field is in range and whose buffers stay within the bounds.
#include "fuzz_check.h"
#include "train/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Trainer t;
  const Status st = checkpoint_parse(data, size, "checkpoint", &t);
  if (!st.ok) return 0;
  FUZZ_CHECK(t.params.size() == t.params.config.param_count() && t.params.config.validate().ok);
  FUZZ_CHECK(t.optimizer.v.size() == t.params.size());
  FUZZ_CHECK(t.optimizer.kind != OptimizerKind::adam || t.optimizer.m.size() == t.params.size());
  FUZZ_CHECK(t.options.batch >= 1 && t.options.batch <= kMaxBatch && t.epoch >= 0 && t.epoch <= kMaxEpochs);
  FUZZ_CHECK(t.params.config.work_floats(t.options.batch) <= kMaxWorkFloats && (t.rng.inc & 1) == 1);
  FUZZ_CHECK(t.optimizer.lr > 0 && t.options.lr > 0 && t.options.kl_warmup >= 0 && t.train_seconds >= 0);
  return 0;
}
