// Maps the flat parameter vector to named safetensors tensors and back, checking the config and
// every shape before anything is used.
#include "io/weights.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

std::string config_to_json(const VaeConfig& c) {
  nlohmann::ordered_json j;
  j["input"] = c.input;
  j["hidden"] = c.hidden;
  j["latent"] = c.latent;
  j["activation"] = activation_name(c.activation);
  if (c.classes > 0) j["classes"] = c.classes;
  // the model family's options, each only when it is not the default (so every file written before
  // they existed reads as what it is)
  const VaeConfig d;
  if (c.likelihood != d.likelihood) j["likelihood"] = likelihood_name(c.likelihood);
  if (c.likelihood == Likelihood::gaussian) j["decoder_variance"] = decoder_variance_name(c.variance);
  if (c.posterior_scale != d.posterior_scale) j["posterior_scale"] = posterior_scale_name(c.posterior_scale);
  // (as the shortest decimal: 0.1, not the float's 0.10000000149011612)
  if (c.dropout != d.dropout) j["dropout"] = std::round(static_cast<double>(c.dropout) * 1e6) / 1e6;
  if (c.init != d.init) j["init"] = init_name(c.init);
  if (c.objective != d.objective) {
    j["objective"] = objective_name(c.objective);
    j["iwae_k"] = c.iwae_k;
  }
  return j.dump();
}

// Every key a config may hold; any other is refused by name (a file from a newer version, or a typo,
// must not load as a model it is not).
static const char* const kConfigKeys[] = {"input",           "hidden",          "latent",  "activation", "classes",
                                          "likelihood",      "decoder_variance", "posterior_scale", "dropout",
                                          "init",            "objective",       "iwae_k"};

// An option whose value is a name: absent leaves *out as it is; an unknown name is refused.
template <typename E>
static Status read_name(const nlohmann::json& j, const char* key, bool (*parse)(const std::string&, E*),
                        const char* choices, E* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::success();
  if (!it->is_string()) return Status::error(std::string("config: \"") + key + "\" is not a string");
  if (!parse(it->get<std::string>(), out))
    return Status::error(std::string("config: unknown ") + key + " \"" + it->get<std::string>() + "\" (" + choices + ")");
  return Status::success();
}

static bool read_int(const nlohmann::json& j, const char* key, int* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  const long long v = it->get<long long>();
  if (v <= 0 || v > (1 << 24)) return false;
  *out = static_cast<int>(v);
  return true;
}

Status config_from_json(const std::string& text, VaeConfig* out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::error("config is not a JSON object");
  VaeConfig c;
  if (!read_int(j, "input", &c.input)) return Status::error("config: \"input\" missing or not a positive integer");
  if (!read_int(j, "latent", &c.latent)) return Status::error("config: \"latent\" missing or not a positive integer");
  auto hidden = j.find("hidden");
  if (hidden == j.end() || !hidden->is_array()) return Status::error("config: \"hidden\" missing or not an array");
  c.hidden.clear();
  for (const auto& h : *hidden) {
    if (!h.is_number_integer() || h.get<long long>() <= 0 || h.get<long long>() > (1 << 24))
      return Status::error("config: \"hidden\" holds a value that is not a positive integer");
    c.hidden.push_back(static_cast<int>(h.get<long long>()));
  }
  auto act = j.find("activation");
  if (act == j.end() || !act->is_string()) return Status::error("config: \"activation\" missing or not a string");
  if (!activation_parse(act->get<std::string>(), &c.activation))
    return Status::error("config: unknown activation \"" + act->get<std::string>() + "\" (relu, tanh or elu)");
  if (j.contains("classes")) {
    const auto& classes = j["classes"];
    if (!classes.is_number_integer() || classes.get<long long>() < 0 || classes.get<long long>() > 256)
      return Status::error("config: \"classes\" is not an integer in 0..256");
    c.classes = static_cast<int>(classes.get<long long>());
  }
  for (const auto& kv : j.items())
    if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), kv.key()) == std::end(kConfigKeys))
      return Status::error("config: unknown option \"" + kv.key() + "\" (not a key this program knows)");
  Status st = read_name(j, "likelihood", likelihood_parse, "bernoulli or gaussian", &c.likelihood);
  if (st) st = read_name(j, "decoder_variance", decoder_variance_parse, "per_pixel or shared", &c.variance);
  if (st) st = read_name(j, "posterior_scale", posterior_scale_parse, "logvar or softplus", &c.posterior_scale);
  if (st) st = read_name(j, "init", init_parse, "pytorch or xavier", &c.init);
  if (st) st = read_name(j, "objective", objective_parse, "elbo or iwae", &c.objective);
  if (!st) return st;
  if (j.contains("decoder_variance") && c.likelihood != Likelihood::gaussian)
    return Status::error("config: \"decoder_variance\" needs \"likelihood\": \"gaussian\"");
  if (j.contains("dropout")) {
    const auto& dropout = j["dropout"];
    if (!dropout.is_number() || !(dropout.get<double>() >= 0 && dropout.get<double>() <= 0.9))
      return Status::error("config: \"dropout\" is not a number in 0..0.9");
    c.dropout = dropout.get<float>();
  }
  if (j.contains("iwae_k")) {
    const auto& k = j["iwae_k"];
    if (!k.is_number_integer() || k.get<long long>() < 1 || k.get<long long>() > 5000)
      return Status::error("config: \"iwae_k\" is not an integer in 1..5000");
    if (c.objective != Objective::iwae) return Status::error("config: \"iwae_k\" needs \"objective\": \"iwae\"");
    c.iwae_k = static_cast<int>(k.get<long long>());
  }
  Status valid = c.validate();
  if (!valid) return valid;
  *out = c;
  return Status::success();
}

