// Where the windows open (one docking-free layout sized to the screen), the menu bar with the status
// message, the help window, and small widgets the panels share.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/panels.h"
#include "imgui_internal.h"
#include "app/platform.h"

const char* view_name(View v) {
  switch (v) {
    case View::explore: return "Explore";
    case View::inside: return "Inside one image";
    case View::train: return "Train & compare";
  }
  return "";
}

float ui_scale(const AppState& app, float w, float h) {
  const float fit = std::min(w / kMinLayoutW, h / kMinLayoutH);  // the largest scale keeping 1024 x 640 points
  if (!(fit > 0)) return 1;
  float wanted = std::max(1.0f, std::min(w / 1280.0f, h / 800.0f));  // auto
  if (app.ui_scale_mode == 1) wanted = fit;
  if (app.ui_scale_mode == 2) wanted = app.ui_scale_fixed;
  return std::min(wanted, fit);
}

// Each view: columns across the window (a share of its width, at least kMinColumn pixels; the last
// column takes the rest), each column a stack of panels (a share of its height each).
struct Cell {
  int panel;
  float height;
};
struct Column {
  float width;
  std::vector<Cell> cells;
};

static const std::vector<Column>& view_columns(View v) {
  static const std::vector<Column> explore = {
      {0.27f, {{kPanelSample, 0.53f}, {kPanelInput, 0.47f}}},
      {0.44f, {{kPanelInterpolate, 0.36f}, {kPanelMap, 0.64f}}},
      {0, {{kPanelModel, 1.0f}}}};
  static const std::vector<Column> inside = {
      {0.27f, {{kPanelInput, 0.5f}, {kPanelReparam, 0.5f}}},
      {0.40f, {{kPanelMap, 1.0f}}},
      {0, {{kPanelEncoder, 0.4f}, {kPanelElbo, 0.6f}}}};
  static const std::vector<Column> train = {
      {0.33f, {{kPanelTrain, 1.0f}}},
      {0.42f, {{kPanelCompare, 1.0f}}},
      {0, {{kPanelSample, 0.48f}, {kPanelModel, 0.52f}}}};
  return v == View::inside ? inside : v == View::train ? train : explore;
}

// Where panel `which` goes in the current view when no panel is focused (false: not shown in it).
static bool layout_box_unfocused(const AppState& app, int which, ImVec4* box) {
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  const float m = 6, top = ImGui::GetFrameHeight() + m, kMinColumn = 240;
  const float avail_h = std::max(screen.y - top - m, 300.0f);
  const std::vector<Column>& columns = view_columns(app.view);
  float x = m;
  for (size_t c = 0; c < columns.size(); ++c) {
    const bool last = c + 1 == columns.size();
    const float w = last ? std::max(kMinColumn, screen.x - x - m) : std::max(kMinColumn, std::floor(screen.x * columns[c].width));
    float y = top;
    for (const Cell& cell : columns[c].cells) {
      const float h = std::floor(avail_h * cell.height) - (cell.height < 1 ? m * 0.5f : 0);
      if (cell.panel == which) {
        *box = ImVec4(x, y, w, h);
        return true;
      }
      y += h + m;
    }
    x += w + m;
  }
  return false;
}

bool view_shows_unfocused(const AppState& app, int which) {
  ImVec4 box;
  return layout_box_unfocused(app, which, &box);
}

// ... and with the focus: the focused panel fills the whole view, the others are not shown.
static bool layout_box(const AppState& app, int which, ImVec4* box) {
  if (app.focus < 0 || !view_shows_unfocused(app, app.focus)) return layout_box_unfocused(app, which, box);
  if (which != app.focus) return false;
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  const float m = 6, top = ImGui::GetFrameHeight() + m;
  *box = ImVec4(m, top, screen.x - 2 * m, std::max(screen.y - top - m, 300.0f));
  return true;
}

bool view_shows(const AppState& app, int which) {
  ImVec4 box;
  return layout_box(app, which, &box);
}

