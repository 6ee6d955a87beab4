// The app's state as one JSON object (app_state_to_json): everything the browser test checks, read
// through the page's exported app_state_json(). Places on the screen come from the probe map.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/panels/panels.h"

// Places on the screen are given in CSS pixels of the page (what a test clicks): ImGui's points
// times the UI scale.
static float g_css_per_point = 1;
static nlohmann::json rect_json(const Rect& r) {
  const float s = g_css_per_point;
  return {r.x * s, r.y * s, r.w * s, r.h * s};
}
static nlohmann::json point_json(const Rect& p) { return {p.x * g_css_per_point, p.y * g_css_per_point}; }

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

// The share of pixels that are neither black nor white (a grid of Bernoulli draws: none).
static double grey_share(const std::vector<uint8_t>& pixels) {
  if (pixels.empty()) return 0;
  const auto n = std::count_if(pixels.begin(), pixels.end(), [](uint8_t v) { return v != 0 && v != 255; });
  return static_cast<double>(n) / pixels.size();
}

// The training runs' paths in the rate-distortion plane: label, points, the last point.
static nlohmann::json runs_json(const Training& tr) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunTrace& r : tr.runs)
    runs.push_back({{"label", r.label}, {"points", r.points.size()},
                    {"last", r.points.empty() ? std::vector<float>() : std::vector<float>{r.points.back().first, r.points.back().second}}});
  return runs;
}

// The slow-motion step's batch (stage by stage, model/step_trace.h): every matrix row-major.
static nlohmann::json step_json(const AppState& app) {
  const SlowStep& st = app.session.slow_step;
  nlohmann::json j = {{"active", st.active}, {"stage", st.active ? step_stage_name(st.stage) : ""}, {"count", st.count},
                      {"playing", st.playing}, {"pending", app.step_panel.pending}};
  if (!st.active) return j;
  const StepTrace& t = st.trace;
  j.update({{"images", st.images}, {"batch", t.mu.rows()}, {"x", floats(t.x)}, {"mu", floats(t.mu)}, {"sigma", floats(t.sigma)},
            {"eps", floats(t.eps)}, {"z", floats(t.z)}, {"recon", floats(t.recon)}, {"kl", floats(t.kl)},
            {"grad_mu_recon", floats(t.grad_mu_recon)}, {"grad_mu_kl", floats(t.grad_mu_kl)}, {"beta", t.beta},
            {"updated", st.updated}, {"mu_after", floats(t.mu_after)},
            {"loss", {{"recon", -t.loss.bce}, {"kl", t.loss.kl}}}});
  return j;
}

// The true posterior (Z = 2) and the fitted q of the inspected image (model/posterior.h).
static nlohmann::json posterior_json(const OneImage& o) {
  const PosteriorGrid& g = o.posterior;
  nlohmann::json j = {{"on", o.posterior_on}, {"ready", g.n > 0}};
  if (g.n == 0) return j;
  j.update({{"grid", g.n}, {"extent", std::vector<float>(g.extent, g.extent + 4)}, {"mean", {g.mean[0], g.mean[1]}},
            {"cov", {{g.cov[0][0], g.cov[0][1]}, {g.cov[1][0], g.cov[1][1]}}}, {"log_px", g.log_px}, {"modes", g.modes},
            {"mass_sum", g.mass.cast<double>().sum()}, {"samples", o.is_z.rows()}, {"weight_sum", o.is_weight.cast<double>().sum()}});
  return j;
}

static nlohmann::json fit_q_json(const OneImage& o) {
  nlohmann::json j = {{"on", o.fit_on}, {"done", o.fit_on && o.split_ready}, {"steps", o.fit.steps},
                      {"total_steps", o.fit.total_steps}};
  if (!o.fit_on || !o.split_ready) return j;
  const GapSplit& s = o.split;
  j.update({{"mu", floats(s.q_fit.mu)}, {"sigma", floats(s.q_fit.sigma)}, {"kept_encoder", s.kept_encoder},
            {"elbo_encoder", s.elbo_encoder}, {"elbo_fit", s.elbo_fit}, {"log_px", s.log_px},
            {"amortization_gap", s.amortization_gap}, {"approximation_gap", s.approximation_gap}});
  return j;
}

