// Autoencoder vs VAE: the same Z = 2 network trained with the KL term's weight beta = 0 (a plain
// autoencoder) and beta = 1 (the VAE). Side by side: where each puts the codes of test images
// against the prior's 1 and 2 sigma circles, and what each decodes from z ~ N(0, I). Without the KL
// the codes spread out with holes between them, away from where the prior puts its mass, so prior
// samples decode to junk; the VAE's fill the prior. It opens on the shipped pair (mnist-ae-z2,
// mnist-z2); "train both" trains a fresh pair here, side by side, on the same batches.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.h"
#include "app/platform/platform.h"

namespace {
const char* const kShipped[2] = {"mnist-ae-z2", "mnist-z2"};  // the shipped pair, in side order
constexpr int kCompareSamples = 6;                             // a kCompareSamples^2 grid from the prior

void side_init(ComparePanel& c) {
  if (c.sides[0].title[0] != '\0') return;
  c.sides[0].title = "Autoencoder (β = 0)";
  c.sides[0].beta = 0;
  c.sides[1].title = "VAE (β = 1)";
  c.sides[1].beta = 1;
}

// The side's model (side.trainer.params) is new: buffers and views follow it.
void side_new_model(CompareSide& side, const std::string& source) {
  side.inf.resize(side.trainer.params);
  side.has_model = true;
  side.pending = false;
  side.source = source;
  ++side.version;
  side.drawn_version = -1;
}

// Asks for the shipped pair: read natively, fetched by the page.
void request_shipped(AppState& app) {
  ComparePanel& c = app.compare;
  c.requested = true;
  c.live = false;
  c.running = false;
  for (int k = 0; k < 2; ++k) {
    const auto it = std::find_if(app.session.models.begin(), app.session.models.end(), [k](const ModelEntry& e) { return e.name == kShipped[k]; });
    CompareSide& side = c.sides[k];
    side.has_model = false;
    if (it == app.session.models.end()) {
      side.source = std::string(kShipped[k]) + " is not among the shipped models";
      continue;
    }
    side.pending = true;
    side.source = "loading " + it->file + "...";
    std::vector<uint8_t> bytes;  // natively read now; the page hands them over when they arrive
    const Status s = platform_fetch_model(it->file, 1 + k, &bytes);
    if (!s.ok)
      side.source = s.message, side.pending = false;
    else if (!bytes.empty())
      compare_load_weights(app, k, bytes.data(), bytes.size(), it->file);
  }
}

// A fresh pair, one of each beta, same shape and seed: trained here side by side.
void start_live(AppState& app) {
  ComparePanel& c = app.compare;
  VaeConfig config;
  config.latent = 2;
  config.hidden = {400};
  for (CompareSide& side : c.sides) {
    TrainOptions o;
    o.seed = static_cast<uint64_t>(c.seed);
    o.beta = side.beta;
    side.trainer.start(config, o);
    side_new_model(side, "trained here from random weights");
  }
  c.live = true;
  c.running = true;
  c.steps = 0;
}

// The prior's mass in the holes of the aggregate posterior of these codes (model/aggregate.h), on a
// 40 x 40 grid over [-3, 3]^2 (the prior's 99.9%).
double holes_share(const Mat& mu, const Mat& sigma) {
  constexpr int n = 40;
  constexpr float lo = -3, h = 6.0f / n;
  Mat points(n * n, 2);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) points(r * n + c, 0) = lo + (c + 0.5f) * h, points(r * n + c, 1) = lo + (r + 0.5f) * h;
  const float m0[2] = {0, 0}, v0[2] = {1, 1};
  return find_holes(mu, sigma.array().square().matrix(), points, Vec::Constant(n * n, h * h), m0, v0).share;
}

