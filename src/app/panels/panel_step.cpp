// One training step in slow motion (session/slow_step.h, as GAN Lab walks one step of a GAN): a
// batch of training images through encode -> draw eps -> decode -> cost -> backward -> update, one
// stage at a time, on a diagram of the model whose current stage is lit; the batch's codes on the
// plane of two latent dimensions, with each code's two forces at the backward stage (the
// reconstruction term's push, the KL's pull, to one scale), and the codes moving at the update.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels/panels.h"

namespace {

constexpr ImU32 kRecon = IM_COL32(110, 170, 255, 255), kKl = IM_COL32(255, 170, 60, 255);
constexpr ImU32 kLit = IM_COL32(255, 210, 80, 255), kDim = IM_COL32(110, 110, 125, 255);

const char* const kStageTitles[kStepStages] = {"1 encode", "2 draw ε", "3 decode", "4 cost", "5 backward", "6 update"};
const char* const kStageText[kStepStages] = {
    "The encoder maps each image x to q(z|x) = N(μ, σ²). The dots are the μ of the batch's images, on the plane of two "
    "latent dimensions; the rings are the prior N(0, I) at 1σ and 2σ.",
    "Draw ε ~ N(0, I) and set z = μ + σ ⊙ ε (white, joined to its μ). The randomness is all in ε, so the gradient "
    "can flow back through μ and σ: the reparameterization trick.",
    "The decoder maps each z to p(x|z): 784 pixel probabilities (the second row of images).",
    "Each image's ELBO: log p(x|z), the Bernoulli log-likelihood of its pixels, minus β KL(q(z|x) ‖ N(0, I)) in closed "
    "form. Training maximizes the batch's mean.",
    "The backward pass gives each code two forces. Blue: ∂ log p(x|z) / ∂μ pushes μ to where x decodes better. "
    "Orange: ∂(−β KL) / ∂μ = −βμ pulls it to the prior's centre. Drawn to one scale; β scales the pull.",
    "Adam moves every weight a little down the gradient of the batch's −ELBO. Re-encoded with the new weights, each "
    "code moves from its ring to its dot."};

// One box of the diagram: lit when the stage uses it; its tooltip tells shapes and the batch's numbers.
void box(ImDrawList* dl, ImVec2 a, ImVec2 b, const char* label, bool lit, const std::string& tip, Probes& probes,
         const char* probe) {
  dl->AddRectFilled(a, b, lit ? IM_COL32(70, 60, 20, 255) : IM_COL32(30, 30, 38, 255), 4);
  dl->AddRect(a, b, lit ? kLit : kDim, 4, 0, lit ? 2.0f : 1.0f);
  // a label wider than its box: the part before " =" ("z = μ + σ⊙ε" -> "z")
  std::string text = label;
  if (ImGui::CalcTextSize(label).x > b.x - a.x - 4 && text.find(" =") != std::string::npos) text = text.substr(0, text.find(" ="));
  label = text.c_str();
  const ImVec2 t = ImGui::CalcTextSize(label);
  dl->AddText(ImVec2((a.x + b.x - t.x) * 0.5f, (a.y + b.y - t.y) * 0.5f), lit ? IM_COL32(255, 240, 200, 255) : IM_COL32(200, 200, 210, 255), label);
  probes.add(probe, Rect{a.x, a.y, b.x - a.x, b.y - a.y});
  if (ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) ImGui::SetTooltip("%s", tip.c_str());
}

void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color, float thickness = 1.5f) {
  dl->AddLine(a, b, color, thickness);
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::max(std::hypot(dx, dy), 1e-3f);
  const float ux = dx / len, uy = dy / len, h = std::min(7.0f, len * 0.5f);
  dl->AddTriangleFilled(b, ImVec2(b.x - ux * h - uy * h * 0.5f, b.y - uy * h + ux * h * 0.5f),
                        ImVec2(b.x - ux * h + uy * h * 0.5f, b.y - uy * h - ux * h * 0.5f), color);
}

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char text[256];
  std::snprintf(text, sizeof text, f, a, b, c);
  return text;
}

