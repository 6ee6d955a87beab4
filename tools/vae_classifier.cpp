// vae-classifier: trains the MLP digit classifier that scores the conditional VAE's samples
// (does a sample asked to be a 3 look like a 3?), and writes it as safetensors.
#include <cstdio>

#include "cli_common.h"
#include "train/classifier_train.h"

namespace {
const char* kProgram = "vae-classifier";
}

int main(int argc, char** argv) {
  std::string dataset = "mnist", data, out = default_weights_dir() + "/mnist-classifier.safetensors";
  std::vector<int> hidden = {512, 512};
  int epochs = 10, batch = 100, threads = 0;
  float lr = 1e-3f;
  uint64_t seed = 1;
  CLI::App app{"Train an MLP classifier of MNIST digits (softmax cross-entropy, Adam) and write it.", kProgram};
  app.add_option("--dataset", dataset, "mnist or fashion")->capture_default_str()->check(CLI::IsMember({"mnist", "fashion"}));
  app.add_option("--data", data, "directory of the IDX files [default: the dataset's installed folder]");
  app.add_option("--out", out, "classifier file to write (safetensors)")->capture_default_str();
  app.add_option("--hidden", hidden, "hidden layer sizes (1 to 16 layers)")->delimiter(',')->capture_default_str()->check(integer_in(1, 16384))->expected(1, 16);
  app.add_option("--epochs", epochs, "passes over the training set")->capture_default_str()->check(integer_in(1, 10000));
  app.add_option("--batch", batch, "minibatch size")->capture_default_str()->check(integer_in(1, 60000));
  app.add_option("--lr", lr, "Adam learning rate")->capture_default_str()->check(real_in(0, 10, true));
  app.add_option("--seed", seed, "seed")->capture_default_str()->check(seed_value());
  app.add_option("--threads", threads, "threads (0 = all cores)")->capture_default_str()->check(integer_in(0, 256));
  cli_parse(app, argc, argv);
  set_threads(threads);
  if (data.empty()) data = dataset_dir(kProgram, dataset);
  // parameters and work buffers (two per hidden layer, logits and their gradient) within the programs' bounds
  uint64_t params = 0, per_row = 2 * 10 + 1, in = 784;
  for (int h : hidden) {
    params += uint64_t(h) * in + uint64_t(h);
    per_row += 2 * uint64_t(h);
    in = uint64_t(h);
  }
  params += 10 * in + 10;
  if (params > kMaxParams || uint64_t(batch) * per_row + params > kMaxWorkFloats)
    cli_fail(kProgram, "--hidden with --batch " + std::to_string(batch) + " needs " + std::to_string(params) +
                           " parameters and " + std::to_string(uint64_t(batch) * per_row) +
                           " floats of work buffers, more than this program handles (" + std::to_string(kMaxParams) +
                           ", " + std::to_string(kMaxWorkFloats) + ")");
  prepare_output(kProgram, out);
  Dataset train = load_split_or_exit(kProgram, data, "train", 0);
  Dataset test = load_split_or_exit(kProgram, data, "test", 0);
  if (train.images.rows() < batch)
    cli_fail(kProgram, "the training set (" + std::to_string(train.images.rows()) + " images) is smaller than one batch");

  ClassifierTrainer t;
  t.start(784, hidden, 10, batch, lr, seed);
  const long long steps = train.images.rows() / batch;
  const auto t0 = std::chrono::steady_clock::now();
  double accuracy = 0;
  for (int e = 1; e <= epochs; ++e) {
    const auto e0 = std::chrono::steady_clock::now();
    Progress bar("epoch " + std::to_string(e) + "/" + std::to_string(epochs), steps, batch);
    double loss = 0;
    for (long long s = 0; s < steps; ++s) {
      loss += t.step(train.images, train.labels.data());
      bar.update(s + 1);
    }
    bar.finish();
    accuracy = classifier_accuracy(t.params, test.images, test.labels.data());
    std::printf("epoch %3d/%d  train loss %.4f  test accuracy %.2f%%  %.1f s\n", e, epochs, loss / steps, 100 * accuracy,
                seconds_since(e0));
    std::fflush(stdout);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", accuracy);
  std::string architecture = "784";
  for (int h : hidden) architecture += "-" + std::to_string(h);
  architecture += "-10 relu, softmax";
  char optimizer[64], wall[32];
  std::snprintf(optimizer, sizeof optimizer, "adam lr %g", lr);
  std::snprintf(wall, sizeof wall, "%.1f", seconds_since(t0));
  Status st = classifier_save(out, t.params,
                              {{"dataset", dataset == "fashion" ? "fashion-mnist" : dataset},
                               {"architecture", architecture},
                               {"epochs", std::to_string(epochs)},
                               {"batch", std::to_string(batch)},
                               {"optimizer", optimizer},
                               {"seed", std::to_string(seed)},
                               {"train_images", std::to_string(train.images.rows())},
                               {"wall_time_s", wall},
                               {"test_accuracy", text}});
  if (!st) cli_fail(kProgram, st.message);
  std::printf("wrote %s (test accuracy %.2f%%)\n", out.c_str(), 100 * accuracy);
  return 0;
}
