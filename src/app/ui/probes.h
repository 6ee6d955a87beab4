// The probe map: where widgets are on the screen, by name, for the browser test (the page's state
// JSON reads them; the native window's self-check reads one). Panels record what they draw;
// nothing else reads these.
#pragma once
#include <map>
#include <string>
#include <vector>

// A widget's screen rectangle (ImGui coordinates = CSS pixels of the page / the UI scale). A point
// is a rectangle of no size.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct Probes {
  std::map<std::string, Rect> one;                 // "train_start", "draw_pad", ...
  std::map<std::string, std::vector<Rect>> lists;  // "panels" (by panel), "models", "popup_items", ...

  void set(const std::string& name, const Rect& r) { one[name] = r; }
  // Entry i of list `name` (the list grows to hold it).
  void set_at(const std::string& name, size_t i, const Rect& r) {
    std::vector<Rect>& v = lists[name];
    if (v.size() <= i) v.resize(i + 1);
    v[i] = r;
  }
  void add(const std::string& name, const Rect& r) { lists[name].push_back(r); }
  void clear(const std::string& name) { lists[name].clear(); }
  // A rectangle never recorded is empty.
  Rect get(const std::string& name) const {
    const auto it = one.find(name);
    return it == one.end() ? Rect() : it->second;
  }
  // List `name` with at least n entries (the missing ones empty).
  std::vector<Rect> list(const std::string& name, size_t n = 0) const {
    const auto it = lists.find(name);
    std::vector<Rect> v = it == lists.end() ? std::vector<Rect>() : it->second;
    if (v.size() < n) v.resize(n);
    return v;
  }
};
