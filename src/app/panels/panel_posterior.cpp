// The true posterior and the gap's two parts (model/posterior.h; Cremer et al. 2018): p(z|x) of a
// Z = 2 model on a grid, drawn as a heat map with the contours holding 50%, 90% and 99% of its mass,
// under the encoder's q(z|x) (yellow) and the q fitted to this image alone (green, with its path);
// the importance samples of log p(x) as dots sized by their weight; and the figures that split
// log p(x) - ELBO into the amortization gap and the approximation gap.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"
#include "app/ui/contour.h"

namespace {

// The zoomed plane: z in [e0, e1] x [e2, e3] onto a square on the screen (z_1 up).
struct Zoom {
  ImVec2 at;
  float side;
  float e[4];
  ImVec2 to_screen(double z0, double z1) const {
    return ImVec2(at.x + static_cast<float>((z0 - e[0]) / (e[1] - e[0])) * side,
                  at.y + (1 - static_cast<float>((z1 - e[2]) / (e[3] - e[2]))) * side);
  }
};

// The ellipse of N(m, diag(s^2)) at r standard deviations, or of a full 2x2 covariance.
void ellipse(ImDrawList* dl, const Zoom& f, double m0, double m1, double c00, double c01, double c11, float r, ImU32 color,
             float thickness) {
  // C = L L^T, points m + r L (cos t, sin t)
  const double l00 = std::sqrt(std::max(c00, 1e-12)), l10 = c01 / l00, l11 = std::sqrt(std::max(c11 - l10 * l10, 1e-12));
  ImVec2 pts[48];
  for (int i = 0; i < 48; ++i) {
    const double t = 6.283185307179586 * i / 48, a = r * std::cos(t), b = r * std::sin(t);
    pts[i] = f.to_screen(m0 + l00 * a, m1 + l10 * a + l11 * b);
  }
  dl->AddPolyline(pts, 48, color, ImDrawFlags_Closed, thickness);
}

// The plot's box: the grid's extent, widened to a square (equal scales on both axes) that also holds
// q's and the fitted q's 2-sigma ellipses.
void zoom_extent(const OneImage& o, float e[4]) {
  const PosteriorGrid& g = o.posterior;
  float lo0 = g.extent[0], hi0 = g.extent[1], lo1 = g.extent[2], hi1 = g.extent[3];
  auto hold = [&](const Posterior& q) {
    lo0 = std::min(lo0, q.mu[0] - 2.2f * q.sigma[0]), hi0 = std::max(hi0, q.mu[0] + 2.2f * q.sigma[0]);
    lo1 = std::min(lo1, q.mu[1] - 2.2f * q.sigma[1]), hi1 = std::max(hi1, q.mu[1] + 2.2f * q.sigma[1]);
  };
  hold(o.q);
  if (o.fit_on && o.fit.q.mu.size() == 2) hold(o.fit.q);
  const float half = 0.5f * std::max(hi0 - lo0, hi1 - lo1), c0 = 0.5f * (lo0 + hi0), c1 = 0.5f * (lo1 + hi1);
  e[0] = c0 - half, e[1] = c0 + half, e[2] = c1 - half, e[3] = c1 + half;
}

void posterior_plot(AppState& app, const OneImage& o, float side) {
  const PosteriorGrid& g = o.posterior;
  Zoom f{ImGui::GetCursorScreenPos(), side, {}};
  zoom_extent(o, f.e);
  ImGui::InvisibleButton("posterior_plot", ImVec2(side, side));
  app.probes.set("posterior_plot", item_rect());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(f.at, ImVec2(f.at.x + side, f.at.y + side), true);
  dl->AddRectFilled(f.at, ImVec2(f.at.x + side, f.at.y + side), IM_COL32(0, 0, 0, 255));
  // p(z|x) per cell as heat
  const int n = g.n;
  const float top = std::max(g.mass.maxCoeff(), 1e-12f);
  const float h0 = (g.extent[1] - g.extent[0]) / n, h1 = (g.extent[3] - g.extent[2]) / n;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const float v = g.mass[r * n + c] / top;
      if (v < 0.004f) continue;
      const ImVec2 a = f.to_screen(g.extent[0] + c * h0, g.extent[2] + (r + 1) * h1);
      const ImVec2 b = f.to_screen(g.extent[0] + (c + 1) * h0, g.extent[2] + r * h1);
      dl->AddRectFilled(a, ImVec2(b.x + 0.5f, b.y + 0.5f), heat_color(std::sqrt(v) * 0.85f));
    }
  // contours holding 50%, 90%, 99% of the mass
  const std::vector<float> levels = mass_levels(g.mass, {0.5f, 0.9f, 0.99f});
  const ImU32 contour_colors[3] = {IM_COL32(120, 230, 255, 255), IM_COL32(120, 230, 255, 190), IM_COL32(120, 230, 255, 120)};
  for (size_t k = 0; k < levels.size(); ++k)
    for (const ContourSegment& s : contour_segments(g.mass, n, levels[k]))
      dl->AddLine(f.to_screen(g.extent[0] + (s.x0 + 0.5f) * h0, g.extent[2] + (s.y0 + 0.5f) * h1),
                  f.to_screen(g.extent[0] + (s.x1 + 0.5f) * h0, g.extent[2] + (s.y1 + 0.5f) * h1), contour_colors[k], 1.5f);
  // the importance samples, area proportional to weight
  const float wmax = o.is_weight.size() ? std::max(o.is_weight.maxCoeff(), 1e-12f) : 1;
  for (Eigen::Index i = 0; i < o.is_z.rows() && o.is_z.cols() == 2; ++i)
    dl->AddCircleFilled(f.to_screen(o.is_z(i, 0), o.is_z(i, 1)), 1.0f + 4.0f * std::sqrt(o.is_weight[i] / wmax),
                        IM_COL32(255, 255, 255, 170));
  // the posterior's own mean and covariance (its 2-sigma ellipse, dashed blue)
  ellipse(dl, f, g.mean[0], g.mean[1], g.cov[0][0], g.cov[0][1], g.cov[1][1], 2, IM_COL32(120, 230, 255, 255), 1.0f);
  const ImVec2 pm = f.to_screen(g.mean[0], g.mean[1]);
  dl->AddLine(ImVec2(pm.x - 5, pm.y - 5), ImVec2(pm.x + 5, pm.y + 5), IM_COL32(120, 230, 255, 255), 2);
  dl->AddLine(ImVec2(pm.x - 5, pm.y + 5), ImVec2(pm.x + 5, pm.y - 5), IM_COL32(120, 230, 255, 255), 2);
  // the encoder's q(z|x): 1 and 2 sigma
  for (float r : {1.0f, 2.0f})
    ellipse(dl, f, o.q.mu[0], o.q.mu[1], o.q.sigma[0] * o.q.sigma[0], 0, o.q.sigma[1] * o.q.sigma[1], r,
            IM_COL32(255, 210, 80, r == 1 ? 255 : 170), 2.0f);
  // the fitted q and the path of its mean
  if (o.fit_on && o.fit.q.mu.size() == 2) {
    std::vector<ImVec2> path;
    for (const Vec& m : o.fit.path) path.push_back(f.to_screen(m[0], m[1]));
    dl->AddPolyline(path.data(), static_cast<int>(path.size()), IM_COL32(120, 230, 120, 200), 0, 1.5f);
    const Posterior& q = o.split_ready ? o.split.q_fit : o.fit.q;
    for (float r : {1.0f, 2.0f})
      ellipse(dl, f, q.mu[0], q.mu[1], q.sigma[0] * q.sigma[0], 0, q.sigma[1] * q.sigma[1], r,
              IM_COL32(120, 230, 120, r == 1 ? 255 : 170), 2.0f);
  }
  dl->PopClipRect();
  dl->AddRect(f.at, ImVec2(f.at.x + side, f.at.y + side), IM_COL32(90, 90, 110, 255));
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const double z0 = f.e[0] + (m.x - f.at.x) / side * (f.e[1] - f.e[0]), z1 = f.e[2] + (1 - (m.y - f.at.y) / side) * (f.e[3] - f.e[2]);
    ImGui::SetTooltip("z = (%.3f, %.3f)\nheat and blue contours: p(z|x) ∝ p(x|z) p(z) on a %dx%d grid (50%%, 90%%, 99%% "
                      "of its mass), × its mean, dashed: its 2σ ellipse\nyellow: the encoder's q(z|x), 1σ and 2σ\n"
                      "green: q fitted to this image alone, and its path\ndots: importance samples of log p(x), area ∝ weight",
                      z0, z1, g.n, g.n);
  }
}

