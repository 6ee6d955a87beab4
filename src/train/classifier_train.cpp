// Minibatch Adam training of the classifier, its accuracy, and its safetensors file.
#include "train/classifier_train.h"

#include <cassert>
#include <cmath>

#include <nlohmann/json.hpp>
#include <numeric>

void ClassifierTrainer::start(int input, const std::vector<int>& hidden, int classes, int b, float lr, uint64_t seed) {
  rng.reseed(seed);
  params.build(input, hidden, classes);
  params.init(rng);
  batch = b;
  work.resize(params, b);
  optimizer = Optimizer();
  optimizer.lr = lr;
  optimizer.reset(params.size());
  xb.resize(b, input);
  yb.resize(static_cast<size_t>(b));
  cursor = epoch = 0;
}

double ClassifierTrainer::step(const ConstMatRef& images, const uint8_t* labels) {
  const long long N = images.rows();
  if (cursor == 0) {
    perm.resize(static_cast<size_t>(N));
    std::iota(perm.begin(), perm.end(), 0u);
    for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(static_cast<uint32_t>(i + 1))]);
  }
  for (int b = 0; b < batch; ++b) {
    const uint32_t idx = perm[static_cast<size_t>(cursor * batch + b)];
    xb.row(b) = images.row(idx);
    yb[static_cast<size_t>(b)] = labels[idx];
  }
  const double loss = classifier_forward_backward(work, params, xb, yb.data());
  optimizer.update(params.data.data(), work.grad.data(), params.size());
  if (++cursor == N / batch) {
    cursor = 0;
    ++epoch;
  }
  return loss;
}

double classifier_accuracy(const ClassifierParams& p, const ConstMatRef& X, const uint8_t* labels) {
  ClassifierWork w;
  w.resize(p, 500);
  const std::vector<uint8_t> predicted = classifier_predict(w, p, X);
  long correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(predicted.size());
}

PriorSampleScore prior_sample_score(const VaeParams& model, const ClassifierParams& classifier, int n, Rng& rng) {
  assert(model.config.classes == 0 && n > 0);
  Mat z(n, model.config.latent), logits(n, model.config.input), probs(n, model.config.input);
  for (float& v : z.reshaped()) v = rng.normal();
  VaeWork w;
  w.resize(model, n);
  vae_decode(logits, w, model, z);
  sigmoid_forward(probs, logits);
  ClassifierWork cw;
  cw.resize(classifier, 500);
  const Eigen::MatrixXd P = classifier_probabilities(cw, classifier, probs).cast<double>();
  // p(c) = mean_i p(c|x_i);  score = exp(mean_i sum_c p(c|x_i) log(p(c|x_i) / p(c)))
  const Eigen::RowVectorXd pc = P.colwise().mean();
  double kl = 0;
  for (Eigen::Index i = 0; i < P.rows(); ++i)
    for (Eigen::Index c = 0; c < P.cols(); ++c)
      if (P(i, c) > 0) kl += P(i, c) * std::log(P(i, c) / pc(c));
  PriorSampleScore out;
  out.score = std::exp(kl / n);
  out.confidence = P.rowwise().maxCoeff().mean();
  out.class_share.assign(pc.data(), pc.data() + pc.size());
  return out;
}

Status classifier_save(const std::string& path, const ClassifierParams& p, const Metadata& provenance) {
  SafeTensorsFile f;
  nlohmann::ordered_json config;
  config["input"] = p.input;
  config["hidden"] = p.hidden;
  config["classes"] = p.classes;
  f.metadata.push_back({"classifier", config.dump()});
  for (const auto& kv : provenance) f.metadata.push_back(kv);
  for (const LinearSlot& s : p.layers) {
    const float* w = p.data.data() + s.w_offset;
    f.tensors.push_back({s.name + ".weight", "F32", {s.out, s.in}, std::vector<float>(w, w + size_t(s.out) * s.in)});
    f.tensors.push_back({s.name + ".bias", "F32", {s.out}, std::vector<float>(w + size_t(s.out) * s.in, w + size_t(s.out) * s.in + s.out)});
  }
  return file_write_atomic(path, safetensors_serialize(f));
}

Status classifier_parse(const uint8_t* bytes, size_t size, const std::string& source, ClassifierParams* out) {
  SafeTensorsFile f;
  Status st = safetensors_parse(bytes, size, &f);
  if (!st) return Status::error(source + ": " + st.message);
  const nlohmann::json config = nlohmann::json::parse(f.meta("classifier"), nullptr, false);
  auto positive = [](const nlohmann::json& j) { return j.is_number_integer() && j.get<long long>() > 0 && j.get<long long>() <= 16384; };
  if (config.is_discarded() || !config.is_object() || !config.contains("input") || !positive(config["input"]) ||
      !config.contains("classes") || !positive(config["classes"]) || !config.contains("hidden") || !config["hidden"].is_array())
    return Status::error(source + ": no valid \"classifier\" config in the metadata: not a classifier file");
  if (config["hidden"].size() > 16) return Status::error(source + ": classifier has more than 16 hidden layers");
  std::vector<int> hidden;
  for (const auto& h : config["hidden"]) {
    if (!positive(h)) return Status::error(source + ": classifier hidden size is not a positive integer");
    hidden.push_back(h.get<int>());
  }
  // every layer's tensors present with their shapes before anything is allocated from the config
  const int classes = config["classes"].get<int>();
  int in = config["input"].get<int>();
  for (size_t i = 0; i <= hidden.size(); ++i) {
    const int64_t layer_out = i < hidden.size() ? hidden[i] : classes;
    const std::string name = "classifier." + std::to_string(i);
    const SafeTensor* w = f.find(name + ".weight");
    const SafeTensor* b = f.find(name + ".bias");
    if (!w || !b || w->shape != std::vector<int64_t>{layer_out, in} || b->shape != std::vector<int64_t>{layer_out})
      return Status::error(source + ": tensor " + name + " missing or of the wrong shape");
    in = static_cast<int>(layer_out);
  }
  if (f.tensors.size() != 2 * (hidden.size() + 1)) return Status::error(source + ": unexpected extra tensors");
  ClassifierParams p;
  p.build(config["input"].get<int>(), hidden, classes);
  for (const LinearSlot& s : p.layers) {
    const SafeTensor* w = f.find(s.name + ".weight");
    const SafeTensor* b = f.find(s.name + ".bias");
    std::copy(w->data.begin(), w->data.end(), p.data.begin() + static_cast<std::ptrdiff_t>(s.w_offset));
    std::copy(b->data.begin(), b->data.end(), p.data.begin() + static_cast<std::ptrdiff_t>(s.b_offset));
  }
  *out = std::move(p);
  return Status::success();
}

Status classifier_load(const std::string& path, ClassifierParams* out) {
  std::vector<uint8_t> bytes;
  Status st = file_read_all(path, &bytes);
  return st ? classifier_parse(bytes.data(), bytes.size(), path, out) : st;
}
