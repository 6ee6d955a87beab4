// Whether a training step runs its two row blocks side by side on two threads or in turn on one.
// The numbers are the same either way (trainer.h), so this is only a question of speed, and it is
// answered by measuring: with another program keeping one of two cores busy, two threads trained
// slower than one (Intel Xeon, bench.sh --contended: 77% of the one-thread figure with Eigen's
// products, 65% with the AVX-512 kernel), while on an idle machine they train 1.3-1.9x faster.
// So the steps run in one mode, and now and then a few run in the other: the faster of the two
// (mean wall time of a step) is kept. The first probe comes kProbeStart steps into a run (a busy
// core is found at once: with 128, the first 128 steps of a benchmark ran at the contended speed),
// then every kProbeFirst steps after a switch, less and less often (up to every kProbeMost) while the
// choice holds, so a steady machine pays little.
#pragma once

class ThreadChoice {
 public:
  static constexpr int kProbeSteps = 4;       // steps timed in each mode to compare
  static constexpr int kProbeStart = 16;      // steps before a run's first probe
  static constexpr int kProbeFirst = 128;     // steps between probes just after a switch
  static constexpr int kProbeMost = 1024;     // ... and at most, once the choice has held
  static constexpr double kMargin = 0.95;     // the other mode must take under 95% of the time

  // Whether the next step runs side by side (two threads).
  bool two_threads() const { return probing_ ? !two_ : two_; }
  // The wall time the step just run took (in the mode two_threads() gave for it).
  void record(double seconds);
  // The mode kept between probes.
  bool kept_two_threads() const { return two_; }
  // How many of the steps recorded ran on two threads, of how many (a benchmark reports it).
  long steps_on_two() const { return on_two_; }
  long steps_recorded() const { return recorded_; }

 private:
  bool two_ = true;         // the mode kept
  bool probing_ = false;    // the next kProbeSteps steps run the other mode
  int steps_ = 0;           // steps since the kept mode's run (or the probe) began
  int interval_ = kProbeStart;  // doubles while the choice holds
  double kept_ = 0, other_ = 0;  // sums of the last kProbeSteps steps' seconds in each mode
  double recent_[kProbeSteps] = {};  // the kept mode's last steps, a ring
  long on_two_ = 0, recorded_ = 0;   // steps recorded on two threads, and in all
};
