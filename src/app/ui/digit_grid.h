// A grid of decoded digits on one texture: what the sample grid, the map, the strips and the
// one-image views draw.
#pragma once
#include <cstdint>
#include <vector>

#include "app/platform/gl_texture.h"
#include "app/session/infer.h"

struct Session;

// A grid of decoded digits on one texture, and when it was last drawn.
struct DigitGrid {
  Mat z, probs;                 // N x Z codes, N x D pixel probabilities
  Mat y;                        // N x C labels a conditional model decodes with (else ignored)
  std::vector<uint8_t> pixels;  // cols*28 x rows*28
  GrayTexture texture;
  int cols = 0, rows = 0;
  long long version = -1;  // model version drawn (-1: never)
  double drawn_at = 0;     // seconds
};

// Decodes grid->z (with the labels grid->y for a conditional model) with the session's model into
// grid->probs and uploads cols x rows tiles.
void grid_decode(Session& s, DigitGrid* grid, int cols, int rows);
// ... or shows a draw x ~ p(x|z) of each code instead of the mean, from the stream of `seed`.
void grid_decode_draw(Session& s, DigitGrid* grid, int cols, int rows, uint64_t seed);
// Shows probs (N x D) as cols x rows tiles, drawn at model version `version`, time `now`.
void grid_show(DigitGrid* grid, const ConstMatRef& probs, int cols, int rows, long long version, double now);
