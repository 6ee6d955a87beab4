// Latent map: a plane through latent space. Each tile is the decoder's mean image for the code at
// its centre (Kingma & Welling 2014, figure 4: a 2-D model's whole latent space, coordinates
// linearly spaced on the unit square through the inverse Gaussian CDF); dots are the encoder means
// mu(x) of test digits projected onto the plane, coloured by label. A conditional model encodes each
// test digit with its label, q(z|x,y), and decodes the tiles as one class picked here, p(x|z,y).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"
#include "app/platform/platform.h"

static const char* kPlaneNames[] = {"principal directions", "two axes"};

// Encodes the map's test digits in slices (a few ms per frame) whenever the model changed.
static void points_update(AppState& app) {
  LatentMapPanel& m = app.map;
  const int Z = app.session.trainer.params.config.latent;
  // at least kPrincipalCodes codes: the plane comes from those, whatever number of dots is drawn
  const int n = std::min<int>(std::max(m.num_points, kPrincipalCodes), static_cast<int>(app.session.test.labels.size()));
  if (n == 0) return;
  if (m.points_mu.rows() != n || m.points_mu.cols() != Z) {
    m.points_mu.resize(n, Z);
    m.points_sigma.resize(n, Z);
    m.points_ready = false;
    m.points_done = 0;
    m.points_version = -1;
  }
  const bool training = app.session.training.running;
  if (m.points_done >= n && m.points_version != app.session.version && (!training || app.session.now - m.points_pass_at >= 2.0)) {
    m.points_done = 0;  // a new pass over the points
    m.points_version = app.session.version;
    m.points_pass_at = app.session.now;
  }
  if (m.points_version == -1) m.points_version = app.session.version, m.points_pass_at = app.session.now;
  const double budget = training ? 0.003 : 0.008, start = now_seconds();
  while (m.points_done < n && now_seconds() - start < budget) {
    const int rows = std::min(kInferBatch, n - m.points_done);
    encode_mu_sigma(m.points_mu.middleRows(m.points_done, rows), m.points_sigma.middleRows(m.points_done, rows),
                    app.session.inf, app.session.trainer.params, app.session.test.images.middleRows(m.points_done, rows),
                    label_rows(app.session.test.labels.data() + m.points_done, rows, session_classes(app.session)));
    m.points_done += rows;
  }
  if (m.points_done >= n && m.points_pass_at != m.principal_at) {
    m.points_ready = true;
    m.principal_at = m.points_pass_at;
    // the principal plane and the codes' mean of the first kPrincipalCodes test images
    const int k = std::min(n, kPrincipalCodes);
    const ConstMatMap first(m.points_mu.data(), k, Z);
    m.codes_mean = first.colwise().mean().transpose();
    if (Z > 2) m.principal = principal_plane(first);
  }
}

// The plane the map shows for the current settings.
static LatentPlane current_plane(const AppState& app) {
  const LatentMapPanel& m = app.map;
  const int Z = app.session.trainer.params.config.latent;
  if (Z == 1) {
    LatentPlane p;
    p.origin = p.dir0 = Vec::Ones(1);
    p.origin.setZero();
    p.dir1 = Vec::Zero(1);
    return p;
  }
  // (a pass over more codes keeps the plane of the last one: it comes from the first kPrincipalCodes)
  const bool have_codes = Z > 2 && m.principal_at >= 0 && m.codes_mean.size() == Z;
  if (m.kind == PlaneKind::principal && have_codes && m.principal.origin.size() == Z) return m.principal;
  const Vec origin = have_codes ? m.codes_mean : Vec(Vec::Zero(Z));
  const int a0 = Z == 2 ? 0 : m.axis0, a1 = Z == 2 ? 1 : m.axis1;
  return LatentPlane::axes(origin, a0, a1);
}

void latent_map_forget_probe(AppState& app) {
  LatentMapPanel& m = app.map;
  texture_free(&m.probe.texture);
  m.probe = DigitGrid();
  m.probe_pinned = false;
}

