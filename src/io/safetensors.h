// The safetensors format on byte buffers: an 8-byte little-endian header length N, N bytes of JSON
// header (name -> dtype, shape, data_offsets; optional "__metadata__"), then the data buffer.
// Parsing validates everything and never trusts the bytes, also of a header alone (an upload's start).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "io/files.h"  // file_read_all, file_write_atomic

// Every dtype the format names; only F32 tensors can be loaded here.
enum class DType { F16, BF16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, BOOL };

// Returns false when `text` names no safetensors dtype.
bool dtype_from_string(const std::string& text, DType* out);
// Bytes per element of `dtype`.
size_t dtype_size(DType dtype);

struct SafeTensor {
  std::string name;
  std::string dtype = "F32";   // as stored: "F32", "F16" or "BF16" (read); "F32" or "F16" (written)
  std::vector<int64_t> shape;  // row-major dimensions, e.g. (out, in) for a weight
  std::vector<float> data;     // product(shape) floats, whatever the stored dtype
};

struct SafeTensorsFile {
  std::vector<SafeTensor> tensors;  // in header order when parsed, file order when serialized
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__" key -> value

  // The tensor called `name`, or nullptr.
  const SafeTensor* find(const std::string& name) const;
  // The metadata value for `key`, or "" when absent.
  std::string meta(const std::string& key) const;
};

// The bytes of `f`: tensors in the given order with contiguous offsets, compact JSON with keys
// dtype, shape, data_offsets, "__metadata__" first when non-empty, header space-padded to a
// multiple of 8. Each tensor's data.size() must equal product(shape) (asserted).
std::vector<uint8_t> safetensors_serialize(const SafeTensorsFile& f);

// Parses `size` bytes into *out (untouched on failure). Messages start with "safetensors: " and
// name the problem; the caller prefixes the file path.
Status safetensors_parse(const uint8_t* bytes, size_t size, SafeTensorsFile* out);

// The header alone, from the first bytes of a file (an upload is checked before it is copied):
// `bytes` holds the first `size` of the file's `file_size` bytes. safetensors_header_length needs 8
// of them and gives N, the JSON header's length (at most max_header); safetensors_parse_header needs
// 8 + N and checks every entry and offset against file_size as safetensors_parse does, without the
// data: *out gets the metadata and each tensor's name, dtype and shape (its data empty).
Status safetensors_header_length(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header,
                                 uint64_t* length);
Status safetensors_parse_header(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header,
                                SafeTensorsFile* out);

// Reads and parses the file at `path` (*out untouched on failure); messages start with the path.
Status safetensors_read(const std::string& path, SafeTensorsFile* out);

