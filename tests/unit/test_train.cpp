// Training: determinism from the seed, bit-exact resume from a checkpoint, and learning on real MNIST.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <unistd.h>

#include "fixtures.h"
#include "io/idx.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace {

// 784-32-4: small enough for many steps, image-sized for the trainer
VaeConfig mnist_tiny() { return tiny_config(784, {32}, 4); }

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("vae_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

// two trainers from the same start: `one` runs a step's blocks in turn, `two` side by side
void start_pair(Trainer& one, Trainer& two, const VaeConfig& c, const TrainOptions& o) {
  one.start(c, o);
  two.start(c, o);
  two.threads = 2;
}

}  // namespace

TEST_CASE("the same seed gives bit-identical weights after N steps", "[train]") {
  const Mat X = random_images(300, 1);
  TrainOptions o;
  o.batch = 50;
  o.seed = 123;
  Trainer a, b, c;
  a.start(mnist_tiny(), o);
  b.start(mnist_tiny(), o);
  o.seed = 124;
  c.start(mnist_tiny(), o);
  for (int i = 0; i < 15; ++i) {
    a.step(X);
    b.step(X);
    c.step(X);
  }
  CHECK(a.epoch == 2);
  CHECK(same_bits(a.params.data, b.params.data));
  CHECK_FALSE(same_bits(a.params.data, c.params.data));
}

TEST_CASE("training on 1 or 2 threads gives bit-identical weights", "[train]") {
  // the batch's two row blocks run in turn or side by side; every option that draws random
  // numbers in a step (dropout, the IWAE draws, L > 1, an odd batch, one image per batch) is covered
  const Mat X = random_images(210, 3);
  struct Case { const char* name; int batch, samples; float dropout; bool iwae; };
  for (const Case& k : {Case{"elbo", 50, 1, 0, false}, Case{"elbo L=2, odd batch", 35, 2, 0, false},
                        Case{"dropout", 42, 1, 0.3f, false}, Case{"iwae k=3", 30, 1, 0, true},
                        Case{"batch 1", 1, 1, 0, false}}) {
    INFO(k.name);
    VaeConfig c = mnist_tiny();
    c.dropout = k.dropout;
    if (k.iwae) {
      c.objective = Objective::iwae;
      c.iwae_k = 3;
    }
    TrainOptions o;
    o.batch = k.batch;
    o.samples = k.samples;
    o.seed = 31;
    Trainer one, two;
    start_pair(one, two, c, o);
    double loss_one = 0, loss_two = 0;
    for (int i = 0; i < 12; ++i) {
      loss_one += one.step(X).neg_elbo;
      loss_two += two.step(X).neg_elbo;
    }
    CHECK((two.side != nullptr) == (k.batch > 1));  // the second thread ran (one image is one block)
    CHECK(loss_one == loss_two);
    CHECK(same_bits(one.params.data, two.params.data));
    CHECK(same_bits(one.optimizer.m, two.optimizer.m));
  }
}

TEST_CASE("two threads that run some steps on one (the thread choice's probes) give the same bits as one", "[train]") {
  const Mat X = random_images(200, 5);
  TrainOptions o;
  o.batch = 40;
  o.seed = 9;
  Trainer one, two;
  start_pair(one, two, mnist_tiny(), o);
  int on_one = 0;
  for (int i = 0; i < ThreadChoice::kProbeFirst + 2 * ThreadChoice::kProbeSteps; ++i) {
    on_one += two.choice.two_threads() ? 0 : 1;
    CHECK(one.step(X).neg_elbo == two.step(X).neg_elbo);
  }
  CHECK(on_one >= ThreadChoice::kProbeSteps);  // a probe ran: some steps in turn on one thread
  CHECK(on_one < ThreadChoice::kProbeFirst);   // and most side by side
  CHECK(same_bits(one.params.data, two.params.data));
  CHECK(same_bits(one.optimizer.v, two.optimizer.v));
}