void latent_map_redraw(AppState& app) {
  LatentMapPanel& m = app.map;
  const double start = now_seconds();
  const int n = m.grid_size, Z = app.session.trainer.params.config.latent;
  m.grid.z.resize(n * n, Z);
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col) {
      // cell centres linearly spaced on the unit square, through the inverse CDF (or linear on [-3, 3])
      const float c0 = map_to_plane((col + 0.5f) / n, m.cdf), c1 = map_to_plane(1 - (row + 0.5f) / n, m.cdf);
      m.grid.z.row(row * n + col) = m.plane.point(c0, c1).transpose();
    }
  m.grid.y = class_rows(m.cls, n * n, session_classes(app.session));
  grid_decode(app.session, &m.grid, n, n);
  m.grid_dirty = false;
  m.grid_ms = (now_seconds() - start) * 1000;
}

static void map_controls(AppState& app) {
  LatentMapPanel& m = app.map;
  const int Z = app.session.trainer.params.config.latent;
  if (Z == 2) {
    ImGui::TextUnformatted("2-D model: the whole latent space.");
  } else {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    int kind = static_cast<int>(m.kind);
    if (ImGui::Combo("plane", &kind, kPlaneNames, 2)) m.kind = static_cast<PlaneKind>(kind);
    help_marker(
        "A latent space with Z > 2 dimensions cannot be shown whole: this is a plane through the mean of the test "
        "codes. Principal directions: the two directions in which the encoded test digits spread the most "
        "(eigenvectors of their covariance). Two axes: z_i and z_j, the other coordinates at the mean.");
    if (m.kind == PlaneKind::axes) {
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
      int axes[2] = {m.axis0, m.axis1};
      if (ImGui::SliderInt2("axes", axes, 0, Z - 1) && axes[0] != axes[1])
        m.axis0 = axes[0], m.axis1 = axes[1], m.axes_auto = false;
      help_marker("The plane of latent axes z_i and z_j through the mean code. It opens on the model's two most "
                  "active dimensions (the largest mean KL over test images). An inactive dimension is one the "
                  "encoder leaves at the prior and the decoder ignores: along it every tile is the same image.");
      const Vec& kl = app.session.activity.kl;
      for (int a : {m.axis0, m.axis1})
        if (a < kl.size() && kl[a] <= kActiveKl) {
          ImGui::SameLine();
          ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.4f, 1.0f), "z_%d inactive", a);
          if (ImGui::IsItemHovered())
            ImGui::SetTooltip("z_%d's mean KL over test images is %.4f nats: the model does not use it, so the tiles do "
                              "not change along it.", a, kl[a]);
        }
    }
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::SliderInt("grid", &m.grid_size, 4, 24)) m.grid_dirty = true;
  if (session_classes(app.session) > 0) {
    same_line_if_fits(ImGui::GetFontSize() * 13);
    if (class_combo(app.session, app.probes, "tiles as", &m.cls, nullptr, "map_class")) m.grid_dirty = true;
    help_marker("A conditional model: the dots are mu of q(z|x,y), each test image encoded with its own label; "
                "the tiles decode p(x|z,y) with the class picked here. The class is not in z, so the codes of all "
                "classes overlap and z holds the style: the same place on the map is the same style in every class.");
  }
  if (ImGui::Checkbox("Gaussian-CDF spacing", &m.cdf)) m.grid_dirty = true;
  help_marker(
      "On: the map's coordinates are Phi(c), with Phi the N(0, 1) CDF: equal areas hold equal prior mass, as in "
      "the paper's figure 4 (a grid linearly spaced on the unit square, through the inverse CDF). Off: c from -3 to "
      "3 linearly.");
  same_line_if_fits(ImGui::GetFrameHeight() + ImGui::CalcTextSize("holes (?)").x + 16);
  ImGui::Checkbox("holes", &m.show_holes);
  app.probes.set("map_holes", item_rect());
  help_marker("The aggregate posterior q(z) = (1/N) Σ_n q(z|x_n) of the test codes as heat, against the prior N(0, I) "
              "(blue circles). Red cells: holes, where the prior has mass (inside about its 2σ) but q(z) has less than a "
              "tenth of it. A code drawn from the prior there decodes to something no image looked like: click one. "
              "An autoencoder (β = 0) leaves most of the prior in holes, which is why its prior samples are blurs.");
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  same_line_if_fits(box + ImGui::CalcTextSize("digits").x);
  ImGui::Checkbox("digits", &m.show_grid);
  same_line_if_fits(box + ImGui::CalcTextSize("test codes").x);
  ImGui::Checkbox("test codes", &m.show_points);
  same_line_if_fits(ImGui::GetFontSize() * 6);
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::SliderInt("##points", &m.num_points, 500, 10000, "%d codes");
  app.probes.set("map_points", item_rect());
}

