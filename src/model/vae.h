// The variational autoencoder of Kingma & Welling 2014 (AEVB, section 3 and appendix C.2): a Gaussian
// MLP encoder q(z|x), the reparameterization z = mu + sigma * eps, a Bernoulli or Gaussian MLP
// decoder p(x|z), and the negative ELBO with the KL in closed form, with an explicit backward pass.
// The model family's options (Gaussian decoder, ELU, dropout, softplus sigma, Xavier init, the IWAE
// objective of Burda et al. 2016) default to the original model.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/aligned.h"
#include "core/layers.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/tensor.h"

// p(x|z): Bernoulli on binarized pixels (logits), or Gaussian on dequantized grey levels (mean
// sigmoid(logits) as in the paper's section 5, and a log-variance).
enum class Likelihood { bernoulli, gaussian };
// The Gaussian decoder's log sigma^2: per pixel, a second output layer of the decoder (as the paper's
// Gaussian MLP, appendix C.2), or one learned value shared by every pixel and image.
enum class DecoderVariance { per_pixel, shared };
// The encoder's second head a: log sigma^2 (sigma = exp(a / 2)), or sigma = softplus(a) + 1e-6.
enum class PosteriorScale { logvar, softplus };
// What training maximizes: the ELBO, or the importance-weighted bound with k samples (Burda et al.).
enum class Objective { elbo, iwae };
// Initial weights: PyTorch's nn.Linear default U(-1/sqrt(in), 1/sqrt(in)) for weights and biases,
// or Xavier/Glorot uniform U(-sqrt(6 / (in + out)), sqrt(6 / (in + out))) with zero biases.
enum class Init { pytorch, xavier };

const char* likelihood_name(Likelihood v);
const char* decoder_variance_name(DecoderVariance v);
const char* posterior_scale_name(PosteriorScale v);
const char* objective_name(Objective v);
const char* init_name(Init v);
bool likelihood_parse(const std::string& text, Likelihood* out);
bool decoder_variance_parse(const std::string& text, DecoderVariance* out);
bool posterior_scale_parse(const std::string& text, PosteriorScale* out);
bool objective_parse(const std::string& text, Objective* out);
bool init_parse(const std::string& text, Init* out);

struct VaeConfig {
  int input = 784;                 // D: pixels
  std::vector<int> hidden = {400};  // encoder hidden sizes; the decoder mirrors them
  int latent = 20;                 // Z
  Activation activation = Activation::relu;
  int classes = 0;  // C: a conditional VAE (Sohn et al. 2015) when > 0: the one-hot label y
                    // enters the encoder as [x | y] and the decoder as [z | y]
  Likelihood likelihood = Likelihood::bernoulli;
  DecoderVariance variance = DecoderVariance::per_pixel;  // Gaussian decoders only
  PosteriorScale posterior_scale = PosteriorScale::logvar;
  float dropout = 0;  // P: each hidden unit is dropped with probability P in training (never in evaluation)
  Objective objective = Objective::elbo;
  int iwae_k = 1;  // K: importance samples per image of the IWAE objective
  Init init = Init::pytorch;

  Status validate() const;          // every size and option in range, at most kMaxParams parameters
  std::string describe() const;     // e.g. "784-400-20-400-784 relu", then the options that differ from the defaults
  uint64_t param_count() const;     // P, computed without overflow for any sizes
  // Floats of the work buffers (VaeWork) for batches of B rows: what a run allocates besides P.
  uint64_t work_floats(int batch) const;
};

// The largest model the programs build (1 GiB of float32 parameters; training holds 4 such arrays).
constexpr uint64_t kMaxParams = uint64_t(1) << 28;
// The largest work buffers a batch size may ask for (4 GiB of floats).
constexpr uint64_t kMaxWorkFloats = uint64_t(1) << 30;

// One linear layer's place in the flat parameter vector. W is (out, in) row-major, b is (out).
// A slot with in = 0 is a bias alone (the shared log-variance of a Gaussian decoder).
struct LinearSlot {
  std::string name;  // "encoder.0", "encoder.mu", ..., tensors are name + ".weight" / ".bias"
  int out = 0, in = 0;
  size_t w_offset = 0, b_offset = 0;
};

