// The window's size, pixel density and UI scale, the font, touch input (display.h).
#include "app/platform/display.h"

#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/html5.h>
#endif
#include <GLFW/glfw3.h>

static std::vector<uint8_t> g_font;  // the TrueType bytes (ImGui reads them; the atlas does not own them)

void display_set_font(const uint8_t* bytes, size_t size) { g_font.assign(bytes, bytes + size); }

#ifdef __EMSCRIPTEN__
EM_JS(double, js_device_pixel_ratio, (), { return window.devicePixelRatio || 1; });
// The touch the page saw (vaeApp.touch): 1 = a touch is on, 2 = pressed (or still down); x, y in CSS pixels.
EM_JS(int, js_touch, (float* x, float* y), {
  const t = vaeApp.touch;
  if (!t.active) return 0;
  HEAPF32[x >> 2] = t.x;
  HEAPF32[y >> 2] = t.y;
  const pressed = t.down || t.pressed;
  t.pressed = false;
  if (!t.down) t.active = false;  // the frame after a release: back to the mouse
  return 1 | (pressed ? 2 : 0);
});
#endif

// ImGui's glyphs: Latin, Greek (mu, sigma, epsilon, beta), punctuation, arrows, the math operators.
static const ImWchar kGlyphs[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2010, 0x2027, 0x2190, 0x2199, 0x2200, 0x22FF, 0};
constexpr float kFontPoints = 14;

static void rebuild_font(Display& d, float px) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.FontDataOwnedByAtlas = false;
  config.OversampleH = 2;
  config.OversampleV = 1;
  ImFont* font = nullptr;
  if (!g_font.empty())
    font = io.Fonts->AddFontFromMemoryTTF(g_font.data(), static_cast<int>(g_font.size()), px, &config, kGlyphs);
  if (font == nullptr) {
    ImFontConfig fallback;
    fallback.SizePixels = std::round(13 * px / kFontPoints);
    io.Fonts->AddFontDefault(&fallback);
  }
  io.Fonts->Build();
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  d.font_px = px;
}

float ui_scale(int mode, float fixed, float w, float h) {
  const float fit = std::min(w / kMinLayoutW, h / kMinLayoutH);  // the largest scale keeping 1024 x 640 points
  if (!(fit > 0)) return 1;
  float wanted = std::max(1.0f, std::min(w / 1280.0f, h / 800.0f));  // auto
  if (mode == 1) wanted = fit;
  if (mode == 2) wanted = fixed;
  return std::min(wanted, fit);
}

void display_before_frame(Display& d, GLFWwindow* window, int scale_mode, float scale_fixed) {
#ifdef __EMSCRIPTEN__
  (void)window;
  double w = 0, h = 0;
  emscripten_get_element_css_size("#canvas", &w, &h);
  d.css_w = static_cast<float>(w);
  d.css_h = static_cast<float>(h);
  d.dpr = static_cast<float>(js_device_pixel_ratio());
  const int bw = static_cast<int>(std::lround(w * d.dpr)), bh = static_cast<int>(std::lround(h * d.dpr));
  int cw = 0, ch = 0;
  emscripten_get_canvas_element_size("#canvas", &cw, &ch);
  if (cw != bw || ch != bh) emscripten_set_canvas_element_size("#canvas", bw, bh);
  d.fb_w = bw, d.fb_h = bh;
#else
  int ww = 0, wh = 0;
  glfwGetWindowSize(window, &ww, &wh);
  glfwGetFramebufferSize(window, &d.fb_w, &d.fb_h);
  d.css_w = static_cast<float>(ww);
  d.css_h = static_cast<float>(wh);
  d.dpr = ww > 0 ? static_cast<float>(d.fb_w) / ww : 1.0f;
#endif
  d.scale = ui_scale(scale_mode, scale_fixed, d.css_w, d.css_h);
  // the font at the screen's resolution: kFontPoints points of scale * dpr device pixels each
  const float px = std::round(kFontPoints * d.scale * d.dpr * 2) / 2;
  if (px != d.font_px) rebuild_font(d, px);
  ImGui::GetIO().FontGlobalScale = kFontPoints / px;
}

void display_after_backend(const Display& d) {
  ImGuiIO& io = ImGui::GetIO();
  // points = CSS pixels / scale; the framebuffer has dpr * scale device pixels per point
  io.DisplaySize = ImVec2(d.css_w / d.scale, d.css_h / d.scale);
  io.DisplayFramebufferScale = ImVec2(d.dpr * d.scale, d.dpr * d.scale);
#ifdef __EMSCRIPTEN__
  // the page's mouse arrives in canvas pixels (CSS pixels x dpr)
  const float to_points = 1.0f / (d.dpr * d.scale);
  float tx = 0, ty = 0;
  const int touch = js_touch(&tx, &ty);
  if (touch) {
    io.MousePos = ImVec2(tx / d.scale, ty / d.scale);
    io.MouseDown[0] = (touch & 2) != 0;
    for (int b = 1; b < 5; ++b) io.MouseDown[b] = false;
    return;
  }
#else
  const float to_points = 1.0f / d.scale;
#endif
  if (io.MousePos.x != -FLT_MAX) io.MousePos = ImVec2(io.MousePos.x * to_points, io.MousePos.y * to_points);
}
