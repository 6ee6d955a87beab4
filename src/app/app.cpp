// The app's frame, the views following the session, and the actions that need the platform.
#include "app/app.h"

#include <algorithm>

#include "app/panels/panels.h"
#include "app/platform/platform.h"
#include "imgui.h"

AppState& app_instance() {
  static AppState app;
  return app;
}

const char* view_name(View v) {
  switch (v) {
    case View::explore: return "Explore";
    case View::one_image: return "Inside one image";
    case View::train: return "Train & compare";
    case View::step: return "One step";
  }
  return "";
}

// Keeps the panels' class choices inside the new model's 0..C-1.
static void clamp_classes(AppState& app, int C) {
  const int last = std::max(C - 1, 0);
  app.sample.cls = std::min(app.sample.cls, last);
  app.map.cls = std::min(app.map.cls, last);
  app.input.cls = std::min(app.input.cls, last);
  for (Endpoint& e : app.interp.ends) {
    e.prior_class = std::min(e.prior_class, last);
    if (e.label >= C) e.label = -1;
  }
}

// Another model: every view depends on it; codes also depend on Z.
static void follow_model(AppState& app) {
  const VaeConfig& c = app.session.trainer.params.config;
  TrainPanel& tp = app.train_panel;
  tp.new_latent = c.latent;
  tp.new_hidden = c.hidden[0];
  tp.new_activation = static_cast<int>(c.activation);  // relu, tanh, elu
  tp.new_conditional = c.classes > 0;
  clamp_classes(app, c.classes);
  app.sample.dirty = true;
  app.interp.dirty = true;
  app.input.dirty = true;
  app.map.axes_auto = true;
  app.map.grid_dirty = true;
  app.map.points_version = -1;
  latent_map_forget_probe(app);  // its image was the old model's
  for (Endpoint& e : app.interp.ends) e.dirty = true;
  if (c.latent != app.latent_seen) {
    const int Z = c.latent;
    LatentMapPanel& m = app.map;
    m.points_ready = false;
    m.points_done = 0;
    m.principal_at = -1;
    m.axis0 = 0;
    m.axis1 = Z > 1 ? 1 : 0;
    m.plane = LatentPlane::axes(Vec::Zero(std::max(Z, 2)), 0, 1);
    // a 2-D model: the paper's figure (CDF spacing); more dimensions: the codes' shape shows best linearly
    m.cdf = Z == 2;
    m.grid_size = Z == 2 ? 16 : 12;
    for (Endpoint& e : app.interp.ends)
      if (e.source == EndpointSource::custom) e.source = EndpointSource::prior;
    app.latent_seen = Z;
  }
}

// Other data, or a split of it arrived: the codes of test images go.
static void follow_data(AppState& app) {
  const Session& s = app.session;
  LatentMapPanel& m = app.map;
  if (s.dataset != app.dataset_seen) {
    app.dataset_seen = s.dataset;
    app.compare.running = false;
    m.points_mu.resize(0, m.points_mu.cols());
    m.points_done = 0;
    m.points_ready = false;
    m.principal_at = -1;
    for (Endpoint& e : app.interp.ends) e.dirty = true;
  }
  if (s.test.labels.size() != app.test_seen) {
    app.test_seen = s.test.labels.size();
    m.points_version = -1;
    for (Endpoint& e : app.interp.ends) e.dirty = e.dirty || e.source != EndpointSource::prior;
  }
}

void app_follow_session(AppState& app) {
  Session& s = app.session;
  if (s.model_serial != app.model_serial_seen) {
    app.model_serial_seen = s.model_serial;
    follow_model(app);
  }
  if (s.data_serial != app.data_serial_seen) {
    app.data_serial_seen = s.data_serial;
    follow_data(app);
  }
  // a model just installed: its "two axes" plane opens on its two most active dimensions, once measured
  const Activity& a = s.activity;
  LatentMapPanel& m = app.map;
  if (m.axes_auto && a.version >= 0 && a.kl.size() == s.trainer.params.config.latent && a.kl.size() >= 2) {
    m.axis0 = a.first;
    m.axis1 = a.second;
    m.axes_auto = false;
  }
}

