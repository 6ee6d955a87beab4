// A drawing prepared as MNIST's digits were (LeCun et al., the MNIST database's description): the
// ink's bounding box scaled, aspect ratio kept, to fit a 20x20 box, then placed in the 28x28 image
// so that its centre of mass sits at the image's centre. The encoder was trained on such images: a
// small or off-centre drawing looks like a digit to it only after this.
#pragma once
#include "core/tensor.h"

// Pixels at or below this intensity do not count towards the bounding box (a soft brush's fringe).
constexpr float kInkThreshold = 0.1f;

// out (side*side) = `in` (side*side intensities in [0, 1], row-major) prepared as above for a
// side x side image (MNIST: 28, box 20). An image without ink is copied unchanged. Returns false then.
bool mnist_prepare(float* out, const float* in, int side = 28, int box = 20);
