// The VAE's configuration, its parameters in one flat vector and its work buffers (Kingma & Welling
// 2014, appendix C.2); the forward and backward passes are in vae_elbo.cpp.
#include "model/vae.h"

#include <cassert>
#include <cmath>
#include <cstdio>

#include "core/gemm.h"

namespace {
// One table per option: its values and their names in the config and on the command line.
template <typename E>
struct Named {
  E value;
  const char* name;
};
const Named<Likelihood> kLikelihoods[] = {{Likelihood::bernoulli, "bernoulli"}, {Likelihood::gaussian, "gaussian"}};
const Named<DecoderVariance> kVariances[] = {{DecoderVariance::per_pixel, "per_pixel"}, {DecoderVariance::shared, "shared"}};
const Named<PosteriorScale> kScales[] = {{PosteriorScale::logvar, "logvar"}, {PosteriorScale::softplus, "softplus"}};
const Named<Objective> kObjectives[] = {{Objective::elbo, "elbo"}, {Objective::iwae, "iwae"}};
const Named<Init> kInits[] = {{Init::pytorch, "pytorch"}, {Init::xavier, "xavier"}};

template <typename E, size_t N>
const char* name_of(const Named<E> (&table)[N], E v) {
  for (const auto& t : table)
    if (t.value == v) return t.name;
  return "?";
}
template <typename E, size_t N>
bool parse_of(const Named<E> (&table)[N], const std::string& text, E* out) {
  for (const auto& t : table)
    if (text == t.name) {
      *out = t.value;
      return true;
    }
  return false;
}
}  // namespace

const char* likelihood_name(Likelihood v) { return name_of(kLikelihoods, v); }
const char* decoder_variance_name(DecoderVariance v) { return name_of(kVariances, v); }
const char* posterior_scale_name(PosteriorScale v) { return name_of(kScales, v); }
const char* objective_name(Objective v) { return name_of(kObjectives, v); }
const char* init_name(Init v) { return name_of(kInits, v); }
bool likelihood_parse(const std::string& t, Likelihood* out) { return parse_of(kLikelihoods, t, out); }
bool decoder_variance_parse(const std::string& t, DecoderVariance* out) { return parse_of(kVariances, t, out); }
bool posterior_scale_parse(const std::string& t, PosteriorScale* out) { return parse_of(kScales, t, out); }
bool objective_parse(const std::string& t, Objective* out) { return parse_of(kObjectives, t, out); }
bool init_parse(const std::string& t, Init* out) { return parse_of(kInits, t, out); }

std::string VaeConfig::describe() const {
  // (std::string, not a stream: streams bring all of libc++'s locales into the web page's module)
  std::string s = std::to_string(input);
  for (int h : hidden) s += "-" + std::to_string(h);
  s += "-" + std::to_string(latent);
  for (auto it = hidden.rbegin(); it != hidden.rend(); ++it) s += "-" + std::to_string(*it);
  s += "-" + std::to_string(input) + " " + activation_name(activation);
  if (classes > 0) s += ", conditional on " + std::to_string(classes) + " classes";
  if (likelihood == Likelihood::gaussian)
    s += variance == DecoderVariance::per_pixel ? ", gaussian decoder (variance per pixel)"
                                                : ", gaussian decoder (one shared variance)";
  if (posterior_scale == PosteriorScale::softplus) s += ", sigma = softplus + 1e-6";
  if (dropout > 0) {
    char text[32];
    std::snprintf(text, sizeof text, ", dropout %g", static_cast<double>(dropout));
    s += text;
  }
  if (init == Init::xavier) s += ", xavier init";
  if (objective == Objective::iwae) s += ", iwae k=" + std::to_string(iwae_k);
  return s;
}

Status VaeConfig::validate() const {
  if (input <= 0 || input > 1 << 20) return Status::error("config: input size " + std::to_string(input) + " out of range");
  if (latent <= 0 || latent > 4096) return Status::error("config: latent size " + std::to_string(latent) + " out of range (1..4096)");
  if (hidden.empty() || hidden.size() > 16) return Status::error("config: need 1 to 16 hidden layers");
  for (int h : hidden)
    if (h <= 0 || h > 16384) return Status::error("config: hidden size " + std::to_string(h) + " out of range (1..16384)");
  if (classes < 0 || classes > 256) return Status::error("config: classes " + std::to_string(classes) + " out of range (0..256: labels are bytes)");
  if (!(dropout >= 0 && dropout <= 0.9f)) return Status::error("config: dropout " + std::to_string(dropout) + " out of range (0..0.9)");
  if (iwae_k < 1 || iwae_k > 5000) return Status::error("config: iwae_k " + std::to_string(iwae_k) + " out of range (1..5000)");
  if (objective != Objective::iwae && iwae_k != 1) return Status::error("config: iwae_k is for the iwae objective");
  if (likelihood != Likelihood::gaussian && variance != DecoderVariance::per_pixel)
    return Status::error("config: decoder_variance is for a gaussian likelihood");
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
  count += layer(in, uint64_t(input));
  // a Gaussian decoder's log sigma^2: per pixel a second output layer, or one shared value
  if (likelihood == Likelihood::gaussian)
    count += variance == DecoderVariance::per_pixel ? layer(uint64_t(hidden.front()), uint64_t(input)) : 1;
  return count;
}

