// A small x-y line plot for the panels: axes with ticks at round numbers, axis labels, a legend.
#pragma once
#include <cmath>
#include <vector>

#include "imgui.h"

struct PlotSeries {
  const char* name = "";
  ImU32 color = IM_COL32_WHITE;
  std::vector<ImVec2> points;  // (x, y), x increasing
};

// Draws the series in a box of `size` at the cursor (y range fitted to the data, with `y_min` /
// `y_max` when not NaN), the y label above its axis, the x axis labelled only when `x_label` is
// non-null. Returns the plot's rectangle (min, max).
void plot_lines(const char* id, ImVec2 size, const char* x_label, const char* y_label,
                const std::vector<PlotSeries>& series, float y_min = NAN, float y_max = NAN);

// A round step (1, 2 or 5 times a power of ten) that cuts `range` into about `parts` pieces.
double nice_step(double range, int parts);
// "1.2k", "60k", "3.4M": short numbers for tick labels.
void short_number(char* out, int size, double v);
