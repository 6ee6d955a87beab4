// The aggregate posterior in two coordinates, and its holes against the prior (aggregate.h).
#include "model/aggregate.h"

#include <cassert>
#include <cmath>

Vec aggregate_density(const ConstMatRef& means, const ConstMatRef& vars, const ConstMatRef& points) {
  assert(means.cols() == 2 && vars.cols() == 2 && points.cols() == 2 && means.rows() == vars.rows());
  const Eigen::Index N = means.rows(), K = points.rows();
  Vec q = Vec::Zero(K);
  if (N == 0) return q;
  // N(c; m, diag(v)) = exp(-(c0 - m0)^2 / 2v0 - (c1 - m1)^2 / 2v1) / (2 pi sqrt(v0 v1))
  const Eigen::ArrayXf inv0 = 0.5f / vars.col(0).array().max(1e-12f), inv1 = 0.5f / vars.col(1).array().max(1e-12f);
  const Eigen::ArrayXf norm = 1.0f / (6.2831853f * (vars.col(0).array() * vars.col(1).array()).max(1e-24f).sqrt());
  for (Eigen::Index k = 0; k < K; ++k) {
    const Eigen::ArrayXf d0 = means.col(0).array() - points(k, 0), d1 = means.col(1).array() - points(k, 1);
    // q(c) = (1/N) sum_n N(c; m_n, diag(v_n))
    q[k] = (norm * (-(d0.square() * inv0) - d1.square() * inv1).exp()).sum() / static_cast<float>(N);
  }
  return q;
}

Holes find_holes(const ConstMatRef& means, const ConstMatRef& vars, const ConstMatRef& points, const Vec& areas,
                 const float m0[2], const float v0[2]) {
  assert(areas.size() == points.rows());
  const Eigen::Index K = points.rows();
  Holes h;
  h.q = aggregate_density(means, vars, points);
  const float peak = 1.0f / (6.2831853f * std::sqrt(v0[0] * v0[1]));
  h.prior.resize(K);
  h.hole.assign(static_cast<size_t>(K), 0);
  double mass = 0, in_holes = 0;
  for (Eigen::Index k = 0; k < K; ++k) {
    // p(c) = N(c; m0, diag(v0))
    const float d0 = points(k, 0) - m0[0], d1 = points(k, 1) - m0[1];
    h.prior[k] = peak * std::exp(-0.5f * (d0 * d0 / v0[0] + d1 * d1 / v0[1]));
    const bool bulk = h.prior[k] >= kHolePrior * peak;
    const bool hole = bulk && h.q[k] < kHoleRatio * h.prior[k];
    h.hole[static_cast<size_t>(k)] = hole;
    // the prior's mass in the cell ~= p(c) times its area, counted inside its bulk
    if (bulk) mass += double(h.prior[k]) * areas[k];
    if (hole) in_holes += double(h.prior[k]) * areas[k];
  }
  h.share = mass > 0 ? in_holes / mass : 0;
  return h;
}
