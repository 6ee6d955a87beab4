// Forward and backward of the VAE (Kingma & Welling 2014, section 3 and appendix C.2) over one
// flat parameter vector; the README derives each gradient.
#include "model/vae.h"

#include <cassert>
#include <cmath>


std::string VaeConfig::describe() const {
  // (std::string, not a stream: streams bring all of libc++'s locales into the web page's module)
  std::string s = std::to_string(input);
  for (int h : hidden) s += "-" + std::to_string(h);
  s += "-" + std::to_string(latent);
  for (auto it = hidden.rbegin(); it != hidden.rend(); ++it) s += "-" + std::to_string(*it);
  s += "-" + std::to_string(input) + " " + activation_name(activation);
  if (classes > 0) s += ", conditional on " + std::to_string(classes) + " classes";
  return s;
}

Status VaeConfig::validate() const {
  if (input <= 0 || input > 1 << 20) return Status::error("config: input size " + std::to_string(input) + " out of range");
  if (latent <= 0 || latent > 4096) return Status::error("config: latent size " + std::to_string(latent) + " out of range (1..4096)");
  if (hidden.empty() || hidden.size() > 16) return Status::error("config: need 1 to 16 hidden layers");
  for (int h : hidden)
    if (h <= 0 || h > 16384) return Status::error("config: hidden size " + std::to_string(h) + " out of range (1..16384)");
  if (classes < 0 || classes > 256) return Status::error("config: classes " + std::to_string(classes) + " out of range (0..256: labels are bytes)");
  if (param_count() > kMaxParams)
    return Status::error("config: " + describe() + " has " + std::to_string(param_count()) + " parameters, more than " +
                         std::to_string(kMaxParams));
  return Status::success();
}

uint64_t VaeConfig::param_count() const {
  // each layer: out x in weights + out biases; encoder [x | y] -> hidden -> 2Z, decoder [z | y] -> hidden -> x
  auto layer = [](uint64_t in, uint64_t out) { return out * in + out; };
  uint64_t count = 0, in = uint64_t(input) + uint64_t(classes);
  for (int h : hidden) {
    count += layer(in, uint64_t(h));
    in = uint64_t(h);
  }
  count += layer(in, 2 * uint64_t(latent));
  in = uint64_t(latent) + uint64_t(classes);
  for (auto it = hidden.rbegin(); it != hidden.rend(); ++it) {
    count += layer(in, uint64_t(*it));
    in = uint64_t(*it);
  }
  return count + layer(in, uint64_t(input));
}

uint64_t VaeConfig::work_floats(int batch) const {
  // per row: [x | y]; [z | y] and its gradient; eps, z, dz; heads and their gradient (2Z each);
  // logits and dlogits; bce and kl; two buffers per hidden layer on each side. Plus P gradients.
  uint64_t per_row = (uint64_t(input) + uint64_t(classes)) + 2 * (uint64_t(latent) + uint64_t(classes)) +
                     3 * uint64_t(latent) + 4 * uint64_t(latent) + 2 * uint64_t(input) + 2;
  for (int h : hidden) per_row += 4 * uint64_t(h);
  return uint64_t(batch) * per_row + param_count();
}

static LinearSlot make_slot(const std::string& name, int out, int in) {
  LinearSlot s;
  s.name = name;
  s.out = out;
  s.in = in;
  return s;
}

void VaeParams::build(const VaeConfig& c) {
  assert(c.validate().ok);
  data.assign(layout(c), 0.0f);
}