// The side's codes of test images, figures and samples from the prior, when its model changed.
void side_refresh(AppState& app, CompareSide& side) {
  const bool training = app.compare.running;
  if (!side.has_model || app.session.test_binary.rows() < kCompareCodes || side.drawn_version == side.version) return;
  if (training && side.drawn_version >= 0 && app.session.now - side.drawn_at < 0.5) return;
  const VaeParams& p = side.trainer.params;
  side.codes.resize(kCompareCodes, p.config.latent);
  Mat sigma(kCompareCodes, p.config.latent);
  encode_mu_sigma(side.codes, sigma, side.inf, p, app.session.test.images.topRows(kCompareCodes), Mat(kCompareCodes, 0));
  // (its 1,000 codes at 1,600 points: while training, every 2 s, so the steps keep the frames)
  if (!training || side.holes_at < 0 || app.session.now - side.holes_at >= 2.0) {
    side.holes_share = holes_share(side.codes, sigma);
    side.holes_at = app.session.now;
  }
  const ConstMatRef X = app.session.test_binary.topRows(kCompareCodes);
  Rng rng(kTestBinarizationSeed, 11);
  const VaeLoss loss = vae_evaluate(side.inf.work, p, X, rng);
  side.kl = loss.kl;
  side.recon = -loss.bce;
  side.inside_2sigma = (side.codes.rowwise().squaredNorm().array() < 4.0f).cast<double>().mean();
  // z ~ N(0, I): the same draws on both sides
  Rng zr(7, 41);
  side.samples.z.resize(kCompareSamples * kCompareSamples, p.config.latent);
  for (float& v : side.samples.z.reshaped()) v = zr.normal();
  side.samples.probs.resize(side.samples.z.rows(), p.config.input);
  decode_probs(side.samples.probs, side.inf, p, side.samples.z);
  tile_images(&side.samples.pixels, side.samples.probs, kCompareSamples, kCompareSamples);
  side.samples.cols = side.samples.rows = kCompareSamples;
  texture_upload(&side.samples.texture, side.samples.pixels, kCompareSamples * kSide, kCompareSamples * kSide);
  side.drawn_version = side.version;
  side.drawn_at = app.session.now;
}

// The codes in a square around 0 wide enough for 99% of them, the prior's circles at their true size.
void codes_plot(AppState& app, CompareSide& side, float size, int k) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("codes", ImVec2(size, size));
  app.probes.set_at("compare_codes", static_cast<size_t>(k), item_rect());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(at, ImVec2(at.x + size, at.y + size), IM_COL32(12, 12, 16, 255));
  const int n = static_cast<int>(side.codes.rows());
  std::vector<float> radii(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) radii[static_cast<size_t>(i)] = side.codes.row(i).cwiseAbs().maxCoeff();
  float range = 3;
  if (n > 0) {
    std::nth_element(radii.begin(), radii.begin() + n * 99 / 100, radii.end());
    range = std::max(3.0f, radii[static_cast<size_t>(n * 99 / 100)] * 1.05f);
  }
  const ImVec2 c(at.x + size * 0.5f, at.y + size * 0.5f);
  const float scale = size * 0.5f / range;
  dl->PushClipRect(at, ImVec2(at.x + size, at.y + size), true);
  for (int i = 0; i < n; ++i) {
    const ImVec2 s(c.x + side.codes(i, 0) * scale, c.y - side.codes(i, 1) * scale);
    dl->AddRectFilled(ImVec2(s.x - 1.2f, s.y - 1.2f), ImVec2(s.x + 1.2f, s.y + 1.2f),
                      digit_color(app.session.test.labels[static_cast<size_t>(i)], 0.8f));
  }
  // the prior over the codes, at its true size (small where the codes spread far)
  dl->AddCircleFilled(c, 2 * scale, IM_COL32(150, 200, 255, 40), 48);
  for (float r : {1.0f, 2.0f}) dl->AddCircle(c, r * scale, IM_COL32(150, 200, 255, r == 1 ? 255 : 200), 48, 2.0f);
  dl->AddText(ImVec2(c.x + 2 * scale * 0.72f + 3, c.y - 2 * scale * 0.72f - ImGui::GetTextLineHeight()),
              IM_COL32(150, 200, 255, 255), "prior");
  dl->PopClipRect();
  dl->AddRect(at, ImVec2(at.x + size, at.y + size), IM_COL32(90, 90, 110, 255));
  char text[48];
  std::snprintf(text, sizeof text, "z from -%.0f to %.0f", range, range);
  dl->AddText(ImVec2(at.x + 3, at.y + 2), IM_COL32(170, 170, 180, 255), text);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Encoder means of %d test images, coloured by digit. Blue: the prior N(0, I)'s 1 and 2 sigma "
                      "circles, where z ~ N(0, I) falls (95%% of the time inside the outer one).", n);
}

