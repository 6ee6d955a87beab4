// Image grids to PNG via stb_image_write, into memory first so the file is written atomically.
#include "io/png.h"

#include <algorithm>
#include <vector>

#include "io/safetensors.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

static void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* bytes = static_cast<const uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

Status png_write_grid(const std::string& path, const ConstMatMap& images, int h, int w, int columns, int gap, int zoom) {
  const int n = static_cast<int>(images.rows());
  if (n == 0 || columns <= 0 || images.cols() != h * w) return Status::error(path + ": nothing to draw");
  const int rows = (n + columns - 1) / columns;
  const int cell_w = w * zoom + gap, cell_h = h * zoom + gap;
  const int width = columns * cell_w + gap, height = rows * cell_h + gap;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height, 40);
  for (int i = 0; i < n; ++i) {
    const int x0 = gap + (i % columns) * cell_w, y0 = gap + (i / columns) * cell_h;
    for (int y = 0; y < h * zoom; ++y)
      for (int x = 0; x < w * zoom; ++x) {
        const float p = images(i, (y / zoom) * w + x / zoom);
        const float v = p > 0 ? std::min(p, 1.0f) : 0.0f;  // NaN (a diverged model) is black, not UB
        pixels[static_cast<size_t>(y0 + y) * width + x0 + x] = static_cast<uint8_t>(v * 255.0f + 0.5f);
      }
  }
  std::vector<uint8_t> png;
  if (!stbi_write_png_to_func(append_bytes, &png, width, height, 1, pixels.data(), width))
    return Status::error(path + ": PNG encoding failed");
  return file_write_atomic(path, png);
}