size_t VaeParams::layout(const VaeConfig& c) {
  config = c;
  encoder.clear();
  decoder.clear();
  size_t at = 0;
  const int C = c.classes;
  auto place = [&at](LinearSlot& s) {
    s.w_offset = at;
    at += static_cast<size_t>(s.out) * s.in;
    s.b_offset = at;
    at += s.out;
  };
  int in = c.input + C;  // [x | y]
  for (size_t i = 0; i < c.hidden.size(); ++i) {
    encoder.push_back(make_slot("encoder." + std::to_string(i), c.hidden[i], in));
    place(encoder.back());
    in = c.hidden[i];
  }
  // heads: mu.weight, logvar.weight, mu.bias, logvar.bias, so [mu; logvar] is one layer
  mu = make_slot("encoder.mu", c.latent, in);
  logvar = make_slot("encoder.logvar", c.latent, in);
  const size_t head_w = static_cast<size_t>(c.latent) * in;
  mu.w_offset = at;
  logvar.w_offset = at + head_w;
  mu.b_offset = at + 2 * head_w;
  logvar.b_offset = mu.b_offset + c.latent;
  at = logvar.b_offset + c.latent;
  in = c.latent + C;  // [z | y]
  for (size_t i = 0; i <= c.hidden.size(); ++i) {
    int out = i < c.hidden.size() ? c.hidden[c.hidden.size() - 1 - i] : c.input;
    decoder.push_back(make_slot("decoder." + std::to_string(i), out, in));
    place(decoder.back());
    in = out;
  }
  return at;
}

std::vector<const LinearSlot*> VaeParams::slots() const {
  std::vector<const LinearSlot*> all;
  for (const auto& s : encoder) all.push_back(&s);
  all.push_back(&mu);
  all.push_back(&logvar);
  for (const auto& s : decoder) all.push_back(&s);
  return all;
}

void VaeParams::init(Rng& rng) {
  for (const LinearSlot* s : slots()) {
    const float bound = 1.0f / std::sqrt(static_cast<float>(s->in));
    for (float& x : W(*s).reshaped()) x = (2.0f * rng.uniform() - 1.0f) * bound;
    for (float& x : b(*s)) x = (2.0f * rng.uniform() - 1.0f) * bound;
  }
}

void VaeWork::resize(const VaeParams& p, int B) {
  batch = B;
  const VaeConfig& c = p.config;
  const int Z = c.latent, D = c.input, C = c.classes;
  x_in.resize(C > 0 ? B : 0, D + C);
  z_in.resize(C > 0 ? B : 0, Z + C);
  d_z_in.resize(C > 0 ? B : 0, Z + C);
  enc_h.resize(p.encoder.size());
  d_enc_h.resize(p.encoder.size());
  for (size_t i = 0; i < p.encoder.size(); ++i) {
    enc_h[i].resize(B, p.encoder[i].out);
    d_enc_h[i].resize(B, p.encoder[i].out);
  }
  dec_h.resize(p.decoder.size() - 1);
  d_dec_h.resize(p.decoder.size() - 1);
  for (size_t i = 0; i + 1 < p.decoder.size(); ++i) {
    dec_h[i].resize(B, p.decoder[i].out);
    d_dec_h[i].resize(B, p.decoder[i].out);
  }
  heads.resize(B, 2 * Z);
  d_heads.resize(B, 2 * Z);
  eps.resize(B, Z);
  z.resize(B, Z);
  d_z.resize(B, Z);
  logits.resize(B, D);
  d_logits.resize(B, D);
  bce.resize(B);
  kl.resize(B);
  grad.assign(p.size(), 0.0f);
}

static MatMap grad_W(std::vector<float>& g, const LinearSlot& s) { return MatMap(g.data() + s.w_offset, s.out, s.in); }
static VecMap grad_b(std::vector<float>& g, const LinearSlot& s) { return VecMap(g.data() + s.b_offset, s.out); }

Mat no_labels(Eigen::Index n) { return Mat(n, 0); }

Mat one_hot(const uint8_t* labels, Eigen::Index n, int classes) {
  Mat Y = Mat::Zero(n, classes);
  for (Eigen::Index i = 0; i < n; ++i) {
    assert(labels[i] < classes);
    Y(i, labels[i]) = 1.0f;
  }
  return Y;
}

// The first layer's input: X itself, or [X | Y] for a conditional model (written into `joined`).
static ConstMatRef with_labels(Mat& joined, const ConstMatRef& X, const ConstMatRef& Y, int classes) {
  assert(Y.rows() == X.rows() && Y.cols() == classes);
  if (classes == 0) return X;
  const Eigen::Index n = X.rows();
  joined.topRows(n).leftCols(X.cols()) = X;
  joined.topRows(n).rightCols(classes) = Y;
  return joined.topRows(n);
}