struct MapFrame {
  ImVec2 at;
  float side;
  bool cdf;
  ImVec2 to_screen(float c0, float c1) const {
    return ImVec2(at.x + plane_to_map(c0, cdf) * side, at.y + (1 - plane_to_map(c1, cdf)) * side);
  }
  ImVec2 to_screen(const LatentPlane& p, const Eigen::Ref<const Vec>& z) const {
    float c0, c1;
    p.coords(z, &c0, &c1);
    return to_screen(c0, c1);
  }
  void to_plane(ImVec2 s, float* c0, float* c1) const {
    *c0 = map_to_plane(std::clamp((s.x - at.x) / side, 0.001f, 0.999f), cdf);
    *c1 = map_to_plane(std::clamp(1 - (s.y - at.y) / side, 0.001f, 0.999f), cdf);
  }
};

static void draw_points(const AppState& app, const MapFrame& f, ImDrawList* dl) {
  const LatentMapPanel& m = app.map;
  const int n = std::min({m.points_ready ? static_cast<int>(m.points_mu.rows()) : m.points_done,
                          static_cast<int>(app.session.test.labels.size()), m.num_points});
  for (int i = 0; i < n; ++i) {
    const ImVec2 s = f.to_screen(m.plane, m.points_mu.row(i).transpose());
    dl->AddRectFilled(ImVec2(s.x - 1.1f, s.y - 1.1f), ImVec2(s.x + 1.1f, s.y + 1.1f),
                      digit_color(app.session.test.labels[static_cast<size_t>(i)], 0.7f));
  }
}

// Text right of s, moved to its left when it would leave the map, and kept inside the map whatever s
// is (a code off the map's range); returns where it went.
static Rect label_inside(const MapFrame& f, ImDrawList* dl, ImVec2 s, const char* text, ImU32 color) {
  const ImVec2 size = ImGui::CalcTextSize(text);
  float x = s.x + 9, y = s.y - size.y * 0.5f;
  if (x + size.x > f.at.x + f.side - 2) x = s.x - 9 - size.x;
  x = std::clamp(x, f.at.x + 2, std::max(f.at.x + 2, f.at.x + f.side - size.x - 2));
  y = std::clamp(y, f.at.y + 2, std::max(f.at.y + 2, f.at.y + f.side - size.y - 2));
  dl->AddText(ImVec2(x, y), color, text);
  return Rect{x, y, size.x, size.y};
}