// x -> encoder -> mu, sigma -> z = mu + sigma * eps (eps below) -> decoder -> p(x|z), and under it the
// ELBO's two terms, attached to p(x|z) and to q.
void diagram(AppState& app, float height) {
  const SlowStep& st = app.session.slow_step;
  const StepTrace& t = st.trace;
  const int stage = st.active ? static_cast<int>(st.stage) : -1;
  const VaeConfig& c = app.session.trainer.params.config;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::Dummy(ImVec2(w, height));
  app.probes.set("step_diagram", item_rect());
  app.probes.clear("step_boxes");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeight(), bh = line * 1.7f, gap = w * 0.025f;
  const float bw = (w - 5 * gap) / 6;  // six boxes across the top row
  auto x0 = [&](int i) { return at.x + i * (bw + gap); };
  const float y0 = at.y + 2, y1 = y0 + bh;
  const bool back = stage == static_cast<int>(StepStage::backward), upd = stage == static_cast<int>(StepStage::update);
  const int B = static_cast<int>(t.mu.rows()), Z = c.latent;
  const bool has = st.active && B > 0;
  const double mean_sigma = has ? t.sigma.mean() : 0, mean_mu = has ? t.mu.cwiseAbs().mean() : 0;
  const std::string bz = std::to_string(B) + " x " + std::to_string(Z);
  const char* names[6] = {"x", "encoder", "μ, σ", "z = μ + σ⊙ε", "decoder", "p(x|z)"};
  const std::string tips[6] = {
      std::to_string(B) + " x " + std::to_string(c.input) + ": the batch's training images, each pixel binarized afresh "
          "(pixel ~ Bernoulli(intensity))",
      "q(z|x): an MLP " + c.describe() + "; its two heads give μ and log σ²" + (upd ? ".\nIts weights were just updated." : ""),
      bz + " each: the Gaussian q(z|x) = N(μ, σ²) of every image" + (has ? fmt("\nbatch: mean |μ| %.3f, mean σ %.3f", mean_mu, mean_sigma) : ""),
      bz + ": z = μ + σ ⊙ ε, one draw per image; ε ~ N(0, I) is drawn, μ and σ are differentiated through",
      "p(x|z): the decoder MLP, z to " + std::to_string(c.input) + " logits" + (upd ? ".\nIts weights were just updated." : ""),
      std::to_string(B) + " x " + std::to_string(c.input) + ": the pixel probabilities sigmoid(logits) of each image's z"};
  const bool lit[6] = {stage == 0 || back, stage == 0 || upd || back, stage == 0 || stage == 1 || back,
                       stage == 1 || back, stage == 2 || upd || back, stage == 2 || stage == 3 || back};
  for (int i = 0; i < 6; ++i) {
    box(dl, ImVec2(x0(i), y0), ImVec2(x0(i) + bw, y1), names[i], lit[i], tips[i], app.probes, "step_boxes");
    if (i < 5) {
      const ImVec2 a(x0(i) + bw + 1, (y0 + y1) * 0.5f), b(x0(i + 1) - 1, (y0 + y1) * 0.5f);
      if (back) arrow(dl, b, a, IM_COL32(255, 110, 110, 255), 2.0f);  // the gradient flows right to left
      else arrow(dl, a, b, kDim);
    }
  }
  // eps, below z, feeding it
  const float ey0 = y1 + line * 0.6f, ey1 = ey0 + bh;
  const std::string eps_tip = bz + ": ε ~ N(0, I), the step's only randomness (besides the binarization)";
  box(dl, ImVec2(x0(3) + bw * 0.2f, ey0), ImVec2(x0(3) + bw * 0.8f, ey1), "ε", stage == 1, eps_tip, app.probes, "step_boxes");
  arrow(dl, ImVec2(x0(3) + bw * 0.5f, ey0), ImVec2(x0(3) + bw * 0.5f, y1 + 1), stage == 1 ? kLit : kDim);
  // the ELBO's two terms: log p(x|z) under p(x|z), KL under mu, sigma; the ELBO between them
  const bool cost = stage == 3 || back;
  const double recon = has ? t.recon.cast<double>().mean() : 0, kl = has ? t.kl.cast<double>().mean() : 0;
  box(dl, ImVec2(x0(5), ey0), ImVec2(x0(5) + bw, ey1), "log p(x|z)", cost,
      "the reconstruction term: Σ_j log p(x_j|z), each pixel's Bernoulli log-likelihood" +
          (has ? fmt("\nbatch mean %.2f nats", recon) : ""), app.probes, "step_boxes");
  box(dl, ImVec2(x0(2), ey1 + line * 0.5f), ImVec2(x0(2) + bw, ey1 + line * 0.5f + bh), "KL", cost,
      "KL(q(z|x) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), in closed form" + (has ? fmt("\nbatch mean %.2f nats", kl) : ""),
      app.probes, "step_boxes");
  const float ex0 = x0(3) + bw * 0.9f, ex1 = x0(5) - gap, eyy = ey1 + line * 0.5f;
  box(dl, ImVec2(ex0, eyy), ImVec2(ex1, eyy + bh), "ELBO", cost,
      has ? fmt("batch: %.2f − %.2f × %.2f", recon, t.beta, kl) + fmt(" = %.2f nats per image", recon - t.beta * kl)
          : std::string("the objective: E_q[log p(x|z)] − β KL"), app.probes, "step_boxes");
  arrow(dl, ImVec2(x0(2) + bw * 0.5f, y1 + 1), ImVec2(x0(2) + bw * 0.5f, ey1 + line * 0.5f - 1), cost ? kKl : kDim);
  arrow(dl, ImVec2(x0(5) + bw * 0.5f, y1 + 1), ImVec2(x0(5) + bw * 0.5f, ey0 - 1), cost ? kRecon : kDim);
  arrow(dl, ImVec2(x0(2) + bw + 1, eyy + bh * 0.5f), ImVec2(ex0 - 1, eyy + bh * 0.5f), cost ? kKl : kDim);
  arrow(dl, ImVec2(x0(5) + bw * 0.3f, ey1 + 1), ImVec2(ex1 - 1, eyy + 2), cost ? kRecon : kDim);
}

