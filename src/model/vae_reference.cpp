// The reference training step (vae_reference.h): Kingma & Welling 2014, algorithm 1 with one z per
// image, in plain Eigen products on whole matrices, one derivation step above each line. No packed
// kernels, W^T buffers, binary operands, held-back gradients or threads: those are the fast step's.
#include "model/vae_reference.h"

#include <cassert>

namespace {

constexpr float kLog2Pi = 1.8378770664093453f;  // log(2 pi)

// Y (B x out) = X W^T + 1 b^T, the layer's W (out x in) and b (out) in p
Mat linear(const Mat& X, const VaeParams& p, const LinearSlot& s) {
  // Y = X W^T
  Mat Y = X * p.W(s).transpose();
  // Y += 1 b^T
  Y.rowwise() += p.b(s).transpose();
  return Y;
}

// dL/dW (out x in) += dL/dY^T X and dL/db (out) += sum over the batch of dL/dY, into grad at the layer
void linear_grad(std::vector<float>& grad, const LinearSlot& s, const Mat& dY, const Mat& X) {
  // dL/dW = dY^T X
  MatMap(grad.data() + s.w_offset, s.out, s.in).noalias() += dY.transpose() * X;
  // dL/db = sum_b dY_b
  VecMap(grad.data() + s.b_offset, s.out) += dY.colwise().sum().transpose();
}

// H = act(A)
Mat activate(const Mat& A, Activation act) {
  // relu(a) = max(a, 0)
  if (act == Activation::relu) return A.cwiseMax(0.0f);
  // tanh(a)
  if (act == Activation::tanh) return A.array().tanh().matrix();
  // elu(a) = a for a > 0, exp(a) - 1 otherwise
  return (A.array() > 0.0f).select(A, A.array().expm1().matrix());
}

// dL/dA = dL/dH * act'(A), written with H = act(A)
Mat activate_backward(const Mat& dH, const Mat& H, Activation act) {
  // relu'(a) = [a > 0] = [h > 0]
  if (act == Activation::relu) return (H.array() > 0.0f).select(dH, 0.0f);
  // tanh'(a) = 1 - h^2
  if (act == Activation::tanh) return (dH.array() * (1.0f - H.array().square())).matrix();
  // elu'(a) = 1 for a > 0, exp(a) = h + 1 otherwise
  return (H.array() > 0.0f).select(dH, (dH.array() * (H.array() + 1.0f)).matrix());
}

}  // namespace

bool vae_reference_supports(const VaeConfig& c) {
  return c.classes == 0 && c.dropout == 0 && c.posterior_scale == PosteriorScale::logvar &&
         c.objective == Objective::elbo;
}

