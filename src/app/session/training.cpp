// Training in the session (Kingma & Welling 2014, algorithm 1): minibatch gradient steps of the
// core's Trainer on the training images of the current dataset, on the training thread where there
// are threads, else a few milliseconds of them in every frame, so every view shows the model as it
// learns. A conditional model trains on [x | y] with each image's label.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/session/session.h"

int session_train_threads() { return TrainThread::available() ? 2 : 1; }

bool session_labels_fit(const Session& s) {
  const int C = session_classes(s);
  if (C == 0 || s.train.labels.empty()) return true;
  return *std::max_element(s.train.labels.begin(), s.train.labels.end()) < C;
}

// One ended step into the curves: its ELBO, the moving averages of both terms. False when the
// loss is not finite (training stops).
bool session_record_step(Session& s, const VaeLoss& loss) {
  Training& tr = s.training;
  tr.last = loss;
  const float elbo = static_cast<float>(-loss.neg_elbo);
  tr.elbo.push_back(elbo);
  // the plot shows exponential moving averages of the two terms: one batch's figures are noisy
  TrainPoint point;
  point.images = static_cast<double>(tr.steps + 1) * s.trainer.options.batch;
  point.recon = static_cast<float>(-loss.bce);
  point.kl = static_cast<float>(loss.kl);
  if (!tr.curve.empty()) {
    point.recon = 0.95f * tr.curve.back().recon + 0.05f * point.recon;
    point.kl = 0.95f * tr.curve.back().kl + 0.05f * point.kl;
  }
  tr.curve.push_back(point);
  // the run's path in the rate-distortion plane
  if (tr.new_run) {
    char label[96];
    const TrainOptions& o = s.trainer.options;
    std::snprintf(label, sizeof label, "β %.2f, lr %.1e, batch %d, Z %d", o.beta, o.lr, o.batch, s.trainer.params.config.latent);
    tr.runs.push_back(RunTrace{label, {}});
    if (tr.runs.size() > kMaxRuns) tr.runs.erase(tr.runs.begin());
    tr.new_run = false;
  }
  if (tr.steps % kRunEvery == 0) tr.runs.back().points.push_back({-point.recon, point.kl});
  ++tr.steps;
  ++tr.window_steps;
  return std::isfinite(elbo);
}

void session_unrecord_step(Session& s) {
  Training& tr = s.training;
  if (tr.steps == 0 || tr.elbo.empty() || tr.curve.empty()) return;
  tr.elbo.pop_back();
  tr.curve.pop_back();
  if ((tr.steps - 1) % kRunEvery == 0 && !tr.runs.empty() && !tr.runs.back().points.empty()) tr.runs.back().points.pop_back();
  --tr.steps;
  if (tr.window_steps > 0) --tr.window_steps;
}

static void record_rate(Training& tr, double rate) {
  tr.samples_per_s = tr.samples_per_s == 0 ? rate : 0.9 * tr.samples_per_s + 0.1 * rate;
}

static void diverged(Session& s) {
  session_pause_training(s);
  session_set_status(s, "Training diverged (the loss is not finite): lower the learning rate and reset", true);
}

// Steps ended on the training thread: the newest parameters (swapped in, no copy), every step's
// figures. The frame never waits for a step.
static void thread_frame_steps(Session& s, const uint8_t* labels) {
  TrainThread& tt = s.train_thread;
  if (!tt.training() && !tt.start(s.trainer, session_train_threads(), s.train.images, labels)) return;
  tt.set_options(s.trainer.options);  // the sliders' values, for the next step
  std::vector<TrainThread::Step> steps;
  if (!tt.take(s.trainer.params.data, steps)) return;
  ++s.version;
  for (const TrainThread::Step& step : steps) {
    record_rate(s.training, s.trainer.options.batch / std::max(step.seconds, 1e-6));
    s.trainer.epoch = step.epoch;  // for the figures (the whole state comes back on pause)
    s.trainer.cursor = step.cursor;
    if (!session_record_step(s, step.loss)) return diverged(s);
  }
}

void session_start_training(Session& s) {
  Training& tr = s.training;
  tr.running = true;
  tr.window_at = s.now;
  tr.window_steps = 0;
  session_set_status(s, "Training on " + std::to_string(s.train.labels.size()) + " " + dataset_title(s.dataset) +
                            " images" + (session_classes(s) > 0 ? " with their labels" : ""), false);
}

void session_pause_training(Session& s) {
  s.training.running = false;
  if (!s.train_thread.training() && !s.train_thread.benchmarking()) return;
  std::vector<TrainThread::Step> steps;
  s.train_thread.stop(&s.trainer, &steps);  // waits for the step under way, at most one
  for (const TrainThread::Step& step : steps) session_record_step(s, step.loss);
  ++s.version;
}

void session_train_frame(Session& s) {
  Training& tr = s.training;
  if (!tr.running) return;
  if (s.train.labels.size() < static_cast<size_t>(s.trainer.options.batch)) return session_pause_training(s);
  const uint8_t* labels = session_classes(s) > 0 ? s.train.labels.data() : nullptr;
  if (s.now - tr.window_at >= 1.0) {
    tr.steps_per_s = tr.window_steps / (s.now - tr.window_at);
    tr.window_at = s.now;
    tr.window_steps = 0;
  }
  if (TrainThread::available()) return thread_frame_steps(s, labels);
  // no threads: steps in this frame, for its time budget
  const double start = session_clock();
  long long steps = 0;
  do {
    const VaeLoss loss = s.trainer.step(s.train.images, labels);
    ++steps;
    if (!session_record_step(s, loss)) return diverged(s);
  } while (session_clock() - start < tr.budget_ms / 1000.0);
  ++s.version;
  record_rate(tr, steps * s.trainer.options.batch / std::max(session_clock() - start, 1e-6));
}

std::string session_elbo_text(const Session& s) {
  const Training& tr = s.training;
  char text[128];
  if (!tr.elbo.empty()) {
    std::snprintf(text, sizeof text, "batch ELBO %.1f = recon. %.1f − KL %.1f", -tr.last.neg_elbo, -tr.last.bce, tr.last.kl);
    return text;
  }
  // no steps here: a trained model says what its card measured
  for (const auto& kv : s.meta)
    if (kv.first == "test_elbo") return "test ELBO " + kv.second + " (its model card); no steps here yet";
  return "ELBO: no steps yet (random weights)";
}
