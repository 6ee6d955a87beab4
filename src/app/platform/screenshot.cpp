// Framebuffer read-back and the blank-frame check of the native window (screenshot.h).
#include "app/platform/screenshot.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "io/png.h"
#ifndef __EMSCRIPTEN__
#include <GL/gl.h>
#endif

Status screenshot_check(const std::string& path, int width, int height, const float grid[4], std::string* report) {
#ifdef __EMSCRIPTEN__
  (void)path, (void)width, (void)height, (void)grid, (void)report;
  return Status::error("screenshots are native only");
#else
  if (width <= 0 || height <= 0) return Status::error("the window has no pixels");
  std::vector<uint8_t> rgba(static_cast<size_t>(width) * height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
  // gray = (r + g + b) / 3, rows flipped (OpenGL's first row is the bottom one)
  Mat gray(1, static_cast<Eigen::Index>(width) * height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = &rgba[(static_cast<size_t>(height - 1 - y) * width + x) * 4];
      gray(0, static_cast<Eigen::Index>(y) * width + x) = (p[0] + p[1] + p[2]) / (3.0f * 255.0f);
    }
  const float mean = gray.mean();
  const float stddev = std::sqrt((gray.array() - mean).square().mean());
  // the share of bright pixels (> 0.5) inside the sample grid: digits drawn there
  long long bright = 0, inside = 0;
  for (int y = static_cast<int>(grid[1]); y < static_cast<int>(grid[1] + grid[3]) && y < height; ++y)
    for (int x = static_cast<int>(grid[0]); x < static_cast<int>(grid[0] + grid[2]) && x < width; ++x, ++inside)
      if (x >= 0 && y >= 0) bright += gray(0, static_cast<Eigen::Index>(y) * width + x) > 0.5f;
  const double ink = inside > 0 ? double(bright) / inside : 0.0;
  char text[160];
  std::snprintf(text, sizeof text, "%dx%d, gray mean %.3f, stddev %.3f; digits %.0fx%.0f, bright share %.3f",
                width, height, mean, stddev, grid[2], grid[3], ink);
  *report = text;
  Status s = png_write_grid(path, ConstMatMap(gray.data(), 1, gray.cols()), height, width, 1, 0, 1);
  if (!s.ok) return s;
  if (stddev < 0.02f) return Status::error("the frame is blank (one uniform colour): " + *report);
  if (ink < 0.02) return Status::error("no digits where they should be: " + *report);
  return Status::success();
#endif
}
