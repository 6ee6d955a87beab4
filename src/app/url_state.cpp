// Links to a view of the page (url_state.h).
#include "app/url_state.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app/panels.h"
#include "app/platform.h"

namespace {
const char* const kPanelKeys[kPanels] = {"sample",  "interpolate", "map",    "input", "train",
                                         "models",  "encoder",     "reparam", "elbo", "compare"};

bool parse_int(const std::string& text, long lo, long hi, int* out) {
  size_t start = text.size() > 1 && text[0] == '-' ? 1 : 0;
  if (text.size() == start || text.size() > 10 || text.find_first_not_of("0123456789", start) != std::string::npos)
    return false;
  const long v = std::strtol(text.c_str(), nullptr, 10);
  if (v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

bool parse_float(const std::string& text, float lo, float hi, float* out) {
  if (text.empty() || text.size() > 16 || text.find_first_not_of("0123456789.-+e") != std::string::npos) return false;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < lo || v > hi) return false;
  *out = static_cast<float>(v);
  return true;
}

// "prior:5", "test:12", "class:7.2", "z:0.1,-1.3"
bool parse_endpoint(const std::string& text, UrlEndpoint* e) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  e->kind = text.substr(0, colon);
  const std::string rest = text.substr(colon + 1);
  if (e->kind == "prior") return parse_int(rest, 0, 1 << 30, &e->a);
  if (e->kind == "test") return parse_int(rest, 0, 99999, &e->a);
  if (e->kind == "class") {
    const size_t dot = rest.find('.');
    return parse_int(rest.substr(0, dot), 0, 999, &e->a) &&
           (dot == std::string::npos || parse_int(rest.substr(dot + 1), 0, 99999, &e->b));
  }
  if (e->kind == "z") {
    size_t at = 0;
    while (at <= rest.size() && e->z.size() <= 4096) {
      const size_t end = std::min(rest.find(',', at), rest.size());
      float v = 0;
      if (!parse_float(rest.substr(at, end - at), -1e4f, 1e4f, &v)) return false;
      e->z.push_back(v);
      at = end + 1;
    }
    return !e->z.empty() && e->z.size() <= 4096;
  }
  return false;
}

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
  for (int k = 0; k < kPanels; ++k)
    if (s.focus == kPanelKeys[k]) app.focus = k;
  if (s.scale == "auto") app.ui_scale_mode = 0;
  if (s.scale == "projector") app.ui_scale_mode = 1;
  float fixed = 0;
  if (parse_float(s.scale, 0.5f, 4.0f, &fixed)) app.ui_scale_mode = 2, app.ui_scale_fixed = fixed;
  if (s.beta) app.trainer.options.beta = *s.beta;
  app.reset_layout = true;
}
}  // namespace

Status url_state_parse(const std::string& hash, UrlState* out) {
  std::string text = hash;
  for (size_t at; (at = text.find('#')) != std::string::npos;) text[at] = '&';  // "#a=1", "&#a=1": one key each
  std::string errors;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('&', at), text.size());
    const std::string part = text.substr(at, end - at);
    at = end + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string key = part.substr(0, eq), value = eq == std::string::npos ? "" : part.substr(eq + 1);
    int i = 0;
    float f = 0;
    UrlEndpoint e;
    bool ok = true;
    if (key == "model") {
      if ((ok = !value.empty() && value.size() <= 64)) out->model = value;
    } else if (key == "view") {
      if ((ok = value == "explore" || value == "inside" || value == "train")) out->view = value;
    } else if (key == "digit") {
      if ((ok = parse_int(value, 0, 99999, &i))) out->digit = i;
    } else if (key == "eps") {
      if ((ok = parse_int(value, 1, 1 << 30, &i))) out->eps = i;
    } else if (key == "seed") {
      if ((ok = parse_int(value, -(1 << 30), 1 << 30, &i))) out->seed = i;
    } else if (key == "T") {
      if ((ok = parse_float(value, 0, 2.5f, &f))) out->temperature = f;
    } else if (key == "grid") {
      if ((ok = parse_int(value, 3, 12, &i))) out->grid = i;
    } else if (key == "sclass") {
      if ((ok = parse_int(value, -1, 999, &i))) out->sample_class = i;
    } else if (key == "a" || key == "b") {
      if ((ok = parse_endpoint(value, &e))) (key == "a" ? out->a : out->b) = e;
    } else if (key == "t") {
      if ((ok = parse_float(value, 0, 1, &f))) out->t = f;
    } else if (key == "slerp" || key == "cdf") {
      if ((ok = value == "0" || value == "1")) (key == "slerp" ? out->slerp : out->cdf) = value == "1";
    } else if (key == "tiles") {
      if ((ok = parse_int(value, 4, 24, &i))) out->tiles = i;
    } else if (key == "beta") {
      if ((ok = parse_float(value, 0, 4, &f))) out->beta = f;
    } else if (key == "scale") {
      if ((ok = value == "auto" || value == "projector" || parse_float(value, 0.5f, 4, &f))) out->scale = value;
    }    else if (key == "focus") {
      ok = false;
      for (const char* k : kPanelKeys) ok = ok || value == k;
      if (ok) out->focus = value;
    } else if (key == "plane") {
      if (value == "principal") {
        out->plane = value;
      } else if (value.rfind("axes:", 0) == 0 && value.find(',') != std::string::npos) {
        const std::string axes = value.substr(5);
        const size_t comma = axes.find(',');
        int a0 = 0, a1 = 0;
        ok = parse_int(axes.substr(0, comma), 0, 4095, &a0) && parse_int(axes.substr(comma + 1), 0, 4095, &a1);
        if (ok) out->plane = "axes", out->axis0 = a0, out->axis1 = a1;
      } else {
        ok = false;
      }
    } else {
      errors += (errors.empty() ? "" : "; ") + ("unknown key '" + key.substr(0, 32) + "'");
      continue;
    }
    if (!ok) errors += (errors.empty() ? "" : "; ") + key + "=" + value.substr(0, 40) + " is not a valid value";
  }
  if (!errors.empty()) return Status::error("link: " + errors);
  return Status::success();
}

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
  if (app.focus >= 0) add("focus", kPanelKeys[app.focus]);
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
