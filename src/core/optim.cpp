// Adam and Adagrad updates, vectorized over the flat parameter vector.
#include "core/optim.h"

#include <cassert>
#include <cmath>


const char* optimizer_name(OptimizerKind k) { return k == OptimizerKind::adam ? "adam" : "adagrad"; }

bool optimizer_parse(const std::string& name, OptimizerKind* out) {
  if (name == "adam") { *out = OptimizerKind::adam; return true; }
  if (name == "adagrad") { *out = OptimizerKind::adagrad; return true; }
  return false;
}

void Optimizer::reset(size_t num_params) {
  step = 0;
  m.assign(kind == OptimizerKind::adam ? num_params : 0, 0.0f);
  v.assign(num_params, 0.0f);
}

// The moments of a unit that stops receiving gradient decay geometrically into the denormal range,
// where x86 arithmetic is ~100x slower; WebAssembly has no flush-to-zero mode, so flush here. Values
// this small move no parameter: lr * m / (sqrt(v) + eps) with |m| < 1e-30 is far below float's ulp.
static inline float flush_tiny(float x) { return std::fabs(x) < 1e-30f ? 0.0f : x; }

void Optimizer::update(float* params, const float* grads, size_t num_params) {
  assert(v.size() == num_params);
  begin_step();
  apply(params, grads, 0, num_params);
}

void Optimizer::begin_step() {
  ++step;
  // m_hat = m / bc1, v_hat = v / bc2: bc1 = 1 - b1^t, bc2 = 1 - b2^t
  const double bc1 = 1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step));
  lr_t_ = static_cast<float>(lr / bc1);
  inv_sqrt_bc2_ = static_cast<float>(1.0 / std::sqrt(bc2));
}

void Optimizer::apply(float* params, const float* grads, size_t lo, size_t hi) {
  assert(lo <= hi && hi <= v.size() && step > 0);
  // Plain loops (auto-vectorized) rather than Eigen maps: the result must not depend on where the
  // buffers happen to sit in memory, or a resumed run would drift from an uninterrupted one.
  // Every member is copied into a local and the buffers are declared unaliased so that the compiler
  // vectorizes these loops (otherwise it reloads beta1 after each store to m and runs scalar code).
  // Each element's arithmetic is the same in vector lanes and in the scalar tail.
  float* __restrict p_ = params;
  const float* __restrict g_ = grads;  // element i's gradient at g_[i - lo]
  float* __restrict v_ = v.data();
  if (kind == OptimizerKind::adam) {
    // m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
    // theta -= lr m_hat / (sqrt(v_hat) + eps), m_hat = m / bc1, v_hat = v / bc2
    const float lr_t = lr_t_, inv_sqrt_bc2 = inv_sqrt_bc2_;
    const float b1 = beta1, b2 = beta2, e = eps, c1 = 1.0f - beta1, c2 = 1.0f - beta2;
    float* __restrict m_ = m.data();
    for (size_t i = lo; i < hi; ++i) {
      const float g = g_[i - lo];
      const float mi = flush_tiny(b1 * m_[i] + c1 * g);
      const float vi = flush_tiny(b2 * v_[i] + c2 * (g * g));
      m_[i] = mi;
      v_[i] = vi;
      p_[i] -= lr_t * mi / (std::sqrt(vi) * inv_sqrt_bc2 + e);
    }
  } else {
    // G += g^2;  theta -= lr g / (sqrt(G) + eps)
    const float rate = lr, e = adagrad_eps;
    for (size_t i = lo; i < hi; ++i) {
      const float vi = v_[i] + g_[i - lo] * g_[i - lo];
      v_[i] = vi;
      p_[i] -= rate * g_[i - lo] / (std::sqrt(vi) + e);
    }
  }
}
