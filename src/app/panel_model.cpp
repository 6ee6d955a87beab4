// Model: the shipped models to pick from, what the current weights are, loading a safetensors file (a
// corrupt or mismatched one leaves the model as it was and says why) and downloading the weights.
#include <cstdio>

#include "app/panels.h"
#include "app/platform.h"

// The shipped models, one entry each: its name and a line from its metadata. A click loads it.
static void model_picker(AppState& app) {
  app.rects.models.assign(app.models.size(), Rect());
  if (app.models.empty()) {
    ImGui::TextDisabled("(no shipped models found)");
    return;
  }
  const float pad = ImGui::GetStyle().ItemSpacing.y;
  for (size_t i = 0; i < app.models.size(); ++i) {
    const ModelEntry& e = app.models[i];
    const int index = static_cast<int>(i);
    const float wrap = ImGui::GetContentRegionAvail().x - ImGui::GetFontSize();
    const float h = ImGui::GetTextLineHeight() + ImGui::CalcTextSize(e.about.c_str(), nullptr, false, wrap).y + pad;
    const ImVec2 at = ImGui::GetCursorPos();
    ImGui::PushID(index);
    if (ImGui::Selectable("##model", app.model_index == index, 0, ImVec2(0, h)) && app.model_pending < 0 &&
        app.model_index != index)
      request_pick_model(app, index);
    ImGui::PopID();
    app.rects.models[i] = item_rect();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\nclick: load it (every panel re-sizes to its Z)", e.file.c_str());
    const ImVec2 after = ImGui::GetCursorPos();
    ImGui::SetCursorPos(ImVec2(at.x + ImGui::GetFontSize() * 0.5f, at.y));
    ImGui::Text("%s%s", e.name.c_str(), app.model_pending == index ? "  (loading...)" : "");
    if (!e.elbo.empty()) {
      ImGui::SameLine();
      ImGui::TextDisabled("  test ELBO %s", e.elbo.c_str());
    }
    ImGui::SetCursorPosX(at.x + ImGui::GetFontSize() * 0.5f);
    ImGui::PushTextWrapPos(at.x + ImGui::GetFontSize() * 0.5f + wrap);
    ImGui::TextDisabled("%s", e.about.c_str());
    ImGui::PopTextWrapPos();
    ImGui::SetCursorPos(after);
  }
}

static void model_info(const AppState& app) {
  const VaeParams& p = app.trainer.params;
  ImGui::Text("Z = %d latent dimensions, %zu parameters", p.config.latent, p.size());
  ImGui::TextWrapped("from: %s", app.model_source.c_str());
  if (app.meta.size() < 2) return;  // only the config
  if (!ImGui::CollapsingHeader("metadata")) return;
  if (ImGui::BeginTable("meta", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 5.5f))) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8);
    ImGui::TableSetupColumn("value");
    for (const auto& kv : app.meta) {
      if (kv.first == "config") continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", kv.first.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", kv.second.c_str());
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
  if (ImGui::Button(kIsWeb ? "Load weights..." : "Load")) platform_open_weights(app);
  app.rects.load_weights = item_rect();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("a .safetensors file of this project (any Z; the page re-sizes everything)");
  ImGui::SameLine();
  if (ImGui::Button(kIsWeb ? "Download weights" : "Save")) {
    const char* dtype = mp.dtype == 0 ? "F32" : "F16";
    platform_save_weights(app, app_weights_bytes(app, dtype), app_download_name(app, dtype));
  }
  app.rects.download_weights = item_rect();
  ImGui::SameLine();
  ImGui::RadioButton("F16", &mp.dtype, 1);
  ImGui::SameLine();
  ImGui::RadioButton("F32", &mp.dtype, 0);
  help_marker("safetensors: an 8-byte header length, a JSON header (names, shapes, offsets), then the raw tensors. "
              "PyTorch loads it (tools/load_in_pytorch.py). F16 halves the file; the values are rounded to half "
              "precision.");
}

void panel_model(AppState& app) {
  if (!panel_begin(app, kPanelModel, "Model and weights", "Shipped models (click one):")) return;
  model_picker(app);
  ImGui::Separator();
  model_info(app);
  ImGui::Separator();
  file_buttons(app);
  const ImVec4 color = app.status_error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f) : ImVec4(0.6f, 0.9f, 0.6f, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextWrapped("%s", app.status.c_str());
  ImGui::PopStyleColor();
  ImGui::End();
}