// Where a code goes on the plot: dimensions a and b of z, the square [-R, R]^2.
struct CodePlot {
  ImVec2 at;
  float side, R;
  int a, b;
  ImVec2 to_screen(float u, float v) const {
    return ImVec2(at.x + (u / R * 0.5f + 0.5f) * side, at.y + (0.5f - v / R * 0.5f) * side);
  }
};

void codes_plot(AppState& app, float side) {
  const Session& s = app.session;
  const SlowStep& st = s.slow_step;
  const StepTrace& t = st.trace;
  const int Z = static_cast<int>(t.mu.cols()), B = static_cast<int>(t.mu.rows());
  CodePlot f{ImGui::GetCursorScreenPos(), side, 3.2f, 0, 1};
  if (Z > 2) f.a = s.activity.first, f.b = s.activity.second;
  f.a = std::min(f.a, Z - 1), f.b = std::min(f.b, Z - 1);
  for (int i = 0; i < B; ++i)
    f.R = std::max({f.R, std::abs(t.mu(i, f.a)) * 1.15f, std::abs(t.mu(i, f.b)) * 1.15f});
  ImGui::InvisibleButton("step_codes", ImVec2(side, side));
  app.probes.set("step_codes", item_rect());
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(f.at, ImVec2(f.at.x + side, f.at.y + side), true);
  dl->AddRectFilled(f.at, ImVec2(f.at.x + side, f.at.y + side), IM_COL32(0, 0, 0, 255));
  const ImVec2 o = f.to_screen(0, 0);
  for (float r : {1.0f, 2.0f}) dl->AddCircle(o, r / f.R * 0.5f * side, IM_COL32(150, 200, 255, r == 1 ? 150 : 90), 64, 1.0f);
  const int stage = static_cast<int>(st.stage);
  // one scale for both forces: the longest arrow is a sixth of the plot
  float longest = 1e-12f;
  for (int i = 0; i < B; ++i)
    longest = std::max({longest, std::hypot(t.grad_mu_recon(i, f.a), t.grad_mu_recon(i, f.b)),
                        std::hypot(t.grad_mu_kl(i, f.a), t.grad_mu_kl(i, f.b))});
  const float scale = f.R * 0.33f / longest;
  const std::vector<int>& labels_idx = st.images;
  int hover = -1;
  for (int i = 0; i < B; ++i) {
    const int label = s.train.labels.size() > static_cast<size_t>(labels_idx[i]) ? s.train.labels[static_cast<size_t>(labels_idx[i])] : 0;
    const float mu0 = t.mu(i, f.a), mu1 = t.mu(i, f.b);
    const ImVec2 m = f.to_screen(mu0, mu1);
    if (stage >= 1 && stage <= 3) {
      const ImVec2 z = f.to_screen(t.z(i, f.a), t.z(i, f.b));
      dl->AddLine(m, z, IM_COL32(255, 255, 255, 110), 1.0f);
      dl->AddCircleFilled(z, 3.0f, IM_COL32(255, 255, 255, 230));
    }
    if (stage == static_cast<int>(StepStage::backward)) {
      arrow(dl, m, f.to_screen(mu0 + scale * t.grad_mu_recon(i, f.a), mu1 + scale * t.grad_mu_recon(i, f.b)), kRecon, 2.0f);
      arrow(dl, m, f.to_screen(mu0 + scale * t.grad_mu_kl(i, f.a), mu1 + scale * t.grad_mu_kl(i, f.b)), kKl, 2.0f);
    }
    if (stage == static_cast<int>(StepStage::update) && t.mu_after.rows() == B) {
      const ImVec2 n = f.to_screen(t.mu_after(i, f.a), t.mu_after(i, f.b));
      dl->AddCircle(m, 5.0f, digit_color(label, 0.8f), 0, 1.5f);
      dl->AddLine(m, n, IM_COL32(120, 230, 120, 220), 1.5f);
      dl->AddCircleFilled(n, 4.0f, digit_color(label));
    } else {
      dl->AddCircleFilled(m, 4.0f, digit_color(label));
    }
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (hovered && std::hypot(mouse.x - m.x, mouse.y - m.y) < 8) hover = i;
  }
  dl->PopClipRect();
  dl->AddRect(f.at, ImVec2(f.at.x + side, f.at.y + side), IM_COL32(90, 90, 110, 255));
  char axes[48];
  std::snprintf(axes, sizeof axes, "z_%d →, z_%d ↑", f.a, f.b);
  dl->AddText(ImVec2(f.at.x + 4, f.at.y + 2), IM_COL32(180, 180, 190, 255), axes);
  if (hover >= 0)
    ImGui::SetTooltip("image %d (training image %d)\nμ = (%.3f, %.3f), σ = (%.3f, %.3f)\nlog p(x|z) %.2f, KL %.2f nats\n"
                      "push ∂log p/∂μ = (%.2f, %.2f), pull −β μ = (%.2f, %.2f)", hover, st.images[hover], t.mu(hover, f.a),
                      t.mu(hover, f.b), t.sigma(hover, f.a), t.sigma(hover, f.b), t.recon[hover], t.kl[hover],
                      t.grad_mu_recon(hover, f.a), t.grad_mu_recon(hover, f.b), t.grad_mu_kl(hover, f.a), t.grad_mu_kl(hover, f.b));
}

