// Links and the app (app.h): the link of the current view (link_of), and a link put into effect
// (link_apply). Parsing and writing the text is links/link.cpp's.
#include <cstdlib>

#include "app/app.h"
#include "app/panels/panels.h"
#include "app/platform/platform.h"

static_assert(kLinkPanels == kPanels, "a link names every panel");

static const char* const kViewKeys[kViews] = {"explore", "inside", "train", "step"};

static LinkEndpoint endpoint_link(const Endpoint& e) {
  LinkEndpoint l;
  switch (e.source) {
    case EndpointSource::prior: l.kind = "prior", l.a = e.seed; break;
    case EndpointSource::test_index: l.kind = "test", l.a = e.index; break;
    case EndpointSource::test_class: l.kind = "class", l.a = e.digit, l.b = e.occurrence; break;
    case EndpointSource::custom: l.kind = "z", l.z.assign(e.z.data(), e.z.data() + e.z.size()); break;
  }
  return l;
}

Link link_of(const AppState& app) {
  const Session& s = app.session;
  Link l;
  if (s.model_index >= 0) l.model = s.models[static_cast<size_t>(s.model_index)].name;
  l.view = kViewKeys[static_cast<int>(app.view)];
  if (s.one_image.source == InputSource::test) l.digit = s.one_image.test_index;
  l.eps = static_cast<int>(s.one_image.eps_seed);
  l.seed = app.sample.seed;
  l.temperature = app.sample.temperature;
  l.grid = app.sample.grid;
  if (session_classes(s) > 0) l.sample_class = app.sample.cls;
  l.a = endpoint_link(app.interp.ends[0]);
  l.b = endpoint_link(app.interp.ends[1]);
  l.t = app.interp.t;
  l.slerp = app.interp.spherical;
  const LatentMapPanel& m = app.map;
  l.plane = m.kind == PlaneKind::principal ? "principal" : "axes";
  l.axis0 = m.axis0, l.axis1 = m.axis1;
  l.cdf = m.cdf;
  l.tiles = m.grid_size;
  if (app.focus >= 0) l.focus = kLinkPanelKeys[app.focus];
  l.scale = app.ui_scale_mode == 0 ? "auto" : app.ui_scale_mode == 1 ? "projector" : link_number(app.ui_scale_fixed);
  l.beta = s.trainer.options.beta;
  if (s.slow_step.active) l.step = step_stage_name(s.slow_step.stage);
  l.posterior = s.one_image.posterior_on;
  l.fitq = s.one_image.fit_on;
  l.holes = app.map.show_holes;
  l.decoder = app.decoder_sample ? "sample" : "mean";
  l.weights_layer = app.weights.decoder ? "decoder" : "encoder";
  l.weights_page = app.weights.page;
  return l;
}

static void apply_endpoint(AppState& app, int which, const LinkEndpoint& u) {
  Endpoint& e = app.interp.ends[which];
  if (u.kind == "prior") e.source = EndpointSource::prior, e.seed = u.a;
  if (u.kind == "test") e.source = EndpointSource::test_index, e.index = u.a;
  if (u.kind == "class") e.source = EndpointSource::test_class, e.digit = u.a, e.occurrence = u.b;
  e.dirty = true;
  if (u.kind == "z") {
    const int Z = app.session.trainer.params.config.latent;
    if (static_cast<int>(u.z.size()) != Z) {
      session_set_status(app.session, "link: endpoint " + std::string(which ? "b" : "a") + " has " +
                                          std::to_string(u.z.size()) + " numbers; the model's codes have " +
                                          std::to_string(Z), true);
      return;
    }
    endpoint_set_custom(app, which, Eigen::Map<const Vec>(u.z.data(), static_cast<Eigen::Index>(u.z.size())), "from the link");
  }
  app.interp.dirty = true;
}

