// Links to a view of the page (url_state.h): a link applied to the app, and the link of the app's
// view. Parsing one is url_parse.cpp's.
#include "app/url_state.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app/panels.h"
#include "app/platform.h"

static_assert(kUrlPanels == kPanels, "a link names every panel");

namespace {
std::string endpoint_text(const Endpoint& e) {
  char text[48];
  switch (e.source) {
    case EndpointSource::prior: return "prior:" + std::to_string(e.seed);
    case EndpointSource::test_index: return "test:" + std::to_string(e.index);
    case EndpointSource::test_class: return "class:" + std::to_string(e.digit) + "." + std::to_string(e.occurrence);
    case EndpointSource::custom: break;
  }
  std::string out = "z:";
  for (Eigen::Index j = 0; j < e.z.size(); ++j) {
    std::snprintf(text, sizeof text, "%s%.4g", j ? "," : "", e.z[j]);
    out += text;
  }
  return out;
}

std::string number(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", std::round(v * 1000) / 1000);
  return text;
}

void apply_endpoint(AppState& app, int which, const UrlEndpoint& u) {
  Endpoint& e = app.interp.ends[which];
  if (u.kind == "prior") e.source = EndpointSource::prior, e.seed = u.a;
  if (u.kind == "test") e.source = EndpointSource::test_index, e.index = u.a;
  if (u.kind == "class") e.source = EndpointSource::test_class, e.digit = u.a, e.occurrence = u.b;
  e.dirty = true;
  if (u.kind == "z") {
    if (static_cast<int>(u.z.size()) != app.trainer.params.config.latent) {
      app_set_status(app, "link: endpoint " + std::string(which ? "b" : "a") + " has " + std::to_string(u.z.size()) +
                              " numbers; the model's codes have " + std::to_string(app.trainer.params.config.latent), true);
      return;
    }
    endpoint_set_custom(app, which, Eigen::Map<const Vec>(u.z.data(), static_cast<Eigen::Index>(u.z.size())), "from the link");
  }
  app.interp.dirty = true;
}

// Everything but the model.
void apply_rest(AppState& app, const UrlState& s) {
  if (s.digit) {
    inspect_test_image(app, *s.digit);
    if (s.view.empty()) app.view = View::inside;
  }
  if (s.view == "explore") app.view = View::explore;
  if (s.view == "inside") app.view = View::inside;
  if (s.view == "train") app.view = View::train;
  if (s.eps) app.inspect.eps_seed = static_cast<uint64_t>(*s.eps), app.inspect.eps_dirty = true;
  SamplePanel& sp = app.sample;
  if (s.seed) sp.seed = *s.seed, sp.dirty = true;
  if (s.temperature) sp.temperature = *s.temperature, sp.dirty = true;
  if (s.grid) sp.grid = *s.grid, sp.dirty = true;
  if (s.sample_class) sp.cls = std::min(*s.sample_class, app_classes(app) - 1), sp.dirty = true;
  if (s.a) apply_endpoint(app, 0, *s.a);
  if (s.b) apply_endpoint(app, 1, *s.b);
  if (s.t) app.interp.t = *s.t;
  if (s.slerp) app.interp.spherical = *s.slerp, app.interp.dirty = true;
  LatentMapPanel& m = app.map;
  const int Z = app.trainer.params.config.latent;
  if (s.plane == "principal") m.kind = PlaneKind::principal;
  if (s.plane == "axes") {
    m.kind = PlaneKind::axes;
    if (s.axis0 && s.axis1 && *s.axis0 < Z && *s.axis1 < Z && *s.axis0 != *s.axis1)
      m.axis0 = *s.axis0, m.axis1 = *s.axis1, m.axes_auto = false;
  }
  if (s.cdf) m.cdf = *s.cdf, m.grid_dirty = true;
  if (s.tiles) m.grid_size = *s.tiles, m.grid_dirty = true;
  if (s.focus == "none") app.focus = -1;
  for (int k = 0; k < kPanels; ++k)
    if (s.focus == kUrlPanelKeys[k]) app.focus = k;
  if (s.scale == "auto") app.ui_scale_mode = 0;
  if (s.scale == "projector") app.ui_scale_mode = 1;
  // (any other scale url_state_parse let through is a number in 0.5..4)
  if (!s.scale.empty() && s.scale != "auto" && s.scale != "projector")
    app.ui_scale_mode = 2, app.ui_scale_fixed = std::strtof(s.scale.c_str(), nullptr);
  if (s.beta) app.trainer.options.beta = *s.beta;
  app.reset_layout = true;
}
}  // namespace

std::string url_state_of(const AppState& app) {
  std::string h = "#";
  auto add = [&h](const std::string& key, const std::string& value) { h += (h.size() > 1 ? "&" : "") + key + "=" + value; };
  if (app.model_index >= 0) add("model", app.models[static_cast<size_t>(app.model_index)].name);
  static const char* const views[kViews] = {"explore", "inside", "train"};
  add("view", views[static_cast<int>(app.view)]);
  if (app.inspect.source == InputSource::test) add("digit", std::to_string(app.inspect.test_index));
  add("eps", std::to_string(app.inspect.eps_seed));
  add("seed", std::to_string(app.sample.seed));
  add("T", number(app.sample.temperature));
  add("grid", std::to_string(app.sample.grid));
  if (app_classes(app) > 0) add("sclass", std::to_string(app.sample.cls));
  add("a", endpoint_text(app.interp.ends[0]));
  add("b", endpoint_text(app.interp.ends[1]));
  add("t", number(app.interp.t));
  add("slerp", app.interp.spherical ? "1" : "0");
  const LatentMapPanel& m = app.map;
  add("plane", m.kind == PlaneKind::principal ? "principal" : "axes:" + std::to_string(m.axis0) + "," + std::to_string(m.axis1));
  add("cdf", m.cdf ? "1" : "0");
  add("tiles", std::to_string(m.grid_size));
  if (app.focus >= 0) add("focus", kUrlPanelKeys[app.focus]);
  add("scale", app.ui_scale_mode == 0 ? "auto" : app.ui_scale_mode == 1 ? "projector" : number(app.ui_scale_fixed));
  add("beta", number(app.trainer.options.beta));
  return h;
}

void app_apply_url(AppState& app, const UrlState& s) {
  if (!s.model.empty()) {
    int index = -1;
    for (size_t i = 0; i < app.models.size(); ++i)
      if (app.models[i].name == s.model) index = static_cast<int>(i);
    if (index < 0) {
      app_set_status(app, "link: no shipped model '" + s.model + "'; showing " +
                              (app.model_index >= 0 ? app.models[static_cast<size_t>(app.model_index)].name : std::string("the default")), true);
    } else if (index != app.model_index) {
      // the rest of the link describes that model's view: it waits until the model is shown
      if (app.model_pending != index) app_pick_model(app, index);
      app.url_pending = s;
      app.url_pending_model = index;
      app.has_url_pending = true;
      return;
    }
  }
  apply_rest(app, s);
}

void url_state_pending(AppState& app) {
  if (!app.has_url_pending || app.model_pending >= 0) return;
  app.has_url_pending = false;
  if (app.model_index == app.url_pending_model) apply_rest(app, app.url_pending);
}

void copy_link(AppState& app) {
  const std::string link = url_state_of(app);
  platform_copy_link(link);
  app.last_link = link;
  app_set_status(app, "Link copied: " + link, false);
}
