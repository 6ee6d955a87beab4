// Contour lines of a field on a grid, by marching squares: what the true posterior's view draws.
#pragma once
#include <vector>

#include "core/tensor.h"

struct ContourSegment {
  float x0, y0, x1, y1;  // in cell-centre coordinates: (c, r) is the centre of cell c of row r
};

// The segments of {v = level} over the n x n values (row r, column c at v[r * n + c]).
std::vector<ContourSegment> contour_segments(const Vec& v, int n, float level);

// The levels that enclose the highest-density regions holding each share of the mass (mass: n * n
// values summing to 1): for 0.5, the value above which the largest cells hold half the mass.
std::vector<float> mass_levels(const Vec& mass, const std::vector<float>& shares);
