// VAE weights <-> safetensors, with PyTorch nn.Linear names and layouts: encoder.{i}.weight (out, in)
// and .bias (out), encoder.mu.*, encoder.logvar.*, decoder.{i}.* (the last gives the logits).
// "__metadata__" holds "config" (JSON: input, hidden, latent, activation) and provenance.
#pragma once
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <cstdint>

#include "core/status.h"
#include "io/safetensors.h"
#include "model/vae.h"

using Metadata = std::vector<std::pair<std::string, std::string>>;

std::string config_to_json(const VaeConfig& config);
Status config_from_json(const std::string& text, VaeConfig* out);

// Every tensor of params, stored as `dtype` ("F32" or "F16"), plus "config" and `provenance` in the metadata.
SafeTensorsFile weights_to_safetensors(const VaeParams& params, const Metadata& provenance,
                                       const std::string& dtype = "F32");
// Builds *out from f: the config from the metadata, every expected tensor present with its shape,
// no unknown tensors (except names in `extra`), all checked before the parameters are allocated.
// *out is untouched on failure.
Status weights_from_safetensors(const SafeTensorsFile& f, VaeParams* out, const std::set<std::string>& extra = {});

// How large a model a loader takes (the page keeps its WebAssembly heap small: it never shrinks).
struct WeightsLimits {
  uint64_t max_params = kMaxParams;
  uint64_t max_header_bytes = 100000000;
};

// An upload checked from its first bytes before the whole file is read: `head` holds the first
// `size` of the file's `file_size` bytes. Fails (the message names `source` and the problem) when
// the file cannot be VAE weights within `limits`: too short, a header length beyond the file or
// the limit, more tensor bytes than the limit allows, a bad header, a config over the limit, a
// tensor missing or of the wrong shape. On success *need is 0 when the head sufficed, otherwise the
// number of leading bytes to pass next (8, then 8 + the header length): nothing past the header
// is needed to decide.
Status weights_check_head(const uint8_t* head, size_t size, uint64_t file_size, const std::string& source,
                          const WeightsLimits& limits, uint64_t* need);

// Whether a model fits the data: its input is the images' pixel count, and a conditional model has
// the data's number of classes.
Status weights_fit_data(const VaeConfig& config, int pixels, int classes);

// From bytes (the web page's upload) or a file; messages are prefixed with `source` / the path.
Status weights_parse(const uint8_t* bytes, size_t size, const std::string& source, VaeParams* out, Metadata* meta);
Status weights_load(const std::string& path, VaeParams* out, Metadata* meta);
// The file at `path` parsed (*file: its tensors as stored and metadata) and built into *out, as
// weights_from_safetensors does; messages are prefixed with the path.
Status weights_read(const std::string& path, SafeTensorsFile* file, VaeParams* out, const std::set<std::string>& extra = {});
// Atomic: a temporary file, then rename.
Status weights_save(const std::string& path, const VaeParams& params, const Metadata& provenance,
                    const std::string& dtype = "F32");
// The model card: sets each key of `updates` in the metadata of the weights file at `path` (a
// new key is appended, an existing one replaced in place) and rewrites the file atomically. The
// file must load as VAE weights; its tensors are written back bit for bit in their stored dtype
// ("config" cannot be changed this way). On any failure the file is untouched.
Status weights_update_metadata(const std::string& path, const Metadata& updates);
