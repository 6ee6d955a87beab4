// Links to a view of the page: the URL hash ("#model=mnist-z2&digit=3&eps=2") as plain data, parsed
// from text and written back to text. Pure (outside text: fuzzed by tests/fuzz/fuzz_url.cpp); the
// app's link_apply() puts a link into effect and link_of() reads one off the app (app.h). The page's
// JavaScript only hands the text over; natively the same text comes from --link (or --model, --digit,
// --view).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

// An interpolation endpoint in a link: "prior:SEED", "test:INDEX", "class:DIGIT.OCCURRENCE" or
// "z:Z0,Z1,..." (a code picked on the map or elsewhere).
struct LinkEndpoint {
  std::string kind;  // "prior", "test", "class", "z"
  int a = 0, b = 0;  // seed | index | digit, occurrence
  std::vector<float> z;
};

// Every key is optional: what a link does not say stays as it is.
struct Link {
  std::string model;               // model=NAME: a shipped model
  std::string view;                // view=explore|inside|train|step
  std::optional<int> digit;        // digit=N: test image N as the one-image view's input
  std::optional<int> eps;          // eps=S: the "draw eps" count (>= 1)
  std::optional<int> seed;         // seed=S: the sample grid's seed
  std::optional<float> temperature;  // T=1.00: the sample grid's spread
  std::optional<int> grid;         // grid=8: samples per row
  std::optional<int> sample_class;  // sclass=C (conditional models; -1: one row per class)
  std::optional<LinkEndpoint> a, b;  // a=..., b=...: the interpolation endpoints
  std::optional<float> t;          // t=0.50: the point between them
  std::optional<bool> slerp;       // slerp=1: spherical interpolation
  std::string plane;               // plane=principal|axes
  std::optional<int> axis0, axis1;  // plane=axes:I,J
  std::optional<bool> cdf;         // cdf=1: the map's Gaussian-CDF spacing
  std::optional<int> tiles;        // tiles=N: the map's grid
  std::string focus;               // focus=PANEL (sample, interpolate, map, input, train, models, encoder, reparam, elbo, compare) or none
  std::string scale;               // scale=auto|projector|1.5
  std::optional<float> beta;       // beta=1: the KL weight for training here
  std::string step;                // step=STAGE: one training step in slow motion, paused at that stage
                                   // (encode, eps, decode, cost, backward, update)
  std::optional<bool> posterior;   // posterior=1: the true posterior p(z|x) of the inspected image (Z = 2)
  std::optional<bool> fitq;        // fitq=1: q fitted to the inspected image alone, the gap split
  std::optional<bool> holes;       // holes=1: the aggregate posterior and its holes on the latent map
  std::string decoder;             // decoder=mean|sample: decoded images as p(x|z)'s mean or a draw from it
  std::optional<int> weights_page;  // wpage=N: the page of units the weights view shows
  std::string weights_layer;       // wlayer=encoder|decoder: the layer the weights view shows
};

// The panels' names in links (focus=...), in the app's panel order.
constexpr int kLinkPanels = 13;
extern const char* const kLinkPanelKeys[kLinkPanels];

// Parses "key=value&key=value" ('#' counts as '&'). Unknown keys and bad values are errors naming
// them; *out holds the keys that parsed.
Status link_parse(const std::string& hash, Link* out);
// The text of a link ("#model=...&..."), its keys in a fixed order; link_parse reads it back to the
// same link (numbers to 3 decimals, codes to 4 significant digits).
std::string link_write(const Link& link);
// A number as links write it: rounded to 3 decimals, "%g" ("0.5", "1.25").
std::string link_number(float v);