void controls(AppState& app) {
  Session& s = app.session;
  SlowStep& st = s.slow_step;
  const bool has_data = s.train.labels.size() >= static_cast<size_t>(kStepBatch);
  ImGui::BeginDisabled(!has_data);
  const bool last = !st.active || st.stage == StepStage::update;
  if (ImGui::Button(last ? "Step: new batch" : "Next >")) slow_step_next(s);
  app.probes.set("step_next", item_rect());
  ImGui::SameLine();
  ImGui::BeginDisabled(!st.active || st.stage == StepStage::encode);
  if (ImGui::Button("< Back")) slow_step_back(s);
  app.probes.set("step_back", item_rect());
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(st.playing ? "Pause" : "Play")) {
    st.playing = !st.playing;
    if (st.playing && !st.active) slow_step_begin(s);
    st.stage_at = s.now;
  }
  app.probes.set("step_play", item_rect());
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (!has_data) ImGui::TextDisabled("loading training images...");
  else if (!st.active) ImGui::TextDisabled("%d training images, one step at a time", kStepBatch);
  else ImGui::Text("stage %s  ·  β %.2f", kStageTitles[static_cast<int>(st.stage)], st.trace.beta);
}

}  // namespace

void panel_step(AppState& app) {
  Session& s = app.session;
  SlowStep& st = s.slow_step;
  StepPanel& sp = app.step_panel;
  if (!panel_begin(app, kPanelStep, "One training step",
                   "One minibatch through the model, stage by stage: what a gradient step does to the codes."))
    return;
  if (sp.pending >= 0 && s.train.labels.size() >= static_cast<size_t>(kStepBatch)) {
    // a link's stage: a new batch traced with the model and beta as the link left them
    if (slow_step_begin(s)) slow_step_set_stage(s, static_cast<StepStage>(sp.pending));
    sp.pending = -1;
  }
  controls(app);
  const float line = ImGui::GetTextLineHeight();
  diagram(app, line * 6.4f);
  if (!st.active) {
    ImGui::TextWrapped("Step draws %d training images and walks them through one gradient step: Next and Back move "
                       "between the stages, Play runs them. The update is a real step of this model's training "
                       "(Adam, the learning rate and β of the Train panel).", kStepBatch);
    panel_end(app, kPanelStep);
    return;
  }
  // the batch's images, and the decoder's mean images of z from the decode stage on
  if (sp.drawn != st.serial) {
    grid_show(&sp.x, st.trace.x, kStepBatch, 1, s.version, s.now);
    grid_show(&sp.mean, st.trace.mean, kStepBatch, 1, s.version, s.now);
    sp.drawn = st.serial;
  }
  const float w = ImGui::GetContentRegionAvail().x, cell = w / kStepBatch;
  grid_image(sp.x, ImVec2(w, cell));
  app.probes.set("step_x", item_rect());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("x: the batch's %d training images, binarized", kStepBatch);
  if (st.stage >= StepStage::decode) {
    grid_image(sp.mean, ImVec2(w, cell));
    app.probes.set("step_mean", item_rect());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("p(x|z): the decoder's pixel probabilities of each image's z");
  } else {
    ImGui::Dummy(ImVec2(w, cell));
    app.probes.set("step_mean", Rect());
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side = std::max(60.0f, std::min(avail.y - 2, avail.x * 0.58f));
  codes_plot(app, side);
  ImGui::SameLine();
  ImGui::BeginChild("step_text", ImVec2(0, side));
  ImGui::TextWrapped("%s", kStageText[static_cast<int>(st.stage)]);
  const StepTrace& t = st.trace;
  if (st.stage >= StepStage::cost)
    ImGui::Text("batch: log p(x|z) %.1f, KL %.2f", t.recon.cast<double>().mean(), t.kl.cast<double>().mean());
  if (st.stage == StepStage::update) ImGui::Text("step %lld of this model", s.training.steps);
  ImGui::EndChild();
  panel_end(app, kPanelStep);
}
