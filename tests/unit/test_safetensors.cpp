// The safetensors reader and writer: the published example byte for byte, bit-exact round trips,
// one distinct message per kind of corrupt file, and the atomic file write.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;

namespace {

void append_le64(std::vector<uint8_t>* bytes, uint64_t value) {
  for (int i = 0; i < 8; i++) bytes->push_back(uint8_t(value >> (8 * i)));
}

void append_floats(std::vector<uint8_t>* bytes, const std::vector<float>& values) {
  size_t at = bytes->size();
  bytes->resize(at + values.size() * 4);
  if (!values.empty()) std::memcpy(bytes->data() + at, values.data(), values.size() * 4);
}

// A file made by hand: the length of `header` (unpadded), the header, then the floats.
std::vector<uint8_t> file_bytes(const std::string& header, const std::vector<float>& data) {
  std::vector<uint8_t> bytes;
  append_le64(&bytes, header.size());
  bytes.insert(bytes.end(), header.begin(), header.end());
  append_floats(&bytes, data);
  return bytes;
}

std::vector<uint8_t> cut(std::vector<uint8_t> bytes, size_t size) {
  bytes.resize(size);
  return bytes;
}

const char* kGoldenHeader =
    R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";

SafeTensorsFile golden_file() {
  SafeTensorsFile f;
  f.tensors.push_back({"attn.0", "F32", {1, 2, 3}, {0, 1, 2, 3, 4, 5}});
  return f;
}

std::vector<uint8_t> golden_bytes() { return file_bytes(kGoldenHeader, {0, 1, 2, 3, 4, 5}); }

void remove_dir(const fs::path& dir) {
  std::error_code error;
  fs::remove_all(dir, error);
}

}  // namespace

TEST_CASE("serialize writes the published one-tensor example byte for byte") {
  std::vector<uint8_t> expected;
  append_le64(&expected, 64);
  std::string header = kGoldenHeader;
  REQUIRE(header.size() == 64);
  expected.insert(expected.end(), header.begin(), header.end());
  append_floats(&expected, {0, 1, 2, 3, 4, 5});

  std::vector<uint8_t> bytes = safetensors_serialize(golden_file());
  REQUIRE(bytes.size() == 8 + 64 + 24);
  CHECK(bytes == expected);
}

TEST_CASE("parse reads the published one-tensor example") {
  SafeTensorsFile f;
  std::vector<uint8_t> bytes = golden_bytes();
  Status status = safetensors_parse(bytes.data(), bytes.size(), &f);
  REQUIRE(status.ok);
  REQUIRE(f.tensors.size() == 1);
  CHECK(f.tensors[0].name == "attn.0");
  CHECK(f.tensors[0].dtype == "F32");
  CHECK(f.tensors[0].shape == std::vector<int64_t>{1, 2, 3});
  CHECK(f.tensors[0].data == std::vector<float>{0, 1, 2, 3, 4, 5});
  CHECK(f.metadata.empty());
}

TEST_CASE("serialize pads the header with spaces to a multiple of 8 bytes") {
  SafeTensorsFile f;
  f.tensors.push_back({"w", "F32", {2}, {1, 2}});
  std::vector<uint8_t> bytes = safetensors_serialize(f);
  uint64_t header_size = 0;
  for (int i = 0; i < 8; i++) header_size |= uint64_t(bytes[i]) << (8 * i);
  std::string header(bytes.begin() + 8, bytes.begin() + 8 + header_size);
  std::string json = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  CHECK(header_size % 8 == 0);
  CHECK(header == json + std::string(header_size - json.size(), ' '));
  CHECK(bytes.size() == 8 + header_size + 8);
}

TEST_CASE("several tensors with metadata survive a round trip bit for bit") {
  const float denormal = std::numeric_limits<float>::denorm_min();
  SafeTensorsFile f;
  f.metadata = {{"format", "pt"}, {"epoch", "12"}, {"note", "tab\there \"quoted\" é"}};
  f.tensors.push_back({"encoder.fc1.weight", "F32", {2, 3},
                       {-0.0f, denormal, 1e-30f, std::numeric_limits<float>::max(),
                        std::numeric_limits<float>::lowest(), 0.1f}});
  f.tensors.push_back({"encoder.fc1.bias", "F32", {2}, {3.14159265f, -2.5f}});
  f.tensors.push_back({"scalar", "F32", {}, {42.0f}});
  f.tensors.push_back({"empty", "F32", {0, 5}, {}});

  std::vector<uint8_t> bytes = safetensors_serialize(f);
  SafeTensorsFile back;
  Status status = safetensors_parse(bytes.data(), bytes.size(), &back);
  REQUIRE(status.ok);
  CHECK(back.metadata == f.metadata);
  CHECK(back.meta("epoch") == "12");
  REQUIRE(back.tensors.size() == f.tensors.size());
  for (size_t i = 0; i < f.tensors.size(); i++) {
    const SafeTensor& a = f.tensors[i];
    const SafeTensor* b = back.find(a.name);
    REQUIRE(b != nullptr);
    CHECK(b->shape == a.shape);
    REQUIRE(b->data.size() == a.data.size());
    if (!a.data.empty())
      CHECK(std::memcmp(b->data.data(), a.data.data(), a.data.size() * 4) == 0);
  }
}