// The ellipse {c : (c - m)^T S^-1 (c - m) = r^2} of a Gaussian in plane coordinates (mean m, 2x2
// covariance S), through the map's warp; returns its screen points' mean and fills *box.
static ImVec2 plane_ellipse(const MapFrame& f, ImDrawList* dl, float m0, float m1, double s00, double s01, double s11,
                            float r, ImU32 color, float thickness, Rect* box) {
  // S = L L^T (Cholesky), points m + r L (cos t, sin t)
  const double l00 = std::sqrt(std::max(s00, 1e-12)), l10 = s01 / l00;
  const double l11 = std::sqrt(std::max(s11 - l10 * l10, 1e-12));
  constexpr int kPoints = 64;
  ImVec2 pts[kPoints];
  ImVec2 mean(0, 0), lo(1e9f, 1e9f), hi(-1e9f, -1e9f);
  for (int i = 0; i < kPoints; ++i) {
    const double t = 6.283185307179586 * i / kPoints, a = r * std::cos(t), b = r * std::sin(t);
    pts[i] = f.to_screen(m0 + static_cast<float>(l00 * a), m1 + static_cast<float>(l10 * a + l11 * b));
    mean.x += pts[i].x / kPoints, mean.y += pts[i].y / kPoints;
    lo = ImVec2(std::min(lo.x, pts[i].x), std::min(lo.y, pts[i].y));
    hi = ImVec2(std::max(hi.x, pts[i].x), std::max(hi.y, pts[i].y));
  }
  dl->AddPolyline(pts, kPoints, color, ImDrawFlags_Closed, thickness);
  if (box) *box = Rect{lo.x, lo.y, hi.x - lo.x, hi.y - lo.y};
  return mean;
}

// The inspected input on the map: q(z|x) as its 1 and 2 sigma ellipses (exact for Z = 2; otherwise q
// projected onto the plane), the prior's (its projection), mu, the drawn z and the cloud of draws.
static void inspected_overlay(AppState& app, const MapFrame& f, ImDrawList* dl) {
  const LatentPlane& p = app.map.plane;
  const OneImage& o = app.session.one_image;
  const int Z = app.session.trainer.params.config.latent;
  if (p.origin.size() != Z || Z < 2) return;
  // the prior N(0, I) in plane coordinates: mean coords(0), covariance diag(1 / scale^2) (dir0 . dir1 = 0)
  float o0, o1;
  p.coords(Vec::Zero(Z), &o0, &o1);
  for (float r : {1.0f, 2.0f})
    plane_ellipse(f, dl, o0, o1, 1.0 / (p.scale0 * p.scale0), 0, 1.0 / (p.scale1 * p.scale1), r,
                  IM_COL32(150, 200, 255, r == 1 ? 170 : 110), 1.0f, nullptr);
  if (Z == 2) label_inside(f, dl, f.to_screen(o0, o1 + 2.0f * 1.0f / p.scale1), "prior 2σ", IM_COL32(150, 200, 255, 200));
  if (!o.ready || o.q.mu.size() != Z) return;
  for (Eigen::Index i = 0; i < o.cloud_z.rows(); ++i) {
    const ImVec2 c = f.to_screen(p, o.cloud_z.row(i).transpose());
    dl->AddCircleFilled(c, 1.8f, IM_COL32(255, 255, 255, 150));
  }
  // q(z|x) in plane coordinates: mean coords(mu), covariance
  //   S_ab = sum_j dir_a[j] dir_b[j] sigma_j^2 / (scale_a scale_b)
  float m0, m1;
  p.coords(o.q.mu, &m0, &m1);
  const Eigen::ArrayXd var = o.q.sigma.cast<double>().array().square();
  const double s00 = (p.dir0.cast<double>().array().square() * var).sum() / (double(p.scale0) * p.scale0);
  const double s11 = (p.dir1.cast<double>().array().square() * var).sum() / (double(p.scale1) * p.scale1);
  const double s01 = (p.dir0.cast<double>().array() * p.dir1.cast<double>().array() * var).sum() / (double(p.scale0) * p.scale1);
  plane_ellipse(f, dl, m0, m1, s00, s01, s11, 1, IM_COL32(255, 210, 80, 255), 2.0f, nullptr);
  Rect ellipse;
  const ImVec2 centre = plane_ellipse(f, dl, m0, m1, s00, s01, s11, 2, IM_COL32(255, 210, 80, 170), 1.5f, &ellipse);
  app.probes.set("map_ellipse", ellipse);
  app.probes.set("map_ellipse_centre", Rect{centre.x, centre.y, 0, 0});
  const ImVec2 s = f.to_screen(m0, m1);
  app.probes.set("map_mu", Rect{s.x, s.y, 0, 0});
  dl->AddQuadFilled(ImVec2(s.x, s.y - 6), ImVec2(s.x + 6, s.y), ImVec2(s.x, s.y + 6), ImVec2(s.x - 6, s.y),
                    IM_COL32(255, 210, 80, 255));
  if (o.z.cols() == Z) {
    const ImVec2 z = f.to_screen(p, o.z.row(0).transpose());
    app.probes.set("map_z", Rect{z.x, z.y, 0, 0});
    dl->AddCircle(z, 5, IM_COL32(255, 255, 255, 255), 0, 2);
    label_inside(f, dl, z, "z", IM_COL32(255, 255, 255, 255));
  }
  app.probes.set("map_label", label_inside(f, dl, ImVec2(s.x, s.y - 12), o.source == InputSource::drawing ? "your drawing" : o.what.c_str(),
                                     IM_COL32(255, 210, 80, 255)));
}

