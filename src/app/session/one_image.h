// "Inside one image": the figures of one input x, from the core (model/inspect.h): q(z|x), a draw
// z = mu + sigma * eps and a cloud of them, the ELBO's two terms and log p(x) by importance sampling,
// refreshed when the input, eps or the model change. No UI: the views draw these.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/inspect.h"
#include "model/posterior.h"

struct Session;

// Where the input comes from.
enum class InputSource { drawing, test };

struct OneImage {
  InputSource source = InputSource::test;
  int test_index = 0;  // the test image shown (source test)
  int test_class = 0;  // its class ("next test image of this class")
  std::vector<float> pad;  // the drawing (kSide x kSide intensities in [0, 1]), as the input panel hands it over
  bool pad_has_ink = false;
  bool prepare = true;  // the encoder reads the drawing prepared as MNIST's digits were (else as drawn)
  int pad_class = 0;    // conditional models: the class the drawing is encoded and decoded with
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
  Mat decoded_mu, decoded_z;  // 1 x D: the decoder's mean image of mu and of z
  Mat cloud;                  // kCloudStrip x D: ... of the cloud's first draws
  long long serial = 0;       // bumps whenever the figures above change
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
  long long q_serial = 0;  // bumps whenever q (not eps) changes: what the two figures below follow
  // the true posterior p(z|x) on a grid (Z = 2 models), asked for by the view
  bool posterior_on = false;
  PosteriorGrid posterior;  // n = 0: none (off, Z != 2, or not ready)
  Mat is_z;                 // kImportanceDots x Z: the first importance samples of log p(x) ...
  Vec is_weight;            // ... and their normalized weights w_i / sum w
  long long posterior_serial = -1;  // q_serial it describes
  // q fitted to this image alone, and the gap's split, asked for by the view
  bool fit_on = false;
  FitQ fit;
  GapSplit split;
  bool split_ready = false;
  long long fit_serial = -1;  // q_serial the fit started from
  VaeWork work;            // sized for the model ...
  std::string work_shape;  // ... of this shape (VaeConfig::describe())
  long long version = -1;  // model version of the figures
  double drawn_at = 0;
  bool dirty = true;  // recompute everything but log p(x)'s copy
  bool eps_dirty = true;
};
constexpr int kCloud = 100;     // samples of q(z|x) shown on the map
constexpr int kCloudStrip = 8;  // ... of which the strip decodes the first
constexpr int kImportanceDots = 200;  // importance samples the map draws

// The input: test image `index`, or the drawing.
void one_image_show_test(Session& s, int index);
void one_image_show_drawing(Session& s);
// The drawing as it is now (pad: kSide x kSide intensities), and how the encoder reads it.
void one_image_set_drawing(Session& s, const std::vector<float>& pad, bool has_ink, bool prepare, int cls);
// A new eps ~ N(0, I) (the next seed): a new z = mu + sigma * eps and its image, a new cloud.
void one_image_draw_eps(Session& s);
// Brings the figures up to date with the input and the model (every frame; cheap when nothing
// changed) and advances the log p(x) estimate by a few milliseconds' worth of samples.
void one_image_update(Session& s);
// The true posterior and the fitted q (one_image_truth.cpp), when the view asks for them: the grid
// when q changes, the fit a few steps per frame, then its gap split.
void one_image_truth_update(Session& s);
// The stream index of the input: the test image's number, -1 for a drawing.
long long one_image_stream_index(const OneImage& o);
// The model's use of each latent dimension over test images (s.activity), when due.
void activity_update(Session& s);
