// Geometry of the latent space the panels share: a 2-D plane through it (two axes, or the two
// principal directions of the encoded test means), the Gaussian-CDF warp of the paper's figure 4
// (a grid linearly spaced on the unit square, mapped through the inverse CDF of N(0, 1)), and
// linear / spherical interpolation between two codes.
#pragma once
#include "core/tensor.h"

// z(c) = origin + c0 * scale0 * dir0 + c1 * scale1 * dir1, with orthonormal dir0, dir1 (Z). The plane
// coordinates c are in units of scale (1 for axes and for a 2-D model, the standard deviation for
// principal directions), so c ~ N(0, 1) roughly on every kind of plane.
struct LatentPlane {
  Vec origin, dir0, dir1;  // Z
  float scale0 = 1, scale1 = 1;

  // The plane of axes i and j through `origin`.
  static LatentPlane axes(const Vec& origin, int i, int j);
  Vec point(float c0, float c1) const;
  // Coordinates of z's orthogonal projection onto the plane.
  void coords(const Eigen::Ref<const Vec>& z, float* c0, float* c1) const;
  // Moves z within the plane to coordinates (c0, c1), keeping its part off the plane.
  void move_to(Vec* z, float c0, float c1) const;
};

// The same plane: the same origin, directions and scales.
bool same_plane(const LatentPlane& a, const LatentPlane& b);

// Principal plane of the rows of mu (N x Z, N >= 2, Z >= 2): mean, the top two eigenvectors of the
// covariance (Eigen's SelfAdjointEigenSolver), scales sqrt(eigenvalue). Signs fixed so the largest
// component of each direction is positive (the map does not flip when it is recomputed).
LatentPlane principal_plane(const ConstMatMap& mu);

// Standard normal CDF and its inverse (Acklam's rational approximation, relative error < 1.2e-9
// before the float cast); p is clamped to [1e-6, 1 - 1e-6].
float normal_cdf(float x);
float normal_icdf(float p);

// Map coordinate u in [0, 1] <-> plane coordinate c: through the Gaussian CDF (paper, figure 4), or
// linearly over [-3, 3] when `cdf` is false.
float map_to_plane(float u, bool cdf);
float plane_to_map(float c, bool cdf);

// The point at t in [0, 1] between a and b: linear (1 - t) a + t b, or spherical (White 2016): the
// direction follows the great circle, slerp(u_a, u_b) = sin((1-t) theta)/sin(theta) u_a + sin(t theta)/sin(theta) u_b
// with u = z / |z| and cos(theta) = u_a . u_b, while the length goes linearly from |a| to |b|.
Vec interpolate(const Vec& a, const Vec& b, float t, bool spherical);
