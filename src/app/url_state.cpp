// Links to a view of the page (url_state.h).
#include "app/url_state.h"

#include <cstdlib>

#include "app/app.h"

static bool parse_int(const std::string& text, long lo, long hi, int* out) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const long v = std::strtol(text.c_str(), nullptr, 10);
  if (v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

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
    std::string problem;
    if (key == "model") {
      if (value.empty() || value.size() > 64) problem = "model: a shipped model's name";
      else out->model = value;
    } else if (key == "digit") {
      if (!parse_int(value, 0, 99999, &out->digit)) problem = "digit: a test image number";
    } else if (key == "view") {
      if (value == "explore" || value == "inside" || value == "train") out->view = value;
      else problem = "view: explore, inside or train";
    } else {
      problem = "unknown key '" + key.substr(0, 32) + "'";
    }
    if (!problem.empty()) errors += (errors.empty() ? "" : "; ") + problem;
  }
  if (!errors.empty()) return Status::error("link: " + errors);
  return Status::success();
}

void app_apply_url(AppState& app, const UrlState& s) {
  if (!s.model.empty()) {
    int index = -1;
    for (size_t i = 0; i < app.models.size(); ++i)
      if (app.models[i].name == s.model) index = static_cast<int>(i);
    if (index < 0)
      app_set_status(app, "link: no shipped model '" + s.model + "'; showing " + (app.model_index >= 0 ? app.models[static_cast<size_t>(app.model_index)].name : std::string("the default")), true);
    else if (index != app.model_index && app.model_pending != index)
      app_pick_model(app, index);
  }
  if (s.digit >= 0) {
    inspect_test_image(app, s.digit);
    app.view = View::inside;
  }
  if (s.view == "explore") app.view = View::explore;
  if (s.view == "inside") app.view = View::inside;
  if (s.view == "train") app.view = View::train;
  app.reset_layout = true;
}