TEST_CASE("a step is the optimizer's update with the gradient of the batch mean, the held-back weights' included",
          "[train]") {
  // the step rebuilt outside the trainer: the epoch's order and the step's seed from its stream, each
  // block's images and gradient from the block's stream (computed in place: nothing held back),
  // their sum, one Adam update. The held-back products are summed in another order: a tolerance.
  const Mat X = random_images(90, 8);
  TrainOptions o;
  o.batch = 45;  // blocks of 23 and 22 rows
  o.seed = 12;
  for (int threads : {1, 2}) {
    INFO(threads << " threads");
    Trainer t;
    t.start(mnist_tiny(), o);
    t.threads = threads;
    Rng r = t.rng;
    std::vector<uint32_t> perm(static_cast<size_t>(X.rows()));
    std::iota(perm.begin(), perm.end(), 0u);
    for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[r.below(static_cast<uint32_t>(i + 1))]);
    const uint64_t step_seed = (static_cast<uint64_t>(r.next_u32()) << 32) | r.next_u32();
    VaeParams p = t.params;
    Optimizer want = t.optimizer;
    std::vector<float> g(p.size(), 0.0f);
    for (int s = 0, first = 0; s < 2; ++s) {
      const int rows = s == 0 ? 23 : 22;
      Rng rs;
      rs.reseed(step_seed, static_cast<uint64_t>(s) + 1);
      Mat x(rows, X.cols());
      for (int b = 0; b < rows; ++b) binarize(x.row(b), X.row(perm[static_cast<size_t>(first + b)]), rs);
      VaeWork w;
      w.resize(p, rows);
      w.mean_rows = o.batch;
      vae_forward_backward(w, p, x, no_labels(rows), rs, 1, true, 1.0f, true);
      for (size_t j = 0; j < g.size(); ++j) g[j] += w.grad[j];
      first += rows;
    }
    want.update(p.data.data(), g.data(), p.size());
    t.step(X);
    // m = (1 - b1) g after a first step: the gradient itself, element by element
    float largest = 0, worst = 0;
    for (size_t j = 0; j < g.size(); ++j) largest = std::max(largest, std::fabs(want.m[j]));
    for (size_t j = 0; j < g.size(); ++j) worst = std::max(worst, std::fabs(t.optimizer.m[j] - want.m[j]));
    CHECK(worst <= 1e-5f * largest);
    // and the weights, each moved by about lr: within a thousandth of it
    float apart = 0;
    for (size_t j = 0; j < g.size(); ++j) apart = std::max(apart, std::fabs(t.params.data[j] - p.data[j]));
    CHECK(apart <= 1e-3f * o.lr);
    // both held-back layers had a gradient to take
    for (const LinearSlot* slot : {&p.encoder[0], &p.decoder.back()}) {
      INFO(slot->name);
      const size_t n = static_cast<size_t>(slot->out) * static_cast<size_t>(slot->in);
      CHECK(std::any_of(want.m.begin() + static_cast<long>(slot->w_offset),
                        want.m.begin() + static_cast<long>(slot->w_offset + n), [](float m) { return m != 0.0f; }));
    }
  }
}

TEST_CASE("the optimizer clears the blocks' gradients as it reads them, and the next step skips clearing", "[train]") {
  const Mat X = random_images(120, 6);
  TrainOptions o;
  o.batch = 30;
  o.seed = 4;
  Trainer a, fresh;
  a.start(mnist_tiny(), o);
  a.step(X);
  for (const TrainShard& sh : a.shards) {
    CHECK(sh.work.grad_zero);
    CHECK(std::all_of(sh.work.grad.begin(), sh.work.grad.end(), [](float g) { return g == 0.0f; }));
  }
  // a trainer whose blocks clear their own gradients (a copy's fresh work) steps to the same bits
  fresh.copy_state(a);
  for (const TrainShard& sh : fresh.shards) CHECK_FALSE(sh.work.grad_zero);
  for (int i = 0; i < 3; ++i) CHECK(a.step(X).neg_elbo == fresh.step(X).neg_elbo);
  CHECK(same_bits(a.params.data, fresh.params.data));
}

namespace {
// steps of a ThreadChoice on a machine where a step takes two_s on two threads and one_s on one;
// the steps run on one thread
int run_choice(ThreadChoice& choice, int steps, double two_s, double one_s) {
  int on_one = 0;
  for (int i = 0; i < steps; ++i) {
    const bool two = choice.two_threads();
    on_one += two ? 0 : 1;
    choice.record(two ? two_s : one_s);
  }
  return on_one;
}
}  // namespace

