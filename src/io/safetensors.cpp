// The safetensors format on byte buffers: serialize, a parser that checks every field and offset
// before trusting it (no exceptions, builds with JSON_NOEXCEPTION), alone or from a file's first bytes.
#include "io/safetensors.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "float data is read as little-endian");
#endif

using Json = nlohmann::ordered_json;

namespace {

constexpr uint64_t kMaxHeaderBytes = 100000000;

struct DTypeName {
  DType dtype;
  const char* name;
  size_t size;
};
const DTypeName kDTypes[] = {
    {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F32, "F32", 4},
    {DType::F64, "F64", 8}, {DType::I8, "I8", 1},     {DType::I16, "I16", 2},
    {DType::I32, "I32", 4}, {DType::I64, "I64", 8},   {DType::U8, "U8", 1},
    {DType::U16, "U16", 2}, {DType::U32, "U32", 4},   {DType::U64, "U64", 8},
    {DType::BOOL, "BOOL", 1},
};

// One tensor's header entry, checked on its own but not yet against the data buffer.
struct Entry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets into the data buffer
};

Status fail(const std::string& message) { return Status::error("safetensors: " + message); }

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); i++) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

// Parses the header text into *out; duplicate top-level keys are caught while parsing, since the
// JSON object itself would silently keep only one of them.
Status parse_header_json(const char* text, size_t n, Json* out) {
  std::set<std::string> seen;
  std::string duplicate;
  Json::parser_callback_t on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && parsed.is_string()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  Json header = Json::parse(text, text + n, on_event, /*allow_exceptions=*/false);
  bool starts_with_brace = n > 0 && text[0] == '{';
  if (!header.is_discarded() && !header.is_object())
    return fail(std::string("header is a JSON ") + header.type_name() + ", not an object");
  if (!starts_with_brace) {
    char found[8] = "nothing";
    if (n > 0) std::snprintf(found, sizeof found, "0x%02x", unsigned(uint8_t(text[0])));
    return fail(std::string("header does not start with '{' (found ") + found + ")");
  }
  if (header.is_discarded()) return fail("header is not valid JSON");
  if (!duplicate.empty()) return fail("duplicate tensor name " + in_quotes(duplicate) + " in header");
  *out = std::move(header);
  return Status::success();
}

Status parse_metadata(const Json& value, std::vector<std::pair<std::string, std::string>>* out) {
  if (!value.is_object()) return fail("__metadata__ is not an object");
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.value().is_string())
      return fail("__metadata__ value for key " + in_quotes(it.key()) + " is not a string");
    out->emplace_back(it.key(), it.value().get_ref<const std::string&>());
  }
  return Status::success();
}

Status parse_dtype(const std::string& name, const Json& entry, DType* out) {
  auto it = entry.find("dtype");
  if (it == entry.end()) return fail("tensor " + in_quotes(name) + " has no dtype");
  if (!it->is_string()) return fail("tensor " + in_quotes(name) + " dtype is not a string");
  const std::string& text = it->get_ref<const std::string&>();
  DType dtype;
  if (!dtype_from_string(text, &dtype))
    return fail("tensor " + in_quotes(name) + " has unknown dtype " + in_quotes(text));
  if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
    return fail("tensor " + in_quotes(name) + " has unsupported dtype " + text + " (F32, F16 and BF16 load)");
  *out = dtype;
  return Status::success();
}

// Reads the shape and checks that its element count times 4 bytes fits in 64 bits.
Status parse_shape(const std::string& name, const Json& entry, size_t element_size, std::vector<int64_t>* shape,
                   uint64_t* byte_count) {
  auto it = entry.find("shape");
  if (it == entry.end()) return fail("tensor " + in_quotes(name) + " has no shape");
  if (!it->is_array()) return fail("tensor " + in_quotes(name) + " shape is not an array");
  uint64_t count = 1;
  for (const Json& dim : *it) {
    if (dim.is_number_integer() && !dim.is_number_unsigned() && dim.get<int64_t>() < 0)
      return fail("tensor " + in_quotes(name) + " has a negative shape entry " +
                  std::to_string(dim.get<int64_t>()));
    if (!dim.is_number_integer())
      return fail("tensor " + in_quotes(name) + " has a shape entry that is not an integer");
    uint64_t size = dim.is_number_unsigned() ? dim.get<uint64_t>() : 0;  // signed here means -0
    if (size > uint64_t(INT64_MAX) || (size != 0 && count > UINT64_MAX / element_size / size))
      return fail("tensor " + in_quotes(name) + " shape element count overflows 64 bits");
    count *= size;
    shape->push_back(int64_t(size));
  }
  *byte_count = count * element_size;
  return Status::success();
}

