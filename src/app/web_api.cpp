// What the page's JavaScript calls (exported functions): hand over bytes it fetched or the user
// picked (weights, MNIST), read the app's state as JSON (the browser test's window into the app),
// and the browser benchmarks. JavaScript only moves bytes; every computation is here.
#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "app/display.h"
#include "app/panels.h"
#include "app/platform.h"
#include "app/url_state.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define VAE_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define VAE_EXPORT extern "C"
#endif

// Places on the screen are given in CSS pixels of the page (what a test clicks): ImGui's points
// times the UI scale.
static float g_css_per_point = 1;
static nlohmann::json rect_json(const Rect& r) {
  const float s = g_css_per_point;
  return {r.x * s, r.y * s, r.w * s, r.h * s};
}
static nlohmann::json point_json(const float* p) { return {p[0] * g_css_per_point, p[1] * g_css_per_point}; }

// The main thread's work per frame over the last frames (main.cpp), and training's part of it,
// milliseconds: median, 95th percentile, longest.
static nlohmann::json frame_ms_json(const AppState& app) {
  const size_t n = static_cast<size_t>(std::min<long long>(app.frame, 120));
  if (n == 0) return {{"frames", 0}};
  auto stats = [n](const float* ring, const char* prefix, nlohmann::json& j) {
    std::vector<float> v(ring, ring + n);
    std::sort(v.begin(), v.end());
    j[std::string(prefix) + "p50"] = v[n / 2];
    j[std::string(prefix) + "p95"] = v[std::min(n - 1, n * 95 / 100)];
    j[std::string(prefix) + "max"] = v.back();
  };
  nlohmann::json j = {{"frames", n}};
  stats(app.frame_ms, "", j);
  stats(app.train_ms, "train_", j);
  return j;
}

static nlohmann::json rects_json(const std::vector<Rect>& rects) {
  nlohmann::json list = nlohmann::json::array();
  for (const Rect& r : rects) list.push_back(rect_json(r));
  return list;
}

