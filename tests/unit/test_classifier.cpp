// The MLP classifier used to score the conditional VAE: softmax cross-entropy, its gradients, and
// learning real MNIST digits.
#include <catch2/catch.hpp>

#include <cmath>

#include "gradcheck.h"
#include "io/idx.h"
#include "model/classifier.h"
#include "train/classifier_train.h"

TEST_CASE("softmax cross-entropy is stable at large logits and its gradient is softmax - onehot", "[classifier]") {
  Mat logits(2, 3);
  logits << 1000.0f, 0.0f, -1000.0f, 0.0f, std::log(2.0f), std::log(3.0f);
  const uint8_t labels[] = {0, 2};
  Vec loss(2);
  softmax_ce_forward(loss, logits, labels);
  REQUIRE(loss.allFinite());
  CHECK(loss[0] == Approx(0.0).margin(1e-6));
  CHECK(loss[1] == Approx(std::log(6.0 / 3.0)).epsilon(1e-5));  // p = 3 / (1 + 2 + 3)
  Mat d(2, 3);
  softmax_ce_backward(d, logits, labels, 1.0f);
  CHECK(d(1, 0) == Approx(1.0 / 6).epsilon(1e-5));
  CHECK(d(1, 2) == Approx(3.0 / 6 - 1).epsilon(1e-5));
  CHECK(d.row(0).cwiseAbs().maxCoeff() < 1e-6f);
}

TEST_CASE("classifier gradient matches finite differences for every tensor", "[classifier][grad]") {
  ClassifierParams p;
  p.build(10, {7, 5}, 4);
  Rng rng(3);
  p.init(rng);
  Mat X(6, 10);
  for (float& x : X.reshaped()) x = rng.uniform();
  const uint8_t labels[] = {0, 1, 2, 3, 1, 0};
  ClassifierWork w;
  w.resize(p, 6);
  classifier_forward_backward(w, p, X, labels);
  const std::vector<float> grad = w.grad;
  auto loss_at = [&](const std::vector<float>& theta) {
    ClassifierParams q = p;
    q.data = theta;
    ClassifierWork wq;
    wq.resize(q, 6);
    return classifier_forward_backward(wq, q, X, labels);
  };
  for (const LinearSlot& s : p.layers) {
    GradCheck cw = directional_check(loss_at, p.data, grad, s.w_offset, s.b_offset, 300 + s.w_offset, 1e-3);
    GradCheck cb = directional_check(loss_at, p.data, grad, s.b_offset, s.b_offset + s.out, 400 + s.b_offset, 1e-3);
    INFO(s.name << " weight " << cw.analytic << " vs " << cw.numeric << ", bias " << cb.analytic << " vs " << cb.numeric);
    CHECK(cw.relative_error() < 2e-2);
    CHECK(cb.relative_error() < 2e-2);
  }
}

TEST_CASE("the classifier learns MNIST digits from a short run", "[classifier][mnist]") {
  Dataset train, test;
  REQUIRE(mnist_load(VAE_MNIST_DIR, "train", &train).ok);
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  ClassifierTrainer t;
  t.start(784, {128}, 10, 100, 1e-3f, 7);
  const double before = classifier_accuracy(t.params, test.images.topRows(2000), test.labels.data());
  for (int i = 0; i < 600; ++i) t.step(train.images, train.labels.data());  // one epoch
  const double after = classifier_accuracy(t.params, test.images.topRows(2000), test.labels.data());
  INFO("test accuracy " << before << " -> " << after);
  CHECK(before < 0.3);  // chance is 0.1
  CHECK(after > 0.92);
}