Status parse_offsets(const std::string& name, const Json& entry, uint64_t* begin, uint64_t* end) {
  auto it = entry.find("data_offsets");
  if (it == entry.end()) return fail("tensor " + in_quotes(name) + " has no data_offsets");
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
      !(*it)[1].is_number_unsigned())
    return fail("tensor " + in_quotes(name) + " data_offsets must be two unsigned integers");
  *begin = (*it)[0].get<uint64_t>();
  *end = (*it)[1].get<uint64_t>();
  if (*begin > *end)
    return fail("tensor " + in_quotes(name) + " data_offsets begin after end (" +
                std::to_string(*begin) + " > " + std::to_string(*end) + ")");
  return Status::success();
}

Status parse_entry(const std::string& name, const Json& value, Entry* out) {
  if (!value.is_object()) return fail("tensor " + in_quotes(name) + " entry is not an object");
  out->name = name;
  uint64_t byte_count = 0;
  Status status = parse_dtype(name, value, &out->dtype);
  if (status) status = parse_shape(name, value, dtype_size(out->dtype), &out->shape, &byte_count);
  if (status) status = parse_offsets(name, value, &out->begin, &out->end);
  if (!status) return status;
  if (out->end - out->begin != byte_count)
    return fail("tensor " + in_quotes(name) + " data_offsets span " +
                std::to_string(out->end - out->begin) + " bytes but shape " +
                shape_text(out->shape) + " needs " + std::to_string(byte_count));
  return Status::success();
}

// Sorted by begin, the tensors must tile [0, buffer_size) exactly: no overlap, gap or tail.
Status check_layout(std::vector<Entry> entries, uint64_t buffer_size) {
  for (const Entry& e : entries)
    if (e.end > buffer_size)
      return fail("tensor " + in_quotes(e.name) + " data_offsets [" + std::to_string(e.begin) + "," +
                  std::to_string(e.end) + "] run past the end of the data buffer (" +
                  std::to_string(buffer_size) + " bytes)");
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  std::string previous;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      return fail("tensor " + in_quotes(e.name) + " overlaps tensor " + in_quotes(previous) +
                  " in the data buffer");
    if (e.begin > covered)
      return fail("gap of " + std::to_string(e.begin - covered) + " bytes before tensor " +
                  in_quotes(e.name) + " in the data buffer");
    covered = e.end;
    previous = e.name;
  }
  if (covered < buffer_size)
    return fail(std::to_string(buffer_size - covered) + " trailing bytes after the last tensor");
  return Status::success();
}

float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint32_t float_to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

float bf16_to_float(uint16_t h) { return bits_to_float(uint32_t(h) << 16); }

// IEEE binary16 -> binary32, exact (subnormals, infinities and NaN included).
float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent == 0x1f) return bits_to_float(sign | 0x7f800000 | (mantissa << 13));
  if (exponent != 0) return bits_to_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // subnormal: mantissa * 2^-24
  const float magnitude = float(mantissa) * (1.0f / 16777216.0f);
  return sign ? -magnitude : magnitude;
}

// binary32 -> binary16, rounding to nearest even; too large becomes infinity.
uint16_t float_to_half(float f) {
  const uint32_t x = float_to_bits(f);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000);
  const uint32_t abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return uint16_t(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));  // inf, NaN
  if (abs >= 0x477ff000) return uint16_t(sign | 0x7c00);  // rounds past 65504: infinity
  if (abs < 0x38800000) {
    // subnormal half (or zero): round abs / 2^-24 to an integer, ties to even
    const float scaled = bits_to_float(abs) * 16777216.0f;
    float rounded = std::nearbyint(scaled);
    return uint16_t(sign | uint16_t(rounded));
  }
  // normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even
  uint32_t h = ((abs >> 13) - (112u << 10));
  const uint32_t dropped = abs & 0x1fff;
  if (dropped > 0x1000 || (dropped == 0x1000 && (h & 1))) h += 1;
  return uint16_t(sign | h);
}

