// One training step in slow motion (slow_step.h): the batch, its trace, and the update applied with
// the trainer's optimizer and KL weight, so a walked step is a real step of the session's training.
#include "app/session/slow_step.h"

#include "app/session/session.h"

bool slow_step_begin(Session& s) {
  SlowStep& st = s.slow_step;
  if (!s.has_model) return false;
  if (s.train.labels.size() < static_cast<size_t>(kStepBatch) || !session_labels_fit(s)) {
    session_set_status(s, "One step needs the training images: they are still loading", false);
    return false;
  }
  session_pause_training(s);
  const VaeParams& p = s.trainer.params;
  const int C = p.config.classes;
  // the batch: kStepBatch training images drawn from this walk's stream, binarized afresh as in training
  Rng rng(static_cast<uint64_t>(st.count) + 1, 41);
  st.images.resize(kStepBatch);
  Mat intensities(kStepBatch, p.config.input);
  std::vector<uint8_t> labels(kStepBatch);
  for (int b = 0; b < kStepBatch; ++b) {
    st.images[b] = static_cast<int>(rng.below(static_cast<uint32_t>(s.train.labels.size())));
    intensities.row(b) = s.train.images.row(st.images[b]);
    labels[b] = s.train.labels[static_cast<size_t>(st.images[b])];
  }
  Mat X(kStepBatch, p.config.input);
  observe(X, intensities, p.config.likelihood, rng);
  st.y = C > 0 ? one_hot(labels.data(), kStepBatch, C) : no_labels(kStepBatch);
  st.work.resize(p, kStepBatch);
  vae_step_trace(&st.trace, st.work, p, X, st.y, rng, s.trainer.options.beta);
  st.active = true;
  st.updated = false;
  st.stage = StepStage::encode;
  st.stage_at = s.now;
  st.version = s.version;
  ++st.count;
  ++st.serial;
  return true;
}

// The update: the trainer's optimizer on the traced gradient, the batch re-encoded with the new weights.
static void apply_update(Session& s) {
  SlowStep& st = s.slow_step;
  st.before = s.trainer.params;
  st.optimizer_before = s.trainer.optimizer;
  s.trainer.optimizer.lr = s.trainer.options.lr;
  // theta <- theta - Adam(dL/dtheta), L = the batch mean of -(log p(x|z) - beta KL)
  s.trainer.optimizer.update(s.trainer.params.data.data(), st.work.grad.data(), s.trainer.params.size());
  vae_step_trace_after(&st.trace, st.work, s.trainer.params, st.y);
  session_record_step(s, st.trace.loss);
  ++s.version;
  st.version = s.version;
  st.updated = true;
}

static void undo_update(Session& s) {
  SlowStep& st = s.slow_step;
  s.trainer.params.data = st.before.data;
  s.trainer.optimizer = st.optimizer_before;
  session_unrecord_step(s);
  ++s.version;
  st.version = s.version;
  st.updated = false;
}

void slow_step_set_stage(Session& s, StepStage stage) {
  SlowStep& st = s.slow_step;
  if (!st.active && !slow_step_begin(s)) return;
  if (stage == StepStage::update && !st.updated) apply_update(s);
  if (stage != StepStage::update && st.updated) undo_update(s);
  st.stage = stage;
  st.stage_at = s.now;
  ++st.serial;
}

void slow_step_next(Session& s) {
  SlowStep& st = s.slow_step;
  if (!st.active || st.stage == StepStage::update) {
    slow_step_begin(s);
    return;
  }
  slow_step_set_stage(s, static_cast<StepStage>(static_cast<int>(st.stage) + 1));
}

void slow_step_back(Session& s) {
  SlowStep& st = s.slow_step;
  if (!st.active || st.stage == StepStage::encode) return;
  slow_step_set_stage(s, static_cast<StepStage>(static_cast<int>(st.stage) - 1));
}

void slow_step_frame(Session& s) {
  SlowStep& st = s.slow_step;
  if (st.active && (s.version != st.version || s.training.running)) {
    // the model changed under the walk (training, another model): its numbers no longer describe it
    st.active = false;
    st.playing = false;
    ++st.serial;
  }
  if (st.playing && s.now - st.stage_at >= st.seconds_per_stage) slow_step_next(s);
}