TEST_CASE("the thread choice keeps two threads while they are faster, probing one less and less often", "[train]") {
  ThreadChoice choice;
  CHECK(choice.two_threads());
  const int on_one = run_choice(choice, 5000, 1.0e-3, 1.7e-3);
  CHECK(choice.kept_two_threads());
  // probes after 16, 32, 64, 128, 256, 512, then every 1024 steps: 9 in 5000 steps, 4 steps each
  CHECK(on_one == 9 * ThreadChoice::kProbeSteps);
  // a mode within the margin (3% faster) is not worth a switch
  run_choice(choice, 5000, 1.0e-3, 0.97e-3);
  CHECK(choice.kept_two_threads());
}

TEST_CASE("the thread choice runs on one thread while a busy core makes two slower, and on two once it is free", "[train]") {
  ThreadChoice choice;
  // another program on one core: two threads take 1.5 ms a step, one thread 1 ms; the run's first
  // probe, kProbeStart steps in, finds it
  run_choice(choice, ThreadChoice::kProbeStart + ThreadChoice::kProbeSteps, 1.5e-3, 1.0e-3);
  CHECK_FALSE(choice.kept_two_threads());
  const int on_one = run_choice(choice, 2000, 1.5e-3, 1.0e-3);
  CHECK_FALSE(choice.kept_two_threads());
  CHECK(on_one > 2000 - 6 * ThreadChoice::kProbeSteps);  // all but the probes of two threads
  // the core is free again: two threads 0.6 ms; the next probe (at most kProbeMost steps on) finds it
  run_choice(choice, ThreadChoice::kProbeMost + ThreadChoice::kProbeSteps, 0.6e-3, 1.0e-3);
  CHECK(choice.kept_two_threads());
}

TEST_CASE("a copy of a trainer's state goes on bit-identical to the original (the page's training thread)", "[train]") {
  const Mat X = random_images(90, 4);
  TrainOptions o;
  o.batch = 20;  // 4 steps an epoch: the copies below cross epoch boundaries (a fresh order each)
  o.seed = 17;
  Trainer original, copy;
  original.start(mnist_tiny(), o);
  for (int i = 0; i < 3; ++i) original.step(X);
  copy.copy_state(original);
  copy.threads = 2;  // the copy runs on the page's threads; the numbers do not depend on it
  for (int i = 0; i < 6; ++i) CHECK(original.step(X).neg_elbo == copy.step(X).neg_elbo);
  Trainer back;  // and back, as the page does when training pauses
  back.copy_state(copy);
  CHECK((copy.side != nullptr && back.side == nullptr));  // the thread is not part of the state
  for (int i = 0; i < 5; ++i) CHECK(original.step(X).neg_elbo == back.step(X).neg_elbo);
  CHECK(back.epoch == original.epoch);
  CHECK(back.cursor == original.cursor);
  CHECK(same_bits(original.params.data, back.params.data));
  CHECK(same_bits(original.optimizer.m, back.optimizer.m));
  CHECK(same_bits(original.optimizer.v, back.optimizer.v));
}

TEST_CASE("resuming from a checkpoint ends bit-identical to an uninterrupted run", "[train]") {
  const Mat X = random_images(200, 2);
  for (OptimizerKind kind : {OptimizerKind::adam, OptimizerKind::adagrad}) {
    INFO(optimizer_name(kind));
    TrainOptions o;
    o.batch = 40;
    o.samples = 2;
    o.optimizer = kind;
    o.lr = 3e-3f;
    o.seed = 9;
    Trainer straight;
    straight.start(mnist_tiny(), o);
    for (int i = 0; i < 20; ++i) straight.step(X);  // 4 epochs of 5 steps

    Trainer first;
    first.start(mnist_tiny(), o);
    for (int i = 0; i < 10; ++i) first.step(X);  // 2 epochs, then "killed"
    const std::string path = temp_path("resume.ckpt");
    REQUIRE(checkpoint_save(path, first, {}).ok);
    Trainer resumed;
    Status st = checkpoint_load(path, &resumed);
    REQUIRE(st.ok);
    CHECK(resumed.epoch == 2);
    for (int i = 0; i < 10; ++i) resumed.step(X);
    CHECK(resumed.epoch == 4);
    CHECK(same_bits(resumed.params.data, straight.params.data));
    CHECK(same_bits(resumed.optimizer.v, straight.optimizer.v));
    std::filesystem::remove(path);
  }
}

