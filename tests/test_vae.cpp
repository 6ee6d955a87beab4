// The whole model: parameter layout, and the gradient of the negative ELBO with respect to every
// parameter tensor against finite differences (same eps on both sides: the rng is reseeded).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "fixtures.h"
#include "gradcheck.h"
#include "model/vae.h"

namespace {

Mat random_binary(int rows, int cols, Rng& rng) {
  Mat X(rows, cols);
  for (float& x : X.reshaped()) x = rng.uniform() < 0.4f ? 1.0f : 0.0f;
  return X;
}

// Checks d(-ELBO)/d(tensor) for the weight and bias of every layer of a small model (conditional
// models get random labels).
void check_all_tensors(const VaeConfig& config, int samples, double h) {
  VaeParams p;
  p.build(config);
  Rng init(7);
  p.init(init);
  const int B = 3;
  Rng data_rng(8);
  Mat X = random_binary(B, config.input, data_rng);
  std::vector<uint8_t> labels(B);
  for (uint8_t& y : labels) y = static_cast<uint8_t>(data_rng.below(std::max(1, config.classes)));
  const Mat Y = config.classes > 0 ? one_hot(labels.data(), B, config.classes) : no_labels(B);
  VaeWork w;
  w.resize(p, B);
  Rng eps_rng(9);
  vae_forward_backward(w, p, X, Y, eps_rng, samples, true);
  const std::vector<float> grad = w.grad;
  auto loss_at = [&](const std::vector<float>& theta) {
    VaeParams q = p;
    q.data = theta;
    VaeWork wq;
    wq.resize(q, B);
    Rng r(9);
    return vae_forward_backward(wq, q, X, Y, r, samples, false).neg_elbo;
  };
  for (const LinearSlot* s : p.slots()) {
    const size_t w_size = static_cast<size_t>(s->out) * s->in;
    GradCheck cw = directional_check(loss_at, p.data, grad, s->w_offset, s->w_offset + w_size, 100 + s->w_offset, h);
    GradCheck cb = directional_check(loss_at, p.data, grad, s->b_offset, s->b_offset + s->out, 200 + s->b_offset, h);
    INFO(s->name << ".weight analytic " << cw.analytic << " numeric " << cw.numeric);
    CHECK(cw.relative_error(noise_floor(h)) < 2e-2);
    INFO(s->name << ".bias analytic " << cb.analytic << " numeric " << cb.numeric);
    CHECK(cb.relative_error(noise_floor(h)) < 2e-2);
  }
}

}  // namespace

TEST_CASE("parameters are laid out contiguously with the heads adjacent", "[vae]") {
  const VaeConfig c = tiny_config(10, {6, 4}, 3);
  VaeParams p;
  p.build(c);
  // 10*6+6 + 6*4+4 + 2*(4*3+3) + 3*4+4 + 4*6+6 + 6*10+10
  CHECK(p.size() == 66 + 28 + 30 + 16 + 30 + 70);
  CHECK(p.logvar.w_offset == p.mu.w_offset + 12);
  CHECK(p.mu.b_offset == p.logvar.w_offset + 12);
  CHECK(p.logvar.b_offset == p.mu.b_offset + 3);
  std::set<std::string> names;
  for (const LinearSlot* s : p.slots()) names.insert(s->name);
  CHECK(names == std::set<std::string>{"encoder.0", "encoder.1", "encoder.mu", "encoder.logvar", "decoder.0",
                                       "decoder.1", "decoder.2"});
  CHECK(p.decoder.back().out == 10);
  CHECK(c.describe() == "10-6-4-3-4-6-10 relu");
}

TEST_CASE("negative ELBO gradient matches finite differences for every tensor (tanh, one sample)", "[vae][grad]") {
  check_all_tensors(tiny_config(12, {7}, 3, Activation::tanh), 1, 1e-2);
}

TEST_CASE("negative ELBO gradient matches finite differences for every tensor (relu, two layers, L = 3)",
          "[vae][grad]") {
  // small steps: a larger one carries some relu pre-activations across their kink
  check_all_tensors(tiny_config(12, {9, 6}, 4, Activation::relu), 3, 1e-3);
}

TEST_CASE("negative ELBO is the batch mean of reconstruction plus KL", "[vae]") {
  Rng rng(3);
  VaeParams p = tiny_model(tiny_config(16, {8}, 2), rng);
  Mat X = random_binary(4, 16, rng);
  VaeWork w;
  w.resize(p, 4);
  Rng r1(5);
  VaeLoss loss = vae_forward_backward(w, p, X, r1, 1, false);
  CHECK(loss.neg_elbo == Approx(loss.bce + loss.kl));
  CHECK(loss.kl > 0);
  // a fresh model predicts ~1/2 everywhere: about 16 log 2 nats of reconstruction per image
  CHECK(loss.bce == Approx(16 * std::log(2.0)).epsilon(0.3));
  // evaluation in batches agrees with the one-batch forward pass under the same eps
  Rng r2(5);
  VaeLoss eval = vae_evaluate(w, p, X, r2, 1);
  CHECK(eval.neg_elbo == Approx(loss.neg_elbo).epsilon(1e-5));
}

TEST_CASE("conditional VAE gradient matches finite differences for every tensor", "[vae][grad][cvae]") {
  check_all_tensors(tiny_config(12, {7}, 3, Activation::tanh, 4), 2, 1e-2);
}

TEST_CASE("conditional VAE takes [x | y] into the encoder and [z | y] into the decoder", "[vae][cvae]") {
  const VaeConfig c = tiny_config(10, {6}, 2, Activation::relu, 3);
  VaeParams p;
  p.build(c);
  CHECK(p.encoder[0].in == 13);
  CHECK(p.decoder[0].in == 5);
  CHECK(p.mu.in == 6);
  Rng rng(1);
  p.init(rng);
  // the same z decodes differently under different labels
  VaeWork w;
  w.resize(p, 2);
  Mat z = Mat::Zero(2, 2), logits(2, 10);
  const uint8_t labels[] = {0, 2};
  vae_decode(logits, w, p, z, one_hot(labels, 2, 3));
  CHECK((logits.row(0) - logits.row(1)).cwiseAbs().maxCoeff() > 1e-3f);
  CHECK(c.describe() == "10-6-2-6-10 relu, conditional on 3 classes");
}
