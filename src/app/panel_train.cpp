// Train: minibatch gradient steps of the core's Trainer (Kingma & Welling 2014, algorithm 1) on the
// 60,000 training images of the current dataset (MNIST or Fashion-MNIST), a few milliseconds of them
// in every frame, so every other panel shows the model as it learns. A conditional model trains on
// [x | y] with each image's label.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels.h"
#include "app/platform.h"
#include "app/plot.h"

static const int kLatents[] = {2, 5, 10, 20, 32, 50};
static const int kHiddens[] = {100, 200, 400, 500};

int train_threads() { return TrainThread::available() ? 2 : 1; }

// One ended step into the panel: its ELBO, the plot's moving averages of both terms. False when the
// loss is not finite (training stops).
static bool record_step(AppState& app, const VaeLoss& loss) {
  TrainPanel& tp = app.train_panel;
  tp.last = loss;
  const float elbo = static_cast<float>(-loss.neg_elbo);
  tp.elbo.push_back(elbo);
  // the plot shows exponential moving averages of the two terms: one batch's figures are noisy
  TrainPoint point;
  point.images = static_cast<double>(tp.steps + 1) * app.trainer.options.batch;
  point.recon = static_cast<float>(-loss.bce);
  point.kl = static_cast<float>(loss.kl);
  if (!tp.curve.empty()) {
    point.recon = 0.95f * tp.curve.back().recon + 0.05f * point.recon;
    point.kl = 0.95f * tp.curve.back().kl + 0.05f * point.kl;
  }
  tp.curve.push_back(point);
  ++tp.steps;
  ++tp.window_steps;
  return std::isfinite(elbo);
}

static void record_rate(TrainPanel& tp, double rate) {
  tp.samples_per_s = tp.samples_per_s == 0 ? rate : 0.9 * tp.samples_per_s + 0.1 * rate;
}

static void diverged(AppState& app) {
  train_pause(app);
  app_set_status(app, "Training diverged (the loss is not finite): lower the learning rate and reset", true);
}

// Steps ended on the training thread: the newest parameters (swapped in, no copy), every step's
// figures. The frame never waits for a step.
static void thread_frame_steps(AppState& app, const uint8_t* labels) {
  TrainPanel& tp = app.train_panel;
  TrainThread& tt = app.train_thread;
  if (!tt.training() && !tt.start(app.trainer, train_threads(), app.train.images, labels)) return;
  tt.set_options(app.trainer.options);  // the sliders' values, for the next step
  std::vector<TrainThread::Step> steps;
  if (!tt.take(app.trainer.params.data, steps)) return;
  ++app.version;
  for (const TrainThread::Step& s : steps) {
    record_rate(tp, app.trainer.options.batch / std::max(s.seconds, 1e-6));
    app.trainer.epoch = s.epoch;  // for the panel's figures (the whole state comes back on pause)
    app.trainer.cursor = s.cursor;
    if (!record_step(app, s.loss)) return diverged(app);
  }
}

void train_pause(AppState& app) {
  TrainPanel& tp = app.train_panel;
  tp.running = false;
  if (!app.train_thread.training() && !app.train_thread.benchmarking()) return;
  std::vector<TrainThread::Step> steps;
  app.train_thread.stop(&app.trainer, &steps);  // waits for the step under way, at most one
  for (const TrainThread::Step& s : steps) record_step(app, s.loss);
  ++app.version;
}

static void frame_steps(AppState& app);

void train_frame_steps(AppState& app) {
  const double start = now_seconds();
  frame_steps(app);
  app.train_ms[app.frame % 120] = static_cast<float>((now_seconds() - start) * 1000);
}

static void frame_steps(AppState& app) {
  TrainPanel& tp = app.train_panel;
  if (!tp.running) return;
  if (app.train.labels.size() < static_cast<size_t>(app.trainer.options.batch)) return train_pause(app);
  const uint8_t* labels = app_classes(app) > 0 ? app.train.labels.data() : nullptr;
  if (app.now - tp.window_at >= 1.0) {
    tp.steps_per_s = tp.window_steps / (app.now - tp.window_at);
    tp.window_at = app.now;
    tp.window_steps = 0;
  }
  if (TrainThread::available()) return thread_frame_steps(app, labels);
  // no threads: steps in this frame, for its time budget
  const double start = now_seconds();
  long long steps = 0;
  do {
    const VaeLoss loss = app.trainer.step(app.train.images, labels);
    ++steps;
    if (!record_step(app, loss)) return diverged(app);
  } while (now_seconds() - start < tp.budget_ms / 1000.0);
  ++app.version;
  record_rate(tp, steps * app.trainer.options.batch / std::max(now_seconds() - start, 1e-6));
}

