// The true posterior of a two-dimensional latent space on a grid, and the best Gaussian q of one
// image fitted alone, splitting the gap log p(x) - ELBO into its amortization and approximation
// parts (Cremer et al. 2018).
#include "model/posterior.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "model/likelihood.h"

namespace {

constexpr double kLogTwoPi = 1.8378770664093453;

// log p(x|z) + log N(z; 0, I) of the rows of z (n x 2), in blocks of the work's rows
void log_joint_rows(VecRef out, VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                    const ConstMatRef& z) {
  const int B = w.rows;
  const Mat x_rep = x.replicate(B, 1), y_rep = y.replicate(B, 1);
  for (Eigen::Index done = 0; done < z.rows(); done += B) {
    const int n = static_cast<int>(std::min<Eigen::Index>(B, z.rows() - done));
    vae_decode(w.logits.topRows(n), w, p, z.middleRows(done, n), y_rep.topRows(n));
    likelihood_nll(w.nll.head(n), p.config.likelihood, w.logits.topRows(n), w.dec_logvar.topRows(n), x_rep.topRows(n));
    // log p(x|z) + log p(z) = -nll - |z|^2 / 2 - log 2 pi   (Z = 2)
    out.segment(done, n) = -w.nll.head(n) - 0.5f * z.middleRows(done, n).rowwise().squaredNorm() -
                           Vec::Constant(n, static_cast<float>(kLogTwoPi));
  }
}

// the n x n cell centres of a box, row r = z_1's index
Mat grid_points(const float extent[4], int n) {
  Mat z(n * n, 2);
  const float hx = (extent[1] - extent[0]) / n, hy = (extent[3] - extent[2]) / n;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      z(r * n + c, 0) = extent[0] + (c + 0.5f) * hx;
      z(r * n + c, 1) = extent[2] + (r + 0.5f) * hy;
    }
  return z;
}

void fill_normal(MatRef eps, Rng& rng) {
  for (Eigen::Index r = 0; r < eps.rows(); ++r)
    for (Eigen::Index j = 0; j < eps.cols(); ++j) eps(r, j) = rng.normal();
}

}  // namespace

PosteriorGrid vae_true_posterior(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                                 const Posterior& q, int n) {
  assert(p.config.latent == 2 && n >= 4 && x.rows() == 1);
  PosteriorGrid g;
  g.n = n;
  // pass 1: a square that holds the prior's bulk and q
  float R = 4;
  for (int j = 0; j < 2; ++j) R = std::max(R, std::abs(q.mu[j]) + 5 * q.sigma[j]);
  float coarse[4] = {-R, R, -R, R};
  Vec lj(n * n);
  log_joint_rows(lj, w, p, x, y, grid_points(coarse, n));
  // the box of the cells within kPosteriorSpan nats of the largest, one coarse cell of margin
  const float top = lj.maxCoeff(), h = 2 * R / n;
  float box[4] = {R, -R, R, -R};
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c)
      if (lj[r * n + c] >= top - kPosteriorSpan) {
        const float zx = -R + (c + 0.5f) * h, zy = -R + (r + 0.5f) * h;
        box[0] = std::min(box[0], zx - 1.5f * h);
        box[1] = std::max(box[1], zx + 1.5f * h);
        box[2] = std::min(box[2], zy - 1.5f * h);
        box[3] = std::max(box[3], zy + 1.5f * h);
      }
  // pass 2: the same number of cells over that box
  std::copy(box, box + 4, g.extent);
  const Mat z = grid_points(g.extent, n);
  g.log_joint.resize(n * n);
  log_joint_rows(g.log_joint, w, p, x, y, z);
  const double area = double(g.extent[1] - g.extent[0]) / n * double(g.extent[3] - g.extent[2]) / n;
  // log p(x) = log sum_cells p(x|z) p(z) area = m + log sum exp(log_joint - m) + log area
  const double m = g.log_joint.maxCoeff();
  const Eigen::ArrayXd e = (g.log_joint.cast<double>().array() - m).exp();
  const double sum = e.sum();
  g.log_px = m + std::log(sum) + std::log(area);
  // p(z|x) area per cell = p(x|z) p(z) area / p(x)
  g.mass = (e / sum).cast<float>().matrix();
  const Eigen::MatrixXd zd = z.cast<double>();
  const Eigen::ArrayXd wt = e / sum;
  // E[z] = sum mass z;  Cov[z] = sum mass (z - E z)(z - E z)^T
  for (int j = 0; j < 2; ++j) g.mean[j] = (wt * zd.col(j).array()).sum();
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      g.cov[a][b] = (wt * (zd.col(a).array() - g.mean[a]) * (zd.col(b).array() - g.mean[b])).sum();
  // modes: cells larger than their 8 neighbours whose 5 x 5 neighbourhood holds >= 1% of the mass
  for (int r = 1; r + 1 < n; ++r)
    for (int c = 1; c + 1 < n; ++c) {
      const float v = g.log_joint[r * n + c];
      bool peak = true;
      double near = 0;
      for (int dr = -2; dr <= 2; ++dr)
        for (int dc = -2; dc <= 2; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= n || cc >= n) continue;
          if (std::abs(dr) <= 1 && std::abs(dc) <= 1 && (dr || dc) && g.log_joint[rr * n + cc] >= v) peak = false;
          near += g.mass[rr * n + cc];
        }
      if (peak && near >= 0.01) ++g.modes;
    }
  return g;
}

