// The app's frame and its model and data: what every panel shares.
#include "app/app.h"

#include <algorithm>
#include <cstdio>

#include "app/panels.h"
#include "app/platform.h"
#include "imgui.h"

AppState& app_instance() {
  static AppState app;
  return app;
}

void app_set_status(AppState& app, const std::string& message, bool error) {
  app.status = message;
  app.status_error = error;
  if (error) app.model_pending = -1;  // a fetch that failed says so here
}

int app_classes(const AppState& app) { return app.has_model ? app.trainer.params.config.classes : 0; }

std::string app_class_name(const AppState& app, int k) { return class_name(app.dataset, k); }

bool refresh_due(const AppState& app, long long drawn, double drawn_at, double interval) {
  if (drawn == app.version) return false;
  return !app.train_panel.running || app.now - drawn_at >= interval;
}

void grid_decode(AppState& app, DigitGrid* grid, int cols, int rows) {
  grid->probs.resize(grid->z.rows(), app.trainer.params.config.input);
  decode_probs(grid->probs, app.inf, app.trainer.params, grid->z, grid->y);
  tile_images(&grid->pixels, grid->probs, cols, rows);
  grid->cols = cols;
  grid->rows = rows;
  texture_upload(&grid->texture, grid->pixels, cols * kSide, rows * kSide);
  grid->version = app.version;
  grid->drawn_at = app.now;
}

// Keeps the panels' class choices inside the new model's 0..C-1.
static void clamp_classes(AppState& app, int C) {
  const int last = std::max(C - 1, 0);
  app.sample.cls = std::min(app.sample.cls, last);
  app.map.cls = std::min(app.map.cls, last);
  app.draw.cls = std::min(app.draw.cls, last);
  for (Endpoint& e : app.interp.ends) {
    e.prior_class = std::min(e.prior_class, last);
    if (e.label >= C) e.label = -1;
  }
}

void app_set_dataset(AppState& app, const std::string& dataset) {
  if (dataset == app.dataset) return;
  train_pause(app);  // before the training images it reads go
  app.dataset = dataset;
  app.test = Dataset();
  app.train = Dataset();
  app.test_binary.resize(0, 0);
  app.data_pending = true;
  app.compare.running = false;
  app.inspect.dirty = true;
  app.activity.version = -1;
  LatentMapPanel& m = app.map;
  m.points_mu.resize(0, m.points_mu.cols());
  m.points_done = 0;
  m.points_ready = false;
  m.points_version = -1;
  m.principal_at = -1;
  for (Endpoint& e : app.interp.ends) e.dirty = true;
  app_set_status(app, std::string("Loading ") + dataset_title(dataset) + "...", false);
}

void app_pick_model(AppState& app, int index) {
  if (index < 0 || index >= static_cast<int>(app.models.size())) return;
  const ModelEntry& e = app.models[static_cast<size_t>(index)];
  app.model_pending = index;
  app_set_status(app, "Loading " + e.name + "...", false);
  if (kIsWeb) {
    platform_fetch_model(e.file);  // the page hands the bytes to app_load_weights when they arrive
    return;
  }
  std::vector<uint8_t> bytes;
  Status s = file_read_all(e.file, &bytes);
  if (s.ok)
    app_load_weights(app, bytes.data(), bytes.size(), e.file);
  else
    app_set_status(app, "Not loaded (the current model is kept): " + s.message, true);
}

void app_set_model(AppState& app, const VaeParams& params, const Metadata& meta, const std::string& source) {
  const int old_latent = app.has_model ? app.trainer.params.config.latent : -1;
  const Likelihood old_likelihood = app.trainer.params.config.likelihood;
  app.model_index = -1;
  for (size_t i = 0; i < app.models.size(); ++i)
    if (app.models[i].file == source) app.model_index = static_cast<int>(i);
  app.model_pending = -1;
  Trainer& t = app.trainer;
  t.params = params;
  t.optimizer.reset(params.size());
  t.epoch = 0;
  t.cursor = 0;
  t.epoch_loss_sum = 0;
  t.prepare();
  app.inf.resize(params);
  app.has_model = true;
  // the test images as this model observes them (binarized, or dequantized for a Gaussian decoder)
  if (params.config.likelihood != old_likelihood && app.test.images.rows() > 0)
    app.test_binary = observe_fixed(app.test.images, params.config.likelihood);
  app.meta = meta;
  app.model_source = source;
  ++app.version;

  TrainPanel& tp = app.train_panel;
  tp.steps = 0;
  tp.elbo.clear();
  tp.curve.clear();
  tp.samples_per_s = 0;
  tp.new_latent = params.config.latent;
  tp.new_hidden = params.config.hidden[0];
  tp.new_activation = static_cast<int>(params.config.activation);  // relu, tanh, elu
  tp.new_conditional = params.config.classes > 0;
  clamp_classes(app, params.config.classes);
  // a model trained on other data switches the panels' data (no "dataset" in the file: keep it)
  const std::string dataset = dataset_of(meta);
  if (!dataset.empty()) app_set_dataset(app, dataset);
  // every view depends on the model; codes also depend on Z
  app.sample.dirty = true;
  app.interp.dirty = true;
  app.draw.dirty = true;
  app.inspect.dirty = true;
  app.inspect.log_px_version = -1;
  app.activity.version = -1;
  app.map.axes_auto = true;
  app.map.grid_dirty = true;
  app.map.points_version = -1;
  latent_map_forget_probe(app);  // its image was the old model's
  for (Endpoint& e : app.interp.ends) e.dirty = true;
  if (params.config.latent != old_latent) {
    const int Z = params.config.latent;
    app.map.points_ready = false;
    app.map.points_done = 0;
    app.map.principal_at = -1;
    app.map.axis0 = 0;
    app.map.axis1 = Z > 1 ? 1 : 0;
    app.map.plane = LatentPlane::axes(Vec::Zero(std::max(Z, 2)), 0, 1);
    // a 2-D model: the paper's figure (CDF spacing); more dimensions: the codes' shape shows best linearly
    app.map.cdf = Z == 2;
    app.map.grid_size = Z == 2 ? 16 : 12;
    for (Endpoint& e : app.interp.ends)
      if (e.source == EndpointSource::custom) e.source = EndpointSource::prior;
  }
}

