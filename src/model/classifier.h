// A small MLP classifier of MNIST digits (784 -> hidden ReLU layers -> 10 softmax), built from the
// same layers as the VAE. It scores the conditional VAE: do its samples show the asked-for digit?
#pragma once
#include <vector>

#include "core/layers.h"
#include "core/rng.h"
#include "model/vae.h"

struct ClassifierParams {
  int input = 784, classes = 10;
  std::vector<int> hidden = {512, 512};
  std::vector<LinearSlot> layers;  // "classifier.{i}": hidden layers then the logits layer
  std::vector<float> data;         // P floats

  void build(int input, const std::vector<int>& hidden, int classes);
  void init(Rng& rng);  // U(-1/sqrt(in), 1/sqrt(in)) like nn.Linear
  size_t size() const { return data.size(); }
  ConstMatMap W(const LinearSlot& s) const { return ConstMatMap(data.data() + s.w_offset, s.out, s.in); }
  ConstVecMap b(const LinearSlot& s) const { return ConstVecMap(data.data() + s.b_offset, s.out); }
};

struct ClassifierWork {
  int batch = 0;
  std::vector<Mat> h, dh;  // B x H_i post-activation and its gradient
  Mat logits, dlogits;     // B x C
  Vec loss;                // B
  Mat d_unused;
  std::vector<float> grad;  // P

  void resize(const ClassifierParams& p, int batch);
};

// logits (n x C) of X (n x D), n <= w.batch
void classifier_forward(MatRef logits, ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X);
// Mean cross-entropy of a batch (B = w.batch) and its gradient in w.grad (overwritten).
double classifier_forward_backward(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X,
                                   const uint8_t* labels);
// The classifier's class probabilities p(c|x) (n x C) of each row of X, softmax(logits).
Mat classifier_probabilities(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X);
// Predicted class of every row of X (any number of rows, in batches of w.batch).
std::vector<uint8_t> classifier_predict(ClassifierWork& w, const ClassifierParams& p, const ConstMatRef& X);
