// Each panel's own state: what it shows and what it computed, kept across frames. AppState (app.h)
// holds one of each; what the panels share (the model, the data, training, the one-image figures)
// is the session's (session/session.h).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "app/session/infer.h"
#include "app/session/latent_plane.h"
#include "model/aggregate.h"
#include "app/ui/digit_grid.h"
#include "train/trainer.h"

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
  bool axes_auto = true;  // the axes are still the model's two most active dimensions' (to be set)
  bool cdf = true;  // Gaussian-CDF spacing (paper, figure 4)
  bool show_grid = true, show_points = true;
  int cls = 0;  // conditional models: the class every tile is decoded as
  int grid_size = 16;
  int num_points = 2000;
  LatentPlane plane;      // the plane shown
  LatentPlane principal;  // principal plane of the first kPrincipalCodes test codes (last full pass)
  Vec codes_mean;         // Z: their mean (the "two axes" plane's origin)
  DigitGrid grid;  // grid_size x grid_size decoded over the plane
  bool grid_dirty = true;
  double grid_ms = 0;  // last redraw (decode + tiles + upload)
  // encoder means of the first num_points test digits, refreshed in slices across frames
  Mat points_mu;            // num_points x Z
  Mat points_sigma;         // num_points x Z: sigma of q(z|x) beside mu (the aggregate posterior)
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
  // the aggregate posterior against the prior on the map's plane, and its holes (model/aggregate.h)
  bool show_holes = false;
  Holes holes;           // at the centres of a kHoleGrid x kHoleGrid grid of the map
  double holes_pass = -1;  // points_pass_at of the codes it comes from
  long long holes_version = -1;  // the model version they were encoded with
  bool holes_cdf = true;
  LatentPlane holes_plane;
};
constexpr int kHoleGrid = 40;

constexpr int kPrincipalCodes = 2000;  // the test codes the map's plane comes from

// Input x (panel_input.cpp): the drawing pad; what the one-image views inspect is the session's.
struct InputPanel {
  std::vector<float> pad = std::vector<float>(kSide * kSide, 0.0f);  // intensities in [0, 1]
  float brush = 1.2f;  // radius in pad pixels
  bool stroking = false;
  float last_x = 0, last_y = 0;  // last brush position (pad pixels)
  bool has_ink = false;
  int cls = 0;  // conditional models: the class the drawing is encoded and decoded with
  bool prepare = true;  // the encoder reads the drawing prepared as MNIST's digits were (else as drawn)
  DigitGrid drawing;    // the pad as drawn
  bool dirty = true;    // the pad changed since the session was handed it
};

// The one-image figures' images (session.one_image's probabilities as textures), as of `serial`.
struct OneImageView {
  DigitGrid input, decoded_mu, decoded_z, cloud;  // x; the decoder's image of mu and of z; the first draws
  long long serial = -1;
};

// Train (panel_train.cpp): the model Reset makes, and an action that waits for the user's answer.
struct TrainPanel {
  int new_latent = 20, new_hidden = 400, new_activation = 0, new_seed = 1;
  bool new_conditional = false;  // a conditional VAE on the dataset's 10 classes
  // an action that would throw the trained model away waits for the user's answer
  int confirm = 0;  // 0: none; 1: Reset; 2: pick model `confirm_model`
  int confirm_model = -1;
  int plot = 0;  // the plot shown: 0 the ELBO's terms, 1 rate vs distortion, 2 KL per dimension
  float below_h = 0;  // the height of what is under the plots (last frame): the plots leave it room
};

// One side of "autoencoder vs VAE": a Z = 2 model (shipped, or trained live with its KL weight),
// the codes of test images, its samples from the prior and its figures over a test batch.
struct CompareSide {
  const char* title = "";
  float beta = 1;
  Trainer trainer;       // its model is trainer.params
  Inference inf;         // its decoding and encoding buffers
  bool has_model = false;
  bool pending = false;  // its shipped file is on its way (the page)
  std::string source;    // "weights/mnist-ae-z2.safetensors", "trained here"
  long long version = 0;  // bumps with the parameters
  Mat codes;             // kCompareCodes x 2: encoder means of test images
  DigitGrid samples;     // decoded z ~ N(0, I)
  double kl = 0, recon = 0;  // mean over kCompareCodes test images, nats
  double inside_2sigma = 0;  // share of the codes within the prior's 2 sigma circle
  double holes_share = 0;    // share of the prior's mass in holes of the codes' aggregate posterior
  double holes_at = -1;      // when it was measured (seconds)
  long long drawn_version = -1;
  double drawn_at = 0;
};
constexpr int kCompareCodes = 1000;

struct ComparePanel {
  CompareSide sides[2];  // 0: autoencoder (beta = 0), 1: VAE (beta = 1)
  bool requested = false;  // the shipped pair was asked for
  bool live = false;       // the sides hold models trained here
  bool running = false;
  long long steps = 0;     // each side's steps in the live run
  int seed = 1;
};

// One step (panel_step.cpp): the walk's pace and a stage a link asked for before the data came.
struct StepPanel {
  int pending = -1;       // StepStage a link asked for, shown once the training images are there
  DigitGrid x, mean;      // the batch, and the decoder's mean images of its z
  long long drawn = -1;   // the slow step's serial the grids show
  bool show_all_arrows = true;
};

// The weights as pictures (panel_weights.cpp): a page of units of the encoder's first layer or the
// decoder's last, each unit's 784 weights as a 28x28 tile.
struct WeightsPanel {
  bool decoder = false;  // false: encoder.0 (each row of W), true: the decoder's output layer (each column)
  int page = 0;
  int per_row = 8;       // tiles per row; a page is per_row x per_row units
  DigitGrid tiles;
  long long drawn = -1;  // model version drawn
  double drawn_at = 0;
  int drawn_page = -1;
  bool drawn_decoder = false;
};

struct ModelPanel {
  char path[512] = "";   // native: file to load from / save to
  int dtype = 1;         // 0: F32, 1: F16 for the download
  bool meta_open = false;  // the metadata table is open
  float below_h = 0;       // the height of what is under the list (last frame): the list leaves it room
};