TEST_CASE("find and meta report absent names as nullptr and empty string") {
  SafeTensorsFile f = golden_file();
  CHECK(f.find("attn.1") == nullptr);
  CHECK(f.find("attn.0") == &f.tensors[0]);
  CHECK(f.meta("missing").empty());
}

TEST_CASE("each kind of corrupt file is rejected with its own message") {
  struct Corrupt {
    const char* name;
    std::vector<uint8_t> bytes;
    const char* expected;  // substring of the message
  };
  std::vector<uint8_t> absurd;
  append_le64(&absurd, UINT64_MAX);
  absurd.resize(120, '{');
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto one = [](const char* entry, std::vector<float> data) {
    return file_bytes(std::string(R"({"a":)") + entry + "}", data);
  };
  const std::vector<Corrupt> table = {
      {"empty file", {}, "file is 0 bytes, shorter than the 8-byte length prefix"},
      {"cut inside the length prefix", cut(golden_bytes(), 5), "file is 5 bytes, shorter"},
      {"cut inside the header", cut(golden_bytes(), 40),
       "header length 64 exceeds the 32 bytes after the 8-byte length prefix (file size 40)"},
      {"cut inside the data", cut(golden_bytes(), 90),
       "data_offsets [0,24] run past the end of the data buffer (18 bytes)"},
      {"absurd header length", absurd,
       "header length 18446744073709551615 exceeds the 112 bytes after the 8-byte length prefix (file size 120)"},
      {"header not starting with a brace", file_bytes("garbage", {}),
       "header does not start with '{' (found 0x67)"},
      {"header with a leading space", file_bytes(" {}", {}),
       "header does not start with '{' (found 0x20)"},
      {"non-object header", file_bytes("[1,2]", {}), "header is a JSON array, not an object"},
      {"bad JSON", file_bytes(R"({"a":{"dtype":)", {}), "header is not valid JSON"},
      {"duplicate tensor name",
       file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", {1, 2}),
       "duplicate tensor name 'a'"},
      {"metadata not an object", file_bytes(R"({"__metadata__":["x"]})", {}),
       "__metadata__ is not an object"},
      {"metadata value not a string", file_bytes(R"({"__metadata__":{"k":1}})", {}),
       "__metadata__ value for key 'k' is not a string"},
      {"tensor entry not an object", one("3", {}), "tensor 'a' entry is not an object"},
      {"missing dtype", one(R"({"shape":[1],"data_offsets":[0,4]})", {1}), "has no dtype"},
      {"dtype not a string", one(R"({"dtype":32,"shape":[1],"data_offsets":[0,4]})", {1}),
       "dtype is not a string"},
      {"unknown dtype", one(R"({"dtype":"F33","shape":[1],"data_offsets":[0,4]})", {1}),
       "unknown dtype 'F33'"},
      {"unsupported dtype", one(R"({"dtype":"F64","shape":[1],"data_offsets":[0,8]})", {1, 2}),
       "unsupported dtype F64"},
      {"missing shape", one(R"({"dtype":"F32","data_offsets":[0,4]})", {1}), "has no shape"},
      {"shape not an array", one(R"({"dtype":"F32","shape":4,"data_offsets":[0,4]})", {1}),
       "shape is not an array"},
      {"negative shape", one(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})", {1, 2}),
       "negative shape entry -2"},
      {"fractional shape", one(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,4]})", {1}),
       "shape entry that is not an integer"},
      {"shape product overflow",
       one(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]})", {1}),
       "shape element count overflows 64 bits"},
      {"missing data_offsets", one(R"({"dtype":"F32","shape":[1]})", {1}),
       "has no data_offsets"},
      {"data_offsets of one number", one(R"({"dtype":"F32","shape":[1],"data_offsets":[4]})", {1}),
       "tensor 'a' data_offsets must be two unsigned integers"},
      {"negative data_offsets",
       file_bytes(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", {1}),
       "tensor 'b' data_offsets must be two unsigned integers"},
      {"data_offsets begin after end",
       one(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})", {1, 2}),
       "data_offsets begin after end (8 > 4)"},
      {"wrong-size shape vs offsets",
       one(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})", {1, 2}),
       "data_offsets span 8 bytes but shape [3] needs 12"},
      {"overlapping offsets",
       file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", {1, 2, 3}),
       "tensor 'b' overlaps tensor 'a'"},
      {"out-of-file offsets", one(R"({"dtype":"F32","shape":[2],"data_offsets":[8,16]})", {1, 2}),
       "data_offsets [8,16] run past the end of the data buffer (8 bytes)"},
      {"hole between tensors",
       file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})", {1, 2, 3, 4, 5}),
       "gap of 4 bytes before tensor 'b'"},
      {"first tensor not at offset 0",
       one(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})", {1, 2}),
       "gap of 4 bytes before tensor 'a'"},
      {"trailing bytes", one(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})", {1, 2}),
       "4 trailing bytes after the last tensor"},
      {"NaN value", one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})", {1, nan}),
       "tensor 'a' holds a NaN value at element 1"},
      {"Inf value", one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})", {-inf, 1}),
       "tensor 'a' holds an infinite value at element 0"},
  };

  std::set<std::string> messages;
  for (const Corrupt& row : table) {
    INFO("corrupt file: " << row.name);
    SafeTensorsFile out;
    Status status = safetensors_parse(row.bytes.data(), row.bytes.size(), &out);
    INFO("message: " << status.message);
    CHECK_FALSE(status.ok);
    CHECK(status.message.rfind("safetensors: ", 0) == 0);
    CHECK(status.message.find(row.expected) != std::string::npos);
    CHECK(messages.insert(status.message).second);  // no two problems share a message
  }
}

