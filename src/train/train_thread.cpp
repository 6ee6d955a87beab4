#include "train/train_thread.h"

#include <algorithm>
#include <chrono>

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define VAE_NO_THREADS 1
#endif

static double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double training_samples_per_s(const VaeConfig& config, int batch, int steps, int threads,
                              std::unique_ptr<SideThread>& side, const ConstMatRef& images, const uint8_t* labels) {
  TrainOptions o;
  o.batch = batch;
  Trainer t;
  t.start(config, o);
  t.threads = threads;
  t.side = std::move(side);
  t.step(images, labels);  // warm-up (it also starts the block thread when there is none)
  const double t0 = seconds_now();
  for (int s = 0; s < steps; ++s) t.step(images, labels);
  const double rate = double(batch) * steps / std::max(seconds_now() - t0, 1e-9);
  side = std::move(t.side);
  return rate;
}

bool TrainThread::available() {
#ifdef VAE_NO_THREADS
  return false;
#else
  return true;
#endif
}

TrainThread::~TrainThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void TrainThread::launch() {
#ifndef VAE_NO_THREADS
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
#endif
}

bool TrainThread::start(const Trainer& from, int threads, const Mat& images, const uint8_t* labels) {
  if (!available()) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (mode_ != Mode::idle || in_work_) return false;
    trainer_.copy_state(from);
    trainer_.threads = threads;
    // the blocks' thread is started here, on the caller's thread: in WebAssembly a thread started
    // from another thread waits for the main thread's event loop, which a blocked main never runs
    if (threads > 1 && !trainer_.side) trainer_.side = std::make_unique<SideThread>();
    images_ = &images;
    labels_ = labels;
    options_ = from.options;
    options_changed_ = false;
    published_ = trainer_.params.data;
    fresh_ = false;
    pending_.clear();
    mode_ = Mode::train;
  }
  launch();
  wake_.notify_one();
  return true;
}

bool TrainThread::set_options(const TrainOptions& options) {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  options_ = options;
  options_changed_ = true;
  return true;
}

bool TrainThread::take(std::vector<float>& params, std::vector<Step>& steps) {
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || !fresh_) return false;
  if (params.size() == published_.size()) params.swap(published_);
  steps.insert(steps.end(), pending_.begin(), pending_.end());
  pending_.clear();
  fresh_ = false;
  return true;
}

void TrainThread::stop(Trainer* back, std::vector<Step>* steps) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (mode_ == Mode::train) mode_ = Mode::idle;
  // the step under way ends (a browser's main thread may not sleep on a condition variable); the
  // spin holds no lock, so the thread can take it to finish
  lock.unlock();
  while (in_work_ || mode_ == Mode::bench) std::this_thread::yield();
  lock.lock();
  if (steps) steps->insert(steps->end(), pending_.begin(), pending_.end());
  pending_.clear();
  fresh_ = false;
  if (back && images_) back->copy_state(trainer_);
  images_ = nullptr;
  labels_ = nullptr;
}

bool TrainThread::bench_start(const VaeConfig& config, int batch, int steps, int threads, const Mat& images,
                              const uint8_t* labels) {
  if (!available()) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (mode_ != Mode::idle || in_work_) return false;
    bench_config_ = config;
    bench_batch_ = batch;
    bench_steps_ = steps;
    bench_threads_ = threads;
    bench_result_ = -1;
    // the benchmark borrows the training's block thread (one runs at a time): two workers in all
    if (threads > 1 && !trainer_.side) trainer_.side = std::make_unique<SideThread>();  // as in start()
    images_ = &images;
    labels_ = labels;
    mode_ = Mode::bench;
  }
  launch();
  wake_.notify_one();
  return true;
}

double TrainThread::bench_result() {
  std::lock_guard<std::mutex> lock(mutex_);
  return bench_result_;
}

void TrainThread::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return quit_ || mode_ != Mode::idle; });
    if (quit_) return;
    in_work_ = true;
    if (mode_ == Mode::bench) {
      // a fresh model on the training's block thread (bench_start made sure there is one)
      const VaeConfig config = bench_config_;
      const int batch = bench_batch_, steps = bench_steps_, threads = bench_threads_;
      const Mat& images = *images_;
      const uint8_t* labels = labels_;
      lock.unlock();
      const double rate = training_samples_per_s(config, batch, steps, threads, trainer_.side, images, labels);
      lock.lock();
      bench_result_ = rate;
      images_ = nullptr;
      labels_ = nullptr;
      mode_ = Mode::idle;
    } else {
      if (options_changed_) {
        const bool new_batch = options_.batch != trainer_.options.batch;
        trainer_.options = options_;
        if (new_batch) {
          trainer_.cursor = 0;  // the epoch restarts with the new batch size
          trainer_.prepare();
        }
        options_changed_ = false;
      }
      lock.unlock();
      const double t0 = seconds_now();
      Step step;
      step.loss = trainer_.step(*images_, labels_);
      step.seconds = seconds_now() - t0;
      step.epoch = trainer_.epoch;
      step.cursor = trainer_.cursor;
      lock.lock();
      pending_.push_back(step);
      published_ = trainer_.params.data;
      fresh_ = true;
    }
    in_work_ = false;
  }
}
