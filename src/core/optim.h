// Optimizers over one flat parameter vector and its gradient (P floats): Adam (Kingma & Ba 2015,
// the default) and Adagrad (Duchi et al. 2011, as in Kingma & Welling 2014, section 5).
#pragma once
#include <string>
#include <vector>

enum class OptimizerKind { adam, adagrad };
const char* optimizer_name(OptimizerKind k);
bool optimizer_parse(const std::string& name, OptimizerKind* out);

struct Optimizer {
  OptimizerKind kind = OptimizerKind::adam;
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // Adam
  float adagrad_eps = 1e-8f;                        // Adagrad
  long long step = 0;                               // updates taken so far
  std::vector<float> m;                             // Adam first moment (P); unused for Adagrad
  std::vector<float> v;                             // Adam second moment / Adagrad sum of squares (P)

  void reset(size_t num_params);
  // params (P) -= update(grads (P)); a descent step on the loss
  void update(float* params, const float* grads, size_t num_params);
  // The same step in pieces: begin_step() once, then apply() to ranges [lo, hi) covering the P
  // parameters, grads[0 .. hi - lo) their gradient (each element's update depends on that element
  // alone, so ranges may run on different threads and give the same numbers).
  void begin_step();
  void apply(float* params, const float* grads, size_t lo, size_t hi);

 private:
  // Adam's step size and bias correction for this step, set by begin_step() (apply() may be called
  // for many short ranges: the trainer's update of each piece of a weight gradient, row by row)
  float lr_t_ = 0, inv_sqrt_bc2_ = 0;
};