SafeTensorsFile weights_to_safetensors(const VaeParams& p, const Metadata& provenance, const std::string& dtype) {
  SafeTensorsFile f;
  f.metadata.push_back({"config", config_to_json(p.config)});
  for (const auto& kv : provenance)
    if (kv.first != "config") f.metadata.push_back(kv);
  for (const LinearSlot* s : p.slots()) {
    const float* w = p.data.data() + s->w_offset;
    const float* b = p.data.data() + s->b_offset;
    // (a slot with in = 0 is a bias alone: a Gaussian decoder's shared log-variance)
    if (s->in > 0)
      f.tensors.push_back({s->name + ".weight", dtype, {s->out, s->in}, std::vector<float>(w, w + size_t(s->out) * s->in)});
    f.tensors.push_back({s->name + ".bias", dtype, {s->out}, std::vector<float>(b, b + s->out)});
  }
  return f;
}

static std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The model f's config declares, laid out in *layout (nothing allocated), with every tensor of f
// checked against it by name and shape: the data a file holds bounds what is allocated from it.
static Status check_tensors(const SafeTensorsFile& f, const std::set<std::string>& extra, VaeParams* layout) {
  const std::string config_text = f.meta("config");
  if (config_text.empty()) return Status::error("no \"config\" in the metadata: not a VAE weights file");
  VaeConfig config;
  Status st = config_from_json(config_text, &config);
  if (!st) return st;
  VaeParams p;
  p.layout(config);
  std::set<std::string> expected;
  for (const LinearSlot* s : p.slots()) {
    const std::pair<std::string, std::vector<int64_t>> parts[] = {{s->name + ".weight", {s->out, s->in}},
                                                                  {s->name + ".bias", {s->out}}};
    for (const auto& part : parts) {
      if (part.second.size() == 2 && s->in == 0) continue;  // a bias alone (a shared log-variance)
      expected.insert(part.first);
      const SafeTensor* t = f.find(part.first);
      if (!t) return Status::error("missing tensor \"" + part.first + "\" for config " + config.describe());
      if (t->shape != part.second)
        return Status::error("tensor \"" + part.first + "\" has shape " + shape_string(t->shape) + ", config " +
                             config.describe() + " needs " + shape_string(part.second));
    }
  }
  for (const SafeTensor& t : f.tensors)
    if (!expected.count(t.name) && !extra.count(t.name)) return Status::error("unexpected tensor \"" + t.name + "\"");
  *layout = std::move(p);
  return Status::success();
}

Status weights_from_safetensors(const SafeTensorsFile& f, VaeParams* out, const std::set<std::string>& extra) {
  VaeParams p;
  Status st = check_tensors(f, extra, &p);
  if (!st) return st;
  // every tensor is present with its shape, so P floats are no more than the file holds
  p.data.assign(p.config.param_count(), 0.0f);
  for (const LinearSlot* s : p.slots()) {
    if (s->in > 0) {  // (a bias alone has no weight tensor)
      const std::vector<float>& w = f.find(s->name + ".weight")->data;
      std::copy(w.begin(), w.end(), p.data.begin() + static_cast<std::ptrdiff_t>(s->w_offset));
    }
    const std::vector<float>& b = f.find(s->name + ".bias")->data;
    std::copy(b.begin(), b.end(), p.data.begin() + static_cast<std::ptrdiff_t>(s->b_offset));
  }
  *out = std::move(p);
  return Status::success();
}