// The title bar's focus button: four corners (enlarge to the whole view) or, focused, a box (back).
static void focus_button(AppState& app, int which) {
  const ImVec2 pos = ImGui::GetWindowPos();
  const float h = ImGui::GetFrameHeight(), w = ImGui::GetWindowWidth();
  const ImVec2 a(pos.x + w - h * 1.6f, pos.y + 2), b(pos.x + w - h * 0.4f, pos.y + h - 2);
  app.rects.focus[which] = Rect{a.x, a.y, b.x - a.x, b.y - a.y};
  const bool hovered = ImGui::IsMouseHoveringRect(a, b, false) && ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(pos, ImVec2(pos.x + w, pos.y + h), false);
  const ImU32 color = hovered ? IM_COL32(255, 210, 80, 255) : IM_COL32(200, 200, 210, 200);
  const float s = (b.y - a.y) * 0.28f, cx = (a.x + b.x) * 0.5f, cy = (a.y + b.y) * 0.5f, r = (b.y - a.y) * 0.36f;
  if (app.focus == which) {
    dl->AddRect(ImVec2(cx - r * 0.6f, cy - r * 0.6f), ImVec2(cx + r * 0.6f, cy + r * 0.6f), color, 0, 0, 1.5f);
  } else {
    for (int k = 0; k < 4; ++k) {
      const float sx = k % 2 ? 1.0f : -1.0f, sy = k / 2 ? 1.0f : -1.0f;
      const ImVec2 c(cx + sx * r, cy + sy * r);
      dl->AddLine(c, ImVec2(c.x - sx * s, c.y), color, 1.5f);
      dl->AddLine(c, ImVec2(c.x, c.y - sy * s), color, 1.5f);
    }
  }
  dl->PopClipRect();
  if (hovered) ImGui::SetTooltip(app.focus == which ? "back to the whole view (Esc)" : "focus: this panel fills the view");
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    app.focus = app.focus == which ? -1 : which;
    app.reset_layout = true;
  }
}

bool panel_begin(AppState& app, int which, const char* title, const char* text) {
  ImVec4 box;
  app.rects.panels[which] = app.rects.focus[which] = Rect();
  app.overflow[which][0] = app.overflow[which][1] = 0;
  if (!layout_box(app, which, &box)) return false;
  const ImGuiCond cond = app.layout_now ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(ImVec2(box.x, box.y), cond);
  ImGui::SetNextWindowSize(ImVec2(box.z, box.w), cond);
  ImGui::Begin(title);
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  app.rects.panels[which] = Rect{pos.x, pos.y, size.x, size.y};
  focus_button(app, which);
  caption(text);
  return true;
}

void panel_end(AppState& app, int which) {
  // the content's extent against the window's work area: what a scrollbar or the right edge hides
  const ImGuiWindow* w = ImGui::GetCurrentWindow();
  app.overflow[which][0] = std::max(0.0f, w->DC.CursorMaxPos.x - w->WorkRect.Max.x);
  app.overflow[which][1] = ImGui::GetScrollMaxY();
  ImGui::End();
}

// The views, as tabs in the menu bar.
static void view_tabs(AppState& app) {
  for (int v = 0; v < kViews; ++v) {
    const View view = static_cast<View>(v);
    if (ImGui::MenuItem(view_name(view), nullptr, app.view == view) && app.view != view) {
      app.view = view;
      app.focus = -1;
      app.reset_layout = true;
    }
    app.rects.views[v] = item_rect();
  }
}

static const char* const kPanelNames[kPanels] = {"Sample",  "Interpolate", "Latent map", "Input x",   "Train",
                                                 "Models",  "Encoder",     "z = μ + σ ⊙ ε", "ELBO", "Compare"};
const char* panel_name(int which) { return which >= 0 && which < kPanels ? kPanelNames[which] : ""; }

// View > UI scale: auto, projector, or a fixed zoom.
static void scale_menu(AppState& app) {
  app.rects.scale_items.clear();
  const bool open = ImGui::BeginMenu("UI scale");
  app.rects.scale_menu = item_rect();
  if (!open) return;
  if (ImGui::MenuItem("Auto (follows the window)", nullptr, app.ui_scale_mode == 0)) app.ui_scale_mode = 0;
  app.rects.scale_items.push_back(item_rect());
  if (ImGui::MenuItem("Projector (largest text)", nullptr, app.ui_scale_mode == 1)) app.ui_scale_mode = 1;
  app.rects.scale_items.push_back(item_rect());
  for (float v : {1.0f, 1.25f, 1.5f, 1.75f, 2.0f}) {
    char text[16];
    std::snprintf(text, sizeof text, "%.0f%%", v * 100);
    if (ImGui::MenuItem(text, nullptr, app.ui_scale_mode == 2 && app.ui_scale_fixed == v)) app.ui_scale_mode = 2, app.ui_scale_fixed = v;
    app.rects.scale_items.push_back(item_rect());
  }
  ImGui::Separator();
  ImGui::TextDisabled("now %.0f%%: %.0f x %.0f points", app.display_scale * 100, ImGui::GetIO().DisplaySize.x,
                      ImGui::GetIO().DisplaySize.y);
  ImGui::EndMenu();
}

