// gzip decompression (zlib) for the gzipped IDX files of Fashion-MNIST. Native builds only: the web
// build (Emscripten 3.1.6, no zlib port) gets an error, and its page decompresses in the browser.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

// Inflates the gzip stream `in` into *out, refusing output beyond max_bytes.
Status gunzip(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, size_t max_bytes = size_t(1) << 30);
