// Picking another model or Reset would throw the model trained here away: they ask first, in a popup
// the Model and Train panels share.
#include "app/ui/layout.h"
#include "app/ui/widgets.h"
#include "imgui.h"

void request_pick_model(AppState& app, int index) {
  if (app.session.model_pending >= 0 || index == app.session.model_index) return;
  if (app.session.training.steps > 0) {
    app.train_panel.confirm = 2;
    app.train_panel.confirm_model = index;
  } else {
    app_pick_model(app, index);
  }
}

void request_reset(AppState& app) {
  if (app.session.training.steps > 0)
    app.train_panel.confirm = 1;
  else
    app_new_model(app);
}

// "Throw away the model trained here?": Download it first, Throw it away, or Cancel.
void confirm_popup(AppState& app) {
  TrainPanel& tp = app.train_panel;
  const char* title = "Throw away the trained model?";
  if (tp.confirm == 0) return;
  if (!ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(screen.x * 0.5f, screen.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const std::string next = tp.confirm == 1 ? "a new model with random weights"
                                           : app.session.models[static_cast<size_t>(tp.confirm_model)].name;
  ImGui::Text("The model has been trained here for %lld steps.", app.session.training.steps);
  ImGui::Text("Loading %s replaces it.", next.c_str());
  if (ImGui::Button("Download it first")) app_save_weights(app, "F16");
  ImGui::SameLine();
  const bool discard = ImGui::Button("Throw it away");
  app.probes.set("confirm_discard", item_rect());
  ImGui::SameLine();
  const bool cancel = ImGui::Button("Cancel");
  app.probes.set("confirm_cancel", item_rect());
  if (discard || cancel) {
    const int action = tp.confirm, model = tp.confirm_model;
    tp.confirm = 0;
    ImGui::CloseCurrentPopup();
    if (!cancel) session_pause_training(app.session);
    if (discard && action == 1) app_new_model(app);
    if (discard && action == 2) app_pick_model(app, model);
  }
  ImGui::EndPopup();
}