TEST_CASE("a header longer than 100 MB is refused as absurd even when the file holds it") {
  const uint64_t header_size = 100000001;
  std::vector<uint8_t> bytes;
  append_le64(&bytes, header_size);
  bytes.resize(8 + header_size, ' ');
  bytes[8] = '{';
  SafeTensorsFile out;
  Status status = safetensors_parse(bytes.data(), bytes.size(), &out);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "safetensors: header length 100000001 is absurd (limit 100000000 bytes)");
}

TEST_CASE("a header with invalid UTF-8 in a name is rejected as invalid JSON") {
  std::string header = "{\"\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
  std::vector<uint8_t> bytes = file_bytes(header, {1});
  SafeTensorsFile out;
  Status status = safetensors_parse(bytes.data(), bytes.size(), &out);
  CHECK_FALSE(status.ok);
  CHECK(status.message == "safetensors: header is not valid JSON");
}

TEST_CASE("a failed parse leaves the output untouched") {
  SafeTensorsFile out = golden_file();
  out.metadata = {{"kept", "yes"}};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<uint8_t> bytes = file_bytes(
      R"({"__metadata__":{"k":"v"},"z":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", {nan});
  CHECK_FALSE(safetensors_parse(bytes.data(), bytes.size(), &out).ok);
  REQUIRE(out.tensors.size() == 1);
  CHECK(out.tensors[0].name == "attn.0");
  CHECK(out.meta("kept") == "yes");
  CHECK(out.meta("k").empty());
}

TEST_CASE("file_write_atomic writes a file that file_read_all reads back") {
  fs::path dir = make_temp_dir("vae_io_test");
  std::string path = (dir / "model.safetensors").string();
  std::vector<uint8_t> bytes = golden_bytes();
  REQUIRE(file_write_atomic(path, bytes).ok);
  std::vector<uint8_t> back;
  REQUIRE(file_read_all(path, &back).ok);
  CHECK(back == bytes);
  remove_dir(dir);
}

TEST_CASE("file_write_atomic into a missing directory fails naming the path and leaves nothing") {
  fs::path dir = make_temp_dir("vae_io_test");
  fs::path missing = dir / "no_such_dir";
  std::string path = (missing / "model.safetensors").string();
  Status status = file_write_atomic(path, golden_bytes());
  CHECK_FALSE(status.ok);
  CHECK(status.message.find(path) != std::string::npos);
  CHECK_FALSE(fs::exists(missing));
  CHECK(fs::is_empty(dir));
  remove_dir(dir);
}

TEST_CASE("file_write_atomic replaces an existing file whole and leaves no temp file") {
  fs::path dir = make_temp_dir("vae_io_test");
  std::string path = (dir / "model.safetensors").string();
  REQUIRE(file_write_atomic(path, std::vector<uint8_t>(1000, 7)).ok);
  std::vector<uint8_t> shorter = {1, 2, 3};
  REQUIRE(file_write_atomic(path, shorter).ok);
  std::vector<uint8_t> back;
  REQUIRE(file_read_all(path, &back).ok);
  CHECK(back == shorter);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir)) entries += entry.is_regular_file() ? 1 : 100;
  CHECK(entries == 1);
  remove_dir(dir);
}