void gap_figures(const OneImage& o) {
  if (!ImGui::BeginTable("gap", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("nats", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("-0000.00").x);
  const bool done = o.fit_on && o.split_ready;
  figure_row("ELBO, encoder's q", "The ELBO of q(z|x) as the encoder gives it (the ELBO panel's).", o.elbo,
      IM_COL32(255, 210, 80, 255));
  if (o.fit_on) {
    figure_row(done ? "ELBO, q fitted alone" : "ELBO, fitting...",
        "The best Gaussian q for this image alone: gradient ascent on its own μ and log σ² (200 Adam steps), the "
        "encoder and decoder untouched. On the same draws as the encoder's ELBO.",
        done ? o.split.elbo_fit : o.fit.objective, IM_COL32(120, 230, 120, 255));
    figure_row("log p(x)", "Importance sampling with 5,000 draws from the fitted q (a proposal closer to p(z|x) than the "
                    "encoder's).", done ? o.split.log_px : NAN);
    figure_row("amortization gap", "ELBO(fitted q) − ELBO(encoder's q): what the encoder loses by serving every image with one "
                            "network instead of fitting each.", done ? o.split.amortization_gap : NAN,
        IM_COL32(255, 170, 60, 255));
    figure_row("approximation gap", "log p(x) − ELBO(fitted q): what even the best Gaussian cannot fit of p(z|x).",
        done ? o.split.approximation_gap : NAN, IM_COL32(120, 230, 255, 255));
  }
  if (o.posterior.n > 0) figure_row("log p(x), grid", "The sum of p(x|z) p(z) over the grid's cells times their area.", o.posterior.log_px);
  ImGui::EndTable();
  if (o.fit_on && !done) {
    char text[48];
    std::snprintf(text, sizeof text, "fitting q: step %d of %d", o.fit.steps, o.fit.total_steps);
    ImGui::ProgressBar(static_cast<float>(o.fit.steps) / std::max(o.fit.total_steps, 1), ImVec2(-FLT_MIN, 0), text);
  }
  if (o.posterior.n > 0) {
    const PosteriorGrid& g = o.posterior;
    const double s0 = std::sqrt(g.cov[0][0]), s1 = std::sqrt(g.cov[1][1]);
    ImGui::TextWrapped("p(z|x): mean (%.2f, %.2f), sd (%.3f, %.3f), corr %.2f, %d mode%s", g.mean[0], g.mean[1], s0, s1,
                       g.cov[0][1] / std::max(s0 * s1, 1e-12), g.modes, g.modes == 1 ? "" : "s");
  }
}

}  // namespace

void panel_posterior(AppState& app) {
  OneImage& o = app.session.one_image;
  if (!panel_begin(app, kPanelPosterior, "True posterior",
                   "What q(z|x) approximates: p(z|x) ∝ p(x|z) p(z), and the best Gaussian for this image alone."))
    return;
  const int Z = app.session.trainer.params.config.latent;
  ImGui::BeginDisabled(Z != 2);
  ImGui::Checkbox("p(z|x)", &o.posterior_on);
  ImGui::EndDisabled();
  app.probes.set("posterior_on", item_rect());
  help_marker(Z == 2 ? "The true posterior of this image, p(z|x) = p(x|z) p(z) / p(x), evaluated on a 64x64 grid over "
                       "where its mass is. A Gaussian q can only be an ellipse; a digit that could be two digits has "
                       "two modes."
                     : "The true posterior is drawn for models with Z = 2 (a grid over more dimensions would be too "
                       "big); pick mnist-z2.");
  ImGui::SameLine();
  ImGui::Checkbox("fit q to this image", &o.fit_on);
  app.probes.set("fit_q", item_rect());
  help_marker("Runs gradient steps on this image's own μ and log σ² (the encoder untouched) until q is the best "
              "Gaussian for this image; the gap log p(x) − ELBO then splits into the amortization gap and the "
              "approximation gap.");
  if (!o.ready) {
    ImGui::TextDisabled("No input yet.");
    panel_end(app, kPanelPosterior);
    return;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool plot = o.posterior.n > 0;
  const float side = plot ? std::max(40.0f, std::min(avail.y - 2, avail.x * 0.45f)) : 0;
  if (plot) {
    posterior_plot(app, o, side);
    ImGui::SameLine();
  }
  ImGui::BeginChild("gap_figures", ImVec2(0, std::max(avail.y - 2, 40.0f)));
  if (!plot && !o.fit_on)
    ImGui::TextWrapped("Tick p(z|x) to see the true posterior under q, or fit q to split the gap.");
  gap_figures(o);
  ImGui::EndChild();
  panel_end(app, kPanelPosterior);
}
