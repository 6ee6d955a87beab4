// Encoder q(z|x): the Gaussian the encoder gives for the inspected input, one column per latent
// dimension: its mean mu_j (a dot) and mu_j +- sigma_j (a whisker), against the prior N(0, 1)'s +-1
// and +-2 bands. Dimensions the model does not use (mean KL over test images below kActiveKl nats)
// are greyed: there q(z|x) stays the prior whatever x is (Burda et al. 2016 call them inactive units).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"

namespace {
struct Chart {
  ImVec2 at, size;
  float range;  // the y axis spans [-range, range]
  float y(float v) const { return at.y + size.y * 0.5f * (1 - std::clamp(v, -range, range) / range); }
};

bool active(const AppState& app, int j) {
  const Vec& kl = app.session.activity.kl;
  return j >= kl.size() || kl[j] > static_cast<float>(kActiveKl);
}

void bands_and_axis(const Chart& c, ImDrawList* dl, float label_w) {
  const float x0 = c.at.x + label_w, x1 = c.at.x + c.size.x;
  dl->AddRectFilled(ImVec2(x0, c.y(2)), ImVec2(x1, c.y(-2)), IM_COL32(60, 70, 100, 70));
  dl->AddRectFilled(ImVec2(x0, c.y(1)), ImVec2(x1, c.y(-1)), IM_COL32(70, 90, 140, 110));
  dl->AddLine(ImVec2(x0, c.y(0)), ImVec2(x1, c.y(0)), IM_COL32(150, 150, 170, 160));
  const int step = c.range > 6 ? 2 : 1;
  for (int v = -static_cast<int>(c.range); v <= static_cast<int>(c.range); v += step) {
    char text[16];
    std::snprintf(text, sizeof text, "%d", v);
    const float w = ImGui::CalcTextSize(text).x;
    dl->AddText(ImVec2(x0 - w - 4, c.y(static_cast<float>(v)) - ImGui::GetTextLineHeight() * 0.5f),
                IM_COL32(150, 150, 170, 255), text);
  }
}

void column_tooltip(const AppState& app, int j) {
  const OneImage& o = app.session.one_image;
  ImGui::BeginTooltip();
  ImGui::Text("z_%d: μ = %.3f, σ = exp(logvar / 2) = %.3f", j, o.q.mu[j], o.q.sigma[j]);
  ImGui::Text("KL(q(z_%d|x) ‖ N(0, 1)) = %.3f nats for this x", j, o.kl[j]);
  if (j < app.session.activity.kl.size())
    ImGui::Text("mean KL over %d test images: %.4f nats: %s", kActivityImages, app.session.activity.kl[j],
                active(app, j) ? "active" : "inactive (the model does not use it)");
  if (o.z.cols() > j) ImGui::Text("the drawn z_%d = %.3f (white tick)", j, o.z(0, j));
  ImGui::EndTooltip();
}
}  // namespace

void panel_encoder(AppState& app) {
  const OneImage& o = app.session.one_image;
  if (!panel_begin(app, kPanelEncoder, "Encoder q(z|x)",
                   "The encoder does not give one code: it gives a Gaussian N(μ, σ²) per latent dimension."))
    return;
  const int Z = app.session.trainer.params.config.latent;
  if (!o.ready || o.q.mu.size() != Z) {
    ImGui::TextDisabled(o.source == InputSource::drawing ? "Draw a digit (or pick a test image) to see q(z|x)."
                                                         : "Waiting for the test images...");
    panel_end(app, kPanelEncoder);
    return;
  }
  ImGui::Text("%s: %d of %d dimensions active", o.what.c_str(), app.session.activity.active, Z);
  help_marker("Dot: μ_j. Whisker: μ_j − σ_j to μ_j + σ_j, σ_j = exp(logvar_j / 2). Bands: the prior "
              "N(0, 1)'s ±1 and ±2. A white tick: the z drawn in 'z = μ + σ ⊙ ε'. Grey columns: inactive "
              "dimensions, whose mean KL over test images is below 0.01 nats: the encoder leaves them at the prior "
              "(μ ≈ 0, σ ≈ 1) for every image and the decoder ignores them. Hover a column for its numbers.");
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_w = ImGui::CalcTextSize("-10").x + 8;
  float extent = 3;
  for (int j = 0; j < Z; ++j) extent = std::max(extent, std::abs(o.q.mu[j]) + o.q.sigma[j]);
  Chart c{ImGui::GetCursorScreenPos(), ImVec2(avail.x, std::max(80.0f, avail.y - ImGui::GetTextLineHeightWithSpacing())),
          std::min(10.0f, std::ceil(extent))};
  ImGui::InvisibleButton("chart", c.size);
  app.probes.set("encoder_chart", item_rect());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bands_and_axis(c, dl, label_w);
  const float col_w = (c.size.x - label_w) / Z;
  const float radius = std::clamp(col_w * 0.22f, 1.5f, 4.5f);
  int hovered = -1;
  for (int j = 0; j < Z; ++j) {
    const float x = c.at.x + label_w + (j + 0.5f) * col_w;
    const bool on = active(app, j);
    const ImU32 color = on ? IM_COL32(255, 170, 60, 255) : IM_COL32(120, 120, 130, 255);
    const float mu = o.q.mu[j], s = o.q.sigma[j];
    dl->AddLine(ImVec2(x, c.y(mu - s)), ImVec2(x, c.y(mu + s)), color, 1.5f);
    const float cap = std::min(col_w * 0.3f, 5.0f);
    dl->AddLine(ImVec2(x - cap, c.y(mu - s)), ImVec2(x + cap, c.y(mu - s)), color);
    dl->AddLine(ImVec2(x - cap, c.y(mu + s)), ImVec2(x + cap, c.y(mu + s)), color);
    dl->AddCircleFilled(ImVec2(x, c.y(mu)), radius, color);
    if (o.z.cols() == Z) {
      const float zy = c.y(o.z(0, j));
      dl->AddLine(ImVec2(x - cap - 1, zy), ImVec2(x + cap + 1, zy), IM_COL32(255, 255, 255, 230), 2);
    }
    const float mx = ImGui::GetIO().MousePos.x;
    if (ImGui::IsItemHovered() && mx >= x - col_w * 0.5f && mx < x + col_w * 0.5f) hovered = j;
  }
  if (hovered >= 0) {
    const float x = c.at.x + label_w + hovered * col_w;
    dl->AddRect(ImVec2(x, c.at.y), ImVec2(x + col_w, c.at.y + c.size.y), IM_COL32(255, 255, 255, 120));
    column_tooltip(app, hovered);
  }
  // dimension numbers under the columns, as many as fit
  const int every = std::max(1, static_cast<int>(std::ceil(ImGui::CalcTextSize("00").x * 1.4f / col_w)));
  ImGui::Dummy(ImVec2(0, 0));
  const ImVec2 row = ImGui::GetCursorScreenPos();
  for (int j = 0; j < Z; j += every) {
    char text[16];
    std::snprintf(text, sizeof text, "%d", j);
    const float x = c.at.x + label_w + (j + 0.5f) * col_w - ImGui::CalcTextSize(text).x * 0.5f;
    dl->AddText(ImVec2(x, row.y - ImGui::GetStyle().ItemSpacing.y), active(app, j) ? IM_COL32(200, 200, 210, 255) : IM_COL32(110, 110, 120, 255), text);
  }
  panel_end(app, kPanelEncoder);
}
