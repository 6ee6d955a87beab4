// The web page's and the native window's versions of the few things that differ (platform.h).
#include "app/platform.h"

#include <chrono>

#include "app/app.h"
#include "imgui.h"
#include "io/safetensors.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>

// The page (web/index.html) defines vaeApp.openWeightsDialog, .download and .firstDigits.
EM_JS(void, js_open_weights_dialog, (), { vaeApp.openWeightsDialog(); });
EM_JS(void, js_download, (const uint8_t* bytes, int size, const char* name),
      { vaeApp.download(HEAPU8.slice(bytes, bytes + size), UTF8ToString(name)); });
EM_JS(void, js_first_digits, (), { vaeApp.firstDigits(); });
EM_JS(void, js_fetch_model, (const char* file, int slot), { vaeApp.fetchModel(UTF8ToString(file), slot); });
EM_JS(void, js_load_data, (const char* name), { vaeApp.loadData(UTF8ToString(name)); });
EM_JS(void, js_mark, (const char* what), { vaeApp.mark(UTF8ToString(what)); });
EM_JS(void, js_copy_link, (const char* hash), { vaeApp.copyLink(UTF8ToString(hash)); });

double now_seconds() { return emscripten_get_now() / 1000.0; }

void platform_open_weights(AppState&) { js_open_weights_dialog(); }

void platform_save_weights(AppState& app, const std::vector<uint8_t>& bytes, const std::string& name) {
  js_download(bytes.data(), static_cast<int>(bytes.size()), name.c_str());
  app_set_status(app, "Downloading " + name + " (" + std::to_string(bytes.size() / 1024) + " KB)", false);
}

void platform_first_digits() { js_first_digits(); }
void platform_fetch_model(const std::string& file, int slot) { js_fetch_model(file.c_str(), slot); }
void platform_load_data(AppState& app) { js_load_data(app.dataset.c_str()); }
void platform_set_data_dirs(const std::string&, const std::string&) {}
void platform_mark(const char* what) { js_mark(what); }
void platform_copy_link(const std::string& hash) { js_copy_link(hash.c_str()); }

#else

double now_seconds() {
  using clock = std::chrono::steady_clock;
  static const clock::time_point start = clock::now();
  return std::chrono::duration<double>(clock::now() - start).count();
}

void platform_open_weights(AppState& app) {
  std::vector<uint8_t> bytes;
  Status s = file_read_all(app.model_panel.path, &bytes);
  if (!s.ok) {
    app_set_status(app, "Not loaded (the current model is kept): " + s.message, true);
    return;
  }
  app_load_weights(app, bytes.data(), bytes.size(), app.model_panel.path);
}

void platform_save_weights(AppState& app, const std::vector<uint8_t>& bytes, const std::string&) {
  Status s = file_write_atomic(app.model_panel.path, bytes);
  if (s.ok)
    app_set_status(app, "Saved " + std::string(app.model_panel.path), false);
  else
    app_set_status(app, "Not saved: " + s.message, true);
}

void platform_first_digits() {}
void platform_mark(const char*) {}
void platform_copy_link(const std::string& hash) { ImGui::SetClipboardText(hash.c_str()); }
void platform_fetch_model(const std::string&, int) {}

static std::string g_data_dirs[2];  // MNIST, Fashion-MNIST

void platform_set_data_dirs(const std::string& mnist, const std::string& fashion_mnist) {
  g_data_dirs[0] = mnist;
  g_data_dirs[1] = fashion_mnist;
}

void platform_load_data(AppState& app) {
  const std::string& dir = g_data_dirs[app.dataset == "fashion-mnist" ? 1 : 0];
  for (const char* split : {"test", "train"}) {
    Dataset d;
    Status s = mnist_load(dir, split, &d);
    if (!s.ok) {
      app_set_status(app, std::string(dataset_title(app.dataset)) + " not loaded: " + s.message, true);
      return;
    }
    app_install_dataset(app, split, std::move(d));
  }
}

#endif
