// The view a link opens: the page's URL hash ("#model=mnist-z2&digit=3"), parsed and applied by the
// app (the page's JavaScript only hands the text over). Natively the same text comes from flags.
#pragma once
#include <string>

#include "core/status.h"

struct AppState;

struct UrlState {
  std::string model;  // a shipped model's name ("" = the default)
  int digit = -1;     // test image N as the one-image view's input (-1: not set)
  std::string view;   // "explore", "inside" or "train" ("" = as the other keys suggest)
};

// Parses "key=value&key=value" (a leading '#' is skipped). Unknown keys and bad values are errors
// naming them; *out holds the keys that parsed.
Status url_state_parse(const std::string& hash, UrlState* out);
// Applies s to the app: the model must be the one loaded (the page fetched it before starting) or is
// picked now; digit=N inspects test image N (once the test set is there) and opens "Inside one image".
void app_apply_url(AppState& app, const UrlState& s);
