// Sample: new digits from the generative model, x ~ p(x|z) with z ~ N(0, T^2 I), shown as the
// decoder's mean image (Kingma & Welling 2014, figure 5). A conditional model decodes p(x|z,y) with a
// class y picked here: all one class, or one row per class with each column one z (the same "style"
// drawn as every class, as in Kingma et al. 2014, "Semi-supervised learning with deep generative models").
#include <algorithm>
#include <cstdio>

#include "app/panels/panels.h"

static void sample_controls(AppState& app) {
  SamplePanel& s = app.sample;
  if (ImGui::Button("Resample")) {
    ++s.seed;
    s.dirty = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  if (ImGui::InputInt("seed", &s.seed)) s.dirty = true;
  same_line_if_fits(ImGui::GetFontSize() * 5.5f);
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::SliderInt("##grid", &s.grid, 3, 12, "%d per row")) s.dirty = true;
  same_line_if_fits(ImGui::CalcTextSize("x ~ p(x|z) (?)").x + ImGui::GetFrameHeight() + 16);
  if (ImGui::Checkbox("x ~ p(x|z)", &app.decoder_sample)) s.dirty = true;
  app.probes.set("decoder_sample", item_rect());
  help_marker("Off: each tile is the decoder's mean, sigmoid(logits): the probability of each pixel being on. On: "
              "a draw from p(x|z) itself, each pixel on with that probability (a Gaussian decoder: the mean plus "
              "its per-pixel sigma times noise). The VAE's model of an image is the distribution; the smooth mean "
              "image is what the page shows elsewhere.");
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("spread T (?)").x - 16);
  if (ImGui::SliderFloat("spread T", &s.temperature, 0.0f, 2.5f, "%.2f")) s.dirty = true;
  help_marker(
      "z = T * eps, eps ~ N(0, I), then the decoder's pixel probabilities for z.\n"
      "T = 1 samples the prior the model was trained with. Smaller T stays near the centre of the latent "
      "space (typical, blurrier digits); larger T reaches codes the model rarely saw (odd shapes).");
  if (session_classes(app.session) == 0) return;
  if (class_combo(app.session, app.probes, "class", &s.cls, "one row per class", "sample_class", 11)) s.dirty = true;
  help_marker(
      "A conditional VAE decodes p(x|z,y): the class y is an input of the decoder, so the code z only has to "
      "carry what the class does not say (slant, stroke width, style). Pick one class for every sample, or one "
      "row per class: each column is then one code z drawn as every class.");
}

// Rows of codes and labels for the grid: cols x rows cells, cell (r, c) = T * eps_c (per-class rows)
// or T * eps_{r*cols+c}, with its class.
static void fill_codes(AppState& app, int cols, int rows) {
  SamplePanel& s = app.sample;
  const int C = session_classes(app.session), n = cols * rows;
  const bool per_class = C > 0 && s.cls < 0;
  s.digits.z.resize(n, s.eps.cols());
  for (int i = 0; i < n; ++i) s.digits.z.row(i) = s.temperature * s.eps.row(per_class ? i % cols : i);
  s.digits.y = Mat::Zero(n, C);
  for (int i = 0; i < n && C > 0; ++i) s.digits.y(i, per_class ? std::min(i / cols, C - 1) : s.cls) = 1.0f;
}

// "Same style, every class": one z ~ N(0, T^2 I) decoded as each class 0..C-1.
static void style_row(AppState& app, float width) {
  SamplePanel& s = app.sample;
  const int C = std::min(session_classes(app.session), 16), Z = app.session.trainer.params.config.latent;
  if (C == 0) return;
  if (s.dirty || s.style.version < 0 || s.style.z.cols() != Z || s.style.cols != C ||
      refresh_due(app.session, s.style.version, s.style.drawn_at, 0.25)) {
    Rng rng(static_cast<uint64_t>(s.style_seed), 13);
    RowVec z(Z);
    for (int j = 0; j < Z; ++j) z(j) = s.temperature * rng.normal();
    s.style.z = z.replicate(C, 1);
    s.style.y = Mat::Identity(C, session_classes(app.session));
    grid_decode(app.session, &s.style, C, 1);
  }
  if (ImGui::Button("New style")) ++s.style_seed, s.style.version = -1;
  ImGui::SameLine();
  ImGui::TextUnformatted("Same style, every class:");
  help_marker("One code z ~ N(0, T^2 I), decoded with each class y: the same handwriting (or the same cut and "
              "shade) as every class. New style draws another z.");
  const float cell = width / C;
  const ImVec2 at = grid_image(s.style, ImVec2(width, cell));
  app.probes.set("style_row", item_rect());
  if (ImGui::IsItemHovered()) {
    const int k = std::clamp(static_cast<int>((ImGui::GetIO().MousePos.x - at.x) / cell), 0, C - 1);
    ImGui::SetTooltip("the style's code decoded as %s", session_class_name(app.session, k).c_str());
  }
}

