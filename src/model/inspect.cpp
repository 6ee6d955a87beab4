// One image through the VAE: q(z|x), z = mu + sigma * eps, the ELBO's terms and log p(x) (inspect.h).
#include "model/inspect.h"

#include <algorithm>
#include <cassert>

#include "model/likelihood.h"

Posterior vae_posterior(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y) {
  assert(x.rows() == 1 && w.batch >= 1);
  const int Z = p.config.latent;
  vae_encode(w, p, x, y);
  Posterior q;
  // [mu | a] = encoder(x); logvar = a, or 2 log(softplus(a) + 1e-6) for a softplus head
  q.mu = w.heads.row(0).leftCols(Z).transpose();
  q.logvar = vae_posterior_logvar(w, p, 1).row(0).transpose();
  // sigma = exp(logvar / 2)
  q.sigma = (0.5f * q.logvar.array()).exp();
  return q;
}

Vec kl_per_dim(const Posterior& q) {
  // KL_j = -1/2 (1 + logvar_j - mu_j^2 - exp(logvar_j))   (appendix B, one term of the sum)
  return -0.5f * (1.0f + q.logvar.array() - q.mu.array().square() - q.logvar.array().exp());
}

void reparameterize(MatRef z, const Posterior& q, const ConstMatRef& eps) {
  assert(z.rows() == eps.rows() && z.cols() == q.mu.size() && eps.cols() == q.mu.size());
  // z = sigma * eps + mu, each row
  z = (eps.array().rowwise() * q.sigma.transpose().array()).rowwise() + q.mu.transpose().array();
}

// rows of eps ~ N(0, I) from rng, row by row
static void draw_normal(MatRef eps, Rng& rng) {
  for (Eigen::Index r = 0; r < eps.rows(); ++r)
    for (Eigen::Index j = 0; j < eps.cols(); ++j) eps(r, j) = rng.normal();
}

ReconEstimate vae_recon_estimate(VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                                 const Posterior& q, int samples, Rng& rng) {
  assert(x.rows() == 1 && samples >= 1);
  const int B = w.batch, D = p.config.input;
  ReconEstimate out;
  out.samples = samples;
  Eigen::VectorXd cost = Eigen::VectorXd::Zero(D);
  Mat x_rep = x.replicate(B, 1), y_rep = y.replicate(B, 1), pixels(B, D);
  for (int done = 0; done < samples; done += B) {
    const int n = std::min(B, samples - done);
    draw_normal(w.eps.topRows(n), rng);
    // z_s = mu + sigma * eps_s
    reparameterize(w.z.topRows(n), q, w.eps.topRows(n));
    vae_decode(w.logits.topRows(n), w, p, w.z.topRows(n), y_rep.topRows(n));
    // -log p(x_j|z_s) per pixel (Bernoulli from the logits, or Gaussian)
    likelihood_nll_pixels(pixels.topRows(n), p.config.likelihood, w.logits.topRows(n), w.dec_logvar.topRows(n),
                          x_rep.topRows(n));
    cost += pixels.topRows(n).cast<double>().colwise().sum().transpose();
  }
  // the mean over the S draws: cost_j = (1/S) sum_s -log p(x_j|z_s);  E_q[log p(x|z)] ~= -sum_j cost_j
  cost /= samples;
  out.recon = -cost.sum();
  out.pixel_cost = cost.cast<float>();
  return out;
}

void LogPxAccumulator::add(double log_w) {
  // running logsumexp: keep sum_i exp(log w_i - max) with the largest log w seen as max
  if (log_w > max_log_w) {
    sum_exp = sum_exp * std::exp(max_log_w - log_w) + 1.0;
    max_log_w = log_w;
  } else {
    sum_exp += std::exp(log_w - max_log_w);
  }
  ++count;
}

