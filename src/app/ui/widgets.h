// Small widgets the panels share (widgets.cpp): captions, help markers, images of digit grids,
// colours, and a list of the model's classes.
#pragma once
#include <string>

#include "app/ui/digit_grid.h"
#include "app/ui/probes.h"
#include "imgui.h"

struct Session;

void help_marker(const char* text);  // a "(?)" that shows text on hover
void caption(const char* text);      // muted text under a window's title (one line in a small window)
void text_ellipsis(const char* text, float width);  // the text cut to `width` with "..."
// SameLine() when `width` more fits on the current line, else the next line.
void same_line_if_fits(float width);
Rect item_rect();                    // the last widget's rectangle
// A grid texture drawn at `size` pixels; returns the screen position of its top-left corner.
ImVec2 grid_image(const DigitGrid& grid, ImVec2 size);
ImU32 digit_color(int label, float alpha = 1.0f);
// A heat colour for v in [0, 1] (black - red - yellow - white).
ImU32 heat_color(float v);
// A row of a two-column table of figures: what (its help on hover) and the value in nats to two
// decimals in `color` ("..." while it is not finite: still to come).
void figure_row(const char* what, const char* help, double value, ImU32 color = IM_COL32(230, 230, 235, 255));
// Text centred in the current line's available width.
void text_centered(const char* text);
// A list of the model's classes by name (a conditional model); `all`, when given, is an extra first
// entry meaning -1. Records the closed list's rectangle as probe `probe`, and the open list's entries
// in the list "popup_items". True when the choice changed.
bool class_combo(const Session& s, Probes& probes, const char* label, int* cls, const char* all,
                 const std::string& probe, float width_em = 8);