TEST_CASE("a weights file is not accepted as a checkpoint", "[train]") {
  Trainer t;
  t.start(mnist_tiny(), TrainOptions());
  const std::string path = temp_path("weights_only.safetensors");
  REQUIRE(file_write_atomic(path, safetensors_serialize(weights_to_safetensors(t.params, {}))).ok);
  Trainer other;
  Status st = checkpoint_load(path, &other);
  CHECK_FALSE(st.ok);
  CHECK_THAT(st.message, Catch::Contains("not a checkpoint"));
  std::filesystem::remove(path);
}

TEST_CASE("dynamic binarization draws each pixel as Bernoulli(intensity)", "[train]") {
  Mat intensities = Mat::Constant(200, 784, 0.25f);
  intensities.col(0).setZero();
  intensities.col(1).setOnes();
  Mat bits(200, 784);
  Rng rng(3);
  binarize(bits, intensities, rng);
  CHECK(bits.col(0).sum() == 0.0f);
  CHECK(bits.col(1).sum() == 200.0f);
  CHECK((bits.array() == 0.0f || bits.array() == 1.0f).all());
  CHECK(bits.rightCols(700).mean() == Approx(0.25).margin(0.005));
  // the fixed test binarization is the same every time; a training draw is not
  CHECK(binarize_fixed(intensities) == binarize_fixed(intensities));
  Mat again(200, 784);
  binarize(again, intensities, rng);
  CHECK(again != bits);
}

TEST_CASE("a short run on a subset of real MNIST lowers the test negative ELBO by a clear margin", "[train][mnist]") {
  Dataset train, test;
  Status st = mnist_load(VAE_MNIST_DIR, "train", &train);
  INFO(st.message << " (tools/setup.sh installs MNIST)");
  REQUIRE(st.ok);
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  const Mat subset = train.images.topRows(5000);
  const Mat test_binary = binarize_fixed(test.images.topRows(1000));
  const VaeConfig c = tiny_config(784, {200}, 10);
  TrainOptions o;
  o.seed = 5;
  Trainer t;
  t.start(c, o);
  VaeWork w;
  w.resize(t.params, 500);
  Rng r0(1);
  const double before = vae_evaluate(w, t.params, test_binary, r0).neg_elbo;
  for (int i = 0; i < 100; ++i) t.step(subset);  // 2 epochs of 50 batches
  Rng r1(1);
  const double after = vae_evaluate(w, t.params, test_binary, r1).neg_elbo;
  INFO("test negative ELBO " << before << " -> " << after);
  CHECK(before > 500);  // a fresh model: ~784 log 2 nats
  CHECK(after < 220);
}

TEST_CASE("beta = 0 trains a plain autoencoder: its codes leave N(0, I), the VAE's stay near it", "[train][mnist]") {
  Dataset train, test;
  REQUIRE(mnist_load(VAE_MNIST_DIR, "train", &train).ok);
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  const Mat subset = train.images.topRows(5000);
  const Mat test_binary = binarize_fixed(test.images.topRows(1000));
  double kl[2];
  for (int run = 0; run < 2; ++run) {
    TrainOptions o;
    o.seed = 9;
    o.beta = run == 0 ? 0.0f : 1.0f;
    Trainer t;
    t.start(tiny_config(784, {64}, 2), o);
    for (int i = 0; i < 300; ++i) t.step(subset);
    CHECK(scheduled_kl_weight(t.options, 1.0) == o.beta);
    VaeWork w;
    w.resize(t.params, 500);
    Rng r(1);
    kl[run] = vae_evaluate(w, t.params, test_binary, r).kl;
  }
  INFO("KL(q(z|x) || N(0, I)) over 1000 test digits: autoencoder " << kl[0] << " nats, VAE " << kl[1] << " nats");
  CHECK(kl[0] > 3 * kl[1]);
}

