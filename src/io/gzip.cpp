// gzip via zlib's inflate with gzip header detection (windowBits 16 + MAX_WBITS).
#include "io/gzip.h"

#ifdef __EMSCRIPTEN__
Status gunzip(const std::vector<uint8_t>&, std::vector<uint8_t>*, size_t) {
  return Status::error("gzip: not available in the WebAssembly build");
}
#else
#include <zlib.h>

Status gunzip(const std::vector<uint8_t>& in, std::vector<uint8_t>* out, size_t max_bytes) {
  z_stream s{};
  if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return Status::error("gzip: zlib initialisation failed");
  std::vector<uint8_t> result(std::min(max_bytes, std::max<size_t>(in.size() * 4, 1 << 16)));
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (s.total_out == result.size()) {
      if (result.size() >= max_bytes) {
        inflateEnd(&s);
        return Status::error("gzip: output larger than " + std::to_string(max_bytes) + " bytes");
      }
      result.resize(std::min(max_bytes, result.size() * 2));
    }
    s.next_out = result.data() + s.total_out;
    s.avail_out = static_cast<uInt>(result.size() - s.total_out);
    rc = inflate(&s, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && s.avail_in == 0) {
      inflateEnd(&s);
      return Status::error("gzip: truncated stream");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      inflateEnd(&s);
      return Status::error(std::string("gzip: corrupt stream (") + (s.msg ? s.msg : "inflate failed") + ")");
    }
  }
  result.resize(s.total_out);
  inflateEnd(&s);
  *out = std::move(result);
  return Status::success();
}
#endif
