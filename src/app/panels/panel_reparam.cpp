// z = mu + sigma * eps: the reparameterization trick (Kingma & Welling 2014, section 2.4) for the
// inspected input. "Draw eps" draws eps ~ N(0, I) from the project's generator; the panel shows
// sigma = exp(logvar / 2), eps and z as numbers, the decoder's image of z beside the one of mu, and
// the images of more draws from q(z|x) (the map shows them as a cloud).
#include <algorithm>
#include <cstdio>

#include "app/panels/panels.h"

namespace {
// Rows j0..j1-1 of the table j | mu_j | sigma_j | eps_j | z_j.
void numbers_table(const OneImage& o, int j0, int j1, const char* id) {
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg;
  if (!ImGui::BeginTable(id, 5, flags)) return;
  for (const char* h : {"j", "μ_j", "σ_j", "ε_j", "z_j"}) ImGui::TableSetupColumn(h, ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableHeadersRow();
  for (int j = j0; j < j1; ++j) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", j);
    const float values[4] = {o.q.mu[j], o.q.sigma[j], o.eps(0, j), o.z(0, j)};
    for (float v : values) {
      ImGui::TableNextColumn();
      ImGui::Text("%+.3f", v);
    }
  }
  ImGui::EndTable();
}

// An image with a caption under it, in a group.
void captioned(const DigitGrid& g, float side, const char* text, const char* tooltip) {
  ImGui::BeginGroup();
  grid_image(g, ImVec2(side, side));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
  ImGui::TextUnformatted(text);
  ImGui::EndGroup();
}
}  // namespace

void panel_reparam(AppState& app) {
  OneImage& o = app.session.one_image;
  if (!panel_begin(app, kPanelReparam, "z = μ + σ ⊙ ε",
                   "A code is drawn from q(z|x) as z = μ + σ ⊙ ε, ε ~ N(0, I): the randomness is in ε, so "
                   "gradients flow through μ and σ (the reparameterization trick)."))
    return;
  const int Z = app.session.trainer.params.config.latent;
  if (!o.ready || o.z.cols() != Z) {
    ImGui::TextDisabled("No input yet: draw a digit or pick a test image.");
    panel_end(app, kPanelReparam);
    return;
  }
  if (ImGui::Button("Draw ε")) one_image_draw_eps(app.session);
  app.probes.set("draw_eps", item_rect());
  ImGui::SameLine();
  ImGui::TextDisabled("ε ~ N(0, I), draw #%llu", static_cast<unsigned long long>(o.eps_seed));
  help_marker("ε comes from the project's own generator (PCG32 + Box-Muller), seeded with the draw number, so "
              "the same draw gives the same numbers natively and in the page (vae-eval --image N --eps-seed S "
              "prints them). σ = exp(logvar / 2): the encoder outputs log σ².");
  // the images of mu and z side by side, then the numbers, then more draws
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float strip_h = ImGui::GetContentRegionAvail().x / kCloudStrip + ImGui::GetTextLineHeightWithSpacing() * 2;
  const float row_h = ImGui::GetTextLineHeightWithSpacing() + 2;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float image = std::clamp(std::min((avail.x - spacing) * 0.5f, (avail.y - strip_h) * 0.5f - row_h), 40.0f, 160.0f);
  captioned(app.one_image_view.decoded_mu, image, "from μ", "the decoder's image for z = μ(x): the mean code");
  ImGui::SameLine();
  captioned(app.one_image_view.decoded_z, image, "from z = μ + σ ⊙ ε", "the decoder's image for the drawn z = μ + σ ⊙ ε");
  // as many rows of the table as fit; all of them on hover
  const float left = ImGui::GetContentRegionAvail().y - strip_h;
  const int rows = std::clamp(static_cast<int>(left / row_h) - 2, 1, std::min(Z, 8));
  ImGui::BeginGroup();
  numbers_table(o, 0, rows, "first");
  if (rows < Z) ImGui::TextDisabled("... %d more: hover the table", Z - rows);
  ImGui::EndGroup();
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::Text("All %d dimensions of z = μ + σ ⊙ ε:", Z);
    // more than 20 rows: two tables side by side
    const int half = Z > 20 ? (Z + 1) / 2 : Z;
    numbers_table(o, 0, half, "all");
    if (half < Z) {
      ImGui::SameLine();
      numbers_table(o, half, Z, "rest");
    }
    ImGui::EndTooltip();
  }
  ImGui::Text("%d more draws z ~ q(z|x), decoded:", kCloudStrip);
  const float w = ImGui::GetContentRegionAvail().x;
  grid_image(app.one_image_view.cloud, ImVec2(w, w / kCloudStrip));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The same x, different ε: where σ is small the images agree; where it is large they vary. "
                      "The map shows %d such draws as white dots.", kCloud);
  panel_end(app, kPanelReparam);
}