// The status line in the room left on the menu bar, cut with "..." (the whole of it on hover),
// after the threads training runs on (the page picks its two-thread build when it may).
static void status_text(AppState& app) {
  const bool threads = train_threads() > 1;
  ImGui::TextDisabled("%s", threads ? "2 threads" : "1 thread");
  app.rects.threads = item_rect();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(threads ? "Training runs on two threads of its own, beside the frames."
                              : "This page runs its single-thread build: the server did not send the cross-origin "
                                "isolation headers (COOP/COEP) that WebAssembly threads need, so training steps run "
                                "inside the frames. tools/run.sh serves the page with them.");
  const ImVec4 color = app.status_error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.6f, 0.9f, 0.6f, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  text_ellipsis(app.status.c_str(), std::max(20.0f, ImGui::GetContentRegionAvail().x - 8));
  ImGui::PopStyleColor();
  app.rects.status = item_rect();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s\nmodel %s, %.0f frames/s", app.status.c_str(),
                      app.has_model ? app.trainer.params.config.describe().c_str() : "(none)", ImGui::GetIO().Framerate);
}

void main_menu_bar(AppState& app) {
  if (!ImGui::BeginMainMenuBar()) return;
  ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.4f, 1.0f), "VAE on %s", dataset_title(app.dataset));
  ImGui::TextDisabled("|");
  view_tabs(app);
  ImGui::TextDisabled("|");
  if (ImGui::BeginMenu("Models")) {
    for (size_t i = 0; i < app.models.size(); ++i)
      if (ImGui::MenuItem(app.models[i].name.c_str(), nullptr, app.model_index == static_cast<int>(i)))
        request_pick_model(app, static_cast<int>(i));
    ImGui::EndMenu();
  }
  app.rects.scale_menu = Rect();
  app.rects.scale_items.clear();
  const bool view_open = ImGui::BeginMenu("View");
  app.rects.view_menu = item_rect();
  if (view_open) {
    scale_menu(app);
    if (ImGui::BeginMenu("Focus on")) {
      for (int k = 0; k < kPanels; ++k)
        if (view_shows_unfocused(app, k) && ImGui::MenuItem(kPanelNames[k], "", app.focus == k))
          app.focus = app.focus == k ? -1 : k, app.reset_layout = true;
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Reset window layout")) app.reset_layout = true, app.focus = -1;
    ImGui::MenuItem("What is this?", nullptr, &app.show_help);
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("Copy link")) copy_link(app);
  app.rects.copy_link = item_rect();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a link to this view: model, test image, seeds, endpoints, plane, scale");
  if (ImGui::MenuItem("Tour")) tour_start(app);
  app.rects.tour = item_rect();
  if (ImGui::MenuItem("Help")) app.show_help = !app.show_help;
  ImGui::TextDisabled("|");
  status_text(app);
  ImGui::EndMainMenuBar();
}

