// The variational autoencoder of Kingma & Welling 2014 (AEVB, section 3 and appendix C.2): a Gaussian
// MLP encoder q(z|x), the reparameterization z = mu + sigma * eps, a Bernoulli MLP decoder p(x|z),
// and the negative ELBO with the KL in closed form, with an explicit backward pass.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/layers.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/tensor.h"

struct VaeConfig {
  int input = 784;                 // D: pixels
  std::vector<int> hidden = {400};  // encoder hidden sizes; the decoder mirrors them
  int latent = 20;                 // Z
  Activation activation = Activation::relu;
  int classes = 0;  // C: a conditional VAE (Sohn et al. 2015) when > 0: the one-hot label y
                    // enters the encoder as [x | y] and the decoder as [z | y]

  Status validate() const;          // every size in range, at most kMaxParams parameters
  std::string describe() const;     // e.g. "784-400-20-400-784 relu"
  uint64_t param_count() const;     // P, computed without overflow for any sizes
  // Floats of the work buffers (VaeWork) for batches of B rows: what a run allocates besides P.
  uint64_t work_floats(int batch) const;
};

// The largest model the programs build (1 GiB of float32 parameters; training holds 4 such arrays).
constexpr uint64_t kMaxParams = uint64_t(1) << 28;
// The largest work buffers a batch size may ask for (4 GiB of floats).
constexpr uint64_t kMaxWorkFloats = uint64_t(1) << 30;

// One linear layer's place in the flat parameter vector. W is (out, in) row-major, b is (out).
struct LinearSlot {
  std::string name;  // "encoder.0", "encoder.mu", ..., tensors are name + ".weight" / ".bias"
  int out = 0, in = 0;
  size_t w_offset = 0, b_offset = 0;
};

// All parameters in one contiguous float vector, so the optimizer and checkpoints see one array.
// Layout: encoder hidden layers, then the two heads with mu.weight, logvar.weight adjacent and
// mu.bias, logvar.bias adjacent (so both heads are one (2Z x H) GEMM), then the decoder layers.
struct VaeParams {
  VaeConfig config;
  std::vector<LinearSlot> encoder;  // hidden layers
  LinearSlot mu, logvar;            // heads
  std::vector<LinearSlot> decoder;  // hidden layers then the logits layer
  std::vector<float> data;          // P floats

  void build(const VaeConfig& config);  // lays out and zeroes
  size_t layout(const VaeConfig& config);  // lays out the slots only (data untouched); returns P
  void init(Rng& rng);                  // PyTorch nn.Linear default: U(-1/sqrt(in), 1/sqrt(in))
  size_t size() const { return data.size(); }

  MatMap W(const LinearSlot& s) { return MatMap(data.data() + s.w_offset, s.out, s.in); }
  VecMap b(const LinearSlot& s) { return VecMap(data.data() + s.b_offset, s.out); }
  ConstMatMap W(const LinearSlot& s) const { return ConstMatMap(data.data() + s.w_offset, s.out, s.in); }
  ConstVecMap b(const LinearSlot& s) const { return ConstVecMap(data.data() + s.b_offset, s.out); }
  // Both heads as one layer: (2Z x H) weight and (2Z) bias.
  ConstMatMap heads_W() const { return ConstMatMap(data.data() + mu.w_offset, 2 * mu.out, mu.in); }
  ConstVecMap heads_b() const { return ConstVecMap(data.data() + mu.b_offset, 2 * mu.out); }
  std::vector<const LinearSlot*> slots() const;  // every layer, in layout order
};

// A stack of hidden layers, on the first n = input.rows() rows of each buffer:
//   H_i = act(W_i H_{i-1} + b_i), H_{-1} = input, for the first `count` slots (W, b in params)
void mlp_hidden_forward(std::vector<Mat>& H, const std::vector<LinearSlot>& slots, size_t count, const float* params,
                        const ConstMatRef& input, Activation act);

// Work buffers for one batch size B, allocated once; the training step allocates nothing.
struct VaeWork {
  int batch = 0;
  Mat x_in;                // B x (D + C): [x | y], conditional models only
  Mat z_in, d_z_in;        // B x (Z + C): [z | y] and its gradient, conditional models only
  std::vector<Mat> enc_h;  // B x H_i, post-activation of encoder hidden layer i
  Mat heads;               // B x 2Z: [mu | logvar]
  Mat eps, z;              // B x Z
  std::vector<Mat> dec_h;  // B x H_i, post-activation of decoder hidden layer i
  Mat logits;              // B x D
  Vec bce, kl;             // B
  // gradients of the activations
  std::vector<Mat> d_enc_h, d_dec_h;
  Mat d_heads, d_z, d_logits;
  Mat d_unused;  // 0 x 0: passed as dX where the input gradient is not needed
  std::vector<float> grad;  // P: gradients of the parameters, same layout as VaeParams::data

  void resize(const VaeParams& params, int batch);
};

struct VaeLoss {
  double neg_elbo = 0;  // mean over the batch of (bce + kl), nats per image
  double bce = 0;       // mean reconstruction term (negative log-likelihood)
  double kl = 0;        // mean KL
};

// Y below is the one-hot labels (n x C) of a conditional model, and empty (n x 0) otherwise;
// the overloads without Y are for unconditional models.

// Encoder: heads (n x 2Z) = [mu | logvar] of q(z|x, y), X (n x D), n <= w.batch
void vae_encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
// Decoder: logits (n x D) of p(x|z, y), z (n x Z)
void vae_decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y);

// The negative ELBO of a batch X (B x D, binary) with L samples of z per image, and, when
// want_grad, its gradient with respect to every parameter in w.grad (overwritten). kl_weight
// scales the KL term's gradient only (KL warm-up); the returned loss is always the true -ELBO.
VaeLoss vae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                             int samples, bool want_grad, float kl_weight = 1.0f);

// Same without gradients, on any number of rows, in batches of w.batch.
VaeLoss vae_evaluate(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                     int samples = 1);

// An empty label matrix (n x 0) for unconditional models, and one-hot rows (n x C) from labels.
Mat no_labels(Eigen::Index n);
Mat one_hot(const uint8_t* labels, Eigen::Index n, int classes);

inline void vae_encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X) { vae_encode(w, p, X, no_labels(X.rows())); }
inline void vae_decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z) {
  vae_decode(logits, w, p, z, no_labels(z.rows()));
}
inline VaeLoss vae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, Rng& rng, int samples,
                                    bool want_grad) {
  return vae_forward_backward(w, p, X, no_labels(X.rows()), rng, samples, want_grad);
}
inline VaeLoss vae_evaluate(VaeWork& w, const VaeParams& p, const ConstMatRef& X, Rng& rng, int samples = 1) {
  return vae_evaluate(w, p, X, no_labels(X.rows()), rng, samples);
}
