// The app's windows, one function each (one file each), and the few actions they share.
#pragma once
#include "app/app.h"
#include "imgui.h"

// The panels, in the layout's numbering.
enum Panel : int {
  kPanelSample, kPanelInterpolate, kPanelMap, kPanelInput, kPanelTrain, kPanelModel,
  kPanelEncoder, kPanelReparam, kPanelElbo, kPanelCompare, kPanels
};

void panel_sample(AppState& app);       // panel_sample.cpp
void panel_interpolate(AppState& app);  // panel_interpolate.cpp
void panel_latent_map(AppState& app);   // panel_latent_map.cpp
void panel_input(AppState& app);        // panel_input.cpp: the drawing pad and the inspected input
void panel_train(AppState& app);        // panel_train.cpp
void panel_model(AppState& app);        // panel_model.cpp
void panel_encoder(AppState& app);      // panel_encoder.cpp: q(z|x), mu +- sigma per dimension
void panel_reparam(AppState& app);      // panel_reparam.cpp: z = mu + sigma * eps
void panel_elbo(AppState& app);         // panel_elbo.cpp: the ELBO of one image and log p(x)
void panel_compare(AppState& app);      // panel_compare.cpp: autoencoder vs VAE

// Sets interpolation endpoint `which` (0 = A, 1 = B) to a code chosen elsewhere (a sample, the pad).
void endpoint_set_custom(AppState& app, int which, const Vec& z, const std::string& label);
// Brings endpoints up to date with the model (and their sources); used by the map too.
void endpoints_update(AppState& app);
// The interpolation path at t.
Vec interp_point(const AppState& app, float t);
// Redraws the latent map's grid of decoded digits (also the benchmark's unit of work).
void latent_map_redraw(AppState& app);
// Forgets the point under the mouse (and its image): the model or the plane changed.
void latent_map_forget_probe(AppState& app);
// Runs training steps for this frame's time budget when training is on.
void train_frame_steps(AppState& app);
// Stops training (its thread's step under way ends first; its state comes back into app.trainer).
void train_pause(AppState& app);
// Threads that compute training steps: 2 on the training thread (its blocks side by side), 1 in frames.
int train_threads();

// layout.cpp: window placement, the menu bar, and small widgets shared by panels
// Opens panel `which` in its place of the current view's layout: ImGui::Begin(title), then `caption`
// under the title, and returns true; the panel ends it with ImGui::End(). False (nothing begun)
// when the current view does not show the panel.
bool panel_begin(AppState& app, int which, const char* title, const char* caption);
// Ends it (ImGui::End()), noting how far its content overflows the window (none, in every layout).
void panel_end(AppState& app, int which);
// Whether the current view shows panel `which` (with a focused panel only that one; unfocused: as laid out).
bool view_shows(const AppState& app, int which);
bool view_shows_unfocused(const AppState& app, int which);
const char* panel_name(int which);  // "Sample", "Latent map", ...
// Menu bar actions (url_state.cpp, tour.cpp): the link to this view, and the guided tour.
void copy_link(AppState& app);
void tour_start(AppState& app);
void tour_window(AppState& app);
int tour_steps();               // how many steps the tour has
int tour_panel(int step);       // the panel step `step` points at
const char* tour_link(int step);  // the state it sets, as a link
// Picking a model or Reset throw the model trained here away: they ask first (confirm_popup).
void request_pick_model(AppState& app, int index);
void request_reset(AppState& app);
void confirm_popup(AppState& app);
// The Input panel's caption: what to draw, for the dataset shown.
std::string input_caption(const AppState& app);
// The Train panel's ELBO line: the last batch's terms, or before any step the model card's test ELBO.
std::string train_elbo_text(const AppState& app);
// Reset's new model (the Train panel's choice of shape), random weights.
void train_new_model(AppState& app);
// The compare panel's models (panel_compare.cpp): the shipped pair when first shown, trained both live.
void compare_frame_steps(AppState& app);
// A weights file for side `side` of the comparison (0: autoencoder, 1: VAE) arrived.
bool compare_load_weights(AppState& app, int side, const uint8_t* bytes, size_t size, const std::string& source);
// A test image's number chooser: index, class, previous/next of the class; true when it changed.
bool test_image_chooser(AppState& app, const char* id, int* index, int* cls);
void main_menu_bar(AppState& app);
void help_window(AppState& app);
void help_marker(const char* text);  // a "(?)" that shows text on hover
void caption(const char* text);      // muted text under a window's title (one line in a small window)
void text_ellipsis(const char* text, float width);  // the text cut to `width` with "..."
// SameLine() when `width` more fits on the current line, else the next line.
void same_line_if_fits(float width);
Rect item_rect();                    // the last widget's rectangle
// A grid texture drawn at `size` pixels; returns the screen position of its top-left corner.
ImVec2 grid_image(const DigitGrid& grid, ImVec2 size);
ImU32 digit_color(int label, float alpha = 1.0f);
// A heat colour for v in [0, 1] (black - red - yellow - white).
ImU32 heat_color(float v);
// Text centred in the current line's available width.
void text_centered(const char* text);
// A list of the model's classes by name (a conditional model); `all`, when given, is an extra first
// entry meaning -1. Records the closed list's rectangle in *rect, and the open list's entries in
// app.rects.popup_items (for the browser test). True when the choice changed.
bool class_combo(AppState& app, const char* label, int* cls, const char* all, Rect* rect, float width_em = 8);
