// vae-app: a GLFW window with Dear ImGui on OpenGL 3 (native) or WebGL2 (the web page), as in
// ImGui's example_glfw_opengl3; each frame is app_frame(). Natively it offers the models in the
// source tree's weights/ and reads the data from disk; in the page, JavaScript fetches them and hands
// the bytes over.
//   vae-app [--model NAME] [--digit N] [--view explore|inside|train|step] [--link '#model=NAME&digit=N']
//           [--frames N [--screenshot OUT.png]] [WEIGHTS.safetensors] [MNIST_DIR]
// --frames N quits after N frames; with --screenshot it saves the last one and exits non-zero when
// it is blank (the native window test).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "app/app.h"
#include "app/panels/panels.h"
#include "app/platform/display.h"
#include "app/platform/gl_texture.h"
#include "app/platform/platform.h"
#include "app/platform/screenshot.h"
#include "app/links/link.h"
#include "io/numbers.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#include <emscripten.h>
#else
#include <GL/gl.h>
#endif
#include <GLFW/glfw3.h>

struct Loop {
  GLFWwindow* window = nullptr;
  AppState* app = nullptr;
  Display display;
  bool reported_first_digits = false;
  long long max_frames = 0;  // native: > 0 quits after this many frames ...
  std::string screenshot;    // ... saving the last one here
  int exit_code = 0;
  unsigned long long last_look = 0;  // the page: what the last drawn frame showed (frame_look)
};