VaeLoss vae_reference_forward(VaeReferenceActivations& a, const VaeParams& p, const ConstMatRef& X,
                              const ConstMatRef& eps) {
  const VaeConfig& c = p.config;
  const Eigen::Index B = X.rows();
  assert(vae_reference_supports(c) && X.cols() == c.input && eps.rows() == B && eps.cols() == c.latent);
  a.x = X;
  a.eps = eps;
  // ---- the encoder q(z|x), a Gaussian MLP (appendix C.2)
  a.enc_h.resize(p.encoder.size());
  for (size_t i = 0; i < p.encoder.size(); ++i)
    // h_i = act(h_{i-1} W_i^T + b_i), h_{-1} = x
    a.enc_h[i] = activate(linear(i == 0 ? a.x : a.enc_h[i - 1], p, p.encoder[i]), c.activation);
  // mu = h W_mu^T + b_mu
  a.mu = linear(a.enc_h.back(), p, p.mu);
  // log sigma^2 = h W_lv^T + b_lv
  a.logvar = linear(a.enc_h.back(), p, p.logvar);
  // sigma = exp(log sigma^2 / 2)
  a.sigma = (0.5f * a.logvar.array()).exp().matrix();
  // ---- the reparameterization (section 2.4): z = mu + sigma * eps, eps ~ N(0, I)
  a.z = a.mu + a.sigma.cwiseProduct(a.eps);
  // ---- the decoder p(x|z), an MLP (appendix C.2)
  const size_t last = p.decoder.size() - 1;
  a.dec_h.resize(last);
  for (size_t i = 0; i < last; ++i)
    // h_i = act(h_{i-1} W_i^T + b_i), h_{-1} = z
    a.dec_h[i] = activate(linear(i == 0 ? a.z : a.dec_h[i - 1], p, p.decoder[i]), c.activation);
  // logits = h W_out^T + b_out; the means are sigmoid(logits)
  a.logits = linear(a.dec_h.back(), p, p.decoder[last]);
  const bool gaussian = c.likelihood == Likelihood::gaussian;
  if (gaussian && c.variance == DecoderVariance::per_pixel)
    // log sigma_x^2 = h W_lv^T + b_lv, per pixel
    a.dec_logvar = linear(a.dec_h.back(), p, p.dec_logvar);
  else if (gaussian)
    // log sigma_x^2 = b_lv, one learned value for every pixel
    a.dec_logvar = Mat::Constant(B, c.input, p.b(p.dec_logvar)[0]);
  else
    a.dec_logvar.resize(0, 0);
  // ---- the negative ELBO (equation 10, L = 1): -log p(x|z) + KL(q(z|x) || p(z)) per image
  Vec nll;
  if (!gaussian)
    // -log p(x|z) = -sum_j [x log s(l) + (1 - x) log(1 - s(l))] = sum_j max(l, 0) - l x + log(1 + exp(-|l|))
    nll = (a.logits.array().max(0.0f) - a.logits.array() * a.x.array() + (-a.logits.array().abs()).exp().log1p())
              .rowwise()
              .sum()
              .matrix();
  else
    // -log p(x|z) = 1/2 sum_j [log 2 pi + lv_j + (x_j - m_j)^2 exp(-lv_j)], m = sigmoid(logits)
    nll = (0.5f * (kLog2Pi + a.dec_logvar.array() +
                   (a.x.array() - a.logits.array().logistic()).square() * (-a.dec_logvar.array()).exp()))
              .rowwise()
              .sum()
              .matrix();
  // KL = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)  (appendix B)
  const Vec kl = (-0.5f * (1.0f + a.logvar.array() - a.mu.array().square() - a.sigma.array().square()))
                     .rowwise()
                     .sum()
                     .matrix();
  VaeLoss loss;
  loss.bce = nll.cast<double>().sum() / static_cast<double>(B);
  loss.kl = kl.cast<double>().sum() / static_cast<double>(B);
  loss.neg_elbo = loss.bce + loss.kl;
  return loss;
}

