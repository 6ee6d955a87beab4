// 8-bit grayscale images as GL textures, nearest filtering when enlarged (one texture per digit grid):
// GL_R8 with a (r, r, r, 1) swizzle on desktop OpenGL 3, GL_LUMINANCE on WebGL2 (which has no swizzle).
#pragma once
#include <cstdint>
#include <vector>

#include "imgui.h"

struct GrayTexture {
  unsigned id = 0;  // GL name, 0 before the first upload
  int width = 0, height = 0;

  ImTextureID im_id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(id)); }
};

// Uploads width x height bytes (row-major, rows packed), creating or resizing the texture.
void texture_upload(GrayTexture* t, const uint8_t* pixels, int width, int height);
inline void texture_upload(GrayTexture* t, const std::vector<uint8_t>& pixels, int width, int height) {
  texture_upload(t, pixels.data(), width, height);
}
void texture_free(GrayTexture* t);
// How many uploads and frees there have been: a frame whose draw lists and this count are the
// previous frame's looks the same (the page then skips drawing it, tools/vae_app.cpp).
unsigned long long texture_changes();