void side_view(AppState& app, int k, float width) {
  CompareSide& side = app.compare.sides[k];
  ImGui::BeginGroup();
  ImGui::TextUnformatted(side.title);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextDisabled("%s", side.source.c_str());
  ImGui::PopTextWrapPos();
  if (!side.has_model || side.codes.rows() == 0) {
    ImGui::Dummy(ImVec2(width, width));
    ImGui::EndGroup();
    return;
  }
  codes_plot(app, side, width, k);
  ImGui::Text("KL %.1f nats, recon. %.1f", side.kl, side.recon);
  ImGui::Text("inside 2σ %.0f%%, holes %.0f%%", 100 * side.inside_2sigma, 100 * side.holes_share);
  app.probes.set_at("compare_holes", static_cast<size_t>(k), item_rect());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("inside 2σ: the share of test codes within the prior's 2σ circle.\nholes: the share of the prior's "
                      "mass where the codes' aggregate posterior (1/N) Σ q(z|x_n) has less than a tenth of the prior's "
                      "density. A prior sample that lands in a hole decodes to something no image looked like.");
  ImGui::TextDisabled("decoded z ~ N(0, I):");
  grid_image(side.samples, ImVec2(width, width));
  ImGui::EndGroup();
}
}  // namespace

bool compare_load_weights(AppState& app, int k, const uint8_t* bytes, size_t size, const std::string& source) {
  side_init(app.compare);
  CompareSide& side = app.compare.sides[k];
  VaeParams params;
  Status s = weights_parse(bytes, size, source, &params, nullptr);
  if (s.ok && (params.config.latent != 2 || params.config.classes != 0 || params.config.input != kSide * kSide))
    s = Status::error(source + ": the comparison needs an unconditional Z = 2 MNIST model");
  side.pending = false;
  if (!s.ok) {
    side.source = s.message;
    return false;
  }
  side.trainer.params = std::move(params);
  side.trainer.prepare();
  side_new_model(side, source);
  return true;
}

void compare_frame_steps(AppState& app) {
  ComparePanel& c = app.compare;
  if (!c.running) return;
  if (app.session.train.labels.size() < 100 || app.session.dataset != "mnist") {
    c.running = false;
    return;
  }
  // the two sides in turn (a step of one, then of the other, across frames), on the Train panel's budget
  const double start = now_seconds();
  do {
    const int k = c.sides[0].trainer.optimizer.step > c.sides[1].trainer.optimizer.step ? 1 : 0;
    c.sides[k].trainer.step(app.session.train.images);
    ++c.sides[k].version;
    c.steps = c.sides[1].trainer.optimizer.step;
  } while (now_seconds() - start < app.session.training.budget_ms / 1000.0);
}

void panel_compare(AppState& app) {
  ComparePanel& c = app.compare;
  side_init(c);
  if (!panel_begin(app, kPanelCompare, "Autoencoder vs VAE",
                   "The same Z = 2 network, trained without the KL term (a plain autoencoder) and with it (the VAE)."))
    return;
  if (!c.requested) request_shipped(app);
  const bool mnist = app.session.dataset == "mnist";
  ImGui::BeginDisabled(!mnist || app.session.train.labels.empty());
  if (ImGui::Button(c.live ? "Train both again" : "Train both here")) start_live(app);
  app.probes.set("compare_train", item_rect());
  if (c.live) {
    ImGui::SameLine();
    if (ImGui::Button(c.running ? "Pause" : "Resume")) c.running = !c.running;
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Shipped pair")) request_shipped(app);
  app.probes.set("compare_shipped", item_rect());
  char note[64];
  std::snprintf(note, sizeof note, "%lld steps each (%.0fk images)", c.steps, c.steps * 100 / 1000.0);
  const char* text = c.live ? note : mnist ? "shipped: 100 epochs each" : "(to train here: an MNIST model first)";
  same_line_if_fits(ImGui::CalcTextSize(text).x);
  ImGui::TextDisabled("%s", text);
  help_marker("Both sides: 784-400-2-400-784, Adam, batch 100, the same seed and the same batches. The ELBO's KL term "
              "pulls each q(z|x) towards N(0, I); without it (beta = 0) nothing does, so the codes drift apart, leave "
              "the prior's circles and leave holes between the classes. Decoding z ~ N(0, I) then lands where no "
              "code was: the autoencoder's samples are junk, the VAE's are digits.");
  for (CompareSide& side : c.sides) side_refresh(app, side);
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float below = ImGui::GetTextLineHeightWithSpacing() * 6;
  const float width = std::max(80.0f, std::min((ImGui::GetContentRegionAvail().x - spacing) * 0.5f,
                                               (ImGui::GetContentRegionAvail().y - below) * 0.5f));
  side_view(app, 0, width);
  ImGui::SameLine();
  side_view(app, 1, width);
  panel_end(app, kPanelCompare);
}
