// Interpolate: decode the codes on the path between two endpoints in latent space (prior samples, or
// test digits encoded with the encoder's mean mu(x)), linearly or along a great circle (slerp). With a
// conditional model each endpoint also has a class, and the one-hot label is interpolated too.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"

static const char* kSourceNames[] = {"prior sample", "test index", "test class", "picked"};

void endpoint_set_custom(AppState& app, int which, const Vec& z, const std::string& text) {
  Endpoint& e = app.interp.ends[which];
  e.source = EndpointSource::custom;
  e.z = z;
  e.text = text;
  e.dirty = false;
  e.version = app.session.version;
  app.interp.dirty = true;
}

static void endpoint_from_prior(Endpoint& e, int Z) {
  Rng rng(static_cast<uint64_t>(e.seed), 23);
  e.z.resize(Z);
  for (int j = 0; j < Z; ++j) e.z(j) = rng.normal();
  e.text = "prior sample, seed " + std::to_string(e.seed);
}

// Recomputes e.z from its source for the current model.
static void endpoint_update(AppState& app, Endpoint& e) {
  const int Z = app.session.trainer.params.config.latent;
  const bool has_test = !app.session.test.labels.empty();
  int index = -1;
  if (e.source == EndpointSource::test_index && has_test)
    index = std::clamp(e.index, 0, static_cast<int>(app.session.test.labels.size()) - 1);
  if (e.source == EndpointSource::test_class && has_test) index = test_index_of_class(app.session.test, e.digit, e.occurrence);
  const int C = session_classes(app.session);
  if (index >= 0) {
    // mu of q(z|x, y) with the digit's own label y (conditional models)
    const uint8_t* y = &app.session.test.labels[static_cast<size_t>(index)];
    Mat mu(1, Z);
    encode_mu(mu, app.session.inf, app.session.trainer.params, app.session.test.images.middleRows(index, 1), label_rows(y, 1, C));
    e.z = mu.row(0).transpose();
    e.text = "test #" + std::to_string(index) + ", " + (app.session.dataset == "mnist" ? "a " : "") + session_class_name(app.session, *y);
    e.label = C > 0 && *y < C ? *y : -1;
  } else if (e.source == EndpointSource::prior || e.z.size() != Z) {
    endpoint_from_prior(e, Z);
    if (e.source != EndpointSource::prior) e.text = "(test set loading: a prior sample until then)";
    e.label = C > 0 ? e.prior_class : -1;
    if (C > 0) e.text += ", as " + session_class_name(app.session, e.prior_class);
  }
  e.dirty = false;
  e.version = app.session.version;
}

void endpoints_update(AppState& app) {
  for (Endpoint& e : app.interp.ends) {
    const bool encoded = e.source == EndpointSource::test_index || e.source == EndpointSource::test_class;
    if (e.dirty || e.z.size() != app.session.trainer.params.config.latent ||
        (encoded && refresh_due(app.session, e.version, app.interp.strip.drawn_at, 0.5))) {
      endpoint_update(app, e);
      app.interp.dirty = true;
    }
  }
}

Vec interp_point(const AppState& app, float t) {
  const InterpolatePanel& p = app.interp;
  return interpolate(p.ends[0].z, p.ends[1].z, t, p.spherical);
}

// The label row at t: y(t) = (1 - t) y_A + t y_B, one-hot y of each endpoint's class (zero without one).
static RowVec interp_label(const AppState& app, float t) {
  const int C = session_classes(app.session);
  RowVec y = RowVec::Zero(C);
  const int a = app.interp.ends[0].label, b = app.interp.ends[1].label;
  if (a >= 0 && a < C) y(a) += 1 - t;
  if (b >= 0 && b < C) y(b) += t;
  return y;
}

static void endpoint_controls(AppState& app, int which) {
  Endpoint& e = app.interp.ends[which];
  ImGui::PushID(which);
  ImGui::TextColored(which == 0 ? ImVec4(1, 0.6f, 0.2f, 1) : ImVec4(0.4f, 0.8f, 1, 1), which == 0 ? "A" : "B");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  int source = static_cast<int>(e.source);
  if (ImGui::Combo("##source", &source, kSourceNames, e.source == EndpointSource::custom ? 4 : 3)) {
    e.source = static_cast<EndpointSource>(source);
    e.dirty = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.5f);
  const int last = std::max(0, static_cast<int>(app.session.test.labels.size()) - 1);
  if (e.source == EndpointSource::prior && ImGui::InputInt("##seed", &e.seed)) e.dirty = true;
  if (e.source == EndpointSource::test_index && ImGui::InputInt("##index", &e.index)) {
    e.index = std::clamp(e.index, 0, last);
    e.dirty = true;
  }
  if (e.source == EndpointSource::test_class) {
    if (ImGui::SliderInt("##digit", &e.digit, 0, 9, session_class_name(app.session, e.digit).c_str())) e.dirty = true;
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) {
      ++e.occurrence;
      e.dirty = true;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("another test digit of this class");
  }
  if (e.source == EndpointSource::prior && session_classes(app.session) > 0) {
    ImGui::SameLine();
    if (class_combo(app.session, app.probes, "##class", &e.prior_class, nullptr, which ? "endpoint_class_b" : "endpoint_class_a")) e.dirty = true;
  }
  if (e.source == EndpointSource::custom) ImGui::TextDisabled("(drag on the map)");
  ImGui::PopID();
}

