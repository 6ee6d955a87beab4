// Train: the session's training (session/training.cpp: minibatch gradient steps on the ELBO) started,
// paused and reset here, its curves and figures, and the shape of the model Reset makes.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"
#include "app/platform/platform.h"
#include "app/ui/plot.h"

static const int kLatents[] = {2, 5, 10, 20, 32, 50};
static const int kHiddens[] = {100, 200, 400, 500};

static void run_controls(AppState& app) {
  const Training& tr = app.session.training;
  const bool has_data = !app.session.train.labels.empty() && session_labels_fit(app.session);
  ImGui::BeginDisabled(!has_data);
  if (ImGui::Button(tr.running ? "Pause" : tr.steps > 0 ? "Resume" : "Start training", ImVec2(ImGui::GetFontSize() * 8, 0))) {
    if (tr.running) {
      session_pause_training(app.session);
      session_set_status(app.session, "Paused after " + std::to_string(tr.steps) + " steps: Resume goes on from there", false);
    } else {
      session_start_training(app.session);
    }
  }
  app.probes.set("train_start", item_rect());
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) request_reset(app);
  app.probes.set("train_reset", item_rect());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("start again from random weights (the model chosen below)");
  char text[96];
  if (!session_labels_fit(app.session))
    std::snprintf(text, sizeof text, "the model has fewer classes than the data");
  else if (has_data)
    std::snprintf(text, sizeof text, "%zu %s images", app.session.train.labels.size(), dataset_title(app.session.dataset));
  else
    std::snprintf(text, sizeof text, "loading training images...");
  same_line_if_fits(ImGui::CalcTextSize(text).x);
  ImGui::TextDisabled("%s", text);
}

static void option_controls(AppState& app) {
  Trainer& t = app.session.trainer;
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
  app.probes.set("beta", item_rect());
  help_marker("Training maximizes E_q[log p(x|z)] − β KL(q(z|x) ‖ N(0, I)). β = 1: the VAE (the ELBO). β = 0: "
              "a plain autoencoder: nothing keeps the codes near N(0, I), so they spread out and prior samples decode "
              "to junk (see Train & compare). β > 1: a β-VAE (Higgins et al. 2017), fewer nats in the code.");
  if (TrainThread::available()) return;  // the steps run on their own threads, beside the frames
  ImGui::SetNextItemWidth(w);
  ImGui::SliderFloat("ms per frame", &app.session.training.budget_ms, 2, 40, "%.0f ms");
  help_marker("How long each frame spends on training steps (at least one step); the rest draws the page. "
              "This build has no threads: a page served with cross-origin isolation trains on two threads of its own.");
}

// The curves: the two terms of the ELBO (moving averages over batches) and the active dimensions,
// against the number of training images seen.
static void curves(const AppState& app, float height) {
  const Training& tr = app.session.training;
  const size_t n = tr.curve.size(), every = std::max<size_t>(1, n / 400);
  PlotSeries recon{"E_q[log p(x|z)]", IM_COL32(110, 170, 255, 255), {}}, kl{"KL", IM_COL32(255, 170, 60, 255), {}};
  PlotSeries active{"active", IM_COL32(120, 220, 140, 255), {}};
  for (size_t i = 0; i < n; ++i) {
    const TrainPoint& p = tr.curve[i];
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
             app.session.trainer.params.config.latent + 0.5f);
}

// Rate (KL) against distortion (-E_q[log p(x|z)]) for each run, earlier runs kept as labelled traces
// (Alemi et al. 2018, "Fixing a broken ELBO": each beta settles at its own point of the trade-off).
static void rate_distortion(AppState& app, float height) {
  const Training& tr = app.session.training;
  static const ImU32 kColors[] = {IM_COL32(110, 170, 255, 255), IM_COL32(255, 170, 60, 255), IM_COL32(120, 220, 140, 255),
                                  IM_COL32(230, 110, 200, 255), IM_COL32(240, 230, 110, 255), IM_COL32(150, 150, 255, 255),
                                  IM_COL32(255, 120, 120, 255), IM_COL32(200, 200, 200, 255)};
  std::vector<PlotSeries> series;
  for (size_t r = 0; r < tr.runs.size(); ++r) {
    PlotSeries s{tr.runs[r].label.c_str(), kColors[r % 8], {}};
    for (const auto& p : tr.runs[r].points) s.points.push_back(ImVec2(p.first, p.second));
    series.push_back(s);
  }
  if (series.empty()) {
    ImGui::TextWrapped("Each training run draws its path here: KL (rate, the nats the code carries) against the "
                       "reconstruction cost (distortion). Train, then Reset with another β and train again: the runs "
                       "stay, labelled, and each β settles at its own point of the trade-off.");
    return;
  }
  plot_lines("rd", ImVec2(ImGui::GetContentRegionAvail().x, height), "distortion −E_q[log p(x|z)], nats",
             "rate KL(q(z|x) ‖ N(0, I)), nats", series, 0.0f);
  app.probes.set("rate_distortion", item_rect());
}