void app_new_random_model(AppState& app, const VaeConfig& config, int seed) {
  VaeParams params;
  params.build(config);
  Rng rng(static_cast<uint64_t>(seed));
  params.init(rng);
  train_pause(app);
  app_set_model(app, params, Metadata(), "new random weights (seed " + std::to_string(seed) + ")");
}

bool app_load_weights(AppState& app, const uint8_t* bytes, size_t size, const std::string& source) {
  VaeParams params;
  Metadata meta;
  // within the app's bounds (the page's heap never shrinks) and fitting its data: 28x28, 10 classes
  uint64_t need = 0;
  Status s = weights_check_head(bytes, size, size, source, kAppWeightsLimits, &need);
  if (s.ok) s = weights_parse(bytes, size, source, &params, &meta);
  const Status fit = s.ok ? weights_fit_data(params.config, kSide * kSide, 10) : Status::success();
  if (!fit.ok) s = Status::error(source + ": " + fit.message + "; this app shows 28x28 digits of 10 classes");
  if (!s.ok) {
    app_set_status(app, "Not loaded (the current model is kept): " + s.message, true);
    return false;
  }
  train_pause(app);
  app_set_model(app, params, meta, source);
  app_set_status(app, "Loaded " + source + ": " + params.config.describe(), false);
  return true;
}

