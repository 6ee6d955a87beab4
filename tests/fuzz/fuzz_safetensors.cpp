// safetensors_parse on any bytes: never crashes, and what it accepts serializes and parses back to
// the same tensors and metadata, bit for bit; the header-only parse agrees with the full one.
#include <cstring>

#include "fuzz_check.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SafeTensorsFile f;
  const Status full = safetensors_parse(data, size, &f);
  SafeTensorsFile header;
  const Status head = safetensors_parse_header(data, size, size, uint64_t(1) << 40, &header);
  // the data can still fail (a NaN), the header alone cannot when the whole file passed
  if (full.ok) FUZZ_CHECK(head.ok && header.tensors.size() == f.tensors.size() && header.metadata == f.metadata);
  if (!full.ok) FUZZ_CHECK(!full.message.empty() && f.tensors.empty());
  if (!full.ok) return 0;
  for (const SafeTensor& t : f.tensors)
    if (t.dtype == "BF16") return 0;  // read, never written
  SafeTensorsFile back;
  const std::vector<uint8_t> bytes = safetensors_serialize(f);
  FUZZ_CHECK(safetensors_parse(bytes.data(), bytes.size(), &back).ok);
  FUZZ_CHECK(back.metadata == f.metadata && back.tensors.size() == f.tensors.size());
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    const SafeTensor &a = f.tensors[i], &b = back.tensors[i];
    FUZZ_CHECK(a.name == b.name && a.dtype == b.dtype && a.shape == b.shape && a.data.size() == b.data.size());
    FUZZ_CHECK(a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0);
  }
  return 0;
}
