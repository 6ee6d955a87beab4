// Input x: the image the one-image views inspect, a digit drawn with the mouse (prepared as MNIST's
// digits were before the encoder reads it) or a test image picked by number or class; beside it what
// the encoder reads and the decoder's image of its mean code mu(x), live. A conditional model encodes
// with q(z|x,y) and decodes with p(x|z,y) for a class y picked here (a test image: its own label).
#include <algorithm>
#include <cmath>

#include <cstdio>

#include "app/panels/panels.h"
#include "io/mnist_prepare.h"

// Soft round brush at (px, py) in pad pixels: each pixel takes max(value, exp(-d^2 / (2 r^2))),
// or is erased to min(value, 1 - that).
static void brush_dab(InputPanel& d, float px, float py, bool erase) {
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
static void brush_stroke(InputPanel& d, float px, float py, bool erase) {
  const float dx = px - d.last_x, dy = py - d.last_y;
  const int n = std::max(1, static_cast<int>(std::hypot(dx, dy) * 4));
  for (int i = 1; i <= n; ++i) brush_dab(d, d.last_x + dx * i / n, d.last_y + dy * i / n, erase);
  d.last_x = px;
  d.last_y = py;
  d.dirty = true;
}

static void pad_input(AppState& app, ImVec2 at, float side) {
  InputPanel& d = app.input;
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
  if (d.dirty) one_image_show_drawing(app.session);  // drawing makes the drawing the inspected input
}

// The pad's texture and ink, when it changed, and the drawing handed to the session.
static void pad_update(AppState& app) {
  InputPanel& d = app.input;
  if (!d.dirty && d.drawing.texture.id != 0) return;
  const Eigen::Map<const Mat> x(d.pad.data(), 1, kSide * kSide);
  d.has_ink = x.maxCoeff() > kInkThreshold;
  tile_images(&d.drawing.pixels, x, 1, 1);
  texture_upload(&d.drawing.texture, d.drawing.pixels, kSide, kSide);
  d.dirty = false;
  one_image_set_drawing(app.session, d.pad, d.has_ink, d.prepare, d.cls);
}

static void pad_view(AppState& app, float side) {
  InputPanel& d = app.input;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(side, side), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  app.probes.set("draw_pad", item_rect());
  pad_input(app, at, side);
  pad_update(app);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(at.x + side, at.y + side);
  if (d.drawing.texture.id != 0) dl->AddImage(d.drawing.texture.im_id(), at, end);
  // MNIST digits fit a 20x20 box centred in the 28x28 image: a faint guide
  const float s = side / kSide;
  dl->AddRect(ImVec2(at.x + 4 * s, at.y + 4 * s), ImVec2(at.x + 24 * s, at.y + 24 * s), IM_COL32(80, 80, 120, 160));
  const bool inspected = app.session.one_image.source == InputSource::drawing;
  dl->AddRect(at, end, inspected ? IM_COL32(255, 210, 80, 255) : IM_COL32(120, 120, 160, 255), 0, 0, inspected ? 2 : 1);
  if (!d.has_ink)
    dl->AddText(ImVec2(at.x + 8, at.y + 6), IM_COL32(130, 130, 150, 255),
                app.session.dataset == "mnist" ? "draw a digit here" : "draw here");
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    dl->AddCircle(m, d.brush * s * 1.5f, IM_COL32(255, 210, 80, 200));
  }
}

// An image with a caption drawn over its top-left corner.
static void labelled_image(const DigitGrid& g, float side, const char* label, const char* tooltip) {
  const ImVec2 at = grid_image(g, ImVec2(side, side));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
  ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + 3, at.y + 2), IM_COL32(255, 210, 80, 230), label);
}

bool test_image_chooser(AppState& app, const char* id, int* index, int* cls) {
  const int n = static_cast<int>(app.session.test.labels.size());
  if (n == 0) {
    ImGui::TextDisabled("test images loading...");
    return false;
  }
  bool changed = false;
  ImGui::PushID(id);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.5f);
  if (ImGui::InputInt("##index", index)) changed = true;
  app.probes.set("test_index", item_rect());
  *index = std::clamp(*index, 0, n - 1);
  const float combo = ImGui::GetFontSize() * (app.session.dataset == "mnist" ? 3.5f : 7.5f);
  same_line_if_fits(combo + ImGui::GetFrameHeight() * 1.5f);
  ImGui::SetNextItemWidth(combo);
  if (ImGui::BeginCombo("##class", session_class_name(app.session, *cls).c_str())) {
    for (int k = 0; k < 10; ++k)
      if (ImGui::Selectable(session_class_name(app.session, k).c_str(), k == *cls)) {
        *cls = k;
        // the first test image of that class after the current one
        for (int i = 1; i <= n; ++i)
          if (app.session.test.labels[static_cast<size_t>((*index + i) % n)] == k) {
            *index = (*index + i) % n;
            changed = true;
            break;
          }
      }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a test image of this class");
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) {
    for (int i = 1; i <= n; ++i)
      if (app.session.test.labels[static_cast<size_t>((*index + i) % n)] == *cls) {
        *index = (*index + i) % n;
        changed = true;
        break;
      }
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the next test image of this class");
  ImGui::PopID();
  return changed;
}

