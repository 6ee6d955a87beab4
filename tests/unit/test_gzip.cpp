// gzip reading (native builds only: the web build has no zlib) and gzipped IDX datasets such as
// Debian's Fashion-MNIST.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "io/gzip.h"
#include "io/idx.h"
#include "io/safetensors.h"

namespace {

std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& raw) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<uint8_t> out(deflateBound(&s, raw.size()) + 64);
  s.next_in = const_cast<Bytef*>(raw.data());
  s.avail_in = static_cast<uInt>(raw.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::vector<uint8_t> idx_images(int n) {
  std::vector<uint8_t> b = {0, 0, 8, 3, 0, 0, 0, uint8_t(n), 0, 0, 0, 28, 0, 0, 0, 28};
  for (int i = 0; i < n * 784; ++i) b.push_back(uint8_t(i % 256));
  return b;
}

}  // namespace

TEST_CASE("gunzip restores what gzip compressed", "[gzip]") {
  std::vector<uint8_t> raw(200000);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = uint8_t((i * 7) ^ (i >> 5));
  std::vector<uint8_t> out;
  REQUIRE(gunzip(gzip_bytes(raw), &out).ok);
  CHECK(out == raw);
}

TEST_CASE("gunzip rejects truncated, corrupt and oversized streams with their own messages", "[gzip]") {
  std::vector<uint8_t> raw(50000, 7), out;
  std::vector<uint8_t> packed = gzip_bytes(raw);
  std::vector<uint8_t> truncated(packed.begin(), packed.begin() + packed.size() / 2);
  CHECK_THAT(gunzip(truncated, &out).message, Catch::Contains("truncated"));
  std::vector<uint8_t> corrupt = packed;
  corrupt[0] = 0x00;  // not a gzip magic
  CHECK_THAT(gunzip(corrupt, &out).message, Catch::Contains("corrupt"));
  CHECK_THAT(gunzip(packed, &out, 1000).message, Catch::Contains("larger than 1000 bytes"));
}

TEST_CASE("mnist_load reads gzipped IDX files when only those exist", "[gzip][idx]") {
  const auto dir = std::filesystem::temp_directory_path() / ("vae_gz_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  REQUIRE(file_write_atomic((dir / "t10k-images-idx3-ubyte.gz").string(), gzip_bytes(idx_images(3))).ok);
  REQUIRE(file_write_atomic((dir / "t10k-labels-idx1-ubyte.gz").string(), gzip_bytes({0, 0, 8, 1, 0, 0, 0, 3, 4, 5, 6})).ok);
  Dataset d;
  Status st = mnist_load(dir.string(), "test", &d);
  INFO(st.message);
  REQUIRE(st.ok);
  CHECK(d.images.rows() == 3);
  CHECK(d.labels == std::vector<uint8_t>{4, 5, 6});
  CHECK(d.images(0, 255) == 1.0f);
  // a corrupt .gz is named in the message
  REQUIRE(file_write_atomic((dir / "t10k-labels-idx1-ubyte.gz").string(), {0x1f, 0x8b, 8, 0, 1, 2}).ok);
  st = mnist_load(dir.string(), "test", &d);
  CHECK_FALSE(st.ok);
  CHECK_THAT(st.message, Catch::Contains("t10k-labels-idx1-ubyte.gz: gzip: "));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Debian's Fashion-MNIST loads: 60,000 + 10,000 images of 10 classes", "[gzip][fashion]") {
  Dataset train, test;
  Status st = mnist_load("/usr/share/datasets/fashion-mnist", "train", &train);
  INFO(st.message << " (tools/setup.sh installs dataset-fashion-mnist)");
  REQUIRE(st.ok);
  REQUIRE(mnist_load("/usr/share/datasets/fashion-mnist", "test", &test).ok);
  CHECK(train.images.rows() == 60000);
  CHECK(test.images.rows() == 10000);
  CHECK(*std::max_element(train.labels.begin(), train.labels.end()) == 9);
}
