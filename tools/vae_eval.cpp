// vae-eval: the test ELBO, the active units with the KL per dimension, and the importance-weighted
// estimate of log p(x) of a weights file (with bits per dimension), as JSON lines, on the README's
// test protocol (test set binarized, or dequantized for a Gaussian decoder, once with a fixed seed);
// with --write-card, the same figures go into the file's metadata (its model card).
#include <omp.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "io/weights.h"
#include "model/inspect.h"
#include "model/iwae.h"
#include "model/likelihood.h"
#include "model/posterior.h"
#include "train/classifier_train.h"
#include "train/trainer.h"

namespace {
const char* kProgram = "vae-eval";

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

std::string file_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::vector<float> as_vector(const Vec& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

// The page's one-image figures for test image i (binarized or dequantized as every test figure is): q(z|x), one
// draw z = mu + sigma * eps, the reconstruction term over kReconSamples draws, the KL and its split,
// the ELBO and log p(x) with k samples; the same streams as the page, so its numbers can be checked.
// p(z|x) on the grid (Z = 2): its extent, mean, covariance, log p(x) by quadrature and modes.
nlohmann::ordered_json posterior_json(const PosteriorGrid& g) {
  nlohmann::ordered_json j;
  j["grid"] = g.n;
  j["extent"] = std::vector<float>(g.extent, g.extent + 4);
  j["mean"] = {g.mean[0], g.mean[1]};
  j["cov"] = {{g.cov[0][0], g.cov[0][1]}, {g.cov[1][0], g.cov[1][1]}};
  j["log_px"] = g.log_px;
  j["modes"] = g.modes;
  return j;
}

// The best Gaussian q for this image alone, and the gap's split (model/posterior.h).
nlohmann::ordered_json fit_q_json(VaeWork& w, const VaeParams& p, const Mat& x, const Mat& y, const Posterior& q,
                                  long i, long long k, uint64_t seed) {
  FitQ fit;
  Rng fr = fit_q_stream(i);
  fit_q_start(&fit, p, x, y, q, fr);
  fit_q_step(&fit, p, kFitQSteps);
  const GapSplit s = vae_gap_split(w, p, x, y, q, fit.q, recon_stream(i), k, log_px_stream(seed, i));
  nlohmann::ordered_json j;
  j["steps"] = fit.steps;
  j["samples"] = kFitQSamples;
  j["mu"] = as_vector(s.q_fit.mu);
  j["sigma"] = as_vector(s.q_fit.sigma);
  j["kept_encoder"] = s.kept_encoder;
  j["elbo_encoder"] = s.elbo_encoder;
  j["elbo_fit"] = s.elbo_fit;
  j["log_px"] = s.log_px;
  j["k"] = k;
  j["amortization_gap"] = s.amortization_gap;
  j["approximation_gap"] = s.approximation_gap;
  return j;
}

int print_one_image(const VaeParams& p, const Mat& X, const Dataset& test, long i, int k, uint64_t seed,
                    uint64_t eps_seed, const std::string& weights_path, bool posterior, bool fit_q) {
  const int C = p.config.classes, Z = p.config.latent;
  const Mat y = C > 0 ? one_hot(test.labels.data() + i, 1, C) : no_labels(1);
  VaeWork w;
  w.resize(p, 500);
  const Posterior q = vae_posterior(w, p, X.row(i), y);
  Rng er = eps_stream(eps_seed);
  Mat eps(1, Z), z(1, Z);
  for (float& e : eps.reshaped()) e = er.normal();
  reparameterize(z, q, eps);
  Rng rr = recon_stream(i);
  const ReconEstimate recon = vae_recon_estimate(w, p, X.row(i), y, q, kReconSamples, rr);
  const Vec kl = kl_per_dim(q);
  const double elbo = recon.recon - kl.cast<double>().sum();
  nlohmann::ordered_json line;
  line["metric"] = "one_image";
  line["weights"] = weights_path;
  line["image"] = i;
  line["label"] = test.labels[static_cast<size_t>(i)];
  line["mu"] = as_vector(q.mu);
  line["sigma"] = as_vector(q.sigma);
  line["eps_seed"] = eps_seed;
  line["eps"] = as_vector(eps.row(0).transpose());
  line["z"] = as_vector(z.row(0).transpose());
  line["recon"] = recon.recon;
  line["recon_samples"] = recon.samples;
  line["kl"] = kl.cast<double>().sum();
  line["kl_per_dim"] = as_vector(kl);
  line["elbo"] = elbo;
  if (k > 0) {
    LogPxAccumulator acc;
    Rng lr = log_px_stream(seed, i);
    vae_log_px_add(&acc, w, p, X.row(i), y, q, k, lr);
    line["log_px"] = acc.value();
    line["k"] = k;
    // log p(x) = ELBO + KL(q(z|x) || p(z|x)): the estimate's gap to the ELBO
    line["gap"] = acc.value() - elbo;
  }
  if (posterior) line["posterior"] = posterior_json(vae_true_posterior(w, p, X.row(i), y, q));
  if (fit_q) line["fit_q"] = fit_q_json(w, p, X.row(i), y, q, i, k > 0 ? k : kLogPxK, seed);
  std::cout << line.dump() << std::endl;
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::string weights_path, data, dataset = "mnist", classifier_path;
  int k = 5000, threads = 0, chunk = 500;
  long n = 0;
  uint64_t seed = 1;
  bool write_card = false, posterior = false, fit_q = false;
  long image = -1;
  uint64_t eps_seed = 1;
  CLI::App app{"Evaluate VAE weights on the MNIST test set: ELBO and log p(x) (importance-weighted, k samples).",
               kProgram};
  app.add_option("weights", weights_path, "weights file (safetensors)")->required();
  app.add_option("--dataset", dataset, "mnist or fashion")->capture_default_str()->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--data", data, "directory of the IDX files [default: the dataset's installed folder]");
  app.add_option("--classifier", classifier_path, "a classifier (vae-classifier) scores the samples: for a conditional model, the share "
                 "of samples of each class it agrees with; otherwise its mean confidence in samples from the prior");
  app.add_option("--k", k, "importance samples per image for log p(x) (0 = skip)")->capture_default_str()->check(integer_in(0, 1000000));
  app.add_option("--n", n, "use the first N test images (0 = all 10000)")->capture_default_str()->check(integer_in(0, 1000000000));
  app.add_option("--seed", seed, "seed of the eps streams of log p(x)")->capture_default_str()->check(seed_value());
  app.add_option("--threads", threads, "threads (0 = all cores)")->capture_default_str()->check(integer_in(0, 256));
  app.add_option("--chunk", chunk, "samples decoded per GEMM")->capture_default_str()->check(integer_in(1, 100000));
  app.add_option("--image", image, "only test image N: the page's one-image figures (q(z|x), one draw of eps, "
                 "reconstruction term, KL per dimension, ELBO, log p(x)) as one JSON line")->check(integer_in(0, 9999));
  app.add_option("--eps-seed", eps_seed, "with --image: the seed of the eps drawn (the page's \"draw eps\" count)")->capture_default_str()->check(seed_value());
  app.add_flag("--posterior", posterior, "with --image, a model with Z = 2: the true posterior p(z|x) on a 64x64 grid "
              "(its extent, mean, covariance, modes and log p(x) by quadrature)");
  app.add_flag("--fit-q", fit_q, "with --image: the best Gaussian q for this image alone (200 Adam steps on its mu and "
              "log sigma^2), and the gap log p(x) - ELBO split into amortization and approximation gaps");
  app.add_flag("--write-card", write_card,
               "write the figures into the file's metadata (architecture, test ELBO, log p(x), classifier agreement); "
               "needs the whole test set");
  cli_parse(app, argc, argv);
  if (write_card && n != 0) cli_fail(kProgram, "--write-card needs the whole test set; drop --n");
  if (image >= 0 && (write_card || n != 0 || !classifier_path.empty()))
    cli_fail(kProgram, "--image evaluates one image: drop --write-card, --n and --classifier");
  if ((posterior || fit_q) && image < 0) cli_fail(kProgram, "--posterior and --fit-q describe one image: add --image N");
  set_threads(threads);
  if (data.empty()) data = dataset_dir(kProgram, dataset);

  VaeParams p;
  Metadata meta;
  Status st = weights_load(weights_path, &p, &meta);
  if (!st) cli_fail(kProgram, st.message);
  // the model must fit the data (28x28 images, 10 classes) and its buffers the memory, before any is read
  st = weights_fit_data(p.config, 28 * 28, 10);
  if (!st) cli_fail(kProgram, weights_path + ": " + st.message + " (MNIST and Fashion-MNIST: 28x28, 10 classes)");
  check_work_size(kProgram, p.config, chunk, "--chunk");
  if (write_card) prepare_output(kProgram, weights_path);
  std::string trained_on;
  for (const auto& kv : meta)
    if (kv.first == "dataset") trained_on = kv.second == "fashion-mnist" ? "fashion" : kv.second;
  if (write_card && !trained_on.empty() && trained_on != dataset)
    cli_fail(kProgram, weights_path + " was trained on " + trained_on + "; its card needs --dataset " + trained_on);
  Dataset test = load_split_or_exit(kProgram, data, "test", n);
  // the test images as the model observes them: binarized once, or dequantized once (Gaussian decoder)
  const Mat X = observe_fixed(test.images, p.config.likelihood);
  const long N = static_cast<long>(X.rows());
  const int C = p.config.classes;
  const Mat Y = C > 0 ? one_hot(test.labels.data(), N, C) : no_labels(N);
  if (image >= 0) {
    if (image >= N) cli_fail(kProgram, "--image " + std::to_string(image) + ": the test set has " + std::to_string(N) + " images");
    if (posterior && p.config.latent != 2)
      cli_fail(kProgram, "--posterior draws p(z|x) on a grid over two latent dimensions; " + weights_path + " has Z = " +
                             std::to_string(p.config.latent));
    return print_one_image(p, X, test, image, k, seed, eps_seed, weights_path, posterior, fit_q);
  }

  auto t0 = std::chrono::steady_clock::now();
  const VaeLoss loss = test_set_loss(p, X, test.labels.data());
  nlohmann::ordered_json line;
  line["metric"] = C > 0 ? "test_elbo_conditional" : "test_elbo";
  line["weights"] = weights_path;
  line["model"] = p.config.describe();
  line["n"] = N;
  line["value"] = -loss.neg_elbo;
  line["reconstruction"] = -loss.bce;
  line["kl"] = loss.kl;
  line["bits_per_dim"] = bits_per_dim(-loss.neg_elbo, p.config);
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;
  // active units (Burda et al. 2016): Cov_x(E_q[z_j]) > 0.01 over the test set; and the mean KL of
  // each dimension
  VaeWork aw;
  aw.resize(p, 500);
  const Vec variance = vae_posterior_mean_variance(aw, p, X, Y);
  const Vec kl_dim = vae_kl_per_dim_mean(aw, p, X, Y);
  const int active = active_units(variance);
  line = nlohmann::ordered_json();
  line["metric"] = "active_units";
  line["weights"] = weights_path;
  line["n"] = N;
  line["value"] = active;
  line["latent"] = p.config.latent;
  line["threshold"] = kActiveUnitVariance;
  line["variance_of_mean"] = as_vector(variance);
  line["kl_per_dim"] = as_vector(kl_dim);
  std::cout << line.dump() << std::endl;
  // the card is written last, so an interrupted run leaves the file as it was
  auto finish = [&](const Metadata& figures) {
    if (!write_card) return 0;
    const Status written = weights_update_metadata(weights_path, figures);
    if (!written) cli_fail(kProgram, written.message);
    std::fprintf(stderr, "%s: wrote the model card (%zu figures) into %s\n", kProgram, figures.size(), weights_path.c_str());
    return 0;
  };
  Metadata card = {{"architecture", p.config.describe()},
                   {"test_elbo", fixed(-loss.neg_elbo, 3)},
                   {"test_elbo_of", C > 0 ? "log p(x|y) lower bound" : "log p(x) lower bound"},
                   {"test_elbo_bits_per_dim", fixed(bits_per_dim(-loss.neg_elbo, p.config), 4)},
                   {"test_images", std::to_string(N)},
                   {"active_units", std::to_string(active) + " of " + std::to_string(p.config.latent)},
                   {"active_units_how", "dimensions j with Cov_x(E_q[z_j]) > 0.01 over the test images (Burda et al. 2016)"}};

  if (!classifier_path.empty() && C == 0) {
    // an unconditional model: how digit-like its samples from the prior are
    ClassifierParams classifier;
    st = classifier_load(classifier_path, &classifier);
    if (!st) cli_fail(kProgram, st.message);
    const int samples = 10000;
    Rng zr(seed, 17);
    const PriorSampleScore score = prior_sample_score(p, classifier, samples, zr);
    line = nlohmann::ordered_json();
    line["metric"] = "prior_sample_score";
    line["weights"] = weights_path;
    line["classifier"] = classifier_path;
    line["samples"] = samples;
    line["value"] = score.score;
    line["confidence"] = score.confidence;
    line["class_share"] = score.class_share;
    std::cout << line.dump() << std::endl;
    card.push_back({"prior_sample_score", fixed(score.score, 3)});
    card.push_back({"prior_sample_score_how", std::to_string(samples) + " samples z ~ N(0, I), Bernoulli means, classified by " +
                    file_name(classifier_path) + ": exp(mean KL(p(c|x) || p(c))), the inception score with this "
                    "classifier (10 = every digit, each clearly); mean confidence " + fixed(score.confidence, 3)});
  } else if (!classifier_path.empty()) {
    ClassifierParams classifier;
    st = classifier_load(classifier_path, &classifier);
    if (!st) cli_fail(kProgram, st.message);
    if (classifier.input != p.config.input || classifier.classes != C)
      cli_fail(kProgram, classifier_path + ": the classifier reads " + std::to_string(classifier.input) + " pixels into " +
                             std::to_string(classifier.classes) + " classes; " + weights_path + " makes " +
                             std::to_string(p.config.input) + "-pixel images of " + std::to_string(C) + " classes");
    // per class: 1000 samples z ~ N(0, I) decoded with that label, classified from their Bernoulli means
    const int per_class = 1000;
    VaeWork dw;
    dw.resize(p, per_class);
    Mat z(per_class, p.config.latent), logits(per_class, p.config.input), probs(per_class, p.config.input);
    Rng zr(seed, 17);
    long agree = 0;
    std::vector<double> per_class_share;
    for (int c = 0; c < C; ++c) {
      for (float& v : z.reshaped()) v = zr.normal();
      const std::vector<uint8_t> labels(per_class, static_cast<uint8_t>(c));
      vae_decode(logits, dw, p, z, one_hot(labels.data(), per_class, C));
      sigmoid_forward(probs, logits);
      const double share = classifier_accuracy(classifier, probs, labels.data());
      per_class_share.push_back(share);
      agree += std::lround(share * per_class);
    }
    line = nlohmann::ordered_json();
    line["metric"] = "classifier_agreement";
    line["weights"] = weights_path;
    line["classifier"] = classifier_path;
    line["samples"] = per_class * C;
    line["value"] = static_cast<double>(agree) / (per_class * C);
    line["per_class"] = per_class_share;
    std::cout << line.dump() << std::endl;
    const double accuracy = classifier_accuracy(classifier, test.images, test.labels.data());
    card.push_back({"classifier_agreement", fixed(static_cast<double>(agree) / (per_class * C), 4)});
    card.push_back({"classifier_agreement_how", std::to_string(per_class) + " samples z ~ N(0, I) per class, Bernoulli means, classified by " +
                                                    file_name(classifier_path) + " (test accuracy " + fixed(accuracy, 4) + ")"});
  }
  if (k == 0) return finish(card);

  // log p(x): images in parallel, each with its own stream (seed, image), so any thread count
  // gives the same numbers
  t0 = std::chrono::steady_clock::now();
  std::vector<double> log_px(static_cast<size_t>(N));
  Progress bar("log p(x), k=" + std::to_string(k), N, k);
  long done = 0;
  Eigen::setNbThreads(1);
#pragma omp parallel
  {
    VaeWork local;
    local.resize(p, chunk);
#pragma omp for schedule(dynamic, 4)
    for (long i = 0; i < N; ++i) {
      Rng r = log_px_stream(seed, i);
      log_px[static_cast<size_t>(i)] = vae_log_px(local, p, X.row(i), Y.row(i), k, r)[0];
#pragma omp atomic
      ++done;
      if (omp_get_thread_num() == 0) bar.update(done);
    }
  }
  bar.finish();
  double sum = 0;
  for (double v : log_px) sum += v;
  line = nlohmann::ordered_json();
  line["metric"] = C > 0 ? "log_px_given_y" : "log_px";
  line["weights"] = weights_path;
  line["k"] = k;
  line["n"] = N;
  line["value"] = sum / N;
  line["bits_per_dim"] = bits_per_dim(sum / N, p.config);
  line["seconds"] = seconds_since(t0);
  std::cout << line.dump() << std::endl;
  card.push_back({"log_px", fixed(sum / N, 3)});
  card.push_back({"bits_per_dim", fixed(bits_per_dim(sum / N, p.config), 4)});
  card.push_back({"bits_per_dim_how", p.config.likelihood == Likelihood::gaussian
                                          ? "(-log p(x) + D ln 256) / (D ln 2), D = " + std::to_string(p.config.input) +
                                                ": the density of x = (pixel + u) / 256 as a probability of the 8-bit image"
                                          : "-log p(x) / (D ln 2), D = " + std::to_string(p.config.input) +
                                                ", of the binarized pixels"});
  card.push_back({"log_px_how", std::string(C > 0 ? "log p(x|y)" : "log p(x)") + ", importance-weighted with k=" +
                                    std::to_string(k) + " samples of q per test image, eps seed " + std::to_string(seed)});
  return finish(card);
}