// All parameters in one contiguous float vector, so the optimizer and checkpoints see one array.
// Layout: encoder hidden layers, then the two heads with mu.weight, logvar.weight adjacent and
// mu.bias, logvar.bias adjacent (so both heads are one (2Z x H) GEMM), then the decoder layers, then
// a Gaussian decoder's log-variance.
struct VaeParams {
  VaeConfig config;
  std::vector<LinearSlot> encoder;  // hidden layers
  LinearSlot mu, logvar;            // heads; the second is "encoder.scale" for a softplus sigma
  std::vector<LinearSlot> decoder;  // hidden layers then the logits layer
  LinearSlot dec_logvar;            // Gaussian decoders: "decoder.logvar" ((D x H) and (D), or a bias (1))
  std::vector<float> data;          // P floats

  void build(const VaeConfig& config);  // lays out and zeroes
  size_t layout(const VaeConfig& config);  // lays out the slots only (data untouched); returns P
  void init(Rng& rng);                  // as config.init says
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

// W^T of every encoder and decoder layer (in x out, row-major) for a caller that runs many products
// on the same weights (the trainer's two row blocks in a step on one thread, a decoding benchmark):
// the products read W^T in place instead of each transposing W into panels. Each layer's W^T starts
// on a 64-byte line, so a kernel's panel row of 16 floats is one line (at the layer's offset in one
// vector, 16 or 48 bytes past a line, it was two: decoding medians 120,200 -> 134,385 images/s, AVX2,
// AMD EPYC Zen 3). Empty where the project's kernel does not run (Eigen's product reads W).
struct TransposedWeights {
  AlignedFloats data;
  std::vector<size_t> w_offsets, offsets;  // each layer's w_offset in the parameters, its W^T's in data
  // sizes data for p's layout, or empties it without the project's kernel; true if in use
  bool prepare(const VaeParams& p);
  // W^T of p's weights as they are now; after prepare(p)
  void update(const VaeParams& p);
  bool empty() const { return data.empty(); }
  // W^T of layer s (s.in x s.out, row-major); after prepare(p) for the params that hold s
  const float* of(const LinearSlot& s) const;
};

// Dropout of a stack's hidden layers in training: units dropped with probability P, masks (rows x
// H_i) drawn from rng and kept in `masks` for the backward pass.
struct DropoutDraw {
  float P = 0;
  Rng* rng = nullptr;
  std::vector<Mat>* masks = nullptr;
};

// A stack of hidden layers, on the first n = input.rows() rows of each buffer:
//   H_i = act(W_i H_{i-1} + b_i), H_{-1} = input, for the first `count` slots (W, b in params),
// each followed by dropout when `dropout` is given; wt: W^T of these params (TransposedWeights), or
// nullptr; input_ones: the input's index of its 1s (gemm.h), where the caller made one.
void mlp_hidden_forward(std::vector<Mat>& H, const std::vector<LinearSlot>& slots, size_t count, const float* params,
                        const ConstMatRef& input, Activation act, const DropoutDraw* dropout = nullptr,
                        const TransposedWeights* wt = nullptr, const BinaryOperand* input_ones = nullptr);

// Work buffers for B images, allocated once; the training step allocates nothing. The decoder's
// buffers hold B * draws rows (the IWAE objective decodes K samples of every image at once).
struct VaeWork {
  int batch = 0;           // B: encoder rows
  int rows = 0;            // decoder rows: B * draws
  Mat x_in;                // B x (D + C): [x | y], conditional models only
  // the 1s of the encoder's input in the last encoding, where it was binary (binarized digits): the
  // first layer's product forward, and its weight gradient backward, sum over them (gemm.h)
  BinaryOperand x_ones;
  Mat z_in, d_z_in;        // rows x (Z + C): [z | y] and its gradient, conditional models only
  Mat y_rep;               // rows x C: the labels repeated for each draw (IWAE, conditional models)
  std::vector<Mat> enc_h;  // B x H_i, post-activation (and dropout) of encoder hidden layer i
  std::vector<Mat> enc_mask, dec_mask;  // dropout masks, same shapes as enc_h and dec_h (dropout > 0 only)
  Mat heads;               // B x 2Z: [mu | a], a = logvar or the softplus head
  Mat q_logvar;            // B x Z: log sigma^2 of q(z|x) from a softplus head (0 x 0 otherwise)
  Mat eps, z;              // rows x Z
  std::vector<Mat> dec_h;  // rows x H_i, post-activation of decoder hidden layer i
  Mat logits;              // rows x D: the decoder's logits (Bernoulli means or Gaussian means: sigmoid(logits))
  Mat dec_logvar;          // rows x D: a Gaussian decoder's log sigma^2 per pixel (rows x 0 for Bernoulli)
  Vec nll, kl;             // rows: -log p(x|z); B: KL
  Vec log_w, log_ratio, weights;  // rows: IWAE's log w, log p(z) - log q(z|x), normalized weights / B
  Vec half_sum_logvar;            // B: IWAE's 1/2 sum_j log sigma_j^2 of each image
  // gradients of the activations
  std::vector<Mat> d_enc_h, d_dec_h;
  Mat d_heads, d_z, d_logits, d_dec_logvar;
  Mat d_unused;  // 0 x 0: passed as dX where the input gradient is not needed
  std::vector<float> grad;  // P: gradients of the parameters, same layout as VaeParams::data
  // the gradient is that of the mean over this many rows: the B rows here (0), or a whole minibatch
  // of which these rows are one block (the trainer's blocks: their gradients then sum to the batch's)
  int mean_rows = 0;
  int grad_rows() const { return mean_rows > 0 ? mean_rows : batch; }
  // grad holds only zeros, as a caller that cleared it while reading it says (the trainer's
  // optimizer): the next gradient pass need not clear it again, and resets this
  bool grad_zero = false;
  // W^T of the params passed with this work, set (and kept current) by a caller that keeps them
  // (the trainer during a step); nullptr: each product transposes W itself
  const TransposedWeights* wt = nullptr;
  // where the two largest weight gradients (the encoder's first layer, the decoder's output layer)
  // are held back, set by a caller that computes them itself (the trainer: its threads take their
  // pieces and update the weights with each at once); nullptr: computed in place. A held-back
  // gradient is its product alone: its part of `grad` is left as it was (zeros after the trainer's
  // step, which never writes there)
  std::vector<WeightGrad>* defer = nullptr;