static std::vector<float> floats(const Mat& m) {
  std::vector<float> v(static_cast<size_t>(m.size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v[static_cast<size_t>(i * m.cols() + j)] = m(i, j);
  return v;
}
static std::vector<float> floats(const Vec& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

// The one-image view's input and figures (nats); null figures until they describe the input.
static nlohmann::json one_image_json(const AppState& app) {
  const OneImagePanel& o = app.inspect;
  nlohmann::json j = {{"source", o.source == InputSource::test ? "test" : "drawing"}, {"test_index", o.test_index},
                      {"ready", o.ready}, {"what", o.what}, {"label", o.label}, {"eps_seed", o.eps_seed},
                      {"version", o.version}, {"model_version", app.version}};
  if (!o.ready) return j;
  nlohmann::json by_k = nlohmann::json::array();
  for (const auto& kv : o.log_px_by_k) by_k.push_back({kv.first, kv.second});
  j.update({{"x", floats(o.x)}, {"mu", floats(o.q.mu)}, {"sigma", floats(o.q.sigma)}, {"logvar", floats(o.q.logvar)},
            {"eps", floats(o.eps)}, {"z", floats(o.z)}, {"recon", o.recon.recon}, {"recon_samples", o.recon.samples},
            {"pixel_cost_sum", o.recon.pixel_cost.cast<double>().sum()}, {"kl", o.kl.cast<double>().sum()},
            {"kl_per_dim", floats(o.kl)}, {"elbo", o.elbo}, {"k", o.log_px.count},
            {"log_px", o.log_px.count > 0 ? nlohmann::json(o.log_px.value()) : nlohmann::json()},
            {"log_px_by_k", by_k}, {"log_px_version", o.log_px_version},
            {"decoded_z_checksum", checksum(o.decoded_z.pixels)}, {"decoded_mu_checksum", checksum(o.decoded_mu.pixels)},
            {"cloud_checksum", checksum(o.cloud.pixels)}, {"decoded_mu_mean", mean_intensity(o.decoded_mu.pixels)}});
  return j;
}

static nlohmann::json compare_json(const AppState& app) {
  const ComparePanel& c = app.compare;
  nlohmann::json sides = nlohmann::json::array();
  for (const CompareSide& s : c.sides)
    sides.push_back({{"title", s.title}, {"beta", s.beta}, {"has_model", s.has_model}, {"source", s.source},
                     {"kl", s.kl}, {"recon", s.recon}, {"inside_2sigma", s.inside_2sigma},
                     {"codes", s.codes.rows()}, {"drawn_version", s.drawn_version}, {"version", s.version},
                     {"samples_mean", mean_intensity(s.samples.pixels)}, {"samples_checksum", checksum(s.samples.pixels)}});
  return {{"sides", sides}, {"live", c.live}, {"running", c.running}, {"steps", c.steps}, {"requested", c.requested}};
}

static size_t distinct_count(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
}

// Mean of the first (or last) n values of v.
static double mean_of(const std::vector<float>& v, size_t n, bool last) {
  n = std::min(n, v.size());
  if (n == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += v[last ? v.size() - 1 - i : i];
  return sum / static_cast<double>(n);
}

// FNV-1a of each cell of a grid's tiles: tells the test whether the cells differ.
static std::vector<uint32_t> cell_checksums(const DigitGrid& g) {
  std::vector<uint32_t> sums;
  const int W = g.cols * kSide;
  if (g.pixels.size() != static_cast<size_t>(W) * g.rows * kSide) return sums;
  for (int cell = 0; cell < g.cols * g.rows; ++cell) {
    std::vector<uint8_t> tile;
    for (int y = 0; y < kSide; ++y) {
      const auto row = g.pixels.begin() + (static_cast<size_t>((cell / g.cols) * kSide + y) * W + (cell % g.cols) * kSide);
      tile.insert(tile.end(), row, row + kSide);
    }
    sums.push_back(checksum(tile));
  }
  return sums;
}

// The share of a 10 x 10 division of the map that holds at least one test code: how much of the
// latent plane the encoded test set covers.
static double map_coverage(const LatentMapPanel& m) {
  const int n = m.points_ready ? static_cast<int>(m.points_mu.rows()) : 0;
  bool hit[10][10] = {};
  for (int i = 0; i < n; ++i) {
    float c0, c1;
    m.plane.coords(m.points_mu.row(i).transpose(), &c0, &c1);
    const int u = std::clamp(static_cast<int>(plane_to_map(c0, m.cdf) * 10), 0, 9);
    const int v = std::clamp(static_cast<int>(plane_to_map(c1, m.cdf) * 10), 0, 9);
    hit[u][v] = true;
  }
  int cells = 0;
  for (const auto& col : hit)
    for (bool h : col) cells += h;
  return cells / 100.0;
}

static nlohmann::json views_json(const AppState& app) {
  const InterpolatePanel& ip = app.interp;
  const LatentMapPanel& m = app.map;
  return {
      {"sample", {{"grid", app.sample.grid}, {"seed", app.sample.seed}, {"temperature", app.sample.temperature},
                  {"mean", mean_intensity(app.sample.digits.pixels)}, {"checksum", checksum(app.sample.digits.pixels)},
                  {"class", app.sample.cls}, {"cols", app.sample.digits.cols}, {"rows", app.sample.digits.rows},
                  {"style_cells", cell_checksums(app.sample.style)}, {"style_mean", mean_intensity(app.sample.style.pixels)}}},
      {"interp", {{"t", ip.t}, {"steps", ip.steps}, {"spherical", ip.spherical}, {"a", ip.ends[0].text},
                  {"b", ip.ends[1].text}, {"a_class", ip.ends[0].label}, {"b_class", ip.ends[1].label},
                  {"strip_checksum", checksum(ip.strip.pixels)}, {"strip_mean", mean_intensity(ip.strip.pixels)},
                  {"current_checksum", checksum(ip.current.pixels)}, {"current_mean", mean_intensity(ip.current.pixels)}}},
      {"map", {{"grid", m.grid_size}, {"grid_ms", m.grid_ms}, {"points", m.points_done}, {"points_ready", m.points_ready},
               {"kind", m.kind == PlaneKind::principal ? "principal" : "axes"}, {"checksum", checksum(m.grid.pixels)},
               {"mean", mean_intensity(m.grid.pixels)}, {"probe_checksum", checksum(m.probe.pixels)},
               {"probe_pinned", m.probe_pinned}, {"cdf", m.cdf}, {"class", m.cls}, {"coverage", map_coverage(m)},
               {"distinct_tiles", distinct_count(cell_checksums(m.grid))}, {"axis0", m.axis0}, {"axis1", m.axis1},
               {"ellipse", rect_json(app.rects.map_ellipse)},
               {"ellipse_centre", point_json(app.rects.map_ellipse_centre)},
               {"mu_screen", point_json(app.rects.map_mu)}, {"z_screen", point_json(app.rects.map_z)},
               {"num_points", m.num_points},
               {"plane", {{"dir0", floats(m.plane.dir0)}, {"dir1", floats(m.plane.dir1)}, {"origin", floats(m.plane.origin)},
                          {"scale", {m.plane.scale0, m.plane.scale1}}}}}},
      {"draw", {{"has_ink", app.draw.has_ink}, {"prepare", app.draw.prepare},
                {"recon_mean", app.draw.has_ink && app.inspect.source == InputSource::drawing && app.inspect.ready
                                   ? mean_intensity(app.inspect.decoded_mu.pixels) : 0.0},
                {"pad_mean", mean_intensity(app.draw.drawing.pixels)}}},
      {"one_image", one_image_json(app)},
      {"compare", compare_json(app)},
      {"activity", {{"kl", floats(app.activity.kl)}, {"active", app.activity.active}, {"first", app.activity.first},
                    {"second", app.activity.second}, {"version", app.activity.version}}},
  };
}

std::string app_state_to_json(const AppState& app) {
  const VaeConfig& c = app.trainer.params.config;
  const TrainPanel& tp = app.train_panel;
  const auto& r = app.rects;
  g_css_per_point = app.display_scale > 0 ? app.display_scale : 1;
  nlohmann::json models = nlohmann::json::array();
  for (const ModelEntry& e : app.models)
    models.push_back({{"name", e.name}, {"file", e.file}, {"dataset", e.dataset}, {"summary", e.summary},
                      {"latent", e.latent}, {"classes", e.classes}});
  nlohmann::json j = {
      {"frame", app.frame},
      {"has_model", app.has_model},
      {"first_digits", app.first_digits},
      {"status", app.status},
      {"status_error", app.status_error},
      {"model", {{"config", c.describe()}, {"latent", c.latent}, {"hidden", c.hidden}, {"classes", c.classes},
                 {"params", app.trainer.params.size()}, {"source", app.model_source}, {"version", app.version},
                 {"index", app.model_index}, {"pending", app.model_pending},
                 {"name", app.model_index >= 0 ? app.models[static_cast<size_t>(app.model_index)].name : ""}}},
      {"models", models},
      {"data", {{"name", app.dataset}, {"test", app.test.labels.size()}, {"train", app.train.labels.size()}}},
      {"view", view_name(app.view)},
      {"tour", {{"step", app.tour_step}, {"steps", tour_steps()}, {"panel", tour_panel(app.tour_step)},
                {"link", tour_link(app.tour_step)}}},
      {"link", url_state_of(app)},
      {"last_link", app.last_link},
      {"display", {{"dpr", app.display_dpr}, {"scale", app.display_scale}, {"font_px", app.font_px},
                   {"text_css_px", app.font_px / std::max(app.display_dpr, 1e-3f)}, {"canvas", {app.canvas_w, app.canvas_h}},
                   {"points", {ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y}},
                   {"scale_mode", app.ui_scale_mode}, {"focus", app.focus}}},
      {"confirm", tp.confirm},
      {"captions", {{"input", input_caption(app)}, {"train_elbo", train_elbo_text(app)}}},
      {"train", {{"running", tp.running}, {"steps", tp.steps}, {"elbo_count", tp.elbo.size()},
                 {"beta", app.trainer.options.beta}, {"curve", tp.curve.size()},
                 {"recon_last", tp.curve.empty() ? 0.0 : tp.curve.back().recon},
                 {"kl_last", tp.curve.empty() ? 0.0 : tp.curve.back().kl},
                 {"active_points", std::count_if(tp.curve.begin(), tp.curve.end(), [](const TrainPoint& p) { return p.active >= 0; })},
                 {"elbo_first", mean_of(tp.elbo, 20, false)}, {"elbo_last", mean_of(tp.elbo, 20, true)},
                 {"samples_per_s", tp.samples_per_s}, {"batch", app.trainer.options.batch}, {"lr", app.trainer.options.lr},
                 {"threads", train_threads()}}},
      {"frame_ms", frame_ms_json(app)},
      {"rects", {{"interp_slider", rect_json(r.interp_slider)}, {"draw_pad", rect_json(r.draw_pad)},
                 {"train_start", rect_json(r.train_start)}, {"train_reset", rect_json(r.train_reset)},
                 {"load_weights", rect_json(r.load_weights)}, {"download_weights", rect_json(r.download_weights)},
                 {"sample_grid", rect_json(r.sample_grid)}, {"latent_map", rect_json(r.latent_map)},
                 {"strip", rect_json(r.strip)}, {"map_a", rect_json(r.map_endpoint[0])},
                 {"map_b", rect_json(r.map_endpoint[1])}, {"style_row", rect_json(r.style_row)},
                 {"sample_class", rect_json(r.sample_class)}, {"map_class", rect_json(r.map_class)},
                 {"draw_class", rect_json(r.draw_class)}, {"models", rects_json(r.models)},
                 {"popup_items", rects_json(r.popup_items)},
                 {"views", rects_json(std::vector<Rect>(r.views, r.views + kViews))},
                 {"panels", rects_json(std::vector<Rect>(r.panels, r.panels + kPanels))},
                 {"focus", rects_json(std::vector<Rect>(r.focus, r.focus + kPanels))},
                 {"view_menu", rect_json(r.view_menu)}, {"copy_link", rect_json(r.copy_link)}, {"tour", rect_json(r.tour)},
                 {"tour_next", rect_json(r.tour_next)}, {"tour_back", rect_json(r.tour_back)},
                 {"tour_leave", rect_json(r.tour_leave)}, {"scale_items", rects_json(r.scale_items)},
                 {"scale_menu", rect_json(r.scale_menu)},
                 {"status", rect_json(r.status)}, {"threads", rect_json(r.threads)}, {"meta_values", rects_json(r.meta_values)},
                 {"meta_header", rect_json(r.meta_header)}, {"map_points", rect_json(r.map_points)}, {"map_label", rect_json(r.map_label)},
                 {"dtype", rects_json(std::vector<Rect>(r.dtype, r.dtype + 2))}, {"draw_eps", rect_json(r.draw_eps)},
                 {"draw_clear", rect_json(r.draw_clear)}, {"input_x", rect_json(r.input_x)},
                 {"test_index", rect_json(r.test_index)}, {"input_test", rect_json(r.input_test)},
                 {"input_drawing", rect_json(r.input_drawing)}, {"load_into_pad", rect_json(r.load_into_pad)},
                 {"prepare", rect_json(r.prepare)}, {"beta", rect_json(r.beta)},
                 {"compare_train", rect_json(r.compare_train)}, {"compare_shipped", rect_json(r.compare_shipped)},
                 {"confirm_discard", rect_json(r.confirm_discard)}, {"confirm_cancel", rect_json(r.confirm_cancel)},
                 {"encoder_chart", rect_json(r.encoder_chart)}, {"elbo_panel", rect_json(r.elbo_panel)},
                 {"train_plot", rect_json(r.train_plot)},
                 {"compare_codes", rects_json(std::vector<Rect>(r.compare_codes, r.compare_codes + 2))}}},
  };
  j.update(views_json(app));
  nlohmann::json overflow = nlohmann::json::array();
  for (int k = 0; k < kPanels; ++k) overflow.push_back({app.overflow[k][0], app.overflow[k][1]});
  j["overflow"] = overflow;
  nlohmann::json meta = nlohmann::json::array();
  for (const auto& kv : app.meta) meta.push_back({kv.first, kv.second});
  j["meta"] = meta;
  return j.dump();
}

VAE_EXPORT const char* app_state_json() {
  static std::string text;
  text = app_state_to_json(app_instance());
  return text.c_str();
}

VAE_EXPORT int vae_load_weights(const uint8_t* bytes, int size, const char* name) {
  return app_load_weights(app_instance(), bytes, static_cast<size_t>(size), name) ? 1 : 0;
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
    app_set_status(app_instance(), "Not loaded (the current model is kept): " + s.message, true);
    return -1;
  }
  return static_cast<int>(need);
}

// split: 0 = test, 1 = train, of the dataset `name` ("mnist", "fashion-mnist")
VAE_EXPORT int vae_load_dataset(const char* name, int split, const uint8_t* images, int images_size,
                                const uint8_t* labels, int labels_size) {
  return app_load_dataset(app_instance(), name, split == 0 ? "test" : "train", images, static_cast<size_t>(images_size),
                          labels, static_cast<size_t>(labels_size))
             ? 1
             : 0;
}

// The page's manifest of shipped models (JSON, see models.h); returns how many the picker lists.
VAE_EXPORT int vae_set_models(const char* manifest) {
  AppState& app = app_instance();
  app.models = models_from_manifest(manifest);
  return static_cast<int>(app.models.size());
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
  UrlState s;
  const Status st = url_state_parse(hash, &s);
  app_apply_url(app, s);
  if (!st.ok) app_set_status(app, st.message, true);
}

VAE_EXPORT void vae_set_status(const char* message, int error) { app_set_status(app_instance(), message, error != 0); }

// FNV-1a of the parameters' bytes: tells the test whether the model changed.
VAE_EXPORT unsigned vae_param_checksum() {
  const std::vector<float>& data = app_instance().trainer.params.data;
  uint32_t h = 2166136261u;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i < data.size() * sizeof(float); ++i) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

// Decoded images per second: `reps` decodes of `batch` codes z ~ N(0, I) with the current model.
VAE_EXPORT double vae_bench_decode(int batch, int reps) {
  AppState& app = app_instance();
  const VaeParams& p = app.trainer.params;
  Rng rng(5);
  Mat z(batch, p.config.latent), probs(batch, p.config.input);
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = rng.normal();
  decode_probs(probs, app.inf, p, z);  // warm-up
  const double start = now_seconds();
  for (int r = 0; r < reps; ++r) decode_probs(probs, app.inf, p, z);
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
  const Dataset& data = app.train.labels.empty() ? app.test : app.train;
  const VaeConfig& c = app.trainer.params.config;
  if (data.images.rows() < batch || batch < 1 || steps < 1 || threads < 1 || threads > train_threads()) return 0;
  // a conditional model trains with the labels (one-hot rows of its C classes)
  if (c.classes > 0 && *std::max_element(data.labels.begin(), data.labels.end()) >= c.classes) return 0;
  const uint8_t* labels = c.classes > 0 ? data.labels.data() : nullptr;
  g_bench_train = -1;
  if (TrainThread::available()) {
    if (app.train_panel.running) return 0;
    return app.train_thread.bench_start(c, batch, steps, threads, data.images, labels) ? 1 : 0;
  }
  std::unique_ptr<SideThread> no_side;  // one thread: the blocks in turn
  g_bench_train = training_samples_per_s(c, batch, steps, 1, no_side, data.images, labels);
  return 1;
}

VAE_EXPORT double vae_bench_train_result() {
  return TrainThread::available() ? app_instance().train_thread.bench_result() : g_bench_train;
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
