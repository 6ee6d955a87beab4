// Forward and backward of the VAE (Kingma & Welling 2014, section 3 and appendix C.2) over one flat
// parameter vector: the encoder and decoder passes, with dropout in training, and the negative ELBO
// with its gradient; the README derives each gradient.
#include <cassert>
#include <cmath>

#include "model/likelihood.h"
#include "model/vae.h"

namespace {

MatMap grad_W(std::vector<float>& g, const LinearSlot& s) { return MatMap(g.data() + s.w_offset, s.out, s.in); }
VecMap grad_b(std::vector<float>& g, const LinearSlot& s) { return VecMap(g.data() + s.b_offset, s.out); }

// The first layer's input: X itself, or [X | Y] for a conditional model (written into `joined`).
ConstMatRef with_labels(Mat& joined, const ConstMatRef& X, const ConstMatRef& Y, int classes) {
  assert(Y.rows() == X.rows() && Y.cols() == classes);
  if (classes == 0) return X;
  const Eigen::Index n = X.rows();
  joined.topRows(n).leftCols(X.cols()) = X;
  joined.topRows(n).rightCols(classes) = Y;
  return joined.topRows(n);
}

void encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, const DropoutDraw* dropout) {
  const Eigen::Index n = X.rows();
  assert(n <= w.batch);
  // h_i = act(W_i h_{i-1} + b_i), h_{-1} = x (or [x | y]), each times its dropout mask in training
  const ConstMatRef input = with_labels(w.x_in, X, Y, p.config.classes);
  // a binary input's 1s (binarized digits): W_0 x sums W_0's columns at them, here and in its
  // gradient (any other input: the products see x_ones.binary false and run dense)
  w.x_ones.index(input.data(), input.outerStride(), static_cast<int>(input.rows()), static_cast<int>(input.cols()));
  mlp_hidden_forward(w.enc_h, p.encoder, p.encoder.size(), p.data.data(), input, p.config.activation, dropout,
                     w.wt, &w.x_ones);
  // [mu | a] = W_heads h + b_heads
  linear_forward(w.heads.topRows(n), w.enc_h.back().topRows(n), p.heads_W(), p.heads_b());
}

void decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y,
            const DropoutDraw* dropout) {
  const Eigen::Index n = z.rows();
  assert(n <= w.rows && logits.rows() == n);
  const size_t last = p.decoder.size() - 1;
  mlp_hidden_forward(w.dec_h, p.decoder, last, p.data.data(), with_labels(w.z_in, z, Y, p.config.classes),
                     p.config.activation, dropout, w.wt);
  const auto h = w.dec_h[last - 1].topRows(n);
  // logits = W_out h + b_out (Bernoulli means, or the Gaussian's means, are sigmoid(logits))
  linear_forward(logits, h, p.W(p.decoder[last]), p.b(p.decoder[last]),
                 w.wt ? w.wt->of(p.decoder[last]) : nullptr);
  if (p.config.likelihood != Likelihood::gaussian) return;
  if (p.config.variance == DecoderVariance::per_pixel)
    // log sigma^2 = W_lv h + b_lv, per pixel
    linear_forward(w.dec_logvar.topRows(n), h, p.W(p.dec_logvar), p.b(p.dec_logvar));
  else
    // log sigma^2 = b_lv, one learned value for every pixel
    w.dec_logvar.topRows(n).setConstant(p.b(p.dec_logvar)[0]);
}

void sample_normal(MatRef out, Rng& rng) {
  for (Eigen::Index r = 0; r < out.rows(); ++r)
    for (Eigen::Index c = 0; c < out.cols(); ++c) out(r, c) = rng.normal();
}

}  // namespace

void vae_encode(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y) { encode(w, p, X, Y, nullptr); }

void vae_decode(MatRef logits, VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y) {
  decode(logits, w, p, z, Y, nullptr);
}

void vae_encode_train(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                      bool dropout) {
  const DropoutDraw draw{p.config.dropout, &rng, &w.enc_mask};
  encode(w, p, X, Y, dropout && p.config.dropout > 0 ? &draw : nullptr);
}

void vae_decode_train(VaeWork& w, const VaeParams& p, const ConstMatRef& z, const ConstMatRef& Y, Rng& rng,
                      bool dropout) {
  const DropoutDraw draw{p.config.dropout, &rng, &w.dec_mask};
  decode(w.logits.topRows(z.rows()), w, p, z, Y, dropout && p.config.dropout > 0 ? &draw : nullptr);
}

