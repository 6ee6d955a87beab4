// Checkpoints as safetensors files: a trainer's whole state, checked on load like any weights file,
// every metadata field in range before anything is built from it.
#include "train/checkpoint.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "io/numbers.h"

Status checkpoint_save(const std::string& path, const Trainer& t, const Metadata& provenance) {
  SafeTensorsFile f = weights_to_safetensors(t.params, provenance);
  const int64_t P = static_cast<int64_t>(t.params.size());
  if (!t.optimizer.m.empty()) f.tensors.push_back({"optimizer.m", "F32", {P}, t.optimizer.m});
  f.tensors.push_back({"optimizer.v", "F32", {P}, t.optimizer.v});
  nlohmann::ordered_json j;
  j["epoch"] = t.epoch;
  j["step"] = t.optimizer.step;
  j["optimizer"] = optimizer_name(t.optimizer.kind);
  j["lr"] = t.optimizer.lr;
  j["batch"] = t.options.batch;
  j["samples"] = t.options.samples;
  j["seed"] = std::to_string(t.options.seed);
  j["rng_state"] = std::to_string(t.rng.state);
  j["rng_inc"] = std::to_string(t.rng.inc);
  j["rng_has_spare"] = t.rng.has_spare;
  j["rng_spare"] = t.rng.spare;
  j["train_seconds"] = t.train_seconds;
  j["lr_base"] = t.options.lr;
  j["lr_final"] = t.options.lr_final;
  j["schedule_epochs"] = t.options.epochs;
  j["kl_warmup"] = t.options.kl_warmup;
  j["beta"] = t.options.beta;
  f.metadata.push_back({"checkpoint", j.dump()});
  return file_write_atomic(path, safetensors_serialize(f));
}