uint64_t VaeConfig::work_floats(int batch) const {
  // per encoder row: [x | y]; heads and their gradient (2Z each); q's log sigma^2; kl; IWAE's half
  // sum of log sigma^2; three buffers per hidden layer (activation, gradient, dropout mask).
  // per decoder row (K of them per image under the IWAE objective): [z | y] and its gradient; the
  // repeated labels; eps, z, dz; logits, a Gaussian decoder's log sigma^2 and both gradients; nll and
  // IWAE's three weights; three buffers per hidden layer. Plus P gradients.
  const uint64_t Z = uint64_t(latent), C = uint64_t(classes), D = uint64_t(input);
  const uint64_t draws = objective == Objective::iwae ? uint64_t(iwae_k) : 1;
  uint64_t enc_row = (D + C) + 4 * Z + Z + 2, dec_row = 2 * (Z + C) + C + 3 * Z + 4 * D + 4;
  for (int h : hidden) {
    enc_row += 3 * uint64_t(h);
    dec_row += 3 * uint64_t(h);
  }
  return uint64_t(batch) * (enc_row + draws * dec_row) + param_count();
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
  dec_logvar = LinearSlot();
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
  logvar = make_slot(c.posterior_scale == PosteriorScale::softplus ? "encoder.scale" : "encoder.logvar", c.latent, in);
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
  // a Gaussian decoder's log sigma^2: a second output layer beside the logits, or one value
  if (c.likelihood == Likelihood::gaussian) {
    const bool per_pixel = c.variance == DecoderVariance::per_pixel;
    dec_logvar = make_slot("decoder.logvar", per_pixel ? c.input : 1, per_pixel ? c.hidden.front() : 0);
    place(dec_logvar);
  }
  return at;
}

std::vector<const LinearSlot*> VaeParams::slots() const {
  std::vector<const LinearSlot*> all;
  for (const auto& s : encoder) all.push_back(&s);
  all.push_back(&mu);
  all.push_back(&logvar);
  for (const auto& s : decoder) all.push_back(&s);
  if (config.likelihood == Likelihood::gaussian) all.push_back(&dec_logvar);
  return all;
}

void VaeParams::init(Rng& rng) {
  for (const LinearSlot* s : slots()) {
    if (config.init == Init::xavier) {
      // Glorot & Bengio 2010: W ~ U(-a, a), a = sqrt(6 / (in + out)); b = 0
      const float bound = std::sqrt(6.0f / static_cast<float>(s->in + s->out));
      for (float& x : W(*s).reshaped()) x = (2.0f * rng.uniform() - 1.0f) * bound;
      b(*s).setZero();
    } else if (s->in == 0) {
      // a bias alone (a shared log-variance): log sigma^2 = 0 to start
      b(*s).setZero();
    } else {
      const float bound = 1.0f / std::sqrt(static_cast<float>(s->in));
      for (float& x : W(*s).reshaped()) x = (2.0f * rng.uniform() - 1.0f) * bound;
      for (float& x : b(*s)) x = (2.0f * rng.uniform() - 1.0f) * bound;
    }
  }
}