ConstMatRef vae_posterior_logvar(VaeWork& w, const VaeParams& p, Eigen::Index n) {
  const int Z = p.config.latent;
  if (p.config.posterior_scale == PosteriorScale::logvar) return w.heads.topRows(n).rightCols(Z);
  // log sigma^2 = 2 log(softplus(a) + 1e-6)
  softplus_sigma_forward(w.q_logvar.topRows(n), w.heads.topRows(n).rightCols(Z));
  return w.q_logvar.topRows(n);
}

void vae_decoder_backward(VaeWork& w, const VaeParams& p, bool dropout, bool sole) {
  const size_t last = p.decoder.size() - 1;
  const Activation act = p.config.activation;
  const Mat& h = w.dec_h[last - 1];
  // the output layer: dL/dW_out += dL/dlogits^T h, dL/dh = dL/dlogits W_out (dW_out held back where
  // it is this pass's alone and h stays as it is: dropout's backward below rescales it)
  const bool dropped = dropout && p.config.dropout > 0;
  linear_backward(w.d_dec_h[last - 1], grad_W(w.grad, p.decoder[last]), grad_b(w.grad, p.decoder[last]), w.d_logits,
                  h, p.W(p.decoder[last]), sole && !dropped ? w.defer : nullptr);
  if (p.config.likelihood == Likelihood::gaussian) {
    if (p.config.variance == DecoderVariance::per_pixel) {
      linear_backward(w.d_unused, grad_W(w.grad, p.dec_logvar), grad_b(w.grad, p.dec_logvar), w.d_dec_logvar, h,
                      p.W(p.dec_logvar));
      // dL/dh += dL/dlogvar W_lv (the log-variance layer reads the same h)
      w.d_dec_h[last - 1].noalias() += w.d_dec_logvar * p.W(p.dec_logvar);
    } else {
      // dL/db_lv = sum over rows and pixels of dL/dlogvar (every pixel's log sigma^2 is b_lv)
      grad_b(w.grad, p.dec_logvar)[0] += w.d_dec_logvar.sum();
    }
  }
  for (size_t i = last; i-- > 0;) {
    const LinearSlot& s = p.decoder[i];
    if (dropout && p.config.dropout > 0) dropout_backward(w.d_dec_h[i], w.dec_h[i], w.dec_mask[i], p.config.dropout);
    activation_backward(w.d_dec_h[i], w.d_dec_h[i], w.dec_h[i], act);
    const bool joined = i == 0 && p.config.classes > 0;  // input [z | y]
    Mat& dX = i > 0 ? w.d_dec_h[i - 1] : joined ? w.d_z_in : w.d_z;
    const Mat& X = i > 0 ? w.dec_h[i - 1] : joined ? w.z_in : w.z;
    linear_backward(dX, grad_W(w.grad, s), grad_b(w.grad, s), w.d_dec_h[i], X, p.W(s));
  }
  // dL/dz: the z columns of dL/d[z | y]
  if (p.config.classes > 0) w.d_z = w.d_z_in.leftCols(p.config.latent);
}

void vae_encoder_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, bool dropout) {
  const size_t n = p.encoder.size();
  const int Z = p.config.latent;
  const Activation act = p.config.activation;
  // a softplus head: dL/da = dL/dlogvar dlogvar/da
  if (p.config.posterior_scale == PosteriorScale::softplus)
    softplus_sigma_backward(w.d_heads.rightCols(Z), w.heads.rightCols(Z));
  MatMap dW_heads(w.grad.data() + p.mu.w_offset, 2 * p.mu.out, p.mu.in);
  VecMap db_heads(w.grad.data() + p.mu.b_offset, 2 * p.mu.out);
  linear_backward(w.d_enc_h[n - 1], dW_heads, db_heads, w.d_heads, w.enc_h[n - 1], p.heads_W());
  for (size_t i = n; i-- > 0;) {
    if (dropout && p.config.dropout > 0) dropout_backward(w.d_enc_h[i], w.enc_h[i], w.enc_mask[i], p.config.dropout);
    activation_backward(w.d_enc_h[i], w.d_enc_h[i], w.enc_h[i], act);
    if (i == 0)
      linear_backward(w.d_unused, grad_W(w.grad, p.encoder[0]), grad_b(w.grad, p.encoder[0]), w.d_enc_h[0],
                      p.config.classes > 0 ? ConstMatRef(w.x_in) : X, p.W(p.encoder[0]), w.defer, &w.x_ones);
    else
      linear_backward(w.d_enc_h[i - 1], grad_W(w.grad, p.encoder[i]), grad_b(w.grad, p.encoder[i]), w.d_enc_h[i],
                      w.enc_h[i - 1], p.W(p.encoder[i]));
  }
}