// A digest of what a frame shows: its draw lists (vertices, indices, commands), the textures'
// changes and the canvas size. Equal digests draw equal pictures.
[[maybe_unused]] static unsigned long long frame_look(const ImDrawData* d, int width, int height) {
  unsigned long long h = 1469598103934665603ULL;
  auto mix = [&h](const void* data, size_t bytes) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
      unsigned long long w;
      std::memcpy(&w, p + i, 8);
      h = (h ^ w) * 1099511628211ULL;
    }
    for (; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  const unsigned long long head[3] = {texture_changes(), static_cast<unsigned long long>(width),
                                      static_cast<unsigned long long>(height)};
  mix(head, sizeof head);
  for (int n = 0; n < d->CmdListsCount; ++n) {
    const ImDrawList* list = d->CmdLists[n];
    mix(list->VtxBuffer.Data, static_cast<size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
    mix(list->IdxBuffer.Data, static_cast<size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& c : list->CmdBuffer) {
      mix(&c.ClipRect, sizeof c.ClipRect);
      mix(&c.TextureId, sizeof c.TextureId);
      const unsigned counts[3] = {c.ElemCount, c.IdxOffset, c.VtxOffset};
      mix(counts, sizeof counts);
    }
  }
  return h;
}

// The last frame of a --frames run: saved and checked with --screenshot.
static void finish(Loop& loop, int width, int height) {
  glfwSetWindowShouldClose(loop.window, GLFW_TRUE);
  if (loop.screenshot.empty()) return;
  std::string report;
  // digits must be on screen: in the sample grid, or (a view without it) in the inspected input x
  const AppState& app = *loop.app;
  const Rect r = app.probes.get(app.view == View::one_image ? "input_x" : "sample_grid");
  const float digits[4] = {r.x, r.y, r.w, r.h};
  Status s = screenshot_check(loop.screenshot, width, height, digits, &report);
  std::printf("vae-app: %s: %s\n", loop.screenshot.c_str(), s.ok ? report.c_str() : s.message.c_str());
  loop.exit_code = s.ok ? 0 : 3;
}

static void frame(void* arg) {
  Loop& loop = *static_cast<Loop*>(arg);
  // the training benchmark runs on the training thread: the page draws nothing meanwhile, as the
  // single-thread build, where it runs in the frame, cannot
  if (loop.app->session.train_thread.benchmarking()) return;
  const double start = now_seconds();
  glfwPollEvents();
  if (loop.app->frame == 0) platform_mark("first frame");
  display_before_frame(loop.display, loop.window, loop.app->ui_scale_mode, loop.app->ui_scale_fixed);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  display_after_backend(loop.display);
  loop.app->display_dpr = loop.display.dpr;
  loop.app->display_scale = loop.display.scale;
  loop.app->font_px = loop.display.font_px;
  loop.app->canvas_w = loop.display.fb_w;
  loop.app->canvas_h = loop.display.fb_h;
  ImGui::NewFrame();
  app_frame(*loop.app);
  ImGui::Render();
  const int width = loop.display.fb_w, height = loop.display.fb_h;
#ifdef __EMSCRIPTEN__
  // the page draws nothing when the picture would not change: the browser then keeps the canvas as
  // it is and composites nothing (a still page costs a laptop or phone next to nothing; in headless
  // Chromium, whose WebGL is software, an idle 1280x800 page kept both cores busy)
  const unsigned long long look = frame_look(ImGui::GetDrawData(), width, height);
  const bool draw = look != loop.last_look;
  loop.last_look = look;
#else
  const bool draw = true;  // a window swaps buffers every frame: each must be drawn
#endif
  if (draw) {
    glViewport(0, 0, width, height);
    glClearColor(0.09f, 0.10f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  if (loop.max_frames > 0 && loop.app->frame >= loop.max_frames) finish(loop, width, height);
  glfwSwapBuffers(loop.window);
  if (loop.app->first_digits && !loop.reported_first_digits) {
    loop.reported_first_digits = true;
    platform_first_digits();
  }
  // the data comes after the first digits are on screen (and again after a switch of dataset)
  if (loop.app->first_digits && loop.app->session.data_pending) {
    app_request_data(*loop.app);
  }
  // the main thread's work this frame (the state's frame_ms; the page's budget while training)
  loop.app->frame_ms[(loop.app->frame + 119) % 120] = static_cast<float>((now_seconds() - start) * 1000);
}

static GLFWwindow* create_window(const char** glsl_version) {
#ifdef __EMSCRIPTEN__
  *glsl_version = "#version 300 es";
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#else
  *glsl_version = "#version 130";
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#endif
  GLFWwindow* window = glfwCreateWindow(1280, 800, "Variational autoencoder on MNIST", nullptr, nullptr);
  if (window == nullptr) return nullptr;
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  return window;
}

static void setup_imgui(GLFWwindow* window, const char* glsl_version) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
#ifdef __EMSCRIPTEN__
  ImGui::GetIO().IniFilename = nullptr;  // no file system in the page: the layout opens the same every time
#endif
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  // opaque windows: nothing shows through a panel (a projector washes out what is half there)
  style.Colors[ImGuiCol_WindowBg].w = 1.0f;
  style.Colors[ImGuiCol_PopupBg].w = 1.0f;
  style.WindowRounding = 4;
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.WindowPadding = ImVec2(8, 6);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glsl_version);
}

#ifndef __EMSCRIPTEN__
// Flags and arguments (see the top of this file); then the models of weights/ and the first model:
// --model NAME, else the WEIGHTS file, else the first of the list. False after a usage message.
static bool parse_flags(int argc, char** argv, Loop* loop) {
  AppState& app = *loop->app;
  std::string weights, model, data_dir = VAE_APP_MNIST, link;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--frames" && has_value) {
      long long frames = 0;
      const Status st = parse_integer(argv[++i], 1, 1000000000, &frames);
      if (!st) return std::fprintf(stderr, "vae-app: --frames: %s\n", st.message.c_str()), false;
      loop->max_frames = frames;
    }
    else if (arg == "--screenshot" && has_value) loop->screenshot = argv[++i];
    else if (arg == "--model" && has_value) model = argv[++i];
    else if ((arg == "--digit" || arg == "--view") && has_value) link += "&" + arg.substr(2) + "=" + argv[++i];
    else if (arg == "--link" && has_value) link += "&" + std::string(argv[++i]);
    else if (arg.rfind("--", 0) != 0 && positional < 2) (positional++ == 0 ? weights : data_dir) = arg;
    else {
      std::fprintf(stderr, "vae-app: bad argument '%s'\nusage: vae-app [--model NAME] [--digit N] [--view explore|inside|train|step] "
                           "[--link '#model=NAME&digit=N'] [--frames N [--screenshot OUT.png]] [WEIGHTS.safetensors] "
                           "[MNIST_DIR]\n", arg.c_str());
      return false;
    }
  }
  if (!loop->screenshot.empty() && loop->max_frames <= 0) loop->max_frames = 60;
  platform_set_data_dirs(data_dir, VAE_APP_FASHION);
  app.session.models = models_scan_folder(VAE_APP_WEIGHTS_DIR);
  int index = app.session.models.empty() || !weights.empty() ? -1 : 0;
  for (size_t i = 0; i < app.session.models.size(); ++i)
    if (app.session.models[i].name == model) index = static_cast<int>(i);
  if (!model.empty() && (index < 0 || app.session.models[static_cast<size_t>(index)].name != model)) {
    std::fprintf(stderr, "vae-app: no model '%s' in %s\n", model.c_str(), VAE_APP_WEIGHTS_DIR);
    return false;
  }
  if (index >= 0) weights = app.session.models[static_cast<size_t>(index)].file;
  std::snprintf(app.model_panel.path, sizeof app.model_panel.path, "%s", weights.c_str());
  std::vector<uint8_t> bytes;
  Status s = weights.empty() ? Status::error("no weights in " + std::string(VAE_APP_WEIGHTS_DIR))
                             : file_read_all(weights, &bytes);
  if (s.ok)
    session_load_weights(app.session, bytes.data(), bytes.size(), weights);
  else
    session_set_status(app.session, s.message, true);  // the first frame starts a random model instead
  if (!link.empty()) {
    Link u;
    const Status parsed = link_parse(link, &u);
    if (!parsed.ok) {
      std::fprintf(stderr, "vae-app: %s\n", parsed.message.c_str());
      return false;
    }
    link_apply(app, u);
  }
  return true;
}
#endif

int main(int argc, char** argv) {
  glfwSetErrorCallback([](int error, const char* text) { std::fprintf(stderr, "GLFW error %d: %s\n", error, text); });
  platform_mark("main");
  static Loop loop;
  loop.app = &app_instance();
#ifndef __EMSCRIPTEN__
  if (!parse_flags(argc, argv, &loop)) return 2;
#endif
#ifndef __EMSCRIPTEN__
  {
    std::vector<uint8_t> font;
    if (file_read_all(VAE_APP_FONT, &font).ok)
      display_set_font(font.data(), font.size());
    else
      std::fprintf(stderr, "vae-app: %s not found (apt-get install fonts-dejavu-core): ImGui's built-in font instead\n", VAE_APP_FONT);
  }
#endif
  if (!glfwInit()) return 1;
  const char* glsl_version = nullptr;
  loop.window = create_window(&glsl_version);
  if (loop.window == nullptr) {
    std::fprintf(stderr, "vae-app: could not open an OpenGL 3 window\n");
    return 1;
  }
  platform_mark("window");
  setup_imgui(loop.window, glsl_version);
#ifdef __EMSCRIPTEN__
  (void)argc, (void)argv;
  emscripten_set_main_loop_arg(frame, &loop, 0, true);
#else
  while (!glfwWindowShouldClose(loop.window)) frame(&loop);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(loop.window);
  glfwTerminate();
#endif
  return loop.exit_code;
}
