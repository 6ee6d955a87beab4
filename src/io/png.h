// Grids of 28x28 images as 8-bit grayscale PNG files (stb_image_write), written atomically.
#pragma once
#include <string>

#include "core/status.h"
#include "core/tensor.h"

// Tiles the rows of `images` (N x h*w, values in [0, 1]) into a grid `columns` wide, with a
// `gap`-pixel dark border, each pixel scaled up `zoom` times, and writes it to `path`.
Status png_write_grid(const std::string& path, const ConstMatMap& images, int h, int w, int columns, int gap = 2,
                      int zoom = 2);
