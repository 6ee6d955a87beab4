// Training checkpoints: the weights file plus the optimizer's moments ("optimizer.m", "optimizer.v")
// and, in the metadata, the generator state, epoch and options, so --resume continues bit-exactly.
#pragma once
#include <string>

#include "core/status.h"
#include "io/weights.h"
#include "train/trainer.h"

Status checkpoint_save(const std::string& path, const Trainer& trainer, const Metadata& provenance);
// Restores everything in *trainer (untouched on failure) and prepares its buffers.
Status checkpoint_load(const std::string& path, Trainer* trainer);
