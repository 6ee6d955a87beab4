// What differs between the web page and the native window: the clock, opening and saving a weights
// file, fetching a shipped model and the data, and telling the page that the first digits are on screen.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct AppState;

double now_seconds();
constexpr bool kIsWeb =
#ifdef __EMSCRIPTEN__
    true;
#else
    false;
#endif

// Web: opens the browser's file dialog (the page hands the bytes to app_load_weights).
// Native: loads app.model_panel.path.
void platform_open_weights(AppState& app);
// Web: downloads the bytes as `name`. Native: writes them to app.model_panel.path.
void platform_save_weights(AppState& app, const std::vector<uint8_t>& bytes, const std::string& name);
// Web: records the time (the page's first-digits figure). Native: nothing.
void platform_first_digits();
// Web: fetches a shipped model's file; the page hands it to app_load_weights (slot 0) or to side
// slot - 1 of the comparison (compare_load_weights). Native: unused.
void platform_fetch_model(const std::string& file, int slot = 0);
// The data of app.dataset: the page fetches it (and hands it over later); natively it is read now
// from the folder set with platform_set_data_dirs.
void platform_load_data(AppState& app);
void platform_set_data_dirs(const std::string& mnist, const std::string& fashion_mnist);
// A link to this view ("#model=...&..."): web: into the clipboard and the address bar; native: the clipboard.
void platform_copy_link(const std::string& hash);
// Web: notes when a step of the start was done (the page's vaeApp.timeline). Native: nothing.
void platform_mark(const char* what);
