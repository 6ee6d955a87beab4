// The ELBO of the inspected input, in nats (Kingma & Welling 2014, equations 2-3 and appendix B):
// ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)); the reconstruction term estimated from
// kReconSamples draws with its cost per pixel, the KL in closed form with its split per dimension,
// and log p(x) by importance sampling (k samples, added a few per frame). Their difference is
// KL(q(z|x) || p(z|x)) >= 0: equation 1 of the paper, with numbers.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"

namespace {

void figures(const OneImage& o) {
  const double kl = o.kl.cast<double>().sum();
  const bool has_px = o.log_px.count > 0;
  if (!ImGui::BeginTable("elbo", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("nats", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("-00000.00").x);
  char recon[64];
  std::snprintf(recon, sizeof recon, "  E_q[log p(x|z)], %d draws", o.recon.samples);
  figure_row(recon, "The reconstruction term: the mean over draws z ~ q(z|x) of the Bernoulli log-likelihood of x's pixels.",
             o.recon.recon, IM_COL32(110, 170, 255, 255));
  figure_row("− KL(q(z|x) ‖ N(0, I))", "In closed form (appendix B): −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).",
             -kl, IM_COL32(255, 170, 60, 255));
  figure_row("= ELBO", "The evidence lower bound the VAE maximizes: a lower bound on log p(x).", o.elbo);
  char px[64];
  std::snprintf(px, sizeof px, "  log p(x), k = %lld", o.log_px.count);
  figure_row(px, "Importance-weighted: log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x). A bound that rises "
                 "to log p(x) as k grows.", has_px ? o.log_px.value() : NAN);
  figure_row("  gap = KL(q(z|x) ‖ p(z|x))",
             "log p(x) - ELBO: how far q(z|x) is from the true posterior p(z|x), the price of the approximation "
             "(the paper's equation 1: log p(x) = ELBO + KL(q(z|x) || p(z|x))).",
             has_px ? o.log_px.value() - o.elbo : NAN, IM_COL32(120, 220, 140, 255));
  ImGui::EndTable();
  if (o.log_px.count < kLogPxK) {
    char text[64];
    std::snprintf(text, sizeof text, "log p(x): %lld of %lld samples", o.log_px.count, kLogPxK);
    ImGui::ProgressBar(static_cast<float>(o.log_px.count) / kLogPxK, ImVec2(-FLT_MIN, 0), text);
  }
}

// -ELBO as a bar of nats: the reconstruction cost then the KL; a tick at -log p(x).
void nats_bar(const OneImage& o) {
  const double cost = -o.recon.recon, kl = o.kl.cast<double>().sum(), total = cost + kl;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetFrameHeight();
  ImGui::Dummy(ImVec2(w, h));
  if (total <= 0) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float scale = w / static_cast<float>(total * 1.02);
  const float xr = at.x + static_cast<float>(cost) * scale, xk = xr + static_cast<float>(kl) * scale;
  dl->AddRectFilled(at, ImVec2(xr, at.y + h), IM_COL32(70, 120, 210, 255));
  dl->AddRectFilled(ImVec2(xr, at.y), ImVec2(xk, at.y + h), IM_COL32(230, 140, 40, 255));
  if (o.log_px.count > 0) {
    const float xp = at.x + static_cast<float>(-o.log_px.value()) * scale;
    dl->AddLine(ImVec2(xp, at.y - 3), ImVec2(xp, at.y + h + 3), IM_COL32(120, 220, 140, 255), 2.5f);
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("-ELBO = %.2f nats: reconstruction cost %.2f (blue) + KL %.2f (orange).\nGreen tick: -log p(x); "
                      "the orange beyond it is the gap KL(q(z|x) || p(z|x)).", total, cost, kl);
}

// The reconstruction cost of each pixel, -E_q[log p(x_j|z)], as a heat map.
void pixel_costs(AppState& app, const OneImage& o, float side) {
  const int D = static_cast<int>(o.recon.pixel_cost.size());
  if (D != kSide * kSide) return;
  const float top = std::max(o.recon.pixel_cost.maxCoeff(), 1e-3f);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("costs", ImVec2(side, side));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cell = side / kSide;
  for (int j = 0; j < D; ++j) {
    const float x = at.x + (j % kSide) * cell, y = at.y + (j / kSide) * cell;
    dl->AddRectFilled(ImVec2(x, y), ImVec2(x + cell + 0.5f, y + cell + 0.5f), heat_color(o.recon.pixel_cost[j] / top));
  }
  dl->AddRect(at, ImVec2(at.x + side, at.y + side), IM_COL32(90, 90, 110, 255));
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int px = std::clamp(static_cast<int>((m.x - at.x) / cell), 0, kSide - 1);
    const int py = std::clamp(static_cast<int>((m.y - at.y) / cell), 0, kSide - 1);
    const int j = py * kSide + px;
    ImGui::SetTooltip("pixel (%d, %d): x = %.2f, costs %.3f nats (-E_q[log p(x_j|z)])\nbrightest: %.2f nats", px, py,
                      o.x(0, j), o.recon.pixel_cost[j], top);
  }
  (void)app;
}

// KL(q(z_j|x) || N(0, 1)) of each dimension as bars; inactive dimensions grey.
void kl_bars(const AppState& app, const OneImage& o, ImVec2 size) {
  const int Z = static_cast<int>(o.kl.size());
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("klbars", size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(90, 90, 110, 255));
  const float top = std::max(o.kl.maxCoeff(), 0.1f), col = size.x / Z;
  int hovered = -1;
  for (int j = 0; j < Z; ++j) {
    const bool active = j >= app.session.activity.kl.size() || app.session.activity.kl[j] > static_cast<float>(kActiveKl);
    const float h = size.y * std::max(o.kl[j], 0.0f) / top;
    const float x0 = at.x + j * col + std::min(1.0f, col * 0.15f), x1 = at.x + (j + 1) * col - std::min(1.0f, col * 0.15f);
    dl->AddRectFilled(ImVec2(x0, at.y + size.y - h), ImVec2(x1, at.y + size.y),
                      active ? IM_COL32(230, 140, 40, 255) : IM_COL32(110, 110, 120, 255));
    const float mx = ImGui::GetIO().MousePos.x;
    if (ImGui::IsItemHovered() && mx >= at.x + j * col && mx < at.x + (j + 1) * col) hovered = j;
  }
  if (hovered >= 0)
    ImGui::SetTooltip("KL of dimension %d: %.3f nats (μ %.3f, σ %.3f)%s", hovered, o.kl[hovered], o.q.mu[hovered],
                      o.q.sigma[hovered], hovered < app.session.activity.kl.size() && app.session.activity.kl[hovered] <= kActiveKl
                                              ? "\ninactive: the model leaves this dimension at the prior" : "");
}
}  // namespace

void panel_elbo(AppState& app) {
  const OneImage& o = app.session.one_image;
  if (!panel_begin(app, kPanelElbo, "ELBO of this image",
                   "Training maximizes ELBO = reconstruction - KL; the gap to log p(x) is how far q(z|x) is from the "
                   "true posterior p(z|x)."))
    return;
  app.probes.set("elbo_panel", Rect{ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowSize().x, ImGui::GetWindowSize().y});
  if (!o.ready || o.kl.size() != app.session.trainer.params.config.latent) {
    ImGui::TextDisabled("No input yet: draw a digit or pick a test image.");
    panel_end(app, kPanelElbo);
    return;
  }
  ImGui::Text("x = %s, in nats:", o.what.c_str());
  figures(o);
  nats_bar(o);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  const float side = std::max(48.0f, std::min(avail.x * 0.4f, avail.y - label_h));
  ImGui::BeginGroup();
  ImGui::TextUnformatted("cost per pixel");
  help_marker("-E_q[log p(x_j|z)] for each pixel j, over the same draws: bright pixels are the ones the decoder "
              "gets wrong most often (a stroke's edges, a stray pixel). They sum to minus the reconstruction term.");
  pixel_costs(app, o, side);
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::Text("KL per dim. (Σ %.2f)", o.kl.cast<double>().sum());
  help_marker("KL(q(z_j|x) ‖ N(0, 1)) = ½ (μ_j² + σ_j² − 1 − log σ_j²): the nats each dimension costs. "
              "Grey: inactive dimensions, near 0 for every image.");
  kl_bars(app, o, ImVec2(ImGui::GetContentRegionAvail().x, side));
  ImGui::EndGroup();
  panel_end(app, kPanelElbo);
}
