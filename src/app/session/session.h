// The session: what the page's views share, without any UI. One model (the Trainer's parameters,
// so training changes what every view shows), the data once loaded, the training and its thread,
// and the figures of one image. Views read it and call its actions; it knows nothing of ImGui, GL
// or the platform, and depends only on the core (core, model, io, train).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/session/infer.h"
#include "app/session/models.h"
#include "app/session/one_image.h"
#include "app/session/slow_step.h"
#include "io/idx.h"
#include "io/weights.h"
#include "train/train_thread.h"
#include "train/trainer.h"

// One point of the training curves: after `images` training images, the moving averages of the
// batches' reconstruction term E_q[log p(x|z)] and KL (nats per image), and the active dimensions.
struct TrainPoint {
  double images = 0;
  float recon = 0, kl = 0;
  int active = -1;  // -1: not measured at this point
};

// One training run's path in the rate-distortion plane: the moving averages of KL (rate) against
// -E_q[log p(x|z)] (distortion), every kRunEvery steps, labelled with the run's settings.
struct RunTrace {
  std::string label;  // "β 1.00, lr 1.0e-03, batch 100, Z 2"
  std::vector<std::pair<float, float>> points;  // (distortion, rate), nats
};
constexpr int kRunEvery = 10;
constexpr size_t kMaxRuns = 8;

// Training in the session: minibatch steps of session.trainer, on the training thread where there
// are threads (natively, the page's two-thread build), else a time budget of them in each frame.
struct Training {
  bool running = false;
  float budget_ms = 10;  // time for training steps in each frame (no threads)
  long long steps = 0;   // since this model was made or loaded
  std::vector<float> elbo;        // ELBO of each step's batch (nats, higher is better)
  std::vector<TrainPoint> curve;  // every step's moving averages, active dimensions now and then
  double samples_per_s = 0;  // while computing steps
  double steps_per_s = 0;    // of wall time, over the last second
  double window_at = 0;      // start of the current one-second window
  long long window_steps = 0;
  VaeLoss last;
  std::vector<RunTrace> runs;  // earlier runs and, once it has stepped, this model's (last)
  bool new_run = true;         // the next step starts a new trace (a new model was installed)
  std::vector<Vec> kl_strip;           // the mean KL of each latent dimension, now and then while training
  std::vector<double> kl_strip_images;  // ... after this many training images
};
constexpr size_t kKlStripColumns = 240;

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

struct Session {
  Trainer trainer;  // the model shown everywhere is trainer.params
  TrainThread train_thread;  // where there are threads, training's steps run here on a copy of `trainer`
  bool has_model = false;
  Metadata meta;             // of the file the model came from
  std::string model_source;  // file name, or "new random weights"
  long long version = 0;     // bumps whenever the parameters change (a new model, a training step)
  long long model_serial = 0;  // bumps when another model is installed (views reset what they chose)
  Inference inf;             // buffers for the views' decoding and encoding
  std::vector<ModelEntry> models;  // the shipped models on offer
  int model_index = -1;            // the entry shown (-1: a file loaded by hand, or random weights)
  int model_pending = -1;          // the entry being fetched (the page), -1: none
  Dataset test, train;       // empty until loaded (the page loads them after the first frame)
  Mat test_binary;           // the test images binarized once, as every test figure is (the README's protocol)
  std::string dataset = "mnist";  // what test and train hold or will hold: "mnist" or "fashion-mnist"
  bool data_pending = true;       // the data of `dataset` is still to be requested
  long long data_serial = 0;      // bumps when the data is switched or a split arrives
  std::string status = "Starting";
  bool status_error = false;
  double now = 0;  // seconds, at the start of the frame
  Training training;
  OneImage one_image;  // the input "Inside one image" shows and its figures
  Activity activity;   // of the current model
  SlowStep slow_step;  // one training step in slow motion
};

// The largest weights the app loads: 4,194,304 parameters (16 MiB as F32), a 1 MiB header. The page's
// WebAssembly heap never shrinks, so an upload is checked against these before it is copied in.
constexpr WeightsLimits kAppWeightsLimits = {uint64_t(1) << 22, uint64_t(1) << 20};

void session_set_status(Session& s, const std::string& message, bool error);
// The model's classes (C, 0 for an unconditional model) and class k's name in the current dataset.
int session_classes(const Session& s);
std::string session_class_name(const Session& s, int k);

// Installs a model (from a file or freshly initialized): every buffer follows its shape.
void session_set_model(Session& s, const VaeParams& params, const Metadata& meta, const std::string& source);
// A model of this shape with random weights (PyTorch's nn.Linear initialization from `seed`).
void session_new_random_model(Session& s, const VaeConfig& config, int seed);
// Parses a safetensors file; on failure the current model stays and the status says why.
bool session_load_weights(Session& s, const uint8_t* bytes, size_t size, const std::string& source);
// The current weights as safetensors bytes (F32 or F16); trained here, the card's figures are measured anew.
std::vector<uint8_t> session_weights_bytes(const Session& s, const std::string& dtype);
// Their file name: the shipped model's name (else "vae-" and the shape), the steps trained here if
// any, and the dtype: "mnist-z2-f16.safetensors", "mnist-z2-300steps-f32.safetensors".
std::string session_download_name(const Session& s, const std::string& dtype);

// Switches to another dataset: drops the current data; the platform is asked for the new one.
void session_set_dataset(Session& s, const std::string& dataset);
// Installs parsed data of s.dataset (split "test" or "train").
void session_install_dataset(Session& s, const std::string& split, Dataset d);
// Images and labels of `dataset` parsed from IDX bytes, then installed; ignored when the session has
// switched to another dataset since they were requested.
bool session_load_dataset(Session& s, const std::string& dataset, const std::string& split, const uint8_t* images,
                          size_t images_size, const uint8_t* labels, size_t labels_size);

// Training (training.cpp). Start needs the training images; pause ends the thread's step under
// way first, and its state comes back into s.trainer.
void session_start_training(Session& s);
void session_pause_training(Session& s);
// One step's figures into the curves (a step taken elsewhere: the slow-motion step), and taken
// back out (its Back); false when the loss is not finite.
bool session_record_step(Session& s, const VaeLoss& loss);
void session_unrecord_step(Session& s);
// Runs this frame's training: takes the thread's newest parameters, or steps for the time budget.
void session_train_frame(Session& s);
// Threads that compute training steps: 2 on the training thread (its blocks side by side), 1 in frames.
int session_train_threads();
// True when a conditional model's classes hold every training label (the labels are 0..9).
bool session_labels_fit(const Session& s);
// The last batch's terms, or before any step the model card's test ELBO.
std::string session_elbo_text(const Session& s);

// True when a view drawn at model version `drawn` must be redrawn now: the model changed, and while
// training at most every `interval` seconds (so training keeps most of the frame).
bool refresh_due(const Session& s, long long drawn, double drawn_at, double interval);
// The index of the `occurrence`-th test image of class `label` (wrapping), or -1.
int test_index_of_class(const Dataset& test, int label, int occurrence);
// Seconds on a steady clock, for the session's time budgets (differences only).
double session_clock();
