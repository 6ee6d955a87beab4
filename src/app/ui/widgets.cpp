// Small widgets the panels share (widgets.h).
#include "app/ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/session/session.h"
#include "imgui_internal.h"

void help_marker(const char* text) {
  same_line_if_fits(ImGui::CalcTextSize("(?)").x);
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void caption(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  const float width = ImGui::GetContentRegionAvail().x;
  const bool small = ImGui::GetWindowHeight() < ImGui::GetTextLineHeight() * 28;
  if (small && ImGui::CalcTextSize(text).x > width) {
    // a small panel: one line, the rest on hover
    text_ellipsis(text, width);
    if (ImGui::IsItemHovered()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
      ImGui::TextUnformatted(text);
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  } else {
    ImGui::TextWrapped("%s", text);
  }
  ImGui::PopStyleColor();
}

void text_ellipsis(const char* text, float width) {
  const char* end = text + std::strlen(text);
  if (ImGui::CalcTextSize(text).x <= width) {
    ImGui::TextUnformatted(text);
    return;
  }
  // the longest prefix that fits with "..." after it
  const float dots = ImGui::CalcTextSize("...").x;
  const char* cut = text;
  ImGui::GetFont()->CalcTextSizeA(ImGui::GetFontSize(), std::max(0.0f, width - dots), 0.0f, text, end, &cut);
  std::string shown(text, cut);
  shown += "...";
  ImGui::TextUnformatted(shown.c_str());
}

void figure_row(const char* what, const char* help, double value, ImU32 color) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(what);
  if (help && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", help);
  ImGui::TableNextColumn();
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  if (std::isfinite(value))
    ImGui::Text("%.2f", value);
  else
    ImGui::TextDisabled("...");
  ImGui::PopStyleColor();
}

void same_line_if_fits(float width) {
  // the content's right edge (from the new line's start), and where the item would go on this line
  const float edge = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  const float at = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x;
  if (edge - at >= width) ImGui::SameLine();  // else the item starts the next line, as it is
}

Rect item_rect() {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  return Rect{a.x, a.y, b.x - a.x, b.y - a.y};
}

ImVec2 grid_image(const DigitGrid& grid, ImVec2 size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  if (grid.texture.id != 0)
    ImGui::Image(grid.texture.im_id(), size);
  else
    ImGui::Dummy(size);
  ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(90, 90, 110, 255));
  return at;
}

ImU32 digit_color(int label, float alpha) {
  // ten colours that stay apart on a gray background (a qualitative palette)
  static const unsigned char rgb[10][3] = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200},
                                           {245, 130, 48}, {170, 60, 210}, {70, 240, 240}, {240, 50, 230},
                                           {210, 245, 60}, {250, 190, 212}};
  const unsigned char* c = rgb[std::clamp(label, 0, 9)];
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(alpha * 255));
}

bool class_combo(const Session& s, Probes& probes, const char* label, int* cls, const char* all,
                 const std::string& probe, float width_em) {
  const int C = session_classes(s);
  const std::string current = *cls < 0 && all ? std::string(all) : session_class_name(s, std::max(*cls, 0));
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetFontSize() * width_em;
  probes.set(probe, Rect{at.x, at.y, width, ImGui::GetFrameHeight()});
  ImGui::SetNextItemWidth(width);
  if (!ImGui::BeginCombo(label, current.c_str(), ImGuiComboFlags_HeightLarge)) return false;
  bool changed = false;
  for (int k = all ? -1 : 0; k < C; ++k) {
    const std::string name = k < 0 ? std::string(all) : session_class_name(s, k);
    if (ImGui::Selectable(name.c_str(), k == *cls) && k != *cls) {
      *cls = k;
      changed = true;
    }
    probes.add("popup_items", item_rect());
  }
  ImGui::EndCombo();
  return changed;
}

ImU32 heat_color(float v) {
  // black -> red -> yellow -> white as v goes 0 -> 1/3 -> 2/3 -> 1
  const float t = std::clamp(v, 0.0f, 1.0f) * 3;
  const float r = std::min(t, 1.0f), g = std::clamp(t - 1, 0.0f, 1.0f), b = std::clamp(t - 2, 0.0f, 1.0f);
  return IM_COL32(static_cast<int>(r * 255), static_cast<int>(g * 255), static_cast<int>(b * 255), 255);
}

void text_centered(const char* text) {
  const float w = ImGui::CalcTextSize(text).x, avail = ImGui::GetContentRegionAvail().x;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (avail - w) * 0.5f));
  ImGui::TextUnformatted(text);
}
