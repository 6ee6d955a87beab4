// The native window's self-check (vae-app --screenshot): reads the frame just drawn back from OpenGL,
// writes it as a grayscale PNG (the core's png_write_grid) and says whether anything was drawn.
#pragma once
#include <string>

#include "core/status.h"

// Reads the current framebuffer (width x height) after rendering, before the buffer swap, writes it to
// `path`, and fails when the frame is blank (one uniform colour) or the digits' rectangle `grid`
// (x, y, w, h: the sample grid, or the inspected input, in ImGui coordinates = framebuffer pixels)
// holds no bright pixels. *report says what was measured.
Status screenshot_check(const std::string& path, int width, int height, const float grid[4], std::string* report);