Status read_floats(const uint8_t* buffer, const Entry& e, SafeTensor* out) {
  out->name = e.name;
  out->dtype = e.dtype == DType::F16 ? "F16" : e.dtype == DType::BF16 ? "BF16" : "F32";
  out->shape = e.shape;
  const size_t element_size = dtype_size(e.dtype);
  out->data.resize((e.end - e.begin) / element_size);
  if (e.dtype == DType::F32) {
    if (!out->data.empty()) std::memcpy(out->data.data(), buffer + e.begin, e.end - e.begin);
  } else {
    for (size_t i = 0; i < out->data.size(); i++) {
      const uint8_t* p = buffer + e.begin + 2 * i;
      const uint16_t bits = uint16_t(p[0] | (p[1] << 8));
      out->data[i] = e.dtype == DType::F16 ? half_to_float(bits) : bf16_to_float(bits);
    }
  }
  for (size_t i = 0; i < out->data.size(); i++) {
    if (std::isnan(out->data[i]))
      return fail("tensor " + in_quotes(e.name) + " holds a NaN value at element " + std::to_string(i));
    if (std::isinf(out->data[i]))
      return fail("tensor " + in_quotes(e.name) + " holds an infinite value at element " +
                  std::to_string(i));
  }
  return Status::success();
}

}  // namespace

bool dtype_from_string(const std::string& text, DType* out) {
  for (const DTypeName& d : kDTypes)
    if (text == d.name) {
      *out = d.dtype;
      return true;
    }
  return false;
}

size_t dtype_size(DType dtype) {
  for (const DTypeName& d : kDTypes)
    if (d.dtype == dtype) return d.size;
  assert(false && "dtype missing from kDTypes");
  return 0;
}

