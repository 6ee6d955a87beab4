// The latent map's holes (model/aggregate.h): the aggregate posterior of the test codes on the map's
// plane against the prior there, as heat over the tiles, with the holes in red and their share of
// the prior's mass.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"

// The aggregate posterior of the test codes on the map's plane against the prior there, when the
// codes or the plane changed: each q(z|x) projected onto the plane (mean coords(mu), variances
// sum_j dir[j]^2 sigma_j^2 / scale^2), the prior N(coords(0), diag(1 / scale^2)).
static void holes_update(AppState& app) {
  LatentMapPanel& m = app.map;
  const LatentPlane& p = m.plane;
  const int Z = static_cast<int>(p.origin.size());
  // the codes of a whole pass (the one under way may still hold the last model's)
  if (!m.show_holes || m.principal_at != m.points_pass_at || Z < 2 || m.points_mu.cols() != Z) return;
  if (m.holes_pass == m.principal_at && m.holes_cdf == m.cdf && same_plane(m.holes_plane, p)) return;
  const Eigen::Index N = m.points_mu.rows();
  Mat means(N, 2), vars(N, 2);
  const Eigen::ArrayXf d0 = p.dir0.array().square() / (p.scale0 * p.scale0), d1 = p.dir1.array().square() / (p.scale1 * p.scale1);
  for (Eigen::Index i = 0; i < N; ++i) {
    float c0, c1;
    p.coords(m.points_mu.row(i).transpose(), &c0, &c1);
    means(i, 0) = c0, means(i, 1) = c1;
    const Eigen::ArrayXf var = m.points_sigma.row(i).transpose().array().square();
    vars(i, 0) = (d0 * var).sum(), vars(i, 1) = (d1 * var).sum();
  }
  // the grid's cells in map coordinates, their centres and areas in the plane's
  const int n = kHoleGrid;
  Mat points(n * n, 2);
  Vec areas(n * n);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const float u0 = static_cast<float>(c) / n, u1 = static_cast<float>(c + 1) / n;
      const float v0 = 1 - static_cast<float>(r + 1) / n, v1 = 1 - static_cast<float>(r) / n;
      const float a0 = map_to_plane(u0, m.cdf), a1 = map_to_plane(u1, m.cdf), b0 = map_to_plane(v0, m.cdf), b1 = map_to_plane(v1, m.cdf);
      points(r * n + c, 0) = map_to_plane((c + 0.5f) / n, m.cdf);
      points(r * n + c, 1) = map_to_plane(1 - (r + 0.5f) / n, m.cdf);
      areas[r * n + c] = (a1 - a0) * (b1 - b0);
    }
  float o0, o1;
  p.coords(Vec::Zero(Z), &o0, &o1);
  const float m0[2] = {o0, o1}, v0[2] = {1.0f / (p.scale0 * p.scale0), 1.0f / (p.scale1 * p.scale1)};
  m.holes = find_holes(means, vars, points, areas, m0, v0);
  m.holes_pass = m.principal_at;
  m.holes_version = m.points_version;
  m.holes_cdf = m.cdf;
  m.holes_plane = p;
}

// The aggregate posterior as heat over the (dimmed) tiles, the holes in red, and their share of the prior's mass.
static void draw_holes(const AppState& app, ImVec2 at, float side, ImDrawList* dl) {
  const Holes& h = app.map.holes;
  const int n = kHoleGrid;
  const float cell = side / n, top = std::max(h.q.maxCoeff(), 1e-12f);
  dl->AddRectFilled(at, ImVec2(at.x + side, at.y + side), IM_COL32(0, 0, 0, 150));
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const ImVec2 a(at.x + c * cell, at.y + r * cell), b(a.x + cell + 0.5f, a.y + cell + 0.5f);
      const float v = std::sqrt(h.q[r * n + c] / top);
      if (v > 0.05f) dl->AddRectFilled(a, b, (heat_color(v * 0.9f) & 0x00FFFFFF) | (static_cast<ImU32>(110 + 100 * v) << 24));
      if (h.hole[static_cast<size_t>(r * n + c)]) {
        dl->AddRectFilled(a, b, IM_COL32(230, 40, 40, 90));
        dl->AddLine(a, b, IM_COL32(255, 80, 80, 200), 1.0f);
      }
    }
  char text[64];
  std::snprintf(text, sizeof text, "prior mass in holes: %.0f%%", 100 * h.share);
  const ImVec2 t = ImGui::CalcTextSize(text);
  dl->AddRectFilled(ImVec2(at.x + 2, at.y + 2), ImVec2(at.x + t.x + 10, at.y + t.y + 6), IM_COL32(0, 0, 0, 200));
  dl->AddText(ImVec2(at.x + 6, at.y + 4), IM_COL32(255, 120, 120, 255), text);
}

void latent_map_holes(AppState& app, ImVec2 at, float side, ImDrawList* dl) {
  holes_update(app);
  if (app.map.show_holes && app.map.holes.q.size() == kHoleGrid * kHoleGrid) draw_holes(app, at, side, dl);
}