std::string train_elbo_text(const AppState& app) {
  const TrainPanel& tp = app.train_panel;
  char text[128];
  if (!tp.elbo.empty()) {
    std::snprintf(text, sizeof text, "batch ELBO %.1f = recon. %.1f − KL %.1f", -tp.last.neg_elbo, -tp.last.bce, tp.last.kl);
    return text;
  }
  // no steps here: a trained model says what its card measured
  for (const auto& kv : app.meta)
    if (kv.first == "test_elbo") return "test ELBO " + kv.second + " (its model card); no steps here yet";
  return "ELBO: no steps yet (random weights)";
}

void train_new_model(AppState& app) {
  TrainPanel& tp = app.train_panel;
  VaeConfig config = app.trainer.params.config;  // the model family's options stay (decoder, sigma, objective)
  config.latent = tp.new_latent;
  config.hidden = {tp.new_hidden};
  config.activation = static_cast<Activation>(tp.new_activation);
  config.classes = tp.new_conditional ? 10 : 0;
  const int latent = tp.new_latent, hidden = tp.new_hidden, activation = tp.new_activation;
  app_new_random_model(app, config, tp.new_seed);
  tp.new_latent = latent, tp.new_hidden = hidden, tp.new_activation = activation;
  app_set_status(app, "New model " + config.describe() + ": random weights; press Start to train it", false);
}

// A conditional model needs every training label inside its classes (the labels are 0..9).
static bool labels_fit(const AppState& app) {
  const int C = app_classes(app);
  if (C == 0 || app.train.labels.empty()) return true;
  return *std::max_element(app.train.labels.begin(), app.train.labels.end()) < C;
}

static void run_controls(AppState& app) {
  TrainPanel& tp = app.train_panel;
  const bool has_data = !app.train.labels.empty() && labels_fit(app);
  ImGui::BeginDisabled(!has_data);
  if (ImGui::Button(tp.running ? "Pause" : tp.steps > 0 ? "Resume" : "Start training", ImVec2(ImGui::GetFontSize() * 8, 0))) {
    if (tp.running)
      train_pause(app);
    else
      tp.running = true;
    tp.window_at = app.now;
    tp.window_steps = 0;
    if (tp.running)
      app_set_status(app, "Training on " + std::to_string(app.train.labels.size()) + " " + dataset_title(app.dataset) +
                              " images" + (app_classes(app) > 0 ? " with their labels" : ""), false);
    else
      app_set_status(app, "Paused after " + std::to_string(tp.steps) + " steps: Resume goes on from there", false);
  }
  app.rects.train_start = item_rect();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) request_reset(app);
  app.rects.train_reset = item_rect();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("start again from random weights (the model chosen below)");
  char text[96];
  if (!labels_fit(app))
    std::snprintf(text, sizeof text, "the model has fewer classes than the data");
  else if (has_data)
    std::snprintf(text, sizeof text, "%zu %s images", app.train.labels.size(), dataset_title(app.dataset));
  else
    std::snprintf(text, sizeof text, "loading training images...");
  same_line_if_fits(ImGui::CalcTextSize(text).x);
  ImGui::TextDisabled("%s", text);
}

static void option_controls(AppState& app) {
  Trainer& t = app.trainer;
  const float w = ImGui::GetFontSize() * 8;
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("learning rate", &t.options.lr, 1e-5f, 1e-1f, "%.1e", ImGuiSliderFlags_Logarithmic);
  help_marker("Adam's step size. 1e-3 is the usual choice; much larger and training diverges.");
  int batch = t.options.batch;
  ImGui::SetNextItemWidth(w);
  if (ImGui::SliderInt("batch size", &batch, 8, 256) && batch != t.options.batch) {
    t.options.batch = batch;
    t.cursor = 0;  // the epoch restarts with the new batch size
    t.prepare();
  }
  help_marker("Images per gradient step. The loss is their mean -ELBO; each image is binarized afresh, "
              "pixel ~ Bernoulli(intensity).");
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("KL weight β", &t.options.beta, 0.0f, 4.0f, t.options.beta == 0 ? "%.2f: autoencoder" : "%.2f");
  app.rects.beta = item_rect();
  help_marker("Training maximizes E_q[log p(x|z)] − β KL(q(z|x) ‖ N(0, I)). β = 1: the VAE (the ELBO). β = 0: "
              "a plain autoencoder: nothing keeps the codes near N(0, I), so they spread out and prior samples decode "
              "to junk (see Train & compare). β > 1: a β-VAE (Higgins et al. 2017), fewer nats in the code.");
  if (TrainThread::available()) return;  // the steps run on their own threads, beside the frames
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("ms per frame", &app.train_panel.budget_ms, 2, 40, "%.0f ms");
  help_marker("How long each frame spends on training steps (at least one step); the rest draws the page. "
              "This build has no threads: a page served with cross-origin isolation trains on two threads of its own.");
}

