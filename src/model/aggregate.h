// The aggregate posterior q(z) = (1/N) sum_n q(z|x_n) (Hoffman & Johnson 2016, "ELBO surgery"): where
// the encoder puts the data, against the prior p(z) = N(0, I) it is meant to fill. Where the prior has
// mass but q(z) has almost none are holes: a code drawn from the prior there decodes to something no
// training image looked like. Evaluated in two coordinates (a Z = 2 model's whole space, or a plane
// through a larger one, each q(z|x_n) then its Gaussian marginal on the plane, taken diagonal).
#pragma once
#include <cstdint>
#include <vector>

#include "core/layers.h"

// q(c) = (1/N) sum_n N(c; m_n, diag(v_n)) at each row of points (K x 2), for means and variances (N x 2).
Vec aggregate_density(const ConstMatRef& means, const ConstMatRef& vars, const ConstMatRef& points);

// A hole: a point where the prior's density is at least kHolePrior of its peak (inside about its 2 sigma
// ellipse) and q(c) is below kHoleRatio times the prior's density there.
constexpr double kHolePrior = 0.135;  // exp(-2)
constexpr double kHoleRatio = 0.1;

struct Holes {
  Vec q, prior;               // K: q(c) and the prior's density N(c; m0, diag(v0)) at the points
  std::vector<uint8_t> hole;  // K: 1 where the point is a hole
  double share = 0;           // the prior's mass in the holes, as a share of its mass in its bulk (the
                              // points within kHolePrior of its peak, its 2 sigma ellipse), over cells
};
// points (K x 2) the centres of cells of the given areas (K); the prior N(m0, diag(v0)) in these coordinates.
Holes find_holes(const ConstMatRef& means, const ConstMatRef& vars, const ConstMatRef& points, const Vec& areas,
                 const float m0[2], const float v0[2]);