Status weights_check_head(const uint8_t* head, size_t size, uint64_t file_size, const std::string& source,
                          const WeightsLimits& limits, uint64_t* need) {
  auto fail = [&source](const Status& st) { return Status::error(source + ": " + st.message); };
  *need = 0;
  if (size < 8 && file_size >= 8) {
    *need = 8;
    return Status::success();
  }
  uint64_t length = 0;
  Status st = safetensors_header_length(head, size, file_size, limits.max_header_bytes, &length);
  if (!st) return fail(st);
  const uint64_t data_bytes = file_size - 8 - length;
  if (data_bytes > 4 * limits.max_params)
    return Status::error(source + ": " + std::to_string(data_bytes) + " bytes of tensors, more than a model of at most " +
                         std::to_string(limits.max_params) + " parameters (" + std::to_string(4 * limits.max_params) +
                         " bytes as F32) that can be loaded here");
  if (size - 8 < length) {
    *need = 8 + length;
    return Status::success();
  }
  SafeTensorsFile header;
  st = safetensors_parse_header(head, size, file_size, limits.max_header_bytes, &header);
  if (!st) return fail(st);
  VaeConfig config;
  st = config_from_json(header.meta("config"), &config);
  if (st && config.param_count() > limits.max_params)
    return Status::error(source + ": the model " + config.describe() + " has " + std::to_string(config.param_count()) +
                         " parameters; at most " + std::to_string(limits.max_params) + " can be loaded here");
  VaeParams layout;
  st = check_tensors(header, {}, &layout);
  return st ? st : fail(st);
}

Status weights_fit_data(const VaeConfig& config, int pixels, int classes) {
  if (config.input != pixels)
    return Status::error("the model's input is " + std::to_string(config.input) + " values, the images have " +
                         std::to_string(pixels) + " pixels");
  if (config.classes != 0 && config.classes != classes)
    return Status::error("the model is conditional on " + std::to_string(config.classes) + " classes, the data has " +
                         std::to_string(classes));
  return Status::success();
}

Status weights_parse(const uint8_t* bytes, size_t size, const std::string& source, VaeParams* out, Metadata* meta) {
  SafeTensorsFile f;
  Status st = safetensors_parse(bytes, size, &f);
  if (st) st = weights_from_safetensors(f, out);
  if (!st) return Status::error(source + ": " + st.message);
  if (meta) *meta = f.metadata;
  return Status::success();
}

Status weights_load(const std::string& path, VaeParams* out, Metadata* meta) {
  SafeTensorsFile f;
  Status st = weights_read(path, &f, out);
  if (!st) return st;
  if (meta) *meta = std::move(f.metadata);
  return Status::success();
}

Status weights_save(const std::string& path, const VaeParams& params, const Metadata& provenance,
                    const std::string& dtype) {
  return file_write_atomic(path, safetensors_serialize(weights_to_safetensors(params, provenance, dtype)));
}

Status weights_read(const std::string& path, SafeTensorsFile* file, VaeParams* out, const std::set<std::string>& extra) {
  Status st = safetensors_read(path, file);
  if (!st) return st;
  st = weights_from_safetensors(*file, out, extra);
  if (!st) return Status::error(path + ": " + st.message);
  return Status::success();
}

Status weights_update_metadata(const std::string& path, const Metadata& updates) {
  SafeTensorsFile f;
  VaeParams check;
  Status st = weights_read(path, &f, &check);
  if (!st) return st;
  for (const SafeTensor& t : f.tensors)
    if (t.dtype != "F32" && t.dtype != "F16")
      return Status::error(path + ": tensor \"" + t.name + "\" is " + t.dtype + "; only F32 and F16 files can be rewritten");
  for (const auto& kv : updates) {
    if (kv.first == "config") return Status::error(path + ": the model card cannot change \"config\"");
    auto it = std::find_if(f.metadata.begin(), f.metadata.end(), [&](const auto& m) { return m.first == kv.first; });
    if (it != f.metadata.end())
      it->second = kv.second;
    else
      f.metadata.push_back(kv);
  }
  return file_write_atomic(path, safetensors_serialize(f));
}
