// The interactive app: the session (the model, the data, training; session/session.h) and the views
// over it, each panel's own state, and the frame that draws them. The same frame code runs in the
// native window and in the web page; the platform (platform/platform.h) is what differs.
#pragma once
#include <string>

#include "app/links/link.h"
#include "app/panels/panel_state.h"
#include "app/session/session.h"
#include "app/ui/probes.h"

// The page's views: each shows a set of panels laid out to fill the window.
enum class View { explore, one_image, train, step };
constexpr int kViews = 4;
const char* view_name(View v);  // "Explore", "Inside one image", "Train & compare", "One step"

// A tour step's question and the learner's answer (ui/tour.cpp).
struct TourPredict {
  bool answered = false;
  Vec guess;             // tap_code: the code tapped on the map
  double distance = -1;  // ... its distance from mu of q(z|x)
  int choice = -1;       // pick_beta: the choice picked
  bool correct = false;
};

struct AppState {
  Session session;
  float frame_ms[120] = {};  // the last frames' work on the main thread (ring, by frame number)
  float train_ms[120] = {};  // ... of it, training's: steps (one thread) or taking their results (two)
  long long frame = 0;
  bool first_digits = false;  // a frame with sampled digits has been built
  bool reset_layout = true;  // asks for the panels to go where the view puts them
  bool layout_now = false;   // ... this frame (reset_layout as the frame began)
  bool show_help = false;
  View view = View::explore;
  int focus = -1;              // a panel enlarged to the whole view (Panel numbering), -1: none
  Link link_pending;           // the part of a link that waits for its model (model_index == link_pending_model)
  int link_pending_model = -1;
  bool has_link_pending = false;
  std::string last_link;       // the last "Copy link"
  int tour_step = -1;          // the guided tour's step, -1: not touring
  TourPredict tour_predict;    // its question's answer
  float overflow[16][2] = {};  // each panel's content beyond its window last frame (x, y points)
  int ui_scale_mode = 0;       // 0: auto (from the window's size), 1: projector, 2: fixed ui_scale_fixed
  float ui_scale_fixed = 1;
  // the display as the frame found it (display.cpp): for the page's state and the scale menu
  float display_dpr = 1, display_scale = 1, font_px = 0;
  int canvas_w = 0, canvas_h = 0;
  // what of the session the views last followed (app_follow_session)
  long long model_serial_seen = -1, data_serial_seen = -1;
  int latent_seen = -1;
  std::string dataset_seen;
  size_t test_seen = 0;

  SamplePanel sample;
  InterpolatePanel interp;
  LatentMapPanel map;
  InputPanel input;
  TrainPanel train_panel;
  ModelPanel model_panel;
  OneImageView one_image_view;
  ComparePanel compare;
  StepPanel step_panel;
  WeightsPanel weights;
  bool decoder_sample = false;  // decoded grids show a draw x ~ p(x|z) instead of its mean
  Probes probes;  // where things are on the screen, for the browser test
};

// The one instance: the page's exported functions reach it before main() runs.
AppState& app_instance();

// Everything between ImGui::NewFrame() and ImGui::Render().
void app_frame(AppState& app);
// The views follow the session: a new model or new data resets what they chose for the old one
// (their class choices, the map's plane, the endpoints). Cheap when nothing changed; app_frame calls
// it before each panel, so an action in one panel never leaves the next one with stale choices.
void app_follow_session(AppState& app);

// Actions that need the platform (app.cpp):
// Picks entry i of the model list: natively loaded at once, in the page fetched first.
void app_pick_model(AppState& app, int index);
// "Load": natively the file at app.model_panel.path; in the page the browser's file dialog.
void app_open_weights(AppState& app);
// "Save" / "Download": the current weights as `dtype` ("F32", "F16").
void app_save_weights(AppState& app, const std::string& dtype);
// Reset's new model: the Train panel's choice of shape, random weights.
void app_new_model(AppState& app);
// Asks the platform for the data of session.dataset (natively it is installed at once).
void app_request_data(AppState& app);

// Links (link_apply.cpp): the link of the app's current view, and one applied to it: the model
// first (picked now when it is another one; the rest waits until it is shown), then everything else.
// digit=N also opens "Inside one image" unless the link names a view.
Link link_of(const AppState& app);
void link_apply(AppState& app, const Link& link);
// The part of a link that waited for its model, applied once that model is shown (each frame).
void link_apply_pending(AppState& app);
// "Copy link": the current view's link to the clipboard (and the page's address bar).
void copy_link(AppState& app);

// Everything the browser test checks, as one JSON object (state_json.cpp).
std::string app_state_to_json(const AppState& app);
