// The app's windows, one function each (one file each), and the few actions they share.
#pragma once
#include "app/app.h"
#include "imgui.h"

void panel_sample(AppState& app);       // panel_sample.cpp
void panel_interpolate(AppState& app);  // panel_interpolate.cpp
void panel_latent_map(AppState& app);   // panel_latent_map.cpp
void panel_draw(AppState& app);         // panel_draw.cpp
void panel_train(AppState& app);        // panel_train.cpp
void panel_model(AppState& app);        // panel_model.cpp

// Sets interpolation endpoint `which` (0 = A, 1 = B) to a code chosen elsewhere (a sample, the pad).
void endpoint_set_custom(AppState& app, int which, const Vec& z, const std::string& label);
// Brings endpoints up to date with the model (and their sources); used by the map too.
void endpoints_update(AppState& app);
// The interpolation path at t.
Vec interp_point(const AppState& app, float t);
// Redraws the latent map's grid of decoded digits (also the benchmark's unit of work).
void latent_map_redraw(AppState& app);
// Runs training steps for this frame's time budget when training is on.
void train_frame_steps(AppState& app);

// layout.cpp: window placement, the menu bar, and small widgets shared by panels
// Opens panel `which` (the order of panels above) in its place of the layout: ImGui::Begin(title),
// then `caption` under the title; the panel ends it with ImGui::End().
void panel_begin(AppState& app, int which, const char* title, const char* caption);
void main_menu_bar(AppState& app);
void help_window(AppState& app);
void help_marker(const char* text);  // a "(?)" that shows text on hover
void caption(const char* text);      // one muted line under a window's title
Rect item_rect();                    // the last widget's rectangle
// A grid texture drawn at `size` pixels; returns the screen position of its top-left corner.
ImVec2 grid_image(const DigitGrid& grid, ImVec2 size);
ImU32 digit_color(int label, float alpha = 1.0f);
// A list of the model's classes by name (a conditional model); `all`, when given, is an extra first
// entry meaning -1. Records the closed list's rectangle in *rect, and the open list's entries in
// app.rects.popup_items (for the browser test). True when the choice changed.
bool class_combo(AppState& app, const char* label, int* cls, const char* all, Rect* rect, float width_em = 8);