void VaeWork::resize(const VaeParams& p, int B, int draws) {
  assert(B >= 1 && draws >= 1);
  batch = B;
  rows = B * draws;
  const VaeConfig& c = p.config;
  const int Z = c.latent, D = c.input, C = c.classes;
  const bool dropout = c.dropout > 0, gaussian = c.likelihood == Likelihood::gaussian;
  x_in.resize(C > 0 ? B : 0, D + C);
  z_in.resize(C > 0 ? rows : 0, Z + C);
  d_z_in.resize(C > 0 ? rows : 0, Z + C);
  y_rep.resize(draws > 1 ? rows : 0, C);
  enc_h.resize(p.encoder.size());
  d_enc_h.resize(p.encoder.size());
  enc_mask.resize(dropout ? p.encoder.size() : 0);
  for (size_t i = 0; i < p.encoder.size(); ++i) {
    enc_h[i].resize(B, p.encoder[i].out);
    d_enc_h[i].resize(B, p.encoder[i].out);
    if (dropout) enc_mask[i].resize(B, p.encoder[i].out);
  }
  dec_h.resize(p.decoder.size() - 1);
  d_dec_h.resize(p.decoder.size() - 1);
  dec_mask.resize(dropout ? p.decoder.size() - 1 : 0);
  for (size_t i = 0; i + 1 < p.decoder.size(); ++i) {
    dec_h[i].resize(rows, p.decoder[i].out);
    d_dec_h[i].resize(rows, p.decoder[i].out);
    if (dropout) dec_mask[i].resize(rows, p.decoder[i].out);
  }
  heads.resize(B, 2 * Z);
  d_heads.resize(B, 2 * Z);
  q_logvar.resize(c.posterior_scale == PosteriorScale::softplus ? B : 0, Z);
  eps.resize(rows, Z);
  z.resize(rows, Z);
  d_z.resize(rows, Z);
  logits.resize(rows, D);
  d_logits.resize(rows, D);
  dec_logvar.resize(rows, gaussian ? D : 0);
  d_dec_logvar.resize(rows, gaussian ? D : 0);
  nll.resize(rows);
  kl.resize(B);
  log_w.resize(rows);
  log_ratio.resize(rows);
  weights.resize(rows);
  half_sum_logvar.resize(B);
  grad.assign(p.size(), 0.0f);
  grad_zero = false;  // (zeros, but a new size: the next pass clears it as always)
}

Mat no_labels(Eigen::Index n) { return Mat(n, 0); }

Mat one_hot(const uint8_t* labels, Eigen::Index n, int classes) {
  Mat Y = Mat::Zero(n, classes);
  for (Eigen::Index i = 0; i < n; ++i) {
    assert(labels[i] < classes);
    Y(i, labels[i]) = 1.0f;
  }
  return Y;
}

bool TransposedWeights::prepare(const VaeParams& p) {
  w_offsets.clear(), offsets.clear();
  if (gemm_kernel() == GemmKernel::eigen) {
    data.clear();
    return false;
  }
  // each layer's W^T from a 64-byte line: offsets rounded up to 16 floats
  size_t at = 0;
  for (const std::vector<LinearSlot>* stack : {&p.encoder, &p.decoder})
    for (const LinearSlot& s : *stack) {
      w_offsets.push_back(s.w_offset);
      offsets.push_back(at);
      at += (static_cast<size_t>(s.out) * static_cast<size_t>(s.in) + 15) / 16 * 16;
    }
  data.resize(at);
  return true;
}

const float* TransposedWeights::of(const LinearSlot& s) const {
  for (size_t i = 0; i < w_offsets.size(); ++i)
    if (w_offsets[i] == s.w_offset) return data.data() + offsets[i];
  assert(false && "a layer of the params prepare() was given");
  return nullptr;
}

void TransposedWeights::update(const VaeParams& p) {
  assert(!data.empty());
  size_t i = 0;  // the layers in prepare()'s order: layer i's W^T at offsets[i]
  for (const std::vector<LinearSlot>* stack : {&p.encoder, &p.decoder})
    for (const LinearSlot& s : *stack) {
      assert(i < offsets.size() && w_offsets[i] == s.w_offset);
      // W (out x in) becomes W^T (in x out)
      const bool done = gemm_transpose(data.data() + offsets[i++], s.out, p.data.data() + s.w_offset, s.in, s.out, s.in);
      assert(done);
      (void)done;
    }
}

void mlp_hidden_forward(std::vector<Mat>& H, const std::vector<LinearSlot>& slots, size_t count, const float* params,
                        const ConstMatRef& input, Activation act, const DropoutDraw* dropout, const TransposedWeights* wt,
                        const BinaryOperand* input_ones) {
  const Eigen::Index n = input.rows();
  for (size_t i = 0; i < count; ++i) {
    const LinearSlot& s = slots[i];
    auto out = H[i].topRows(n);
    const ConstMatMap W(params + s.w_offset, s.out, s.in);
    const ConstVecMap b(params + s.b_offset, s.out);
    const float* Wt = wt ? wt->of(s) : nullptr;
    if (i == 0)
      linear_forward(out, input, W, b, Wt, input_ones);
    else
      linear_forward(out, H[i - 1].topRows(n), W, b, Wt);
    activation_forward(out, out, act);
    if (dropout) {
      auto mask = (*dropout->masks)[i].topRows(n);
      dropout_mask(mask, dropout->P, *dropout->rng);
      dropout_forward(out, mask);
    }
  }
}
