// The whole model: parameter layout, and the gradient of the negative ELBO with respect to every
// parameter tensor against finite differences (same eps on both sides: the rng is reseeded).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "fixtures.h"
#include "model_gradcheck.h"

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

namespace {
// tiny_config with the model family's options set by `set`
template <typename F>
VaeConfig family_config(int input, std::vector<int> hidden, int latent, Activation act, F set) {
  VaeConfig c = tiny_config(input, std::move(hidden), latent, act);
  set(c);
  REQUIRE(c.validate().ok);
  return c;
}
}  // namespace

TEST_CASE("Gaussian decoder (log-variance per pixel) gradient matches finite differences for every tensor",
          "[vae][grad][family]") {
  check_all_tensors(family_config(12, {7}, 3, Activation::tanh, [](VaeConfig& c) { c.likelihood = Likelihood::gaussian; }),
                    2, 1e-2);
}

TEST_CASE("Gaussian decoder (one shared log-variance) gradient matches finite differences for every tensor",
          "[vae][grad][family]") {
  check_all_tensors(family_config(12, {7}, 3, Activation::tanh, [](VaeConfig& c) {
                      c.likelihood = Likelihood::gaussian;
                      c.variance = DecoderVariance::shared;
                    }),
                    1, 1e-2);
}

TEST_CASE("ELU gradient matches finite differences for every tensor", "[vae][grad][family]") {
  check_all_tensors(tiny_config(12, {8, 6}, 3, Activation::elu), 1, 1e-3);
}

TEST_CASE("softplus sigma gradient matches finite differences for every tensor", "[vae][grad][family]") {
  check_all_tensors(family_config(12, {7}, 3, Activation::tanh,
                                  [](VaeConfig& c) { c.posterior_scale = PosteriorScale::softplus; }),
                    2, 1e-2);
}

TEST_CASE("dropout (fixed masks) gradient matches finite differences for every tensor", "[vae][grad][family]") {
  check_all_tensors(family_config(12, {8, 6}, 3, Activation::tanh, [](VaeConfig& c) { c.dropout = 0.2f; }), 1, 1e-2,
                    true);
}

TEST_CASE("the seed network (ELU, dropout, softplus sigma, Xavier init) gradient matches finite differences",
          "[vae][grad][family]") {
  check_all_tensors(family_config(12, {9, 7}, 3, Activation::elu, [](VaeConfig& c) {
                      c.dropout = 0.2f;
                      c.posterior_scale = PosteriorScale::softplus;
                      c.init = Init::xavier;
                    }),
                    1, 1e-3, true);
}

TEST_CASE("dropout is drawn in training only: evaluation and encoding never drop units", "[vae][family]") {
  VaeConfig c = tiny_config(12, {8}, 3, Activation::relu);
  Rng rng(3);
  VaeParams p = tiny_model(c, rng);
  VaeParams q = p;
  q.config.dropout = 0.5f;
  const Mat X = random_binary(4, 12, rng);
  VaeWork wp, wq;
  wp.resize(p, 4);
  wq.resize(q, 4);
  // the same weights: dropout changes nothing outside training
  vae_encode(wp, p, X);
  vae_encode(wq, q, X);
  CHECK(wp.heads == wq.heads);
  Rng r1(4), r2(4);
  CHECK(vae_evaluate(wp, p, X, r1).neg_elbo == vae_evaluate(wq, q, X, r2).neg_elbo);
  // in training about half the units are dropped, the rest scaled by 1 / (1 - P) = 2
  Rng r3(5);
  vae_forward_backward(wq, q, X, no_labels(4), r3, 1, false, 1.0f, true);
  const Mat& mask = wq.enc_mask[0];
  CHECK(((mask.array() == 0.0f) || (mask.array() == 2.0f)).all());
  CHECK((mask.array() == 0.0f).count() > 4);
  CHECK((mask.array() == 2.0f).count() > 4);
  CHECK((wq.enc_h[0].array() == 0.0f).count() >= (mask.array() == 0.0f).count());
}

TEST_CASE("the model family's options are described after the architecture", "[vae][family]") {
  VaeConfig c = tiny_config(10, {6}, 2, Activation::elu);
  c.likelihood = Likelihood::gaussian;
  c.posterior_scale = PosteriorScale::softplus;
  c.dropout = 0.1f;
  c.init = Init::xavier;
  c.objective = Objective::iwae;
  c.iwae_k = 50;
  CHECK(c.describe() ==
        "10-6-2-6-10 elu, gaussian decoder (variance per pixel), sigma = softplus + 1e-6, dropout 0.1, xavier init, iwae k=50");
  c.iwae_k = 1;
  c.objective = Objective::elbo;
  c.iwae_k = 2;
  CHECK_THAT(c.validate().message, Catch::Contains("iwae_k is for the iwae objective"));
}
