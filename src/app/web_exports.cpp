// What the page's JavaScript calls (exported functions): hand over bytes it fetched or the user
// picked (weights, MNIST), read the app's state as JSON (state_json.cpp: the browser test's window
// into the app), and the browser benchmarks. JavaScript only moves bytes; every computation is here.
// The page's entry points into the app, as tools/vae_app.cpp's main() is the window's.
#include <algorithm>
#include <cstring>

#include "app/platform/display.h"
#include "app/panels/panels.h"
#include "app/platform/platform.h"
#include "app/links/link.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define VAE_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define VAE_EXPORT extern "C"
#endif

VAE_EXPORT const char* app_state_json() {
  static std::string text;
  text = app_state_to_json(app_instance());
  return text.c_str();
}

VAE_EXPORT int vae_load_weights(const uint8_t* bytes, int size, const char* name) {
  return session_load_weights(app_instance().session, bytes, static_cast<size_t>(size), name) ? 1 : 0;
}

// An upload's first bytes, before the whole file is copied in (the heap never shrinks): the core
// checks them against the app's limits. Returns how many leading bytes it needs next (> 0), 0 when
// the file may be loaded, -1 when it is refused (the status says why; the current model stays).
VAE_EXPORT int vae_check_upload(const uint8_t* head, int size, double file_size, const char* name) {
  uint64_t need = 0;
  const Status s = file_size >= 0 && file_size < 9e15
                       ? weights_check_head(head, static_cast<size_t>(size), static_cast<uint64_t>(file_size), name,
                                            kAppWeightsLimits, &need)
                       : Status::error(std::string(name) + ": no file size");
  if (!s.ok) {
    session_set_status(app_instance().session, "Not loaded (the current model is kept): " + s.message, true);
    return -1;
  }
  return static_cast<int>(need);
}

// split: 0 = test, 1 = train, of the dataset `name` ("mnist", "fashion-mnist")
VAE_EXPORT int vae_load_dataset(const char* name, int split, const uint8_t* images, int images_size,
                                const uint8_t* labels, int labels_size) {
  return session_load_dataset(app_instance().session, name, split == 0 ? "test" : "train", images, static_cast<size_t>(images_size),
                          labels, static_cast<size_t>(labels_size))
             ? 1
             : 0;
}

// The page's manifest of shipped models (JSON, see models.h); returns how many the picker lists.
VAE_EXPORT int vae_set_models(const char* manifest) {
  AppState& app = app_instance();
  app.session.models = models_from_manifest(manifest);
  return static_cast<int>(app.session.models.size());
}

// Side `side` (0: autoencoder, 1: VAE) of the comparison: a shipped file the page fetched.
VAE_EXPORT int vae_load_compare(int side, const uint8_t* bytes, int size, const char* name) {
  if (side < 0 || side > 1) return 0;
  return compare_load_weights(app_instance(), side, bytes, static_cast<size_t>(size), name) ? 1 : 0;
}

// The font the page fetched (before main() runs): the app draws its text with it.
VAE_EXPORT void vae_set_font(const uint8_t* bytes, int size) { display_set_font(bytes, static_cast<size_t>(size)); }

// The page's URL hash ("#model=NAME&digit=N"): the view a link opens.
VAE_EXPORT void vae_apply_hash(const char* hash) {
  AppState& app = app_instance();
  Link link;
  const Status st = link_parse(hash, &link);
  link_apply(app, link);
  if (!st.ok) session_set_status(app.session, st.message, true);
}

VAE_EXPORT void vae_set_status(const char* message, int error) { session_set_status(app_instance().session, message, error != 0); }

// FNV-1a of the parameters' bytes: tells the test whether the model changed.
VAE_EXPORT unsigned vae_param_checksum() {
  const std::vector<float>& data = app_instance().session.trainer.params.data;
  uint32_t h = 2166136261u;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i < data.size() * sizeof(float); ++i) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

// Decoded images per second: `reps` decodes of `batch` codes z ~ N(0, I) with the current model.
VAE_EXPORT double vae_bench_decode(int batch, int reps) {
  AppState& app = app_instance();
  const VaeParams& p = app.session.trainer.params;
  Rng rng(5);
  Mat z(batch, p.config.latent), probs(batch, p.config.input);
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = rng.normal();
  decode_probs(probs, app.session.inf, p, z);  // warm-up
  const double start = now_seconds();
  for (int r = 0; r < reps; ++r) decode_probs(probs, app.session.inf, p, z);
  return batch * reps / (now_seconds() - start);
}

// Training samples per second: `steps` steps of a fresh model of the current shape (the app's model
// is left alone) on the training images, or the test images while those load, its batch blocks on
// `threads` threads. Where there are threads it runs on the training thread (the page's frames go
// on): vae_bench_train_result() is negative until it has ended. 0: not started (training, no data,
// or 2 threads asked of the single-thread build).
static double g_bench_train = -1;
VAE_EXPORT int vae_bench_train_start(int batch, int steps, int threads) {
  AppState& app = app_instance();
  const Dataset& data = app.session.train.labels.empty() ? app.session.test : app.session.train;
  const VaeConfig& c = app.session.trainer.params.config;
  if (data.images.rows() < batch || batch < 1 || steps < 1 || threads < 1 || threads > session_train_threads()) return 0;
  // a conditional model trains with the labels (one-hot rows of its C classes)
  if (c.classes > 0 && *std::max_element(data.labels.begin(), data.labels.end()) >= c.classes) return 0;
  const uint8_t* labels = c.classes > 0 ? data.labels.data() : nullptr;
  g_bench_train = -1;
  if (TrainThread::available()) {
    if (app.session.training.running) return 0;
    return app.session.train_thread.bench_start(c, batch, steps, threads, data.images, labels) ? 1 : 0;
  }
  std::unique_ptr<SideThread> no_side;  // one thread: the blocks in turn
  g_bench_train = training_samples_per_s(c, batch, steps, 1, no_side, data.images, labels);
  return 1;
}

VAE_EXPORT double vae_bench_train_result() {
  return TrainThread::available() ? app_instance().session.train_thread.bench_result() : g_bench_train;
}

// Milliseconds to redraw the latent map's grid x grid digits (decode, tiles, texture upload).
VAE_EXPORT double vae_bench_map(int grid, int reps) {
  AppState& app = app_instance();
  const int saved = app.map.grid_size;
  app.map.grid_size = grid;
  double total = 0;
  for (int r = 0; r < reps; ++r) {
    latent_map_redraw(app);
    total += app.map.grid_ms;
  }
  app.map.grid_size = saved;
  app.map.grid_dirty = true;
  return total / reps;
}
