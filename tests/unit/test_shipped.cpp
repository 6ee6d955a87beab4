// The shipped Z = 2 pair, autoencoder (beta = 0) and VAE (beta = 1): what the page's comparison shows.
#include <catch2/catch.hpp>

#include "io/idx.h"
#include "io/weights.h"
#include "train/classifier_train.h"
#include "train/trainer.h"

namespace {
VaeParams load(const std::string& name) {
  VaeParams p;
  const Status st = weights_load(std::string(VAE_WEIGHTS_DIR) + "/" + name + ".safetensors", &p, nullptr);
  INFO(st.message);
  REQUIRE(st.ok);
  return p;
}
}  // namespace

TEST_CASE("the shipped autoencoder's codes leave N(0, I): its KL over test images is many times the VAE's", "[shipped]") {
  Dataset test;
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  const Mat X = binarize_fixed(test.images).topRows(1000);
  const VaeLoss ae = test_set_loss(load("mnist-ae-z2"), X), vae = test_set_loss(load("mnist-z2"), X);
  INFO("KL over 1000 test images: autoencoder " << ae.kl << " nats, VAE " << vae.kl << " nats");
  CHECK(ae.kl > 5 * vae.kl);
}

TEST_CASE("the shipped autoencoder's samples from the prior are measurably worse than the VAE's", "[shipped]") {
  ClassifierParams classifier;
  REQUIRE(classifier_load(std::string(VAE_WEIGHTS_DIR) + "/mnist-classifier.safetensors", &classifier).ok);
  Rng r1(1, 17), r2(1, 17);
  const PriorSampleScore ae = prior_sample_score(load("mnist-ae-z2"), classifier, 2000, r1);
  const PriorSampleScore vae = prior_sample_score(load("mnist-z2"), classifier, 2000, r2);
  int ae_rare = 0, vae_rare = 0;  // digits under 2% of the samples
  for (int c = 0; c < 10; ++c) ae_rare += ae.class_share[c] < 0.02, vae_rare += vae.class_share[c] < 0.02;
  INFO("classifier score (1 to 10) of 2000 prior samples: autoencoder " << ae.score << ", VAE " << vae.score
                                                                       << "; digits under 2%: " << ae_rare << " vs " << vae_rare);
  CHECK(ae.score < 0.75 * vae.score);
  CHECK(ae_rare >= 3);
  CHECK(vae_rare == 0);
}
