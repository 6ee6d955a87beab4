// The view a link opens: the page's URL hash ("#model=mnist-z2&digit=3&eps=2"), parsed and applied by
// the app (the page's JavaScript only hands the text over), and written back by "Copy link". Natively
// the same text comes from --link (or --model, --digit, --view).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

struct AppState;

// An interpolation endpoint in a link: "prior:SEED", "test:INDEX", "class:DIGIT.OCCURRENCE" or
// "z:Z0,Z1,..." (a code picked on the map or elsewhere).
struct UrlEndpoint {
  std::string kind;  // "prior", "test", "class", "z"
  int a = 0, b = 0;  // seed | index | digit, occurrence
  std::vector<float> z;
};

// Every key is optional: what a link does not say stays as it is.
struct UrlState {
  std::string model;               // model=NAME: a shipped model
  std::string view;                // view=explore|inside|train
  std::optional<int> digit;        // digit=N: test image N as the one-image view's input
  std::optional<int> eps;          // eps=S: the "draw eps" count (>= 1)
  std::optional<int> seed;         // seed=S: the sample grid's seed
  std::optional<float> temperature;  // T=1.00: the sample grid's spread
  std::optional<int> grid;         // grid=8: samples per row
  std::optional<int> sample_class;  // sclass=C (conditional models; -1: one row per class)
  std::optional<UrlEndpoint> a, b;  // a=..., b=...: the interpolation endpoints
  std::optional<float> t;          // t=0.50: the point between them
  std::optional<bool> slerp;       // slerp=1: spherical interpolation
  std::string plane;               // plane=principal|axes
  std::optional<int> axis0, axis1;  // plane=axes:I,J
  std::optional<bool> cdf;         // cdf=1: the map's Gaussian-CDF spacing
  std::optional<int> tiles;        // tiles=N: the map's grid
  std::string focus;               // focus=PANEL (sample, interpolate, map, input, train, models, encoder, reparam, elbo, compare) or none
  std::string scale;               // scale=auto|projector|1.5
  std::optional<float> beta;       // beta=1: the KL weight for training here
};

// The panels' names in links (focus=...), in the app's panel order.
constexpr int kUrlPanels = 10;
extern const char* const kUrlPanelKeys[kUrlPanels];

// Parses "key=value&key=value" ('#' counts as '&'). Unknown keys and bad values are errors naming
// them; *out holds the keys that parsed.
Status url_state_parse(const std::string& hash, UrlState* out);
// The link of the app's current view ("#model=...&..."): model, view, inspected test image, eps,
// sample seed and spread, endpoints, t, plane, map, focus, scale, beta.
std::string url_state_of(const AppState& app);
// Applies s: the model first (picked now when it is another one; the rest waits until it is loaded),
// then everything else. digit=N also opens "Inside one image" unless the link names a view.
void app_apply_url(AppState& app, const UrlState& s);
// The part of a link that waited for its model, applied once that model is shown (each frame).
void url_state_pending(AppState& app);