void vae_importance_samples(Mat* z, Vec* log_w, VaeWork& w, const VaeParams& p, const ConstMatRef& x,
                            const ConstMatRef& y, const Posterior& q, int n, Rng& rng) {
  const int Z = p.config.latent;
  z->resize(n, Z);
  log_w->resize(n);
  Mat eps(n, Z);
  fill_normal(eps, rng);
  // z = mu + sigma * eps
  reparameterize(*z, q, eps);
  const int B = w.rows;
  const Mat x_rep = x.replicate(B, 1), y_rep = y.replicate(B, 1);
  const float half_sum_logvar = 0.5f * q.logvar.sum();
  for (int done = 0; done < n; done += B) {
    const int m = std::min(B, n - done);
    vae_decode(w.logits.topRows(m), w, p, z->middleRows(done, m), y_rep.topRows(m));
    likelihood_nll(w.nll.head(m), p.config.likelihood, w.logits.topRows(m), w.dec_logvar.topRows(m), x_rep.topRows(m));
    // log w = log p(x|z) + log p(z) - log q(z|x) = -nll - |z|^2 / 2 + |eps|^2 / 2 + sum logvar / 2
    log_w->segment(done, m) = -w.nll.head(m) - 0.5f * z->middleRows(done, m).rowwise().squaredNorm() +
                              0.5f * eps.middleRows(done, m).rowwise().squaredNorm() +
                              Vec::Constant(m, half_sum_logvar);
  }
}

void fit_q_start(FitQ* fit, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y, const Posterior& start,
                 Rng& rng, int samples, int total_steps) {
  const int Z = p.config.latent;
  fit->q = fit->start = start;
  fit->path.assign(1, start.mu);
  fit->eps.resize(samples, Z);
  fill_normal(fit->eps, rng);
  fit->x_rep = x.replicate(samples, 1);
  fit->y_rep = y.replicate(samples, 1);
  fit->work.resize(p, samples);
  fit->adam = Optimizer();
  fit->adam.reset(2 * static_cast<size_t>(Z));
  fit->steps = 0;
  fit->total_steps = total_steps;
  fit->objective = 0;
}

Rng fit_q_stream(long long image) { return Rng(1 + static_cast<uint64_t>(image) * 0x9E3779B97F4A7C15ULL, 31); }