static void draw_markers(AppState& app, const MapFrame& f, ImDrawList* dl) {
  const LatentPlane& p = app.map.plane;
  const bool interpolating = view_shows(app, kPanelInterpolate);
  if (!interpolating) {
    if (tour_hides_code(app)) {
      label_inside(f, dl, ImVec2(f.at.x + 8, f.at.y + 14), "tap where its code will land", IM_COL32(255, 210, 80, 255));
      return;
    }
    inspected_overlay(app, f, dl);
    if (tour_shows_guess(app) && app.tour_predict.guess.size() == p.origin.size()) {
      const ImVec2 g = f.to_screen(p, app.tour_predict.guess);
      const ImVec2 m = f.to_screen(p, app.session.one_image.q.mu);
      dl->AddLine(g, m, IM_COL32(255, 255, 255, 200), 1.5f);
      dl->AddLine(ImVec2(g.x - 7, g.y - 7), ImVec2(g.x + 7, g.y + 7), IM_COL32(255, 255, 255, 255), 2.5f);
      dl->AddLine(ImVec2(g.x - 7, g.y + 7), ImVec2(g.x + 7, g.y - 7), IM_COL32(255, 255, 255, 255), 2.5f);
    }
    if (app.map.probe_pinned) dl->AddCircle(f.to_screen(p, app.map.probe_z), 6, IM_COL32(255, 255, 255, 255), 0, 2);
    app.probes.set_at("map_endpoint", 0, Rect());
    app.probes.set_at("map_endpoint", 1, Rect());
    return;
  }
  endpoints_update(app);
  ImVec2 path[49];
  for (int i = 0; i <= 48; ++i) path[i] = f.to_screen(p, interp_point(app, i / 48.0f));
  dl->AddPolyline(path, 49, IM_COL32(255, 255, 255, 200), 0, 2.0f);
  const ImVec2 cur = f.to_screen(p, interp_point(app, app.interp.t));
  dl->AddCircleFilled(cur, 4.5f, IM_COL32(255, 210, 80, 255));
  const ImU32 colors[2] = {IM_COL32(255, 150, 50, 255), IM_COL32(100, 200, 255, 255)};
  for (int k = 0; k < 2; ++k) {
    // a code off the map's range is shown at its edge, whole
    ImVec2 s = f.to_screen(p, app.interp.ends[k].z);
    s = ImVec2(std::clamp(s.x, f.at.x + 9, f.at.x + f.side - 9), std::clamp(s.y, f.at.y + 9, f.at.y + f.side - 9));
    app.probes.set_at("map_endpoint", static_cast<size_t>(k), Rect{s.x - 8, s.y - 8, 16, 16});
    dl->AddCircleFilled(s, 8, colors[k]);
    dl->AddCircle(s, 8, IM_COL32(0, 0, 0, 255), 0, 1.5f);
    dl->AddText(ImVec2(s.x - 3.5f, s.y - 7), IM_COL32(0, 0, 0, 255), k == 0 ? "A" : "B");
  }
  inspected_overlay(app, f, dl);
  if (app.map.probe_pinned) dl->AddCircle(f.to_screen(p, app.map.probe_z), 6, IM_COL32(255, 255, 255, 255), 0, 2);
}

