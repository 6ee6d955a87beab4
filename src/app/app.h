// The interactive app's state and its frame: one model (the Trainer's parameters, so training in
// the app changes what every panel shows), the data once loaded, and each panel's own state.
// The same frame code runs in the native window and in the web page.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/models.h"
#include "app/panel_state.h"
#include "app/url_state.h"
#include "io/idx.h"
#include "io/weights.h"
#include "train/train_thread.h"
#include "train/trainer.h"

struct AppState;

// A widget's screen rectangle (ImGui coordinates = CSS pixels of the page), for the browser test.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// The UI scale for a window of w x h CSS pixels: points are CSS pixels / scale. Auto grows the
// 1280 x 800 layout with the window; projector makes it as large as the smallest layout (1024 x 640
// points) allows; a fixed choice is capped there too, so no layout is ever smaller than that.
float ui_scale(const AppState& app, float w, float h);
constexpr float kMinLayoutW = 1024, kMinLayoutH = 640;

// The page's views: each shows a set of panels laid out to fill the window.
enum class View { explore, inside, train };
constexpr int kViews = 3;
const char* view_name(View v);  // "Explore", "Inside one image", "Train & compare"

struct AppState {
  Trainer trainer;  // the model shown everywhere is trainer.params
  // Where there are threads (natively, the page's two-thread build) training steps run here, on a copy
  // of `trainer` whose newest parameters each frame takes (panel_train.cpp); otherwise in the frame.
  TrainThread train_thread;
  float frame_ms[120] = {};  // the last frames' work on the main thread (ring, by frame number)
  float train_ms[120] = {};  // ... of it, training's: steps (one thread) or taking their results (two)
  bool has_model = false;
  Metadata meta;             // of the file the model came from
  std::string model_source;  // file name, or "new random weights"
  long long version = 0;     // bumps whenever the parameters change
  Inference inf;             // buffers for the panels' decoding and encoding
  std::vector<ModelEntry> models;  // the picker's list of shipped models
  int model_index = -1;            // the entry shown (-1: a file loaded by hand, or random weights)
  int model_pending = -1;          // the entry being fetched (the page), -1: none
  Dataset test, train;       // empty until loaded (the page loads them after the first frame)
  Mat test_binary;           // the test images binarized once, as every test figure is (the README's protocol)
  std::string dataset = "mnist";  // what test and train hold or will hold: "mnist" or "fashion-mnist"
  bool data_pending = true;       // the data of `dataset` is still to be requested
  std::string status = "Starting";
  bool status_error = false;
  long long frame = 0;
  double now = 0;  // seconds, at the start of the frame
  bool first_digits = false;  // a frame with sampled digits has been built
  bool reset_layout = true;  // asks for the panels to go where the view puts them
  bool layout_now = false;   // ... this frame (reset_layout as the frame began)
  bool show_help = false;
  View view = View::explore;
  int focus = -1;              // a panel enlarged to the whole view (Panel numbering), -1: none
  UrlState url_pending;        // the part of a link that waits for its model (model_index == url_pending_model)
  int url_pending_model = -1;
  bool has_url_pending = false;
  std::string last_link;       // the last "Copy link"
  int tour_step = -1;          // the guided tour's step, -1: not touring
  float overflow[16][2] = {};  // each panel's content beyond its window last frame (x, y points)
  int ui_scale_mode = 0;       // 0: auto (from the window's size), 1: projector, 2: fixed ui_scale_fixed
  float ui_scale_fixed = 1;
  // the display as the frame found it (display.cpp): for the page's state and the scale menu
  float display_dpr = 1, display_scale = 1, font_px = 0;
  int canvas_w = 0, canvas_h = 0;

  SamplePanel sample;
  InterpolatePanel interp;
  LatentMapPanel map;
  DrawPanel draw;
  TrainPanel train_panel;
  ModelPanel model_panel;
  OneImagePanel inspect;  // the input the one-image views show
  Activity activity;      // of the current model
  ComparePanel compare;

