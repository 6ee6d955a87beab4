// The model picker's list and the datasets behind it (models.h).
#include "app/session/models.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#ifndef __EMSCRIPTEN__
#include <filesystem>
#include <fstream>
#endif

static const char* const kFashionClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

std::string dataset_of(const Metadata& meta) {
  for (const auto& kv : meta)
    if (kv.first == "dataset") return kv.second == "fashion-mnist" || kv.second == "fashion" ? "fashion-mnist" : "mnist";
  return "";
}

const char* dataset_title(const std::string& dataset) { return dataset == "fashion-mnist" ? "Fashion-MNIST" : "MNIST"; }

std::string class_name(const std::string& dataset, int k) {
  if (k >= 0 && k < 10) return dataset == "fashion-mnist" ? kFashionClasses[k] : std::to_string(k);
  return "class " + std::to_string(k);
}

static std::string base_name(const std::string& file) {
  std::string name = file.substr(file.find_last_of('/') + 1);
  const std::string ext = ".safetensors";
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
    name.resize(name.size() - ext.size());
  return name;
}

bool model_entry_from_metadata(const std::string& file, const Metadata& meta, ModelEntry* out) {
  VaeConfig config;
  std::string elbo, log_px, agreement;
  bool has_config = false;
  for (const auto& kv : meta) {
    if (kv.first == "config") has_config = config_from_json(kv.second, &config).ok;
    if (kv.first == "test_elbo") elbo = kv.second;
    if (kv.first == "log_px") log_px = kv.second;
    if (kv.first == "classifier_agreement") agreement = kv.second;
  }
  if (!has_config) return false;
  ModelEntry e;
  e.file = file;
  e.name = base_name(file);
  const std::string d = dataset_of(meta);
  e.dataset = d.empty() ? "mnist" : d;
  e.latent = config.latent;
  e.classes = config.classes;
  // "MNIST, conditional, 784-400-10-400-784 relu": short enough for one line of the picker
  VaeConfig shape = config;
  shape.classes = 0;
  e.about = std::string(dataset_title(e.dataset)) + (config.classes > 0 ? ", conditional, " : ", ") + shape.describe();
  // the model card's figures (vae-eval --write-card), when the file has them
  if (!log_px.empty()) e.about += std::string(config.classes > 0 ? "; log p(x|y) " : "; log p(x) ") + log_px;
  const double share = agreement.empty() ? -1 : std::atof(agreement.c_str());
  if (share >= 0 && share <= 1) {
    char text[64];
    std::snprintf(text, sizeof text, "; %.1f%% of samples classified as asked", 100 * share);
    e.about += text;
  }
  e.elbo = elbo;
  e.summary = elbo.empty() ? e.about : e.about + ", test ELBO " + elbo;
  *out = std::move(e);
  return true;
}

// The metadata object of a safetensors header ({"__metadata__": {key: string}}), in key order.
static Metadata metadata_of(const nlohmann::json& header) {
  Metadata meta;
  const auto it = header.find("__metadata__");
  if (it == header.end() || !it->is_object()) return meta;
  for (const auto& kv : it->items())
    if (kv.value().is_string()) meta.push_back({kv.key(), kv.value().get<std::string>()});
  return meta;
}

std::vector<ModelEntry> models_from_manifest(const std::string& text) {
  std::vector<ModelEntry> models;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return models;
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("file") || !item["file"].is_string()) continue;
    ModelEntry e;
    const nlohmann::json wrapped = {{"__metadata__", item.value("metadata", nlohmann::json::object())}};
    if (model_entry_from_metadata(item["file"].get<std::string>(), metadata_of(wrapped), &e)) models.push_back(e);
  }
  return models;
}

#ifndef __EMSCRIPTEN__
// The shipped models in the picker's order (the first one that exists is the default); site.cmake
// ships exactly these to the page.
static const char* const kShippedOrder[] = {"mnist-best", "mnist-z2",   "mnist-ae-z2", "mnist-cvae",   "fashion-z20",
                                            "mnist-z20",  "mnist-iwae", "mnist-seed",  "mnist-gauss", "fashion-gauss"};

// The metadata in the header of the safetensors file at `path` (empty when it is not one).
static Metadata read_header_metadata(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char len[8] = {};
  if (!in.read(reinterpret_cast<char*>(len), 8)) return {};
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
  if (n == 0 || n > (100u << 20)) return {};
  std::string header(static_cast<size_t>(n), '\0');
  if (!in.read(&header[0], static_cast<std::streamsize>(n))) return {};
  const nlohmann::json j = nlohmann::json::parse(header, nullptr, false);
  return j.is_discarded() || !j.is_object() ? Metadata() : metadata_of(j);
}

std::vector<ModelEntry> models_scan_folder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec))
    if (f.path().extension() == ".safetensors" && f.path().filename().string().find("cvae2") == std::string::npos)
      files.push_back(f.path().string());
  // shipped models first, in the page's order; then the rest by name
  auto rank = [](const std::string& file) {
    const std::string name = base_name(file);
    for (size_t i = 0; i < std::size(kShippedOrder); ++i)
      if (name == kShippedOrder[i]) return static_cast<int>(i);
    return static_cast<int>(std::size(kShippedOrder));
  };
  std::sort(files.begin(), files.end(), [&](const std::string& a, const std::string& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
  });
  std::vector<ModelEntry> models;
  for (const std::string& file : files) {
    ModelEntry e;
    if (model_entry_from_metadata(file, read_header_metadata(file), &e)) models.push_back(e);
  }
  return models;
}
#else
std::vector<ModelEntry> models_scan_folder(const std::string&) { return {}; }
#endif