// Drags endpoints; hovering decodes the point under the mouse, a click pins it.
static void map_interaction(AppState& app, const MapFrame& f) {
  LatentMapPanel& m = app.map;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  float c0, c1;
  f.to_plane(mouse, &c0, &c1);
  if (ImGui::IsItemActivated()) {
    for (int k = 0; k < 2 && view_shows(app, kPanelInterpolate); ++k) {
      const ImVec2 s = f.to_screen(m.plane, app.interp.ends[k].z);
      if (std::hypot(s.x - mouse.x, s.y - mouse.y) < 10) m.dragging = k;
    }
    if (m.dragging < 0 && tour_hides_code(app)) {
      tour_guess(app, m.plane.point(c0, c1));
    } else if (m.dragging < 0) {
      m.probe_pinned = true;
      m.probe_z = m.plane.point(c0, c1);
    }
  }
  if (!ImGui::IsItemActive()) m.dragging = -1;
  if (m.dragging >= 0) {
    Endpoint& e = app.interp.ends[m.dragging];
    m.plane.move_to(&e.z, c0, c1);
    endpoint_set_custom(app, m.dragging, e.z, "moved on the map");
  }
  if (ImGui::IsItemHovered() && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) m.probe_pinned = false;
  // the probe shows the point under the mouse, else the pinned point, else the last one shown
  const bool hovered = ImGui::IsItemHovered() && m.dragging < 0;
  const bool has_last = m.probe.z.cols() == app.session.trainer.params.config.latent;
  if (hovered || m.probe_pinned || has_last) {
    const Vec z = hovered ? m.plane.point(c0, c1) : m.probe_pinned ? m.probe_z : Vec(m.probe.z.row(0).transpose());
    const Mat y = class_rows(m.cls, 1, session_classes(app.session));
    const bool same_class = m.probe.y.rows() == 1 && m.probe.y.cols() == y.cols() && m.probe.y == y;
    if (!has_last || z != Vec(m.probe.z.row(0).transpose()) || m.probe.version != app.session.version || !same_class) {
      m.probe.z = z.transpose();
      m.probe.y = y;
      grid_decode(app.session, &m.probe, 1, 1);
    }
  }
  if (hovered) {
    ImGui::BeginTooltip();
    grid_image(m.probe, ImVec2(84, 84));
    ImGui::Text("c = (%.2f, %.2f)", c0, c1);
    ImGui::TextDisabled("click: pin   drag A/B: move them");
    ImGui::EndTooltip();
  }
}

// The class colours in `per_row` columns `width` wide.
static void legend(const AppState& app, float width, int per_row) {
  for (int d = 0; d < 10; ++d) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), digit_color(d));
    ImGui::Dummy(ImVec2(h, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(session_class_name(app.session, d).c_str());
    if ((d + 1) % per_row != 0) ImGui::SameLine(ImGui::GetCursorStartPos().x + width * ((d + 1) % per_row) / per_row);
  }
}

