// The guided tour (menu "Tour"): eight steps through the ideas of the paper, each setting the page's
// state with a link (links/link.h) and pointing at the panel that shows the idea. Back, Next, Leave.
#include <algorithm>

#include "app/ui/widgets.h"
#include "imgui.h"

namespace {
struct TourStep {
  const char* title;
  const char* link;  // the state the step sets
  int panel;         // the panel it points at
  const char* text;
};

const TourStep kSteps[] = {
    {"Sampling the prior", "#model=mnist-best&view=explore&seed=1&T=1&grid=8", kPanelSample,
     "A VAE is a generative model: draw a code z from the prior N(0, I) and decode it. Each tile here is the "
     "decoder's image for one such z. Resample draws other codes; the spread T scales them (T < 1 stays near the "
     "middle of the latent space, where the digits are typical)."},
    {"q(z|x): a distribution for one digit", "#model=mnist-z2&digit=4&view=inside&eps=1", kPanelEncoder,
     "The encoder does not map an image x to one code: it gives a Gaussian q(z|x) = N(μ, σ²). Here, for test "
     "image #4 under a 2-D model, each dimension's μ (dot) and μ ± σ (whisker) against the prior's ±1 band; "
     "on the latent map, the yellow ellipses are q's 1σ and 2σ regions inside the prior's circles."},
    {"ε and the reparameterization trick", "#model=mnist-z2&digit=4&view=inside&eps=2", kPanelReparam,
     "A code is drawn from q(z|x) as z = μ + σ ⊙ ε with ε ~ N(0, I). The randomness is all in ε, so the "
     "gradient of the ELBO reaches μ and σ (section 2.4 of the paper). Press 'Draw ε': ε and z change, μ "
     "and sigma do not; the image of z is one the decoder may make of this x."},
    {"The ELBO's two terms, and log p(x)", "#model=mnist-z2&digit=4&view=inside&eps=2", kPanelElbo,
     "For this one image: the reconstruction term E_q[log p(x|z)] (blue; the map shows which pixels cost most), the "
     "KL of q(z|x) from the prior (orange; per dimension at the right), their difference the ELBO, and log p(x) by "
     "importance sampling. The gap log p(x) − ELBO is KL(q(z|x) ‖ p(z|x)): how far q is from the true posterior."},
    {"What the KL does: autoencoder vs VAE", "#view=train", kPanelCompare,
     "The same network trained without the KL term (β = 0, a plain autoencoder) and with it (the VAE). Without "
     "it the codes spread far beyond the prior's circles with holes between them, so codes drawn from N(0, I) decode "
     "to blurs; with it they fill the prior and decode to digits. 'Train both here' reproduces it live."},
    {"Interpolation", "#model=mnist-best&view=explore&a=class:1.0&b=class:7.0&t=0.5&slerp=0", kPanelInterpolate,
     "Encode two test digits (a 1 and a 7), walk in a straight line between their codes and decode every point: the "
     "VAE's latent space is smooth, so the images change gradually. Drag t, or the A and B handles on the map."},
    {"The 2-D manifold", "#model=mnist-z2&view=explore&cdf=1&tiles=16", kPanelMap,
     "A model with Z = 2 has its whole latent space on one page: the paper's figure 4, a grid of codes spaced by the "
     "Gaussian's quantiles, each decoded. The dots are test digits' codes coloured by class: similar digits sit "
     "together, and every region of the prior decodes to something digit-like."},
    {"Conditional generation", "#model=mnist-cvae&view=explore&sclass=-1&seed=1", kPanelSample,
     "A conditional VAE reads the class y beside x and z: q(z|x,y), p(x|z,y). The class no longer needs to be in z, "
     "so z holds the style. Each row is one class, each column one z: the same handwriting drawn as every digit."},
};
constexpr int kStepCount = static_cast<int>(sizeof kSteps / sizeof kSteps[0]);

void tour_go(AppState& app, int step) {
  app.tour_step = step;
  Link link;
  link_parse(kSteps[step].link, &link);
  app.focus = -1;
  link_apply(app, link);
}
}  // namespace

int tour_steps() { return kStepCount; }
int tour_panel(int step) { return step >= 0 && step < kStepCount ? kSteps[step].panel : -1; }
const char* tour_link(int step) { return step >= 0 && step < kStepCount ? kSteps[step].link : ""; }

void tour_start(AppState& app) { tour_go(app, 0); }

void tour_window(AppState& app) {
  if (app.tour_step < 0) return;
  const TourStep& step = kSteps[app.tour_step];
  const ImVec2 screen = ImGui::GetIO().DisplaySize;
  // point at the panel: a border around it, the tour's window beside it on its roomier side
  const Rect r = app.probes.list("panels", kPanels)[static_cast<size_t>(step.panel)];
  const float w = std::min(360.0f, screen.x * 0.36f);
  ImVec2 at(screen.x * 0.5f - w * 0.5f, screen.y * 0.3f);
  if (r.w > 0) {
    ImGui::GetForegroundDrawList()->AddRect(ImVec2(r.x - 2, r.y - 2), ImVec2(r.x + r.w + 2, r.y + r.h + 2),
                                            IM_COL32(255, 210, 80, 255), 4, 0, 4);
    const bool right = r.x + r.w * 0.5f < screen.x * 0.5f;
    at.x = right ? std::min(r.x + r.w + 12, screen.x - w - 8) : std::max(8.0f, r.x - w - 12);
    at.y = std::clamp(r.y + 40, 40.0f, screen.y * 0.55f);
  }
  ImGui::SetNextWindowPos(at, ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(w, 0), ImGuiCond_Always);
  ImGui::SetNextWindowFocus();
  char title[96];
  std::snprintf(title, sizeof title, "Tour, step %d of %d: %s###tour", app.tour_step + 1, kStepCount, step.title);
  bool open = true;
  ImGui::Begin(title, &open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings);
  ImGui::TextWrapped("%s", step.text);
  ImGui::Spacing();
  ImGui::BeginDisabled(app.tour_step == 0);
  if (ImGui::Button("< Back")) tour_go(app, app.tour_step - 1);
  app.probes.set("tour_back", item_rect());
  ImGui::EndDisabled();
  ImGui::SameLine();
  const bool last = app.tour_step + 1 == kStepCount;
  if (ImGui::Button(last ? "Finish" : "Next >")) {
    if (last)
      app.tour_step = -1;
    else
      tour_go(app, app.tour_step + 1);
  }
  app.probes.set("tour_next", item_rect());
  ImGui::SameLine();
  if (ImGui::Button("Leave the tour")) open = false;
  app.probes.set("tour_leave", item_rect());
  ImGui::End();
  if (!open) app.tour_step = -1;
}
