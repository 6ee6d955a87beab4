// The guided tour (menu "Tour"): steps through the ideas of the paper, each setting the page's state
// with a link (links/link.h) and pointing at the panel that shows the idea. Back, Next, Leave. Two
// steps ask first and show after ("predict, then see"): where a digit's code will land (a tap on the
// map, the code hidden until then), and which KL weight made a grid of samples.
#include <algorithm>

#include "app/ui/widgets.h"
#include "imgui.h"

namespace {
enum class Ask { none, tap_code, pick_beta };

struct TourStep {
  const char* title;
  const char* link;  // the state the step sets
  int panel;         // the panel it points at
  const char* text;
  Ask ask = Ask::none;   // a question asked before the answer is shown
  const char* answer = "";  // said once the learner has answered
};

// pick_beta's choices and which is right (the step's model: the autoencoder, beta = 0)
const char* const kBetaChoices[2] = {"β = 0 (an autoencoder)", "β = 1 (a VAE)"};
constexpr int kBetaAnswer = 0;

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
    {"Where the gap comes from", "#model=mnist-z2&digit=3&view=inside&posterior=1&fitq=1", kPanelPosterior,
     "The true posterior p(z|x) ∝ p(x|z) p(z) of this image, on a grid (heat, blue contours), under the encoder's "
     "q(z|x) (yellow). The green q is fitted to this image alone. Its ELBO minus the encoder's is the amortization "
     "gap: the price of one network for every image. What is left up to log p(x) is the approximation gap: what no "
     "Gaussian can fit. For this digit nearly all of the gap is amortization."},
    {"Predict: where will this digit's code land?", "#model=mnist-z2&digit=7&view=inside&posterior=0&fitq=0", kPanelMap,
     "Test image #7 is in the Input panel; its code is hidden. Tap the latent map where you think the encoder puts "
     "it (the tiles show what each place decodes to).", Ask::tap_code,
     "The yellow diamond is μ of q(z|x); your tap is the white cross. Codes land where the decoder draws digits "
     "like this one: the encoder and decoder learned the map together."},
    {"What the KL does: autoencoder vs VAE", "#view=train", kPanelCompare,
     "The same network trained without the KL term (β = 0, a plain autoencoder) and with it (the VAE). Without "
     "it the codes spread far beyond the prior's circles with holes between them, so codes drawn from N(0, I) decode "
     "to blurs; with it they fill the prior and decode to digits. 'Train both here' reproduces it live."},
    {"Predict: which β made these samples?", "#model=mnist-ae-z2&view=explore&seed=3&T=1&grid=8&decoder=mean", kPanelSample,
     "These are samples z ~ N(0, I) of a 2-D model, decoded. Was it trained with the KL term (β = 1, a VAE) or "
     "without it (β = 0, a plain autoencoder)?", Ask::pick_beta,
     "β = 0: this is mnist-ae-z2, an autoencoder. Nothing pulled its codes to N(0, I), so most prior samples land "
     "where no digit was encoded (the holes between its clusters) and decode to blurs and fragments."},
    {"One training step, slowly", "#model=mnist-z2&view=step&step=backward", kPanelStep,
     "One minibatch through the model: encode, draw ε, decode, cost, backward, update. At the backward stage every "
     "code gets two forces: blue, the reconstruction term pushing μ to where x decodes better; orange, the KL "
     "pulling it to the prior's centre. Next applies the update and the codes move. Try β = 3 in the Train panel."},
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
  app.tour_predict = TourPredict();
  Link link;
  link_parse(kSteps[step].link, &link);
  app.focus = -1;
  link_apply(app, link);
}
}  // namespace

bool tour_hides_code(const AppState& app) {
  return app.tour_step >= 0 && kSteps[app.tour_step].ask == Ask::tap_code && !app.tour_predict.answered;
}

bool tour_shows_guess(const AppState& app) {
  return app.tour_step >= 0 && kSteps[app.tour_step].ask == Ask::tap_code && app.tour_predict.answered;
}

void tour_guess(AppState& app, const Vec& z) {
  TourPredict& p = app.tour_predict;
  p.guess = z;
  p.answered = true;
  const OneImage& o = app.session.one_image;
  p.distance = o.ready && o.q.mu.size() == z.size() ? (z - o.q.mu).norm() : -1;
}

const char* tour_ask(int step) {
  if (step < 0 || step >= kStepCount) return "";
  return kSteps[step].ask == Ask::tap_code ? "tap_code" : kSteps[step].ask == Ask::pick_beta ? "pick_beta" : "";
}

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
  TourPredict& p = app.tour_predict;
  app.probes.clear("tour_choices");
  if (step.ask == Ask::pick_beta && !p.answered) {
    for (int k = 0; k < 2; ++k) {
      if (ImGui::Button(kBetaChoices[k])) p.choice = k, p.answered = true, p.correct = k == kBetaAnswer;
      app.probes.add("tour_choices", item_rect());
      if (k == 0) ImGui::SameLine();
    }
  }
  if (step.ask != Ask::none && !p.answered) ImGui::TextDisabled(step.ask == Ask::tap_code ? "waiting for your tap on the map"
                                                                                          : "pick one");
  if (step.ask != Ask::none && p.answered) {
    ImGui::Separator();
    if (step.ask == Ask::pick_beta)
      ImGui::TextColored(p.correct ? ImVec4(0.5f, 0.9f, 0.5f, 1) : ImVec4(1, 0.7f, 0.4f, 1), "%s",
                         p.correct ? "Right." : "Not this time.");
    else if (p.distance >= 0)
      ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.5f, 1), "Your tap was %.2f from μ (the prior's σ is 1).", p.distance);
    ImGui::TextWrapped("%s", step.answer);
  }
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
