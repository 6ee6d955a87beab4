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

// How digit-like and how varied a model's samples from the prior are, as the classifier sees them:
// n codes z ~ N(0, I) decoded to Bernoulli means x_i, each with class probabilities p(c|x_i).
struct PriorSampleScore {
  double score = 0;       // exp(mean_i KL(p(c|x_i) || p(c))), p(c) = mean_i p(c|x_i): the "inception score"
                          // (Salimans et al. 2016) with this classifier; 1 to C (C: every class, each sure)
  double confidence = 0;  // mean_i max_c p(c|x_i)
  std::vector<double> class_share;  // p(c): the classes the samples look like
};
PriorSampleScore prior_sample_score(const VaeParams& model, const ClassifierParams& classifier, int n, Rng& rng);

Status classifier_save(const std::string& path, const ClassifierParams& p, const Metadata& provenance);
// A classifier file from bytes (messages prefixed with `source`): its config, and every layer's
// tensors present with their shapes before anything is allocated. *out is untouched on failure.
Status classifier_parse(const uint8_t* bytes, size_t size, const std::string& source, ClassifierParams* out);
Status classifier_load(const std::string& path, ClassifierParams* out);
