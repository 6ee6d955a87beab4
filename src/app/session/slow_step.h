// One training step in slow motion (the "One step" view): a small batch of training images walked
// through the stages of model/step_trace.h one at a time, Next / Back or played, and the update
// applied to the session's model with the trainer's own optimizer when the walk reaches it (Back
// from there restores the weights and the optimizer). No UI: the view draws these.
#pragma once
#include <vector>

#include "core/optim.h"
#include "model/step_trace.h"

struct Session;

struct SlowStep {
  bool active = false;  // a batch is being walked through
  StepStage stage = StepStage::encode;
  StepTrace trace;
  std::vector<int> images;  // the batch's training image numbers
  Mat y;                    // B x C: their one-hot labels (conditional models), else B x 0
  VaeWork work;             // sized for the batch and the model
  bool updated = false;     // the update has been applied to the session's model
  VaeParams before;         // the weights ...
  Optimizer optimizer_before;  // ... and the optimizer before the update (Back undoes it)
  long long count = 0;         // batches walked so far (each draws its own batch and eps)
  long long version = -1;      // the model version the trace describes
  long long serial = 0;        // bumps when the trace or the stage changes
  bool playing = false;        // stages advance by themselves ...
  float seconds_per_stage = 2.0f;  // ... this often
  double stage_at = 0;             // when the stage was entered
};
constexpr int kStepBatch = 12;

// A new batch of kStepBatch training images and eps, traced through every stage with the session's
// model and KL weight; shows the first stage. Pauses training. False (status set) without training images.
bool slow_step_begin(Session& s);
// Shows stage `stage` of the batch (beginning one if none is active): reaching the update applies
// it; going back before it restores the weights.
void slow_step_set_stage(Session& s, StepStage stage);
void slow_step_next(Session& s);  // after the update: a new batch
void slow_step_back(Session& s);
// Every frame: ends the walk when the model changed under it (another model, training), advances a
// playing walk.
void slow_step_frame(Session& s);