namespace {

using Json = nlohmann::json;

// Each reader names the field in its message: "\"epoch\" ...".
Status read_u64(const Json& j, const char* key, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Status::error(std::string("\"") + key + "\" missing or not a string");
  Status st = parse_u64(it->get_ref<const std::string&>(), out);
  return st ? st : Status::error(std::string("\"") + key + "\": " + st.message);
}

Status read_int(const Json& j, const char* key, long long lo, long long hi, long long* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    return Status::error(std::string("\"") + key + "\" missing or not an integer");
  const bool in_range = it->is_number_unsigned() ? it->get<uint64_t>() <= static_cast<uint64_t>(hi)
                                                 : it->get<long long>() >= lo && it->get<long long>() <= hi;
  if (!in_range || it->get<long long>() < lo)
    return Status::error(std::string("\"") + key + "\" is " + it->dump() + ", out of range " + std::to_string(lo) +
                         ".." + std::to_string(hi));
  *out = it->get<long long>();
  return Status::success();
}

Status read_real(const Json& j, const char* key, double lo, double hi, bool lo_open, double* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return Status::error(std::string("\"") + key + "\" missing or not a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
    return Status::error(std::string("\"") + key + "\" is " + it->dump() + ", out of range " + (lo_open ? "(" : "[") +
                         Json(lo).dump() + ", " + Json(hi).dump() + "]");
  *out = v;
  return Status::success();
}

// The metadata's fields into *t (options, optimizer scalars, generator), each checked.
Status read_state(const Json& j, Trainer* t) {
  long long epoch = 0, step = 0, batch = 0, samples = 0, schedule_epochs = 0;
  double lr = 0, lr_base = 0, lr_final = 0, kl_warmup = 0, seconds = 0, spare = 0;
  Status st = read_int(j, "epoch", 0, kMaxEpochs, &epoch);
  if (st) st = read_int(j, "step", 0, 1LL << 50, &step);
  if (st) st = read_int(j, "batch", 1, kMaxBatch, &batch);
  if (st) st = read_int(j, "samples", 1, kMaxSamples, &samples);
  if (st) st = read_u64(j, "seed", &t->options.seed);
  if (st) st = read_real(j, "lr", 0, 10, true, &lr);
  if (st) st = read_real(j, "lr_base", 0, 10, true, &lr_base);
  if (st) st = read_real(j, "lr_final", 0, 10, false, &lr_final);
  if (st) st = read_int(j, "schedule_epochs", 0, kMaxEpochs, &schedule_epochs);
  if (st) st = read_real(j, "kl_warmup", 0, double(kMaxEpochs), false, &kl_warmup);
  if (st) st = read_real(j, "train_seconds", 0, 1e12, false, &seconds);
  if (st) st = read_u64(j, "rng_state", &t->rng.state);
  if (st) st = read_u64(j, "rng_inc", &t->rng.inc);
  // Box-Muller's normals from 32-bit uniforms stay within about 6.7 of zero
  if (st) st = read_real(j, "rng_spare", -100, 100, false, &spare);
  // the KL weight (checkpoints written before it existed trained the VAE: 1)
  double beta = 1;
  if (st && j.contains("beta")) st = read_real(j, "beta", 0, 1000, false, &beta);
  if (!st) return st;
  if (t->rng.inc % 2 == 0) return Status::error("\"rng_inc\" is even; the generator's increment is always odd");
  auto has_spare = j.find("rng_has_spare");
  auto opt = j.find("optimizer");
  if (has_spare == j.end() || !has_spare->is_boolean()) return Status::error("\"rng_has_spare\" missing or not true/false");
  if (opt == j.end() || !opt->is_string() || !optimizer_parse(opt->get<std::string>(), &t->optimizer.kind))
    return Status::error("\"optimizer\" missing or unknown (adam or adagrad)");
  t->rng.has_spare = has_spare->get<bool>();
  t->rng.spare = static_cast<float>(spare);
  t->epoch = epoch;
  t->optimizer.step = step;
  t->optimizer.lr = static_cast<float>(lr);
  t->options.batch = static_cast<int>(batch);
  t->options.samples = static_cast<int>(samples);
  t->options.optimizer = t->optimizer.kind;
  t->options.lr = static_cast<float>(lr_base);
  t->options.lr_final = static_cast<float>(lr_final);
  t->options.epochs = static_cast<int>(schedule_epochs);
  t->options.kl_warmup = static_cast<float>(kl_warmup);
  t->options.beta = static_cast<float>(beta);
  t->train_seconds = seconds;
  return Status::success();
}

}  // namespace

Status checkpoint_parse(const uint8_t* bytes, size_t size, const std::string& source, Trainer* trainer) {
  auto fail = [&source](const std::string& what) { return Status::error(source + ": checkpoint: " + what); };
  SafeTensorsFile f;
  Status st = safetensors_parse(bytes, size, &f);
  if (!st) return Status::error(source + ": " + st.message);
  Trainer t;
  st = weights_from_safetensors(f, &t.params, {"optimizer.m", "optimizer.v"});
  if (!st) return Status::error(source + ": " + st.message);
  const Json j = Json::parse(f.meta("checkpoint"), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("no valid \"checkpoint\" metadata (a weights file, not a checkpoint?)");
  st = read_state(j, &t);
  if (!st) return fail(st.message);
  const size_t P = t.params.size();
  const SafeTensor* m = f.find("optimizer.m");
  const SafeTensor* v = f.find("optimizer.v");
  const bool adam = t.optimizer.kind == OptimizerKind::adam;
  if (!v || v->data.size() != P || v->shape.size() != 1 || (adam && (!m || m->data.size() != P || m->shape.size() != 1)))
    return fail("optimizer moments missing or not of the model's size " + std::to_string(P));
  for (float x : v->data)
    if (x < 0) return fail("\"optimizer.v\" holds a negative value (a sum of squares never is)");
  if (t.params.config.work_floats(t.options.batch) > kMaxWorkFloats)
    return fail("batch " + std::to_string(t.options.batch) + " of the model " + t.params.config.describe() + " needs " +
                std::to_string(t.params.config.work_floats(t.options.batch)) + " floats of work buffers, more than " +
                std::to_string(kMaxWorkFloats));
  t.optimizer.v = v->data;
  if (adam) t.optimizer.m = m->data;
  *trainer = std::move(t);
  return Status::success();
}

Status checkpoint_load(const std::string& path, Trainer* trainer) {
  std::vector<uint8_t> bytes;
  Status st = file_read_all(path, &bytes);
  if (!st) return st;
  Trainer t;
  st = checkpoint_parse(bytes.data(), bytes.size(), path, &t);
  if (!st) return st;
  t.prepare();
  *trainer = std::move(t);
  return Status::success();
}