VaeLoss vae_forward_backward(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                             int samples, bool want_grad, float kl_weight, bool dropout) {
  const int B = w.batch, Z = p.config.latent;
  const Likelihood lik = p.config.likelihood;
  assert(X.rows() == B && w.rows == B && X.cols() == p.config.input && samples >= 1);
  vae_encode_train(w, p, X, Y, rng, dropout);
  auto mu = w.heads.leftCols(Z);
  const ConstMatRef logvar = vae_posterior_logvar(w, p, B);
  if (want_grad) {
    if (!w.grad_zero) std::fill(w.grad.begin(), w.grad.end(), 0.0f);
    w.grad_zero = false;
    w.d_heads.setZero();
  }
  // the loss is the batch mean of (1/L sum_l nll_l + kl): scale every gradient once, here
  const float scale = 1.0f / static_cast<float>(w.grad_rows());
  const float sample_scale = scale / static_cast<float>(samples);
  double nll_sum = 0;
  for (int l = 0; l < samples; ++l) {
    sample_normal(w.eps, rng);
    // z = mu + exp(logvar / 2) * eps  (the reparameterization trick)
    w.z = mu + (0.5f * logvar.array()).exp().matrix().cwiseProduct(w.eps);
    vae_decode_train(w, p, w.z, Y, rng, dropout);
    // -log p(x|z), and with the gradient dL/dlogits (and dL/dlogvar of a Gaussian decoder) of it over B L
    if (want_grad)
      likelihood_nll_forward_backward(w.nll, w.d_logits, w.d_dec_logvar, lik, w.logits, w.dec_logvar, X, sample_scale);
    else
      likelihood_nll(w.nll, lik, w.logits, w.dec_logvar, X);
    nll_sum += w.nll.cast<double>().sum();
    if (!want_grad) continue;
    vae_decoder_backward(w, p, dropout, samples == 1);
    // dz/dmu = 1;  dz/dlogvar = eps exp(logvar / 2) / 2
    w.d_heads.leftCols(Z) += w.d_z;
    w.d_heads.rightCols(Z).array() += w.d_z.array() * w.eps.array() * (0.5f * logvar.array()).exp() * 0.5f;
  }
  kl_forward(w.kl, mu, logvar);
  if (want_grad) {
    auto d_mu = w.d_heads.leftCols(Z);
    auto d_logvar = w.d_heads.rightCols(Z);
    kl_backward(d_mu, d_logvar, mu, logvar, kl_weight * scale);
    vae_encoder_backward(w, p, X, dropout);
  }
  VaeLoss loss;
  loss.bce = nll_sum / (static_cast<double>(B) * samples);
  loss.kl = w.kl.cast<double>().sum() / B;
  loss.neg_elbo = loss.bce + loss.kl;
  return loss;
}

VaeLoss vae_evaluate(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y, Rng& rng,
                     int samples) {
  const Eigen::Index N = X.rows();
  const int Z = p.config.latent;
  double nll = 0, kl = 0;
  for (Eigen::Index start = 0; start < N; start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, N - start);
    auto x = X.middleRows(start, n);
    auto y = Y.middleRows(start, n);
    vae_encode(w, p, x, y);
    auto mu = w.heads.topRows(n).leftCols(Z);
    const ConstMatRef logvar = vae_posterior_logvar(w, p, n);
    for (int l = 0; l < samples; ++l) {
      sample_normal(w.eps.topRows(n), rng);
      // z = mu + exp(logvar / 2) * eps
      w.z.topRows(n) = mu + (0.5f * logvar.array()).exp().matrix().cwiseProduct(w.eps.topRows(n));
      vae_decode(w.logits.topRows(n), w, p, w.z.topRows(n), y);
      // -log p(x|z) of each row
      likelihood_nll(w.nll.head(n), p.config.likelihood, w.logits.topRows(n), w.dec_logvar.topRows(n), x);
      nll += w.nll.head(n).cast<double>().sum() / samples;
    }
    kl_forward(w.kl.head(n), mu, logvar);
    kl += w.kl.head(n).cast<double>().sum();
  }
  VaeLoss loss;
  loss.bce = nll / N;
  loss.kl = kl / N;
  loss.neg_elbo = loss.bce + loss.kl;
  return loss;
}