const SafeTensor* SafeTensorsFile::find(const std::string& name) const {
  for (const SafeTensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string SafeTensorsFile::meta(const std::string& key) const {
  for (const auto& kv : metadata)
    if (kv.first == key) return kv.second;
  return "";
}

std::vector<uint8_t> safetensors_serialize(const SafeTensorsFile& f) {
  Json header = Json::object();
  if (!f.metadata.empty()) {
    Json meta = Json::object();
    for (const auto& kv : f.metadata) meta[kv.first] = kv.second;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const SafeTensor& t : f.tensors) {
    uint64_t count = 1;
    for (int64_t dim : t.shape) count *= uint64_t(dim);
    assert(count == t.data.size() && "tensor data size must match its shape");
    assert((t.dtype.empty() || t.dtype == "F32" || t.dtype == "F16") && "only F32 and F16 tensors can be written");
    assert(!header.contains(t.name) && "tensor names must be unique and not __metadata__");
    const uint64_t element_size = t.dtype == "F16" ? 2 : 4;
    Json entry = Json::object();
    entry["dtype"] = t.dtype == "F16" ? "F16" : "F32";
    entry["shape"] = t.shape;
    entry["data_offsets"] = {offset, offset + count * element_size};
    header[t.name] = std::move(entry);
    offset += count * element_size;
  }
  // replace, not throw, on invalid UTF-8 in a name: this must not throw or abort
  std::string text = header.dump(-1, ' ', false, Json::error_handler_t::replace);
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<uint8_t> bytes(8 + text.size() + offset);
  for (int i = 0; i < 8; i++) bytes[i] = uint8_t(uint64_t(text.size()) >> (8 * i));
  std::memcpy(bytes.data() + 8, text.data(), text.size());
  uint8_t* data = bytes.data() + 8 + text.size();
  for (const SafeTensor& t : f.tensors) {
    if (t.dtype == "F16") {
      for (float v : t.data) {
        const uint16_t h = float_to_half(v);
        *data++ = uint8_t(h & 0xff);
        *data++ = uint8_t(h >> 8);
      }
    } else {
      if (!t.data.empty()) std::memcpy(data, t.data.data(), t.data.size() * 4);
      data += t.data.size() * 4;
    }
  }
  return bytes;
}

namespace {

// The 8-byte little-endian header length of a file of file_size bytes (first 8 bytes in `bytes`).
Status parse_length(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header, uint64_t* length) {
  if (file_size < 8)
    return fail("file is " + std::to_string(file_size) + " bytes, shorter than the 8-byte length prefix");
  if (size < 8) return fail("the first 8 bytes are needed");
  uint64_t header_size = 0;
  for (int i = 0; i < 8; i++) header_size |= uint64_t(bytes[i]) << (8 * i);
  if (header_size > file_size - 8)
    return fail("header length " + std::to_string(header_size) + " exceeds the " + std::to_string(file_size - 8) +
                " bytes after the 8-byte length prefix (file size " + std::to_string(file_size) + ")");
  if (header_size > max_header)
    return fail("header length " + std::to_string(header_size) + " is absurd (limit " + std::to_string(max_header) +
                " bytes)");
  *length = header_size;
  return Status::success();
}

// The header of a file of file_size bytes whose first `size` bytes are in `bytes`: metadata into
// *file, each tensor's entry into *entries, all checked against the data buffer's size.
Status parse_header_entries(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header,
                            SafeTensorsFile* file, std::vector<Entry>* entries) {
  uint64_t header_size = 0;
  Status status = parse_length(bytes, size, file_size, max_header, &header_size);
  if (!status) return status;
  if (size - 8 < header_size)
    return fail("the header needs the first " + std::to_string(8 + header_size) + " bytes, only " +
                std::to_string(size) + " given");
  Json header;
  status = parse_header_json(reinterpret_cast<const char*>(bytes + 8), header_size, &header);
  if (!status) return status;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      status = parse_metadata(it.value(), &file->metadata);
    } else {
      entries->emplace_back();
      status = parse_entry(it.key(), it.value(), &entries->back());
    }
    if (!status) return status;
  }
  return check_layout(*entries, file_size - 8 - header_size);
}

}  // namespace

Status safetensors_header_length(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header,
                                 uint64_t* length) {
  return parse_length(bytes, size, file_size, std::min(max_header, kMaxHeaderBytes), length);
}

Status safetensors_parse_header(const uint8_t* bytes, size_t size, uint64_t file_size, uint64_t max_header,
                                SafeTensorsFile* out) {
  SafeTensorsFile file;
  std::vector<Entry> entries;
  Status status = parse_header_entries(bytes, size, file_size, std::min(max_header, kMaxHeaderBytes), &file, &entries);
  if (!status) return status;
  for (const Entry& e : entries) {
    file.tensors.emplace_back();
    file.tensors.back().name = e.name;
    file.tensors.back().dtype = e.dtype == DType::F16 ? "F16" : e.dtype == DType::BF16 ? "BF16" : "F32";
    file.tensors.back().shape = e.shape;
  }
  *out = std::move(file);
  return Status::success();
}

Status safetensors_parse(const uint8_t* bytes, size_t size, SafeTensorsFile* out) {
  SafeTensorsFile file;
  std::vector<Entry> entries;
  Status status = parse_header_entries(bytes, size, size, kMaxHeaderBytes, &file, &entries);
  if (!status) return status;
  uint64_t header_size = 0;
  for (int i = 0; i < 8; i++) header_size |= uint64_t(bytes[i]) << (8 * i);
  const uint8_t* buffer = bytes + 8 + header_size;
  file.tensors.resize(entries.size());
  for (size_t i = 0; i < entries.size(); i++) {
    status = read_floats(buffer, entries[i], &file.tensors[i]);
    if (!status) return status;
  }
  *out = std::move(file);
  return Status::success();
}

Status safetensors_read(const std::string& path, SafeTensorsFile* out) {
  std::vector<uint8_t> bytes;
  Status st = file_read_all(path, &bytes);
  if (!st) return st;
  st = safetensors_parse(bytes.data(), bytes.size(), out);
  if (!st) return Status::error(path + ": " + st.message);
  return Status::success();
}
