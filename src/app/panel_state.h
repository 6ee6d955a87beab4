// Each panel's own state: what it shows and what it computed, kept across frames. AppState (app.h)
// holds one of each.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "app/gl_texture.h"
#include "app/infer.h"
#include "app/latent_plane.h"
#include "model/inspect.h"
#include "train/trainer.h"

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

constexpr int kPrincipalCodes = 2000;  // the test codes the map's plane comes from

struct DrawPanel {
  std::vector<float> pad = std::vector<float>(kSide * kSide, 0.0f);  // intensities in [0, 1]
  float brush = 1.2f;  // radius in pad pixels
  bool stroking = false;
  float last_x = 0, last_y = 0;  // last brush position (pad pixels)
  bool has_ink = false;
  int cls = 0;  // conditional models: the class the drawing is encoded and decoded with
  bool prepare = true;  // the encoder reads the drawing prepared as MNIST's digits were (else as drawn)
  DigitGrid drawing;    // the pad as drawn
  bool dirty = true;    // the pad changed since the one-image view read it
};

// Where the one-image view's input comes from.
enum class InputSource { drawing, test };

// "Inside one image": q(z|x) of the inspected input, draws z = mu + sigma * eps, the ELBO's two terms
// and log p(x), all from the core (model/inspect.h), refreshed when the input, eps or the model change.
struct OneImagePanel {
  InputSource source = InputSource::test;
  int test_index = 0;  // the test image inspected (source test)
  int test_class = 0;  // "next test image of this class"
  Mat x;               // 1 x D: what the encoder reads (the test image binarized as every test figure is,
                       // or the drawing, prepared)
  Mat y;               // 1 x C: its one-hot class (conditional models), else 1 x 0
  int label = -1;      // the test image's label, or the drawing's class (conditional), -1: none
  std::string what;    // "test image #3 (a 0)", "your drawing"
  bool ready = false;  // the figures below describe x (false while the test set loads or the pad is empty)
  Posterior q;
  Vec kl;              // Z: KL per dimension
  ReconEstimate recon;
  double elbo = 0;     // recon.recon - kl.sum()
  uint64_t eps_seed = 1;  // "draw eps" count: eps ~ N(0, I) from eps_stream(eps_seed)
  Mat eps, z;          // 1 x Z: the drawn eps and z = mu + sigma * eps
  Mat cloud_z;         // kCloud x Z: samples of q(z|x) (stream of eps_seed), for the map
  DigitGrid input, decoded_mu, decoded_z, cloud;  // x; the decoder's image of mu and of z; the first draws
  // log p(x) by importance sampling, kLogPxK samples spread over frames, on a copy of the weights
  // taken when the estimate started (training goes on meanwhile)
  VaeParams log_px_params;
  Posterior log_px_q;
  Mat log_px_x, log_px_y;
  LogPxAccumulator log_px;
  Rng log_px_rng;
  long long log_px_version = -1;  // model version of the estimate
  std::vector<std::pair<long long, double>> log_px_by_k;  // the running estimate at k = 1, 10, 100, ...
  double log_px_started_at = -1;  // seconds
  VaeWork work;            // sized for the model ...
  std::string work_shape;  // ... of this shape (VaeConfig::describe())
  long long version = -1;  // model version of the figures
  double drawn_at = 0;
  bool dirty = true;  // recompute everything but log p(x)'s copy
  bool eps_dirty = true;
};
constexpr int kCloud = 100;     // samples of q(z|x) shown on the map
constexpr int kCloudStrip = 8;  // ... of which the strip decodes the first
constexpr long long kLogPxK = 5000;

// How much the model uses each latent dimension: the mean KL per dimension over test images,
// refreshed when the model changes (and every second or so while it trains).
struct Activity {
  Vec kl;          // Z: mean KL per dimension over kActivityImages test images
  int active = 0;  // dimensions above kActiveKl nats
  int first = 0, second = 1;  // the two most active
  long long version = -1;
  double at = -1;  // seconds
};
constexpr int kActivityImages = 500;

// One point of the training curves: after `images` training images, the moving averages of the
// batches' reconstruction term E_q[log p(x|z)] and KL (nats per image), and the active dimensions.
struct TrainPoint {
  double images = 0;
  float recon = 0, kl = 0;
  int active = -1;  // -1: not measured at this point
};

struct TrainPanel {
  bool running = false;
  float budget_ms = 10;  // time for training steps in each frame
  long long steps = 0;   // since this model was made or loaded
  std::vector<float> elbo;   // ELBO of each step's batch (nats, higher is better)
  std::vector<TrainPoint> curve;  // the plot: every step's moving averages, active dims now and then
  double samples_per_s = 0;  // while computing steps
  double steps_per_s = 0;    // of wall time, over the last second
  double window_at = 0;      // start of the current one-second window
  long long window_steps = 0;
  VaeLoss last;
  // a new model
  int new_latent = 20, new_hidden = 400, new_activation = 0, new_seed = 1;
  bool new_conditional = false;  // a conditional VAE on the dataset's 10 classes
  // an action that would throw the trained model away waits for the user's answer
  int confirm = 0;  // 0: none; 1: Reset; 2: pick model `confirm_model`
  int confirm_model = -1;
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

struct ModelPanel {
  char path[512] = "";   // native: file to load from / save to
  int dtype = 1;         // 0: F32, 1: F16 for the download
  bool meta_open = false;  // the metadata table is open
  float below_h = 0;       // the height of what is under the list (last frame): the list leaves it room
};