// The model card's figures (vae-eval --write-card): they describe the weights they were measured on.
static bool is_card_figure(const std::string& key) {
  static const char* const keys[] = {"test_elbo", "test_elbo_of", "test_images", "log_px", "log_px_how",
                                     "classifier_agreement", "classifier_agreement_how", "prior_sample_score",
                                     "prior_sample_score_how"};
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

std::vector<uint8_t> app_weights_bytes(const AppState& app, const std::string& dtype) {
  const long long steps = app.train_panel.steps;
  Metadata meta;
  // trained further here, the file's card must describe these weights: the old figures go, the test
  // ELBO is measured again (the README's protocol, as vae-eval does); log p(x) would take minutes
  for (const auto& kv : app.meta)
    if (kv.first != "config" && kv.first != "app_train_steps" && (steps == 0 || !is_card_figure(kv.first)))
      meta.push_back(kv);
  meta.push_back({"app_train_steps", std::to_string(steps)});
  if (steps > 0 && app.test_binary.rows() > 0 && app.test_binary.cols() == app.trainer.params.config.input) {
    char elbo[32];
    std::snprintf(elbo, sizeof elbo, "%.3f", -test_set_loss(app.trainer.params, app.test_binary, app.test.labels.data()).neg_elbo);
    meta.push_back({"test_elbo", elbo});
    meta.push_back({"test_elbo_of", "measured in the page after " + std::to_string(steps) + " steps trained there"});
    meta.push_back({"test_images", std::to_string(app.test_binary.rows())});
  }
  return safetensors_serialize(weights_to_safetensors(app.trainer.params, meta, dtype));
}

std::string app_download_name(const AppState& app, const std::string& dtype) {
  const VaeConfig& c = app.trainer.params.config;
  std::string name = app.model_index >= 0 ? app.models[static_cast<size_t>(app.model_index)].name
                                          : "vae-z" + std::to_string(c.latent) + "-h" + std::to_string(c.hidden[0]);
  if (app.train_panel.steps > 0) name += "-" + std::to_string(app.train_panel.steps) + "steps";
  return name + (dtype == "F16" ? "-f16" : "-f32") + ".safetensors";
}

void app_install_dataset(AppState& app, const std::string& split, Dataset d) {
  const bool test = split == "test";
  if (!test) train_pause(app);  // the training thread reads the training images
  (test ? app.test : app.train) = std::move(d);
  if (test) {
    // the test set binarized (or dequantized) once, as every test figure is (the same values as vae-eval's)
    app.test_binary = observe_fixed(app.test.images, app.trainer.params.config.likelihood);
    app.inspect.dirty = true;
    app.activity.version = -1;
    app.map.points_version = -1;
    for (Endpoint& e : app.interp.ends) e.dirty = e.dirty || e.source != EndpointSource::prior;
  }
  if (!app.status_error)
    app_set_status(app, std::string(dataset_title(app.dataset)) + " " + split + " set loaded: " +
                            std::to_string((test ? app.test : app.train).labels.size()) + " images", false);
}

bool app_load_dataset(AppState& app, const std::string& dataset, const std::string& split, const uint8_t* images,
                      size_t images_size, const uint8_t* labels, size_t labels_size) {
  if (dataset != app.dataset) return false;  // requested before a switch to other data
  Dataset d;
  Status s = idx_parse_images(images, images_size, &d.images, &d.rows, &d.cols);
  if (s.ok) s = idx_parse_labels(labels, labels_size, &d.labels);
  if (s.ok && static_cast<size_t>(d.images.rows()) != d.labels.size())
    s = Status::error("images and labels differ in count");
  if (!s.ok) {
    app_set_status(app, std::string(dataset_title(dataset)) + " " + split + " set not loaded: " + s.message, true);
    return false;
  }
  app_install_dataset(app, split, std::move(d));
  return true;
}

void request_pick_model(AppState& app, int index) {
  if (app.model_pending >= 0 || index == app.model_index) return;
  if (app.train_panel.steps > 0) {
    app.train_panel.confirm = 2;
    app.train_panel.confirm_model = index;
  } else {
    app_pick_model(app, index);
  }
}

void request_reset(AppState& app) {
  if (app.train_panel.steps > 0)
    app.train_panel.confirm = 1;
  else
    train_new_model(app);
}

// "Throw away the model trained here?": Download it first, Throw it away, or Cancel.
void confirm_popup(AppState& app) {
  TrainPanel& tp = app.train_panel;
  const char* title = "Throw away the trained model?";
  if (tp.confirm == 0) return;
  if (!ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(screen.x * 0.5f, screen.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const std::string next = tp.confirm == 1 ? "a new model with random weights"
                                           : app.models[static_cast<size_t>(tp.confirm_model)].name;
  ImGui::Text("The model has been trained here for %lld steps.", tp.steps);
  ImGui::Text("Loading %s replaces it.", next.c_str());
  if (ImGui::Button("Download it first")) platform_save_weights(app, app_weights_bytes(app, "F16"), app_download_name(app, "F16"));
  ImGui::SameLine();
  const bool discard = ImGui::Button("Throw it away");
  app.rects.confirm_discard = item_rect();
  ImGui::SameLine();
  const bool cancel = ImGui::Button("Cancel");
  app.rects.confirm_cancel = item_rect();
  if (discard || cancel) {
    const int action = tp.confirm, model = tp.confirm_model;
    tp.confirm = 0;
    ImGui::CloseCurrentPopup();
    if (!cancel) train_pause(app);
    if (discard && action == 1) train_new_model(app);
    if (discard && action == 2) app_pick_model(app, model);
  }
  ImGui::EndPopup();
}

void app_frame(AppState& app) {
  app.now = now_seconds();
  url_state_pending(app);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) && app.focus >= 0) app.focus = -1, app.reset_layout = true;
  // a layout change asked for during a frame (a focus button, the menu) moves every panel in the next
  app.layout_now = app.reset_layout;
  app.reset_layout = false;
  main_menu_bar(app);
  // no shipped weights (a failed fetch or file): start from random weights, the message stays
  if (!app.has_model && app.status_error) app_new_random_model(app, VaeConfig(), 1);
  app.rects.popup_items.clear();
  if (!app.has_model) {
    ImGui::SetNextWindowPos(ImVec2(20, 40), ImGuiCond_Always);
    ImGui::Begin("Loading", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    ImGui::Text("Loading the model... %s", app.status.c_str());
    ImGui::End();
  } else {
    train_frame_steps(app);
    compare_frame_steps(app);
    activity_update(app);
    inspect_update(app);
    panel_sample(app);
    panel_interpolate(app);
    panel_latent_map(app);
    panel_input(app);
    panel_train(app);
    panel_model(app);
    panel_encoder(app);
    panel_reparam(app);
    panel_elbo(app);
    panel_compare(app);
    confirm_popup(app);
    tour_window(app);
    if (app.frame == 0) platform_mark("first frame built");
    // the first frame with digits (a view without the sample grid: the first frame)
    if (app.sample.digits.version >= 0 || !view_shows(app, kPanelSample)) app.first_digits = true;
  }
  help_window(app);
  ++app.frame;
}
