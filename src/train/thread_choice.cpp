#include "train/thread_choice.h"

void ThreadChoice::record(double seconds) {
  on_two_ += two_threads() ? 1 : 0;
  ++recorded_;
  ++steps_;
  if (!probing_) {
    // the kept mode's last kProbeSteps steps: the ones just before a probe are compared with it
    recent_[(steps_ - 1) % kProbeSteps] = seconds;
    if (steps_ < interval_) return;
    kept_ = 0;
    for (double s : recent_) kept_ += s;
    probing_ = true;
    steps_ = 0;
    other_ = 0;
    return;
  }
  other_ += seconds;
  if (steps_ < kProbeSteps) return;
  probing_ = false;
  steps_ = 0;
  if (other_ < kMargin * kept_) {
    two_ = !two_;
    interval_ = kProbeFirst;
  } else if (interval_ < kProbeMost) {
    interval_ *= 2;
  }
}