TEST_CASE("file_read_all of a missing file fails naming the path") {
  fs::path dir = make_temp_dir("vae_io_test");
  std::string path = (dir / "absent.safetensors").string();
  std::vector<uint8_t> out = {9};
  Status status = file_read_all(path, &out);
  CHECK_FALSE(status.ok);
  CHECK(status.message.find("cannot open '" + path + "'") != std::string::npos);
  CHECK(out == std::vector<uint8_t>{9});
  remove_dir(dir);
}

namespace {
std::vector<uint8_t> one_f16_tensor(const std::vector<uint16_t>& halves) {
  const std::string header = R"({"h":{"dtype":"F16","shape":[)" + std::to_string(halves.size()) +
                             R"(],"data_offsets":[0,)" + std::to_string(2 * halves.size()) + "]}}";
  // one allocation up front (GCC 12 warns, wrongly, of a memcpy out of bounds when insert() grows
  // an 8-byte vector)
  std::vector<uint8_t> bytes;
  bytes.reserve(8 + header.size() + 2 * halves.size());
  bytes.resize(8, 0);
  bytes[0] = uint8_t(header.size());
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (uint16_t h : halves) {
    bytes.push_back(uint8_t(h & 0xff));
    bytes.push_back(uint8_t(h >> 8));
  }
  return bytes;
}
}  // namespace

TEST_CASE("F16 tensors load as the exact floats they encode", "[safetensors]") {
  // 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), -0
  std::vector<uint8_t> bytes = one_f16_tensor({0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000});
  SafeTensorsFile f;
  Status st = safetensors_parse(bytes.data(), bytes.size(), &f);
  REQUIRE(st.ok);
  const std::vector<float> expected = {1.0f, -2.0f, 0.5f, 65504.0f, 5.9604645e-8f, -0.0f};
  REQUIRE(f.tensors[0].data.size() == expected.size());
  CHECK(f.tensors[0].dtype == "F16");
  for (size_t i = 0; i < expected.size(); ++i) CHECK(f.tensors[0].data[i] == expected[i]);
  CHECK(std::signbit(f.tensors[0].data[5]));
}

TEST_CASE("F16 infinity and NaN are rejected like their F32 counterparts", "[safetensors]") {
  SafeTensorsFile f;
  std::vector<uint8_t> inf = one_f16_tensor({0x3c00, 0x7c00});
  std::vector<uint8_t> nan = one_f16_tensor({0x7e00});
  CHECK_THAT(safetensors_parse(inf.data(), inf.size(), &f).message, Catch::Contains("infinite value at element 1"));
  CHECK_THAT(safetensors_parse(nan.data(), nan.size(), &f).message, Catch::Contains("NaN value at element 0"));
}

TEST_CASE("writing F16 rounds to the nearest half, ties to even, and reads back", "[safetensors]") {
  SafeTensorsFile f;
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1; 1 + 3 * 2^-11 gives 1 + 2^-9
  f.tensors.push_back({"x", "F16", {5}, {1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 0.1f, -3.0e-7f, 1.0e6f}});
  std::vector<uint8_t> bytes = safetensors_serialize(f);
  SafeTensorsFile g;
  Status st = safetensors_parse(bytes.data(), bytes.size(), &g);
  // 1e6 overflows half: written as infinity, which the reader rejects
  CHECK_THAT(st.message, Catch::Contains("infinite value at element 4"));
  f.tensors[0].data.pop_back();
  f.tensors[0].shape = {4};
  bytes = safetensors_serialize(f);
  REQUIRE(safetensors_parse(bytes.data(), bytes.size(), &g).ok);
  CHECK(g.tensors[0].data[0] == 1.0f);
  CHECK(g.tensors[0].data[1] == 1.0f + 0x1p-9f);
  CHECK(g.tensors[0].data[2] == Approx(0.1f).epsilon(1e-3));
  CHECK(g.tensors[0].data[3] == Approx(-3.0e-7f).epsilon(0.05));  // a subnormal half
  uint64_t header_length = 0;
  for (int i = 0; i < 8; ++i) header_length |= uint64_t(bytes[i]) << (8 * i);
  CHECK(bytes.size() - 8 - header_length == 8);  // 4 halves: 8 data bytes
}

TEST_CASE("BF16 tensors load as floats", "[safetensors]") {
  const std::string header = R"({"b":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})";
  std::vector<uint8_t> bytes(8, 0);
  bytes[0] = uint8_t(header.size());
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (uint8_t b : {0x80, 0x3f, 0x40, 0xc0}) bytes.push_back(b);  // 1.0, -3.0
  SafeTensorsFile f;
  REQUIRE(safetensors_parse(bytes.data(), bytes.size(), &f).ok);
  CHECK(f.tensors[0].data == std::vector<float>{1.0f, -3.0f});
}
