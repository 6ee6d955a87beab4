// Training on a thread of its own (the page's two-thread build, the native window): the steps are the
// Trainer's own, bit for bit, and the state comes back whole. Without threads (the single-thread
// WebAssembly build) the class says so and starts nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "fixtures.h"
#include "core/side_thread.h"
#include "train/train_thread.h"

namespace {

Trainer tiny_trainer() {
  TrainOptions o;
  o.batch = 20;  // 4 steps an epoch on 90 images: the runs cross epoch boundaries
  o.seed = 5;
  Trainer t;
  t.start(tiny_config(784, {32}, 4), o);
  return t;
}

// Takes what the thread has until `n` steps have ended (at most 60 s); the parameters taken last.
std::vector<TrainThread::Step> take_steps(TrainThread& tt, std::vector<float>& params, size_t n) {
  std::vector<TrainThread::Step> steps;
  const auto t0 = std::chrono::steady_clock::now();
  while (steps.size() < n && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60)) {
    if (!tt.take(params, steps)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return steps;
}

}  // namespace

TEST_CASE("training on its own thread takes the Trainer's steps, and gives the state back", "[train][thread]") {
  const Mat X = random_images(90, 8);
  Trainer mine = tiny_trainer(), reference = tiny_trainer();
  for (int i = 0; i < 2; ++i) {
    mine.step(X);
    reference.step(X);
  }
  TrainThread tt;
  if (!TrainThread::available()) {
    // the single-thread WebAssembly build: nothing starts, the program steps in its frames
    CHECK_FALSE(tt.start(mine, 2, X, nullptr));
    CHECK_FALSE(tt.training());
    CHECK_FALSE(tt.bench_start(mine.params.config, 20, 2, 1, X, nullptr));
    return;
  }
  REQUIRE(tt.start(mine, 2, X, nullptr));
  CHECK(tt.training());
  CHECK_FALSE(tt.start(mine, 2, X, nullptr));  // one run at a time
  std::vector<float> shown = mine.params.data;  // what a frame draws
  std::vector<TrainThread::Step> steps = take_steps(tt, shown, 7);
  std::vector<TrainThread::Step> rest;
  tt.stop(&mine, &rest);
  CHECK_FALSE(tt.training());
  steps.insert(steps.end(), rest.begin(), rest.end());
  REQUIRE(steps.size() >= 7);
  // every step's loss, in order, is the reference trainer's; the parameters a frame took last are
  // those after one of those steps
  bool shown_is_a_step = false;
  for (const TrainThread::Step& s : steps) {
    CHECK(s.loss.neg_elbo == reference.step(X).neg_elbo);
    CHECK(s.seconds > 0);
    shown_is_a_step = shown_is_a_step || same_bits(shown, reference.params.data);
  }
  CHECK(shown_is_a_step);
  // the state came back: same weights, moments, epoch, and the next step is the same
  CHECK(same_bits(mine.params.data, reference.params.data));
  CHECK(same_bits(mine.optimizer.v, reference.optimizer.v));
  CHECK(mine.epoch == reference.epoch);
  CHECK(mine.cursor == reference.cursor);
  CHECK(mine.step(X).neg_elbo == reference.step(X).neg_elbo);
}

TEST_CASE("training on its own thread follows the options sent to it", "[train][thread]") {
  const Mat X = random_images(90, 9);
  Trainer mine = tiny_trainer();
  TrainThread tt;
  if (!TrainThread::available()) {
    CHECK_FALSE(tt.start(mine, 1, X, nullptr));
    return;
  }
  REQUIRE(tt.start(mine, 1, X, nullptr));
  TrainOptions o = mine.options;
  o.batch = 30;
  o.lr = 5e-4f;
  o.beta = 0.5f;
  // set_options gives way (false) while the thread holds its lock to publish a step; ask until taken
  while (!tt.set_options(o)) std::this_thread::yield();
  std::vector<float> shown = mine.params.data;
  // the steps already ended (a tiny model's steps can pile up before the options are in), then
  // three more: at least two of those began after the options were set
  take_steps(tt, shown, 1);
  take_steps(tt, shown, 3);
  tt.stop(&mine);
  CHECK(mine.options.batch == 30);
  CHECK(mine.options.lr == 5e-4f);
  CHECK(mine.options.beta == 0.5f);
  CHECK(mine.shards[0].rows + mine.shards[1].rows == 30);  // the blocks follow the new batch
}

TEST_CASE("the training benchmark runs on the thread and reports samples/s", "[train][thread]") {
  const Mat X = random_images(90, 10);
  TrainThread tt;
  const VaeConfig c = tiny_config(784, {32}, 4);
  if (!TrainThread::available()) {
    CHECK_FALSE(tt.bench_start(c, 20, 3, 2, X, nullptr));
    CHECK(tt.bench_result() < 0);
    return;
  }
  REQUIRE(tt.bench_start(c, 20, 3, 2, X, nullptr));
  const auto t0 = std::chrono::steady_clock::now();
  while (tt.bench_result() < 0 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(tt.bench_result() > 0);
  Trainer t = tiny_trainer();
  CHECK(tt.start(t, 2, X, nullptr));  // idle again: training can start
  tt.stop(nullptr);
}

TEST_CASE("SideThread runs every posted job once, its writes seen after wait(), whether the waits watch or sleep",
          "[train][thread]") {
  // jobs far shorter than SideThread::kSpinSeconds (the waits end while watching) and far longer
  // (they end asleep), mixed, and gaps between jobs both ways, so that both sides take both paths;
  // the first 100 all long, so that the waits stop watching for a while
  SideThread side;
  const auto far_longer = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::duration<double>(3 * SideThread::kSpinSeconds));
  std::vector<int> seen(2000, 0);
  for (int i = 0; i < static_cast<int>(seen.size()); ++i) {
    const bool long_job = i < 100 || i % 7 == 3, long_gap = i % 11 == 5;
    side.post([&seen, i, long_job, far_longer] {
      if (long_job) std::this_thread::sleep_for(far_longer);
      seen[static_cast<size_t>(i)] += i + 1;
    });
    side.wait();
    REQUIRE(seen[static_cast<size_t>(i)] == i + 1);
    if (long_gap) std::this_thread::sleep_for(far_longer);
  }
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<int>(i) + 1);
}
