// Where the windows open (one docking-free layout sized to the screen), the menu bar with the status
// message, and the help window.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/ui/layout.h"

#include "app/ui/widgets.h"
#include "app/platform/platform.h"
#include "imgui_internal.h"

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
      {0.40f, {{kPanelMap, 0.58f}, {kPanelPosterior, 0.42f}}},
      {0, {{kPanelEncoder, 0.4f}, {kPanelElbo, 0.6f}}}};
  static const std::vector<Column> train = {
      {0.33f, {{kPanelTrain, 1.0f}}},
      {0.42f, {{kPanelCompare, 1.0f}}},
      {0, {{kPanelSample, 0.48f}, {kPanelModel, 0.52f}}}};
  static const std::vector<Column> step = {
      {0.30f, {{kPanelTrain, 1.0f}}},
      {0.44f, {{kPanelStep, 1.0f}}},
      {0, {{kPanelWeights, 0.56f}, {kPanelSample, 0.44f}}}};
  return v == View::one_image ? inside : v == View::train ? train : v == View::step ? step : explore;
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
  app.probes.set_at("focus", static_cast<size_t>(which), Rect{a.x, a.y, b.x - a.x, b.y - a.y});
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
  app.probes.set_at("panels", static_cast<size_t>(which), Rect());
  app.probes.set_at("focus", static_cast<size_t>(which), Rect());
  app.overflow[which][0] = app.overflow[which][1] = 0;
  if (!layout_box(app, which, &box)) return false;
  const ImGuiCond cond = app.layout_now ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(ImVec2(box.x, box.y), cond);
  ImGui::SetNextWindowSize(ImVec2(box.z, box.w), cond);
  ImGui::Begin(title);
  const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  app.probes.set_at("panels", static_cast<size_t>(which), Rect{pos.x, pos.y, size.x, size.y});
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
    app.probes.set_at("views", static_cast<size_t>(v), item_rect());
  }
}

static const char* const kPanelNames[kPanels] = {"Sample",  "Interpolate", "Latent map", "Input x",   "Train",
                                                 "Models",  "Encoder",     "z = μ + σ ⊙ ε", "ELBO", "Compare",
                                                 "One step", "Weights",    "True posterior"};
const char* panel_name(int which) { return which >= 0 && which < kPanels ? kPanelNames[which] : ""; }

// View > UI scale: auto, projector, or a fixed zoom.
static void scale_menu(AppState& app) {
  app.probes.clear("scale_items");
  const bool open = ImGui::BeginMenu("UI scale");
  app.probes.set("scale_menu", item_rect());
  if (!open) return;
  if (ImGui::MenuItem("Auto (follows the window)", nullptr, app.ui_scale_mode == 0)) app.ui_scale_mode = 0;
  app.probes.add("scale_items", item_rect());
  if (ImGui::MenuItem("Projector (largest text)", nullptr, app.ui_scale_mode == 1)) app.ui_scale_mode = 1;
  app.probes.add("scale_items", item_rect());
  for (float v : {1.0f, 1.25f, 1.5f, 1.75f, 2.0f}) {
    char text[16];
    std::snprintf(text, sizeof text, "%.0f%%", v * 100);
    if (ImGui::MenuItem(text, nullptr, app.ui_scale_mode == 2 && app.ui_scale_fixed == v)) app.ui_scale_mode = 2, app.ui_scale_fixed = v;
    app.probes.add("scale_items", item_rect());
  }
  ImGui::Separator();
  ImGui::TextDisabled("now %.0f%%: %.0f x %.0f points", app.display_scale * 100, ImGui::GetIO().DisplaySize.x,
                      ImGui::GetIO().DisplaySize.y);
  ImGui::EndMenu();
}

// The status line in the room left on the menu bar, cut with "..." (the whole of it on hover),
// after the threads training runs on (the page picks its two-thread build when it may).
static void status_text(AppState& app) {
  const bool threads = session_train_threads() > 1;
  ImGui::TextDisabled("%s", threads ? "2 threads" : "1 thread");
  app.probes.set("threads", item_rect());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(threads ? "Training runs on two threads of its own, beside the frames."
                              : "This page runs its single-thread build: the server did not send the cross-origin "
                                "isolation headers (COOP/COEP) that WebAssembly threads need, so training steps run "
                                "inside the frames. tools/run.sh serves the page with them.");
  const ImVec4 color = app.session.status_error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.6f, 0.9f, 0.6f, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  text_ellipsis(app.session.status.c_str(), std::max(20.0f, ImGui::GetContentRegionAvail().x - 8));
  ImGui::PopStyleColor();
  app.probes.set("status", item_rect());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s\nmodel %s, %.0f frames/s", app.session.status.c_str(),
                      app.session.has_model ? app.session.trainer.params.config.describe().c_str() : "(none)", ImGui::GetIO().Framerate);
}

void main_menu_bar(AppState& app) {
  if (!ImGui::BeginMainMenuBar()) return;
  ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.4f, 1.0f), "VAE on %s", dataset_title(app.session.dataset));
  ImGui::TextDisabled("|");
  view_tabs(app);
  ImGui::TextDisabled("|");
  if (ImGui::BeginMenu("Models")) {
    for (size_t i = 0; i < app.session.models.size(); ++i)
      if (ImGui::MenuItem(app.session.models[i].name.c_str(), nullptr, app.session.model_index == static_cast<int>(i)))
        request_pick_model(app, static_cast<int>(i));
    ImGui::EndMenu();
  }
  app.probes.set("scale_menu", Rect());
  app.probes.clear("scale_items");
  const bool view_open = ImGui::BeginMenu("View");
  app.probes.set("view_menu", item_rect());
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
  app.probes.set("copy_link", item_rect());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a link to this view: model, test image, seeds, endpoints, plane, scale");
  if (ImGui::MenuItem("Tour")) tour_start(app);
  app.probes.set("tour", item_rect());
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

