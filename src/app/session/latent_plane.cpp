// Planes through latent space, the Gaussian-CDF warp of the manifold figure, and slerp.
#include "app/session/latent_plane.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

LatentPlane LatentPlane::axes(const Vec& origin, int i, int j) {
  assert(i != j && i >= 0 && j >= 0 && i < origin.size() && j < origin.size());
  LatentPlane p;
  p.origin = origin;
  p.dir0 = Vec::Zero(origin.size());
  p.dir1 = Vec::Zero(origin.size());
  p.dir0(i) = 1;
  p.dir1(j) = 1;
  return p;
}

Vec LatentPlane::point(float c0, float c1) const {
  return origin + (c0 * scale0) * dir0 + (c1 * scale1) * dir1;
}

void LatentPlane::coords(const Eigen::Ref<const Vec>& z, float* c0, float* c1) const {
  // c_k = (z - origin) . dir_k / scale_k
  *c0 = (z - origin).dot(dir0) / scale0;
  *c1 = (z - origin).dot(dir1) / scale1;
}

void LatentPlane::move_to(Vec* z, float c0, float c1) const {
  float old0, old1;
  coords(*z, &old0, &old1);
  *z += ((c0 - old0) * scale0) * dir0 + ((c1 - old1) * scale1) * dir1;
}

static Vec fix_sign(Vec v) {
  Eigen::Index at;
  v.cwiseAbs().maxCoeff(&at);
  return v(at) < 0 ? Vec(-v) : v;
}

// The eigen-decomposition of a symmetric n x n matrix A (row-major, overwritten: its diagonal ends
// as the eigenvalues) by cyclic Jacobi rotations, A <- J^T A J, V <- V J (Golub & Van Loan, 8.5),
// in double; V's columns are the eigenvectors. For the Z <= 50 of the app's models a few sweeps, and
// the page's module keeps no general-purpose solver (double GEMM, Householder) for it.
static void symmetric_eigen(std::vector<double>& A, std::vector<double>& V, int n) {
  V.assign(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) V[static_cast<size_t>(i) * n + i] = 1;
  auto at = [n](std::vector<double>& M, int r, int c) -> double& { return M[static_cast<size_t>(r) * n + c]; };
  double total = 0;
  for (double a : A) total += a * a;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += at(A, p, q) * at(A, p, q);
    if (off <= 1e-30 * total) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const double apq = at(A, p, q);
        if (apq == 0) continue;
        // c, s with [c s; -s c]^T [a_pp a_pq; a_pq a_qq] [c s; -s c] diagonal
        const double tau = (at(A, q, q) - at(A, p, p)) / (2 * apq);
        const double t = (tau >= 0 ? 1.0 : -1.0) / (std::abs(tau) + std::sqrt(1 + tau * tau));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < n; ++k) {  // columns p, q of A J
          const double kp = at(A, k, p), kq = at(A, k, q);
          at(A, k, p) = c * kp - s * kq;
          at(A, k, q) = s * kp + c * kq;
        }
        for (int k = 0; k < n; ++k) {  // rows p, q of J^T (A J)
          const double pk = at(A, p, k), qk = at(A, q, k);
          at(A, p, k) = c * pk - s * qk;
          at(A, q, k) = s * pk + c * qk;
        }
        for (int k = 0; k < n; ++k) {  // columns p, q of V J
          const double kp = at(V, k, p), kq = at(V, k, q);
          at(V, k, p) = c * kp - s * kq;
          at(V, k, q) = s * kp + c * kq;
        }
      }
  }
}