// Everything but the model.
static void apply_rest(AppState& app, const Link& l) {
  app_follow_session(app);  // the views have followed the model first: the link's choices win
  Session& s = app.session;
  if (l.digit) {
    one_image_show_test(s, *l.digit);
    if (l.view.empty()) app.view = View::one_image;
  }
  for (int v = 0; v < kViews; ++v)
    if (l.view == kViewKeys[v]) app.view = static_cast<View>(v);
  if (l.eps) s.one_image.eps_seed = static_cast<uint64_t>(*l.eps), s.one_image.eps_dirty = true;
  SamplePanel& sp = app.sample;
  if (l.seed) sp.seed = *l.seed, sp.dirty = true;
  if (l.temperature) sp.temperature = *l.temperature, sp.dirty = true;
  if (l.grid) sp.grid = *l.grid, sp.dirty = true;
  if (l.sample_class) sp.cls = std::min(*l.sample_class, session_classes(s) - 1), sp.dirty = true;
  if (l.a) apply_endpoint(app, 0, *l.a);
  if (l.b) apply_endpoint(app, 1, *l.b);
  if (l.t) app.interp.t = *l.t;
  if (l.slerp) app.interp.spherical = *l.slerp, app.interp.dirty = true;
  LatentMapPanel& m = app.map;
  const int Z = s.trainer.params.config.latent;
  if (l.plane == "principal") m.kind = PlaneKind::principal;
  if (l.plane == "axes") {
    m.kind = PlaneKind::axes;
    if (l.axis0 && l.axis1 && *l.axis0 < Z && *l.axis1 < Z && *l.axis0 != *l.axis1)
      m.axis0 = *l.axis0, m.axis1 = *l.axis1, m.axes_auto = false;
  }
  if (l.cdf) m.cdf = *l.cdf, m.grid_dirty = true;
  if (l.tiles) m.grid_size = *l.tiles, m.grid_dirty = true;
  if (l.focus == "none") app.focus = -1;
  for (int k = 0; k < kPanels; ++k)
    if (l.focus == kLinkPanelKeys[k]) app.focus = k;
  if (l.scale == "auto") app.ui_scale_mode = 0;
  if (l.scale == "projector") app.ui_scale_mode = 1;
  // (any other scale link_parse let through is a number in 0.5..4)
  if (!l.scale.empty() && l.scale != "auto" && l.scale != "projector")
    app.ui_scale_mode = 2, app.ui_scale_fixed = std::strtof(l.scale.c_str(), nullptr);
  if (l.beta) s.trainer.options.beta = *l.beta;
  StepStage stage;
  if (!l.step.empty() && step_stage_parse(l.step, &stage)) {
    app.step_panel.pending = static_cast<int>(stage);  // shown once the training images are there
    if (l.view.empty()) app.view = View::step;
  }
  if (l.posterior) s.one_image.posterior_on = *l.posterior;
  if (l.fitq) s.one_image.fit_on = *l.fitq;
  if (l.holes) app.map.show_holes = *l.holes;
  if (!l.decoder.empty()) app.decoder_sample = l.decoder == "sample", app.sample.dirty = true;
  if (!l.weights_layer.empty()) app.weights.decoder = l.weights_layer == "decoder";
  if (l.weights_page) app.weights.page = *l.weights_page;
  app.reset_layout = true;
}

void link_apply(AppState& app, const Link& l) {
  Session& s = app.session;
  if (!l.model.empty()) {
    int index = -1;
    for (size_t i = 0; i < s.models.size(); ++i)
      if (s.models[i].name == l.model) index = static_cast<int>(i);
    if (index < 0) {
      session_set_status(s, "link: no shipped model '" + l.model + "'; showing " +
                                (s.model_index >= 0 ? s.models[static_cast<size_t>(s.model_index)].name : std::string("the default")), true);
    } else if (index != s.model_index) {
      // the rest of the link describes that model's view: it waits until the model is shown
      if (s.model_pending != index) app_pick_model(app, index);
      app.link_pending = l;
      app.link_pending_model = index;
      app.has_link_pending = true;
      return;
    }
  }
  apply_rest(app, l);
}

void link_apply_pending(AppState& app) {
  if (!app.has_link_pending || app.session.model_pending >= 0) return;
  app.has_link_pending = false;
  if (app.session.model_index == app.link_pending_model) apply_rest(app, app.link_pending);
}

void copy_link(AppState& app) {
  const std::string link = link_write(link_of(app));
  platform_copy_link(link);
  app.last_link = link;
  session_set_status(app.session, "Link copied: " + link, false);
}
