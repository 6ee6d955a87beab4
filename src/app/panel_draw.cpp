// Draw: a digit drawn with the mouse is encoded (the encoder's mean mu(x)) and decoded again,
// live: the reconstruction shows what the model makes of it, the map shows where its code lies. A
// conditional model encodes with q(z|x,y) and decodes with p(x|z,y) for a class y picked here.
#include <algorithm>
#include <cmath>

#include "app/panels.h"

// Soft round brush at (px, py) in pad pixels: each pixel takes max(value, exp(-d^2 / (2 r^2))),
// or is erased to min(value, 1 - that).
static void brush_dab(DrawPanel& d, float px, float py, bool erase) {
  const float r = d.brush, reach = 2.5f * r;
  for (int y = std::max(0, int(py - reach)); y <= std::min(kSide - 1, int(py + reach)); ++y)
    for (int x = std::max(0, int(px - reach)); x <= std::min(kSide - 1, int(px + reach)); ++x) {
      const float dx = x + 0.5f - px, dy = y + 0.5f - py;
      const float a = std::exp(-(dx * dx + dy * dy) / (2 * r * r));
      float& v = d.pad[static_cast<size_t>(y * kSide + x)];
      v = erase ? std::min(v, 1 - a) : std::max(v, a);
    }
}

// A stroke segment from the last brush position to (px, py), in dabs a quarter pixel apart.
static void brush_stroke(DrawPanel& d, float px, float py, bool erase) {
  const float dx = px - d.last_x, dy = py - d.last_y;
  const int n = std::max(1, static_cast<int>(std::hypot(dx, dy) * 4));
  for (int i = 1; i <= n; ++i) brush_dab(d, d.last_x + dx * i / n, d.last_y + dy * i / n, erase);
  d.last_x = px;
  d.last_y = py;
  d.dirty = true;
}

static void pad_input(DrawPanel& d, ImVec2 at, float side) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float px = (mouse.x - at.x) / side * kSide, py = (mouse.y - at.y) / side * kSide;
  const bool erase = ImGui::IsMouseDown(ImGuiMouseButton_Right);
  if (ImGui::IsItemActivated()) {
    d.stroking = true;
    d.last_x = px;
    d.last_y = py;
    brush_dab(d, px, py, erase);
    d.dirty = true;
  }
  if (d.stroking && ImGui::IsItemActive() && (px != d.last_x || py != d.last_y)) brush_stroke(d, px, py, erase);
  if (!ImGui::IsItemActive()) d.stroking = false;
}

// Encodes the pad and decodes its mean code when it or the model changed.
static void reconstruct(AppState& app) {
  DrawPanel& d = app.draw;
  if (!d.dirty && !refresh_due(app, d.recon.version, d.recon.drawn_at, 0.25)) return;
  const int Z = app.trainer.params.config.latent;
  const Eigen::Map<const Mat> x(d.pad.data(), 1, kSide * kSide);
  d.has_ink = x.maxCoeff() > 0.05f;
  const Mat y = class_rows(d.cls, 1, app_classes(app));
  Mat mu(1, Z);
  encode_mu(mu, app.inf, app.trainer.params, x, y);
  d.mu = mu.row(0).transpose();
  d.recon.z = mu;
  d.recon.y = y;
  grid_decode(app, &d.recon, 1, 1);
  d.recon_mean = d.has_ink ? mean_intensity(d.recon.pixels) : 0.0;
  tile_images(&d.drawing.pixels, x, 1, 1);
  texture_upload(&d.drawing.texture, d.drawing.pixels, kSide, kSide);
  d.dirty = false;
}

static void pad_view(AppState& app, float side) {
  DrawPanel& d = app.draw;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(side, side), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  app.rects.draw_pad = item_rect();
  pad_input(d, at, side);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(at.x + side, at.y + side);
  if (d.drawing.texture.id != 0) dl->AddImage(d.drawing.texture.im_id(), at, end);
  // MNIST digits fit a 20x20 box centred in the 28x28 image: a faint guide
  const float s = side / kSide;
  dl->AddRect(ImVec2(at.x + 4 * s, at.y + 4 * s), ImVec2(at.x + 24 * s, at.y + 24 * s), IM_COL32(80, 80, 120, 160));
  dl->AddRect(at, end, IM_COL32(120, 120, 160, 255));
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    dl->AddCircle(m, d.brush * s * 1.5f, IM_COL32(255, 210, 80, 200));
  }
}

static void mu_plot(const AppState& app) {
  const Vec& mu = app.draw.mu;
  if (mu.size() == 0) return;
  ImGui::PlotHistogram("##mu", mu.data(), static_cast<int>(mu.size()), 0, nullptr, -3.0f, 3.0f,
                       ImVec2(ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 2, ImGui::GetFontSize() * 3));
  help_marker(
      "mu(x): the encoder's mean code of your drawing, one bar per latent dimension (from -3 to 3). The encoder "
      "gives a Gaussian q(z|x) = N(mu, sigma^2); the reconstruction decodes z = mu, without sampling.");
}

void panel_draw(AppState& app) {
  DrawPanel& d = app.draw;
  panel_begin(app, 3, "Draw a digit",
              "Left button draws, right button erases. The encoder reads your drawing, the decoder redraws it.");
  reconstruct(app);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float rows_below = app_classes(app) > 0 ? 5.4f : 4.2f;  // buttons, (class,) the mu plot
  const float side = std::max(64.0f, std::min((avail.x - spacing) * 0.5f, avail.y - ImGui::GetFrameHeight() * rows_below));
  pad_view(app, side);
  ImGui::SameLine();
  if (d.has_ink) {
    grid_image(d.recon, ImVec2(side, side));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("reconstruction: the decoder's image for z = mu(your drawing)");
  } else {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(side, side));
    ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + side, at.y + side), IM_COL32(90, 90, 110, 255));
    ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + 8, at.y + side * 0.45f), IM_COL32(130, 130, 150, 255),
                                        "<- draw there:\n   the model\n   redraws it here");
  }
  if (ImGui::Button("Clear")) {
    std::fill(d.pad.begin(), d.pad.end(), 0.0f);
    d.dirty = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  ImGui::SliderFloat("brush", &d.brush, 0.6f, 2.5f, "%.1f");
  const int C = app_classes(app);
  for (int which = 0; which < 2; ++which) {
    ImGui::SameLine();
    if (ImGui::Button(which == 0 ? "-> A" : "-> B")) {
      endpoint_set_custom(app, which, d.mu, C > 0 ? "your drawing, as " + app_class_name(app, d.cls) : "your drawing");
      app.interp.ends[which].label = C > 0 ? d.cls : -1;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("use the drawing's code as an interpolation endpoint");
  }
  if (C > 0) {
    if (class_combo(app, "class", &d.cls, nullptr, &app.rects.draw_class)) d.dirty = true;
    help_marker("A conditional model reads your drawing together with a class: q(z|x,y) encodes what the class "
                "does not say, and p(x|z,y) redraws it as that class. Pick another class to see your style as "
                "another digit (or garment).");
  }
  mu_plot(app);
  ImGui::End();
}
