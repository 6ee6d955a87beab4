// The app's session (src/app/session): what the page's views share, tested without any UI. A corrupt
// or unfit upload keeps the current model; a model installed bumps the serial the views follow; the
// one-image figures are the core's; training steps change the model and record its curve.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "app/session/session.h"
#include "fixtures.h"
#include "io/safetensors.h"

namespace {

std::vector<uint8_t> weights_bytes(const VaeConfig& c, uint64_t seed) {
  Rng rng(seed);
  return safetensors_serialize(weights_to_safetensors(tiny_model(c, rng), {}, "F32"));
}

// n random images of intensities in [0, 1] with labels 0..9 in turn.
Dataset random_dataset(int n, uint64_t seed) {
  Dataset d;
  d.images = random_images(n, seed);
  for (int i = 0; i < n; ++i) d.labels.push_back(static_cast<uint8_t>(i % 10));
  return d;
}

// The session shows a Z = 2 model of 784 - 16 - 2 with random weights.
void small_model(Session& s) { session_new_random_model(s, tiny_config(784, {16}, 2), 7); }

}  // namespace

TEST_CASE("session: a corrupt upload keeps the current model and says why", "[session]") {
  Session s;
  small_model(s);
  const std::vector<float> before = s.trainer.params.data;
  const long long serial = s.model_serial;
  const std::vector<uint8_t> junk = {'n', 'o', 't', ' ', 'a', ' ', 'f', 'i', 'l', 'e'};
  CHECK_FALSE(session_load_weights(s, junk.data(), junk.size(), "junk.safetensors"));
  CHECK(s.status_error);
  CHECK(s.status.find("Not loaded (the current model is kept)") != std::string::npos);
  CHECK(s.status.find("junk.safetensors") != std::string::npos);
  CHECK(same_bits(s.trainer.params.data, before));
  CHECK(s.model_serial == serial);
}

TEST_CASE("session: a model that does not fit 28x28 digits of 10 classes is refused", "[session]") {
  Session s;
  small_model(s);
  const std::vector<uint8_t> bytes = weights_bytes(tiny_config(100, {8}, 2), 1);
  CHECK_FALSE(session_load_weights(s, bytes.data(), bytes.size(), "small.safetensors"));
  CHECK(s.status.find("28x28") != std::string::npos);
  CHECK(s.trainer.params.config.input == 784);
}

TEST_CASE("session: loading weights installs the model and bumps the serial the views follow", "[session]") {
  Session s;
  small_model(s);
  const long long serial = s.model_serial, version = s.version;
  const std::vector<uint8_t> bytes = weights_bytes(tiny_config(784, {32}, 5), 2);
  REQUIRE(session_load_weights(s, bytes.data(), bytes.size(), "five.safetensors"));
  CHECK_FALSE(s.status_error);
  CHECK(s.trainer.params.config.latent == 5);
  CHECK(s.model_serial == serial + 1);
  CHECK(s.version > version);
  CHECK(s.model_source == "five.safetensors");
  CHECK(s.training.steps == 0);
  // its bytes written back are the same parameters
  const std::vector<uint8_t> again = session_weights_bytes(s, "F32");
  VaeParams p;
  REQUIRE(weights_parse(again.data(), again.size(), "again", &p, nullptr).ok);
  CHECK(same_bits(p.data, s.trainer.params.data));
  CHECK(session_download_name(s, "F16") == "vae-z5-h32-f16.safetensors");
}

TEST_CASE("session: data for another dataset than the current one is ignored, and corrupt data says which split", "[session]") {
  Session s;
  small_model(s);
  const std::vector<uint8_t> junk(40, 7);
  CHECK_FALSE(session_load_dataset(s, "fashion-mnist", "test", junk.data(), junk.size(), junk.data(), junk.size()));
  CHECK_FALSE(s.status_error);
  const long long serial = s.data_serial;
  CHECK_FALSE(session_load_dataset(s, "mnist", "test", junk.data(), junk.size(), junk.data(), junk.size()));
  CHECK(s.status_error);
  CHECK(s.status.find("MNIST test set not loaded") != std::string::npos);
  CHECK(s.test.labels.empty());
  CHECK(s.data_serial == serial);
}

TEST_CASE("session: the one-image figures of a test image are the core's: ELBO = recon - KL", "[session]") {
  Session s;
  small_model(s);
  session_install_dataset(s, "test", random_dataset(20, 3));
  one_image_show_test(s, 3);
  const long long serial = s.one_image.serial;
  one_image_update(s);
  const OneImage& o = s.one_image;
  REQUIRE(o.ready);
  CHECK(o.label == 3);
  CHECK(o.x.rows() == 1);
  CHECK(o.x.cols() == 784);
  CHECK(o.kl.size() == 2);
  CHECK(o.elbo == Approx(o.recon.recon - o.kl.cast<double>().sum()));
  CHECK(o.elbo < 0);
  CHECK(o.decoded_mu.cols() == 784);
  CHECK(o.cloud.rows() == kCloudStrip);
  CHECK(o.serial > serial);
  CHECK(o.log_px.count > 0);
  // z = mu + sigma * eps, with the eps drawn
  for (int j = 0; j < 2; ++j) CHECK(o.z(0, j) == Approx(o.q.mu[j] + o.q.sigma[j] * o.eps(0, j)));
  // a new eps: a new z, the same q(z|x)
  const Mat z = o.z;
  const Vec mu = o.q.mu;
  one_image_draw_eps(s);
  one_image_update(s);
  CHECK((s.one_image.z - z).cwiseAbs().maxCoeff() > 0);
  CHECK((s.one_image.q.mu - mu).cwiseAbs().maxCoeff() == 0);
}

