#include "train/thread_choice.h"

void ThreadChoice::record(double seconds) {
  if (!probing_) {
    // the kept mode's last kProbeSteps steps: the ones just before a probe are compared with it
    recent_[since_probe_ % kProbeSteps] = seconds;
    if (++since_probe_ < interval_) return;
    kept_ = 0;
    for (double s : recent_) kept_ += s;
    probing_ = true;
    count_ = 0;
    other_ = 0;
    return;
  }
  other_ += seconds;
  if (++count_ < kProbeSteps) return;
  probing_ = false;
  since_probe_ = 0;
  if (other_ < kMargin * kept_) {
    two_ = !two_;
    interval_ = kProbeFirst;
  } else if (interval_ < kProbeMost) {
    interval_ *= 2;
  }
}
