// What differs between the web page and the native window: the clock, opening and saving a weights
// file, fetching a shipped model and the data, the clipboard, and telling the page how far its start
// has come. Bytes and statuses in and out: the platform knows nothing of the app (app.h) or its session.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "io/idx.h"

double now_seconds();
constexpr bool kIsWeb =
#ifdef __EMSCRIPTEN__
    true;
#else
    false;
#endif

// Web: opens the browser's file dialog; the page hands the bytes over later (vae_load_weights) and
// *bytes stays empty. Native: reads `path` into *bytes.
Status platform_open_weights(const std::string& path, std::vector<uint8_t>* bytes);
// Web: downloads the bytes as `name`. Native: writes them to `path` (a temporary file, then renamed).
Status platform_save_weights(const std::vector<uint8_t>& bytes, const std::string& name, const std::string& path);
// Web: records the time (the page's first-digits figure). Native: nothing.
void platform_first_digits();
// A shipped model's file. Web: fetched; the page hands it over later to the model (slot 0) or to side
// slot - 1 of the comparison, and *bytes stays empty. Native: read into *bytes now.
Status platform_fetch_model(const std::string& file, int slot, std::vector<uint8_t>* bytes);
// The data of `dataset` ("mnist", "fashion-mnist"). Web: fetched; the page hands each split over
// later, *arrived stays false. Native: read now from the folder set with platform_set_data_dirs.
Status platform_load_data(const std::string& dataset, Dataset* test, Dataset* train, bool* arrived);
void platform_set_data_dirs(const std::string& mnist, const std::string& fashion_mnist);
// A link to this view ("#model=...&..."): web: into the clipboard and the address bar; native: the clipboard.
void platform_copy_link(const std::string& hash);
// Web: notes when a step of the start was done (the page's vaeApp.timeline). Native: nothing.
void platform_mark(const char* what);