// Test image `index` (its grey levels) into the pad; the drawing becomes the input.
static void load_into_pad(AppState& app, int index) {
  const Dataset& test = app.session.test;
  if (index < 0 || index >= test.images.rows()) return;
  const RowVec x = test.images.row(index);
  std::copy(x.data(), x.data() + x.size(), app.input.pad.begin());
  app.input.dirty = true;
  one_image_show_drawing(app.session);
}

static void source_controls(AppState& app) {
  OneImage& o = app.session.one_image;
  const bool test = o.source == InputSource::test;
  if (ImGui::RadioButton("test image", test)) one_image_show_test(app.session, o.test_index);
  app.probes.set("input_test", item_rect());
  ImGui::SameLine();
  if (test_image_chooser(app, "inspect", &o.test_index, &o.test_class)) one_image_show_test(app.session, o.test_index);
  same_line_if_fits(ImGui::CalcTextSize("into the pad").x + ImGui::GetStyle().FramePadding.x * 2);
  ImGui::BeginDisabled(app.session.test.labels.empty());
  if (ImGui::Button("into the pad")) load_into_pad(app, o.test_index);
  app.probes.set("load_into_pad", item_rect());
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("copy test image #%d (its grey levels) into the pad, to change it by hand", o.test_index);
  if (ImGui::RadioButton("your drawing", !test)) one_image_show_drawing(app.session);
  app.probes.set("input_drawing", item_rect());
  ImGui::SameLine();
  if (ImGui::Checkbox("prepared as MNIST", &app.input.prepare)) app.input.dirty = true;
  app.probes.set("prepare", item_rect());
  help_marker("MNIST's digits were scaled to fit a 20x20 box (keeping their shape) and centred by their centre of "
              "mass in the 28x28 image. The encoder only saw such images: a small or off-centre drawing is prepared "
              "the same way before it reads it. Switch off to feed the drawing as drawn and compare.");
}

std::string input_caption(const AppState& app) {
  const bool digits = app.session.dataset == "mnist";
  return std::string(digits ? "Draw a digit" : "Draw a garment") +
         " (left button draws, right erases) or pick a test image: the encoder reads x, the decoder redraws it "
         "from the code μ(x).";
}

void panel_input(AppState& app) {
  InputPanel& d = app.input;
  OneImage& o = app.session.one_image;
  pad_update(app);
  if (!panel_begin(app, kPanelInput, "Input x", input_caption(app).c_str())) return;
  source_controls(app);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float rows_below = session_classes(app.session) > 0 ? 2.3f : 1.15f;
  const float side = std::max(64.0f, std::min((avail.x - spacing) * 0.6f, avail.y - ImGui::GetFrameHeightWithSpacing() * rows_below));
  const float small = std::max(32.0f, (side - ImGui::GetStyle().ItemSpacing.y) * 0.5f);
  pad_view(app, side);
  ImGui::SameLine();
  ImGui::BeginGroup();
  if (o.ready) {
    app.probes.set("input_x", Rect{ImGui::GetCursorScreenPos().x, ImGui::GetCursorScreenPos().y, small, small});
    labelled_image(app.one_image_view.input, small, "x", o.source == InputSource::test
                                            ? "x: the test image as the encoder reads it (binarized once, as every test figure is)"
                                            : d.prepare ? "x: your drawing as the encoder reads it, prepared as MNIST's digits were"
                                                        : "x: your drawing as the encoder reads it, as drawn");
    labelled_image(app.one_image_view.decoded_mu, small, "decoded μ", "the decoder's image (pixel probabilities) for z = μ(x)");
  } else {
    ImGui::Dummy(ImVec2(small, small));
    ImGui::TextDisabled(o.source == InputSource::drawing ? "(draw something)" : "(test images loading)");
  }
  ImGui::EndGroup();
  if (ImGui::Button("Clear")) {
    std::fill(d.pad.begin(), d.pad.end(), 0.0f);
    d.dirty = true;
  }
  app.probes.set("draw_clear", item_rect());
  same_line_if_fits(ImGui::GetFontSize() * 3);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3);
  ImGui::SliderFloat("##brush", &d.brush, 0.6f, 2.5f, "%.1f");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("brush radius (pad pixels)");
  const int C = session_classes(app.session);
  for (int which = 0; which < 2; ++which) {
    same_line_if_fits(ImGui::GetFontSize() * 2.8f);
    ImGui::BeginDisabled(!o.ready);
    if (ImGui::Button(which == 0 ? "-> A" : "-> B")) {
      endpoint_set_custom(app, which, o.q.mu, o.what);
      app.interp.ends[which].label = C > 0 ? o.label : -1;
    }
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("use the input's code mu(x) as an interpolation endpoint");
  }
  if (C > 0) {
    if (class_combo(app.session, app.probes, "class", &d.cls, nullptr, "draw_class")) d.dirty = true;
    help_marker("A conditional model reads your drawing together with a class: q(z|x,y) encodes what the class "
                "does not say, and p(x|z,y) redraws it as that class. Pick another class to see your style as "
                "another digit (or garment). A test image is read with its own label.");
  }
  panel_end(app, kPanelInput);
}
