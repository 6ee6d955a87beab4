// vae-train: trains the VAE on MNIST (the README's data protocol), writes weights (safetensors),
// a checkpoint each epoch, a PNG of prior samples and a PNG of test reconstructions. The model
// family's options: Bernoulli or Gaussian decoder, activation, dropout, sigma's parameterization,
// initialization, and the ELBO or IWAE objective.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli_common.h"
#include "io/png.h"
#include "io/weights.h"
#include "model/likelihood.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace {

const char* kProgram = "vae-train";

struct Flags {
  std::string dataset = "mnist";
  std::string data;  // default: the dataset's own folder
  std::string out = default_weights_dir() + "/latest.safetensors";
  std::string checkpoint;  // default: out + ".ckpt"
  std::string log_csv;
  std::vector<int> hidden = {400};
  int latent = 20;
  std::string activation = "relu", optimizer = "adam", dtype = "f32";
  std::string likelihood = "bernoulli", decoder_variance = "per_pixel", posterior_scale = "logvar";
  std::string init = "pytorch", objective = "elbo";
  float dropout = 0;
  int k = 0;  // IWAE's K (0: not given)
  float lr = 1e-3f;
  int batch = 100, epochs = 10, samples = 1, threads = 0;
  long train_limit = 0;
  uint64_t seed = 1;
  bool resume = false, conditional = false;
  float lr_final = 0, kl_warmup = 0, beta = 1;
};

std::string stem(const std::string& path) {
  const std::string ext = ".safetensors";
  if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0)
    return path.substr(0, path.size() - ext.size());
  return path;
}

// 100 samples from the prior, drawn as the decoder's means (Bernoulli probabilities or Gaussian
// means, both sigmoid(logits)); a conditional model's row r shows class r
// (the same 10 styles z down each column).
void write_samples_png(const std::string& path, const VaeParams& p) {
  VaeWork w;
  w.resize(p, 100);
  Rng rng(7, 3);
  Mat z(100, p.config.latent), logits(100, p.config.input);
  for (float& v : z.reshaped()) v = rng.normal();
  std::vector<uint8_t> labels(100);
  for (int i = 0; i < 100; ++i) {
    labels[static_cast<size_t>(i)] = static_cast<uint8_t>(i / 10 % std::max(1, p.config.classes));
    if (i >= 10) z.row(i) = z.row(i % 10);
  }
  if (p.config.classes == 0)
    for (float& v : z.bottomRows(90).reshaped()) v = rng.normal();
  vae_decode(logits, w, p, z, p.config.classes > 0 ? one_hot(labels.data(), 100, p.config.classes) : no_labels(100));
  Mat probs(100, p.config.input);
  sigmoid_forward(probs, logits);
  Status st = png_write_grid(path, ConstMatMap(probs.data(), probs.rows(), probs.cols()), 28, 28, 10);
  if (!st) cli_fail(kProgram, st.message);
}

// Rows of 10 test images, each followed by a row of their reconstructions from the encoder's mean.
void write_reconstructions_png(const std::string& path, const VaeParams& p, const Mat& test_binary,
                               const uint8_t* labels) {
  const int n = static_cast<int>(std::min<Eigen::Index>(40, test_binary.rows())), per_row = 10;
  VaeWork w;
  w.resize(p, n);
  const Mat Y = p.config.classes > 0 ? one_hot(labels, n, p.config.classes) : no_labels(n);
  vae_encode(w, p, test_binary.topRows(n), Y);
  // pairs of rows: 10 test digits, then their reconstructions (cells past the last digit stay black)
  const int pairs = (n + per_row - 1) / per_row;
  Mat logits(n, p.config.input), recon(n, p.config.input);
  Mat grid = Mat::Zero(2 * pairs * per_row, p.config.input);
  vae_decode(logits, w, p, w.heads.leftCols(p.config.latent), Y);
  sigmoid_forward(recon, logits);
  for (int i = 0; i < n; ++i) {
    const int row = i / per_row, col = i % per_row;
    grid.row(2 * row * per_row + col) = test_binary.row(i);
    grid.row((2 * row + 1) * per_row + col) = recon.row(i);
  }
  Status st = png_write_grid(path, ConstMatMap(grid.data(), grid.rows(), grid.cols()), 28, 28, per_row);
  if (!st) cli_fail(kProgram, st.message);
}

double test_elbo(const VaeParams& p, const Mat& test_binary, const uint8_t* labels) {
  return -test_set_loss(p, test_binary, labels).neg_elbo;
}