TEST_CASE("dynamic dequantization: x = (pixel + u) / 256 inside the pixel's bin, fresh each draw", "[train][family]") {
  Mat intensities(50, 784);
  for (Eigen::Index i = 0; i < intensities.size(); ++i) intensities.data()[i] = static_cast<float>(i % 256) / 255.0f;
  Mat x(50, 784);
  Rng rng(4);
  dequantize(x, intensities, rng);
  double u_sum = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double pixel = i % 256;
    REQUIRE(x.data()[i] >= pixel / 256);
    REQUIRE(x.data()[i] < (pixel + 1) / 256);
    u_sum += 256.0 * x.data()[i] - pixel;
  }
  CHECK(u_sum / x.size() == Approx(0.5).margin(0.01));  // u ~ U(0, 1)
  Mat again(50, 784);
  dequantize(again, intensities, rng);
  CHECK(again != x);
  // the test set: once, with the fixed seed, the same every time; binarized for a Bernoulli model
  CHECK(dequantize_fixed(intensities) == dequantize_fixed(intensities));
  CHECK(observe_fixed(intensities, Likelihood::gaussian) == dequantize_fixed(intensities));
  CHECK(observe_fixed(intensities, Likelihood::bernoulli) == binarize_fixed(intensities));
}

TEST_CASE("resuming a model with the family's options from a checkpoint ends bit-identical", "[train][family]") {
  const Mat X = random_images(200, 12);
  VaeConfig c = tiny_config(784, {32, 16}, 4, Activation::elu);
  c.likelihood = Likelihood::gaussian;
  c.posterior_scale = PosteriorScale::softplus;
  c.dropout = 0.1f;
  c.init = Init::xavier;
  c.objective = Objective::iwae;
  c.iwae_k = 3;
  TrainOptions o;
  o.batch = 40;
  o.seed = 5;
  Trainer straight;
  straight.start(c, o);
  for (int i = 0; i < 10; ++i) straight.step(X);
  Trainer first;
  first.start(c, o);
  for (int i = 0; i < 5; ++i) first.step(X);
  const std::string path = temp_path("family.ckpt");
  REQUIRE(checkpoint_save(path, first, {}).ok);
  Trainer resumed;
  REQUIRE(checkpoint_load(path, &resumed).ok);
  CHECK(resumed.params.config.describe() == c.describe());
  for (int i = 0; i < 5; ++i) resumed.step(X);
  CHECK(same_bits(resumed.params.data, straight.params.data));
  std::filesystem::remove(path);
}

TEST_CASE("short runs of a Gaussian decoder and of the IWAE objective on real MNIST improve their test figures",
          "[train][mnist][family]") {
  Dataset train, test;
  REQUIRE(mnist_load(VAE_MNIST_DIR, "train", &train).ok);
  REQUIRE(mnist_load(VAE_MNIST_DIR, "test", &test).ok);
  const Mat subset = train.images.topRows(5000);
  for (bool gaussian : {true, false}) {
    VaeConfig c = tiny_config(784, {100}, 10);
    if (gaussian) {
      c.likelihood = Likelihood::gaussian;
    } else {
      c.objective = Objective::iwae;
      c.iwae_k = 3;
    }
    INFO(c.describe());
    const Mat test_x = observe_fixed(test.images.topRows(500), c.likelihood);
    TrainOptions o;
    o.seed = 5;
    Trainer t;
    t.start(c, o);
    VaeWork w;
    w.resize(t.params, 500);
    Rng r0(1);
    const double before = vae_evaluate(w, t.params, test_x, r0).neg_elbo;
    double first_bound = 0;
    for (int i = 0; i < 100; ++i) {
      const double bound = t.step(subset).neg_elbo;
      if (i == 0) first_bound = bound;
    }
    Rng r1(1);
    const double after = vae_evaluate(w, t.params, test_x, r1).neg_elbo;
    INFO("test negative ELBO " << before << " -> " << after << "; first batch's training loss " << first_bound);
    if (gaussian) {
      // a density of grey levels in [0, 1]: a fresh model loses about 1 nat per pixel (-ELBO ~ +800); a
      // trained one gains nats (each pixel's density can reach 256, 5.5 nats): -ELBO below -400 in 100 steps
      CHECK(before > 500);
      CHECK(after < -400);
    } else {
      CHECK(before > 500);
      CHECK(after < 220);
    }
  }
}
