// Line plots with axes (plot.h).
#include "app/ui/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

double nice_step(double range, int parts) {
  if (!(range > 0)) return 1;
  const double raw = range / parts, p = std::pow(10.0, std::floor(std::log10(raw))), f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

void short_number(char* out, int size, double v) {
  const double a = std::abs(v);
  if (a >= 1e6)
    std::snprintf(out, static_cast<size_t>(size), "%gM", std::round(v / 1e5) / 10);
  else if (a >= 1e3)
    std::snprintf(out, static_cast<size_t>(size), "%gk", std::round(v / 1e2) / 10);
  else
    std::snprintf(out, static_cast<size_t>(size), "%g", std::round(v * 100) / 100);
}

void plot_lines(const char* id, ImVec2 size, const char* x_label, const char* y_label,
                const std::vector<PlotSeries>& series, float y_min, float y_max) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size);
  // the data's ranges
  float x0 = INFINITY, x1 = -INFINITY, lo = INFINITY, hi = -INFINITY;
  for (const PlotSeries& s : series)
    for (const ImVec2& p : s.points) {
      if (!std::isfinite(p.y)) continue;
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), lo = std::min(lo, p.y), hi = std::max(hi, p.y);
    }
  if (!std::isnan(y_min)) lo = y_min;
  if (!std::isnan(y_max)) hi = y_max;
  const bool empty = !(x1 >= x0) || !(hi >= lo);
  if (empty) x0 = 0, x1 = 1, lo = 0, hi = 1;
  if (x1 - x0 < 1e-6f) x1 = x0 + 1;
  if (hi - lo < 1e-6f) hi = lo + 1, lo -= 1;
  const double ystep = nice_step(hi - lo, 3);
  lo = static_cast<float>(std::floor(lo / ystep) * ystep), hi = static_cast<float>(std::ceil(hi / ystep) * ystep);
  // the frame: y tick labels on the left, the y label over the axis, x tick labels below
  const float label_w = ImGui::CalcTextSize("-000.0").x + 4;
  const ImVec2 a(at.x + label_w, at.y + line + 2);
  const ImVec2 b(at.x + size.x - 4, at.y + size.y - (x_label ? 2 * line + 4 : line * 0.5f));
  if (b.y - a.y < 10) return;
  dl->AddRectFilled(a, b, IM_COL32(20, 22, 28, 255));
  dl->AddRect(a, b, IM_COL32(90, 90, 110, 255));
  auto sx = [&](float x) { return a.x + (x - x0) / (x1 - x0) * (b.x - a.x); };
  auto sy = [&](float y) { return b.y - (y - lo) / (hi - lo) * (b.y - a.y); };
  char text[32];
  for (double y = lo; y <= hi + ystep * 0.01; y += ystep) {
    dl->AddLine(ImVec2(a.x, sy(static_cast<float>(y))), ImVec2(b.x, sy(static_cast<float>(y))), IM_COL32(60, 60, 75, 255));
    short_number(text, sizeof text, y);
    const float w = ImGui::CalcTextSize(text).x;
    dl->AddText(ImVec2(a.x - w - 4, sy(static_cast<float>(y)) - line * 0.5f), IM_COL32(160, 160, 175, 255), text);
  }
  dl->AddText(ImVec2(a.x, at.y), IM_COL32(200, 200, 210, 255), y_label);
  // the legend after the y label
  float lx = a.x + ImGui::CalcTextSize(y_label).x + 12;
  for (const PlotSeries& s : series) {
    if (series.size() < 2) break;
    dl->AddRectFilled(ImVec2(lx, at.y + line * 0.35f), ImVec2(lx + 10, at.y + line * 0.65f), s.color);
    dl->AddText(ImVec2(lx + 13, at.y), s.color, s.name);
    lx += 20 + ImGui::CalcTextSize(s.name).x;
  }
  if (x_label) {
    const double xstep = nice_step(x1 - x0, 4);
    for (double x = std::ceil(x0 / xstep) * xstep; x <= x1; x += xstep) {
      short_number(text, sizeof text, x);
      const float w = ImGui::CalcTextSize(text).x, px = std::clamp(sx(static_cast<float>(x)) - w * 0.5f, a.x, b.x - w);
      dl->AddLine(ImVec2(sx(static_cast<float>(x)), b.y), ImVec2(sx(static_cast<float>(x)), b.y + 3), IM_COL32(160, 160, 175, 255));
      dl->AddText(ImVec2(px, b.y + 2), IM_COL32(160, 160, 175, 255), text);
    }
    const float w = ImGui::CalcTextSize(x_label).x;
    dl->AddText(ImVec2((a.x + b.x - w) * 0.5f, b.y + line + 3), IM_COL32(200, 200, 210, 255), x_label);
  }
  if (empty) return;
  dl->PushClipRect(a, b, true);
  for (const PlotSeries& s : series) {
    std::vector<ImVec2> pts;
    pts.reserve(s.points.size());
    for (const ImVec2& p : s.points)
      if (std::isfinite(p.y)) pts.push_back(ImVec2(sx(p.x), sy(p.y)));
    if (pts.size() == 1) dl->AddCircleFilled(pts[0], 2.5f, s.color);
    if (pts.size() > 1) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), s.color, 0, 1.5f);
  }
  dl->PopClipRect();
}