TEST_CASE("session: a test image past the end shows the last and says so", "[session]") {
  Session s;
  small_model(s);
  session_install_dataset(s, "test", random_dataset(10, 4));
  one_image_show_test(s, 25);
  one_image_update(s);
  CHECK(s.one_image.ready);
  CHECK(s.one_image.test_index == 9);
  CHECK(s.status_error);
  CHECK(s.status.find("no test image #25") != std::string::npos);
}

TEST_CASE("session: an empty pad gives no figures and a drawing does", "[session]") {
  Session s;
  small_model(s);
  one_image_show_drawing(s);
  one_image_set_drawing(s, std::vector<float>(784, 0.0f), false, true, 0);
  one_image_update(s);
  CHECK_FALSE(s.one_image.ready);
  std::vector<float> pad(784, 0.0f);
  for (int y = 8; y < 20; ++y) pad[static_cast<size_t>(y * 28 + 14)] = 1.0f;  // a stroke: a "1"
  one_image_set_drawing(s, pad, true, true, 0);
  one_image_update(s);
  REQUIRE(s.one_image.ready);
  CHECK(s.one_image.what == "your drawing (prepared)");
  CHECK(s.one_image.x.maxCoeff() > 0.5f);
}

TEST_CASE("session: training steps change the model and record the curve, paused they stop", "[session]") {
  Session s;
  small_model(s);
  session_install_dataset(s, "train", random_dataset(200, 5));
  s.trainer.options.batch = 20;
  const std::vector<float> before = s.trainer.params.data;
  const long long version = s.version;
  session_start_training(s);
  CHECK(s.training.running);
  // with threads the steps run beside the frames, which take their results: call frames until some came
  const auto start = std::chrono::steady_clock::now();
  while (s.training.steps < 3 && std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    session_train_frame(s);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  session_pause_training(s);
  CHECK_FALSE(s.training.running);
  REQUIRE(s.training.steps >= 3);
  CHECK(s.training.curve.size() == static_cast<size_t>(s.training.steps));
  CHECK(s.training.elbo.size() == static_cast<size_t>(s.training.steps));
  CHECK(s.version > version);
  CHECK_FALSE(same_bits(s.trainer.params.data, before));
  const long long steps = s.training.steps;
  session_train_frame(s);  // paused: nothing happens
  CHECK(s.training.steps == steps);
  CHECK(session_elbo_text(s).find("batch ELBO") == 0);
}

TEST_CASE("session: the slow-motion step applies one update at its last stage, and Back restores the weights",
          "[session]") {
  Session s;
  small_model(s);
  session_install_dataset(s, "train", random_dataset(100, 6));
  const std::vector<float> before = s.trainer.params.data;
  REQUIRE(slow_step_begin(s));
  CHECK(s.slow_step.stage == StepStage::encode);
  CHECK(s.slow_step.trace.mu.rows() == kStepBatch);
  for (int i = 0; i < 4; ++i) slow_step_next(s);
  CHECK(s.slow_step.stage == StepStage::backward);
  CHECK(same_bits(s.trainer.params.data, before));  // nothing moved before the update
  slow_step_next(s);
  CHECK(s.slow_step.stage == StepStage::update);
  CHECK_FALSE(same_bits(s.trainer.params.data, before));
  CHECK(s.training.steps == 1);
  CHECK_FALSE(s.slow_step.trace.mu_after.isApprox(s.slow_step.trace.mu));
  slow_step_back(s);
  CHECK(s.slow_step.stage == StepStage::backward);
  CHECK(same_bits(s.trainer.params.data, before));
  CHECK(s.training.steps == 0);
  // forward again, then Next begins another batch on the updated model
  slow_step_set_stage(s, StepStage::update);
  const std::vector<int> first = s.slow_step.images;
  slow_step_next(s);
  CHECK(s.slow_step.stage == StepStage::encode);
  CHECK(s.slow_step.images != first);
  CHECK(s.training.steps == 1);
}

TEST_CASE("session: without training images the slow-motion step waits and says so", "[session]") {
  Session s;
  small_model(s);
  CHECK_FALSE(slow_step_begin(s));
  CHECK(s.status.find("training images") != std::string::npos);
  CHECK_FALSE(s.slow_step.active);
}

TEST_CASE("session: the true posterior and the fitted q follow the inspected image", "[session]") {
  Session s;
  small_model(s);
  session_install_dataset(s, "test", random_dataset(20, 3));
  one_image_show_test(s, 3);
  s.one_image.posterior_on = true;
  s.one_image.fit_on = true;
  for (int i = 0; i < 2000 && !s.one_image.split_ready; ++i) one_image_update(s);
  const OneImage& o = s.one_image;
  REQUIRE(o.posterior.n == 64);
  REQUIRE(o.split_ready);
  CHECK(o.is_weight.sum() == Approx(1.0).epsilon(1e-4));
  CHECK(o.split.elbo_encoder == Approx(o.elbo).epsilon(1e-9));
  CHECK(o.split.elbo_fit >= o.split.elbo_encoder);
  CHECK(o.split.log_px == Approx(o.posterior.log_px).margin(0.1));
  // another image: both start again
  one_image_show_test(s, 4);
  one_image_update(s);
  CHECK(s.one_image.fit.steps < kFitQSteps);
}
