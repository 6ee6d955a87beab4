// VAE weights <-> safetensors, with PyTorch nn.Linear names and layouts: encoder.{i}.weight (out, in)
// and .bias (out), encoder.mu.*, encoder.logvar.*, decoder.{i}.* (the last gives the logits).
// "__metadata__" holds "config" (JSON: input, hidden, latent, activation) and provenance.
#pragma once
#include <set>
#include <string>
#include <utility>
#include <vector>

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
// no unknown tensors (except names in `extra`). *out is untouched on failure.
Status weights_from_safetensors(const SafeTensorsFile& f, VaeParams* out, const std::set<std::string>& extra = {});

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
