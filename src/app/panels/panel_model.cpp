// Model: the shipped models to pick from, what the current weights are, loading a safetensors file (a
// corrupt or mismatched one leaves the model as it was and says why) and downloading the weights.
#include <cstdio>

#include "app/panels/panels.h"
#include "app/platform/platform.h"

// One entry of the list: its name, then its summary wrapped at `wrap`.
static float entry_height(const ModelEntry& e, float wrap) {
  return ImGui::GetTextLineHeight() + ImGui::CalcTextSize(e.about.c_str(), nullptr, false, wrap).y +
         ImGui::GetStyle().ItemSpacing.y;
}

// The shipped models, one entry each: its name and a line from its metadata. A click loads it.
static void model_picker(AppState& app) {
  app.probes.lists["models"].assign(app.session.models.size(), Rect());
  if (app.session.models.empty()) {
    ImGui::TextDisabled("(no shipped models found)");
    return;
  }
  for (size_t i = 0; i < app.session.models.size(); ++i) {
    const ModelEntry& e = app.session.models[i];
    const int index = static_cast<int>(i);
    const float wrap = ImGui::GetContentRegionAvail().x - ImGui::GetFontSize();
    const float h = entry_height(e, wrap);
    const ImVec2 at = ImGui::GetCursorPos();
    ImGui::PushID(index);
    if (ImGui::Selectable("##model", app.session.model_index == index, 0, ImVec2(0, h)) && app.session.model_pending < 0 &&
        app.session.model_index != index)
      request_pick_model(app, index);
    ImGui::PopID();
    app.probes.set_at("models", static_cast<size_t>(i), item_rect());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nclick: load it (every panel re-sizes to its Z)", e.file.c_str());
    const ImVec2 after = ImGui::GetCursorPos();
    ImGui::SetCursorPos(ImVec2(at.x + ImGui::GetFontSize() * 0.5f, at.y));
    ImGui::Text("%s%s", e.name.c_str(), app.session.model_pending == index ? "  (loading...)" : "");
    const std::string elbo = "  test ELBO " + e.elbo;
    if (!e.elbo.empty() && ImGui::GetContentRegionAvail().x - ImGui::GetItemRectSize().x > ImGui::CalcTextSize(elbo.c_str()).x + 16) {
      ImGui::SameLine();
      ImGui::TextDisabled("%s", elbo.c_str());
    }
    ImGui::SetCursorPosX(at.x + ImGui::GetFontSize() * 0.5f);
    ImGui::PushTextWrapPos(at.x + ImGui::GetFontSize() * 0.5f + wrap);
    ImGui::TextDisabled("%s", e.about.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SetCursorPos(after);
  }
}

static void model_info(AppState& app) {
  app.probes.clear("meta_values");
  const VaeParams& p = app.session.trainer.params;
  ImGui::TextWrapped("Z = %d latent dimensions, %zu parameters", p.config.latent, p.size());
  ImGui::TextWrapped("from: %s", app.session.model_source.c_str());
  if (app.session.meta.size() < 2) return;  // only the config
  const bool open = ImGui::CollapsingHeader("metadata");
  app.probes.set("meta_header", item_rect());
  app.model_panel.meta_open = open;
  if (!open) return;
  if (ImGui::BeginTable("meta", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 5.5f))) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
    ImGui::TableSetupColumn("value");
    for (const auto& kv : app.session.meta) {
      if (kv.first == "config") continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", kv.first.c_str());
      ImGui::TableNextColumn();
      // words wrap; a number (or any one word) stays on its line
      if (kv.second.find(' ') == std::string::npos)
        ImGui::TextUnformatted(kv.second.c_str());
      else
        ImGui::TextWrapped("%s", kv.second.c_str());
      app.probes.add("meta_values", item_rect());
    }
    ImGui::EndTable();
  }
}

static void file_buttons(AppState& app) {
  ModelPanel& mp = app.model_panel;
  if (!kIsWeb) {
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##path", mp.path, sizeof mp.path);
  }
  if (ImGui::Button(kIsWeb ? "Load weights..." : "Load")) app_open_weights(app);
  app.probes.set("load_weights", item_rect());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("a .safetensors file of this project (any Z; the page re-sizes everything)");
  same_line_if_fits(ImGui::CalcTextSize("Download weights").x + ImGui::GetStyle().FramePadding.x * 2);
  if (ImGui::Button(kIsWeb ? "Download weights" : "Save")) {
    app_save_weights(app, mp.dtype == 0 ? "F32" : "F16");
  }
  app.probes.set("download_weights", item_rect());
  // the two radio buttons and the help marker stay on one line: they go beside the buttons if all fit
  const ImGuiStyle& st = ImGui::GetStyle();
  const float radio = ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + ImGui::CalcTextSize("F16").x;
  same_line_if_fits(2 * radio + 2 * st.ItemSpacing.x + ImGui::CalcTextSize("(?)").x);
  ImGui::RadioButton("F16", &mp.dtype, 1);
  app.probes.set_at("dtype", static_cast<size_t>(0), item_rect());
  ImGui::SameLine();
  ImGui::RadioButton("F32", &mp.dtype, 0);
  app.probes.set_at("dtype", static_cast<size_t>(1), item_rect());
  help_marker("safetensors: an 8-byte header length, a JSON header (names, shapes, offsets), then the raw tensors. "
              "PyTorch loads it (tools/load_in_pytorch.py). F16 halves the file; the values are rounded to half "
              "precision.");
}

void panel_model(AppState& app) {
  if (!panel_begin(app, kPanelModel, "Model and weights", "Shipped models (click one):")) return;
  // the list takes the room the rest leaves it (and scrolls when that is not enough)
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float wrap = ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() - ImGui::GetStyle().ScrollbarSize;
  float list = 0;
  for (const ModelEntry& e : app.session.models) list += entry_height(e, wrap) + ImGui::GetStyle().ItemSpacing.y;
  // (the part below the list, as tall as it was last frame)
  const float below = std::max(line * 6, app.model_panel.below_h) + line * 0.5f;
  const float room = std::max(line * 4, ImGui::GetContentRegionAvail().y - below);
  ImGui::BeginChild("models", ImVec2(0, std::min(list + 4, room)));
  model_picker(app);
  ImGui::EndChild();
  const float start = ImGui::GetCursorPosY();
  ImGui::Separator();
  model_info(app);
  ImGui::Separator();
  file_buttons(app);
  const ImVec4 color = app.session.status_error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.6f, 0.9f, 0.6f, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextWrapped("%s", app.session.status.c_str());
  ImGui::PopStyleColor();
  app.model_panel.below_h = ImGui::GetCursorPosY() - start;
  panel_end(app, kPanelModel);
}
