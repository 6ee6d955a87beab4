#include "core/side_thread.h"

#include <chrono>

#if defined(__SSE__) && !defined(__EMSCRIPTEN__)
#include <xmmintrin.h>
#define VAE_HAS_MXCSR 1
#endif

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define VAE_NO_THREADS 1
#endif

namespace {
// Watches until want() holds or SideThread::kSpinSeconds have passed; whether it held. The clock is
// read every 64 looks (a look is one load of an atomic flag).
template <class Want>
bool spin_for(const Want& want) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(SideThread::kSpinSeconds);
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (want()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= end) return false;
  }
}
}  // namespace

// Watches only while watching pays: measured here, 87-89% of the watches ended in time on an idle
// machine and 31-39% with the other core kept busy, where watching cost 2-thread training a quarter
// of its speed. One watch in 16 is made whatever the record, to notice when it pays again.
template <class Want>
bool SideThread::Watch::until(const Want& want) {
  if (hit_rate < 0.5 && ++skipped % 16 != 0) return false;
  const bool held = spin_for(want);
  hit_rate = 0.9 * hit_rate + (held ? 0.1 : 0.0);
  return held;
}

SideThread::SideThread() {
#ifndef VAE_NO_THREADS
  unsigned control = 0;
#ifdef VAE_HAS_MXCSR
  control = _mm_getcsr();  // the caller's flush-to-zero and denormals-are-zero modes, for the same numbers
#endif
  thread_ = std::thread([this, control] { loop(control); });
#endif
}

SideThread::~SideThread() {
#ifndef VAE_NO_THREADS
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
  }
  wake_.notify_one();
  thread_.join();
#endif
}

void SideThread::post(std::function<void()> job) {
#ifdef VAE_NO_THREADS
  job();
#else
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = std::move(job);
    pending_ = true;
  }
  wake_.notify_one();
#endif
}

bool SideThread::parallel() {
#ifdef VAE_NO_THREADS
  return false;
#else
  return true;
#endif
}

void SideThread::wait() {
#ifndef VAE_NO_THREADS
  // (the job's writes are seen: pending_ = false is stored after them, and read here with acquire)
  if (wait_watch_.until([this] { return !pending_.load(std::memory_order_acquire); })) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return !pending_; });
#endif
}

void SideThread::loop(unsigned control) {
#ifdef VAE_HAS_MXCSR
  _mm_setcsr(control);
#else
  (void)control;
#endif
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!pending_) {
      lock.unlock();
      loop_watch_.until([this] { return pending_.load(std::memory_order_acquire); });
      lock.lock();
    }
    wake_.wait(lock, [this] { return pending_ || quit_; });
    if (quit_) return;
    lock.unlock();
    job_();
    lock.lock();
    pending_ = false;
    done_.notify_one();
  }
}