void help_window(AppState& app) {
  if (!app.show_help) return;
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(screen.x * 0.5f, screen.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
  ImGui::Begin("What is this?", &app.show_help);
  ImGui::TextWrapped(
      "A variational autoencoder (Kingma & Welling, Auto-Encoding Variational Bayes, 2014) trained on MNIST.\n\n"
      "Encoder q(z|x): a network that maps a 28x28 image x to a Gaussian over the code z: mean mu(x) and "
      "variance sigma^2(x).\n"
      "Decoder p(x|z): a network that maps a code z to 784 pixel probabilities.\n"
      "Training maximizes the ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)): reconstruct well, while "
      "keeping the codes close to the prior N(0, I). The sampling step is z = mu + sigma * eps, eps ~ N(0, I) "
      "(the reparameterization trick), so gradients flow through mu and sigma.\n\n"
      "Because the codes are pushed towards N(0, I), decoding random z ~ N(0, I) gives new digits (Sample), "
      "and nearby codes decode to similar digits (Interpolate, Latent map).\n\n"
      "Conditional models (a conditional VAE, Sohn et al. 2015, e.g. mnist-cvae): the one-hot class label y is "
      "a second input of both networks. The encoder q(z|x,y) reads [x | y] and the decoder p(x|z,y) reads "
      "[z | y]; the prior stays N(0, I). Since the decoder is told the class, z only needs to hold the rest: the "
      "style. So one z decoded with every y draws the same style as every class (Sample), and the panels ask "
      "for a class wherever something is decoded or encoded.\n\n"
      "Models trained on Fashion-MNIST (Zalando's 28x28 clothing images, 10 classes) switch the page's data: the "
      "test images for the endpoints and the map, and the training images, are then Fashion-MNIST.");
  ImGui::Spacing();
  ImGui::TextWrapped(kIsWeb ? "Everything here is computed by the project's C++ core, compiled to WebAssembly: in this "
                              "page, nothing is sent to a server."
                            : "Everything here is computed by the project's C++ core.");
  ImGui::End();
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void caption(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  const float width = ImGui::GetContentRegionAvail().x;
  const bool small = ImGui::GetWindowHeight() < ImGui::GetTextLineHeight() * 28;
  if (small && ImGui::CalcTextSize(text).x > width) {
    // a small panel: one line, the rest on hover
    text_ellipsis(text, width);
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
      ImGui::TextUnformatted(text);
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  } else {
    ImGui::TextWrapped("%s", text);
  }
  ImGui::PopStyleColor();
}

void text_ellipsis(const char* text, float width) {
  const char* end = text + std::strlen(text);
  if (ImGui::CalcTextSize(text).x <= width) {
    ImGui::TextUnformatted(text);
    return;
  }
  // the longest prefix that fits with "..." after it
  const float dots = ImGui::CalcTextSize("...").x;
  const char* cut = text;
  ImGui::GetFont()->CalcTextSizeA(ImGui::GetFontSize(), std::max(0.0f, width - dots), 0.0f, text, end, &cut);
  std::string shown(text, cut);
  shown += "...";
  ImGui::TextUnformatted(shown.c_str());
}

void same_line_if_fits(float width) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

Rect item_rect() {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  return Rect{a.x, a.y, b.x - a.x, b.y - a.y};
}

ImVec2 grid_image(const DigitGrid& grid, ImVec2 size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  if (grid.texture.id != 0)
    ImGui::Image(grid.texture.im_id(), size);
  else
    ImGui::Dummy(size);
  ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(90, 90, 110, 255));
  return at;
}

ImU32 digit_color(int label, float alpha) {
  // ten colours that stay apart on a gray background (a qualitative palette)
  static const unsigned char rgb[10][3] = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200},
                                           {245, 130, 48}, {170, 60, 210}, {70, 240, 240}, {240, 50, 230},
                                           {210, 245, 60}, {250, 190, 212}};
  const unsigned char* c = rgb[std::clamp(label, 0, 9)];
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(alpha * 255));
}

bool class_combo(AppState& app, const char* label, int* cls, const char* all, Rect* rect, float width_em) {
  const int C = app_classes(app);
  const std::string current = *cls < 0 && all ? std::string(all) : app_class_name(app, std::max(*cls, 0));
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetFontSize() * width_em;
  *rect = Rect{at.x, at.y, width, ImGui::GetFrameHeight()};
  ImGui::SetNextItemWidth(width);
  if (!ImGui::BeginCombo(label, current.c_str(), ImGuiComboFlags_HeightLarge)) return false;
  bool changed = false;
  for (int k = all ? -1 : 0; k < C; ++k) {
    const std::string name = k < 0 ? std::string(all) : app_class_name(app, k);
    if (ImGui::Selectable(name.c_str(), k == *cls) && k != *cls) {
      *cls = k;
      changed = true;
    }
    app.rects.popup_items.push_back(item_rect());
  }
  ImGui::EndCombo();
  return changed;
}

ImU32 heat_color(float v) {
  // black -> red -> yellow -> white as v goes 0 -> 1/3 -> 2/3 -> 1
  const float t = std::clamp(v, 0.0f, 1.0f) * 3;
  const float r = std::min(t, 1.0f), g = std::clamp(t - 1, 0.0f, 1.0f), b = std::clamp(t - 2, 0.0f, 1.0f);
  return IM_COL32(static_cast<int>(r * 255), static_cast<int>(g * 255), static_cast<int>(b * 255), 255);
}

void text_centered(const char* text) {
  const float w = ImGui::CalcTextSize(text).x, avail = ImGui::GetContentRegionAvail().x;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (avail - w) * 0.5f));
  ImGui::TextUnformatted(text);
}