void vae_log_px_add(LogPxAccumulator* acc, VaeWork& w, const VaeParams& p, const ConstMatRef& x, const ConstMatRef& y,
                    const Posterior& q, long long n_total, Rng& rng) {
  assert(x.rows() == 1);
  const int B = w.batch;
  // the image in every row a block uses (at most the k samples asked for, not the whole work buffer)
  const int rows = static_cast<int>(std::min<long long>(B, n_total));
  const Mat x_rep = x.replicate(rows, 1), y_rep = y.replicate(rows, 1);
  const double half_sum_logvar = 0.5 * q.logvar.cast<double>().sum();
  Vec log_w(B);
  for (long long done = 0; done < n_total; done += B) {
    const int n = static_cast<int>(std::min<long long>(B, n_total - done));
    draw_normal(w.eps.topRows(n), rng);
    // z = mu + sigma * eps
    reparameterize(w.z.topRows(n), q, w.eps.topRows(n));
    vae_decode(w.logits.topRows(n), w, p, w.z.topRows(n), y_rep.topRows(n));
    likelihood_nll(w.nll.head(n), p.config.likelihood, w.logits.topRows(n), w.dec_logvar.topRows(n), x_rep.topRows(n));
    // log w = log p(x|z) + log p(z) - log q(z|x); the (2 pi)^(-Z/2) factors cancel:
    //   log p(z) = -1/2 |z|^2,  log q(z|x) = -1/2 (|eps|^2 + sum logvar)
    log_w.head(n) = -w.nll.head(n) - 0.5f * w.z.topRows(n).rowwise().squaredNorm() +
                    0.5f * w.eps.topRows(n).rowwise().squaredNorm();
    for (int r = 0; r < n; ++r) acc->add(static_cast<double>(log_w[r]) + half_sum_logvar);
  }
}

Rng recon_stream(long long image) { return Rng(1 + static_cast<uint64_t>(image) * 0x9E3779B97F4A7C15ULL, 19); }

Rng eps_stream(uint64_t seed) { return Rng(seed, 29); }

Rng log_px_stream(uint64_t seed, long long image) {
  return Rng(seed + static_cast<uint64_t>(image) * 0x9E3779B97F4A7C15ULL, 13);
}

Vec vae_kl_per_dim_mean(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y) {
  const int Z = p.config.latent;
  const Eigen::Index N = X.rows();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Z);
  for (Eigen::Index start = 0; start < N; start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, N - start);
    vae_encode(w, p, X.middleRows(start, n), Y.middleRows(start, n));
    auto mu = w.heads.topRows(n).leftCols(Z);
    const ConstMatRef logvar = vae_posterior_logvar(w, p, n);
    // KL_j of each row = -1/2 (1 + logvar_j - mu_j^2 - exp(logvar_j)), summed over the rows
    sum += (-0.5f * (1.0f + logvar.array() - mu.array().square() - logvar.array().exp()))
               .matrix()
               .cast<double>()
               .colwise()
               .sum()
               .transpose();
  }
  return N > 0 ? Vec((sum / static_cast<double>(N)).cast<float>()) : Vec(Vec::Zero(Z));
}

int active_dims(const Vec& kl) { return static_cast<int>((kl.array() > static_cast<float>(kActiveKl)).count()); }

void two_most_active(const Vec& kl, int* first, int* second) {
  assert(kl.size() >= 2);
  std::vector<int> order(static_cast<size_t>(kl.size()));
  for (size_t j = 0; j < order.size(); ++j) order[j] = static_cast<int>(j);
  // largest KL first; ties keep the lower index first
  std::stable_sort(order.begin(), order.end(), [&kl](int a, int b) { return kl[a] > kl[b]; });
  *first = order[0];
  *second = order[1];
}

Vec vae_posterior_mean_variance(VaeWork& w, const VaeParams& p, const ConstMatRef& X, const ConstMatRef& Y) {
  const int Z = p.config.latent;
  const Eigen::Index N = X.rows();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(Z), sum_sq = Eigen::VectorXd::Zero(Z);
  for (Eigen::Index start = 0; start < N; start += w.batch) {
    const Eigen::Index n = std::min<Eigen::Index>(w.batch, N - start);
    vae_encode(w, p, X.middleRows(start, n), Y.middleRows(start, n));
    // E_q[z_j] = mu_j(x): its sum and sum of squares over the rows
    const Eigen::MatrixXd mu = w.heads.topRows(n).leftCols(Z).cast<double>();
    sum += mu.colwise().sum().transpose();
    sum_sq += mu.array().square().matrix().colwise().sum().transpose();
  }
  if (N == 0) return Vec::Zero(Z);
  // Cov_x(E_q[z_j]) = E_x[mu_j^2] - E_x[mu_j]^2
  return ((sum_sq / static_cast<double>(N)).array() - (sum / static_cast<double>(N)).array().square()).cast<float>();
}

int active_units(const Vec& variance) {
  return static_cast<int>((variance.array() > static_cast<float>(kActiveUnitVariance)).count());
}
