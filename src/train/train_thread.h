// Training on a thread of its own, for an interactive program (the page's two-thread build, the
// native window): the thread steps a copy of the program's Trainer (each batch split with the
// core's SideThread as usual), so a frame never waits for a step. The program's thread hands the
// state over when training starts, sends the options it may change (learning rate, batch, beta),
// takes the newest parameters and every step's loss when it draws (never waiting: a try-lock), and
// takes the whole state back when training stops. The steps are the Trainer's own: the same numbers
// as steps taken in the frame, bit for bit (tests/unit/test_train_thread.cpp).
// Without threads (WebAssembly built without pthreads) available() is false and the program steps
// in its frames instead.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "train/trainer.h"

// Training samples/s of a fresh model of `config` at `batch`, its blocks on `threads` threads (the
// second taken from *side, started there when null, and given back): `steps` timed steps after one
// warm-up step. The page's benchmark, on the training thread or (without threads) in the frame.
double training_samples_per_s(const VaeConfig& config, int batch, int steps, int threads,
                              std::unique_ptr<SideThread>& side, const ConstMatRef& images, const uint8_t* labels);

class TrainThread {
 public:
  struct Step {
    VaeLoss loss;
    double seconds = 0;  // the step's compute time
    long long epoch = 0, cursor = 0;  // the trainer's, after the step
  };

  static bool available();
  TrainThread() = default;
  ~TrainThread();
  TrainThread(const TrainThread&) = delete;
  TrainThread& operator=(const TrainThread&) = delete;

  // Starts stepping a copy of `from` (its batch blocks on `threads` threads, this one included) on
  // `images` (N x D) and `labels` (N, or null), which must stay as they are until stop() returns.
  // False (nothing started) without threads or when already training.
  bool start(const Trainer& from, int threads, const Mat& images, const uint8_t* labels);
  bool training() const { return mode_ == Mode::train; }
  bool benchmarking() const { return mode_ == Mode::bench; }
  // The options the next step uses (a new batch size restarts the epoch, as Trainer::prepare does).
  // Never waits: false when the thread held the lock (send them again next frame).
  bool set_options(const TrainOptions& options);
  // If a step has ended since the last call: the newest parameters swapped into `params` (its size
  // must be the model's), the ended steps appended to `steps`, true. Never waits for the thread.
  bool take(std::vector<float>& params, std::vector<Step>& steps);
  // Stops after the step under way (waits for it alone: a spin, not a sleep, as a browser's main
  // thread must), appends the steps not yet taken, and gives the training state back into *back (when
  // not null): its next step is the one this thread's would have been.
  void stop(Trainer* back, std::vector<Step>* steps = nullptr);

  // Training samples/s of a fresh model of `config` (batch, `threads` for its blocks) on this thread:
  // `steps` steps after one warm-up. bench_result() is negative until it has ended. False when
  // training or without threads.
  bool bench_start(const VaeConfig& config, int batch, int steps, int threads, const Mat& images, const uint8_t* labels);
  double bench_result();

 private:
  enum class Mode { idle, train, bench };
  void loop();
  void launch();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<Mode> mode_{Mode::idle};  // written under mutex_, read without it
  std::atomic<bool> in_work_{false};  // a step or benchmark under way (written under mutex_)
  bool quit_ = false;
  Trainer trainer_;
  const Mat* images_ = nullptr;
  const uint8_t* labels_ = nullptr;
  TrainOptions options_;       // the options sent for the next step
  bool options_changed_ = false;
  std::vector<float> published_;  // the parameters after the newest step
  bool fresh_ = false;            // published_ is newer than what take() gave last
  std::vector<Step> pending_;     // steps ended since take()
  VaeConfig bench_config_;
  int bench_batch_ = 0, bench_steps_ = 0, bench_threads_ = 1;
  double bench_result_ = -1;
  std::thread thread_;
};