  void resize(const VaeParams& params, int batch, int draws = 1);
};

struct VaeLoss {
  double neg_elbo = 0;  // mean over the batch of (bce + kl), nats per image (IWAE training: minus its bound)
  double bce = 0;       // mean reconstruction term -E_q[log p(x|z)] (binary cross-entropy for Bernoulli)
  double kl = 0;        // mean KL
};

// Y below is the one-hot labels (n x C) of a conditional model, and empty (n x 0) otherwise;
// the overloads without Y are for unconditional models.

// Encoder: heads (n x 2Z) = [mu | a] of q(z|x, y), X (n x D), n <= w.batch
void vae_encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y);
// Decoder: logits (n x D) of p(x|z, y), z (n x Z); a Gaussian decoder's log-variance goes to
// w.dec_logvar's first n rows
void vae_decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y);

// log sigma^2 of q(z|x) (n x Z) for the n rows vae_encode just computed: the logvar head itself, or
// 2 log(softplus(a) + 1e-6) (written into w.q_logvar).
ConstMatRef vae_posterior_logvar(VaeWork& w, const VaeParams& p, Eigen::Index n);

// The negative ELBO of a batch X (B x D, binary or grey levels as the likelihood observes them)
// with L samples of z per image, and, when want_grad, its gradient with respect to every parameter
// in w.grad (overwritten). kl_weight scales the KL term's gradient only (KL warm-up); the returned
// loss is always the true -ELBO. dropout: drop hidden units (training), masks drawn from rng.
VaeLoss vae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                             int samples, bool want_grad, float kl_weight = 1.0f, bool dropout = false);

// Same without gradients or dropout, on any number of rows, in batches of w.batch.
VaeLoss vae_evaluate(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                     int samples = 1);

// The backward passes shared by the objectives (vae_elbo.cpp, iwae.cpp), over all w.rows decoder
// rows and w.batch encoder rows, accumulating into w.grad:
// from w.d_logits (and w.d_dec_logvar) to w.d_z
// (sole: the step's only decoder pass, so the output layer's weight gradient is this pass's product
// alone and no later pass overwrites w.d_logits or that layer's input: it may be held back in w.defer)
void vae_decoder_backward(VaeWork& w, const VaeParams& p, bool dropout, bool sole = true);
// from w.d_heads = [dL/dmu | dL/dlogvar] to the encoder's parameters (converting dL/dlogvar to dL/da
// for a softplus head)
void vae_encoder_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, bool dropout);
// Encoder forward with dropout masks drawn from rng when `dropout` (training).
void vae_encode_train(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                      bool dropout);
void vae_decode_train(VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y, Rng& rng,
                      bool dropout);

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
