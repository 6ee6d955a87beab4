// Links to a view of the page (link.h): the parse of a URL hash (outside text: fuzzed by
// tests/fuzz/fuzz_url.cpp, so it needs nothing of the app) and its text written back.
#include "app/links/link.h"

#include "model/step_trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

const char* const kLinkPanelKeys[kLinkPanels] = {"sample",  "interpolate", "map",     "input", "train",
                                               "models",  "encoder",     "reparam", "elbo",  "compare", "step", "weights", "posterior"};

namespace {

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
bool parse_endpoint(const std::string& text, LinkEndpoint* e) {
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

}  // namespace

Status link_parse(const std::string& hash, Link* out) {
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
    LinkEndpoint e;
    bool ok = true;
    if (key == "model") {
      if ((ok = !value.empty() && value.size() <= 64)) out->model = value;
    } else if (key == "view") {
      if ((ok = value == "explore" || value == "inside" || value == "train" || value == "step")) out->view = value;
    } else if (key == "step") {
      StepStage stage;
      if ((ok = step_stage_parse(value, &stage))) out->step = value;
    } else if (key == "posterior" || key == "fitq" || key == "holes") {
      if ((ok = value == "0" || value == "1"))
        (key == "posterior" ? out->posterior : key == "fitq" ? out->fitq : out->holes) = value == "1";
    } else if (key == "decoder") {
      if ((ok = value == "mean" || value == "sample")) out->decoder = value;
    } else if (key == "wlayer") {
      if ((ok = value == "encoder" || value == "decoder")) out->weights_layer = value;
    } else if (key == "wpage") {
      if ((ok = parse_int(value, 0, 9999, &i))) out->weights_page = i;
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
    } else if (key == "focus") {
      ok = value == "none";
      for (const char* k : kLinkPanelKeys) ok = ok || value == k;
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


std::string link_number(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", std::round(v * 1000) / 1000);
  return text;
}

static std::string endpoint_text(const LinkEndpoint& e) {
  if (e.kind == "prior") return "prior:" + std::to_string(e.a);
  if (e.kind == "test") return "test:" + std::to_string(e.a);
  if (e.kind == "class") return "class:" + std::to_string(e.a) + "." + std::to_string(e.b);
  std::string out = "z:";
  char text[48];
  for (size_t j = 0; j < e.z.size(); ++j) {
    std::snprintf(text, sizeof text, "%s%.4g", j ? "," : "", e.z[j]);
    out += text;
  }
  return out;
}

std::string link_write(const Link& l) {
  std::string h = "#";
  auto add = [&h](const char* key, const std::string& value) { h += (h.size() > 1 ? "&" : "") + std::string(key) + "=" + value; };
  auto add_flag = [&add](const char* key, const std::optional<bool>& v) { if (v) add(key, *v ? "1" : "0"); };
  if (!l.model.empty()) add("model", l.model);
  if (!l.view.empty()) add("view", l.view);
  if (l.digit) add("digit", std::to_string(*l.digit));
  if (l.eps) add("eps", std::to_string(*l.eps));
  if (l.seed) add("seed", std::to_string(*l.seed));
  if (l.temperature) add("T", link_number(*l.temperature));
  if (l.grid) add("grid", std::to_string(*l.grid));
  if (l.sample_class) add("sclass", std::to_string(*l.sample_class));
  if (l.a) add("a", endpoint_text(*l.a));
  if (l.b) add("b", endpoint_text(*l.b));
  if (l.t) add("t", link_number(*l.t));
  add_flag("slerp", l.slerp);
  if (l.plane == "principal") add("plane", "principal");
  if (l.plane == "axes" && l.axis0 && l.axis1) add("plane", "axes:" + std::to_string(*l.axis0) + "," + std::to_string(*l.axis1));
  add_flag("cdf", l.cdf);
  if (l.tiles) add("tiles", std::to_string(*l.tiles));
  if (!l.focus.empty()) add("focus", l.focus);
  if (!l.scale.empty()) add("scale", l.scale);
  if (l.beta) add("beta", link_number(*l.beta));
  if (!l.step.empty()) add("step", l.step);
  add_flag("posterior", l.posterior);
  add_flag("fitq", l.fitq);
  add_flag("holes", l.holes);
  if (!l.decoder.empty()) add("decoder", l.decoder);
  if (!l.weights_layer.empty()) add("wlayer", l.weights_layer);
  if (l.weights_page) add("wpage", std::to_string(*l.weights_page));
  return h;
}