// The grid; a click makes a sample an interpolation endpoint (with its class).
static void sample_grid(AppState& app, ImVec2 size, int cols, int rows) {
  SamplePanel& s = app.sample;
  const ImVec2 at = grid_image(s.digits, size);
  app.probes.set("sample_grid", item_rect());
  if (!ImGui::IsItemHovered()) return;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int col = std::clamp(static_cast<int>((mouse.x - at.x) / size.x * cols), 0, cols - 1);
  const int row = std::clamp(static_cast<int>((mouse.y - at.y) / size.y * rows), 0, rows - 1);
  const int k = row * cols + col;
  if (k >= s.digits.z.rows()) return;
  Eigen::Index label = -1;
  if (s.digits.y.cols() > 0) s.digits.y.row(k).maxCoeff(&label);
  const std::string cls = label >= 0 ? ", " + session_class_name(app.session, static_cast<int>(label)) : "";
  ImGui::SetTooltip("sample %d%s\nclick: interpolation endpoint A\nright-click: endpoint B", k, cls.c_str());
  char text[64];
  std::snprintf(text, sizeof text, "sample %d (seed %d)%s", k, s.seed, cls.c_str());
  for (int which = 0; which < 2; ++which)
    if (ImGui::IsMouseClicked(which == 0 ? ImGuiMouseButton_Left : ImGuiMouseButton_Right)) {
      endpoint_set_custom(app, which, s.digits.z.row(k).transpose(), text);
      app.interp.ends[which].label = static_cast<int>(label);
    }
}

void panel_sample(AppState& app) {
  SamplePanel& s = app.sample;
  const int Z = app.session.trainer.params.config.latent, C = session_classes(app.session);
  const char* what = C > 0                    ? "New images: decode random codes z ~ N(0, I) with a class y."
                     : app.session.dataset == "mnist" ? "New digits: decode random codes z ~ N(0, I)."
                                              : "New images: decode random codes z ~ N(0, I).";
  if (!panel_begin(app, kPanelSample, "Sample from the prior", what)) return;
  sample_controls(app);

  const int cols = s.grid, rows = C > 0 && s.cls < 0 ? std::min(C, 16) : s.grid;
  if (s.dirty || s.eps.rows() != cols * cols || s.eps.cols() != Z) {
    Rng rng(static_cast<uint64_t>(s.seed), 11);
    s.eps.resize(cols * cols, Z);
    for (Eigen::Index i = 0; i < s.eps.size(); ++i) s.eps.data()[i] = rng.normal();
    s.dirty = true;
  }
  if (s.dirty || s.digits.rows != rows || refresh_due(app.session, s.digits.version, s.digits.drawn_at, 0.25)) {
    fill_codes(app, cols, rows);
    if (app.decoder_sample)
      grid_decode_draw(app.session, &s.digits, cols, rows, static_cast<uint64_t>(s.seed));
    else
      grid_decode(app.session, &s.digits, cols, rows);
  }

  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float style_h = C > 0 ? ImGui::GetFrameHeightWithSpacing() + avail.x / std::min(C, 16) + 6 : 0;
  avail.y -= style_h;
  // cells stay square: the grid is cols x rows cells
  const float cell = std::max(8.0f, std::min(avail.x / cols, avail.y / rows));
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (avail.x - cell * cols) * 0.5f));
  sample_grid(app, ImVec2(cell * cols, cell * rows), cols, rows);
  style_row(app, ImGui::GetContentRegionAvail().x);
  s.dirty = false;
  panel_end(app, kPanelSample);
}