  struct {
    Rect threads;  // the status line's "2 threads" / "1 thread"
    Rect interp_slider, draw_pad, train_start, train_reset, load_weights, download_weights, sample_grid,
        latent_map, strip, style_row, sample_class, map_class, draw_class;
    Rect views[kViews];    // the menu bar's view tabs
    Rect panels[16];       // each panel's window (Panel numbering, panels.h), as laid out this frame
    Rect focus[16];        // each panel's focus button (title bar)
    Rect view_menu, copy_link, tour, tour_next, tour_back, tour_leave;
    std::vector<Rect> scale_items;  // View > UI scale's entries, while open
    std::vector<Rect> meta_values;  // the metadata table's values, while open
    Rect status, meta_header, map_points;
    Rect draw_eps, draw_clear, input_x, test_index, input_test, input_drawing, load_into_pad, prepare, beta, compare_train,
        compare_shipped, confirm_discard, confirm_cancel, encoder_chart, elbo_panel, train_plot;
    Rect compare_codes[2];  // the two sides' code plots
    Rect map_ellipse;       // the bounding box of q(z|x)'s 2 sigma ellipse on the latent map
    float map_ellipse_centre[2] = {0, 0};  // the mean of its points
    Rect scale_menu;  // View > UI scale
    Rect dtype[2];   // the download's F16 and F32 choices
    Rect map_label;  // the inspected input's label on the map ("your drawing", "test #N ...")
    float map_mu[2] = {0, 0};  // where mu of the inspected input is drawn on the map (screen)
    float map_z[2] = {0, 0};   // and the drawn z
    Rect map_endpoint[2];  // the A and B handles on the latent map
    Rect endpoint_class[2];  // their class lists (prior samples of a conditional model)
    std::vector<Rect> models;       // the picker's entries
    std::vector<Rect> popup_items;  // the entries of an open class list (cleared every frame)
  } rects;
};

// The one instance: the page's exported functions reach it before main() runs.
AppState& app_instance();

// Everything between ImGui::NewFrame() and ImGui::Render().
void app_frame(AppState& app);

// Installs a model (from a file or freshly initialized): re-sizes every buffer and panel to its Z.
void app_set_model(AppState& app, const VaeParams& params, const Metadata& meta, const std::string& source);
// A model of this shape with random weights (PyTorch's nn.Linear initialization from `seed`).
void app_new_random_model(AppState& app, const VaeConfig& config, int seed);
// The largest weights the app loads: 4,194,304 parameters (16 MiB as F32), a 1 MiB header. The page's
// WebAssembly heap never shrinks, so an upload is checked against these before it is copied in.
constexpr WeightsLimits kAppWeightsLimits = {uint64_t(1) << 22, uint64_t(1) << 20};
// Parses a safetensors upload; on failure the current model stays and the status says why.
bool app_load_weights(AppState& app, const uint8_t* bytes, size_t size, const std::string& source);
// The current weights as safetensors bytes (F32 or F16).
std::vector<uint8_t> app_weights_bytes(const AppState& app, const std::string& dtype);
// Their file name: the shipped model's name (else "vae-" and the shape), the steps trained here if
// any, and the dtype: "mnist-z2-f16.safetensors", "mnist-z2-300steps-f32.safetensors".
std::string app_download_name(const AppState& app, const std::string& dtype);
// Hands over images and labels of `dataset` (split "test" or "train"), parsed from IDX bytes; ignored
// when the app has switched to another dataset since they were requested.
bool app_load_dataset(AppState& app, const std::string& dataset, const std::string& split, const uint8_t* images,
                      size_t images_size, const uint8_t* labels, size_t labels_size);
// Installs parsed data of app.dataset (split "test" or "train"); the panels re-encode.
void app_install_dataset(AppState& app, const std::string& split, Dataset d);
// Switches the panels to another dataset's data: drops the current data, requests the new one.
void app_set_dataset(AppState& app, const std::string& dataset);
// Picks entry i of the model list: natively loaded at once, in the page fetched first.
void app_pick_model(AppState& app, int index);
// The model's classes (C, 0 for an unconditional model) and class k's name in the current dataset.
int app_classes(const AppState& app);
std::string app_class_name(const AppState& app, int k);
void app_set_status(AppState& app, const std::string& message, bool error);
// Everything the browser test checks, as one JSON object.
std::string app_state_to_json(const AppState& app);

// The one-image view (one_image.cpp). Its input: test image `index`, or the drawing on the pad.
void inspect_test_image(AppState& app, int index);
void inspect_drawing(AppState& app);
// Test image `index` (its grey levels) into the pad; the drawing becomes the input.
void inspect_load_into_pad(AppState& app, int index);
// A new eps ~ N(0, I) (the next seed): a new z = mu + sigma * eps and its image, a new cloud.
void inspect_draw_eps(AppState& app);
// Brings the figures up to date with the input and the model (every frame; cheap when nothing
// changed) and advances the log p(x) estimate by a few milliseconds' worth of samples.
void inspect_update(AppState& app);
// The model's use of each latent dimension over test images (app.activity), when due.
void activity_update(AppState& app);
// The index of the `occurrence`-th test image of class `label` (wrapping), or -1.
int test_index_of_class(const Dataset& test, int label, int occurrence);

// True when a view drawn at model version `drawn` must be redrawn now: the model changed, and while
// training at most every `interval` seconds (so training keeps most of the frame).
bool refresh_due(const AppState& app, long long drawn, double drawn_at, double interval);
// Decodes grid->z (with the labels grid->y for a conditional model) into grid->probs and uploads
// cols x rows tiles.
void grid_decode(AppState& app, DigitGrid* grid, int cols, int rows);