// The one-image view's input and figures (nats); null figures until they describe the input.
static nlohmann::json one_image_json(const AppState& app) {
  const OneImage& o = app.session.one_image;
  nlohmann::json j = {{"source", o.source == InputSource::test ? "test" : "drawing"}, {"test_index", o.test_index},
                      {"ready", o.ready}, {"what", o.what}, {"label", o.label}, {"eps_seed", o.eps_seed},
                      {"version", o.version}, {"model_version", app.session.version}};
  if (!o.ready) return j;
  nlohmann::json by_k = nlohmann::json::array();
  for (const auto& kv : o.log_px_by_k) by_k.push_back({kv.first, kv.second});
  j.update({{"x", floats(o.x)}, {"mu", floats(o.q.mu)}, {"sigma", floats(o.q.sigma)}, {"logvar", floats(o.q.logvar)},
            {"eps", floats(o.eps)}, {"z", floats(o.z)}, {"recon", o.recon.recon}, {"recon_samples", o.recon.samples},
            {"pixel_cost_sum", o.recon.pixel_cost.cast<double>().sum()}, {"kl", o.kl.cast<double>().sum()},
            {"kl_per_dim", floats(o.kl)}, {"elbo", o.elbo}, {"k", o.log_px.count},
            {"log_px", o.log_px.count > 0 ? nlohmann::json(o.log_px.value()) : nlohmann::json()},
            {"log_px_by_k", by_k}, {"log_px_version", o.log_px_version},
            {"decoded_z_checksum", checksum(app.one_image_view.decoded_z.pixels)}, {"decoded_mu_checksum", checksum(app.one_image_view.decoded_mu.pixels)},
            {"cloud_checksum", checksum(app.one_image_view.cloud.pixels)}, {"decoded_mu_mean", mean_intensity(app.one_image_view.decoded_mu.pixels)}});
  return j;
}

static nlohmann::json compare_json(const AppState& app) {
  const ComparePanel& c = app.compare;
  nlohmann::json sides = nlohmann::json::array();
  for (const CompareSide& s : c.sides)
    sides.push_back({{"title", s.title}, {"beta", s.beta}, {"has_model", s.has_model}, {"source", s.source},
                     {"kl", s.kl}, {"recon", s.recon}, {"inside_2sigma", s.inside_2sigma}, {"holes_share", s.holes_share},
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
               {"ellipse", rect_json(app.probes.get("map_ellipse"))},
               {"ellipse_centre", point_json(app.probes.get("map_ellipse_centre"))},
               {"mu_screen", point_json(app.probes.get("map_mu"))}, {"z_screen", point_json(app.probes.get("map_z"))},
               {"num_points", m.num_points},
               {"plane", {{"dir0", floats(m.plane.dir0)}, {"dir1", floats(m.plane.dir1)}, {"origin", floats(m.plane.origin)},
                          {"scale", {m.plane.scale0, m.plane.scale1}}}}}},
      {"draw", {{"has_ink", app.input.has_ink}, {"prepare", app.input.prepare},
                {"recon_mean", app.input.has_ink && app.session.one_image.source == InputSource::drawing && app.session.one_image.ready
                                   ? mean_intensity(app.one_image_view.decoded_mu.pixels) : 0.0},
                {"pad_mean", mean_intensity(app.input.drawing.pixels)}}},
      {"one_image", one_image_json(app)},
      {"step", step_json(app)},
      {"posterior", posterior_json(app.session.one_image)},
      {"fit_q", fit_q_json(app.session.one_image)},
      {"decoder", app.decoder_sample ? "sample" : "mean"},
      {"holes", {{"on", app.map.show_holes}, {"ready", app.map.holes.q.size() > 0}, {"share", app.map.holes.share}, {"version", app.map.holes_version},
                 {"cells", std::count(app.map.holes.hole.begin(), app.map.holes.hole.end(), 1)}}},
      {"sample_grey", grey_share(app.sample.digits.pixels)}, {"sample_version", app.sample.digits.version},
      {"weights", {{"layer", app.weights.decoder ? "decoder" : "encoder"}, {"page", app.weights.page},
                   {"version", app.weights.drawn}, {"checksum", checksum(app.weights.tiles.pixels)}}},
      {"compare", compare_json(app)},
      {"activity", {{"kl", floats(app.session.activity.kl)}, {"active", app.session.activity.active}, {"first", app.session.activity.first},
                    {"second", app.session.activity.second}, {"version", app.session.activity.version}}},
  };
}

// Where the widgets are (the probe map, in CSS pixels): every rectangle and list the tests click,
// named as the probes are (a name never recorded reads as an empty rectangle).
static const char* const kRectNames[] = {
    "interp_slider", "draw_pad", "train_start", "train_reset", "load_weights", "download_weights", "sample_grid",
    "latent_map", "strip", "style_row", "sample_class", "map_class", "draw_class", "view_menu", "copy_link",
    "tour", "tour_next", "tour_back", "tour_leave", "scale_menu", "status", "threads", "meta_header", "map_points",
    "map_label", "draw_eps", "draw_clear", "input_x", "test_index", "input_test", "input_drawing", "load_into_pad",
    "prepare", "beta", "compare_train", "compare_shipped", "confirm_discard", "confirm_cancel", "encoder_chart",
    "elbo_panel", "train_plot", "step_next", "step_back", "step_play", "step_codes", "step_diagram", "kl_strip",
    "posterior_on", "map_holes", "fit_q", "posterior_plot", "decoder_sample", "weights_grid", "weights_layer"};
