// The web page's and the native window's versions of the few things that differ (platform.h).
#include "app/platform/platform.h"

#include <chrono>

#include "imgui.h"
#include "io/files.h"

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

Status platform_open_weights(const std::string&, std::vector<uint8_t>*) {
  js_open_weights_dialog();
  return Status::success();
}

Status platform_save_weights(const std::vector<uint8_t>& bytes, const std::string& name, const std::string&) {
  js_download(bytes.data(), static_cast<int>(bytes.size()), name.c_str());
  return Status::success();
}

void platform_first_digits() { js_first_digits(); }

Status platform_fetch_model(const std::string& file, int slot, std::vector<uint8_t>*) {
  js_fetch_model(file.c_str(), slot);
  return Status::success();
}

Status platform_load_data(const std::string& dataset, Dataset*, Dataset*, bool* arrived) {
  *arrived = false;
  js_load_data(dataset.c_str());
  return Status::success();
}

void platform_set_data_dirs(const std::string&, const std::string&) {}
void platform_mark(const char* what) { js_mark(what); }
void platform_copy_link(const std::string& hash) { js_copy_link(hash.c_str()); }

#else

double now_seconds() {
  using clock = std::chrono::steady_clock;
  static const clock::time_point start = clock::now();
  return std::chrono::duration<double>(clock::now() - start).count();
}

Status platform_open_weights(const std::string& path, std::vector<uint8_t>* bytes) {
  return file_read_all(path, bytes);
}

Status platform_save_weights(const std::vector<uint8_t>& bytes, const std::string&, const std::string& path) {
  return file_write_atomic(path, bytes);
}

void platform_first_digits() {}
void platform_mark(const char*) {}
void platform_copy_link(const std::string& hash) { ImGui::SetClipboardText(hash.c_str()); }

Status platform_fetch_model(const std::string& file, int, std::vector<uint8_t>* bytes) {
  return file_read_all(file, bytes);
}

static std::string g_data_dirs[2];  // MNIST, Fashion-MNIST

void platform_set_data_dirs(const std::string& mnist, const std::string& fashion_mnist) {
  g_data_dirs[0] = mnist;
  g_data_dirs[1] = fashion_mnist;
}

Status platform_load_data(const std::string& dataset, Dataset* test, Dataset* train, bool* arrived) {
  *arrived = false;
  const std::string& dir = g_data_dirs[dataset == "fashion-mnist" ? 1 : 0];
  Status s = mnist_load(dir, "test", test);
  if (s.ok) s = mnist_load(dir, "train", train);
  *arrived = s.ok;
  return s;
}

#endif
