// idx_parse_images on any bytes: never crashes; what it accepts holds exactly the bytes' images.
#include "fuzz_check.h"
#include "io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Mat images;
  int rows = 0, cols = 0;
  if (!idx_parse_images(data, size, &images, &rows, &cols).ok) return 0;
  FUZZ_CHECK(rows == 28 && cols == 28 && images.cols() == 784);
  FUZZ_CHECK(16 + static_cast<size_t>(images.rows()) * 784 == size);
  FUZZ_CHECK(images.size() == 0 || (images.minCoeff() >= 0 && images.maxCoeff() <= 1));
  return 0;
}