// The KL of each latent dimension over training (columns: time, rows: dimensions): a collapsing
// dimension fades to black, switched off.
static void kl_strip(AppState& app, float height) {
  const Training& tr = app.session.training;
  const int Z = app.session.trainer.params.config.latent, n = static_cast<int>(tr.kl_strip.size());
  if (n == 0 || tr.kl_strip.back().size() != Z) {
    ImGui::TextWrapped("While the model trains, each column here is the mean KL of every latent dimension over 500 test "
                       "images (rows: z_0 at the top). A dimension the model stops using (posterior collapse) fades out.");
    return;
  }
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = std::max(height - ImGui::GetTextLineHeightWithSpacing(), 20.0f);
  ImGui::InvisibleButton("kl_strip", ImVec2(w, h));
  app.probes.set("kl_strip", item_rect());
  float top = 1e-3f;
  for (const Vec& v : tr.kl_strip) top = std::max(top, v.maxCoeff());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cw = w / n, rh = h / Z;
  for (int c = 0; c < n; ++c)
    for (int j = 0; j < Z; ++j)
      dl->AddRectFilled(ImVec2(at.x + c * cw, at.y + j * rh), ImVec2(at.x + (c + 1) * cw + 0.5f, at.y + (j + 1) * rh + 0.5f),
                        heat_color(std::sqrt(std::max(tr.kl_strip[c][j], 0.0f) / top)));
  dl->AddRect(at, ImVec2(at.x + w, at.y + h), IM_COL32(90, 90, 110, 255));
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = std::clamp(static_cast<int>((m.x - at.x) / cw), 0, n - 1), j = std::clamp(static_cast<int>((m.y - at.y) / rh), 0, Z - 1);
    ImGui::SetTooltip("z_%d after %.0f training images: KL %.3f nats%s", j, tr.kl_strip_images[c], tr.kl_strip[c][j],
                      tr.kl_strip[c][j] <= kActiveKl ? " (inactive)" : "");
  }
  const int active = static_cast<int>((tr.kl_strip.back().array() > static_cast<float>(kActiveKl)).count());
  ImGui::TextDisabled("KL per dimension (brighter: more nats); now %d of %d active", active, Z);
}

static void stats_and_plot(AppState& app) {
  const Training& tr = app.session.training;
  const Trainer& t = app.session.trainer;
  const long long per_epoch = std::max<long long>(1, t.steps_per_epoch(static_cast<long long>(app.session.train.labels.size())));
  ImGui::Text("steps %lld   epoch %.2f", tr.steps, t.epoch + double(t.cursor) / per_epoch);
  if (tr.running)
    ImGui::Text("%.0f images/s while stepping (%s), %.1f steps/s", tr.samples_per_s,
                session_train_threads() > 1 ? "2 threads" : "1 thread, in frames", tr.steps_per_s);
  else
    ImGui::TextDisabled(tr.steps > 0 ? "paused" : "not training");
  const std::string text = session_elbo_text(app.session);
  if (tr.elbo.empty()) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s", text.c_str());
  if (tr.elbo.empty()) ImGui::PopStyleColor();
  help_marker("ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)), in nats per image, averaged over the batch; higher "
              "is better. log p(x|z) is the Bernoulli log-likelihood of the pixels (the reconstruction term); "
              "the KL keeps the codes near the prior. The plots: moving averages of both terms over the batches, "
              "and the number of active dimensions (mean KL over 500 test images above 0.01 nats).");
  TrainPanel& tp = app.train_panel;
  const char* const tabs[3] = {"ELBO terms", "rate vs distortion", "KL per dim."};
  for (int k = 0; k < 3; ++k) {
    if (k > 0) same_line_if_fits(ImGui::GetFrameHeight() + ImGui::CalcTextSize(tabs[k]).x + 8);
    if (ImGui::RadioButton(tabs[k], tp.plot == k)) tp.plot = k;
    app.probes.set_at("train_plots", static_cast<size_t>(k), item_rect());
  }
  // room for the model choice below (its height last frame: it wraps in a narrow panel)
  const float below = tp.below_h > 0 ? tp.below_h : ImGui::GetFrameHeightWithSpacing() * 2.4f;
  const float h = ImGui::GetContentRegionAvail().y - below;
  ImGui::BeginGroup();
  if (tp.plot == 1) rate_distortion(app, h);
  else if (tp.plot == 2) kl_strip(app, h);
  else curves(app, h);
  ImGui::EndGroup();
  app.probes.set("train_plot", item_rect());
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
  const float w = ImGui::GetFontSize() * 3.5f, gap = ImGui::GetStyle().ItemInnerSpacing.x;
  same_line_if_fits(w + gap + ImGui::CalcTextSize("Z").x);
  int_combo("Z", kLatents, &tp.new_latent, w);
  same_line_if_fits(w + gap + ImGui::CalcTextSize("hidden").x);
  int_combo("hidden", kHiddens, &tp.new_hidden, w);
  same_line_if_fits(w * 1.2f);
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
  const float top = ImGui::GetCursorPosY();
  model_choice(app);
  app.train_panel.below_h = ImGui::GetCursorPosY() - top + ImGui::GetFrameHeight() * 0.4f;  // and a little slack
  panel_end(app, kPanelTrain);
}
