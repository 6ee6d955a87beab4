// The session's actions (session.h): install a model or data, and what the views share of them.
#include "app/session/session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "io/safetensors.h"

double session_clock() {
  using clock = std::chrono::steady_clock;
  static const clock::time_point start = clock::now();
  return std::chrono::duration<double>(clock::now() - start).count();
}

void session_set_status(Session& s, const std::string& message, bool error) {
  s.status = message;
  s.status_error = error;
  if (error) s.model_pending = -1;  // a fetch that failed says so here
}

int session_classes(const Session& s) { return s.has_model ? s.trainer.params.config.classes : 0; }

std::string session_class_name(const Session& s, int k) { return class_name(s.dataset, k); }

bool refresh_due(const Session& s, long long drawn, double drawn_at, double interval) {
  if (drawn == s.version) return false;
  return !s.training.running || s.now - drawn_at >= interval;
}

int test_index_of_class(const Dataset& test, int label, int occurrence) {
  std::vector<int> hits;
  for (size_t i = 0; i < test.labels.size(); ++i)
    if (test.labels[i] == label) hits.push_back(static_cast<int>(i));
  if (hits.empty()) return -1;
  const int n = static_cast<int>(hits.size());
  return hits[static_cast<size_t>(((occurrence % n) + n) % n)];
}

void session_set_dataset(Session& s, const std::string& dataset) {
  if (dataset == s.dataset) return;
  session_pause_training(s);  // before the training images it reads go
  s.dataset = dataset;
  s.test = Dataset();
  s.train = Dataset();
  s.test_binary.resize(0, 0);
  s.data_pending = true;
  ++s.data_serial;
  s.one_image.dirty = true;
  s.activity.version = -1;
  session_set_status(s, std::string("Loading ") + dataset_title(dataset) + "...", false);
}

void session_set_model(Session& s, const VaeParams& params, const Metadata& meta, const std::string& source) {
  const Likelihood old_likelihood = s.trainer.params.config.likelihood;
  s.model_index = -1;
  for (size_t i = 0; i < s.models.size(); ++i)
    if (s.models[i].file == source) s.model_index = static_cast<int>(i);
  s.model_pending = -1;
  Trainer& t = s.trainer;
  t.params = params;
  t.optimizer.reset(params.size());
  t.epoch = 0;
  t.cursor = 0;
  t.epoch_loss_sum = 0;
  t.prepare();
  s.inf.resize(params);
  s.has_model = true;
  // the test images as this model observes them (binarized, or dequantized for a Gaussian decoder)
  if (params.config.likelihood != old_likelihood && s.test.images.rows() > 0)
    s.test_binary = observe_fixed(s.test.images, params.config.likelihood);
  s.meta = meta;
  s.model_source = source;
  ++s.version;
  ++s.model_serial;
  Training& tr = s.training;
  tr.steps = 0;
  tr.elbo.clear();
  tr.curve.clear();
  tr.samples_per_s = 0;
  tr.new_run = true;  // earlier runs stay as traces
  tr.kl_strip.clear();
  tr.kl_strip_images.clear();
  // a model trained on other data switches the data (no "dataset" in the file: keep it)
  const std::string dataset = dataset_of(meta);
  if (!dataset.empty()) session_set_dataset(s, dataset);
  s.one_image.dirty = true;
  s.one_image.log_px_version = -1;
  s.one_image.pad_class = std::min(s.one_image.pad_class, std::max(params.config.classes - 1, 0));
  s.activity.version = -1;
}

void session_new_random_model(Session& s, const VaeConfig& config, int seed) {
  VaeParams params;
  params.build(config);
  Rng rng(static_cast<uint64_t>(seed));
  params.init(rng);
  session_pause_training(s);
  session_set_model(s, params, Metadata(), "new random weights (seed " + std::to_string(seed) + ")");
}

