// The weights as pictures (as ConvNetJS shows a first layer while it trains): each unit of the
// encoder's first layer reads the image through its 784 weights, a row of W (H x 784); each unit of
// the decoder's last hidden layer paints its 784 outgoing weights, a column of W (784 x H), onto the
// logits. Each tile is one unit's weights, grey at 0, white positive, black negative, scaled by that
// unit's largest |w|; a page of units at a time, redrawn as training changes them.
#include <algorithm>
#include <cstdio>

#include "app/panels/panels.h"

namespace {

// The units' weights as tile values in [0, 1]: 0.5 + 0.5 w / max |w| of the unit.
void weight_tiles(const AppState& app, Mat* tiles, int first, int count) {
  const VaeParams& p = app.session.trainer.params;
  const bool dec = app.weights.decoder;
  const LinearSlot& s = dec ? p.decoder.back() : p.encoder.front();
  const ConstMatMap W = p.W(s);
  tiles->resize(count, kSide * kSide);
  for (int k = 0; k < count; ++k) {
    // encoder.0: row `unit` of W, its pixel columns (a conditional model's label columns follow);
    // the decoder's output layer: column `unit` of W, one weight per pixel
    const int unit = first + k;
    const Vec w = dec ? Vec(W.col(unit)) : Vec(W.row(unit).leftCols(kSide * kSide).transpose());
    const float top = std::max(w.cwiseAbs().maxCoeff(), 1e-12f);
    tiles->row(k) = (0.5f + 0.5f * w.array() / top).transpose();
  }
}

}  // namespace

void panel_weights(AppState& app) {
  WeightsPanel& wp = app.weights;
  if (!panel_begin(app, kPanelWeights, "Weights",
                   "What the first and last layers learned: each tile is one unit's 784 weights as an image."))
    return;
  const VaeParams& p = app.session.trainer.params;
  const int units = app.weights.decoder ? p.decoder.back().in : p.encoder.front().out;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 11);
  int layer = wp.decoder ? 1 : 0;
  if (ImGui::Combo("##layer", &layer, "encoder, first layer\0decoder, last layer\0")) wp.decoder = layer == 1;
  app.probes.set("weights_layer", item_rect());
  help_marker("Encoder, first layer: unit i computes h_i = act(w_i · x + b_i); its tile is w_i, the pattern of "
              "ink it responds to (white: ink there raises h_i, black: lowers it). Decoder, last layer: the logits "
              "are W h + b, so unit i adds its column of W, times h_i, to the image's logits: its tile is the "
              "stroke it paints. Random at first, they turn into strokes and blobs as the model trains.");
  const int per_page = wp.per_row * wp.per_row, pages = std::max(1, (units + per_page - 1) / per_page);
  wp.page = std::clamp(wp.page, 0, pages - 1);
  same_line_if_fits(ImGui::GetFontSize() * 10);
  ImGui::SetNextItemWidth(-FLT_MIN);
  char fmt[48];
  std::snprintf(fmt, sizeof fmt, "page %%d of %d", pages);
  int shown = wp.page + 1;
  if (ImGui::SliderInt("##page", &shown, 1, pages, fmt)) wp.page = shown - 1;
  app.probes.set("weights_page", item_rect());
  const int first = wp.page * per_page, count = std::min(per_page, units - first);
  if (wp.drawn_page != wp.page || wp.drawn_decoder != wp.decoder ||
      refresh_due(app.session, wp.drawn, wp.drawn_at, 0.5)) {
    Mat tiles;
    weight_tiles(app, &tiles, first, count);
    grid_show(&wp.tiles, tiles, wp.per_row, wp.per_row, app.session.version, app.session.now);
    wp.drawn = app.session.version;
    wp.drawn_at = app.session.now;
    wp.drawn_page = wp.page;
    wp.drawn_decoder = wp.decoder;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side = std::max(40.0f, std::min(avail.x, avail.y - ImGui::GetTextLineHeightWithSpacing()));
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, (avail.x - side) * 0.5f));
  const ImVec2 at = grid_image(wp.tiles, ImVec2(side, side));
  app.probes.set("weights_grid", item_rect());
  if (ImGui::IsItemHovered()) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int c = std::clamp(static_cast<int>((m.x - at.x) / side * wp.per_row), 0, wp.per_row - 1);
    const int r = std::clamp(static_cast<int>((m.y - at.y) / side * wp.per_row), 0, wp.per_row - 1);
    const int unit = first + r * wp.per_row + c;
    if (unit < units) ImGui::SetTooltip("%s unit %d of %d", wp.decoder ? "decoder output layer, hidden" : "encoder.0,",
                                        unit, units);
  }
  ImGui::TextDisabled("units %d-%d of %d, %s", first, first + count - 1, units,
                      app.session.training.running ? "redrawn as it trains" : "grey = 0");
  panel_end(app, kPanelWeights);
}
