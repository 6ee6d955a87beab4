// A second thread for work split in two: the caller posts one job, does its own half, then waits.
// Each side waits by watching a flag for at most kSpinSeconds (the next job of a training step
// mostly comes within that, and a sleeping thread takes longer to wake on this virtual machine:
// 2-thread training gained 14-19%), then sleeps on a condition variable. It stops watching while
// most watches end empty-handed (a core busy with another program), so such a core costs a wait,
// not a collapse (OpenMP's threads, spinning for far longer, fell to 350-500 samples/s of training
// with one core taken). Without threads (WebAssembly built without pthreads) post() runs
// the job at once on the caller's thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

class SideThread {
 public:
  SideThread();
  ~SideThread();
  SideThread(const SideThread&) = delete;
  SideThread& operator=(const SideThread&) = delete;

  void post(std::function<void()> job);  // the previous job must have been waited for
  void wait();                           // until the posted job has finished
  // Whether a posted job runs beside the caller (false where post() runs it at once: WebAssembly
  // built without pthreads).
  static bool parallel();

#ifdef __EMSCRIPTEN__
  // in Chromium a sleeping worker wakes late: measured here, 2 threads trained at 1.59-1.87x one
  // thread watching for 1 ms, 1.43-1.66x for 50 us (three pairs of runs each)
  static constexpr double kSpinSeconds = 1e-3;
#else
  static constexpr double kSpinSeconds = 50e-6;
#endif

 private:
  void loop(unsigned control);
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::function<void()> job_;
  std::atomic<bool> pending_{false};  // written under mutex_; read without it only while spinning
  bool quit_ = false;
  // a waiting side's record: the share of recent watches that ended in time (one per thread)
  struct Watch {
    double hit_rate = 1.0;
    unsigned skipped = 0;
    template <class Want>
    bool until(const Want& want);  // watches for at most kSpinSeconds
  };
  Watch wait_watch_;  // the caller's, in wait()
  Watch loop_watch_;  // the side thread's, between jobs
  std::thread thread_;
};
