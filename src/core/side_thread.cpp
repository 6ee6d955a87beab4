#include "core/side_thread.h"

#if defined(__SSE__) && !defined(__EMSCRIPTEN__)
#include <xmmintrin.h>
#define VAE_HAS_MXCSR 1
#endif

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define VAE_NO_THREADS 1
#endif

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

void SideThread::wait() {
#ifndef VAE_NO_THREADS
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
    wake_.wait(lock, [this] { return pending_ || quit_; });
    if (quit_) return;
    lock.unlock();
    job_();
    lock.lock();
    pending_ = false;
    done_.notify_one();
  }
}
