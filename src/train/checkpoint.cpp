// Checkpoints as safetensors files: a trainer's whole state, checked on load like any weights file.
#include "train/checkpoint.h"

#include <nlohmann/json.hpp>

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

bool read_u64(const nlohmann::json& j, const char* key, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::stoull(s);
  return true;
}

bool read_int(const nlohmann::json& j, const char* key, long long lo, long long hi, long long* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  *out = it->get<long long>();
  return *out >= lo && *out <= hi;
}

}  // namespace

Status checkpoint_load(const std::string& path, Trainer* trainer) {
  SafeTensorsFile f;
  Trainer t;
  Status st = weights_read(path, &f, &t.params, {"optimizer.m", "optimizer.v"});
  if (!st) return st;
  auto fail = [&path](const std::string& what) { return Status::error(path + ": checkpoint: " + what); };
  const nlohmann::json j = nlohmann::json::parse(f.meta("checkpoint"), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("no valid \"checkpoint\" metadata (a weights file, not a checkpoint?)");
  long long epoch, step, batch, samples;
  uint64_t seed;
  if (!read_int(j, "epoch", 0, 1LL << 40, &epoch) || !read_int(j, "step", 0, 1LL << 50, &step) ||
      !read_int(j, "batch", 1, 1 << 20, &batch) || !read_int(j, "samples", 1, 1 << 16, &samples) ||
      !read_u64(j, "seed", &seed))
    return fail("epoch, step, batch, samples or seed missing or out of range");
  auto opt = j.find("optimizer");
  auto lr = j.find("lr");
  if (opt == j.end() || !opt->is_string() || !optimizer_parse(opt->get<std::string>(), &t.optimizer.kind))
    return fail("unknown optimizer");
  if (lr == j.end() || !lr->is_number() || !(lr->get<double>() > 0)) return fail("learning rate missing or not positive");
  auto spare = j.find("rng_spare");
  auto has_spare = j.find("rng_has_spare");
  if (!read_u64(j, "rng_state", &t.rng.state) || !read_u64(j, "rng_inc", &t.rng.inc) || spare == j.end() ||
      !spare->is_number() || has_spare == j.end() || !has_spare->is_boolean())
    return fail("generator state missing");
  t.rng.spare = spare->get<float>();
  t.rng.has_spare = has_spare->get<bool>();
  const size_t P = t.params.size();
  const SafeTensor* m = f.find("optimizer.m");
  const SafeTensor* v = f.find("optimizer.v");
  const bool adam = t.optimizer.kind == OptimizerKind::adam;
  if (!v || v->data.size() != P || (adam && (!m || m->data.size() != P)))
    return fail("optimizer moments missing or not of the model's size " + std::to_string(P));
  t.optimizer.lr = lr->get<float>();
  t.optimizer.step = step;
  t.optimizer.v = v->data;
  if (adam) t.optimizer.m = m->data;
  t.options.batch = static_cast<int>(batch);
  t.options.samples = static_cast<int>(samples);
  t.options.seed = seed;
  t.options.optimizer = t.optimizer.kind;
  for (const char* key : {"lr_base", "lr_final", "schedule_epochs", "kl_warmup"})
    if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() < 0)
      return fail(std::string(key) + " missing or negative");
  t.options.lr = j["lr_base"].get<float>();
  t.options.lr_final = j["lr_final"].get<float>();
  t.options.epochs = j["schedule_epochs"].get<int>();
  t.options.kl_warmup = j["kl_warmup"].get<float>();
  // the KL weight (checkpoints written before it existed trained the VAE: 1)
  if (j.contains("beta") && !(j["beta"].is_number() && j["beta"].get<double>() >= 0 && j["beta"].get<double>() <= 1000))
    return fail("beta not a number in 0..1000");
  t.options.beta = j.contains("beta") ? j["beta"].get<float>() : 1.0f;
  auto seconds = j.find("train_seconds");
  if (seconds == j.end() || !seconds->is_number() || !(seconds->get<double>() >= 0))
    return fail("train_seconds missing or negative");
  t.train_seconds = seconds->get<double>();
  t.epoch = epoch;
  t.prepare();
  *trainer = std::move(t);
  return Status::success();
}
