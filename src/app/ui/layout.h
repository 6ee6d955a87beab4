// Where the windows open (one docking-free layout per view, sized to the screen), the menu bar with
// the status message, the help window, the popup that asks before a trained model is thrown away,
// and the guided tour (layout.cpp, confirm.cpp, tour.cpp).
#pragma once
#include "app/app.h"

// The panels, in the layout's numbering.
enum Panel : int {
  kPanelSample, kPanelInterpolate, kPanelMap, kPanelInput, kPanelTrain, kPanelModel,
  kPanelEncoder, kPanelReparam, kPanelElbo, kPanelCompare, kPanelStep, kPanelWeights, kPanelPosterior, kPanels
};

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
void main_menu_bar(AppState& app);
void help_window(AppState& app);
// Picking a model or Reset throw the model trained here away: they ask first (confirm.cpp's popup).
void request_pick_model(AppState& app, int index);
void request_reset(AppState& app);
void confirm_popup(AppState& app);
// The guided tour (tour.cpp).
void tour_start(AppState& app);
void tour_window(AppState& app);
int tour_steps();                 // how many steps the tour has
const char* tour_ask(int step);   // the question step `step` asks first: "tap_code", "pick_beta", or ""
// A step that asks where a code lands: the map hides the code until the tap (tour_guess), then shows both.
bool tour_hides_code(const AppState& app);
bool tour_shows_guess(const AppState& app);
void tour_guess(AppState& app, const Vec& z);
int tour_panel(int step);         // the panel step `step` points at
const char* tour_link(int step);  // the state it sets, as a link
