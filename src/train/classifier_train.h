// Training and scoring the MLP classifier (Adam on softmax cross-entropy, minibatches in a fresh
// order each epoch), and its weights file: "classifier.{i}.weight/bias" with a "classifier" config.
#pragma once
#include <string>
#include <vector>

#include "core/optim.h"
#include "io/weights.h"
#include "model/classifier.h"

struct ClassifierTrainer {
  ClassifierParams params;
  ClassifierWork work;
  Optimizer optimizer;
  Rng rng;
  int batch = 100;
  std::vector<uint32_t> perm;
  long long cursor = 0, epoch = 0;
  Mat xb;
  std::vector<uint8_t> yb;

  void start(int input, const std::vector<int>& hidden, int classes, int batch, float lr, uint64_t seed);
  // One step on the next batch of images (N x D intensities) with their labels (N). Returns the loss.
  double step(const ConstMatRef& images, const uint8_t* labels);
};

// Share of rows of X whose predicted class equals labels.
double classifier_accuracy(const ClassifierParams& p, const ConstMatRef& X, const uint8_t* labels);

Status classifier_save(const std::string& path, const ClassifierParams& p, const Metadata& provenance);
// A classifier file from bytes (messages prefixed with `source`): its config, and every layer's
// tensors present with their shapes before anything is allocated. *out is untouched on failure.
Status classifier_parse(const uint8_t* bytes, size_t size, const std::string& source, ClassifierParams* out);
Status classifier_load(const std::string& path, ClassifierParams* out);