LatentPlane principal_plane(const ConstMatMap& mu) {
  assert(mu.rows() >= 2 && mu.cols() >= 2);
  LatentPlane p;
  p.origin = mu.colwise().mean().transpose();
  // C = (mu - mean)^T (mu - mean) / (N - 1), in double for 10,000 rows
  const int Z = static_cast<int>(mu.cols());
  std::vector<double> C(static_cast<size_t>(Z) * Z, 0.0), d(static_cast<size_t>(Z)), V;
  for (Eigen::Index r = 0; r < mu.rows(); ++r) {
    for (int j = 0; j < Z; ++j) d[static_cast<size_t>(j)] = static_cast<double>(mu(r, j)) - p.origin(j);
    for (int i = 0; i < Z; ++i)
      for (int j = i; j < Z; ++j) C[static_cast<size_t>(i) * Z + j] += d[static_cast<size_t>(i)] * d[static_cast<size_t>(j)];
  }
  for (int i = 0; i < Z; ++i)
    for (int j = i; j < Z; ++j) C[static_cast<size_t>(j) * Z + i] = C[static_cast<size_t>(i) * Z + j] /= static_cast<double>(mu.rows() - 1);
  symmetric_eigen(C, V, Z);
  // the two largest eigenvalues: the directions of most spread, sqrt(eigenvalue) their scales
  std::vector<int> order(static_cast<size_t>(Z));
  for (int i = 0; i < Z; ++i) order[static_cast<size_t>(i)] = i;
  auto eigenvalue = [&](int i) { return C[static_cast<size_t>(i) * Z + i]; };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return eigenvalue(a) > eigenvalue(b); });
  auto direction = [&](int col) {
    Vec v(Z);
    for (int k = 0; k < Z; ++k) v(k) = static_cast<float>(V[static_cast<size_t>(k) * Z + col]);
    return fix_sign(v);
  };
  p.dir0 = direction(order[0]);
  p.dir1 = direction(order[1]);
  p.scale0 = static_cast<float>(std::sqrt(std::max(eigenvalue(order[0]), 1e-12)));
  p.scale1 = static_cast<float>(std::sqrt(std::max(eigenvalue(order[1]), 1e-12)));
  return p;
}

float normal_cdf(float x) { return 0.5f * std::erfc(-x / std::sqrt(2.0f)); }

float normal_icdf(float p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double q = std::clamp(static_cast<double>(p), 1e-6, 1.0 - 1e-6);
  const double lo = 0.02425;
  if (q < lo || q > 1 - lo) {
    // tails: x = (c(r)) / (d(r)), r = sqrt(-2 log(min(q, 1 - q)))
    const double r = std::sqrt(-2 * std::log(q < lo ? q : 1 - q));
    const double x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) /
                     ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
    return static_cast<float>(q < lo ? x : -x);
  }
  const double s = q - 0.5, r = s * s;
  return static_cast<float>((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s /
                            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1));
}

float map_to_plane(float u, bool cdf) { return cdf ? normal_icdf(u) : 6.0f * u - 3.0f; }
float plane_to_map(float c, bool cdf) { return cdf ? normal_cdf(c) : (c + 3.0f) / 6.0f; }

Vec interpolate(const Vec& a, const Vec& b, float t, bool spherical) {
  const float na = a.norm(), nb = b.norm();
  if (!spherical || na < 1e-6f || nb < 1e-6f) return (1 - t) * a + t * b;
  const float cos_theta = std::clamp(a.dot(b) / (na * nb), -1.0f, 1.0f);
  const float theta = std::acos(cos_theta);
  if (theta < 1e-4f) return (1 - t) * a + t * b;
  // unit vectors slerped on the great circle, then scaled by the interpolated radius
  const float s = std::sin(theta);
  const Vec dir = (std::sin((1 - t) * theta) / s) * (a / na) + (std::sin(t * theta) / s) * (b / nb);
  return ((1 - t) * na + t * nb) * dir;
}

bool same_plane(const LatentPlane& a, const LatentPlane& b) {
  return a.origin.size() == b.origin.size() && a.origin == b.origin && a.dir0 == b.dir0 && a.dir1 == b.dir1 &&
         a.scale0 == b.scale0 && a.scale1 == b.scale1;
}