void mlp_hidden_forward(std::vector<Mat>& H, const std::vector<LinearSlot>& slots, size_t count, const float* params,
                        const ConstMatRef& input, Activation act) {
  const Eigen::Index n = input.rows();
  for (size_t i = 0; i < count; ++i) {
    const LinearSlot& s = slots[i];
    auto out = H[i].topRows(n);
    const ConstMatMap W(params + s.w_offset, s.out, s.in);
    const ConstVecMap b(params + s.b_offset, s.out);
    if (i == 0)
      linear_forward(out, input, W, b);
    else
      linear_forward(out, H[i - 1].topRows(n), W, b);
    activation_forward(out, out, act);
  }
}

void vae_encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y) {
  const Eigen::Index n = X.rows();
  assert(n <= w.batch);
  // h_i = act(W_i h_{i-1} + b_i), h_{-1} = x (or [x | y])
  mlp_hidden_forward(w.enc_h, p.encoder, p.encoder.size(), p.data.data(), with_labels(w.x_in, X, Y, p.config.classes),
                     p.config.activation);
  // [mu | logvar] = W_heads h + b_heads
  linear_forward(w.heads.topRows(n), w.enc_h.back().topRows(n), p.heads_W(), p.heads_b());
}

void vae_decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y) {
  const Eigen::Index n = z.rows();
  assert(n <= w.batch && logits.rows() == n);
  const size_t last = p.decoder.size() - 1;
  mlp_hidden_forward(w.dec_h, p.decoder, last, p.data.data(), with_labels(w.z_in, z, Y, p.config.classes),
                     p.config.activation);
  // logits = W_out h + b_out (Bernoulli means are sigmoid(logits))
  linear_forward(logits, w.dec_h[last - 1].topRows(n), p.W(p.decoder[last]), p.b(p.decoder[last]));
}

// Backward through the decoder from dlogits (B x D) to dz (B x Z), accumulating parameter gradients.
static void decoder_backward(VaeWork& w, const VaeParams& p) {
  const size_t last = p.decoder.size() - 1;
  const Activation act = p.config.activation;
  for (size_t i = last + 1; i-- > 0;) {
    const LinearSlot& s = p.decoder[i];
    const Mat& dY = i == last ? w.d_logits : w.d_dec_h[i];
    if (i < last) activation_backward(w.d_dec_h[i], w.d_dec_h[i], w.dec_h[i], act);
    const bool joined = i == 0 && p.config.classes > 0;  // input [z | y]
    Mat& dX = i > 0 ? w.d_dec_h[i - 1] : joined ? w.d_z_in : w.d_z;
    const Mat& X = i > 0 ? w.dec_h[i - 1] : joined ? w.z_in : w.z;
    linear_backward(dX, grad_W(w.grad, s), grad_b(w.grad, s), dY, X, p.W(s));
  }
  // dL/dz: the z columns of dL/d[z | y]
  if (p.config.classes > 0) w.d_z = w.d_z_in.leftCols(p.config.latent);
}

// Backward through the encoder from d_heads (B x 2Z), accumulating parameter gradients.
static void encoder_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X) {
  const size_t n = p.encoder.size();
  const Activation act = p.config.activation;
  MatMap dW_heads(w.grad.data() + p.mu.w_offset, 2 * p.mu.out, p.mu.in);
  VecMap db_heads(w.grad.data() + p.mu.b_offset, 2 * p.mu.out);
  linear_backward(w.d_enc_h[n - 1], dW_heads, db_heads, w.d_heads, w.enc_h[n - 1], p.heads_W());
  for (size_t i = n; i-- > 0;) {
    activation_backward(w.d_enc_h[i], w.d_enc_h[i], w.enc_h[i], act);
    if (i == 0)
      linear_backward(w.d_unused, grad_W(w.grad, p.encoder[0]), grad_b(w.grad, p.encoder[0]), w.d_enc_h[0],
                      p.config.classes > 0 ? ConstMatRef(w.x_in) : X, p.W(p.encoder[0]));
    else
      linear_backward(w.d_enc_h[i - 1], grad_W(w.grad, p.encoder[i]), grad_b(w.grad, p.encoder[i]), w.d_enc_h[i],
                      w.enc_h[i - 1], p.W(p.encoder[i]));
  }
}

