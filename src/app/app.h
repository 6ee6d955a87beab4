// The interactive app's state and its frame: one model (the Trainer's parameters, so training in
// the app changes what every panel shows), the data once loaded, and each panel's own state.
// The same frame code runs in the native window and in the web page.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/gl_texture.h"
#include "app/infer.h"
#include "app/latent_plane.h"
#include "app/models.h"
#include "io/idx.h"
#include "io/weights.h"
#include "train/trainer.h"

// A widget's screen rectangle (ImGui coordinates = CSS pixels of the page), for the browser test.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

// A grid of decoded digits on one texture, and when it was last drawn.
struct DigitGrid {
  Mat z, probs;                 // N x Z codes, N x D pixel probabilities
  Mat y;                        // N x C labels a conditional model decodes with (else ignored)
  std::vector<uint8_t> pixels;  // cols*28 x rows*28
  GrayTexture texture;
  int cols = 0, rows = 0;
  long long version = -1;  // model version drawn (-1: never)
  double drawn_at = 0;     // seconds
};

struct SamplePanel {
  int grid = 8;  // grid x grid samples
  int seed = 1;
  float temperature = 1;  // z = T * eps, eps ~ N(0, I)
  Mat eps;                // grid^2 x Z, from seed
  DigitGrid digits;
  bool dirty = true;
  // conditional models: every sample of class `cls`, or (-1) one row per class, each column one z
  int cls = -1;
  int style_seed = 1;  // "same style, every class": one z from this seed decoded as each class
  DigitGrid style;
};

enum class EndpointSource { prior, test_index, test_class, custom };

struct Endpoint {
  EndpointSource source = EndpointSource::prior;
  int seed = 1;         // prior: z ~ N(0, I) from this seed
  int index = 0;        // test_index: test digit number
  int digit = 0;        // test_class: the digit's class ...
  int occurrence = 0;   // ... and which one of that class
  int prior_class = 0;  // prior: the class a conditional model decodes the sample as
  Vec z;                // Z: the code
  int label = -1;       // the class the code goes with (conditional models), -1: none
  std::string text;     // what the code is, for the panel
  bool dirty = true;    // recompute z from the source
  long long version = -1;  // model version z was encoded with
};

inline Endpoint make_endpoint(EndpointSource source, int digit, int seed) {
  Endpoint e;
  e.source = source;
  e.digit = digit;
  e.seed = seed;
  return e;
}

struct InterpolatePanel {
  // from a test "1" to a test "0" (prior samples until the test set is loaded)
  Endpoint ends[2] = {make_endpoint(EndpointSource::test_class, 1, 1), make_endpoint(EndpointSource::test_class, 0, 2)};
  int steps = 10;
  bool spherical = false;
  float t = 0.5f;
  bool animate = false;     // t sweeps back and forth
  float direction = 1;
  DigitGrid strip;    // 1 x steps
  DigitGrid current;  // the point at t
  float drawn_t = -1;  // t that `current` shows
  bool dirty = true;
};

enum class PlaneKind { principal, axes };

struct LatentMapPanel {
  PlaneKind kind = PlaneKind::principal;
  int axis0 = 0, axis1 = 1;
  bool cdf = true;  // Gaussian-CDF spacing (paper, figure 4)
  bool show_grid = true, show_points = true;
  int cls = 0;  // conditional models: the class every tile is decoded as
  int grid_size = 16;
  int num_points = 2000;
  LatentPlane plane;      // the plane shown
  LatentPlane principal;  // principal plane of the last full pass over the test codes
  DigitGrid grid;  // grid_size x grid_size decoded over the plane
  bool grid_dirty = true;
  double grid_ms = 0;  // last redraw (decode + tiles + upload)
  // encoder means of the first num_points test digits, refreshed in slices across frames
  Mat points_mu;            // num_points x Z
  int points_done = 0;      // rows encoded in the current pass
  bool points_ready = false;  // a full pass of this model's shape exists
  long long points_version = -1;
  double points_pass_at = 0;
  double principal_at = -1;  // points_pass_at of the pass `principal` comes from
  // probe: the point under the mouse (or pinned by a click)
  Vec probe_z;
  bool probe_pinned = false;
  DigitGrid probe;
  int dragging = -1;  // endpoint being dragged (0, 1) or -1
};

struct DrawPanel {
  std::vector<float> pad = std::vector<float>(kSide * kSide, 0.0f);  // intensities in [0, 1]
  float brush = 1.2f;  // radius in pad pixels
  bool stroking = false;
  float last_x = 0, last_y = 0;  // last brush position (pad pixels)
  bool has_ink = false;
  int cls = 0;  // conditional models: the class the drawing is encoded and decoded with
  Vec mu;  // Z: encoder mean of the pad
  DigitGrid drawing, recon;
  bool dirty = true;
  double recon_mean = 0;
};

struct TrainPanel {
  bool running = false;
  float budget_ms = 10;  // time for training steps in each frame
  long long steps = 0;   // since this model was made or loaded
  std::vector<float> elbo;   // ELBO of each step's batch (nats, higher is better)
  std::vector<float> plot;   // elbo smoothed for the plot
  double samples_per_s = 0;  // while computing steps
  double steps_per_s = 0;    // of wall time, over the last second
  double window_at = 0;      // start of the current one-second window
  long long window_steps = 0;
  VaeLoss last;
  // a new model
  int new_latent = 20, new_hidden = 400, new_activation = 0, new_seed = 1;
  bool new_conditional = false;  // a conditional VAE on the dataset's 10 classes
};

struct ModelPanel {
  char path[512] = "";   // native: file to load from / save to
  int dtype = 1;         // 0: F32, 1: F16 for the download
};

struct AppState {
  Trainer trainer;  // the model shown everywhere is trainer.params
  bool has_model = false;
  Metadata meta;             // of the file the model came from
  std::string model_source;  // file name, or "new random weights"
  long long version = 0;     // bumps whenever the parameters change
  Inference inf;             // buffers for the panels' decoding and encoding
  std::vector<ModelEntry> models;  // the picker's list of shipped models
  int model_index = -1;            // the entry shown (-1: a file loaded by hand, or random weights)
  int model_pending = -1;          // the entry being fetched (the page), -1: none
  Dataset test, train;       // empty until loaded (the page loads them after the first frame)
  std::string dataset = "mnist";  // what test and train hold or will hold: "mnist" or "fashion-mnist"
  bool data_pending = true;       // the data of `dataset` is still to be requested
  std::string status = "Starting";
  bool status_error = false;
  long long frame = 0;
  double now = 0;  // seconds, at the start of the frame
  bool first_digits = false;  // a frame with sampled digits has been built
  bool reset_layout = true;
  bool show_help = false;

  SamplePanel sample;
  InterpolatePanel interp;
  LatentMapPanel map;
  DrawPanel draw;
  TrainPanel train_panel;
  ModelPanel model_panel;

  struct {
    Rect interp_slider, draw_pad, train_start, train_reset, load_weights, download_weights, sample_grid,
        latent_map, strip, style_row, sample_class, map_class, draw_class;
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

// True when a view drawn at model version `drawn` must be redrawn now: the model changed, and while
// training at most every `interval` seconds (so training keeps most of the frame).
bool refresh_due(const AppState& app, long long drawn, double drawn_at, double interval);
// Decodes grid->z (with the labels grid->y for a conditional model) into grid->probs and uploads
// cols x rows tiles.
void grid_decode(AppState& app, DigitGrid* grid, int cols, int rows);