void app_pick_model(AppState& app, int index) {
  Session& s = app.session;
  if (index < 0 || index >= static_cast<int>(s.models.size())) return;
  const ModelEntry& e = s.models[static_cast<size_t>(index)];
  s.model_pending = index;
  session_set_status(s, "Loading " + e.name + "...", false);
  std::vector<uint8_t> bytes;  // natively read now; the page hands them over when they arrive
  const Status st = platform_fetch_model(e.file, 0, &bytes);
  if (!st.ok)
    session_set_status(s, "Not loaded (the current model is kept): " + st.message, true);
  else if (!bytes.empty())
    session_load_weights(s, bytes.data(), bytes.size(), e.file);
}

void app_open_weights(AppState& app) {
  std::vector<uint8_t> bytes;  // natively read now; the page hands them over when the user picked a file
  const Status st = platform_open_weights(app.model_panel.path, &bytes);
  if (!st.ok)
    session_set_status(app.session, "Not loaded (the current model is kept): " + st.message, true);
  else if (!bytes.empty())
    session_load_weights(app.session, bytes.data(), bytes.size(), app.model_panel.path);
}

void app_save_weights(AppState& app, const std::string& dtype) {
  const std::vector<uint8_t> bytes = session_weights_bytes(app.session, dtype);
  const std::string name = session_download_name(app.session, dtype);
  const Status st = platform_save_weights(bytes, name, app.model_panel.path);
  if (!st.ok)
    session_set_status(app.session, "Not saved: " + st.message, true);
  else if (kIsWeb)
    session_set_status(app.session, "Downloading " + name + " (" + std::to_string(bytes.size() / 1024) + " KB)", false);
  else
    session_set_status(app.session, "Saved " + std::string(app.model_panel.path), false);
}

void app_new_model(AppState& app) {
  TrainPanel& tp = app.train_panel;
  VaeConfig config = app.session.trainer.params.config;  // the model family's options stay (decoder, sigma, objective)
  config.latent = tp.new_latent;
  config.hidden = {tp.new_hidden};
  config.activation = static_cast<Activation>(tp.new_activation);
  config.classes = tp.new_conditional ? 10 : 0;
  session_new_random_model(app.session, config, tp.new_seed);
  session_set_status(app.session, "New model " + config.describe() + ": random weights; press Start to train it", false);
}

void app_request_data(AppState& app) {
  Session& s = app.session;
  s.data_pending = false;
  Dataset test, train;
  bool arrived = false;
  const Status st = platform_load_data(s.dataset, &test, &train, &arrived);
  if (!st.ok) {
    session_set_status(s, std::string(dataset_title(s.dataset)) + " not loaded: " + st.message, true);
    return;
  }
  if (!arrived) return;  // the page hands each split over when it arrives
  session_install_dataset(s, "test", std::move(test));
  session_install_dataset(s, "train", std::move(train));
}

void app_frame(AppState& app) {
  Session& s = app.session;
  s.now = now_seconds();
  app_follow_session(app);
  link_apply_pending(app);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) && app.focus >= 0) app.focus = -1, app.reset_layout = true;
  // a layout change asked for during a frame (a focus button, the menu) moves every panel in the next
  app.layout_now = app.reset_layout;
  app.reset_layout = false;
  main_menu_bar(app);
  // no shipped weights (a failed fetch or file): start from random weights, the message stays
  if (!s.has_model && s.status_error) session_new_random_model(s, VaeConfig(), 1);
  app.probes.clear("popup_items");
  if (!s.has_model) {
    ImGui::SetNextWindowPos(ImVec2(20, 40), ImGuiCond_Always);
    ImGui::Begin("Loading", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    ImGui::Text("Loading the model... %s", s.status.c_str());
    ImGui::End();
  } else {
    const double start = now_seconds();
    session_train_frame(s);
    app.train_ms[app.frame % 120] = static_cast<float>((now_seconds() - start) * 1000);
    app_follow_session(app);
    compare_frame_steps(app);
    activity_update(s);
    slow_step_frame(s);
    one_image_update(s);
    one_image_view_update(app);
    void (*const panels[])(AppState&) = {panel_sample, panel_interpolate, panel_latent_map, panel_input, panel_train,
                                         panel_model, panel_encoder, panel_reparam, panel_elbo, panel_compare,
                                         panel_step, panel_weights, panel_posterior,
                                         confirm_popup, tour_window};
    for (auto panel : panels) {
      app_follow_session(app);
      panel(app);
    }
    if (app.frame == 0) platform_mark("first frame built");
    // the first frame with digits (a view without the sample grid: the first frame)
    if (app.sample.digits.version >= 0 || !view_shows(app, kPanelSample)) app.first_digits = true;
  }
  help_window(app);
  ++app.frame;
}