void vae_reference_backward(std::vector<float>& grad, const VaeReferenceActivations& a, const VaeParams& p,
                            float beta) {
  const VaeConfig& c = p.config;
  const float inv_B = 1.0f / static_cast<float>(a.x.rows());
  const size_t last = p.decoder.size() - 1;
  grad.assign(p.size(), 0.0f);
  // ---- L = 1/B sum_b [-log p(x_b|z_b) + beta KL_b]: from the decoder's output back to z
  Mat d_logits;
  if (c.likelihood == Likelihood::bernoulli) {
    // dL/dlogits = (sigmoid(logits) - x) / B: the sigmoid and the cross-entropy fused
    d_logits = ((a.logits.array().logistic() - a.x.array()) * inv_B).matrix();
  } else {
    // m = sigmoid(logits)
    const Mat m = a.logits.array().logistic().matrix();
    // dL/dlogits = (m - x) exp(-lv) m (1 - m) / B
    d_logits = ((m.array() - a.x.array()) * (-a.dec_logvar.array()).exp() * m.array() * (1.0f - m.array()) * inv_B)
                   .matrix();
  }
  // dL/dW_out = dL/dlogits^T h;  dL/db_out = sum_b dL/dlogits
  linear_grad(grad, p.decoder[last], d_logits, a.dec_h.back());
  // dL/dh = dL/dlogits W_out
  Mat d_h = d_logits * p.W(p.decoder[last]);
  if (c.likelihood == Likelihood::gaussian) {
    // dL/dlv = (1 - (x - m)^2 exp(-lv)) / 2B
    const Mat d_lv = ((1.0f - (a.x.array() - a.logits.array().logistic()).square() * (-a.dec_logvar.array()).exp()) *
                      (0.5f * inv_B))
                         .matrix();
    if (c.variance == DecoderVariance::per_pixel) {
      // dL/dW_lv = dL/dlv^T h;  dL/db_lv = sum_b dL/dlv
      linear_grad(grad, p.dec_logvar, d_lv, a.dec_h.back());
      // dL/dh += dL/dlv W_lv (the log-variance layer reads the same h)
      d_h.noalias() += d_lv * p.W(p.dec_logvar);
    } else {
      // dL/db_lv = sum over images and pixels of dL/dlv (every pixel's lv is b_lv)
      grad[p.dec_logvar.b_offset] += d_lv.sum();
    }
  }
  for (size_t i = last; i-- > 0;) {
    // dL/da_i = dL/dh_i act'(a_i)
    const Mat d_a = activate_backward(d_h, a.dec_h[i], c.activation);
    // dL/dW_i = dL/da_i^T h_{i-1};  dL/db_i = sum_b dL/da_i  (h_{-1} = z)
    linear_grad(grad, p.decoder[i], d_a, i == 0 ? a.z : a.dec_h[i - 1]);
    // dL/dh_{i-1} = dL/da_i W_i  (the last one is dL/dz)
    d_h = d_a * p.W(p.decoder[i]);
  }
  const Mat d_z = d_h;
  // ---- through z = mu + sigma * eps (dz/dmu = 1, dz/dlogvar = eps sigma / 2) and beta KL (appendix B)
  // dL/dmu = dL/dz + beta mu / B
  const Mat d_mu = d_z + (beta * inv_B) * a.mu;
  // dL/dlogvar = dL/dz eps sigma / 2 + beta (sigma^2 - 1) / 2B
  const Mat d_logvar = (d_z.array() * a.eps.array() * a.sigma.array() * 0.5f +
                        (0.5f * beta * inv_B) * (a.sigma.array().square() - 1.0f))
                           .matrix();
  // ---- the encoder, from its two heads back to x
  const Mat& h = a.enc_h.back();
  // dL/dW_mu = dL/dmu^T h;  dL/db_mu = sum_b dL/dmu
  linear_grad(grad, p.mu, d_mu, h);
  // dL/dW_lv = dL/dlogvar^T h;  dL/db_lv = sum_b dL/dlogvar
  linear_grad(grad, p.logvar, d_logvar, h);
  // dL/dh = dL/dmu W_mu + dL/dlogvar W_lv
  d_h = d_mu * p.W(p.mu) + d_logvar * p.W(p.logvar);
  for (size_t i = p.encoder.size(); i-- > 0;) {
    // dL/da_i = dL/dh_i act'(a_i)
    const Mat d_a = activate_backward(d_h, a.enc_h[i], c.activation);
    // dL/dW_i = dL/da_i^T h_{i-1};  dL/db_i = sum_b dL/da_i  (h_{-1} = x)
    linear_grad(grad, p.encoder[i], d_a, i == 0 ? a.x : a.enc_h[i - 1]);
    // dL/dh_{i-1} = dL/da_i W_i  (not needed for x)
    if (i > 0) d_h = d_a * p.W(p.encoder[i]);
  }
}

VaeLoss vae_reference_step(VaeParams& p, Optimizer& optimizer, std::vector<float>& grad, const ConstMatRef& X,
                           const ConstMatRef& eps, float beta) {
  VaeReferenceActivations a;
  // L(theta; x, eps) and its values
  const VaeLoss loss = vae_reference_forward(a, p, X, eps);
  // g = dL/dtheta
  vae_reference_backward(grad, a, p, beta);
  // theta <- theta - update(g): Adam or Adagrad, the trainer's optimizer (core/optim.h)
  optimizer.update(p.data.data(), grad.data(), p.size());
  return loss;
}