// How the data is observed, for the file's provenance.
std::string protocol(Likelihood likelihood) {
  const std::string seed = std::to_string(kTestBinarizationSeed);
  if (likelihood == Likelihood::gaussian)
    return "dynamic dequantization, x = (pixel + u) / 256 with u ~ U(0, 1) afresh each draw; test set dequantized once "
           "with seed " + seed;
  return "dynamic binarization; test set binarized once with seed " + seed;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{"Train a variational autoencoder (Kingma & Welling 2014) on MNIST and write its weights.", kProgram};
  app.add_option("--dataset", f.dataset, "mnist or fashion (Fashion-MNIST)")->capture_default_str()->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--data", f.data, "directory of the four IDX files [default: the dataset's installed folder]");
  app.add_flag("--conditional", f.conditional, "a conditional VAE: the one-hot label enters encoder and decoder");
  app.add_option("--out", f.out, "weights file to write (safetensors); PNGs are written beside it")->capture_default_str();
  app.add_option("--checkpoint", f.checkpoint, "checkpoint written after every epoch [default: OUT.ckpt]");
  app.add_flag("--resume", f.resume, "continue from the checkpoint (its config and state) up to --epochs");
  app.add_option("--hidden", f.hidden, "hidden layer sizes, encoder order; the decoder mirrors them (e.g. 500,500)")
      ->delimiter(',')->capture_default_str()->check(integer_in(1, 16384));
  app.add_option("--latent", f.latent, "latent size Z")->capture_default_str()->check(integer_in(1, 4096));
  app.add_option("--activation", f.activation, "hidden activation")->capture_default_str()->check(CLI::IsMember({"relu", "tanh", "elu"}));
  app.add_option("--likelihood", f.likelihood, "p(x|z): bernoulli (binarized pixels) or gaussian (dequantized grey levels)")
      ->capture_default_str()->check(CLI::IsMember({"bernoulli", "gaussian"}));
  app.add_option("--decoder-variance", f.decoder_variance, "a gaussian decoder's log-variance: per_pixel (an output layer) or shared (one learned value)")
      ->capture_default_str()->check(CLI::IsMember({"per_pixel", "shared"}));
  app.add_option("--posterior-scale", f.posterior_scale, "sigma of q(z|x): logvar (sigma = exp(a / 2)) or softplus (sigma = softplus(a) + 1e-6)")
      ->capture_default_str()->check(CLI::IsMember({"logvar", "softplus"}));
  app.add_option("--dropout", f.dropout, "drop each hidden unit with this probability in training (0 = none)")
      ->capture_default_str()->check(real_in(0, 0.9));
  app.add_option("--init", f.init, "initial weights: pytorch (nn.Linear's default) or xavier (Glorot uniform, zero biases)")
      ->capture_default_str()->check(CLI::IsMember({"pytorch", "xavier"}));
  app.add_option("--objective", f.objective, "elbo, or iwae (the importance-weighted bound with --k samples)")
      ->capture_default_str()->check(CLI::IsMember({"elbo", "iwae"}));
  app.add_option("--k", f.k, "importance samples per image of the iwae objective [default: 5]")->check(integer_in(1, 5000));
  app.add_option("--optimizer", f.optimizer, "optimizer")->capture_default_str()->check(CLI::IsMember({"adam", "adagrad"}));
  app.add_option("--lr", f.lr, "learning rate")->capture_default_str()->check(real_in(0, 10, true));
  app.add_option("--lr-final", f.lr_final, "decay the learning rate exponentially to this by the last epoch (0 = constant)")->capture_default_str()->check(real_in(0, 10));
  app.add_option("--kl-warmup", f.kl_warmup, "epochs over which the KL term's weight rises from 0 to 1 (0 = none)")->capture_default_str()->check(real_in(0, double(kMaxEpochs)));
  app.add_option("--beta", f.beta, "weight of the KL term: 0 = a plain autoencoder, 1 = the VAE, > 1 = a beta-VAE")->capture_default_str()->check(real_in(0, 1000));
  app.add_option("--batch", f.batch, "minibatch size")->capture_default_str()->check(integer_in(1, kMaxBatch));
  app.add_option("--epochs", f.epochs, "passes over the training set (total, counting resumed ones)")->capture_default_str()->check(integer_in(1, kMaxEpochs));
  app.add_option("--samples", f.samples, "samples of z per image (L)")->capture_default_str()->check(integer_in(1, kMaxSamples));
  app.add_option("--seed", f.seed, "seed of the one random stream (init, order, binarization, eps)")->capture_default_str()->check(seed_value());
  app.add_option("--threads", f.threads, "threads (0 = all cores; with 2, a step runs on one while that is measured faster, as with another program busy on a core)")->capture_default_str()->check(integer_in(0, 256));
  app.add_option("--train-limit", f.train_limit, "train on the first N training images only (0 = all 60000)")->capture_default_str()->check(integer_in(0, 1000000000));
  app.add_option("--dtype", f.dtype, "how the weights file stores values (f16 halves the size)")->capture_default_str()->check(CLI::IsMember({"f32", "f16"}));
  app.add_option("--log", f.log_csv, "append one CSV row per epoch: epoch, samples seen, train and test ELBO, seconds");
  cli_parse(app, argc, argv);
  if (f.checkpoint.empty()) f.checkpoint = f.out + ".ckpt";
  if (f.data.empty()) f.data = dataset_dir(kProgram, f.dataset);
  if (f.objective == "iwae" && f.samples != 1)
    cli_fail(kProgram, "--samples is the ELBO's L; the iwae objective draws --k samples per image");
  if (f.objective != "iwae" && f.k != 0) cli_fail(kProgram, "--k is for --objective iwae");
  set_threads(f.threads);
  // training splits each batch into two row blocks, one per thread (trainer.h); the matrix
  // products inside a block stay on its thread
  const int threads = std::min(Eigen::nbThreads(), kShards);
  Eigen::setNbThreads(1);

  // the model first (checked against the data's shape), then the data: bad flags and bad
  // checkpoints are refused before anything large is read
  Trainer t;
  if (f.resume) {
    Status st = checkpoint_load(f.checkpoint, &t);
    if (!st) cli_fail(kProgram, st.message);
  } else {
    VaeConfig c;
    c.hidden = f.hidden;
    c.latent = f.latent;
    c.classes = f.conditional ? 10 : 0;
    activation_parse(f.activation, &c.activation);
    likelihood_parse(f.likelihood, &c.likelihood);
    decoder_variance_parse(f.decoder_variance, &c.variance);
    posterior_scale_parse(f.posterior_scale, &c.posterior_scale);
    init_parse(f.init, &c.init);
    objective_parse(f.objective, &c.objective);
    c.dropout = f.dropout;
    c.iwae_k = c.objective == Objective::iwae ? (f.k > 0 ? f.k : 5) : 1;
    Status st = c.validate();
    if (!st) cli_fail(kProgram, st.message);
    check_work_size(kProgram, c, f.batch, "--batch");
    TrainOptions o;
    o.batch = f.batch;
    o.samples = f.samples;
    optimizer_parse(f.optimizer, &o.optimizer);
    o.lr = f.lr;
    o.seed = f.seed;
    o.lr_final = f.lr_final;
    o.kl_warmup = f.kl_warmup;
    o.beta = f.beta;
    o.epochs = f.epochs;
    t.start(c, o);
  }
  t.threads = threads;
  Status fits = weights_fit_data(t.params.config, 28 * 28, 10);
  if (!fits) cli_fail(kProgram, (f.resume ? f.checkpoint + ": " : "") + fits.message + " (MNIST and Fashion-MNIST: 28x28, 10 classes)");
  for (const std::string& path : {f.out, f.checkpoint, stem(f.out) + "-samples.png", stem(f.out) + "-recon.png"})
    prepare_output(kProgram, path);
  if (!f.log_csv.empty()) prepare_output(kProgram, f.log_csv);
  if (f.resume)
    std::printf("resuming %s from epoch %lld (%s)\n", t.params.config.describe().c_str(), t.epoch, f.checkpoint.c_str());

  Dataset train = load_split_or_exit(kProgram, f.data, "train", f.train_limit);
  Dataset test = load_split_or_exit(kProgram, f.data, "test", 0);
  // the test images as this model observes them, once (binarized, or dequantized for a Gaussian decoder)
  const Mat test_binary = observe_fixed(test.images, t.params.config.likelihood);
  const bool iwae = t.params.config.objective == Objective::iwae;
  if (train.images.rows() < t.options.batch)
    cli_fail(kProgram, "the training set (" + std::to_string(train.images.rows()) + " images) is smaller than one batch");
  std::printf("model %s, %zu parameters; %lld training images, batch %d, %s lr %g, %d thread(s)\n",
              t.params.config.describe().c_str(), t.params.size(), static_cast<long long>(train.images.rows()),
              t.options.batch, optimizer_name(t.optimizer.kind), t.optimizer.lr, t.threads);
  std::fflush(stdout);

  std::ofstream log;
  if (!f.log_csv.empty()) {
    const bool fresh = !std::ifstream(f.log_csv).good();
    log.open(f.log_csv, std::ios::app);
    if (!log) cli_fail(kProgram, f.log_csv + ": cannot open for appending");
    if (fresh) log << "epoch,samples_seen," << (iwae ? "train_iwae_bound" : "train_elbo") << ",test_elbo,seconds" << std::endl;
    if (!log) cli_fail(kProgram, "cannot write '" + f.log_csv + "': writing the header failed");
  }
  const long long steps = t.steps_per_epoch(train.images.rows());
  const uint8_t* test_labels = test.labels.data();
  double last_test_elbo = test_elbo(t.params, test_binary, test_labels);
  while (t.epoch < f.epochs) {
    const auto e0 = std::chrono::steady_clock::now();
    Progress bar("epoch " + std::to_string(t.epoch + 1) + "/" + std::to_string(f.epochs), steps, t.options.batch);
    for (long long s = 0; s < steps; ++s) {
      t.step(train.images, train.labels.data());
      bar.update(s + 1);
    }
    bar.finish();
    const double train_elbo = -t.epoch_loss_sum / steps, seconds = seconds_since(e0);
    t.train_seconds += seconds;
    last_test_elbo = test_elbo(t.params, test_binary, test_labels);
    std::printf("epoch %3lld/%d  train %s %8.2f  test ELBO %8.2f (%.4f bits/dim)  %6.1f s  %6.0f samples/s\n", t.epoch,
                f.epochs, iwae ? ("IWAE-" + std::to_string(t.params.config.iwae_k)).c_str() : "ELBO", train_elbo,
                last_test_elbo, bits_per_dim(last_test_elbo, t.params.config), seconds, steps * t.options.batch / seconds);
    std::fflush(stdout);
    if (log.is_open()) {
      log << t.epoch << "," << t.epoch * steps * t.options.batch << "," << train_elbo << "," << last_test_elbo << ","
          << seconds << std::endl;
      if (!log) cli_fail(kProgram, "cannot write '" + f.log_csv + "': appending a row failed: " + std::strerror(errno));
    }
    Status st = checkpoint_save(f.checkpoint, t, {});
    if (!st) cli_fail(kProgram, st.message);
  }
  // the figure in the file is the one of the weights as stored (F16 rounds them)
  const std::string dtype = f.dtype == "f16" ? "F16" : "F32";
  VaeParams stored;
  const std::vector<uint8_t> bytes = safetensors_serialize(weights_to_safetensors(t.params, {}, dtype));
  Status st = weights_parse(bytes.data(), bytes.size(), f.out, &stored, nullptr);
  if (!st) cli_fail(kProgram, st.message);
  last_test_elbo = test_elbo(stored, test_binary, test_labels);
  char elbo_text[32];
  std::snprintf(elbo_text, sizeof elbo_text, "%.3f", last_test_elbo);
  const Metadata provenance = {
      {"dataset", f.dataset == "fashion" ? "fashion-mnist" : "mnist"},
      {"protocol", protocol(t.params.config.likelihood)},
      {"epochs", std::to_string(t.epoch)},
      {"batch", std::to_string(t.options.batch)},
      {"optimizer", std::string(optimizer_name(t.optimizer.kind)) + " lr " + std::to_string(t.options.lr) +
                        (t.options.lr_final > 0 ? " decaying to " + std::to_string(t.options.lr_final) : "")},
      {"kl_warmup_epochs", std::to_string(t.options.kl_warmup)},
      {"beta", std::to_string(t.options.beta)},
      {"samples", std::to_string(t.options.samples)},
      {"seed", std::to_string(t.options.seed)},
      {"train_images", std::to_string(train.images.rows())},
      {"wall_time_s", std::to_string(t.train_seconds)},
      {"test_elbo", elbo_text}};
  st = weights_save(f.out, t.params, provenance, dtype);
  if (!st) cli_fail(kProgram, st.message);
  write_samples_png(stem(f.out) + "-samples.png", t.params);
  write_reconstructions_png(stem(f.out) + "-recon.png", t.params, test_binary, test_labels);
  std::printf("wrote %s (test ELBO %.2f nats), %s-samples.png, %s-recon.png\n", f.out.c_str(), last_test_elbo,
              stem(f.out).c_str(), stem(f.out).c_str());
  return 0;
}