static const std::pair<const char*, size_t> kRectLists[] = {
    {"models", 0}, {"popup_items", 0}, {"views", kViews}, {"panels", kPanels}, {"focus", kPanels},
    {"tour_choices", 0}, {"scale_items", 0}, {"meta_values", 0}, {"dtype", 2}, {"compare_codes", 2},
    {"step_boxes", 0}, {"train_plots", 3}};
static nlohmann::json rects_of(const Probes& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const char* name : kRectNames) j[name] = rect_json(r.get(name));
  for (const auto& [name, n] : kRectLists) j[name] = rects_json(r.list(name, n));
  const std::vector<Rect> ends = r.list("map_endpoint", 2);
  j["map_a"] = rect_json(ends[0]);
  j["map_b"] = rect_json(ends[1]);
  return j;
}

std::string app_state_to_json(const AppState& app) {
  const VaeConfig& c = app.session.trainer.params.config;
  const TrainPanel& tp = app.train_panel;
  const Training& tr = app.session.training;
  const Probes& r = app.probes;
  g_css_per_point = app.display_scale > 0 ? app.display_scale : 1;
  nlohmann::json models = nlohmann::json::array();
  for (const ModelEntry& e : app.session.models)
    models.push_back({{"name", e.name}, {"file", e.file}, {"dataset", e.dataset}, {"summary", e.summary},
                      {"latent", e.latent}, {"classes", e.classes}});
  nlohmann::json j = {
      {"frame", app.frame},
      {"has_model", app.session.has_model},
      {"first_digits", app.first_digits},
      {"status", app.session.status},
      {"status_error", app.session.status_error},
      {"model", {{"config", c.describe()}, {"latent", c.latent}, {"hidden", c.hidden}, {"classes", c.classes},
                 {"params", app.session.trainer.params.size()}, {"source", app.session.model_source}, {"version", app.session.version},
                 {"index", app.session.model_index}, {"pending", app.session.model_pending},
                 {"name", app.session.model_index >= 0 ? app.session.models[static_cast<size_t>(app.session.model_index)].name : ""}}},
      {"models", models},
      {"data", {{"name", app.session.dataset}, {"test", app.session.test.labels.size()}, {"train", app.session.train.labels.size()}}},
      {"view", view_name(app.view)},
      {"tour", {{"step", app.tour_step}, {"steps", tour_steps()}, {"panel", tour_panel(app.tour_step)},
                {"link", tour_link(app.tour_step)}, {"ask", tour_ask(app.tour_step)},
                {"answered", app.tour_predict.answered}, {"guess", floats(app.tour_predict.guess)},
                {"distance", app.tour_predict.distance}, {"choice", app.tour_predict.choice},
                {"correct", app.tour_predict.correct}, {"hides_code", tour_hides_code(app)}}},
      {"link", link_write(link_of(app))},
      {"last_link", app.last_link},
      {"display", {{"dpr", app.display_dpr}, {"scale", app.display_scale}, {"font_px", app.font_px},
                   {"text_css_px", app.font_px / std::max(app.display_dpr, 1e-3f)}, {"canvas", {app.canvas_w, app.canvas_h}},
                   {"points", {ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y}},
                   {"scale_mode", app.ui_scale_mode}, {"focus", app.focus}}},
      {"confirm", tp.confirm},
      {"captions", {{"input", input_caption(app)}, {"train_elbo", session_elbo_text(app.session)}}},
      {"train", {{"running", tr.running}, {"steps", tr.steps}, {"elbo_count", tr.elbo.size()},
                 {"beta", app.session.trainer.options.beta}, {"curve", tr.curve.size()},
                 {"recon_last", tr.curve.empty() ? 0.0 : tr.curve.back().recon},
                 {"kl_last", tr.curve.empty() ? 0.0 : tr.curve.back().kl},
                 {"active_points", std::count_if(tr.curve.begin(), tr.curve.end(), [](const TrainPoint& p) { return p.active >= 0; })},
                 {"elbo_first", mean_of(tr.elbo, 20, false)}, {"elbo_last", mean_of(tr.elbo, 20, true)},
                 {"samples_per_s", tr.samples_per_s}, {"batch", app.session.trainer.options.batch}, {"lr", app.session.trainer.options.lr},
                 {"threads", session_train_threads()}, {"plot", tp.plot},
                 {"runs", runs_json(tr)}, {"kl_strip", tr.kl_strip.size()}}},
      {"frame_ms", frame_ms_json(app)},
      {"rects", rects_of(r)},
  };
  j.update(views_json(app));
  nlohmann::json overflow = nlohmann::json::array();
  for (int k = 0; k < kPanels; ++k) overflow.push_back({app.overflow[k][0], app.overflow[k][1]});
  j["overflow"] = overflow;
  nlohmann::json meta = nlohmann::json::array();
  for (const auto& kv : app.session.meta) meta.push_back({kv.first, kv.second});
  j["meta"] = meta;
  return j.dump();
}