// The curves: the two terms of the ELBO (moving averages over batches) and the active dimensions,
// against the number of training images seen.
static void curves(const AppState& app, float height) {
  const TrainPanel& tp = app.train_panel;
  const size_t n = tp.curve.size(), every = std::max<size_t>(1, n / 400);
  PlotSeries recon{"E_q[log p(x|z)]", IM_COL32(110, 170, 255, 255), {}}, kl{"KL", IM_COL32(255, 170, 60, 255), {}};
  PlotSeries active{"active", IM_COL32(120, 220, 140, 255), {}};
  for (size_t i = 0; i < n; ++i) {
    const TrainPoint& p = tp.curve[i];
    if (i % every == 0 || i + 1 == n) {
      recon.points.push_back(ImVec2(static_cast<float>(p.images), p.recon));
      kl.points.push_back(ImVec2(static_cast<float>(p.images), p.kl));
    }
    if (p.active >= 0) active.points.push_back(ImVec2(static_cast<float>(p.images), static_cast<float>(p.active)));
  }
  const float w = ImGui::GetContentRegionAvail().x, line = ImGui::GetFontSize();
  if (height < line * 16) {
    // a small panel: the two terms, the axes labelled; the Train & compare view has room for all three
    const float h = std::max(height, line * 7);
    plot_lines("recon", ImVec2(w, h * 0.5f), nullptr, "E_q[log p(x|z)], nats", {recon});
    plot_lines("kl", ImVec2(w, h * 0.5f), "training images seen", "KL, nats", {kl}, 0.0f);
    return;
  }
  plot_lines("recon", ImVec2(w, height * 0.36f), nullptr, "reconstruction term E_q[log p(x|z)], nats", {recon});
  plot_lines("kl", ImVec2(w, height * 0.30f), nullptr, "KL(q(z|x) ‖ N(0, I)), nats", {kl}, 0.0f);
  plot_lines("active", ImVec2(w, height * 0.34f), "training images seen", "active latent dimensions", {active}, 0.0f,
             app.trainer.params.config.latent + 0.5f);
}

static void stats_and_plot(AppState& app) {
  const TrainPanel& tp = app.train_panel;
  const Trainer& t = app.trainer;
  const long long per_epoch = std::max<long long>(1, t.steps_per_epoch(static_cast<long long>(app.train.labels.size())));
  ImGui::Text("steps %lld   epoch %.2f", tp.steps, t.epoch + double(t.cursor) / per_epoch);
  if (tp.running)
    ImGui::Text("%.0f images/s while stepping (%s), %.1f steps/s", tp.samples_per_s,
                train_threads() > 1 ? "2 threads" : "1 thread, in frames", tp.steps_per_s);
  else
    ImGui::TextDisabled(tp.steps > 0 ? "paused" : "not training");
  const std::string text = train_elbo_text(app);
  if (tp.elbo.empty())
    ImGui::TextDisabled("%s", text.c_str());
  else
    ImGui::TextUnformatted(text.c_str());
  help_marker("ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)), in nats per image, averaged over the batch; higher "
              "is better. log p(x|z) is the Bernoulli log-likelihood of the pixels (the reconstruction term); "
              "the KL keeps the codes near the prior. The plots: moving averages of both terms over the batches, "
              "and the number of active dimensions (mean KL over 500 test images above 0.01 nats).");
  const float h = ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 2.4f;
  ImGui::BeginGroup();
  curves(app, h);
  ImGui::EndGroup();
  app.rects.train_plot = item_rect();
}

// A combo box of the integers in `choices`, `width` wide.
template <size_t N>
static void int_combo(const char* label, const int (&choices)[N], int* value, float width) {
  ImGui::SetNextItemWidth(width);
  if (!ImGui::BeginCombo(label, std::to_string(*value).c_str())) return;
  for (int v : choices)
    if (ImGui::Selectable(std::to_string(v).c_str(), v == *value)) *value = v;
  ImGui::EndCombo();
}

static void model_choice(AppState& app) {
  TrainPanel& tp = app.train_panel;
  ImGui::TextUnformatted("Reset makes:");
  ImGui::SameLine();
  const float w = ImGui::GetFontSize() * 3.5f;
  int_combo("Z", kLatents, &tp.new_latent, w);
  ImGui::SameLine();
  int_combo("hidden", kHiddens, &tp.new_hidden, w);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w * 1.2f);
  ImGui::Combo("##act", &tp.new_activation, "relu\0tanh\0elu\0");
  ImGui::Checkbox("conditional (on the 10 classes)", &tp.new_conditional);
  help_marker("The model Reset creates: 784 - hidden - Z - hidden - 784 with this activation. Z = 2 shows the whole "
              "latent space on the map, as in the paper's figure 4 (train it for a minute or two). Conditional: a "
              "conditional VAE, q(z|x,y) and p(x|z,y) with the one-hot label y of the 10 classes.");
}

void panel_train(AppState& app) {
  if (!panel_begin(app, kPanelTrain, "Train",
                   "Gradient steps on the ELBO, live: watch the samples, the map and the plot change as the model learns."))
    return;
  run_controls(app);
  option_controls(app);
  stats_and_plot(app);
  model_choice(app);
  panel_end(app, kPanelTrain);
}
