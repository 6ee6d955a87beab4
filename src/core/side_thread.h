// A second thread for work split in two: the caller posts one job, does its own half, then waits.
// Between jobs the thread sleeps on a condition variable, never spinning, so a core busy with
// another program costs a wait, not a collapse (OpenMP's spin-waiting threads fell to 350-500
// samples/s of training with one core taken). Without threads (WebAssembly built without pthreads)
// post() runs the job at once on the caller's thread.
#pragma once
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

 private:
  void loop(unsigned control);
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::function<void()> job_;
  bool pending_ = false, quit_ = false;
  std::thread thread_;
};
