// MNIST IDX parsing: valid image and label files read to the right values, and each kind of bad
// file (short, wrong magic, not 28x28, wrong size, label > 9, count mismatch) has its own message.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "io/idx.h"

namespace fs = std::filesystem;

namespace {

void append_be32(std::vector<uint8_t>* bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes->push_back(uint8_t(value >> shift));
}

// Pixel j of image i; image 0 starts with a full-white and a black pixel.
uint8_t pixel(uint32_t i, uint32_t j) {
  if (i == 0 && j == 0) return 255;
  if (i == 0 && j == 1) return 0;
  return uint8_t((i * 7 + j * 3) % 256);
}

std::vector<uint8_t> images_file(uint32_t count, uint32_t rows = 28, uint32_t cols = 28,
                                 uint32_t magic = 0x00000803) {
  std::vector<uint8_t> bytes;
  append_be32(&bytes, magic);
  append_be32(&bytes, count);
  append_be32(&bytes, rows);
  append_be32(&bytes, cols);
  for (uint32_t i = 0; i < count; i++)
    for (uint32_t j = 0; j < rows * cols; j++) bytes.push_back(pixel(i, j));
  return bytes;
}

std::vector<uint8_t> labels_file(const std::vector<uint8_t>& labels, uint32_t magic = 0x00000801) {
  std::vector<uint8_t> bytes;
  append_be32(&bytes, magic);
  append_be32(&bytes, uint32_t(labels.size()));
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

Status parse_images(const std::vector<uint8_t>& bytes) {
  Mat images;
  int rows = 0, cols = 0;
  return idx_parse_images(bytes.data(), bytes.size(), &images, &rows, &cols);
}

Status parse_labels(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> labels;
  return idx_parse_labels(bytes.data(), bytes.size(), &labels);
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  FILE* file = std::fopen(path.string().c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
  std::fclose(file);
}

}  // namespace

TEST_CASE("idx_parse_images reads three 28x28 images scaled so that 255 is 1.0") {
  std::vector<uint8_t> bytes = images_file(3);
  Mat images;
  int rows = 0, cols = 0;
  REQUIRE(idx_parse_images(bytes.data(), bytes.size(), &images, &rows, &cols).ok);
  CHECK(rows == 28);
  CHECK(cols == 28);
  REQUIRE(images.rows() == 3);
  REQUIRE(images.cols() == 784);
  CHECK(images(0, 0) == 1.0f);
  CHECK(images(0, 1) == 0.0f);
  for (uint32_t i = 0; i < 3; i++)
    for (uint32_t j = 0; j < 784; j++) REQUIRE(images(i, j) == pixel(i, j) / 255.0f);
}

TEST_CASE("idx_parse_labels reads three labels") {
  std::vector<uint8_t> bytes = labels_file({7, 0, 9});
  std::vector<uint8_t> labels;
  REQUIRE(idx_parse_labels(bytes.data(), bytes.size(), &labels).ok);
  CHECK(labels == std::vector<uint8_t>{7, 0, 9});
}

TEST_CASE("an image file shorter than its header is rejected") {
  std::vector<uint8_t> bytes = images_file(0);
  bytes.resize(10);
  Status status = parse_images(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "too short for an IDX image header: 10 bytes, need 16");
}

TEST_CASE("an image file with the wrong magic names the magic found and expected") {
  Status status = parse_images(images_file(1, 28, 28, 0x00000801));
  CHECK_FALSE(status.ok);
  CHECK(status.message == "wrong magic 0x00000801, expected 0x00000803 for IDX images");
}

TEST_CASE("images that are not 28x28 are rejected") {
  Status status = parse_images(images_file(3, 27, 28));
  CHECK_FALSE(status.ok);
  CHECK(status.message == "images are 27x28, expected 28x28");
}

TEST_CASE("a truncated image file is rejected with expected and actual sizes") {
  std::vector<uint8_t> bytes = images_file(3);
  bytes.pop_back();
  Status status = parse_images(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "size mismatch: expected 2368 bytes for 3 images, got 2367 (truncated)");
}

TEST_CASE("an image file claiming 2^32-1 images but holding none is rejected as truncated") {
  std::vector<uint8_t> bytes = images_file(0);
  bytes[4] = bytes[5] = bytes[6] = bytes[7] = 0xff;
  Status status = parse_images(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message.find("(truncated)") != std::string::npos);
}

TEST_CASE("an image file with extra bytes is rejected") {
  std::vector<uint8_t> bytes = images_file(3);
  bytes.push_back(0);
  Status status = parse_images(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message ==
        "size mismatch: expected 2368 bytes for 3 images, got 2369 (extra bytes at the end)");
}

TEST_CASE("a label file shorter than its header is rejected") {
  Status status = parse_labels({0, 0, 8, 1});
  CHECK_FALSE(status.ok);
  CHECK(status.message == "too short for an IDX label header: 4 bytes, need 8");
}

TEST_CASE("a label file with the images magic names the magic found and expected") {
  Status status = parse_labels(labels_file({1, 2}, 0x00000803));
  CHECK_FALSE(status.ok);
  CHECK(status.message == "wrong magic 0x00000803, expected 0x00000801 for IDX labels");
}

TEST_CASE("a truncated label file is rejected with expected and actual sizes") {
  std::vector<uint8_t> bytes = labels_file({1, 2, 3});
  bytes.pop_back();
  Status status = parse_labels(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "size mismatch: expected 11 bytes for 3 labels, got 10 (truncated)");
}

TEST_CASE("a label file with extra bytes is rejected") {
  std::vector<uint8_t> bytes = labels_file({1, 2, 3});
  bytes.push_back(4);
  Status status = parse_labels(bytes);
  CHECK_FALSE(status.ok);
  CHECK(status.message ==
        "size mismatch: expected 11 bytes for 3 labels, got 12 (extra bytes at the end)");
}

TEST_CASE("a label greater than 9 is rejected naming its index") {
  Status status = parse_labels(labels_file({1, 9, 10}));
  CHECK_FALSE(status.ok);
  CHECK(status.message == "label 10 at index 2 is out of range 0..9");
}

TEST_CASE("mnist_load reads the train split from a directory") {
  fs::path dir = make_temp_dir("vae_idx_test");
  write_file(dir / "train-images-idx3-ubyte", images_file(3));
  write_file(dir / "train-labels-idx1-ubyte", labels_file({5, 0, 4}));
  Dataset data;
  Status status = mnist_load(dir.string(), "train", &data);
  INFO(status.message);
  REQUIRE(status.ok);
  CHECK(data.images.rows() == 3);
  CHECK(data.images.cols() == 784);
  CHECK(data.images(0, 0) == 1.0f);
  CHECK(data.labels == std::vector<uint8_t>{5, 0, 4});
  CHECK(data.rows == 28);
  CHECK(data.cols == 28);
  fs::remove_all(dir);
}

TEST_CASE("mnist_load reads the test split from the t10k files") {
  fs::path dir = make_temp_dir("vae_idx_test");
  write_file(dir / "t10k-images-idx3-ubyte", images_file(2));
  write_file(dir / "t10k-labels-idx1-ubyte", labels_file({3, 8}));
  Dataset data;
  REQUIRE(mnist_load(dir.string(), "test", &data).ok);
  CHECK(data.labels == std::vector<uint8_t>{3, 8});
  fs::remove_all(dir);
}

TEST_CASE("mnist_load rejects image and label files whose counts differ") {
  fs::path dir = make_temp_dir("vae_idx_test");
  write_file(dir / "train-images-idx3-ubyte", images_file(3));
  write_file(dir / "train-labels-idx1-ubyte", labels_file({5, 0}));
  Dataset data;
  Status status = mnist_load(dir.string(), "train", &data);
  CHECK_FALSE(status.ok);
  CHECK(status.message.find("image/label count mismatch") != std::string::npos);
  CHECK(status.message.find("holds 3 images but") != std::string::npos);
  CHECK(status.message.find("holds 2 labels") != std::string::npos);
  CHECK(data.images.rows() == 0);
  fs::remove_all(dir);
}

TEST_CASE("mnist_load reports a missing file by its path") {
  fs::path dir = make_temp_dir("vae_idx_test");
  write_file(dir / "train-images-idx3-ubyte", images_file(1));
  Dataset data;
  Status status = mnist_load(dir.string(), "train", &data);
  CHECK_FALSE(status.ok);
  std::string path = (dir / "train-labels-idx1-ubyte").string();
  CHECK(status.message.find("cannot open '" + path + "'") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("mnist_load prefixes a bad file's message with its path") {
  fs::path dir = make_temp_dir("vae_idx_test");
  write_file(dir / "train-images-idx3-ubyte", images_file(1, 28, 27));
  write_file(dir / "train-labels-idx1-ubyte", labels_file({1}));
  Dataset data;
  Status status = mnist_load(dir.string(), "train", &data);
  CHECK_FALSE(status.ok);
  CHECK(status.message ==
        (dir / "train-images-idx3-ubyte").string() + ": images are 28x27, expected 28x28");
  fs::remove_all(dir);
}

TEST_CASE("mnist_load rejects a split other than train or test") {
  Dataset data;
  Status status = mnist_load("/nonexistent", "validation", &data);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "unknown MNIST split 'validation' (expected train or test)");
}