bool session_load_weights(Session& s, const uint8_t* bytes, size_t size, const std::string& source) {
  VaeParams params;
  Metadata meta;
  // within the app's bounds (the page's heap never shrinks) and fitting its data: 28x28, 10 classes
  uint64_t need = 0;
  Status st = weights_check_head(bytes, size, size, source, kAppWeightsLimits, &need);
  if (st.ok) st = weights_parse(bytes, size, source, &params, &meta);
  const Status fit = st.ok ? weights_fit_data(params.config, kSide * kSide, 10) : Status::success();
  if (!fit.ok) st = Status::error(source + ": " + fit.message + "; this app shows 28x28 digits of 10 classes");
  if (!st.ok) {
    session_set_status(s, "Not loaded (the current model is kept): " + st.message, true);
    return false;
  }
  session_pause_training(s);
  session_set_model(s, params, meta, source);
  session_set_status(s, "Loaded " + source + ": " + params.config.describe(), false);
  return true;
}

// The model card's figures (vae-eval --write-card): they describe the weights they were measured on.
static bool is_card_figure(const std::string& key) {
  static const char* const keys[] = {"test_elbo", "test_elbo_of", "test_images", "log_px", "log_px_how",
                                     "classifier_agreement", "classifier_agreement_how", "prior_sample_score",
                                     "prior_sample_score_how"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

std::vector<uint8_t> session_weights_bytes(const Session& s, const std::string& dtype) {
  const long long steps = s.training.steps;
  Metadata meta;
  // trained further here, the file's card must describe these weights: the old figures go, the test
  // ELBO is measured again (the README's protocol, as vae-eval does); log p(x) would take minutes
  for (const auto& kv : s.meta)
    if (kv.first != "config" && kv.first != "app_train_steps" && (steps == 0 || !is_card_figure(kv.first)))
      meta.push_back(kv);
  meta.push_back({"app_train_steps", std::to_string(steps)});
  if (steps > 0 && s.test_binary.rows() > 0 && s.test_binary.cols() == s.trainer.params.config.input) {
    char elbo[32];
    std::snprintf(elbo, sizeof elbo, "%.3f", -test_set_loss(s.trainer.params, s.test_binary, s.test.labels.data()).neg_elbo);
    meta.push_back({"test_elbo", elbo});
    meta.push_back({"test_elbo_of", "measured in the page after " + std::to_string(steps) + " steps trained there"});
    meta.push_back({"test_images", std::to_string(s.test_binary.rows())});
  }
  return safetensors_serialize(weights_to_safetensors(s.trainer.params, meta, dtype));
}

std::string session_download_name(const Session& s, const std::string& dtype) {
  const VaeConfig& c = s.trainer.params.config;
  std::string name = s.model_index >= 0 ? s.models[static_cast<size_t>(s.model_index)].name
                                        : "vae-z" + std::to_string(c.latent) + "-h" + std::to_string(c.hidden[0]);
  if (s.training.steps > 0) name += "-" + std::to_string(s.training.steps) + "steps";
  return name + (dtype == "F16" ? "-f16" : "-f32") + ".safetensors";
}

void session_install_dataset(Session& s, const std::string& split, Dataset d) {
  const bool test = split == "test";
  if (!test) session_pause_training(s);  // the training thread reads the training images
  (test ? s.test : s.train) = std::move(d);
  if (test) {
    // the test set binarized (or dequantized) once, as every test figure is (the same values as vae-eval's)
    s.test_binary = observe_fixed(s.test.images, s.trainer.params.config.likelihood);
    s.one_image.dirty = true;
    s.activity.version = -1;
  }
  ++s.data_serial;
  if (!s.status_error)
    session_set_status(s, std::string(dataset_title(s.dataset)) + " " + split + " set loaded: " +
                              std::to_string((test ? s.test : s.train).labels.size()) + " images", false);
}

bool session_load_dataset(Session& s, const std::string& dataset, const std::string& split, const uint8_t* images,
                          size_t images_size, const uint8_t* labels, size_t labels_size) {
  if (dataset != s.dataset) return false;  // requested before a switch to other data
  Dataset d;
  Status st = idx_parse_images(images, images_size, &d.images, &d.rows, &d.cols);
  if (st.ok) st = idx_parse_labels(labels, labels_size, &d.labels);
  if (st.ok && static_cast<size_t>(d.images.rows()) != d.labels.size())
    st = Status::error("images and labels differ in count");
  if (!st.ok) {
    session_set_status(s, std::string(dataset_title(dataset)) + " " + split + " set not loaded: " + st.message, true);
    return false;
  }
  session_install_dataset(s, split, std::move(d));
  return true;
}
