// Grids of decoded digits as textures (digit_grid.h).
#include "app/ui/digit_grid.h"

#include "app/session/session.h"

void grid_show(DigitGrid* grid, const ConstMatRef& probs, int cols, int rows, long long version, double now) {
  tile_images(&grid->pixels, probs, cols, rows);
  grid->cols = cols;
  grid->rows = rows;
  texture_upload(&grid->texture, grid->pixels, cols * kSide, rows * kSide);
  grid->version = version;
  grid->drawn_at = now;
}

void grid_decode_draw(Session& s, DigitGrid* grid, int cols, int rows, uint64_t seed) {
  grid->probs.resize(grid->z.rows(), s.trainer.params.config.input);
  Rng rng(seed, 43);
  decode_draw(grid->probs, s.inf, s.trainer.params, grid->z, grid->y, rng);
  grid_show(grid, grid->probs, cols, rows, s.version, s.now);
}

void grid_decode(Session& s, DigitGrid* grid, int cols, int rows) {
  grid->probs.resize(grid->z.rows(), s.trainer.params.config.input);
  decode_probs(grid->probs, s.inf, s.trainer.params, grid->z, grid->y);
  grid_show(grid, grid->probs, cols, rows, s.version, s.now);
}