// Beside the map: the legend, then the point under the mouse.
static void legend_and_probe(AppState& app, float width, float height) {
  const float top = ImGui::GetCursorScreenPos().y, line = ImGui::GetTextLineHeightWithSpacing();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("test codes");
  ImGui::BeginGroup();
  legend(app, width, app.session.dataset == "mnist" ? 2 : 1);  // short names: two per line
  ImGui::EndGroup();
  const LatentMapPanel& m = app.map;
  if (app.session.test.labels.empty()) ImGui::TextDisabled("loading...");
  else if (!m.points_ready) ImGui::TextDisabled("encoding %d", m.points_done);
  // the point under the mouse in what is left of the map's height
  const float probe = std::min(width, top + height - ImGui::GetCursorScreenPos().y - 2.5f * line);
  if (probe >= 28) {
    ImGui::Spacing();
    ImGui::TextUnformatted(m.probe_pinned ? "pinned point" : "under the mouse");
    grid_image(m.probe, ImVec2(probe, probe));
  }
  if (ImGui::GetCursorScreenPos().y + line <= top + height) ImGui::TextDisabled("grid %.1f ms", m.grid_ms);
  ImGui::EndGroup();
}

void panel_latent_map(AppState& app) {
  LatentMapPanel& m = app.map;
  if (!panel_begin(app, kPanelMap, "Latent map",
                   "Tiles: the decoded image at each point of a plane in latent space. Dots: where the encoder puts "
                   "test digits. Yellow: q(z|x) of the input, its 1σ and 2σ ellipses."))
    return;
  map_controls(app);
  points_update(app);
  const LatentPlane plane = current_plane(app);
  if (!same_plane(plane, m.plane)) {
    m.plane = plane;
    m.grid_dirty = true;
    if (!m.probe_pinned) latent_map_forget_probe(app);  // its image was of a point of the old plane
  }
  // (from the second frame on: the first frame shows the samples as soon as possible)
  if (app.first_digits && (m.grid_dirty || refresh_due(app.session, m.grid.version, m.grid.drawn_at, 0.5))) latent_map_redraw(app);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side_width = std::clamp(avail.x * 0.22f, 90.0f, 140.0f);
  // a panel much taller than wide: the legend and the probe go under the map
  const float below = ImGui::GetTextLineHeightWithSpacing() * 4 + 8;
  const bool tall = avail.y - below > avail.x * 0.9f;
  const float side = tall ? std::max(100.0f, std::min(avail.x, avail.y - below))
                          : std::max(100.0f, std::min(avail.x - side_width - 8, avail.y));
  MapFrame f{ImGui::GetCursorScreenPos(), side, m.cdf};
  ImGui::InvisibleButton("map", ImVec2(side, side), ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  app.probes.set("latent_map", item_rect());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(f.at, ImVec2(f.at.x + side, f.at.y + side), true);
  dl->AddRectFilled(f.at, ImVec2(f.at.x + side, f.at.y + side), IM_COL32(0, 0, 0, 255));
  if (m.show_grid && m.grid.texture.id != 0)
    dl->AddImage(m.grid.texture.im_id(), f.at, ImVec2(f.at.x + side, f.at.y + side), ImVec2(0, 0), ImVec2(1, 1),
                 m.show_points ? IM_COL32(200, 200, 200, 255) : IM_COL32_WHITE);
  latent_map_holes(app, f.at, f.side, dl);
  if (m.show_points) draw_points(app, f, dl);
  draw_markers(app, f, dl);
  dl->PopClipRect();
  map_interaction(app, f);
  if (tall) {
    const float probe = below - 8;
    ImGui::BeginGroup();
    legend(app, side - probe - 12, 5);
    if (app.session.test.labels.empty()) ImGui::TextDisabled("test codes loading...");
    else if (!m.points_ready) ImGui::TextDisabled("encoding test codes: %d", m.points_done);
    ImGui::EndGroup();
    ImGui::SameLine(f.at.x - ImGui::GetWindowPos().x + side - probe);
    grid_image(m.probe, ImVec2(probe, probe));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(m.probe_pinned ? "the pinned point, decoded" : "the point under the mouse, decoded");
  } else {
    ImGui::SameLine();
    legend_and_probe(app, side_width, side);
  }
  panel_end(app, kPanelMap);
}
