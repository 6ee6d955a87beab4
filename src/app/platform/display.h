// The window as ImGui sees it: its size in the app's points (CSS pixels of the page divided by the
// UI scale), the framebuffer's pixels per point (devicePixelRatio times the UI scale, so text and
// digits are drawn at the screen's own resolution), the font rasterized at that resolution, and
// touch input in the page. The page's canvas is sized here too (backing store = CSS size x dpr),
// never through GLFW, whose glfwSetWindowSize asks for fullscreen when the size equals the screen's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

struct GLFWwindow;

struct Display {
  float css_w = 0, css_h = 0;  // the window (page) in CSS pixels (natively: screen coordinates)
  float dpr = 1;               // device pixels per CSS pixel
  float scale = 1;             // the UI scale in effect
  int fb_w = 0, fb_h = 0;      // the framebuffer (canvas backing store) in device pixels
  float font_px = 0;           // the font atlas's pixel size (0: not built yet)
};

// The font the app draws with (a TrueType file's bytes; the page fetches it, natively it is read from
// Debian's fonts-dejavu-core). Without one, ImGui's built-in font.
void display_set_font(const uint8_t* bytes, size_t size);
// The UI scale for a window of w x h CSS pixels: points are CSS pixels / scale. Mode 0 (auto) grows
// the 1280 x 800 layout with the window; 1 (projector) makes it as large as the smallest layout
// (1024 x 640 points) allows; 2 (`fixed`) is capped there too, so no layout is ever smaller than that.
float ui_scale(int mode, float fixed, float w, float h);
constexpr float kMinLayoutW = 1024, kMinLayoutH = 640;
// Before the backends' NewFrame: sizes the canvas (web), measures the window, picks the UI scale
// (ui_scale's mode and fixed choice) and rebuilds the font atlas when its pixel size changed.
void display_before_frame(Display& d, GLFWwindow* window, int scale_mode, float scale_fixed);
// After the backends' NewFrame, before ImGui::NewFrame: ImGui's display size, framebuffer scale and
// mouse position in points, and touch input (web).
void display_after_backend(const Display& d);