static void sample_normal(MatRef out, Rng& rng) {
  for (Eigen::Index r = 0; r < out.rows(); ++r)
    for (Eigen::Index c = 0; c < out.cols(); ++c) out(r, c) = rng.normal();
}

VaeLoss vae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                             int samples, bool want_grad, float kl_weight) {
  const int B = w.batch, Z = p.config.latent;
  assert(X.rows() == B && X.cols() == p.config.input && samples >= 1);
  vae_encode(w, p, X, Y);
  auto mu = w.heads.leftCols(Z);
  auto logvar = w.heads.rightCols(Z);
  if (want_grad) {
    std::fill(w.grad.begin(), w.grad.end(), 0.0f);
    w.d_heads.setZero();
  }
  // the loss is the batch mean of (1/L sum_l bce_l + kl): scale every gradient once, here
  const float scale = 1.0f / static_cast<float>(B);
  const float sample_scale = scale / static_cast<float>(samples);
  double bce_sum = 0;
  for (int l = 0; l < samples; ++l) {
    sample_normal(w.eps, rng);
    // z = mu + exp(logvar / 2) * eps  (the reparameterization trick)
    w.z = mu + (0.5f * logvar.array()).exp().matrix().cwiseProduct(w.eps);
    vae_decode(w.logits, w, p, w.z, Y);
    bce_logits_forward(w.bce, w.logits, X);
    bce_sum += w.bce.cast<double>().sum();
    if (!want_grad) continue;
    // dL/dlogits = (sigmoid(logits) - x) / (B L)
    bce_logits_backward(w.d_logits, w.logits, X, sample_scale);
    decoder_backward(w, p);
    // dz/dmu = 1;  dz/dlogvar = eps exp(logvar / 2) / 2
    w.d_heads.leftCols(Z) += w.d_z;
    w.d_heads.rightCols(Z).array() += w.d_z.array() * w.eps.array() * (0.5f * logvar.array()).exp() * 0.5f;
  }
  kl_forward(w.kl, mu, logvar);
  if (want_grad) {
    auto d_mu = w.d_heads.leftCols(Z);
    auto d_logvar = w.d_heads.rightCols(Z);
    kl_backward(d_mu, d_logvar, mu, logvar, kl_weight * scale);
    encoder_backward(w, p, X);
  }
  VaeLoss loss;
  loss.bce = bce_sum / (static_cast<double>(B) * samples);
  loss.kl = w.kl.cast<double>().sum() / B;
  loss.neg_elbo = loss.bce + loss.kl;
  return loss;
}

VaeLoss vae_evaluate(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                     int samples) {
  const Eigen::Index N = X.rows();
  const int Z = p.config.latent;
  double bce = 0, kl = 0;
  for (Eigen::Index start = 0; start < N; start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, N - start);
    auto x = X.middleRows(start, n);
    auto y = Y.middleRows(start, n);
    vae_encode(w, p, x, y);
    auto mu = w.heads.topRows(n).leftCols(Z);
    auto logvar = w.heads.topRows(n).rightCols(Z);
    for (int l = 0; l < samples; ++l) {
      sample_normal(w.eps.topRows(n), rng);
      w.z.topRows(n) = mu + (0.5f * logvar.array()).exp().matrix().cwiseProduct(w.eps.topRows(n));
      vae_decode(w.logits.topRows(n), w, p, w.z.topRows(n), y);
      bce_logits_forward(w.bce.head(n), w.logits.topRows(n), x);
      bce += w.bce.head(n).cast<double>().sum() / samples;
    }
    kl_forward(w.kl.head(n), mu, logvar);
    kl += w.kl.head(n).cast<double>().sum();
  }
  VaeLoss loss;
  loss.bce = bce / N;
  loss.kl = kl / N;
  loss.neg_elbo = loss.bce + loss.kl;
  return loss;
}