void fit_q_step(FitQ* fit, const VaeParams& p, int steps) {
  VaeWork& w = fit->work;
  const int Z = p.config.latent, S = static_cast<int>(fit->eps.rows());
  Vec theta(2 * Z), grad(2 * Z);
  for (int t = 0; t < steps && !fit->done(); ++t) {
    Posterior& q = fit->q;
    // z_s = mu + sigma * eps_s, for the kept eps
    reparameterize(w.z, q, fit->eps);
    vae_decode(w.logits, w, p, w.z, fit->y_rep);
    // dL/dlogits of L = (1/S) sum_s -log p(x|z_s), then back through the decoder to dL/dz_s
    likelihood_nll(w.nll, p.config.likelihood, w.logits, w.dec_logvar, fit->x_rep);
    likelihood_nll_backward(w.d_logits, w.d_dec_logvar, p.config.likelihood, w.logits, w.dec_logvar, fit->x_rep,
                            1.0f / S);
    fit->skipped.clear();
    w.defer = &fit->skipped;
    vae_decoder_backward(w, p, false, true);
    w.defer = nullptr;
    const Vec kl = kl_per_dim(q);
    fit->objective = -w.nll.cast<double>().mean() - kl.cast<double>().sum();
    // minimizing -ELBO = L + KL over theta = [mu | logvar]:
    //   d/dmu = sum_s dL/dz_s + mu;   d/dlogvar = sum_s dL/dz_s eps_s sigma / 2 + (exp(logvar) - 1) / 2
    grad.head(Z) = w.d_z.colwise().sum().transpose() + q.mu;
    const Vec dz_eps = (w.d_z.array() * fit->eps.array()).matrix().colwise().sum().transpose();
    grad.tail(Z) = (dz_eps.array() * 0.5f * q.sigma.array() + 0.5f * (q.logvar.array().exp() - 1.0f)).matrix();
    // the learning rate falls from kFitQLr to 0 over the fit (half a cosine)
    fit->adam.lr = kFitQLr * 0.5f * (1.0f + std::cos(3.14159265f * fit->steps / fit->total_steps));
    theta << q.mu, q.logvar;
    fit->adam.update(theta.data(), grad.data(), theta.size());
    q.mu = theta.head(Z);
    q.logvar = theta.tail(Z);
    q.sigma = (0.5f * q.logvar.array()).exp();
    fit->path.push_back(q.mu);
    ++fit->steps;
  }
}

double vae_elbo_of(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y, const Posterior& q,
                   int samples, Rng rng) {
  // ELBO = E_q[log p(x|z)] - KL(q || N(0, I))
  return vae_recon_estimate(w, p, x, y, q, samples, rng).recon - kl_per_dim(q).cast<double>().sum();
}

GapSplit vae_gap_split(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                       const Posterior& encoder_q, const Posterior& fitted_q, Rng recon_rng, long long k,
                       Rng log_px_rng) {
  GapSplit s;
  s.elbo_encoder = vae_elbo_of(w, p, x, y, encoder_q, kReconSamples, recon_rng);
  s.elbo_fit = vae_elbo_of(w, p, x, y, fitted_q, kReconSamples, recon_rng);
  s.q_fit = fitted_q;
  // the best q found: the encoder's own when the fit did not beat it on the same draws
  if (s.elbo_fit < s.elbo_encoder) {
    s.kept_encoder = true;
    s.q_fit = encoder_q;
    s.elbo_fit = s.elbo_encoder;
  }
  LogPxAccumulator acc;
  vae_log_px_add(&acc, w, p, x, y, s.q_fit, k, log_px_rng);
  s.log_px = acc.value();
  // log p(x) - ELBO_encoder = (ELBO_fit - ELBO_encoder) + (log p(x) - ELBO_fit)
  s.amortization_gap = s.elbo_fit - s.elbo_encoder;
  s.approximation_gap = s.log_px - s.elbo_fit;
  return s;
}
