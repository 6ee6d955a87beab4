// Marching squares (contour.h): each 2x2 block of cell centres is split by the level along the edges
// whose ends lie on either side of it, at the linearly interpolated crossing.
#include "app/ui/contour.h"

#include <algorithm>
#include <functional>

std::vector<ContourSegment> contour_segments(const Vec& v, int n, float level) {
  std::vector<ContourSegment> out;
  for (int r = 0; r + 1 < n; ++r)
    for (int c = 0; c + 1 < n; ++c) {
      // corners in order: (c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)
      const float cx[4] = {float(c), float(c + 1), float(c + 1), float(c)};
      const float cy[4] = {float(r), float(r), float(r + 1), float(r + 1)};
      const float val[4] = {v[r * n + c], v[r * n + c + 1], v[(r + 1) * n + c + 1], v[(r + 1) * n + c]};
      float px[4], py[4];
      int k = 0;
      for (int e = 0; e < 4; ++e) {
        const int a = e, b = (e + 1) % 4;
        if ((val[a] >= level) == (val[b] >= level)) continue;
        // the crossing: t = (level - v_a) / (v_b - v_a) along the edge
        const float t = (level - val[a]) / (val[b] - val[a]);
        px[k] = cx[a] + t * (cx[b] - cx[a]);
        py[k] = cy[a] + t * (cy[b] - cy[a]);
        ++k;
      }
      // two crossings: one segment; four (a saddle): two, pairing edges in order
      for (int s = 0; s + 1 < k; s += 2) out.push_back({px[s], py[s], px[s + 1], py[s + 1]});
    }
  return out;
}

std::vector<float> mass_levels(const Vec& mass, const std::vector<float>& shares) {
  std::vector<float> sorted(mass.data(), mass.data() + mass.size());
  std::sort(sorted.begin(), sorted.end(), std::greater<float>());
  std::vector<float> levels;
  for (float share : shares) {
    double sum = 0;
    float level = sorted.empty() ? 0 : sorted.back();
    for (float m : sorted) {
      sum += m;
      if (sum >= share) {
        level = m;
        break;
      }
    }
    levels.push_back(level);
  }
  return levels;
}
