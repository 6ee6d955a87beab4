// Training checkpoints: the weights file plus the optimizer's moments ("optimizer.m", "optimizer.v")
// and, in the metadata, the generator state, epoch and options, so --resume continues bit-exactly.
#pragma once
#include <string>

#include "core/status.h"
#include "io/weights.h"
#include "train/trainer.h"

// Bounds of what a checkpoint (and the trainer's flags) may hold.
constexpr long long kMaxEpochs = 100000;
constexpr int kMaxBatch = 60000;
constexpr int kMaxSamples = 1000;

Status checkpoint_save(const std::string& path, const Trainer& trainer, const Metadata& provenance);
// Parses a checkpoint from bytes (messages are prefixed with `source`): every field in range, the
// moments of the model's size, the work buffers its batch needs within kMaxWorkFloats. Restores
// everything in *trainer (untouched on failure) except its buffers (Trainer::prepare).
Status checkpoint_parse(const uint8_t* bytes, size_t size, const std::string& source, Trainer* trainer);
// Reads and parses the file at `path`, then prepares the trainer's buffers.
Status checkpoint_load(const std::string& path, Trainer* trainer);