// The strip of decoded codes; clicking a cell moves t there. Draws the marker for t.
static void strip_view(AppState& app, float width) {
  InterpolatePanel& p = app.interp;
  const float cell = width / p.steps;
  const ImVec2 at = grid_image(p.strip, ImVec2(width, cell));
  app.probes.set("strip", item_rect());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float x = at.x + (p.t * (p.steps - 1) + 0.5f) * cell;
  dl->AddTriangleFilled(ImVec2(x - 5, at.y + cell + 7), ImVec2(x + 5, at.y + cell + 7), ImVec2(x, at.y + cell + 1),
                        IM_COL32(255, 210, 80, 255));
  if (ImGui::IsItemHovered()) {
    const int i = std::clamp(static_cast<int>((ImGui::GetIO().MousePos.x - at.x) / cell), 0, p.steps - 1);
    ImGui::SetTooltip("t = %.2f (click to go there)", i / float(p.steps - 1));
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) p.t = i / float(p.steps - 1);
  }
  ImGui::Dummy(ImVec2(width, 6));
}

static void redraw(AppState& app) {
  InterpolatePanel& p = app.interp;
  endpoints_update(app);
  const int Z = app.session.trainer.params.config.latent;
  if (p.dirty || refresh_due(app.session, p.strip.version, p.strip.drawn_at, 0.25)) {
    p.strip.z.resize(p.steps, Z);
    p.strip.y.resize(p.steps, session_classes(app.session));
    for (int i = 0; i < p.steps; ++i) {
      p.strip.z.row(i) = interp_point(app, i / float(p.steps - 1)).transpose();
      p.strip.y.row(i) = interp_label(app, i / float(p.steps - 1));
    }
    grid_decode(app.session, &p.strip, p.steps, 1);
  }
  if (p.dirty || p.t != p.drawn_t || p.current.version != p.strip.version) {
    p.current.z = interp_point(app, p.t).transpose();
    p.current.y = interp_label(app, p.t);
    grid_decode(app.session, &p.current, 1, 1);
    p.drawn_t = p.t;
  }
  p.dirty = false;
}

void panel_interpolate(AppState& app) {
  InterpolatePanel& p = app.interp;
  if (!panel_begin(app, kPanelInterpolate, "Interpolate between two codes",
                   "Walk in a straight line (or a great circle) from code A to code B and decode every point on the way."))
    return;
  endpoint_controls(app, 0);
  // B beside A when both fit on a line (a conditional model's endpoints are wider: one row each)
  if (session_classes(app.session) == 0) same_line_if_fits(ImGui::GetFontSize() * 18.5f);
  endpoint_controls(app, 1);

  if (ImGui::RadioButton("linear", !p.spherical)) p.spherical = false, p.dirty = true;
  ImGui::SameLine();
  if (ImGui::RadioButton("spherical (slerp)", p.spherical)) p.spherical = true, p.dirty = true;
  help_marker(
      "linear: z(t) = (1 - t) zA + t zB.\n"
      "spherical: the direction of z turns along the great circle from zA to zB while its length goes from "
      "|zA| to |zB|. In many dimensions N(0, I) puts almost all codes near the sphere of radius sqrt(Z); the "
      "straight line cuts inside it, through codes that are unusually close to 0.\n"
      "Test digits are encoded with the encoder's mean mu(x): no sampling.\n"
      "A conditional model encodes with q(z|x,y) and decodes with p(x|z,y): a test digit goes with its own label, "
      "a prior sample with the class picked next to it. When A and B have different classes the label is "
      "interpolated too, y(t) = (1 - t) yA + t yB (a soft one-hot the decoder reads like any input), so the strip "
      "morphs one class into the other while z moves the style.");
  same_line_if_fits(ImGui::GetFontSize() * 10);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::SliderInt("steps", &p.steps, 3, 16)) p.dirty = true;
  same_line_if_fits(ImGui::GetFontSize() * 5);
  ImGui::Checkbox("animate", &p.animate);
  if (p.animate) {
    p.t += p.direction * ImGui::GetIO().DeltaTime * 0.4f;
    if (p.t > 1 || p.t < 0) p.direction = -p.direction, p.t = std::clamp(p.t, 0.0f, 1.0f);
  }
  redraw(app);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float big = std::max(56.0f, std::min(avail.y, avail.x * 0.3f));
  grid_image(p.current, ImVec2(big, big));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the decoded image at t = %.2f", p.t);
  ImGui::SameLine();
  ImGui::BeginGroup();
  const float width = ImGui::GetContentRegionAvail().x;
  strip_view(app, width);
  ImGui::SetNextItemWidth(width);
  ImGui::SliderFloat("##t", &p.t, 0.0f, 1.0f, "t = %.3f");
  app.probes.set("interp_slider", item_rect());
  // the endpoints and the formula, as many lines as there is room for
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const auto room = [line] { return ImGui::GetContentRegionAvail().y >= line; };
  if (room()) ImGui::TextDisabled("A: %s", p.ends[0].text.c_str());
  if (room()) ImGui::TextDisabled("B: %s", p.ends[1].text.c_str());
  if (room()) ImGui::TextUnformatted(p.spherical ? "z(t) = slerp(zA, zB, t)" : "z(t) = (1 - t) zA + t zB");
  if (room())
    ImGui::TextDisabled(session_classes(app.session) > 0 ? "and y(t) = (1 - t) yA + t yB: decoded [z(t) | y(t)]"
                                             : "then the decoder's image for z(t)");
  ImGui::EndGroup();
  panel_end(app, kPanelInterpolate);
}
